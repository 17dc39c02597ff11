/*
 * strategies/bigblock.c -- big blocks: one mapping each, grown by mremap,
 * a freed one kept for reuse where the strategy's real counterpart keeps it.
 *
 * For a strategy's large item blocks (a list of a million items has an
 * 8 MiB block).  Growing one through malloc copies it (mimalloc and jemalloc
 * copied, 64 bytes per append on average under CPython's 1.125 growth); here
 * growth moves page-table entries, not bytes.
 *
 * What happens to a freed big block follows one rule for every strategy:
 * each keeps what its real-world counterpart keeps, and nothing keeps memory
 * only because the benchmark rebuilds the same list.  Keeping it matters:
 * giving an 8 MiB block back makes the next list of that size page-fault it
 * in again (12 us a fault on the reference VM, 26 ns per append).
 *   - marksweep is a collector's heap, whose large-object space keeps freed
 *     pages for reuse and gives back those left unused: bdwgc unmaps a free
 *     block after GC_unmap_threshold (6) collections without reuse.  So
 *     marksweep keeps its largest freed block, and gives it back after
 *     KEEP_COLLECTIONS collections without reuse (strategies/marksweep.c).
 *   - arena is a region: its memory is reset and refilled by the next
 *     scope, which is the arena's whole point (bumpalo's reset keeps its
 *     largest chunk, APR's pools keep their blocks).  It keeps its largest
 *     big block with its chunks, until it is destroyed.
 *   - refcount, rc_cycle and pool give their blocks to the backend's free,
 *     as CPython gives a list's items to PyMem_Free: what glibc, jemalloc,
 *     mimalloc or tcmalloc then keeps is the backend's own policy, measured.
 * The other behaviour -- marksweep and arena give every freed big block
 * back at once -- is heap_config.big_blocks = BIG_BLOCKS_FREE (`memstrat
 * run --big-blocks free`), recorded in each cell's big_blocks column.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "strategy.h"

static size_t map_size(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (sizeof(big_block) + n + page - 1) & ~(page - 1);
}

void big_cache_init(big_cache *c, const heap_config *cfg)
{
    *c = (big_cache){ .give_back = cfg->big_blocks == BIG_BLOCKS_FREE };
}

void *big_alloc(big_cache *c, size_t n)
{
    big_block *b = c->spare;
    size_t want = map_size(n);
    if (b != NULL) {
        c->spare = NULL;
        if (b->map < want) {
            big_block *d = mremap(b, b->map, want, MREMAP_MAYMOVE);
            if (d == MAP_FAILED) {
                munmap(b, b->map);
                return NULL;
            }
            b = d;
            b->map = want;
        }
    } else {
        b = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED)
            return NULL;
        b->map = want;
    }
    b->next = b->prev = NULL;
    b->size = n;
    return b + 1;
}

void *big_resize(big_cache *c, void *p, size_t n)
{
    (void)c;
    big_block *b = big_of(p);
    size_t want = map_size(n);
    if (want > b->map) {
        big_block *d = mremap(b, b->map, want, MREMAP_MAYMOVE);
        if (d == MAP_FAILED)
            return NULL;
        b = d;
        b->map = want;
    }
    b->size = n;
    return b + 1;
}

void big_free(big_cache *c, void *p)
{
    big_block *b = big_of(p);
    if (!c->give_back && (c->spare == NULL || b->map > c->spare->map)) {
        big_block *old = c->spare;
        c->spare = b;
        c->since = c->now;
        b = old;
    }
    if (b)
        munmap(b, b->map);
}

void big_cache_tick(big_cache *c, uint64_t max_age)
{
    c->now++;
    if (c->spare && c->now - c->since >= max_age)
        big_cache_fini(c);
}

void big_cache_fini(big_cache *c)
{
    if (c->spare)
        munmap(c->spare, c->spare->map);
    c->spare = NULL;
}
