/*
 * bench/churn.c -- a long-running process in miniature: a live set of W
 * objects of mixed sizes, one of them replaced at every step.
 *
 *     live = [None] * W
 *     for step in range(N):
 *         live[rng() % W] = an int, a tuple of 1..8 ints or a list of 0..32 ints
 *
 * The kind and size of each new object come from a seeded PRNG (xorshift64*,
 * seed CHURN_SEED), so every strategy sees the same sequence.  The live set
 * stays the same size while its objects come and go in every size class: what
 * it measures is fragmentation -- RSS at the end against the live bytes, and
 * how RSS drifts over time (the timeline chart).  W is --window; 0 means
 * CHURN_DEFAULT_W.
 */
#include <stdlib.h>
#include "workload.h"
#include "model.h"

#define CHURN_SEED      0x9e3779b97f4a7c15ull
#define CHURN_DEFAULT_W 10000

static inline uint64_t churn_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t churn_w(const wl_params *p)
{
    return p->window ? p->window : CHURN_DEFAULT_W;
}

/* One new object, drawn from the PRNG; *v numbers its ints. */
static obj *churn_make(heap *h, uint64_t *rng, uint64_t *v, const growth_policy *pol)
{
    uint64_t r = churn_next(rng);
    switch (r % 3) {
    case 0:
        return int_new(h, WL_VALUE((*v)++));
    case 1: {
        size_t k = 1 + (size_t)(r >> 8) % 8;
        tuple_obj *t = tuple_new(h, k);
        obj *root = &t->h;
        heap_push_root(h, &root);
        for (size_t j = 0; j < k; j++)
            t->items[j] = int_new(h, WL_VALUE((*v)++));
        heap_pop_root(h);
        return &t->h;
    }
    default: {
        size_t n = (size_t)(r >> 8) % 33;
        list_obj *l = list_new(h);
        obj *root = &l->h;
        heap_push_root(h, &root);
        for (size_t j = 0; j < n; j++) {
            obj *x = int_new(h, WL_VALUE((*v)++));
            list_append(h, l, x, pol);
            obj_release(h, x);
        }
        heap_pop_root(h);
        return &l->h;
    }
    }
}

/* The sum of every int in the live set, one level down. */
static uint64_t churn_sum(list_obj *live)
{
    uint64_t sum = 0;
    for (intptr_t i = 0; i < live->size; i++) {
        obj *o = live->items[i];
        if (o->type == &int_type) {
            sum += (uint64_t)int_value(o);
        } else if (o->type == &tuple_type) {
            tuple_obj *t = (tuple_obj *)o;
            for (intptr_t j = 0; j < t->size; j++)
                sum += (uint64_t)int_value(t->items[j]);
        } else if (o->type == &list_type) {
            list_obj *l = (list_obj *)o;
            for (intptr_t j = 0; j < l->size; j++)
                sum += (uint64_t)int_value(l->items[j]);
        }
    }
    return sum;
}

static void churn_run(heap *h, const wl_params *p, wl_result *r)
{
    LATENCY_BEGIN(p);
    const uint64_t w = churn_w(p);
    list_obj *live = list_new_filled(h, w);
    obj *root = &live->h;
    heap_push_root(h, &root);
    uint64_t rng = CHURN_SEED, v = 0;
    for (uint64_t i = 0; i < p->n; i++) {
        size_t slot = (size_t)(churn_next(&rng) % w);
        obj *o = churn_make(h, &rng, &v, p->policy);
        list_setitem(h, live, slot, o);
        obj_release(h, o);
        s_poll(h);
        LATENCY_TICK(p);
    }
    LATENCY_FLUSH(p);
    r->checksum = churn_sum(live);
    heap_pop_root(h);
    obj_release(h, &live->h);
    s_scope_end(h);
    LATENCY_DROP(p);
}

/* The size in bytes of the object churn_make makes from r. */
static uint64_t churn_size(uint64_t r, const growth_policy *pol, uint64_t *ints)
{
    uint64_t k = r % 3 == 0 ? 1 : r % 3 == 1 ? 1 + (r >> 8) % 8 : (r >> 8) % 33;
    *ints = k;
    if (r % 3 == 0)
        return INT_OBJ_SIZE;
    if (r % 3 == 1)
        return TUPLE_OBJ_SIZE(k) + INT_OBJ_SIZE * k;
    return LIST_OBJ_SIZE + 8 * growth_capacity_after(pol, k) + INT_OBJ_SIZE * k;
}

/* Replay the PRNG without allocating: the checksum of the ints left in the
   live set, and the peak of the bytes it holds (a new object is whole
   before it displaces the old one) -- what a perfect reference counter
   holds. */
static void churn_replay(const wl_params *p, uint64_t *sum, uint64_t *peak)
{
    const uint64_t w = churn_w(p);
    uint64_t rng = CHURN_SEED, v = 0;
    uint64_t *first = malloc(w * sizeof *first), *count = calloc(w, sizeof *count);
    uint64_t *bytes = calloc(w, sizeof *bytes);
    if (first == NULL || count == NULL || bytes == NULL)
        oom("churn's replay", 3 * w * sizeof *first);
    uint64_t live = LIST_OBJ_SIZE + 8 * w, top = live;
    for (uint64_t i = 0; i < p->n; i++) {
        size_t slot = (size_t)(churn_next(&rng) % w);
        uint64_t k, size = churn_size(churn_next(&rng), p->policy, &k);
        if (live + size > top)
            top = live + size;
        live += size - bytes[slot];
        bytes[slot] = size;
        first[slot] = v;
        count[slot] = k;
        v += k;
    }
    *sum = 0;
    for (uint64_t s = 0; s < w; s++)
        for (uint64_t j = 0; j < count[s]; j++)
            *sum += (uint64_t)WL_VALUE(first[s] + j);
    *peak = top;
    free(first);
    free(count);
    free(bytes);
}

static uint64_t churn_expected(const wl_params *p)
{
    uint64_t sum, peak;
    churn_replay(p, &sum, &peak);
    return sum;
}

static uint64_t churn_live_peak(const wl_params *p, const wl_result *r)
{
    (void)r;
    uint64_t sum, peak;
    churn_replay(p, &sum, &peak);
    return peak;
}

static const workload churn_workload = {
    "churn", "replace a random one of W live objects of mixed sizes, N times",
    WL_WINDOW | WL_NONE, churn_run, churn_expected, churn_live_peak, 0
};
