/*
 * strategies/xfree.c -- which heap allocated an object, for counting
 * cross-thread frees (heap_stats.cross_frees) under the threaded strategies.
 *
 * One process-wide table, object address -> allocating heap, behind one
 * mutex: open addressing with linear probing, deleted by backward shift (no
 * tombstones, so a long run of allocations and frees never degrades it).
 * It is instrumentation, like stats_alloc: only heaps with h->counting set
 * use it (tests and the cell's statistics run), never a timed run, where a
 * lock per allocation would measure the lock.  And it must not disturb what
 * the timed runs see: the cell's warm-up counts, on the heap the timed runs
 * then use, so a table in the backend's heap (32 MiB for list_append at
 * 1e6) moved glibc's mmap threshold and mimalloc's pages for the runs after
 * it (list_append 1e6 on glibc: rc_gil 350 ns/op against refcount's 33,
 * same code but this table) and added itself to the cell's peak RSS.  So
 * its memory is mapped apart, given back when the last two threaded heaps
 * are no more (xfree_heap_count), and
 * the table is used only while two heaps of threaded strategies exist: with
 * one, no object can cross, and at T = 1 the table never exists.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include "strategy.h"
#include "../bench/object.h"

typedef struct xfree_slot {
    const void *p;              /* NULL: empty */
    const heap *owner;
} xfree_slot;

/* 1024 slots to start: a few tests' worth of live objects, 16 KiB.  The
   table doubles at half full, so probes stay short. */
#define XFREE_MIN_CAP 1024

static struct {
    pthread_mutex_t mu;
    xfree_slot *slot;
    size_t cap, n;              /* cap a power of two (or 0 before the first) */
} table = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };

static void unmap(xfree_slot *s, size_t cap)
{
    if (s)
        munmap(s, cap * sizeof *s);
}

/* Live heaps of STRAT_THREADS strategies (heap_init, heap_fini). */
static atomic_uint heaps;

/* The table goes when no object can cross any more (one threaded heap or
   none left), not whenever it empties: tuple_create empties it after every
   tuple, and a mapping made and given back per tuple cost 2.5 minutes of
   system time for one run of 1e6 at two threads. */
void xfree_heap_count(int delta)
{
    unsigned now = atomic_fetch_add_explicit(&heaps, (unsigned)delta, memory_order_relaxed) +
                   (unsigned)delta;
    if (delta < 0 && now <= 1) {
        pthread_mutex_lock(&table.mu);
        unmap(table.slot, table.cap);
        table.slot = NULL;
        table.cap = table.n = 0;
        pthread_mutex_unlock(&table.mu);
    }
}

static int crossing_possible(void)
{
    return atomic_load_explicit(&heaps, memory_order_relaxed) > 1;
}

/* Fibonacci hashing: malloc'd addresses differ in their middle bits, and the
   multiply spreads those over the top bits, which are kept -- the top
   log2(cap) bits.  Bits 32 and up, masked, were not enough: 200,000
   addresses 32 bytes apart fell into 128,243 slots of 4 Mi, and the probe
   runs made one tuple_create 1e6 run at two threads take minutes. */
static size_t slot_of(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u;
    return (size_t)(x >> (64 - __builtin_ctzll((unsigned long long)cap)));
}

/* Where p is, or the empty slot that ends its probe sequence. */
static size_t find(const void *p)
{
    size_t i = slot_of(p, table.cap);
    while (table.slot[i].p != NULL && table.slot[i].p != p)
        i = (i + 1) & (table.cap - 1);
    return i;
}


static void grow(void)
{
    size_t old_cap = table.cap, cap = old_cap ? 2 * old_cap : XFREE_MIN_CAP;
    xfree_slot *old = table.slot;
    void *m = mmap(NULL, cap * sizeof *table.slot, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        oom("the cross-free table", cap * sizeof *table.slot);
    table.slot = m;
    table.cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].p)
            table.slot[find(old[i].p)] = old[i];
    unmap(old, old_cap);
}

/* Empty slot i, and move back every entry after it that probed past it, so
   that no lookup stops early at the hole (Knuth 6.4, algorithm R). */
static void remove_at(size_t i)
{
    size_t mask = table.cap - 1;
    for (size_t j = (i + 1) & mask; table.slot[j].p != NULL; j = (j + 1) & mask) {
        size_t home = slot_of(table.slot[j].p, table.cap);
        /* j's entry may move to i if i lies cyclically in [home, j). */
        if (((j - home) & mask) >= ((j - i) & mask)) {
            table.slot[i] = table.slot[j];
            i = j;
        }
    }
    table.slot[i] = (xfree_slot){ NULL, NULL };
    table.n--;
}

void xfree_note(heap *h, void *p)
{
    if (!crossing_possible())
        return;
    pthread_mutex_lock(&table.mu);
    if (2 * (table.n + 1) > table.cap)
        grow();
    size_t i = find(p);
    /* An address freed while its heap was not counting is still here: the
       new object replaces it. */
    table.n += table.slot[i].p == NULL;
    table.slot[i] = (xfree_slot){ p, h };
    pthread_mutex_unlock(&table.mu);
}

void xfree_forget(heap *h, void *p)
{
    const heap *owner = NULL;
    if (!crossing_possible())
        return;
    pthread_mutex_lock(&table.mu);
    if (table.cap) {
        size_t i = find(p);
        if (table.slot[i].p) {
            owner = table.slot[i].owner;
            remove_at(i);
        }
    }
    pthread_mutex_unlock(&table.mu);
    /* Not found: allocated while its heap was not counting; not counted. */
    if (owner && owner != h)
        h->st.cross_frees++;
}

size_t xfree_table_slots(void)
{
    pthread_mutex_lock(&table.mu);
    size_t cap = table.cap;
    pthread_mutex_unlock(&table.mu);
    return cap;
}

void xfree_forget_heap(const heap *h)
{
    pthread_mutex_lock(&table.mu);
    for (size_t i = 0; i < table.cap && table.n > 0;) {
        /* remove_at may move a later entry into i: look at i again. */
        if (table.slot[i].p && table.slot[i].owner == h)
            remove_at(i);
        else
            i++;
    }
    pthread_mutex_unlock(&table.mu);
}
