/*
 * bench/shared_read.c -- T threads read one list:
 *
 *     l = [fresh ints]                        # thread 0, SHARED_READ_LEN
 *     every thread:  for i in range(N): x = l[i % len(l)]; s += x; del x
 *     del l                                   # thread 0, when all are done
 *
 * Each visit takes a reference to an item, reads its value and drops the
 * reference: N visits per thread, walking the list N/LEN times (the last
 * walk partial).  No object is made or freed after the list; what is
 * measured is what counting costs when the counts are shared -- the cache
 * lines of the items' counts bouncing between cores under atomic counting,
 * biased counting's shared path for every thread but the owner -- and, with
 * a team of one, the plain updates.
 *
 * The checksum is the sum of the values every thread visited; thread 0
 * returns the team's.  s_poll runs once per visit.
 */
#include "workload.h"
#include "model.h"
#include "team.h"

/* Items in the shared list.  Small enough that building it (1,001
   allocations, by thread 0) is a small part of the team's N visits per
   thread at the sizes that matter (0.1% of the operations at N = 1e6), and
   that it fits in L2 (36 KB): what is measured is count traffic between
   cores, not memory bandwidth. */
#define SHARED_READ_LEN 1000

/* The team's state, in wl_team.shared (zeroed before every run). */
typedef struct shared_read_state {
    list_obj *list;                 /* thread 0's: published by the first
                                       team wait, dropped after the second */
    uint64_t sum;                   /* every thread's checksum, added
                                       atomically before the second wait */
} shared_read_state;

/* The list, rooted in *root while its ints are made.  Its capacity is set
   once, to exactly LEN (as list(range(n)) sizes from the length hint): the
   visits, not the list's growth, are the workload. */
static list_obj *shared_read_build(heap *h, obj **root)
{
    list_obj *l = list_new(h);
    *root = &l->h;
    list_set_capacity(h, l, SHARED_READ_LEN);
    for (size_t i = 0; i < SHARED_READ_LEN; i++) {
        l->items[i] = int_new(h, WL_VALUE(i));
        l->size = (intptr_t)i + 1;
    }
    return l;
}

/* One visit: take a reference, read the value, drop the reference.  The
   empty asm with a memory clobber keeps the compiler from folding the
   increment and the decrement of the same count into nothing: in CPython
   they are separate bytecodes (the loop's item, then the next binding), and
   under plain counting GCC would otherwise remove the very traffic the
   workload measures. */
static inline uint64_t shared_read_visit(heap *h, obj *o, size_t i, const wl_params *p,
                                         wl_result *r)
{
    obj_retain(h, o);
    __asm__ __volatile__("" : : "r"(o) : "memory");
    long v = int_value(o);
    if (p->verify)
        r->bad_values += v != WL_VALUE(i);
    obj_release(h, o);
    return (uint64_t)v;
}

static void shared_read_run(heap *h, const wl_params *p, wl_result *r)
{
    LATENCY_BEGIN(p);
    shared_read_state alone = { 0 };
    shared_read_state *st = p->team ? p->team->shared : &alone;
    const int first = p->team == NULL || p->thread == 0;
    obj *root = NULL;
    heap_push_root(h, &root);
    if (first)
        st->list = shared_read_build(h, &root);
    wl_team_wait(h, p);

    list_obj *l = st->list;
    uint64_t sum = 0;
    for (uint64_t i = 0, j = 0; i < p->n; i++) {
        sum += shared_read_visit(h, l->items[j], j, p, r);
        if (++j == SHARED_READ_LEN)
            j = 0;
        s_poll(h);
        LATENCY_TICK(p);
    }
    LATENCY_FLUSH(p);
    __atomic_fetch_add(&st->sum, sum, __ATOMIC_RELAXED);
    wl_team_wait(h, p);

    r->checksum = first ? st->sum : 0;
    heap_pop_root(h);
    if (first)
        obj_release(h, &l->h);
    s_scope_end(h);
    LATENCY_DROP(p);
}

/* The sum of the first m items' values. */
static uint64_t shared_read_prefix(uint64_t m)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < m; i++)
        sum += (uint64_t)WL_VALUE(i);
    return sum;
}

static uint64_t shared_read_expected(const wl_params *p)
{
    uint64_t T = p->threads > 1 ? p->threads : 1;
    uint64_t walks = p->n / SHARED_READ_LEN, rest = p->n % SHARED_READ_LEN;
    return T * (walks * shared_read_prefix(SHARED_READ_LEN) + shared_read_prefix(rest));
}

/* The list, its block of exactly LEN items, and its ints. */
static uint64_t shared_read_live_peak(const wl_params *p, const wl_result *r)
{
    (void)p, (void)r;
    return LIST_OBJ_SIZE + SHARED_READ_LEN * (8 + INT_OBJ_SIZE);
}

static const workload shared_read_workload = {
    "shared_read", "T threads visit one shared list of 1000 ints N times each: take, read, drop",
    WL_SHARED, shared_read_run, shared_read_expected, shared_read_live_peak,
    sizeof(shared_read_state)
};
