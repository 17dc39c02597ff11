/*
 * harness/backend.h -- the allocator behind malloc in this process.
 *
 * jemalloc and mimalloc replace malloc by symbol: whichever library defines
 * malloc first in the link order serves every malloc of the process.  So
 * memstrat builds one cell runner per backend (build/cell-glibc,
 * build/cell-jemalloc, ...), identical but for the library linked in, rather
 * than preloading: nothing in the environment can change which allocator a
 * runner uses without the guard below noticing.
 *
 * Each runner contains exactly one backend file (harness/backends/NAME.c)
 * defining `the_backend`.  Adding a backend: that file and one line in the
 * Makefile's backend registry (its name and linker flags).
 */
#ifndef MEMSTRAT_BACKEND_H
#define MEMSTRAT_BACKEND_H

#include <stddef.h>

typedef struct backend {
    const char *name;
    /* Substring of the file name of the shared object that must define the
       malloc this process calls ("libc.so", "libjemalloc", ...). */
    const char *library;
    /* Version string read from the running library. */
    const char *(*version)(void);
    /* A functional check that malloc is served by this library: returns 0,
       or -1 with a reason in why. */
    int (*probe)(char *why, size_t n);
} backend;

extern const backend the_backend;

/* The guard: 0 if malloc, free and realloc in this process are the
   backend's, else -1 with a one-line reason. */
int backend_verify(const backend *b, char *why, size_t n);

#endif
