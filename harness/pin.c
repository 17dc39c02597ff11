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

/* A chain of dependent multiply-adds: its time is the core's speed, not the
   memory system's, and the compiler cannot shorten it. */
static double spin_ns(void)
{
    volatile uint64_t seed = 88172645463325252ull;
    uint64_t x = seed;
    uint64_t t0 = clock_ns();
    for (int i = 0; i < CAL_ITERS; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t t = clock_ns() - t0;
    seed = x;
    return (double)t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int pin_choose(const run_opts *o, char *why, size_t n)
{
    cpu_set_t orig;
    int count = allowed(&orig);
    if (o->pin >= 0) {
        snprintf(why, n, "CPU %d, as --pin asked", o->pin);
        return o->pin;
    }
    if (o->pin == PIN_NONE || count < 1) {
        snprintf(why, n, "not pinned (--pin none): the kernel places each cell");
        return -1;
    }
    int cpus[CPU_SETSIZE], nc = 0;
    for (int c = 0; c < CPU_SETSIZE && nc < count; c++)
        if (CPU_ISSET(c, &orig))
            cpus[nc++] = c;
    if (nc == 1) {
        snprintf(why, n, "CPU %d, the only one this process may use", cpus[0]);
        return cpus[0];
    }
    double *t = calloc((size_t)nc * CAL_ROUNDS, sizeof *t);
    for (int r = 0; r < CAL_ROUNDS; r++)
        for (int i = 0; i < nc; i++) {
            pin_self(cpus[i]);
            t[i * CAL_ROUNDS + r] = spin_ns();
        }
    sched_setaffinity(0, sizeof orig, &orig);
    /* The score is the median time times (1 + the interquartile spread): the
       fastest CPU wins unless its speed wanders. */
    int best = 0;
    double best_score = INFINITY, med[CPU_SETSIZE > 1024 ? 1024 : CPU_SETSIZE];
    for (int i = 0; i < nc && i < 1024; i++) {
        double *v = &t[i * CAL_ROUNDS];
        qsort(v, CAL_ROUNDS, sizeof *v, cmp_double);
        med[i] = v[CAL_ROUNDS / 2];
        double spread = (v[CAL_ROUNDS * 3 / 4] - v[CAL_ROUNDS / 4]) / med[i];
        double score = med[i] * (1 + spread);
        if (score < best_score)
            best_score = score, best = i;
    }
    size_t len = (size_t)snprintf(why, n, "CPU %d by calibration (median ms per round:", cpus[best]);
    for (int i = 0; i < nc && i < 1024 && len < n; i++)
        len += (size_t)snprintf(why + len, n - len, " cpu%d %.2f", cpus[i], med[i] / 1e6);
    if (len < n)
        snprintf(why + len, n - len, ")");
    free(t);
    return cpus[best];
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
