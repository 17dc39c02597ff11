/*
 * strategies/marksweep.c -- a precise, non-moving mark-sweep collector with
 * its own size-segregated heap, mark bitmaps and lazy sweeping.
 *
 * Precise: the collector knows every pointer.  Roots are the slots the
 * workload registered on the shadow stack (heap_push_root), and an object's
 * children are what its type holds; nothing is guessed from the machine
 * stack, unlike Boehm's conservative scan.
 *
 * The heap (the layout of most production non-moving collectors):
 *
 *   - Objects of up to 512 bytes live in 64 KiB *pages*, aligned to 64 KiB,
 *     each holding slots of one size class (multiples of 16 bytes, as in
 *     pool.c).  The page header is at the page's start, so an object's page
 *     is its address masked.
 *   - Mark bits live in the page header, one per 16-byte granule, so marking
 *     writes to one small bitmap instead of every object, and clearing them
 *     is a memset per page.
 *   - A new page is carved by bumping an offset; a swept page hands out its
 *     dead slots through a free list threaded through the slots.  A free slot
 *     has a NULL type.
 *   - Larger objects get their own backend allocation with a header, on a
 *     list swept at the end of each collection.  Item blocks are owned by
 *     their list and freed at the collection that finds the list dead: small
 *     ones from the backend, those of 64 KiB and more as big blocks
 *     (strategies/bigblock.c), the largest freed one kept for reuse, as a
 *     large-object space keeps its pages, until KEEP_COLLECTIONS pass
 *     without reuse.
 *
 * Lazy sweeping: a collection only marks.  Each page is swept later, when
 * its class runs out of free slots, so the cost of sweeping is spread over
 * allocation, the pause is the mark alone, and a page is swept while its
 * slots are about to be reused (they are in cache when they are handed out).
 * Objects allocated after a collection sit above the page's sweep limit, the
 * carved offset at collection time, so the sweep never sees them.  A page
 * still unswept at the next collection is simply swept after it: what was
 * dead then is unmarked now.
 *
 * When to collect -- the pacing rule of most tracing runtimes (Lua's pause,
 * Go's GOGC): after a collection leaves L live bytes, the program may
 * allocate
 *
 *        budget = max((heap_factor - 1) x max(L, min_heap), slots held - L)
 *
 * bytes before the next one, counted a page refill at a time.  heap_factor
 * is the time-space knob: 1.25 collects often in a tight heap, 4 rarely in a
 * large one; min_heap keeps a small live set from making the cycles short.
 * Pages are never given back, so once the heap has grown, the next
 * collection waits until its pages are used up (collecting sooner saves no
 * memory).  A cycle allocates at least half its budget, so the number of
 * collections is at most about 2 x bytes allocated / budget, whatever the
 * live set (tests/core_marksweep.c checks it over windows and factors).
 * Collections start only in object allocation, never in a block resize, so
 * a workload holds no unrooted object across a list append.
 *
 * Accounting for the report: live_bytes is set to the marked bytes at the
 * end of each mark (the dead are dead then, whenever their slots are reused),
 * and grows with every allocation after it.
 */
#include <stdlib.h>
#include <string.h>
#include "strategy.h"
#include "../bench/model.h"

extern const strategy marksweep_strategy;

#define GRANULE      16
#define SMALL_LIMIT  512
#define NCLASSES     (SMALL_LIMIT / GRANULE)
#define PAGE_SIZE    ((size_t)64 << 10)
#define NGRANULES    (PAGE_SIZE / GRANULE)
#define CLASS_OF(n)  (((n) - 1) / GRANULE)
#define CLASS_SIZE(c) (((size_t)(c) + 1) * GRANULE)
#define BIG_LIMIT    ((size_t)64 << 10)
/* A freed big block unused for this many collections is given back, as
   bdwgc's GC_unmap_threshold (6) gives back its free blocks
   (strategies/bigblock.c). */
#define KEEP_COLLECTIONS 6

typedef struct ms_page {
    struct ms_page *next;       /* the pages of this class                     */
    uint32_t cls;
    uint32_t top;               /* slots below this offset have been carved    */
    uint32_t sweep_limit;       /* ... and below this one, marked last time    */
    uint32_t pad;
    uint64_t marks[NGRANULES / 64];
} ms_page;

#define PAGE_OF(p)   ((ms_page *)((uintptr_t)(p) & ~(uintptr_t)(PAGE_SIZE - 1)))
#define FIRST_SLOT   ((sizeof(ms_page) + GRANULE - 1) / GRANULE * GRANULE)

typedef struct ms_class {
    void *free;                 /* swept free slots, linked through word 0     */
    char *bump, *bump_end;      /* the rest of the page being carved           */
    ms_page *bump_page;         /* ... that page, or NULL                      */
    ms_page *pages;             /* every page of the class                     */
    ms_page *unswept;           /* next page to sweep (a suffix of `pages`)    */
} ms_class;

typedef struct ms_large {
    struct ms_large *next;
    size_t size;
    uintptr_t mark;
    uintptr_t pad;              /* keep the object 16-byte aligned             */
} ms_large;

typedef struct ms_heap {
    heap base;
    ms_class cls[NCLASSES];
    ms_large *large;
    uint64_t allocated;         /* bytes handed out since the last collection  */
    uint64_t slot_bytes;        /* bytes of slots in the pages held (pages are
                                   never given back)                           */
    uint64_t budget;            /* ... at which the next one runs              */
    uint64_t marked_bytes, marked_objects;
    int sweeping;               /* block frees during a sweep are not counted  */
    big_cache cache;            /* the big item block kept for reuse           */
    obj_vec owners;             /* objects whose type has a dealloc: they own
                                   memory outside the heap (a list's block)    */
    obj_vec stack;              /* mark stack: explicit, so deep structures
                                   cannot overflow the C stack                 */
} ms_heap;

/* The size of an object, without the indirect call for the model's types. */
static inline size_t ms_size(const obj *o)
{
    if (o->type == &int_type)
        return INT_OBJ_SIZE;
    if (o->type == &tuple_type)
        return TUPLE_OBJ_SIZE(((const tuple_obj *)o)->size);
    if (o->type == &list_type)
        return LIST_OBJ_SIZE;
    return obj_size(o);
}

/* ---- mark -------------------------------------------------------------- */

static inline int is_marked(obj *o, size_t size)
{
    if (size > SMALL_LIMIT)
        return ((ms_large *)o - 1)->mark != 0;
    ms_page *pg = PAGE_OF(o);
    size_t g = ((uintptr_t)o - (uintptr_t)pg) / GRANULE;
    return (pg->marks[g / 64] >> (g % 64)) & 1;
}

/* Set o's mark; return 1 if it was not set. */
static inline int set_mark(obj *o, size_t size)
{
    if (size > SMALL_LIMIT) {
        ms_large *l = (ms_large *)o - 1;
        if (l->mark)
            return 0;
        l->mark = 1;
        return 1;
    }
    ms_page *pg = PAGE_OF(o);
    size_t g = ((uintptr_t)o - (uintptr_t)pg) / GRANULE;
    uint64_t bit = (uint64_t)1 << (g % 64);
    if (pg->marks[g / 64] & bit)
        return 0;
    pg->marks[g / 64] |= bit;
    return 1;
}

/* What a mark finds live, counted in locals: a counter in the heap would be
   a chain of dependent read-modify-writes through memory. */
typedef struct tally { uint64_t objects, bytes; } tally;

static inline void mark_one(ms_heap *m, tally *n, obj *o)
{
    if (o == NULL || obj_is_static(o))
        return;
    size_t size = ms_size(o);
    if (!set_mark(o, size))
        return;
    n->objects++;
    n->bytes += size;
    if (o->type == &int_type)
        return;                 /* a leaf: nothing to scan later */
    obj_vec_push(&m->stack, o, "the mark stack");
}

static void mark_visit(heap *h, obj *o, void *arg)
{
    mark_one((ms_heap *)h, arg, o);
}

static void scan(ms_heap *m, tally *n, obj *o)
{
    if (o->type == &tuple_type) {
        tuple_obj *t = (tuple_obj *)o;
        for (intptr_t i = 0; i < t->size; i++)
            mark_one(m, n, t->items[i]);
    } else if (o->type == &list_type) {
        list_obj *l = (list_obj *)o;
        n->bytes += 8 * (uint64_t)l->allocated;             /* its item block */
        for (intptr_t i = 0; i < l->size; i++)
            mark_one(m, n, l->items[i]);
    } else if (o->type->traverse) {
        o->type->traverse(&m->base, o, mark_visit, n);
    }
}

static void mark(ms_heap *m)
{
    heap *h = &m->base;
    tally n = { 0, 0 };
    for (size_t i = 0; i < h->nroots; i++)
        mark_one(m, &n, *h->roots[i]);
    while (m->stack.n > 0)
        scan(m, &n, m->stack.v[--m->stack.n]);
    m->marked_objects = n.objects;
    m->marked_bytes = n.bytes;
}

/* ---- sweep ------------------------------------------------------------- */

/* A dead object gives back what it owns.  Its bytes were already taken off
   live_bytes at the end of the mark, so the block frees are not counted. */
static void finalize(ms_heap *m, obj *o)
{
    if (o->type->dealloc) {
        m->sweeping = 1;
        o->type->dealloc(&m->base, o);
        m->sweeping = 0;
    }
}

/* Sweep one page: every carved, unmarked slot below the sweep limit joins
   the class's free list.  Returns the bytes it freed. */
static size_t sweep_page(ms_heap *m, ms_page *pg)
{
    ms_class *c = &m->cls[pg->cls];
    size_t size = CLASS_SIZE(pg->cls);
    void *free_list = c->free;
    size_t freed = 0;
    for (size_t off = FIRST_SLOT; off + size <= pg->sweep_limit; off += size) {
        size_t g = off / GRANULE;
        if (pg->marks[g / 64] & ((uint64_t)1 << (g % 64)))
            continue;
        obj *o = (obj *)((char *)pg + off);
        if (o->type != NULL) {
            finalize(m, o);
            o->type = NULL;
        }
        *(void **)o = free_list;
        free_list = o;
        freed += size;
    }
    pg->sweep_limit = 0;
    c->free = free_list;
    return freed;
}

/* Where the bump page's carving has got to, for the sweep and destroy. */
static void sync_top(ms_class *c)
{
    if (c->bump_page)
        c->bump_page->top = (uint32_t)(c->bump - (char *)c->bump_page);
}

static void sweep_large(ms_heap *m)
{
    ms_large **link = &m->large;
    while (*link) {
        ms_large *l = *link;
        if (l->mark) {
            l->mark = 0;
            link = &l->next;
        } else {
            *link = l->next;
            finalize(m, (obj *)(l + 1));
            free(l);
        }
    }
}

/* Objects that own memory outside the heap give it back at the collection
   that finds them dead, not when their page is swept: a page of lists may
   not need sweeping for a long time (one list per workload run), and the
   8 MiB item block of a dead list must not wait for it.  Their slot is left
   with a NULL type for the lazy sweep to take. */
static void finalize_owners(ms_heap *m)
{
    size_t keep = 0;
    for (size_t i = 0; i < m->owners.n; i++) {
        obj *o = m->owners.v[i];
        if (is_marked(o, ms_size(o))) {
            m->owners.v[keep++] = o;
        } else {
            finalize(m, o);
            o->type = NULL;
        }
    }
    m->owners.n = keep;
}

/* ---- collect ----------------------------------------------------------- */

/* The slots on a class's free list were counted against the budget when a
   sweep freed them.  Marking them keeps them there: the coming sweep skips
   them, and they are neither thrown away nor counted a second time.  (When
   a collection dropped them, two classes whose refills each spent the
   budget could take turns collecting after a handful of objects.) */
static void keep_free_list(ms_class *c, size_t size)
{
    for (void *p = c->free; p; p = *(void **)p)
        set_mark(p, size);
}

/* What the program may allocate before the next collection, once `live`
   bytes survived this one: (heap_factor - 1) x live, as Lua's pause and Go's
   GOGC set it, with live taken as at least min_heap -- Go scales its minimum
   heap by GOGC the same way -- so that a small live set does not make the
   cycles short; and at least the slots of the pages held beyond live, since
   pages are never given back and collecting before they are used up would
   cost time and save no memory. */
static void set_budget(ms_heap *m, uint64_t live)
{
    const heap_config *cfg = &m->base.cfg;
    double paced = (double)(live > cfg->min_heap ? live : cfg->min_heap);
    double headroom = (cfg->heap_factor - 1) * paced;
    double held = (double)m->slot_bytes - (double)live;
    m->budget = (uint64_t)(headroom > held ? headroom : held);
    m->allocated = 0;
}

static void ms_collect(heap *h)
{
    ms_heap *m = (ms_heap *)h;
    uint64_t t0 = clock_ns();
    /* Start every page afresh: its carved slots are unswept up to where they
       are carved now.  Slots still unswept from the last cycle hold objects
       that were dead then and are unmarked now: the coming sweep frees them
       as it would have. */
    for (unsigned i = 0; i < NCLASSES; i++) {
        ms_class *c = &m->cls[i];
        sync_top(c);
        c->unswept = c->pages;
        for (ms_page *pg = c->pages; pg; pg = pg->next) {
            memset(pg->marks, 0, sizeof pg->marks);
            pg->sweep_limit = pg->top;
        }
        keep_free_list(c, CLASS_SIZE(i));
    }
    big_cache_tick(&m->cache, KEEP_COLLECTIONS);
    mark(m);
    finalize_owners(m);
    sweep_large(m);
    if (h->counting) {
        h->st.live_bytes = m->marked_bytes;
        h->st.live_objects = m->marked_objects;
    }
    set_budget(m, m->marked_bytes);
    stats_pause(h, clock_ns() - t0);
}

/* ---- allocation -------------------------------------------------------- */

/* What a page of class cls holds: its whole slots.  A new page and the
   sweeps of a page count at most this, so a budget of the pages held is
   spent exactly when every slot has been handed out. */
static size_t page_slot_bytes(unsigned cls)
{
    size_t size = CLASS_SIZE(cls);
    return (PAGE_SIZE - FIRST_SLOT) / size * size;
}

static ms_page *page_new(ms_heap *m, unsigned cls)
{
    void *mem;
    if (posix_memalign(&mem, PAGE_SIZE, PAGE_SIZE) != 0)
        return NULL;
    ms_page *pg = mem;
    ms_class *c = &m->cls[cls];
    m->slot_bytes += page_slot_bytes(cls);
    memset(pg, 0, sizeof *pg);
    pg->cls = cls;
    pg->top = (uint32_t)FIRST_SLOT;
    /* New pages go in front: the unswept suffix of the list stays as it is. */
    pg->next = c->pages;
    c->pages = pg;
    return pg;
}

/* Sweep the class's next unswept pages until one yields a free slot,
   counting what each frees against the budget. */
static void *sweep_for_slot(ms_heap *m, ms_class *c)
{
    while (c->unswept) {
        ms_page *pg = c->unswept;
        c->unswept = pg->next;
        m->allocated += sweep_page(m, pg);
        if (c->free) {
            void *p = c->free;
            c->free = *(void **)p;
            return p;
        }
    }
    return NULL;
}

/* Slow path: the class has no free slot and its bump page is used up.
   Sweep its next unswept page, or start a new page.  Allocation is counted
   against the budget here, a refill at a time (the slots a sweep freed, or a
   whole new page), not object by object -- as Go's allocator counts a span
   when a cache takes it -- so the fast path counts nothing.

   A collection runs once the budget is spent, as Go's and Lua's do: the
   refill that spends it is taken first.  A new page grows the heap, so it
   must fit in the budget; if it does not, the heap collects first -- but
   only once half the budget is spent: a collection can free no more than
   was allocated since the last, and one class may run out of pages while
   the others have room.  So a cycle allocates at least half its budget.
   (Asking every refill to fit whole in what was left made every refill
   collect once the budget was under a page: 35,812 ns per tuple at window
   1300, heap factor 1.25.  Growing whenever the budget was not spent let
   the pages held, counted in the budget, grow it without end.) */
static __attribute__((noinline)) void *alloc_slow(ms_heap *m, unsigned cls)
{
    ms_class *c = &m->cls[cls];
    size_t size = CLASS_SIZE(cls);
    int collected = m->allocated >= m->budget;
    if (collected)
        ms_collect(&m->base);
    void *p = sweep_for_slot(m, c);
    if (p == NULL && !collected && m->allocated + page_slot_bytes(cls) > m->budget &&
        m->allocated >= m->budget / 2) {
        ms_collect(&m->base);
        p = sweep_for_slot(m, c);
    }
    if (p != NULL)
        return p;
    sync_top(c);
    ms_page *pg = page_new(m, cls);
    if (pg == NULL)
        return NULL;
    c->bump_page = pg;
    c->bump = (char *)pg + FIRST_SLOT + size;
    c->bump_end = (char *)pg + PAGE_SIZE;
    m->allocated += page_slot_bytes(cls);
    return (char *)pg + FIRST_SLOT;
}

static __attribute__((noinline)) void *alloc_large(ms_heap *m, size_t size)
{
    if (m->allocated >= m->budget)
        ms_collect(&m->base);
    m->allocated += size;
    ms_large *l = malloc(sizeof *l + size);
    if (l == NULL)
        return NULL;
    *l = (ms_large){ .next = m->large, .size = size };
    m->large = l;
    return l + 1;
}

/* ---- fast paths, inlined into the workloads ----------------------------- */

static inline void *s_alloc(heap *h, const type *t, size_t size)
{
    ms_heap *m = (ms_heap *)h;
    void *p;
    if (size > SMALL_LIMIT) {
        p = alloc_large(m, size);
    } else {
        ms_class *c = &m->cls[CLASS_OF(size)];
        if ((p = c->free) != NULL) {
            c->free = *(void **)p;
        } else if ((size_t)(c->bump_end - c->bump) >= CLASS_SIZE(CLASS_OF(size))) {
            p = c->bump;
            c->bump += CLASS_SIZE(CLASS_OF(size));
        } else {
            p = alloc_slow(m, (unsigned)CLASS_OF(size));
        }
    }
    if (p == NULL)
        return NULL;
    if (t->dealloc)
        obj_vec_push(&m->owners, p, "the marksweep owner list");
    stats_alloc(h, size, 1);
    return p;
}

static inline void s_free(heap *h, void *p, size_t size)
{
    (void)h, (void)p, (void)size;   /* never called: the sweep frees */
}

/* An item block: from the backend below BIG_LIMIT, a big block from it up;
   moved from one to the other when a resize crosses the line.  A move is
   counted as what it cost: big blocks move their pages, the rest is copied
   (realloc's moves included). */
static void *block_resize(ms_heap *m, void *p, size_t old_size, size_t new_size)
{
    int was_big = p != NULL && old_size >= BIG_LIMIT, big = new_size >= BIG_LIMIT;
    if (new_size == 0) {
        if (was_big)
            big_free(&m->cache, p);
        else
            free(p);
        return NULL;
    }
    if (p == NULL)
        return big ? big_alloc(&m->cache, new_size) : malloc(new_size);
    void *q;
    if (was_big == big) {
        q = big ? big_resize(&m->cache, p, new_size) : realloc(p, new_size);
    } else {
        q = big ? big_alloc(&m->cache, new_size) : malloc(new_size);
        if (q) {
            memcpy(q, p, old_size < new_size ? old_size : new_size);
            block_resize(m, p, old_size, 0);
        }
    }
    if (q && q != p)
        stats_moved(&m->base, old_size < new_size ? old_size : new_size, was_big && big);
    return q;
}

/* Item blocks count towards the next collection as they grow.  A block
   freed by a collection was already taken off the live bytes. */
static inline void *s_resize(heap *h, void *p, size_t old_size, size_t new_size)
{
    ms_heap *m = (ms_heap *)h;
    void *q = block_resize(m, p, old_size, new_size);
    if (new_size == 0) {
        if (!m->sweeping)
            stats_free(h, old_size, 0);
        return NULL;
    }
    if (q == NULL)
        return NULL;
    if (new_size > old_size)
        m->allocated += new_size - old_size;
    if (p == NULL)
        stats_alloc(h, new_size, 0);
    else
        stats_resize(h, old_size, new_size);
    return q;
}

static inline void s_retain(heap *h, obj *o)  { (void)h, (void)o; }
static inline void s_release(heap *h, obj *o) { (void)h, (void)o; }
static inline void s_scope_end(heap *h)       { (void)h; }

#include "../bench/instance.h"

/* ---- the rest ---------------------------------------------------------- */

static heap *ms_create(const heap_config *cfg)
{
    ms_heap *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    heap_init(&m->base, &marksweep_strategy, cfg);
    big_cache_init(&m->cache, cfg);
    set_budget(m, 0);
    return &m->base;
}

/* Free everything: every allocated object gives back its block, then the
   pages go. */
static void ms_destroy(heap *h)
{
    ms_heap *m = (ms_heap *)h;
    for (unsigned i = 0; i < NCLASSES; i++) {
        size_t size = CLASS_SIZE(i);
        sync_top(&m->cls[i]);
        ms_page *pg = m->cls[i].pages;
        while (pg) {
            ms_page *next = pg->next;
            for (size_t off = FIRST_SLOT; off + size <= pg->top; off += size) {
                obj *o = (obj *)((char *)pg + off);
                if (o->type != NULL)
                    finalize(m, o);
            }
            free(pg);
            pg = next;
        }
    }
    while (m->large) {
        ms_large *l = m->large;
        m->large = l->next;
        finalize(m, (obj *)(l + 1));
        free(l);
    }
    obj_vec_free(&m->stack);
    obj_vec_free(&m->owners);
    big_cache_fini(&m->cache);
    heap_fini(h);
    free(m);
}

const strategy marksweep_strategy = {
    .name = "marksweep",
    .summary = "precise mark-sweep: size-class pages, mark bitmaps, lazy sweep",
    .flags = STRAT_TRACES | STRAT_HEAP_FACTOR | STRAT_BIG_BLOCKS | STRAT_THREAD_PRIVATE,
    .create = ms_create, .destroy = ms_destroy,
    .alloc = s_alloc, .free = s_free, .resize = s_resize,
    .retain = s_retain, .release = s_release,
    .collect = ms_collect, .scope_end = s_scope_end,
    .workloads = instance_workloads,
};
