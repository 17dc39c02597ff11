/* strategies/common.c -- what every strategy shares: heap set-up, roots,
   pause accounting, block resize over the backend. */
#include "strategy.h"
#include "../bench/object.h"
#include "../bench/latency.h"

#include <stdlib.h>
#include <time.h>

void heap_init(heap *h, const strategy *s, const heap_config *cfg)
{
    *h = (heap){ .s = s, .cfg = *cfg, .counting = 1 };
    if (s->flags & STRAT_THREADS)
        xfree_heap_count(+1);
}

void strategy_nothing(heap *h) { (void)h; }
void strategy_no_count(heap *h, obj *o) { (void)h, (void)o; }

void heap_fini(heap *h)
{
    xfree_forget_heap(h);
    if (h->s->flags & STRAT_THREADS)
        xfree_heap_count(-1);
    free(h->roots);
    h->roots = NULL;
    h->nroots = h->roots_cap = 0;
}

heap *heap_new(const strategy *s, const heap_config *cfg)
{
    heap *h = malloc(sizeof *h);
    if (h)
        heap_init(h, s, cfg);
    return h;
}

void heap_delete(heap *h)
{
    heap_fini(h);
    free(h);
}

void heap_roots_grow(heap *h)
{
    size_t cap = h->roots_cap ? 2 * h->roots_cap : 16;
    obj ***r = realloc(h->roots, cap * sizeof *r);
    if (r == NULL)
        oom("the root stack", cap * sizeof *r);
    h->roots = r;
    h->roots_cap = cap;
}

void obj_vec_grow(obj_vec *a, const char *what)
{
    size_t cap = a->cap ? 2 * a->cap : 1024;
    obj **v = realloc(a->v, cap * sizeof *v);
    if (v == NULL)
        oom(what, cap * sizeof *v);
    a->v = v;
    a->cap = cap;
}

uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void stats_pause(heap *h, uint64_t ns)
{
    if (h->pauses)
        hist_add(h->pauses, ns);
    h->st.collections++;
    h->st.pause_total_ns += ns;
    if (ns > h->st.pause_max_ns)
        h->st.pause_max_ns = ns;
}

void *malloc_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    if (new_size == 0) {
        stats_free(h, old_size, 0);
        free(p);
        return NULL;
    }
    void *q = realloc(p, new_size);
    if (q == NULL)
        return NULL;
    if (p == NULL) {
        stats_alloc(h, new_size, 0);
        return q;
    }
    stats_resize(h, old_size, new_size);
    /* realloc says nothing of how it moved a block: counted as copied, which
       it is on every backend but glibc, whose realloc moves a chunk it had
       mmapped (above its mmap threshold) with mremap. */
    if (q != p)
        stats_moved(h, old_size < new_size ? old_size : new_size, 0);
    return q;
}
