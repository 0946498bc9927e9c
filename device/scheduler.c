/*
 * The device scheduler (see scheduler.h for the model).
 *
 * Workers: wait for a queue on the ready list, run its pending tasks as one
 * batch without locks, then leave it waiting for a deferred task, put it
 * back, or leave it idle. An idle
 * worker spins briefly (hacl_sched_spin_us) before sleeping on the condition
 * variable, because on virtual machines a cross-core wake-up costs tens of
 * microseconds while a spinning hand-off costs a fraction of one.
 *
 * done_seq is published after every task with a sequentially consistent
 * store; a synchronising thread announces itself in sync_waiters under the
 * queue lock before it checks done_seq, so one of the two always sees the
 * other and no wake-up is lost.
 */
#include "scheduler.h"
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "clock.h"

#define MAX_FREE_NODES 4096

struct hacl_sched {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    struct hacl_qnode ready;
    _Atomic unsigned nready;
    unsigned sleepers;
    int stopping;
    int device_id;
    unsigned nworkers;
    pthread_t *threads;
    _Atomic uint64_t tasks_run;
    _Atomic uint64_t defers;
    _Atomic uint64_t inline_runs;
};

static _Atomic unsigned spin_us = 20;
/* The calling thread's worker number (its timeline row), -1 off workers. */
static __thread int worker_index = -1;
static _Atomic int next_worker_index;

void hacl_sched_set_spin_us(unsigned us) { atomic_store(&spin_us, us); }
unsigned hacl_sched_spin_us(void) { return atomic_load(&spin_us); }


/* Puts q on the ready list. Caller holds q->lock. */
static void make_ready(struct hacl_squeue *q)
{
    struct hacl_sched *s = q->sched;
    q->state = HACL_SQ_READY;
    pthread_mutex_lock(&s->lock);
    /* behind every queue of the same or a higher priority */
    struct hacl_qnode *at = s->ready.prev;
    while (at != &s->ready && HACL_QUEUE_DATA(at, struct hacl_squeue, ready_link)->priority > q->priority)
        at = at->prev;
    hacl_queue_push_head(at, &q->ready_link); /* links q right after `at` */
    atomic_fetch_add(&s->nready, 1);
    if (s->sleepers)
        pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->lock);
}

/* The stream's queue depth (tasks launched, not finished) as a counter.
 * The name is made under q->lock (at a push); a worker without the lock
 * records only once it is made for this recording. */
static void trace_depth(struct hacl_squeue *q, int locked)
{
    unsigned gen = hacl_trace_generation();
    if (atomic_load_explicit(&q->trace_qgen, memory_order_acquire) != gen) {
        if (!locked)
            return;
        char name[48];
        snprintf(name, sizeof name, "queue depth, stream %llu", (unsigned long long)q->trace_tid);
        atomic_store_explicit(&q->trace_qname, hacl_trace_intern(name), memory_order_relaxed);
        atomic_store_explicit(&q->trace_qgen, gen, memory_order_release);
    }
    hacl_trace_counter(q->trace_pid, atomic_load_explicit(&q->trace_qname, memory_order_relaxed), hacl_trace_now(),
                       (int64_t)(atomic_load_explicit(&q->submit_seq, memory_order_relaxed) -
                                 atomic_load(&q->done_seq)));
}
#define trace_depth_locked(q) trace_depth((q), 1)

static void publish_done(struct hacl_squeue *q, uint64_t seq)
{
    atomic_store(&q->done_seq, seq);
    if (hacl_tracing())
        trace_depth(q, 0);
    if (atomic_load(&q->sync_waiters) > 0) {
        pthread_mutex_lock(&q->lock);
        pthread_cond_broadcast(&q->done_cv);
        pthread_mutex_unlock(&q->lock);
    }
}

/* Caller holds q->lock. */
static void free_node_locked(struct hacl_squeue *q, struct hacl_task *t)
{
    if (q->nfree < MAX_FREE_NODES) {
        hacl_queue_push_tail(&q->free_nodes, &t->link);
        q->nfree++;
    } else {
        hacl_free(t);
    }
}

/* How many task run functions this thread is inside. A task completed or
 * pushed from inside another task's run (an event record completing the
 * waits of other streams) may still run inline on this thread, nested, up
 * to INLINE_DEPTH: that saves waking a worker, and the bound keeps a chain
 * of streams waiting on each other from growing the stack. */
static _Thread_local unsigned depth;
#define INLINE_DEPTH 3

static int may_run_inline(const struct hacl_task *t)
{
    return (t->ops->flags & HACL_TASK_INLINE) && depth < INLINE_DEPTH;
}

/* Whether a skip (q->skip_to) drops t, or t is the label that ends it.
 * Only the thread running q's tasks changes skip_to. */
static int skipped(struct hacl_squeue *q, const struct hacl_task *t)
{
    uintptr_t to = atomic_load_explicit(&q->skip_to, memory_order_relaxed);
    if (!to)
        return 0;
    if (t->ops->flags & HACL_TASK_LABEL) {
        uintptr_t mark = ((const struct hacl_label_task *)t)->mark;
        if (mark == 0 || mark == to) {
            atomic_store_explicit(&q->skip_to, 0, memory_order_relaxed);
            return 0;
        }
    }
    return 1;
}

static int should_drop(struct hacl_squeue *q, const struct hacl_task *t)
{
    return atomic_load_explicit(&q->discard, memory_order_relaxed) ||
           t->seq <= atomic_load_explicit(&q->drop_upto, memory_order_relaxed) ||
           ((t->ops->flags & HACL_TASK_WORK) && atomic_load_explicit(&q->skip_work, memory_order_relaxed)) ||
           skipped(q, t);
}

aclError hacl_task_capture_plain(struct hacl_task *t)
{
    (void)t;
    return ACL_SUCCESS;
}

/* Runs t (in no list) on the calling thread, or drops it. */
static enum hacl_task_result run_one(struct hacl_squeue *q, struct hacl_task *t)
{
    if (should_drop(q, t)) {
        if (t->trace_flow && hacl_tracing()) { /* the arrow ends at a "dropped" mark on its stream */
            uint64_t now = hacl_trace_now();
            hacl_trace_flow_point(q->trace_pid, q->trace_tid, t->trace_flow, now, 0);
            hacl_trace_slice(q->trace_pid, q->trace_tid, "dropped", "task", now, now, NULL, 0);
        }
        if (t->ops->drop)
            t->ops->drop(t);
        atomic_fetch_add(&q->dropped, 1);
        return HACL_TASK_DONE;
    }
    uint64_t t0 = 0;
    if (hacl_tracing()) {
        t->trace_t0 = t0 = hacl_trace_now();
        if (t->trace_flow)
            hacl_trace_flow_point(q->trace_pid, q->trace_tid, t->trace_flow, t0, 0);
    }
    const char *what = t->ops->what;
    uint64_t bytes = t->trace_bytes;
    depth++;
    enum hacl_task_result r = t->ops->run(t);
    depth--;
    if (t0 && hacl_tracing()) {
        /* the thread's own row (a worker's, or the thread that ran it
         * inline); and the stream's, unless the task waits: then it ends
         * when completed (retire_locked). t itself may be gone by now. */
        uint64_t t1 = hacl_trace_now();
        hacl_trace_slice(worker_index >= 0 ? q->trace_pid : hacl_trace_self_pid(),
                         worker_index >= 0 ? HACL_TRACE_WORKER_TID(worker_index) : hacl_trace_self(), what,
                         "run", t0, t1, NULL, 0);
        if (r != HACL_TASK_DEFER)
            hacl_trace_slice(q->trace_pid, q->trace_tid, what, "task", t0, t1, bytes ? "bytes" : NULL, (int64_t)bytes);
    }
    return r;
}

/* Wakes synchronising threads if any. Caller holds q->lock. */
static void wake_waiters_locked(struct hacl_squeue *q)
{
    if (atomic_load(&q->sync_waiters) > 0)
        pthread_cond_broadcast(&q->done_cv);
}

/* t has finished: publishes its seq and recycles its node. Caller holds
 * q->lock. */
static void retire_locked(struct hacl_squeue *q, struct hacl_task *t)
{
    if (t->trace_t0 && hacl_tracing()) /* the task on its stream's row, run to completion */
        hacl_trace_slice(q->trace_pid, q->trace_tid, t->ops->what, "task", t->trace_t0, hacl_trace_now(),
                         t->trace_bytes ? "bytes" : "seq", (int64_t)(t->trace_bytes ? t->trace_bytes : t->seq));
    atomic_store(&q->done_seq, t->seq);
    if (hacl_tracing())
        trace_depth_locked(q);
    wake_waiters_locked(q);
    free_node_locked(q, t);
}

/* t's run returned DEFER. Returns 1 when the queue now waits for t, 0 when
 * t has already finished (completed early, or taken back because the queue
 * is being discarded) and was retired. Caller holds q->lock. */
static int defer_locked(struct hacl_squeue *q, struct hacl_task *t)
{
    if (!t->early && (atomic_load(&q->discard) || t->seq <= atomic_load(&q->drop_upto)) && t->ops->cancel &&
        t->ops->cancel(t)) {
        t->early = 1;
        atomic_fetch_add(&q->dropped, 1);
    }
    if (t->early) {
        retire_locked(q, t);
        return 0;
    }
    q->deferred = t;
    q->state = HACL_SQ_DEFERRED;
    atomic_fetch_add_explicit(&q->sched->defers, 1, memory_order_relaxed);
    return 1;
}

static void run_queue(struct hacl_sched *s, struct hacl_squeue *q)
{
    struct hacl_qnode local, done;
    hacl_queue_init(&local);
    hacl_queue_init(&done);
    pthread_mutex_lock(&q->lock);
    q->state = HACL_SQ_RUNNING;
    for (;;) {
        if (hacl_queue_empty(&q->tasks)) {
            q->state = HACL_SQ_IDLE;
            wake_waiters_locked(q);
            pthread_mutex_unlock(&q->lock);
            return; /* from here on this worker never touches q */
        }
        hacl_queue_move(&q->tasks, &local);
        pthread_mutex_unlock(&q->lock);

        int waiting = 0;
        struct hacl_qnode *n;
        while ((n = hacl_queue_head(&local)) != NULL) {
            struct hacl_task *t = HACL_QUEUE_DATA(n, struct hacl_task, link);
            /* Unlink and read the seq first: a task that returns RETAIN
             * has handed its node to another thread. */
            uint64_t seq = t->seq;
            hacl_queue_remove(n);
            enum hacl_task_result r = run_one(q, t);
            atomic_fetch_add_explicit(&s->tasks_run, 1, memory_order_relaxed);
            if (r == HACL_TASK_DEFER) {
                pthread_mutex_lock(&q->lock);
                waiting = defer_locked(q, t);
                if (waiting)
                    break; /* q->lock stays held */
                pthread_mutex_unlock(&q->lock);
                continue;
            }
            if (r == HACL_TASK_DONE)
                hacl_queue_push_tail(&done, n);
            publish_done(q, seq);
        }

        if (!waiting)
            pthread_mutex_lock(&q->lock);
        while ((n = hacl_queue_head(&done)) != NULL) {
            hacl_queue_remove(n);
            free_node_locked(q, HACL_QUEUE_DATA(n, struct hacl_task, link));
        }
        if (waiting) {
            /* The tasks after the deferred one go back in front of
             * whatever was queued meanwhile. */
            hacl_queue_move(&q->tasks, &local);
            hacl_queue_move(&local, &q->tasks);
            pthread_mutex_unlock(&q->lock);
            return;
        }
        if (!hacl_queue_empty(&q->tasks) && atomic_load(&s->nready) > 0) {
            /* Others are waiting: take turns. */
            make_ready(q);
            pthread_mutex_unlock(&q->lock);
            return;
        }
    }
}

static void *worker_main(void *arg)
{
    struct hacl_sched *s = arg;
    worker_index = atomic_fetch_add(&next_worker_index, 1);
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (hacl_queue_empty(&s->ready) && !s->stopping) {
            unsigned us = atomic_load(&spin_us);
            if (us) {
                pthread_mutex_unlock(&s->lock);
                uint64_t until = hacl_now_ns() + (uint64_t)us * 1000u;
                while (atomic_load_explicit(&s->nready, memory_order_relaxed) == 0 && hacl_now_ns() < until)
                    hacl_cpu_relax();
                pthread_mutex_lock(&s->lock);
            }
            while (hacl_queue_empty(&s->ready) && !s->stopping) {
                s->sleepers++;
                pthread_cond_wait(&s->cv, &s->lock);
                s->sleepers--;
            }
        }
        if (hacl_queue_empty(&s->ready))
            break; /* stopping */
        struct hacl_qnode *n = hacl_queue_head(&s->ready);
        hacl_queue_remove(n);
        atomic_fetch_sub(&s->nready, 1);
        pthread_mutex_unlock(&s->lock);
        run_queue(s, HACL_QUEUE_DATA(n, struct hacl_squeue, ready_link));
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

struct hacl_sched *hacl_sched_create(unsigned workers, int device_id)
{
    struct hacl_sched *s = hacl_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->threads = hacl_calloc(workers, sizeof *s->threads);
    if (!s->threads) {
        hacl_free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cv, NULL);
    hacl_queue_init(&s->ready);
    s->device_id = device_id;
    for (unsigned i = 0; i < workers; i++) {
        if (pthread_create(&s->threads[i], NULL, worker_main, s) != 0)
            break;
        char name[32]; /* the kernel keeps the first 15 bytes */
        snprintf(name, sizeof name, "hacl-d%d-w%u", device_id % 100, i % 1000);
        name[15] = '\0';
        pthread_setname_np(s->threads[i], name);
        s->nworkers++;
    }
    if (s->nworkers == 0) {
        hacl_sched_destroy(s);
        return NULL;
    }
    return s;
}

void hacl_sched_destroy(struct hacl_sched *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->lock);
    for (unsigned i = 0; i < s->nworkers; i++)
        pthread_join(s->threads[i], NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->lock);
    hacl_free(s->threads);
    hacl_free(s);
}

void hacl_sched_get_stats(struct hacl_sched *s, struct hacl_sched_stats *out)
{
    out->workers = s->nworkers;
    out->tasks_run = atomic_load(&s->tasks_run);
    out->defers = atomic_load(&s->defers);
    out->inline_runs = atomic_load(&s->inline_runs);
}

void hacl_squeue_init(struct hacl_squeue *q, struct hacl_sched *s)
{
    memset(q, 0, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    hacl_cond_init_monotonic(&q->done_cv);
    q->sched = s;
    hacl_queue_init(&q->tasks);
    hacl_queue_init(&q->free_nodes);
    hacl_queue_init(&q->ready_link);
    q->state = HACL_SQ_IDLE;
}

void hacl_squeue_fini(struct hacl_squeue *q)
{
    struct hacl_qnode *n;
    while ((n = hacl_queue_head(&q->free_nodes)) != NULL) {
        hacl_queue_remove(n);
        hacl_free(HACL_QUEUE_DATA(n, struct hacl_task, link));
    }
    pthread_cond_destroy(&q->done_cv);
    pthread_mutex_destroy(&q->lock);
}

struct hacl_task *hacl_task_new(struct hacl_squeue *q, const struct hacl_task_ops *ops, size_t size)
{
    if (size < sizeof(struct hacl_task) || size > HACL_TASK_SLOT)
        return NULL; /* a kind too large for a node: a bug, refused cleanly */
    struct hacl_task *t = NULL;
    pthread_mutex_lock(&q->lock);
    struct hacl_qnode *n = hacl_queue_head(&q->free_nodes);
    if (n) {
        hacl_queue_remove(n);
        q->nfree--;
        t = HACL_QUEUE_DATA(n, struct hacl_task, link);
    }
    pthread_mutex_unlock(&q->lock);
    if (!t)
        t = hacl_malloc(HACL_TASK_SLOT);
    if (t) {
        memset(t, 0, size);
        hacl_queue_init(&t->link);
        t->ops = ops;
        t->q = q;
    }
    return t;
}

int hacl_task_take_nodes(struct hacl_squeue *q, size_t n, struct hacl_qnode *out)
{
    size_t got = 0;
    pthread_mutex_lock(&q->lock);
    struct hacl_qnode *node;
    while (got < n && (node = hacl_queue_head(&q->free_nodes)) != NULL) {
        hacl_queue_remove(node);
        q->nfree--;
        hacl_queue_push_tail(out, node);
        got++;
    }
    pthread_mutex_unlock(&q->lock);
    for (; got < n; got++) {
        struct hacl_task *t = hacl_malloc(HACL_TASK_SLOT);
        if (!t) {
            pthread_mutex_lock(&q->lock);
            while ((node = hacl_queue_head(out)) != NULL) {
                hacl_queue_remove(node);
                free_node_locked(q, HACL_QUEUE_DATA(node, struct hacl_task, link));
            }
            pthread_mutex_unlock(&q->lock);
            return -1;
        }
        hacl_queue_push_tail(out, &t->link);
    }
    return 0;
}

void hacl_task_release(struct hacl_task *t)
{
    struct hacl_squeue *q = t->q;
    pthread_mutex_lock(&q->lock);
    free_node_locked(q, t);
    pthread_mutex_unlock(&q->lock);
}

#define INLINE_MAX 16 /* inline tasks one thread runs before a worker takes over */

/* How q goes on after a task finished on this thread (`ran` of them so
 * far): returns the next task to run here (taken off the list, q->lock
 * still held, q RUNNING), or NULL once the queue is idle or handed to a
 * worker (lock released). */
static struct hacl_task *next_inline_locked(struct hacl_squeue *q, unsigned ran)
{
    struct hacl_qnode *h = hacl_queue_head(&q->tasks);
    if (!h) {
        q->state = HACL_SQ_IDLE;
        wake_waiters_locked(q);
        pthread_mutex_unlock(&q->lock);
        return NULL;
    }
    struct hacl_task *t = HACL_QUEUE_DATA(h, struct hacl_task, link);
    if (ran >= INLINE_MAX || !may_run_inline(t)) {
        make_ready(q);
        pthread_mutex_unlock(&q->lock);
        return NULL;
    }
    hacl_queue_remove(h);
    q->state = HACL_SQ_RUNNING;
    return t;
}

/* Runs t and, while they are inline tasks, those after it on the calling
 * thread. Caller holds q->lock, has set q->state to RUNNING and owns t (in
 * no list); returns with the lock released. */
static void run_inline_locked(struct hacl_squeue *q, struct hacl_task *t)
{
    for (unsigned n = 1;; n++) {
        pthread_mutex_unlock(&q->lock);
        uint64_t seq = t->seq;
        enum hacl_task_result r = run_one(q, t);
        atomic_fetch_add_explicit(&q->sched->inline_runs, 1, memory_order_relaxed);
        pthread_mutex_lock(&q->lock);
        if (r == HACL_TASK_DEFER) {
            if (defer_locked(q, t)) {
                pthread_mutex_unlock(&q->lock);
                return;
            }
        } else {
            if (r == HACL_TASK_DONE)
                free_node_locked(q, t);
            atomic_store(&q->done_seq, seq);
            if (hacl_tracing())
                trace_depth_locked(q);
            wake_waiters_locked(q);
        }
        if (!(t = next_inline_locked(q, n)))
            return;
    }
}

static uint64_t push_locked(struct hacl_squeue *q, struct hacl_task *t)
{
    uint64_t seq = t->seq = atomic_load_explicit(&q->submit_seq, memory_order_relaxed) + 1;
    atomic_store_explicit(&q->submit_seq, seq, memory_order_relaxed);
    if (hacl_tracing())
        trace_depth_locked(q);
    if (may_run_inline(t) && q->state == HACL_SQ_IDLE && hacl_queue_empty(&q->tasks)) {
        q->state = HACL_SQ_RUNNING;
        run_inline_locked(q, t);
        return seq;
    }
    hacl_queue_push_tail(&q->tasks, &t->link);
    if (q->state == HACL_SQ_IDLE)
        make_ready(q);
    pthread_mutex_unlock(&q->lock);
    return seq;
}

uint64_t hacl_squeue_push(struct hacl_squeue *q, struct hacl_task *t)
{
    uint64_t t0 = 0;
    const char *what = t->ops->what;
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return 0;
    }
    if (hacl_tracing()) { /* the arrow from the launching thread, inside a "launch" slice */
        t0 = hacl_trace_now();
        t->trace_flow = hacl_trace_flow();
        hacl_trace_flow_point(hacl_trace_self_pid(), hacl_trace_self(), t->trace_flow, t0, 1);
    }
    uint64_t seq = push_locked(q, t); /* releases the lock */
    if (t0 && hacl_tracing())
        hacl_trace_slice(hacl_trace_self_pid(), hacl_trace_self(), what, "launch", t0, hacl_trace_now(), "stream",
                         (int64_t)q->trace_tid);
    return seq;
}

uint64_t hacl_squeue_push_list(struct hacl_squeue *q, struct hacl_qnode *list)
{
    struct hacl_qnode *first = hacl_queue_head(list);
    if (!first)
        return hacl_squeue_submitted(q);
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        return 0;
    }
    uint64_t seq = atomic_load_explicit(&q->submit_seq, memory_order_relaxed);
    struct hacl_qnode *n;
    HACL_QUEUE_FOREACH(n, list)
    {
        HACL_QUEUE_DATA(n, struct hacl_task, link)->seq = ++seq;
    }
    atomic_store_explicit(&q->submit_seq, seq, memory_order_relaxed);
    if (hacl_tracing())
        trace_depth_locked(q);
    struct hacl_task *t = HACL_QUEUE_DATA(first, struct hacl_task, link);
    int inline_now = may_run_inline(t) && q->state == HACL_SQ_IDLE && hacl_queue_empty(&q->tasks);
    if (inline_now)
        hacl_queue_remove(first);
    hacl_queue_move(list, &q->tasks);
    if (inline_now) {
        q->state = HACL_SQ_RUNNING;
        run_inline_locked(q, t); /* goes on with the next ones while they are inline */
        return seq;
    }
    if (q->state == HACL_SQ_IDLE)
        make_ready(q);
    pthread_mutex_unlock(&q->lock);
    return seq;
}

/* The queue's deferred task has finished and was retired: the queue goes
 * on, inline on this thread when it can. Caller holds q->lock (released). */
static void resume_locked(struct hacl_squeue *q)
{
    struct hacl_task *next = next_inline_locked(q, 0);
    if (next)
        run_inline_locked(q, next);
}

void hacl_task_complete(struct hacl_task *t, aclError status)
{
    struct hacl_squeue *q = t->q;
    pthread_mutex_lock(&q->lock);
    t->status = status;
    if (q->deferred != t) {
        /* Its run function has not returned DEFER yet: the thread running
         * it sees this under the lock and retires the task itself. */
        t->early = 1;
        pthread_mutex_unlock(&q->lock);
        return;
    }
    q->deferred = NULL;
    retire_locked(q, t);
    resume_locked(q);
}

/* Offers q's deferred task to its kind's cancel; retires it when taken
 * back. Caller holds q->lock. */
static void cancel_deferred_locked(struct hacl_squeue *q)
{
    struct hacl_task *t = q->deferred;
    if (t && t->ops->cancel && t->ops->cancel(t)) {
        q->deferred = NULL;
        atomic_fetch_add(&q->dropped, 1);
        retire_locked(q, t);
        if (!hacl_queue_empty(&q->tasks)) {
            make_ready(q); /* a worker drops the rest */
        } else {
            q->state = HACL_SQ_IDLE;
            wake_waiters_locked(q);
        }
    }
}

void hacl_squeue_discard(struct hacl_squeue *q)
{
    pthread_mutex_lock(&q->lock);
    atomic_store(&q->discard, 1);
    cancel_deferred_locked(q);
    pthread_mutex_unlock(&q->lock);
}

uint64_t hacl_squeue_abort(struct hacl_squeue *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t upto = atomic_load(&q->submit_seq), pending = upto - atomic_load(&q->done_seq);
    atomic_store(&q->drop_upto, upto);
    cancel_deferred_locked(q);
    pthread_mutex_unlock(&q->lock);
    return pending;
}

int hacl_squeue_wait(struct hacl_squeue *q, uint64_t seq, int32_t timeout_ms)
{
    if (atomic_load(&q->done_seq) >= seq)
        return 0;
    /* Work that is about to finish is caught without a sleep and wake-up. */
    unsigned us = atomic_load(&spin_us);
    if (us && timeout_ms != 0) {
        uint64_t until = hacl_now_ns() + (uint64_t)us * 1000u;
        while (atomic_load_explicit(&q->done_seq, memory_order_acquire) < seq && hacl_now_ns() < until)
            hacl_cpu_relax();
        if (atomic_load(&q->done_seq) >= seq)
            return 0;
    }
    struct timespec deadline = hacl_deadline_us(timeout_ms > 0 ? (uint64_t)timeout_ms * 1000u : 0);
    int rc = 0;
    pthread_mutex_lock(&q->lock);
    atomic_fetch_add(&q->sync_waiters, 1);
    while (atomic_load(&q->done_seq) < seq) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&q->done_cv, &q->lock);
        } else if (pthread_cond_timedwait(&q->done_cv, &q->lock, &deadline) == ETIMEDOUT) {
            rc = atomic_load(&q->done_seq) >= seq ? 0 : -1;
            break;
        }
    }
    atomic_fetch_sub(&q->sync_waiters, 1);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

uint64_t hacl_squeue_close(struct hacl_squeue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    uint64_t s = q->submit_seq;
    pthread_mutex_unlock(&q->lock);
    return s;
}

void hacl_squeue_quiesce(struct hacl_squeue *q)
{
    pthread_mutex_lock(&q->lock);
    atomic_fetch_add(&q->sync_waiters, 1);
    while (q->state == HACL_SQ_RUNNING || q->state == HACL_SQ_READY)
        pthread_cond_wait(&q->done_cv, &q->lock);
    atomic_fetch_sub(&q->sync_waiters, 1);
    pthread_mutex_unlock(&q->lock);
}

uint64_t hacl_squeue_submitted(struct hacl_squeue *q)
{
    pthread_mutex_lock(&q->lock);
    uint64_t s = q->submit_seq;
    pthread_mutex_unlock(&q->lock);
    return s;
}

int hacl_squeue_is_done(struct hacl_squeue *q, uint64_t seq)
{
    return atomic_load(&q->done_seq) >= seq;
}
