/*
 * tests/core_latency.c -- the core suite's latency statistics: the
 * histogram's percentiles and buckets, when a percentile is supported, and
 * the batch samples every workload records.
 */
#include <stdlib.h>
#include <time.h>
#include "core.h"

/* The histogram's percentiles match the exact ones within one bucket, on
   data of very different shapes. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void test_histogram(void)
{
    enum { N = 100000 };
    static uint64_t v[N];
    static hist h;
    uint64_t seed = 42;
    for (int shape = 0; shape < 3; shape++) {
        hist_reset(&h);
        for (int i = 0; i < N; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t r = seed >> 33;
            v[i] = shape == 0 ? r % 1000                             /* uniform     */
                 : shape == 1 ? 20 + (r % 100 == 0 ? r % 1000000 : r % 50) /* long tail */
                 : (uint64_t)1 << (r % 40);                          /* powers of 2 */
            hist_add(&h, v[i]);
        }
        qsort(v, N, sizeof *v, cmp_u64);
        const double qs[] = { 0, 50, 90, 99, 99.9, 100 };
        for (size_t j = 0; j < sizeof qs / sizeof *qs; j++) {
            size_t rank = (size_t)(qs[j] / 100 * N);
            if ((double)rank < qs[j] / 100 * N || rank == 0)
                rank++;
            uint64_t exact = v[rank - 1], got = hist_percentile(&h, qs[j]);
            CHECK(hist_bucket(got) == hist_bucket(exact) && got >= exact,
                  "shape %d: p%g is %llu, exact %llu (buckets %u, %u)", shape, qs[j],
                  (unsigned long long)got, (unsigned long long)exact, hist_bucket(got),
                  hist_bucket(exact));
        }
        CHECK(h.max == v[N - 1] && h.n == N, "shape %d: max %llu, n %llu", shape,
              (unsigned long long)h.max, (unsigned long long)h.n);
    }
    /* Buckets are contiguous and at most 1/16 of their values wide. */
    int bad = 0;
    for (unsigned b = 1; b < hist_bucket(UINT64_MAX); b++) {
        uint64_t lo = hist_bucket_end(b - 1), hi = hist_bucket_end(b);
        bad += hist_bucket(lo) != b || hist_bucket(hi - 1) != b ||
               (lo >= HIST_SUB && (hi - lo) * HIST_SUB > lo);
    }
    CHECK(bad == 0, "%d buckets are not contiguous or too wide", bad);
}

/* Batch latencies: one sample per batch, the last short batch and the drop
   one each, whatever N is against the batch; timer cost known. */
void test_latency_recording(const strategy *s, const workload *w)
{
    static const uint64_t sizes[] = { 1, 99, 100, 1050 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        latency lat = { .batch = 100, .timer_ns = latency_timer_cost() };
        wl_params p = { .n = sizes[i], .policy = growth_policy_find("cpython"), .k = 3,
                        .window = 10, .lat = &lat };
        wl_result r = { 0 };
        heap *h = s->create(&cfg);
        strategy_workload(s, w->name)->run(h, &p, &r);
        s->destroy(h);
        uint64_t want = (p.n + lat.batch - 1) / lat.batch + 1;
        CHECK(lat.h.n == want, "%s/%s: %llu latency samples for %llu ops in batches of 100, "
              "not %llu (every batch, the last short one, the drop)", w->name, s->name,
              (unsigned long long)lat.h.n, (unsigned long long)p.n, (unsigned long long)want);
        CHECK(lat.timer_ns < 10000, "timer cost %llu ns", (unsigned long long)lat.timer_ns);
        CHECK(hist_percentile(&lat.h, 50) <= lat.h.max, "%s/%s: p50 %llu, max %llu", w->name,
              s->name, (unsigned long long)hist_percentile(&lat.h, 50),
              (unsigned long long)lat.h.max);
    }
}

/* A slow drop shows in the max: what follows LATENCY_FLUSH (here a 2 ms
   sleep) is filed by LATENCY_DROP as one batch, 2 ms / 100 per op. */
void test_latency_drop(void)
{
    latency lat = { .batch = 100, .timer_ns = latency_timer_cost() };
    wl_params p = { .n = 250, .lat = &lat };
    LATENCY_BEGIN(&p);
    for (uint64_t i = 0; i < p.n; i++)
        LATENCY_TICK(&p);
    LATENCY_FLUSH(&p);
    struct timespec pause = { 0, 2000000 };
    nanosleep(&pause, NULL);
    LATENCY_DROP(&p);
    CHECK(lat.h.n == 4 && lat.h.max >= 2000000ull * 1000 / 100,
          "%llu samples, max %llu ps per op, not 4 and >= 2 ms / 100",
          (unsigned long long)lat.h.n, (unsigned long long)lat.h.max);
}

/* A percentile is estimated only with HIST_TAIL_SAMPLES samples above it:
   p99.9 from 10,000, p99 from 1,000, p50 from 20; min and max from one. */
void test_percentile_support(void)
{
    static const struct { double q; uint64_t need; } rule[] = {
        { 50, 20 }, { 90, 100 }, { 99, 1000 }, { 99.9, 10000 }, { 99.99, 100000 },
    };
    static hist h;
    for (size_t i = 0; i < sizeof rule / sizeof *rule; i++) {
        hist_reset(&h);
        h.n = rule[i].need - 1;
        CHECK(!hist_supports(&h, rule[i].q), "p%g from %llu samples", rule[i].q,
              (unsigned long long)h.n);
        h.n = rule[i].need;
        CHECK(hist_supports(&h, rule[i].q), "no p%g from %llu samples", rule[i].q,
              (unsigned long long)h.n);
    }
    h.n = 0;
    CHECK(!hist_supports(&h, 100) && !hist_supports(&h, 0), "a max of no samples");
    h.n = 1;
    CHECK(hist_supports(&h, 100) && hist_supports(&h, 0), "no max of one sample");
}
