/*
 * harness/stats.h -- the statistics of memstrat, in one place, after the
 * running (as Google Benchmark keeps its aggregates in statistics.cc): a
 * cell's numbers from its trials, and the tests `memstrat compare` makes.
 *
 * Everything here is distribution-free: this machine's trial times are
 * skewed and often bimodal, so no normal model is assumed anywhere.
 */
#ifndef MEMSTRAT_STATS_H
#define MEMSTRAT_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

#define STATS_ALPHA 0.05        /* every interval is 95%, every test at 5% */

double stats_median(const double *v, size_t n);
/* The q-quantile (0..1), interpolated between order statistics. */
double stats_quantile(const double *v, size_t n, double q);

/* The 95% interval of the median from order statistics: [x(l), x(n+1-l)]
   with the largest l whose coverage, 1 - 2 P(Binom(n, 1/2) < l), is at
   least 95%; exact for any continuous distribution.  Below 6 values no such
   l exists: the interval is [min, max] and *level says what it covers
   (5 values: 93.8%, 4: 87.5%, 3: 75%).  Returns -1 for fewer than 2. */
int stats_median_ci(const double *v, size_t n, double *lo, double *hi, double *level);

/* Clusters among trial values: sorted on a log scale, split at a gap that
   is at least 25% and over twice the spread inside either side, each side
   two values or more (the same split applied again within each side, up to
   4 modes).  A cell whose
   processes land in two worlds -- 8 and 130 ns/op -- is two modes, not one
   median between them. */
typedef struct modes {
    int count;                  /* 1: one cluster */
    double lo, hi;              /* median of the lowest and highest cluster */
    double lo_share;            /* share of the values in the lowest */
} modes;
void stats_modes(const double *v, size_t n, modes *m);

/* Mann-Whitney U: the two-sided p-value that a and b come from one
   distribution.  Exact (the permutation distribution of the rank sum) for
   up to 60 values without ties, else the normal approximation with the
   tie correction. */
double stats_u_test(const double *a, size_t na, const double *b, size_t nb);

/* The smallest two-sided p-value the exact test can give for samples of na
   and nb values: 2 / C(na + nb, na).  At or above 0.05 no outcome is
   significant (3 trials against 3: 0.1). */
double stats_u_min_p(size_t na, size_t nb);

/* The 95% interval of the shift b - a (Hodges-Lehmann): order statistics of
   the na x nb differences, cut where the U test's critical value falls, so
   that the interval excludes 0 exactly when the test rejects.  Returns its
   coverage (below 95% when the samples are too small for 95%). */
double stats_shift_ci(const double *a, size_t na, const double *b, size_t nb, double *lo,
                      double *hi);

uint64_t stats_splitmix64(uint64_t *state);

/* A cell's row from its trials' rows (all ok): medians over the clean
   trials (contended ones left out, unless all are) with their intervals and
   modes for time and peak RSS, the count left out in `contended`; what
   only the first trial records (latency, statistics, leaks) from the first
   trial used. */
void stats_cell_row(row *cell, const row *const *trials, size_t n);
/* A trial that shared its CPU with another program (supervise.c's rule);
   an older run's, without the column, is clean. */
int stats_contended(const row *trial);
size_t stats_clean_trials(const row *const *trials, size_t n);

/* The columns of cells.csv that come from more than one trial's row, after
   stats_cell_row, once the whole table is there (runner and merge alike):
   throughput_mops (T threads x 1e3 / ns per operation per thread) and its
   interval from ns_ci_lo/hi; scaling, the throughput at T over T times that
   of the same cell at one thread on the same host ("-" where that cell is
   not ok or not in the table); cross_frees and queued "-" where the cell
   did not report them. */
void stats_across_cells(table *t);

#endif
