/*
 * harness/run.h -- the pieces of `memstrat run`, one job per file:
 *
 *   run_options.c  the options and matrix.args (what to run)
 *   matrix.c       the cells they expand to, and the cost model
 *   sysinfo.c      what meta.json says of the machine and the build
 *   pin.c          which CPU the cells run on (a calibration)
 *   supervise.c    one trial: start a cell process, sample it, judge it
 *   schedule.c     the order of the trials: rounds, seeded and shuffled
 *   stats.c        trials to a cell's numbers (intervals, modes)
 *   rundir.c       the run directory: refused, locked, meta.json, resume
 *   runner.c       the loop that ties them together
 *   files.c        paths, atomic files, the run directory's lock
 *   shard.c        --shard K/N: one of N disjoint, balanced parts of the matrix
 *   merge.c        `memstrat merge`: one run from several (shards, hosts)
 */
#ifndef MEMSTRAT_RUN_H
#define MEMSTRAT_RUN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results.h"
#include "../bench/workload.h"

#define MAXN 64

/* Adaptive trials stop when the 95% interval of a cell's median is within
   +-2% of it.  Why 2%: `memstrat compare` calls a change only when it is
   significant and at least its 5% threshold, and the interval of a ratio of
   two medians is about sqrt(2) times either side's: at +-2% a side, a 5%
   change is clear of 1; at +-3% it is not.  perf-check-r4 (target +-3%): 24
   of the 149 cells that measured a planted 5% slowdown at 1.05 or more were
   not significant, most of them stopped at 5 trials on one side.  At 5
   trials on this VM the median cell's interval is +-4% (perf-check-r3), so
   most cells run on to --max-trials either way. */
#define CI_TARGET_DEFAULT 0.02

/* How the cells are placed on CPUs: PIN_AUTO calibrates at the start of the
   run and takes the fastest, most stable CPU; PIN_NONE lets the kernel
   choose; a number >= 0 is that CPU. */
#define PIN_AUTO (-1)
#define PIN_NONE (-2)

/* Extra trials a cell may run in place of contended ones (--retries).  Two
   bound the cost at +40% of the default 5 trials (make bench's 12 minutes),
   and give a cell its 5 clean trials of 7 with 85% odds when a fifth of the
   trials are contended.  When most are -- 90% of 2,018 in the perf-check
   quick matrix at load average 5.8 on this 2-core VM, 2026-11-28 -- no
   budget helps (5 clean would take ~50 trials): the cell says it is short. */
#define RETRIES_DEFAULT 2

typedef struct run_opts {
    const workload *w[MAXN];        size_t nw;
    const strategy *s[MAXN];        size_t ns;
    char b[MAXN][128];              size_t nb;      /* backends, variants included */
    uint64_t sizes[MAXN];           size_t nsizes;
    const growth_policy *p[MAXN];   size_t np;
    double hf[MAXN];                size_t nhf;
    uint64_t win[MAXN];             size_t nwin;
    unsigned threads[MAXN];         size_t nthreads;
    unsigned k;
    int reps;
    int trials;                     /* processes per cell, in rounds */
    int max_trials;                 /* ... and up to this many where the
                                       median's interval is still wider than
                                       ci_target (adaptive rounds) */
    double ci_target;               /* half-width of the 95% CI, relative */
    double budget_s;                /* adaptive rounds stop past this (0: none) */
    int retries;                    /* extra trials per cell for contended ones */
    uint64_t seed;                  /* of the rounds' shuffles */
    double min_time, timeout;
    char gc_threshold[48];          /* rc_cycle's, passed to every cell */
    int big_blocks;                 /* BIG_BLOCKS_*, passed to every cell */
    double switch_ms;               /* rc_gil's switch interval, ms */
    double sample_ms;               /* RSS timeline: one sample per this many ms */
    uint64_t batch;                 /* latency: operations per sample */
    uint64_t mem_limit;             /* bytes of resident memory; 0: none */
    int pin;                        /* a CPU, PIN_AUTO or PIN_NONE */
    int shard_k, shard_n;           /* --shard K/N; shard_n 0: the whole matrix */
    int dry_run;
    int repair;                     /* --resume on damaged files: salvage them */
    const char *out, *resume;
} run_opts;

typedef struct cell_spec {
    const workload *w;
    const strategy *s;
    const char *backend;            /* the runner it runs in */
    uint64_t n;
    const growth_policy *p;         /* NULL: does not apply */
    double hf;                      /* 0: does not apply */
    int64_t win;                    /* -1: does not apply */
    unsigned k;                     /* 0: does not apply */
    const char *big_blocks;         /* NULL: does not apply */
    unsigned threads;               /* T: threads the cell runs on (1: one) */
    int na;                         /* not applicable: recorded, not run */
    char note[200];                 /* why n/a, or what to know (oversubscribed) */
    char id[200];
} cell_spec;

/* Threads a cell may have: far beyond this machine, and what the cell's
   team (harness/team.c) is sized for. */
#define MAX_THREADS 256
/* rc_gil's switch interval by default, in ms: CPython's 5 ms
   (SWITCH_INTERVAL_DEFAULT_NS). */
#define SWITCH_MS_DEFAULT (SWITCH_INTERVAL_DEFAULT_NS / 1e6)

/* ---- run_options.c ---- */
_Noreturn void run_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void run_opts_defaults(run_opts *o);
/* Parses argv (after "run"); returns the matrix options, one per line, for
   matrix.args (a new run) -- the seed included, so that --resume replays the
   same order. */
char *run_opts_parse(run_opts *o, int argc, char **argv);
/* --resume DIR: the options DIR/matrix.args holds. */
void run_opts_load(run_opts *o, const char *dir);

/* ---- matrix.c ---- */
size_t matrix_expand(const run_opts *o, cell_spec **out);
/* A cells.csv note: text with its commas made semicolons (plots/ read the
   file with awk, split on commas; only the status, last, may hold one). */
void note_set(char *note, size_t n, const char *text);
/* Does the cell need --threads and --switch-interval (not the defaults)? */
int matrix_threaded_args(const run_opts *o, const cell_spec *c);
/* Has the run cells at T > 1?  And does this cell run its workload on a
   team of worker threads (T > 1, or T = 1 in such a run), not on the main
   thread?  (The cell's --thread-home.) */
int matrix_has_teams(const run_opts *o);
int matrix_on_workers(const run_opts *o, const cell_spec *c);
double matrix_estimate_s(const run_opts *o, const cell_spec *c, int trial);
void matrix_row_spec(row *r, const cell_spec *c);
void fmt_hf(char *buf, size_t n, double hf);
void fmt_duration(char *buf, size_t n, double s);

/* ---- shard.c ---- */
/* A bound that keeps a shard list printable; far beyond any cluster's use. */
#define MAX_SHARDS 4096
void shard_parse(const char *v, int *k, int *n);
double shard_cell_estimate(const run_opts *o, const cell_spec *c);
/* out[i]: the shard (0-based) of cell i, for N shards. */
void shard_assign(const run_opts *o, const cell_spec *c, size_t n, int shards, int *out);
/* Keeps o's shard of the cells, in order; returns how many. */
size_t shard_select(const run_opts *o, cell_spec *c, size_t n);

/* ---- files.c ---- */
#define PATHF(buf, ...) pathf(buf, sizeof(buf), __VA_ARGS__)
void pathf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *read_small_file(const char *path);
void utc_now(char *buf, size_t n, const char *fmt);
void json_string(FILE *f, const char *s);
/* The string value of a top-level "key": "value" in JSON text as memstrat
   writes it (meta.json), unescaped; "" when absent. */
void json_value(const char *json, const char *key, char *out, size_t n);
/* A hard link where the file system allows, else a copy: 0 or -1. */
int link_or_copy(const char *from, const char *to);
void remove_tree(const char *path);
int mkdirs(const char *path);
void update_latest(const char *dir);
/* The run directory's lock, held until the process ends: 0, or -1 with the
   holder's pid in *holder (0 if unknown). */
int lock_run_dir(const char *dir, long *holder);

/* ---- sysinfo.c ---- */
/* meta.json's fields that do not change during a run, from "host" to
   "libraries", as JSON members; and the source's git description. */
char *sysinfo_describe(const run_opts *o, const char *bindir, char *commit, size_t n);
/* The allocator variables of the environment, "K=V K=V". */
void sysinfo_allocator_env(char *buf, size_t n);

/* ---- pin.c ---- */
/* Each CPU's speed: the median ms of a fixed chain of arithmetic over
   interleaved rounds, and the interquartile spread as a fraction. */
typedef struct cpu_speed { int cpu; double ms, spread; } cpu_speed;
int pin_speeds(cpu_speed *out, int max);
/* The CPU the cells run on: o->pin when given, else a calibration's pick
   (PIN_NONE: -1).  Fills a one-line account of the calibration in why. */
int pin_choose(const run_opts *o, char *why, size_t n);
/* The CPU for the runner itself, away from the cells' (or -1). */
int pin_other(int cell_cpu);
void pin_self(int cpu);
/* A chain of `steps` dependent multiply-adds: ns per step. */
double pin_chain_ns(int steps);

/* ---- probe.c: the machine's own speed, each round (ns per step) ---- */
#define PROBE_VERSION 1         /* bump when probe.c's work changes */
typedef struct probe_sample {
    double alu_ns, heap_ns, chase_ns, fault_ns;
    int contended;              /* repetitions redone: they shared the CPU */
} probe_sample;
/* 0, or -1 when the CPU was too busy for PROBE_REPS clean repetitions. */
int probe_measure(probe_sample *out);
/* Every CPU the run may use (as it was when pin_choose ran): a cell with
   several threads, which one CPU would serialize. */
void pin_spread(void);

/* ---- system.c ---- */
/* ns per first touch of a 4 KiB page of a fresh anonymous mapping (bytes of
   it, the median of three mappings), and per touch again after
   MADV_DONTNEED gave the pages back. */
double system_fault_ns(size_t bytes);  /* the median of 7 mappings of bytes/7 */
double system_retouch_ns(size_t bytes);
/* One mapping of bytes, every page touched (retouch: after MADV_DONTNEED): ns per page. */
double system_touch_ns(size_t bytes, int retouch);
/* The machine as `memstrat system` describes it, as JSON members (for
   meta.json's "system"); with calibrate, the calibrations and steal too
   (1.5 s: a run makes its own, on the cells' CPU, and skips them). */
char *system_json(int calibrate);
/* Steal time since boot, in seconds (a VM's host ran someone else). */
double system_steal_s(void);
int system_main(int argc, char **argv);

/* ---- schedule.c ---- */
/* The order of round r (1-based): a permutation of 0..n-1 drawn from seed
   and r alone, so that the same seed gives the same rounds on any run. */
void schedule_round(uint64_t seed, int round, size_t n, size_t *order);
uint64_t schedule_new_seed(void);

/* ---- supervise.c ---- */
typedef struct trial_env {
    const char *dir, *bindir;
    double fault_ns;                /* a first-touch page fault, calibrated */
    int cpu;                        /* -1: not pinned */
    int extras;                     /* latency, statistics and timeline too */
    int tty;
    const char *progress;           /* the status line, or NULL */
} trial_env;
/* Runs one trial of a cell in its own process and fills r with its
   measurements and status ("interrupted" when the run was stopped). */
void supervise_trial(const run_opts *o, const trial_env *e, const cell_spec *c, int trial,
                     row *r);
/* The rule that marks a trial contended (its CPU shared with another
   program), in words, for meta.json. */
void supervise_contention_rule(char *buf, size_t n);
/* MEMSTRAT_CONTENTION=off: nothing is judged contended. */
int supervise_contention_off(void);
/* A timed region that had its CPU for less than this share of its wall
   time was contended (supervise.c says why 0.95). */
#define CONTENDED_SHARE 0.95
#include <signal.h>
extern volatile sig_atomic_t supervise_stop;   /* set by SIGINT/SIGTERM */

#endif
