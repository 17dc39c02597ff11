/*
 * bench/generic.h -- the object model for any strategy, through its vtable.
 *
 * The fast-path names of bench/model.h as calls through h->s: slower than a
 * strategy's own instance, but it works on any heap.  For code that is not
 * part of a strategy: the generic workload registry and the tests.
 */
#ifndef MEMSTRAT_GENERIC_H
#define MEMSTRAT_GENERIC_H

#define S_POLL 1
#define S_NEW_COUNT 1
#include "model.h"

static inline void *s_alloc(heap *h, const type *t, size_t size) { return h->s->alloc(h, t, size); }
static inline void s_free(heap *h, void *p, size_t size) { h->s->free(h, p, size); }
static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return h->s->resize(h, p, old_size, new_size);
}
static inline void s_retain(heap *h, obj *o) { h->s->retain(h, o); }
static inline void s_release(heap *h, obj *o) { h->s->release(h, o); }
static inline void s_scope_end(heap *h) { h->s->scope_end(h); }
static inline void s_poll(heap *h)
{
    if (h->s->poll)
        h->s->poll(h);
}
static inline intptr_t s_new_count(heap *h)
{
    return h->s->new_count ? h->s->new_count(h) : 1;
}

#endif
