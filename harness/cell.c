/*
 * harness/cell.c -- one benchmark cell: one workload x strategy x size on the
 * backend this runner binary is linked with (build/cell-BACKEND).
 *
 * `memstrat run` starts one process per cell so that the process's peak RSS
 * belongs to that cell alone.  The cell:
 *   1. checks that malloc really is its backend's (else exit EXIT_GUARD);
 *   2. notes its RSS before any workload (the baseline the parent subtracts);
 *   3. runs the workload once untimed (warm-up, and a check of the checksum);
 *   4. times it with Google Benchmark (repetitions, aggregates, raw JSON),
 *      on the warm-up's heap, with the heap's statistics switched off;
 *   5. runs it once more on a fresh heap, counting, for the statistics;
 *   6. writes KEY VALUE lines to --result (a temporary name, then renamed).
 * Object creation and the drop are inside the timed region: a strategy's cost
 * includes freeing or collecting what it made.
 *
 * MEMSTRAT_FAULT=KIND[:SUBSTRING] (tests only) makes the cells whose name
 * contains SUBSTRING misbehave on purpose: crash, hog (allocate until
 * stopped), hang, lazy (skip the work, to trip the did-no-work guard).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backend.h"
#include "gbench.h"
#include "options.h"
#include "../bench/workload.h"

#define EXIT_GUARD  4
#define EXIT_FAILED 5

typedef struct cell {
    const workload *w;          /* the generic descriptor: name, expected, ... */
    const workload *run;        /* the strategy's own compiled copy            */
    const strategy *s;
    heap *h;                    /* one heap for the warm-up and every timed run */
    wl_params p;
    heap_config cfg;
    uint64_t claimed_n;         /* N as asked; p.n differs only under "lazy" */
} cell;

static _Noreturn void fail(int code, const char *fmt, const char *arg)
{
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(code);
}

static long maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static heap *new_heap(const cell *c)
{
    heap *h = c->s->create(&c->cfg);
    if (h == NULL)
        oom("a heap", 0);
    return h;
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
        c->run->run(c->h, &c->p, &r);
        gb_do_not_optimize(&r);
        if (r.checksum != want) {
            gb_skip_with_error(st, "checksum mismatch");
            break;
        }
    }
    gb_set_items_processed(st, gb_iterations(st) * (int64_t)c->claimed_n);
}

static void fault(const char *what)
{
    if (strcmp(what, "crash") == 0) {
        raise(SIGSEGV);
    } else if (strcmp(what, "hog") == 0) {
        for (;;) {                      /* 64 MiB at a time, touched */
            char *p = malloc(64u << 20);
            if (p == NULL)
                oom("the hog fault", 64u << 20);
            memset(p, 1, 64u << 20);
        }
    } else if (strcmp(what, "hang") == 0) {
        for (;;)
            pause();
    }
}

/* MEMSTRAT_FAULT=KIND or KIND:SUBSTRING -- the fault applies to the cells
   whose name (workload/strategy/backend/size) contains SUBSTRING. */
static int fault_for(const char *cell_name, char *kind, size_t n)
{
    const char *f = getenv("MEMSTRAT_FAULT");
    if (f == NULL || *f == '\0')
        return 0;
    const char *colon = strchr(f, ':');
    if (colon && strstr(cell_name, colon + 1) == NULL)
        return 0;
    snprintf(kind, n, "%.*s", colon ? (int)(colon - f) : (int)strlen(f), f);
    return 1;
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

int main(int argc, char **argv)
{
    cell c = { .p = { .k = 3 },
               .cfg = { HEAP_FACTOR_DEFAULT, MIN_HEAP_DEFAULT } };
    const char *result_path = NULL, *json_path = NULL;
    int reps = 5;
    double min_time = 0.1;
    char err[256];
    c.p.policy = growth_policy_find("cpython");

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
                fail(EXIT_GUARD, "guard: %s", err);
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
    c.claimed_n = c.p.n;

    /* 1. The guard: never measure another allocator under this one's name. */
    if (backend_verify(&the_backend, err, sizeof err) < 0)
        fail(EXIT_GUARD, "guard: %s", err);

    /* 2. The baseline: everything the process holds before the workload. */
    long baseline_kb = maxrss_kb();

    char name[160];
    snprintf(name, sizeof name, "%s/%s/%s/%llu", c.w->name, c.s->name,
             the_backend.name, (unsigned long long)c.claimed_n);
    char f[64] = "";
    if (fault_for(name, f, sizeof f)) {
        fault(f);
        if (strcmp(f, "lazy") == 0)
            c.p.n = 0;
    }

    /* 3. Warm-up, untimed, with a check of every value, on the heap the
       timed runs will use. */
    c.h = new_heap(&c);
    c.h->counting = 0;          /* statistics come from step 5's run */
    {
        wl_params vp = c.p;
        vp.verify = 1;
        wl_result r = { 0 };
        c.run->run(c.h, &vp, &r);
        if (r.bad_values || r.checksum != c.w->expected(&vp)) {
            fail(EXIT_FAILED, "failed: %s", "wrong values after the workload");
        }
    }

    /* 4. Timing. */
    char out_flag[4096 + 32], reps_flag[32], time_flag[48];
    gb_register(name, bm_cell, &c, &(gb_options){ .repetitions = reps, .min_time = min_time });
    snprintf(reps_flag, sizeof reps_flag, "--benchmark_repetitions=%d", reps);
    snprintf(time_flag, sizeof time_flag, "--benchmark_min_time=%g", min_time);
    char *gb_argv[8] = { argv[0], reps_flag, time_flag };
    int gb_argc = 3;
    if (json_path) {
        snprintf(out_flag, sizeof out_flag, "--benchmark_out=%s", json_path);
        gb_argv[gb_argc++] = out_flag;
        gb_argv[gb_argc++] = "--benchmark_out_format=json";
    }
    gb_result g;
    if (gb_run(gb_argc, gb_argv, 1, &g, 1) != 1)
        fail(EXIT_FAILED, "failed: %s", "Google Benchmark ran nothing");
    if (g.error)
        fail(EXIT_FAILED, "failed: %s", g.error_message);
    c.s->destroy(c.h);

    /* 5. The strategy's statistics, from one run on a fresh heap. */
    wl_result r = { 0 };
    heap *h = new_heap(&c);
    c.run->run(h, &c.p, &r);
    heap_stats st = h->st;
    c.s->collect(h);
    heap_stats after = h->st;
    c.s->destroy(h);

    /* The work must have happened: a workload that allocates nothing, or an
       iteration too fast to have touched memory, means the compiler or a bug
       removed it. */
    double nsop = g.median / (double)c.claimed_n;
    if (st.allocs < c.claimed_n)
        fail(EXIT_FAILED, "failed: %s", "workload did no work (fewer allocations than operations)");
    if (nsop < 0.1)
        fail(EXIT_FAILED, "failed: %s", "implausibly fast (< 0.1 ns/op): work optimised away?");

    /* 6. The result, atomically. */
    char tmp[4096 + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", result_path);
    FILE *out = fopen(tmp, "w");
    if (out == NULL)
        fail(EXIT_FAILED, "failed: cannot write %s", tmp);
    fprintf(out, "backend_version %s\n",
            c.s->flags & STRAT_OWN_HEAP ? c.s->version() : the_backend.version());
    fprintf(out, "baseline_rss_kb %ld\n", baseline_kb);
    fprintf(out, "reps %d\niterations %lld\n", reps, (long long)g.iterations);
    fprintf(out, "ns_median %.4f\nns_mean %.4f\nns_stddev %.4f\nns_min %.4f\ncv %.5f\n",
            g.median / (double)c.claimed_n, g.mean / (double)c.claimed_n,
            g.stddev / (double)c.claimed_n, g.min / (double)c.claimed_n, g.cv);
    fprintf(out, "live_peak_bytes %llu\n", (unsigned long long)c.w->live_peak(&c.p, &r));
    fprintf(out, "heap_peak_bytes %llu\n", (unsigned long long)st.peak_bytes);
    fprintf(out, "allocs %llu\n", (unsigned long long)st.allocs);
    fprintf(out, "resizes %llu\nresizes_in_place %llu\nbytes_copied %llu\n",
            (unsigned long long)st.resizes, (unsigned long long)st.resizes_in_place,
            (unsigned long long)st.bytes_copied);
    fprintf(out, "growth_mean %.4f\ngrowth_last %.4f\n",
            st.resizes ? st.growth_sum / (double)st.resizes : 0.0, st.growth_last);
    fprintf(out, "final_len %llu\nfinal_cap %llu\n",
            (unsigned long long)r.final_len, (unsigned long long)r.final_cap);
    fprintf(out, "collections %llu\npause_total_ns %llu\npause_max_ns %llu\n",
            (unsigned long long)st.collections, (unsigned long long)st.pause_total_ns,
            (unsigned long long)st.pause_max_ns);
    fprintf(out, "live_objects_end %llu\nlive_bytes_end %llu\n",
            (unsigned long long)after.live_objects, (unsigned long long)after.live_bytes);
    if (fclose(out) != 0 || rename(tmp, result_path) != 0)
        fail(EXIT_FAILED, "failed: cannot write %s", result_path);
    return 0;
}
