/*
 * harness/drift.c -- what the machine's probe (probe.c) saw in run B against
 * run A, for `memstrat compare` to say beside the cells.
 *
 * Each round's probe is one score: the geometric mean of its parts' times
 * (alu, heap, chase, fault), so that each part weighs the same whatever its
 * unit.  B against A is the ratio of the runs' median scores, with the
 * Hodges-Lehmann interval of the shift of log scores, as compare.c gives
 * every cell, and each part's own ratio.  It is context, not a correction:
 * on the reference VM the probe did not track what the cells saw (README,
 * "The machine's drift").  A run without probe.csv, with fewer than
 * DRIFT_MIN_ROUNDS probed rounds, with another probe version or on another
 * CPU model is not compared, and compare says why.
 */
#include "drift.h"
#include "run.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below 4 rounds a side the interval cannot reach 95%. */
#define DRIFT_MIN_ROUNDS 4

#define NPARTS 4
static const char *const part_name[NPARTS] = { "alu", "heap", "chase", "fault" };

typedef struct probe_run {
    double *score, *part[NPARTS];
    size_t n;
    int version;                /* -1: none read; -2: mixed */
} probe_run;

static void free_probe(probe_run *p)
{
    free(p->score);
    for (int k = 0; k < NPARTS; k++)
        free(p->part[k]);
}

/* Where each part's column is, from the header: "<part>_ns". */
static int find_columns(char *header, int col[NPARTS], int *version_col)
{
    int i = 0, found = 0;
    *version_col = -1;
    for (char *f = strtok(header, ",\n"); f; f = strtok(NULL, ",\n"), i++) {
        for (int k = 0; k < NPARTS; k++) {
            char want[32];
            snprintf(want, sizeof want, "%s_ns", part_name[k]);
            if (strcmp(f, want) == 0)
                col[k] = i, found++;
        }
        if (strcmp(f, "probe_version") == 0)
            *version_col = i;
    }
    return found == NPARTS && *version_col >= 0 ? 0 : -1;
}

static void add_round(probe_run *p, const double v[NPARTS], int version, size_t *cap)
{
    if (p->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        p->score = realloc(p->score, *cap * sizeof *p->score);
        for (int k = 0; k < NPARTS; k++)
            p->part[k] = realloc(p->part[k], *cap * sizeof *p->part[k]);
    }
    double ls = 0;
    for (int k = 0; k < NPARTS; k++)
        p->part[k][p->n] = v[k], ls += log(v[k]);
    p->score[p->n++] = exp(ls / NPARTS);
    p->version = p->version == -1 || p->version == version ? version : -2;
}

/* probe.csv, one round a line; lines it cannot read are skipped. */
static int read_probe(const char *dir, probe_run *p)
{
    char path[4200], line[512];
    int col[NPARTS] = { 0 }, vcol;
    size_t cap = 0;
    PATHF(path, "%s/probe.csv", dir);
    *p = (probe_run){ .version = -1 };
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof line, f) == NULL || find_columns(line, col, &vcol) < 0) {
        fclose(f);
        return 0;                               /* no rounds: said as too few */
    }
    while (fgets(line, sizeof line, f)) {
        double v[NPARTS], field[16];
        int nf = 0, ok = 1;
        for (char *t = strtok(line, ",\n"); t && nf < 16; t = strtok(NULL, ",\n"))
            field[nf++] = atof(t);
        for (int k = 0; k < NPARTS; k++) {
            v[k] = col[k] < nf ? field[col[k]] : 0;
            ok &= v[k] > 0;
        }
        if (ok && vcol < nf)
            add_round(p, v, (int)field[vcol], &cap);
    }
    fclose(f);
    return 0;
}

/* meta.json's cpu_model, "" if absent. */
static void cpu_model(const char *dir, char *out, size_t n)
{
    char path[4200];
    PATHF(path, "%s/meta.json", dir);
    char *m = read_small_file(path);
    const char *k = m ? strstr(m, "\"cpu_model\": \"") : NULL;
    out[0] = '\0';
    if (k) {
        k += strlen("\"cpu_model\": \"");
        size_t len = strcspn(k, "\"");
        snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), k);
    }
    free(m);
}

static double ratio_of_medians(const double *a, size_t na, const double *b, size_t nb)
{
    return stats_median(b, nb) / stats_median(a, na);
}

int drift_between(const char *dir_a, const char *dir_b, drift *d)
{
    probe_run A, B;
    char ma[200], mb[200];
    *d = (drift){ .factor = 1, .lo = 1, .hi = 1 };
    int ra = read_probe(dir_a, &A), rb = read_probe(dir_b, &B);
    cpu_model(dir_a, ma, sizeof ma);
    cpu_model(dir_b, mb, sizeof mb);
    if (ra < 0 || rb < 0)
        snprintf(d->why, sizeof d->why, "%s has no probe.csv (a run made before the probe)",
                 ra < 0 ? dir_a : dir_b);
    else if (A.n < DRIFT_MIN_ROUNDS || B.n < DRIFT_MIN_ROUNDS)
        snprintf(d->why, sizeof d->why, "too few probed rounds (%zu and %zu; %d a side needed)",
                 A.n, B.n, DRIFT_MIN_ROUNDS);
    else if (A.version < 0 || A.version != B.version)
        snprintf(d->why, sizeof d->why, "the runs' probes differ (versions %d and %d)",
                 A.version, B.version);
    else if (strcmp(ma, mb) != 0)
        snprintf(d->why, sizeof d->why, "the runs ran on different CPUs (%s; %s)", ma, mb);
    else {
        double la[A.n], lb[B.n], lo, hi;
        for (size_t i = 0; i < A.n; i++)
            la[i] = log(A.score[i]);
        for (size_t i = 0; i < B.n; i++)
            lb[i] = log(B.score[i]);
        d->factor = ratio_of_medians(A.score, A.n, B.score, B.n);
        d->level = stats_shift_ci(la, A.n, lb, B.n, &lo, &hi);
        d->lo = exp(lo), d->hi = exp(hi);
        for (int k = 0; k < NPARTS; k++)
            d->part[k] = ratio_of_medians(A.part[k], A.n, B.part[k], B.n);
        d->na = A.n, d->nb = B.n;
    }
    free_probe(&A);
    free_probe(&B);
    return d->na ? 0 : -1;
}

void drift_describe(const drift *d, char *out, size_t n)
{
    char how[64];
    if (fabs(d->factor - 1) < 0.0005)
        snprintf(how, sizeof how, "as fast");
    else
        snprintf(how, sizeof how, "%.1f%% %s", 100 * fabs(d->factor - 1),
                 d->factor > 1 ? "slower" : "faster");
    size_t len = (size_t)snprintf(out, n, "the probe ran %s in B [%.0f%% CI %+.1f%%, %+.1f%%] (%zu "
                                  "and %zu rounds:", how, 100 * d->level, 100 * (d->lo - 1),
                                  100 * (d->hi - 1), d->na, d->nb);
    for (int k = 0; k < NPARTS && len < n; k++)
        len += (size_t)snprintf(out + len, n - len, " %s %+.1f%%", part_name[k],
                                100 * (d->part[k] - 1));
    if (len < n)
        snprintf(out + len, n - len, ")");
}
