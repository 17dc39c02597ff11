/*
 * bench/team.h -- what a workload whose threads share objects (WL_SHARED)
 * needs from the team it runs in: a barrier that lets the strategy know the
 * thread waits (rc_gil must hand its lock over, or the team deadlocks).
 */
#ifndef MEMSTRAT_BENCH_TEAM_H
#define MEMSTRAT_BENCH_TEAM_H

#include "workload.h"
#include "model.h"

/* Wait until every thread of the team is here; alone (no team), return. */
static inline void wl_team_wait(heap *h, const wl_params *p)
{
    if (p->team == NULL)
        return;
    s_blocking_begin(h);
    p->team->wait(p->team);
    s_blocking_end(h);
}

#endif
