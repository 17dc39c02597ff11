/*
 * harness/probe.c -- the machine's own speed, measured every round.
 *
 * Why: on the reference VM a whole run can be a few percent slower than the
 * same run three minutes earlier, every cell alike.  perf-check's A/A pairs
 * moved by +2.2%, -1.3% and +3.5% (median over 290 cells), and churn,
 * cpython and floor moved as much as the rest: the host, not our code.
 * Interleaving trials within a run cannot see that, since every trial of a run
 * shares it; comparing two runs then reads the machine's drift as a change.
 *
 * So each round the runner also times this probe, on the cells' CPU: fixed
 * code that no memstrat change touches (PROBE_VERSION says when it does), in
 * three parts that each stand for one thing the cells spend time on:
 *   alu    a chain of dependent multiply-adds: the core's clock;
 *   chase  a random walk through 4 MiB: the caches and memory;
 *   fault  first touches of fresh pages: what the hypervisor charges.
 * `memstrat compare` sets B's probe against A's: it names the drift and,
 * unless told not to, takes it out of every ratio (compare.c).  The probe is
 * not a cell: MEMSTRAT_PLANT_SLOWDOWN and the allocator never reach it.
 */
#include "run.h"
#include "stats.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define PROBE_REPS   5          /* per round, interleaved: medians of each part */
#define PROBE_TRIES  15         /* repetitions that shared the CPU are redone */
#define ALU_STEPS    1000000    /* ~1.2 ms */
#define CHASE_BYTES  ((size_t)4 << 20)  /* past L2, within L3 on the VM's EPYC */
#define CHASE_STEPS  25000      /* ~5 ms: a step misses the TLB, ~200 ns here */
#define FAULT_PAGES  256        /* ~3 ms at 12 us */
#define PAGE         4096

static size_t *ring;            /* ring[i]: the next slot: one cycle over all */

/* One cycle through every slot, in a random order (Sattolo's shuffle), so
   that no prefetcher can guess the next line. */
static int build_ring(void)
{
    size_t n = CHASE_BYTES / sizeof *ring;
    ring = malloc(CHASE_BYTES);
    if (ring == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        ring[i] = i;
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (size_t i = n - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t j = (size_t)(s % i), t = ring[i];
        ring[i] = ring[j], ring[j] = t;
    }
    return 0;
}

static double alu_ns(void)
{
    volatile uint64_t sink;
    uint64_t x = 88172645463325252ull, t0 = clock_ns();
    for (int i = 0; i < ALU_STEPS; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t t = clock_ns() - t0;
    sink = x;
    (void)sink;
    return (double)t / ALU_STEPS;
}

static double chase_ns(void)
{
    volatile size_t sink;
    size_t at = 0;
    uint64_t t0 = clock_ns();
    for (int i = 0; i < CHASE_STEPS; i++)
        at = ring[at];
    uint64_t t = clock_ns() - t0;
    sink = at;
    (void)sink;
    return (double)t / CHASE_STEPS;
}

/* Huge pages refused: a fault is a 4 KiB fault whatever THP says. */
static double fault_ns(void)
{
    size_t bytes = (size_t)FAULT_PAGES * PAGE;
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    madvise(p, bytes, MADV_NOHUGEPAGE);
    uint64_t t0 = clock_ns();
    for (size_t i = 0; i < bytes; i += PAGE)
        ((volatile char *)p)[i] = 1;
    uint64_t t = clock_ns() - t0;
    munmap(p, bytes);
    return (double)t / FAULT_PAGES;
}

/* CPU time of this thread: a part that got less of its CPU than its wall
   time shared the CPU with another program, and says nothing of the
   machine's speed. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One repetition of the three parts; 0 if it had its CPU throughout. */
static int one_rep(double *a, double *c, double *f)
{
    uint64_t w0 = clock_ns(), c0 = cpu_ns();
    *a = alu_ns();
    *c = chase_ns();
    *f = fault_ns();
    double wall = (double)(clock_ns() - w0), cpu = (double)(cpu_ns() - c0);
    return *f > 0 && (cpu >= CONTENDED_SHARE * wall || supervise_contention_off()) ? 0 : -1;
}

int probe_measure(probe_sample *out)
{
    if (ring == NULL && build_ring() < 0)
        return -1;
    /* The ring's lines are warm in the cache of whichever CPU walked it
       last: one walk first, untimed, on this one. */
    chase_ns();
    double a[PROBE_REPS], c[PROBE_REPS], f[PROBE_REPS];
    int n = 0;
    out->contended = 0;
    for (int tries = 0; n < PROBE_REPS && tries < PROBE_TRIES; tries++) {
        if (one_rep(&a[n], &c[n], &f[n]) == 0)
            n++;
        else
            out->contended++;
    }
    if (n < PROBE_REPS)
        return -1;
    out->alu_ns = stats_median(a, PROBE_REPS);
    out->chase_ns = stats_median(c, PROBE_REPS);
    out->fault_ns = stats_median(f, PROBE_REPS);
    return 0;
}
