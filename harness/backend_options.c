/* harness/backend_options.c -- see backend_options.h. */
#include "backend_options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options that move time or memory: how soon freed memory goes back to
   the kernel (and so is faulted in again), when big blocks bypass the
   caches, how much the caches hold. */
const backend_option backend_options[] = {
    { "mimalloc", "decommit_delay", "reset_delay", OPT_INT, VIA_ENV, "MIMALLOC_DECOMMIT_DELAY",
      "ms before freed pages are decommitted (purged)" },
    { "mimalloc", "segment_decommit_delay", NULL, OPT_INT, VIA_ENV,
      "MIMALLOC_SEGMENT_DECOMMIT_DELAY", "ms before a free segment is decommitted" },
    { "mimalloc", "allow_decommit", NULL, OPT_BOOL, VIA_ENV, "MIMALLOC_ALLOW_DECOMMIT",
      "return memory to the kernel at all" },
    { "mimalloc", "eager_commit", NULL, OPT_BOOL, VIA_ENV, "MIMALLOC_EAGER_COMMIT",
      "commit segments when they are reserved" },
    { "mimalloc", "page_reset", NULL, OPT_BOOL, VIA_ENV, "MIMALLOC_PAGE_RESET",
      "reset free pages at once" },
    { "mimalloc", "large_os_pages", NULL, OPT_BOOL, VIA_ENV, "MIMALLOC_LARGE_OS_PAGES",
      "2 MiB pages" },
    { "jemalloc", "dirty_decay_ms", NULL, OPT_INT, VIA_MALLOC_CONF, "dirty_decay_ms",
      "ms before dirty pages are purged (-1: never)" },
    { "jemalloc", "muzzy_decay_ms", NULL, OPT_INT, VIA_MALLOC_CONF, "muzzy_decay_ms",
      "ms before muzzy pages are purged (-1: never)" },
    { "jemalloc", "oversize_threshold", NULL, OPT_SIZE, VIA_MALLOC_CONF, "oversize_threshold",
      "blocks this large get their own arena, purged eagerly (0: off)" },
    { "jemalloc", "retain", NULL, OPT_BOOL, VIA_MALLOC_CONF, "retain",
      "keep virtual memory instead of unmapping it" },
    { "jemalloc", "tcache", NULL, OPT_BOOL, VIA_MALLOC_CONF, "tcache", "thread caches" },
    { "glibc", "trim_threshold", NULL, OPT_SIZE, VIA_GLIBC_TUNABLES,
      "glibc.malloc.trim_threshold", "free top memory above this goes back to the kernel" },
    { "glibc", "mmap_threshold", NULL, OPT_SIZE, VIA_GLIBC_TUNABLES,
      "glibc.malloc.mmap_threshold", "blocks this large get their own mapping" },
    { "glibc", "top_pad", NULL, OPT_SIZE, VIA_GLIBC_TUNABLES, "glibc.malloc.top_pad",
      "extra memory taken at each heap growth" },
    { "glibc", "arena_max", NULL, OPT_SIZE, VIA_GLIBC_TUNABLES, "glibc.malloc.arena_max",
      "malloc arenas" },
    { "glibc", "tcache_count", NULL, OPT_SIZE, VIA_GLIBC_TUNABLES, "glibc.malloc.tcache_count",
      "blocks per thread-cache bin" },
    { "tcmalloc", "release_rate", NULL, OPT_DOUBLE, VIA_ENV, "TCMALLOC_RELEASE_RATE",
      "how fast free memory goes back to the kernel (0: never)" },
    { "tcmalloc", "aggressive_decommit", NULL, OPT_BOOL, VIA_ENV,
      "TCMALLOC_AGGRESSIVE_DECOMMIT", "decommit free spans at once" },
    { "tcmalloc", "max_total_thread_cache_bytes", NULL, OPT_SIZE, VIA_ENV,
      "TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES", "bytes all thread caches may hold" },
    { NULL, NULL, NULL, 0, 0, NULL, NULL }
};

static const char *const type_words[] = { "a whole number (digits, a sign)",
                                          "a byte count (digits)", "0 or 1", "a number" };

static int value_ok(opt_type t, const char *v)
{
    /* Whole numbers as the libraries parse them: digits, a sign; not 1e4,
       which passed here and then read back as 1 from mimalloc. */
    if (t != OPT_DOUBLE) {
        const char *q = v + (*v == '-' && t == OPT_INT);
        if (*q == '\0' || strspn(q, "0123456789") != strlen(q))
            return 0;
    }
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(d))
        return 0;
    switch (t) {
    case OPT_INT:    return d == floor(d);
    case OPT_SIZE:   return d == floor(d) && d >= 0;
    case OPT_BOOL:   return d == 0 || d == 1;
    case OPT_DOUBLE: return 1;
    }
    return 0;
}

static const backend_option *find_option(const char *base, const char *name)
{
    for (const backend_option *o = backend_options; o->backend; o++)
        if (strcmp(o->backend, base) == 0 &&
            (strcmp(o->name, name) == 0 || (o->alias && strcmp(o->alias, name) == 0)))
            return o;
    return NULL;
}

static void option_names(const char *base, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (const backend_option *o = backend_options; o->backend && len < n; o++)
        if (strcmp(o->backend, base) == 0)
            len += (size_t)snprintf(buf + len, n - len, "%s%s%s%s%s", len ? ", " : "", o->name,
                                    o->alias ? " (or " : "", o->alias ? o->alias : "",
                                    o->alias ? ")" : "");
    if (len == 0)
        snprintf(buf, n, "none");
}

static int known_backend(const char *known, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = known; (p = strstr(p, name)) != NULL; p += k)
        if ((p == known || p[-1] == ',') && (p[k] == ',' || p[k] == '\0'))
            return 1;
    return 0;
}

int variant_parse(const char *spec, const char *known, variant *v, char *err, size_t n)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    memset(v, 0, sizeof *v);
    char *save = NULL, *part = strtok_r(buf, "@", &save);
    if (part == NULL || !known_backend(known, part)) {
        snprintf(err, n, "unknown backend '%s' (valid: %s)", part ? part : spec, known);
        return -1;
    }
    snprintf(v->base, sizeof v->base, "%s", part);
    if (spec[strlen(spec) - 1] == '@' || strstr(spec, "@@")) {
        snprintf(err, n, "bad backend variant '%s': expected %s@OPTION=VALUE[@OPTION=VALUE...]",
                 spec, v->base);
        return -1;
    }
    while ((part = strtok_r(NULL, "@", &save)) != NULL) {
        char names[512];
        char *eq = strchr(part, '=');
        option_names(v->base, names, sizeof names);
        if (eq == NULL || eq == part || eq[1] == '\0') {
            snprintf(err, n, "bad backend variant '%s': '%s' is not OPTION=VALUE (%s options: %s)",
                     spec, part, v->base, names);
            return -1;
        }
        *eq = '\0';
        const backend_option *o = find_option(v->base, part);
        if (o == NULL) {
            snprintf(err, n, "unknown %s option '%s' (valid: %s)", v->base, part, names);
            return -1;
        }
        if (!value_ok(o->type, eq + 1)) {
            snprintf(err, n, "bad value '%s' for %s option %s: expected %s", eq + 1, v->base,
                     o->name, type_words[o->type]);
            return -1;
        }
        for (int i = 0; i < v->n; i++)
            if (v->opt[i] == o) {
                snprintf(err, n, "%s option %s given twice in '%s'", v->base, o->name, spec);
                return -1;
            }
        if (v->n == VARIANT_MAX_OPTS) {
            snprintf(err, n, "too many options in '%s' (at most %d)", spec, VARIANT_MAX_OPTS);
            return -1;
        }
        v->opt[v->n] = o;
        snprintf(v->value[v->n++], sizeof v->value[0], "%s", eq + 1);
    }
    return 0;
}

/* Joined settings for the variables that hold several: MALLOC_CONF's
   "k:v,k:v", GLIBC_TUNABLES' "k=v:k=v".  A user's own setting comes first,
   and the variant's follow, so that the variant wins. */
static void append_setting(const char *var, const char *sep, const char *kv)
{
    const char *old = getenv(var);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s%s", old && *old ? old : "", old && *old ? sep : "", kv);
    setenv(var, buf, 1);
}

void variant_apply_env(const variant *v)
{
    for (int i = 0; i < v->n; i++) {
        const backend_option *o = v->opt[i];
        char kv[128];
        switch (o->via) {
        case VIA_ENV:
            setenv(o->how, v->value[i], 1);
            break;
        case VIA_MALLOC_CONF:
            snprintf(kv, sizeof kv, "%s:%s", o->how, v->value[i]);
            append_setting("MALLOC_CONF", ",", kv);
            break;
        case VIA_GLIBC_TUNABLES:
            snprintf(kv, sizeof kv, "%s=%s", o->how, v->value[i]);
            append_setting("GLIBC_TUNABLES", ":", kv);
            break;
        }
    }
}

void variant_format(const variant *v, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < v->n && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s=%s", i ? "," : "", v->opt[i]->name,
                                v->value[i]);
}

