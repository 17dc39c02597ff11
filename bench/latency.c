/* bench/latency.c -- see latency.h. */
#include "latency.h"

#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void hist_reset(hist *h)
{
    memset(h, 0, sizeof *h);
}

/* Below HIST_SUB: the value itself.  Above: the power of two (its top bit)
   and the next HIST_SUB_BITS bits under it. */
unsigned hist_bucket(uint64_t v)
{
    if (v < HIST_SUB)
        return (unsigned)v;
    unsigned top = 63 - (unsigned)__builtin_clzll(v);          /* >= SUB_BITS */
    unsigned sub = (unsigned)(v >> (top - HIST_SUB_BITS)) & (HIST_SUB - 1);
    return (top - HIST_SUB_BITS + 1) * HIST_SUB + sub;
}

uint64_t hist_bucket_end(unsigned b)
{
    if (b < HIST_SUB)
        return b + 1;
    unsigned top = b / HIST_SUB + HIST_SUB_BITS - 1, sub = b % HIST_SUB;
    if (top >= 63 && sub == HIST_SUB - 1)
        return UINT64_MAX;
    return ((uint64_t)(HIST_SUB + sub + 1)) << (top - HIST_SUB_BITS);
}

void hist_add(hist *h, uint64_t v)
{
    h->count[hist_bucket(v)]++;
    h->n++;
    if (v > h->max)
        h->max = v;
}

uint64_t hist_percentile(const hist *h, double q)
{
    if (h->n == 0)
        return 0;
    /* The rank of the sample at q, 1-based, rounded up (nearest rank). */
    double want = q / 100.0 * (double)h->n;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want || rank == 0)
        rank++;
    uint64_t seen = 0;
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        seen += h->count[b];
        if (seen >= rank) {
            uint64_t end = hist_bucket_end(b) - 1;          /* last value it holds */
            return end < h->max ? end : h->max;
        }
    }
    return h->max;
}

int hist_supports(const hist *h, double q)
{
    if (q <= 0 || q >= 100)
        return h->n > 0;
    /* Relative slack: 10 / (1 - 0.999) is 9999.99... in doubles. */
    double need = HIST_TAIL_SAMPLES / (1 - q / 100);
    return (double)h->n >= need * (1 - 1e-9);
}

uint64_t latency_timer_cost(void)
{
    enum { N = 1001 };
    uint64_t d[N];
    for (int i = 0; i < N; i++) {
        uint64_t a = now_ns();
        d[i] = now_ns() - a;
    }
    /* The median, by counting: small values, no sort needed. */
    for (uint64_t t = 0;; t++) {
        int below = 0;
        for (int i = 0; i < N; i++)
            below += d[i] <= t;
        if (below > N / 2)
            return t;
    }
}

void latency_start(latency *l)
{
    l->last = now_ns();
}

void latency_file(latency *l, uint64_t ops)
{
    if (ops == 0)
        return;
    uint64_t t = now_ns();
    uint64_t dt = t - l->last;
    dt = dt > l->timer_ns ? dt - l->timer_ns : 0;
    hist_add(&l->h, dt * 1000 / ops);
    l->last = t;
}

uint64_t latency_batch_done(latency *l)
{
    latency_file(l, l->batch);
    return l->batch;
}
