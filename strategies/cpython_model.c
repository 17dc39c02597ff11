/*
 * strategies/cpython_model.c -- what CPython 3.11 runs, as one strategy:
 * reference counting over the pymalloc-style allocator
 * (strategies/pymalloc.h), the tuple and list free lists
 * (strategies/freelist.h) and the generational cycle collector
 * (strategies/cyclegc.h).  The distance from it to the `cpython` series is
 * the interpreter.
 *
 * The pieces meet where they meet in CPython: a container taken from a free
 * list is tracked but does not count towards generation 0, nor does one
 * parked there count back (the free lists bypass gc_alloc and
 * PyObject_GC_Del); and a full collection empties the free lists
 * (gcmodule.c's clear_freelists).
 */
#include <stdlib.h>
#include "strategy.h"
#include "pymalloc.h"
#include "freelist.h"
#include "cyclegc.h"
#include "../bench/model.h"

extern const strategy cpython_model_strategy;

/* As in rc_cycle.c: GCC warns about a GC header in an int on a path that
   never runs. */
#pragma GCC diagnostic ignored "-Warray-bounds"

typedef struct cm_heap {
    heap base;
    pymalloc pm;
    freelists fl;
    cyclegc gc;
} cm_heap;

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    cm_heap *m = (cm_heap *)h;
    int container = t == &tuple_type || t == &list_type;
    void *p = container ? freelist_pop(&m->fl, t, size) : NULL;
    if (p == NULL) {
        if (container)
            cyclegc_count_alloc(&m->gc, h);
        p = pymalloc_alloc(&m->pm, size);
        if (p == NULL)
            return NULL;
    }
    if (container)
        cyclegc_track(&m->gc, p);
    stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    cm_heap *m = (cm_heap *)h;
    stats_free(h, size, 1);
    if (gc_is_container(p)) {
        cyclegc_untrack(p);
        if (freelist_push(&m->fl, p))
            return;
        cyclegc_count_free(&m->gc);
    }
    pymalloc_free(&m->pm, p, size);
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return pymalloc_resize(h, &((cm_heap *)h)->pm, p, old_size, new_size);
}

static inline void s_retain(heap *h, obj *o)  { rc_retain(h, o); }
static inline void s_release(heap *h, obj *o) { rc_release(h, o); }
static inline void s_scope_end(heap *h)       { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

/* clear_freelists: the parked tuples and lists go back to the pools, each
   counted back as PyObject_GC_Del counts it. */
static void cpython_model_clear_freelists(heap *h)
{
    cm_heap *m = (cm_heap *)h;
    size_t size;
    void *p;
    while ((p = freelist_take(&m->fl, &size)) != NULL) {
        cyclegc_count_free(&m->gc);
        pymalloc_free(&m->pm, p, size);
    }
}

/* gc.collect(): the oldest generation, so every younger one too. */
static void cpython_model_collect(heap *h)
{
    cyclegc_collect(&((cm_heap *)h)->gc, h, GC_NGEN - 1);
}

static heap *cpython_model_create(const heap_config *cfg)
{
    cm_heap *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    heap_init(&m->base, &cpython_model_strategy, cfg);
    cyclegc_init(&m->gc, cpython_model_clear_freelists);
    return &m->base;
}

/* A last full collection frees what cycles are left, and empties the free
   lists. */
static void cpython_model_destroy(heap *h)
{
    cm_heap *m = (cm_heap *)h;
    cpython_model_collect(h);
    cyclegc_fini(&m->gc);
    pymalloc_fini(&m->pm);
    heap_fini(h);
    free(m);
}

const strategy cpython_model_strategy = {
    .name = "cpython_model",
    .summary = "CPython 3.11 in C: pymalloc-style pools, free lists and the cycle collector",
    .flags = STRAT_REFCOUNTS | STRAT_TRACES | STRAT_GENERATIONS,
    .create = cpython_model_create, .destroy = cpython_model_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = cpython_model_collect, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
