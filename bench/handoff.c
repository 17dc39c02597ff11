/*
 * bench/handoff.c -- producers and consumers: every object is dropped on a
 * thread that did not make it.
 *
 *     q = queue.Queue(HANDOFF_RING)                 # a queue of batches
 *     producer:  for each batch of its share:
 *                    q.put([(a, b, c) for ...])      # 3 fresh ints each
 *     consumer:  while batch := q.get():
 *                    for t in batch: s += t[2]; del t
 *
 * T > 1 (a team): P = ceil(T/2) producers (threads 0..P-1) split the T*N
 * tuples, each a contiguous range of them; C = T - P consumers drop whatever
 * they get.  So every thread does N operations on average, and every tuple
 * is dropped by a thread (a heap) other than the one that made it: under
 * rc_gil and rc_atomic it is freed there too, with its ints (the backends'
 * cross-thread free paths, cross_frees); under rc_biased the consumer's
 * drop is a non-owner's, so the tuple is queued back to its maker, which
 * frees it and its ints on its own heap (queued), as CPython 3.13t does.
 *
 * T = 1 (no team): the same objects and counts without the queue: one thread
 * makes a batch of HANDOFF_BATCH tuples, then drops it, N tuples in all.
 *
 * The checksum is tuple_create's for T*N tuples of 3: the sum of every
 * tuple's last item, read by the thread that drops it; thread 0 returns the
 * team's.  The operation is one tuple made (a producer) or dropped (a
 * consumer), and s_poll runs once per operation.
 */
#include <pthread.h>
#include "workload.h"
#include "model.h"
#include "team.h"

/* Items per tuple: the (a, b, c) of the loop, as tuple_create's default. */
#define HANDOFF_K 3
/* Tuples per queue operation.  One lock round trip per tuple would measure
   the mutex and the condition variables, not memory management: a batch of
   64 tuples of 3 ints is 256 objects made and freed against two round trips
   (its push and its pop). */
#define HANDOFF_BATCH 64
/* Batches the queue holds.  Enough that a producer runs ahead while its
   consumer is descheduled for a moment (T threads on fewer cores share
   them); few enough that what is in flight -- at most HANDOFF_RING + T
   batches of 64 tuples of 148 bytes, 114 KB at T = 4 -- stays in L2: the
   handoff measures frees on another thread, not misses on a large live set. */
#define HANDOFF_RING 8

typedef struct handoff_batch {
    uint64_t first;                 /* index of its first tuple, 0..T*N-1   */
    unsigned n;                     /* tuples: HANDOFF_BATCH but the last   */
    obj *t[HANDOFF_BATCH];
} handoff_batch;

/* The team's queue, in wl_team.shared: a ring of batches, copied in and out
   (528 bytes per 64 tuples) so that a thread works on its own batch with
   the lock released. */
typedef struct handoff_ring {
    pthread_mutex_t mu;
    pthread_cond_t not_full, not_empty;
    unsigned head, count;           /* the oldest batch; batches queued     */
    unsigned producing;             /* producers not yet done               */
    uint64_t sum;                   /* the consumers' checksums             */
    handoff_batch slot[HANDOFF_RING];
} handoff_ring;

static unsigned handoff_producers(unsigned threads) { return (threads + 1) / 2; }

/* Tuple number i, of fresh ints 3i, 3i+1, 3i+2, into *slot: the slot roots
   it while its ints are made (a tracing strategy may collect then). */
static inline void handoff_make(heap *h, obj **slot, uint64_t i)
{
    tuple_obj *t = tuple_new(h, HANDOFF_K);
    *slot = &t->h;
    for (unsigned j = 0; j < HANDOFF_K; j++)
        t->items[j] = int_new(h, WL_VALUE(i * HANDOFF_K + j));
}

/* Drop tuple number i from *slot; returns its last item. */
static inline uint64_t handoff_drop(heap *h, obj **slot, uint64_t i, const wl_params *p,
                                    wl_result *r)
{
    uint64_t v = wl_tuple_value((tuple_obj *)*slot, i * HANDOFF_K, HANDOFF_K, p, r);
    obj_release(h, *slot);
    *slot = NULL;
    return v;
}

/* Root every slot of b for the whole run: two stores each, once. */
static void handoff_root(heap *h, handoff_batch *b)
{
    for (unsigned i = 0; i < HANDOFF_BATCH; i++) {
        b->t[i] = NULL;
        heap_push_root(h, &b->t[i]);
    }
}

static void handoff_unroot(heap *h)
{
    for (unsigned i = 0; i < HANDOFF_BATCH; i++)
        heap_pop_root(h);
}

/* Tuples in the batch that starts at `first`, of `end` in all. */
static inline unsigned handoff_len(uint64_t first, uint64_t end)
{
    return end - first < HANDOFF_BATCH ? (unsigned)(end - first) : HANDOFF_BATCH;
}

/* ---- T = 1: make a batch, drop it ------------------------------------- */

static uint64_t handoff_alone(heap *h, const wl_params *p, wl_result *r)
{
    LATENCY_BEGIN(p);
    handoff_batch b;
    handoff_root(h, &b);
    uint64_t sum = 0;
    for (uint64_t first = 0; first < p->n; first += HANDOFF_BATCH) {
        unsigned n = handoff_len(first, p->n);
        for (unsigned i = 0; i < n; i++) {
            handoff_make(h, &b.t[i], first + i);
            s_poll(h);
            LATENCY_TICK(p);
        }
        for (unsigned i = 0; i < n; i++)
            sum += handoff_drop(h, &b.t[i], first + i, p, r);
    }
    LATENCY_FLUSH(p);
    handoff_unroot(h);
    return sum;
}

/* ---- T > 1: the queue ---------------------------------------------------
   Every wait is bracketed by s_blocking_begin/end, as CPython brackets a
   blocking lock acquire with Py_BEGIN/END_ALLOW_THREADS: rc_gil drops its
   lock there, or a producer waiting for room would hold it from the
   consumer that makes room.  A thread never waits for the GIL holding the
   queue's mutex (the GIL's holder may be waiting for the mutex: a lock-order
   deadlock), so the mutex is let go before s_blocking_end and taken again
   after it; the caller re-checks its condition, as after any wait.  The
   path without a wait touches neither: one lock round trip per batch. */
static void handoff_wait(heap *h, handoff_ring *q, pthread_cond_t *c)
{
    s_blocking_begin(h);
    pthread_cond_wait(c, &q->mu);
    pthread_mutex_unlock(&q->mu);
    s_blocking_end(h);
    pthread_mutex_lock(&q->mu);
}

static void handoff_push(heap *h, handoff_ring *q, const handoff_batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == HANDOFF_RING)
        handoff_wait(h, q, &q->not_full);
    q->slot[(q->head + q->count) % HANDOFF_RING] = *b;
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
}

/* The oldest batch into *b; 0 once the ring is empty and every producer is
   done. */
static int handoff_pop(heap *h, handoff_ring *q, handoff_batch *b)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && q->producing > 0)
        handoff_wait(h, q, &q->not_empty);
    int got = q->count > 0;
    if (got) {
        *b = q->slot[q->head];
        q->head = (q->head + 1) % HANDOFF_RING;
        q->count--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->mu);
    return got;
}

/* Producer j of P: tuples [j*T*N/P, (j+1)*T*N/P), in batches. */
static void handoff_produce(heap *h, const wl_params *p, handoff_ring *q, unsigned T)
{
    LATENCY_BEGIN(p);
    const unsigned P = handoff_producers(T), j = p->thread;
    const uint64_t total = (uint64_t)T * p->n;
    const uint64_t end = total * (j + 1) / P;
    handoff_batch b;
    handoff_root(h, &b);
    for (uint64_t first = total * j / P; first < end; first += HANDOFF_BATCH) {
        b.first = first;
        b.n = handoff_len(first, end);
        for (unsigned i = 0; i < b.n; i++) {
            handoff_make(h, &b.t[i], first + i);
            s_poll(h);
            LATENCY_TICK(p);
        }
        handoff_push(h, q, &b);
    }
    LATENCY_FLUSH(p);
    handoff_unroot(h);
    pthread_mutex_lock(&q->mu);
    if (--q->producing == 0)
        pthread_cond_broadcast(&q->not_empty);      /* the consumers may stop */
    pthread_mutex_unlock(&q->mu);
}

static void handoff_consume(heap *h, const wl_params *p, wl_result *r, handoff_ring *q)
{
    LATENCY_BEGIN(p);
    handoff_batch b;
    uint64_t sum = 0;
    while (handoff_pop(h, q, &b))
        for (unsigned i = 0; i < b.n; i++) {
            sum += handoff_drop(h, &b.t[i], b.first + i, p, r);
            s_poll(h);
            LATENCY_TICK(p);
        }
    LATENCY_FLUSH(p);
    pthread_mutex_lock(&q->mu);
    q->sum += sum;
    pthread_mutex_unlock(&q->mu);
}

/* Thread 0 sets the queue up and takes it down, each behind a wait of the
   whole team: wl_team.shared is only zeroed, and a zeroed pthread mutex is
   an initialised one on glibc alone. */
static void handoff_team(heap *h, const wl_params *p, wl_result *r, unsigned T)
{
    handoff_ring *q = p->team->shared;
    if (p->thread == 0) {
        pthread_mutex_init(&q->mu, NULL);
        pthread_cond_init(&q->not_full, NULL);
        pthread_cond_init(&q->not_empty, NULL);
        q->producing = handoff_producers(T);
    }
    wl_team_wait(h, p);
    if (p->thread < handoff_producers(T))
        handoff_produce(h, p, q, T);
    else
        handoff_consume(h, p, r, q);
    wl_team_wait(h, p);
    if (p->thread == 0) {
        r->checksum = q->sum;
        pthread_cond_destroy(&q->not_empty);
        pthread_cond_destroy(&q->not_full);
        pthread_mutex_destroy(&q->mu);
    }
}

static void handoff_run(heap *h, const wl_params *p, wl_result *r)
{
    unsigned T = p->team ? p->team->size : 1;
    r->checksum = 0;
    if (T <= 1)
        r->checksum = handoff_alone(h, p, r);
    else
        handoff_team(h, p, r, T);
    s_scope_end(h);
    LATENCY_DROP(p);
}

static uint64_t handoff_expected(const wl_params *p)
{
    wl_params all = *p;
    all.n = (p->threads > 1 ? p->threads : 1) * p->n;
    all.k = HANDOFF_K;
    return tuple_create_expected(&all);
}

/* What a perfect reference counter holds at most.  T = 1: one batch, exactly.
   T > 1: a bound -- a batch being made by each producer, one being dropped
   by each consumer, and a full ring. */
static uint64_t handoff_live_peak(const wl_params *p, const wl_result *r)
{
    (void)r;
    const uint64_t tuple = TUPLE_OBJ_SIZE(HANDOFF_K) + HANDOFF_K * INT_OBJ_SIZE;
    uint64_t T = p->threads > 1 ? p->threads : 1;
    uint64_t most = (T > 1 ? HANDOFF_RING + T : 1) * HANDOFF_BATCH;
    return tuple * (T * p->n < most ? T * p->n : most);
}

static const workload handoff_workload = {
    "handoff", "producers pass N tuples of 3 fresh ints each through a queue; consumers drop them",
    WL_SHARED, handoff_run, handoff_expected, handoff_live_peak, sizeof(handoff_ring)
};
