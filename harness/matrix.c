/* harness/matrix.c -- the cells a run's options expand to, their ids, and a
   rough cost model for --dry-run and the ETA. */
#include "run.h"
#include "options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fmt_hf(char *buf, size_t n, double hf)
{
    snprintf(buf, n, "%g", hf);
}

void fmt_duration(char *buf, size_t n, double s)
{
    if (s < 60)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

/* The runner own-heap strategies use: glibc when asked for, else the first. */
static const char *own_heap_runner(const run_opts *o)
{
    for (size_t i = 0; i < o->nb; i++)
        if (strcmp(o->b[i], "glibc") == 0)
            return o->b[i];
    return o->b[0];
}

static void make_id(cell_spec *x, const run_opts *o)
{
    int len = snprintf(x->id, sizeof x->id, "%s-%s-%s-%llu", x->w->name, x->s->name, x->backend,
                       (unsigned long long)x->n);
    if (x->p)
        len += snprintf(x->id + len, sizeof x->id - (size_t)len, "-%s", x->p->name);
    if (x->hf) {
        char hf[32];
        fmt_hf(hf, sizeof hf, x->hf);
        len += snprintf(x->id + len, sizeof x->id - (size_t)len, "-hf%s", hf);
    }
    if (x->win >= 0)
        len += snprintf(x->id + len, sizeof x->id - (size_t)len, "-w%lld", (long long)x->win);
    if (x->k)
        len += snprintf(x->id + len, sizeof x->id - (size_t)len, "-k%u", x->k);
    if (x->big_blocks && o->big_blocks != BIG_BLOCKS_KEEP)    /* not the default */
        len += snprintf(x->id + len, sizeof x->id - (size_t)len, "-big%s", x->big_blocks);
    /* Last, and only past one thread: every id of a one-thread run is the
       id it had before threads (results compare across them). */
    if (x->threads > 1)
        snprintf(x->id + len, sizeof x->id - (size_t)len, "-t%u", x->threads);
}

/* Why a cell is not run, or NULL: an own-heap strategy runs on one runner
   only, a reference series has loops for some workloads only, and a
   strategy whose objects stay on their thread cannot share them. */
static const char *na_reason(const run_opts *o, const cell_spec *x, char *buf, size_t n)
{
    if ((x->s->flags & STRAT_OWN_HEAP) && strcmp(x->backend, own_heap_runner(o)) != 0) {
        snprintf(buf, n, "own heap: runs on the %s runner only", own_heap_runner(o));
        return buf;
    }
    if (strategy_workload(x->s, x->w->name) == NULL) {
        snprintf(buf, n, "%s has no %s loop", x->s->name, x->w->name);
        return buf;
    }
    return threads_na_reason(x->s, x->w, x->threads, x->win);
}

/* What a reader of a cell with threads must know: that it was spread over
   the run's CPUs rather than pinned to one (one CPU would serialize its
   threads), and that it had more threads than CPUs; at T = 1, that it ran
   on a worker thread, not the main one (matrix_on_workers). */
static void threads_note(const run_opts *o, cell_spec *x)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t len = 0;
    if (x->threads <= 1) {
        if (matrix_on_workers(o, x))
            snprintf(x->note, sizeof x->note, "on a worker thread: as at T > 1");
        return;
    }
    if (o->pin != PIN_NONE)
        len = (size_t)snprintf(x->note, sizeof x->note,
                               "not pinned to one CPU: spread over the run's CPUs");
    if (cpus > 0 && x->threads > (unsigned long)cpus && len < sizeof x->note)
        snprintf(x->note + len, sizeof x->note - len, "%soversubscribed: %u threads on %ld CPUs",
                 len ? "; " : "", x->threads, cpus);
}

void note_set(char *note, size_t n, const char *text)
{
    snprintf(note, n, "%s", text);
    for (char *comma = strchr(note, ','); comma; comma = strchr(comma, ','))
        *comma = ';';
}

int matrix_threaded_args(const run_opts *o, const cell_spec *c)
{
    return c->threads > 1 || o->switch_ms != SWITCH_MS_DEFAULT;
}

int matrix_has_teams(const run_opts *o)
{
    for (size_t i = 0; i < o->nthreads; i++)
        if (o->threads[i] > 1)
            return 1;
    return 0;
}

/* Like for like: `scaling` divides the throughput at T by T x the one at
   T = 1, so the two must differ in the number of threads only.  On the
   main thread glibc serves a cell from its main arena, a worker from an
   arena of its own, and they behave apart: rc_gil list_append 1e6 refaulted
   28,000 pages per run on the main thread (2,000 when Google Benchmark
   writes no JSON, which the runner always has it write), 2,000 on a worker
   either way, and its T = 2 came out 3.5x its T = 1.  So in a run with
   cells at T > 1, a cell that runs at T > 1 runs at T = 1 on a team of one
   worker.
   The others (n/a at T > 1: boehm, the reference series) stay where they
   were, as does every cell of a run without threads. */
int matrix_on_workers(const run_opts *o, const cell_spec *c)
{
    return c->threads > 1 ||
           (matrix_has_teams(o) && threads_na_reason(c->s, c->w, 2, c->win) == NULL);
}

size_t matrix_expand(const run_opts *o, cell_spec **out)
{
    size_t cap = 64, n = 0;
    cell_spec *c = malloc(cap * sizeof *c);
    for (size_t wi = 0; wi < o->nw; wi++)
    for (size_t si = 0; si < o->ns; si++)
    for (size_t bi = 0; bi < o->nb; bi++)
    for (size_t pi = 0; pi < o->np; pi++)
    for (size_t hi = 0; hi < o->nhf; hi++)
    for (size_t xi = 0; xi < o->nwin; xi++)
    for (size_t zi = 0; zi < o->nsizes; zi++)
    for (size_t ti = 0; ti < o->nthreads; ti++) {
        const workload *w = o->w[wi];
        const strategy *s = o->s[si];
        /* A parameter that does not apply is not a dimension: one cell. */
        if ((!(w->params & WL_POLICY) && pi) || (!(s->flags & STRAT_HEAP_FACTOR) && hi) ||
            (!(w->params & WL_WINDOW) && xi))
            continue;
        if (n == cap)
            c = realloc(c, (cap *= 2) * sizeof *c);
        cell_spec *x = &c[n++];
        *x = (cell_spec){ .w = w, .s = s, .backend = o->b[bi], .n = o->sizes[zi],
                          .p = w->params & WL_POLICY ? o->p[pi] : NULL,
                          .hf = s->flags & STRAT_HEAP_FACTOR ? o->hf[hi] : 0,
                          .win = w->params & WL_WINDOW ? (int64_t)o->win[xi] : -1,
                          .k = w->params & WL_K ? o->k : 0,
                          .big_blocks = s->flags & STRAT_BIG_BLOCKS ?
                                        big_blocks_names[o->big_blocks] : NULL,
                          .threads = o->threads[ti] };
        char why[sizeof x->note];
        const char *na = na_reason(o, x, why, sizeof why);
        x->na = na != NULL;
        if (na)
            note_set(x->note, sizeof x->note, na);
        else
            threads_note(o, x);
        make_id(x, o);
    }
    *out = c;
    return n;
}

/* A row's columns that say which cell it is. */
void matrix_row_spec(row *r, const cell_spec *c)
{
    char hf[32];
    row_set(r, COL_cell, "%s", c->id);
    row_set(r, COL_workload, "%s", c->w->name);
    row_set(r, COL_strategy, "%s", c->s->name);
    row_set(r, COL_backend, "%s", c->backend);
    row_set(r, COL_size, "%llu", (unsigned long long)c->n);
    row_set(r, COL_policy, "%s", c->p ? c->p->name : "-");
    fmt_hf(hf, sizeof hf, c->hf);
    row_set(r, COL_heap_factor, "%s", c->hf ? hf : "-");
    if (c->win >= 0)
        row_set(r, COL_window, "%lld", (long long)c->win);
    else
        row_set(r, COL_window, "-");
    if (c->k)
        row_set(r, COL_k, "%u", c->k);
    else
        row_set(r, COL_k, "-");
    row_set(r, COL_big_blocks, "%s", c->big_blocks ? c->big_blocks : "-");
    row_set(r, COL_threads, "%u", c->threads ? c->threads : 1);
    row_set(r, COL_note, "%s", *c->note ? c->note : "-");
}

/* ~40 ns per operation; each repetition at least --min-time; the warm-up,
   and in the first trial the latency and statistics runs; the process start
   (measured: ~20 ms for a small cell). */
double matrix_estimate_s(const run_opts *o, const cell_spec *c, int trial)
{
    if (c->na)
        return 0;
    /* Each of T threads does the N operations: on fewer CPUs, they take
       turns. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    double turns = c->threads > 1 ? ceil((double)c->threads / (double)(cpus > 0 ? cpus : 1)) : 1;
    double ops = (double)c->n * (c->k ? c->k + 1 : 1) * turns;
    double once = ops * 40e-9;
    return 0.03 + (trial == 1 ? 3 : 1) * once + o->reps * fmax(o->min_time, once) * 1.5;
}
