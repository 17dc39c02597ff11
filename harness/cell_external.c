/* harness/cell_external.c -- a reference series run by another runtime
   (cpython): the cell hands the work to a script and reads its result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cell.h"
#include "exits.h"

#ifndef MEMSTRAT_SOURCE_DIR
#define MEMSTRAT_SOURCE_DIR "."
#endif

/* Run the strategy's script (MEMSTRAT_PYTHON, default python3) with the
   cell's parameters and turn its KEY VALUE output into the cell's result:
   times per call become ns per operation, its checksum is checked against
   the C workload's.  No python3: EXIT_NA with a note. */
int run_external(const strategy *s, const workload *w, const wl_params *p, int reps,
                 double min_time, const char *result_path)
{
    const char *py = getenv("MEMSTRAT_PYTHON");
    if (py == NULL || *py == '\0')
        py = "python3";
    if (w->params & WL_POLICY && strcmp(p->policy->name, "cpython") != 0) {
        fprintf(stderr, "%s grows lists by its own policy, not '%s'\n", s->name,
                p->policy->name);
        return EXIT_NA;
    }
    char cmd[8192];
    /* 66 from the shell: no such program. */
    snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1 || exit 66; exec '%s' '%s/%s' "
             "--workload %s --size %llu --k %u --window %llu --reps %d --min-time %g",
             py, py, MEMSTRAT_SOURCE_DIR, s->external, w->name,
             (unsigned long long)p->n, p->k, (unsigned long long)p->window, reps, min_time);
    FILE *f = popen(cmd, "r");
    char key[64], val[256], version[256] = "", per_gen[256] = "-";
    double v_median = -1, v_mean = 0, v_stddev = 0, v_min = 0, v_cv = 0, iters = 0;
    long baseline = 0;
    unsigned long long checksum = 0, collections = 0;
    while (f && fscanf(f, "%63s %255[^\n]", key, val) == 2) {
        if (strcmp(key, "backend_version") == 0) snprintf(version, sizeof version, "%s", val);
        else if (strcmp(key, "baseline_rss_kb") == 0) baseline = atol(val);
        else if (strcmp(key, "iterations") == 0) iters = atof(val);
        else if (strcmp(key, "median") == 0) v_median = atof(val);
        else if (strcmp(key, "mean") == 0) v_mean = atof(val);
        else if (strcmp(key, "stddev") == 0) v_stddev = atof(val);
        else if (strcmp(key, "min") == 0) v_min = atof(val);
        else if (strcmp(key, "cv") == 0) v_cv = atof(val);
        else if (strcmp(key, "checksum") == 0) checksum = strtoull(val, NULL, 10);
        else if (strcmp(key, "collections") == 0) collections = strtoull(val, NULL, 10);
        else if (strcmp(key, "collections_gen") == 0) snprintf(per_gen, sizeof per_gen, "%s", val);
    }
    int st = f ? pclose(f) : -1;
    if (v_median < 0 && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 66) {
        fprintf(stderr, "no '%s' on this machine: the %s series is skipped\n", py, s->name);
        return EXIT_NA;
    }
    if (v_median < 0 || st != 0)
        cell_fail(EXIT_FAILED, "failed: %s", "the python3 loop did not finish (see the log)");
    if (checksum != w->expected(p))
        cell_fail(EXIT_FAILED, "failed: %s", "python3's checksum differs from the workload's");

    double n = (double)p->n;
    /* CPython grows lists as the cpython policy does (tests/data checks it). */
    wl_result r = { .final_len = p->n,
                    .final_cap = growth_capacity_after(growth_policy_find("cpython"), p->n) };
    FILE *out = fopen(result_path, "w");
    if (out == NULL)
        cell_fail(EXIT_FAILED, "failed: cannot write %s", result_path);
    fprintf(out, "backend_options -\n");
    fprintf(out, "backend_version %s\nbaseline_rss_kb %ld\nreps %d\niterations %.0f\n",
            version, baseline, reps, iters);
    fprintf(out, "ns_median %.4f\nns_mean %.4f\nns_stddev %.4f\nns_min %.4f\ncv %.5f\n",
            v_median / n, v_mean / n, v_stddev / n, v_min / n, v_cv);
    fprintf(out, "live_peak_bytes %llu\n", (unsigned long long)w->live_peak(p, &r));
    /* What only an instrumented heap knows is "-" here. */
    fprintf(out, "heap_peak_bytes -\nallocs -\nresizes -\nbytes_copied -\nbytes_remapped -\n"
            "growth_mean -\ngrowth_last -\nfinal_slack -\nin_place_share -\npause_total_ms -\n"
            "pause_max_ms -\nleaked_objects -\nleaked_bytes -\nlat_batch -\ntimer_ns -\n"
            "lat_overhead -\nlat_p50_ns -\nlat_p99_ns -\nlat_p999_ns -\nlat_max_ns -\n"
            "pause_p50_ms -\npause_p99_ms -\n");
    fprintf(out, "collections %llu\ncollections_gen %s\n", collections, per_gen);
    if (fclose(out) != 0)
        cell_fail(EXIT_FAILED, "failed: cannot write %s", result_path);
    return 0;
}
