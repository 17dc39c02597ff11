/*
 * harness/team.h -- T threads running one workload at once, each on a heap
 * of its own (issue #16).
 *
 * A cell with T > 1 threads runs its workload on a team: T worker threads
 * that live as long as the team (a long-running process keeps its threads,
 * and its allocator's per-thread caches with them), each with its own heap
 * (the heap is the thread's state, as PyThreadState is).  Every run starts
 * the workers together and times the team from the first worker's start to
 * the last one's end, by the workers' own clocks: waking the workers is not
 * part of the workload.
 *
 * Without WL_SHARED, each worker runs its own copy of the workload on its
 * own objects, and each must compute expected(p); with WL_SHARED the workers
 * cooperate through wl_team (a barrier, the workload's shared state) and
 * worker 0 returns the team's checksum.
 */
#ifndef MEMSTRAT_TEAM_H
#define MEMSTRAT_TEAM_H

#include <stdint.h>
#include "../bench/workload.h"

/* A team's size: at most this many threads (`memstrat run --threads`). */
#define TEAM_MAX 256

typedef struct team team;

/* T worker threads, each with a heap of strategy s (configured by cfg),
   ready to run w, the strategy's own compiled copy of the workload.  NULL
   if a thread or a heap cannot be made (the reason is in errno). */
team *team_new(const strategy *s, const heap_config *cfg, const workload *w, unsigned T);

/* Run the workload on every worker at once with parameters p (each worker
   gets a copy with .thread, .threads and, for WL_SHARED, .team set).
   r gets the sum of the workers' checksums and bad values, and worker 0's
   list sizes.  Returns the team's wall time in ns. */
uint64_t team_run(team *t, const wl_params *p, wl_result *r);

/* The checksum team_run must return for parameters p. */
uint64_t team_expected(const team *t, const wl_params *p);

unsigned team_size(const team *t);
heap *team_heap(team *t, unsigned i);
/* Switch every heap's statistics on or off (heap.counting). */
void team_counting(team *t, int on);
/* Every heap's statistics, summed (live bytes freed on another thread's
   heap wrap around in that heap and sum back correctly). */
heap_stats team_stats(const team *t);
/* A full collection on every heap, each on its own thread. */
void team_collect(team *t);
/* Stop the workers, destroying their heaps on their own threads. */
void team_free(team *t);

#endif
