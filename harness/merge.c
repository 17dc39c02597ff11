/*
 * harness/merge.c -- `memstrat merge OUT RUN...`: one run directory from
 * several -- the shards of one matrix run on many machines, or the whole
 * matrix run on each of several hosts -- as if one runner had made it.
 *
 * trials.csv is the truth here as in a run: the merged cells.csv is computed
 * again from the merged trials (stats_cell_row), never pasted together from
 * the runs' cells.csv, so every median and interval stays right.  A cell the
 * matrix expects that no run holds is written `missing`, and merge exits
 * EXIT_MISSING: a failed machine never hides.
 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "stats.h"

typedef struct source {
    const char *dir;
    char *meta, *args;          /* meta.json; matrix.args without --shard, --seed */
    char host[256], shard[32], commit[128], compiler[256];
    table trials, cells;
} source;

typedef struct merge_ctx {
    const char *out;
    source *src;
    size_t nsrc;
    const char **hosts;         /* distinct, in the order of the runs */
    size_t nhosts;
    run_opts o;                 /* the first run's matrix */
    table trials, cells;
    size_t missing, incomplete, failed;
    size_t outside;             /* rows of cells the first run's matrix lacks (--allow-mixed) */
    int by_host;                /* a cell from two hosts: hosts are a dimension */
} merge_ctx;

/* One line, then exit: EXIT_USAGE for what was asked, EXIT_WRITE for a file
   that could not be written. */
_Noreturn __attribute__((format(printf, 2, 3))) static void merge_die(int code, const char *fmt,
                                                                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "memstrat merge: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}
#define merge_usage(...) merge_die(EXIT_USAGE, __VA_ARGS__)
#define merge_write_failed(...) merge_die(EXIT_WRITE, __VA_ARGS__)

/* matrix.args without the options named in drop, as "OPT SEP VALUE SEP"
   pairs: without --shard, --seed (the order of the rounds) and --pin (the
   CPU each part's calibration chose on its own node) it is the matrix, the
   same for every part of one. */
static char *args_without(const char *dir, const char *const *drop, const char *sep)
{
    char path[4200];
    PATHF(path, "%s/matrix.args", dir);
    char *s = read_small_file(path), *out = NULL, *save = NULL;
    size_t len = 0;
    if (s == NULL)
        merge_usage("%s is not a run directory (no matrix.args)", dir);
    FILE *f = open_memstream(&out, &len);
    for (char *a = strtok_r(s, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
        char *v = strtok_r(NULL, "\n", &save);
        int keep = v != NULL;
        for (const char *const *d = drop; *d && keep; d++)
            keep = strcmp(a, *d) != 0;
        if (keep)
            fprintf(f, "%s%s%s%s", a, sep, v, sep);
    }
    fclose(f);
    free(s);
    return out;
}

static const char *const not_matrix[] = { "--shard", "--seed", "--pin", NULL };
static const char *const not_whole[] = { "--shard", "--pin", NULL };

static void load_source(source *s, const char *dir)
{
    char path[4200], err[512];
    s->dir = dir;
    s->args = args_without(dir, not_matrix, " ");
    PATHF(path, "%s/meta.json", dir);
    if ((s->meta = read_small_file(path)) == NULL)
        merge_usage("%s has no meta.json (the run never started)", dir);
    json_value(s->meta, "host", s->host, sizeof s->host);
    json_value(s->meta, "shard", s->shard, sizeof s->shard);
    json_value(s->meta, "memstrat_commit", s->commit, sizeof s->commit);
    json_value(s->meta, "compiler", s->compiler, sizeof s->compiler);
    PATHF(path, "%s/trials.csv", dir);
    if (table_read_csv(path, &s->trials, 1, NULL, err, sizeof err) < 0)
        merge_usage("%s", err);
    PATHF(path, "%s/cells.csv", dir);
    if (access(path, F_OK) == 0 && table_read_csv(path, &s->cells, 0, NULL, err, sizeof err) < 0)
        merge_usage("%s", err);
    /* Rows of runs made before the host column: the run's host. */
    for (size_t i = 0; i < s->trials.n; i++)
        if (!*row_get(&s->trials.rows[i], COL_host))
            row_set(&s->trials.rows[i], COL_host, "%s", s->host);
    for (size_t i = 0; i < s->cells.n; i++)
        if (!*row_get(&s->cells.rows[i], COL_host))
            row_set(&s->cells.rows[i], COL_host, "%s", s->host);
}

/* Runs of different builds or matrices measure different things: one line
   naming the first difference, unless --allow-mixed. */
static void refuse_mixed(const merge_ctx *m)
{
    static const char *const what[] = { "commits", "compilers", "matrices" };
    const source *a = &m->src[0];
    for (size_t i = 1; i < m->nsrc; i++) {
        const source *b = &m->src[i];
        const char *va[] = { a->commit, a->compiler, a->args };
        const char *vb[] = { b->commit, b->compiler, b->args };
        for (int k = 0; k < 3; k++)
            if (strcmp(va[k], vb[k]) != 0)
                merge_usage("%s and %s are runs of different %s (%s / %s); --allow-mixed merges "
                            "them anyway", a->dir, b->dir, what[k], va[k], vb[k]);
    }
}

static size_t host_index(merge_ctx *m, const char *host)
{
    for (size_t i = 0; i < m->nhosts; i++)
        if (strcmp(m->hosts[i], host) == 0)
            return i;
    m->hosts[m->nhosts] = host;
    return m->nhosts++;
}

/* Which run holds each cell on each host: one cell twice from one host is
   the same measurement merged twice, an error; from two hosts, hosts become
   a dimension. */
static void check_owners(merge_ctx *m, const cell_spec *c, size_t nc)
{
    int *owner = malloc((nc * m->nsrc + 1) * sizeof *owner);
    int *hosts_of = calloc(nc + 1, sizeof *hosts_of);
    for (size_t i = 0; i < nc * m->nsrc; i++)
        owner[i] = -1;
    for (size_t s = 0; s < m->nsrc; s++) {
        size_t h = host_index(m, m->src[s].host);
        const table *ts[2] = { &m->src[s].trials, &m->src[s].cells };
        for (int k = 0; k < 2; k++)
            for (size_t r = 0; r < ts[k]->n; r++) {
                const char *id = row_get(&ts[k]->rows[r], COL_cell);
                size_t i = 0;
                while (i < nc && strcmp(c[i].id, id) != 0)
                    i++;
                m->outside += i == nc;
                if (i == nc || owner[i * m->nsrc + h] == (int)s)
                    continue;
                if (owner[i * m->nsrc + h] >= 0)
                    merge_usage("cell %s is in both %s and %s, from one host (%s): merge each run "
                                "once", id, m->src[owner[i * m->nsrc + h]].dir, m->src[s].dir,
                                m->src[s].host);
                owner[i * m->nsrc + h] = (int)s;
                m->by_host |= ++hosts_of[i] > 1;
            }
    }
    free(owner);
    free(hosts_of);
}

/* ---- the merged tables ------------------------------------------------ */

static int by_cell_host_trial(const void *pa, const void *pb)
{
    const row *a = *(const row *const *)pa, *b = *(const row *const *)pb;
    int d = strcmp(row_get(a, COL_cell), row_get(b, COL_cell));
    if (d == 0)
        d = strcmp(row_get(a, COL_host), row_get(b, COL_host));
    return d ? d : (a->trial > b->trial) - (a->trial < b->trial);
}

static void copy_row(row *to, const row *from)
{
    for (int col = 0; col < NCOLS; col++)
        to->v[col] = from->v[col] ? strdup(from->v[col]) : NULL;
    to->trial = from->trial;
}

/* The row a run's cells.csv gives a cell (on host, or any when NULL). */
static const row *cell_row_of(const merge_ctx *m, const char *id, const char *host)
{
    for (size_t s = 0; s < m->nsrc; s++)
        for (size_t r = 0; r < m->src[s].cells.n; r++) {
            const row *x = &m->src[s].cells.rows[r];
            if (strcmp(row_get(x, COL_cell), id) == 0 &&
                (host == NULL || strcmp(row_get(x, COL_host), host) == 0))
                return x;
        }
    return NULL;
}

/* One cell on one host, as runner.c's save_cells makes it: a failure says
   why; else the statistics over its trials, `interrupted` when some are
   missing; with no trials, the run's own row (n/a), or `missing`. */
static void merge_cell(merge_ctx *m, const cell_spec *c, const char *host, const row **tr,
                       size_t n)
{
    row *r = table_add(&m->cells);
    const row *own = cell_row_of(m, c->id, host);
    const char *st = n ? row_get(tr[n - 1], COL_status) : "";
    if (n && strcmp(st, "ok") != 0) {
        copy_row(r, tr[n - 1]);
        m->failed += strcmp(st, "n/a") != 0;
    } else if (n) {
        stats_cell_row(r, tr, n);
        /* As the runner judges a cell done: its clean trials, or its
           retries spent (then short of clean trials). */
        size_t clean = stats_clean_trials(tr, n), want = (size_t)m->o.trials;
        row_set(r, COL_trials_short, "%zu", clean < want ? want - clean : 0);
        if (clean < want && n < want + (size_t)m->o.retries) {
            row_set(r, COL_status, "interrupted");
            row_set(r, COL_trials_short, "0");
            m->incomplete++;
        }
    } else if (own && strcmp(row_get(own, COL_status), "n/a") == 0) {
        copy_row(r, own);
    } else {
        matrix_row_spec(r, c);
        row_set(r, COL_host, "%s", host ? host : "");
        row_set(r, COL_status, "missing");
        m->missing++;
    }
}

/* The first of the sorted rows whose cell is not below id. */
static size_t lower_bound(const row **v, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(row_get(v[mid], COL_cell), id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Every trial of every run; then the cells in the matrix's order (by host
   after that when hosts are a dimension, each host expected to run every
   cell), each from its trials sorted by trial number. */
static void merge_tables(merge_ctx *m, const cell_spec *c, size_t nc)
{
    for (size_t s = 0; s < m->nsrc; s++)
        for (size_t r = 0; r < m->src[s].trials.n; r++)
            copy_row(table_add(&m->trials), &m->src[s].trials.rows[r]);
    const row **sorted = malloc((m->trials.n + 1) * sizeof *sorted);
    const row **tr = malloc((m->trials.n + 1) * sizeof *tr);
    for (size_t i = 0; i < m->trials.n; i++)
        sorted[i] = &m->trials.rows[i];
    qsort(sorted, m->trials.n, sizeof *sorted, by_cell_host_trial);
    for (size_t i = 0; i < nc; i++) {
        size_t lo = lower_bound(sorted, m->trials.n, c[i].id);
        for (size_t h = 0; h < (m->by_host ? m->nhosts : 1); h++) {
            const char *host = m->by_host ? m->hosts[h] : NULL;
            size_t n = 0;
            for (size_t j = lo; j < m->trials.n && !strcmp(row_get(sorted[j], COL_cell), c[i].id);
                 j++)
                if (host == NULL || strcmp(row_get(sorted[j], COL_host), host) == 0)
                    tr[n++] = sorted[j];
            merge_cell(m, &c[i], host, tr, n);
        }
    }
    free(tr);
    free(sorted);
}

/* hosts.csv when hosts are a dimension: each cell's ns/op on every host over
   the first host's, what plots/hosts.gp draws; NaN where a side is not ok.
   merge_tables wrote the cells host-minor, nhosts rows per cell. */
static int write_hosts_csv(const merge_ctx *m)
{
    char path[4200], *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "cell,workload");
    for (size_t h = 0; h < m->nhosts; h++)
        fprintf(f, ",%s", m->hosts[h]);
    fputc('\n', f);
    for (size_t i = 0; i + m->nhosts <= m->cells.n; i += m->nhosts) {
        const row *ref = &m->cells.rows[i];
        if (strcmp(row_get(ref, COL_status), "n/a") == 0)
            continue;
        fprintf(f, "%s,%s", row_get(ref, COL_cell), row_get(ref, COL_workload));
        double base = atof(row_get(ref, COL_ns_median));
        for (size_t h = 0; h < m->nhosts; h++) {
            const row *r = &m->cells.rows[i + h];
            int ok = !strcmp(row_get(r, COL_status), "ok") && !strcmp(row_get(ref, COL_status), "ok");
            fprintf(f, ok && base > 0 ? ",%.4f" : ",NaN", atof(row_get(r, COL_ns_median)) / base);
        }
        fputc('\n', f);
    }
    PATHF(path, "%s/hosts.csv", m->out);
    return memstream_commit(f, &buf, &len, path);
}

/* ---- the files ----------------------------------------------------------- */

/* raw/, logs/, timeline/, latency/ of every run in one.  With hosts as a
   dimension a name comes once per host: the first keeps its name (the
   charts draw it), the others go to SUB/HOST/. */
static void merge_files(const merge_ctx *m, const char *sub)
{
    char dir[4200], from[4600], to[4800];
    PATHF(dir, "%s/%s", m->out, sub);
    remove_tree(dir);                                       /* an earlier merge's */
    if (mkdirs(dir) != 0)
        merge_write_failed("cannot create %s: %s", dir, strerror(errno));
    for (size_t s = 0; s < m->nsrc; s++) {
        PATHF(from, "%s/%s", m->src[s].dir, sub);
        DIR *d = opendir(from);
        for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
            if (e->d_name[0] == '.')
                continue;
            PATHF(from, "%s/%s/%s", m->src[s].dir, sub, e->d_name);
            PATHF(to, "%s/%s", dir, e->d_name);
            if (access(to, F_OK) == 0) {
                PATHF(to, "%s/%s", dir, m->src[s].host);
                mkdirs(to);
                PATHF(to, "%s/%s/%s", dir, m->src[s].host, e->d_name);
            }
            if (link_or_copy(from, to) != 0)
                merge_write_failed("cannot write %s: %s", to, strerror(errno));
        }
        if (d)
            closedir(d);
    }
}

/* run.log one after the other; growth.csv and the matrix from the first. */
static void merge_small_files(const merge_ctx *m)
{
    char path[4200], *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    for (size_t s = 0; s < m->nsrc; s++) {
        PATHF(path, "%s/run.log", m->src[s].dir);
        char *log = read_small_file(path);
        fputs(log ? log : "", f);
        free(log);
    }
    PATHF(path, "%s/run.log", m->out);
    int rc = memstream_commit(f, &buf, &len, path);
    PATHF(path, "%s/growth.csv", m->src[0].dir);
    char *growth = read_small_file(path);
    PATHF(path, "%s/growth.csv", m->out);
    if (growth && write_file_atomic(path, growth, strlen(growth)) != 0)
        rc = -1;
    free(growth);
    char *args = args_without(m->src[0].dir, not_whole, "\n");
    f = open_memstream(&buf, &len);
    fputs(args, f);
    free(args);
    PATHF(path, "%s/matrix.args", m->out);
    if (memstream_commit(f, &buf, &len, path) != 0 || rc != 0)
        merge_write_failed("cannot write to %s: %s", m->out, strerror(errno));
}

/* The first run's meta.json, and what was merged: every run's host and
   shard, the hosts, whether hosts are a dimension, the cells missing. */
static void write_meta(const merge_ctx *m)
{
    char path[4200], now[32], *buf = NULL;
    size_t len = 0;
    const char *meta = m->src[0].meta, *end = strrchr(meta, '}');
    end = end ? end : meta + strlen(meta);
    while (end > meta && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    FILE *f = open_memstream(&buf, &len);
    fwrite(meta, 1, (size_t)(end - meta), f);
    utc_now(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ");
    fprintf(f, ",\n  \"merged_utc\": \"%s\",\n  \"split\": \"%s\",\n  \"hosts\": [", now,
            m->by_host ? "hosts" : "cells");
    for (size_t h = 0; h < m->nhosts; h++) {
        fprintf(f, "%s", h ? ", " : "");
        json_string(f, m->hosts[h]);
    }
    fprintf(f, "],\n  \"missing_cells\": %zu,\n  \"merged_from\": [", m->missing);
    for (size_t s = 0; s < m->nsrc; s++) {
        char ended[32];
        json_value(m->src[s].meta, "ended_utc", ended, sizeof ended);
        fprintf(f, "%s\n    { \"dir\": ", s ? "," : "");
        json_string(f, m->src[s].dir);
        fprintf(f, ", \"host\": ");
        json_string(f, m->src[s].host);
        fprintf(f, ", \"shard\": ");
        json_string(f, m->src[s].shard);
        fprintf(f, ", \"ended_utc\": ");
        json_string(f, ended);
        fprintf(f, " }");
    }
    fprintf(f, "\n  ]\n}\n");
    PATHF(path, "%s/meta.json", m->out);
    if (memstream_commit(f, &buf, &len, path) != 0)
        merge_write_failed("cannot write %s: %s", path, strerror(errno));
}

/* OUT is new, or an earlier merge (made again: a resubmitted shard); never a
   run of its own, nor one of the runs. */
static void prepare_out(const merge_ctx *m)
{
    char path[4200];
    PATHF(path, "%s/meta.json", m->out);
    char *meta = read_small_file(path);
    int merged = meta && strstr(meta, "\"merged_from\"");
    free(meta);
    PATHF(path, "%s/trials.csv", m->out);
    if (access(path, F_OK) == 0 && !merged)
        merge_usage("%s already holds a run that is not a merge: give another OUT", m->out);
    for (size_t s = 0; s < m->nsrc; s++)
        if (strcmp(m->src[s].dir, m->out) == 0)
            merge_usage("%s is both OUT and a run to merge: give another OUT", m->out);
    if (mkdirs(m->out) != 0)
        merge_write_failed("cannot create %s: %s", m->out, strerror(errno));
    long holder;
    if (lock_run_dir(m->out, &holder) != 0)
        merge_usage("%s is in use (pid %ld): wait for it", m->out, holder);
}

int merge_main(int argc, char **argv)
{
    static merge_ctx ctx;
    merge_ctx *m = &ctx;
    int mixed = 0;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t nd = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--allow-mixed") == 0)
            mixed = 1;
        else if (strncmp(argv[i], "--", 2) == 0)
            merge_usage("unknown option '%s' (valid: --allow-mixed)", argv[i]);
        else
            dirs[nd++] = argv[i];
    }
    if (nd < 2)
        merge_usage("expected OUT and at least one RUN: memstrat merge OUT RUN... [--allow-mixed]");
    m->out = dirs[0];
    m->nsrc = nd - 1;
    m->src = calloc(m->nsrc, sizeof *m->src);
    m->hosts = calloc(m->nsrc, sizeof *m->hosts);
    for (size_t s = 0; s < m->nsrc; s++)
        load_source(&m->src[s], dirs[s + 1]);
    if (!mixed)
        refuse_mixed(m);
    prepare_out(m);

    /* The cells expected: the whole matrix the runs are parts of. */
    run_opts_defaults(&m->o);
    run_opts_load(&m->o, m->src[0].dir);
    m->o.shard_k = m->o.shard_n = 0;
    cell_spec *c;
    size_t nc = matrix_expand(&m->o, &c);
    check_owners(m, c, nc);
    merge_tables(m, c, nc);

    char path[4200];
    PATHF(path, "%s/trials.csv", m->out);
    int rc = table_write_csv(path, &m->trials, 1);
    stats_across_cells(&m->cells);
    PATHF(path, "%s/cells.csv", m->out);
    rc |= table_write_csv(path, &m->cells, 0);
    PATHF(path, "%s/series.csv", m->out);
    rc |= write_series_csv(path, &m->cells);
    PATHF(path, "%s/hosts.csv", m->out);
    remove(path);                               /* an earlier merge's */
    if (m->by_host)
        rc |= write_hosts_csv(m);
    if (rc != 0)
        merge_write_failed("cannot write to %s: %s", m->out, strerror(errno));
    static const char *const subs[] = { "raw", "logs", "timeline", "latency" };
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        merge_files(m, subs[i]);
    merge_small_files(m);
    write_meta(m);
    update_latest(m->out);

    fprintf(stderr, "memstrat merge: %zu runs from %zu host%s (%s) -> %s: %zu cells, %zu missing, "
                    "%zu incomplete, %zu failed\n", m->nsrc, m->nhosts, m->nhosts == 1 ? "" : "s",
            m->by_host ? "hosts are a dimension" : "cells split", m->out, m->cells.n, m->missing,
            m->incomplete, m->failed);
    if (m->outside)
        fprintf(stderr, "memstrat merge: warning: %zu rows of cells outside %s's matrix are in "
                        "trials.csv but not in cells.csv\n", m->outside, m->src[0].dir);
    printf("%s\n", m->out);
    if (m->missing || m->incomplete) {
        fprintf(stderr, "memstrat merge: cells missing or incomplete: a run failed or was cut "
                        "short (resubmit it: make bench-slurm RESUME=%s)\n", m->out);
        return EXIT_MISSING;
    }
    return m->failed ? EXIT_FAILED_BASE + (int)(m->failed > 63 ? 63 : m->failed) : 0;
}
