/*
 * tests/test_core.c -- the object model, every strategy and every workload,
 * in-process, on the backend this binary is linked with (one binary per
 * backend: build/test-core-BACKEND).  This file runs the suite, in the
 * order below, and checks the object model and the backend guard; the
 * other checks are in tests/core_*.c, one job a file (tests/core.h).
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"

const heap_config cfg = { HEAP_FACTOR_DEFAULT, 64 << 10, GC_THRESHOLD_DEFAULT,
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
