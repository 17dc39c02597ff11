/*
 * tests/test_threads.c -- the threaded strategies (STRAT_THREADS: rc_gil,
 * rc_atomic, rc_biased) across real threads, on the backend this binary is
 * linked with (build/test-threads-BACKEND; also built under ThreadSanitizer,
 * make tsan).
 *
 * Biased counting's paths are driven one step at a time: each step runs on
 * a thread of its own, joined before the next, so what happens is fixed.
 * An object of the `probe` type below logs every time it is freed, and by
 * which heap and thread: "freed exactly once, by the right thread" is read
 * from that log.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../bench/workload.h"
#include "../bench/generic.h"
#include "../harness/backend.h"

static const heap_config cfg = { HEAP_FACTOR_DEFAULT, 64 << 10, GC_THRESHOLD_DEFAULT,
                                  BIG_BLOCKS_KEEP, SWITCH_INTERVAL_DEFAULT_NS };

/* ---- the probe: an object that logs its death -------------------------- */

typedef struct probe_obj {
    obj h;
    gc_head gc;
} probe_obj;

static struct {
    pthread_mutex_t mu;
    int frees;
    const heap *by;             /* the heap that freed it last             */
    pthread_t thread;           /* ... on this thread                      */
} death = { PTHREAD_MUTEX_INITIALIZER, 0, NULL, 0 };

static size_t probe_size(const obj *o) { (void)o; return sizeof(probe_obj); }

static void probe_dealloc(heap *h, obj *o)
{
    (void)o;
    pthread_mutex_lock(&death.mu);
    death.frees++;
    death.by = h;
    death.thread = pthread_self();
    pthread_mutex_unlock(&death.mu);
}

static const type probe_type = { "probe", probe_size, NULL, probe_dealloc };

static obj *probe_new(heap *h)
{
    obj *o = s_alloc(h, &probe_type, sizeof(probe_obj));
    if (o == NULL)
        oom("a probe", sizeof(probe_obj));
    o->refcnt = s_new_count(h);
    o->type = &probe_type;
    pthread_mutex_lock(&death.mu);
    death.frees = 0;
    death.by = NULL;
    pthread_mutex_unlock(&death.mu);
    return o;
}

static int frees(void)
{
    pthread_mutex_lock(&death.mu);
    int n = death.frees;
    pthread_mutex_unlock(&death.mu);
    return n;
}

/* Freed exactly once, through heap h, on the main thread or not. */
static int freed_once_by(const heap *h, int on_main, pthread_t main_thread)
{
    pthread_mutex_lock(&death.mu);
    int ok = death.frees == 1 && death.by == h &&
             (pthread_equal(death.thread, main_thread) != 0) == on_main;
    pthread_mutex_unlock(&death.mu);
    return ok;
}

/* ---- one step on another thread ---------------------------------------- */

typedef enum { RETAIN, RELEASE } op;

typedef struct step {
    const strategy *s;
    heap *h;
    obj *o;
    op what;
    int bracket;                /* thread_begin/thread_end around it         */
} step;

static void *run_step(void *arg)
{
    const step *st = arg;
    if (st->bracket && st->s->thread_begin)
        st->s->thread_begin(st->h);
    if (st->what == RETAIN)
        s_retain(st->h, st->o);
    else
        s_release(st->h, st->o);
    if (st->bracket && st->s->thread_end)
        st->s->thread_end(st->h);
    return NULL;
}

/* Do `what` to o through heap h on a new thread, and wait for it. */
static void on_other_thread(const strategy *s, heap *h, obj *o, op what, int bracket)
{
    step st = { s, h, o, what, bracket };
    pthread_t t;
    if (pthread_create(&t, NULL, run_step, &st) != 0) {
        perror("pthread_create");
        exit(1);
    }
    pthread_join(t, NULL);
}

static uint64_t sum_live(heap *const *hs, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += hs[i]->st.live_bytes;    /* wraps back to 0 when balanced */
    return sum;
}

/* ---- biased counting, step by step -------------------------------------- */

/* Made on A, last released on B: B's decrement finds the shared count at
   zero, so it queues the object to A, which merges and frees it at its next
   poll (or its thread_end) -- once, on A. */
static void test_biased_queue(const strategy *s, pthread_t me)
{
    heap *a = s->create(&cfg), *b = s->create(&cfg);
    obj *o = probe_new(a);
    on_other_thread(s, b, o, RELEASE, 0);
    CHECK(frees() == 0 && b->st.queued == 1 && a->st.queued == 0,
          "%s: B's last release: %d frees, %llu queued by B (expected 0, 1)", s->name, frees(),
          (unsigned long long)b->st.queued);
    s->poll(a);
    CHECK(freed_once_by(a, 1, me), "%s: the queued object was not freed once by A at its poll "
          "(%d frees)", s->name, frees());
    CHECK(a->st.cross_frees == 0 && b->st.cross_frees == 0 && a->st.live_objects == 0,
          "%s: A freed its own object: %llu + %llu cross frees, %llu live on A", s->name,
          (unsigned long long)a->st.cross_frees, (unsigned long long)b->st.cross_frees,
          (unsigned long long)a->st.live_objects);
    /* Without a poll, thread_end merges what is left in the queue. */
    obj *i = int_new(a, 1000);
    on_other_thread(s, b, i, RELEASE, 0);
    CHECK(a->st.live_objects == 1 && b->st.queued == 2, "%s: an int released by B: %llu live "
          "on A, %llu queued", s->name, (unsigned long long)a->st.live_objects,
          (unsigned long long)b->st.queued);
    s->thread_end(a);
    CHECK(a->st.live_objects == 0 && a->st.live_bytes == 0 && b->st.live_bytes == 0,
          "%s: thread_end left %llu objects on A", s->name,
          (unsigned long long)a->st.live_objects);
    s->destroy(a);
    s->destroy(b);
}

/* The owner's local count reaches zero while B holds a reference: the
   owner gives the object up (merged), and B's release, the last, frees it
   on B -- a cross-thread free, and no queueing. */
static void test_biased_merge_zero_local(const strategy *s, pthread_t me)
{
    heap *a = s->create(&cfg), *b = s->create(&cfg);
    obj *o = probe_new(a);
    on_other_thread(s, b, o, RETAIN, 0);
    s_release(a, o);
    CHECK(frees() == 0, "%s: freed with B's reference alive", s->name);
    on_other_thread(s, b, o, RELEASE, 0);
    CHECK(freed_once_by(b, 0, me), "%s: a merged object was not freed once by B (%d frees)",
          s->name, frees());
    heap *hs[] = { a, b };
    CHECK(b->st.queued == 0 && b->st.cross_frees == 1 && a->st.cross_frees == 0 &&
          sum_live(hs, 2) == 0 && a->st.live_objects + b->st.live_objects == 0,
          "%s: %llu queued, %llu cross frees on B, %llu live bytes in all", s->name,
          (unsigned long long)b->st.queued, (unsigned long long)b->st.cross_frees,
          (unsigned long long)sum_live(hs, 2));
    s->destroy(a);
    s->destroy(b);
}

/* A's thread has ended: its queue is closed, so B, finding the shared count
   at zero, merges at once and frees the object itself.  thread_begin opens
   the queue again. */
static void test_biased_closed_queue(const strategy *s, pthread_t me)
{
    heap *a = s->create(&cfg), *b = s->create(&cfg);
    obj *o = probe_new(a);
    s->thread_end(a);
    on_other_thread(s, b, o, RELEASE, 0);
    CHECK(freed_once_by(b, 0, me) && b->st.queued == 0 && b->st.cross_frees == 1,
          "%s: released after its owner ended: %d frees, %llu queued (expected 1 by B, 0)",
          s->name, frees(), (unsigned long long)b->st.queued);
    s->thread_begin(a);
    o = probe_new(a);
    on_other_thread(s, b, o, RELEASE, 0);
    CHECK(frees() == 0 && b->st.queued == 1, "%s: after thread_begin: %d frees, %llu queued",
          s->name, frees(), (unsigned long long)b->st.queued);
    s->poll(a);
    CHECK(freed_once_by(a, 1, me), "%s: reopened queue not merged by A (%d frees)", s->name,
          frees());
    s->destroy(a);
    s->destroy(b);
}

/* Small ints and None are immortal: no thread ever changes their count. */
static void test_biased_statics(const strategy *s)
{
    heap *a = s->create(&cfg), *b = s->create(&cfg);
    obj *statics[] = { none, small_int(-5), small_int(256) };
    for (size_t i = 0; i < sizeof statics / sizeof *statics; i++) {
        obj *o = statics[i];
        intptr_t before = o->refcnt;
        s_retain(a, o);
        on_other_thread(s, b, o, RETAIN, 0);
        on_other_thread(s, b, o, RELEASE, 0);
        on_other_thread(s, b, o, RELEASE, 0);
        CHECK(o->refcnt == before && before == OBJ_IMMORTAL && b->st.queued == 0,
              "%s: static %zu counted: %lld, was %lld", s->name, i, (long long)o->refcnt,
              (long long)before);
    }
    s->destroy(a);
    s->destroy(b);
}

/* The count word's two halves: the owner's (owner index, local count) and
   the shared one (strategies/rc_biased.c). */
static uint32_t own_half_of(const obj *o)    { return (uint32_t)((uint64_t)o->refcnt & 0xffffffffu); }
static uint32_t shared_half_of(const obj *o) { return (uint32_t)((uint64_t)o->refcnt >> 32); }

/* The owner's local count has 20 bits: more retains than that spill into
   the shared count (twice here), and the object still dies exactly at its
   last release, on the owner. */
static void test_biased_spill(const strategy *s, pthread_t me)
{
    enum { RETAINS = (2 << 20) + 5 };
    heap *a = s->create(&cfg);
    obj *o = probe_new(a);
    uint32_t fresh_own = own_half_of(o), fresh_shared = shared_half_of(o);
    for (long i = 0; i < RETAINS; i++)
        s_retain(a, o);
    CHECK(shared_half_of(o) != fresh_shared && own_half_of(o) >> 20 == fresh_own >> 20,
          "%s: %d retains by the owner: shared half %#x (was %#x), owner half %#x (was %#x): "
          "expected a spill, still owned", s->name, RETAINS, shared_half_of(o), fresh_shared,
          own_half_of(o), fresh_own);
    for (long i = 0; i < RETAINS; i++)
        s_release(a, o);
    CHECK(frees() == 0, "%s: freed after %d of %d + 1 releases", s->name, RETAINS, RETAINS);
    s_release(a, o);
    CHECK(freed_once_by(a, 1, me) && a->st.live_objects == 0, "%s: after the spills, the last "
          "release freed it %d times, %llu live", s->name, frees(),
          (unsigned long long)a->st.live_objects);
    s->destroy(a);
}

/* A heap's owner index goes back at destroy and the next heap gets it: its
   objects are queued to it, not to the heap that had the index before.
   When every index is taken, create fails (NULL), until one is given back. */
static void test_biased_owner_reuse(const strategy *s, pthread_t me)
{
    heap *b = s->create(&cfg), *a = s->create(&cfg);
    intptr_t a_word = s_new_count(a);
    s->destroy(a);
    heap *c = s->create(&cfg);
    CHECK(s_new_count(c) == a_word, "%s: a new heap's count word %#llx, the freed index's "
          "%#llx", s->name, (unsigned long long)s_new_count(c), (unsigned long long)a_word);
    obj *o = probe_new(c);
    on_other_thread(s, b, o, RELEASE, 0);
    s->poll(c);
    CHECK(freed_once_by(c, 1, me) && b->st.queued == 1, "%s: an object of the heap that "
          "reused an index: %d frees, %llu queued", s->name, frees(),
          (unsigned long long)b->st.queued);
    enum { MAX_HEAPS = 1 << 13 };
    static heap *many[MAX_HEAPS];
    int n = 0;
    while (n < MAX_HEAPS && (many[n] = s->create(&cfg)) != NULL)
        n++;
    CHECK(n > 256 && n < MAX_HEAPS, "%s: %d more heaps made, expected the owner indexes to "
          "run out between 256 and %d", s->name, n, MAX_HEAPS);
    if (n > 0) {
        intptr_t word = s_new_count(many[n / 2]);
        s->destroy(many[n / 2]);
        many[n / 2] = s->create(&cfg);
        CHECK(many[n / 2] != NULL && s_new_count(many[n / 2]) == word, "%s: with every index "
              "taken, a destroy did not make room for the next heap", s->name);
    }
    for (int i = 0; i < n; i++)
        if (many[i])
            s->destroy(many[i]);
    s->destroy(b);
    s->destroy(c);
}

/* The owner ended (thread_end) holding three references it counted
   locally: B's first release merges them at once (B cannot queue), and B's
   retains and releases then go to the merged count; the third release of
   B's three is the last, and frees the object, on B. */
static void test_biased_owner_ended(const strategy *s, pthread_t me)
{
    heap *a = s->create(&cfg), *b = s->create(&cfg);
    obj *o = probe_new(a);
    s_retain(a, o);
    s_retain(a, o);
    s->thread_end(a);
    on_other_thread(s, b, o, RELEASE, 0);
    uint32_t own = frees() == 0 ? own_half_of(o) : 0;     /* o is not freed memory */
    CHECK(frees() == 0 && b->st.queued == 0 && own == 0, "%s: released once after its owner "
          "ended: %d frees, %llu queued, owner half %#x (expected 0, 0, merged: 0)", s->name,
          frees(), (unsigned long long)b->st.queued, own);
    on_other_thread(s, b, o, RETAIN, 0);
    on_other_thread(s, b, o, RELEASE, 0);
    on_other_thread(s, b, o, RELEASE, 0);
    CHECK(frees() == 0, "%s: freed with one reference left", s->name);
    on_other_thread(s, b, o, RELEASE, 0);
    CHECK(freed_once_by(b, 0, me) && b->st.cross_frees == 1, "%s: the last release after its "
          "owner ended: %d frees, %llu cross frees on B", s->name, frees(),
          (unsigned long long)b->st.cross_frees);
    s->destroy(a);
    s->destroy(b);
}

/* ---- every threaded strategy -------------------------------------------- */

/* Made on A, released for the last time on B: B's heap counts one
   cross-thread free (rc_biased: after a retain by B, so that B's release is
   the last; A's release merged it). */
static void test_cross_free(const strategy *s)
{
    heap *a = s->create(&cfg), *b = s->create(&cfg);
    obj *o = int_new(a, 1000);
    on_other_thread(s, b, o, RETAIN, 1);
    s_release(a, o);
    on_other_thread(s, b, o, RELEASE, 1);
    obj *mine = int_new(a, 1001);
    s_release(a, mine);
    heap *hs[] = { a, b };
    CHECK(a->st.cross_frees == 0 && b->st.cross_frees == 1 && sum_live(hs, 2) == 0,
          "%s: %llu cross frees on A, %llu on B (expected 0, 1), %llu bytes live", s->name,
          (unsigned long long)a->st.cross_frees, (unsigned long long)b->st.cross_frees,
          (unsigned long long)sum_live(hs, 2));
    s->destroy(a);
    s->destroy(b);
}

/* The cross-free table is instrumentation and must not change what a
   timed run sees (strategies/xfree.c): with one heap nothing can cross and
   it is not made at all (the cell's warm-up once grew it to 32 MiB in the
   backend's heap and moved glibc's mmap threshold for the timed runs); when
   no two threaded heaps are left, its memory goes back (not whenever it
   empties: tuple_create empties it after every tuple). */
static void test_xfree_table(const strategy *s)
{
    heap *a = s->create(&cfg);
    obj *o = int_new(a, 1000);
    CHECK(xfree_table_slots() == 0, "%s: one heap, yet a table of %zu slots", s->name,
          xfree_table_slots());
    s_release(a, o);
    heap *b = s->create(&cfg);
    o = int_new(a, 1000);
    size_t with_two = xfree_table_slots();
    s_release(a, o);
    size_t emptied = xfree_table_slots();
    s->destroy(b);
    CHECK(with_two > 0 && emptied == with_two && xfree_table_slots() == 0, "%s: two heaps: "
          "%zu slots, %zu once empty, then %zu with one heap left (expected some, the same, 0)",
          s->name, with_two, emptied, xfree_table_slots());
    s->destroy(a);
}

/* Many threads retain and release one object at once (thread 0 on the heap
   that made it: rc_biased's owner, counting locally while the others count
   shared): it must survive them all, and die once at the last release. */
enum { HAMMER_THREADS = 4, HAMMER_ROUNDS = 20000 };

typedef struct hammer {
    const strategy *s;
    heap *h;
    obj *o;
} hammer;

static void *hammer_run(void *arg)
{
    hammer *hm = arg;
    if (hm->s->thread_begin)
        hm->s->thread_begin(hm->h);
    for (int i = 0; i < HAMMER_ROUNDS; i++) {
        s_retain(hm->h, hm->o);
        s_retain(hm->h, hm->o);
        s_poll(hm->h);
        s_release(hm->h, hm->o);
        s_release(hm->h, hm->o);
    }
    if (hm->s->thread_end)
        hm->s->thread_end(hm->h);
    return NULL;
}

static void test_hammer(const strategy *s, pthread_t me)
{
    heap_config c = cfg;
    c.switch_interval_ns = 200000;      /* rc_gil hands over every 0.2 ms */
    heap *h[HAMMER_THREADS];
    hammer hm[HAMMER_THREADS];
    pthread_t t[HAMMER_THREADS];
    for (int i = 0; i < HAMMER_THREADS; i++)
        h[i] = s->create(&c);
    obj *o = probe_new(h[0]);
    for (int i = 0; i < HAMMER_THREADS; i++) {
        hm[i] = (hammer){ s, h[i], o };
        pthread_create(&t[i], NULL, hammer_run, &hm[i]);
    }
    for (int i = 0; i < HAMMER_THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK(frees() == 0, "%s: %d threads x %d retain/release pairs freed the object", s->name,
          HAMMER_THREADS, HAMMER_ROUNDS);
    s_release(h[0], o);
    CHECK(freed_once_by(h[0], 1, me), "%s: after the threads, the last release freed it %d "
          "times", s->name, frees());
    CHECK(sum_live(h, HAMMER_THREADS) == 0, "%s: %llu bytes live", s->name,
          (unsigned long long)sum_live(h, HAMMER_THREADS));
    for (int i = 0; i < HAMMER_THREADS; i++)
        s->destroy(h[i]);
}

/* Producers make tuples of fresh ints and pass them through a bounded ring
   to consumers, which drop them: every object dies on a thread that did not
   make it, concurrently with its owner running (and, after a producer's
   thread_end, with its queue closed).  Everything is freed exactly once:
   live bytes sum to zero over the heaps, and every free is either on its
   own heap (rc_biased: queued, merged by the owner) or a cross free. */
enum { PRODUCERS = 2, CONSUMERS = 2, PASS_N = 5000, RING = 64 };

typedef struct ring {
    pthread_mutex_t mu;
    pthread_cond_t not_full, not_empty;
    obj *slot[RING];
    unsigned head, n, taken;
} ring;

typedef struct passer {
    const strategy *s;
    heap *h;
    ring *r;
    uint64_t sum;
} passer;

/* Lock the ring, telling the strategy around the waits (rc_gil drops its
   lock, or the team deadlocks). */
static void ring_wait(passer *p, pthread_cond_t *c)
{
    s_blocking_begin(p->h);
    pthread_cond_wait(c, &p->r->mu);
    pthread_mutex_unlock(&p->r->mu);
    s_blocking_end(p->h);
    pthread_mutex_lock(&p->r->mu);
}

static void *produce(void *arg)
{
    passer *p = arg;
    ring *r = p->r;
    if (p->s->thread_begin)
        p->s->thread_begin(p->h);
    for (long i = 0; i < PASS_N; i++) {
        tuple_obj *t = tuple_new(p->h, 3);
        for (int j = 0; j < 3; j++)
            t->items[j] = int_new(p->h, 1000 + i + j);
        s_poll(p->h);
        pthread_mutex_lock(&r->mu);
        while (r->n == RING)
            ring_wait(p, &r->not_full);
        r->slot[(r->head + r->n++) % RING] = &t->h;
        pthread_cond_signal(&r->not_empty);
        pthread_mutex_unlock(&r->mu);
    }
    if (p->s->thread_end)
        p->s->thread_end(p->h);
    return NULL;
}

static void *consume(void *arg)
{
    passer *p = arg;
    ring *r = p->r;
    if (p->s->thread_begin)
        p->s->thread_begin(p->h);
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->n == 0 && r->taken < PRODUCERS * PASS_N)
            ring_wait(p, &r->not_empty);
        if (r->n == 0) {
            pthread_cond_broadcast(&r->not_empty);
            pthread_mutex_unlock(&r->mu);
            break;
        }
        obj *o = r->slot[r->head];
        r->head = (r->head + 1) % RING;
        r->n--;
        r->taken++;
        pthread_cond_signal(&r->not_full);
        if (r->taken == PRODUCERS * PASS_N)
            pthread_cond_broadcast(&r->not_empty);
        pthread_mutex_unlock(&r->mu);
        p->sum += (uint64_t)int_value(((tuple_obj *)o)->items[2]);
        s_release(p->h, o);
        s_poll(p->h);
    }
    if (p->s->thread_end)
        p->s->thread_end(p->h);
    return NULL;
}

static void test_pass(const strategy *s)
{
    enum { T = PRODUCERS + CONSUMERS };
    heap_config c = cfg;
    c.switch_interval_ns = 200000;
    ring r = { .mu = PTHREAD_MUTEX_INITIALIZER, .not_full = PTHREAD_COND_INITIALIZER,
               .not_empty = PTHREAD_COND_INITIALIZER };
    passer p[T];
    pthread_t t[T];
    heap *h[T];
    /* Every heap before any thread runs, as harness/team.c does: the
       cross-thread table exists only from the second threaded heap on, so
       a producer started before it allocated untracked objects (65 tuples
       of 10000 once, a flaky count). */
    for (int i = 0; i < T; i++)
        h[i] = s->create(&c);
    for (int i = 0; i < T; i++) {
        p[i] = (passer){ s, h[i], &r, 0 };
        pthread_create(&t[i], NULL, i < PRODUCERS ? produce : consume, &p[i]);
    }
    uint64_t sum = 0, want = 0, cross = 0, queued = 0, objects = 0;
    for (int i = 0; i < T; i++) {
        pthread_join(t[i], NULL);
        sum += p[i].sum;
        cross += h[i]->st.cross_frees;
        queued += h[i]->st.queued;
        objects += h[i]->st.live_objects;
    }
    for (long i = 0; i < PASS_N; i++)
        want += PRODUCERS * (uint64_t)(1000 + i + 2);
    CHECK(sum == want && r.taken == PRODUCERS * PASS_N, "%s: consumers saw sum %llu of %u "
          "tuples, expected %llu", s->name, (unsigned long long)sum, r.taken,
          (unsigned long long)want);
    CHECK(sum_live(h, T) == 0 && objects == 0, "%s: %llu bytes in %llu objects live after the "
          "pass", s->name, (unsigned long long)sum_live(h, T), (unsigned long long)objects);
    /* Each tuple the owner merged took its ints with it, on its own heap;
       every other tuple and int died on a consumer's heap. */
    uint64_t all = 4 * (uint64_t)PRODUCERS * PASS_N;
    CHECK(cross + 4 * queued == all && (queued == 0 || !strcmp(s->name, "rc_biased")),
          "%s: %llu cross frees and %llu queued for %llu objects", s->name,
          (unsigned long long)cross, (unsigned long long)queued, (unsigned long long)all);
    for (int i = 0; i < T; i++)
        s->destroy(h[i]);
}

/* ---- rc_gil: one thread at a time, and the lock changes hands ----------- */

/* Touched only under the GIL, without atomics: if two threads ever ran at
   once, `inside` would show it (and ThreadSanitizer would too). */
static struct {
    int inside, last;
    unsigned long switches, overlaps, total, iters[2];
} gil_state;

enum { GIL_SWITCHES = 20 };

typedef struct gil_arg {
    const strategy *s;
    heap *h;
    int me;
} gil_arg;

static void *gil_run(void *arg)
{
    gil_arg *a = arg;
    a->s->thread_begin(a->h);
    uint64_t give_up = clock_ns() + 5000000000u;
    while (gil_state.switches < GIL_SWITCHES && clock_ns() < give_up) {
        gil_state.overlaps += gil_state.inside;
        gil_state.inside = 1;
        if (gil_state.last != a->me) {
            gil_state.last = a->me;
            gil_state.switches++;
        }
        gil_state.iters[a->me]++;
        for (volatile int spin = 0; spin < 100; spin++)
            ;
        gil_state.total++;
        gil_state.inside = 0;
        s_poll(a->h);
    }
    a->s->thread_end(a->h);
    return NULL;
}

static void test_gil_switching(const strategy *s)
{
    heap_config c = cfg;
    c.switch_interval_ns = 100000;      /* 0.1 ms: 20 switches take ~2 ms */
    gil_state.last = -1;
    gil_arg a[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        a[i] = (gil_arg){ s, s->create(&c), i };
        pthread_create(&t[i], NULL, gil_run, &a[i]);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(gil_state.switches >= GIL_SWITCHES && gil_state.iters[0] > 0 && gil_state.iters[1] > 0,
          "%s: the lock changed hands %lu times (iterations %lu and %lu), expected %d", s->name,
          gil_state.switches, gil_state.iters[0], gil_state.iters[1], GIL_SWITCHES);
    CHECK(gil_state.overlaps == 0 && gil_state.total == gil_state.iters[0] + gil_state.iters[1],
          "%s: two threads ran at once %lu times (%lu of %lu increments kept)", s->name,
          gil_state.overlaps, gil_state.total, gil_state.iters[0] + gil_state.iters[1]);
    for (int i = 0; i < 2; i++)
        s->destroy(a[i].h);
}

int main(void)
{
    pthread_t me = pthread_self();
    /* Under ThreadSanitizer malloc is TSan's, whatever backend is linked:
       said once, as the guard would say it. */
    char why[256] = "";
    if (backend_verify(&the_backend, why, sizeof why) < 0)
        printf("note: %s\n", why);
    small_int(0);               /* the small ints, made once before any thread */
    int n = 0;
    for (const strategy *const *s = strategies; *s; s++) {
        if (!((*s)->flags & STRAT_THREADS))
            continue;
        n++;
        test_cross_free(*s);
        test_xfree_table(*s);
        test_hammer(*s, me);
        test_pass(*s);
    }
    CHECK(n == 3, "%d threaded strategies in the registry, expected 3", n);
    const strategy *biased = strategy_find("rc_biased");
    test_biased_queue(biased, me);
    test_biased_merge_zero_local(biased, me);
    test_biased_closed_queue(biased, me);
    test_biased_statics(biased);
    test_biased_spill(biased, me);
    test_biased_owner_reuse(biased, me);
    test_biased_owner_ended(biased, me);
    test_gil_switching(strategy_find("rc_gil"));
    char suite[64];
    snprintf(suite, sizeof suite, "threads (%s)", the_backend.name);
    return check_summary(suite);
}
