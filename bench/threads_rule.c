/*
 * bench/threads_rule.c -- which cells run at T > 1 threads (issue #16,
 * "Cells at T > 1" in the design): one rule, for the matrix and the cell.
 *
 *   T <= 1                   every cell, unchanged.
 *   cycles without a collector  one thread only: reference counting alone
 *                            leaks them, and a leaking cell runs each run
 *                            in a forked child, which has one thread
 *                            (harness/cell.c) -- the threaded models too.
 *   STRAT_THREADS            every other workload: objects may cross threads.
 *   WL_SHARED workloads      only those: their objects cross threads.
 *   STRAT_THREAD_PRIVATE     the other workloads, T copies on T heaps --
 *                            unless the copies share None and the strategy
 *                            counts: None is one static object for every
 *                            thread, and T threads updating its count with
 *                            plain ++/-- race (a data race, undefined
 *                            behaviour, whatever the count's value).  The
 *                            strategies that do not count (marksweep,
 *                            arena) never write a static object.
 *   anything else            one thread only (a process-wide heap: boehm,
 *                            cpython_model; the reference series).
 */
#include <stdio.h>
#include "workload.h"

/* Do w's objects point to None with this window (-1: none applies)? */
static int holds_none(const workload *w, int64_t window)
{
    return (w->params & WL_NONE) || ((w->params & WL_WINDOW) && window > 0);
}

const char *threads_na_reason(const strategy *s, const workload *w, unsigned threads,
                              int64_t window)
{
    /* A reason names the strategy and the workload; one buffer per thread,
       so that the runner's threads (if any) do not share it. */
    static _Thread_local char why[160];
    if (threads <= 1)
        return NULL;
    /* Reference counting without a collector leaks the cycles, threaded
       model or not. */
    if ((w->params & WL_CYCLIC) && (s->flags & STRAT_REFCOUNTS) && !(s->flags & STRAT_TRACES))
        snprintf(why, sizeof why, "%s leaks the cycles of %s: a leaking cell runs on one "
                 "thread only", s->name, w->name);
    else if (s->flags & STRAT_THREADS)
        return NULL;
    else if (w->params & WL_SHARED)
        snprintf(why, sizeof why, "%s is single-threaded: objects cross threads in %s",
                 s->name, w->name);
    else if (!(s->flags & STRAT_THREAD_PRIVATE))
        snprintf(why, sizeof why, "%s runs on one thread only: its heap is not one per thread",
                 s->name);
    else if ((s->flags & STRAT_REFCOUNTS) && holds_none(w, window))
        snprintf(why, sizeof why, "%s is single-threaded: the threads of %s share None, "
                 "and its counts are plain", s->name, w->name);
    else
        return NULL;
    return why;
}
