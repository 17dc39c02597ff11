/*
 * harness/cell_account.c -- what the kernel accounts to a cell: its CPU
 * time, faults and context switches, and its peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cell.h"

usage usage_now(void)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    const struct timeval *tv[] = { &self.ru_utime, &self.ru_stime, &kids.ru_utime, &kids.ru_stime };
    double ns = 0;
    for (size_t i = 0; i < sizeof tv / sizeof *tv; i++)
        ns += (double)tv[i]->tv_sec * 1e9 + (double)tv[i]->tv_usec * 1e3;
    return (usage){ .faults = self.ru_minflt + kids.ru_minflt,
                    .nivcsw = self.ru_nivcsw + kids.ru_nivcsw, .cpu_ns = ns };
}

/* This process's own high-water mark, VmHWM, not getrusage's ru_maxrss:
   exec carries the parent's peak into ru_maxrss (the kernel keeps the
   larger of the old and new images' in signal->maxrss), so a cell started
   by a runner whose trial table had grown to 15 MB reported 15 MB as its
   own baseline and peak, and every small cell read 0 above baseline. */
long maxrss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && kb < 0 && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = atol(line + 6);
    if (f)
        fclose(f);
    if (kb < 0) {               /* no /proc: the kernel's account, inheritance and all */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return kb;
}

/* The peak of this cell: its own, or that of a child it ran a workload in
   (a leaking cell), whichever is higher.  The children were forked from this
   process, so theirs cannot be below what it held then. */
long peak_kb(void)
{
    struct rusage kids;
    getrusage(RUSAGE_CHILDREN, &kids);
    long own = maxrss_kb();
    return kids.ru_maxrss > own ? kids.ru_maxrss : own;
}
