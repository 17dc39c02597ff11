/*
 * bench/object.c -- ints, tuples, None and the generic destruction path.
 * Lists and their growth policies are in bench/list.c.
 */
#include "object.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void oom(const char *what, size_t bytes)
{
    fprintf(stderr, "oom: allocating %zu bytes for %s failed\n", bytes, what);
    fflush(stderr);
    _Exit(EXIT_OOM);
}

/* ---- None -------------------------------------------------------------- */

static size_t none_size(const obj *o) { (void)o; return 16; }

const type none_type = { "NoneType", none_size, NULL, NULL };
static obj none_obj = { OBJ_IMMORTAL, &none_type };
obj *const none = &none_obj;

/* ---- ints -------------------------------------------------------------- */

static size_t int_size(const obj *o) { (void)o; return INT_OBJ_SIZE; }

const type int_type = { "int", int_size, NULL, NULL };

/* The small-int cache, filled on first use.  Values stay below 2**30, so one
   30-bit digit always suffices: that is the only int shape a workload makes. */
#define NSMALL (SMALL_INT_MAX - SMALL_INT_MIN + 1)
static int_obj small_ints[NSMALL];

static void small_ints_init(void)
{
    for (int i = 0; i < NSMALL; i++) {
        long v = SMALL_INT_MIN + i;
        small_ints[i] = (int_obj){ { OBJ_IMMORTAL, &int_type },
                                   v < 0 ? -1 : (v > 0), (uint32_t)labs(v) };
    }
}

obj *small_int(long v)
{
    if (v < SMALL_INT_MIN || v > SMALL_INT_MAX)
        return NULL;
    if (small_ints[0].h.type == NULL)
        small_ints_init();
    return &small_ints[v - SMALL_INT_MIN].h;
}

/* ---- tuples ------------------------------------------------------------ */

static size_t tuple_size(const obj *o)
{
    return TUPLE_OBJ_SIZE(((const tuple_obj *)o)->size);
}

static void tuple_traverse(heap *h, obj *o, visit_fn visit, void *arg)
{
    tuple_obj *t = (tuple_obj *)o;
    for (intptr_t i = 0; i < t->size; i++)
        if (t->items[i])
            visit(h, t->items[i], arg);
}

const type tuple_type = { "tuple", tuple_size, tuple_traverse, NULL };
