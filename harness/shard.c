/* harness/shard.c -- `memstrat run --shard K/N`: the K-th of N disjoint parts
   of a matrix, for N machines that share the work (harness/slurm/).
   Every cell belongs to exactly one shard, the same one on every machine:
   the split depends on the matrix alone. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

/* "K/N" with 1 <= K <= N; anything else exits 2. */
void shard_parse(const char *v, int *k, int *n)
{
    char *end;
    long a = strtol(v, &end, 10), b = 0;
    int good = end != v && *end == '/';
    if (good) {
        const char *rest = end + 1;
        b = strtol(rest, &end, 10);
        good = end != rest && *end == '\0' && a >= 1 && b >= 1 && a <= b && b <= MAX_SHARDS;
    }
    if (!good)
        run_usage("bad shard '%s': expected K/N with 1 <= K <= N <= %d, e.g. 2/8", v,
                  MAX_SHARDS);
    *k = (int)a, *n = (int)b;
}

/* The estimate of a cell over all its trials: what a shard's load adds up. */
double shard_cell_estimate(const run_opts *o, const cell_spec *c)
{
    double s = 0;
    for (int t = 1; t <= o->trials; t++)
        s += matrix_estimate_s(o, c, t);
    return s;
}

typedef struct job { double est; const char *id; size_t i; } job;

/* Longest first, ties by cell id: an order that depends on the matrix only. */
static int by_longest(const void *pa, const void *pb)
{
    const job *a = pa, *b = pb;
    if (a->est != b->est)
        return a->est > b->est ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Which shard (0-based) each cell goes to: greedy longest-processing-time
   first, each cell to the least loaded shard (the lowest on a tie).  Graham's
   bound: the busiest shard ends within 4/3 of the best possible split. */
void shard_assign(const run_opts *o, const cell_spec *c, size_t n, int shards, int *out)
{
    job *j = malloc((n ? n : 1) * sizeof *j);
    double *load = calloc((size_t)shards, sizeof *load);
    for (size_t i = 0; i < n; i++)
        j[i] = (job){ shard_cell_estimate(o, &c[i]), c[i].id, i };
    qsort(j, n, sizeof *j, by_longest);
    for (size_t i = 0; i < n; i++) {
        int best = 0;
        for (int s = 1; s < shards; s++)
            if (load[s] < load[best])
                best = s;
        /* n/a cells cost nothing: spread them round-robin instead of piling
           them on one shard, so that every shard's cells.csv has a few. */
        if (j[i].est == 0)
            best = (int)(i % (size_t)shards);
        load[best] += j[i].est;
        out[j[i].i] = best;
    }
    free(load);
    free(j);
}

/* Keep only shard o->shard_k's cells, in the matrix's order. */
size_t shard_select(const run_opts *o, cell_spec *c, size_t n)
{
    if (o->shard_n <= 1)
        return n;
    int *to = malloc((n ? n : 1) * sizeof *to);
    shard_assign(o, c, n, o->shard_n, to);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (to[i] == o->shard_k - 1)
            c[kept++] = c[i];
    free(to);
    return kept;
}
