/*
 * strategies/arena.c -- region allocation: bump a pointer, free all at once.
 *
 * Objects are carved from 1 MiB chunks obtained from the backend by bumping a
 * pointer (8-byte aligned: no object here needs more).  Nothing is freed one
 * by one -- release is a no-op -- and when the workload's scope ends the whole
 * region dies at once: the bump pointer goes back to the first chunk.  The
 * chunks themselves are kept and refilled by the next scope, as region
 * allocators reset rather than free: handing 100+ MiB back to the backend at
 * every scope end made each scope page-fault its memory in again (with
 * glibc, every chunk is its own mmap), which measured the kernel, not the
 * arena.  destroy() returns everything.
 *
 * Growing the block allocated last extends it in place when the chunk has
 * room, the one resize a bump allocator can do for free.  Blocks larger than
 * a quarter chunk are big blocks (strategies/bigblock.c): a mapping each,
 * grown with mremap, no byte copied; the largest is kept for the next scope
 * with the chunks (unless heap_config.big_blocks says to give it back).
 *
 * Accounting: an arena holds every byte it handed out until the scope ends,
 * so "live" bytes here include dead objects and the old copies of moved
 * blocks; that is the honest footprint of the strategy.
 */
#include <stdlib.h>
#include <string.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy arena_strategy;

#define CHUNK_SIZE  ((size_t)1 << 20)
#define LARGE_LIMIT (CHUNK_SIZE / 4)
#define ALIGN8(n)   (((n) + 7) & ~(size_t)7)

typedef struct chunk {
    struct chunk *next;
    size_t size;                /* usable bytes after the header */
} chunk;                        /* 16 bytes: the payload is 16-byte aligned */

#define PAYLOAD(c) ((char *)((c) + 1))

typedef struct arena_heap {
    heap base;
    chunk *small;               /* bump chunks, oldest first */
    chunk *cur;                 /* the chunk being bumped */
    char *bump, *end;           /* free space of the current chunk */
    big_block *large;           /* this scope's large blocks */
    big_cache cache;            /* ... and the one kept from the last scope */
} arena_heap;

/* ---- large blocks (strategies/bigblock.c), on the arena's list ----------- */

static void large_link(arena_heap *a, big_block *b)
{
    b->prev = NULL;
    b->next = a->large;
    if (a->large)
        a->large->prev = b;
    a->large = b;
}

static void large_unlink(arena_heap *a, big_block *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        a->large = b->next;
    if (b->next)
        b->next->prev = b->prev;
}

static void *large_alloc(arena_heap *a, size_t n)
{
    void *p = big_alloc(&a->cache, n);
    if (p)
        large_link(a, big_of(p));
    return p;
}

/* The kernel grows it, moving pages, not bytes; it may move. */
static void *large_resize(arena_heap *a, void *p, size_t n)
{
    large_unlink(a, big_of(p));
    void *q = big_resize(&a->cache, p, n);
    large_link(a, big_of(q ? q : p));
    return q;
}

/* Every large block dies; big_free keeps the largest mapping for the next
   scope's first large block. */
static void large_free_all(arena_heap *a)
{
    for (big_block *b = a->large, *next; b; b = next) {
        next = b->next;
        big_free(&a->cache, b + 1);
    }
    a->large = NULL;
}

/* Slow path: the current chunk is full: move to the next kept chunk, or get
   a new one from the backend. */
static __attribute__((noinline)) void *bump_slow(arena_heap *a, size_t n)
{
    chunk *c = a->cur ? a->cur->next : a->small;
    if (c == NULL) {
        c = malloc(sizeof *c + CHUNK_SIZE);
        if (c == NULL)
            return NULL;
        *c = (chunk){ .size = CHUNK_SIZE };
        if (a->cur)
            a->cur->next = c;
        else
            a->small = c;
    }
    a->cur = c;
    a->bump = PAYLOAD(c) + n;
    a->end = PAYLOAD(c) + CHUNK_SIZE;
    return PAYLOAD(c);
}

static inline void *raw_alloc(arena_heap *a, size_t size)
{
    size_t n = ALIGN8(size);
    if (n > LARGE_LIMIT)
        return large_alloc(a, n);
    if ((size_t)(a->end - a->bump) < n)
        return bump_slow(a, n);
    char *p = a->bump;
    a->bump = p + n;
    return p;
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    (void)t;
    void *p = raw_alloc((arena_heap *)h, size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    (void)h, (void)p, (void)size;   /* freed with the region */
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    arena_heap *a = (arena_heap *)h;
    if (new_size == 0)
        return NULL;            /* freed with the region */
    if (p == NULL) {
        void *q = raw_alloc(a, new_size);
        if (q)
            stats_alloc(h, new_size, 0);
        return q;
    }
    size_t o = ALIGN8(old_size), n = ALIGN8(new_size);
    void *q;
    if (o > LARGE_LIMIT && n > LARGE_LIMIT) {
        q = large_resize(a, p, n);
        if (q && q != p)
            stats_moved(h, old_size, 1);    /* mremap moved its pages */
    } else if (o <= LARGE_LIMIT && n <= LARGE_LIMIT && (char *)p + o == a->bump &&
               (size_t)(a->end - (char *)p) >= n) {
        /* The last block (it ends where the bump pointer is): extend it. */
        a->bump = (char *)p + n;
        q = p;
    } else {
        q = raw_alloc(a, new_size);
        if (q == NULL)
            return NULL;
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        stats_alloc(h, new_size, 0);    /* the old copy stays until scope end */
        stats_moved(h, old_size < new_size ? old_size : new_size, 0);
        return q;
    }
    if (q)
        stats_resize(h, old_size, new_size);
    return q;
}

/* The scope ends: every object dies.  Bump chunks are kept for the next
   scope, and so is the largest large mapping (a list's item block, say). */
static inline void s_scope_end(heap *h)
{
    arena_heap *a = (arena_heap *)h;
    large_free_all(a);
    a->cur = a->small;
    if (a->cur) {
        a->bump = PAYLOAD(a->cur);
        a->end = a->bump + a->cur->size;
    }
    h->st.live_objects = 0;
    h->st.live_bytes = 0;
}

static inline void s_retain(heap *h, obj *o)  { (void)h, (void)o; }
static inline void s_release(heap *h, obj *o) { (void)h, (void)o; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static heap *arena_create(const heap_config *cfg)
{
    arena_heap *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    heap_init(&a->base, &arena_strategy, cfg);
    big_cache_init(&a->cache, cfg);
    return &a->base;
}

static void arena_destroy(heap *h)
{
    arena_heap *a = (arena_heap *)h;
    large_free_all(a);
    big_cache_fini(&a->cache);
    while (a->small) {
        chunk *next = a->small->next;
        free(a->small);
        a->small = next;
    }
    heap_fini(h);
    free(a);
}

const strategy arena_strategy = {
    .name = "arena",
    .summary = "bump allocation in 1 MiB chunks, whole region freed at scope end",
    .flags = STRAT_BIG_BLOCKS | STRAT_THREAD_PRIVATE,
    .create = arena_create, .destroy = arena_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = strategy_nothing, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
