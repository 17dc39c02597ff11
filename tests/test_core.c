/*
 * tests/test_core.c -- the object model, every strategy and every workload,
 * in-process, on the backend this binary is linked with (one binary per
 * backend: build/test-core-BACKEND).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include "check.h"
#include "../bench/workload.h"
#include "../bench/generic.h"
#include "../harness/backend.h"

static const heap_config cfg = { HEAP_FACTOR_DEFAULT, 64 << 10, GC_THRESHOLD_DEFAULT,
                                  BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };

static void test_sizes(void)
{
    /* sys.getsizeof in CPython 3.11: 28, 64 for a 3-tuple, 56 for []. */
    CHECK(INT_OBJ_SIZE == 28, "int is %zu bytes", (size_t)INT_OBJ_SIZE);
    CHECK(TUPLE_OBJ_SIZE(3) == 64, "3-tuple is %zu bytes", (size_t)TUPLE_OBJ_SIZE(3));
    CHECK(TUPLE_OBJ_SIZE(0) == 40, "() is %zu bytes", (size_t)TUPLE_OBJ_SIZE(0));
    CHECK(LIST_OBJ_SIZE == 56, "list is %zu bytes", (size_t)LIST_OBJ_SIZE);
}

static void test_small_ints(const strategy *s)
{
    heap *h = s->create(&cfg);
    list_obj *l = list_new(h);
    uint64_t before = h->st.allocs;
    for (long i = 0; i < 1000; i++) {
        obj *o = int_new(h, i % 256);
        list_append(h, l, o, growth_policy_find("cpython"));
        obj_release(h, o);
    }
    /* Only the item block may have grown: no int was allocated. */
    CHECK(h->st.allocs - before == 1, "%s: appending i %% 256 made %llu allocations",
          s->name, (unsigned long long)(h->st.allocs - before));
    CHECK(l->items[5] == l->items[261] && l->items[5] == small_int(5),
          "%s: small ints are not shared", s->name);
    obj *a = int_new(h, 257), *b = int_new(h, 257);
    CHECK(a != b, "%s: 257 must not be shared", s->name);
    obj_release(h, a);
    obj_release(h, b);
    obj_release(h, &l->h);
    s->scope_end(h);
    s->destroy(h);
}

/* Run workload w under strategy s with the given run() -- the strategy's own
   compiled copy or the generic one through the vtable -- and check it.
   Returns the heap's statistics at the end of the run. */
static heap_stats run_workload(const strategy *s, const workload *w, const workload *impl,
                               uint64_t n, uint64_t window)
{
    wl_params p = { .n = n, .policy = growth_policy_find("cpython"), .window = window,
                    .k = 3, .verify = 1 };
    wl_result r = { 0 };
    heap *h = s->create(&cfg);
    impl->run(h, &p, &r);
    heap_stats st = h->st;
    const char *sn = s->name, *wn = w->name;
    const char *how = impl == w ? " (generic)" : "";
    CHECK(r.bad_values == 0, "%s/%s%s n=%llu: %llu wrong values", sn, wn, how,
          (unsigned long long)n, (unsigned long long)r.bad_values);
    CHECK(r.checksum == w->expected(&p), "%s/%s%s n=%llu: checksum %llu, expected %llu", sn, wn,
          how, (unsigned long long)n, (unsigned long long)r.checksum,
          (unsigned long long)w->expected(&p));
    /* Every operation allocates, but shared_read's: it reads one list. */
    uint64_t least = strcmp(wn, "shared_read") == 0 ? 1 : n;
    CHECK(h->st.allocs >= least, "%s/%s%s: %llu allocations for %llu operations", sn, wn, how,
          (unsigned long long)h->st.allocs, (unsigned long long)n);
    int leaks = (w->params & WL_CYCLIC) && (s->flags & STRAT_REFCOUNTS) &&
                !(s->flags & STRAT_TRACES);
    if ((s->flags & STRAT_REFCOUNTS) && !(w->params & WL_CYCLIC)) {
        /* A perfect reference counter holds exactly what the workload does. */
        CHECK(h->st.peak_bytes == w->live_peak(&p, &r), "%s/%s%s: peak %llu bytes, workload %llu",
              sn, wn, how, (unsigned long long)h->st.peak_bytes,
              (unsigned long long)w->live_peak(&p, &r));
    }
    if (leaks) {
        /* Reference counting alone keeps every cycle: n groups, exactly. */
        CHECK(h->st.live_bytes == n * w->live_peak(&p, &r) && h->st.live_objects == 4 * n,
              "%s/%s%s n=%llu: %llu bytes in %llu objects leaked, expected %llu in %llu", sn, wn,
              how, (unsigned long long)n, (unsigned long long)h->st.live_bytes,
              (unsigned long long)h->st.live_objects,
              (unsigned long long)(n * w->live_peak(&p, &r)), (unsigned long long)(4 * n));
    } else if (!(s->flags & (STRAT_OWN_HEAP | STRAT_REFERENCE))) {
        if (s->flags & STRAT_TRACES)
            s->collect(h);          /* nothing is reachable any more */
        CHECK(h->st.live_objects == 0 && h->st.live_bytes == 0,
              "%s/%s%s: %llu objects, %llu bytes live after the drop", sn, wn, how,
              (unsigned long long)h->st.live_objects, (unsigned long long)h->st.live_bytes);
    }
    s->destroy(h);
    return st;
}

/* The strategy's own copy of the workload must do exactly what the generic
   one does through the vtable: same values, same allocations, same peak. */
static void test_workload(const strategy *s, const workload *w, uint64_t n, uint64_t window)
{
    const workload *own = strategy_workload(s, w->name);
    CHECK(own != NULL || (s->flags & STRAT_REFERENCE), "%s has no %s", s->name, w->name);
    if (own == NULL || s->external)
        return;                     /* external series: tests/cli.sh runs them */
    heap_stats a = run_workload(s, w, own, n, window);
    if (s->flags & STRAT_REFERENCE)
        return;                     /* no object-by-object interface to compare */
    heap_stats b = run_workload(s, w, w, n, window);
    /* bdwgc's heap is process-wide and collects when it likes: its peak
       depends on what ran before, not on the copy of the workload. */
    if (s->flags & STRAT_OWN_HEAP)
        b.peak_bytes = a.peak_bytes;
    CHECK(a.allocs == b.allocs && a.peak_bytes == b.peak_bytes && a.resizes == b.resizes,
          "%s/%s n=%llu: own copy made %llu allocations (peak %llu), generic %llu (peak %llu)",
          s->name, w->name, (unsigned long long)n, (unsigned long long)a.allocs,
          (unsigned long long)a.peak_bytes, (unsigned long long)b.allocs,
          (unsigned long long)b.peak_bytes);
}

/* The malloc reference asks the backend for what refcount asks: as many
   blocks (and the floor makes as many objects). */
static void test_references(const workload *w)
{
    const strategy *rc = strategy_find("refcount"), *ref = strategy_find("malloc");
    if (strategy_workload(ref, w->name) == NULL)
        return;                     /* no hand-written loop for this one */
    heap_stats a = run_workload(rc, w, strategy_workload(rc, w->name), 5000, 0);
    heap_stats b = run_workload(ref, w, strategy_workload(ref, w->name), 5000, 0);
    CHECK(a.allocs == b.allocs, "%s: refcount made %llu allocations, the malloc loop %llu",
          w->name, (unsigned long long)a.allocs, (unsigned long long)b.allocs);
    a = run_workload(rc, w, strategy_workload(rc, w->name), 5000, 50);
    b = run_workload(ref, w, strategy_workload(ref, w->name), 5000, 50);
    CHECK(a.allocs == b.allocs, "%s window 50: refcount made %llu allocations, the malloc "
          "loop %llu", w->name, (unsigned long long)a.allocs, (unsigned long long)b.allocs);
}

/* Lazy sweeping must never free what was allocated after the last mark:
   tuples kept in a window survive many collections, each followed by a
   partial sweep, and hold their values to the end. */
static void test_marksweep_window(const strategy *s)
{
    heap_config c = { 1.5, 64 << 10, GC_THRESHOLD_DEFAULT, BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };
    heap *h = s->create(&c);
    const uint64_t W = 1000, N = 60000;
    list_obj *win = list_new_filled(h, W);
    obj *root = &win->h;
    heap_push_root(h, &root);
    for (uint64_t i = 0; i < N; i++) {
        tuple_obj *t = tuple_new(h, 2);
        obj *t_root = &t->h;
        heap_push_root(h, &t_root);
        t->items[0] = int_new(h, 1000 + (long)i);
        t->items[1] = int_new(h, 2000 + (long)i);
        heap_pop_root(h);
        list_setitem(h, win, i % W, &t->h);
        obj_release(h, &t->h);
    }
    long bad = 0;
    for (uint64_t j = 0; j < W; j++) {
        uint64_t i = N - W + j;     /* the last tuple written to slot i % W */
        tuple_obj *t = (tuple_obj *)win->items[i % W];
        bad += t->h.type != &tuple_type || int_value(t->items[0]) != 1000 + (long)i ||
               int_value(t->items[1]) != 2000 + (long)i;
    }
    CHECK(h->st.collections > 10, "%s: only %llu collections", s->name,
          (unsigned long long)h->st.collections);
    CHECK(bad == 0, "%s: %ld of %llu window tuples were freed or overwritten", s->name, bad,
          (unsigned long long)W);
    heap_pop_root(h);
    s->collect(h);
    CHECK(h->st.live_objects == 0, "%s: %llu objects live after the window was dropped",
          s->name, (unsigned long long)h->st.live_objects);
    s->destroy(h);
}

/* rc_cycle: cycles are freed by a full collection, a cycle reachable from
   outside survives it, and collections come at CPython's counts. */
static list_obj *make_pair(heap *h, long v)
{
    const growth_policy *p = growth_policy_find("cpython");
    list_obj *a = list_new(h), *b = list_new(h);
    obj *x = int_new(h, v), *y = int_new(h, v + 1);
    list_append(h, a, x, p);
    list_append(h, b, y, p);
    obj_release(h, x);
    obj_release(h, y);
    list_append(h, a, &b->h, p);
    list_append(h, b, &a->h, p);
    obj_release(h, &b->h);
    return a;                       /* the caller holds a, a holds b */
}

static tuple_obj *tuple_of(heap *h, obj *a, obj *b)
{
    tuple_obj *t = tuple_new(h, 2);
    t->items[0] = a;
    t->items[1] = b;
    return t;
}

/* As gcmodule.c's untrack_tuples: after a collection, a surviving tuple of
   ints is no longer tracked (in CPython 3.11, gc.is_tracked((1000, 1001))
   turns False after gc.collect(0)); a tuple that holds a list, or a tuple
   still tracked, stays tracked.  An untracked tuple still dies properly. */
static void test_untrack_tuples(const strategy *s)
{
    heap *h = s->create(&cfg);
    const growth_policy *p = growth_policy_find("cpython");
    tuple_obj *ints = tuple_of(h, int_new(h, 1000), int_new(h, 1001));
    list_obj *l = list_new(h);
    obj *x = int_new(h, 1002);
    list_append(h, l, x, p);
    obj_release(h, x);
    tuple_obj *with_list = tuple_of(h, &l->h, int_new(h, 1003));
    tuple_obj *of_tuple = tuple_of(h, &with_list->h, int_new(h, 1004));
    obj_retain(h, &with_list->h);
    CHECK(ints->gc.next != 0 && with_list->gc.next != 0, "%s: new tuples are tracked", s->name);
    s->collect(h);
    CHECK(ints->gc.next == 0, "%s: a tuple of ints is still tracked after a collection", s->name);
    CHECK(with_list->gc.next != 0 && of_tuple->gc.next != 0 && l->gc.next != 0,
          "%s: a tuple holding a list, or a tracked tuple, was untracked", s->name);
    obj_release(h, &ints->h);
    obj_release(h, &of_tuple->h);
    obj_release(h, &with_list->h);
    CHECK(h->st.live_objects == 0 && h->st.live_bytes == 0, "%s: %llu objects, %llu bytes "
          "left after dropping untracked and tracked tuples", s->name,
          (unsigned long long)h->st.live_objects, (unsigned long long)h->st.live_bytes);
    s->destroy(h);
}

/* gc_collect_generations' long-lived rule: the oldest generation is not
   collected while the objects pending their first full collection are
   fewer than a quarter of those that survived the last one.  Thresholds
   5, 2, 2 and 1000 lists alive after a full collection: the 16th automatic
   collection would be of generation 2, but only some 66 lists are
   pending, under 1000 / 4, so it is of generation 1; after 400 more lists
   the pending ones pass 250 and a full collection comes. */
static void test_long_lived(const strategy *s)
{
    enum { OLD = 1000, NEW = 96, MORE = 400 };
    heap_config small = { HEAP_FACTOR_DEFAULT, MIN_HEAP_DEFAULT, { 5, 2, 2 }, BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };
    heap *h = s->create(&small);
    list_obj **keep = malloc((OLD + NEW + MORE) * sizeof *keep);
    for (int i = 0; i < OLD; i++)
        keep[i] = list_new(h);
    s->collect(h);
    uint64_t g0 = h->st.gen_collections[0], g1 = h->st.gen_collections[1],
             g2 = h->st.gen_collections[2];
    for (int i = OLD; i < OLD + NEW; i++)
        keep[i] = list_new(h);
    CHECK(h->st.gen_collections[0] - g0 == 12 && h->st.gen_collections[1] - g1 == 4 &&
          h->st.gen_collections[2] - g2 == 0, "%s: 1000 long-lived lists, then 96 new ones with "
          "thresholds 5,2,2: %llu, %llu, %llu collections of generations 0, 1, 2; expected "
          "12, 4, 0", s->name, (unsigned long long)(h->st.gen_collections[0] - g0),
          (unsigned long long)(h->st.gen_collections[1] - g1),
          (unsigned long long)(h->st.gen_collections[2] - g2));
    for (int i = OLD + NEW; i < OLD + NEW + MORE; i++)
        keep[i] = list_new(h);
    CHECK(h->st.gen_collections[2] - g2 >= 1, "%s: no full collection after %d new lists "
          "against %d long-lived", s->name, NEW + MORE, OLD);
    for (int i = 0; i < OLD + NEW + MORE; i++)
        obj_release(h, &keep[i]->h);
    free(keep);
    s->destroy(h);
}

static void test_rc_cycle(const strategy *s)
{
    heap_config c = { HEAP_FACTOR_DEFAULT, MIN_HEAP_DEFAULT, { 100000, 10, 10 }, BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };
    heap *h = s->create(&c);
    for (long i = 0; i < 100; i++)
        obj_release(h, &make_pair(h, 1000 + 2 * i)->h);
    CHECK(h->st.live_objects == 400, "%s: %llu objects before collecting, expected 100 "
          "leaked pairs of 2 lists + 2 ints", s->name, (unsigned long long)h->st.live_objects);
    list_obj *kept = make_pair(h, 5000);
    s->collect(h);
    CHECK(h->st.live_objects == 4, "%s: %llu objects after a full collection, expected the "
          "4 of the pair still held", s->name, (unsigned long long)h->st.live_objects);
    list_obj *b = (list_obj *)kept->items[1];
    CHECK(int_value(kept->items[0]) == 5000 && int_value(b->items[0]) == 5001 &&
          (list_obj *)b->items[1] == kept, "%s: the held cycle was damaged", s->name);
    obj_release(h, &kept->h);
    s->collect(h);
    CHECK(h->st.live_objects == 0 && h->st.live_bytes == 0, "%s: %llu objects, %llu bytes "
          "after the last cycle was dropped", s->name, (unsigned long long)h->st.live_objects,
          (unsigned long long)h->st.live_bytes);
    s->destroy(h);

    /* Thresholds: with CPython's 700, the 701st container allocation since
       the last collection collects generation 0. */
    enum { M = 1500 };
    tuple_obj **keep = malloc(M * sizeof *keep);
    h = s->create(&cfg);
    for (int i = 0; i < 700; i++)
        keep[i] = tuple_new(h, 0);
    CHECK(h->st.collections == 0, "%s: collected after 700 containers", s->name);
    keep[700] = tuple_new(h, 0);
    CHECK(h->st.gen_collections[0] == 1 && h->st.collections == 1,
          "%s: %llu collections after 701 containers, expected 1 of generation 0", s->name,
          (unsigned long long)h->st.collections);
    for (int i = 0; i <= 700; i++)
        obj_release(h, &keep[i]->h);
    s->destroy(h);

    /* Thresholds 5, 2, 2: one collection every 6 containers; a generation is
       collected when its count passes its threshold -- the 4th collection
       is of generation 1, the 16th of generation 2 (as in gcmodule.c). */
    heap_config small = { HEAP_FACTOR_DEFAULT, MIN_HEAP_DEFAULT, { 5, 2, 2 }, BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };
    h = s->create(&small);
    for (int i = 0; i < 96; i++)
        keep[i] = tuple_new(h, 0);
    CHECK(h->st.gen_collections[0] == 12 && h->st.gen_collections[1] == 3 &&
          h->st.gen_collections[2] == 1, "%s: thresholds 5,2,2 after 96 containers: %llu, %llu, "
          "%llu collections of generations 0, 1, 2; expected 12, 3, 1", s->name,
          (unsigned long long)h->st.gen_collections[0], (unsigned long long)h->st.gen_collections[1],
          (unsigned long long)h->st.gen_collections[2]);
    for (int i = 0; i < 96; i++)
        obj_release(h, &keep[i]->h);
    s->destroy(h);
    free(keep);
    test_untrack_tuples(s);
    test_long_lived(s);
}

/* pool's free lists as CPython 3.11's listobject.c: up to 80 dead lists are
   parked for the next lists, so that a 3-tuple (64 bytes, the list's size
   class) does not get a parked list's memory; the 81st goes back to the
   pools, and the tuple gets that one. */
static void test_list_freelist(const strategy *s)
{
    enum { KEPT = 80 };
    heap *h = s->create(&cfg);
    list_obj *l[KEPT + 1];
    for (int i = 0; i <= KEPT; i++)
        l[i] = list_new(h);
    for (int i = 0; i <= KEPT; i++)
        obj_release(h, &l[i]->h);
    tuple_obj *t = tuple_new(h, 3), *t2 = tuple_new(h, 3);
    CHECK((void *)t == (void *)l[KEPT], "%s: a 3-tuple did not take the block of the 81st "
          "dead list (the free list keeps 80)", s->name);
    int parked = 0;
    for (int i = 0; i < KEPT; i++)
        parked += (void *)t2 == (void *)l[i];
    CHECK(!parked, "%s: a second 3-tuple took a dead list's block: no list free list", s->name);
    int reused = 0;
    list_obj *again[KEPT];
    for (int i = 0; i < KEPT; i++) {
        again[i] = list_new(h);
        reused += again[i] == l[KEPT - 1 - i];
    }
    CHECK(reused == KEPT, "%s: %d of %d new lists were the parked ones, last in first out",
          s->name, reused, KEPT);
    for (int i = 0; i < KEPT; i++)
        obj_release(h, &again[i]->h);
    obj_release(h, &t->h);
    obj_release(h, &t2->h);
    s->destroy(h);
}

/* The histogram's percentiles match the exact ones within one bucket, on
   data of very different shapes. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_histogram(void)
{
    enum { N = 100000 };
    static uint64_t v[N];
    static hist h;
    uint64_t seed = 42;
    for (int shape = 0; shape < 3; shape++) {
        hist_reset(&h);
        for (int i = 0; i < N; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint64_t r = seed >> 33;
            v[i] = shape == 0 ? r % 1000                             /* uniform     */
                 : shape == 1 ? 20 + (r % 100 == 0 ? r % 1000000 : r % 50) /* long tail */
                 : (uint64_t)1 << (r % 40);                          /* powers of 2 */
            hist_add(&h, v[i]);
        }
        qsort(v, N, sizeof *v, cmp_u64);
        const double qs[] = { 0, 50, 90, 99, 99.9, 100 };
        for (size_t j = 0; j < sizeof qs / sizeof *qs; j++) {
            size_t rank = (size_t)(qs[j] / 100 * N);
            if ((double)rank < qs[j] / 100 * N || rank == 0)
                rank++;
            uint64_t exact = v[rank - 1], got = hist_percentile(&h, qs[j]);
            CHECK(hist_bucket(got) == hist_bucket(exact) && got >= exact,
                  "shape %d: p%g is %llu, exact %llu (buckets %u, %u)", shape, qs[j],
                  (unsigned long long)got, (unsigned long long)exact, hist_bucket(got),
                  hist_bucket(exact));
        }
        CHECK(h.max == v[N - 1] && h.n == N, "shape %d: max %llu, n %llu", shape,
              (unsigned long long)h.max, (unsigned long long)h.n);
    }
    /* Buckets are contiguous and at most 1/16 of their values wide. */
    int bad = 0;
    for (unsigned b = 1; b < hist_bucket(UINT64_MAX); b++) {
        uint64_t lo = hist_bucket_end(b - 1), hi = hist_bucket_end(b);
        bad += hist_bucket(lo) != b || hist_bucket(hi - 1) != b ||
               (lo >= HIST_SUB && (hi - lo) * HIST_SUB > lo);
    }
    CHECK(bad == 0, "%d buckets are not contiguous or too wide", bad);
}

/* churn draws from a seeded PRNG: every strategy ends with the same live
   values, and two runs of one strategy with the same heap do too. */
static void test_churn_same_everywhere(void)
{
    const workload *w = workload_find("churn");
    wl_params p = { .n = 20000, .policy = growth_policy_find("cpython"), .window = 500 };
    uint64_t first = 0;
    int n = 0, differ = 0;
    for (const strategy *const *s = strategies; *s; s++) {
        const workload *own = strategy_workload(*s, "churn");
        if (own == NULL || (*s)->external)
            continue;
        wl_result r = { 0 };
        heap *h = (*s)->create(&cfg);
        own->run(h, &p, &r);
        (*s)->destroy(h);
        if (n++ == 0)
            first = r.checksum;
        differ += r.checksum != first;
    }
    CHECK(n >= 6 && differ == 0 && first == w->expected(&p),
          "churn: %d of %d strategies ended with other live values", differ, n);
}

/* Batch latencies: one sample per batch, the last short batch and the drop
   one each, whatever N is against the batch; timer cost known. */
static void test_latency_recording(const strategy *s, const workload *w)
{
    static const uint64_t sizes[] = { 1, 99, 100, 1050 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        latency lat = { .batch = 100, .timer_ns = latency_timer_cost() };
        wl_params p = { .n = sizes[i], .policy = growth_policy_find("cpython"), .k = 3,
                        .window = 10, .lat = &lat };
        wl_result r = { 0 };
        heap *h = s->create(&cfg);
        strategy_workload(s, w->name)->run(h, &p, &r);
        s->destroy(h);
        uint64_t want = (p.n + lat.batch - 1) / lat.batch + 1;
        CHECK(lat.h.n == want, "%s/%s: %llu latency samples for %llu ops in batches of 100, "
              "not %llu (every batch, the last short one, the drop)", w->name, s->name,
              (unsigned long long)lat.h.n, (unsigned long long)p.n, (unsigned long long)want);
        CHECK(lat.timer_ns < 10000, "timer cost %llu ns", (unsigned long long)lat.timer_ns);
        CHECK(hist_percentile(&lat.h, 50) <= lat.h.max, "%s/%s: p50 %llu, max %llu", w->name,
              s->name, (unsigned long long)hist_percentile(&lat.h, 50),
              (unsigned long long)lat.h.max);
    }
}

/* A slow drop shows in the max: what follows LATENCY_FLUSH (here a 2 ms
   sleep) is filed by LATENCY_DROP as one batch, 2 ms / 100 per op. */
static void test_latency_drop(void)
{
    latency lat = { .batch = 100, .timer_ns = latency_timer_cost() };
    wl_params p = { .n = 250, .lat = &lat };
    LATENCY_BEGIN(&p);
    for (uint64_t i = 0; i < p.n; i++)
        LATENCY_TICK(&p);
    LATENCY_FLUSH(&p);
    struct timespec pause = { 0, 2000000 };
    nanosleep(&pause, NULL);
    LATENCY_DROP(&p);
    CHECK(lat.h.n == 4 && lat.h.max >= 2000000ull * 1000 / 100,
          "%llu samples, max %llu ps per op, not 4 and >= 2 ms / 100",
          (unsigned long long)lat.h.n, (unsigned long long)lat.h.max);
}

/* A percentile is estimated only with HIST_TAIL_SAMPLES samples above it:
   p99.9 from 10,000, p99 from 1,000, p50 from 20; min and max from one. */
static void test_percentile_support(void)
{
    static const struct { double q; uint64_t need; } rule[] = {
        { 50, 20 }, { 90, 100 }, { 99, 1000 }, { 99.9, 10000 }, { 99.99, 100000 },
    };
    static hist h;
    for (size_t i = 0; i < sizeof rule / sizeof *rule; i++) {
        hist_reset(&h);
        h.n = rule[i].need - 1;
        CHECK(!hist_supports(&h, rule[i].q), "p%g from %llu samples", rule[i].q,
              (unsigned long long)h.n);
        h.n = rule[i].need;
        CHECK(hist_supports(&h, rule[i].q), "no p%g from %llu samples", rule[i].q,
              (unsigned long long)h.n);
    }
    h.n = 0;
    CHECK(!hist_supports(&h, 100) && !hist_supports(&h, 0), "a max of no samples");
    h.n = 1;
    CHECK(hist_supports(&h, 100) && hist_supports(&h, 0), "no max of one sample");
}

/* A tracing collector keeps what is reachable and frees what is not. */
static void test_marksweep_reachability(const strategy *s)
{
    heap *h = s->create(&cfg);
    list_obj *keep = list_new(h);
    obj *root = &keep->h;
    heap_push_root(h, &root);
    const growth_policy *p = growth_policy_find("2.0");
    for (long i = 0; i < 10000; i++) {
        obj *o = int_new(h, 1000 + i);
        if (i % 2 == 0)
            list_append(h, keep, o, p);       /* half stay reachable */
        obj_release(h, o);
    }
    s->collect(h);
    CHECK(h->st.live_objects == 5001, "%s: %llu live objects, expected 5000 ints + 1 list",
          s->name, (unsigned long long)h->st.live_objects);
    CHECK(h->st.live_bytes == LIST_OBJ_SIZE + 5000 * INT_OBJ_SIZE + 8 * (uint64_t)keep->allocated,
          "%s: %llu live bytes", s->name, (unsigned long long)h->st.live_bytes);
    long bad = 0;
    for (long i = 0; i < 5000; i++)
        bad += int_value(keep->items[i]) != 1000 + 2 * i;
    CHECK(bad == 0, "%s: %ld survivors have wrong values", s->name, bad);
    CHECK(h->st.collections >= 1, "%s: no collection counted", s->name);
    heap_pop_root(h);
    s->collect(h);
    CHECK(h->st.live_objects == 0, "%s: %llu objects survive without roots",
          s->name, (unsigned long long)h->st.live_objects);
    s->destroy(h);
}

/* The heap-factor rule: with factor 2 and nothing live, a collection comes
   after every min_heap bytes, passed by at most the one refill (a page) that
   spent the budget -- and the heap stays that size. */
static void test_marksweep_trigger(const strategy *s)
{
    heap_config c = { 2.0, 64 << 10, GC_THRESHOLD_DEFAULT, BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };
    heap *h = s->create(&c);
    for (long i = 0; i < 100000; i++)
        obj_release(h, int_new(h, 1000 + i));
    CHECK(h->st.collections >= 100000 * INT_OBJ_SIZE / (128 << 10) - 1,
          "%s: %llu collections for %zu bytes of garbage", s->name,
          (unsigned long long)h->st.collections, (size_t)(100000 * INT_OBJ_SIZE));
    CHECK(h->st.peak_bytes <= (128 << 10), "%s: peak %llu over the 64 KiB minimum heap and "
          "a 64 KiB page", s->name, (unsigned long long)h->st.peak_bytes);
    s->destroy(h);
}

/* The pacing rule: whatever the live set and the heap factor, the program
   allocates about (heap_factor - 1) x max(live, min_heap) bytes between two
   collections, so their number is bounded by the bytes allocated over that.
   The heap's accounting is a page refill at a time; a budget below one page
   once made every refill collect (window 1300 at factor 1.25: 195,957
   collections for 1e5 tuples where window 1000 took 145). */
static void test_marksweep_pacing(const strategy *s, uint64_t n)
{
    static const uint64_t windows[] = { 0, 100, 1000, 1300, 2000, 5000 };
    static const double factors[] = { 1.1, 1.25, 1.5, 2, 4 };
    const workload *w = workload_find("tuple_create"), *own = strategy_workload(s, w->name);
    for (size_t i = 0; i < sizeof windows / sizeof *windows; i++)
        for (size_t j = 0; j < sizeof factors / sizeof *factors; j++) {
            heap_config c = { factors[j], MIN_HEAP_DEFAULT, GC_THRESHOLD_DEFAULT,
                              BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };
            wl_params p = { .n = n, .policy = growth_policy_find("cpython"),
                            .window = windows[i], .k = 3 };
            wl_result r = { 0 };
            heap *h = s->create(&c);
            own->run(h, &p, &r);
            double live = (double)w->live_peak(&p, &r);
            double allocated = (double)n * (TUPLE_OBJ_SIZE(3) + 3 * INT_OBJ_SIZE) + live;
            double per_cycle = (factors[j] - 1) * (live > c.min_heap ? live : c.min_heap);
            /* 2x: a cycle allocates at least half its budget; 4: the first
               pages of each class. */
            double bound = 2 * allocated / per_cycle + 4;
            /* ... and the heap stays within live plus that allowance, give or
               take the refills that spent it: a page or so per size class. */
            double peak_bound = live + per_cycle + 3 * (64 << 10);
            CHECK((double)h->st.peak_bytes <= peak_bound, "%s: window %llu, heap factor %g: "
                  "peak %llu bytes, %.0f live (at most %.0f)", s->name,
                  (unsigned long long)windows[i], factors[j],
                  (unsigned long long)h->st.peak_bytes, live, peak_bound);
            CHECK((double)h->st.collections <= bound, "%s: window %llu, heap factor %g: %llu "
                  "collections for %.0f bytes allocated, %.0f live (at most %.0f)", s->name,
                  (unsigned long long)windows[i], factors[j],
                  (unsigned long long)h->st.collections, allocated, live, bound);
            s->destroy(h);
        }
}

/* Append ints to l until its block holds at least `bytes`, tracking the
   bytes of the resizes that moved it: each must be counted once, as copied
   or as remapped. */
static uint64_t grow_list(heap *h, list_obj *l, size_t bytes, long *v)
{
    uint64_t moved = 0;
    while (8 * (size_t)l->allocated < bytes || l->size < l->allocated) {
        obj **before = l->items;
        size_t old = (size_t)l->allocated;
        obj *o = int_new(h, (*v)++);
        list_append(h, l, o, growth_policy_find("cpython"));
        obj_release(h, o);
        if (before != NULL && l->items != before)
            moved += 8 * old;
    }
    return moved;
}

/* A list rooted in *root, grown until its block holds 1 MiB (a big block
   for arena and marksweep); *moved gets the bytes of its moves. */
static list_obj *big_list(heap *h, obj **root, long *v, uint64_t *moved)
{
    list_obj *l = list_new(h);
    *root = &l->h;
    heap_push_root(h, root);
    *moved = grow_list(h, l, 1 << 20, v);
    return l;
}

/* The list of big_list dies: unrooted, released, its scope ended. */
static void drop_list(const strategy *s, heap *h, list_obj *l)
{
    heap_pop_root(h);
    obj_release(h, &l->h);
    s->scope_end(h);
}

static void test_moves_counted(const strategy *s)
{
    heap *h = s->create(&cfg);
    obj *root;
    long v = 1000;
    uint64_t moved;
    list_obj *l = big_list(h, &root, &v, &moved);
    CHECK(h->st.bytes_copied + h->st.bytes_remapped == moved, "%s: %llu bytes copied and %llu "
          "remapped, but the block moved %llu bytes", s->name,
          (unsigned long long)h->st.bytes_copied, (unsigned long long)h->st.bytes_remapped,
          (unsigned long long)moved);
    drop_list(s, h, l);
    s->destroy(h);
}

/* A big block grows by mremap: when it must move, its pages move and no
   byte is copied, so bytes_copied must not count it (it once did: arena
   list_append 1e6 reported 11.7 MB copied where memcpy copied 2.2 MB).  A mapping
   placed right after the block's forces the move. */
static void test_remap_not_copied(const strategy *s)
{
    heap *h = s->create(&cfg);
    obj *root;
    long v = 1000;
    uint64_t moved;
    list_obj *l = big_list(h, &root, &v, &moved);
    big_block *b = big_of(l->items);
    char *end = (char *)b + b->map;
    void *guard = mmap(end, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    obj **before = l->items;
    uint64_t copied = h->st.bytes_copied, remapped = h->st.bytes_remapped;
    size_t old = (size_t)l->allocated;
    obj *o = int_new(h, v);
    list_append(h, l, o, growth_policy_find("cpython"));
    obj_release(h, o);
    CHECK(l->items != before, "%s: the big block grew in place past a mapping at %p (%p)",
          s->name, (void *)end, guard);
    CHECK(h->st.bytes_copied == copied && h->st.bytes_remapped == remapped + 8 * old,
          "%s: moving a %zu-byte big block counted %llu bytes copied, %llu remapped", s->name,
          8 * old, (unsigned long long)(h->st.bytes_copied - copied),
          (unsigned long long)(h->st.bytes_remapped - remapped));
    if (guard != MAP_FAILED)
        munmap(guard, 4096);
    drop_list(s, h, l);
    s->destroy(h);
}

/* Is the page holding p mapped? */
static int mapped(const void *p)
{
    unsigned char v;
    return mincore((void *)((uintptr_t)p & ~(uintptr_t)4095), 4096, &v) == 0;
}

/* What happens to a freed big block (strategies/bigblock.c): kept by
   default, given back after `keep_for` collections without reuse (-1: kept
   until the heap is destroyed, as an arena keeps its memory); given back at
   once under BIG_BLOCKS_FREE. */
static void test_big_blocks(const strategy *s, int keep_for)
{
    for (int mode = BIG_BLOCKS_KEEP; mode <= BIG_BLOCKS_FREE; mode++) {
        heap_config c = cfg;
        c.big_blocks = mode;
        heap *h = s->create(&c);
        obj *root;
        long v = 1000;
        uint64_t moved;
        list_obj *l = big_list(h, &root, &v, &moved);
        const big_block *b = big_of(l->items);
        drop_list(s, h, l);
        s->collect(h);              /* the list is dead: its block is freed */
        int kept = mapped(b), collections = 0;
        while (mapped(b) && collections < 20) {
            s->collect(h);
            collections++;
        }
        if (mode == BIG_BLOCKS_FREE)
            CHECK(!kept, "%s: big blocks free: the freed block is still mapped", s->name);
        else if (keep_for < 0)
            CHECK(kept && mapped(b), "%s: the freed big block was not kept", s->name);
        else
            CHECK(kept && collections == keep_for, "%s: the freed big block %s, given back "
                  "after %d more collections, expected %d", s->name, kept ? "was kept" :
                  "was not kept", collections, keep_for);
        s->destroy(h);
    }
}

/* Arena: growing the block allocated last stays in place. */
static void test_arena_in_place(const strategy *s)
{
    heap *h = s->create(&cfg);
    void *a = s->resize(h, NULL, 0, 64);
    void *b = s->resize(h, a, 64, 128);
    CHECK(a == b, "arena: growing the last block moved it");
    void *c = s->alloc(h, &int_type, INT_OBJ_SIZE);
    void *d = s->resize(h, b, 128, 256);
    CHECK(d != b && d != c, "arena: a block that is not last must move");
    s->scope_end(h);
    CHECK(h->st.live_bytes == 0 && h->st.live_objects == 0, "arena: scope end leaves bytes");
    s->destroy(h);
}

/* Under AddressSanitizer or valgrind, malloc is the tool's, not the
   backend's: the guard must refuse to call it the backend (that is the guard
   working).  Set MEMSTRAT_EXPECT_INTERPOSED=1 when running under such a tool;
   ASan builds know it by themselves. */
static int malloc_interposed(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#else
    const char *e = getenv("MEMSTRAT_EXPECT_INTERPOSED");
    return e && *e == '1';
#endif
}

static void test_backend(void)
{
    char why[256] = "";
    int r = backend_verify(&the_backend, why, sizeof why);
    if (malloc_interposed()) {
        CHECK(r < 0 && strstr(why, the_backend.name), "backend %s: guard did not fire under "
              "an interposed malloc", the_backend.name);
        printf("guard fired as it must: %s\n", why);
    } else {
        CHECK(r == 0, "backend %s: %s", the_backend.name, why);
    }
    const char *v = the_backend.version();
    CHECK(v && strlen(v) >= 3 && strchr(v, '.'), "backend %s: version '%s'", the_backend.name, v);
}

/* --quick: small sizes only (for valgrind). */
int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    test_sizes();
    test_backend();
    for (const strategy *const *s = strategies; *s; s++) {
        if (!((*s)->flags & STRAT_REFERENCE)) {
            test_small_ints(*s);
            test_moves_counted(*s);
        }
        for (const workload *const *w = workloads; *w; w++) {
            test_workload(*s, *w, 1, 0);
            test_workload(*s, *w, 1000, 0);
            test_workload(*s, *w, 2000, 10);
            if (!quick) {
                test_workload(*s, *w, 100000, 0);
                test_workload(*s, *w, 20000, 100);
            }
        }
    }
    for (const workload *const *w = workloads; *w; w++)
        test_references(*w);
    test_rc_cycle(strategy_find("rc_cycle"));
    test_rc_cycle(strategy_find("cpython_model"));
    test_list_freelist(strategy_find("pool"));
    test_list_freelist(strategy_find("cpython_model"));
    test_histogram();
    test_churn_same_everywhere();
    test_percentile_support();
    test_latency_drop();
    for (const strategy *const *s = strategies; *s; s++)
        for (const workload *const *w = workloads; *w; w++)
            if (!((*s)->flags & STRAT_REFERENCE))
                test_latency_recording(*s, *w);
    test_marksweep_reachability(strategy_find("marksweep"));
    test_marksweep_window(strategy_find("marksweep"));
    test_marksweep_trigger(strategy_find("marksweep"));
    test_marksweep_pacing(strategy_find("marksweep"), quick ? 5000 : 20000);
    test_arena_in_place(strategy_find("arena"));
    test_remap_not_copied(strategy_find("arena"));
    test_remap_not_copied(strategy_find("marksweep"));
    test_big_blocks(strategy_find("marksweep"), 6);
    test_big_blocks(strategy_find("arena"), -1);
    char suite[64];
    snprintf(suite, sizeof suite, "core (%s)", the_backend.name);
    return check_summary(suite);
}
