/*
 * harness/results.h -- the tidy results of a run: one row per cell in
 * cells.csv, and the per-series growth factors in series.csv.  Every file is
 * written to a temporary name and renamed, so a reader never sees half a file
 * and an interrupted run keeps every finished cell.
 *
 * The columns are documented in results/README.md; the order here is the
 * order in the file.
 */
#ifndef MEMSTRAT_RESULTS_H
#define MEMSTRAT_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#define CELL_COLUMNS(X)                                                       \
    X(cell) X(workload) X(strategy) X(backend) X(backend_version)             \
    X(backend_options) X(size)                                                \
    X(policy) X(heap_factor) X(big_blocks) X(window) X(k) X(threads)          \
    X(reps) X(iterations)                                                     \
    X(ns_median) X(ns_mean) X(ns_stddev) X(cv) X(ns_min)                      \
    X(trials) X(contended) X(trials_short)                                    \
    X(ns_ci_lo) X(ns_ci_hi) X(ci_level) X(trial_cv)                           \
    X(modes) X(mode_lo_ns) X(mode_hi_ns) X(mode_lo_share)                     \
    X(throughput_mops) X(throughput_ci_lo) X(throughput_ci_hi) X(scaling)    \
    X(peak_rss_kb) X(rss_ci_lo) X(rss_ci_hi)                                  \
    X(baseline_rss_kb) X(rss_above_baseline_kb)                               \
    X(live_peak_bytes) X(heap_peak_bytes) X(rss_overhead) X(allocs)           \
    X(resizes) X(growth_mean) X(growth_last) X(final_slack) X(bytes_copied)   \
    X(bytes_remapped) X(in_place_share) X(collections) X(collections_gen)     \
    X(pause_total_ms) X(pause_max_ms)                                         \
    X(leaked_objects) X(leaked_bytes) X(cross_frees) X(queued)                \
    X(lat_batch) X(timer_ns) X(lat_overhead)                                  \
    X(lat_p50_ns) X(lat_p99_ns) X(lat_p999_ns) X(lat_max_ns)                  \
    X(pause_p50_ms) X(pause_p99_ms)                                           \
    X(minor_faults) X(major_faults) X(fault_ns_est) X(fault_share)              \
    X(cpu) X(cpu_share) X(nivcsw_per_s) X(wall_s) X(finished_at) X(note) X(host) X(status)

#define COL_ENUM(name) COL_##name,
enum column { CELL_COLUMNS(COL_ENUM) NCOLS };
#undef COL_ENUM

extern const char *const column_names[NCOLS];

/* A row of cells.csv, or of trials.csv, which holds the same columns after
   the trial's number. */
typedef struct row { char *v[NCOLS]; int trial; } row;    /* NULL: empty field */
typedef struct table { row *rows; size_t n, cap; } table;

row *table_add(table *t);
row *table_find(const table *t, const char *cell);
void table_free(table *t);
void row_set(row *r, enum column c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *row_get(const row *r, enum column c);   /* "" when empty */

/* Reads a cells.csv (trials == 0) or trials.csv (trials == 1) written by
   memstrat.  Columns are matched by name: one the file lacks stays empty
   (an older run), one this build does not know is an error.  A damaged line
   (the wrong number of fields, no end) is an error, or, given dropped, left
   out and counted there.  Returns 0, or -1 with a message. */
int table_read_csv(const char *path, table *t, int trials, size_t *dropped, char *err,
                   size_t n);
int table_write_csv(const char *path, const table *t, int trials);
/* One line of either file, and the header line. */
void row_write_csv(FILE *f, const row *r, int trials);
void header_write_csv(FILE *f, int trials);

/* Growth with N: for every series (same workload, strategy, backend, policy,
   heap factor, big blocks, window, k) with two or more sizes, the least-squares slope of
   log ns/op and of log RSS above baseline against log N. */
int write_series_csv(const char *path, const table *t);

/* Write data to path through path.tmp and rename. */
int write_file_atomic(const char *path, const char *data, size_t len);

/* Close f, opened with open_memstream(&buf, &len), write what it holds to
   path with write_file_atomic, and free the buffer.  The files of a run are
   all composed in memory and committed this way. */
int memstream_commit(FILE *f, char **buf, size_t *len, const char *path);

#endif
