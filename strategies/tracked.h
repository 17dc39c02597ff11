/*
 * strategies/tracked.h -- the allocation fast paths of a threaded model
 * whose objects are plain backend memory (rc_gil, rc_atomic): malloc, free
 * and realloc, with the cross-thread account (malloc_tracked, xfree.c) that
 * only counting heaps keep.  Included by the strategy file before
 * bench/instance.h, under the names bench/model.h declares.
 */
#ifndef MEMSTRAT_TRACKED_H
#define MEMSTRAT_TRACKED_H

#include "strategy.h"

static inline void *s_alloc(heap *h, const struct type *t, size_t size)
{
    (void)t;
    return malloc_tracked(h, size);
}

static inline void s_free(heap *h, void *p, size_t size) { free_tracked(h, p, size); }

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return malloc_resize(h, p, old_size, new_size);
}

#endif
