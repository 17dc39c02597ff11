/*
 * strategies/malloc.c -- the `malloc` reference series: the backend alone.
 *
 * Not a strategy: each workload written out by hand as a plain C loop of
 * malloc/realloc/free of exactly the sizes, in exactly the order, that
 * `refcount` asks of the backend -- but with no counts, no types consulted,
 * no statistics, no shadow stack.  refcount's time above this line is the
 * cost of reference counting itself; the line's height is the allocator's.
 */
#include <stdlib.h>
#include "strategy.h"
#include "../bench/workload.h"

extern const strategy malloc_strategy;

static void *must(void *p, const char *what, size_t size)
{
    if (p == NULL)
        oom(what, size);
    return p;
}

static inline obj *int_malloc(long v)
{
    void *mem = malloc(INT_OBJ_SIZE);
    if (mem == NULL)
        oom("an int", INT_OBJ_SIZE);
    return int_init(mem, v);
}

static void malloc_list_append(heap *h, const wl_params *p, wl_result *r)
{
    list_obj *l = must(malloc(LIST_OBJ_SIZE), "a list", LIST_OBJ_SIZE);
    *l = (list_obj){ { 1, &list_type }, { 0, 0 }, 0, NULL, 0 };
    uint64_t n = p->n, allocs = 1;
    for (uint64_t i = 0; i < n; i++) {
        obj *o = int_malloc(WL_VALUE(i));
        size_t size = (size_t)l->size;
        if (size == (size_t)l->allocated) {
            size_t cap = growth_capacity(p->policy, size, size + 1);
            allocs += l->items == NULL;
            l->items = must(realloc(l->items, 8 * cap), "a list's items", 8 * cap);
            l->allocated = (intptr_t)cap;
        }
        l->items[size] = o;
        l->size = (intptr_t)size + 1;
    }
    allocs += n;

    wl_list_result(l, p, r);

    /* As refcount drops the list: its items in order, the block, the list. */
    for (intptr_t i = 0; i < l->size; i++)
        free(l->items[i]);
    free(l->items);
    free(l);
    h->st.allocs += allocs;
}

static void free_tuple(tuple_obj *t)
{
    for (intptr_t j = 0; j < t->size; j++)
        free(t->items[j]);
    free(t);
}

static void malloc_tuple_create(heap *h, const wl_params *p, wl_result *r)
{
    const unsigned k = p->k;
    const uint64_t w = p->window;
    list_obj *win = NULL;
    if (w) {
        win = must(malloc(LIST_OBJ_SIZE), "a list", LIST_OBJ_SIZE);
        obj **ring = must(malloc(8 * w), "a list's items", 8 * w);
        *win = (list_obj){ { 1, &list_type }, { 0, 0 }, (intptr_t)w, ring, (intptr_t)w };
        for (uint64_t i = 0; i < w; i++)
            ring[i] = none;
    }

    uint64_t v = 0, sum = 0;
    for (uint64_t i = 0; i < p->n; i++) {
        tuple_obj *t = must(malloc(TUPLE_OBJ_SIZE(k)), "a tuple", TUPLE_OBJ_SIZE(k));
        t->h.refcnt = 1;
        t->h.type = &tuple_type;
            t->size = (intptr_t)k;
        for (unsigned j = 0; j < k; j++)
            t->items[j] = int_malloc(WL_VALUE(v + j));
        sum += wl_tuple_value(t, v, k, p, r);
        v += k;
        /* As refcount: the window's old tuple dies when the new one takes
           its slot; without a window the new one dies at once. */
        if (win) {
            obj *old = win->items[i % w];
            win->items[i % w] = &t->h;
            if (old != none)
                free_tuple((tuple_obj *)old);
        } else {
            free_tuple(t);
        }
    }
    r->checksum = sum;
    if (win) {
        for (uint64_t i = 0; i < w; i++)
            if (win->items[i] != none)
                free_tuple((tuple_obj *)win->items[i]);
        free(win->items);
        free(win);
    }
    h->st.allocs += (w ? 2 : 0) + p->n * (1 + k);
}

static heap *malloc_create(const heap_config *cfg) { return heap_new(&malloc_strategy, cfg); }

/* The vtable entries: plain malloc/free, for code that works on any heap. */
static void *plain_alloc(heap *h, const type *t, size_t size)
{
    (void)h, (void)t;
    return malloc(size);
}
static void plain_free(heap *h, void *p, size_t size) { (void)h, (void)size; free(p); }
static void *plain_resize(heap *h, void *p, size_t o, size_t n)
{
    (void)h, (void)o;
    if (n == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, n);
}

static const workload malloc_list_append_wl = { .name = "list_append", .run = malloc_list_append };
static const workload malloc_tuple_create_wl = { .name = "tuple_create", .run = malloc_tuple_create };
static const workload *const malloc_workloads[] = {
    &malloc_list_append_wl, &malloc_tuple_create_wl, NULL
};

const strategy malloc_strategy = {
    .name = "malloc",
    .summary = "reference: refcount's exact malloc/free sequence as a plain C loop",
    .flags = STRAT_REFERENCE,
    .create = malloc_create, .destroy = heap_delete,
    .alloc = plain_alloc, .free = plain_free, .resize = plain_resize,
    .retain = strategy_no_count, .release = strategy_no_count,
    .collect = strategy_nothing, .scope_end = strategy_nothing,
    .workloads = malloc_workloads,
};
