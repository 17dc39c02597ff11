/*
 * harness/supervise.c -- one trial of one cell: start the cell's process,
 * watch it, judge how it ended, and read what it measured.
 *
 * Why a process per trial: peak RSS (wait4's ru_maxrss) is a per-process
 * high-water mark, so only a fresh process gives a trial its own; a cell
 * that crashes, hangs or exhausts memory takes nothing else down with it;
 * and the process is the level at which this machine varies most (the same
 * cell differs 15x between processes, and 5% within one).
 *
 * The parent samples the cell every --sample-ms: it kills the cell's
 * process group when the trial passes --timeout, when its resident memory
 * passes --mem-limit, or when the user interrupts the run.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend_options.h"
#include "exits.h"
#include "options.h"
#include "runner.h"

volatile sig_atomic_t supervise_stop;

/* A process's resident set, from /proc/PID/stat (field 24, in pages), not
   /proc/PID/statm: on Linux 6.x statm sums the per-CPU RSS counters exactly,
   taking a lock the cell's own page faults contend for, and polled every
   2 ms it made pool on mimalloc 10x slower (9.7 -> 96.5 ns per append at
   1e6).  stat reads the same counters approximately, without the lock. */
static long rss_kb_of(pid_t pid)
{
    char path[64];
    PATHF(path, "/proc/%d/stat", (int)pid);
    char *s = read_small_file(path);
    long resident = 0;
    char *p = s ? strrchr(s, ')') : NULL;     /* the command may hold spaces */
    if (p) {
        /* After ") " come fields 3, 4, ...: skip to field 24. */
        for (int field = 2; field < 24 && p; field++)
            p = strchr(p + 1, ' ');
        if (p)
            resident = strtol(p + 1, NULL, 10);
    }
    free(s);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The cell and its descendants (the cpython series runs python3 as the
   cell's child): the largest resident set among them, which is what
   ru_maxrss reports at the end and so what the timeline must follow, and
   their sum, which is what the memory limit must bound. */
static void tree_rss(pid_t pid, long *max, long *sum, int depth)
{
    long r = rss_kb_of(pid);
    *sum += r;
    if (r > *max)
        *max = r;
    if (depth > 4)
        return;
    char path[96];
    PATHF(path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    char *s = read_small_file(path);
    for (char *p = s, *end; p && *p; p = end) {
        long child = strtol(p, &end, 10);
        if (end == p)
            break;
        tree_rss((pid_t)child, max, sum, depth + 1);
    }
    free(s);
}

/* Last non-empty line of the cell's log: its own account of a failure. */
static void last_line(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    char *s = read_small_file(path);
    if (s == NULL)
        return;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        s[--len] = '\0';
    char *nl = strrchr(s, '\n');
    snprintf(buf, n, "%s", nl ? nl + 1 : s);
    free(s);
}

/* ---- contention: did the trial have its CPU to itself? ------------------

   The cell reports the CPU time its timed region got (timed_cpu_ns) and the
   involuntary context switches in it (timed_nivcsw); per thread, CPU time
   over wall time is its share of the CPU.  Measured on this 2-core VM
   (2026-11-28, load average 5: neighbours building), four cells
   (list_append/refcount/glibc 1e5, tuple_create/refcount/glibc 1e3,
   list_append/pool/mimalloc 1e4, cycles/refcount/glibc 1e4, a leaking
   one), timed regions of 7-410 ms:
     - with the CPU to itself (SCHED_FIFO, nothing can preempt it):
       share 0.997-1.000 (16 trials), 0 involuntary switches;
     - under CFS beside the neighbours: 0.41-0.70 (32 trials), 57-216/s;
     - and a `taskset -c N sh -c 'while :; do :; done'` on its CPU too:
       0.24-0.48 (24 trials), 61-244/s.
   A share below 0.95 means something else ran for 5% of the timed region
   or more -- as much as the smallest change compare is asked to find
   (--threshold 5%).  The switch rate separates the cases no better (a trial
   preempted twice for 1 ms each has a rate of 100/s in 20 ms and lost 10%;
   the share says 0.9 directly): it is recorded, not judged.  The rule's
   share is CONTENDED_SHARE (run.h: probe.c judges by it too). */

/* MEMSTRAT_CONTENTION=off: no trial is judged contended (a machine where
   the rule misfires; the test suites that count trials). */
int supervise_contention_off(void)
{
    const char *v = getenv("MEMSTRAT_CONTENTION");
    return v && strcmp(v, "off") == 0;
}

void supervise_contention_rule(char *buf, size_t n)
{
    if (supervise_contention_off())
        snprintf(buf, n, "off (MEMSTRAT_CONTENTION=off): every trial is used");
    else
        snprintf(buf, n, "contended when the timed region had its CPU for less than %.2f of its "
                 "wall time, per thread (not judged: teams that wait by design, rc_gil and the "
                 "shared workloads)", CONTENDED_SHARE);
}

/* cpu_share, nivcsw_per_s and contended (0/1) from the cell's account of
   its timed region; a cell that gave none (the cpython series) is clean;
   one that is not judged (judged = 0) is clean too. */
static void judge_contention(row *r, double timed_ns, double cpu_ns, double nivcsw,
                             double threads, int judged)
{
    if (!(timed_ns > 0) || cpu_ns < 0) {
        row_set(r, COL_cpu_share, "-");
        row_set(r, COL_nivcsw_per_s, "-");
        row_set(r, COL_contended, "0");
        return;
    }
    double share = cpu_ns / timed_ns / (threads >= 1 ? threads : 1);
    row_set(r, COL_cpu_share, "%.4f", share);
    row_set(r, COL_nivcsw_per_s, "%.1f", nivcsw * 1e9 / timed_ns);
    row_set(r, COL_contended, "%d", !supervise_contention_off() && judged && share < CONTENDED_SHARE);
}

/* Fill the measured columns from the cell's KEY VALUE result file. */
static int read_result(row *r, const char *path, long peak_kb, double fault_ns,
                       const cell_spec *c)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char key[64], val[256];
    double v[NCOLS] = { 0 };
    double final_len = 0, final_cap = 0, in_place = 0, pause_total = -1, pause_max = -1;
    double timed_faults = -1, timed_ns = 0, timed_cpu_ns = -1, nivcsw = 0, threads = 1;
    while (fscanf(f, "%63s %255[^\n]", key, val) >= 1) {
        for (int c = 0; c < NCOLS; c++)
            if (strcmp(key, column_names[c]) == 0) {
                row_set(r, (enum column)c, "%s", val);
                v[c] = atof(val);
            }
        if (strcmp(key, "final_len") == 0) final_len = atof(val);
        if (strcmp(key, "final_cap") == 0) final_cap = atof(val);
        if (strcmp(key, "resizes_in_place") == 0) in_place = atof(val);
        if (strcmp(key, "pause_total_ns") == 0) pause_total = atof(val);
        if (strcmp(key, "pause_max_ns") == 0) pause_max = atof(val);
        if (strcmp(key, "timed_faults") == 0) timed_faults = atof(val);
        if (strcmp(key, "timed_ns") == 0) timed_ns = atof(val);
        if (strcmp(key, "timed_cpu_ns") == 0) timed_cpu_ns = atof(val);
        if (strcmp(key, "timed_nivcsw") == 0) nivcsw = atof(val);
        if (strcmp(key, "threads") == 0) threads = atof(val);
        val[0] = '\0';
    }
    fclose(f);
    /* A cell that measured its own peak (VmHWM: see cell.c) is believed over
       wait4's, which carries this runner's peak across the exec. */
    if (v[COL_peak_rss_kb] > 0)
        peak_kb = (long)v[COL_peak_rss_kb];
    else
        row_set(r, COL_peak_rss_kb, "%ld", peak_kb);
    long above = peak_kb - (long)v[COL_baseline_rss_kb];
    row_set(r, COL_rss_above_baseline_kb, "%ld", above);
    row_set(r, COL_rss_overhead, "%.4f", v[COL_live_peak_bytes] > 0
            ? (double)above * 1024 / v[COL_live_peak_bytes] : NAN);
    row_set(r, COL_final_slack, "%.4f", final_len > 0 ? final_cap / final_len : NAN);
    row_set(r, COL_in_place_share, "%.4f", v[COL_resizes] > 0 ? in_place / v[COL_resizes] : NAN);
    if (v[COL_resizes] == 0) {
        row_set(r, COL_growth_mean, "NaN");
        row_set(r, COL_growth_last, "NaN");
    }
    /* The page faults of the timed repetitions at the machine's calibrated
       cost: their share of the timed time, and ns per operation. */
    if (timed_faults >= 0 && timed_ns > 0 && fault_ns > 0) {
        double share = fmin(1, timed_faults * fault_ns / timed_ns);
        row_set(r, COL_fault_share, "%.4f", share);
        row_set(r, COL_fault_ns_est, "%.4f", share * v[COL_ns_median]);
    } else {
        row_set(r, COL_fault_share, "-");
        row_set(r, COL_fault_ns_est, "-");
    }
    /* A team whose threads wait for each other by design -- one lock
       (rc_gil), a queue or a barrier (WL_SHARED) -- has a share per thread
       below 1 of its own: recorded, not judged.  Independent copies on T
       heaps never wait, so their share is judged as a one-thread cell's. */
    int waits = threads > 1 && ((c->s->flags & STRAT_SERIAL) || (c->w->params & WL_SHARED));
    /* A team that fills every CPU shares them with the runner's sampling and
       the kernel: on this 2-CPU VM, idle, two independent copies had 0.86
       of their CPUs each.  Judged only where a CPU is left over. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    waits |= threads > 1 && cpus > 0 && threads >= (double)cpus;
    judge_contention(r, timed_ns, timed_cpu_ns, nivcsw, threads, !waits);
    /* Pauses in ns become ms; a cell that reported them as "-" keeps it. */
    if (pause_total >= 0)
        row_set(r, COL_pause_total_ms, "%.4f", pause_total / 1e6);
    if (pause_max >= 0)
        row_set(r, COL_pause_max_ms, "%.4f", pause_max / 1e6);
    return 0;
}

/* In the child, before exec: the CPU, the limits, the allocator's options,
   the log. */
static void child_setup(const run_opts *o, const trial_env *e, const cell_spec *c,
                        const variant *v, const char *log)
{
    setpgid(0, 0);
    variant_apply_env(v);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    /* Threads on one CPU would take turns: such a cell gets the run's CPUs
       (its note says so), not the runner's one. */
    if (c->threads > 1 && e->cpu >= 0)
        pin_spread();
    else
        pin_self(e->cpu);
    if (o->mem_limit) {
        /* The limit is on resident memory, enforced by the parent's samples.
           RLIMIT_DATA counts address space, which allocators reserve far
           beyond what they touch (jemalloc: 1,189 MB of VmData at 511 MB
           resident), so it is only a backstop at 4x, where it turns a
           runaway into a NULL from malloc and a clean "oom". */
        uint64_t cap = o->mem_limit > UINT64_MAX / 4 ? UINT64_MAX : o->mem_limit * 4;
        struct rlimit rl = { cap, cap };
        setrlimit(RLIMIT_DATA, &rl);
    }
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
}

enum { KILLED_NOT, KILLED_TIMEOUT, KILLED_MEMORY, KILLED_STOP };

typedef struct watch {
    int killed, status;
    struct rusage ru;
} watch;

/* Sample the cell until it ends: the timeline (when tl is open) and the
   kill checks. */
static void watch_cell(const run_opts *o, const trial_env *e, pid_t pid, double t0, FILE *tl,
                       watch *w)
{
    struct timespec tick = { (time_t)(o->sample_ms / 1000),
                             (long)(fmod(o->sample_ms, 1000) * 1e6) };
    double last_shown = 0;
    for (;;) {
        pid_t got = wait4(pid, &w->status, w->killed ? 0 : WNOHANG, &w->ru);
        if (got == pid)
            break;
        if (got < 0 && errno != EINTR)
            break;
        if (w->killed)
            continue;
        double now = (double)clock_ns() / 1e9;
        long max = 0, sum = 0;
        tree_rss(pid, &max, &sum, 0);
        if (tl && max > 0)
            fprintf(tl, "%.4f,%ld\n", now - t0, max);
        if (now - t0 > o->timeout)
            w->killed = KILLED_TIMEOUT;
        else if (o->mem_limit && (uint64_t)sum * 1024 > o->mem_limit)
            w->killed = KILLED_MEMORY;
        else if (supervise_stop)
            w->killed = KILLED_STOP;
        if (w->killed) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            continue;
        }
        if (e->tty && e->progress && now - last_shown > 0.25) {
            fprintf(stderr, "\r\033[K%s  %.1fs, RSS %.1f MiB", e->progress, now - t0,
                    (double)max / 1024);
            last_shown = now;
        }
        nanosleep(&tick, NULL);
    }
}

void supervise_trial(const run_opts *o, const trial_env *e, const cell_spec *c, int trial,
                     row *r)
{
    char exe[2200], result[4400], json[4400], log[4400], latency[4400], timeline[4400];
    char size[32], hf[32], win[32], k[32], reps[32], mt[32], batch[32], bopts[512], err[512];
    variant v;
    if (variant_parse(c->backend, memstrat_backends, &v, err, sizeof err) < 0)
        run_usage("%s", err);              /* parsed once already: cannot happen */
    variant_format(&v, bopts, sizeof bopts);
    PATHF(exe, "%s/cell-%s", e->bindir, v.base);
    PATHF(result, "%s/raw/%s.t%d.result", e->dir, c->id, trial);
    PATHF(json, "%s/raw/%s.t%d.json.tmp", e->dir, c->id, trial);
    PATHF(log, "%s/logs/%s.t%d.log", e->dir, c->id, trial);
    PATHF(latency, "%s/latency/%s.csv", e->dir, c->id);
    PATHF(timeline, "%s/timeline/%s.csv", e->dir, c->id);
    snprintf(batch, sizeof batch, "%llu", (unsigned long long)o->batch);
    snprintf(size, sizeof size, "%llu", (unsigned long long)c->n);
    fmt_hf(hf, sizeof hf, c->hf ? c->hf : HEAP_FACTOR_DEFAULT);
    snprintf(win, sizeof win, "%lld", (long long)(c->win > 0 ? c->win : 0));
    snprintf(k, sizeof k, "%u", c->k ? c->k : 3);
    snprintf(reps, sizeof reps, "%d", o->reps);
    snprintf(mt, sizeof mt, "%g", o->min_time);
    char *argv[48] = { exe, "--workload", (char *)c->w->name, "--strategy", (char *)c->s->name,
                     "--size", size, "--policy", (char *)(c->p ? c->p->name : "cpython"),
                     "--heap-factor", hf, "--window", win, "--k", k, "--reps", reps,
                     "--min-time", mt, "--gc-threshold", (char *)o->gc_threshold,
                     "--big-blocks", (char *)big_blocks_names[o->big_blocks],
                     "--batch", batch, "--extras", e->extras ? "1" : "0",
                     "--backend-options", bopts,
                     "--result", result, "--json", json };
    size_t argc = 0;
    while (argv[argc])
        argc++;
    /* Only where they are not the defaults: a one-thread cell's command line
       is the one it had before threads. */
    char threads[16], interval[32];
    snprintf(threads, sizeof threads, "%u", c->threads ? c->threads : 1);
    snprintf(interval, sizeof interval, "%g", o->switch_ms);
    if (matrix_threaded_args(o, c)) {
        argv[argc++] = "--threads";
        argv[argc++] = threads;
        argv[argc++] = "--switch-interval";
        argv[argc++] = interval;
    }
    /* A T > 1 cell runs on its team anyway: only T = 1 needs saying so. */
    if (c->threads <= 1 && matrix_on_workers(o, c)) {
        argv[argc++] = "--thread-home";
        argv[argc++] = "workers";
    }
    if (e->extras) {
        argv[argc++] = "--latency";
        argv[argc++] = latency;
    }
    argv[argc] = NULL;
    remove(result);
    if (e->cpu >= 0 && c->threads <= 1)
        row_set(r, COL_cpu, "%d", e->cpu);
    else
        row_set(r, COL_cpu, "-");

    double t0 = (double)clock_ns() / 1e9;
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(o, e, c, &v, log);
        execv(exe, argv);
        fprintf(stderr, "failed: cannot run %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        row_set(r, COL_status, "failed: fork: %s", strerror(errno));
        return;
    }
    setpgid(pid, pid);

    /* Only the trial that records the extras keeps a timeline. */
    FILE *tl = NULL;
    char tl_tmp[4410];
    PATHF(tl_tmp, "%s.tmp", timeline);
    if (e->extras && (tl = fopen(tl_tmp, "w")) != NULL)
        fprintf(tl, "elapsed_s,rss_kb\n");
    watch w = { 0 };
    watch_cell(o, e, pid, t0, tl, &w);
    if (tl && (fclose(tl) != 0 || w.killed == KILLED_STOP || rename(tl_tmp, timeline) != 0))
        remove(tl_tmp);

    double wall = (double)clock_ns() / 1e9 - t0;
    char when[32], why[512];
    utc_now(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ");
    row_set(r, COL_wall_s, "%.3f", wall);
    row_set(r, COL_finished_at, "%s", when);
    row_set(r, COL_peak_rss_kb, "%ld", w.ru.ru_maxrss);
    row_set(r, COL_minor_faults, "%ld", w.ru.ru_minflt);
    row_set(r, COL_major_faults, "%ld", w.ru.ru_majflt);
    last_line(log, why, sizeof why);

    int st = w.status;
    if (w.killed == KILLED_TIMEOUT) {
        row_set(r, COL_status, "timeout");
    } else if (w.killed == KILLED_MEMORY) {
        row_set(r, COL_status, "oom");
    } else if (w.killed == KILLED_STOP) {
        row_set(r, COL_status, "interrupted");
    } else if (WIFSIGNALED(st)) {
        row_set(r, COL_status, "failed: crashed with signal %d (%s)", WTERMSIG(st),
                strsignal(WTERMSIG(st)));
    } else if (WEXITSTATUS(st) == EXIT_OOM) {
        row_set(r, COL_status, "oom");
    } else if (WEXITSTATUS(st) == EXIT_NA) {
        /* Not a failure: say why once, keep the cell as n/a. */
        row_set(r, COL_status, "n/a");
        fprintf(stderr, "%s%s  note: %s\n", e->tty ? "\r\033[K" : "", c->id, why);
        char note[sizeof why];
        note_set(note, sizeof note, why);
        row_set(r, COL_note, "%s", note);
        row_set(r, COL_backend_version, "-");
    } else if (WEXITSTATUS(st) != 0) {
        const char *msg = strncmp(why, "failed: ", 8) == 0 ? why + 8 : why;
        row_set(r, COL_status, "failed: %s", *msg ? msg : "no message");
    } else if (read_result(r, result, w.ru.ru_maxrss, e->fault_ns, c) < 0) {
        row_set(r, COL_status, "failed: the cell wrote no result");
    } else {
        char final_json[4400];
        PATHF(final_json, "%s/raw/%s.t%d.json", e->dir, c->id, trial);
        rename(json, final_json);
        row_set(r, COL_status, "ok");
    }
    remove(result);
    remove(json);
}
