/* tests/test_gbench.c -- the Google Benchmark shim on its own: a trivial
   benchmark reports sane iterations and times, pausing the timer excludes
   what it should, and errors come back to C. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "../harness/gbench.h"

static void spin_ns(long ns)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < ns);
}

static void bm_sum(gb_state *st, void *arg)
{
    long n = *(long *)arg;
    while (gb_keep_running(st)) {
        long s = 0;
        for (long i = 0; i < n; i++) {
            s += i;
            gb_do_not_optimize(&s);
        }
    }
    gb_set_items_processed(st, gb_iterations(st) * n);
    gb_set_counter(st, "n", (double)n);
}

/* 20 us of work timed, 1 ms paused: the time must be far below 1 ms.  Why
   so long a pause: the timed spin waits on the wall clock, so a neighbour
   that preempts it lengthens it (at load 6-9 the median read 300 us with a
   200 us pause, failing a 150 us bound); only a pause not taken out reaches
   1 ms, and 25 ms of preemption inside 1 ms of timed spin would be needed to
   fake that. */
static void bm_paused(gb_state *st, void *arg)
{
    (void)arg;
    while (gb_keep_running(st)) {
        spin_ns(20000);
        gb_pause_timing(st);
        spin_ns(1000000);
        gb_resume_timing(st);
    }
}

static void bm_error(gb_state *st, void *arg)
{
    (void)arg;
    while (gb_keep_running(st)) {
        gb_skip_with_error(st, "deliberate");
        break;
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    long n = 1000;
    gb_register("sum", bm_sum, &n, &(gb_options){ .repetitions = 3, .min_time = 0.01 });
    gb_register("paused", bm_paused, NULL, &(gb_options){ .iterations = 50 });
    gb_register("error", bm_error, NULL, NULL);
    char *args[] = { argv[0], "--benchmark_out=/dev/null", NULL };
    gb_result r[3];
    size_t k = gb_run(2, args, 1, r, 3);
    CHECK(k == 3, "ran %zu benchmarks", k);
    CHECK(strcmp(r[0].name, "sum") == 0, "first is '%s'", r[0].name);
    CHECK(r[0].repetitions == 3, "%d repetitions", r[0].repetitions);
    CHECK(r[0].iterations > 10, "%lld iterations", (long long)r[0].iterations);
    /* 1000 dependent adds: between 100 ns and 1 ms on any machine. */
    CHECK(r[0].median > 100 && r[0].median < 1e6, "median %.1f ns", r[0].median);
    CHECK(r[0].min <= r[0].median && r[0].min > 0, "min %.1f, median %.1f", r[0].min, r[0].median);
    CHECK(r[0].stddev >= 0 && r[0].cv >= 0 && r[0].cv < 5, "stddev %.2f cv %.3f",
          r[0].stddev, r[0].cv);
    CHECK(r[0].mean > 0, "mean %.1f", r[0].mean);
    CHECK(r[1].iterations == 50, "paused: %lld iterations", (long long)r[1].iterations);
    CHECK(r[1].median >= 20000 && r[1].median < 500000,
          "paused: %.0f ns per iteration, expected about 20000 (1020000 if the pause counted)",
          r[1].median);
    CHECK(r[2].error && strcmp(r[2].error_message, "deliberate") == 0,
          "error not reported: %d '%s'", r[2].error, r[2].error_message);
    return check_summary("gbench shim");
}
