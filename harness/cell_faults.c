/*
 * harness/cell_faults.c -- cells that misbehave on purpose, for the tests
 * of the runner (tests only).
 *
 * MEMSTRAT_FAULT=KIND[:SUBSTRING] makes the cells whose name contains
 * SUBSTRING misbehave: crash, hog (allocate until stopped), hang, lazy (skip
 * the work, to trip the did-no-work guard; harness/cell.c does that one),
 * reserve (1 GiB of address space, untouched, then the work as usual),
 * contend (a child spins on the cell's CPU until the cell ends: every trial
 * is contended).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cell.h"

void cell_fault(const char *what)
{
    if (strcmp(what, "crash") == 0) {
        raise(SIGSEGV);
    } else if (strcmp(what, "hog") == 0) {
        for (;;) {                      /* 64 MiB at a time, touched */
            char *p = malloc(64u << 20);
            if (p == NULL)
                oom("the hog fault", 64u << 20);
            memset(p, 1, 64u << 20);
        }
    } else if (strcmp(what, "hang") == 0) {
        for (;;)
            pause();
    } else if (strcmp(what, "reserve") == 0) {
        /* Address space, never touched: what jemalloc's extents look like
           to RLIMIT_DATA (1,189 MB of VmData at 511 MB resident). */
        static volatile char *reserved;
        reserved = malloc(1u << 30);
        if (reserved == NULL)
            oom("the reserve fault", 1u << 30);
    } else if (strcmp(what, "contend") == 0) {
        /* A competitor on the cell's CPU (the child inherits its pinning),
           killed by the kernel when the cell ends. */
        pid_t parent = getpid();
        fflush(NULL);
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            while (getppid() == parent)
                ;
            _exit(0);
        }
    }
}

/* MEMSTRAT_FAULT=KIND or KIND:SUBSTRING -- the fault applies to the cells
   whose name (workload/strategy/backend/size) contains SUBSTRING. */
int cell_fault_for(const char *cell_name, char *kind, size_t n)
{
    const char *f = getenv("MEMSTRAT_FAULT");
    if (f == NULL || *f == '\0')
        return 0;
    const char *colon = strchr(f, ':');
    if (colon && strstr(cell_name, colon + 1) == NULL)
        return 0;
    snprintf(kind, n, "%.*s", colon ? (int)(colon - f) : (int)strlen(f), f);
    return 1;
}
