/*
 * harness/system.c -- `memstrat system`: what this machine does to the
 * numbers, in the spirit of `pyperf system show`.
 *
 * Each item is read from the kernel (/proc, /sys) or measured here; each one
 * that can hurt a measurement carries one line of advice.  The calibrations
 * matter most: on the reference VM a first-touch page fault costs 11-14 us,
 * 50-100x bare metal, so a cell that faults a lot ranks differently there
 * than on a workstation; `memstrat run` uses the same calibration to say,
 * per cell, what share of its time went to faults (fault_share).
 */
#include "run.h"
#include "exits.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define FAULT_BYTES   ((size_t)56 << 20)   /* 14,336 faults: 0.2 s at 12 us */
#define PAGE          4096

typedef struct item {
    const char *key;
    char value[256];
    char advice[256];           /* "" when nothing to say */
    int number;                 /* value is a JSON number */
} item;

/* ---- calibrations ------------------------------------------------------ */

/* Touch every page of a fresh mapping, or of one whose pages were given
   back; ns per page (NAN if no mapping).  The machine probe (probe.c) times
   one mapping a round with it.  Huge pages are refused, so that a fault is a 4 KiB
   fault whatever transparent_hugepage says. */
double system_touch_ns(size_t bytes, int retouch)
{
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NAN;
    madvise(p, bytes, MADV_NOHUGEPAGE);
    if (retouch) {
        for (size_t i = 0; i < bytes; i += PAGE)
            p[i] = 1;
        madvise(p, bytes, MADV_DONTNEED);
    }
    uint64_t t0 = clock_ns();
    for (size_t i = 0; i < bytes; i += PAGE)
        ((volatile char *)p)[i] = 1;
    double ns = (double)(clock_ns() - t0) / (double)(bytes / PAGE);
    munmap(p, bytes);
    return ns;
}

/* The median of seven mappings, interleaved with nothing: a burst of load
   on the machine (a neighbour's page faults contend for the same host)
   lands on one or two of them, not on the median.  A single mapping read
   up to 3x high here under load. */
#define CAL_MAPS 7

static double median_touch(size_t bytes, int retouch)
{
    double v[CAL_MAPS];
    for (int i = 0; i < CAL_MAPS; i++)
        v[i] = system_touch_ns(bytes / CAL_MAPS, retouch);
    return stats_median(v, CAL_MAPS);
}

double system_fault_ns(size_t bytes)
{
    return median_touch(bytes, 0);
}

double system_retouch_ns(size_t bytes)
{
    return median_touch(bytes, 1);
}

/* The median of 1,001 back-to-back clock reads. */
static double clock_cost_ns(void)
{
    enum { N = 1001 };
    static double d[N];
    for (int i = 0; i < N; i++) {
        uint64_t a = clock_ns(), b = clock_ns();
        d[i] = (double)(b - a);
    }
    return stats_median(d, N);
}

/* ---- reading the machine ------------------------------------------------- */

static int read_line(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    int ok = fgets(buf, (int)n, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* "always [madvise] never" -> "madvise" */
static void bracketed(const char *s, char *out, size_t n)
{
    const char *a = strchr(s, '['), *b = a ? strchr(a, ']') : NULL;
    if (a && b)
        snprintf(out, n, "%.*s", (int)(b - a - 1), a + 1);
    else
        snprintf(out, n, "%s", s);
}

static long meminfo_kb(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
            v = atol(line + strlen(key) + 1);
    if (f)
        fclose(f);
    return v;
}

double system_steal_s(void)
{
    char line[512];
    unsigned long long v[8] = { 0 };
    if (read_line("/proc/stat", line, sizeof line) < 0 ||
        sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) < 8)
        return NAN;
    return (double)v[7] / (double)sysconf(_SC_CLK_TCK);
}

static int has_cpu_flag(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f))
        if (strncmp(line, "flags", 5) == 0) {
            char pat[64];
            snprintf(pat, sizeof pat, " %s", flag);
            char *p = strstr(line, pat);
            found = p && (p[strlen(pat)] == ' ' || p[strlen(pat)] == '\n');
        }
    if (f)
        fclose(f);
    return found;
}

static void cpu_model(char *buf, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    snprintf(buf, n, "unknown");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *v = strchr(line, ':');
            if (v) {
                v[strcspn(v, "\n")] = '\0';
                snprintf(buf, n, "%s", v + 2);
            }
            break;
        }
    if (f)
        fclose(f);
}

#define SET(it, ...) snprintf((it)->value, sizeof (it)->value, __VA_ARGS__)
#define ADVISE(it, ...) snprintf((it)->advice, sizeof (it)->advice, __VA_ARGS__)

/* Every item, in the order they are shown.  Returns how many. */
static int gather(item *it, int calibrate)
{
    int n = 0;
    char s[256];
    struct utsname u;
    uname(&u);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

    it[n].key = "cpu_model";
    cpu_model(it[n].value, sizeof it[n].value);
    n++;
    it[n].key = "cpus", it[n].number = 1;
    SET(&it[n++], "%ld", ncpu);

    it[n].key = "governor";
    if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", s, sizeof s) == 0) {
        SET(&it[n], "%s", s);
        if (strcmp(s, "performance") != 0)
            ADVISE(&it[n], "the clock follows the load: cpupower frequency-set -g performance");
    } else {
        SET(&it[n], "not visible");
        ADVISE(&it[n], "no cpufreq here (a VM?): the host sets the clock, unseen");
    }
    n++;

    it[n].key = "boost";
    if (read_line("/sys/devices/system/cpu/cpufreq/boost", s, sizeof s) == 0) {
        SET(&it[n], "%s", strcmp(s, "1") == 0 ? "on" : "off");
        if (strcmp(s, "1") == 0)
            ADVISE(&it[n], "turbo lends speed by temperature: echo 0 > /sys/devices/system/cpu/cpufreq/boost");
    } else if (read_line("/sys/devices/system/cpu/intel_pstate/no_turbo", s, sizeof s) == 0) {
        SET(&it[n], "%s", strcmp(s, "0") == 0 ? "on" : "off");
        if (strcmp(s, "0") == 0)
            ADVISE(&it[n], "turbo lends speed by temperature: echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo");
    } else {
        SET(&it[n], "not visible");
    }
    n++;

    it[n].key = "smt";
    if (read_line("/sys/devices/system/cpu/smt/active", s, sizeof s) == 0) {
        SET(&it[n], "%s", strcmp(s, "1") == 0 ? "on" : "off");
        if (strcmp(s, "1") == 0)
            ADVISE(&it[n], "hyperthreads share a core: pin cells to a CPU whose sibling is idle");
    } else {
        SET(&it[n], "not visible");
    }
    n++;

    it[n].key = "aslr";
    if (read_line("/proc/sys/kernel/randomize_va_space", s, sizeof s) == 0) {
        SET(&it[n], "%s", strcmp(s, "0") == 0 ? "off" : "on");
        if (strcmp(s, "0") != 0)
            ADVISE(&it[n], "addresses differ per process: part of what trials average over (keep it)");
    } else {
        SET(&it[n], "unknown");
    }
    n++;

    static const char *const thp[2][2] = { { "thp_enabled", "enabled" }, { "thp_defrag", "defrag" } };
    for (int i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof path, "/sys/kernel/mm/transparent_hugepage/%s", thp[i][1]);
        it[n].key = thp[i][0];
        if (read_line(path, s, sizeof s) == 0) {
            bracketed(s, it[n].value, sizeof it[n].value);
            if (i == 0 && strcmp(it[n].value, "always") == 0)
                ADVISE(&it[n], "huge pages come and go with memory's state: fault counts and RSS vary; madvise is steadier");
        } else {
            SET(&it[n], "not visible");
        }
        n++;
    }

    it[n].key = "kernel";
    SET(&it[n++], "%s %s %s", u.sysname, u.release, u.machine);

    it[n].key = "virtual_machine";
    int vm = has_cpu_flag("hypervisor");
    SET(&it[n], "%s", vm ? "yes" : "no");
    if (vm)
        ADVISE(&it[n], "a VM: faults and timers cost more than on bare metal; compare ratios, not absolutes");
    n++;

    /* Steal over half a second: `memstrat run` measures it over the run
       instead, and does not wait for this. */
    if (calibrate) {
        double steal0 = system_steal_s();
        struct timespec half = { 0, 500000000 };
        nanosleep(&half, NULL);
        double steal = (system_steal_s() - steal0) / 0.5 / (double)ncpu;
        it[n].key = "steal", it[n].number = 1;
        SET(&it[n], "%.4f", isfinite(steal) ? steal : 0);
        if (steal > 0.01)
            ADVISE(&it[n], "the host ran someone else %.1f%% of the time: numbers wander with it",
                   100 * steal);
        n++;
    }

    double load = 0;
    if (read_line("/proc/loadavg", s, sizeof s) == 0)
        load = atof(s);
    it[n].key = "load", it[n].number = 1;
    SET(&it[n], "%.2f", load);
    if (load > 0.5)
        ADVISE(&it[n], "other work is running (load %.2f on %ld CPUs): it competes with the cells", load, ncpu);
    n++;

    long avail = meminfo_kb("MemAvailable"), swap = meminfo_kb("SwapTotal"),
         swap_free = meminfo_kb("SwapFree");
    it[n].key = "memory_available_kb", it[n].number = 1;
    SET(&it[n++], "%ld", avail);
    it[n].key = "swap_used_kb", it[n].number = 1;
    SET(&it[n], "%ld", swap >= 0 && swap_free >= 0 ? swap - swap_free : 0);
    if (swap > swap_free)
        ADVISE(&it[n], "swap in use: a cell's pages may be on disk; free memory first");
    n++;

    if (!calibrate)
        return n;
    double fault = system_fault_ns(FAULT_BYTES), retouch = system_retouch_ns(FAULT_BYTES);
    it[n].key = "fault_ns", it[n].number = 1;
    SET(&it[n], "%.1f", fault);
    if (fault > 1000)
        ADVISE(&it[n], "a first-touch page fault costs %.1f us (bare metal: 0.1-0.3): cells that fault rank "
                       "differently elsewhere; see fault_share", fault / 1000);
    n++;
    it[n].key = "retouch_ns", it[n].number = 1;
    SET(&it[n++], "%.1f", retouch);
    it[n].key = "clock_ns", it[n].number = 1;
    SET(&it[n++], "%.1f", clock_cost_ns());

    cpu_speed sp[64];
    int nc = pin_speeds(sp, 64);
    double lo = INFINITY, hi = 0;
    size_t len = 0;
    it[n].key = "cpu_speed_ms";
    for (int i = 0; i < nc; i++) {
        lo = fmin(lo, sp[i].ms), hi = fmax(hi, sp[i].ms);
        len += (size_t)snprintf(it[n].value + len, sizeof it[n].value - len, "%scpu%d=%.3f",
                                i ? " " : "", sp[i].cpu, sp[i].ms);
        if (len >= sizeof it[n].value)
            break;
    }
    if (nc > 1 && hi / lo > 1.10)
        ADVISE(&it[n], "the CPUs differ by %.0f%% in speed: memstrat run pins cells to the fastest (--pin)",
               100 * (hi / lo - 1));
    n++;
    return n;
}

/* ---- output ------------------------------------------------------------ */

static void json_items(FILE *f, const item *it, int n, const char *indent)
{
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s%s", i ? ",\n" : "", indent);
        json_string(f, it[i].key);
        fprintf(f, ": ");
        if (it[i].number)
            fputs(it[i].value, f);
        else
            json_string(f, it[i].value);
    }
    fprintf(f, ",\n%s\"advice\": [", indent);
    int first = 1;
    for (int i = 0; i < n; i++)
        if (*it[i].advice) {
            fprintf(f, "%s\n%s  ", first ? "" : ",", indent);
            json_string(f, it[i].advice);
            first = 0;
        }
    fprintf(f, "%s]", first ? "" : "\n  ");
}

char *system_json(int calibrate)
{
    item it[32] = { { 0 } };
    int n = gather(it, calibrate);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\n");
    json_items(f, it, n, "    ");
    fprintf(f, "\n  }");
    fclose(f);
    return buf;
}

int system_main(int argc, char **argv)
{
    int json = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "memstrat system: unknown option '%s' (valid: --json)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    item it[32] = { { 0 } };
    int n = gather(it, 1);
    if (json) {
        printf("{\n");
        json_items(stdout, it, n, "  ");
        printf("\n}\n");
        return 0;
    }
    for (int i = 0; i < n; i++) {
        printf("%-20s %s\n", it[i].key, it[i].value);
        if (*it[i].advice)
            printf("%-20s   -> %s\n", "", it[i].advice);
    }
    return 0;
}
