/*
 * strategies/rc_cycle.c -- reference counting plus a generational cycle
 * collector: what CPython does (Modules/gcmodule.c), over the backend.
 *
 * Reference counting frees almost everything the moment it dies, as in
 * `refcount`.  What it cannot free is a cycle: two lists that contain each
 * other keep each other's count above zero forever.  So, as CPython does
 * (strategies/cyclegc.c):
 *
 *   - Every container (list, tuple) is *tracked*: linked, through the 16-byte
 *     GC header every container carries, into the list of generation 0.  Ints
 *     hold no references and are never tracked.
 *   - Allocating a container counts towards generation 0, freeing one counts
 *     back; when the count passes threshold 0 (700), generation 0 is
 *     collected; every collection of generation g counts towards g + 1, which
 *     is collected when that count passes its threshold (10, 10) -- the
 *     oldest only once a quarter of the long-lived objects are new.
 *     Survivors move one generation up; tuples that hold only ints are
 *     untracked on the way.
 *
 * Memory comes from the backend, as for `refcount`, and there are no free
 * lists: every container is a fresh allocation and counts.  CPython's
 * tuples and lists reused from their free lists do not count, so it
 * collects less often (cycles: one collection per 781 lists, not 701);
 * `cpython_model` has the free lists and CPython's counts.
 */
#include <stdlib.h>
#include "strategy.h"
#include "cyclegc.h"
#include "../bench/model.h"

extern const strategy rc_cycle_strategy;

/* GCC does not fold `&int_type == &tuple_type` when it inlines s_alloc and
   s_free for an int, and then warns that an int's 28 bytes have no room for
   a GC header, on a path that never runs. */
#pragma GCC diagnostic ignored "-Warray-bounds"

typedef struct rcc_heap {
    heap base;
    cyclegc gc;
} rcc_heap;

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    rcc_heap *r = (rcc_heap *)h;
    int tracked = t == &tuple_type || t == &list_type;
    if (tracked)
        cyclegc_count_alloc(&r->gc, h);
    void *p = malloc(size);
    if (p == NULL)
        return NULL;
    if (tracked)
        cyclegc_track(&r->gc, p);
    stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    rcc_heap *r = (rcc_heap *)h;
    if (gc_is_container(p)) {
        cyclegc_untrack(p);
        cyclegc_count_free(&r->gc);
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
static void rc_cycle_collect(heap *h)
{
    cyclegc_collect(&((rcc_heap *)h)->gc, h, GC_NGEN - 1);
}

static heap *rc_cycle_create(const heap_config *cfg)
{
    rcc_heap *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    heap_init(&r->base, &rc_cycle_strategy, cfg);
    cyclegc_init(&r->gc, NULL);
    return &r->base;
}

/* A last full collection frees what cycles are left. */
static void rc_cycle_destroy(heap *h)
{
    rcc_heap *r = (rcc_heap *)h;
    rc_cycle_collect(h);
    cyclegc_fini(&r->gc);
    heap_fini(h);
    free(r);
}

const strategy rc_cycle_strategy = {
    .name = "rc_cycle",
    .summary = "reference counting plus CPython's generational cycle collector",
    .flags = STRAT_REFCOUNTS | STRAT_TRACES | STRAT_GENERATIONS | STRAT_THREAD_PRIVATE,
    .create = rc_cycle_create, .destroy = rc_cycle_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = rc_cycle_collect, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
