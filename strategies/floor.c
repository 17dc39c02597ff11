/*
 * strategies/floor.c -- the `floor` reference series: the lower bound.
 *
 * Not a strategy: each workload written out by hand with raw, inline bump
 * allocation and the same stores the object model makes (headers, values,
 * item pointers), and nothing else -- no strategy interface, no counts, no
 * shadow stack, nothing ever freed.  What a strategy costs above this line is
 * the price of its memory management.
 *
 * Memory: two regions mapped once per heap and reused by every run (a run
 * resets them), so after the first run no page faults are timed, as for a
 * kept arena.  Objects are bumped 8-byte aligned in one region; the list's
 * item block has the other region to itself, so it grows in place and never
 * moves: the cheapest growth there is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "strategy.h"
#include "../bench/workload.h"

extern const strategy floor_strategy;

typedef struct region { char *base; size_t size; } region;

typedef struct floor_heap {
    heap base;
    region objects, block;
} floor_heap;

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

/* At least `bytes` of mapped, zero-cost-to-reserve memory: pages are touched
   (and faulted in) only as the run bumps into them. */
static char *region_get(region *r, size_t bytes)
{
    if (bytes <= r->size)
        return r->base;
    if (r->base)
        munmap(r->base, r->size);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        r->base = NULL;
        r->size = 0;
        oom("the floor's region", bytes);
    }
    r->base = p;
    r->size = bytes;
    return p;
}

static void record(heap *h, uint64_t allocs, uint64_t bytes)
{
    h->st.allocs += allocs;
    h->st.live_bytes = 0;
    if (bytes > h->st.peak_bytes)
        h->st.peak_bytes = bytes;
}

#define INT_SLOT ALIGN8(INT_OBJ_SIZE)

static void floor_list_append(heap *h, const wl_params *p, wl_result *r)
{
    floor_heap *f = (floor_heap *)h;
    uint64_t n = p->n;
    char *bump = region_get(&f->objects, ALIGN8(LIST_OBJ_SIZE) + INT_SLOT * n);
    /* Every policy stays below 2n + 8 items. */
    obj **items = (obj **)region_get(&f->block, 8 * (2 * n + 8));

    list_obj *l = (list_obj *)bump;
    bump += ALIGN8(LIST_OBJ_SIZE);
    *l = (list_obj){ { 1, &list_type }, { 0, 0 }, 0, items, 0 };
    uint64_t grows = 0;
    for (uint64_t i = 0; i < n; i++) {
        obj *o = int_init(bump, WL_VALUE(i));
        bump += INT_SLOT;
        size_t size = (size_t)l->size;
        if (size == (size_t)l->allocated) {
            l->allocated = (intptr_t)growth_capacity(p->policy, size, size + 1);
            grows++;
        }
        items[size] = o;
        l->size = (intptr_t)size + 1;
    }

    wl_list_result(l, p, r);
    record(h, 1 + n + (grows > 0), (uint64_t)(bump - f->objects.base) + 8 * r->final_cap);
}

static void floor_tuple_create(heap *h, const wl_params *p, wl_result *r)
{
    floor_heap *f = (floor_heap *)h;
    const unsigned k = p->k;
    const size_t tsize = ALIGN8(TUPLE_OBJ_SIZE(k));
    const uint64_t w = p->window;
    char *bump = region_get(&f->objects, ALIGN8(LIST_OBJ_SIZE) + 8 * w +
                                         (tsize + INT_SLOT * k) * p->n);
    char *start = bump;
    obj **ring = NULL;
    if (w) {
        list_obj *win = (list_obj *)bump;
        ring = (obj **)(bump + ALIGN8(LIST_OBJ_SIZE));
        *win = (list_obj){ { 1, &list_type }, { 0, 0 }, (intptr_t)w, ring, (intptr_t)w };
        for (uint64_t i = 0; i < w; i++)
            ring[i] = none;
        bump += ALIGN8(LIST_OBJ_SIZE) + 8 * w;
    }

    uint64_t v = 0, sum = 0;
    for (uint64_t i = 0; i < p->n; i++) {
        tuple_obj *t = (tuple_obj *)bump;
        bump += tsize;
        t->h.refcnt = 1;
        t->h.type = &tuple_type;
            t->size = (intptr_t)k;
        for (unsigned j = 0; j < k; j++) {
            t->items[j] = int_init(bump, WL_VALUE(v + j));
            bump += INT_SLOT;
        }
        sum += wl_tuple_value(t, v, k, p, r);
        v += k;
        if (w)
            ring[i % w] = &t->h;
    }
    r->checksum = sum;
    record(h, (w ? 2 : 0) + p->n * (1 + k), (uint64_t)(bump - start));
}

static heap *floor_create(const heap_config *cfg)
{
    floor_heap *f = calloc(1, sizeof *f);
    if (f)
        heap_init(&f->base, &floor_strategy, cfg);
    return &f->base;
}

static void floor_destroy(heap *h)
{
    floor_heap *f = (floor_heap *)h;
    if (f->objects.base)
        munmap(f->objects.base, f->objects.size);
    if (f->block.base)
        munmap(f->block.base, f->block.size);
    heap_fini(h);
    free(f);
}

/* The vtable entries: the floor has no object-by-object interface. */
static void *floor_no_alloc(heap *h, const type *t, size_t size)
{
    (void)h, (void)t, (void)size;
    return NULL;
}
static void floor_no_free(heap *h, void *p, size_t size) { (void)h, (void)p, (void)size; }
static void *floor_no_resize(heap *h, void *p, size_t o, size_t n)
{
    (void)h, (void)p, (void)o, (void)n;
    return NULL;
}
static const char *floor_version(void) { return "memstrat floor (mmap bump regions)"; }

static const workload floor_list_append_wl = { .name = "list_append", .run = floor_list_append };
static const workload floor_tuple_create_wl = { .name = "tuple_create", .run = floor_tuple_create };
static const workload *const floor_workloads[] = {
    &floor_list_append_wl, &floor_tuple_create_wl, NULL
};

const strategy floor_strategy = {
    .name = "floor",
    .summary = "reference: hand-written loops, inline bump allocation, nothing freed",
    .flags = STRAT_REFERENCE | STRAT_OWN_HEAP,
    .create = floor_create, .destroy = floor_destroy,
    .alloc = floor_no_alloc, .free = floor_no_free, .resize = floor_no_resize,
    .retain = strategy_no_count, .release = strategy_no_count,
    .collect = strategy_nothing, .scope_end = strategy_nothing,
    .version = floor_version,
    .workloads = floor_workloads,
};
