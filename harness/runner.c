/*
 * harness/runner.c -- `memstrat run`: the loop.  Expand the matrix, run every
 * cell in --trials separate processes, round after round in a shuffled
 * order, and keep every finished trial.
 *
 * What is on disk is the truth: trials.csv gets one line per finished trial,
 * appended whole, so that whatever happens next -- Ctrl-C, a crash, a full
 * disk -- finished trials survive.  cells.csv (one row per cell: medians over
 * trials, their intervals, modes) and series.csv are derived from it, and
 * rewritten every few seconds and at the end; --resume rebuilds them.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "run_ctx.h"
#include "stats.h"

#ifndef MEMSTRAT_BACKENDS
#define MEMSTRAT_BACKENDS "glibc"
#endif

const char memstrat_backends[] = MEMSTRAT_BACKENDS;

/* cells.csv is derived, so it is rewritten at most this often (and at the end
   of every round): rewriting it after each of 3,000 trials wrote a gigabyte. */
#define SAVE_EVERY_S 5.0

static void on_stop(int sig)
{
    (void)sig;
    supervise_stop = 1;
}

static void exe_dir(char *buf, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    if (len < 0)
        len = 0;
    buf[len] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(buf, n, ".");
}

/* ---- what is on disk ------------------------------------------------------ */

/* The clean trials a cell that is done, not by a failure, lacks: its
   retries ran out. */
static size_t short_of(const run_ctx *x, const cell_state *s)
{
    size_t want = (size_t)x->o.trials;
    if (!s->done || s->n == 0 || s->clean >= want ||
        strcmp(row_get(trial_of(x, s, s->n - 1), COL_status), "ok") != 0)
        return 0;
    return want - s->clean;
}

/* cells.csv and series.csv, from the trials: one row per cell that has
   started, in the matrix's order. */
static void save_cells(run_ctx *x)
{
    table t = { 0 };
    for (size_t i = 0; i < x->ncells; i++) {
        const cell_spec *c = &x->cells[i];
        const cell_state *s = &x->st[i];
        if (!c->na && s->n == 0 && !s->interrupted)
            continue;                           /* not started */
        row *r = table_add(&t);
        if (c->na) {
            matrix_row_spec(r, c);
            row_set(r, COL_backend_version, "-");
            row_set(r, COL_host, "%s", x->host);
            row_set(r, COL_status, "n/a");
            continue;
        }
        const row *last = s->n ? trial_of(x, s, s->n - 1) : NULL;
        if (last && strcmp(row_get(last, COL_status), "ok") != 0) {
            for (int col = 0; col < NCOLS; col++)      /* a failure says why */
                r->v[col] = last->v[col] ? strdup(last->v[col]) : NULL;
        } else {
            const row *tr[s->n ? s->n : 1];
            for (size_t k = 0; k < s->n; k++)
                tr[k] = trial_of(x, s, k);
            stats_cell_row(r, tr, s->n);
            matrix_row_spec(r, c);
            row_set(r, COL_trials_short, "%zu", short_of(x, s));
            if (!s->done)
                row_set(r, COL_status, s->interrupted || supervise_stop ? "interrupted"
                                                                        : "running");
        }
    }
    stats_across_cells(&t);
    char path[4200];
    PATHF(path, "%s/cells.csv", x->dir);
    if (table_write_csv(path, &t, 0) < 0 && !x->write_failed)
        x->write_failed = errno ? errno : EIO;
    PATHF(path, "%s/series.csv", x->dir);
    if (write_series_csv(path, &t) < 0 && !x->write_failed)
        x->write_failed = errno ? errno : EIO;
    table_free(&t);
}

/* One trial, appended to trials.csv as one write of one whole line.  A write
   that fails or falls short is cut back off, so the file holds only whole
   trials, and the run stops. */
static int append_trial(run_ctx *x, const row *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    row_write_csv(f, r, 1);
    fclose(f);
    off_t at = lseek(x->trials_fd, 0, SEEK_END);
    ssize_t w = write(x->trials_fd, buf, len);
    int err = errno;
    free(buf);
    if (w == (ssize_t)len)
        return 0;
    if (at >= 0 && ftruncate(x->trials_fd, at) != 0) {
        /* Nothing more to do: the reader skips a last line without its end. */
    }
    x->write_failed = w < 0 ? err : ENOSPC;
    return -1;
}

/* ---- the trials ------------------------------------------------------------ */

/* Whether a cell's clean trials pin its median down: the 95% interval
   within --ci-target of it.  Order statistics need 9 trials before the
   interval leaves out the slowest and fastest one (stats_median_ci), so one
   trial disturbed by the machine keeps a cell of 5 "imprecise": that is the
   point -- such a cell is measured again. */
static int precise(const run_ctx *x, const cell_state *s)
{
    double v[s->n ? s->n : 1], lo, hi, level;
    size_t n = 0;
    for (size_t k = 0; k < s->n; k++) {
        const row *r = trial_of(x, s, k);
        if (!stats_contended(r))
            v[n++] = atof(row_get(r, COL_ns_median));
    }
    if (stats_median_ci(v, n, &lo, &hi, &level) < 0)
        return 0;
    double med = stats_median(v, n);
    return med > 0 && (hi - lo) / (2 * med) <= x->o.ci_target;
}

/* Add trial row t to cell i, and judge whether the cell is done: its clean
   trials, and as many more (up to --max-trials) as its interval needs; or
   its retries spent (--max-trials + --retries trials in all); or a failure
   (a cell that crashed once is not run again). */
static void state_add(run_ctx *x, size_t i, size_t t)
{
    cell_state *s = &x->st[i];
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->idx = realloc(s->idx, s->cap * sizeof *s->idx);
    }
    s->idx[s->n++] = t;
    const char *st = row_get(&x->trials.rows[t], COL_status);
    int bad = strcmp(st, "ok") != 0, contended = !bad && stats_contended(&x->trials.rows[t]);
    s->clean += !bad && !contended;
    x->contended += contended;
    s->done = bad || s->n >= (size_t)x->o.max_trials + (size_t)x->o.retries ||
              (s->clean >= (size_t)x->o.trials &&
               (s->clean >= (size_t)x->o.max_trials || precise(x, s)));
    if (bad && strcmp(st, "n/a") != 0)
        x->failed++;
}

static size_t find_cell(const run_ctx *x, const char *id)
{
    for (size_t i = 0; i < x->ncells; i++)
        if (strcmp(x->cells[i].id, id) == 0)
            return i;
    return x->ncells;
}

/* What each cell has, from the trials read back (--resume). */
static void load_states(run_ctx *x)
{
    for (size_t i = 0; i < x->ncells; i++)
        x->st[i].done = x->cells[i].na;
    for (size_t t = 0; t < x->trials.n; t++) {
        size_t i = find_cell(x, row_get(&x->trials.rows[t], COL_cell));
        if (i < x->ncells && !x->st[i].done)
            state_add(x, i, t);
    }
}

/* Is the disk the reason a trial failed?  A cell that cannot write its
   result fails like a broken one; a probe write tells the two apart. */
static int disk_writable(run_ctx *x)
{
    char path[4200];
    static char block[64 << 10];
    PATHF(path, "%s/.probe", x->dir);
    errno = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ssize_t w = fd >= 0 ? write(fd, block, sizeof block) : -1;
    int ok = w == (ssize_t)sizeof block;
    int err = w >= 0 && !ok ? ENOSPC : errno;       /* a short write: out of space */
    if (fd >= 0)
        close(fd);
    unlink(path);
    if (!ok)
        x->write_failed = err ? err : ENOSPC;
    return ok;
}

typedef struct progress {
    size_t done, total;         /* trials */
    double est_total, est_done, t_start, last_save;
    int round;
} progress;

static void status_line(const run_ctx *x, const progress *p, char *buf, size_t n)
{
    double elapsed = (double)clock_ns() / 1e9 - p->t_start;
    double eta = p->est_done > 0 ? (p->est_total - p->est_done) * elapsed / p->est_done : 0;
    char e1[32], e2[32];
    fmt_duration(e1, sizeof e1, elapsed);
    fmt_duration(e2, sizeof e2, eta);
    char round[64];
    if (p->round <= x->o.trials)
        snprintf(round, sizeof round, "round %d/%d", p->round, x->o.trials);
    else        /* adaptive: only the cells whose interval is still wide */
        snprintf(round, sizeof round, "extra round %d/%d", p->round, x->o.max_trials);
    snprintf(buf, n, "[%s] %zu/%zu trials, %zu failed, %zu contended, %zu n/a  [%s, ETA %s]",
             round, p->done, p->total, x->failed, x->contended, x->na_cells, e1, e2);
}

/* The line a finished trial leaves in run.log (and, off a terminal, on
   stderr). */
static void trial_line(const row *r, const cell_spec *c, int trial, char *buf, size_t n)
{
    const char *st = row_get(r, COL_status);
    if (strcmp(st, "ok") == 0)
        snprintf(buf, n, "%s trial %d: ok %.2f ns/op (cv %.1f%%), RSS +%.1f MiB, %s faults, "
                 "CPU share %s%s", c->id, trial, atof(row_get(r, COL_ns_median)),
                 100 * atof(row_get(r, COL_cv)), atof(row_get(r, COL_rss_above_baseline_kb)) / 1024,
                 row_get(r, COL_minor_faults), row_get(r, COL_cpu_share),
                 stats_contended(r) ? ": contended, left out" : "");
    else
        snprintf(buf, n, "%s trial %d: %s", c->id, trial, st);
}

static void run_trial(run_ctx *x, size_t i, int trial, progress *p, int tty)
{
    const cell_spec *c = &x->cells[i];
    char status[512];
    status_line(x, p, status, sizeof status);
    char prefix[800];
    snprintf(prefix, sizeof prefix, "%s %s", status, c->id);
    /* Latency, statistics and the timeline come from the first clean trial:
       a cell records them until it has one. */
    trial_env e = { .dir = x->dir, .bindir = x->bindir, .cpu = x->cpu,
                    .extras = x->st[i].clean == 0,
                    .fault_ns = x->fault_ns,
                    .tty = tty, .progress = prefix };
    row *r = table_add(&x->trials);
    r->trial = trial;
    matrix_row_spec(r, c);
    supervise_trial(&x->o, &e, c, trial, r);
    row_set(r, COL_host, "%s", x->host);
    const char *st = row_get(r, COL_status);
    if (strcmp(st, "interrupted") == 0 || (strcmp(st, "ok") != 0 && !disk_writable(x))) {
        /* Not a result: neither an interrupted trial nor one the disk broke. */
        x->st[i].interrupted = 1;
        for (int col = 0; col < NCOLS; col++)
            free(r->v[col]);
        x->trials.n--;
        return;
    }
    if (append_trial(x, r) < 0) {
        x->st[i].interrupted = 1;
        x->trials.n--;
        return;
    }
    state_add(x, i, x->trials.n - 1);
    p->done++;
    p->est_done += matrix_estimate_s(&x->o, c, trial);
    char line[1024];
    trial_line(r, c, trial, line, sizeof line);
    if (x->log) {
        fprintf(x->log, "%s\n", line);
        fflush(x->log);
    }
    if (strcmp(st, "ok") != 0 && strcmp(st, "n/a") != 0)
        fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", line);
    else if (!tty)
        fprintf(stderr, "%s\n", line);
    double now = (double)clock_ns() / 1e9;
    if (now - p->last_save > SAVE_EVERY_S) {
        save_cells(x);
        p->last_save = now;
    }
}

/* The trials still to run, for the status line: each unfinished cell's
   missing clean trials (a contended trial adds one while retries last), and
   in the adaptive rounds one more for each cell still imprecise. */
static void plan(const run_ctx *x, progress *p)
{
    p->total = p->done;
    p->est_total = p->est_done;
    for (size_t i = 0; i < x->ncells; i++) {
        const cell_state *s = &x->st[i];
        int last = s->clean < (size_t)x->o.trials ? x->o.trials : (int)s->clean + 1;
        for (int t = (int)s->clean + 1; !s->done && t <= last; t++) {
            p->est_total += matrix_estimate_s(&x->o, &x->cells[i], t);
            p->total++;
        }
    }
}

/* Whether cell i runs a trial in round r: it is behind the round in clean
   trials (a resumed run may have cells a round behind; a contended trial
   leaves a cell behind; an imprecise cell is behind every adaptive round). */
static int behind(const run_ctx *x, size_t i, int round)
{
    const cell_state *s = &x->st[i];
    return !s->done && s->clean < (size_t)round;
}

/* What a trial of cell i costs, from its own trials' wall time: the cost
   model (matrix_estimate_s) is 2-7x low on this VM (small cells pay the
   process start, large ones their faults), and a budget judged by it was
   overrun (make bench QUICK=1: 152 s of trials against --budget 35). */
static double trial_cost_s(const run_ctx *x, size_t i, int round)
{
    const cell_state *s = &x->st[i];
    double sum = 0;
    for (size_t k = 0; k < s->n; k++)
        sum += atof(row_get(trial_of(x, s, k), COL_wall_s));
    return s->n && sum > 0 ? sum / (double)s->n : matrix_estimate_s(&x->o, &x->cells[i], round);
}

/* Before an adaptive round: go on, or stop the adaptive rounds if they
   would overrun --budget; the cells left are finished with the trials they
   have, and say so. */
static int extra_round(run_ctx *x, const progress *p)
{
    double est = 0, elapsed = (double)clock_ns() / 1e9 - p->t_start;
    size_t n = 0;
    for (size_t i = 0; i < x->ncells; i++)
        if (behind(x, i, p->round)) {
            est += trial_cost_s(x, i, p->round);
            n++;
        }
    if (n == 0 || x->o.budget_s <= 0 || elapsed + est <= x->o.budget_s)
        return 1;
    fprintf(stderr, "%smemstrat: --budget %.0fs reached: %zu cells stop at %d trials with "
                    "their interval wider than +-%g%%\n", isatty(2) ? "\r\033[K" : "",
            x->o.budget_s, n, p->round - 1, 100 * x->o.ci_target);
    x->budget_cut = n;
    for (size_t i = 0; i < x->ncells; i++)
        x->st[i].done = 1;
    return 0;
}

/* The machine's speed as the round starts, on the cells' CPU, a line of
   probe.csv (probe.c says why).  A round with nothing to run has no line. */
static void probe_round(run_ctx *x, int round)
{
    size_t due = 0;
    for (size_t i = 0; i < x->ncells; i++)
        due += behind(x, i, round);
    if (due == 0 || x->probe == NULL)
        return;
    probe_sample s;
    pin_self(x->cpu);
    int ok = probe_measure(&s) == 0;
    pin_self(x->runner_cpu);
    char at[32];
    utc_now(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ");
    /* A round whose probe never had its CPU gets no line: better no
       measure of the machine than a measure of its neighbour. */
    if (ok)
        fprintf(x->probe, "%d,%s,%d,%.4f,%.4f,%.4f,%.1f,%d,%d\n", round, at, x->cpu, s.alu_ns,
                s.heap_ns, s.chase_ns, s.fault_ns, PROBE_VERSION, s.contended);
    fflush(x->probe);
}

/* Round after round, each in its own shuffled order, until every cell has
   its clean trials or has spent its retries (a cell that failed stops at
   its failure).  A cell whose trial was contended runs one more at the end
   of the round, when the machine has moved on from what disturbed it. */
static void run_rounds(run_ctx *x, int tty)
{
    progress p = { .t_start = (double)clock_ns() / 1e9 };
    p.last_save = p.t_start;
    plan(x, &p);
    size_t *order = malloc((x->ncells ? x->ncells : 1) * sizeof *order);
    int more = 1;
    for (int round = 1; more && !supervise_stop && !x->write_failed; round++) {
        p.round = round;
        if (round > x->o.trials && !extra_round(x, &p))
            break;
        schedule_round(x->o.seed, round, x->ncells, order);
        probe_round(x, round);
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = 0; j < x->ncells && !supervise_stop && !x->write_failed; j++) {
                size_t i = order[j];
                if (!behind(x, i, round))
                    continue;
                run_trial(x, i, (int)x->st[i].n + 1, &p, tty);
                plan(x, &p);
            }
        save_cells(x);
        p.last_save = (double)clock_ns() / 1e9;
        more = 0;
        for (size_t i = 0; i < x->ncells; i++)
            more |= !x->st[i].done;
    }
    if (tty) {
        char status[512];
        status_line(x, &p, status, sizeof status);
        fprintf(stderr, "\r\033[K%s\n", status);
    }
    free(order);
}

/* ---- setting up ----------------------------------------------------------- */

static double planted_slowdown(void)
{
    const char *s = getenv("MEMSTRAT_PLANT_SLOWDOWN");
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= 0 && v <= 1000))
        run_usage("bad MEMSTRAT_PLANT_SLOWDOWN '%s': expected a percentage in 0..1000", s);
    return v;
}

/* The interpreter the cpython series runs, resolved once: `python3` is often
   a shim (pyenv's is a bash script) that costs more to start than a small
   cell's whole trial, and a run starts it once per trial. */
static void resolve_python(const run_ctx *x)
{
    const char *py = getenv("MEMSTRAT_PYTHON");
    int external = 0;
    for (size_t i = 0; i < x->o.ns; i++)
        external |= x->o.s[i]->external != NULL;
    if (!external || (py && *py))
        return;
    char exe[1024] = "";
    FILE *p = popen("python3 -c 'import sys; print(sys.executable)' 2>/dev/null", "r");
    if (p && fgets(exe, sizeof exe, p))
        exe[strcspn(exe, "\n")] = '\0';
    if (p)
        pclose(p);
    if (*exe && access(exe, X_OK) == 0)
        setenv("MEMSTRAT_PYTHON", exe, 1);
}

static void dry_run(const run_ctx *x)
{
    double total = 0;
    char d[32];
    size_t na = 0;
    for (size_t i = 0; i < x->ncells; i++) {
        const cell_spec *c = &x->cells[i];
        if (c->na)
            printf("%s  (n/a: %s)\n", c->id, c->note);
        else
            printf("%s%s%s%s\n", c->id, *c->note ? "  (" : "", c->note, *c->note ? ")" : "");
        na += c->na;
        for (int t = 1; t <= x->o.trials; t++)
            total += matrix_estimate_s(&x->o, c, t);
    }
    fmt_duration(d, sizeof d, total);
    printf("%zu cells x %d trials (%zu n/a), estimated time ~%s (at ~40 ns per operation)\n",
           x->ncells, x->o.trials, na, d);
    if (x->o.shard_n)
        printf("shard %d/%d: estimated %.3f s\n", x->o.shard_k, x->o.shard_n, total);
}

/* More threads than CPUs is allowed, but the threads take turns: said
   before the run, as each such cell's note says it. */
static void warn_oversubscribed(const run_ctx *x)
{
    size_t n = 0;
    const char *example = NULL;
    for (size_t i = 0; i < x->ncells; i++)
        if (!x->cells[i].na && strstr(x->cells[i].note, "oversubscribed")) {
            n++;
            example = example ? example : x->cells[i].note;
        }
    if (n)
        fprintf(stderr, "memstrat: warning: %zu cells have more threads than CPUs (%s): their "
                        "threads take turns\n", n, strstr(example, "oversubscribed"));
}

/* What a reader must not miss, named at the end of the run: cells whose
   trials fall into separate clusters (never averaged away), and cells that
   spend half their timed time or more in page faults (their ranking is this
   machine's). */
static void report_notable(const run_ctx *x)
{
    char path[4200], err[256];
    table t = { 0 };
    PATHF(path, "%s/cells.csv", x->dir);
    if (table_read_csv(path, &t, 0, NULL, err, sizeof err) < 0)
        return;
    size_t n = 0, f = 0;
    for (size_t i = 0; i < t.n; i++) {
        const row *r = &t.rows[i];
        if (atoi(row_get(r, COL_modes)) < 2)
            continue;
        if (n++ == 0)
            fprintf(stderr, "memstrat: cells whose trials fall into separate modes "
                            "(not one number; see mode_lo_ns, mode_hi_ns):\n");
        fprintf(stderr, "    %s: %s modes, %.4g ns/op (%.0f%% of trials) and %.4g ns/op\n",
                row_get(r, COL_cell), row_get(r, COL_modes), atof(row_get(r, COL_mode_lo_ns)),
                100 * atof(row_get(r, COL_mode_lo_share)), atof(row_get(r, COL_mode_hi_ns)));
    }
    for (size_t i = 0; i < t.n; i++) {
        const row *r = &t.rows[i];
        const char *share = row_get(&t.rows[i], COL_fault_share);
        if (*share == '\0' || *share == '-' || atof(share) < 0.5)
            continue;
        if (f++ == 0)
            fprintf(stderr, "memstrat: cells that spend half their time or more in page faults at "
                            "%.1f us each (on a machine with cheap faults their ranking may "
                            "differ):\n", x->fault_ns / 1000);
        fprintf(stderr, "    %s: fault_share %.2f\n", row_get(r, COL_cell), atof(share));
    }
    table_free(&t);
}

int run_main(int argc, char **argv)
{
    static run_ctx ctx;
    run_ctx *x = &ctx;
    run_opts *o = &x->o;
    run_opts_defaults(o);

    /* --resume DIR first loads the matrix it was started with; options given
       now (say, a longer --timeout, or more --trials) apply on top. */
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "--resume") == 0)
            run_opts_load(o, argv[i + 1]);
        else if (strncmp(argv[i], "--resume=", 9) == 0)
            run_opts_load(o, argv[i] + 9);
    char *matrix_args = run_opts_parse(o, argc, argv);
    if (o->resume && o->out && strcmp(o->resume, o->out) != 0)
        run_usage("--resume %s and --out %s disagree: give one directory", o->resume, o->out);
    x->plant = planted_slowdown();
    exe_dir(x->bindir, sizeof x->bindir);
    for (size_t i = 0; i < o->nb; i++) {
        char exe[2200];
        PATHF(exe, "%s/cell-%.*s", x->bindir, (int)strcspn(o->b[i], "@"), o->b[i]);
        if (access(exe, X_OK) != 0)
            run_usage("no runner %s for backend '%s': run make first", exe, o->b[i]);
    }
    x->ncells = shard_select(o, x->cells, matrix_expand(o, &x->cells));
    if (o->dry_run) {
        dry_run(x);
        free(x->cells);
        free(matrix_args);
        return 0;
    }

    choose_dir(x);
    make_dirs(x, matrix_args);
    free(matrix_args);
    x->st = calloc(x->ncells ? x->ncells : 1, sizeof *x->st);
    open_trials(x);
    load_states(x);
    for (size_t i = 0; i < x->ncells; i++)
        x->na_cells += x->cells[i].na;
    update_latest(x->dir);

    /* Ctrl-C from here on ends the run cleanly, calibration included. */
    struct sigaction sa = { .sa_handler = on_stop };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    size_t used = 0;
    for (int i = -1; i < argc && used < sizeof x->cmdline - 1; i++)
        used += (size_t)snprintf(x->cmdline + used, sizeof x->cmdline - used, "%s%s",
                                 i < 0 ? "memstrat run" : " ", i < 0 ? "" : argv[i]);
    utc_now(x->started, sizeof x->started, "%Y-%m-%dT%H:%M:%SZ");
    sysinfo_allocator_env(x->alloc_env, sizeof x->alloc_env);
    if (o->resume) {
        char now[4200];
        snprintf(now, sizeof now, "%.31s (%.4000s)", x->started, x->cmdline);
        continue_run(x, now);
    }
    x->machine = sysinfo_describe(o, x->bindir, x->commit, sizeof x->commit);
    resolve_python(x);
    x->steal0 = system_steal_s();
    x->system = system_json(0);
    /* Where the runner itself goes is decided from the CPUs it may use
       before it pins itself anywhere. */
    x->cpu = pin_choose(o, x->pin_why, sizeof x->pin_why);
    x->runner_cpu = pin_other(x->cpu);
    keep_pin(x);
    open_probe(x);
    /* What a page fault costs where the cells run: fault_share's unit (a
       resumed run keeps its start's). */
    pin_self(x->cpu);
    if (x->fault_ns <= 0)
        x->fault_ns = system_fault_ns((size_t)56 << 20);
    pin_self(x->runner_cpu);
    write_meta(x, NULL);
    write_growth(x);

    int tty = isatty(2);
    size_t kept = 0;
    for (size_t i = 0; i < x->ncells; i++)
        kept += !x->cells[i].na && x->st[i].done;
    fprintf(stderr, "memstrat: %zu cells (%zu n/a) x %d trials -> %s; cells on %s%s\n",
            x->ncells, x->na_cells, o->trials, x->dir, x->pin_why,
            x->plant > 0 ? "; PLANTED SLOWDOWN (MEMSTRAT_PLANT_SLOWDOWN)" : "");
    if (kept)
        fprintf(stderr, "memstrat: %zu cells were already finished and kept\n", kept);
    warn_oversubscribed(x);
    run_rounds(x, tty);

    char ended[32];
    utc_now(ended, sizeof ended, "%Y-%m-%dT%H:%M:%SZ");
    int stopped = supervise_stop || x->write_failed;
    save_cells(x);
    write_meta(x, stopped ? NULL : ended);
    if (!stopped)
        report_notable(x);
    size_t safe = 0, short_cells = 0;
    for (size_t i = 0; i < x->ncells; i++) {
        safe += !x->cells[i].na && x->st[i].done;
        short_cells += short_of(x, &x->st[i]) > 0;
    }
    char short_note[160] = "";
    if (short_cells)
        snprintf(short_note, sizeof short_note, " (%zu cells with fewer clean trials than %d: "
                 "see trials_short)", short_cells, o->trials);
    if (x->log)
        fclose(x->log);
    if (x->probe)
        fclose(x->probe);
    close(x->trials_fd);
    for (size_t i = 0; i < x->ncells; i++)
        free(x->st[i].idx);
    free(x->st);
    table_free(&x->trials);
    free(x->machine);
    free(x->system);
    free(x->cells);

    if (x->write_failed) {
        fprintf(stderr, "memstrat: stopped: cannot write to %s: %s; %zu finished cells and every "
                        "finished trial are safe there; free space, then: memstrat run --resume %s\n",
                x->dir, strerror(x->write_failed), safe, x->dir);
        return EXIT_WRITE;
    }
    if (supervise_stop) {
        fprintf(stderr, "memstrat: interrupted; finished cells and trials are in %s; "
                        "continue with: memstrat run --resume %s\n", x->dir, x->dir);
        return EXIT_INTERRUPTED;
    }
    fprintf(stderr, "memstrat: %zu cells, %zu failed; %zu contended trials left out%s; "
                    "results in %s/cells.csv\n", x->ncells, x->failed, x->contended, short_note,
            x->dir);
    printf("%s\n", x->dir);
    return x->failed ? EXIT_FAILED_BASE + (int)(x->failed > 63 ? 63 : x->failed) : 0;
}
