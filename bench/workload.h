/*
 * bench/workload.h -- the workloads: identical code for every strategy.
 *
 * A workload runs N operations against a heap through the object model only
 * (bench/model.h), then drops everything it made.  It returns a checksum of the values
 * it saw, which the harness consumes so that the compiler cannot discard the
 * work, and which the tests compare with the closed form.
 *
 * Adding a workload: one file defining a static `NAME_workload`, listed in
 * bench/workloads.h.  The file is compiled once per strategy (bench/model.h).
 */
#ifndef MEMSTRAT_WORKLOAD_H
#define MEMSTRAT_WORKLOAD_H

#include <stdint.h>
#include "object.h"
#include "latency.h"

/* A cell's T threads as a workload sees them (harness/team.c): for the
   workloads whose threads share objects (WL_SHARED). */
typedef struct wl_team {
    unsigned size;                  /* T */
    void (*wait)(struct wl_team *t);/* a barrier of all T threads: call it
                                       through wl_team_wait (bench/team.h) */
    void *shared;                   /* the workload's shared state: its
                                       `shared_size` bytes, zeroed before
                                       every run of the team */
} wl_team;

typedef struct wl_params {
    uint64_t n;                     /* operations */
    const growth_policy *policy;    /* list growth */
    uint64_t window;                /* tuple_create: tuples kept alive */
    unsigned k;                     /* tuple_create: items per tuple */
    int verify;                     /* check every value (tests), not just consume */
    latency *lat;                   /* batch latencies go here; NULL: not recorded */
    unsigned threads;               /* T threads run the cell (0 or 1: one) */
    unsigned thread;                /* this thread's index, 0..T-1 */
    wl_team *team;                  /* WL_SHARED at T > 1: the team; else NULL */
} wl_params;

typedef struct wl_result {
    uint64_t checksum;              /* what the workload computed from its values */
    uint64_t bad_values;            /* values found wrong (verify mode) */
    uint64_t final_len, final_cap;  /* the list at its largest (list workloads) */
} wl_result;

/* Which parameters a workload uses; the others are "-" in its results.
   WL_CYCLIC: its garbage is cyclic, so reference counting alone leaks it
   (every operation's objects, live_peak bytes of them).
   WL_SHARED: its threads share objects (one made on a thread dies on
   another), so it runs only under STRAT_THREADS strategies; its threads
   cooperate as one team, and run() returns the team's checksum in thread 0's
   result (the others return 0), expected() the whole team's.  Without it, a
   cell with T threads runs T independent copies, each on its own heap and
   objects, and each must return expected().
   WL_NONE: its objects point to the shared None whatever the window (churn's
   live set starts as [None] * W, W = CHURN_DEFAULT_W at window 0); a
   WL_WINDOW workload without it does so only with a window (tuple_create).
   None is one object for every thread: see threads_na_reason. */
enum { WL_POLICY = 1u << 0, WL_WINDOW = 1u << 1, WL_K = 1u << 2, WL_CYCLIC = 1u << 3,
       WL_SHARED = 1u << 4, WL_NONE = 1u << 5 };

typedef struct workload {
    const char *name;
    const char *summary;
    unsigned params;
    void (*run)(heap *h, const wl_params *p, wl_result *r);
    /* The checksum run() must return, computed without allocating. */
    uint64_t (*expected)(const wl_params *p);
    /* Peak bytes the workload holds live, from its structure alone: the same
       for every strategy (what a perfect reference counter would report). */
    uint64_t (*live_peak)(const wl_params *p, const wl_result *r);
    /* WL_SHARED: bytes of state the team shares (wl_team.shared). */
    size_t shared_size;
} workload;

extern const workload *const workloads[];        /* NULL-terminated */
const workload *workload_find(const char *name);
/* Strategy s's own compiled copy of the workload `name`, or NULL if it has
   none (a reference series without a loop for it). */
const workload *strategy_workload(const strategy *s, const char *name);

/* Whether strategy s can run workload w on `threads` threads with this
   window (-1: none applies): NULL if the cell runs, else the one-line reason
   it is n/a, valid until the next call on this thread (bench/threads_rule.c). */
const char *threads_na_reason(const strategy *s, const workload *w, unsigned threads,
                              int64_t window);

/* First value a workload gives its ints: above the small-int cache, so that
   every int is a fresh object, as `range(N)` makes past 256. */
#define WL_FIRST_VALUE 1000
/* Values wrap below 2**30 so that an int always has exactly one digit. */
#define WL_VALUE(i) (WL_FIRST_VALUE + (long)((i) % ((1u << 30) - WL_FIRST_VALUE)))

/* What list_append and its reference loops compute from the full list:
   its length and capacity, every value (verify mode), and a checksum of the
   length and both ends -- O(1), so it does not dilute the cost measured.
   One definition, so that every copy consumes the same work. */
static inline void wl_list_result(const list_obj *l, const wl_params *p, wl_result *r)
{
    r->final_len = (uint64_t)l->size;
    r->final_cap = (uint64_t)l->allocated;
    if (p->verify)
        for (uint64_t i = 0; i < p->n; i++)
            r->bad_values += int_value(l->items[i]) != WL_VALUE(i);
    r->checksum = (uint64_t)l->size;
    if (l->size > 0)
        r->checksum += (uint64_t)int_value(l->items[0]) +
                       (uint64_t)int_value(l->items[l->size - 1]);
}

/* What tuple_create and its reference loops take from tuple number v/k:
   every value checked (verify mode), and the last item's value, which the
   checksum sums. */
static inline uint64_t wl_tuple_value(const tuple_obj *t, uint64_t v, unsigned k,
                                      const wl_params *p, wl_result *r)
{
    if (p->verify)
        for (unsigned j = 0; j < k; j++)
            r->bad_values += int_value(t->items[j]) != WL_VALUE(v + j);
    return k > 0 ? (uint64_t)int_value(t->items[k - 1]) : 0;
}

#endif
