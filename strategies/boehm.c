/*
 * strategies/boehm.c -- the Boehm-Demers-Weiser collector (bdwgc), as a
 * real-world reference for tracing.
 *
 * bdwgc is conservative: it finds roots by scanning the stacks, registers and
 * static data, so the shadow stack is ignored here.  It has its own heap,
 * obtained from the system directly, so the backend allocator does not apply:
 * the matrix runs boehm once and marks its other backend cells "n/a".
 *
 * Used as a Boehm user would: ints hold no pointers, so they come from
 * GC_MALLOC_ATOMIC (never scanned); containers and item blocks from
 * GC_MALLOC, and lists grow with GC_REALLOC.  Nothing is freed explicitly.
 *
 * Pauses are timed through bdwgc's collection-event callback.  Live bytes are
 * not known object by object: the heap reports bdwgc's own numbers after each
 * collection (heap size minus free bytes), in allocator bytes.
 */
#include <gc/gc.h>
#include <stdio.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy boehm_strategy;

static heap *current;           /* the heap whose pauses we time */
static uint64_t pause_start;

static void on_gc_event(GC_EventType e)
{
    if (current == NULL)
        return;
    if (e == GC_EVENT_START) {
        pause_start = clock_ns();
    } else if (e == GC_EVENT_END) {
        stats_pause(current, clock_ns() - pause_start);
        current->st.live_bytes = GC_get_heap_size() - GC_get_free_bytes();
        if (current->st.live_bytes > current->st.peak_bytes)
            current->st.peak_bytes = current->st.live_bytes;
    }
}

static heap boehm_heap;         /* bdwgc's heap is process-wide: so is ours */

static heap *boehm_create(const heap_config *cfg)
{
    static int initialised;
    if (!initialised) {
        GC_INIT();
        GC_set_on_collection_event(on_gc_event);
        initialised = 1;
    }
    heap_init(&boehm_heap, &boehm_strategy, cfg);
    current = &boehm_heap;
    return &boehm_heap;
}

static void boehm_destroy(heap *h)
{
    heap_fini(h);
    current = NULL;
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    void *p = t == &int_type ? GC_MALLOC_ATOMIC(size) : GC_MALLOC(size);
    if (p && h->counting)
        h->st.allocs++;
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    (void)h, (void)p, (void)size;   /* the collector frees */
}

static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    if (new_size == 0)
        return NULL;            /* unreachable now: collected later */
    void *q = GC_REALLOC(p, new_size);
    if (q && h->counting)
        h->st.allocs += p == NULL;
    if (q && p && q != p)           /* GC_realloc copies into a new object */
        stats_moved(h, old_size < new_size ? old_size : new_size, 0);
    return q;
}

static inline void s_retain(heap *h, obj *o)  { (void)h, (void)o; }
static inline void s_release(heap *h, obj *o) { (void)h, (void)o; }
static inline void s_scope_end(heap *h)       { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static void boehm_collect(heap *h)
{
    (void)h;
    GC_gcollect();
}

static const char *boehm_version(void)
{
    static char v[32];
    unsigned x = GC_get_version();
    snprintf(v, sizeof v, "bdwgc %u.%u.%u", x >> 16, (x >> 8) & 0xff, x & 0xff);
    return v;
}


const strategy boehm_strategy = {
    .name = "boehm",
    .summary = "bdwgc conservative mark-sweep (GC_MALLOC), its own heap",
    .flags = STRAT_TRACES | STRAT_OWN_HEAP,
    .create = boehm_create, .destroy = boehm_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = boehm_collect, .scope_end = s_scope_end,
    .version = boehm_version,
    .workloads = instance_workloads,
};
