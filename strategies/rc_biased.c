/*
 * strategies/rc_biased.c -- biased reference counting, as PEP 703 and
 * CPython's free-threaded build do it (Choi, Shull & Torrellas, PACT 2018).
 *
 * Most objects are only ever counted by the thread that made them.  So each
 * object has an owner (here the heap, which is the thread state) and two
 * counts: obj.refcnt, the owner's local count, updated with plain loads and
 * stores, and a shared count that every other thread updates atomically.
 * The object is dead when their sum is zero, which no single thread sees;
 * the two are merged into the shared count (ownership given up) when that
 * question arises:
 *
 *   - the owner's local count reaches zero: if the shared count is zero the
 *     object is dead; else the owner gives it up and the last shared
 *     decrement frees it (_Py_MergeZeroLocalRefcount);
 *   - a non-owner's decrement finds the shared count at zero, so the true
 *     count may be about to go negative: instead of decrementing it marks
 *     the object queued and hands it, with its reference, to the owner,
 *     which merges it at its next s_poll (_Py_DecRefShared,
 *     Python/brc.c).  A thread that has ended (thread_end) merges no more:
 *     its queue is closed, and the pusher merges at once (CPython's
 *     abandoned objects).
 *
 * Objects carry a 16-byte prefix {owner, shared}, what CPython 3.13t's
 * larger object header costs (32 bytes against 16); small ints and None are
 * immortal: no prefix, no count update at all.
 *
 * Memory orders follow CPython's (Include/internal/pycore_object.h,
 * Objects/object.c): the owner's local count is a relaxed atomic because
 * other threads read it (is it immortal?); on x86 those are plain moves.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "strategy.h"

#define S_POLL 1
#include "../bench/model.h"

extern const strategy rc_biased_strategy;

/* The shared count is kept shifted left by two; its low bits are flags
   (_Py_REF_SHARED_SHIFT, _Py_REF_QUEUED, _Py_REF_MERGED). */
#define SHARED_SHIFT 2
#define SHARED_ONE   ((intptr_t)1 << SHARED_SHIFT)
#define SHARED_FLAGS ((intptr_t)3)
#define QUEUED       ((intptr_t)2)
#define MERGED       ((intptr_t)3)

typedef struct prefix {
    _Atomic(heap *) owner;      /* the owning heap; NULL once merged         */
    _Atomic intptr_t shared;    /* count << 2 | flags                        */
} prefix;                       /* 16 bytes: the object stays 16-aligned     */

static inline prefix *prefix_of(obj *o) { return (prefix *)o - 1; }

/* A heap is a thread state; its queue takes the objects other threads
   hand it for merging (_brc_thread_state.objects_to_merge). */
typedef struct biased_heap {
    heap h;
    pthread_mutex_t mu;         /* guards queue and closed                   */
    obj_vec queue;              /* each entry holds one reference            */
    int closed;                 /* thread_end ran: pushers merge themselves  */
    atomic_int pending;         /* queue not empty: the eval breaker bit     */
} biased_heap;

static void destroy_dead(heap *h, obj *o);

/* ---- the owner's and the others' paths ---------------------------------- */

static inline intptr_t local_count(obj *o)
{
    return __atomic_load_n(&o->refcnt, __ATOMIC_RELAXED);
}

static inline int is_owner(heap *h, obj *o)
{
    return atomic_load_explicit(&prefix_of(o)->owner, memory_order_relaxed) == h;
}

/* _Py_ExplicitMergeRefcount: give up ownership, fold the local count and
   `extra` into the shared count, mark it merged; returns the total.  Only
   the owner, or a thread the owner has handed over to (a closed queue), may
   call it: it reads and clears the local count. */
static intptr_t explicit_merge(obj *o, intptr_t extra)
{
    prefix *p = prefix_of(o);
    intptr_t local = local_count(o);
    /* The local count and the owner go before the shared count: whoever sees
       the merged shared count must not find them stale (gh-119999). */
    __atomic_store_n(&o->refcnt, 0, __ATOMIC_RELAXED);
    atomic_store_explicit(&p->owner, NULL, memory_order_relaxed);
    intptr_t shared = atomic_load_explicit(&p->shared, memory_order_relaxed), total;
    do {
        total = (shared >> SHARED_SHIFT) + local + extra;
    } while (!atomic_compare_exchange_weak_explicit(&p->shared, &shared,
                                                    total * SHARED_ONE | MERGED,
                                                    memory_order_acq_rel,
                                                    memory_order_relaxed));
    return total;
}

/* _Py_MergeZeroLocalRefcount: the owner's local count reached zero, and
   the shared count was not zero (s_release tested it: if it is, nobody
   else ever counted the object, or their counts cancelled out, and it is
   dead).  Others hold references: give the object up, so that the last of
   their decrements frees it.  The owner goes first: an owner of NULL means
   merged (gh-121794). */
static __attribute__((noinline)) void merge_zero_local(heap *h, obj *o)
{
    prefix *p = prefix_of(o);
    intptr_t shared = atomic_load_explicit(&p->shared, memory_order_acquire);
    atomic_store_explicit(&p->owner, NULL, memory_order_relaxed);
    intptr_t merged;
    do {
        merged = (shared & ~SHARED_FLAGS) | MERGED;
    } while (!atomic_compare_exchange_weak_explicit(&p->shared, &shared, merged,
                                                    memory_order_acq_rel,
                                                    memory_order_relaxed));
    if (merged == MERGED)
        destroy_dead(h, o);
}

/* _Py_brc_queue_object: hand o, with the reference being dropped, to its
   owner.  If the owner has ended, merge here, as CPython merges an object
   whose owning thread it cannot find. */
static void queue_to_owner(heap *h, obj *o)
{
    biased_heap *owner = (biased_heap *)atomic_load_explicit(&prefix_of(o)->owner,
                                                              memory_order_relaxed);
    if (owner == NULL) {
        /* The owner merged meanwhile: drop the reference as on any merged
           object (see shared_release). */
        intptr_t left = atomic_fetch_sub_explicit(&prefix_of(o)->shared, SHARED_ONE,
                                                  memory_order_acq_rel) - SHARED_ONE;
        if (left == MERGED)
            destroy_dead(h, o);
        return;
    }
    pthread_mutex_lock(&owner->mu);
    if (owner->closed) {
        /* The owner's closing under this mutex ordered its last writes to
           the local count before this merge, and it will not touch the
           count again until thread_begin, which takes this mutex too. */
        intptr_t total = explicit_merge(o, -1);
        pthread_mutex_unlock(&owner->mu);
        if (total == 0)
            destroy_dead(h, o);
        return;
    }
    obj_vec_push(&owner->queue, o, "a merge queue");
    atomic_store_explicit(&owner->pending, 1, memory_order_relaxed);
    pthread_mutex_unlock(&owner->mu);
    if (h->counting)
        h->st.queued++;
}

/* _Py_DecRefShared: a non-owner drops a reference. */
static __attribute__((noinline)) void shared_release(heap *h, obj *o)
{
    prefix *p = prefix_of(o);
    intptr_t shared = atomic_load_explicit(&p->shared, memory_order_relaxed), next;
    int queue;
    do {
        /* At zero, neither queued nor merged: the owner's local count holds
           what is left, so the owner must decide.  The queue keeps the
           reference (no decrement). */
        queue = shared == 0;
        next = queue ? QUEUED : shared - SHARED_ONE;
    } while (!atomic_compare_exchange_weak_explicit(&p->shared, &shared, next,
                                                    memory_order_acq_rel,
                                                    memory_order_relaxed));
    if (queue)
        queue_to_owner(h, o);
    else if (next == MERGED)
        destroy_dead(h, o);
}

/* ---- the owner's queue (Python/brc.c) ----------------------------------- */

/* merge_queued_objects: the queue's reference is the -1. */
static void merge_all(heap *h, obj_vec *objs)
{
    for (size_t i = 0; i < objs->n; i++)
        if (explicit_merge(objs->v[i], -1) == 0)
            destroy_dead(h, objs->v[i]);
    objs->n = 0;
}

/* _Py_brc_merge_refcounts: take the queue under the lock, merge outside it
   (merging may free, and freeing may push to other queues).  With `close`,
   loop until the queue is empty and close it in the same critical section:
   after that, pushers merge themselves (_Py_brc_remove_thread). */
static __attribute__((noinline)) void merge_queue(heap *h, int close)
{
    biased_heap *bh = (biased_heap *)h;
    obj_vec mine = { 0 };
    for (;;) {
        pthread_mutex_lock(&bh->mu);
        if (bh->queue.n == 0) {
            bh->closed |= close;
            atomic_store_explicit(&bh->pending, 0, memory_order_relaxed);
            pthread_mutex_unlock(&bh->mu);
            break;
        }
        obj_vec taken = bh->queue;
        bh->queue = mine;
        atomic_store_explicit(&bh->pending, 0, memory_order_relaxed);
        pthread_mutex_unlock(&bh->mu);
        merge_all(h, &taken);
        mine = taken;               /* its array is reused for the next swap */
        if (!close)
            break;
    }
    obj_vec_free(&mine);
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    (void)t;
    prefix *p = malloc(sizeof *p + size);
    if (p == NULL)
        return NULL;
    atomic_init(&p->owner, h);
    atomic_init(&p->shared, 0);
    stats_alloc_tracked(h, p + 1, size);
    return p + 1;
}

static inline void s_free(heap *h, void *o, size_t size)
{
    stats_free_tracked(h, o, size);
    free(prefix_of(o));
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return malloc_resize(h, p, old_size, new_size);
}

/* Py_INCREF: immortal, owned (a plain increment of the local count), or
   shared (an atomic add, relaxed: a new reference orders nothing). */
static inline void s_retain(heap *h, obj *o)
{
    intptr_t local = local_count(o);
    if (__builtin_expect(local >= OBJ_IMMORTAL / 2, 0))
        return;
    if (__builtin_expect(is_owner(h, o), 1))
        __atomic_store_n(&o->refcnt, local + 1, __ATOMIC_RELAXED);
    else
        atomic_fetch_add_explicit(&prefix_of(o)->shared, SHARED_ONE, memory_order_relaxed);
}

/* Py_DECREF. */
static inline void s_release(heap *h, obj *o)
{
    intptr_t local = local_count(o);
    if (__builtin_expect(local >= OBJ_IMMORTAL / 2, 0))
        return;
    if (__builtin_expect(!is_owner(h, o), 0)) {
        shared_release(h, o);
        return;
    }
    __atomic_store_n(&o->refcnt, local - 1, __ATOMIC_RELAXED);
    if (local != 1)
        return;
    /* _Py_MergeZeroLocalRefcount's fast path, inlined as rc_release is: at
       T = 1 every object dies here, and an int is freed right here. */
    if (atomic_load_explicit(&prefix_of(o)->shared, memory_order_acquire) != 0)
        merge_zero_local(h, o);
    else if (o->type == &int_type)
        s_free(h, o, INT_OBJ_SIZE);
    else
        obj_destroy(h, o);
}

static inline void s_scope_end(heap *h) { (void)h; }

/* The eval breaker's _PY_EVAL_EXPLICIT_MERGE_BIT. */
static inline void s_poll(heap *h)
{
    if (__builtin_expect(atomic_load_explicit(&((biased_heap *)h)->pending,
                                              memory_order_relaxed), 0))
        merge_queue(h, 0);
}

#include "../bench/instance.h"

/* Out of line: the owner's merge, the others' last decrement and the
   queues all end here.  An int, the commonest death, is freed at once. */
static void destroy_dead(heap *h, obj *o)
{
    if (o->type == &int_type)
        s_free(h, o, INT_OBJ_SIZE);
    else
        obj_destroy(h, o);
}

/* ---- the rest ---------------------------------------------------------- */

/* _Py_brc_init_thread: open the queue again after a thread_end. */
static void rc_biased_thread_begin(heap *h)
{
    biased_heap *bh = (biased_heap *)h;
    pthread_mutex_lock(&bh->mu);
    bh->closed = 0;
    pthread_mutex_unlock(&bh->mu);
}

/* _Py_brc_remove_thread. */
static void rc_biased_thread_end(heap *h) { merge_queue(h, 1); }

static void rc_biased_poll(heap *h) { s_poll(h); }

static heap *rc_biased_create(const heap_config *cfg)
{
    biased_heap *bh = malloc(sizeof *bh);
    if (bh == NULL)
        return NULL;
    heap_init(&bh->h, &rc_biased_strategy, cfg);
    pthread_mutex_init(&bh->mu, NULL);
    bh->queue = (obj_vec){ 0 };
    bh->closed = 0;
    atomic_init(&bh->pending, 0);
    return &bh->h;
}

/* Whatever others queued since the last poll is merged first: its objects
   may be dead. */
static void rc_biased_destroy(heap *h)
{
    biased_heap *bh = (biased_heap *)h;
    merge_queue(h, 1);
    obj_vec_free(&bh->queue);
    pthread_mutex_destroy(&bh->mu);
    heap_fini(h);
    free(bh);
}

const strategy rc_biased_strategy = {
    .name = "rc_biased",
    .summary = "biased reference counting (PEP 703): owner's local count, shared atomic count",
    .flags = STRAT_REFCOUNTS | STRAT_THREADS,
    .create = rc_biased_create, .destroy = rc_biased_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .thread_begin = rc_biased_thread_begin, .thread_end = rc_biased_thread_end,
    .poll = rc_biased_poll,
    .workloads = instance_workloads,
};
