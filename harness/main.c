/*
 * harness/main.c -- the `memstrat` command.
 *
 *   memstrat list                      strategies, backends, workloads, policies
 *   memstrat growth --policy P --max N list capacities at each resize
 *   memstrat system [--json]           the machine and its calibrations (system.c)
 *   memstrat run [options]             run a matrix (harness/runner.c)
 *   memstrat merge OUT RUN...          one run from several: shards, hosts (merge.c)
 *   memstrat compare A B | RUN --a K=V --b K=V   compare with evidence (compare.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "run.h"
#include "runner.h"
#include "../bench/workload.h"

/* A number #defined once, in the help text too. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

static void usage_text(FILE *f)
{
    fprintf(f,
        "usage: memstrat list\n"
        "       memstrat growth [--policy P] [--max N]\n"
        "       memstrat system [--json]       this machine, what it does to the numbers, advice\n"
        "       memstrat run [options]\n"
        "       memstrat merge OUT RUN... [--allow-mixed]   one run from shards or hosts\n"
        "       memstrat compare A B [--threshold PCT] [--fail-slower PCT] [--csv|--md] [--common]\n"
        "       memstrat compare RUN --a DIM=VALUE --b DIM=VALUE   (e.g. backend=glibc, backend=mimalloc)\n"
        "\n"
        "run options (lists are comma-separated; 'all' means every choice):\n"
        "  --strategy S     strategies (default all but the threaded models rc_gil, rc_atomic,\n"
        "                   rc_biased; 'all' includes them)\n"
        "  --backend B      allocator backends (default all)\n"
        "  --workload W     workloads (default all but handoff and shared_read, whose objects\n"
        "                   cross threads; 'all' includes them)\n"
        "  --size N         sizes: 1000, 1e6, 100k, 1M, ranges 1e3..1e7x10 (default 1e3..1e5x10)\n"
        "  --policy P       list growth policies (default cpython)\n"
        "  --heap-factor F  marksweep heap factors, > 1 (default 2)\n"
        "  --gc-threshold A,B,C  rc_cycle and cpython_model generation thresholds (default 700,10,10)\n"
        "  --big-blocks keep|free  marksweep, arena: keep a freed big block as their real\n"
        "                   counterparts do, or give it back at once (default keep)\n"
        "  --batch N        latency: operations per recorded batch (default "
        STRINGIFY(LAT_BATCH_DEFAULT) ")\n"
        "  --sample-ms MS   RSS timeline: sampling interval (default 1)\n"
        "  --window W       tuple_create: tuples kept alive (default 0)\n"
        "  --k K            tuple_create: items per tuple (default 3)\n"
        "  --threads T      threads per cell, e.g. 1,2,4, each in 1.." STRINGIFY(MAX_THREADS)
        " (default 1); cells a\n"
        "                   strategy cannot run with threads are n/a, with the reason\n"
        "  --switch-interval MS  rc_gil: hand the lock over this often, ms (default 5)\n"
        "  --trials T       separate processes per cell, run in shuffled rounds (default 5)\n"
        "  --max-trials M   ... and more rounds, up to M, for the cells whose median's 95%%\n"
        "                   interval is wider than --ci-target (default T: none)\n"
        "  --ci-target PCT  half-width of that interval, percent of the median (default 3)\n"
        "  --budget S       no more adaptive rounds once the run would pass S seconds\n"
        "  --retries R      extra trials per cell in place of contended ones, trials that shared\n"
        "                   their CPU with another program (default 2; 0: none)\n"
        "  --seed S         the rounds' shuffle (default: drawn, kept in meta.json)\n"
        "  --reps R         Google Benchmark repetitions per trial (default 3)\n"
        "  --min-time S     seconds per repetition, at least (default 0.02)\n"
        "  --timeout S      seconds per cell before it is killed (default 600)\n"
        "  --mem-limit M    memory per cell, e.g. 8G; 0 for none (default 3/4 of RAM)\n"
        "  --pin P          auto (default: the fastest CPU by a calibration), none, or a CPU\n"
        "  --shard K/N      only the K-th of N disjoint parts of the matrix, balanced by the\n"
        "                   estimate (for N machines: make bench-slurm)\n"
        "  --out DIR        results directory (default results/<UTC time>-<host>)\n"
        "  --resume DIR     finish an interrupted run: only missing trials run\n"
        "  --repair         with --resume: rebuild a damaged run from its whole trials\n"
        "  --dry-run        print the cells and an estimate of the time, run nothing\n");
}

static void print_list(void)
{
    printf("strategies:\n");
    for (const strategy *const *s = strategies; *s; s++)
        printf("  %-12s %s\n", (*s)->name, (*s)->summary);
    printf("backends:\n");
    char buf[256];
    char *items[32];
    snprintf(buf, sizeof buf, "%s", memstrat_backends);
    size_t n = split_list(buf, items, 32);
    for (size_t i = 0; i < n; i++)
        printf("  %s\n", items[i]);
    printf("workloads:\n");
    for (const workload *const *w = workloads; *w; w++)
        printf("  %-12s %s\n", (*w)->name, (*w)->summary);
    printf("policies:\n");
    for (const growth_policy *const *p = growth_policies; *p; p++)
        printf("  %-12s %s\n", (*p)->name, (*p)->summary);
}

static int growth_main(int argc, char **argv)
{
    const growth_policy *p = growth_policy_find("cpython");
    uint64_t max = 1000;
    char err[256], names[256];
    for (int i = 0; i < argc; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "memstrat growth: option %s needs a value\n", argv[i]);
            return EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (strcmp(argv[i - 1], "--policy") == 0) {
            if ((p = growth_policy_find(v)) == NULL) {
                names_of((const void *const *)growth_policies, names, sizeof names);
                fprintf(stderr, "memstrat growth: unknown policy '%s' (valid: %s)\n", v, names);
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i - 1], "--max") == 0) {
            if (parse_count(v, &max, err, sizeof err) < 0) {
                fprintf(stderr, "memstrat growth: %s\n", err);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "memstrat growth: unknown option '%s' (valid: --policy, --max)\n",
                    argv[i - 1]);
            return EXIT_USAGE;
        }
    }
    /* Append one item at a time, as list.append does, and print the length
       at which each resize happens with the capacity it gives. */
    printf("# policy %s: length capacity at each resize\n", p->name);
    size_t cap = 0;
    for (size_t len = 1; len <= max; len++)
        if (len > cap) {
            cap = growth_capacity(p, cap, len);
            printf("%zu %zu\n", len, cap);
        }
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "help";
    if (strcmp(cmd, "list") == 0 && argc == 2) {
        print_list();
        return 0;
    }
    if (strcmp(cmd, "growth") == 0)
        return growth_main(argc - 2, argv + 2);
    if (strcmp(cmd, "run") == 0)
        return run_main(argc - 2, argv + 2);
    if (strcmp(cmd, "compare") == 0)
        return compare_main(argc - 2, argv + 2);
    if (strcmp(cmd, "merge") == 0)
        return merge_main(argc - 2, argv + 2);
    if (strcmp(cmd, "system") == 0)
        return system_main(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage_text(stdout);
        return 0;
    }
    fprintf(stderr, "memstrat: unknown command '%s' (valid: list, growth, run, merge, compare, system, help)\n", cmd);
    return EXIT_USAGE;
}
