/*
 * Events: create, destroy, record, reset, query, synchronize, stream waits
 * and elapsed time.
 *
 * Every aclrtRecordEvent call takes the next generation number; the record
 * task, when its stream reaches it, marks that generation done and stamps
 * the monotonic clock. Query and synchronize look at the latest generation
 * recorded at the time of the call; aclrtStreamWaitEvent captures that
 * generation when it is called, so later records do not move the goal of an
 * earlier wait. A wait that is not yet satisfied parks its stream (no worker
 * is held) on the event's waiter list; the record task unparks it.
 *
 * Destroying an event never blocks: queued records and waits hold
 * references and finish normally.
 *
 * Thread: any. Locks: ev->lock is taken alone (stream references are taken
 * under it; queues are unparked after it is released).
 */
#include <time.h>

#include "device/alloc.h"
#include "device/clock.h"
#include "runtime.h"

#define KNOWN_EVENT_FLAGS \
    (ACL_EVENT_SYNC | ACL_EVENT_CAPTURE_STREAM_PROGRESS | ACL_EVENT_TIME_LINE | ACL_EVENT_EXTERNAL | ACL_EVENT_IPC)

struct hacl_event {
    struct hacl_obj hdr;
    uint32_t flags;
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

/* ---- tasks ---- */

static void event_task_drop(struct hacl_squeue *q, struct hacl_task *t)
{
    (void)q;
    hacl_obj_put(t->p[0]);
}

static enum hacl_task_result record_run(struct hacl_squeue *q, struct hacl_task *t)
{
    (void)q;
    struct hacl_event *e = t->p[0];
    uint64_t gen = t->u[0];
    pthread_mutex_lock(&e->lock);
    if (gen > e->done_gen)
        e->done_gen = gen;
    e->recorded = 1;
    e->stamp_ns = hacl_now_ns();
    if (e->sync_waiters)
        pthread_cond_broadcast(&e->cv);
    /* Wake satisfied waiters in rounds: unlink them and reference their
     * streams under the lock, unpark them after it. */
    for (;;) {
        struct hacl_stream *wake[64];
        size_t nw = 0;
        struct hacl_qnode *n = e->waiters.next;
        while (n != &e->waiters && nw < 64) {
            struct hacl_qnode *next = n->next;
            struct hacl_task *w = HACL_QUEUE_DATA(n, struct hacl_task, xlink);
            if (w->u[0] <= e->done_gen) {
                hacl_queue_remove(n);
                wake[nw] = hacl_stream_of(w->p[1]);
                hacl_obj_ref(&wake[nw]->hdr);
                nw++;
            }
            n = next;
        }
        pthread_mutex_unlock(&e->lock);
        for (size_t i = 0; i < nw; i++) {
            hacl_squeue_unpark(&wake[i]->q);
            hacl_obj_put(&wake[i]->hdr);
        }
        if (nw < 64)
            break;
        pthread_mutex_lock(&e->lock);
    }
    hacl_obj_put(&e->hdr);
    return HACL_TASK_DONE;
}

static enum hacl_task_result wait_run(struct hacl_squeue *q, struct hacl_task *t)
{
    struct hacl_event *e = t->p[0];
    pthread_mutex_lock(&e->lock);
    if (e->done_gen >= t->u[0] || atomic_load(&q->discard)) {
        hacl_queue_remove(&t->xlink); /* no-op unless still registered */
        pthread_mutex_unlock(&e->lock);
        hacl_obj_put(&e->hdr);
        return HACL_TASK_DONE;
    }
    if (hacl_queue_empty(&t->xlink)) {
        t->p[1] = q;
        hacl_queue_push_tail(&e->waiters, &t->xlink);
    }
    t->state = 1;
    pthread_mutex_unlock(&e->lock);
    return HACL_TASK_PARK;
}

static enum hacl_task_result reset_run(struct hacl_squeue *q, struct hacl_task *t)
{
    (void)q;
    struct hacl_event *e = t->p[0];
    pthread_mutex_lock(&e->lock);
    e->recorded = 0;
    pthread_mutex_unlock(&e->lock);
    hacl_obj_put(&e->hdr);
    return HACL_TASK_DONE;
}

/* Queues a task of kind `fn` referring to e on the stream. */
static aclError queue_event_task(const char *api, aclrtEvent event, aclrtStream stream, hacl_task_fn fn,
                                 const char *what, int is_record, int is_wait)
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
    struct hacl_task *t = hacl_stream_task(api, s, &rc);
    if (t) {
        t->run = fn;
        t->drop = event_task_drop;
        t->what = what;
        t->inline_ok = 1; /* records, resets and satisfied waits are cheap */
        t->p[0] = e; /* our reference passes to the task */
        pthread_mutex_lock(&e->lock);
        if (is_record)
            t->u[0] = ++e->record_gen;
        else if (is_wait)
            t->u[0] = e->record_gen;
        pthread_mutex_unlock(&e->lock);
        rc = hacl_stream_submit(api, s, t);
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
    return create_event(__func__, event, ACL_EVENT_SYNC);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEventWithFlag(aclrtEvent *event, uint32_t flag)
{
    return create_event(__func__, event, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEventExWithFlag(aclrtEvent *event, uint32_t flag)
{
    return create_event(__func__, event, flag);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyEvent(aclrtEvent event)
{
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
    return queue_event_task(__func__, event, stream, record_run, "event record", 1, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream)
{
    return queue_event_task(__func__, event, stream, reset_run, "event reset", 0, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event)
{
    return queue_event_task(__func__, event, stream, wait_run, "event wait", 0, 1);
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
    uint64_t target = e->record_gen;
    e->sync_waiters++;
    while (e->done_gen < target) {
        if (timeout_ms == 0 || (timeout_ms > 0 && hacl_deadline_passed(&deadline))) {
            timed_out = 1;
            break;
        }
        if (r) {
            pthread_mutex_unlock(&e->lock);
            hacl_reporter_run_due(r);
            pthread_mutex_lock(&e->lock);
            if (e->done_gen >= target)
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
    return sync_event(__func__, event, -1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout)
{
    if (timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %d must be -1 (forever), 0 (check) or positive ms",
                        (int)timeout);
    return sync_event(__func__, event, timeout);
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
