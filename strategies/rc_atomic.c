/*
 * strategies/rc_atomic.c -- reference counting with every count update an
 * atomic read-modify-write: free-threading done naively.
 *
 * refcount's model (one malloc per object, freed the moment its count
 * reaches zero) with obj.refcnt updated by lock-prefixed instructions, so
 * any thread may count and free any object.  Small ints and None are
 * counted too, as every object is: at T > 1 their counts' cache lines
 * bounce between the cores, the cost immortal objects were invented to
 * avoid (PEP 683).  This is the cost PEP 703 set out to avoid; rc_biased is
 * what it does instead.
 */
#include <stdlib.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy rc_atomic_strategy;

/* ---- fast paths, inlined into the workloads ----------------------------- */

#include "tracked.h"        /* s_alloc, s_free, s_resize over the backend */

/* A new reference orders nothing: whoever hands the object over orders it
   (a queue's lock, a barrier), as for Py_INCREF. */
static inline void s_retain(heap *h, obj *o)
{
    (void)h;
    __atomic_fetch_add(&o->refcnt, 1, __ATOMIC_RELAXED);
}

/* The decrement releases this thread's writes to the object and, if it was
   the last, acquires everyone else's before the object is destroyed.  One
   acq_rel RMW rather than release plus an acquire fence: the same lock xadd
   on x86, and ThreadSanitizer understands it (it ignores fences). */
static inline void s_release(heap *h, obj *o)
{
    if (__atomic_sub_fetch(&o->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (o->type == &int_type)
        s_free(h, o, INT_OBJ_SIZE);
    else
        obj_destroy(h, o);
}

static inline void s_scope_end(heap *h) { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static heap *rc_atomic_create(const heap_config *cfg) { return heap_new(&rc_atomic_strategy, cfg); }

const strategy rc_atomic_strategy = {
    .name = "rc_atomic",
    .summary = "reference counting, every count update an atomic read-modify-write",
    .flags = STRAT_REFCOUNTS | STRAT_THREADS,
    .create = rc_atomic_create, .destroy = heap_delete,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
