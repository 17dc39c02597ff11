/*
 * harness/cell_output.c -- what a cell writes besides its KEY VALUE lines'
 * timing: the latency distribution file, and percentiles as result keys.
 */
#include <stdio.h>

#include "cell.h"

/* The latency distribution as HdrHistogram plots it: ns per operation at
   percentiles ever closer to 100, one "percentile,ns_per_op" line each,
   for the percentiles the sample count supports (hist_supports).  Written
   whole, then renamed. */
int cell_write_latency(const char *path, const hist *h)
{
    static const double qs[] = { 0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
                                 99.995, 99.999, 100 };
    char tmp[4096 + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "percentile,ns_per_op\n");
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
        if (hist_supports(h, qs[i]))
            fprintf(f, "%g,%.3f\n", qs[i], hist_percentile(h, qs[i]) / 1e3);
    return fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
}

/* "KEY value" of h at percentile q, divided by unit, with `digits`
   decimals, or "KEY -" where h has too few samples to say (hist_supports). */
void cell_write_percentile(FILE *out, const char *key, const hist *h, double q,
                           double unit, int digits)
{
    if (hist_supports(h, q))
        fprintf(out, "%s %.*f\n", key, digits, hist_percentile(h, q) / unit);
    else
        fprintf(out, "%s -\n", key);
}
