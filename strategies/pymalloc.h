/*
 * strategies/pymalloc.h -- a pymalloc-style allocator (CPython 3.11's
 * Objects/obmalloc.c), for the strategies built on it: pool and
 * cpython_model.  The fast paths are inline here; what runs once per pool
 * or arena is in strategies/pymalloc.c.
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
 */
#ifndef MEMSTRAT_PYMALLOC_H
#define MEMSTRAT_PYMALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strategy.h"

#define PM_ALIGNMENT     16
#define PM_SMALL_LIMIT   512
#define PM_NCLASSES      (PM_SMALL_LIMIT / PM_ALIGNMENT)
#define PM_POOL_SIZE     ((size_t)16 << 10)
#define PM_ARENA_SIZE    ((size_t)1 << 20)

typedef struct pm_arena pm_arena;

typedef struct pm_pool {
    uint32_t ref;               /* blocks in use                               */
    uint32_t szidx;             /* size class                                  */
    uint32_t nextoffset;        /* first never-used block                      */
    uint32_t maxnextoffset;     /* last offset a block may start at            */
    void *freeblock;            /* free list; NULL when the pool is full       */
    struct pm_pool *nextpool, *prevpool; /* usedpools[szidx] list, or arena's free pools */
    pm_arena *arena;
} pm_pool;

#define PM_POOL_OF(p) ((pm_pool *)((uintptr_t)(p) & ~(uintptr_t)(PM_POOL_SIZE - 1)))
#define PM_CLASS_SIZE(i) (((size_t)(i) + 1) * PM_ALIGNMENT)
#define PM_CLASS_OF(n) (((n) - 1) / PM_ALIGNMENT)

typedef struct pymalloc {
    pm_pool *usedpools[PM_NCLASSES];
    pm_arena *usable;           /* arenas with at least one free pool          */
    pm_arena *all;              /* every arena                                 */
} pymalloc;

/* Slow paths (strategies/pymalloc.c): no pool of class c has a free block;
   a block went back to a pool that was full or is now empty. */
void *pymalloc_alloc_slow(pymalloc *pm, unsigned c);
void pymalloc_free_slow(pymalloc *pm, pm_pool *p, void *was);
/* Give every arena back to the backend. */
void pymalloc_fini(pymalloc *pm);

static inline void pm_pool_unlink(pm_pool **head, pm_pool *p)
{
    if (p->prevpool)
        p->prevpool->nextpool = p->nextpool;
    else
        *head = p->nextpool;
    if (p->nextpool)
        p->nextpool->prevpool = p->prevpool;
}

static inline void *pymalloc_small_alloc(pymalloc *pm, size_t n)
{
    unsigned c = (unsigned)PM_CLASS_OF(n);
    pm_pool *p = pm->usedpools[c];
    if (p == NULL)
        return pymalloc_alloc_slow(pm, c);
    /* Fast path: pop the pool's free list; when it runs dry, carve the next
       never-used block, and when there is none the pool is full and leaves
       usedpools until a block comes back. */
    void *b = p->freeblock;
    p->ref++;
    void *next = *(void **)b;
    if (next == NULL) {
        if (p->nextoffset <= p->maxnextoffset) {
            next = (char *)p + p->nextoffset;
            p->nextoffset += (uint32_t)PM_CLASS_SIZE(c);
            *(void **)next = NULL;
        } else {
            pm_pool_unlink(&pm->usedpools[c], p);
        }
    }
    p->freeblock = next;
    return b;
}

/* An empty pool that is its class's only pool with room stays where it is,
   as mimalloc keeps a page it would retire when it is the only one of its
   size: without this, a loop that makes and drops a few ints empties and
   re-initialises the same pool every time round. */
static inline void pymalloc_small_free(pymalloc *pm, void *b)
{
    pm_pool *p = PM_POOL_OF(b);
    void *was = p->freeblock;
    *(void **)b = was;
    p->freeblock = b;
    p->ref--;
    if (was == NULL ||
        (p->ref == 0 && (pm->usedpools[p->szidx] != p || p->nextpool != NULL)))
        pymalloc_free_slow(pm, p, was);
}

static inline void *pymalloc_alloc(pymalloc *pm, size_t n)
{
    return n <= PM_SMALL_LIMIT ? pymalloc_small_alloc(pm, n) : malloc(n);
}

static inline void pymalloc_free(pymalloc *pm, void *p, size_t n)
{
    if (n <= PM_SMALL_LIMIT)
        pymalloc_small_free(pm, p);
    else
        free(p);
}

/* Block resize with accounting, as pymalloc_realloc: stay put while the new
   size fits the block's class and does not waste more than a quarter of
   it; otherwise move. */
static inline void *pymalloc_resize(heap *h, pymalloc *pm, void *p, size_t old_size,
                                    size_t new_size)
{
    if (new_size == 0) {
        stats_free(h, old_size, 0);
        pymalloc_free(pm, p, old_size);
        return NULL;
    }
    if (p == NULL) {
        void *q = pymalloc_alloc(pm, new_size);
        if (q)
            stats_alloc(h, new_size, 0);
        return q;
    }
    void *q;
    if (old_size > PM_SMALL_LIMIT && new_size > PM_SMALL_LIMIT) {
        q = realloc(p, new_size);
    } else if (old_size <= PM_SMALL_LIMIT && new_size <= PM_SMALL_LIMIT &&
               PM_CLASS_OF(new_size) == PM_CLASS_OF(old_size)) {
        q = p;
    } else {
        q = pymalloc_alloc(pm, new_size);
        if (q) {
            memcpy(q, p, old_size < new_size ? old_size : new_size);
            pymalloc_free(pm, p, old_size);
        }
    }
    if (q) {
        stats_resize(h, old_size, new_size);
        if (q != p)                 /* realloc's move is counted as a copy */
            stats_moved(h, old_size < new_size ? old_size : new_size, 0);
    }
    return q;
}

#endif
