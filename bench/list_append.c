/*
 * bench/list_append.c -- `l = []; for i in range(N): l.append(i); del l`
 *
 * Each iteration makes a fresh int (values above the small-int cache, as
 * range() yields past 256), appends it -- the list takes a reference -- and
 * drops the temporary reference, exactly the reference traffic of CPython's
 * bytecode.  The list grows by the chosen policy.  Dropping the list frees
 * (or makes collectable) every int and the item block.
 */
#include "workload.h"
#include "model.h"

static void list_append_run(heap *h, const wl_params *p, wl_result *r)
{
    LATENCY_BEGIN(p);
    list_obj *l = list_new(h);
    obj *root = &l->h;
    heap_push_root(h, &root);

    for (uint64_t i = 0; i < p->n; i++) {
        obj *o = int_new(h, WL_VALUE(i));
        list_append(h, l, o, p->policy);
        obj_release(h, o);
        s_poll(h);
        LATENCY_TICK(p);
    }
    LATENCY_FLUSH(p);

    wl_list_result(l, p, r);

    heap_pop_root(h);
    obj_release(h, &l->h);
    s_scope_end(h);
    LATENCY_DROP(p);
}

static uint64_t list_append_expected(const wl_params *p)
{
    if (p->n == 0)
        return 0;
    return p->n + (uint64_t)WL_VALUE(0) + (uint64_t)WL_VALUE(p->n - 1);
}

/* The list header, every int, and the item block at its final capacity:
   growth only ever increases it, and a resize replaces the old block. */
static uint64_t list_append_live_peak(const wl_params *p, const wl_result *r)
{
    return LIST_OBJ_SIZE + INT_OBJ_SIZE * p->n + 8 * r->final_cap;
}

static const workload list_append_workload = {
    "list_append", "append N fresh ints to an empty list, then drop it",
    WL_POLICY, list_append_run, list_append_expected, list_append_live_peak, 0
};
