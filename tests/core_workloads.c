/*
 * tests/core_workloads.c -- the core suite's workloads: each under every
 * strategy, its own compiled copy against the generic one, the malloc
 * reference against refcount, and churn's same result everywhere.
 */
#include <string.h>
#include "core.h"

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
void test_workload(const strategy *s, const workload *w, uint64_t n, uint64_t window)
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
void test_references(const workload *w)
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

/* churn draws from a seeded PRNG: every strategy ends with the same live
   values, and two runs of one strategy with the same heap do too. */
void test_churn_same_everywhere(void)
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
