/*
 * harness/rundir.c -- the run directory: where a run goes, that it is its
 * own (refused when it holds a run, locked while one runs), what it says
 * about itself (meta.json, growth.csv, matrix.args), and how a resumed run
 * reads it back and goes on as the run it resumes.
 */
#include "run_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

void write_meta(run_ctx *x, const char *ended)
{
    char *buf = NULL, path[4200];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\n  \"memstrat_commit\": ");
    json_string(f, x->commit);
    fprintf(f, ",\n  \"command\": ");
    json_string(f, x->cmdline);
    fprintf(f, ",\n  \"started_utc\": ");
    json_string(f, x->started);
    fprintf(f, ",\n  \"ended_utc\": ");
    json_string(f, ended ? ended : "");
    fprintf(f, ",\n  \"trials\": %d,\n  \"seed\": %llu", x->o.trials,
            (unsigned long long)x->o.seed);
    fprintf(f, ",\n  \"threads\": \"");
    for (size_t i = 0; i < x->o.nthreads; i++)
        fprintf(f, "%s%u", i ? "," : "", x->o.threads[i]);
    fprintf(f, "\",\n  \"switch_interval_ms\": %g", x->o.switch_ms);
    /* Where the cells that can run on threads ran at T = 1 (matrix.c). */
    fprintf(f, ",\n  \"thread_home\": \"%s\"", matrix_has_teams(&x->o) ? "workers" : "main");
    /* Adaptive trials: the rule, and the cells the budget left imprecise. */
    fprintf(f, ",\n  \"max_trials\": %d,\n  \"ci_target\": %g,\n  \"budget_s\": %g,"
               "\n  \"budget_cut_cells\": %zu", x->o.max_trials, x->o.ci_target, x->o.budget_s,
            x->budget_cut);
    fprintf(f, ",\n  \"shard\": \"%d/%d\"", x->o.shard_n ? x->o.shard_k : 1,
            x->o.shard_n ? x->o.shard_n : 1);
    fprintf(f, ",\n  \"pinned_cpu\": %d,\n  \"pin\": ", x->cpu);
    json_string(f, x->pin_why);
    /* A planted slowdown is a test of the statistics: no published run may
       carry one unnoticed. */
    fprintf(f, ",\n  \"plant_slowdown_pct\": %g", x->plant);
    /* Trials that shared their CPU are left out of the statistics. */
    char rule[256];
    supervise_contention_rule(rule, sizeof rule);
    fprintf(f, ",\n  \"contention_rule\": ");
    json_string(f, rule);
    fprintf(f, ",\n  \"retries\": %d,\n  \"contended_trials\": %zu", x->o.retries, x->contended);
    fprintf(f, ",\n  \"allocator_environment\": ");
    json_string(f, x->alloc_env);
    fprintf(f, ",\n  \"resumed\": ");
    json_string(f, x->resumed);
    fprintf(f, ",\n  \"fault_ns\": %.1f", x->fault_ns);
    double steal = system_steal_s() - x->steal0;
    fprintf(f, ",\n  \"steal_s_during_run\": %.2f", isfinite(steal) ? steal : 0);
    fprintf(f, ",\n  \"system\": %s", x->system);
    fprintf(f, ",\n%s}\n", x->machine);
    PATHF(path, "%s/meta.json", x->dir);
    if (memstream_commit(f, &buf, &len, path) < 0 && !x->write_failed)
        x->write_failed = errno ? errno : EIO;
}

/* growth.csv: for every policy, the capacity a list gets at each resize up
   to the largest size of the matrix -- what the list-growth chart draws,
   kept with the run so that charts need nothing but the run directory. */
void write_growth(run_ctx *x)
{
    char *buf = NULL, path[4200];
    size_t len = 0;
    uint64_t max = 0;
    for (size_t i = 0; i < x->o.nsizes; i++)
        max = x->o.sizes[i] > max ? x->o.sizes[i] : max;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "policy,length,capacity\n");
    for (const growth_policy *const *p = growth_policies; *p; p++) {
        size_t cap = 0;
        for (size_t n = 1; n <= max; n++)
            if (n > cap) {
                cap = growth_capacity(*p, cap, n);
                fprintf(f, "%s,%zu,%zu\n", (*p)->name, n, cap);
            }
    }
    PATHF(path, "%s/growth.csv", x->dir);
    if (memstream_commit(f, &buf, &len, path) < 0 && !x->write_failed)
        x->write_failed = errno ? errno : EIO;
}

void choose_dir(run_ctx *x)
{
    const run_opts *o = &x->o;
    char host[256] = "host";
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(x->host, sizeof x->host, "%s", u.nodename);
    snprintf(host, sizeof host, "%s", *x->host ? x->host : "host");
    for (char *p = host; *p; p++)
        if (*p == '/' || *p == ' ')
            *p = '_';
    if (o->resume) {
        snprintf(x->dir, sizeof x->dir, "%s", o->resume);
    } else if (o->out) {
        snprintf(x->dir, sizeof x->dir, "%s", o->out);
    } else {
        char stamp[32];
        utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
        snprintf(x->dir, sizeof x->dir, "results/%s-%s", stamp, host);
    }
}

/* A directory that holds a run is never written over: git's rule for work
   it did not make. */
static void refuse_existing(const run_ctx *x)
{
    static const char *const marks[] = { "trials.csv", "cells.csv", "matrix.args", NULL };
    for (const char *const *m = marks; *m; m++) {
        char path[4200];
        PATHF(path, "%s/%s", x->dir, *m);
        if (access(path, F_OK) == 0)
            run_usage("--out %s already holds a run (its %s): finish it with --resume %s, "
                      "or give another --out", x->dir, *m, x->dir);
    }
}

void make_dirs(run_ctx *x, const char *matrix_args)
{
    static const char *const subs[] = { "", "/raw", "/logs", "/timeline", "/latency", NULL };
    for (const char *const *s = subs; *s; s++) {
        char sub[4200];
        PATHF(sub, "%s%s", x->dir, *s);
        if (mkdirs(sub) != 0)
            run_usage("cannot create the results directory %s: %s", sub, strerror(errno));
    }
    long holder;
    if (lock_run_dir(x->dir, &holder) != 0) {
        /* The holder writes its pid just after it takes the lock: a runner
           started at the same moment may find the lock but no pid yet. */
        if (holder > 0)
            run_usage("%s is in use by another memstrat run (pid %ld); wait for it, or give "
                      "another --out", x->dir, holder);
        if (errno == EWOULDBLOCK || errno == EAGAIN)
            run_usage("%s is in use by another memstrat run (it is starting); wait for it, or "
                      "give another --out", x->dir);
        run_usage("cannot lock %s: %s", x->dir, strerror(errno));
    }
    if (!x->o.resume) {
        refuse_existing(x);
        char path[4200];
        PATHF(path, "%s/matrix.args", x->dir);
        if (write_file_atomic(path, matrix_args, strlen(matrix_args)) != 0)
            run_usage("cannot write %s: %s", path, strerror(errno));
    }
}

/* Set a damaged file aside, beside the new one. */
static void set_aside(const char *path, char *aside, size_t n)
{
    char stamp[32];
    utc_now(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
    pathf(aside, n, "%s.damaged-%s", path, stamp);
    if (rename(path, aside) != 0)
        run_usage("cannot set %s aside: %s", path, strerror(errno));
}

/* --resume reads trials.csv back, and checks cells.csv.  A damaged file is
   refused; --repair keeps every whole trial of trials.csv (the lost ones run
   again), rebuilds cells.csv from them, and keeps the damaged files beside
   the new ones. */
static void read_back(run_ctx *x, const char *path)
{
    char err[512], cells[4200], aside[4400];
    size_t dropped = 0;
    table t = { 0 };
    PATHF(cells, "%s/cells.csv", x->dir);
    int bad_trials = table_read_csv(path, &x->trials, 1, NULL, err, sizeof err) < 0;
    int bad_cells = !bad_trials && access(cells, F_OK) == 0 &&
                    table_read_csv(cells, &t, 0, NULL, err, sizeof err) < 0;
    table_free(&t);
    if (!bad_trials && !bad_cells)
        return;
    if (!x->o.repair)
        run_usage("--resume: %s: damaged; add --repair to rebuild the run from its whole trials "
                  "(the damaged file is kept beside)", err);
    if (bad_trials) {
        table_free(&x->trials);
        if (table_read_csv(path, &x->trials, 1, &dropped, err, sizeof err) < 0)
            run_usage("--repair: %s: nothing to recover", err);
        set_aside(path, aside, sizeof aside);
        if (table_write_csv(path, &x->trials, 1) < 0)
            run_usage("--repair: cannot write %s: %s", path, strerror(errno));
        fprintf(stderr, "memstrat: repaired %s: %zu trials recovered, %zu damaged lines left out "
                        "(kept in %s); their trials run again\n", path, x->trials.n, dropped, aside);
    }
    if (access(cells, F_OK) == 0) {
        set_aside(cells, aside, sizeof aside);
        fprintf(stderr, "memstrat: %s is rebuilt from the trials (the old one is %s)\n", cells,
                aside);
    }
}

/* A run made before a column existed (contended, say): its trials.csv is
   written again with this build's header, the new fields empty (a trial
   without `contended` is clean), before any line is appended to it. */
static void upgrade_header(run_ctx *x, const char *path)
{
    char *now = NULL, *line = NULL;
    size_t len = 0, cap = 0;
    FILE *f = open_memstream(&now, &len);
    header_write_csv(f, 1);
    fclose(f);
    FILE *old = fopen(path, "r");
    ssize_t got = old ? getline(&line, &cap, old) : -1;
    if (old)
        fclose(old);
    if (got > 0 && strcmp(line, now) != 0 && table_write_csv(path, &x->trials, 1) < 0)
        run_usage("--resume: cannot write %s: %s", path, strerror(errno));
    free(line);
    free(now);
}

void open_trials(run_ctx *x)
{
    char path[4200];
    PATHF(path, "%s/trials.csv", x->dir);
    if (x->o.resume && access(path, F_OK) == 0) {
        read_back(x, path);
        upgrade_header(x, path);
    } else if (x->o.resume) {
        PATHF(path, "%s/cells.csv", x->dir);
        if (access(path, F_OK) == 0)
            run_usage("--resume %s: a run without trials.csv (made before trials); "
                      "start a new run", x->dir);
        PATHF(path, "%s/trials.csv", x->dir);
    }
    x->trials_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (x->trials_fd < 0)
        run_usage("cannot write %s: %s", path, strerror(errno));
    if (lseek(x->trials_fd, 0, SEEK_END) == 0) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        header_write_csv(f, 1);
        fclose(f);
        if (write(x->trials_fd, buf, len) != (ssize_t)len)
            run_usage("cannot write %s: %s", path, strerror(errno));
        free(buf);
    }
    PATHF(path, "%s/run.log", x->dir);
    x->log = fopen(path, "a");
}

void open_probe(run_ctx *x)
{
    char path[4200];
    PATHF(path, "%s/probe.csv", x->dir);
    x->probe = fopen(path, "a");
    if (x->probe == NULL)
        run_usage("cannot write %s: %s", path, strerror(errno));
    if (ftell(x->probe) == 0)
        fprintf(x->probe, "round,at,cpu,alu_ns,heap_ns,chase_ns,fault_ns,probe_version,contended_reps\n");
}

/* A top-level field of meta.json as this runner writes it ("  \"key\": value"),
   unquoted; 0, or -1 if absent. */
static int meta_field(const char *json, const char *key, char *out, size_t n)
{
    char pat[96];
    snprintf(pat, sizeof pat, "\n  \"%s\": ", key);
    const char *p = json ? strstr(json, pat) : NULL;
    if (p == NULL)
        return -1;
    p += strlen(pat);
    int quoted = *p == '"';
    p += quoted;
    size_t len = 0;
    while (*p && len + 1 < n && (quoted ? *p != '"' : (*p != ',' && *p != '\n'))) {
        if (quoted && *p == '\\' && p[1])
            p++;
        out[len++] = *p++;
    }
    out[len] = '\0';
    return 0;
}

/* --resume goes on with the run as it started: the same CPU (auto pinning
   kept its choice in matrix.args), the same fault calibration, the same
   command and start in meta.json; and it refuses a planted slowdown or an
   allocator setting the start did not have, which would mix two
   experiments in one cell's trials. */
void continue_run(run_ctx *x, const char *now)
{
    char path[4200], v[4096];
    PATHF(path, "%s/meta.json", x->dir);
    char *old = read_small_file(path);
    if (old == NULL)
        return;
    if (meta_field(old, "plant_slowdown_pct", v, sizeof v) == 0 && atof(v) != x->plant)
        run_usage("--resume %s: the run started with MEMSTRAT_PLANT_SLOWDOWN=%s, not %g: resume "
                  "it with the same setting", x->dir, v, x->plant);
    if (meta_field(old, "allocator_environment", v, sizeof v) == 0 &&
        strcmp(v, x->alloc_env) != 0)
        run_usage("--resume %s: the run started with the allocator settings '%s', not '%s': "
                  "resume it with the same environment", x->dir, v, x->alloc_env);
    if (meta_field(old, "command", v, sizeof v) == 0)
        snprintf(x->cmdline, sizeof x->cmdline, "%s", v);
    if (meta_field(old, "started_utc", v, sizeof v) == 0)
        snprintf(x->started, sizeof x->started, "%.31s", v);
    if (meta_field(old, "fault_ns", v, sizeof v) == 0 && atof(v) > 0)
        x->fault_ns = atof(v);
    char prev[1024] = "";
    meta_field(old, "resumed", prev, sizeof prev);
    snprintf(x->resumed, sizeof x->resumed, "%.500s%s%.500s", prev, *prev ? "; " : "", now);
    free(old);
}

/* A calibrated CPU becomes part of the matrix: --resume runs the rest of
   the trials where the first ones ran. */
void keep_pin(run_ctx *x)
{
    if (x->o.pin != PIN_AUTO || x->cpu < 0 || x->o.resume)
        return;
    char path[4200];
    PATHF(path, "%s/matrix.args", x->dir);
    char *args = read_small_file(path);
    if (args == NULL)
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "%s--pin\n%d\n", args, x->cpu);
    if (memstream_commit(f, &buf, &len, path) < 0 && !x->write_failed)
        x->write_failed = errno ? errno : EIO;
    free(args);
}

