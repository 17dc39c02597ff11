/*
 * bench/tuple_create.c -- `for i in range(N): t = (a, b, c)` with fresh ints
 *
 * Each operation builds a tuple of k fresh ints.  With window W = 0 the tuple
 * dies right away (the common case in Python code: a temporary tuple); with
 * W > 0 the last W tuples are kept in a list used as a ring, so the live set
 * can be varied without changing the operation.
 */
#include "workload.h"
#include "model.h"

static void tuple_create_run(heap *h, const wl_params *p, wl_result *r)
{
    LATENCY_BEGIN(p);
    const unsigned k = p->k;
    list_obj *win = p->window ? list_new_filled(h, p->window) : NULL;
    obj *win_root = win ? &win->h : NULL;
    heap_push_root(h, &win_root);

    /* The new tuple is a root while its ints are made: under a tracing
       strategy, making them may collect.  One slot for the whole loop, as a
       compiled frame has: each tuple replaces the last in it. */
    obj *t_root = NULL;
    heap_push_root(h, &t_root);
    uint64_t v = 0, sum = 0;
    for (uint64_t i = 0; i < p->n; i++) {
        tuple_obj *t = tuple_new(h, k);
        t_root = &t->h;
        for (unsigned j = 0; j < k; j++)
            t->items[j] = int_new(h, WL_VALUE(v + j));

        sum += wl_tuple_value(t, v, k, p, r);
        v += k;

        if (win)
            list_setitem(h, win, i % p->window, &t->h);
        obj_release(h, &t->h);
        s_poll(h);
        LATENCY_TICK(p);
    }
    LATENCY_FLUSH(p);
    r->checksum = sum;

    heap_pop_root(h);
    heap_pop_root(h);
    if (win)
        obj_release(h, &win->h);
    s_scope_end(h);
    LATENCY_DROP(p);
}

static uint64_t tuple_create_expected(const wl_params *p)
{
    uint64_t sum = 0;
    if (p->k > 0)
        for (uint64_t i = 0; i < p->n; i++)
            sum += (uint64_t)WL_VALUE(i * p->k + p->k - 1);
    return sum;
}

/* The window list and its block, plus W + 1 tuples with their ints: the new
   tuple exists before it displaces the oldest. */
static uint64_t tuple_create_live_peak(const wl_params *p, const wl_result *r)
{
    (void)r;
    uint64_t tuples = p->n < p->window + 1 ? p->n : p->window + 1;
    uint64_t win = p->window ? LIST_OBJ_SIZE + 8 * p->window : 0;
    return win + tuples * (TUPLE_OBJ_SIZE(p->k) + INT_OBJ_SIZE * p->k);
}

static const workload tuple_create_workload = {
    "tuple_create", "create N tuples of k fresh ints, keeping the last W alive",
    WL_WINDOW | WL_K, tuple_create_run, tuple_create_expected, tuple_create_live_peak, 0
};
