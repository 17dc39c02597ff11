/*
 * harness/gbench.h -- a small C API over Google Benchmark (harness/gbench.cc
 * is the only C++ in memstrat).
 *
 *   static void bm(gb_state *st, void *arg) {
 *       setup(arg);                      // not timed
 *       while (gb_keep_running(st))      // timed, as many iterations as needed
 *           gb_do_not_optimize(work(arg));
 *   }
 *   gb_register("name", bm, arg, &(gb_options){ .repetitions = 5 });
 *   gb_result r[4];
 *   size_t n = gb_run(argc, argv, r, 4);  // --benchmark_* flags, JSON via
 *                                         // --benchmark_out=F
 *
 * Times are real (wall-clock) time per iteration, or the time the benchmark
 * reports (manual_time), in nanoseconds.  Google
 * Benchmark computes the aggregates over repetitions (mean, median, stddev,
 * cv); the shim adds "min" as one more of its statistics.
 */
#ifndef MEMSTRAT_GBENCH_H
#define MEMSTRAT_GBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;       /* a benchmark::State */
typedef void (*gb_fn)(gb_state *st, void *arg);

typedef struct gb_options {
    int repetitions;                    /* 0: Google Benchmark's default (1) */
    double min_time;                    /* seconds per repetition; 0: default */
    int64_t iterations;                 /* fixed iterations; 0: let it choose */
    int manual_time;                    /* time is what gb_set_iteration_time says */
} gb_options;

typedef struct gb_result {
    char name[160];
    int64_t iterations;                 /* per repetition */
    int repetitions;
    double mean, median, stddev, cv, min;   /* ns per iteration; cv a fraction */
    int error;
    char error_message[256];
} gb_result;

void gb_register(const char *name, gb_fn fn, void *arg, const gb_options *opt);

int gb_keep_running(gb_state *st);
void gb_pause_timing(gb_state *st);
void gb_resume_timing(gb_state *st);
void gb_skip_with_error(gb_state *st, const char *message);
int64_t gb_iterations(const gb_state *st);
void gb_set_items_processed(gb_state *st, int64_t items);
void gb_set_counter(gb_state *st, const char *name, double value);
/* The time of this iteration, in seconds (benchmarks with manual_time). */
void gb_set_iteration_time(gb_state *st, double seconds);

/* Parse --benchmark_* flags out of argv (others are left), run every
   registered benchmark, and fill up to max results, one per benchmark.
   Returns how many benchmarks ran.  quiet suppresses the console table. */
size_t gb_run(int argc, char **argv, int quiet, gb_result *results, size_t max);
/* Forget every registered benchmark (the next gb_run runs only later ones). */
void gb_clear(void);

/* The compiler must assume the value is used and memory is read/written. */
static inline void gb_do_not_optimize(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static inline void gb_clobber_memory(void)
{
    __asm__ volatile("" : : : "memory");
}

#ifdef __cplusplus
}
#endif
#endif
