/* harness/backends/mimalloc.c -- mimalloc, linked with -lmimalloc (Debian's
   libmimalloc.so overrides malloc; it ships no pkg-config file). */
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include "../backend.h"

static const char *mimalloc_version(void)
{
    static char v[32];
    int x = mi_version();               /* e.g. 209 for 2.0.9 */
    snprintf(v, sizeof v, "%d.%d.%d", x / 100, x / 10 % 10, x % 10);
    return v;
}

/* A block from malloc must lie in mimalloc's heap. */
static int mimalloc_probe(char *why, size_t n)
{
    void *volatile p = malloc(1000);
    int ours = mi_is_in_heap_region(p);
    free(p);
    if (!ours) {
        snprintf(why, n, "backend mimalloc requested but malloc'd memory is not mimalloc's");
        return -1;
    }
    return 0;
}

const backend the_backend = { "mimalloc", "libmimalloc", mimalloc_version, mimalloc_probe };
