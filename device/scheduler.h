/*
 * hostacl internal: the device scheduler.
 *
 * A device owns a fixed pool of worker threads and a ready list of stream
 * queues. A stream queue (struct hacl_squeue, embedded in the runtime's
 * stream object) is an in-order FIFO of typed tasks. A queue with runnable
 * work sits on the ready list; a worker takes it, detaches the pending tasks
 * as one batch, runs them in order without holding any lock, and puts the
 * queue back (at the tail, if other queues are waiting) while work remains.
 * Tasks of one queue never run concurrently or out of order; different
 * queues run in parallel on different workers. The ready list is ordered
 * by queue priority (0 first), first come first served within one.
 *
 * Typed tasks. Each task kind is a struct of its own whose first member is
 * struct hacl_task; its hacl_task_ops give the kind's name, its run
 * function and what to do when it is discarded. A task runs exactly once.
 * Its run function returns
 *   DONE    it has finished; the node is recycled;
 *   RETAIN  it has finished for the queue, but its memory now belongs to
 *           another thread, which frees it with hacl_task_release;
 *   DEFER   it was handed to another thread (the compute thread, a report
 *           thread, an event's record) that finishes it later with
 *           hacl_task_complete. The queue waits without holding a worker.
 * hacl_task_complete may be called from any thread, even before the run
 * function has returned DEFER: the scheduler notices under the queue lock.
 *
 * Inline running. A task whose kind is marked HACL_TASK_INLINE is cheap
 * (a list append, an event stamp, handing a job to the compute thread). When
 * it reaches the head of an idle queue it runs right there instead of
 * waking a worker: on the thread that pushes it, or on the thread that
 * completes the deferred task before it (nested inside another task's run
 * only a few levels deep). The path of an asynchronous model execution followed by a
 * BLOCK callback on an idle stream is therefore
 *   application thread: push execution -> runs inline, hands the job to
 *                       the compute thread, defers;            (hand-off 1)
 *   compute thread:     computes, completes the execution, runs the
 *                       queued callback task inline: delivers it to the
 *                       stream's report thread, defers;        (hand-off 2)
 *   report thread:      runs the user's callback, completes it; the next
 *                       inline task of the stream runs there too.
 * Two hand-offs; a worker joins only for tasks that are not inline (copies,
 * memsets) or when the queue was busy when the task was pushed (three).
 *
 * Task nodes come from a per-queue free list of HACL_TASK_SLOT bytes each:
 * no allocation per task once a queue has warmed up.
 *
 * Failure policy is not the scheduler's: the queue's owner records errors
 * and sets skip_work when later work must be skipped (stop on failure).
 *
 * Locks: q->lock > sched->lock; a kind's cancel function is called with
 * q->lock held and may take only leaf locks of its own (an event's lock).
 * Run functions and hacl_task_complete are called with no scheduler lock
 * held; a caller of hacl_task_complete must hold no runtime lock either
 * (inline tasks may run on its thread).
 */
#ifndef HOSTACL_DEVICE_SCHEDULER_H
#define HOSTACL_DEVICE_SCHEDULER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"
#include "queue.h"
#include "sched_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hacl_sched;
struct hacl_squeue;
struct hacl_task;

enum hacl_task_result { HACL_TASK_DONE = 0, HACL_TASK_DEFER = 1, HACL_TASK_RETAIN = 2 };

enum {
    HACL_TASK_WORK = 1u << 0,   /* skipped while the queue skips work */
    HACL_TASK_INLINE = 1u << 1, /* cheap: may run on the pushing or completing thread */
    HACL_TASK_LABEL = 1u << 2,  /* a struct hacl_label_task: where a skip (q->skip_to) ends */
    HACL_TASK_BRANCH = 1u << 3, /* may set q->skip_to (runtime/mdlri.h: struct hacl_branch_task) */
};

struct hacl_task_ops {
    const char *what; /* "memcpy", "callback", ... for messages */
    unsigned flags;   /* HACL_TASK_* */
    enum hacl_task_result (*run)(struct hacl_task *t);
    /* Releases what the task holds when it is discarded without running
     * (NULL: nothing to release). The node is recycled afterwards. */
    void (*drop)(struct hacl_task *t);
    /* Called with q->lock held when the queue is discarded while t is
     * deferred: returns 1 when it took t back from the thread that would
     * have completed it (the scheduler then completes it as cancelled), 0
     * when that thread will still complete it. NULL: never taken back. */
    int (*cancel)(struct hacl_task *t);
    /* Recording into a model runtime instance (runtime/mdlri.c). A task
     * whose kind has no capture function cannot be recorded.
     *   capture: t was just launched on a capturing stream and becomes a
     *            template: let go of what ties it to that stream (0, or an
     *            aclError when this task cannot be recorded);
     *   replay:  a byte copy of a template, made for the stream it will
     *            run on, takes what it holds of its own (NULL: nothing);
     *            on failure it holds nothing;
     *   forget:  releases what a template holds (NULL: nothing). */
    aclError (*capture)(struct hacl_task *t);
    aclError (*replay)(struct hacl_task *t);
    void (*forget)(struct hacl_task *t);
};

/* The capture function of kinds whose templates hold nothing of their
 * stream (copies, fills, value writes...). */
aclError hacl_task_capture_plain(struct hacl_task *t);

struct hacl_task {
    struct hacl_qnode link; /* in its queue's task list or free list */
    const struct hacl_task_ops *ops;
    struct hacl_squeue *q;
    uint64_t seq;    /* position in its queue, from 1 */
    aclError status; /* as completed */
    int early;       /* completed before its run returned DEFER (q->lock) */
    /* the timeline (device/trace.h), while recording: the arrow from its
     * launch and when it started running (0: not traced) */
    uint64_t trace_flow, trace_t0;
    uint64_t trace_bytes; /* what it moves, shown with its slice (copies, fills); 0: nothing */
};

/* A position a skip ends at: while q->skip_to is set, the queue drops the
 * tasks it reaches instead of running them, up to the label task whose mark
 * equals skip_to or whose mark is 0 (a barrier every skip stops at); that
 * one runs and clears it. Labels and branches inside a replayed model
 * runtime instance are made of these. */
struct hacl_label_task {
    struct hacl_task hdr;
    uintptr_t mark;
};

/* Every task kind fits in one node. */
#define HACL_TASK_SLOT 128

enum hacl_squeue_state { HACL_SQ_IDLE, HACL_SQ_READY, HACL_SQ_RUNNING, HACL_SQ_DEFERRED };

struct hacl_squeue {
    pthread_mutex_t lock;
    pthread_cond_t done_cv;      /* signalled as done_seq advances */
    struct hacl_sched *sched;
    struct hacl_qnode tasks;     /* pending, in order (not the deferred one) */
    struct hacl_task *deferred;  /* the task the queue waits for, if DEFERRED */
    struct hacl_qnode free_nodes;
    unsigned nfree;
    struct hacl_qnode ready_link; /* in sched->ready while READY */
    unsigned priority;            /* 0 first; set by the owner before use */
    enum hacl_squeue_state state;
    int closed;                   /* no more pushes (stream being destroyed) */
    _Atomic uint64_t submit_seq;  /* seq of the last task queued (written under lock) */
    _Atomic uint64_t done_seq;    /* every task up to this seq has finished */
    _Atomic int sync_waiters;
    _Atomic int skip_work; /* set by the owner: tasks marked WORK are dropped */
    _Atomic int discard;   /* drop instead of run (forced destroy) */
    _Atomic uintptr_t skip_to; /* drop tasks up to this label (struct hacl_label_task); 0: none */
    _Atomic uint64_t drop_upto; /* tasks with seq up to this are dropped (aborted); 0: none */
    _Atomic unsigned dropped;
    /* its row on the timeline: set by the owner (a stream) */
    int trace_pid;
    uint64_t trace_tid;
    /* its queue-depth counter's name, interned in recording trace_qgen
     * (set under lock, read by workers without it) */
    const char *_Atomic trace_qname;
    _Atomic unsigned trace_qgen;
};


/* Starts `workers` threads. NULL when threads or memory are short. */
struct hacl_sched *hacl_sched_create(unsigned workers, int device_id);
/* Stops and joins the workers; every queue must be idle or gone. */
void hacl_sched_destroy(struct hacl_sched *s);
void hacl_sched_get_stats(struct hacl_sched *s, struct hacl_sched_stats *out);

void hacl_squeue_init(struct hacl_squeue *q, struct hacl_sched *s);
/* Frees the cached nodes; the queue must be drained (or discarded). */
void hacl_squeue_fini(struct hacl_squeue *q);

/* A zeroed task of `size` bytes (at most HACL_TASK_SLOT) of kind `ops`
 * for q, or NULL when out of memory. Thread: any. */
struct hacl_task *hacl_task_new(struct hacl_squeue *q, const struct hacl_task_ops *ops, size_t size);
#define HACL_TASK_NEW(q, type, ops) ((type *)hacl_task_new((q), (ops), sizeof(type)))
/* n uninitialised nodes of HACL_TASK_SLOT bytes for q, linked through
 * their link fields into `out` (an initialised empty list), taken under one
 * lock: 0, or -1 when memory ran out (none are taken). The caller fills
 * each as a task of q (ops, q, link) before queueing or releasing it. */
int hacl_task_take_nodes(struct hacl_squeue *q, size_t n, struct hacl_qnode *out);
/* Frees a task that was never queued, or one its run function RETAINed. */
void hacl_task_release(struct hacl_task *t);
/* Finishes a DEFERred task (status: ACL_SUCCESS or the failure code the
 * task recorded). The task is gone when this returns. Thread: any, holding
 * no runtime lock. */
void hacl_task_complete(struct hacl_task *t, aclError status);

/* Queues a task; returns its seq, or 0 (not taken: the caller still owns
 * it) when the queue is closed. Thread: any, holding no runtime lock (an
 * inline task may run at once on this thread). */
uint64_t hacl_squeue_push(struct hacl_squeue *q, struct hacl_task *t);

/* Queues the tasks of `list` (linked through their link fields, all made
 * for q) in order under one lock: one submission for many tasks. Returns
 * the seq of the last, or 0 when the queue is closed (the list is left to
 * the caller). */
uint64_t hacl_squeue_push_list(struct hacl_squeue *q, struct hacl_qnode *list);

/* Waits until every task up to `seq` has finished: 0, or -1 on timeout
 * (timeout_ms < 0: forever). */
int hacl_squeue_wait(struct hacl_squeue *q, uint64_t seq, int32_t timeout_ms);
/* Refuses further pushes; returns the last seq queued. */
uint64_t hacl_squeue_close(struct hacl_squeue *q);
/* Waits until no thread holds the queue (after the last task finished). */
void hacl_squeue_quiesce(struct hacl_squeue *q);
/* Last queued seq, and whether all of it has finished. */
uint64_t hacl_squeue_submitted(struct hacl_squeue *q);
int hacl_squeue_is_done(struct hacl_squeue *q, uint64_t seq);

/* From now on the queue's tasks are dropped instead of run (their drop
 * function releases what they hold), and a deferred task is offered to its
 * kind's cancel. The caller then waits for the queue as usual. */
void hacl_squeue_discard(struct hacl_squeue *q);

/* Drops every task queued so far that has not started (tasks queued
 * later run), and offers a deferred one to its kind's cancel, as a forced
 * destroy does. Returns how many tasks had not finished. */
uint64_t hacl_squeue_abort(struct hacl_squeue *q);

/* Idle workers spin this long for new work before sleeping (HOSTACL_SPIN_US). */
void hacl_sched_set_spin_us(unsigned us);
unsigned hacl_sched_spin_us(void);

#ifdef __cplusplus
}
#endif

#endif
