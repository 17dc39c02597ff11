/*
 * bench/object.h -- a CPython 3.11 (64-bit) object model, byte for byte.
 *
 * Sizes are what sys.getsizeof() reports in CPython 3.11, so that "bytes
 * requested" means what it would in a real Python process:
 *
 *   int    28 bytes for 0 < |v| < 2**30: refcount 8, type 8, size 8, one 30-bit
 *          digit 4 (Include/cpython/longintrepr.h).  sys.getsizeof(1000) == 28.
 *   tuple  40 + 8k bytes: a 16-byte GC header (PyGC_Head, two words) that
 *          CPython puts in front of every container, refcount, type, size, then
 *          k item pointers.  sys.getsizeof((1, 2, 3)) == 64.
 *   list   56 bytes: GC header 16, refcount, type, size, item pointer,
 *          allocated; the items live in a separate block of `allocated`
 *          pointers.  sys.getsizeof([]) == 56.
 *
 * CPython puts the GC header *before* the object; we keep it inside the struct
 * after the refcount and type, so that every object starts with `obj`.  The
 * byte counts are the same, which is what matters here.
 *
 * Small ints -5..256 are preallocated and shared, as in CPython
 * (Objects/longobject.c, _PY_NSMALLPOSINTS/_PY_NSMALLNEGINTS): int_new() of
 * such a value allocates nothing.
 *
 * Every type describes its children (traverse) and what it owns besides them
 * (dealloc), so reference counting and tracing work from one description.
 */
#ifndef MEMSTRAT_OBJECT_H
#define MEMSTRAT_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include "../strategies/strategy.h"

typedef struct obj {
    intptr_t refcnt;            /* refcount; tracing strategies use it as mark word */
    const struct type *type;
} obj;

typedef void (*visit_fn)(heap *h, obj *child, void *arg);

typedef struct type {
    const char *name;
    /* Bytes requested for this object (sys.getsizeof without the item block). */
    size_t (*size)(const obj *o);
    /* Call visit on every non-NULL child object. */
    void (*traverse)(heap *h, obj *o, visit_fn visit, void *arg);
    /* Free what the object owns that is not an object (a list's items).
       Does not touch the children: releasing them is the strategy's job. */
    void (*dealloc)(heap *h, obj *o);
} type;

/* Objects that never die: small ints and None.  Their count starts this high
   so that no sequence of releases in a benchmark brings it to zero, and
   tracing strategies leave them alone. */
#define OBJ_IMMORTAL ((intptr_t)1 << 50)
static inline int obj_is_static(const obj *o) { return o->refcnt >= OBJ_IMMORTAL / 2; }

/* PyGC_Head.  It belongs to the strategy: the object model never writes it
   (a strategy may link the object in while the model fills it in);
   rc_cycle keeps its generations' lists in it, the others leave it alone. */
typedef struct gc_head { uintptr_t next, prev; } gc_head;

typedef struct int_obj {
    obj h;
    intptr_t size;              /* number of 30-bit digits (1; sign in the sign) */
    uint32_t digit;
} int_obj;
#define INT_OBJ_SIZE (offsetof(int_obj, digit) + sizeof(uint32_t))  /* 28 */

typedef struct tuple_obj {
    obj h;
    gc_head gc;
    intptr_t size;
    obj *items[];
} tuple_obj;
#define TUPLE_OBJ_SIZE(k) (offsetof(tuple_obj, items) + 8 * (size_t)(k))  /* 40 + 8k */

typedef struct list_obj {
    obj h;
    gc_head gc;
    intptr_t size;
    obj **items;
    intptr_t allocated;
} list_obj;
#define LIST_OBJ_SIZE sizeof(list_obj)                              /* 56 */

extern const type int_type, tuple_type, list_type, none_type;
extern obj *const none;         /* the shared None */

#define SMALL_INT_MIN (-5)
#define SMALL_INT_MAX 256

/* Creating, counting and destroying objects is in bench/model.h: those
   functions are compiled once per strategy, with its fast paths inlined. */

static inline size_t obj_size(const obj *o) { return o->type->size(o); }

/* Called when a strategy returns NULL: prints "oom: ..." and exits with
   EXIT_OOM.  A benchmark cell that runs out of memory ends cleanly. */
#define EXIT_OOM 3
_Noreturn void oom(const char *what, size_t bytes);

/* ---- ints -------------------------------------------------------------- */

/* Make an int with value v in `mem` (INT_OBJ_SIZE bytes).  An int is 28
   bytes, as in CPython, though sizeof(int_obj) pads it to 32: every field
   written lies within the 28, which GCC cannot tell when it sees a malloc(28)
   inlined next to it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
static inline obj *int_init(void *mem, long v)
{
    int_obj *o = mem;
    o->h.refcnt = 1;
    o->h.type = &int_type;
    o->size = v < 0 ? -1 : 1;
    o->digit = (uint32_t)(v < 0 ? -v : v);
    return &o->h;
}
#pragma GCC diagnostic pop

static inline long int_value(const obj *o)
{
    const int_obj *i = (const int_obj *)o;
    return i->size < 0 ? -(long)i->digit : (long)i->digit;
}
obj *small_int(long v);                 /* the shared object, or NULL */

/* ---- lists ------------------------------------------------------------- */
/* How a list's capacity grows (bench/list.c). */
typedef struct growth_policy {
    const char *name;
    const char *summary;
    double factor;              /* 0: CPython 3.11's formula */
} growth_policy;

extern const growth_policy *const growth_policies[];     /* NULL-terminated */
const growth_policy *growth_policy_find(const char *name);
/* Capacity a list of capacity `allocated` gets when it must hold `newsize`. */
size_t growth_capacity(const growth_policy *p, size_t allocated, size_t newsize);
/* The capacity a list reaches after n appends from empty under policy p. */
size_t growth_capacity_after(const growth_policy *p, size_t n);

/* Record one resize of a list's item block from `old` to `cap` items in the
   heap's statistics (the growth factor, and the bytes copied if it moved). */
void list_count_resize(heap *h, size_t old, size_t cap, int in_place);

#endif
