/*
 * strategies/strategy.h -- the one interface every memory-management strategy
 * implements.  The workloads (bench/) call only what is declared here, so a
 * workload is the same code whatever strategy runs under it.
 *
 * The function pointers are for code that works with any strategy (the
 * harness, the tests); the workloads that are timed call the strategy's fast
 * paths directly, compiled into the strategy's own copy of them
 * (bench/model.h, bench/instance.h).
 *
 * A strategy manages a `heap`.  Each strategy defines its own heap struct with
 * `heap` as its first member, so the common part (configuration, statistics,
 * shadow stack of roots) is reachable from any heap pointer.
 *
 * Vocabulary:
 *   object  a block that starts with an `obj` header (bench/object.h) and has
 *           a type; refcounted strategies free it when its count drops to 0,
 *           tracing strategies when it is unreachable.
 *   block   a variable-size, untyped buffer owned by one object (a list's item
 *           array).  It is never shared, so it needs no header of its own.
 *
 * Byte counts in `heap_stats` are bytes *requested* by the workload (28 for an
 * int, 64 for a 3-tuple, ...), never what the allocator rounded them up to:
 * the difference is exactly the overhead that peak RSS reveals.
 */
#ifndef MEMSTRAT_STRATEGY_H
#define MEMSTRAT_STRATEGY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct obj;
struct type;
struct workload;

typedef struct heap_stats {
    uint64_t live_objects;    /* objects allocated and not yet freed          */
    uint64_t live_bytes;      /* bytes requested by those objects and blocks  */
    uint64_t peak_bytes;      /* high-water mark of live_bytes                */
    uint64_t allocs;          /* objects + blocks allocated, over the heap's life */
    uint64_t collections;     /* tracing collections run                      */
    uint64_t pause_total_ns;  /* time spent in those collections              */
    uint64_t pause_max_ns;    /* longest single collection                    */
    /* Growth of lists' item blocks, counted by bench/list.c. */
    uint64_t resizes;         /* item-block resizes                           */
    uint64_t resizes_in_place;/* ... that kept their address                  */
    /* Counted by the strategy that moved the block (stats_moved). */
    uint64_t bytes_copied;    /* bytes copied to a new address: memcpy, or
                                 the backend's realloc when it moved a block */
    uint64_t bytes_remapped;  /* bytes moved by mremap: pages, no byte copied */
    double growth_sum;        /* sum of new/old capacity over the resizes     */
    double growth_last;       /* new/old capacity of the last resize          */
    uint64_t gen_collections[3]; /* rc_cycle: collections of each generation  */
    /* Threads (STRAT_THREADS strategies, counted in the statistics run only). */
    uint64_t cross_frees;     /* objects freed by a thread (heap) other than
                                 the one that allocated them                 */
    uint64_t queued;          /* rc_biased: objects a non-owner queued to
                                 their owner for merging                     */
} heap_stats;

typedef struct heap_config {
    double heap_factor;       /* marksweep: collect after allocating
                                 (heap_factor - 1) x live bytes of the last GC */
    size_t min_heap;          /* marksweep: live bytes counted as at least this */
    unsigned gc_threshold[3]; /* rc_cycle: CPython's gc.set_threshold()       */
    int big_blocks;           /* marksweep, arena: BIG_BLOCKS_KEEP or _FREE   */
    uint64_t switch_interval_ns; /* rc_gil: hand the lock over this often,
                                 as sys.setswitchinterval()                  */
} heap_config;

/* What marksweep and arena do with a freed big block (strategies/bigblock.c):
   keep it as their real counterparts keep such memory (the default), or give
   it back at once, as the backends mostly do for refcount's. */
enum { BIG_BLOCKS_KEEP, BIG_BLOCKS_FREE };

#define HEAP_FACTOR_DEFAULT 2.0
#define MIN_HEAP_DEFAULT    (256u << 10)
/* CPython's default switch interval, sys.getswitchinterval() == 0.005. */
#define SWITCH_INTERVAL_DEFAULT_NS 5000000u
#define GC_THRESHOLD_DEFAULT { 700, 10, 10 }    /* CPython 3.11's defaults */
#define HEAP_CONFIG_DEFAULT \
    { HEAP_FACTOR_DEFAULT, MIN_HEAP_DEFAULT, GC_THRESHOLD_DEFAULT, BIG_BLOCKS_KEEP, \
      SWITCH_INTERVAL_DEFAULT_NS }

typedef struct strategy strategy;

/* The part of every heap that is common to all strategies. */
typedef struct heap {
    const strategy *s;
    heap_config cfg;
    heap_stats st;
    int counting;             /* keep `st` up to date (see stats_alloc)       */
    struct hist *pauses;      /* each collection pause, in ns, if not NULL    */
    struct obj ***roots;      /* shadow stack: addresses of root slots        */
    size_t nroots, roots_cap;
} heap;

/* Strategy flags. */
enum {
    STRAT_REFCOUNTS = 1u << 0, /* objects die when their count drops to zero  */
    STRAT_TRACES    = 1u << 1, /* objects die when unreachable from the roots */
    STRAT_OWN_HEAP  = 1u << 2, /* does not use the backend allocator at all   */
    STRAT_HEAP_FACTOR = 1u << 3, /* heap_config.heap_factor applies           */
    STRAT_REFERENCE = 1u << 4, /* a reference series (a lower bound), not a
                                  strategy: hand-written loops, no interface */
    STRAT_GENERATIONS = 1u << 5, /* CPython's generations: heap_config.gc_threshold
                                  applies, heap_stats.gen_collections counts */
    STRAT_BIG_BLOCKS = 1u << 6, /* heap_config.big_blocks applies             */
    STRAT_THREADS = 1u << 7,   /* objects may cross threads: an object made on
                                  one thread's heap may be counted and freed
                                  through another's (rc_gil, rc_atomic,
                                  rc_biased).  The others keep each object on
                                  the heap, and the thread, that made it.   */
    STRAT_SERIAL = 1u << 9,    /* one thread runs at a time (rc_gil's lock): a
                                  team's threads wait for each other */
    STRAT_THREAD_PRIVATE = 1u << 8, /* not STRAT_THREADS, but one heap per
                                  thread is safe: no state shared between
                                  heaps, so T threads on T heaps may run the
                                  thread-private workloads at once          */
};

struct strategy {
    const char *name;
    const char *summary;
    unsigned flags;

    /* A new, empty heap, or NULL if out of memory. */
    heap *(*create)(const heap_config *cfg);
    /* Free everything the heap holds, reachable or not. */
    void (*destroy)(heap *h);

    /* Memory for a new object of type t and `size` bytes (uninitialised; the
       caller writes the header), or NULL if out of memory.  The type lets a
       strategy keep per-type free lists or allocate pointer-free objects
       apart. */
    void *(*alloc)(heap *h, const struct type *t, size_t size);
    /* Free an object whose count dropped to zero (refcounting strategies
       only: tracing ones free in their sweep, arenas at scope end). */
    void (*free)(heap *h, void *p, size_t size);
    /* realloc for blocks: p == NULL allocates, new_size == 0 frees.
       Returns NULL if out of memory (p is then still valid). */
    void *(*resize)(heap *h, void *p, size_t old_size, size_t new_size);

    void (*retain)(heap *h, struct obj *o);
    void (*release)(heap *h, struct obj *o);
    /* The count word a new object made on h starts with, where it holds
       more than the count 1 (rc_biased: its owner); NULL: 1. */
    intptr_t (*new_count)(heap *h);

    /* Run a full collection now (no-op where nothing is traced). */
    void (*collect)(heap *h);
    /* The workload's scope ends: everything it allocated is dead. */
    void (*scope_end)(heap *h);

    /* Threads.  A cell with T threads gives each thread a heap of its own
       (create), and each thread brackets its workload with thread_begin and
       thread_end on that heap, and every wait (a full or empty queue, a
       barrier) with blocking_begin and blocking_end, as CPython brackets
       them with Py_BEGIN/END_ALLOW_THREADS: rc_gil takes and drops its lock
       there, rc_biased sets up and drains its thread's merge queue.  poll is
       the eval breaker: the workloads call it once per operation (inlined as
       s_poll in a strategy's own instance).  NULL where there is nothing to
       do: every strategy without STRAT_THREADS. */
    void (*thread_begin)(heap *h);
    void (*thread_end)(heap *h);
    void (*blocking_begin)(heap *h);
    void (*blocking_end)(heap *h);
    void (*poll)(heap *h);

    /* STRAT_OWN_HEAP strategies: name and version of the library that
       manages their heap (reported instead of the backend's). */
    const char *(*version)(void);

    /* The workloads compiled for this strategy (bench/instance.h), NULL-
       terminated; a reference series lists those it has a loop for. */
    const struct workload *const *workloads;

    /* A reference series run by another runtime: the script, relative to
       the source tree, that runs the workload there (harness/cell.c). */
    const char *external;
};

/* ---- registry (strategies/registry.c) ---------------------------------- */
extern const strategy *const strategies[];      /* NULL-terminated */
const strategy *strategy_find(const char *name);

/* ---- helpers shared by the strategies ---------------------------------- */

/* Vtable entries for strategies with nothing to do there. */
void strategy_nothing(heap *h);
void strategy_no_count(heap *h, struct obj *o);

/* Initialise the common part of a freshly allocated heap. */
void heap_init(heap *h, const strategy *s, const heap_config *cfg);
/* Release the shadow stack (and forget the heap's objects in the
   cross-free table); strategies call it from destroy. */
void heap_fini(heap *h);
/* create and destroy for a strategy whose heap is just `heap`. */
heap *heap_new(const strategy *s, const heap_config *cfg);
void heap_delete(heap *h);

/* Accounting for the report, called by the strategies on every allocation
   and free.  It is instrumentation, not part of any strategy: four
   read-modify-writes of the heap per allocation form a dependency chain that
   costs more than a bump allocation itself.  So it runs only when
   h->counting is set: in the tests and in the cell's statistics run, not in
   the timed runs (harness/cell.c), which are checked by their checksum
   instead.  A strategy that needs a count for its own decisions (marksweep's
   trigger) keeps it itself. */
static inline void stats_alloc(heap *h, size_t n, int is_object)
{
    if (!h->counting)
        return;
    h->st.live_objects += (uint64_t)is_object;
    h->st.live_bytes += n;
    h->st.allocs++;
    /* Signed: on a thread's heap that frees objects other threads made
       (issue #16), live_bytes goes "negative" (wraps), which is no peak. */
    if ((int64_t)h->st.live_bytes > (int64_t)h->st.peak_bytes)
        h->st.peak_bytes = h->st.live_bytes;
}

static inline void stats_free(heap *h, size_t n, int is_object)
{
    if (!h->counting)
        return;
    h->st.live_objects -= (uint64_t)is_object;
    h->st.live_bytes -= n;
}

static inline void stats_resize(heap *h, size_t old_size, size_t new_size)
{
    if (!h->counting)
        return;
    h->st.live_bytes += new_size - old_size;   /* wraps correctly when shrinking */
    if ((int64_t)h->st.live_bytes > (int64_t)h->st.peak_bytes)
        h->st.peak_bytes = h->st.live_bytes;
}

/* A resize moved a block of n bytes to a new address: by copying them, or
   by moving its pages (mremap: remapped, nothing copied). */
static inline void stats_moved(heap *h, size_t n, int remapped)
{
    if (!h->counting)
        return;
    if (remapped)
        h->st.bytes_remapped += n;
    else
        h->st.bytes_copied += n;
}

/* Cross-thread frees (strategies/xfree.c): for the STRAT_THREADS
   strategies, a process-wide table of which heap allocated each object, so
   that the heap freeing it can tell whether it is the same one
   (heap_stats.cross_frees).  Counting mode only, as the other statistics:
   the table is behind a mutex. */
void xfree_note(heap *h, void *p);        /* h allocated object p      */
void xfree_forget(heap *h, void *p);      /* h frees p: counts it      */
void xfree_forget_heap(const heap *h);          /* h is destroyed (heap_fini):
                                                   drop what it leaked     */
void xfree_heap_count(int delta);               /* a STRAT_THREADS heap is
                                                   born (+1) or dies (-1)  */
size_t xfree_table_slots(void);                 /* the table's size (tests) */

/* stats_alloc and stats_free for an object of a STRAT_THREADS strategy. */
static inline void stats_alloc_tracked(heap *h, void *p, size_t n)
{
    if (!h->counting)
        return;
    stats_alloc(h, n, 1);
    xfree_note(h, p);
}

static inline void stats_free_tracked(heap *h, void *p, size_t n)
{
    if (!h->counting)
        return;
    stats_free(h, n, 1);
    xfree_forget(h, p);
}

/* An object straight from the backend, counted and tracked: rc_gil's and
   rc_atomic's s_alloc and s_free. */
static inline void *malloc_tracked(heap *h, size_t n)
{
    void *p = malloc(n);
    if (p)
        stats_alloc_tracked(h, p, n);
    return p;
}

static inline void free_tracked(heap *h, void *p, size_t n)
{
    stats_free_tracked(h, p, n);
    free(p);
}

void stats_pause(heap *h, uint64_t ns);        /* record one collection pause */
uint64_t clock_ns(void);                       /* CLOCK_MONOTONIC in ns       */

/* ---- roots: an explicit shadow stack ------------------------------------
   The workloads push the address of every local that holds an object while
   an allocation may happen, for every strategy alike (it costs two stores);
   only tracing strategies read it. */
void heap_roots_grow(heap *h);

static inline void heap_push_root(heap *h, struct obj **slot)
{
    if (h->nroots == h->roots_cap)
        heap_roots_grow(h);
    h->roots[h->nroots++] = slot;
}

static inline void heap_pop_root(heap *h) { h->nroots--; }

/* ---- a growable array of object pointers: mark stacks, worklists -------- */
typedef struct obj_vec {
    struct obj **v;
    size_t n, cap;
} obj_vec;

void obj_vec_grow(obj_vec *a, const char *what);   /* doubles; oom() names what */

static inline void obj_vec_push(obj_vec *a, struct obj *o, const char *what)
{
    if (a->n == a->cap)
        obj_vec_grow(a, what);
    a->v[a->n++] = o;
}

static inline void obj_vec_free(obj_vec *a)
{
    free(a->v);
    *a = (obj_vec){ 0 };
}

/* ---- big blocks (strategies/bigblock.c) ----------------------------------
   One mapping each, grown with mremap (no copy); under BIG_BLOCKS_KEEP the
   largest freed one is kept in the cache for the next big_alloc, until the
   owner's clock says it went unused too long.  The header links the block
   into an owner's list, if the owner keeps one. */
typedef struct big_block {
    struct big_block *next, *prev;
    size_t size;              /* bytes asked for                              */
    size_t map;               /* bytes mapped, this header included           */
} big_block;                  /* 32 bytes: the payload stays 16-byte aligned  */

typedef struct big_cache {
    big_block *spare;         /* the freed mapping kept, or NULL              */
    uint64_t now, since;      /* the owner's clock; when spare was freed      */
    int give_back;            /* BIG_BLOCKS_FREE: keep nothing                */
} big_cache;

void big_cache_init(big_cache *c, const heap_config *cfg);
void *big_alloc(big_cache *c, size_t n);         /* NULL if out of memory     */
void *big_resize(big_cache *c, void *p, size_t n); /* NULL: p is still valid  */
void big_free(big_cache *c, void *p);
/* Advance the owner's clock (marksweep: a collection); give the spare back
   if it has gone unused for max_age ticks. */
void big_cache_tick(big_cache *c, uint64_t max_age);
void big_cache_fini(big_cache *c);
static inline big_block *big_of(void *p) { return (big_block *)p - 1; }

/* Block resize straight over the backend's realloc/free, with accounting:
   for strategies whose blocks are plain backend memory. */
void *malloc_resize(heap *h, void *p, size_t old_size, size_t new_size);


#endif
