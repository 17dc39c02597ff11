/* harness/backends/jemalloc.c -- jemalloc, linked with -ljemalloc. */
#include <jemalloc/jemalloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../backend.h"
#include "../backend_options.h"

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

/* mallctl("opt.NAME"): the value jemalloc started with, MALLOC_CONF
   included. */
int backend_option_get(const backend_option *o, char *buf, size_t n)
{
    char name[96];
    snprintf(name, sizeof name, "opt.%s", o->how);
    if (o->type == OPT_INT) {
        ssize_t v;
        size_t len = sizeof v;
        if (mallctl(name, &v, &len, NULL, 0) != 0)
            return -1;
        snprintf(buf, n, "%zd", v);
    } else if (o->type == OPT_SIZE) {
        size_t v, len = sizeof v;
        if (mallctl(name, &v, &len, NULL, 0) != 0)
            return -1;
        snprintf(buf, n, "%zu", v);
    } else {
        bool v;
        size_t len = sizeof v;
        if (mallctl(name, &v, &len, NULL, 0) != 0)
            return -1;
        snprintf(buf, n, "%d", v ? 1 : 0);
    }
    return 0;
}

const backend the_backend = { "jemalloc", "libjemalloc", jemalloc_version, jemalloc_probe };
