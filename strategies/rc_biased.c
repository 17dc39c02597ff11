/*
 * strategies/rc_biased.c -- biased reference counting, as PEP 703 and
 * CPython's free-threaded build do it (Choi, Shull & Torrellas, PACT 2018).
 *
 * Most objects are only ever counted by the thread that made them.  So each
 * object has an owner (here the heap, which is the thread state) and two
 * counts: the owner's local count, updated with plain loads and stores, and
 * a shared count that every other thread updates atomically.  The object is
 * dead when their sum is zero, which no single thread sees; the two are
 * merged into the shared count (ownership given up) when that question
 * arises:
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
 * The layout is BRC's own: everything is in the object's 8-byte count word,
 * obj.refcnt, in two 32-bit halves that are distinct objects (C11: the
 * owner's stores and the others' read-modify-writes never touch the same
 * object):
 *
 *   the owner's half   owner index << 20 | local count.  Written only by the
 *                      owner (relaxed atomics: plain moves on x86; others
 *                      read the owner index).  Index 0: no owner -- merged,
 *                      or a static.  The index names a heap in `owners`.
 *   the shared half    SHARED_ZERO + shared count << 2 | flags (queued,
 *                      merged), updated atomically by everyone else.
 *
 * So the owner's retain is a load, one compare (o is ours and its local
 * count has room) and a store.  PEP 703 instead adds 16 bytes to every
 * object header (ob_tid, ob_ref_local, ob_ref_shared besides ob_refcnt's
 * word); an earlier version here did the same with a prefix, and a 28-byte
 * int became a 44-byte request (glibc 48 -> 64-byte chunks, mimalloc's
 * 32 -> 48 bin): 1e6 of them cost list_append/glibc a third more page faults
 * than refcount (91,000 against 69,000 a cell, ~12 us each on the 2-core
 * VM), and rc_biased 1.26x refcount's time at T = 1.  That header is a real
 * cost of CPython 3.13t, but a separate one from biased counting, and is
 * not modelled.
 *
 * Bounds.  The local count stays below 2^20: a retain that would reach it
 * moves SPILL of it to the shared count first (retain_slow).  At most 4095
 * heaps have an index at once (create fails beyond).  The shared count
 * stays in [-2^28, 2^28): it goes negative only by references the owner
 * counted and others dropped, fewer than the local count, and a retain that
 * would pass 2^28 aborts (shared_add).  In that range SHARED_ZERO keeps the
 * shared half's top bit set, so a live object's word is negative and never
 * reads as static (obj_is_static: >= 2^49; a static's word, OBJ_IMMORTAL,
 * has no owner and a shared half of 2^18, top bit clear): small ints and
 * None are never updated.  An object must not outlive its owner's heap (it
 * names the heap by index, as it named it by address before).
 *
 * Memory orders follow CPython's (Include/internal/pycore_object.h,
 * Objects/object.c): the owner's half is a relaxed atomic because other
 * threads read it (whose is it?); on x86 those are plain moves.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "strategy.h"

#define S_POLL 1
#define S_NEW_COUNT 1
#include "../bench/model.h"

extern const strategy rc_biased_strategy;

/* ---- the count word --------------------------------------------------- */

/* 12 bits of owner index: 4095 heaps at once (0 is no owner), 16 times the
   256 threads a cell may have; the local count keeps the other 20. */
#define LOCAL_BITS 20
#define LOCAL_MAX  ((1u << LOCAL_BITS) - 1)
#define OWNERS     (1u << (32 - LOCAL_BITS))
/* What a full local count moves to the shared count: half, so that the
   owner has 2^19 plain updates before the next spill. */
#define SPILL      (1u << (LOCAL_BITS - 1))

/* The shared half's low bits are flags (_Py_REF_SHARED_SHIFT, _Py_REF_QUEUED,
   _Py_REF_MERGED). */
#define SHARED_SHIFT 2
#define SHARED_ONE   (1u << SHARED_SHIFT)
#define SHARED_FLAGS 3u
#define QUEUED       2u
#define MERGED       3u
/* A shared count of zero: counts in [-2^28, 2^28) map to [2^31, 2^32), top
   bit set (see Bounds above). */
#define SHARED_ZERO  (3u << 30)
#define SHARED_TOP   (1u << 31)

_Static_assert(sizeof(intptr_t) == 8, "the count word is two 32-bit halves");
_Static_assert((OBJ_IMMORTAL & 0xffffffff) == 0 && (OBJ_IMMORTAL >> 32) < SHARED_TOP,
               "a static's word must read as no owner and a shared half without the top bit");

/* The halves through a may_alias type: the model writes the whole word (an
   intptr_t) when it makes an object, and these accesses must not be moved
   across that store. */
typedef uint32_t half __attribute__((may_alias));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
enum { OWN_HALF = 0, SHARED_HALF = 1 };
#else
enum { OWN_HALF = 1, SHARED_HALF = 0 };
#endif

static inline half *own_half(obj *o)    { return (half *)&o->refcnt + OWN_HALF; }
static inline half *shared_half(obj *o) { return (half *)&o->refcnt + SHARED_HALF; }

static inline uint32_t load_own(obj *o)
{
    return __atomic_load_n(own_half(o), __ATOMIC_RELAXED);
}

static inline void store_own(obj *o, uint32_t v)
{
    __atomic_store_n(own_half(o), v, __ATOMIC_RELAXED);
}

static inline uint32_t load_shared(obj *o, int order)
{
    return __atomic_load_n(shared_half(o), order);
}

static inline int is_static(uint32_t shared) { return !(shared & SHARED_TOP); }

static inline int64_t shared_count(uint32_t shared)
{
    return ((int64_t)(shared & ~SHARED_FLAGS) - SHARED_ZERO) / SHARED_ONE;
}

static inline uint32_t shared_word(int64_t count, uint32_t flags)
{
    return (uint32_t)(SHARED_ZERO + count * SHARED_ONE) | flags;
}

static inline int shared_cas(obj *o, uint32_t *expected, uint32_t desired)
{
    return __atomic_compare_exchange_n(shared_half(o), expected, desired, 1,
                                       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* A heap is a thread state; its queue takes the objects other threads
   hand it for merging (_brc_thread_state.objects_to_merge). */
typedef struct biased_heap {
    heap h;
    uint32_t tag;               /* owner index << LOCAL_BITS                  */
    intptr_t fresh;             /* a new object's word: ours, local count 1   */
    pthread_mutex_t mu;         /* guards queue and closed                   */
    obj_vec queue;              /* each entry holds one reference            */
    int closed;                 /* thread_end ran: pushers merge themselves  */
    atomic_int pending;         /* queue not empty: the eval breaker bit     */
} biased_heap;

static inline uint32_t tag_of(heap *h) { return ((biased_heap *)h)->tag; }

/* The registry of owners: index -> heap, for queue_to_owner. */
static struct {
    pthread_mutex_t mu;         /* guards taking and giving back an index    */
    _Atomic(biased_heap *) heap[OWNERS];
} owners = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The lowest free index, or 0 if all are taken. */
static uint32_t owner_register(biased_heap *bh)
{
    uint32_t i;
    pthread_mutex_lock(&owners.mu);
    for (i = 1; i < OWNERS; i++)
        if (atomic_load_explicit(&owners.heap[i], memory_order_relaxed) == NULL) {
            atomic_store_explicit(&owners.heap[i], bh, memory_order_release);
            break;
        }
    pthread_mutex_unlock(&owners.mu);
    return i < OWNERS ? i : 0;
}

static void owner_unregister(uint32_t index)
{
    pthread_mutex_lock(&owners.mu);
    atomic_store_explicit(&owners.heap[index], NULL, memory_order_relaxed);
    pthread_mutex_unlock(&owners.mu);
}

static void destroy_dead(heap *h, obj *o);

/* ---- the owner's and the others' paths ---------------------------------- */

/* Add n to the shared count (a new reference orders nothing: relaxed).
   Past 2^28 the count would clear the top bit and read as static. */
static void shared_add(obj *o, uint32_t n)
{
    uint32_t old = __atomic_fetch_add(shared_half(o), n * SHARED_ONE, __ATOMIC_RELAXED);
    if (old > UINT32_MAX - n * SHARED_ONE) {
        fprintf(stderr, "rc_biased: a shared count passed 2^28 references\n");
        abort();
    }
}

/* _Py_ExplicitMergeRefcount: give up ownership, fold the local count and
   `extra` into the shared count, mark it merged; returns the total.  Only
   the owner, or a thread the owner has handed over to (a closed queue), may
   call it: it reads and clears the local count. */
static int64_t explicit_merge(obj *o, int64_t extra)
{
    int64_t local = load_own(o) & LOCAL_MAX;
    /* The local count and the owner (one store: the owner's half) go before
       the shared count: whoever sees the merged shared count must not find
       them stale (gh-119999). */
    store_own(o, 0);
    uint32_t shared = load_shared(o, __ATOMIC_RELAXED);
    int64_t total;
    do {
        total = shared_count(shared) + local + extra;
    } while (!shared_cas(o, &shared, shared_word(total, MERGED)));
    return total;
}

/* _Py_MergeZeroLocalRefcount: the owner's local count reached zero, and
   the shared count was not zero (s_release tested it: if it is, nobody
   else ever counted the object, or their counts cancelled out, and it is
   dead).  Others hold references: give the object up, so that the last of
   their decrements frees it.  The owner goes first: no owner means merged
   (gh-121794). */
static __attribute__((noinline)) void merge_zero_local(heap *h, obj *o)
{
    uint32_t shared = load_shared(o, __ATOMIC_ACQUIRE), merged;
    store_own(o, 0);
    do {
        merged = (shared & ~SHARED_FLAGS) | MERGED;
    } while (!shared_cas(o, &shared, merged));
    if (merged == (SHARED_ZERO | MERGED))
        destroy_dead(h, o);
}

/* _Py_brc_queue_object: hand o, with the reference being dropped, to its
   owner.  If the owner has ended, merge here, as CPython merges an object
   whose owning thread it cannot find. */
static void queue_to_owner(heap *h, obj *o)
{
    uint32_t index = load_own(o) >> LOCAL_BITS;
    if (index == 0) {
        /* The owner merged meanwhile: drop the reference as on any merged
           object (see shared_release). */
        uint32_t left = __atomic_sub_fetch(shared_half(o), SHARED_ONE, __ATOMIC_ACQ_REL);
        if (left == (SHARED_ZERO | MERGED))
            destroy_dead(h, o);
        return;
    }
    biased_heap *owner = atomic_load_explicit(&owners.heap[index], memory_order_acquire);
    if (owner == NULL) {
        fprintf(stderr, "rc_biased: an object outlived its owner's heap (index %u)\n", index);
        abort();
    }
    pthread_mutex_lock(&owner->mu);
    if (owner->closed) {
        /* The owner's closing under this mutex ordered its last writes to
           the local count before this merge, and it will not touch the
           count again until thread_begin, which takes this mutex too. */
        int64_t total = explicit_merge(o, -1);
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

/* Py_INCREF off the owner's fast path: the owner's local count is full (it
   spills), or o is a static (left alone), or another's or nobody's (an
   atomic add to the shared count). */
static __attribute__((noinline)) void retain_slow(heap *h, obj *o)
{
    uint32_t mine = load_own(o);
    if ((mine ^ tag_of(h)) == LOCAL_MAX) {
        /* The shared count first: a merge that read both in between would
           count SPILL too many, never too few. */
        shared_add(o, SPILL);
        store_own(o, mine - SPILL + 1);
    } else if (!is_static(load_shared(o, __ATOMIC_RELAXED))) {
        shared_add(o, 1);
    }
}

/* _Py_DecRefShared: a non-owner drops a reference (or nothing, on a
   static). */
static __attribute__((noinline)) void shared_release(heap *h, obj *o)
{
    uint32_t shared = load_shared(o, __ATOMIC_RELAXED), next;
    if (is_static(shared))
        return;
    int queue;
    do {
        /* At zero, neither queued nor merged: the owner's local count holds
           what is left, so the owner must decide.  The queue keeps the
           reference (no decrement). */
        queue = shared == SHARED_ZERO;
        next = queue ? SHARED_ZERO | QUEUED : shared - SHARED_ONE;
    } while (!shared_cas(o, &shared, next));
    if (queue)
        queue_to_owner(h, o);
    else if (next == (SHARED_ZERO | MERGED))
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
    void *p = malloc(size);
    if (p)
        stats_alloc_tracked(h, p, size);
    return p;
}

static inline void s_free(heap *h, void *o, size_t size)
{
    stats_free_tracked(h, o, size);
    free(o);
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    return malloc_resize(h, p, old_size, new_size);
}

static inline intptr_t s_new_count(heap *h) { return ((biased_heap *)h)->fresh; }

/* Py_INCREF: owned with room in the local count (a plain increment), or
   else retain_slow.  One compare tests both: the owner's half XOR our tag
   is the local count if o is ours, 2^20 or more if not. */
static inline void s_retain(heap *h, obj *o)
{
    uint32_t mine = load_own(o);
    if (__builtin_expect((mine ^ tag_of(h)) < LOCAL_MAX, 1))
        store_own(o, mine + 1);
    else
        retain_slow(h, o);
}

/* Py_DECREF.  An owner's local count is never 0: at 0 it gave o up. */
static inline void s_release(heap *h, obj *o)
{
    uint32_t mine = load_own(o), local = mine ^ tag_of(h);
    if (__builtin_expect(local > LOCAL_MAX, 0)) {
        shared_release(h, o);
        return;
    }
    store_own(o, mine - 1);
    if (local != 1)
        return;
    /* _Py_MergeZeroLocalRefcount's fast path, inlined as rc_release is: at
       T = 1 every object dies here, and an int is freed right here. */
    if (load_shared(o, __ATOMIC_ACQUIRE) != SHARED_ZERO)
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

/* NULL when out of memory or of owner indexes (4095 heaps alive). */
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
    uint32_t index = owner_register(bh);
    if (index == 0) {
        pthread_mutex_destroy(&bh->mu);
        heap_fini(&bh->h);
        free(bh);
        return NULL;
    }
    bh->tag = index << LOCAL_BITS;
    bh->fresh = (intptr_t)((uint64_t)SHARED_ZERO << 32 | bh->tag | 1);
    return &bh->h;
}

/* Whatever others queued since the last poll is merged first: its objects
   may be dead.  Then the index is free for the next heap. */
static void rc_biased_destroy(heap *h)
{
    biased_heap *bh = (biased_heap *)h;
    merge_queue(h, 1);
    owner_unregister(bh->tag >> LOCAL_BITS);
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
    .retain = s_retain, .release = s_release, .new_count = s_new_count,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .thread_begin = rc_biased_thread_begin, .thread_end = rc_biased_thread_end,
    .poll = rc_biased_poll,
    .workloads = instance_workloads,
};
