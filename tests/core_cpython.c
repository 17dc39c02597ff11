/*
 * tests/core_cpython.c -- the core suite's CPython 3.11 rules, as rc_cycle,
 * pool and cpython_model copy them: the cycle collector's generations,
 * thresholds and tuple untracking, and the list free list.
 */
#include <stdlib.h>
#include "core.h"

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

void test_rc_cycle(const strategy *s)
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
void test_list_freelist(const strategy *s)
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
