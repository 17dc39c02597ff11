/*
 * harness/drift.h -- the machine's probe, run B against run A (drift.c).
 */
#ifndef MEMSTRAT_DRIFT_H
#define MEMSTRAT_DRIFT_H

#include <stddef.h>

typedef struct drift {
    double factor, lo, hi;      /* B/A, > 1: the probe was slower in B */
    double level;               /* the interval's coverage */
    double part[4];             /* B/A per part: alu, heap, chase, fault */
    size_t na, nb;              /* probed rounds; 0 when not compared */
    char why[512];              /* when not ok: why not */
} drift;

/* 0, or -1 with d->why saying why the probes cannot be compared. */
int drift_between(const char *dir_a, const char *dir_b, drift *d);
/* One line: "the probe ran 3.4% slower in B [...] (...)". */
void drift_describe(const drift *d, char *out, size_t n);

#endif
