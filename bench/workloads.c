/* bench/workloads.c -- the generic registry: every workload compiled against
   the vtable (bench/generic.h).  Its descriptors name the workloads and give
   their expected checksums and live peaks; their run() works on any heap and
   is what the tests use to check a strategy's own instance against. */
#include <string.h>
#include "generic.h"
#include "workloads.h"

#define ENTRY(name) &name##_workload,
const workload *const workloads[] = { WORKLOADS(ENTRY) NULL };

const workload *workload_find(const char *name)
{
    for (const workload *const *w = workloads; *w; w++)
        if (strcmp((*w)->name, name) == 0)
            return *w;
    return NULL;
}

const workload *strategy_workload(const strategy *s, const char *name)
{
    for (const workload *const *w = s->workloads; *w; w++)
        if (strcmp((*w)->name, name) == 0)
            return *w;
    return NULL;
}
