/*
 * harness/cell_output.c -- the files a cell writes: its result file, whole
 * or not at all; the latency distribution; percentiles as result keys.
 */
#include <stdio.h>
#include <unistd.h>

#include "cell.h"
#include "exits.h"

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

/* The result file: written under a temporary name, renamed when whole. */
FILE *cell_open_result(const char *path)
{
    char tmp[4096 + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *out = fopen(tmp, "w");
    if (out == NULL)
        cell_fail(EXIT_FAILED, "failed: cannot write %s", tmp);
    return out;
}

/* Renamed when whole; then out without the exit-time destructors: Google
   Benchmark's and the C++ runtime's fault in ~130 KiB of code and data after
   the last measurement, and the parent's peak (wait4) would count them. */
_Noreturn void cell_commit_result(FILE *out, const char *path)
{
    char tmp[4096 + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (fclose(out) != 0 || rename(tmp, path) != 0)
        cell_fail(EXIT_FAILED, "failed: cannot write %s", path);
    fflush(NULL);
    _exit(0);
}
