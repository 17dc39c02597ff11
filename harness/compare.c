/*
 * harness/compare.c -- `memstrat compare`: is B faster than A, with evidence.
 *
 *   memstrat compare A B                    two runs, cell by cell
 *   memstrat compare RUN --a K=V --b K=V    within one run, along one dimension
 *                                           (backend=glibc vs backend=mimalloc)
 *
 * Per cell: the ratio of the medians over trials B/A, its 95% interval (the
 * Hodges-Lehmann interval of the shift of log times, so it agrees with the
 * test), the Mann-Whitney U p-value over the trials, and a verdict -- faster
 * or slower only when p < 0.05 *and* the ratio is beyond --threshold, as
 * Google Benchmark's compare.py and pyperf's compare_to do; else same.  Per
 * workload: the geometric mean of the ratios with a bootstrap interval.
 * Peak RSS is compared the same way.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drift.h"
#include "exits.h"
#include "options.h"
#include "results.h"
#include "run.h"
#include "runner.h"
#include "stats.h"

#define BOOTSTRAP 2000          /* resamples for a geometric mean's interval */
#define MIN_TRIALS_FOR_5PCT 4   /* below, the U test cannot reach p < 0.05 */
#define RSS_FLOOR_KB 4          /* a page: memory above baseline below it is noise */

typedef struct run_data {
    const char *dir;
    table cells, trials;
} run_data;

/* One matched pair of cells. */
typedef struct pair {
    const row *a, *b;
    double *ta, *tb, *ra, *rb;  /* trial times and peak RSS */
    size_t na, nb, nra, nrb;
} pair;

typedef struct verdict {
    double ratio, lo, hi, level, p;
    const char *word;
} verdict;

/* A cell one run has and the other could not measure: never dropped in
   silence. */
typedef struct unmatched {
    const row *a, *b;
} unmatched;
static unmatched *broken;
static size_t nbroken;

static void note_broken(const row *a, const row *b)
{
    broken = realloc(broken, (nbroken + 1) * sizeof *broken);
    broken[nbroken++] = (unmatched){ a, b };
}

typedef struct cmp_opts {
    const char *dir_a, *dir_b, *sel_a, *sel_b;
    double threshold;           /* a fraction: 0.05 */
    double fail_slower;         /* a fraction, or < 0: off */
    int csv, md, common;
} cmp_opts;

static _Noreturn void cmp_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void cmp_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "memstrat compare: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

static void load_run(run_data *r, const char *dir)
{
    char path[4200], err[512];
    r->dir = dir;
    PATHF(path, "%s/cells.csv", dir);
    if (access(dir, F_OK) != 0)
        cmp_usage("no such run directory: %s", dir);
    if (access(path, F_OK) != 0)
        cmp_usage("%s holds no run (no cells.csv)", dir);
    if (table_read_csv(path, &r->cells, 0, NULL, err, sizeof err) < 0)
        cmp_usage("%s", err);
    PATHF(path, "%s/trials.csv", dir);
    if (access(path, F_OK) != 0)
        cmp_usage("%s has no trials.csv (a run made before trials): nothing to test", dir);
    if (table_read_csv(path, &r->trials, 1, NULL, err, sizeof err) < 0)
        cmp_usage("%s", err);
}

/* The ok, clean trials' values of column c for cell x: its id, on its host
   (a run merged from several hosts holds one cell once per host).  A
   contended trial measured another program too: left out, as the run's own
   statistics leave it out. */
static size_t trial_values(const run_data *r, const row *x, enum column c, double **out)
{
    size_t n = 0;
    const char *id = row_get(x, COL_cell), *host = row_get(x, COL_host);
    *out = malloc((r->trials.n + 1) * sizeof **out);
    for (size_t i = 0; i < r->trials.n; i++) {
        const row *t = &r->trials.rows[i];
        if (strcmp(row_get(t, COL_cell), id) == 0 && strcmp(row_get(t, COL_status), "ok") == 0 &&
            (*host == '\0' || strcmp(row_get(t, COL_host), host) == 0) && *row_get(t, c) &&
            !stats_contended(t))
            (*out)[n++] = atof(row_get(t, c));
    }
    return n;
}

/* ---- matching --------------------------------------------------------- */

static const enum column dims[] = { COL_workload, COL_strategy, COL_backend, COL_size,
                                    COL_policy, COL_heap_factor, COL_window, COL_k,
                                    COL_threads, COL_host };
#define NDIMS (sizeof dims / sizeof *dims)

/* "backend=glibc" -> the column and the value. */
static enum column parse_sel(const char *sel, const char **value)
{
    const char *eq = strchr(sel, '=');
    char names[256] = "";
    for (size_t i = 0; i < NDIMS; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 column_names[dims[i]]);
    if (eq == NULL || eq[1] == '\0')
        cmp_usage("bad selection '%s': expected DIMENSION=VALUE, a dimension among %s", sel,
                  names);
    for (size_t i = 0; i < NDIMS; i++)
        if (strlen(column_names[dims[i]]) == (size_t)(eq - sel) &&
            strncmp(sel, column_names[dims[i]], (size_t)(eq - sel)) == 0) {
            *value = eq + 1;
            /* A size as run takes it (1e5, 100k): cells.csv holds 100000. */
            static char sizes[2][32];
            static int which;
            uint64_t n;
            char err[128];
            if (dims[i] == COL_size && parse_count(eq + 1, &n, err, sizeof err) == 0) {
                snprintf(sizes[which], sizeof sizes[0], "%llu", (unsigned long long)n);
                *value = sizes[which];
                which ^= 1;
            }
            return dims[i];
        }
    cmp_usage("unknown dimension in '%s' (valid: %s)", sel, names);
}

/* The cell's coordinates, leaving out one dimension. */
static void key_without(const row *r, enum column skip, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < NDIMS && len < n; i++)
        if (dims[i] != skip)
            len += (size_t)snprintf(buf + len, n - len, "%s|", row_get(r, dims[i]));
}

static int is_ok(const row *r)
{
    return strcmp(row_get(r, COL_status), "ok") == 0;
}

static void fill_pair(pair *p, const row *a, const run_data *ra, const row *b,
                      const run_data *rb)
{
    p->a = a, p->b = b;
    p->na = trial_values(ra, a, COL_ns_median, &p->ta);
    p->nb = trial_values(rb, b, COL_ns_median, &p->tb);
    /* Memory is what the workload cost, the harness's own baseline out
       (peak RSS includes ~4 MB of it, which hid a 10x difference). */
    p->nra = trial_values(ra, a, COL_rss_above_baseline_kb, &p->ra);
    p->nrb = trial_values(rb, b, COL_rss_above_baseline_kb, &p->rb);
}

/* Two runs: the same cell ids.  Different matrices are refused unless
   --common: a comparison that silently drops cells misleads. */
static size_t match_runs(const run_data *A, const run_data *B, int common, pair **out)
{
    size_t only_a = 0, only_b = 0, n = 0;
    const char *ex_a = NULL, *ex_b = NULL;
    *out = calloc(A->cells.n + 1, sizeof **out);
    for (size_t i = 0; i < A->cells.n; i++) {
        const row *a = &A->cells.rows[i], *b = table_find(&B->cells, row_get(a, COL_cell));
        if (b == NULL) {
            only_a++, ex_a = ex_a ? ex_a : row_get(a, COL_cell);
            continue;
        }
        if (is_ok(a) && is_ok(b))
            fill_pair(&(*out)[n++], a, A, b, B);
        else if (is_ok(a) || is_ok(b))
            note_broken(a, b);
    }
    for (size_t i = 0; i < B->cells.n; i++)
        if (table_find(&A->cells, row_get(&B->cells.rows[i], COL_cell)) == NULL)
            only_b++, ex_b = ex_b ? ex_b : row_get(&B->cells.rows[i], COL_cell);
    if ((only_a || only_b) && !common)
        cmp_usage("the runs' matrices differ: %zu cells only in %s%s%s%s, %zu only in %s%s%s%s; "
                  "--common compares the cells both have", only_a, A->dir, ex_a ? " (e.g. " : "",
                  ex_a ? ex_a : "", ex_a ? ")" : "", only_b, B->dir, ex_b ? " (e.g. " : "",
                  ex_b ? ex_b : "", ex_b ? ")" : "");
    return n;
}

/* One run, two values of one dimension: cells alike in everything else. */
static size_t match_within(const run_data *R, const char *sel_a, const char *sel_b, pair **out)
{
    const char *va, *vb;
    enum column da = parse_sel(sel_a, &va), db = parse_sel(sel_b, &vb);
    if (da != db)
        cmp_usage("--a %s and --b %s select along different dimensions: give one", sel_a, sel_b);
    size_t n = 0;
    *out = calloc(R->cells.n + 1, sizeof **out);
    for (size_t i = 0; i < R->cells.n; i++) {
        const row *a = &R->cells.rows[i];
        if (strcmp(row_get(a, da), va) != 0)
            continue;
        char ka[512], kb[512];
        key_without(a, da, ka, sizeof ka);
        for (size_t j = 0; j < R->cells.n; j++) {
            const row *b = &R->cells.rows[j];
            if (strcmp(row_get(b, da), vb) != 0)
                continue;
            key_without(b, da, kb, sizeof kb);
            if (strcmp(ka, kb) != 0)
                continue;
            if (is_ok(a) && is_ok(b))
                fill_pair(&(*out)[n++], a, R, b, R);
            else if ((is_ok(a) || is_ok(b)) && strcmp(row_get(b, COL_status), "n/a") != 0 &&
                     strcmp(row_get(a, COL_status), "n/a") != 0)
                note_broken(a, b);
        }
    }
    return n;
}

/* ---- the statistics --------------------------------------------------- */

static verdict judge(const double *a, size_t na, const double *b, size_t nb, double threshold,
                     double floor_value)
{
    verdict v = { .ratio = NAN, .lo = NAN, .hi = NAN, .p = NAN, .word = "same" };
    if (na == 0 || nb == 0) {
        v.word = "too few trials";  /* every trial of a side contended */
        return v;
    }
    /* Values below a floor (a page, for memory above baseline; nothing
       for time) are the floor: a ratio of 0 to 4 KiB says nothing. */
    double la[na], lb[nb], fa[na], fb[nb];
    for (size_t i = 0; i < na; i++)
        fa[i] = fmax(a[i], floor_value), la[i] = log(fa[i]);
    for (size_t i = 0; i < nb; i++)
        fb[i] = fmax(b[i], floor_value), lb[i] = log(fb[i]);
    v.ratio = stats_median(fb, nb) / stats_median(fa, na);
    double lo, hi;
    v.level = stats_shift_ci(la, na, lb, nb, &lo, &hi);
    v.lo = exp(lo), v.hi = exp(hi);
    v.p = stats_u_test(fa, na, fb, nb);
    int big = fabs(log(v.ratio)) >= log1p(threshold);
    /* No outcome of so few trials could have been significant.  Tested
       first: with ties (memory pages: equal values) the U test's normal
       approximation can fall below the exact law's least p-value. */
    if (big && stats_u_min_p(na, nb) >= STATS_ALPHA)
        v.word = "too few trials";
    else if (v.p < STATS_ALPHA && big)
        v.word = v.ratio > 1 ? "slower" : "faster";
    return v;
}

/* The geometric mean of ratios of medians over a set of pairs, and a
   bootstrap interval: each resample draws every cell's trials again. */
static void geomean(pair *const *ps, size_t n, int rss, double *g, double *lo, double *hi)
{
    double s = 0, fl = rss ? RSS_FLOOR_KB : 0;
    for (size_t i = 0; i < n; i++) {
        const pair *p = ps[i];
        s += rss ? log(fmax(stats_median(p->rb, p->nrb), fl) / fmax(stats_median(p->ra, p->nra), fl))
                 : log(stats_median(p->tb, p->nb) / stats_median(p->ta, p->na));
    }
    *g = exp(s / (double)n);
    double *boot = malloc(BOOTSTRAP * sizeof *boot);
    uint64_t seed = 0x6d656d7374726174ull;          /* fixed: the same answer each time */
    for (int k = 0; k < BOOTSTRAP; k++) {
        double t = 0;
        for (size_t i = 0; i < n; i++) {
            const pair *p = ps[i];
            size_t na = rss ? p->nra : p->na, nb = rss ? p->nrb : p->nb;
            const double *a = rss ? p->ra : p->ta, *b = rss ? p->rb : p->tb;
            double ra[na], rb[nb];
            for (size_t j = 0; j < na; j++)
                ra[j] = a[stats_splitmix64(&seed) % na];
            for (size_t j = 0; j < nb; j++)
                rb[j] = b[stats_splitmix64(&seed) % nb];
            t += log(fmax(stats_median(rb, nb), fl) / fmax(stats_median(ra, na), fl));
        }
        boot[k] = t / (double)n;
    }
    /* The percentile interval. */
    *lo = exp(stats_quantile(boot, BOOTSTRAP, 0.025));
    *hi = exp(stats_quantile(boot, BOOTSTRAP, 0.975));
    free(boot);
}

/* ---- output ----------------------------------------------------------- */

/* Memory is smaller or larger, not faster or slower. */
static const char *word(const verdict *v, int rss)
{
    if (!rss)
        return v->word;
    return strcmp(v->word, "faster") == 0 ? "smaller"
           : strcmp(v->word, "slower") == 0 ? "larger" : v->word;
}

static const char *fmt_p(double p, char *buf, size_t n)
{
    if (isnan(p))
        snprintf(buf, n, "-");
    else if (p < 0.001)
        snprintf(buf, n, "<0.001");
    else
        snprintf(buf, n, "%.3f", p);
    return buf;
}

/* What the verdict rests on, when it is less than it seems: trials that
   fall into separate modes, or fewer clean trials than the run asked for
   (the rest shared their CPU and the retries ran out). */
static const char *cell_note(const pair *p)
{
    int bimodal = atoi(row_get(p->a, COL_modes)) > 1 || atoi(row_get(p->b, COL_modes)) > 1;
    int short_ = atoi(row_get(p->a, COL_trials_short)) > 0 ||
                 atoi(row_get(p->b, COL_trials_short)) > 0;
    return bimodal && short_ ? "bimodal; short of clean trials"
           : bimodal         ? "bimodal"
           : short_          ? "short of clean trials" : "";
}

static void print_csv(pair *ps, size_t n, const cmp_opts *o)
{
    printf("cell,a_cell,b_cell,a_ns,b_ns,ratio,ci_lo,ci_hi,p,verdict,a_trials,b_trials,"
           "a_rss_kb,b_rss_kb,rss_ratio,rss_ci_lo,rss_ci_hi,rss_p,rss_verdict,note,ci_level,"
           "rss_ci_level\n");
    for (size_t i = 0; i < n; i++) {
        pair *p = &ps[i];
        verdict t = judge(p->ta, p->na, p->tb, p->nb, o->threshold, 0);
        verdict m = judge(p->ra, p->nra, p->rb, p->nrb, o->threshold, RSS_FLOOR_KB);
        printf("%s,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4g,%s,%zu,%zu,%.0f,%.0f,%.4f,%.4f,%.4f,%.4g,"
               "%s,%s,%.3f,%.3f\n", row_get(p->a, COL_cell), row_get(p->a, COL_cell),
               row_get(p->b, COL_cell), stats_median(p->ta, p->na), stats_median(p->tb, p->nb),
               t.ratio, t.lo, t.hi, t.p, t.word, p->na, p->nb, stats_median(p->ra, p->nra),
               stats_median(p->rb, p->nrb), m.ratio, m.lo, m.hi, m.p, word(&m, 1), cell_note(p),
               t.level, m.level);
    }
}

/* One table (time or RSS), text or Markdown. */
static void print_table(pair *ps, size_t n, const cmp_opts *o, int rss, size_t counts[3])
{
    const char *unit = rss ? "KiB" : "ns/op";
    char pb[16];
    if (o->md)
        printf("| cell | A %s | B %s | B/A | CI (its level) | p | verdict |\n"
               "|---|---:|---:|---:|---|---:|---|\n", unit, unit);
    else
        printf("%-52s %11s %11s %7s %23s %7s  %s\n", "cell", rss ? "A KiB+" : "A ns/op",
               rss ? "B KiB+" : "B ns/op", "B/A", "[CI] level", "p", "verdict");
    for (size_t i = 0; i < n; i++) {
        pair *p = &ps[i];
        const double *a = rss ? p->ra : p->ta, *b = rss ? p->rb : p->tb;
        size_t na = rss ? p->nra : p->na, nb = rss ? p->nrb : p->nb;
        verdict v = judge(a, na, b, nb, o->threshold, rss ? RSS_FLOOR_KB : 0);
        counts[strcmp(v.word, "faster") == 0 ? 0 : strcmp(v.word, "slower") == 0 ? 1 : 2]++;
        char ci[64];
        snprintf(ci, sizeof ci, "[%.3f, %.3f] %.0f%%", v.lo, v.hi, 100 * v.level);
        const char *note = rss ? "" : cell_note(p);
        if (o->md)
            printf("| %s | %.4g | %.4g | %.3f | %s | %s | %s%s%s |\n", row_get(p->a, COL_cell),
                   stats_median(a, na), stats_median(b, nb), v.ratio, ci, fmt_p(v.p, pb, sizeof pb),
                   word(&v, rss), *note ? ", " : "", note);
        else
            printf("%-52s %11.4g %11.4g %7.3f %23s %7s  %s%s%s%s\n", row_get(p->a, COL_cell),
                   stats_median(a, na), stats_median(b, nb), v.ratio, ci,
                   fmt_p(v.p, pb, sizeof pb), word(&v, rss), *note ? " (" : "", note, *note ? ")" : "");
    }
}

/* Per workload: the geometric mean of the ratios, its interval, the counts. */
static void print_summary(pair *ps, size_t n, const cmp_opts *o, int rss)
{
    const char *done[64];
    size_t nd = 0;
    const char *up = rss ? "smaller" : "faster", *down = rss ? "larger" : "slower";
    if (o->md)
        printf("\n| workload | cells | geometric mean B/A | 95%% CI | %s | %s | same |\n"
               "|---|---:|---:|---|---:|---:|---:|\n", up, down);
    else
        printf("\n%-14s %6s %10s %17s %7s %7s %7s\n", "workload", "cells", "geo. mean",
               "[95% CI]", up, down, "same");
    for (size_t i = 0; i < n; i++) {
        const char *w = row_get(ps[i].a, COL_workload);
        int seen = 0;
        for (size_t k = 0; k < nd; k++)
            seen |= strcmp(done[k], w) == 0;
        if (seen || nd == 64)
            continue;
        done[nd++] = w;
        pair *sel[n];
        size_t m = 0, c[3] = { 0 };
        for (size_t j = 0; j < n; j++)
            if (strcmp(row_get(ps[j].a, COL_workload), w) == 0) {
                pair *p = &ps[j];
                sel[m++] = p;
                verdict v = rss ? judge(p->ra, p->nra, p->rb, p->nrb, o->threshold, RSS_FLOOR_KB)
                                : judge(p->ta, p->na, p->tb, p->nb, o->threshold, 0);
                c[strcmp(v.word, "faster") == 0 ? 0 : strcmp(v.word, "slower") == 0 ? 1 : 2]++;
            }
        double g, lo, hi;
        geomean(sel, m, rss, &g, &lo, &hi);
        char ci[48];
        snprintf(ci, sizeof ci, "[%.3f, %.3f]", lo, hi);
        printf(o->md ? "| %s | %zu | %.3f | %s | %zu | %zu | %zu |\n"
                     : "%-14s %6zu %10.3f %17s %7zu %7zu %7zu\n",
               w, m, g, ci, c[0], c[1], c[2]);
    }
}

static void parse(cmp_opts *o, int argc, char **argv)
{
    const char *pos[2] = { NULL, NULL };
    size_t np = 0;
    *o = (cmp_opts){ .threshold = 0.05, .fail_slower = -1 };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--csv") == 0) { o->csv = 1; continue; }
        if (strcmp(a, "--md") == 0) { o->md = 1; continue; }
        if (strcmp(a, "--common") == 0) { o->common = 1; continue; }
        if (strncmp(a, "--", 2) != 0) {
            if (np == 2)
                cmp_usage("unexpected argument '%s': give two run directories, or one with "
                          "--a and --b", a);
            pos[np++] = a;
            continue;
        }
        if (i + 1 >= argc)
            cmp_usage("option %s needs a value", a);
        const char *v = argv[++i];
        char *end;
        double d = strtod(v, &end);
        if (strcmp(a, "--a") == 0) {
            o->sel_a = v;
        } else if (strcmp(a, "--b") == 0) {
            o->sel_b = v;
        } else if (strcmp(a, "--threshold") == 0 || strcmp(a, "--fail-slower") == 0) {
            if (end == v || *end != '\0' || !(d >= 0 && d < 1000))
                cmp_usage("bad %s '%s': expected a percentage such as 5", a, v);
            *(a[2] == 't' ? &o->threshold : &o->fail_slower) = d / 100;
        } else {
            cmp_usage("unknown option '%s' (valid: --a, --b, --threshold, --fail-slower, --csv, "
                      "--md, --common)", a);
        }
    }
    if (o->csv && o->md)
        cmp_usage("--csv and --md: choose one");
    if ((o->sel_a == NULL) != (o->sel_b == NULL))
        cmp_usage("--a and --b go together");
    if (o->sel_a ? np != 1 : np != 2)
        cmp_usage(o->sel_a ? "--a and --b compare within one run: give one run directory"
                           : "give two run directories (A B), or one with --a and --b");
    o->dir_a = pos[0];
    o->dir_b = pos[1];
}

/* A run with a planted slowdown (MEMSTRAT_PLANT_SLOWDOWN) measures the
   statistics, not the code: say so wherever it is compared. */
static void warn_planted(const run_data *r, const char *which)
{
    char path[4200];
    PATHF(path, "%s/meta.json", r->dir);
    char *m = read_small_file(path);
    const char *p = m ? strstr(m, "\"plant_slowdown_pct\": ") : NULL;
    if (p && atof(p + 22) > 0)
        fprintf(stderr, "memstrat compare: warning: run %s (%s) carries a PLANTED slowdown of %g%%: "
                        "a test of the statistics, not a measurement\n", which, r->dir, atof(p + 22));
    free(m);
}

/* Did every cell move together?  Two runs of one build minutes apart on
   this VM (perf-check-r4, aa1 then aa2) differed by a median 3.5% over all
   290 cells, every significant one the same way (45 slower, 0 faster): the
   machine's speed, not 45 regressions.  A change that touches everything
   (the allocator, the compiler flags) moves every cell too; either way the
   reader must know before reading cell verdicts.  Said when at least 6
   cells are compared (all 6 on one side happens by chance 3% of the time),
   the median ratio is 2% or more from 1, and three in four cells lie on
   its side. */
#define DRIFT_MIN_CELLS 6
#define DRIFT_MIN_SHIFT 0.02
#define DRIFT_MIN_SHARE 0.75

static void warn_common_shift(const pair *ps, size_t n)
{
    if (n < DRIFT_MIN_CELLS)
        return;
    double *lr = malloc(n * sizeof *lr);
    for (size_t i = 0; i < n; i++)
        lr[i] = log(stats_median(ps[i].tb, ps[i].nb) / stats_median(ps[i].ta, ps[i].na));
    double m = stats_median(lr, n);
    size_t side = 0;
    for (size_t i = 0; i < n; i++)
        side += m > 0 ? lr[i] > 0 : lr[i] < 0;
    free(lr);
    double shift = exp(m) - 1, share = (double)side / (double)n;
    if (fabs(shift) >= DRIFT_MIN_SHIFT && share >= DRIFT_MIN_SHARE)
        fprintf(stderr, "memstrat compare: warning: the cells moved together: B is %.1f%% %s than "
                        "A at the median, %zu of %zu cells that way -- the machine's speed between "
                        "the runs, or a change that touches everything; compare within one run "
                        "(--a/--b) to interleave the two\n", 100 * fabs(shift),
                m > 0 ? "slower" : "faster", side, n);
}

/* Between two runs: what the machine's probe saw (probe.c, drift.c), said
   and not used.  It was meant to take the machine's drift out of B's times;
   on the reference VM it did not track what the cells see (a pair where the
   probe ran 5% faster in B and every cell 4.3% slower: README), so a
   correction by it would add an error, not remove one. */
static void say_probe(const run_data *A, const run_data *B, const cmp_opts *o)
{
    drift d;
    char line[1024];
    FILE *to = o->csv ? stderr : stdout;
    if (drift_between(A->dir, B->dir, &d) < 0)
        fprintf(to, "Machine probe: not compared: %s\n", d.why);
    else {
        drift_describe(&d, line, sizeof line);
        fprintf(to, "Machine probe: %s; context only, not taken out of the times\n", line);
    }
}

int compare_main(int argc, char **argv)
{
    cmp_opts o;
    parse(&o, argc, argv);
    static run_data A, B;
    load_run(&A, o.dir_a);
    pair *ps;
    size_t n;
    if (o.sel_a) {
        n = match_within(&A, o.sel_a, o.sel_b, &ps);
    } else {
        load_run(&B, o.dir_b);
        n = match_runs(&A, &B, o.common, &ps);
        say_probe(&A, &B, &o);
    }
    if (n == 0)
        cmp_usage("no common cells to compare (ok in both)");
    size_t min_trials = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        min_trials = fmin(min_trials, fmin(ps[i].na, ps[i].nb));
    int code = 0;
    if (o.csv) {
        print_csv(ps, n, &o);
    } else {
        size_t c[3] = { 0 }, r[3] = { 0 };
        printf(o.md ? "### Time per operation\n\n" : "Time per operation, B = %s vs A = %s\n",
               o.sel_a ? o.sel_b : o.dir_b, o.sel_a ? o.sel_a : o.dir_a);
        print_table(ps, n, &o, 0, c);
        print_summary(ps, n, &o, 0);
        printf(o.md ? "\n### Peak RSS\n\n" : "\nPeak RSS\n");
        print_table(ps, n, &o, 1, r);
        print_summary(ps, n, &o, 1);
        printf("\n%zu cells: time %zu faster, %zu slower, %zu same; peak RSS %zu smaller, "
               "%zu larger, %zu same (p < 0.05 and a change of at least %.0f%%)\n",
               n, c[0], c[1], c[2], r[0], r[1], r[2], 100 * o.threshold);
    }
    /* Cells one side could not measure: listed, and a regression for the
       gate when B broke what A measured. */
    for (size_t i = 0; i < nbroken; i++) {
        const row *a = broken[i].a, *b = broken[i].b;
        if (i == 0)
            fprintf(o.csv ? stderr : stdout, "\nNot compared (failed or unfinished in one run):\n");
        fprintf(o.csv ? stderr : stdout, "    %s: A %s, B %s\n", row_get(a, COL_cell),
                row_get(a, COL_status), row_get(b, COL_status));
        if (o.fail_slower >= 0 && is_ok(a) && !is_ok(b)) {
            fprintf(stderr, "memstrat compare: %s measured in A fails in B: %s\n",
                    row_get(a, COL_cell), row_get(b, COL_status));
            code = 1;
        }
    }
    warn_common_shift(ps, n);
    warn_planted(&A, "A");
    if (!o.sel_a)
        warn_planted(&B, "B");
    if (min_trials < MIN_TRIALS_FOR_5PCT)
        fprintf(stderr, "memstrat compare: warning: some cells have %zu trial(s): with fewer than "
                        "%d a side no difference can be significant; run more --trials\n",
                min_trials, MIN_TRIALS_FOR_5PCT);
    for (size_t i = 0; i < n && o.fail_slower >= 0; i++) {
        verdict v = judge(ps[i].ta, ps[i].na, ps[i].tb, ps[i].nb, o.threshold, 0);
        if (strcmp(v.word, "slower") == 0 && v.ratio > 1 + o.fail_slower) {
            if (!code)
                fprintf(stderr, "memstrat compare: slower by more than %.0f%%:\n",
                        100 * o.fail_slower);
            fprintf(stderr, "    %s: %.3fx (p %.3g)\n", row_get(ps[i].a, COL_cell), v.ratio, v.p);
            code = 1;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(ps[i].ta), free(ps[i].tb), free(ps[i].ra), free(ps[i].rb);
    free(ps);
    return code;
}
