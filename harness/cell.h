/*
 * harness/cell.h -- what the files of one cell process (build/cell-BACKEND)
 * share: harness/cell.c runs the cell, harness/cell_external.c hands a
 * reference series to another runtime.
 */
#ifndef MEMSTRAT_CELL_H
#define MEMSTRAT_CELL_H

#include <stdio.h>
#include "gbench.h"
#include "../bench/workload.h"

/* Print fmt (with one %s: arg) and a newline to stderr, and exit with code:
   a cell's way to end with the reason its runner records ("failed: ..."). */
_Noreturn void cell_fail(int code, const char *fmt, const char *arg);

/* The strategy's script (s->external) runs workload w with parameters p
   under another runtime (MEMSTRAT_PYTHON, default python3); its result, in
   the cell's KEY VALUE form, goes to result_path.  Returns 0, or EXIT_NA
   when the series cannot run here (no python3, another growth policy). */
int run_external(const strategy *s, const workload *w, const wl_params *p, int reps,
                 double min_time, const char *result_path);

/* What the kernel accounted to this process and to the children it waited
   for (a leaking cell runs each timed iteration in one): minor faults, CPU
   time, and involuntary context switches.  Over the timed region, CPU time
   against wall time says whether the trial had its CPU to itself: another
   runnable program on the same CPU takes turns with it (CFS preempts it
   every few ms), and its share of the wall time drops (the runner judges:
   supervise.c). */
typedef struct usage { long faults, nivcsw; double cpu_ns; } usage;
usage usage_now(void);

/* The cell's own high-water mark (VmHWM), and the larger of it and its
   waited-for children's (harness/cell_account.c). */
long maxrss_kb(void);
long peak_kb(void);

/* ---- tests only: MEMSTRAT_FAULT (harness/cell_faults.c) ---------------- */
/* Whether the fault applies to the cell `cell_name`; its kind into kind. */
int cell_fault_for(const char *cell_name, char *kind, size_t n);
/* Misbehave as `what` says (crash, hog, hang, reserve; others: nothing). */
void cell_fault(const char *what);

/* ---- Google Benchmark (harness/cell_gbench.c) ------------------------- */
/* Run what is registered: reps repetitions of at least min_time seconds,
   the raw JSON to json_path (NULL: none); how many benchmarks ran, their
   result in g. */
size_t cell_run_gb(char *argv0, int reps, double min_time, const char *json_path,
                   gb_result *g);
/* Google Benchmark's own first-run allocations, made before the baseline. */
void cell_warm_harness(char *argv0, int reps, const char *json_path);

/* ---- output (harness/cell_output.c) ------------------------------------ */
/* The result file, written under PATH.tmp; committed, it is renamed to
   PATH and the cell exits 0 (cell_fail if either cannot be done). */
FILE *cell_open_result(const char *path);
_Noreturn void cell_commit_result(FILE *out, const char *path);
/* The latency distribution for plotting, "percentile,ns_per_op" lines,
   written whole then renamed; 0 or -1. */
int cell_write_latency(const char *path, const hist *h);
/* "KEY VALUE" with the q-th percentile of h in `unit`s, or "KEY -" where
   the sample count cannot support it. */
void cell_write_percentile(FILE *out, const char *key, const hist *h, double q,
                           double unit, int digits);

#endif
