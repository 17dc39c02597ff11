/* harness/stats.c -- see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (s == NULL)
        abort();
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

static double median_sorted(const double *s, size_t n)
{
    return n == 0 ? NAN : n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double stats_median(const double *v, size_t n)
{
    double *s = sorted_copy(v, n);
    double m = median_sorted(s, n);
    free(s);
    return m;
}

double stats_quantile(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double *s = sorted_copy(v, n), pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double x = i + 1 < n ? s[i] + (pos - (double)i) * (s[i + 1] - s[i]) : s[n - 1];
    free(s);
    return x;
}

/* P(Binom(n, 1/2) <= k) */
static double binom_half_cdf(size_t n, long k)
{
    double p = 0, c = 1, scale = pow(0.5, (double)n);
    for (long i = 0; i <= k && (size_t)i <= n; i++) {
        p += c * scale;
        c = c * (double)(n - (size_t)i) / (double)(i + 1);
    }
    return p;
}

int stats_median_ci(const double *v, size_t n, double *lo, double *hi, double *level)
{
    if (n < 2)
        return -1;
    double *s = sorted_copy(v, n);
    size_t l = 1;
    while (l + 1 <= (n + 1) / 2 && 1 - 2 * binom_half_cdf(n, (long)l) >= 1 - STATS_ALPHA)
        l++;
    *lo = s[l - 1];
    *hi = s[n - l];
    *level = 1 - 2 * binom_half_cdf(n, (long)l - 1);
    free(s);
    return 0;
}

/* ---- modes ----------------------------------------------------------------- */

#define MODE_GAP     0.22314355131420976   /* log 1.25: a smaller step is noise here */
#define MODE_SPREAD  2.0                   /* the gap against the spread either side */
#define MODE_FLOOR   0.01                  /* a spread below 1% counts as 1% */
#define MODE_MAX     4

/* Split the sorted logs lg[0..n) into clusters; writes each cluster's end
   (exclusive) to ends, returns how many.  A cluster needs two values: one
   stray process is an outlier (a burst of load), not a world of its own --
   on the reference VM, one-trial "modes" flagged a third of the cells of an
   A/A run. */
static int split(const double *lg, size_t n, size_t base, size_t *ends, int room)
{
    size_t at = 0;
    double gap = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (lg[i + 1] - lg[i] > gap)
            gap = lg[i + 1] - lg[i], at = i + 1;
    double left = at ? lg[at - 1] - lg[0] : 0, right = at ? lg[n - 1] - lg[at] : 0;
    double spread = fmax(fmax(left, right), MODE_FLOOR);
    if (room < 2 || n < 4 || gap < MODE_GAP || gap <= MODE_SPREAD * spread || at < 2 ||
        n - at < 2) {
        ends[0] = base + n;
        return 1;
    }
    int k = split(lg, at, base, ends, room - 1);
    int m = split(lg + at, n - at, base + at, ends + k, room - k);
    return k + m;
}

void stats_modes(const double *v, size_t n, modes *m)
{
    double *s = sorted_copy(v, n), *lg = malloc((n ? n : 1) * sizeof *lg);
    for (size_t i = 0; i < n; i++)
        lg[i] = log(fmax(s[i], 1e-12));
    size_t ends[MODE_MAX];
    m->count = n ? split(lg, n, 0, ends, MODE_MAX) : 0;
    if (n) {
        size_t first = ends[0], last_start = m->count > 1 ? ends[m->count - 2] : 0;
        m->lo = median_sorted(s, first);
        m->hi = median_sorted(s + last_start, n - last_start);
        m->lo_share = (double)first / (double)n;
    }
    free(lg);
    free(s);
}

/* ---- Mann-Whitney U ------------------------------------------------------ */

#define U_EXACT_MAX 60          /* values in both samples, for the exact law */

/* The law of U (the count of pairs with b above a) under the null, for
   samples of na and nb values without ties: cdf[u] = P(U <= u). */
static double *u_cdf(size_t na, size_t nb)
{
    size_t N = na + nb, smax = nb * N;
    /* ways[k][s]: k-subsets of the ranks seen so far with rank sum s. */
    double *ways = calloc((nb + 1) * (smax + 1), sizeof *ways);
    ways[0] = 1;
    for (size_t t = 1; t <= N; t++)
        for (size_t k = (t < nb ? t : nb); k >= 1; k--)
            for (size_t s = smax; s >= t; s--)
                ways[k * (smax + 1) + s] += ways[(k - 1) * (smax + 1) + s - t];
    size_t umax = na * nb, off = nb * (nb + 1) / 2;
    double *cdf = malloc((umax + 1) * sizeof *cdf), total = 0, run = 0;
    for (size_t u = 0; u <= umax; u++)
        total += ways[nb * (smax + 1) + u + off];
    for (size_t u = 0; u <= umax; u++) {
        run += ways[nb * (smax + 1) + u + off];
        cdf[u] = run / total;
    }
    free(ways);
    return cdf;
}

/* U for b against a (ties count a half), and whether any value is tied. */
static double u_stat(const double *a, size_t na, const double *b, size_t nb, int *ties)
{
    double u = 0;
    *ties = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            u += b[j] > a[i] ? 1 : b[j] == a[i] ? (*ties = 1, 0.5) : 0;
    for (size_t i = 0; i + 1 < na && !*ties; i++)
        for (size_t j = i + 1; j < na; j++)
            *ties |= a[i] == a[j];
    for (size_t i = 0; i + 1 < nb && !*ties; i++)
        for (size_t j = i + 1; j < nb; j++)
            *ties |= b[i] == b[j];
    return u;
}

/* The normal approximation's sigma, with the tie correction. */
static double u_sigma(const double *a, size_t na, const double *b, size_t nb)
{
    size_t N = na + nb;
    double *all = malloc(N * sizeof *all);
    memcpy(all, a, na * sizeof *all);
    memcpy(all + na, b, nb * sizeof *all);
    qsort(all, N, sizeof *all, cmp_double);
    double tie = 0;
    for (size_t i = 0; i < N;) {
        size_t j = i;
        while (j < N && all[j] == all[i])
            j++;
        double t = (double)(j - i);
        tie += t * t * t - t;
        i = j;
    }
    free(all);
    double n = (double)N;
    return sqrt((double)na * (double)nb / 12 * ((n + 1) - tie / (n * (n - 1))));
}

double stats_u_test(const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return NAN;
    int ties;
    double u = u_stat(a, na, b, nb, &ties);
    if (!ties && na + nb <= U_EXACT_MAX) {
        double *cdf = u_cdf(na, nb);
        size_t k = (size_t)u;
        double below = cdf[k], above = 1 - (k ? cdf[k - 1] : 0);
        free(cdf);
        return fmin(1, 2 * fmin(below, above));
    }
    double sigma = u_sigma(a, na, b, nb);
    if (sigma == 0)
        return 1;
    double z = (fabs(u - (double)na * (double)nb / 2) - 0.5) / sigma;
    return z <= 0 ? 1 : erfc(z / sqrt(2));
}

double stats_u_min_p(size_t na, size_t nb)
{
    double c = 1;                           /* C(na + nb, na) */
    for (size_t i = 1; i <= na; i++)
        c = c * (double)(nb + i) / (double)i;
    return fmin(1, 2 / c);
}

double stats_shift_ci(const double *a, size_t na, const double *b, size_t nb, double *lo,
                      double *hi)
{
    size_t K = na * nb;
    if (K == 0) {
        *lo = *hi = NAN;
        return 0;
    }
    double *d = malloc(K * sizeof *d);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            d[i * nb + j] = b[j] - a[i];
    qsort(d, K, sizeof *d, cmp_double);
    /* k: the largest count with P(U <= k - 1) <= alpha / 2; the interval is
       [d(k), d(K + 1 - k)] (1-based), covering 1 - 2 P(U <= k - 1). */
    size_t k = 1;
    double tail = 0;
    if (na + nb <= U_EXACT_MAX) {
        double *cdf = u_cdf(na, nb);
        while (k < K / 2 && cdf[k] <= STATS_ALPHA / 2)
            k++;
        tail = cdf[k - 1];
        free(cdf);
    } else {
        double mu = (double)K / 2, sigma = sqrt((double)K * (double)(na + nb + 1) / 12);
        double kk = floor(mu - 1.959963984540054 * sigma);
        k = kk >= 1 ? (size_t)kk : 1;
        tail = 0.5 * erfc(-((double)k - 0.5 - mu) / sigma / sqrt(2));
    }
    *lo = d[k - 1];
    *hi = d[K - k];
    free(d);
    return 1 - 2 * tail;
}

uint64_t stats_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- a cell from its trials ---------------------------------------------- */

/* The numeric values of column c over the trials ("-" and "" skipped). */
static size_t values(const row *const *t, size_t n, enum column c, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = row_get(t[i], c);
        char *end;
        double v = strtod(s, &end);
        if (end != s && isfinite(v))
            out[m++] = v;
    }
    return m;
}

static void set_or_dash(row *r, enum column c, const char *fmt, double v, int have)
{
    if (have && isfinite(v))
        row_set(r, c, fmt, v);
    else
        row_set(r, c, "-");
}

/* The median over trials, with its interval into lo/hi when asked. */
static double median_of(row *cell, const row *const *t, size_t n, enum column c,
                        const char *fmt, int lo, int hi, double *level)
{
    double v[n ? n : 1];
    size_t m = values(t, n, c, v);
    if (m == 0)
        return NAN;
    double med = stats_median(v, m);
    row_set(cell, c, fmt, med);
    if (lo >= 0) {
        double l, h, lev;
        int ok = stats_median_ci(v, m, &l, &h, &lev) == 0;
        set_or_dash(cell, (enum column)lo, fmt, l, ok);
        set_or_dash(cell, (enum column)hi, fmt, h, ok);
        if (level)
            *level = ok ? lev : NAN;
    }
    return med;
}

static void time_columns(row *cell, const row *const *t, size_t n)
{
    double v[n ? n : 1], level = NAN;
    size_t m = values(t, n, COL_ns_median, v);
    median_of(cell, t, n, COL_ns_median, "%.4f", COL_ns_ci_lo, COL_ns_ci_hi, &level);
    set_or_dash(cell, COL_ci_level, "%.3f", level, 1);
    double mean = 0, ss = 0;
    for (size_t i = 0; i < m; i++)
        mean += v[i] / (double)m;
    for (size_t i = 0; i < m; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    double sd = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
    if (m > 1)
        row_set(cell, COL_ns_stddev, "%.4f", sd);
    set_or_dash(cell, COL_trial_cv, "%.5f", sd / mean, m > 1);
    double w[n ? n : 1];
    size_t k = values(t, n, COL_ns_mean, w);
    if (k) {
        double s = 0;
        for (size_t i = 0; i < k; i++)
            s += w[i] / (double)k;
        row_set(cell, COL_ns_mean, "%.4f", s);
    }
    k = values(t, n, COL_ns_min, w);
    if (k) {
        qsort(w, k, sizeof *w, cmp_double);
        row_set(cell, COL_ns_min, "%.4f", w[0]);
    }
    median_of(cell, t, n, COL_cv, "%.5f", -1, -1, NULL);
    modes md = { 0 };
    if (m > 1)
        stats_modes(v, m, &md);
    set_or_dash(cell, COL_modes, "%.0f", md.count, m > 1);
    set_or_dash(cell, COL_mode_lo_ns, "%.4f", md.lo, m > 1);
    set_or_dash(cell, COL_mode_hi_ns, "%.4f", md.hi, m > 1);
    set_or_dash(cell, COL_mode_lo_share, "%.3f", md.lo_share, m > 1);
}

static void memory_columns(row *cell, const row *const *t, size_t n)
{
    median_of(cell, t, n, COL_peak_rss_kb, "%.0f", COL_rss_ci_lo, COL_rss_ci_hi, NULL);
    median_of(cell, t, n, COL_baseline_rss_kb, "%.0f", -1, -1, NULL);
    double above = median_of(cell, t, n, COL_rss_above_baseline_kb, "%.0f", -1, -1, NULL);
    double live = atof(row_get(cell, COL_live_peak_bytes));
    row_set(cell, COL_rss_overhead, "%.4f", live > 0 ? above * 1024 / live : NAN);
    median_of(cell, t, n, COL_minor_faults, "%.0f", -1, -1, NULL);
    median_of(cell, t, n, COL_major_faults, "%.0f", -1, -1, NULL);
    median_of(cell, t, n, COL_fault_share, "%.4f", -1, -1, NULL);
    median_of(cell, t, n, COL_fault_ns_est, "%.4f", -1, -1, NULL);
}

int stats_contended(const row *trial)
{
    return atoi(row_get(trial, COL_contended)) == 1;
}

size_t stats_clean_trials(const row *const *t, size_t n)
{
    size_t clean = 0;
    for (size_t i = 0; i < n; i++)
        clean += !stats_contended(t[i]);
    return clean;
}

void stats_cell_row(row *cell, const row *const *all, size_t n_all)
{
    /* The statistics are over the clean trials: a contended one measured
       the other program too.  A cell with none keeps them all, rather than
       nothing, and says so (trials_short, set by the runner). */
    const row *t[n_all ? n_all : 1];
    size_t n = 0;
    for (size_t i = 0; i < n_all; i++)
        if (!stats_contended(all[i]))
            t[n++] = all[i];
    if (n == 0)
        for (; n < n_all; n++)
            t[n] = all[n];
    /* What only an extras trial records (latency, statistics, leaks) comes
       from the first trial used: the runner runs extras until a clean one. */
    for (int c = 0; c < NCOLS; c++) {
        free(cell->v[c]);
        cell->v[c] = n && t[0]->v[c] ? strdup(t[0]->v[c]) : NULL;
    }
    row_set(cell, COL_trials, "%zu", n);
    row_set(cell, COL_contended, "%zu", n_all - stats_clean_trials(all, n_all));
    time_columns(cell, t, n);
    memory_columns(cell, t, n);
    median_of(cell, t, n, COL_cpu_share, "%.4f", -1, -1, NULL);
    median_of(cell, t, n, COL_nivcsw_per_s, "%.1f", -1, -1, NULL);
    double wall = 0;
    const char *last = "";
    for (size_t i = 0; i < n_all; i++) {
        wall += atof(row_get(all[i], COL_wall_s));
        if (strcmp(row_get(all[i], COL_finished_at), last) > 0)
            last = row_get(all[i], COL_finished_at);
    }
    row_set(cell, COL_wall_s, "%.3f", wall);
    row_set(cell, COL_finished_at, "%s", last);
}

/* ---- across cells: threads ----------------------------------------------- */

static unsigned threads_of(const row *r)
{
    int t = atoi(row_get(r, COL_threads));
    return t > 1 ? (unsigned)t : 1;
}

/* The same cell at one thread: its id is this one's without the "-t<T>"
   matrix.c puts last, on the same host. */
static const row *one_thread_row(const table *t, const row *r)
{
    const char *id = row_get(r, COL_cell), *suffix = strrchr(id, '-');
    if (suffix == NULL || suffix[1] != 't')
        return NULL;
    size_t len = (size_t)(suffix - id);
    for (size_t i = 0; i < t->n; i++) {
        const row *o = &t->rows[i];
        const char *oid = row_get(o, COL_cell);
        if (strlen(oid) == len && strncmp(oid, id, len) == 0 && threads_of(o) == 1 &&
            strcmp(row_get(o, COL_host), row_get(r, COL_host)) == 0)
            return strcmp(row_get(o, COL_status), "ok") == 0 ? o : NULL;
    }
    return NULL;
}

static double number_in(const row *r, enum column c)
{
    const char *s = row_get(r, c);
    char *end;
    double v = strtod(s, &end);
    return end != s && isfinite(v) ? v : NAN;
}

void stats_across_cells(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        row *r = &t->rows[i];
        if (strcmp(row_get(r, COL_status), "ok") != 0)
            continue;
        double T = threads_of(r), ns = number_in(r, COL_ns_median);
        double lo = number_in(r, COL_ns_ci_lo), hi = number_in(r, COL_ns_ci_hi);
        row_set(r, COL_threads, "%.0f", T);
        set_or_dash(r, COL_throughput_mops, "%.4f", T * 1e3 / ns, ns > 0);
        /* The slowest time bounds the lowest throughput. */
        set_or_dash(r, COL_throughput_ci_lo, "%.4f", T * 1e3 / hi, hi > 0);
        set_or_dash(r, COL_throughput_ci_hi, "%.4f", T * 1e3 / lo, lo > 0);
        const row *one = T > 1 ? one_thread_row(t, r) : r;
        double ns1 = one ? number_in(one, COL_ns_median) : NAN;
        /* T x 1e3/ns_T over T x 1e3/ns_1: every thread as fast as one alone is 1. */
        set_or_dash(r, COL_scaling, "%.4f", ns1 / ns, one && ns > 0);
        if (*row_get(r, COL_cross_frees) == '\0')
            row_set(r, COL_cross_frees, "-");
        if (*row_get(r, COL_queued) == '\0')
            row_set(r, COL_queued, "-");
        if (*row_get(r, COL_note) == '\0')
            row_set(r, COL_note, "-");
    }
}
