/*
 * harness/pin.c -- which CPU the cells run on.
 *
 * Why pin at all: on the reference VM the two CPUs differ in speed by
 * 1.5-2x, every time (floor list_append 1e5: 1.11 ns/op on CPU 0 against
 * 1.58-1.74 on CPU 1), so a cell the kernel places freely is bimodal by
 * placement alone.  The run pins every cell to one CPU, chosen here by a
 * calibration when the user does not choose (--pin), and keeps the runner
 * itself, which samples the cell every millisecond, on another.
 */
#include "run.h"
#include "stats.h"

#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAL_ROUNDS 9            /* per CPU, interleaved: a passing burst of
                                   load hits every CPU alike */
#define CAL_ITERS  2000000      /* ~4 ms of dependent arithmetic per round */

static int allowed(cpu_set_t *set)
{
    CPU_ZERO(set);
    return sched_getaffinity(0, sizeof *set, set) == 0 ? CPU_COUNT(set) : 0;
}

void pin_self(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

/* A chain of dependent multiply-adds, ns per step: its time is the core's
   speed, not the memory system's, and the compiler cannot shorten it.  The
   calibration here and the machine probe (probe.c) both time it. */
double pin_chain_ns(int steps)
{
    volatile uint64_t seed = 88172645463325252ull;
    uint64_t x = seed;
    uint64_t t0 = clock_ns();
    for (int i = 0; i < steps; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t t = clock_ns() - t0;
    seed = x;
    return (double)t / steps;
}

int pin_speeds(cpu_speed *out, int max)
{
    cpu_set_t orig;
    int count = allowed(&orig), nc = 0;
    for (int c = 0; c < CPU_SETSIZE && nc < count && nc < max; c++)
        if (CPU_ISSET(c, &orig))
            out[nc++].cpu = c;
    double *t = calloc((size_t)(nc ? nc : 1) * CAL_ROUNDS, sizeof *t);
    for (int r = 0; r < CAL_ROUNDS; r++)
        for (int i = 0; i < nc; i++) {
            pin_self(out[i].cpu);
            t[i * CAL_ROUNDS + r] = pin_chain_ns(CAL_ITERS) * CAL_ITERS;
        }
    sched_setaffinity(0, sizeof orig, &orig);
    for (int i = 0; i < nc; i++) {
        const double *v = &t[i * CAL_ROUNDS];
        double med = stats_median(v, CAL_ROUNDS);
        out[i].ms = med / 1e6;
        out[i].spread = (stats_quantile(v, CAL_ROUNDS, 0.75) - stats_quantile(v, CAL_ROUNDS, 0.25)) / med;
    }
    free(t);
    return nc;
}

/* The CPUs the run may use, before the runner pinned itself to one. */
static cpu_set_t run_set;
static int have_run_set;

void pin_spread(void)
{
    if (have_run_set)
        sched_setaffinity(0, sizeof run_set, &run_set);
}

int pin_choose(const run_opts *o, char *why, size_t n)
{
    cpu_set_t orig;
    int count = allowed(&orig);
    run_set = orig;
    have_run_set = 1;
    if (o->pin >= 0) {
        snprintf(why, n, "CPU %d, as --pin asked", o->pin);
        return o->pin;
    }
    if (o->pin == PIN_NONE || count < 1) {
        snprintf(why, n, "not pinned (--pin none): the kernel places each cell");
        return -1;
    }
    cpu_speed sp[64];
    int nc = pin_speeds(sp, 64);
    if (nc == 1) {
        snprintf(why, n, "CPU %d, the only one this process may use", sp[0].cpu);
        return sp[0].cpu;
    }
    /* The score is the median time times (1 + the interquartile spread): the
       fastest CPU wins unless its speed wanders. */
    int best = 0;
    for (int i = 1; i < nc; i++)
        if (sp[i].ms * (1 + sp[i].spread) < sp[best].ms * (1 + sp[best].spread))
            best = i;
    size_t len = (size_t)snprintf(why, n, "CPU %d by calibration (median ms per round:", sp[best].cpu);
    for (int i = 0; i < nc && len < n; i++)
        len += (size_t)snprintf(why + len, n - len, " cpu%d %.2f", sp[i].cpu, sp[i].ms);
    if (len < n)
        snprintf(why + len, n - len, ")");
    return sp[best].cpu;
}

int pin_other(int cell_cpu)
{
    cpu_set_t set;
    if (cell_cpu < 0 || allowed(&set) < 2)
        return -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (c != cell_cpu && CPU_ISSET(c, &set))
            return c;
    return -1;
}
