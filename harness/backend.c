/* harness/backend.c -- the guard that a cell runs on the allocator it claims. */
#include "backend.h"
#include "backend_options.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which shared object defines the function that `name` resolves to in this
   process, as the dynamic linker sees it (LD_PRELOAD included). */
static const char *defining_object(const char *name)
{
    void *f = dlsym(RTLD_DEFAULT, name);
    Dl_info info;
    if (f == NULL || dladdr(f, &info) == 0 || info.dli_fname == NULL)
        return "?";
    return info.dli_fname;
}

int backend_verify(const backend *b, char *why, size_t n)
{
    static const char *const fns[] = { "malloc", "free", "realloc", "posix_memalign" };
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        const char *lib = defining_object(fns[i]);
        if (strstr(lib, b->library) == NULL) {
            snprintf(why, n, "backend %s requested but %s() comes from %s",
                     b->name, fns[i], lib);
            return -1;
        }
    }
    return b->probe(why, n);
}

/* ---- options: what the running library says ---------------------------- */

/* Values compare as numbers: "-1" and "-1.0", "8M" never reach here. */
static int same_value(const char *a, const char *b)
{
    return fabs(strtod(a, NULL) - strtod(b, NULL)) <= 1e-9 * fmax(1, fabs(strtod(a, NULL)));
}

int variant_verify(const char *base, const char *requested, char *eff, size_t effn, char *err,
                   size_t n)
{
    size_t len = 0;
    eff[0] = '\0';
    for (const backend_option *o = backend_options; o->backend; o++) {
        if (strcmp(o->backend, base) != 0)
            continue;
        char got[64] = "", want[64] = "";
        int asked = 0;
        /* Was it requested?  "k=v,k=v", names or aliases. */
        char buf[512];
        snprintf(buf, sizeof buf, "%s", requested ? requested : "");
        char *save = NULL;
        for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(kv, '=');
            if (eq && (size_t)(eq - kv) == strlen(o->name) && strncmp(kv, o->name, strlen(o->name)) == 0) {
                snprintf(want, sizeof want, "%s", eq + 1);
                asked = 1;
            }
        }
        int r = backend_option_get(o, got, sizeof got);
        if (r == 0 && asked && !same_value(got, want)) {
            snprintf(err, n, "%s option %s is %s, not %s: the setting did not take", base, o->name,
                     got, want);
            return -1;
        }
        if (r == 0)
            len += (size_t)snprintf(eff + len, effn - len, "%s%s=%s", len ? ";" : "", o->name, got);
        else if (asked)
            len += (size_t)snprintf(eff + len, effn - len, "%s%s=%s (set; not verifiable)",
                                    len ? ";" : "", o->name, want);
        if (len >= effn)
            len = effn - 1;
    }
    if (len == 0)
        snprintf(eff, effn, "defaults (not readable)");
    return 0;
}
