/*
 * hostacl internal: the device scheduler.
 *
 * A device owns a fixed pool of worker threads and a ready list of stream
 * queues. A stream queue (struct hacl_squeue, embedded in the runtime's
 * stream object) is an in-order FIFO of tasks. A queue with runnable work sits
 * on the ready list; a worker takes it, detaches the pending tasks as one
 * batch, runs them in order without holding any lock, and puts the queue back
 * (at the tail, if other queues are waiting) while work remains. Tasks of one
 * queue never run concurrently or out of order; different queues run in
 * parallel on different workers.
 *
 * A task that cannot finish now (an event wait, a blocking host callback)
 * returns HACL_TASK_PARK: the queue is parked with that task at its head and
 * holds no worker. Whoever satisfies the wait calls hacl_squeue_unpark(),
 * and the task is run again (it must then see that it is satisfied).
 *
 * Task nodes come from a per-queue free list: no allocation per task once a
 * queue has warmed up.
 *
 * Locks: q->lock > sched->lock. Task functions run with no scheduler lock
 * held and may take any runtime lock except those of their own queue.
 */
#ifndef HOSTACL_DEVICE_SCHEDULER_H
#define HOSTACL_DEVICE_SCHEDULER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "acl/acl_base.h"
#include "queue.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hacl_sched;
struct hacl_squeue;
struct hacl_task;

enum hacl_task_result { HACL_TASK_DONE = 0, HACL_TASK_PARK = 1, HACL_TASK_KEEP = 2 };

/* Runs the task on a worker. Returns DONE (the node is recycled), PARK (the
 * queue waits; the task runs again after hacl_squeue_unpark), or KEEP (done,
 * but the node now belongs to someone else, who hands it back with
 * hacl_squeue_recycle). A failure is recorded with hacl_squeue_fail. */
typedef enum hacl_task_result (*hacl_task_fn)(struct hacl_squeue *q, struct hacl_task *t);
/* Releases what a task holds when it is discarded without running. */
typedef void (*hacl_task_drop_fn)(struct hacl_squeue *q, struct hacl_task *t);

struct hacl_task {
    struct hacl_qnode link;  /* in the queue's task list or free list */
    struct hacl_qnode xlink; /* free for the task's owner (event waiters, report lists) */
    hacl_task_fn run;
    hacl_task_drop_fn drop;
    const char *what; /* "memcpy", "callback", ... for error messages */
    uint64_t seq;     /* position in its queue, from 1 */
    int is_work;      /* skipped after a failure in stop-on-failure mode */
    int inline_ok;    /* cheap: may run on the pushing thread when the queue is idle */
    int state;        /* 0 until the task first runs; then the task's own */
    _Atomic int flag; /* set by another thread to tell a parked task it may finish */
    void *p[4];
    uint64_t u[4];
};

enum hacl_squeue_state { HACL_SQ_IDLE, HACL_SQ_READY, HACL_SQ_RUNNING, HACL_SQ_PARKED };

struct hacl_squeue {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;      /* signalled as done_seq advances */
    struct hacl_sched *sched;
    struct hacl_qnode tasks;     /* pending, in order */
    struct hacl_qnode free_nodes;
    unsigned nfree;
    struct hacl_qnode ready_link; /* in sched->ready while READY */
    enum hacl_squeue_state state;
    int unpark_pending;
    int closed;                   /* no more pushes (stream being destroyed) */
    uint64_t submit_seq;          /* seq of the last task queued */
    _Atomic uint64_t done_seq;    /* every task up to this seq has finished */
    _Atomic int sync_waiters;
    /* first failure since the last hacl_squeue_take_error */
    aclError err;
    uint64_t err_seq;
    char err_msg[384];
    _Atomic int stop_on_failure;
    _Atomic int failed;  /* a failure happened: stop_on_failure skips work */
    _Atomic int discard; /* drop instead of run (forced destroy) */
    _Atomic unsigned dropped;
};

struct hacl_sched_stats {
    unsigned workers;
    uint64_t tasks_run;
    uint64_t parks;
};

/* Starts `workers` threads. NULL when threads or memory are short. */
struct hacl_sched *hacl_sched_create(unsigned workers, int device_id);
/* Stops and joins the workers; every queue must be idle or gone. */
void hacl_sched_destroy(struct hacl_sched *s);
void hacl_sched_stats(struct hacl_sched *s, struct hacl_sched_stats *out);

void hacl_squeue_init(struct hacl_squeue *q, struct hacl_sched *s);
/* Frees the cached nodes; the queue must be drained (or discarded). */
void hacl_squeue_fini(struct hacl_squeue *q);

/* Takes a node to fill (NULL when out of memory). Thread: any. */
struct hacl_task *hacl_squeue_alloc(struct hacl_squeue *q);
/* Returns an unused node from hacl_squeue_alloc, or a KEEP node. */
void hacl_squeue_recycle(struct hacl_squeue *q, struct hacl_task *t);
/* Queues a filled node; returns its seq, or 0 (node not taken) when the
 * queue is closed. A task marked inline_ok that finds its queue idle and
 * empty runs at once on the calling thread, saving a hand-off to a worker
 * (callback delivery, event records). Thread: any. */
uint64_t hacl_squeue_push(struct hacl_squeue *q, struct hacl_task *t);
/* Makes a parked queue runnable again (its head task runs again). */
void hacl_squeue_unpark(struct hacl_squeue *q);

/* Waits until every task up to `seq` has finished: 0, or -1 on timeout
 * (timeout_ms < 0: forever). */
int hacl_squeue_wait(struct hacl_squeue *q, uint64_t seq, int32_t timeout_ms);
/* Refuses further pushes; returns the last seq queued. */
uint64_t hacl_squeue_close(struct hacl_squeue *q);
/* Waits until no worker holds the queue (after the last task finished). */
void hacl_squeue_quiesce(struct hacl_squeue *q);
/* Last queued seq, and whether all of it has finished. */
uint64_t hacl_squeue_submitted(struct hacl_squeue *q);
int hacl_squeue_is_done(struct hacl_squeue *q, uint64_t seq);

/* Records a failure of task t (first one wins until taken). */
void hacl_squeue_fail(struct hacl_squeue *q, struct hacl_task *t, aclError code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Takes the recorded failure: its code (ACL_SUCCESS if none) and message. */
aclError hacl_squeue_take_error(struct hacl_squeue *q, char *msg, size_t msglen);

/* From now on the queue's tasks are dropped instead of run (their drop
 * function releases what they hold), and a parked head task is given a
 * chance to see it. The caller then waits for the queue as usual. */
void hacl_squeue_discard(struct hacl_squeue *q);

/* Idle workers spin this long for new work before sleeping (HOSTACL_SPIN_US). */
void hacl_sched_set_spin_us(unsigned us);
unsigned hacl_sched_spin_us(void);

#ifdef __cplusplus
}
#endif

#endif
