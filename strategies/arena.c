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
 * a quarter chunk get a chunk of their own, which the backend's realloc can
 * then grow (glibc does it in place with mremap for large blocks).
 *
 * Accounting: an arena holds every byte it handed out until the scope ends,
 * so "live" bytes here include dead objects and the old copies of moved
 * blocks; that is the honest footprint of the strategy.
 */
#include <stdlib.h>
#include <string.h>
#include "strategy.h"

extern const strategy arena_strategy;

#define CHUNK_SIZE  ((size_t)1 << 20)
#define LARGE_LIMIT (CHUNK_SIZE / 4)
#define ALIGN8(n)   (((n) + 7) & ~(size_t)7)

typedef struct chunk {
    struct chunk *next, *prev;
    size_t size;                /* usable bytes after the header */
    size_t pad;                 /* keep the payload 16-byte aligned */
} chunk;

#define PAYLOAD(c) ((char *)((c) + 1))

typedef struct arena_heap {
    heap base;
    chunk *small;               /* bump chunks, oldest first */
    chunk *cur;                 /* the chunk being bumped */
    chunk *large;               /* one block each */
    char *bump, *end;           /* free space of the current chunk */
    char *last;                 /* the block allocated last, if it may grow */
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

/* Slow path: the current chunk is full: move to the next kept chunk, or get
   a new one from the backend. */
static void *bump_slow(arena_heap *a, size_t n)
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
    return a->last = PAYLOAD(c);
}

static void *large_alloc(arena_heap *a, size_t n)
{
    chunk *c = malloc(sizeof *c + n);
    if (c == NULL)
        return NULL;
    c->size = n;
    chunk_link(&a->large, c);
    return PAYLOAD(c);
}

static void *raw_alloc(arena_heap *a, size_t size)
{
    size_t n = ALIGN8(size);
    if (n > LARGE_LIMIT)
        return large_alloc(a, n);
    if ((size_t)(a->end - a->bump) < n)
        return bump_slow(a, n);
    char *p = a->bump;
    a->bump = p + n;
    return a->last = p;
}

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
    chunk_free_all(a->large);
    heap_fini(h);
    free(a);
}

static void *arena_alloc(heap *h, const struct type *t, size_t size)
{
    (void)t;
    void *p = raw_alloc((arena_heap *)h, size);
    if (p)
        stats_alloc(h, size, 1);
    return p;
}

static void arena_free(heap *h, void *p, size_t size)
{
    (void)h, (void)p, (void)size;   /* freed with the region */
}

/* A large block is alone in its chunk: let the backend move or grow it. */
static void *large_resize(arena_heap *a, void *p, size_t n)
{
    chunk *c = (chunk *)p - 1;
    chunk *next = c->next, *prev = c->prev;
    chunk *d = realloc(c, sizeof *d + n);
    if (d == NULL)
        return NULL;
    d->size = n;
    if (prev)
        prev->next = d;
    else
        a->large = d;
    if (next)
        next->prev = d;
    return PAYLOAD(d);
}

static void *arena_resize(heap *h, void *p, size_t old_size, size_t new_size)
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
    } else if (p == a->last && o <= LARGE_LIMIT && n <= LARGE_LIMIT &&
               (size_t)(a->end - (char *)p) >= n) {
        a->bump = (char *)p + n;        /* the last block: extend in place */
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

/* The scope ends: every object dies; large blocks go back to the backend,
   bump chunks are kept for the next scope. */
static void arena_scope_end(heap *h)
{
    arena_heap *a = (arena_heap *)h;
    chunk_free_all(a->large);
    a->large = NULL;
    a->cur = a->small;
    if (a->cur) {
        a->bump = PAYLOAD(a->cur);
        a->end = a->bump + a->cur->size;
    }
    a->last = NULL;
    h->st.live_objects = 0;
    h->st.live_bytes = 0;
}

static void arena_nothing(heap *h) { (void)h; }
static void arena_no_count(heap *h, struct obj *o) { (void)h, (void)o; }

const strategy arena_strategy = {
    .name = "arena",
    .summary = "bump allocation in 1 MiB chunks, whole region freed at scope end",
    .flags = 0,
    .create = arena_create, .destroy = arena_destroy,
    .alloc = arena_alloc, .free = arena_free, .resize = arena_resize,
    .retain = arena_no_count, .release = arena_no_count,
    .collect = arena_nothing, .scope_end = arena_scope_end,
};
