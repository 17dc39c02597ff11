/*
 * strategies/cpython.c -- the `cpython` reference series: where a real
 * runtime stands.
 *
 * Not a strategy: the cell runs the equivalent Python loop in the installed
 * python3 (harness/cpython_cell.py: `l.append(i)`, `t = (v, v + 1, v + 2)`,
 * pairs of lists that hold each other, with the cyclic GC on) and records
 * its time per operation and peak RSS in the same cells.csv.  CPython's own
 * allocator (pymalloc) and collector do the work, so the series runs on one
 * runner only.  Without python3 its cells are n/a, with a note.
 */
#include <stddef.h>
#include "strategy.h"
#include "../bench/workload.h"

extern const strategy cpython_strategy;

static heap *cpython_create(const heap_config *cfg)
{
    (void)cfg;
    return NULL;                /* never a heap: the loops run in python3 */
}

static void cpython_destroy(heap *h) { (void)h; }
static const char *cpython_version(void) { return "CPython (python3)"; }

static const workload cpython_list_append = { .name = "list_append" };
static const workload cpython_tuple_create = { .name = "tuple_create" };
static const workload cpython_cycles = { .name = "cycles" };
static const workload *const cpython_workloads[] = {
    &cpython_list_append, &cpython_tuple_create, &cpython_cycles, NULL
};

const strategy cpython_strategy = {
    .name = "cpython",
    .summary = "reference: the same loops in the installed python3 (optional)",
    .flags = STRAT_REFERENCE | STRAT_OWN_HEAP,
    .create = cpython_create, .destroy = cpython_destroy,
    .version = cpython_version,
    .workloads = cpython_workloads,
    .external = "harness/cpython_cell.py",
};
