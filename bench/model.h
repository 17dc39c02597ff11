/*
 * bench/model.h -- the object model's operations, compiled once per strategy.
 *
 * Why a header of static inline functions: a workload does a handful of
 * allocations and count updates per operation.  Through the strategy's
 * function pointers each one is an indirect call the compiler cannot see
 * through, and for a bump allocator the call costs more than the allocation.
 * So every strategy file includes this header (through bench/instance.h) after
 * defining its fast paths under fixed names:
 *
 *   s_alloc(h, type, size)          memory for a new object
 *   s_free(h, p, size)              an object whose count reached zero
 *   s_resize(h, p, old, new)        realloc for item blocks (new == 0 frees)
 *   s_retain(h, o), s_release(h, o) count updates (empty where nothing counts)
 *   s_scope_end(h)                  the workload's scope ends
 *   s_poll(h)                       once per operation: the eval breaker
 *                                   (threaded strategies only: a strategy
 *                                   that defines it defines S_POLL first;
 *                                   for the others it is empty)
 *   s_new_count(h)                  a new object's count word (1, unless
 *                                   the strategy defines S_NEW_COUNT)
 *
 * and the workloads (bench/workloads.h) are compiled against them: one copy
 * per strategy, with the strategy's fast paths inlined, from one source.
 * bench/generic.h defines the same names as calls through the vtable, for
 * code that must work with any strategy (the tests, the generic registry).
 */
#ifndef MEMSTRAT_MODEL_H
#define MEMSTRAT_MODEL_H

#include "object.h"

static inline void *s_alloc(heap *h, const type *t, size_t size);
static inline void s_free(heap *h, void *p, size_t size);
static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size);
static inline void s_retain(heap *h, obj *o);
static inline void s_release(heap *h, obj *o);
static inline void s_scope_end(heap *h);
#ifndef S_POLL
static inline void s_poll(heap *h) { (void)h; }
#else
static inline void s_poll(heap *h);
#endif
/* The count word of a new object: 1, unless the strategy's word holds more
   than the count (rc_biased: the owner too); such a strategy defines
   S_NEW_COUNT first, and s_new_count. */
#ifndef S_NEW_COUNT
static inline intptr_t s_new_count(heap *h) { (void)h; return 1; }
#else
static inline intptr_t s_new_count(heap *h);
#endif

/* A thread is about to wait (a queue, a barrier) and after it: slow paths,
   through the vtable (rc_gil drops its lock around the wait). */
static inline void s_blocking_begin(heap *h)
{
    if (h->s->blocking_begin)
        h->s->blocking_begin(h);
}

static inline void s_blocking_end(heap *h)
{
    if (h->s->blocking_end)
        h->s->blocking_end(h);
}

static inline void obj_retain(heap *h, obj *o)  { s_retain(h, o); }
static inline void obj_release(heap *h, obj *o) { s_release(h, o); }

/* ---- destruction (refcounting strategies) -------------------------------
   An object whose count reached zero releases its children, frees what it
   owns and is freed.  The three types of the model are spelled out, so that
   destroying a tuple of ints is a loop, not three indirect calls; any other
   type goes through its traverse/dealloc. */
static void release_child(heap *h, obj *child, void *arg)
{
    (void)arg;
    s_release(h, child);
}

static inline void obj_destroy(heap *h, obj *o)
{
    const type *t = o->type;
    if (t == &int_type) {
        s_free(h, o, INT_OBJ_SIZE);
    } else if (t == &tuple_type) {
        tuple_obj *tp = (tuple_obj *)o;
        for (intptr_t i = 0; i < tp->size; i++)
            if (tp->items[i])
                s_release(h, tp->items[i]);
        s_free(h, o, TUPLE_OBJ_SIZE(tp->size));
    } else if (t == &list_type) {
        list_obj *l = (list_obj *)o;
        for (intptr_t i = 0; i < l->size; i++)
            if (l->items[i])
                s_release(h, l->items[i]);
        if (l->items)
            s_resize(h, l->items, 8 * (size_t)l->allocated, 0);
        s_free(h, o, LIST_OBJ_SIZE);
    } else {
        size_t size = t->size(o);
        if (t->traverse)
            t->traverse(h, o, release_child, NULL);
        if (t->dealloc)
            t->dealloc(h, o);
        s_free(h, o, size);
    }
}

/* retain/release for the refcounting strategies. */
static inline void rc_retain(heap *h, obj *o)
{
    (void)h;
    o->refcnt++;
}

static inline void rc_release(heap *h, obj *o)
{
    if (--o->refcnt != 0)
        return;
    /* An int, the commonest death, is freed right here; containers recurse
       through obj_destroy, which the compiler keeps out of line. */
    if (o->type == &int_type)
        s_free(h, o, INT_OBJ_SIZE);
    else
        obj_destroy(h, o);
}

/* ---- ints -------------------------------------------------------------- */

/* Shares small ints, allocates the others. */
static inline obj *int_new(heap *h, long v)
{
    if (v >= SMALL_INT_MIN && v <= SMALL_INT_MAX)
        return small_int(v);
    void *mem = s_alloc(h, &int_type, INT_OBJ_SIZE);
    if (mem == NULL)
        oom("an int", INT_OBJ_SIZE);
    /* int_init's count of 1 is a dead store where s_new_count is 1. */
    obj *o = int_init(mem, v);
    o->refcnt = s_new_count(h);
    return o;
}

/* ---- tuples ------------------------------------------------------------ */

/* A tuple of k items, all NULL.  The caller fills them with new references. */
static inline tuple_obj *tuple_new(heap *h, size_t k)
{
    tuple_obj *t = s_alloc(h, &tuple_type, TUPLE_OBJ_SIZE(k));
    if (t == NULL)
        oom("a tuple", TUPLE_OBJ_SIZE(k));
    t->h.refcnt = s_new_count(h);
    t->h.type = &tuple_type;
    t->size = (intptr_t)k;
    /* The empty asm keeps GCC from turning these few stores into a call to
       memset, which cost more than the stores. */
    for (size_t i = 0; i < k; i++) {
        t->items[i] = NULL;
        __asm__("" : : "r"(i));
    }
    return t;
}

/* ---- lists ------------------------------------------------------------- */

static inline list_obj *list_new(heap *h)
{
    list_obj *l = s_alloc(h, &list_type, LIST_OBJ_SIZE);
    if (l == NULL)
        oom("a list", LIST_OBJ_SIZE);
    l->h.refcnt = s_new_count(h);
    l->h.type = &list_type;
    l->size = 0;
    l->items = NULL;
    l->allocated = 0;
    return l;
}

/* Give l room for `cap` items: the slow path of append, kept out of line as
   CPython's list_resize() is.  Counts what growth costs: whether the block
   kept its address (realloc or an arena extended it in place); the strategy
   counts what a move cost (stats_moved). */
static __attribute__((noinline)) void list_set_capacity(heap *h, list_obj *l, size_t cap)
{
    size_t old = (size_t)l->allocated;
    uintptr_t before = (uintptr_t)l->items;   /* an address, not to be dereferenced */
    obj **items = s_resize(h, l->items, 8 * old, 8 * cap);
    if (items == NULL)
        oom("a list's items", 8 * cap);
    if (old > 0)
        list_count_resize(h, old, cap, (uintptr_t)items == before);
    l->items = items;
    l->allocated = (intptr_t)cap;
}

/* Append o (the list takes a new reference), growing by policy p. */
static inline void list_append(heap *h, list_obj *l, obj *o, const growth_policy *p)
{
    size_t n = (size_t)l->size;
    if (n == (size_t)l->allocated)
        list_set_capacity(h, l, growth_capacity(p, n, n + 1));
    s_retain(h, o);
    l->items[n] = o;
    l->size = (intptr_t)n + 1;
}

/* A list of n None items, as [None] * n (list_repeat allocates exactly n). */
static inline list_obj *list_new_filled(heap *h, size_t n)
{
    list_obj *l = list_new(h);
    if (n > 0) {
        list_set_capacity(h, l, n);
        for (size_t i = 0; i < n; i++)
            l->items[i] = none;
        l->size = (intptr_t)n;
    }
    return l;
}

/* l[i] = o: the list takes a new reference to o and drops the old item. */
static inline void list_setitem(heap *h, list_obj *l, size_t i, obj *o)
{
    obj *old = l->items[i];
    s_retain(h, o);
    l->items[i] = o;
    s_release(h, old);
}

#endif
