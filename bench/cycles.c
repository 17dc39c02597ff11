/*
 * bench/cycles.c -- reference cycles, made and dropped:
 *
 *     for i in range(N):
 *         a = [x]; b = [y]          # two fresh ints
 *         a.append(b); b.append(a)  # each list holds the other
 *         del a, b
 *
 * Dropping the two names leaves each list with a count of one, held by the
 * other: reference counting alone never frees them.  A cycle collector, a
 * tracing collector or an arena reclaims them; `refcount` and `pool` leak
 * them, and the cell reports how much (cells.csv's leaked_bytes).
 */
#include "workload.h"
#include "model.h"

static list_obj *list_of_int(heap *h, long v, const growth_policy *p)
{
    list_obj *l = list_new(h);
    obj *root = &l->h;
    heap_push_root(h, &root);       /* making the int may collect */
    obj *x = int_new(h, v);
    list_append(h, l, x, p);
    obj_release(h, x);
    heap_pop_root(h);
    return l;
}

static void cycles_run(heap *h, const wl_params *p, wl_result *r)
{
    LATENCY_BEGIN(p);
    obj *a_root = NULL, *b_root = NULL;
    heap_push_root(h, &a_root);
    heap_push_root(h, &b_root);
    uint64_t sum = 0;
    for (uint64_t i = 0; i < p->n; i++) {
        list_obj *a = list_of_int(h, WL_VALUE(2 * i), p->policy);
        a_root = &a->h;
        list_obj *b = list_of_int(h, WL_VALUE(2 * i + 1), p->policy);
        b_root = &b->h;
        list_append(h, a, &b->h, p->policy);
        list_append(h, b, &a->h, p->policy);

        /* Read a's int through b, and b's through a: the cycle is there. */
        long x = int_value(((list_obj *)b->items[1])->items[0]);
        long y = int_value(((list_obj *)a->items[1])->items[0]);
        if (p->verify)
            r->bad_values += (x != WL_VALUE(2 * i)) + (y != WL_VALUE(2 * i + 1));
        sum += (uint64_t)y;

        obj_release(h, &a->h);
        obj_release(h, &b->h);
        s_poll(h);
        LATENCY_TICK(p);
    }
    LATENCY_FLUSH(p);
    r->checksum = sum;
    heap_pop_root(h);
    heap_pop_root(h);
    s_scope_end(h);
    LATENCY_DROP(p);
}

static uint64_t cycles_expected(const wl_params *p)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < p->n; i++)
        sum += (uint64_t)WL_VALUE(2 * i + 1);
    return sum;
}

/* One group, the most a perfect collector holds at once: two lists, their
   item blocks (room for two items each) and two ints. */
static uint64_t cycles_live_peak(const wl_params *p, const wl_result *r)
{
    (void)r;
    if (p->n == 0)
        return 0;
    uint64_t block = 8 * growth_capacity_after(p->policy, 2);
    return 2 * (LIST_OBJ_SIZE + block + INT_OBJ_SIZE);
}

static const workload cycles_workload = {
    "cycles", "make N pairs of lists that hold each other, and drop them",
    WL_CYCLIC, cycles_run, cycles_expected, cycles_live_peak, 0
};
