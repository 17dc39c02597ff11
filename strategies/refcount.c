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

extern const strategy refcount_strategy;

static heap *rc_create(const heap_config *cfg)
{
    heap *h = malloc(sizeof *h);
    if (h)
        heap_init(h, &refcount_strategy, cfg);
    return h;
}

static void rc_destroy(heap *h)
{
    heap_fini(h);
    free(h);
}

static void *rc_alloc(heap *h, const struct type *t, size_t size)
{
    (void)t;
    void *p = malloc(size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static void rc_free(heap *h, void *p, size_t size)
{
    stats_free(h, size, 1);
    free(p);
}

static void rc_nothing(heap *h) { (void)h; }

const strategy refcount_strategy = {
    .name = "refcount",
    .summary = "reference counting, every object malloc'd from the backend",
    .flags = STRAT_REFCOUNTS,
    .create = rc_create, .destroy = rc_destroy,
    .alloc = rc_alloc, .free = rc_free, .resize = malloc_resize,
    .retain = refcount_retain, .release = refcount_release,
    .collect = rc_nothing, .scope_end = rc_nothing,
};
