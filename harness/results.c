/* harness/results.c -- cells.csv and series.csv.  See results.h. */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COL_NAME(name) #name,
const char *const column_names[NCOLS] = { CELL_COLUMNS(COL_NAME) };

row *table_add(table *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        row *r = realloc(t->rows, cap * sizeof *r);
        if (r == NULL)
            abort();
        t->rows = r;
        t->cap = cap;
    }
    row *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    return r;
}

row *table_find(const table *t, const char *cell)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(row_get(&t->rows[i], COL_cell), cell) == 0)
            return &t->rows[i];
    return NULL;
}

void table_free(table *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (int c = 0; c < NCOLS; c++)
            free(t->rows[i].v[c]);
    free(t->rows);
    *t = (table){ 0 };
}

void row_set(row *r, enum column c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    free(r->v[c]);
    r->v[c] = s;
}

const char *row_get(const row *r, enum column c)
{
    return r->v[c] ? r->v[c] : "";
}

/* ---- CSV (RFC 4180: quote fields holding commas, quotes or newlines) ---- */

static void put_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

void header_write_csv(FILE *f, int trials)
{
    if (trials)
        fputs("trial,", f);
    for (int c = 0; c < NCOLS; c++)
        fprintf(f, "%s%s", c ? "," : "", column_names[c]);
    fputc('\n', f);
}

void row_write_csv(FILE *f, const row *r, int trials)
{
    if (trials)
        fprintf(f, "%d,", r->trial);
    for (int c = 0; c < NCOLS; c++) {
        if (c)
            fputc(',', f);
        put_field(f, row_get(r, (enum column)c));
    }
    fputc('\n', f);
}

int table_write_csv(const char *path, const table *t, int trials)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return -1;
    header_write_csv(f, trials);
    for (size_t i = 0; i < t->n; i++)
        row_write_csv(f, &t->rows[i], trials);
    return memstream_commit(f, &buf, &len, path);
}

/* Split one CSV line into at most max fields, in place. */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            char *q = p + 1;
            for (;;) {
                if (*q == '\0')
                    return -1;
                if (*q == '"' && q[1] == '"') {
                    *out++ = '"';
                    q += 2;
                } else if (*q == '"') {
                    q++;
                    break;
                } else {
                    *out++ = *q++;
                }
            }
            p = q;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        char sep = *p;
        *out = '\0';
        if (sep != ',')
            return sep == '\0' ? n : -1;
        p++;
    }
}

/* The header: which column each field of a line holds (-1: the trial). */
static int read_header(char **fields, int k, int trials, int *map, const char *path,
                       char *err, size_t n)
{
    if (trials && (k < 1 || strcmp(fields[0], "trial") != 0)) {
        snprintf(err, n, "%s: the first column is '%s', expected 'trial'", path,
                 k > 0 ? fields[0] : "");
        return -1;
    }
    for (int i = 0; i < k; i++) {
        map[i] = -2;
        if (trials && i == 0) {
            map[i] = -1;
            continue;
        }
        for (int c = 0; c < NCOLS; c++)
            if (strcmp(fields[i], column_names[c]) == 0)
                map[i] = c;
        if (map[i] == -2) {
            snprintf(err, n, "%s: unknown column '%s' (a newer memstrat's run?)", path, fields[i]);
            return -1;
        }
    }
    return 0;
}

int table_read_csv(const char *path, table *t, int trials, size_t *dropped, char *err, size_t n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, n, "cannot read %s", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0, width = 0;
    enum { MAXF = NCOLS + 2 };
    char *fields[MAXF];
    int map[MAXF];
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        int ended = line[len - 1] == '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        int k = split_csv(line, fields, MAXF);
        if (lineno == 1) {
            /* A header cut short can end on a whole column name (cells.csv
               cut after "...,rss_ci_hi"): it reads as a valid header of an
               older run, and the run would go on over a damaged file. */
            if (!ended) {
                snprintf(err, n, "%s:1: header cut short", path);
                rc = -1;
                break;
            }
            if (k < 0 || read_header(fields, k, trials, map, path, err, n) < 0) {
                if (k < 0)
                    snprintf(err, n, "%s:1: not a memstrat header", path);
                rc = -1;
                break;
            }
            width = k;
            continue;
        }
        /* A line cut short (no end: a crash mid-write, a full disk) or
           garbage: an error, or with dropped, a line left out and counted. */
        if (k != width || !ended || (trials && atoi(fields[0]) < 1)) {
            if (dropped) {
                (*dropped)++;
                continue;
            }
            if (k != width)
                snprintf(err, n, "%s:%d: %d fields, expected %d", path, lineno, k, width);
            else
                snprintf(err, n, "%s:%d: %s", path, lineno, ended ? "not a trial" : "cut short");
            rc = -1;
            break;
        }
        row *r = table_add(t);
        for (int i = 0; i < k; i++) {
            if (map[i] == -1)
                r->trial = atoi(fields[i]);
            else if (*fields[i])
                r->v[map[i]] = strdup(fields[i]);
        }
    }
    if (rc == 0 && lineno == 0) {
        snprintf(err, n, "%s is empty", path);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

/* ---- series ------------------------------------------------------------ */

static int same_series(const row *a, const row *b)
{
    static const enum column key[] = { COL_workload, COL_strategy, COL_backend, COL_policy,
                                       COL_heap_factor, COL_big_blocks, COL_window, COL_k,
                                       COL_threads, COL_host };
    for (size_t i = 0; i < sizeof key / sizeof *key; i++)
        if (strcmp(row_get(a, key[i]), row_get(b, key[i])) != 0)
            return 0;
    return 1;
}

/* Least-squares slope of log10(y) against log10(x) over the points with
   y > 0; NAN with fewer than two. */
static double loglog_slope(const double *x, const double *y, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] > 0) || !(x[i] > 0))
            continue;
        double lx = log10(x[i]), ly = log10(y[i]);
        sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
        m++;
    }
    double d = (double)m * sxx - sx * sx;
    if (m < 2 || d == 0)
        return NAN;
    return ((double)m * sxy - sx * sy) / d;
}

int write_series_csv(const char *path, const table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return -1;
    fprintf(f, "workload,strategy,backend,policy,heap_factor,big_blocks,window,k,sizes,min_size,max_size,"
               "nsop_factor_per_10x,time_slope,rss_factor_per_10x,rss_slope,threads,host\n");
    char *done = calloc(t->n + 1, 1);
    double *x = calloc(t->n + 1, sizeof *x), *ns = calloc(t->n + 1, sizeof *ns),
           *rss = calloc(t->n + 1, sizeof *rss);
    for (size_t i = 0; i < t->n; i++) {
        const row *a = &t->rows[i];
        if (done[i] || strcmp(row_get(a, COL_status), "ok") != 0)
            continue;
        size_t m = 0;
        double lo = INFINITY, hi = 0;
        for (size_t j = i; j < t->n; j++) {
            const row *b = &t->rows[j];
            if (done[j] || strcmp(row_get(b, COL_status), "ok") != 0 || !same_series(a, b))
                continue;
            done[j] = 1;
            x[m] = atof(row_get(b, COL_size));
            ns[m] = atof(row_get(b, COL_ns_median));
            rss[m] = atof(row_get(b, COL_rss_above_baseline_kb));
            lo = fmin(lo, x[m]), hi = fmax(hi, x[m]);
            m++;
        }
        if (m < 2 || lo == hi)
            continue;
        /* ns/op ~ N^b: per 10x of N it grows 10^b, and total time ~ N^(1+b). */
        double b = loglog_slope(x, ns, m), r = loglog_slope(x, rss, m);
        fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%zu,%.0f,%.0f,%.4f,%.4f,%.4f,%.4f,%s,%s\n",
                row_get(a, COL_workload), row_get(a, COL_strategy), row_get(a, COL_backend),
                row_get(a, COL_policy), row_get(a, COL_heap_factor), row_get(a, COL_big_blocks),
                row_get(a, COL_window), row_get(a, COL_k), m, lo, hi, pow(10, b), 1 + b,
                pow(10, r), r, *row_get(a, COL_threads) ? row_get(a, COL_threads) : "1",
                row_get(a, COL_host));
    }
    free(done), free(x), free(ns), free(rss);
    return memstream_commit(f, &buf, &len, path);
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len || rename(tmp, path) != 0) {
        int err = errno ? errno : EIO;  /* what failed, not what cleaning up did */
        remove(tmp);
        errno = err;
        return -1;
    }
    return 0;
}

int memstream_commit(FILE *f, char **buf, size_t *len, const char *path)
{
    int rc = fclose(f) == 0 ? write_file_atomic(path, *buf, *len) : -1;
    free(*buf);
    *buf = NULL;
    return rc;
}
