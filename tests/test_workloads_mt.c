/*
 * tests/test_workloads_mt.c -- the workloads whose objects cross threads
 * (handoff, shared_read) at T = 1..4 threads, on the backend this binary is
 * linked with (one binary per backend: build/test-workloads-mt-BACKEND), and
 * the rule that says which cells run at T > 1 (threads_na_reason).
 *
 * The workloads are tested on their own, apart from the threaded strategies:
 * under `mt`, a minimal thread-safe strategy of this file (atomic counts over
 * malloc), and `mt_gil`, the same under a tiny global lock that a thread
 * holds while it runs and drops around every wait, as rc_gil does -- a wait
 * not bracketed, or a thread that waits for the lock while holding the
 * queue's mutex, deadlocks it (the alarm turns a deadlock into a failure).
 * They run on a team of T threads, each with its heap (harness/team.c), as
 * a cell runs them.  Then the registry's threaded strategies (STRAT_THREADS)
 * run them too, each on its own compiled copy.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "../bench/workload.h"
#include "../bench/generic.h"
#include "../harness/backend.h"
#include "../harness/team.h"

static const heap_config cfg = HEAP_CONFIG_DEFAULT;

/* ---- what the frees say ------------------------------------------------
   Every int freed sets the bit of its index (its value - WL_FIRST_VALUE):
   a bit set twice is a double free, a bit never set an object never
   dropped.  The workloads number their ints from 0, so the bits of one run
   are its ints. */
#define MAX_INTS (1u << 22)
static unsigned char freed[MAX_INTS / 8];
static uint64_t freed_twice, freed_unknown;

static void note_int_freed(const obj *o)
{
    long i = int_value(o) - WL_FIRST_VALUE;
    if (i < 0 || (unsigned long)i >= MAX_INTS) {
        __atomic_fetch_add(&freed_unknown, 1, __ATOMIC_RELAXED);
        return;
    }
    unsigned char bit = (unsigned char)(1u << (i % 8));
    if (__atomic_fetch_or(&freed[i / 8], bit, __ATOMIC_RELAXED) & bit)
        __atomic_fetch_add(&freed_twice, 1, __ATOMIC_RELAXED);
}

/* How many of the first n bits are set. */
static uint64_t ints_freed(uint64_t n)
{
    uint64_t c = 0;
    for (uint64_t i = 0; i < n; i++)
        c += (freed[i / 8] >> (i % 8)) & 1;
    return c;
}

static void forget_frees(void)
{
    memset(freed, 0, sizeof freed);
    freed_twice = freed_unknown = 0;
}

/* ---- the tiny GIL ------------------------------------------------------
   Held by the thread that runs; each thread knows whether it holds it, so
   that every allocation, count update and free can check. */
static pthread_mutex_t gil = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int holds_gil;
static uint64_t ran_without_gil, gil_polls;

static void gil_take(heap *h)
{
    (void)h;
    pthread_mutex_lock(&gil);
    holds_gil = 1;
}

static void gil_drop(heap *h)
{
    (void)h;
    holds_gil = 0;
    pthread_mutex_unlock(&gil);
}

/* Under mt_gil: count a call made without the GIL. */
static void gil_check(heap *h);

/* The eval breaker: every 37th operation, let another thread run.  Often
   and at odd times, so that threads interleave everywhere in the loops. */
static void gil_poll(heap *h)
{
    gil_check(h);
    if (__atomic_add_fetch(&gil_polls, 1, __ATOMIC_RELAXED) % 37 == 0) {
        gil_drop(h);
        sched_yield();
        gil_take(h);
    }
}

/* ---- mt: atomic counts over malloc ------------------------------------- */
static const strategy mt_strategy, mt_gil_strategy;

static void gil_check(heap *h)
{
    if (h->s == &mt_gil_strategy && !holds_gil)
        __atomic_fetch_add(&ran_without_gil, 1, __ATOMIC_RELAXED);
}

static void *mt_alloc(heap *h, const type *t, size_t size)
{
    (void)t;
    gil_check(h);
    void *p = malloc(size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static void mt_free(heap *h, void *p, size_t size)
{
    gil_check(h);
    if (((obj *)p)->type == &int_type)
        note_int_freed(p);
    stats_free(h, size, 1);
    free(p);
}

static void *mt_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    gil_check(h);
    return malloc_resize(h, p, old_size, new_size);
}

/* Every count update atomic, statics' too: a plain read of a count (as
   obj_is_static makes) while another thread updates it is a data race. */
static void mt_retain(heap *h, obj *o)
{
    gil_check(h);
    __atomic_fetch_add(&o->refcnt, 1, __ATOMIC_RELAXED);
}

/* Release: the decrement that reaches zero must see every write made by the
   threads that dropped their references before (acquire-release). */
static void mt_release(heap *h, obj *o)
{
    gil_check(h);
    if (__atomic_sub_fetch(&o->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
        obj_destroy(h, o);
}

static heap *mt_create(const heap_config *c)
{
    heap *h = malloc(sizeof *h);
    if (h)
        heap_init(h, &mt_strategy, c);
    return h;
}

static heap *mt_gil_create(const heap_config *c)
{
    heap *h = mt_create(c);
    if (h)
        h->s = &mt_gil_strategy;
    return h;
}

static void mt_destroy(heap *h)
{
    heap_fini(h);
    free(h);
}

#define MT_VTABLE                                                            \
    .flags = STRAT_REFCOUNTS | STRAT_THREADS, .destroy = mt_destroy,          \
    .alloc = mt_alloc, .free = mt_free, .resize = mt_resize,                  \
    .retain = mt_retain, .release = mt_release,                               \
    .collect = strategy_nothing, .scope_end = strategy_nothing

static const strategy mt_strategy = {
    .name = "mt", .summary = "test: atomic counts over malloc", .create = mt_create,
    MT_VTABLE
};

static const strategy mt_gil_strategy = {
    .name = "mt_gil", .summary = "test: atomic counts over malloc, under a global lock",
    .create = mt_gil_create, MT_VTABLE,
    .thread_begin = gil_take, .thread_end = gil_drop,
    .blocking_begin = gil_drop, .blocking_end = gil_take, .poll = gil_poll,
};

/* ---- a team: harness/team.c, as a cell runs one -------------------------- */

typedef struct team_result {
    wl_result r;                    /* the team's: thread 0's checksum */
    heap_stats st[4];               /* each heap's */
    heap_stats sum;                 /* summed */
} team_result;

/* Run w under s on T threads, n operations each. */
static team_result run_team(const strategy *s, const workload *w, unsigned T, uint64_t n)
{
    team_result tr = { 0 };
    team *t = team_new(s, &cfg, w, T);
    CHECK(t != NULL, "%s/%s: no team of %u", s->name, w->name, T);
    if (t == NULL)
        return tr;
    wl_params p = { .n = n, .policy = growth_policy_find("cpython"), .k = 3, .verify = 1 };
    team_run(t, &p, &tr.r);
    for (unsigned i = 0; i < T; i++)
        tr.st[i] = team_heap(t, i)->st;
    tr.sum = team_stats(t);
    team_free(t);
    return tr;
}

/* What every WL_SHARED run must give: the team's checksum, no wrong value,
   every byte freed (live bytes sum back to zero over the heaps). */
static void check_run(const strategy *s, const workload *w, unsigned T, uint64_t n,
                      const team_result *tr)
{
    wl_params p = { .n = n, .k = 3, .threads = T };
    const char *sn = s->name, *wn = w->name;
    unsigned long long N = (unsigned long long)n;
    CHECK(tr->r.checksum == w->expected(&p), "%s/%s T=%u n=%llu: checksum %llu, expected %llu",
          sn, wn, T, N, (unsigned long long)tr->r.checksum, (unsigned long long)w->expected(&p));
    CHECK(tr->r.bad_values == 0, "%s/%s T=%u n=%llu: %llu wrong values", sn, wn, T, N,
          (unsigned long long)tr->r.bad_values);
    CHECK(tr->sum.live_bytes == 0 && tr->sum.live_objects == 0, "%s/%s T=%u n=%llu: %lld bytes "
          "in %lld objects live after the run", sn, wn, T, N, (long long)tr->sum.live_bytes,
          (long long)tr->sum.live_objects);
}

/* ... and under the test's strategies: every int freed exactly once
   (`ints` of them), nothing run without the GIL. */
static void check_team(const strategy *s, const workload *w, unsigned T, uint64_t n,
                       const team_result *tr, uint64_t ints)
{
    const char *sn = s->name, *wn = w->name;
    unsigned long long N = (unsigned long long)n;
    check_run(s, w, T, n, tr);
    CHECK(ints_freed(ints) == ints && freed_twice == 0 && freed_unknown == 0,
          "%s/%s T=%u n=%llu: %llu of %llu ints freed, %llu twice, %llu unknown", sn, wn, T, N,
          (unsigned long long)ints_freed(ints), (unsigned long long)ints,
          (unsigned long long)freed_twice, (unsigned long long)freed_unknown);
    CHECK(ran_without_gil == 0, "%s/%s T=%u: %llu calls without the GIL", sn, wn, T,
          (unsigned long long)ran_without_gil);
}

/* handoff: T*N tuples of 3 ints, each int freed exactly once; at T > 1 no
   object dies on the thread that made it: the producers' heaps free
   nothing, the consumers' allocate nothing. */
static void test_handoff(const strategy *s, unsigned T, uint64_t n)
{
    const workload *w = workload_find("handoff");
    forget_frees();
    team_result tr = run_team(s, w, T, n);
    check_team(s, w, T, n, &tr, 3 * T * n);
    CHECK(tr.sum.allocs == 4 * T * n, "handoff T=%u n=%llu: %llu allocations, not %llu", T,
          (unsigned long long)n, (unsigned long long)tr.sum.allocs,
          (unsigned long long)(4 * T * n));
    if (T == 1)
        return;
    unsigned P = (T + 1) / 2;
    for (unsigned i = 0; i < T; i++) {
        const heap_stats *st = &tr.st[i];
        if (i < P)
            CHECK(st->live_objects == st->allocs, "handoff T=%u n=%llu: producer %u made %llu "
                  "objects and freed %llu itself", T, (unsigned long long)n, i,
                  (unsigned long long)st->allocs,
                  (unsigned long long)(st->allocs - st->live_objects));
        else
            CHECK(st->allocs == 0, "handoff T=%u: consumer %u allocated %llu", T, i,
                  (unsigned long long)st->allocs);
    }
}

/* shared_read: one list of 1000 ints, made and freed by thread 0. */
static void test_shared_read(const strategy *s, unsigned T, uint64_t n)
{
    const workload *w = workload_find("shared_read");
    forget_frees();
    team_result tr = run_team(s, w, T, n);
    check_team(s, w, T, n, &tr, 1000);
    CHECK(tr.sum.allocs == tr.st[0].allocs && tr.sum.allocs == 1002, "shared_read T=%u: %llu "
          "allocations, %llu by thread 0, not 1002 (list, block, ints)", T,
          (unsigned long long)tr.sum.allocs, (unsigned long long)tr.st[0].allocs);
}

/* The registry's threaded strategies (rc_gil, rc_atomic, rc_biased), each
   on its own compiled copy of the workloads, as a cell runs them. */
static void test_registry(unsigned T, uint64_t n)
{
    static const char *const names[] = { "handoff", "shared_read" };
    for (const strategy *const *s = strategies; *s; s++)
        for (size_t i = 0; i < 2 && ((*s)->flags & STRAT_THREADS); i++) {
            const workload *w = strategy_workload(*s, names[i]);
            CHECK(w != NULL, "%s has no %s", (*s)->name, names[i]);
            if (w == NULL)
                continue;
            team_result tr = run_team(*s, w, T, n);
            check_run(*s, w, T, n, &tr);
        }
}

/* ---- the rule of cells at T > 1 ----------------------------------------- */

static const char *na(const char *s, const char *w, unsigned T, int64_t window)
{
    return threads_na_reason(strategy_find(s), workload_find(w), T, window);
}

static void test_threads_rule(void)
{
    /* T = 1: every cell runs, as before. */
    for (const strategy *const *s = strategies; *s; s++)
        for (const workload *const *w = workloads; *w; w++) {
            CHECK(threads_na_reason(*s, *w, 1, 10) == NULL, "%s/%s n/a at T = 1", (*s)->name,
                  (*w)->name);
            CHECK(threads_na_reason(*s, *w, 0, -1) == NULL, "%s/%s n/a at T = 0", (*s)->name,
                  (*w)->name);
        }
    /* Objects that cross threads: STRAT_THREADS only. */
    const char *r = na("refcount", "handoff", 2, -1);
    CHECK(r && strcmp(r, "refcount is single-threaded: objects cross threads in handoff") == 0,
          "refcount/handoff at T = 2: '%s'", r ? r : "(runs)");
    for (const char *const *s = (const char *const[]){ "refcount", "rc_cycle", "pool",
                                                       "marksweep", "arena", "boehm", NULL };
         *s; s++) {
        CHECK(na(*s, "shared_read", 4, -1) != NULL, "%s/shared_read runs at T = 4", *s);
        CHECK(na(*s, "handoff", 2, -1) != NULL, "%s/handoff runs at T = 2", *s);
    }
    /* A threaded model runs every workload but the cycles it leaks. */
    for (const workload *const *w = workloads; *w; w++)
        for (int64_t win = -1; win <= 10; win += 11) {
            const char *why = threads_na_reason(&mt_strategy, *w, 4, win);
            CHECK((why == NULL) == !((*w)->params & WL_CYCLIC), "mt/%s window %lld at T = 4: %s",
                  (*w)->name, (long long)win, why ? why : "(runs)");
        }
    CHECK(na("rc_biased", "cycles", 2, -1) != NULL, "rc_biased/cycles runs at T = 2 (it leaks)");
    /* Private workloads: the thread-private strategies too. */
    CHECK(na("refcount", "list_append", 2, -1) == NULL, "refcount/list_append n/a at T = 2");
    CHECK(na("rc_cycle", "cycles", 2, -1) == NULL, "rc_cycle/cycles n/a at T = 2");
    CHECK(na("marksweep", "cycles", 2, -1) == NULL, "marksweep/cycles n/a at T = 2");
    /* A cell that leaks runs in forked children: one thread. */
    CHECK(na("pool", "cycles", 2, -1) != NULL, "pool/cycles runs at T = 2");
    CHECK(na("refcount", "cycles", 4, -1) != NULL, "refcount/cycles runs at T = 4");
    CHECK(na("refcount", "tuple_create", 2, 0) == NULL, "refcount/tuple_create W=0 n/a at T = 2");
    /* ... but not where the threads share None and the strategy counts it. */
    CHECK(na("refcount", "tuple_create", 2, 10) != NULL, "refcount/tuple_create W=10 runs");
    CHECK(na("rc_cycle", "churn", 2, 0) != NULL, "rc_cycle/churn runs at T = 2 (None in W)");
    CHECK(na("marksweep", "tuple_create", 2, 10) == NULL, "marksweep/tuple_create W=10 n/a");
    CHECK(na("arena", "churn", 3, 0) == NULL, "arena/churn n/a at T = 3");
    /* A process-wide heap, and the reference series: one thread only. */
    CHECK(na("boehm", "list_append", 2, -1) != NULL, "boehm/list_append runs at T = 2");
    CHECK(na("cpython_model", "list_append", 2, -1) != NULL, "cpython_model runs at T = 2");
    CHECK(na("malloc", "list_append", 2, -1) != NULL, "malloc runs at T = 2");
    r = na("pool", "tuple_create", 2, 10);
    CHECK(r && strstr(r, "pool") && strstr(r, "tuple_create") && !strchr(r, '\n'),
          "pool/tuple_create W=10: '%s'", r ? r : "(runs)");
}

/* --quick: small sizes only (for valgrind). */
int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    /* A deadlock is a failure, not a hang: the whole test takes ~2 s, ~10 under ASan. */
    alarm(60);
    static const uint64_t sizes[] = { 1, 63, 64, 65, 1000, 10007, 100000 };
    const size_t nsizes = sizeof sizes / sizeof *sizes - (quick ? 2 : 0);
    const strategy *ss[] = { &mt_strategy, &mt_gil_strategy };
    for (size_t si = 0; si < 2; si++)
        for (unsigned T = 1; T <= 4; T++)
            for (size_t i = 0; i < nsizes; i++) {
                test_handoff(ss[si], T, sizes[i]);
                test_shared_read(ss[si], T, sizes[i]);
            }
    for (unsigned T = 1; T <= 4; T++)
        for (size_t i = 0; i < nsizes; i++)
            test_registry(T, sizes[i]);
    test_threads_rule();
    char suite[64];
    snprintf(suite, sizeof suite, "workloads mt (%s)", the_backend.name);
    return check_summary(suite);
}
