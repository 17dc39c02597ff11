/* harness/backends/glibc.c -- the GNU C library's ptmalloc2. */
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../backend.h"
#include "../backend_options.h"

static const char *glibc_version(void) { return gnu_get_libc_version(); }

/* glibc's own statistics must see a malloc'd block. */
static int glibc_probe(char *why, size_t n)
{
    /* In use: the heap's blocks and the mmapped ones (a variant with
       mmap_threshold=0 maps even this probe). */
    struct mallinfo2 m0 = mallinfo2();
    void *volatile p = malloc(1000);
    struct mallinfo2 m1 = mallinfo2();
    size_t before = m0.uordblks + m0.hblkhd, after = m1.uordblks + m1.hblkhd;
    free(p);
    if (after < before + 1000) {
        snprintf(why, n, "backend glibc requested but mallinfo2() did not see a malloc");
        return -1;
    }
    return 0;
}

/* glibc's tunables cannot be read back from a running process. */
int backend_option_get(const backend_option *o, char *buf, size_t n)
{
    (void)o, (void)buf, (void)n;
    return 1;
}

const backend the_backend = { "glibc", "libc.so", glibc_version, glibc_probe };
