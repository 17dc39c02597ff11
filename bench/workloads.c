/* bench/workloads.c -- the workloads memstrat knows.  Adding a workload: a
   file defining `const workload NAME_workload`, and one X(NAME) line below. */
#include <string.h>
#include "workload.h"

#define WORKLOADS(X) \
    X(list_append)   \
    X(tuple_create)

#define DECLARE(name) extern const workload name##_workload;
#define ENTRY(name) &name##_workload,
WORKLOADS(DECLARE)

const workload *const workloads[] = { WORKLOADS(ENTRY) NULL };

const workload *workload_find(const char *name)
{
    for (const workload *const *w = workloads; *w; w++)
        if (strcmp((*w)->name, name) == 0)
            return *w;
    return NULL;
}
