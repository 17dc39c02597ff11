/*
 * bench/workloads.h -- the workloads memstrat knows, in the order they are
 * listed and run.  Each workload file defines a static `NAME_workload`; the
 * files are included here, not compiled alone, because every strategy
 * compiles its own copy of them (bench/instance.h).
 *
 * Adding a workload: its file, and one line in each of the two lists below.
 */
#ifndef MEMSTRAT_WORKLOADS_H
#define MEMSTRAT_WORKLOADS_H

#include "list_append.c"
#include "tuple_create.c"
#include "cycles.c"
#include "churn.c"
#include "handoff.c"
#include "shared_read.c"

#define WORKLOADS(X) \
    X(list_append)   \
    X(tuple_create)  \
    X(cycles)        \
    X(churn)         \
    X(handoff)       \
    X(shared_read)

#endif
