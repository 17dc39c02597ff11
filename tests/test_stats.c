/* tests/test_stats.c -- the statistics against known answers: interval
   coverage on synthetic samples, U-test p-values computed independently
   (brute force over every rank assignment, in tests/stats_reference.py's
   words: written into the test), modes on one- and two-mode sets, the
   shift interval's agreement with the test, and the rounds' shuffles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../harness/run.h"
#include "../harness/stats.h"

static uint64_t rng = 12345;

static double uniform(void)
{
    return ((double)(stats_splitmix64(&rng) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)              /* Box-Muller */
{
    return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* 200 draws of n values: how often the interval covers the true median. */
static void coverage(const char *what, int lognormal, size_t n)
{
    int covered = 0;
    for (int d = 0; d < 200; d++) {
        double v[64], lo, hi, level;
        for (size_t i = 0; i < n; i++)
            v[i] = lognormal ? 10 * exp(0.5 * normal()) : 10 + normal();
        stats_median_ci(v, n, &lo, &hi, &level);
        covered += lo <= 10 && 10 <= hi;     /* the true median is 10 in both */
    }
    CHECK(covered >= 180, "%s, n = %zu: %d of 200 intervals cover the median", what, n, covered);
}

static void u_ref(const double *a, size_t na, const double *b, size_t nb, double want)
{
    double p = stats_u_test(a, na, b, nb);
    CHECK(fabs(p - want) < 1e-9 * fmax(1, want) + 1e-12, "p %.12g, expected %.12g", p, want);
}

static void test_u(void)
{
    /* Exact: no ties, the reference from enumerating every assignment. */
    double a1[] = { 1, 2, 3, 4, 5 }, b1[] = { 6, 7, 8, 9, 10 };
    u_ref(a1, 5, b1, 5, 0.007936507936507936);          /* 2 / 252 */
    double a2[] = { 1, 2, 3 }, b2[] = { 4, 5, 6 };
    u_ref(a2, 3, b2, 3, 0.1);
    double a3[] = { 1, 3, 5, 7 }, b3[] = { 2, 4, 6, 8 };
    u_ref(a3, 4, b3, 4, 0.6857142857142857);
    double a4[] = { 1.1, 2.3, 0.7, 5.2, 3.3, 4.4 }, b4[] = { 6.1, 2.2, 7.5, 8.8, 5.0, 9.9, 3.1 };
    u_ref(a4, 6, b4, 7, 0.07342657342657342);
    double a5[] = { 10, 11, 12, 13, 14, 15, 16, 17 }, b5[] = { 12.5, 18, 19, 20, 21, 22, 23, 24 };
    u_ref(a5, 8, b5, 8, 0.0029526029526029526);
    u_ref(b5, 8, a5, 8, 0.0029526029526029526);         /* symmetric */
    /* Ties and 75 values: the normal approximation with the tie correction. */
    double a6[40], b6[35];
    for (int i = 0; i < 40; i++)
        a6[i] = i % 7;
    for (int i = 0; i < 35; i++)
        b6[i] = i % 7 + 1;
    u_ref(a6, 40, b6, 35, 0.02475801618546681);
    double same[] = { 5, 5, 5 };
    u_ref(same, 3, same, 3, 1);
}

/* The shift interval excludes 0 exactly when the test rejects (no ties,
   exact law), and covers a planted shift. */
static void test_shift(void)
{
    int agree = 0, covered = 0, draws = 200;
    for (int d = 0; d < draws; d++) {
        double a[6], b[6], lo, hi;
        double shift = d % 2 ? 0.0 : 0.8;
        for (int i = 0; i < 6; i++)
            a[i] = normal(), b[i] = normal() + shift;
        double level = stats_shift_ci(a, 6, b, 6, &lo, &hi);
        double p = stats_u_test(a, 6, b, 6);
        agree += (p < STATS_ALPHA) == (lo > 0 || hi < 0);
        covered += lo <= shift && shift <= hi;
        CHECK(level >= 0.95 - 1e-9 && level < 0.97, "6 + 6 values: coverage %.4f", level);
    }
    CHECK(agree == draws, "interval and test agree in %d of %d draws", agree, draws);
    CHECK(covered >= 0.9 * draws, "the interval covers the planted shift in %d of %d", covered,
          draws);
}

static void test_median_ci(void)
{
    coverage("normal", 0, 10);
    coverage("lognormal", 1, 10);
    coverage("lognormal", 1, 30);
    double v[] = { 3, 1, 2, 5, 4 }, lo, hi, level;
    CHECK(stats_median_ci(v, 5, &lo, &hi, &level) == 0 && lo == 1 && hi == 5 &&
          fabs(level - 0.9375) < 1e-12, "5 values: [min, max] at 93.75%%: [%g, %g] %g", lo, hi,
          level);
    CHECK(stats_median_ci(v, 1, &lo, &hi, &level) < 0, "one value has no interval");
    CHECK(stats_median(v, 5) == 3 && stats_median(v, 4) == 2.5, "medians");
}

static void test_modes(void)
{
    double two[] = { 8.1, 8.3, 91.7, 133.1, 133.7, 134.2 };
    modes m;
    stats_modes(two, 6, &m);
    CHECK(m.count >= 2 && fabs(m.lo - 8.2) < 1e-9 && m.hi > 130 && fabs(m.lo_share - 2.0 / 6) < 1e-9,
          "pool/mimalloc's trials: %d modes, lo %g hi %g share %g", m.count, m.lo, m.hi,
          m.lo_share);
    double one_stray[] = { 8, 8.1, 8.2, 7.9, 130 };
    stats_modes(one_stray, 5, &m);
    CHECK(m.count == 1, "one stray process is an outlier, not a mode: %d modes", m.count);
    double two_stray[] = { 8, 8.1, 8.2, 7.9, 130, 128 };
    stats_modes(two_stray, 6, &m);
    CHECK(m.count == 2 && fabs(m.lo_share - 4.0 / 6) < 1e-9, "two in the slow world: %d modes",
          m.count);
    double pair[] = { 249.9, 342.0 };
    stats_modes(pair, 2, &m);
    CHECK(m.count == 1, "two trials are no evidence of modes: %d", m.count);
    int false_modes = 0, noisy = 0, missed = 0;
    for (int d = 0; d < 200; d++) {
        double v[8], u[8], w[8];
        for (int i = 0; i < 8; i++) {
            v[i] = 10 * exp(0.05 * normal());                   /* cv 5%: one mode */
            u[i] = 10 * exp(0.3 * normal());                    /* cv 30%: one, noisy */
            w[i] = (i < 4 ? 10 : 25) * exp(0.05 * normal());    /* 2.5x apart */
        }
        stats_modes(v, 8, &m);
        false_modes += m.count != 1;
        stats_modes(u, 8, &m);
        noisy += m.count != 1;
        stats_modes(w, 8, &m);
        missed += m.count != 2;
    }
    CHECK(false_modes <= 4, "one-mode sets called multimodal %d times in 200", false_modes);
    CHECK(noisy <= 10, "noisy one-mode sets called multimodal %d times in 200", noisy);
    CHECK(missed <= 2, "two-mode sets missed %d times in 200", missed);
}

static void test_schedule(void)
{
    size_t a[50], b[50], c[50];
    int perm = 1;
    for (int r = 1; r <= 5; r++) {
        schedule_round(42, r, 50, a);
        char seen[50] = { 0 };
        for (int i = 0; i < 50; i++)
            seen[a[i]]++;
        for (int i = 0; i < 50; i++)
            perm &= seen[i] == 1;
    }
    CHECK(perm, "every round is a permutation");
    schedule_round(42, 3, 50, a);
    schedule_round(42, 3, 50, b);
    CHECK(memcmp(a, b, sizeof a) == 0, "the seed reproduces the order");
    schedule_round(42, 4, 50, c);
    CHECK(memcmp(a, c, sizeof a) != 0, "rounds differ");
    schedule_round(43, 3, 50, c);
    CHECK(memcmp(a, c, sizeof a) != 0, "seeds differ");
}

/* A cells.csv row: id, host, threads, ns_median [lo, hi], status. */
static row *cell(table *t, const char *id, const char *host, int threads, double ns, double lo,
                 double hi, const char *status)
{
    row *r = table_add(t);
    row_set(r, COL_cell, "%s", id);
    row_set(r, COL_host, "%s", host);
    row_set(r, COL_threads, "%d", threads);
    row_set(r, COL_ns_median, "%.4f", ns);
    row_set(r, COL_ns_ci_lo, lo > 0 ? "%.4f" : "-", lo);
    row_set(r, COL_ns_ci_hi, hi > 0 ? "%.4f" : "-", hi);
    row_set(r, COL_status, "%s", status);
    return r;
}

/* Throughput and scaling: T x 1e3 / ns, its interval from the far ends of
   the time's, and the one-thread cell found by id and host (never another
   host's, never a failed one). */
static void test_across_cells(void)
{
    table t = { 0 };
    cell(&t, "la-refcount-glibc-1000", "a", 1, 10, 9, 12, "ok");
    cell(&t, "la-refcount-glibc-1000-t2", "a", 2, 16, 15, 20, "ok");
    cell(&t, "la-refcount-glibc-1000-t2", "b", 2, 16, 0, 0, "ok");   /* no T = 1 on b */
    cell(&t, "la-pool-glibc-1000", "a", 1, 10, 0, 0, "failed: crashed");
    cell(&t, "la-pool-glibc-1000-t4", "a", 4, 10, 0, 0, "ok");
    cell(&t, "la-arena-glibc-1000-t2", "a", 2, 10, 0, 0, "n/a");
    stats_across_cells(&t);
    const row *r = &t.rows[1];
    CHECK(!strcmp(row_get(&t.rows[0], COL_throughput_mops), "100.0000"), "%s",
          row_get(&t.rows[0], COL_throughput_mops));
    CHECK(!strcmp(row_get(&t.rows[0], COL_scaling), "1.0000"), "%s", row_get(&t.rows[0], COL_scaling));
    CHECK(!strcmp(row_get(r, COL_throughput_mops), "125.0000"), "%s", row_get(r, COL_throughput_mops));
    CHECK(!strcmp(row_get(r, COL_throughput_ci_lo), "100.0000") &&
          !strcmp(row_get(r, COL_throughput_ci_hi), "133.3333"), "[%s, %s]",
          row_get(r, COL_throughput_ci_lo), row_get(r, COL_throughput_ci_hi));
    CHECK(!strcmp(row_get(r, COL_scaling), "0.6250"), "%s", row_get(r, COL_scaling));
    CHECK(!strcmp(row_get(&t.rows[2], COL_scaling), "-"), "other host: %s",
          row_get(&t.rows[2], COL_scaling));
    CHECK(!strcmp(row_get(&t.rows[2], COL_throughput_ci_lo), "-"), "one trial: %s",
          row_get(&t.rows[2], COL_throughput_ci_lo));
    CHECK(!strcmp(row_get(&t.rows[4], COL_scaling), "-"), "failed T = 1: %s",
          row_get(&t.rows[4], COL_scaling));
    CHECK(!strcmp(row_get(&t.rows[4], COL_cross_frees), "-"), "not reported: %s",
          row_get(&t.rows[4], COL_cross_frees));
    CHECK(!strcmp(row_get(&t.rows[5], COL_throughput_mops), ""), "n/a: %s",
          row_get(&t.rows[5], COL_throughput_mops));
    table_free(&t);
}

int main(void)
{
    test_across_cells();
    test_u();
    test_shift();
    test_median_ci();
    test_modes();
    test_schedule();
    return check_summary("stats");
}
