/* harness/backends/tcmalloc.c -- gperftools' tcmalloc (the minimal build,
   without the heap profiler), linked with -ltcmalloc_minimal. */
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../backend.h"
#include "../backend_options.h"

static const char *tcmalloc_version(void)
{
    static char v[32];
    int major = 0, minor = 0;
    const char *patch = "";
    tc_version(&major, &minor, &patch);
    snprintf(v, sizeof v, "%d.%d%s", major, minor, patch ? patch : "");
    return v;
}

/* tcmalloc counts the bytes the program holds: a malloc must show. */
static int tcmalloc_probe(char *why, size_t n)
{
    size_t before = 0, after = 0;
    const char *prop = "generic.current_allocated_bytes";
    if (!MallocExtension_GetNumericProperty(prop, &before)) {
        snprintf(why, n, "backend tcmalloc requested but MallocExtension has no %s", prop);
        return -1;
    }
    void *volatile p = malloc(1000);
    MallocExtension_GetNumericProperty(prop, &after);
    free(p);
    if (after < before + 1000) {
        snprintf(why, n, "backend tcmalloc requested but tcmalloc did not see a malloc");
        return -1;
    }
    return 0;
}

/* gperftools' numeric properties; the release rate has no C accessor. */
int backend_option_get(const backend_option *o, char *buf, size_t n)
{
    const char *prop = strcmp(o->name, "aggressive_decommit") == 0
                           ? "tcmalloc.aggressive_memory_decommit"
                       : strcmp(o->name, "max_total_thread_cache_bytes") == 0
                           ? "tcmalloc.max_total_thread_cache_bytes" : NULL;
    size_t v = 0;
    if (prop == NULL)
        return 1;
    if (!MallocExtension_GetNumericProperty(prop, &v))
        return -1;
    snprintf(buf, n, "%zu", v);
    return 0;
}

const backend the_backend = { "tcmalloc", "libtcmalloc", tcmalloc_version, tcmalloc_probe };
