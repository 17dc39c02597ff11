/*
 * strategies/cyclegc.h -- CPython 3.11's generational cycle collector
 * (Modules/gcmodule.c), for a reference-counting strategy to add on top of
 * whatever allocator it uses: rc_cycle over the backend, cpython_model over
 * pymalloc-style pools and free lists.
 *
 * The strategy calls the four inline hooks below at the places CPython does:
 *
 *   cyclegc_count_alloc   a container is allocated *fresh* (gc_alloc's
 *                         _PyObject_GC_Link): counts towards generation 0,
 *                         and collects when a generation is due;
 *   cyclegc_track         any container, fresh or taken from a free list,
 *                         joins generation 0 (_PyObject_GC_TRACK);
 *   cyclegc_untrack       a dying container leaves its generation;
 *   cyclegc_count_free    a container's memory really goes back
 *                         (PyObject_GC_Del): counts back.
 *
 * A tuple or list reused from a free list is tracked but not counted, and
 * one parked on a free list is untracked but not counted back: as in
 * tupleobject.c and listobject.c, whose free lists bypass gc_alloc and
 * PyObject_GC_Del.  A strategy without free lists counts every container.
 *
 * The collection itself is in strategies/cyclegc.c.
 */
#ifndef MEMSTRAT_CYCLEGC_H
#define MEMSTRAT_CYCLEGC_H

#include "strategy.h"
#include "../bench/object.h"

#define GC_NGEN 3

/* The header is at the same place in every container. */
_Static_assert(offsetof(tuple_obj, gc) == offsetof(list_obj, gc), "GC header offset");
#define GC_OFFSET   offsetof(tuple_obj, gc)
#define GC_OF(o)    ((gc_head *)((char *)(o) + GC_OFFSET))
#define OBJ_OF(g)   ((obj *)((char *)(g) - GC_OFFSET))
#define GC_NEXT(g)  ((gc_head *)(g)->next)
#define GC_PREV(g)  ((gc_head *)(g)->prev)

typedef struct gc_generation {
    gc_head head;               /* sentinel of a circular doubly linked list   */
    uint64_t count;             /* allocations (gen 0) or younger collections  */
} gc_generation;

typedef struct cyclegc {
    gc_generation gen[GC_NGEN];
    int collecting;             /* no collection starts inside another         */
    /* The long-lived heuristic of gc_collect_generations: a full collection
       waits until the objects that moved into the oldest generation since
       the last one are a quarter of those that survived it. */
    uint64_t long_lived_total;  /* survivors of the last full collection      */
    uint64_t long_lived_pending;/* moved into the oldest generation since      */
    obj_vec stack;              /* the reachability worklist                   */
    /* clear_freelists: called after a full collection, as gcmodule.c empties
       the type free lists then; NULL where there are none. */
    void (*clear_freelists)(heap *h);
} cyclegc;

void cyclegc_init(cyclegc *g, void (*clear_freelists)(heap *h));
void cyclegc_fini(cyclegc *g);
/* Collect generation `gen` and every younger one now (gc.collect(gen)). */
void cyclegc_collect(cyclegc *g, heap *h, int gen);
/* gc_collect_generations: collect the oldest generation whose count passed
   its threshold (the oldest only when the long-lived rule allows). */
void cyclegc_collect_due(cyclegc *g, heap *h);

static inline int gc_is_container(const obj *o)
{
    return o->type == &tuple_type || o->type == &list_type;
}

/* An untracked container has a zero `next`, as in CPython. */
static inline int gc_is_tracked(const obj *o)
{
    return GC_OF(o)->next != 0;
}

static inline void gc_list_init(gc_head *head)
{
    head->next = head->prev = (uintptr_t)head;
}

static inline void gc_list_append(gc_head *head, gc_head *g)
{
    g->prev = head->prev;
    g->next = (uintptr_t)head;
    GC_PREV(head)->next = (uintptr_t)g;
    head->prev = (uintptr_t)g;
}

static inline void gc_list_unlink(gc_head *g)
{
    GC_PREV(g)->next = g->next;
    GC_NEXT(g)->prev = g->prev;
    g->next = g->prev = 0;
}

/* Generation 0's count passes its threshold: collect.  As in CPython a
   threshold of 0 turns automatic collection off. */
static inline void cyclegc_count_alloc(cyclegc *g, heap *h)
{
    unsigned t = h->cfg.gc_threshold[0];
    if (++g->gen[0].count > t && t != 0 && !g->collecting)
        cyclegc_collect_due(g, h);
}

static inline void cyclegc_track(cyclegc *g, obj *o)
{
    gc_list_append(&g->gen[0].head, GC_OF(o));
}

static inline void cyclegc_untrack(obj *o)
{
    if (gc_is_tracked(o))
        gc_list_unlink(GC_OF(o));
}

static inline void cyclegc_count_free(cyclegc *g)
{
    if (g->gen[0].count > 0)
        g->gen[0].count--;
}

#endif
