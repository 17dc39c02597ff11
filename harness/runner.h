/* harness/runner.h -- `memstrat run`: the matrix runner. */
#ifndef MEMSTRAT_RUNNER_H
#define MEMSTRAT_RUNNER_H

/* Exit status of `memstrat run`:
     0             every cell ok (or n/a)
     2             bad arguments; nothing was written
     64 + k        k cells failed, timed out or ran out of memory (k <= 63)
     130           interrupted; finished cells are kept, --resume DIR goes on */
#define EXIT_INTERRUPTED 130
#define EXIT_FAILED_BASE 64

int run_main(int argc, char **argv);

/* The backends this build has runners for (comma list, from the Makefile). */
extern const char memstrat_backends[];

#endif
