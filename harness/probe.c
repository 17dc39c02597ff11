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
 * four parts that each stand for one thing the cells spend time on:
 *   alu    a chain of dependent multiply-adds: the core's clock;
 *   heap   what a cell does, in miniature: objects popped from a free list,
 *          filled, appended to a growing array, pushed back -- stores,
 *          branches and copies in 512 KiB, the pipeline as the cells use it
 *          (a dependent chain uses one unit: a busy sibling thread on the
 *          host slows the cells and not the chain);
 *   chase  a random walk through 4 MiB: the caches and memory;
 *   fault  first touches of fresh pages: what the hypervisor charges.
 * `memstrat compare` sets B's probe against A's (drift.c) and prints it as
 * context only: on the reference VM it did not track what the cells see
 * (README, "The machine's drift").  The probe is not a cell:
 * MEMSTRAT_PLANT_SLOWDOWN and the allocator never reach it.  alu is
 * pin.c's calibration chain and fault system.c's first-touch loop.
 */
#include "run.h"
#include "stats.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBE_REPS   5          /* per round, interleaved: medians of each part */
#define PROBE_TRIES  15         /* repetitions that shared the CPU are redone */
#define ALU_STEPS    1000000    /* ~1.2 ms */
#define CHASE_BYTES  ((size_t)4 << 20)  /* past L2, within L3 on the VM's EPYC */
#define CHASE_STEPS  25000      /* ~5 ms: a step misses the TLB, ~200 ns here */
#define FAULT_PAGES  256        /* ~3 ms at 12 us */

#define HEAP_OBJS    8192       /* 32-byte objects: 256 KiB, and the array */
#define HEAP_ROUNDS  8          /* ~1 ms */

static size_t *ring;            /* ring[i]: the next slot: one cycle over all */

typedef struct pobj { struct pobj *next; uint64_t a, b, c; } pobj;
static pobj *heap_objs;         /* HEAP_OBJS of them, threaded on a free list */
static pobj **heap_array;       /* the growing array, up to HEAP_OBJS */

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

static int build_heap(void)
{
    heap_objs = malloc(HEAP_OBJS * sizeof *heap_objs);
    heap_array = malloc(HEAP_OBJS * sizeof *heap_array);
    if (heap_objs == NULL || heap_array == NULL)
        return -1;
    for (size_t i = 0; i < HEAP_OBJS; i++)
        heap_objs[i].next = i + 1 < HEAP_OBJS ? &heap_objs[i + 1] : NULL;
    return 0;
}

/* ns per object: pop, fill, append (the array grows by doubling, copied as
   a list's item block is), then every object pushed back. */
static double heap_ns(void)
{
    volatile uint64_t sink;
    pobj *free_list = &heap_objs[0];
    uint64_t sum = 0, t0 = clock_ns();
    for (int r = 0; r < HEAP_ROUNDS; r++) {
        size_t n = 0, cap = 8;
        for (size_t i = 0; i < HEAP_OBJS; i++) {
            pobj *o = free_list;
            free_list = o->next;
            o->a = i, o->b = i * 3, o->c = (uint64_t)r;
            if (n == cap) {
                /* The copy a list's resize makes, into the array's upper
                   half (its lower half is the live items). */
                cap *= 2;
                memmove(heap_array + HEAP_OBJS - n, heap_array, n * sizeof *heap_array);
                memmove(heap_array, heap_array + HEAP_OBJS - n, n * sizeof *heap_array);
            }
            heap_array[n++] = o;
        }
        for (size_t i = n; i-- > 0;) {
            pobj *o = heap_array[i];
            sum += o->a + o->b;
            o->next = free_list;
            free_list = o;
        }
    }
    uint64_t t = clock_ns() - t0;
    sink = sum;
    (void)sink;
    return (double)t / (HEAP_ROUNDS * HEAP_OBJS);
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

/* CPU time of this thread: a part that got less of its CPU than its wall
   time shared the CPU with another program, and says nothing of the
   machine's speed. */
static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One repetition of the four parts; 0 if it had its CPU throughout. */
static int one_rep(double *a, double *h, double *c, double *f)
{
    uint64_t w0 = clock_ns(), c0 = cpu_ns();
    *a = pin_chain_ns(ALU_STEPS);
    *h = heap_ns();
    *c = chase_ns();
    *f = system_touch_ns((size_t)FAULT_PAGES * 4096, 0);
    double wall = (double)(clock_ns() - w0), cpu = (double)(cpu_ns() - c0);
    return *f > 0 && (cpu >= CONTENDED_SHARE * wall || supervise_contention_off()) ? 0 : -1;
}

int probe_measure(probe_sample *out)
{
    if ((ring == NULL && build_ring() < 0) || (heap_objs == NULL && build_heap() < 0))
        return -1;
    /* The ring's lines are warm in the cache of whichever CPU walked it
       last: one walk first, untimed, on this one. */
    chase_ns();
    heap_ns();
    double a[PROBE_REPS], h[PROBE_REPS], c[PROBE_REPS], f[PROBE_REPS];
    int n = 0;
    out->contended = 0;
    for (int tries = 0; n < PROBE_REPS && tries < PROBE_TRIES; tries++) {
        if (one_rep(&a[n], &h[n], &c[n], &f[n]) == 0)
            n++;
        else
            out->contended++;
    }
    if (n < PROBE_REPS)
        return -1;
    out->alu_ns = stats_median(a, PROBE_REPS);
    out->heap_ns = stats_median(h, PROBE_REPS);
    out->chase_ns = stats_median(c, PROBE_REPS);
    out->fault_ns = stats_median(f, PROBE_REPS);
    return 0;
}
