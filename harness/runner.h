/* harness/runner.h -- `memstrat run`: the matrix runner. */
#ifndef MEMSTRAT_RUNNER_H
#define MEMSTRAT_RUNNER_H

#include "exits.h"       /* the exit status of `memstrat run` */

int run_main(int argc, char **argv);

/* `memstrat compare`: harness/compare.c. */
int compare_main(int argc, char **argv);

/* `memstrat merge`: harness/merge.c. */
int merge_main(int argc, char **argv);

/* The backends this build has runners for (comma list, from the Makefile). */
extern const char memstrat_backends[];

#endif
