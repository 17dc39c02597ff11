/*
 * harness/runner.c -- `memstrat run`: expand the matrix, run one process per
 * cell, record every cell as it finishes.
 *
 * Why a process per cell: peak RSS (wait4's ru_maxrss) is a per-process high
 * water mark, so only a fresh process gives a cell its own; and a cell that
 * crashes, hangs or exhausts memory takes nothing else down with it.
 *
 * The parent watches each cell every 2 ms: it kills the cell's process group
 * when the cell passes --timeout, when its RSS passes --mem-limit (the cell
 * also runs under RLIMIT_DATA, so that its mallocs fail first and it can end
 * as "oom" on its own), or when the user interrupts the run.  After every
 * cell, cells.csv and series.csv are rewritten whole (temporary file, then
 * rename), so whatever happens next, finished cells are on disk.
 */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "results.h"
#include "../bench/workload.h"

#ifndef MEMSTRAT_BACKENDS
#define MEMSTRAT_BACKENDS "glibc"
#endif
#ifndef MEMSTRAT_CFLAGS
#define MEMSTRAT_CFLAGS ""
#endif
#ifndef MEMSTRAT_GBENCH_VERSION
#define MEMSTRAT_GBENCH_VERSION "?"
#endif

const char memstrat_backends[] = MEMSTRAT_BACKENDS;

/* snprintf for paths: a path that does not fit is an error, not a silently
   truncated file name. */
#define PATHF(buf, ...) pathf(buf, sizeof(buf), __VA_ARGS__)
static void pathf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= n) {
        fprintf(stderr, "memstrat run: path too long: %s...\n", buf);
        exit(EXIT_USAGE);
    }
}

#define MAXN 64
#define EXIT_OOM_CELL 3         /* bench/object.h EXIT_OOM */
#define EXIT_NA_CELL  6         /* harness/cell.c EXIT_NA: cannot apply here */

typedef struct run_opts {
    const workload *w[MAXN];        size_t nw;
    const strategy *s[MAXN];        size_t ns;
    char b[MAXN][32];               size_t nb;
    uint64_t sizes[MAXN];           size_t nsizes;
    const growth_policy *p[MAXN];   size_t np;
    double hf[MAXN];                size_t nhf;
    uint64_t win[MAXN];             size_t nwin;
    unsigned k;
    int reps;
    double min_time, timeout;
    char gc_threshold[48];          /* rc_cycle's, passed to every cell */
    double sample_ms;               /* RSS timeline: one sample per this many ms */
    uint64_t batch;                 /* latency: operations per sample */
    uint64_t mem_limit;             /* bytes; 0: none */
    int pin;                        /* CPU, or -1 */
    int dry_run;
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
    int na;                         /* not applicable: recorded, not run */
    char id[200];
} cell_spec;

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- options ----------------------------------------------------------- */

static _Noreturn void usage(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "memstrat run: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
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
        usage("empty %s (valid: %s)", opt, names);
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
        if (found == NULL) {
            char what[64];
            snprintf(what, sizeof what, "unknown %s '%%s' (valid: %%s)", opt);
            usage(what, items[i], names);
        }
        out[(*n)++] = found;
    }
}

static void parse_backends(const char *v, run_opts *o)
{
    char buf[1024], all[256];
    char *items[MAXN], *known[MAXN];
    snprintf(all, sizeof all, "%s", memstrat_backends);
    size_t nk = split_list(all, known, MAXN);
    snprintf(buf, sizeof buf, "%s", v);
    size_t m = split_list(buf, items, MAXN);
    if (m == 0)
        usage("empty backend (valid: %s)%s", memstrat_backends, "");
    o->nb = 0;
    for (size_t i = 0; i < m; i++) {
        if (strcmp(items[i], "all") == 0) {
            for (size_t j = 0; j < nk; j++)
                snprintf(o->b[o->nb++], 32, "%s", known[j]);
            continue;
        }
        size_t j = 0;
        while (j < nk && strcmp(known[j], items[i]) != 0)
            j++;
        if (j == nk)
            usage("unknown backend '%s' (valid: %s)", items[i], memstrat_backends);
        snprintf(o->b[o->nb++], 32, "%s", items[i]);
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
        usage("bad %s '%s': expected bytes such as 512M or 8G, or 0 for none", what, s);
    return (uint64_t)(v * unit);
}

static double number(const char *what, const char *v, double lo, int strict)
{
    double d;
    char err[256];
    if (parse_number(what, v, lo, strict, &d, err, sizeof err) < 0)
        usage("%s%s", err, "");
    return d;
}

static uint64_t default_mem_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / 4 * 3 : 0;
}

static void set_defaults(run_opts *o)
{
    *o = (run_opts){ .k = 3, .reps = 5, .min_time = 0.05, .timeout = 600,
                     .mem_limit = default_mem_limit(), .pin = -1, .gc_threshold = "700,10,10",
                     .sample_ms = 1, .batch = LAT_BATCH_DEFAULT };
    for (const workload *const *w = workloads; *w; w++)
        o->w[o->nw++] = *w;
    for (const strategy *const *s = strategies; *s; s++)
        o->s[o->ns++] = *s;
    parse_backends("all", o);
    o->sizes[0] = 1000, o->sizes[1] = 10000, o->sizes[2] = 100000;
    o->nsizes = 3;
    o->p[o->np++] = growth_policy_find("cpython");
    o->hf[o->nhf++] = HEAP_FACTOR_DEFAULT;
    o->win[o->nwin++] = 0;
}

/* Options that define the matrix are saved in DIR/matrix.args, so that
   --resume DIR rebuilds the same matrix. */
static int is_matrix_option(const char *a)
{
    return strcmp(a, "--out") != 0 && strcmp(a, "--resume") != 0 &&
           strcmp(a, "--dry-run") != 0;
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
            usage("%s%s", err, "");
        o->nsizes = (size_t)n;
    } else if (strcmp(a, "--heap-factor") == 0 || strcmp(a, "--window") == 0) {
        int hf = a[2] == 'h';
        char buf[1024];
        char *items[MAXN];
        snprintf(buf, sizeof buf, "%s", v);
        size_t m = split_list(buf, items, MAXN);
        if (m == 0)
            usage("empty %s '%s'", a + 2, v);
        for (size_t i = 0; i < m; i++) {
            if (hf) {
                o->hf[i] = number("heap factor", items[i], 1, 1);
            } else {
                double d = number("window", items[i], 0, 0);
                if (d != floor(d))
                    usage("bad window '%s': expected a whole number of tuples >= 0%s", items[i], "");
                o->win[i] = (uint64_t)d;
            }
        }
        *(hf ? &o->nhf : &o->nwin) = m;
    } else if (strcmp(a, "--k") == 0) {
        double d = number("k", v, 1, 0);
        if (d != floor(d) || d > 64)
            usage("bad k '%s': expected 1..64 items per tuple%s", v, "");
        o->k = (unsigned)d;
    } else if (strcmp(a, "--reps") == 0) {
        double d = number("reps", v, 1, 0);
        if (d != floor(d) || d > 1000)
            usage("bad reps '%s': expected 1..1000%s", v, "");
        o->reps = (int)d;
    } else if (strcmp(a, "--min-time") == 0) {
        o->min_time = number("min time", v, 0, 1);
    } else if (strcmp(a, "--timeout") == 0) {
        o->timeout = number("timeout", v, 0, 1);
    } else if (strcmp(a, "--mem-limit") == 0) {
        o->mem_limit = parse_bytes("mem limit", v);
    } else if (strcmp(a, "--gc-threshold") == 0) {
        unsigned t[3];
        if (parse_thresholds(v, t, err, sizeof err) < 0)
            usage("%s%s", err, "");
        snprintf(o->gc_threshold, sizeof o->gc_threshold, "%u,%u,%u", t[0], t[1], t[2]);
    } else if (strcmp(a, "--sample-ms") == 0) {
        o->sample_ms = number("sample interval", v, 0, 1);
    } else if (strcmp(a, "--batch") == 0) {
        if (parse_count(v, &o->batch, err, sizeof err) < 0)
            usage("%s%s", err, "");
    } else if (strcmp(a, "--pin") == 0) {
        double d = number("pin", v, 0, 0);
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        if (d != floor(d) || d >= (double)ncpu) {
            char cpus[32];
            snprintf(cpus, sizeof cpus, "0..%ld", ncpu - 1);
            usage("bad pin '%s': expected a CPU number in %s", v, cpus);
        }
        o->pin = (int)d;
    } else if (strcmp(a, "--out") == 0) {
        o->out = v;
    } else if (strcmp(a, "--resume") == 0) {
        o->resume = v;
    } else {
        usage("unknown option '%s' (see memstrat help)%s", a, "");
    }
}

/* Parse argv (after "run"); --opt=value and --opt value both work.
   Returns the matrix options, one string per line, for matrix.args. */
static char *parse_args(run_opts *o, int argc, char **argv)
{
    char *saved = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&saved, &len);
    for (int i = 0; i < argc; i++) {
        char a[64];
        const char *v, *eq = strchr(argv[i], '=');
        if (strcmp(argv[i], "--dry-run") == 0) {
            o->dry_run = 1;
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0)
            usage("unexpected argument '%s' (options start with --)%s", argv[i], "");
        if (eq) {
            snprintf(a, sizeof a, "%.*s", (int)(eq - argv[i]), argv[i]);
            v = eq + 1;
        } else {
            snprintf(a, sizeof a, "%s", argv[i]);
            if (i + 1 >= argc)
                usage("option %s needs a value%s", a, "");
            v = argv[++i];
        }
        parse_option(o, a, v);
        if (is_matrix_option(a))
            fprintf(f, "%s\n%s\n", a, v);
    }
    fclose(f);
    return saved;
}

/* ---- the matrix -------------------------------------------------------- */

static void fmt_hf(char *buf, size_t n, double hf)
{
    snprintf(buf, n, "%g", hf);
}

/* The runner own-heap strategies use: glibc when asked for, else the first. */
static const char *own_heap_runner(const run_opts *o)
{
    for (size_t i = 0; i < o->nb; i++)
        if (strcmp(o->b[i], "glibc") == 0)
            return o->b[i];
    return o->b[0];
}

static size_t expand(const run_opts *o, cell_spec **out)
{
    size_t cap = 64, n = 0;
    cell_spec *c = malloc(cap * sizeof *c);
    for (size_t wi = 0; wi < o->nw; wi++)
    for (size_t si = 0; si < o->ns; si++)
    for (size_t bi = 0; bi < o->nb; bi++)
    for (size_t pi = 0; pi < o->np; pi++)
    for (size_t hi = 0; hi < o->nhf; hi++)
    for (size_t xi = 0; xi < o->nwin; xi++)
    for (size_t zi = 0; zi < o->nsizes; zi++) {
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
                          .k = w->params & WL_K ? o->k : 0 };
        /* n/a: an own-heap strategy runs on one runner only, and a reference
           series has loops for some workloads only. */
        x->na = ((s->flags & STRAT_OWN_HEAP) && strcmp(x->backend, own_heap_runner(o)) != 0) ||
                strategy_workload(s, w->name) == NULL;
        int len = snprintf(x->id, sizeof x->id, "%s-%s-%s-%llu", w->name, s->name, x->backend,
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
            snprintf(x->id + len, sizeof x->id - (size_t)len, "-k%u", x->k);
    }
    *out = c;
    return n;
}

/* A rough cost model for --dry-run and the ETA: ~40 ns per operation, each
   repetition at least --min-time, plus warm-up, a statistics run and the
   process start. */
static double estimate_s(const run_opts *o, const cell_spec *c)
{
    if (c->na)
        return 0;
    double ops = (double)c->n * (c->k ? c->k + 1 : 1);
    double once = ops * 40e-9;
    return 0.05 + 3 * once + o->reps * fmax(o->min_time, once) * 1.3;
}

static void fmt_duration(char *buf, size_t n, double s)
{
    if (s < 60)
        snprintf(buf, n, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, n, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

/* ---- files ------------------------------------------------------------- */

static void utc_now(char *buf, size_t n, const char *fmt)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, fmt, &tm);
}

static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len = getdelim(&buf, &cap, '\0', f);
    fclose(f);
    if (len < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

/* First line of a command's output, trimmed; "unknown" if it fails. */
static void command_line_of(const char *cmd, char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return;
    char line[512];
    if (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (*line)
            snprintf(buf, n, "%s", line);
    }
    pclose(p);
}

static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');
            if (v) {
                v += 2;
                v[strcspn(v, "\n")] = '\0';
                snprintf(buf, n, "%s", v);
            }
            break;
        }
    fclose(f);
}

typedef struct run_ctx {
    run_opts o;
    char dir[2048];
    char bindir[2048];
    char cmdline[4096];
    char started[32];
    char commit[128];           /* git describe of the source tree */
    char *machine;              /* meta.json's fields that do not change
                                   during a run, from "host" to "libraries" */
    table t;
} run_ctx;

/* What meta.json says about the machine, the build and the libraries: asked
   once per run (it runs git and every runner), reused by each write_meta. */
static void describe_machine(run_ctx *x)
{
    char s[512], cmd[4200];
    size_t len = 0;
    FILE *f = open_memstream(&x->machine, &len);
    struct utsname u;
    uname(&u);
    snprintf(cmd, sizeof cmd,
             "cd '%s/..' && git describe --always --dirty --abbrev=12 2>/dev/null", x->bindir);
    command_line_of(cmd, x->commit, sizeof x->commit);
    fprintf(f, "  \"host\": ");
    json_string(f, u.nodename);
    cpu_model(s, sizeof s);
    fprintf(f, ",\n  \"cpu_model\": ");
    json_string(f, s);
    fprintf(f, ",\n  \"cores\": %ld", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(f, ",\n  \"memory_bytes\": %llu",
            (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE));
    snprintf(s, sizeof s, "%s %s %s", u.sysname, u.release, u.machine);
    fprintf(f, ",\n  \"kernel\": ");
    json_string(f, s);
    command_line_of("cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null",
                    s, sizeof s);
    fprintf(f, ",\n  \"cpu_governor\": ");
    json_string(f, s);
    fprintf(f, ",\n  \"compiler\": ");
    json_string(f, "gcc " __VERSION__);
    fprintf(f, ",\n  \"cflags\": ");
    json_string(f, "-std=c11 -Wall -Wextra -Werror " MEMSTRAT_CFLAGS);
    fprintf(f, ",\n  \"pinned_cpu\": %d", x->o.pin);
    fprintf(f, ",\n  \"libraries\": {\n    \"google_benchmark\": ");
    json_string(f, MEMSTRAT_GBENCH_VERSION);
    /* Ask each runner: the versions are those of the libraries it loads. */
    for (size_t i = 0; i < x->o.nb; i++) {
        PATHF(cmd, "'%s/cell-%s' --version 2>/dev/null", x->bindir, x->o.b[i]);
        FILE *p = popen(cmd, "r");
        char line[256];
        while (p && fgets(line, sizeof line, p)) {
            line[strcspn(line, "\n")] = '\0';
            char *sp = strchr(line, ' ');
            if (sp == NULL || (i > 0 && strncmp(line, x->o.b[i], strlen(x->o.b[i])) != 0))
                continue;       /* own-heap libraries: once is enough */
            *sp = '\0';
            fprintf(f, ",\n    ");
            json_string(f, line);
            fprintf(f, ": ");
            json_string(f, sp + 1);
        }
        if (p)
            pclose(p);
    }
    fprintf(f, "\n  }\n");
    fclose(f);
}

static void write_meta(run_ctx *x, const char *ended)
{
    char *buf = NULL, path[4200];
    size_t len = 0;
    if (x->machine == NULL)
        describe_machine(x);
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\n  \"memstrat_commit\": ");
    json_string(f, x->commit);
    fprintf(f, ",\n  \"command\": ");
    json_string(f, x->cmdline);
    fprintf(f, ",\n  \"started_utc\": ");
    json_string(f, x->started);
    fprintf(f, ",\n  \"ended_utc\": ");
    json_string(f, ended ? ended : "");
    fprintf(f, ",\n%s}\n", x->machine);
    PATHF(path, "%s/meta.json", x->dir);
    memstream_commit(f, &buf, &len, path);
}

/* growth.csv: for every policy, the capacity a list gets at each resize up
   to the largest size of the matrix -- what the list-growth chart draws,
   kept with the run so that charts need nothing but the run directory. */
static void write_growth(run_ctx *x)
{
    char *buf = NULL, path[4200];
    size_t len = 0;
    uint64_t max = 0;
    for (size_t i = 0; i < x->o.nsizes; i++)
        max = x->o.sizes[i] > max ? x->o.sizes[i] : max;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "policy,length,capacity\n");
    for (const growth_policy *const *p = growth_policies; *p; p++) {
        size_t cap = 0;
        for (size_t n = 1; n <= max; n++)
            if (n > cap) {
                cap = growth_capacity(*p, cap, n);
                fprintf(f, "%s,%zu,%zu\n", (*p)->name, n, cap);
            }
    }
    PATHF(path, "%s/growth.csv", x->dir);
    memstream_commit(f, &buf, &len, path);
}

static void save_tables(run_ctx *x)
{
    char path[4200];
    PATHF(path, "%s/cells.csv", x->dir);
    if (table_write_csv(path, &x->t) < 0)
        fprintf(stderr, "memstrat run: cannot write %s: %s\n", path, strerror(errno));
    PATHF(path, "%s/series.csv", x->dir);
    write_series_csv(path, &x->t);
}

/* ---- one cell ---------------------------------------------------------- */

/* The cell's resident set, from /proc/PID/stat (field 24, in pages), not
   /proc/PID/statm: on Linux 6.x statm sums the per-CPU RSS counters exactly,
   taking a lock the cell's own page faults contend for, and polled every
   2 ms it made pool on mimalloc 10x slower (9.7 -> 96.5 ns per append at
   1e6).  stat reads the same counters approximately, without the lock. */
static long rss_kb_of(pid_t pid)
{
    char path[64];
    PATHF(path, "/proc/%d/stat", (int)pid);
    char *s = read_small_file(path);
    long resident = 0;
    char *p = s ? strrchr(s, ')') : NULL;     /* the command may hold spaces */
    if (p) {
        /* After ") " come fields 3, 4, ...: skip to field 24. */
        for (int field = 2; field < 24 && p; field++)
            p = strchr(p + 1, ' ');
        if (p)
            resident = strtol(p + 1, NULL, 10);
    }
    free(s);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Last non-empty line of the cell's log: its own account of a failure. */
static void last_line(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    char *s = read_small_file(path);
    if (s == NULL)
        return;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        s[--len] = '\0';
    char *nl = strrchr(s, '\n');
    snprintf(buf, n, "%s", nl ? nl + 1 : s);
    free(s);
}

static void set_spec_columns(row *r, const cell_spec *c)
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
}

/* Fill the measured columns from the cell's KEY VALUE result file. */
static int read_result(row *r, const char *path, long peak_kb)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char key[64], val[256];
    double v[NCOLS] = { 0 };
    double final_len = 0, final_cap = 0, in_place = 0, pause_total = -1, pause_max = -1;
    while (fscanf(f, "%63s %255[^\n]", key, val) >= 1) {
        for (int c = 0; c < NCOLS; c++)
            if (strcmp(key, column_names[c]) == 0) {
                row_set(r, (enum column)c, "%s", val);
                v[c] = atof(val);
            }
        if (strcmp(key, "final_len") == 0) final_len = atof(val);
        if (strcmp(key, "final_cap") == 0) final_cap = atof(val);
        if (strcmp(key, "resizes_in_place") == 0) in_place = atof(val);
        if (strcmp(key, "pause_total_ns") == 0) pause_total = atof(val);
        if (strcmp(key, "pause_max_ns") == 0) pause_max = atof(val);
        val[0] = '\0';
    }
    fclose(f);
    long above = peak_kb - (long)v[COL_baseline_rss_kb];
    row_set(r, COL_rss_above_baseline_kb, "%ld", above);
    row_set(r, COL_rss_overhead, "%.4f", v[COL_live_peak_bytes] > 0
            ? (double)above * 1024 / v[COL_live_peak_bytes] : NAN);
    row_set(r, COL_final_slack, "%.4f", final_len > 0 ? final_cap / final_len : NAN);
    row_set(r, COL_in_place_share, "%.4f", v[COL_resizes] > 0 ? in_place / v[COL_resizes] : NAN);
    if (v[COL_resizes] == 0) {
        row_set(r, COL_growth_mean, "NaN");
        row_set(r, COL_growth_last, "NaN");
    }
    /* Pauses in ns become ms; a cell that reported them as "-" keeps it. */
    if (pause_total >= 0)
        row_set(r, COL_pause_total_ms, "%.4f", pause_total / 1e6);
    if (pause_max >= 0)
        row_set(r, COL_pause_max_ms, "%.4f", pause_max / 1e6);
    return 0;
}

enum { KILLED_NOT, KILLED_TIMEOUT, KILLED_MEMORY, KILLED_STOP };

static void run_cell(run_ctx *x, const cell_spec *c, row *r, int tty,
                     const char *progress_prefix)
{
    const run_opts *o = &x->o;
    char exe[2200], result[4400], json[4400], log[4400], latency[4400], timeline[4400];
    char size[32], hf[32], win[32], k[32], reps[32], mt[32], batch[32];
    PATHF(exe, "%s/cell-%s", x->bindir, c->backend);
    PATHF(result, "%s/raw/%s.result", x->dir, c->id);
    PATHF(json, "%s/raw/%s.json.tmp", x->dir, c->id);
    PATHF(log, "%s/logs/%s.log", x->dir, c->id);
    PATHF(latency, "%s/latency/%s.csv", x->dir, c->id);
    PATHF(timeline, "%s/timeline/%s.csv", x->dir, c->id);
    snprintf(batch, sizeof batch, "%llu", (unsigned long long)o->batch);
    snprintf(size, sizeof size, "%llu", (unsigned long long)c->n);
    fmt_hf(hf, sizeof hf, c->hf ? c->hf : HEAP_FACTOR_DEFAULT);
    snprintf(win, sizeof win, "%lld", (long long)(c->win > 0 ? c->win : 0));
    snprintf(k, sizeof k, "%u", c->k ? c->k : 3);
    snprintf(reps, sizeof reps, "%d", o->reps);
    snprintf(mt, sizeof mt, "%g", o->min_time);
    char *argv[] = { exe, "--workload", (char *)c->w->name, "--strategy", (char *)c->s->name,
                     "--size", size, "--policy", (char *)(c->p ? c->p->name : "cpython"),
                     "--heap-factor", hf, "--window", win, "--k", k, "--reps", reps,
                     "--min-time", mt, "--gc-threshold", (char *)o->gc_threshold,
                     "--batch", batch, "--latency", latency,
                     "--result", result, "--json", json, NULL };
    remove(result);

    double t0 = (double)clock_ns() / 1e9;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (o->pin >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(o->pin, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        if (o->mem_limit) {
            struct rlimit rl = { o->mem_limit, o->mem_limit };
            setrlimit(RLIMIT_DATA, &rl);
        }
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(exe, argv);
        fprintf(stderr, "failed: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        row_set(r, COL_status, "failed: fork: %s", strerror(errno));
        return;
    }
    setpgid(pid, pid);

    /* The parent samples the cell's RSS every --sample-ms, from /proc/PID/stat
       (not statm, which disturbed cells: see rss_kb_of): the kill checks use
       it, and the samples become timeline/CELL.csv. */
    int status = 0, killed = KILLED_NOT;
    struct rusage ru;
    double last_shown = 0;
    FILE *tl = NULL;
    char tl_tmp[4410];
    PATHF(tl_tmp, "%s.tmp", timeline);
    if ((tl = fopen(tl_tmp, "w")) != NULL)
        fprintf(tl, "elapsed_s,rss_kb\n");
    struct timespec tick = { (time_t)(o->sample_ms / 1000),
                             (long)(fmod(o->sample_ms, 1000) * 1e6) };
    for (;;) {
        pid_t w = wait4(pid, &status, killed ? 0 : WNOHANG, &ru);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR)
            break;
        if (killed)
            continue;
        double now = (double)clock_ns() / 1e9;
        long rss = rss_kb_of(pid);
        if (tl && rss > 0)
            fprintf(tl, "%.4f,%ld\n", now - t0, rss);
        if (now - t0 > o->timeout)
            killed = KILLED_TIMEOUT;
        else if (o->mem_limit && (uint64_t)rss * 1024 > o->mem_limit)
            killed = KILLED_MEMORY;
        else if (stop_requested)
            killed = KILLED_STOP;
        if (killed) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            continue;
        }
        if (tty && now - last_shown > 0.25) {
            fprintf(stderr, "\r\033[K%s running %.1fs, RSS %.1f MiB", progress_prefix,
                    now - t0, (double)rss / 1024);
            last_shown = now;
        }
        nanosleep(&tick, NULL);
    }
    if (tl && (fclose(tl) != 0 || rename(tl_tmp, timeline) != 0))
        remove(tl_tmp);
    double wall = (double)clock_ns() / 1e9 - t0;
    char when[32], why[512];
    utc_now(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ");
    row_set(r, COL_wall_s, "%.3f", wall);
    row_set(r, COL_finished_at, "%s", when);
    row_set(r, COL_peak_rss_kb, "%ld", ru.ru_maxrss);
    row_set(r, COL_minor_faults, "%ld", ru.ru_minflt);
    row_set(r, COL_major_faults, "%ld", ru.ru_majflt);
    last_line(log, why, sizeof why);

    if (killed == KILLED_TIMEOUT) {
        row_set(r, COL_status, "timeout");
    } else if (killed == KILLED_MEMORY) {
        row_set(r, COL_status, "oom");
    } else if (killed == KILLED_STOP) {
        row_set(r, COL_status, "interrupted");
    } else if (WIFSIGNALED(status)) {
        row_set(r, COL_status, "failed: crashed with signal %d (%s)", WTERMSIG(status),
                strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) == EXIT_OOM_CELL) {
        row_set(r, COL_status, "oom");
    } else if (WEXITSTATUS(status) == EXIT_NA_CELL) {
        /* Not a failure: say why once, keep the cell as n/a. */
        row_set(r, COL_status, "n/a");
        row_set(r, COL_backend_version, "-");
        fprintf(stderr, "%s%s  note: %s\n", tty ? "\r\033[K" : "", c->id, why);
    } else if (WEXITSTATUS(status) != 0) {
        const char *msg = strncmp(why, "failed: ", 8) == 0 ? why + 8 : why;
        row_set(r, COL_status, "failed: %s", *msg ? msg : "no message");
    } else if (read_result(r, result, ru.ru_maxrss) < 0) {
        row_set(r, COL_status, "failed: the cell wrote no result");
    } else {
        char final_json[4400];
        PATHF(final_json, "%s/raw/%s.json", x->dir, c->id);
        rename(json, final_json);
        row_set(r, COL_status, "ok");
    }
    remove(result);
    remove(json);
}

/* ---- the run ----------------------------------------------------------- */

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

static void mkdirs(const char *path)
{
    char buf[4200];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    mkdir(buf, 0755);
}

/* results/latest -> the newest run, replaced atomically. */
static void update_latest(const char *dir)
{
    char parent[4200], tmp[4300], link[4300];
    PATHF(parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    const char *base = slash ? slash + 1 : parent;
    if (slash)
        *slash = '\0';
    else
        PATHF(parent, ".");
    PATHF(tmp, "%s/.latest.tmp", parent);
    PATHF(link, "%s/latest", parent);
    remove(tmp);
    if (symlink(base, tmp) == 0)
        rename(tmp, link);
}

static void load_saved_args(run_opts *o, const char *dir)
{
    char path[4200];
    PATHF(path, "%s/matrix.args", dir);
    char *s = read_small_file(path);
    if (s == NULL)
        usage("--resume %s: no matrix.args there (not a memstrat run directory)%s", dir, "");
    char *save = NULL;
    for (char *a = strtok_r(s, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
        char *v = strtok_r(NULL, "\n", &save);
        if (v == NULL)
            break;
        parse_option(o, a, v);
    }
    free(s);
}

int run_main(int argc, char **argv)
{
    static run_ctx ctx;
    run_ctx *x = &ctx;
    run_opts *o = &x->o;
    set_defaults(o);

    /* --resume DIR first loads the matrix it was started with; options given
       now (say, a longer --timeout) apply on top. */
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], "--resume") == 0)
            load_saved_args(o, argv[i + 1]);
        else if (strncmp(argv[i], "--resume=", 9) == 0)
            load_saved_args(o, argv[i] + 9);
    char *matrix_args = parse_args(o, argc, argv);
    if (o->resume && o->out && strcmp(o->resume, o->out) != 0)
        usage("--resume %s and --out %s disagree: give one directory", o->resume, o->out);
    exe_dir(x->bindir, sizeof x->bindir);
    for (size_t i = 0; i < o->nb; i++) {
        char exe[2200];
        PATHF(exe, "%s/cell-%s", x->bindir, o->b[i]);
        if (access(exe, X_OK) != 0)
            usage("no runner %s for backend '%s': run make first", exe, o->b[i]);
    }

    cell_spec *cells;
    size_t ncells = expand(o, &cells);
    double total_est = 0;
    for (size_t i = 0; i < ncells; i++)
        total_est += estimate_s(o, &cells[i]);

    if (o->dry_run) {
        char d[32];
        for (size_t i = 0; i < ncells; i++)
            printf("%s%s\n", cells[i].id, cells[i].na ? "  (n/a: not run)" : "");
        fmt_duration(d, sizeof d, total_est);
        printf("%zu cells, estimated time ~%s (at ~40 ns per operation)\n", ncells, d);
        free(cells);
        free(matrix_args);
        return 0;
    }

    /* The run directory. */
    char host[256] = "host";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    for (char *p = host; *p; p++)
        if (*p == '/' || *p == ' ')
            *p = '_';
    if (o->resume) {
        snprintf(x->dir, sizeof x->dir, "%s", o->resume);
        char path[4200], err[512];
        PATHF(path, "%s/cells.csv", x->dir);
        if (access(path, F_OK) == 0 && table_read_csv(path, &x->t, err, sizeof err) < 0)
            usage("--resume: %s%s", err, "");
    } else if (o->out) {
        snprintf(x->dir, sizeof x->dir, "%s", o->out);
    } else {
        char stamp[32];
        utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
        snprintf(x->dir, sizeof x->dir, "results/%s-%s", stamp, host);
    }
    char sub[4200];
    PATHF(sub, "%s/raw", x->dir);
    mkdirs(sub);
    PATHF(sub, "%s/logs", x->dir);
    mkdirs(sub);
    PATHF(sub, "%s/timeline", x->dir);
    mkdirs(sub);
    PATHF(sub, "%s/latency", x->dir);
    mkdirs(sub);
    if (!o->resume) {
        PATHF(sub, "%s/matrix.args", x->dir);
        write_file_atomic(sub, matrix_args, strlen(matrix_args));
    }
    free(matrix_args);
    update_latest(x->dir);

    size_t used = 0;
    for (int i = -1; i < argc && used < sizeof x->cmdline - 1; i++)
        used += (size_t)snprintf(x->cmdline + used, sizeof x->cmdline - used, "%s%s",
                                 i < 0 ? "memstrat run" : " ", i < 0 ? "" : argv[i]);
    utc_now(x->started, sizeof x->started, "%Y-%m-%dT%H:%M:%SZ");
    write_meta(x, NULL);
    write_growth(x);

    struct sigaction sa = { .sa_handler = on_stop };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int tty = isatty(2);
    double t_start = (double)clock_ns() / 1e9, est_done = 0;
    size_t failed = 0, skipped = 0;
    fprintf(stderr, "memstrat: %zu cells -> %s (estimated ~%.0fs)\n", ncells, x->dir, total_est);
    for (size_t i = 0; i < ncells && !stop_requested; i++) {
        const cell_spec *c = &cells[i];
        row *r = table_find(&x->t, c->id);
        if (r && strcmp(row_get(r, COL_status), "interrupted") != 0) {
            skipped++;                      /* finished in an earlier run */
            est_done += estimate_s(o, c);
            if (strcmp(row_get(r, COL_status), "ok") != 0 &&
                strcmp(row_get(r, COL_status), "n/a") != 0)
                failed++;
            continue;
        }
        if (r == NULL)
            r = table_add(&x->t);
        for (int col = 0; col < NCOLS; col++) {
            free(r->v[col]);
            r->v[col] = NULL;
        }
        set_spec_columns(r, c);
        char prefix[300];
        snprintf(prefix, sizeof prefix, "[%*zu/%zu] %s", ncells > 99 ? 3 : 2, i + 1, ncells, c->id);
        if (c->na) {
            row_set(r, COL_backend_version, "-");
            row_set(r, COL_status, "n/a");
        } else {
            run_cell(x, c, r, tty, prefix);
        }
        est_done += estimate_s(o, c);
        const char *st = row_get(r, COL_status);
        int ok = strcmp(st, "ok") == 0 || strcmp(st, "n/a") == 0;
        if (!ok && strcmp(st, "interrupted") != 0)
            failed++;
        save_tables(x);

        double elapsed = (double)clock_ns() / 1e9 - t_start;
        double eta = est_done > 0 ? (total_est - est_done) * elapsed / est_done : 0;
        char e1[32], e2[32], what[400];
        fmt_duration(e1, sizeof e1, elapsed);
        fmt_duration(e2, sizeof e2, eta);
        if (strcmp(st, "ok") == 0)
            snprintf(what, sizeof what, "ok %.2f ns/op (cv %.1f%%), RSS +%.1f MiB", 
                     atof(row_get(r, COL_ns_median)), 100 * atof(row_get(r, COL_cv)),
                     atof(row_get(r, COL_rss_above_baseline_kb)) / 1024);
        else
            snprintf(what, sizeof what, "%s", st);
        fprintf(stderr, "%s%s  %s  [%s, ETA %s]\n", tty ? "\r\033[K" : "", prefix, what, e1, e2);
        if (strcmp(st, "ok") == 0 && atof(row_get(r, COL_cv)) > 0.05)
            fprintf(stderr, "    warning: cv %.1f%% > 5%%: noisy; more --reps or --min-time, or --pin\n",
                    100 * atof(row_get(r, COL_cv)));
    }
    if (skipped)
        fprintf(stderr, "memstrat: %zu cells were already finished and kept\n", skipped);

    char ended[32];
    utc_now(ended, sizeof ended, "%Y-%m-%dT%H:%M:%SZ");
    save_tables(x);
    write_meta(x, stop_requested ? NULL : ended);
    table_free(&x->t);
    free(x->machine);
    free(cells);

    if (stop_requested) {
        fprintf(stderr, "memstrat: interrupted; finished cells are in %s; "
                        "continue with: memstrat run --resume %s\n", x->dir, x->dir);
        return EXIT_INTERRUPTED;
    }
    fprintf(stderr, "memstrat: %zu cells, %zu failed; results in %s/cells.csv\n",
            ncells, failed, x->dir);
    printf("%s\n", x->dir);
    return failed ? EXIT_FAILED_BASE + (int)(failed > 63 ? 63 : failed) : 0;
}
