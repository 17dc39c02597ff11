/*
 * strategies/bigblock.c -- big blocks: one mapping each, grown by mremap,
 * the largest freed one kept for reuse.
 *
 * For a strategy's large item blocks (a list of a million items has an
 * 8 MiB block).  Two things make them expensive through malloc: growing one
 * copies it (mimalloc and jemalloc copied, 64 bytes per append on average
 * under CPython's 1.125 growth), and freeing one gives its pages back, so
 * the next list of that size page-faults them in again (12 us a fault on
 * the reference VM, 26 ns per append).  Here growth moves page-table
 * entries, not bytes, and one freed mapping -- the largest -- is kept, as a
 * runtime's large-object space keeps its pages.
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
    if (c->spare == NULL || b->map > c->spare->map) {
        big_block *old = c->spare;
        c->spare = b;
        b = old;
    }
    if (b)
        munmap(b, b->map);
}

void big_cache_fini(big_cache *c)
{
    if (c->spare)
        munmap(c->spare, c->spare->map);
    c->spare = NULL;
}
