/*
 * Events: create, destroy, record, reset, query, synchronize, stream waits
 * and elapsed time.
 *
 * Every aclrtRecordEvent call takes the next generation number; the record
 * task, when its stream reaches it, marks that generation done and stamps
 * the monotonic clock. Query and synchronize look at the latest generation
 * recorded at the time of the call; aclrtStreamWaitEvent captures that
 * generation when it is called, so later records do not move the goal of an
 * earlier wait. A wait that is not yet satisfied defers on the event's
 * waiter list (its stream holds no worker); the record completes it.
 *
 * Destroying an event never blocks: queued records and waits hold
 * references and finish normally.
 *
 * Thread: any. Locks: ev->lock is a leaf (taken under a queue lock only
 * by wait_cancel); waiters are completed after it is released.
 */
#include <string.h>
#include <time.h>

#include "device/alloc.h"
#include "device/clock.h"
#include "device/trace.h"
#include "ipc.h"
#include "runtime.h"

#define KNOWN_EVENT_FLAGS \
    (ACL_EVENT_SYNC | ACL_EVENT_CAPTURE_STREAM_PROGRESS | ACL_EVENT_TIME_LINE | ACL_EVENT_EXTERNAL | ACL_EVENT_IPC)

/* An IPC event (ACL_EVENT_IPC) keeps its state in shared words of a slot
 * of the sharing registry (ipc.h), so another process that opened it sees
 * its records and records it too: record generation, done generation,
 * recorded flag, time stamp. Waits on it are value waits on the done word
 * (value.c), which see another process's records within the watcher's
 * period. */
enum { W_RECORD_GEN, W_DONE_GEN, W_RECORDED, W_STAMP };

struct hacl_event {
    struct hacl_obj hdr;
    uint32_t flags;
    _Atomic uint64_t *w; /* the shared words of an IPC event; NULL: local */
    int64_t ipc_slot;    /* its slot in this process's registry; -1: none (or opened) */
    pthread_mutex_t lock;
    pthread_cond_t cv;
    uint64_t record_gen; /* generations handed out by aclrtRecordEvent */
    uint64_t done_gen;   /* highest generation whose record task ran */
    int recorded;        /* a record ran since creation or the last reset */
    uint64_t stamp_ns;   /* when the latest record ran */
    struct hacl_qnode waiters;
    unsigned sync_waiters;
};


static void event_release(struct hacl_obj *o)
{
    struct hacl_event *e = (struct hacl_event *)o;
    if (e->ipc_slot >= 0)
        hacl_ipc_slot_free((uint32_t)e->ipc_slot);
    pthread_cond_destroy(&e->cv);
    pthread_mutex_destroy(&e->lock);
    hacl_free(e);
}

static struct hacl_event *event_get(const char *api, aclrtEvent h, aclError *rc)
{
    if (!h) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "event must not be NULL");
        return NULL;
    }
    if ((*rc = hacl_rt_require_init(api)) != ACL_SUCCESS)
        return NULL;
    struct hacl_event *e = (struct hacl_event *)hacl_handle_get(h, HACL_KIND_EVENT);
    if (!e)
        *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live event (destroyed, or never created)", h);
    return e;
}

/* ---- tasks ----
 *
 * A record stamps its generation; a wait that finds its generation not yet
 * done joins the event's waiter list and defers: the record that satisfies
 * it unlinks it under the event lock and completes it after. Whoever
 * unlinks a waiter (that record, or a forced destroy cancelling it)
 * finishes it, so it finishes once. */

struct event_task {
    struct hacl_task hdr;
    struct hacl_event *event; /* referenced */
    uint64_t gen;             /* recorded, or awaited */
    struct hacl_qnode wait_link; /* in event->waiters while a wait defers */
};
_Static_assert(sizeof(struct event_task) <= HACL_TASK_SLOT, "an event task fits in a node");

static void event_task_drop(struct hacl_task *t)
{
    hacl_obj_put(&((struct event_task *)t)->event->hdr);
}

/* A record of an IPC event: the shared words, then local value waits. */
static void record_shared(struct hacl_event *e, uint64_t gen)
{
    uint64_t d = atomic_load(&e->w[W_DONE_GEN]);
    while (d < gen && !atomic_compare_exchange_weak(&e->w[W_DONE_GEN], &d, gen))
        ;
    atomic_store(&e->w[W_STAMP], hacl_now_ns());
    atomic_store(&e->w[W_RECORDED], 1);
    hacl_value_recheck();
}

static enum hacl_task_result record_run(struct hacl_task *t)
{
    struct event_task *et = (struct event_task *)t;
    struct hacl_event *e = et->event;
    if (e->w)
        record_shared(e, et->gen);
    pthread_mutex_lock(&e->lock);
    if (et->gen > e->done_gen)
        e->done_gen = et->gen;
    e->recorded = 1;
    e->stamp_ns = hacl_now_ns();
    if (e->sync_waiters)
        pthread_cond_broadcast(&e->cv);
    /* Unlink the satisfied waiters under the lock, complete them after. */
    struct hacl_qnode woken;
    hacl_queue_init(&woken);
    struct hacl_qnode *n = e->waiters.next;
    while (n != &e->waiters) {
        struct hacl_qnode *next = n->next;
        if (HACL_QUEUE_DATA(n, struct event_task, wait_link)->gen <= e->done_gen) {
            hacl_queue_remove(n);
            hacl_queue_push_tail(&woken, n);
        }
        n = next;
    }
    pthread_mutex_unlock(&e->lock);
    while ((n = hacl_queue_head(&woken)) != NULL) {
        hacl_queue_remove(n);
        struct event_task *w = HACL_QUEUE_DATA(n, struct event_task, wait_link);
        hacl_obj_put(&w->event->hdr);
        if (hacl_tracing()) { /* an arrow from this record to the stream it releases */
            uint64_t id = hacl_trace_flow(), now = hacl_trace_now();
            hacl_trace_flow_point(t->q->trace_pid, t->q->trace_tid, id, now, 1);
            hacl_trace_flow_point(w->hdr.q->trace_pid, w->hdr.q->trace_tid, id, now, 0);
        }
        hacl_task_complete(&w->hdr, ACL_SUCCESS);
    }
    hacl_obj_put(&e->hdr);
    return HACL_TASK_DONE;
}

static enum hacl_task_result wait_run(struct hacl_task *t)
{
    struct event_task *et = (struct event_task *)t;
    struct hacl_event *e = et->event;
    pthread_mutex_lock(&e->lock);
    if (e->done_gen >= et->gen) {
        pthread_mutex_unlock(&e->lock);
        hacl_obj_put(&e->hdr);
        return HACL_TASK_DONE;
    }
    hacl_queue_push_tail(&e->waiters, &et->wait_link);
    pthread_mutex_unlock(&e->lock);
    return HACL_TASK_DEFER; /* et may be completed from here on */
}

/* A forced destroy takes a deferred wait back (called under the queue
 * lock; the event lock is a leaf). */
static int wait_cancel(struct hacl_task *t)
{
    struct event_task *et = (struct event_task *)t;
    struct hacl_event *e = et->event;
    pthread_mutex_lock(&e->lock);
    int mine = !hacl_queue_empty(&et->wait_link);
    if (mine)
        hacl_queue_remove(&et->wait_link);
    pthread_mutex_unlock(&e->lock);
    if (mine)
        hacl_obj_put(&e->hdr);
    return mine;
}

static enum hacl_task_result reset_run(struct hacl_task *t)
{
    struct hacl_event *e = ((struct event_task *)t)->event;
    if (e->w)
        atomic_store(&e->w[W_RECORDED], 0);
    pthread_mutex_lock(&e->lock);
    e->recorded = 0;
    pthread_mutex_unlock(&e->lock);
    hacl_obj_put(&e->hdr);
    return HACL_TASK_DONE;
}

/* Replayed from a model runtime instance, a record or wait acts like the
 * call made at replay time: a record takes the next generation, a wait
 * waits for the latest record made before it. */
static aclError event_task_replay(struct hacl_task *t);

/* The generation a new record takes. Caller holds e->lock. */
static uint64_t next_gen_locked(struct hacl_event *e)
{
    uint64_t gen = e->w ? atomic_fetch_add(&e->w[W_RECORD_GEN], 1) + 1 : e->record_gen + 1;
    e->record_gen = gen;
    return gen;
}

/* Records, resets and satisfied waits are cheap: they run inline. */
static const struct hacl_task_ops record_ops = {.what = "event record",
                                                .flags = HACL_TASK_INLINE,
                                                .run = record_run,
                                                .drop = event_task_drop,
                                                .capture = hacl_task_capture_plain,
                                                .replay = event_task_replay,
                                                .forget = event_task_drop};
static const struct hacl_task_ops reset_ops = {.what = "event reset",
                                               .flags = HACL_TASK_INLINE,
                                               .run = reset_run,
                                               .drop = event_task_drop,
                                               .capture = hacl_task_capture_plain,
                                               .replay = event_task_replay,
                                               .forget = event_task_drop};
static const struct hacl_task_ops wait_ops = {.what = "event wait",
                                              .flags = HACL_TASK_INLINE,
                                              .run = wait_run,
                                              .drop = event_task_drop,
                                              .cancel = wait_cancel,
                                              .capture = hacl_task_capture_plain,
                                              .replay = event_task_replay,
                                              .forget = event_task_drop};

static aclError event_task_replay(struct hacl_task *t)
{
    struct event_task *et = (struct event_task *)t;
    struct hacl_event *e = et->event;
    hacl_obj_ref(&e->hdr);
    hacl_queue_init(&et->wait_link);
    pthread_mutex_lock(&e->lock);
    if (t->ops == &record_ops)
        et->gen = next_gen_locked(e);
    else if (t->ops == &wait_ops)
        et->gen = e->w ? atomic_load(&e->w[W_RECORD_GEN]) : e->record_gen;
    pthread_mutex_unlock(&e->lock);
    return ACL_SUCCESS;
}

/* Queues a task of kind `ops` referring to e on the stream. */
static aclError queue_event_task(const char *api, aclrtEvent event, aclrtStream stream,
                                 const struct hacl_task_ops *ops)
{
    aclError rc;
    struct hacl_event *e = event_get(api, event, &rc);
    if (!e)
        return rc;
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (!s) {
        hacl_obj_put(&e->hdr);
        return rc;
    }
    if (e->w && ops == &wait_ops) { /* the latest record, in whichever process: a wait on the shared word */
        uint64_t target = atomic_load(&e->w[W_RECORD_GEN]);
        rc = atomic_load(&e->w[W_DONE_GEN]) >= target
                 ? ACL_SUCCESS
                 : hacl_value_wait_word(api, s, (volatile uint64_t *)&e->w[W_DONE_GEN], target,
                                        ACL_STREAM_WAIT_VALUE_GEQ, 0);
        hacl_obj_put(&s->hdr);
        hacl_obj_put(&e->hdr);
        return rc;
    }
    struct event_task *et = HACL_STREAM_TASK(api, s, struct event_task, ops, &rc);
    if (et) {
        et->event = e; /* our reference passes to the task */
        hacl_queue_init(&et->wait_link);
        pthread_mutex_lock(&e->lock);
        if (ops == &record_ops)
            et->gen = next_gen_locked(e);
        else if (ops == &wait_ops)
            et->gen = e->record_gen;
        pthread_mutex_unlock(&e->lock);
        rc = hacl_stream_submit(api, s, &et->hdr);
    } else {
        hacl_obj_put(&e->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

/* ---- public entry points ---- */

static aclError create_event(const char *api, aclrtEvent *event, uint32_t flag)
{
    if (!event)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "event must not be NULL");
    if (flag & ~KNOWN_EVENT_FLAGS)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "flag %#x has bits that are not ACL_EVENT_* flags", flag);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx)
        return rc;
    hacl_obj_put(&ctx->hdr);
    struct hacl_event *e = hacl_calloc(1, sizeof *e);
    if (!e)
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating an event");
    hacl_obj_init(&e->hdr, HACL_KIND_EVENT, event_release);
    e->flags = flag;
    e->ipc_slot = -1;
    if (flag & ACL_EVENT_IPC) {
        uint32_t slot;
        aclError rc2 = hacl_ipc_slot_take(api, HACL_IPC_EVENT, -1, 0, 0, &slot);
        if (rc2 != ACL_SUCCESS) {
            hacl_free(e);
            return rc2;
        }
        e->ipc_slot = slot;
        e->w = hacl_ipc_slot_at(slot)->words;
    }
    pthread_mutex_init(&e->lock, NULL);
    hacl_cond_init_monotonic(&e->cv);
    hacl_queue_init(&e->waiters);
    if (hacl_handle_register(&e->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&e->hdr);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating an event");
    }
    *event = e;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEvent(aclrtEvent *event)
{
    HACL_TRACE_API_CALL();
    return create_event(__func__, event, ACL_EVENT_SYNC);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEventWithFlag(aclrtEvent *event, uint32_t flag)
{
    HACL_TRACE_API_CALL();
    return create_event(__func__, event, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEventExWithFlag(aclrtEvent *event, uint32_t flag)
{
    return create_event(__func__, event, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtIpcGetEventHandle(aclrtEvent event, aclrtIpcEventHandle *handle)
{
    if (!handle)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "handle must not be NULL");
    aclError rc;
    struct hacl_event *e = event_get(__func__, event, &rc);
    if (!e)
        return rc;
    if (e->ipc_slot < 0) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "event %p was %s", event,
                      e->w ? "opened from another process's handle: only its creator exports it"
                           : "not created with ACL_EVENT_IPC");
    } else {
        struct hacl_ipc_ref ref;
        hacl_ipc_publish((uint32_t)e->ipc_slot, 1, &ref);
        memset(handle, 0, sizeof *handle);
        hacl_ipc_format_key(&ref, handle->reserved, sizeof handle->reserved);
    }
    hacl_obj_put(&e->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtIpcOpenEventHandle(aclrtIpcEventHandle handle, aclrtEvent *event)
{
    if (!event)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "event must not be NULL");
    struct hacl_ipc_ref ref;
    struct hacl_ipc_slot *slot;
    handle.reserved[sizeof handle.reserved - 1] = '\0';
    aclError rc = hacl_ipc_import_key(__func__, handle.reserved, HACL_IPC_EVENT, "aclrtIpcGetEventHandle", &ref, &slot);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_event *e = hacl_calloc(1, sizeof *e);
    if (!e)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory opening an event");
    hacl_obj_init(&e->hdr, HACL_KIND_EVENT, event_release);
    e->flags = ACL_EVENT_SYNC | ACL_EVENT_IPC;
    e->ipc_slot = -1;
    e->w = slot->words;
    e->record_gen = atomic_load(&e->w[W_RECORD_GEN]);
    pthread_mutex_init(&e->lock, NULL);
    hacl_cond_init_monotonic(&e->cv);
    hacl_queue_init(&e->waiters);
    if (hacl_handle_register(&e->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&e->hdr);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory opening an event");
    }
    *event = e;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyEvent(aclrtEvent event)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_event *e = event_get(__func__, event, &rc);
    if (!e)
        return rc;
    if (hacl_handle_unregister(&e->hdr))
        hacl_obj_put(&e->hdr); /* the registry's reference */
    else
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p was destroyed concurrently", event);
    hacl_obj_put(&e->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    return queue_event_task(__func__, event, stream, &record_ops);
}

ACL_FUNC_VISIBILITY aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream)
{
    return queue_event_task(__func__, event, stream, &reset_ops);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event)
{
    HACL_TRACE_API_CALL();
    return queue_event_task(__func__, event, stream, &wait_ops);
}

/* The EXTERNAL flags say a record or wait inside a model runtime instance
 * synchronises with work outside it. Recorded events always act at replay
 * time like live calls (see event_task_replay), so both flags and the
 * defaults behave alike here; on a stream that is not recording they are
 * plain records and waits. */
ACL_FUNC_VISIBILITY aclError aclrtRecordEventWithFlag(aclrtEvent event, aclrtStream stream, uint32_t flag)
{
    HACL_TRACE_API_CALL();
    if (flag != ACL_EVENT_RECORD_DEFAULT && flag != ACL_EVENT_RECORD_EXTERNAL)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM,
                        "flag %#x is neither ACL_EVENT_RECORD_DEFAULT nor ACL_EVENT_RECORD_EXTERNAL", flag);
    return queue_event_task(__func__, event, stream, &record_ops);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEventWithFlag(aclrtStream stream, aclrtEvent event, uint32_t timeout,
                                                          uint32_t flag)
{
    HACL_TRACE_API_CALL();
    if (flag != ACL_EVENT_WAIT_DEFAULT && flag != ACL_EVENT_WAIT_EXTERNAL)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag %#x is neither ACL_EVENT_WAIT_DEFAULT nor ACL_EVENT_WAIT_EXTERNAL",
                        flag);
    if (timeout != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %u is reserved and must be 0", timeout);
    return queue_event_task(__func__, event, stream, &wait_ops);
}

/* One snapshot of an event's state, taken under its lock. */
struct event_state {
    int recorded;
    uint64_t record_gen, done_gen, stamp_ns;
};

static aclError event_state(const char *api, aclrtEvent event, const void *out, struct event_state *st)
{
    if (!out)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the status or result pointer must not be NULL");
    aclError rc;
    struct hacl_event *e = event_get(api, event, &rc);
    if (!e)
        return rc;
    pthread_mutex_lock(&e->lock);
    if (e->w)
        *st = (struct event_state){(int)atomic_load(&e->w[W_RECORDED]), atomic_load(&e->w[W_RECORD_GEN]),
                                   atomic_load(&e->w[W_DONE_GEN]), atomic_load(&e->w[W_STAMP])};
    else
        *st = (struct event_state){e->recorded, e->record_gen, e->done_gen, e->stamp_ns};
    pthread_mutex_unlock(&e->lock);
    hacl_obj_put(&e->hdr);
    return ACL_SUCCESS;
}

/* Recorded, and the latest record has run. */
static int state_complete(const struct event_state *st)
{
    return st->recorded && st->done_gen >= st->record_gen;
}

ACL_FUNC_VISIBILITY aclError aclrtQueryEventStatus(aclrtEvent event, aclrtEventRecordedStatus *status)
{
    struct event_state st;
    aclError rc = event_state(__func__, event, status, &st);
    if (rc == ACL_SUCCESS)
        *status = state_complete(&st) ? ACL_EVENT_RECORDED_STATUS_COMPLETE : ACL_EVENT_RECORDED_STATUS_NOT_READY;
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtQueryEvent(aclrtEvent event, aclrtEventStatus *status)
{
    struct event_state st;
    aclError rc = event_state(__func__, event, status, &st);
    if (rc == ACL_SUCCESS)
        *status = state_complete(&st) ? ACL_EVENT_STATUS_COMPLETE : ACL_EVENT_STATUS_NOT_READY;
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtQueryEventWaitStatus(aclrtEvent event, aclrtEventWaitStatus *status)
{
    struct event_state st;
    aclError rc = event_state(__func__, event, status, &st);
    if (rc == ACL_SUCCESS)
        *status = st.done_gen >= st.record_gen ? ACL_EVENT_WAIT_STATUS_COMPLETE : ACL_EVENT_WAIT_STATUS_NOT_READY;
    return rc;
}

/* Waits for the latest record at the time of the call. A report thread
 * keeps serving its callbacks while it waits (in short slices). */
static aclError sync_event(const char *api, aclrtEvent event, int32_t timeout_ms)
{
    aclError rc;
    struct hacl_event *e = event_get(api, event, &rc);
    if (!e)
        return rc;
    struct timespec deadline = hacl_deadline_us(timeout_ms > 0 ? (uint64_t)timeout_ms * 1000u : 0);
    struct hacl_reporter *r = hacl_reporter_self();
    int timed_out = 0;
    pthread_mutex_lock(&e->lock);
    uint64_t target = e->w ? atomic_load(&e->w[W_RECORD_GEN]) : e->record_gen;
    e->sync_waiters++;
    while ((e->w ? atomic_load(&e->w[W_DONE_GEN]) : e->done_gen) < target) {
        if (timeout_ms == 0 || (timeout_ms > 0 && hacl_deadline_passed(&deadline))) {
            timed_out = 1;
            break;
        }
        if (r || e->w) { /* slices: report callbacks to run, or another process's record to see */
            if (r) {
                pthread_mutex_unlock(&e->lock);
                hacl_reporter_run_due(r);
                pthread_mutex_lock(&e->lock);
            }
            if ((e->w ? atomic_load(&e->w[W_DONE_GEN]) : e->done_gen) >= target)
                break;
            struct timespec slice = hacl_deadline_us(200);
            pthread_cond_timedwait(&e->cv, &e->lock, &slice);
        } else if (timeout_ms < 0) {
            pthread_cond_wait(&e->cv, &e->lock);
        } else {
            pthread_cond_timedwait(&e->cv, &e->lock, &deadline);
        }
    }
    e->sync_waiters--;
    pthread_mutex_unlock(&e->lock);
    if (r)
        hacl_reporter_put(r);
    hacl_obj_put(&e->hdr);
    if (timed_out)
        return hacl_err_quiet(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, api, "event %p did not complete within %d ms", event,
                              (int)timeout_ms);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEvent(aclrtEvent event)
{
    HACL_TRACE_API_CALL();
    return sync_event(__func__, event, -1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout)
{
    HACL_TRACE_API_CALL();
    if (timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %d must be -1 (forever), 0 (check) or positive ms",
                        (int)timeout);
    return sync_event(__func__, event, timeout);
}

/* When the latest record ran: nanoseconds of the host's monotonic clock
 * (Ascend counts in its system counter's ticks). */
ACL_FUNC_VISIBILITY aclError aclrtEventGetTimestamp(aclrtEvent event, uint64_t *timestamp)
{
    struct event_state st;
    aclError rc = event_state(__func__, event, timestamp, &st);
    if (rc != ACL_SUCCESS)
        return rc;
    if (st.record_gen == 0)
        return HACL_ERR(ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID, "the event was never recorded");
    if (st.done_gen < st.record_gen)
        return HACL_ERR(ACL_ERROR_RT_EVENT_NOT_COMPLETE, "the event's latest record has not run yet");
    *timestamp = st.stamp_ns;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtEventElapsedTime(float *ms, aclrtEvent startEvent, aclrtEvent endEvent)
{
    struct event_state a, b;
    aclError rc = event_state(__func__, startEvent, ms, &a);
    if (rc == ACL_SUCCESS)
        rc = event_state(__func__, endEvent, ms, &b);
    if (rc != ACL_SUCCESS)
        return rc;
    if (a.record_gen == 0 || b.record_gen == 0)
        return HACL_ERR(ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID, "the %s event was never recorded",
                        a.record_gen == 0 ? "start" : "end");
    if (a.done_gen < a.record_gen || b.done_gen < b.record_gen)
        return HACL_ERR(ACL_ERROR_RT_EVENT_NOT_COMPLETE, "the %s event has not completed yet",
                        a.done_gen < a.record_gen ? "start" : "end");
    if (b.stamp_ns < a.stamp_ns)
        return HACL_ERR(ACL_ERROR_RT_EVENT_TIMESTAMP_REVERSAL, "the end event completed before the start event");
    *ms = (float)((double)(b.stamp_ns - a.stamp_ns) / 1e6);
    return ACL_SUCCESS;
}
