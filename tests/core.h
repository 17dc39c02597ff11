/* tests/core.h -- what the files of the core suite (build/test-core-BACKEND)
   share: the heap configuration most of its tests use, and the tests each
   file gives tests/test_core.c's main, which runs them in its order. */
#ifndef MEMSTRAT_TESTS_CORE_H
#define MEMSTRAT_TESTS_CORE_H
#include "check.h"
#include "../bench/workload.h"
#include "../bench/generic.h"
#include "../harness/backend.h"

/* The heap most tests run on: the defaults but a 64 KiB minimum heap
   (defined in tests/test_core.c). */
extern const heap_config cfg;

/* tests/core_workloads.c */
void test_workload(const strategy *s, const workload *w, uint64_t n, uint64_t window);
void test_references(const workload *w);
void test_churn_same_everywhere(void);

/* tests/core_cpython.c */
void test_rc_cycle(const strategy *s);
void test_list_freelist(const strategy *s);

/* tests/core_latency.c */
void test_histogram(void);
void test_percentile_support(void);
void test_latency_drop(void);
void test_latency_recording(const strategy *s, const workload *w);

/* tests/core_marksweep.c */
void test_marksweep_reachability(const strategy *s);
void test_marksweep_window(const strategy *s);
void test_marksweep_trigger(const strategy *s);
void test_marksweep_pacing(const strategy *s, uint64_t n);

/* tests/core_blocks.c */
void test_moves_counted(const strategy *s);
void test_remap_not_copied(const strategy *s);
void test_arena_in_place(const strategy *s);
void test_big_blocks(const strategy *s, int keep_for);
#endif
