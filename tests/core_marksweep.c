/*
 * tests/core_marksweep.c -- the core suite's mark-sweep collector:
 * reachability, lazy sweeping, and the heap-factor rules that trigger and
 * pace its collections.
 */
#include "core.h"

/* A tracing collector keeps what is reachable and frees what is not. */
void test_marksweep_reachability(const strategy *s)
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

/* Lazy sweeping must never free what was allocated after the last mark:
   tuples kept in a window survive many collections, each followed by a
   partial sweep, and hold their values to the end. */
void test_marksweep_window(const strategy *s)
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

/* The heap-factor rule: with factor 2 and nothing live, a collection comes
   after every min_heap bytes, passed by at most the one refill (a page) that
   spent the budget -- and the heap stays that size. */
void test_marksweep_trigger(const strategy *s)
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
void test_marksweep_pacing(const strategy *s, uint64_t n)
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
