/*
 * strategies/cyclegc.c -- the collection of CPython 3.11's cycle collector
 * (Modules/gcmodule.c: gc_collect_main, gc_collect_generations), for the
 * strategies that count references and add it (strategies/cyclegc.h).
 *
 * A collection of generation g merges the younger generations into it and
 * finds what is garbage without knowing the roots, by subtracting internal
 * references: copy each object's refcount (gc_refs), subtract one for every
 * reference from another object of the generation, and what keeps
 * gc_refs > 0 is referenced from outside -- reachable, and so is everything
 * it reaches.  The rest is unreachable: each is cleared (its references
 * dropped), and reference counting frees the cycle.
 *
 * As in CPython, while a generation is being collected its list is singly
 * linked through `next`, and `prev` holds gc_refs and two flags; proper
 * links are rebuilt before anything is freed.  Then, as gc_collect_main
 * does: tuples of the survivors that hold nothing trackable are untracked
 * (untrack_tuples), the survivors move one generation up, the long-lived
 * counts are updated, the garbage is cleared, and a full collection ends by
 * emptying the free lists.  Each collection is timed as a pause.
 */
#include "cyclegc.h"

/* During a collection, `prev` of an object of the collected generation. */
#define COLLECTING  ((uintptr_t)1)          /* it is in the generation      */
#define REACHABLE   ((uintptr_t)2)          /* found reachable              */
#define REFS_SHIFT  2

void cyclegc_init(cyclegc *g, void (*clear_freelists)(heap *h))
{
    *g = (cyclegc){ .clear_freelists = clear_freelists };
    for (int i = 0; i < GC_NGEN; i++)
        gc_list_init(&g->gen[i].head);
}

void cyclegc_fini(cyclegc *g)
{
    obj_vec_free(&g->stack);
}

/* Move all of `from` to the end of `to`. */
static void list_merge(gc_head *from, gc_head *to)
{
    if (GC_NEXT(from) == from)
        return;
    gc_head *first = GC_NEXT(from), *last = GC_PREV(from);
    GC_PREV(to)->next = (uintptr_t)first;
    first->prev = to->prev;
    last->next = (uintptr_t)to;
    to->prev = (uintptr_t)last;
    gc_list_init(from);
}

/* ---- finding the garbage ----------------------------------------------- */

static inline int collecting(obj *o)
{
    return o != NULL && gc_is_container(o) && (GC_OF(o)->prev & COLLECTING);
}

/* The children of a container, without the indirect traverse for the
   model's two container types. */
static inline obj **items_of(obj *o, intptr_t *n)
{
    if (o->type == &tuple_type) {
        *n = ((tuple_obj *)o)->size;
        return ((tuple_obj *)o)->items;
    }
    *n = ((list_obj *)o)->size;
    return ((list_obj *)o)->items;
}

/* Copy the refcounts (update_refs), then subtract the references from inside
   the generation (subtract_refs). */
static void count_outside_refs(gc_head *young)
{
    for (gc_head *g = GC_NEXT(young); g != young; g = GC_NEXT(g))
        g->prev = ((uintptr_t)OBJ_OF(g)->refcnt << REFS_SHIFT) | COLLECTING;
    for (gc_head *g = GC_NEXT(young); g != young; g = GC_NEXT(g)) {
        intptr_t n;
        obj **items = items_of(OBJ_OF(g), &n);
        for (intptr_t i = 0; i < n; i++)
            if (collecting(items[i]))
                GC_OF(items[i])->prev -= (uintptr_t)1 << REFS_SHIFT;
    }
}

static void push_reachable(cyclegc *c, obj *o)
{
    GC_OF(o)->prev |= REACHABLE;
    obj_vec_push(&c->stack, o, "the cycle collector's stack");
}

/* What still has references from outside is reachable, and so is all it
   reaches inside the generation (move_unreachable). */
static void mark_reachable(cyclegc *c, gc_head *young)
{
    for (gc_head *g = GC_NEXT(young); g != young; g = GC_NEXT(g))
        if ((g->prev >> REFS_SHIFT) > 0 && !(g->prev & REACHABLE))
            push_reachable(c, OBJ_OF(g));
    while (c->stack.n > 0) {
        intptr_t n;
        obj **items = items_of(c->stack.v[--c->stack.n], &n);
        for (intptr_t i = 0; i < n; i++)
            if (collecting(items[i]) && !(GC_OF(items[i])->prev & REACHABLE))
                push_reachable(c, items[i]);
    }
}

/* _PyTuple_MaybeUntrack: a tuple whose items are all there and none of
   which can be part of a cycle (ints, untracked tuples) never can be, and
   leaves the collector's lists.  One pass, in list order, as CPython: a
   tuple of tuples may take more than one collection.  Returns how many
   objects stay on the list (gc_list_size). */
static uint64_t untrack_tuples(gc_head *young)
{
    uint64_t n = 0;
    gc_head *next;
    for (gc_head *g = GC_NEXT(young); g != young; g = next) {
        next = GC_NEXT(g);
        n++;
        obj *o = OBJ_OF(g);
        if (o->type != &tuple_type)
            continue;
        tuple_obj *t = (tuple_obj *)o;
        intptr_t i = 0;
        for (; i < t->size; i++) {
            obj *e = t->items[i];
            if (e == NULL || e->type == &list_type || (e->type == &tuple_type && gc_is_tracked(e)))
                break;
        }
        if (i == t->size) {
            gc_list_unlink(g);
            n--;
        }
    }
    return n;
}

/* Drop a container's references: the list or tuple is emptied, so the
   cycle through it is broken and reference counting does the rest. */
static void clear(heap *h, obj *o)
{
    intptr_t n;
    obj **items = items_of(o, &n);
    for (intptr_t i = 0; i < n; i++) {
        obj *child = items[i];
        items[i] = NULL;
        if (child)
            h->s->release(h, child);
    }
}

/* Break the cycles.  Each object is held while it is cleared, so that it is
   freed after, not during, its own clear; one that something still holds
   afterwards (nothing in this model) moves to `older` instead. */
static void delete_garbage(heap *h, gc_head *unreachable, gc_head *older)
{
    while (GC_NEXT(unreachable) != unreachable) {
        gc_head *first = GC_NEXT(unreachable);
        obj *o = OBJ_OF(first);
        o->refcnt++;
        clear(h, o);
        h->s->release(h, o);
        if (GC_NEXT(unreachable) == first) {
            gc_list_unlink(first);
            gc_list_append(older, first);
        }
    }
}

/* ---- one collection (gc_collect_main) ---------------------------------- */

void cyclegc_collect(cyclegc *c, heap *h, int g)
{
    uint64_t t0 = clock_ns();
    c->collecting = 1;
    gc_head *young = &c->gen[g].head;
    for (int i = 0; i < g; i++) {
        list_merge(&c->gen[i].head, young);
        c->gen[i].count = 0;
    }
    c->gen[g].count = 0;
    if (g + 1 < GC_NGEN)
        c->gen[g + 1].count++;
    h->st.gen_collections[g]++;

    count_outside_refs(young);
    mark_reachable(c, young);

    /* Relink with proper prev links again: the reachable back onto young,
       the rest onto `unreachable`. */
    gc_head unreachable, *older = g + 1 < GC_NGEN ? &c->gen[g + 1].head : young;
    gc_list_init(&unreachable);
    gc_head *p = GC_NEXT(young);
    gc_list_init(young);
    while (p != young) {
        gc_head *next = GC_NEXT(p);
        gc_list_append(p->prev & REACHABLE ? young : &unreachable, p);
        p = next;
    }

    /* Survivors move one generation up, and the long-lived counts follow
       them: those reaching the oldest generation are pending, a full
       collection's survivors are the new total. */
    uint64_t survivors = untrack_tuples(young);
    if (young != older) {
        if (g == GC_NGEN - 2)
            c->long_lived_pending += survivors;
        list_merge(young, older);
    } else {
        c->long_lived_pending = 0;
        c->long_lived_total = survivors;
    }

    delete_garbage(h, &unreachable, older);
    if (g == GC_NGEN - 1 && c->clear_freelists)
        c->clear_freelists(h);
    c->collecting = 0;
    stats_pause(h, clock_ns() - t0);
}

/* The oldest generation whose count passed its threshold.  The oldest
   waits, besides, until the objects pending a first full collection are a
   quarter of those that survived the last: a full collection costs in
   proportion to everything long-lived, so one every constant number of
   allocations made building a large structure quadratic (CPython issue
   #4074). */
void cyclegc_collect_due(cyclegc *c, heap *h)
{
    for (int g = GC_NGEN - 1; g >= 0; g--)
        if (c->gen[g].count > h->cfg.gc_threshold[g]) {
            if (g == GC_NGEN - 1 && c->long_lived_pending < c->long_lived_total / 4)
                continue;
            cyclegc_collect(c, h, g);
            return;
        }
}
