/*
 * tests/test_core.c -- the object model, every strategy and every workload,
 * in-process, on the backend this binary is linked with (one binary per
 * backend: build/test-core-BACKEND).
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../bench/workload.h"
#include "../harness/backend.h"

static const heap_config cfg = { HEAP_FACTOR_DEFAULT, 64 << 10 };

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

static void test_workload(const strategy *s, const workload *w, uint64_t n, uint64_t window)
{
    wl_params p = { .n = n, .policy = growth_policy_find("cpython"), .window = window,
                    .k = 3, .verify = 1 };
    wl_result r = { 0 };
    heap *h = s->create(&cfg);
    w->run(h, &p, &r);
    const char *sn = s->name, *wn = w->name;
    CHECK(r.bad_values == 0, "%s/%s n=%llu: %llu wrong values", sn, wn,
          (unsigned long long)n, (unsigned long long)r.bad_values);
    CHECK(r.checksum == w->expected(&p), "%s/%s n=%llu: checksum %llu, expected %llu", sn, wn,
          (unsigned long long)n, (unsigned long long)r.checksum,
          (unsigned long long)w->expected(&p));
    CHECK(h->st.allocs >= n, "%s/%s: %llu allocations for %llu operations", sn, wn,
          (unsigned long long)h->st.allocs, (unsigned long long)n);
    if (s->flags & STRAT_REFCOUNTS) {
        /* A perfect reference counter holds exactly what the workload does. */
        CHECK(h->st.peak_bytes == w->live_peak(&p, &r), "%s/%s: peak %llu bytes, workload %llu",
              sn, wn, (unsigned long long)h->st.peak_bytes,
              (unsigned long long)w->live_peak(&p, &r));
    }
    if (!(s->flags & STRAT_OWN_HEAP)) {
        if (s->flags & STRAT_TRACES)
            s->collect(h);          /* nothing is reachable any more */
        CHECK(h->st.live_objects == 0 && h->st.live_bytes == 0,
              "%s/%s: %llu objects, %llu bytes live after the drop", sn, wn,
              (unsigned long long)h->st.live_objects, (unsigned long long)h->st.live_bytes);
    }
    s->destroy(h);
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

/* The heap-factor rule: with factor 2 the heap never holds more than twice
   the live bytes after a collection (plus the minimum heap). */
static void test_marksweep_trigger(const strategy *s)
{
    heap_config c = { 2.0, 64 << 10 };
    heap *h = s->create(&c);
    for (long i = 0; i < 100000; i++)
        obj_release(h, int_new(h, 1000 + i));
    CHECK(h->st.collections >= 100000 * INT_OBJ_SIZE / (64 << 10) - 1,
          "%s: %llu collections for %zu bytes of garbage", s->name,
          (unsigned long long)h->st.collections, (size_t)(100000 * INT_OBJ_SIZE));
    CHECK(h->st.peak_bytes <= (64 << 10), "%s: peak %llu over the 64 KiB minimum heap",
          s->name, (unsigned long long)h->st.peak_bytes);
    s->destroy(h);
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
        test_small_ints(*s);
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
    test_marksweep_reachability(strategy_find("marksweep"));
    test_marksweep_trigger(strategy_find("marksweep"));
    test_arena_in_place(strategy_find("arena"));
    char suite[64];
    snprintf(suite, sizeof suite, "core (%s)", the_backend.name);
    return check_summary(suite);
}
