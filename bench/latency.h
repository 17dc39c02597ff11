/*
 * bench/latency.h -- latency per batch of operations, in a log-bucketed
 * histogram of bounded size (the idea of HdrHistogram, in a few lines).
 *
 * A workload calls LATENCY_BEGIN before its first allocation, LATENCY_TICK
 * once per operation, LATENCY_FLUSH after its loop and LATENCY_DROP after it
 * has dropped everything.  Every `batch` operations the recorder reads the
 * clock and files (elapsed - timer cost) / batch, the ns per operation of
 * that batch, in the histogram; the flush files the last, shorter batch by
 * its own count.  The drop -- releasing what the workload made, and the
 * scope's end -- is filed as one more sample of a batch's weight: its time /
 * batch, as a collection pause inside a batch would be.  So every operation,
 * the drop included, belongs to exactly one sample, and a stall weighs the
 * same wherever the strategy puts it (inside the loop: tracing; at the drop:
 * reference counting).  Off (p->lat == NULL), a tick is a decrement and a
 * branch that is never taken.
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
/* Samples a percentile needs above it before it is reported: with fewer,
   p99.9 of 976 samples is just the maximum under another name.  Ten keeps
   one outlier from being the whole tail. */
#define HIST_TAIL_SAMPLES 10

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
/* Whether h has the samples to estimate percentile q: at least
   HIST_TAIL_SAMPLES above it, i.e. n >= HIST_TAIL_SAMPLES / (1 - q/100)
   (p99.9 needs 10,000).  0 and 100 (the min and max) need one sample. */
int hist_supports(const hist *h, double q);
/* Bucket of v, and the smallest value the next bucket holds. */
unsigned hist_bucket(uint64_t v);
uint64_t hist_bucket_end(unsigned b);

/* Operations per sample, by default.  p99.9 needs 10,000 samples
   (hist_supports): 64 gives 15,625 at N = 1e6.  A sample costs one clock
   read (~25 ns here) against 64 operations of 10-100 ns each, a few per
   cent of the recording run (lat_overhead); 1024 gave 976 samples, whose
   p99.9 was the maximum. */
#define LAT_BATCH_DEFAULT 64

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
/* File the time since the last sample as `ops` operations (none: nothing). */
void latency_file(latency *l, uint64_t ops);

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
/* After the loop: the last batch, cut short. */
#define LATENCY_FLUSH(p)                                                      \
    do {                                                                      \
        if ((p)->lat)                                                         \
            latency_file((p)->lat, (p)->lat->batch - lat_left_);              \
    } while (0)
/* After the drop: the drop, as one batch. */
#define LATENCY_DROP(p)                                                       \
    do {                                                                      \
        if ((p)->lat)                                                         \
            latency_file((p)->lat, (p)->lat->batch);                          \
    } while (0)

#endif
