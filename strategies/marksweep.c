/*
 * strategies/marksweep.c -- a precise, non-moving mark-sweep collector.
 *
 * Precise: the collector knows every pointer.  Roots are the slots the
 * workload registered on the shadow stack (heap_push_root), and an object's
 * children are what its type's traverse() reports; nothing is guessed from
 * the machine stack, unlike Boehm's conservative scan.
 *
 * Every object is one backend allocation with a 16-byte header in front of
 * it: the link of the list of all objects, which the sweep walks, and the
 * mark bit.  (The object's own refcount field is left alone: the object layer
 * sets it, and a mark bit there would be overwritten by every new object.)
 * Item blocks are plain backend allocations owned by their list, freed by
 * the list's dealloc when the sweep frees the list.
 *
 * When to collect -- the heap-growth rule used by most tracing runtimes:
 * after a collection leaves L live bytes, the next one runs once the heap
 * (live plus garbage, in requested bytes) would exceed
 *
 *        limit = max(min_heap, heap_factor x L)
 *
 * i.e. once (heap_factor - 1) x L bytes were allocated since.  heap_factor
 * is the time-space knob: 1.25 collects often in a tight heap, 4 rarely in a
 * large one.  Collections start only in object allocation, never in a block
 * resize, so a workload holds no unrooted object across a list append.
 */
#include <stdlib.h>
#include "strategy.h"
#include "../bench/object.h"

extern const strategy marksweep_strategy;

typedef struct ms_hdr {
    struct ms_hdr *next;        /* all objects, newest first */
    uintptr_t mark;
} ms_hdr;

#define HDR(o) ((ms_hdr *)(o) - 1)

typedef struct ms_heap {
    heap base;
    ms_hdr *objects;
    uint64_t limit;             /* collect when live_bytes would pass this */
    obj **stack;                /* mark stack: explicit, so deep structures
                                   cannot overflow the C stack */
    size_t sp, stack_cap;
} ms_heap;

/* ---- mark -------------------------------------------------------------- */

static void mark_push(heap *h, obj *o, void *arg)
{
    (void)arg;
    ms_heap *m = (ms_heap *)h;
    if (o == NULL || obj_is_static(o) || HDR(o)->mark)
        return;
    HDR(o)->mark = 1;
    if (o->type->traverse == NULL)
        return;                 /* a leaf: nothing to scan later */
    if (m->sp == m->stack_cap) {
        size_t cap = m->stack_cap ? 2 * m->stack_cap : 1024;
        obj **s = realloc(m->stack, cap * sizeof *s);
        if (s == NULL)
            oom("the mark stack", cap * sizeof *s);
        m->stack = s;
        m->stack_cap = cap;
    }
    m->stack[m->sp++] = o;
}

static void mark(ms_heap *m)
{
    heap *h = &m->base;
    for (size_t i = 0; i < h->nroots; i++)
        mark_push(h, *h->roots[i], NULL);
    while (m->sp > 0) {
        obj *o = m->stack[--m->sp];
        o->type->traverse(h, o, mark_push, NULL);
    }
}

/* ---- sweep ------------------------------------------------------------- */

static void free_object(ms_heap *m, ms_hdr *hd)
{
    obj *o = (obj *)(hd + 1);
    size_t size = obj_size(o);
    if (o->type->dealloc)
        o->type->dealloc(&m->base, o);
    stats_free(&m->base, size, 1);
    free(hd);
}

static void sweep(ms_heap *m)
{
    ms_hdr **link = &m->objects;
    while (*link) {
        ms_hdr *hd = *link;
        if (hd->mark) {
            hd->mark = 0;
            link = &hd->next;
        } else {
            *link = hd->next;
            free_object(m, hd);
        }
    }
}

static void ms_collect(heap *h)
{
    ms_heap *m = (ms_heap *)h;
    uint64_t t0 = clock_ns();
    mark(m);
    sweep(m);
    double next = h->cfg.heap_factor * (double)h->st.live_bytes;
    m->limit = next > (double)h->cfg.min_heap ? (uint64_t)next : h->cfg.min_heap;
    stats_pause(h, clock_ns() - t0);
}

/* ---- the strategy ------------------------------------------------------ */

static heap *ms_create(const heap_config *cfg)
{
    ms_heap *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    heap_init(&m->base, &marksweep_strategy, cfg);
    m->limit = cfg->min_heap;
    return &m->base;
}

static void ms_destroy(heap *h)
{
    ms_heap *m = (ms_heap *)h;
    while (m->objects) {
        ms_hdr *hd = m->objects;
        m->objects = hd->next;
        free_object(m, hd);
    }
    free(m->stack);
    heap_fini(h);
    free(m);
}

static void *ms_alloc(heap *h, const struct type *t, size_t size)
{
    (void)t;
    ms_heap *m = (ms_heap *)h;
    if (h->st.live_bytes + size > m->limit)
        ms_collect(h);
    ms_hdr *hd = malloc(sizeof *hd + size);
    if (hd == NULL)
        return NULL;
    hd->next = m->objects;
    hd->mark = 0;
    m->objects = hd;
    stats_alloc(h, size, 1);
    return hd + 1;
}

static void ms_free(heap *h, void *p, size_t size)
{
    (void)h, (void)p, (void)size;   /* never called: the sweep frees */
}

static void ms_no_count(heap *h, obj *o) { (void)h, (void)o; }
static void ms_nothing(heap *h) { (void)h; }

const strategy marksweep_strategy = {
    .name = "marksweep",
    .summary = "precise mark-sweep with a shadow stack of roots, heap-factor trigger",
    .flags = STRAT_TRACES | STRAT_HEAP_FACTOR,
    .create = ms_create, .destroy = ms_destroy,
    .alloc = ms_alloc, .free = ms_free, .resize = malloc_resize,
    .retain = ms_no_count, .release = ms_no_count,
    .collect = ms_collect, .scope_end = ms_nothing,
};
