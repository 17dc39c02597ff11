/*
 * bench/latency.h -- latency per batch of operations, in a log-bucketed
 * histogram of bounded size (the idea of HdrHistogram, in a few lines).
 *
 * A workload calls LATENCY_TICK once per operation; every `batch` operations
 * the recorder reads the clock and files (elapsed - timer cost) / batch, the
 * ns per operation of that batch, in the histogram.  Off (p->lat == NULL),
 * a tick is a decrement and a branch that is never taken.
 *
 * Buckets: values below 2^SUB_BITS get one bucket each; above, each power of
 * two is cut into 2^SUB_BITS equal buckets, so a bucket is at most 1/16 of
 * its values wide (6.25%).  64 powers x 16 = 1024 counters, 8 KiB, whatever
 * the number of samples.
 */
#ifndef MEMSTRAT_LATENCY_H
#define MEMSTRAT_LATENCY_H

#include <stdint.h>

#define HIST_SUB_BITS 4
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  (64 * HIST_SUB)

typedef struct hist {
    uint64_t count[HIST_BUCKETS];
    uint64_t n;                 /* samples */
    uint64_t max;               /* the largest sample, exactly */
} hist;

void hist_reset(hist *h);
void hist_add(hist *h, uint64_t v);
/* The value at percentile q (0..100): the upper edge of the bucket that
   holds it, so never below the exact value and within one bucket of it. */
uint64_t hist_percentile(const hist *h, double q);
/* Bucket of v, and the smallest value the next bucket holds. */
unsigned hist_bucket(uint64_t v);
uint64_t hist_bucket_end(unsigned b);

typedef struct latency {
    uint64_t batch;             /* operations per sample                      */
    uint64_t timer_ns;          /* cost of one clock read, subtracted         */
    uint64_t last;              /* clock at the end of the last batch         */
    hist h;                     /* ns per operation, x 1000 (picoseconds)     */
} latency;

/* Measure the clock's cost (the median of many back-to-back reads). */
uint64_t latency_timer_cost(void);
void latency_start(latency *l);
/* A batch is done: file it; returns the next batch's length. */
uint64_t latency_batch_done(latency *l);

/* In a workload's loop (p: its wl_params). */
#define LATENCY_BEGIN(p)                                                      \
    uint64_t lat_left_ = (p)->lat ? (p)->lat->batch : UINT64_MAX;             \
    if ((p)->lat)                                                             \
        latency_start((p)->lat)
#define LATENCY_TICK(p)                                                       \
    do {                                                                      \
        if (--lat_left_ == 0)                                                 \
            lat_left_ = latency_batch_done((p)->lat);                         \
    } while (0)

#endif
