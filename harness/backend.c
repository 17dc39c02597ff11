/* harness/backend.c -- the guard that a cell runs on the allocator it claims. */
#include "backend.h"

#include <dlfcn.h>
#include <stdio.h>
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
