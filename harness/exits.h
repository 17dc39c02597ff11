/*
 * harness/exits.h -- every exit status of memstrat's programs, in one place.
 *
 * A cell (build/cell-BACKEND) tells the runner how it ended by its status;
 * when it fails it also prints one last line "failed: REASON" (or
 * "guard: ...", "oom: ..."), which the runner records as the cell's status.
 */
#ifndef MEMSTRAT_EXITS_H
#define MEMSTRAT_EXITS_H

#include "../bench/object.h"    /* EXIT_OOM (3): a malloc returned NULL */

/* Both programs */
#define EXIT_USAGE       2      /* bad arguments; nothing was written */

/* A cell */
#define EXIT_GUARD       4      /* malloc is not the backend's: measures nothing */
#define EXIT_FAILED      5      /* wrong values, no work, no result */
#define EXIT_NA          6      /* cannot apply here (no python3): n/a, with a note */

/* memstrat run */
#define EXIT_WRITE       7      /* a result could not be written (disk full): finished
                                   cells are safe, --resume DIR goes on */
/* memstrat merge */
#define EXIT_MISSING     8      /* cells of the matrix that no run holds (status missing) or
                                   holds in part (interrupted): a run failed; resubmit it */

#define EXIT_FAILED_BASE 64     /* 64 + k: k cells failed, timed out or ran out of memory (k <= 63) */
#define EXIT_INTERRUPTED 130    /* interrupted; finished cells are kept, --resume DIR goes on */

#endif
