/* harness/sysinfo.c -- what meta.json says about the machine, the build,
   the libraries and the environment: asked once per run (it runs git and
   every runner), reused by each write of meta.json. */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef MEMSTRAT_CFLAGS
#define MEMSTRAT_CFLAGS ""
#endif
#ifndef MEMSTRAT_GBENCH_VERSION
#define MEMSTRAT_GBENCH_VERSION "?"
#endif

extern char **environ;

/* First line of a command's output, trimmed; "unknown" if it fails. */
static void command_line_of(const char *cmd, char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return;
    char line[512];
    if (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (*line)
            snprintf(buf, n, "%s", line);
    }
    pclose(p);
}

static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');
            if (v) {
                v += 2;
                v[strcspn(v, "\n")] = '\0';
                snprintf(buf, n, "%s", v);
            }
            break;
        }
    fclose(f);
}

static void member(FILE *f, const char *key, const char *value)
{
    fprintf(f, ",\n  ");
    json_string(f, key);
    fprintf(f, ": ");
    json_string(f, value);
}

/* Ask each runner: the versions are those of the libraries it loads. */
static void libraries(FILE *f, const run_opts *o, const char *bindir)
{
    char cmd[4200];
    fprintf(f, ",\n  \"libraries\": {\n    \"google_benchmark\": ");
    json_string(f, MEMSTRAT_GBENCH_VERSION);
    for (size_t i = 0; i < o->nb; i++) {
        char base[128];
        snprintf(base, sizeof base, "%.*s", (int)strcspn(o->b[i], "@"), o->b[i]);
        PATHF(cmd, "'%s/cell-%s' --version 2>/dev/null", bindir, base);
        FILE *p = popen(cmd, "r");
        char line[256];
        while (p && fgets(line, sizeof line, p)) {
            line[strcspn(line, "\n")] = '\0';
            char *sp = strchr(line, ' ');
            if (sp == NULL || (i > 0 && strncmp(line, base, strlen(base)) != 0))
                continue;       /* own-heap libraries: once is enough */
            *sp = '\0';
            fprintf(f, ",\n    ");
            json_string(f, line);
            fprintf(f, ": ");
            json_string(f, sp + 1);
        }
        if (p)
            pclose(p);
    }
    fprintf(f, "\n  }");
}

/* Variables that change what an allocator or a cell does: a reader of the
   results must see them (a MALLOC_CONF or a planted slowdown left in the
   environment changes every number). */
static int setting_variable(const char *kv)
{
    static const char *const prefixes[] = { "MIMALLOC_", "MALLOC_", "GLIBC_TUNABLES=",
                                            "TCMALLOC_", "LD_PRELOAD=", "JE_MALLOC_CONF=",
                                            "MEMSTRAT_", NULL };
    for (const char *const *p = prefixes; *p; p++)
        if (strncmp(kv, *p, strlen(*p)) == 0)
            return 1;
    return 0;
}

/* The allocators' variables alone, "K=V K=V" in the environment's order:
   what a resumed run must share with its start. */
void sysinfo_allocator_env(char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (char **e = environ; *e && len < n; e++)
        if (setting_variable(*e) && strncmp(*e, "MEMSTRAT_", 9) != 0)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? " " : "", *e);
}

static void environment(FILE *f)
{
    int first = 1;
    fprintf(f, ",\n  \"environment\": {");
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL || !setting_variable(*e))
            continue;
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - *e), *e);
        fprintf(f, "%s\n    ", first ? "" : ",");
        json_string(f, key);
        fprintf(f, ": ");
        json_string(f, eq + 1);
        first = 0;
    }
    fprintf(f, "%s}", first ? "" : "\n  ");
}

char *sysinfo_describe(const run_opts *o, const char *bindir, char *commit, size_t n)
{
    char s[512], cmd[4200];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct utsname u;
    uname(&u);
    PATHF(cmd, "cd '%s/..' && git describe --always --dirty --abbrev=12 2>/dev/null", bindir);
    command_line_of(cmd, commit, n);
    fprintf(f, "  \"host\": ");
    json_string(f, u.nodename);
    cpu_model(s, sizeof s);
    member(f, "cpu_model", s);
    fprintf(f, ",\n  \"cores\": %ld", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(f, ",\n  \"memory_bytes\": %llu",
            (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE));
    snprintf(s, sizeof s, "%s %s %s", u.sysname, u.release, u.machine);
    member(f, "kernel", s);
    command_line_of("cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null",
                    s, sizeof s);
    member(f, "cpu_governor", s);
    member(f, "compiler", "gcc " __VERSION__);
    member(f, "cflags", "-std=c11 -Wall -Wextra -Werror " MEMSTRAT_CFLAGS);
    libraries(f, o, bindir);
    environment(f);
    fputc('\n', f);
    fclose(f);
    return buf;
}
