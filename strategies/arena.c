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
 * a quarter chunk get a mapping of their own straight from the kernel, grown
 * with mremap: the pages move in the page table, no byte is copied.  (Left
 * to the backend's realloc, mimalloc and jemalloc copied a growing 8 MiB
 * list block again and again, 64 bytes per append on average.)
 *
 * Accounting: an arena holds every byte it handed out until the scope ends,
 * so "live" bytes here include dead objects and the old copies of moved
 * blocks; that is the honest footprint of the strategy.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy arena_strategy;

#define CHUNK_SIZE  ((size_t)1 << 20)
#define LARGE_LIMIT (CHUNK_SIZE / 4)
#define ALIGN8(n)   (((n) + 7) & ~(size_t)7)

typedef struct chunk {
    struct chunk *next, *prev;
    size_t size;                /* usable bytes after the header */
    size_t map;                 /* large blocks: bytes mapped (>= size + header) */
} chunk;

#define PAYLOAD(c) ((char *)((c) + 1))

typedef struct arena_heap {
    heap base;
    chunk *small;               /* bump chunks, oldest first */
    chunk *cur;                 /* the chunk being bumped */
    chunk *large;               /* one block each */
    chunk *spare;               /* the largest large mapping of the last scope */
    char *bump, *end;           /* free space of the current chunk */
} arena_heap;

static void chunk_link(chunk **head, chunk *c)
{
    c->prev = NULL;
    c->next = *head;
    if (*head)
        (*head)->prev = c;
    *head = c;
}

static void chunk_free_all(chunk *c)
{
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
}

/* ---- large blocks: one mapping each ------------------------------------ */

static size_t map_size(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (sizeof(chunk) + n + page - 1) & ~(page - 1);
}

static void large_free_all(chunk *c)
{
    while (c) {
        chunk *next = c->next;
        munmap(c, c->map);
        c = next;
    }
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
        *c = (chunk){ .prev = a->cur, .size = CHUNK_SIZE };
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

/* A large block: the spare mapping kept from the last scope if there is one
   (its pages are already faulted in), else a new mapping. */
static void *large_alloc(arena_heap *a, size_t n)
{
    chunk *c = a->spare;
    if (c != NULL && c->map < map_size(n)) {
        chunk *d = mremap(c, c->map, map_size(n), MREMAP_MAYMOVE);
        if (d == MAP_FAILED)
            return NULL;
        c = d;
        c->map = map_size(n);
    } else if (c == NULL) {
        c = mmap(NULL, map_size(n), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (c == MAP_FAILED)
            return NULL;
        c->map = map_size(n);
    }
    a->spare = NULL;
    c->size = n;
    chunk_link(&a->large, c);
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

/* A large block is alone in its mapping: the kernel grows it, moving pages,
   not bytes. */
static void *large_resize(arena_heap *a, void *p, size_t n)
{
    chunk *c = (chunk *)p - 1;
    chunk *next = c->next, *prev = c->prev;
    chunk *d = c;
    if (map_size(n) > c->map) {
        d = mremap(c, c->map, map_size(n), MREMAP_MAYMOVE);
        if (d == MAP_FAILED)
            return NULL;
        d->map = map_size(n);
    }
    d->size = n;
    if (prev)
        prev->next = d;
    else
        a->large = d;
    if (next)
        next->prev = d;
    return PAYLOAD(d);
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
        return q;
    }
    if (q)
        stats_resize(h, old_size, new_size);
    return q;
}

/* The scope ends: every object dies.  Bump chunks are kept for the next
   scope, and so is the largest large mapping (a list's item block, say):
   the next scope's first large block reuses its pages. */
static inline void s_scope_end(heap *h)
{
    arena_heap *a = (arena_heap *)h;
    for (chunk *c = a->large, *next; c; c = next) {
        next = c->next;
        if (a->spare == NULL || c->map > a->spare->map) {
            if (a->spare)
                munmap(a->spare, a->spare->map);
            a->spare = c;
        } else {
            munmap(c, c->map);
        }
    }
    a->large = NULL;
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
static void arena_nothing(heap *h) { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static heap *arena_create(const heap_config *cfg)
{
    arena_heap *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    heap_init(&a->base, &arena_strategy, cfg);
    return &a->base;
}

static void arena_destroy(heap *h)
{
    arena_heap *a = (arena_heap *)h;
    chunk_free_all(a->small);
    large_free_all(a->large);
    large_free_all(a->spare);
    heap_fini(h);
    free(a);
}

const strategy arena_strategy = {
    .name = "arena",
    .summary = "bump allocation in 1 MiB chunks, whole region freed at scope end",
    .flags = 0,
    .create = arena_create, .destroy = arena_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = arena_nothing, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
