/*
 * strategies/pool.c -- reference counting over a pymalloc-style allocator
 * (strategies/pymalloc.h: 32 size classes of 16 bytes up to 512, 16 KiB
 * pools in 1 MiB arenas, larger requests to the backend) with CPython
 * 3.11's free lists of tuples and lists (strategies/freelist.h): a dying
 * tuple or list is parked, and the next one of its kind reuses it without
 * touching the pools.  No cycle collector: `cpython_model` adds CPython's.
 */
#include <stdlib.h>
#include "strategy.h"
#include "pymalloc.h"
#include "freelist.h"
#include "../bench/model.h"

extern const strategy pool_strategy;

typedef struct pool_heap {
    heap base;
    pymalloc pm;
    freelists fl;
} pool_heap;

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    pool_heap *ph = (pool_heap *)h;
    void *p = freelist_pop(&ph->fl, t, size);
    if (p == NULL)
        p = pymalloc_alloc(&ph->pm, size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    pool_heap *ph = (pool_heap *)h;
    stats_free(h, size, 1);
    if (!freelist_push(&ph->fl, p))
        pymalloc_free(&ph->pm, p, size);
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return pymalloc_resize(h, &((pool_heap *)h)->pm, p, old_size, new_size);
}

static inline void s_retain(heap *h, obj *o)  { rc_retain(h, o); }
static inline void s_release(heap *h, obj *o) { rc_release(h, o); }
static inline void s_scope_end(heap *h)       { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static heap *pool_create(const heap_config *cfg)
{
    pool_heap *ph = calloc(1, sizeof *ph);
    if (ph == NULL)
        return NULL;
    heap_init(&ph->base, &pool_strategy, cfg);
    return &ph->base;
}

static void pool_destroy(heap *h)
{
    pool_heap *ph = (pool_heap *)h;
    size_t size;
    void *p;
    while ((p = freelist_take(&ph->fl, &size)) != NULL)
        pymalloc_free(&ph->pm, p, size);
    pymalloc_fini(&ph->pm);
    heap_fini(h);
    free(ph);
}

const strategy pool_strategy = {
    .name = "pool",
    .summary = "reference counting over pymalloc-style size-class pools, tuple and list free lists",
    .flags = STRAT_REFCOUNTS | STRAT_THREAD_PRIVATE,
    .create = pool_create, .destroy = pool_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
