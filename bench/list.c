/*
 * bench/list.c -- lists: an object header plus a separately allocated,
 * over-allocated array of item pointers, grown by a policy.
 */
#include "object.h"

#include <math.h>
#include <string.h>

/* ---- growth policies --------------------------------------------------- */

static const growth_policy policy_cpython = {
    "cpython", "CPython 3.11 list_resize: newsize + newsize/8 + 6, rounded down to 4", 0 };
static const growth_policy policy_1_5 = {
    "1.5", "capacity x 1.5 (at least 4)", 1.5 };
static const growth_policy policy_2_0 = {
    "2.0", "capacity x 2 (at least 4)", 2.0 };

const growth_policy *const growth_policies[] = {
    &policy_cpython, &policy_1_5, &policy_2_0, NULL
};

const growth_policy *growth_policy_find(const char *name)
{
    for (const growth_policy *const *p = growth_policies; *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

size_t growth_capacity(const growth_policy *p, size_t allocated, size_t newsize)
{
    if (newsize == 0)
        return 0;
    if (p->factor == 0) {
        /* CPython 3.11, Objects/listobject.c list_resize():
         *   "This over-allocates proportional to the list size, making room
         *    for additional growth.  The over-allocation is mild, but is
         *    enough to give linear-time amortized behavior over a long
         *    sequence of appends() in the presence of a poorly-performing
         *    system realloc().  Add padding to make the allocated size
         *    multiple of 4.  The growth pattern is: 0, 4, 8, 16, 24, 32, 40,
         *    52, 64, 76, ..."
         * and if the new size is closer to the computed capacity than to the
         * old size (a big extend), it allocates just enough, rounded up to 4.
         * `allocated` plays the part of the old size: for append they differ
         * only when the list was shrunk, which no workload does. */
        size_t cap = (newsize + (newsize >> 3) + 6) & ~(size_t)3;
        size_t oldsize = allocated < newsize ? allocated : newsize;
        if (newsize - oldsize > cap - newsize)
            cap = (newsize + 3) & ~(size_t)3;
        return cap;
    }
    /* Geometric growth: the textbook dynamic array. */
    size_t cap = (size_t)ceil((double)allocated * p->factor);
    if (cap < 4)
        cap = 4;
    return cap < newsize ? newsize : cap;
}

size_t growth_capacity_after(const growth_policy *p, size_t n)
{
    size_t cap = 0;
    for (size_t len = 0; len < n; len++)
        if (len == cap)
            cap = growth_capacity(p, cap, len + 1);
    return cap;
}

/* ---- the list type ----------------------------------------------------- */

static size_t list_size(const obj *o) { (void)o; return LIST_OBJ_SIZE; }

static void list_traverse(heap *h, obj *o, visit_fn visit, void *arg)
{
    list_obj *l = (list_obj *)o;
    for (intptr_t i = 0; i < l->size; i++)
        if (l->items[i])
            visit(h, l->items[i], arg);
}

static void list_dealloc(heap *h, obj *o)
{
    list_obj *l = (list_obj *)o;
    if (l->items)
        h->s->resize(h, l->items, 8 * (size_t)l->allocated, 0);
    l->items = NULL;
    l->allocated = 0;
}

const type list_type = { "list", list_size, list_traverse, list_dealloc };

/* What a move cost -- bytes copied or pages remapped -- only the strategy
   that moved the block knows: it counts them (stats_moved). */
void list_count_resize(heap *h, size_t old, size_t cap, int in_place)
{
    h->st.resizes++;
    h->st.resizes_in_place += (uint64_t)in_place;
    h->st.growth_last = (double)cap / (double)old;
    h->st.growth_sum += h->st.growth_last;
}
