/*
 * strategies/pool.c -- reference counting over a pymalloc-style allocator.
 *
 * The layout follows CPython 3.11's Objects/obmalloc.c:
 *
 *   - Requests of up to 512 bytes are rounded up to a multiple of 16: 32 size
 *     classes (16, 32, ..., 512).  An int (28 bytes) takes a 32-byte block, a
 *     3-tuple (64) a 64-byte one.
 *   - A *pool* is 16 KiB, aligned to 16 KiB, and holds blocks of one size
 *     class.  Its header sits at its start, so the pool of any block is found
 *     by masking the block's address.  Free blocks form a singly linked list
 *     through their first word; blocks never used are carved lazily from a
 *     high-water mark (nextoffset), so a fresh pool touches only the pages it
 *     hands out.
 *   - An *arena* is 1 MiB obtained from the backend allocator and cut into 64
 *     pools.  A pool whose last block is freed goes back to its arena.
 *     One departure from CPython: an arena whose pools are all free is kept
 *     for reuse, not given back to the backend.  CPython frees it (unless it
 *     is the only arena with free pools); measured here, that made every
 *     round of list_append page-fault its ints' memory in again -- on glibc,
 *     whose 1 MiB blocks are mmaps, 59,000 faults per 1e5 appends at some
 *     12 us each on the reference VM, 73 ns per append against 5 on
 *     jemalloc and mimalloc, which keep freed memory themselves.  Kept
 *     arenas put pool on the footing of the arena strategy and the
 *     collectors, which keep their chunks and pages.
 *   - usedpools[c] lists the pools of class c that have a free block; the
 *     allocation fast path takes the first block of the first such pool.
 *
 * Larger requests go to the backend: the caller always passes the size, so
 * unlike pymalloc we never need to ask "is this address in a pool?".
 *
 * Tuples of fewer than 20 items keep free lists of up to 2000 tuples per
 * size, as CPython's tupleobject.c (PyTuple_MAXSAVESIZE, PyTuple_MAXFREELIST):
 * a dying tuple is parked there and the next tuple of its size reuses it
 * without touching the pools.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy pool_strategy;

#define ALIGNMENT        16
#define SMALL_LIMIT      512
#define NCLASSES         (SMALL_LIMIT / ALIGNMENT)
#define POOL_SIZE        ((size_t)16 << 10)
#define ARENA_SIZE       ((size_t)1 << 20)
#define POOLS_PER_ARENA  (ARENA_SIZE / POOL_SIZE)
#define TUPLE_MAXSAVE    20
#define TUPLE_MAXFREE    2000

typedef struct arena arena;

typedef struct pool {
    uint32_t ref;               /* blocks in use                               */
    uint32_t szidx;             /* size class                                  */
    uint32_t nextoffset;        /* first never-used block                      */
    uint32_t maxnextoffset;     /* last offset a block may start at            */
    void *freeblock;            /* free list; NULL when the pool is full       */
    struct pool *nextpool, *prevpool;   /* usedpools[szidx] list, or arena's free pools */
    arena *arena;
} pool;

/* The first block starts after the header, rounded to the alignment. */
#define POOL_OVERHEAD (((sizeof(pool) + ALIGNMENT - 1) / ALIGNMENT) * ALIGNMENT)
#define POOL_OF(p) ((pool *)((uintptr_t)(p) & ~(uintptr_t)(POOL_SIZE - 1)))
#define CLASS_SIZE(i) (((size_t)(i) + 1) * ALIGNMENT)
#define CLASS_OF(n) (((n) - 1) / ALIGNMENT)

struct arena {
    char *base;                 /* ARENA_SIZE bytes, POOL_SIZE-aligned         */
    unsigned nfreepools;        /* pools on freepools plus never-used ones     */
    unsigned untouched;         /* pools [untouched, POOLS_PER_ARENA) never used */
    pool *freepools;            /* pools returned empty                        */
    arena *next, *prev;         /* usable arenas: those with a free pool       */
    arena *allnext;             /* every arena, to free them all at the end    */
};

typedef struct pool_heap {
    heap base;
    pool *usedpools[NCLASSES];
    arena *usable;              /* arenas with at least one free pool          */
    arena *all;                 /* every arena                                 */
    tuple_obj *tuple_free[TUPLE_MAXSAVE];
    unsigned tuple_nfree[TUPLE_MAXSAVE];
} pool_heap;

/* ---- arenas ------------------------------------------------------------ */

static void arena_link(arena **head, arena *a)
{
    a->prev = NULL;
    a->next = *head;
    if (*head)
        (*head)->prev = a;
    *head = a;
}

static void arena_unlink(arena **head, arena *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        *head = a->next;
    if (a->next)
        a->next->prev = a->prev;
}

static arena *arena_new(pool_heap *ph)
{
    arena *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    void *base;
    if (posix_memalign(&base, POOL_SIZE, ARENA_SIZE) != 0) {
        free(a);
        return NULL;
    }
    *a = (arena){ .base = base, .nfreepools = POOLS_PER_ARENA, .allnext = ph->all };
    ph->all = a;
    arena_link(&ph->usable, a);
    return a;
}

/* ---- pools ------------------------------------------------------------- */

static void pool_link(pool **head, pool *p)
{
    p->prevpool = NULL;
    p->nextpool = *head;
    if (*head)
        (*head)->prevpool = p;
    *head = p;
}

static void pool_unlink(pool **head, pool *p)
{
    if (p->prevpool)
        p->prevpool->nextpool = p->nextpool;
    else
        *head = p->nextpool;
    if (p->nextpool)
        p->nextpool->prevpool = p->prevpool;
}

/* A free pool, from the first usable arena, or from a new one. */
static pool *pool_take(pool_heap *ph)
{
    arena *a = ph->usable;
    if (a == NULL && (a = arena_new(ph)) == NULL)
        return NULL;
    pool *p;
    if (a->freepools) {
        p = a->freepools;
        a->freepools = p->nextpool;
    } else {
        p = (pool *)(a->base + POOL_SIZE * a->untouched++);
        p->arena = a;
    }
    if (--a->nfreepools == 0)
        arena_unlink(&ph->usable, a);   /* full arenas are found again via their pools */
    return p;
}

/* An empty pool goes back to its arena (and an arena stays, see above). */
static void pool_give_back(pool_heap *ph, pool *p)
{
    arena *a = p->arena;
    p->nextpool = a->freepools;
    a->freepools = p;
    if (a->nfreepools++ == 0)
        arena_link(&ph->usable, a);
}

/* Slow path of allocation: no pool of this class has a free block. */
static __attribute__((noinline)) void *pool_alloc_slow(pool_heap *ph, unsigned c)
{
    pool *p = pool_take(ph);
    if (p == NULL)
        return NULL;
    size_t size = CLASS_SIZE(c);
    p->szidx = c;
    p->ref = 1;
    p->nextoffset = (uint32_t)(POOL_OVERHEAD + 2 * size);
    p->maxnextoffset = (uint32_t)(POOL_SIZE - size);
    char *first = (char *)p + POOL_OVERHEAD;
    p->freeblock = first + size;
    *(void **)p->freeblock = NULL;
    pool_link(&ph->usedpools[c], p);
    return first;
}

static inline void *small_alloc(pool_heap *ph, size_t n)
{
    unsigned c = (unsigned)CLASS_OF(n);
    pool *p = ph->usedpools[c];
    if (p == NULL)
        return pool_alloc_slow(ph, c);
    /* Fast path: pop the pool's free list; when it runs dry, carve the next
       never-used block, and when there is none the pool is full and leaves
       usedpools until a block comes back. */
    void *b = p->freeblock;
    p->ref++;
    void *next = *(void **)b;
    if (next == NULL) {
        if (p->nextoffset <= p->maxnextoffset) {
            next = (char *)p + p->nextoffset;
            p->nextoffset += (uint32_t)CLASS_SIZE(c);
            *(void **)next = NULL;
        } else {
            pool_unlink(&ph->usedpools[c], p);
        }
    }
    p->freeblock = next;
    return b;
}

/* Slow path of free: the pool was full (it rejoins its class's list) or is
   now empty (it goes back to its arena). */
static __attribute__((noinline)) void small_free_slow(pool_heap *ph, pool *p, void *was)
{
    pool **head = &ph->usedpools[p->szidx];
    if (p->ref == 0) {
        if (was != NULL)
            pool_unlink(head, p);
        pool_give_back(ph, p);
    } else {
        pool_link(head, p);
    }
}

/* An empty pool that is its class's only pool with room stays where it is,
   as mimalloc keeps a page it would retire when it is the only one of its
   size: without this, a loop that makes and drops a few ints empties and
   re-initialises the same pool every time round. */
static inline void small_free(pool_heap *ph, void *b)
{
    pool *p = POOL_OF(b);
    void *was = p->freeblock;
    *(void **)b = was;
    p->freeblock = b;
    p->ref--;
    if (was == NULL ||
        (p->ref == 0 && (ph->usedpools[p->szidx] != p || p->nextpool != NULL)))
        small_free_slow(ph, p, was);
}

/* ---- the strategy ------------------------------------------------------ */

static inline void *raw_alloc(pool_heap *ph, size_t n)
{
    return n <= SMALL_LIMIT ? small_alloc(ph, n) : malloc(n);
}

static inline void raw_free(pool_heap *ph, void *p, size_t n)
{
    if (n <= SMALL_LIMIT)
        small_free(ph, p);
    else
        free(p);
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    pool_heap *ph = (pool_heap *)h;
    if (t == &tuple_type) {
        size_t k = (size - TUPLE_OBJ_SIZE(0)) / 8;
        if (k < TUPLE_MAXSAVE && ph->tuple_free[k]) {
            tuple_obj *tp = ph->tuple_free[k];
            ph->tuple_free[k] = (tuple_obj *)tp->items[0];
            ph->tuple_nfree[k]--;
            stats_alloc(h, size, 1);
            return tp;
        }
    }
    void *p = raw_alloc(ph, size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    pool_heap *ph = (pool_heap *)h;
    stats_free(h, size, 1);
    obj *o = p;
    if (o->type == &tuple_type) {
        size_t k = (size_t)((tuple_obj *)o)->size;
        /* k == 0 has no item slot to link through; CPython shares () anyway. */
        if (k > 0 && k < TUPLE_MAXSAVE && ph->tuple_nfree[k] < TUPLE_MAXFREE) {
            ((tuple_obj *)o)->items[0] = (obj *)ph->tuple_free[k];
            ph->tuple_free[k] = (tuple_obj *)o;
            ph->tuple_nfree[k]++;
            return;
        }
    }
    raw_free(ph, p, size);
}

/* As pymalloc_realloc: stay put while the new size fits the block's class
   and does not waste more than a quarter of it; otherwise move. */
static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    pool_heap *ph = (pool_heap *)h;
    if (new_size == 0) {
        stats_free(h, old_size, 0);
        raw_free(ph, p, old_size);
        return NULL;
    }
    if (p == NULL) {
        void *q = raw_alloc(ph, new_size);
        if (q)
            stats_alloc(h, new_size, 0);
        return q;
    }
    void *q;
    if (old_size > SMALL_LIMIT && new_size > SMALL_LIMIT) {
        q = realloc(p, new_size);
    } else if (old_size <= SMALL_LIMIT && new_size <= SMALL_LIMIT &&
               CLASS_OF(new_size) == CLASS_OF(old_size)) {
        q = p;
    } else {
        q = raw_alloc(ph, new_size);
        if (q) {
            memcpy(q, p, old_size < new_size ? old_size : new_size);
            raw_free(ph, p, old_size);
        }
    }
    if (q) {
        stats_resize(h, old_size, new_size);
        if (q != p)                 /* realloc's move is counted as a copy */
            stats_moved(h, old_size < new_size ? old_size : new_size, 0);
    }
    return q;
}

static inline void s_retain(heap *h, obj *o)  { rc_retain(h, o); }
static inline void s_release(heap *h, obj *o) { rc_release(h, o); }
static inline void s_scope_end(heap *h)       { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static heap *pool_create(const heap_config *cfg)
{
    pool_heap *ph = calloc(1, sizeof *ph);
    if (ph == NULL)
        return NULL;
    heap_init(&ph->base, &pool_strategy, cfg);
    return &ph->base;
}

static void pool_destroy(heap *h)
{
    pool_heap *ph = (pool_heap *)h;
    for (unsigned k = 0; k < TUPLE_MAXSAVE; k++)
        while (ph->tuple_free[k]) {
            tuple_obj *t = ph->tuple_free[k];
            ph->tuple_free[k] = (tuple_obj *)t->items[0];
            raw_free(ph, t, TUPLE_OBJ_SIZE(k));
        }
    while (ph->all) {
        arena *a = ph->all;
        ph->all = a->allnext;
        free(a->base);
        free(a);
    }
    heap_fini(h);
    free(ph);
}


const strategy pool_strategy = {
    .name = "pool",
    .summary = "reference counting over pymalloc-style size-class pools, tuple free lists",
    .flags = STRAT_REFCOUNTS,
    .create = pool_create, .destroy = pool_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = s_scope_end, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
