/*
 * harness/team.c -- T worker threads, each on its own heap (team.h).
 *
 * The main thread drives the workers through one job at a time: it sets
 * the job, releases them all at the `start` barrier, and waits for them at
 * the `done` barrier.  The barriers also order memory: whatever a worker
 * wrote during a job is visible to the main thread after `done`, and what
 * the main thread set up before `start` is visible to every worker.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "team.h"

typedef enum job { JOB_START, JOB_RUN, JOB_COLLECT, JOB_QUIT } job;

typedef struct worker {
    struct team *t;
    unsigned i;
    pthread_t th;
    heap *h;
    wl_params p;
    wl_result r;
    uint64_t t0, t1;            /* this worker's run, by its own clock */
} worker;

struct team {
    const strategy *s;
    const workload *w;
    heap_config cfg;
    unsigned n;
    worker *wk;
    job job;
    /* Setting up: the workers count themselves ready, then wait for `go`
       (the barriers need all T threads, which may never exist). */
    pthread_mutex_t m;
    pthread_cond_t cv;
    unsigned ready;
    int go, quit, failed;       /* failed: a worker could not make its heap */
    pthread_barrier_t start, done;
    pthread_barrier_t sync;     /* wl_team.wait: the workload's own barrier */
    wl_team wt;
};

static void sync_wait(wl_team *wt)
{
    team *t = (team *)((char *)wt - offsetof(team, wt));
    pthread_barrier_wait(&t->sync);
}

/* One run of the workload on this worker's heap, bracketed as the strategy
   asks (rc_gil takes its lock, rc_biased opens its merge queue). */
static void run_job(worker *k)
{
    const strategy *s = k->t->s;
    k->r = (wl_result){ 0 };
    /* Taking rc_gil's lock, and rc_biased's last merges in thread_end, are
       the workload's cost: inside the timed region. */
    k->t0 = clock_ns();
    if (s->thread_begin)
        s->thread_begin(k->h);
    k->t->w->run(k->h, &k->p, &k->r);
    if (s->thread_end)
        s->thread_end(k->h);
    k->t1 = clock_ns();
}

static void *worker_main(void *arg)
{
    worker *k = arg;
    team *t = k->t;
    /* The heap is made on its own thread, so that a backend with
       per-thread caches or arenas gives it this thread's. */
    k->h = t->s->create(&t->cfg);
    pthread_mutex_lock(&t->m);
    t->failed |= k->h == NULL;
    t->ready++;
    pthread_cond_broadcast(&t->cv);
    while (!t->go)
        pthread_cond_wait(&t->cv, &t->m);
    /* Its own flag, not t->job: the main thread writes the job of the first
       run without this lock (ThreadSanitizer found the race). */
    int quit = t->quit;
    pthread_mutex_unlock(&t->m);
    while (!quit) {
        pthread_barrier_wait(&t->start);
        job j = t->job;
        if ((quit = j == JOB_QUIT))
            break;
        if (j == JOB_RUN)
            run_job(k);
        else if (j == JOB_COLLECT)
            t->s->collect(k->h);
        pthread_barrier_wait(&t->done);
    }
    if (k->h)
        t->s->destroy(k->h);
    return NULL;
}

static void team_do(team *t, job j)
{
    t->job = j;
    pthread_barrier_wait(&t->start);
    if (j != JOB_QUIT)
        pthread_barrier_wait(&t->done);
}

/* Let the workers waiting for `go` go on: to work, or (quit) to end. */
static void team_go(team *t, int quit)
{
    pthread_mutex_lock(&t->m);
    t->quit = quit;
    t->go = 1;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->m);
}

/* Join the first `started` workers, after telling them to quit, and free
   the team. */
static void team_stop(team *t, unsigned started, int running)
{
    if (running)
        team_do(t, JOB_QUIT);
    else
        team_go(t, 1);
    for (unsigned i = 0; i < started; i++)
        pthread_join(t->wk[i].th, NULL);
    pthread_mutex_destroy(&t->m);
    pthread_cond_destroy(&t->cv);
    pthread_barrier_destroy(&t->start);
    pthread_barrier_destroy(&t->done);
    pthread_barrier_destroy(&t->sync);
    free(t->wt.shared);
    free(t->wk);
    free(t);
}

team *team_new(const strategy *s, const heap_config *cfg, const workload *w, unsigned T)
{
    if (T == 0 || T > TEAM_MAX) {
        errno = EINVAL;
        return NULL;
    }
    /* The shared small ints are made on first use: make them now, before
       any worker can race to it. */
    (void)small_int(0);
    team *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    *t = (team){ .s = s, .w = w, .cfg = *cfg, .n = T };
    t->wk = calloc(T, sizeof *t->wk);
    t->wt = (wl_team){ .size = T, .wait = sync_wait,
                       .shared = w->shared_size ? calloc(1, w->shared_size) : NULL };
    if (t->wk == NULL || (w->shared_size && t->wt.shared == NULL)) {
        free(t->wt.shared);
        free(t->wk);
        free(t);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&t->m, NULL);
    pthread_cond_init(&t->cv, NULL);
    pthread_barrier_init(&t->start, NULL, T + 1);
    pthread_barrier_init(&t->done, NULL, T + 1);
    pthread_barrier_init(&t->sync, NULL, T);
    for (unsigned i = 0; i < T; i++) {
        t->wk[i] = (worker){ .t = t, .i = i };
        int rc = pthread_create(&t->wk[i].th, NULL, worker_main, &t->wk[i]);
        if (rc != 0) {
            team_stop(t, i, 0);
            errno = rc;
            return NULL;
        }
    }
    pthread_mutex_lock(&t->m);
    while (t->ready < T)
        pthread_cond_wait(&t->cv, &t->m);
    int failed = t->failed;
    pthread_mutex_unlock(&t->m);
    if (failed) {
        team_stop(t, T, 0);
        errno = ENOMEM;
        return NULL;
    }
    team_go(t, 0);
    return t;
}

uint64_t team_run(team *t, const wl_params *p, wl_result *r)
{
    int shared = (t->w->params & WL_SHARED) && t->n > 1;
    if (t->wt.shared)
        memset(t->wt.shared, 0, t->w->shared_size);
    for (unsigned i = 0; i < t->n; i++) {
        worker *k = &t->wk[i];
        k->p = *p;
        k->p.thread = i;
        k->p.threads = t->n;
        k->p.team = shared ? &t->wt : NULL;
    }
    team_do(t, JOB_RUN);

    uint64_t first = UINT64_MAX, last = 0;
    *r = (wl_result){ .final_len = t->wk[0].r.final_len, .final_cap = t->wk[0].r.final_cap };
    for (unsigned i = 0; i < t->n; i++) {
        const worker *k = &t->wk[i];
        r->checksum += k->r.checksum;
        r->bad_values += k->r.bad_values;
        first = k->t0 < first ? k->t0 : first;
        last = k->t1 > last ? k->t1 : last;
    }
    return last - first;
}

uint64_t team_expected(const team *t, const wl_params *p)
{
    wl_params q = *p;
    q.threads = t->n;
    if (t->w->params & WL_SHARED)
        return t->w->expected(&q);
    return t->n * t->w->expected(&q);
}

unsigned team_size(const team *t) { return t->n; }
heap *team_heap(team *t, unsigned i) { return t->wk[i].h; }

void team_counting(team *t, int on)
{
    for (unsigned i = 0; i < t->n; i++)
        t->wk[i].h->counting = on;
}

heap_stats team_stats(const team *t)
{
    heap_stats sum = { 0 };
    for (unsigned i = 0; i < t->n; i++) {
        const heap_stats *st = &t->wk[i].h->st;
        sum.live_objects += st->live_objects;
        sum.live_bytes += st->live_bytes;
        sum.peak_bytes += st->peak_bytes;
        sum.allocs += st->allocs;
        sum.collections += st->collections;
        sum.pause_total_ns += st->pause_total_ns;
        if (st->pause_max_ns > sum.pause_max_ns)
            sum.pause_max_ns = st->pause_max_ns;
        sum.resizes += st->resizes;
        sum.resizes_in_place += st->resizes_in_place;
        sum.bytes_copied += st->bytes_copied;
        sum.bytes_remapped += st->bytes_remapped;
        sum.growth_sum += st->growth_sum;
        if (i == 0)
            sum.growth_last = st->growth_last;
        for (int g = 0; g < 3; g++)
            sum.gen_collections[g] += st->gen_collections[g];
        sum.cross_frees += st->cross_frees;
        sum.queued += st->queued;
    }
    return sum;
}

void team_collect(team *t) { team_do(t, JOB_COLLECT); }

void team_free(team *t)
{
    if (t)
        team_stop(t, t->n, 1);
}
