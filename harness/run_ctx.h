/*
 * harness/run_ctx.h -- the state of one `memstrat run`, shared by the loop
 * (runner.c) and the run directory's files (rundir.c).
 */
#ifndef MEMSTRAT_RUN_CTX_H
#define MEMSTRAT_RUN_CTX_H

#include "run.h"

typedef struct cell_state {
    size_t *idx;                /* its finished trials: rows of run_ctx.trials */
    size_t n, cap;
    size_t clean;               /* of them, not contended: what the statistics use */
    int done;                   /* all trials, the retries spent, or a failure */
    int interrupted;
} cell_state;

typedef struct run_ctx {
    run_opts o;
    char dir[2048], bindir[2048], cmdline[4096], started[32], commit[128];
    char host[256];             /* every row's host column, as meta.json's host */
    char *machine;              /* sysinfo_describe() */
    char pin_why[512];
    int cpu;                    /* the cells' CPU, or -1 */
    int runner_cpu;             /* the runner's own, or -1 */
    FILE *probe;                /* probe.csv: the machine's speed, a line per round */
    double fault_ns;            /* a first-touch fault on that CPU, calibrated */
    double steal0;              /* steal time at the start, s */
    char *system;               /* system_json() */
    double plant;               /* MEMSTRAT_PLANT_SLOWDOWN, percent */
    char alloc_env[1024];       /* the allocators' variables, as the run started */
    char resumed[1024];         /* when and how the run was resumed, if it was */
    cell_spec *cells;
    size_t ncells;
    cell_state *st;
    table trials;               /* trials.csv */
    int trials_fd;              /* appended to, one whole line per trial */
    FILE *log;                  /* run.log: a line per trial */
    int write_failed;           /* errno of a failed write: the run stops */
    size_t failed, na_cells;
    size_t budget_cut;          /* cells --budget left imprecise */
    size_t contended;           /* trials left out: they shared their CPU */
} run_ctx;

static inline const row *trial_of(const run_ctx *x, const cell_state *s, size_t k)
{
    return &x->trials.rows[s->idx[k]];
}

/* ---- rundir.c: the run directory ---- */
void choose_dir(run_ctx *x);
/* Creates DIR, locks it, refuses one that holds a run, writes matrix.args. */
void make_dirs(run_ctx *x, const char *matrix_args);
/* trials.csv: read back (--resume, --repair) and opened for appending. */
void open_trials(run_ctx *x);
/* probe.csv, appended to (a resumed run goes on in the same file). */
void open_probe(run_ctx *x);
void write_meta(run_ctx *x, const char *ended);
void write_growth(run_ctx *x);
/* --resume: the run as it started (command, start, CPU, calibration);
   refuses another planted slowdown or allocator environment. */
void continue_run(run_ctx *x, const char *now);
/* A calibrated CPU goes into matrix.args, for --resume. */
void keep_pin(run_ctx *x);

#endif
