/*
 * harness/cell.c -- one benchmark cell: one workload x strategy x size on the
 * backend this runner binary is linked with (build/cell-BACKEND).
 *
 * `memstrat run` starts one process per cell so that the process's peak RSS
 * belongs to that cell alone.  The cell:
 *   1. checks that malloc really is its backend's (else exit EXIT_GUARD);
 *   2. runs Google Benchmark once on an empty benchmark, then notes its
 *      peak RSS: the baseline the parent subtracts, the harness's own peak
 *      included;
 *   3. learns whether the workload leaks (cycles under plain reference
 *      counting) from a short probe in a child, then runs it once untimed
 *      (warm-up, a check of every value), and again while a run still
 *      raises its peak RSS (settle, at most SETTLE_MAX runs);
 *   4. times it with Google Benchmark (repetitions, aggregates, raw JSON),
 *      on the warm-up's heap, with the heap's statistics switched off;
 *   5. runs it once more on that heap, recording the latency of every batch
 *      of --batch operations and every collection pause (histograms), and
 *      how much longer than the timed median that run took;
 *   6. runs it once more on a fresh heap, counting, for the statistics and
 *      what a full collection after it leaves (leaked_bytes);
 *   7. writes KEY VALUE lines to --result (a temporary name, then renamed).
 * A cell that leaks runs the warm-up, every timed iteration and the
 * recording run each in a child of its own (isolated): its peak RSS is one
 * run's, not (reps + 3) runs' piled up.
 * A cell at T > 1 threads, or told --thread-home workers (a T = 1 cell in
 * a run with threads: see matrix_on_workers), runs every run on a team of
 * T worker threads (harness/team.c), not on the main thread; its result
 * says which (thread_home).
 * Object creation and the drop are inside the timed region: a strategy's cost
 * includes freeing or collecting what it made.
 *
 * MEMSTRAT_FAULT (tests only): see harness/cell_faults.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "backend_options.h"
#include "gbench.h"
#include "options.h"
#include "cell.h"
#include "team.h"
#include "../bench/workload.h"


#ifndef MEMSTRAT_SOURCE_DIR
#define MEMSTRAT_SOURCE_DIR "."
#endif

/* What a run hands back to the cell: in memory shared with the children
   that a leaking cell runs its workloads in (see isolated). */
typedef struct shared {
    latency lat;                /* the recording run's batches               */
    hist pauses;                /* and its collection pauses                 */
    double run_ns;              /* the last timed or recording run's time    */
    int leaks;                  /* the probe's finding                       */
} shared;

typedef struct cell {
    const workload *w;          /* the generic descriptor: name, expected, ... */
    const workload *run;        /* the strategy's own compiled copy            */
    const strategy *s;
    heap *h;                    /* one heap for the warm-up and every timed run */
    unsigned threads;           /* T: at T > 1, a team runs it instead of h   */
    int workers;                /* runs on a team (T worker threads), T = 1 too */
    team *team;                 /* T threads, each on a heap of its own       */
    wl_params p;
    heap_config cfg;
    uint64_t claimed_n;         /* N as asked; p.n differs only under "lazy" */
    double plant;               /* MEMSTRAT_PLANT_SLOWDOWN / 100: extra spin per iteration */
    char backend_options[512];  /* the allocator's options as it runs with them */
    long timed_faults;          /* minor faults while Google Benchmark timed */
    double timed_ns;            /* ... and the wall time that took */
    double timed_cpu_ns;        /* ... the CPU time it got (see usage_now) */
    long timed_nivcsw;          /* ... and how often it was preempted */
    int leaks;                  /* the workload leaks under this strategy     */
    shared *out;
} cell;

_Noreturn void cell_fail(int code, const char *fmt, const char *arg)
{
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(code);
}

/* The timed region's account: its wall time since t0, and what usage_now
   counted since u0. */
static void timed_usage(cell *c, uint64_t t0, const usage *u0)
{
    usage u = usage_now();
    c->timed_ns = (double)(clock_ns() - t0);
    c->timed_faults = u.faults - u0->faults;
    c->timed_cpu_ns = u.cpu_ns - u0->cpu_ns;
    c->timed_nivcsw = u.nivcsw - u0->nivcsw;
}

static heap *new_heap(const cell *c)
{
    heap *h = c->s->create(&c->cfg);
    if (h == NULL)
        oom("a heap", 0);
    return h;
}

/* One run of the workload, on the cell's heap or on its team; its wall
   time in ns. */
static uint64_t run_workload(const cell *c, const wl_params *p, wl_result *r)
{
    if (c->team)
        return team_run(c->team, p, r);
    uint64_t t0 = clock_ns();
    c->run->run(c->h, p, r);
    return clock_ns() - t0;
}

/* The checksum of one run: each thread's, summed, unless the threads share
   the work (WL_SHARED). */
static uint64_t expected(const cell *c, const wl_params *p)
{
    return c->team ? team_expected(c->team, p) : c->w->expected(p);
}

static void collect(const cell *c)
{
    if (c->team)
        team_collect(c->team);
    else
        c->s->collect(c->h);
}

/* A planted slowdown (MEMSTRAT_PLANT_SLOWDOWN=PCT, tests of the statistics
   only): busy-wait PCT% of the iteration just timed, so that the cell is
   slower by a known ratio and `memstrat compare` must find it. */
static void spin_for(uint64_t ns)
{
    uint64_t end = clock_ns() + ns;
    while (clock_ns() < end)
        ;
}

static double planted_slowdown(void)
{
    const char *s = getenv("MEMSTRAT_PLANT_SLOWDOWN");
    double v = s ? atof(s) : 0;
    return v > 0 && v <= 1000 ? v / 100 : 0;
}

/* The timed benchmark: one iteration is the whole workload of N operations.
   Every repetition runs on the heap the warm-up used, as a long-running
   process reuses its heap: what is timed is the strategy's steady state, not
   the kernel faulting in fresh pages once per repetition. */
static void bm_cell(gb_state *st, void *arg)
{
    const cell *c = arg;
    uint64_t want = c->w->expected(&c->p);
    while (gb_keep_running(st)) {
        wl_result r = { 0 };
        uint64_t t0 = c->plant > 0 ? clock_ns() : 0;
        c->run->run(c->h, &c->p, &r);
        gb_do_not_optimize(&r);
        if (r.checksum != want) {
            gb_skip_with_error(st, "checksum mismatch");
            break;
        }
        if (c->plant > 0)
            spin_for((uint64_t)((double)(clock_ns() - t0) * c->plant));
    }
    gb_set_items_processed(st, gb_iterations(st) * (int64_t)c->claimed_n);
}

/* The timed benchmark of a team: each iteration's time is the team's, from
   the first thread's start to the last one's end (team_run), not the time
   it takes to wake the threads. */
static void bm_team(gb_state *st, void *arg)
{
    const cell *c = arg;
    uint64_t want = expected(c, &c->p);
    while (gb_keep_running(st)) {
        wl_result r = { 0 };
        uint64_t ns = team_run(c->team, &c->p, &r);
        if (r.checksum != want) {
            gb_skip_with_error(st, "checksum mismatch");
            break;
        }
        gb_set_iteration_time(st, (double)ns * (1 + c->plant) / 1e9);
    }
    gb_set_items_processed(st, gb_iterations(st) * (int64_t)c->claimed_n);
}

/* ---- the runs, each a function of the cell ----------------------------- */

/* One operation of the workload on a throwaway heap, before the baseline:
   the pages of the workload's code (file-backed, and in RSS once touched)
   belong to the baseline, not to the workload's peak.  The probe runs in a
   child, so the warm-up used to touch them first: tuple_create 1e3 showed
   44-116 KiB above baseline once the instances grew by the threaded
   workloads' code, against 4 KiB before, with a live peak of 148 bytes.
   (One operation of a leaking workload leaks a few hundred bytes; they are
   in the baseline too.) */
static void touch_code(const cell *c)
{
    heap *h = new_heap(c);
    wl_params one = c->p;
    one.n = 1;
    wl_result r = { 0 };
    c->run->run(h, &one, &r);
    c->s->collect(h);
    c->s->destroy(h);
}

/* Operations the probe runs: every operation of a leaking workload leaks,
   so a few show it, and cost nothing. */
#define PROBE_N 100

/* Whether the workload leaks under this strategy: what a full collection
   leaves after PROBE_N operations on a heap of its own. */
static void probe(const cell *c)
{
    heap *h = new_heap(c);
    wl_params pp = c->p;
    pp.n = pp.n < PROBE_N ? pp.n : PROBE_N;
    wl_result r = { 0 };
    c->run->run(h, &pp, &r);
    c->s->collect(h);
    c->out->leaks = !(c->s->flags & STRAT_OWN_HEAP) && h->st.live_bytes > 0;
}

/* Untimed, with a check of every value, on the heap the timed runs use;
   then a full collection, as before any timed run. */
static void warm_up(const cell *c)
{
    wl_params vp = c->p;
    vp.verify = 1;
    wl_result r = { 0 };
    run_workload(c, &vp, &r);
    if (r.bad_values || r.checksum != expected(c, &vp))
        cell_fail(EXIT_FAILED, "failed: %s", "wrong values after the workload");
    collect(c);
}

/* Untimed runs after the warm-up, while a run still raised the process's
   peak RSS, at most this many: the heap has not reached its size yet, and
   a timed run would pay first-touch faults that no later run pays.
   tcmalloc's page heap took three runs to stop growing at rc_gil
   list_append 1e6 on one thread (0, 272, 1,958 new pages after the
   warm-up, then none), and the T = 1 cell timed the last two: 48 ns/op
   against 26 once settled.  A heap that returns memory and refaults it
   every run does not raise the peak: those faults stay in the timing. */
#define SETTLE_MAX 4

static void settle(const cell *c)
{
    long peak = maxrss_kb();
    for (int i = 0; i < SETTLE_MAX; i++) {
        wl_result r = { 0 };
        run_workload(c, &c->p, &r);
        collect(c);
        long now = maxrss_kb();
        if (now <= peak)
            return;
        peak = now;
    }
}

static void timed_run(const cell *c)
{
    wl_result r = { 0 };
    uint64_t t0 = clock_ns();
    c->run->run(c->h, &c->p, &r);
    c->out->run_ns = (double)(clock_ns() - t0);
    if (r.checksum != c->w->expected(&c->p))
        cell_fail(EXIT_FAILED, "failed: %s", "checksum mismatch");
}

/* Every batch of operations and every collection pause in histograms: on
   the cell's heap, or on a team of one worker (its only heap). */
static void recording_run(const cell *c)
{
    wl_params lp = c->p;
    lp.lat = &c->out->lat;
    wl_result r = { 0 };
    heap *h = c->team ? team_heap(c->team, 0) : c->h;
    h->pauses = &c->out->pauses;
    c->out->run_ns = (double)run_workload(c, &lp, &r);
    h->pauses = NULL;
    if (r.checksum != expected(c, &c->p))
        cell_fail(EXIT_FAILED, "failed: %s", "checksum mismatch in the latency run");
}

/* Run fn in a child of the cell and wait for it; its results come back
   through c->out.  A child that fails has said why: the cell ends as it
   did (same exit code, same signal). */
static void in_child(void (*fn)(const cell *), const cell *c)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        cell_fail(EXIT_FAILED, "failed: fork: %s", strerror(errno));
    if (pid == 0) {
        fn(c);
        fflush(NULL);
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            cell_fail(EXIT_FAILED, "failed: waitpid: %s", strerror(errno));
    if (WIFSIGNALED(st)) {
        signal(WTERMSIG(st), SIG_DFL);
        raise(WTERMSIG(st));
    }
    if (WEXITSTATUS(st) != 0)
        exit(WEXITSTATUS(st));
}

/* A leaking workload's memory never comes back: run after run in one
   process, the cell's peak RSS grew with --reps (cycles/refcount 1e5:
   125, 250, 407 MB at reps 1, 5, 10).  So a leaking cell runs each
   workload run in a child forked from a cell that has run none: every
   process holds the baseline and at most one run, and the peak the parent
   reads (wait4 counts reaped children) is one run's. */
static void isolated(void (*fn)(const cell *), const cell *c)
{
    if (c->leaks)
        in_child(fn, c);
    else
        fn(c);
}

/* A leaking cell's timed benchmark: each iteration in a child, timed by
   the child around the run alone (not the fork). */
static void bm_cell_isolated(gb_state *st, void *arg)
{
    const cell *c = arg;
    while (gb_keep_running(st)) {
        in_child(timed_run, c);
        /* A planted slowdown: the child's time, and the spin it would add. */
        gb_set_iteration_time(st, c->out->run_ns * (1 + c->plant) / 1e9);
    }
    gb_set_items_processed(st, gb_iterations(st) * (int64_t)c->claimed_n);
}

static _Noreturn void usage_error(const char *msg)
{
    fprintf(stderr, "cell-%s: %s\n", the_backend.name, msg);
    exit(EXIT_USAGE);
}

static _Noreturn void bad_choice(const char *what, const char *v, const void *const *table)
{
    char names[256];
    names_of(table, names, sizeof names);
    fprintf(stderr, "cell-%s: unknown %s '%s' (valid: %s)\n", the_backend.name, what, v, names);
    exit(EXIT_USAGE);
}

/* What every trial records: the library, the baseline, the timing. */
static void put_timing(FILE *out, const cell *c, long baseline_kb, int reps, const gb_result *g)
{
    double n = (double)c->claimed_n;
    fprintf(out, "backend_version %s\n",
            c->s->flags & STRAT_OWN_HEAP ? c->s->version() : the_backend.version());
    fprintf(out, "backend_options %s\n", *c->backend_options ? c->backend_options : "-");
    fprintf(out, "threads %u\n", c->threads);
    fprintf(out, "thread_home %s\n", c->workers ? "workers" : "main");
    fprintf(out, "baseline_rss_kb %ld\npeak_rss_kb %ld\n", baseline_kb, peak_kb());
    fprintf(out, "reps %d\niterations %lld\n", reps, (long long)g->iterations);
    fprintf(out, "timed_faults %ld\ntimed_ns %.0f\n", c->timed_faults, c->timed_ns);
    fprintf(out, "timed_cpu_ns %.0f\ntimed_nivcsw %ld\n", c->timed_cpu_ns, c->timed_nivcsw);
    fprintf(out, "ns_median %.4f\nns_mean %.4f\nns_stddev %.4f\nns_min %.4f\ncv %.5f\n",
            g->median / n, g->mean / n, g->stddev / n, g->min / n, g->cv);
}

int main(int argc, char **argv)
{
    cell c = { .p = { .k = 3 }, .threads = 1,
               .cfg = HEAP_CONFIG_DEFAULT };
    const char *result_path = NULL, *json_path = NULL, *latency_path = NULL;
    int extras = 1;
    const char *backend_opts = "";
    uint64_t batch = LAT_BATCH_DEFAULT;
    int reps = 5;
    double min_time = 0.1;
    char err[256];
    c.p.policy = growth_policy_find("cpython");
    c.plant = planted_slowdown();

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0) {
            printf("%s %s\n", the_backend.name, the_backend.version());
            for (const strategy *const *s = strategies; *s; s++)
                if ((*s)->flags & STRAT_OWN_HEAP)
                    printf("%s %s\n", (*s)->name, (*s)->version());
            return 0;
        }
        if (strcmp(a, "--verify-backend") == 0) {
            if (backend_verify(&the_backend, err, sizeof err) < 0)
                cell_fail(EXIT_GUARD, "guard: %s", err);
            printf("%s %s ok\n", the_backend.name, the_backend.version());
            return 0;
        }
        if (i + 1 >= argc)
            usage_error("every option takes a value");
        const char *v = argv[++i];
        double d;
        if (strcmp(a, "--workload") == 0) {
            if ((c.w = workload_find(v)) == NULL) {
                bad_choice("workload", v, (const void *const *)workloads);
            }
        } else if (strcmp(a, "--strategy") == 0) {
            if ((c.s = strategy_find(v)) == NULL) {
                bad_choice("strategy", v, (const void *const *)strategies);
            }
        } else if (strcmp(a, "--size") == 0) {
            if (parse_count(v, &c.p.n, err, sizeof err) < 0)
                usage_error(err);
        } else if (strcmp(a, "--policy") == 0) {
            if ((c.p.policy = growth_policy_find(v)) == NULL) {
                bad_choice("policy", v, (const void *const *)growth_policies);
            }
        } else if (strcmp(a, "--heap-factor") == 0) {
            if (parse_number("heap factor", v, 1, 1, &c.cfg.heap_factor, err, sizeof err) < 0)
                usage_error(err);
        } else if (strcmp(a, "--window") == 0) {
            if (parse_number("window", v, 0, 0, &d, err, sizeof err) < 0)
                usage_error(err);
            c.p.window = (uint64_t)d;
        } else if (strcmp(a, "--k") == 0) {
            if (parse_number("k", v, 1, 0, &d, err, sizeof err) < 0 || d > 64)
                usage_error("bad k: expected 1..64 items per tuple");
            c.p.k = (unsigned)d;
        } else if (strcmp(a, "--gc-threshold") == 0) {
            if (parse_thresholds(v, c.cfg.gc_threshold, err, sizeof err) < 0)
                usage_error(err);
        } else if (strcmp(a, "--big-blocks") == 0) {
            if (parse_big_blocks(v, &c.cfg.big_blocks, err, sizeof err) < 0)
                usage_error(err);
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_number("threads", v, 1, 0, &d, err, sizeof err) < 0 || d > TEAM_MAX ||
                d != (unsigned)d)
                usage_error("bad threads: expected a whole number 1..256");
            c.threads = (unsigned)d;
        } else if (strcmp(a, "--thread-home") == 0) {
            if (strcmp(v, "main") != 0 && strcmp(v, "workers") != 0) {
                snprintf(err, sizeof err, "bad thread home '%s': expected main or workers", v);
                usage_error(err);
            }
            c.workers = strcmp(v, "workers") == 0;
        } else if (strcmp(a, "--switch-interval") == 0) {
            if (parse_number("switch interval", v, 0, 1, &d, err, sizeof err) < 0 || d <= 0)
                usage_error("bad switch interval: expected milliseconds > 0");
            c.cfg.switch_interval_ns = (uint64_t)(d * 1e6);
        } else if (strcmp(a, "--reps") == 0) {
            if (parse_number("reps", v, 1, 0, &d, err, sizeof err) < 0)
                usage_error(err);
            reps = (int)d;
        } else if (strcmp(a, "--min-time") == 0) {
            if (parse_number("min time", v, 0, 1, &min_time, err, sizeof err) < 0)
                usage_error(err);
        } else if (strcmp(a, "--result") == 0) {
            result_path = v;
        } else if (strcmp(a, "--json") == 0) {
            json_path = v;
        } else if (strcmp(a, "--latency") == 0) {
            latency_path = v;
        } else if (strcmp(a, "--extras") == 0) {
            extras = strcmp(v, "0") != 0;
        } else if (strcmp(a, "--backend-options") == 0) {
            backend_opts = v;
        } else if (strcmp(a, "--batch") == 0) {
            if (parse_count(v, &batch, err, sizeof err) < 0)
                usage_error(err);
        } else {
            snprintf(err, sizeof err, "unknown option '%s'", a);
            usage_error(err);
        }
    }
    if (c.w == NULL || c.s == NULL || c.p.n == 0 || result_path == NULL)
        usage_error("need --workload, --strategy, --size and --result");
    if ((c.run = strategy_workload(c.s, c.w->name)) == NULL) {
        snprintf(err, sizeof err, "strategy '%s' has no '%s' workload", c.s->name, c.w->name);
        usage_error(err);
    }
    if (c.s->external) {
        /* Another runtime's allocator does the work: no guard applies, and
           the result file is written whole, then renamed, as below. */
        char tmp[4096 + 8];
        snprintf(tmp, sizeof tmp, "%s.tmp", result_path);
        int rc = run_external(c.s, c.w, &c.p, reps, min_time, tmp);
        if (rc == 0 && rename(tmp, result_path) != 0)
            cell_fail(EXIT_FAILED, "failed: cannot write %s", result_path);
        return rc;
    }
    c.claimed_n = c.p.n;

    /* 1. The guard: never measure another allocator under this one's name,
       nor under options it does not run with. */
    if (backend_verify(&the_backend, err, sizeof err) < 0)
        cell_fail(EXIT_GUARD, "guard: %s", err);
    if (variant_verify(the_backend.name, backend_opts, c.backend_options,
                       sizeof c.backend_options, err, sizeof err) < 0)
        cell_fail(EXIT_FAILED, "failed: %s", err);

    /* 2. The baseline: everything the process holds before the workload,
       the harness's own peak included -- Google Benchmark's (cell_warm_harness),
       the latency histograms' pages and the clock's calibration. */
    c.out = mmap(NULL, sizeof *c.out, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c.out == MAP_FAILED)
        oom("the cell's shared results", sizeof *c.out);
    memset(c.out, 0, sizeof *c.out);
    cell_warm_harness(argv[0], reps, json_path);
    c.out->lat.batch = batch;
    c.out->lat.timer_ns = latency_timer_cost();
    touch_code(&c);
    long baseline_kb = maxrss_kb();

    char name[160];
    snprintf(name, sizeof name, "%s/%s/%s/%llu", c.w->name, c.s->name,
             the_backend.name, (unsigned long long)c.claimed_n);
    char f[64] = "";
    if (cell_fault_for(name, f, sizeof f)) {
        cell_fault(f);
        if (strcmp(f, "lazy") == 0)
            c.p.n = 0;
    }

    /* 3. Whether it leaks (a probe, in a child: its leak stays there), then
       the warm-up on the heap the timed runs will use. */
    in_child(probe, &c);
    c.leaks = c.out->leaks;
    /* A leaking cell runs each run in a child process, and a forked child
       has one thread: no team can run there.  At T = 1 it stays on the main
       thread (its result says so); at T > 1 it cannot run. */
    if (c.threads > 1 && c.leaks)
        cell_fail(EXIT_FAILED, "failed: %s",
                  "the workload leaks under this strategy: it runs one thread only");
    c.workers = (c.workers || c.threads > 1) && !c.leaks;
    if (c.workers) {
        if ((c.team = team_new(c.s, &c.cfg, c.run, c.threads)) == NULL)
            cell_fail(EXIT_FAILED, "failed: cannot start the threads: %s", strerror(errno));
    } else {
        c.h = new_heap(&c);
    }
    isolated(warm_up, &c);
    /* A leaking cell's heap starts fresh in each child: nothing to settle. */
    if (!c.leaks)
        settle(&c);
    /* Statistics come from step 6's run. */
    if (c.team)
        team_counting(c.team, 0);
    else
        c.h->counting = 0;

    /* 4. Timing.  A cell that leaks runs one iteration per repetition, each
       in a child (isolated), timed by the child. */
    gb_register(name, c.team ? bm_team : c.leaks ? bm_cell_isolated : bm_cell, &c,
                &(gb_options){ .repetitions = reps, .min_time = min_time,
                               .iterations = c.leaks ? 1 : 0,
                               .manual_time = c.leaks || c.team });
    gb_result g;
    usage u0 = usage_now();
    uint64_t t0 = clock_ns();
    size_t ran = cell_run_gb(argv[0], reps, min_time, json_path, &g);
    timed_usage(&c, t0, &u0);
    if (ran != 1)
        cell_fail(EXIT_FAILED, "failed: %s", "Google Benchmark ran nothing");
    if (g.error)
        cell_fail(EXIT_FAILED, "failed: %s", g.error_message);

    /* Later trials of a cell time it and stop: latency, statistics and leaks
       are recorded by its first trial (--extras 1), once. */
    if (!extras) {
        FILE *out = cell_open_result(result_path);
        put_timing(out, &c, baseline_kb, reps, &g);
        cell_commit_result(out, result_path);
    }

    /* 5. Latency: one more run on the same heap, recording every batch of
       operations (and every collection pause) in histograms.  Its total
       time against the timed median is what recording costs.  A team of
       T > 1 records none: one histogram cannot take T threads' batches. */
    double lat_overhead = 0;
    if (c.threads == 1) {
        isolated(recording_run, &c);
        lat_overhead = g.median > 0 ? c.out->run_ns / g.median - 1 : 0;
    }
    if (c.team)
        team_free(c.team);
    else
        c.s->destroy(c.h);
    const latency *lat = &c.out->lat;
    if (latency_path && lat->h.n && cell_write_latency(latency_path, &lat->h) < 0)
        cell_fail(EXIT_FAILED, "failed: cannot write %s", latency_path);

    /* 6. The strategy's statistics, from one counted run on a fresh heap,
       and what a full collection after it leaves: leaked.  It runs where
       the timed runs ran: a team's heaps are on its worker threads. */
    wl_result r = { 0 };
    heap_stats st, after;
    if (c.workers) {
        team *t = team_new(c.s, &c.cfg, c.run, c.threads);
        if (t == NULL)
            cell_fail(EXIT_FAILED, "failed: cannot start the threads: %s", strerror(errno));
        team_run(t, &c.p, &r);
        st = team_stats(t);
        team_collect(t);
        after = team_stats(t);
        team_free(t);
    } else {
        heap *h = new_heap(&c);
        c.run->run(h, &c.p, &r);
        st = h->st;
        c.s->collect(h);
        after = h->st;
        c.s->destroy(h);
    }

    /* The work must have happened: a workload that allocates nothing, or an
       iteration too fast to have touched memory, means the compiler or a bug
       removed it. */
    double nsop = g.median / (double)c.claimed_n;
    /* (shared_read reads N items of a list it made once: WL_SHARED
       workloads need only have allocated.) */
    if (c.w->params & WL_SHARED ? st.allocs == 0 : st.allocs < c.claimed_n)
        cell_fail(EXIT_FAILED, "failed: %s", "workload did no work (fewer allocations than operations)");
    if (nsop < 0.1)
        cell_fail(EXIT_FAILED, "failed: %s", "implausibly fast (< 0.1 ns/op): work optimised away?");

    /* 7. The result, atomically. */
    FILE *out = cell_open_result(result_path);
    put_timing(out, &c, baseline_kb, reps, &g);
    /* T copies hold T times one copy's live peak; a shared workload knows
       its team's. */
    wl_params lp = c.p;
    lp.threads = c.threads;
    uint64_t live_peak = c.w->live_peak(&lp, &r);
    if (c.threads > 1 && !(c.w->params & WL_SHARED))
        live_peak *= c.threads;
    fprintf(out, "live_peak_bytes %llu\n", (unsigned long long)live_peak);
    /* Each heap knows its own peak only: where objects die on another
       thread's heap (WL_SHARED), the makers' peaks hold every byte they
       ever made (handoff: 31x the live peak), and their sum is no peak. */
    if (c.threads > 1 && (c.w->params & WL_SHARED))
        fprintf(out, "heap_peak_bytes -\n");
    else
        fprintf(out, "heap_peak_bytes %llu\n", (unsigned long long)st.peak_bytes);
    fprintf(out, "allocs %llu\n", (unsigned long long)st.allocs);
    fprintf(out, "resizes %llu\nresizes_in_place %llu\nbytes_copied %llu\nbytes_remapped %llu\n",
            (unsigned long long)st.resizes, (unsigned long long)st.resizes_in_place,
            (unsigned long long)st.bytes_copied, (unsigned long long)st.bytes_remapped);
    fprintf(out, "growth_mean %.4f\ngrowth_last %.4f\n",
            st.resizes ? st.growth_sum / (double)st.resizes : 0.0, st.growth_last);
    fprintf(out, "final_len %llu\nfinal_cap %llu\n",
            (unsigned long long)r.final_len, (unsigned long long)r.final_cap);
    fprintf(out, "collections %llu\npause_total_ns %llu\npause_max_ns %llu\n",
            (unsigned long long)st.collections, (unsigned long long)st.pause_total_ns,
            (unsigned long long)st.pause_max_ns);
    if (c.s->flags & STRAT_GENERATIONS)
        fprintf(out, "collections_gen %llu/%llu/%llu\n",
                (unsigned long long)st.gen_collections[0],
                (unsigned long long)st.gen_collections[1],
                (unsigned long long)st.gen_collections[2]);
    else
        fprintf(out, "collections_gen -\n");
    fprintf(out, "lat_batch %llu\ntimer_ns %llu\n",
            (unsigned long long)batch, (unsigned long long)lat->timer_ns);
    if (c.threads > 1)
        fprintf(out, "lat_overhead -\n");
    else
        fprintf(out, "lat_overhead %.4f\n", lat_overhead);
    if (!(c.s->flags & STRAT_THREADS))          /* nothing counts them */
        fprintf(out, "cross_frees -\nqueued -\n");
    else
        fprintf(out, "cross_frees %llu\nqueued %llu\n",
            (unsigned long long)st.cross_frees, (unsigned long long)st.queued);
    /* Latency per operation in ns (the histogram holds picoseconds), pauses
       in ms (that one holds ns).  A hand-written reference loop has no
       batch ticks: all "-". */
    cell_write_percentile(out, "lat_p50_ns", &lat->h, 50, 1e3, 3);
    cell_write_percentile(out, "lat_p99_ns", &lat->h, 99, 1e3, 3);
    cell_write_percentile(out, "lat_p999_ns", &lat->h, 99.9, 1e3, 3);
    cell_write_percentile(out, "lat_max_ns", &lat->h, 100, 1e3, 3);
    cell_write_percentile(out, "pause_p50_ms", &c.out->pauses, 50, 1e6, 4);
    cell_write_percentile(out, "pause_p99_ms", &c.out->pauses, 99, 1e6, 4);
    if (c.s->flags & STRAT_OWN_HEAP)    /* no object-by-object account */
        fprintf(out, "leaked_objects -\nleaked_bytes -\n");
    else
        fprintf(out, "leaked_objects %llu\nleaked_bytes %llu\n",
                (unsigned long long)after.live_objects, (unsigned long long)after.live_bytes);
    cell_commit_result(out, result_path);
}
