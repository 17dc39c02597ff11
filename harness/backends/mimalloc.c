/* harness/backends/mimalloc.c -- mimalloc, linked with -lmimalloc (Debian's
   libmimalloc.so overrides malloc; it ships no pkg-config file). */
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../backend.h"
#include "../backend_options.h"

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

/* mimalloc's options by our names (mimalloc.h: mi_option_t). */
int backend_option_get(const backend_option *o, char *buf, size_t n)
{
    static const struct { const char *name; mi_option_t opt; } map[] = {
        { "decommit_delay", mi_option_decommit_delay },
        { "segment_decommit_delay", mi_option_segment_decommit_delay },
        { "allow_decommit", mi_option_allow_decommit },
        { "eager_commit", mi_option_eager_commit },
        { "page_reset", mi_option_page_reset },
        { "large_os_pages", mi_option_large_os_pages },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i].name, o->name) == 0) {
            snprintf(buf, n, "%ld", mi_option_get(map[i].opt));
            return 0;
        }
    return -1;
}

const backend the_backend = { "mimalloc", "libmimalloc", mimalloc_version, mimalloc_probe };
