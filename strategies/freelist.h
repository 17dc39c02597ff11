/*
 * strategies/freelist.h -- CPython 3.11's free lists of dead tuples and
 * lists, for the strategies that model its allocation: pool and
 * cpython_model.
 *
 * A dying tuple or list is parked here instead of being freed, and the next
 * one of its kind reuses it without touching the allocator:
 *
 *   - tuples of 1..19 items, up to 2000 of each size, linked through their
 *     first item (Objects/tupleobject.c: PyTuple_MAXSAVESIZE 20,
 *     PyTuple_MAXFREELIST 2000);
 *   - lists, up to 80, in an array used as a stack; a list's item block is
 *     freed before the list is parked (Objects/listobject.c,
 *     Include/internal/pycore_list.h: PyList_MAXFREELIST 80).
 */
#ifndef MEMSTRAT_FREELIST_H
#define MEMSTRAT_FREELIST_H

#include "../bench/object.h"

#define TUPLE_MAXSAVE    20
#define TUPLE_MAXFREE    2000
#define LIST_MAXFREE     80

typedef struct freelists {
    tuple_obj *tuple[TUPLE_MAXSAVE];    /* by size; [0] unused: () is shared */
    unsigned ntuple[TUPLE_MAXSAVE];
    list_obj *list[LIST_MAXFREE];
    unsigned nlist;
} freelists;

/* A parked object of type t and `size` bytes, or NULL. */
static inline void *freelist_pop(freelists *f, const type *t, size_t size)
{
    if (t == &tuple_type) {
        size_t k = (size - TUPLE_OBJ_SIZE(0)) / 8;
        if (k < TUPLE_MAXSAVE && f->tuple[k]) {
            tuple_obj *tp = f->tuple[k];
            f->tuple[k] = (tuple_obj *)tp->items[0];
            f->ntuple[k]--;
            return tp;
        }
    } else if (t == &list_type && f->nlist > 0) {
        return f->list[--f->nlist];
    }
    return NULL;
}

/* Park a dying tuple or list: 1 if it was kept, 0 if it is to be freed. */
static inline int freelist_push(freelists *f, obj *o)
{
    if (o->type == &tuple_type) {
        size_t k = (size_t)((tuple_obj *)o)->size;
        /* k == 0 has no item slot to link through; CPython shares () anyway. */
        if (k > 0 && k < TUPLE_MAXSAVE && f->ntuple[k] < TUPLE_MAXFREE) {
            ((tuple_obj *)o)->items[0] = (obj *)f->tuple[k];
            f->tuple[k] = (tuple_obj *)o;
            f->ntuple[k]++;
            return 1;
        }
    } else if (o->type == &list_type && f->nlist < LIST_MAXFREE) {
        f->list[f->nlist++] = (list_obj *)o;
        return 1;
    }
    return 0;
}

/* Take any parked object out, to free it (when the free lists are emptied):
   NULL when there is none; *size is its size in bytes. */
static inline void *freelist_take(freelists *f, size_t *size)
{
    if (f->nlist > 0) {
        *size = LIST_OBJ_SIZE;
        return f->list[--f->nlist];
    }
    for (size_t k = 1; k < TUPLE_MAXSAVE; k++)
        if (f->tuple[k]) {
            *size = TUPLE_OBJ_SIZE(k);
            return freelist_pop(f, &tuple_type, *size);
        }
    return NULL;
}

#endif
