/*
 * tests/core_blocks.c -- the core suite's growing blocks: every move
 * counted once, as copied or as remapped; freed big blocks kept or given
 * back; arena growing its last block in place.
 */
#include <sys/mman.h>
#include "core.h"

/* Append ints to l until its block holds at least `bytes`, tracking the
   bytes of the resizes that moved it: each must be counted once, as copied
   or as remapped. */
static uint64_t grow_list(heap *h, list_obj *l, size_t bytes, long *v)
{
    uint64_t moved = 0;
    while (8 * (size_t)l->allocated < bytes || l->size < l->allocated) {
        obj **before = l->items;
        size_t old = (size_t)l->allocated;
        obj *o = int_new(h, (*v)++);
        list_append(h, l, o, growth_policy_find("cpython"));
        obj_release(h, o);
        if (before != NULL && l->items != before)
            moved += 8 * old;
    }
    return moved;
}

/* A list rooted in *root, grown until its block holds 1 MiB (a big block
   for arena and marksweep); *moved gets the bytes of its moves. */
static list_obj *big_list(heap *h, obj **root, long *v, uint64_t *moved)
{
    list_obj *l = list_new(h);
    *root = &l->h;
    heap_push_root(h, root);
    *moved = grow_list(h, l, 1 << 20, v);
    return l;
}

/* The list of big_list dies: unrooted, released, its scope ended. */
static void drop_list(const strategy *s, heap *h, list_obj *l)
{
    heap_pop_root(h);
    obj_release(h, &l->h);
    s->scope_end(h);
}

void test_moves_counted(const strategy *s)
{
    heap *h = s->create(&cfg);
    obj *root;
    long v = 1000;
    uint64_t moved;
    list_obj *l = big_list(h, &root, &v, &moved);
    CHECK(h->st.bytes_copied + h->st.bytes_remapped == moved, "%s: %llu bytes copied and %llu "
          "remapped, but the block moved %llu bytes", s->name,
          (unsigned long long)h->st.bytes_copied, (unsigned long long)h->st.bytes_remapped,
          (unsigned long long)moved);
    drop_list(s, h, l);
    s->destroy(h);
}

/* A big block grows by mremap: when it must move, its pages move and no
   byte is copied, so bytes_copied must not count it (it once did: arena
   list_append 1e6 reported 11.7 MB copied where memcpy copied 2.2 MB).  A mapping
   placed right after the block's forces the move. */
void test_remap_not_copied(const strategy *s)
{
    heap *h = s->create(&cfg);
    obj *root;
    long v = 1000;
    uint64_t moved;
    list_obj *l = big_list(h, &root, &v, &moved);
    big_block *b = big_of(l->items);
    char *end = (char *)b + b->map;
    void *guard = mmap(end, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    obj **before = l->items;
    uint64_t copied = h->st.bytes_copied, remapped = h->st.bytes_remapped;
    size_t old = (size_t)l->allocated;
    obj *o = int_new(h, v);
    list_append(h, l, o, growth_policy_find("cpython"));
    obj_release(h, o);
    CHECK(l->items != before, "%s: the big block grew in place past a mapping at %p (%p)",
          s->name, (void *)end, guard);
    CHECK(h->st.bytes_copied == copied && h->st.bytes_remapped == remapped + 8 * old,
          "%s: moving a %zu-byte big block counted %llu bytes copied, %llu remapped", s->name,
          8 * old, (unsigned long long)(h->st.bytes_copied - copied),
          (unsigned long long)(h->st.bytes_remapped - remapped));
    if (guard != MAP_FAILED)
        munmap(guard, 4096);
    drop_list(s, h, l);
    s->destroy(h);
}

/* Is the page holding p mapped? */
static int mapped(const void *p)
{
    unsigned char v;
    return mincore((void *)((uintptr_t)p & ~(uintptr_t)4095), 4096, &v) == 0;
}

/* What happens to a freed big block (strategies/bigblock.c): kept by
   default, given back after `keep_for` collections without reuse (-1: kept
   until the heap is destroyed, as an arena keeps its memory); given back at
   once under BIG_BLOCKS_FREE. */
void test_big_blocks(const strategy *s, int keep_for)
{
    for (int mode = BIG_BLOCKS_KEEP; mode <= BIG_BLOCKS_FREE; mode++) {
        heap_config c = cfg;
        c.big_blocks = mode;
        heap *h = s->create(&c);
        obj *root;
        long v = 1000;
        uint64_t moved;
        list_obj *l = big_list(h, &root, &v, &moved);
        const big_block *b = big_of(l->items);
        drop_list(s, h, l);
        s->collect(h);              /* the list is dead: its block is freed */
        int kept = mapped(b), collections = 0;
        while (mapped(b) && collections < 20) {
            s->collect(h);
            collections++;
        }
        if (mode == BIG_BLOCKS_FREE)
            CHECK(!kept, "%s: big blocks free: the freed block is still mapped", s->name);
        else if (keep_for < 0)
            CHECK(kept && mapped(b), "%s: the freed big block was not kept", s->name);
        else
            CHECK(kept && collections == keep_for, "%s: the freed big block %s, given back "
                  "after %d more collections, expected %d", s->name, kept ? "was kept" :
                  "was not kept", collections, keep_for);
        s->destroy(h);
    }
}

/* Arena: growing the block allocated last stays in place. */
void test_arena_in_place(const strategy *s)
{
    heap *h = s->create(&cfg);
    void *a = s->resize(h, NULL, 0, 64);
    void *b = s->resize(h, a, 64, 128);
    CHECK(a == b, "arena: growing the last block moved it");
    void *c = s->alloc(h, &int_type, INT_OBJ_SIZE);
    void *d = s->resize(h, b, 128, 256);
    CHECK(d != b && d != c, "arena: a block that is not last must move");
    s->scope_end(h);
    CHECK(h->st.live_bytes == 0 && h->st.live_objects == 0, "arena: scope end leaves bytes");
    s->destroy(h);
}
