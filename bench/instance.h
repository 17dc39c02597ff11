/*
 * bench/instance.h -- every workload, compiled for the strategy that
 * includes this header.
 *
 * A strategy file defines its fast paths under the names bench/model.h
 * declares (s_alloc, s_free, s_resize, s_retain, s_release, s_scope_end),
 * includes this header, and points its vtable's `workloads` at
 * instance_workloads: the same workload source, with the strategy's fast
 * paths inlined instead of called through pointers.
 */
#ifndef MEMSTRAT_INSTANCE_H
#define MEMSTRAT_INSTANCE_H

#include "model.h"
#include "workloads.h"

#define INSTANCE_ENTRY(name) &name##_workload,
static const workload *const instance_workloads[] = { WORKLOADS(INSTANCE_ENTRY) NULL };
#undef INSTANCE_ENTRY

#endif
