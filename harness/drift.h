/*
 * harness/drift.h -- the machine's own drift between two runs (drift.c).
 */
#ifndef MEMSTRAT_DRIFT_H
#define MEMSTRAT_DRIFT_H

#include <stddef.h>

typedef struct drift {
    int ok;                     /* both runs probed alike: factor is known */
    double factor, lo, hi;      /* B/A, > 1: the machine was slower in B */
    double level;               /* the interval's coverage */
    double part[4];             /* B/A per part: alu, heap, chase, fault */
    size_t na, nb;              /* probed rounds */
    char why[512];              /* when not ok: why not */
} drift;

/* 0, or -1 with d->why saying why there is no drift to take out. */
int drift_between(const char *dir_a, const char *dir_b, drift *d);
/* One line: "the machine ran 3.4% slower in B [...] by the probe (...)". */
void drift_describe(const drift *d, char *out, size_t n);

#endif
