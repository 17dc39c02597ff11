/*
 * strategies/rc_gil.c -- reference counting under a global interpreter lock:
 * CPython with threads, before free-threading.
 *
 * The counts are refcount's, plain increments and decrements; what makes
 * them safe across threads is one process-wide lock that a thread holds
 * while it runs (thread_begin takes it, thread_end drops it) and drops
 * around every wait (blocking_begin/end, as Py_BEGIN/END_ALLOW_THREADS).
 * A thread that wants the lock waits switch_interval_ns, then asks the
 * holder to drop it; the holder sees the request at its next s_poll (the
 * eval breaker), drops the lock and waits until another thread has taken
 * it before asking for it again: CPython's forced switching
 * (Python/ceval_gil.c).  At T = 1 nobody ever asks, and s_poll is one
 * relaxed load.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "strategy.h"

#define S_POLL 1
#include "../bench/model.h"

extern const strategy rc_gil_strategy;

/* The lock: CPython's struct _gil_runtime_state.  One per process, as the
   GIL is one per interpreter and a cell runs one. */
static struct gil {
    pthread_mutex_t mu;         /* guards locked and switch_number           */
    pthread_cond_t cond;        /* locked went 0                             */
    int locked;
    unsigned long switch_number;/* times the lock changed hands              */
    pthread_mutex_t switch_mu;  /* guards last_holder                        */
    pthread_cond_t switch_cond; /* another thread took the lock              */
    const heap *last_holder;
    atomic_int drop_request;    /* a waiter asks the holder to drop it       */
} gil = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0
};

/* ---- the lock (Python/ceval_gil.c) ------------------------------------- */

static struct timespec deadline_after(uint64_t ns)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    ns += (uint64_t)t.tv_nsec;
    t.tv_sec += (time_t)(ns / 1000000000u);
    t.tv_nsec = (long)(ns % 1000000000u);
    return t;
}

/* take_gil(): wait for the lock; each time a whole interval passes without
   the lock changing hands, ask its holder to drop it. */
static void gil_take(heap *h)
{
    uint64_t interval = h->cfg.switch_interval_ns ? h->cfg.switch_interval_ns : 1000;
    pthread_mutex_lock(&gil.mu);
    while (gil.locked) {
        unsigned long saved = gil.switch_number;
        struct timespec until = deadline_after(interval);
        int timed_out = pthread_cond_timedwait(&gil.cond, &gil.mu, &until) == ETIMEDOUT;
        if (timed_out && gil.locked && gil.switch_number == saved)
            atomic_store_explicit(&gil.drop_request, 1, memory_order_relaxed);
    }
    /* switch_mu before last_holder: gil_drop reads it under switch_mu. */
    pthread_mutex_lock(&gil.switch_mu);
    gil.locked = 1;
    if (gil.last_holder != h) {
        gil.last_holder = h;
        gil.switch_number++;
    }
    pthread_cond_signal(&gil.switch_cond);
    pthread_mutex_unlock(&gil.switch_mu);
    /* Whoever asked, the lock has changed hands: the request is served. */
    atomic_store_explicit(&gil.drop_request, 0, memory_order_relaxed);
    pthread_mutex_unlock(&gil.mu);
}

/* drop_gil().  With `wait_switch`, if a waiter asked for the lock, do not
   return until some other thread has taken it: on a multi-core machine the
   dropping thread would otherwise take it straight back, before the woken
   waiter is even scheduled (CPython's FORCE_SWITCHING).  The last drop of a
   thread (thread_end) does not wait: it will not ask again. */
static void gil_drop(heap *h, int wait_switch)
{
    pthread_mutex_lock(&gil.mu);
    gil.locked = 0;
    pthread_cond_signal(&gil.cond);
    pthread_mutex_unlock(&gil.mu);
    if (!wait_switch || !atomic_load_explicit(&gil.drop_request, memory_order_relaxed))
        return;
    pthread_mutex_lock(&gil.switch_mu);
    if (gil.last_holder == h) {
        atomic_store_explicit(&gil.drop_request, 0, memory_order_relaxed);
        pthread_cond_wait(&gil.switch_cond, &gil.switch_mu);
    }
    pthread_mutex_unlock(&gil.switch_mu);
}

/* The eval breaker's GIL drop request (_Py_HandlePending): hand over, then
   queue for the lock again. */
static __attribute__((noinline)) void gil_yield(heap *h)
{
    gil_drop(h, 1);
    gil_take(h);
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

#include "tracked.h"        /* s_alloc, s_free, s_resize over the backend */

static inline void s_retain(heap *h, obj *o)  { rc_retain(h, o); }
static inline void s_release(heap *h, obj *o) { rc_release(h, o); }
static inline void s_scope_end(heap *h)       { (void)h; }

/* One relaxed load per operation: the holder polls a flag that only a
   waiting thread sets, as the eval loop checks eval_breaker. */
static inline void s_poll(heap *h)
{
    if (__builtin_expect(atomic_load_explicit(&gil.drop_request, memory_order_relaxed), 0))
        gil_yield(h);
}

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static void rc_gil_thread_begin(heap *h)   { gil_take(h); }
static void rc_gil_thread_end(heap *h)     { gil_drop(h, 0); }
static void rc_gil_blocking_begin(heap *h) { gil_drop(h, 1); }
static void rc_gil_blocking_end(heap *h)   { gil_take(h); }

static heap *rc_gil_create(const heap_config *cfg) { return heap_new(&rc_gil_strategy, cfg); }

const strategy rc_gil_strategy = {
    .name = "rc_gil",
    .summary = "reference counting under one global lock, handed over every switch interval",
    .flags = STRAT_REFCOUNTS | STRAT_THREADS | STRAT_SERIAL,
    .create = rc_gil_create, .destroy = heap_delete,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .thread_begin = rc_gil_thread_begin, .thread_end = rc_gil_thread_end,
    .blocking_begin = rc_gil_blocking_begin, .blocking_end = rc_gil_blocking_end,
    .poll = s_poll,
    .workloads = instance_workloads,
};
