/*
 * strategies/refcount.c -- reference counting straight over the backend.
 *
 * Every object and block is one malloc/realloc/free of the backend allocator
 * (glibc, jemalloc or mimalloc, whichever the runner binary is linked with),
 * so this strategy measures the allocator as much as the counting.  An object
 * dies the moment its count reaches zero, and takes its children with it.
 */
#include <stdlib.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy refcount_strategy;

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    (void)t;
    void *p = malloc(size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
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

static heap *rc_create(const heap_config *cfg) { return heap_new(&refcount_strategy, cfg); }

const strategy refcount_strategy = {
    .name = "refcount",
    .summary = "reference counting, every object malloc'd from the backend",
    .flags = STRAT_REFCOUNTS | STRAT_THREAD_PRIVATE,
    .create = rc_create, .destroy = heap_delete,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
