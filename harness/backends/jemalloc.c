/* harness/backends/jemalloc.c -- jemalloc, linked with -ljemalloc. */
#include <jemalloc/jemalloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../backend.h"

static const char *jemalloc_version(void)
{
    const char *v = "?";
    size_t len = sizeof v;
    mallctl("version", &v, &len, NULL, 0);
    return v;
}

/* jemalloc counts the bytes each thread allocates: a malloc must show. */
static int jemalloc_probe(char *why, size_t n)
{
    uint64_t before = 0, after = 0;
    size_t len = sizeof before;
    if (mallctl("thread.allocated", &before, &len, NULL, 0) != 0) {
        snprintf(why, n, "backend jemalloc requested but mallctl(\"thread.allocated\") failed");
        return -1;
    }
    void *volatile p = malloc(1000);
    mallctl("thread.allocated", &after, &len, NULL, 0);
    free(p);
    if (after < before + 1000) {
        snprintf(why, n, "backend jemalloc requested but jemalloc did not see a malloc");
        return -1;
    }
    return 0;
}

const backend the_backend = { "jemalloc", "libjemalloc", jemalloc_version, jemalloc_probe };
