/*
 * strategies/pymalloc.c -- the slow paths of the pymalloc-style allocator
 * (strategies/pymalloc.h): taking a pool from an arena, an arena from the
 * backend, and giving an empty pool back.
 */
#include "pymalloc.h"

#define POOLS_PER_ARENA  (PM_ARENA_SIZE / PM_POOL_SIZE)
/* The first block starts after the header, rounded to the alignment. */
#define POOL_OVERHEAD (((sizeof(pm_pool) + PM_ALIGNMENT - 1) / PM_ALIGNMENT) * PM_ALIGNMENT)

struct pm_arena {
    char *base;                 /* PM_ARENA_SIZE bytes, PM_POOL_SIZE-aligned   */
    unsigned nfreepools;        /* pools on freepools plus never-used ones     */
    unsigned untouched;         /* pools [untouched, POOLS_PER_ARENA) never used */
    pm_pool *freepools;         /* pools returned empty                        */
    pm_arena *next, *prev;      /* usable arenas: those with a free pool       */
    pm_arena *allnext;          /* every arena, to free them all at the end    */
};

/* ---- arenas ------------------------------------------------------------ */

static void arena_link(pm_arena **head, pm_arena *a)
{
    a->prev = NULL;
    a->next = *head;
    if (*head)
        (*head)->prev = a;
    *head = a;
}

static void arena_unlink(pm_arena **head, pm_arena *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        *head = a->next;
    if (a->next)
        a->next->prev = a->prev;
}

static pm_arena *arena_new(pymalloc *pm)
{
    pm_arena *a = malloc(sizeof *a);
    if (a == NULL)
        return NULL;
    void *base;
    if (posix_memalign(&base, PM_POOL_SIZE, PM_ARENA_SIZE) != 0) {
        free(a);
        return NULL;
    }
    *a = (pm_arena){ .base = base, .nfreepools = POOLS_PER_ARENA, .allnext = pm->all };
    pm->all = a;
    arena_link(&pm->usable, a);
    return a;
}

/* ---- pools ------------------------------------------------------------- */

static void pool_link(pm_pool **head, pm_pool *p)
{
    p->prevpool = NULL;
    p->nextpool = *head;
    if (*head)
        (*head)->prevpool = p;
    *head = p;
}

/* A free pool, from the first usable arena, or from a new one. */
static pm_pool *pool_take(pymalloc *pm)
{
    pm_arena *a = pm->usable;
    if (a == NULL && (a = arena_new(pm)) == NULL)
        return NULL;
    pm_pool *p;
    if (a->freepools) {
        p = a->freepools;
        a->freepools = p->nextpool;
    } else {
        p = (pm_pool *)(a->base + PM_POOL_SIZE * a->untouched++);
        p->arena = a;
    }
    if (--a->nfreepools == 0)
        arena_unlink(&pm->usable, a);   /* full arenas are found again via their pools */
    return p;
}

/* An empty pool goes back to its arena (and an arena stays, see pymalloc.h). */
static void pool_give_back(pymalloc *pm, pm_pool *p)
{
    pm_arena *a = p->arena;
    p->nextpool = a->freepools;
    a->freepools = p;
    if (a->nfreepools++ == 0)
        arena_link(&pm->usable, a);
}

void *pymalloc_alloc_slow(pymalloc *pm, unsigned c)
{
    pm_pool *p = pool_take(pm);
    if (p == NULL)
        return NULL;
    size_t size = PM_CLASS_SIZE(c);
    p->szidx = c;
    p->ref = 1;
    p->nextoffset = (uint32_t)(POOL_OVERHEAD + 2 * size);
    p->maxnextoffset = (uint32_t)(PM_POOL_SIZE - size);
    char *first = (char *)p + POOL_OVERHEAD;
    p->freeblock = first + size;
    *(void **)p->freeblock = NULL;
    pool_link(&pm->usedpools[c], p);
    return first;
}

/* The pool was full (it rejoins its class's list) or is now empty (it goes
   back to its arena). */
void pymalloc_free_slow(pymalloc *pm, pm_pool *p, void *was)
{
    pm_pool **head = &pm->usedpools[p->szidx];
    if (p->ref == 0) {
        if (was != NULL)
            pm_pool_unlink(head, p);
        pool_give_back(pm, p);
    } else {
        pool_link(head, p);
    }
}

void pymalloc_fini(pymalloc *pm)
{
    while (pm->all) {
        pm_arena *a = pm->all;
        pm->all = a->allnext;
        free(a->base);
        free(a);
    }
}
