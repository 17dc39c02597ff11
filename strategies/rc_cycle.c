/*
 * strategies/rc_cycle.c -- reference counting plus a generational cycle
 * collector: what CPython actually does (Modules/gcmodule.c).
 *
 * Reference counting frees almost everything the moment it dies, as in
 * `refcount`.  What it cannot free is a cycle: two lists that contain each
 * other keep each other's count above zero forever.  So, as CPython does:
 *
 *   - Every container (list, tuple) is *tracked*: linked, through the 16-byte
 *     GC header every container carries, into the list of generation 0.  Ints
 *     hold no references and are never tracked.
 *   - Allocating a container counts towards generation 0, freeing one counts
 *     back; when the count passes threshold 0 (700), generation 0 is
 *     collected; every collection of generation g counts towards g + 1, which
 *     is collected when that count passes its threshold (10, 10).  Survivors
 *     move one generation up.  (CPython 3.11 also holds a full collection
 *     back until a quarter of the long-lived objects are new; not modelled.)
 *   - A collection of generation g merges the younger generations into it and
 *     finds what is garbage without knowing the roots, by subtracting
 *     internal references: copy each object's refcount (gc_refs), subtract one
 *     for every reference from another object of the generation, and what
 *     keeps gc_refs > 0 is referenced from outside -- reachable, and so is
 *     everything it reaches.  The rest is unreachable: each is cleared
 *     (its references dropped), and reference counting frees the cycle.
 *
 * As in CPython, while a generation is being collected its list is singly
 * linked through `next`, and `prev` holds gc_refs and two flags; proper
 * links are rebuilt before anything is freed.  Each collection is timed as a
 * pause.  Memory comes from the backend, as for `refcount`.
 */
#include <stdlib.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy rc_cycle_strategy;

/* GCC does not fold `&int_type == &tuple_type` when it inlines s_alloc and
   s_free for an int, and then warns that an int's 28 bytes have no room for
   a GC header, on a path that never runs. */
#pragma GCC diagnostic ignored "-Warray-bounds"

#define NGEN 3

/* The header is at the same place in every container. */
_Static_assert(offsetof(tuple_obj, gc) == offsetof(list_obj, gc), "GC header offset");
#define GC_OFFSET   offsetof(tuple_obj, gc)
#define GC_OF(o)    ((gc_head *)((char *)(o) + GC_OFFSET))
#define OBJ_OF(g)   ((obj *)((char *)(g) - GC_OFFSET))
#define NEXT(g)     ((gc_head *)(g)->next)
#define PREV(g)     ((gc_head *)(g)->prev)

/* During a collection, `prev` of an object of the collected generation. */
#define COLLECTING  ((uintptr_t)1)          /* it is in the generation      */
#define REACHABLE   ((uintptr_t)2)          /* found reachable              */
#define REFS_SHIFT  2

typedef struct generation {
    gc_head head;               /* sentinel of a circular doubly linked list   */
    uint64_t count;             /* allocations (gen 0) or younger collections  */
} generation;

typedef struct rcc_heap {
    heap base;
    generation gen[NGEN];
    int collecting;             /* no collection starts inside another         */
    obj_vec stack;              /* the reachability worklist                   */
} rcc_heap;

static inline int is_container(const obj *o)
{
    return o->type == &tuple_type || o->type == &list_type;
}

/* ---- the generations' lists ------------------------------------------- */

static void list_init(gc_head *head)
{
    head->next = head->prev = (uintptr_t)head;
}

static inline void list_unlink(gc_head *g)
{
    PREV(g)->next = g->next;
    NEXT(g)->prev = g->prev;
}

static inline void list_append_node(gc_head *head, gc_head *g)
{
    g->prev = head->prev;
    g->next = (uintptr_t)head;
    PREV(head)->next = (uintptr_t)g;
    head->prev = (uintptr_t)g;
}

/* Move all of `from` to the end of `to`. */
static void list_merge(gc_head *from, gc_head *to)
{
    if (NEXT(from) == from)
        return;
    gc_head *first = NEXT(from), *last = PREV(from);
    PREV(to)->next = (uintptr_t)first;
    first->prev = to->prev;
    last->next = (uintptr_t)to;
    to->prev = (uintptr_t)last;
    list_init(from);
}

/* ---- finding the garbage ----------------------------------------------- */

static inline int collecting(obj *o)
{
    return o != NULL && is_container(o) && (GC_OF(o)->prev & COLLECTING);
}

/* The children of a container, without the indirect traverse for the
   model's two container types. */
#define FOR_EACH_CHILD(o, child, body)                                       \
    do {                                                                     \
        obj **items_ = (o)->type == &tuple_type ? ((tuple_obj *)(o))->items  \
                                                : ((list_obj *)(o))->items;  \
        intptr_t n_ = (o)->type == &tuple_type ? ((tuple_obj *)(o))->size    \
                                               : ((list_obj *)(o))->size;    \
        for (intptr_t i_ = 0; i_ < n_; i_++) {                               \
            obj *child = items_[i_];                                         \
            body                                                             \
        }                                                                    \
    } while (0)

/* Copy the refcounts (update_refs), then subtract the references from inside
   the generation (subtract_refs). */
static void count_outside_refs(gc_head *young)
{
    for (gc_head *g = NEXT(young); g != young; g = NEXT(g))
        g->prev = ((uintptr_t)OBJ_OF(g)->refcnt << REFS_SHIFT) | COLLECTING;
    for (gc_head *g = NEXT(young); g != young; g = NEXT(g)) {
        obj *o = OBJ_OF(g);
        FOR_EACH_CHILD(o, child, {
            if (collecting(child))
                GC_OF(child)->prev -= (uintptr_t)1 << REFS_SHIFT;
        });
    }
}

/* What still has references from outside is reachable, and so is all it
   reaches inside the generation (move_unreachable). */
static void mark_reachable(rcc_heap *r, gc_head *young)
{
    for (gc_head *g = NEXT(young); g != young; g = NEXT(g))
        if ((g->prev >> REFS_SHIFT) > 0 && !(g->prev & REACHABLE)) {
            g->prev |= REACHABLE;
            obj_vec_push(&r->stack, OBJ_OF(g), "the cycle collector's stack");
        }
    while (r->stack.n > 0) {
        obj *o = r->stack.v[--r->stack.n];
        FOR_EACH_CHILD(o, child, {
            if (collecting(child) && !(GC_OF(child)->prev & REACHABLE)) {
                GC_OF(child)->prev |= REACHABLE;
                obj_vec_push(&r->stack, child, "the cycle collector's stack");
            }
        });
    }
}

/* Drop a container's references: the list or tuple is emptied, so the
   cycle through it is broken and reference counting does the rest. */
static void clear(heap *h, obj *o)
{
    obj **items = o->type == &tuple_type ? ((tuple_obj *)o)->items : ((list_obj *)o)->items;
    intptr_t n = o->type == &tuple_type ? ((tuple_obj *)o)->size : ((list_obj *)o)->size;
    for (intptr_t i = 0; i < n; i++) {
        obj *child = items[i];
        items[i] = NULL;
        if (child)
            rc_release(h, child);
    }
}

/* Collect generation g and every younger one. */
static void collect_generation(rcc_heap *r, int g)
{
    heap *h = &r->base;
    uint64_t t0 = clock_ns();
    r->collecting = 1;
    gc_head *young = &r->gen[g].head;
    for (int i = 0; i < g; i++) {
        list_merge(&r->gen[i].head, young);
        r->gen[i].count = 0;
    }
    r->gen[g].count = 0;
    if (g + 1 < NGEN)
        r->gen[g + 1].count++;
    h->st.gen_collections[g]++;

    count_outside_refs(young);
    mark_reachable(r, young);

    /* Relink: the reachable go one generation up (or stay in the oldest),
       the rest onto `unreachable`, with proper prev links again. */
    gc_head unreachable, *older = g + 1 < NGEN ? &r->gen[g + 1].head : young;
    list_init(&unreachable);
    gc_head *g0 = NEXT(young);
    list_init(young);
    while (g0 != young) {
        gc_head *next = NEXT(g0);
        list_append_node(g0->prev & REACHABLE ? older : &unreachable, g0);
        g0 = next;
    }

    /* Break the cycles.  Each object is held while it is cleared, so that it
       is freed after, not during, its own clear; one that something still
       holds afterwards (nothing in this model) would move up instead. */
    while (NEXT(&unreachable) != &unreachable) {
        gc_head *first = NEXT(&unreachable);
        obj *o = OBJ_OF(first);
        o->refcnt++;
        clear(h, o);
        rc_release(h, o);
        if (NEXT(&unreachable) == first) {
            list_unlink(first);
            list_append_node(older, first);
        }
    }
    r->collecting = 0;
    stats_pause(h, clock_ns() - t0);
}

/* The oldest generation whose count passed its threshold (collect_generations). */
static __attribute__((noinline)) void maybe_collect(rcc_heap *r)
{
    for (int g = NGEN - 1; g >= 0; g--)
        if (r->gen[g].count > r->base.cfg.gc_threshold[g]) {
            collect_generation(r, g);
            return;
        }
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    rcc_heap *r = (rcc_heap *)h;
    int tracked = t == &tuple_type || t == &list_type;
    if (tracked && ++r->gen[0].count > h->cfg.gc_threshold[0] && !r->collecting)
        maybe_collect(r);
    void *p = malloc(size);
    if (p == NULL)
        return NULL;
    if (tracked)
        list_append_node(&r->gen[0].head, GC_OF(p));
    stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    rcc_heap *r = (rcc_heap *)h;
    if (is_container(p)) {
        list_unlink(GC_OF(p));
        if (r->gen[0].count > 0)
            r->gen[0].count--;
    }
    stats_free(h, size, 1);
    free(p);
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return malloc_resize(h, p, old_size, new_size);
}

static inline void s_retain(heap *h, obj *o)  { rc_retain(h, o); }
static inline void s_release(heap *h, obj *o) { rc_release(h, o); }
static inline void s_scope_end(heap *h)       { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

/* gc.collect(): the oldest generation, so every younger one too. */
static void rcc_collect(heap *h)
{
    collect_generation((rcc_heap *)h, NGEN - 1);
}

static heap *rcc_create(const heap_config *cfg)
{
    rcc_heap *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    heap_init(&r->base, &rc_cycle_strategy, cfg);
    for (int g = 0; g < NGEN; g++)
        list_init(&r->gen[g].head);
    return &r->base;
}

/* A last full collection frees what cycles are left. */
static void rcc_destroy(heap *h)
{
    rcc_heap *r = (rcc_heap *)h;
    rcc_collect(h);
    obj_vec_free(&r->stack);
    heap_fini(h);
    free(r);
}

const strategy rc_cycle_strategy = {
    .name = "rc_cycle",
    .summary = "reference counting plus CPython's generational cycle collector",
    .flags = STRAT_REFCOUNTS | STRAT_TRACES,
    .create = rcc_create, .destroy = rcc_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = rcc_collect, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
