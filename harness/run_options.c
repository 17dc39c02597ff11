/* harness/run_options.c -- the options of `memstrat run`, and matrix.args,
   which keeps them so that `--resume DIR` rebuilds the same matrix. */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_options.h"
#include "options.h"
#include "runner.h"

void run_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "memstrat run: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

static void parse_names(const char *opt, const char *v, const void *const *table,
                        const void **out, size_t *n)
{
    char buf[1024], names[512];
    char *items[MAXN];
    snprintf(buf, sizeof buf, "%s", v);
    size_t m = split_list(buf, items, MAXN);
    names_of(table, names, sizeof names);
    if (m == 0)
        run_usage("empty %s (valid: %s)", opt, names);
    *n = 0;
    for (size_t i = 0; i < m; i++) {
        const void *found = NULL;
        if (strcmp(items[i], "all") == 0) {
            for (size_t j = 0; table[j]; j++)
                out[(*n)++] = table[j];
            continue;
        }
        for (size_t j = 0; table[j]; j++)
            if (strcmp(*(const char *const *)table[j], items[i]) == 0)
                found = table[j];
        if (found == NULL)
            run_usage("unknown %s '%s' (valid: %s)", opt, items[i], names);
        out[(*n)++] = found;
    }
}

/* Backends and their variants: "glibc", "mimalloc@decommit_delay=10000". */
static void parse_backends(const char *v, run_opts *o)
{
    char buf[1024], all[256], err[512];
    char *items[MAXN], *known[MAXN];
    snprintf(all, sizeof all, "%s", memstrat_backends);
    size_t nk = split_list(all, known, MAXN);
    snprintf(buf, sizeof buf, "%s", v);
    size_t m = split_list(buf, items, MAXN);
    if (m == 0)
        run_usage("empty backend (valid: %s)", memstrat_backends);
    o->nb = 0;
    for (size_t i = 0; i < m; i++) {
        if (strcmp(items[i], "all") == 0) {
            for (size_t j = 0; j < nk; j++)
                snprintf(o->b[o->nb++], sizeof o->b[0], "%s", known[j]);
            continue;
        }
        variant var;
        if (variant_parse(items[i], memstrat_backends, &var, err, sizeof err) < 0)
            run_usage("%s", err);
        snprintf(o->b[o->nb++], sizeof o->b[0], "%s", items[i]);
    }
}

/* "512M", "8G", "1.5G": bytes (binary units); "0" for no limit. */
static uint64_t parse_bytes(const char *what, const char *s)
{
    char *end;
    double v = strtod(s, &end);
    double unit = 1;
    switch (*end) {
    case 'k': case 'K': unit = 1024.0; end++; break;
    case 'm': case 'M': unit = 1024.0 * 1024; end++; break;
    case 'g': case 'G': unit = 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (end == s || *end != '\0' || !(v >= 0) || !isfinite(v))
        run_usage("bad %s '%s': expected bytes such as 512M or 8G, or 0 for none", what, s);
    return (uint64_t)(v * unit);
}

static double number(const char *what, const char *v, double lo, int strict)
{
    double d;
    char err[256];
    if (parse_number(what, v, lo, strict, &d, err, sizeof err) < 0)
        run_usage("%s", err);
    return d;
}

/* A whole number in [lo, hi], or exit 2 naming the range. */
static long whole(const char *what, const char *v, long lo, long hi)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || d != floor(d) || d < (double)lo || d > (double)hi)
        run_usage("bad %s '%s': expected a whole number in %ld..%ld", what, v, lo, hi);
    return (long)d;
}

static uint64_t default_mem_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / 4 * 3 : 0;
}

void run_opts_defaults(run_opts *o)
{
    *o = (run_opts){ .k = 3, .reps = 3, .trials = 5, .max_trials = -1,
                     .ci_target = CI_TARGET_DEFAULT, .retries = RETRIES_DEFAULT,
                     .min_time = 0.02, .timeout = 600,
                     .mem_limit = default_mem_limit(), .pin = PIN_AUTO,
                     .gc_threshold = "700,10,10", .sample_ms = 1,
                     .batch = LAT_BATCH_DEFAULT, .switch_ms = SWITCH_MS_DEFAULT,
                     .threads = { 1 }, .nthreads = 1 };
    /* The threaded models (rc_gil, rc_atomic, rc_biased) and the workloads
       whose objects cross threads (handoff, shared_read) only by name or
       `all`: the default matrix, make bench's, stays the one its 12-minute
       budget was set for (make bench-threads runs them). */
    for (const workload *const *w = workloads; *w; w++)
        if (!((*w)->params & WL_SHARED))
            o->w[o->nw++] = *w;
    for (const strategy *const *s = strategies; *s; s++)
        if (!((*s)->flags & STRAT_THREADS))
            o->s[o->ns++] = *s;
    parse_backends("all", o);
    o->sizes[0] = 1000, o->sizes[1] = 10000, o->sizes[2] = 100000;
    o->nsizes = 3;
    o->p[o->np++] = growth_policy_find("cpython");
    o->hf[o->nhf++] = HEAP_FACTOR_DEFAULT;
    o->win[o->nwin++] = 0;
}

/* Options that define the matrix are saved in DIR/matrix.args. */
static int is_matrix_option(const char *a)
{
    return strcmp(a, "--out") != 0 && strcmp(a, "--resume") != 0 &&
           strcmp(a, "--dry-run") != 0;
}

static void parse_list(const char *a, const char *v, run_opts *o)
{
    int hf = a[2] == 'h';
    char buf[1024];
    char *items[MAXN];
    snprintf(buf, sizeof buf, "%s", v);
    size_t m = split_list(buf, items, MAXN);
    if (m == 0)
        run_usage("empty %s '%s'", a + 2, v);
    for (size_t i = 0; i < m; i++) {
        if (hf) {
            o->hf[i] = number("heap factor", items[i], 1, 1);
        } else {
            double d = number("window", items[i], 0, 0);
            if (d != floor(d))
                run_usage("bad window '%s': expected a whole number of tuples >= 0", items[i]);
            o->win[i] = (uint64_t)d;
        }
    }
    *(hf ? &o->nhf : &o->nwin) = m;
}

/* --threads 1,2,4: each a whole number of threads in 1..MAX_THREADS. */
static void parse_threads(const char *v, run_opts *o)
{
    char buf[1024];
    char *items[MAXN];
    snprintf(buf, sizeof buf, "%s", v);
    size_t m = split_list(buf, items, MAXN);
    if (m == 0)
        run_usage("bad threads '%s': expected whole numbers in 1..%d, such as 1,2,4", v,
                  MAX_THREADS);
    for (size_t i = 0; i < m; i++)
        o->threads[i] = (unsigned)whole("threads", items[i], 1, MAX_THREADS);
    o->nthreads = m;
}

static void parse_pin(const char *v, run_opts *o)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (strcmp(v, "auto") == 0)
        o->pin = PIN_AUTO;
    else if (strcmp(v, "none") == 0)
        o->pin = PIN_NONE;
    else {
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end != '\0' || d != floor(d) || d < 0 || d >= (double)ncpu)
            run_usage("bad pin '%s': expected auto, none or a CPU number in 0..%ld", v, ncpu - 1);
        o->pin = (int)d;
    }
}

static void parse_option(run_opts *o, const char *a, const char *v)
{
    char err[256];
    if (strcmp(a, "--workload") == 0) {
        parse_names("workload", v, (const void *const *)workloads, (const void **)o->w, &o->nw);
    } else if (strcmp(a, "--strategy") == 0) {
        parse_names("strategy", v, (const void *const *)strategies, (const void **)o->s, &o->ns);
    } else if (strcmp(a, "--policy") == 0) {
        parse_names("policy", v, (const void *const *)growth_policies, (const void **)o->p, &o->np);
    } else if (strcmp(a, "--backend") == 0) {
        parse_backends(v, o);
    } else if (strcmp(a, "--size") == 0) {
        int n = parse_sizes(v, o->sizes, MAXN, err, sizeof err);
        if (n < 0)
            run_usage("%s", err);
        o->nsizes = (size_t)n;
    } else if (strcmp(a, "--heap-factor") == 0 || strcmp(a, "--window") == 0) {
        parse_list(a, v, o);
    } else if (strcmp(a, "--threads") == 0) {
        parse_threads(v, o);
    } else if (strcmp(a, "--switch-interval") == 0) {
        o->switch_ms = number("switch interval", v, 0, 1);
    } else if (strcmp(a, "--k") == 0) {
        o->k = (unsigned)whole("k", v, 1, 64);
    } else if (strcmp(a, "--reps") == 0) {
        o->reps = (int)whole("reps", v, 1, 1000);
    } else if (strcmp(a, "--trials") == 0) {
        o->trials = (int)whole("trials", v, 1, 1000);
    } else if (strcmp(a, "--max-trials") == 0) {
        o->max_trials = (int)whole("max trials", v, 1, 1000);
    } else if (strcmp(a, "--ci-target") == 0) {
        o->ci_target = number("CI target (percent)", v, 0, 1) / 100;
    } else if (strcmp(a, "--budget") == 0) {
        o->budget_s = number("budget (seconds)", v, 0, 1);
    } else if (strcmp(a, "--retries") == 0) {
        o->retries = (int)whole("retries", v, 0, 1000);
    } else if (strcmp(a, "--seed") == 0) {
        char *end;
        o->seed = strtoull(v, &end, 10);
        if (end == v || *end != '\0' || *v == '-')
            run_usage("bad seed '%s': expected a whole number >= 0", v);
    } else if (strcmp(a, "--min-time") == 0) {
        o->min_time = number("min time", v, 0, 1);
    } else if (strcmp(a, "--timeout") == 0) {
        o->timeout = number("timeout", v, 0, 1);
    } else if (strcmp(a, "--mem-limit") == 0) {
        o->mem_limit = parse_bytes("mem limit", v);
    } else if (strcmp(a, "--gc-threshold") == 0) {
        unsigned t[3];
        if (parse_thresholds(v, t, err, sizeof err) < 0)
            run_usage("%s", err);
        snprintf(o->gc_threshold, sizeof o->gc_threshold, "%u,%u,%u", t[0], t[1], t[2]);
    } else if (strcmp(a, "--big-blocks") == 0) {
        if (parse_big_blocks(v, &o->big_blocks, err, sizeof err) < 0)
            run_usage("%s", err);
    } else if (strcmp(a, "--sample-ms") == 0) {
        o->sample_ms = number("sample interval", v, 0, 1);
    } else if (strcmp(a, "--batch") == 0) {
        if (parse_count(v, &o->batch, err, sizeof err) < 0)
            run_usage("%s", err);
    } else if (strcmp(a, "--pin") == 0) {
        parse_pin(v, o);
    } else if (strcmp(a, "--shard") == 0) {
        shard_parse(v, &o->shard_k, &o->shard_n);
    } else if (strcmp(a, "--out") == 0) {
        o->out = v;
    } else if (strcmp(a, "--resume") == 0) {
        o->resume = v;
    } else {
        run_usage("unknown option '%s' (see memstrat help)", a);
    }
}

char *run_opts_parse(run_opts *o, int argc, char **argv)
{
    char *saved = NULL;
    size_t len = 0;
    int seeded = 0;
    FILE *f = open_memstream(&saved, &len);
    for (int i = 0; i < argc; i++) {
        char a[64];
        const char *v, *eq = strchr(argv[i], '=');
        if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "--repair") == 0) {
            *(argv[i][2] == 'd' ? &o->dry_run : &o->repair) = 1;
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0)
            run_usage("unexpected argument '%s' (options start with --)", argv[i]);
        if (eq) {
            snprintf(a, sizeof a, "%.*s", (int)(eq - argv[i]), argv[i]);
            v = eq + 1;
        } else {
            snprintf(a, sizeof a, "%s", argv[i]);
            if (i + 1 >= argc)
                run_usage("option %s needs a value", a);
            v = argv[++i];
        }
        parse_option(o, a, v);
        seeded |= strcmp(a, "--seed") == 0;
        if (is_matrix_option(a))
            fprintf(f, "%s\n%s\n", a, v);
    }
    /* Adaptive rounds only when asked for (make bench does): a run of T
       trials is T trials unless --max-trials says otherwise. */
    if (o->max_trials < 0)
        o->max_trials = o->trials;
    if (o->max_trials < o->trials)
        run_usage("bad max trials '%d': expected at least --trials (%d)", o->max_trials,
                  o->trials);
    /* A run without --seed draws one, and keeps it with the matrix. */
    if (!seeded && !o->resume) {
        o->seed = schedule_new_seed();
        fprintf(f, "--seed\n%llu\n", (unsigned long long)o->seed);
    }
    fclose(f);
    return saved;
}

void run_opts_load(run_opts *o, const char *dir)
{
    char path[4200];
    PATHF(path, "%s/matrix.args", dir);
    char *s = read_small_file(path);
    if (s == NULL)
        run_usage("--resume %s: no matrix.args there (not a memstrat run directory)", dir);
    char *save = NULL;
    for (char *a = strtok_r(s, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
        char *v = strtok_r(NULL, "\n", &save);
        if (v == NULL)
            break;
        parse_option(o, a, v);
    }
    free(s);
}
