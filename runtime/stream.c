/*
 * Streams: creation and destruction, synchronisation, queries, failure mode,
 * and the helpers other modules use to queue tasks.
 *
 * A stream belongs to one context and wraps one scheduler queue. Destroying
 * a stream closes its queue (later pushes are refused), waits for every task
 * already queued to finish (or, when forced, drops those not started), waits
 * for its launched callbacks, removes its subscription, waits until no worker
 * holds its queue, and only then frees it.
 *
 * Synchronising never deadlocks a report thread: when the calling thread
 * serves report callbacks, it keeps running the callbacks due to it while it
 * waits. Waiting for a stream from inside one of that stream's own blocking
 * callbacks can never finish and is refused (docs/semantics.md).
 *
 * Thread: any.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "device/alloc.h"
#include "device/clock.h"
#include "device/trace.h"
#include "mdlri.h"
#include "runtime.h"

#define INLINE_SLICE_US 200

static void stream_release(struct hacl_obj *o)
{
    struct hacl_stream *s = (struct hacl_stream *)o;
    hacl_squeue_fini(&s->q);
    pthread_cond_destroy(&s->cb_cv);
    pthread_mutex_destroy(&s->cb_lock);
    pthread_mutex_destroy(&s->err_lock);
    pthread_mutex_destroy(&s->alloc_lock);
    pthread_mutex_destroy(&s->ri_lock);
    hacl_obj_put(&s->ctx->hdr);
    hacl_free(s);
}

/* Creates a stream on ctx (referenced by the caller). For the default stream
 * an existing one wins a creation race. */
static aclError stream_create(const char *api, struct hacl_context *ctx, int is_default, uint32_t prio,
                              uint32_t flags, struct hacl_stream **out)
{
    struct hacl_rtdev *dev = ctx->dev;
    struct hacl_sched *sched = dev->hw->ops->scheduler(dev->hw);
    if (!sched)
        return hacl_err(ACL_ERROR_RT_RESOURCE_ALLOC_FAIL, api, "cannot start the worker threads of device %d",
                        (int)dev->id);
    struct hacl_stream *s = hacl_calloc(1, sizeof *s);
    if (!s)
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a stream");
    hacl_obj_init(&s->hdr, HACL_KIND_STREAM, stream_release);
    hacl_squeue_init(&s->q, sched);
    pthread_mutex_init(&s->cb_lock, NULL);
    hacl_cond_init_monotonic(&s->cb_cv);
    pthread_mutex_init(&s->err_lock, NULL);
    pthread_mutex_init(&s->alloc_lock, NULL);
    pthread_mutex_init(&s->ri_lock, NULL);
    s->saturate = atomic_load(&dev->sat_mode) == ACL_RT_OVERFLOW_MODE_SATURATION;
    hacl_queue_init(&s->ctx_link);
    hacl_obj_ref(&ctx->hdr);
    s->ctx = ctx;
    s->dev = dev;
    s->is_default = is_default;
    s->priority = prio;
    s->q.priority = prio; /* 0 runs first when workers are short */
    static _Atomic int32_t next_id;
    s->id = atomic_fetch_add(&next_id, 1) + 1;
    s->q.trace_pid = HACL_TRACE_DEVICE((int)dev->id); /* its row on the timeline */
    s->q.trace_tid = (uint64_t)s->id;
    s->flags = flags;
    if (hacl_handle_register(&s->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&s->hdr);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a stream");
    }
    pthread_mutex_lock(&dev->lock);
    if (hacl_queue_empty(&ctx->dev_link)) { /* the context was destroyed meanwhile */
        pthread_mutex_unlock(&dev->lock);
        hacl_handle_unregister(&s->hdr);
        hacl_obj_put(&s->hdr);
        return hacl_err(ACL_ERROR_RT_CONTEXT_NULL, api, "the current context was destroyed");
    }
    if (is_default && ctx->default_stream) {
        struct hacl_stream *winner = ctx->default_stream;
        hacl_obj_ref(&winner->hdr);
        pthread_mutex_unlock(&dev->lock);
        hacl_handle_unregister(&s->hdr);
        hacl_obj_put(&s->hdr);
        *out = winner;
        return ACL_SUCCESS;
    }
    hacl_queue_push_tail(&ctx->streams, &s->ctx_link);
    if (is_default)
        ctx->default_stream = s;
    hacl_obj_ref(&s->hdr); /* the caller's */
    pthread_mutex_unlock(&dev->lock);
    hacl_stream_state_changed(s, ACL_RT_STREAM_STATE_CREATE_POST);
    *out = s;
    return ACL_SUCCESS;
}

struct hacl_stream *hacl_stream_get(const char *api, aclrtStream h, aclError *rc)
{
    struct hacl_context *ctx = hacl_context_current(api, rc);
    if (!ctx)
        return NULL;
    struct hacl_stream *s = NULL;
    if (!h) {
        pthread_mutex_lock(&ctx->dev->lock);
        s = ctx->default_stream;
        if (s)
            hacl_obj_ref(&s->hdr);
        pthread_mutex_unlock(&ctx->dev->lock);
        if (!s && (*rc = stream_create(api, ctx, 1, 0, 0, &s)) != ACL_SUCCESS)
            s = NULL;
    } else {
        s = (struct hacl_stream *)hacl_handle_get(h, HACL_KIND_STREAM);
        if (!s) {
            *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live stream (destroyed, or never created)",
                           h);
        } else if (s->ctx != ctx) {
            *rc = hacl_err(ACL_ERROR_RT_STREAM_CONTEXT, api,
                           "stream %p belongs to another context than the calling thread's current one", h);
            hacl_obj_put(&s->hdr);
            s = NULL;
        }
    }
    hacl_obj_put(&ctx->hdr);
    if (s)
        *rc = ACL_SUCCESS;
    return s;
}

struct hacl_task *hacl_stream_task(const char *api, struct hacl_stream *s, const struct hacl_task_ops *ops,
                                   size_t size, aclError *rc)
{
    struct hacl_task *t = hacl_task_new(&s->q, ops, size);
    *rc = t ? ACL_SUCCESS : hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory queueing a task");
    return t;
}

aclError hacl_stream_submit(const char *api, struct hacl_stream *s, struct hacl_task *t)
{
    if (atomic_load_explicit(&s->ri, memory_order_relaxed)) { /* recording, not running */
        int taken;
        aclError rc = hacl_mdlri_record(api, s, t, &taken);
        if (taken)
            return rc;
    }
    uint64_t seq = hacl_squeue_push(&s->q, t);
    if (seq != 0) {
        hacl_exception_note_launch(seq);
        return ACL_SUCCESS;
    }
    if (t->ops->drop)
        t->ops->drop(t);
    hacl_task_release(t);
    return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "the stream is being destroyed");
}

/* ---- failures ---- */

/* Records code on s unless a failure is recorded already: the message is
 * prefix (may be NULL) then fmt. */
static void record_failure(struct hacl_stream *s, aclError code, const char *prefix, const char *fmt, va_list ap)
{
    pthread_mutex_lock(&s->err_lock);
    if (s->err == ACL_SUCCESS) {
        s->err = code;
        int n = snprintf(s->err_msg, sizeof s->err_msg, "%s", prefix ? prefix : "");
        if (n >= 0 && (size_t)n < sizeof s->err_msg)
            vsnprintf(s->err_msg + n, sizeof s->err_msg - (size_t)n, fmt, ap);
    }
    if (s->stop_on_failure)
        atomic_store(&s->q.skip_work, 1);
    pthread_mutex_unlock(&s->err_lock);
}

void hacl_task_fail(struct hacl_task *t, aclError code, const char *fmt, ...)
{
    char prefix[96];
    snprintf(prefix, sizeof prefix, "task #%llu (%s) failed: ", (unsigned long long)t->seq, t->ops->what);
    va_list ap;
    va_start(ap, fmt);
    record_failure(hacl_task_stream(t), code, prefix, fmt, ap);
    va_end(ap);
    hacl_exception_report(hacl_task_stream(t), t->seq, code);
}

void hacl_stream_record_failure(struct hacl_stream *s, aclError code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record_failure(s, code, NULL, fmt, ap);
    va_end(ap);
}

/* Takes the recorded failure: its code (ACL_SUCCESS if none) and message;
 * work runs again from here on. */
static aclError take_error(struct hacl_stream *s, char *msg, size_t msglen)
{
    pthread_mutex_lock(&s->err_lock);
    aclError code = s->err;
    if (code != ACL_SUCCESS && msg && msglen)
        snprintf(msg, msglen, "%s", s->err_msg);
    s->err = ACL_SUCCESS;
    s->err_msg[0] = '\0';
    atomic_store(&s->q.skip_work, 0);
    pthread_mutex_unlock(&s->err_lock);
    return code;
}

static void set_failure_mode(struct hacl_stream *s, int stop)
{
    pthread_mutex_lock(&s->err_lock);
    s->stop_on_failure = stop;
    atomic_store(&s->q.skip_work, stop && s->err != ACL_SUCCESS);
    pthread_mutex_unlock(&s->err_lock);
}

/* Waits for seq on s: 0, or -1 on timeout. A report thread keeps serving
 * its callbacks meanwhile, so a stream waiting on them can progress. */
static int stream_wait(struct hacl_stream *s, uint64_t seq, int32_t timeout_ms)
{
    struct hacl_reporter *r = hacl_reporter_self();
    if (!r)
        return hacl_squeue_wait(&s->q, seq, timeout_ms);
    uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : hacl_now_us() + (uint64_t)timeout_ms * 1000u;
    int rc = 0;
    for (;;) {
        hacl_reporter_run_due(r);
        if (hacl_squeue_is_done(&s->q, seq))
            break;
        uint64_t now = hacl_now_us();
        if (now >= deadline) {
            rc = -1;
            break;
        }
        /* Wake when a callback is due to us; the slice bounds the wait for
         * tasks of other kinds (their completion does not signal us). */
        uint64_t slice = deadline - now < INLINE_SLICE_US ? deadline - now : INLINE_SLICE_US;
        hacl_reporter_wait_items(r, (unsigned)slice);
    }
    hacl_reporter_put(r);
    return rc;
}

/* Refuses to wait for s from inside one of its own blocking callbacks. */
static aclError check_not_own_callback(const char *api, struct hacl_stream *s, const char *what)
{
    int blocking = 0;
    if (hacl_report_in_callback_of(s, &blocking) && blocking)
        return hacl_err(ACL_ERROR_API_NOT_SUPPORT, api,
                        "cannot %s a stream from inside one of its own blocking callbacks or host functions: the "
                        "stream waits for that callback to return",
                        what);
    return ACL_SUCCESS;
}

static aclError stream_sync(const char *api, struct hacl_stream *s, int32_t timeout_ms)
{
    aclError rc = check_not_own_callback(api, s, "synchronize");
    if (rc != ACL_SUCCESS)
        return rc;
    if (stream_wait(s, hacl_squeue_submitted(&s->q), timeout_ms) != 0)
        return hacl_err_quiet(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, api, "stream %p did not finish within %d ms", (void *)s,
                        (int)timeout_ms);
    char msg[400];
    rc = take_error(s, msg, sizeof msg);
    if (rc != ACL_SUCCESS)
        return hacl_err(rc, api, "%s", msg);
    return ACL_SUCCESS;
}

/* Destroys s (referenced by the caller, who keeps that reference). */
static aclError stream_destroy(const char *api, struct hacl_stream *s, int force)
{
    if (!hacl_handle_unregister(&s->hdr))
        return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "the stream was destroyed concurrently");
    hacl_stream_state_changed(s, ACL_RT_STREAM_STATE_DESTROY_PRE);
    hacl_mdlri_stream_gone(s); /* a capture ends invalidated, a binding is undone */
    uint64_t last = hacl_squeue_close(&s->q);
    if (force)
        hacl_squeue_discard(&s->q);
    /* Wait for the queue; a blocking callback whose report thread has gone
     * away would hold it forever, so such callbacks are run here. */
    while (stream_wait(s, last, 20) != 0)
        hacl_report_steal_stranded(s);
    hacl_report_drain_stream(s);
    hacl_report_detach_stream(s);
    hacl_squeue_quiesce(&s->q);
    unsigned dropped = atomic_load(&s->q.dropped);
    if (force && dropped)
        hacl_log(ACL_WARNING, "%s: %u queued task(s) of stream %p were discarded without running", api, dropped,
                 (void *)s);
    (void)take_error(s, NULL, 0);
    struct hacl_rtdev *dev = s->dev;
    pthread_mutex_lock(&dev->lock);
    hacl_queue_remove(&s->ctx_link);
    if (s->ctx->default_stream == s)
        s->ctx->default_stream = NULL;
    pthread_mutex_unlock(&dev->lock);
    hacl_obj_put(&s->hdr); /* the registry's reference */
    return ACL_SUCCESS;
}

void hacl_context_release_streams(struct hacl_context *ctx, int force)
{
    struct hacl_rtdev *dev = ctx->dev;
    for (;;) {
        pthread_mutex_lock(&dev->lock);
        struct hacl_qnode *n = hacl_queue_head(&ctx->streams);
        struct hacl_stream *s = n ? HACL_QUEUE_DATA(n, struct hacl_stream, ctx_link) : NULL;
        if (s) {
            hacl_queue_remove(n); /* so this loop moves on even if another thread destroys it */
            hacl_obj_ref(&s->hdr);
        }
        ctx->default_stream = NULL;
        pthread_mutex_unlock(&dev->lock);
        if (!s)
            return;
        /* A concurrent aclrtDestroyStream may have won: then it drains. */
        if (stream_destroy("aclrtDestroyContext", s, force) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
        hacl_obj_put(&s->hdr);
    }
}

void hacl_stream_callback_add(struct hacl_stream *s)
{
    atomic_fetch_add(&s->cb_pending, 1);
}

void hacl_stream_callback_done(struct hacl_stream *s)
{
    pthread_mutex_lock(&s->cb_lock);
    if (atomic_fetch_sub(&s->cb_pending, 1) == 1)
        pthread_cond_broadcast(&s->cb_cv);
    pthread_mutex_unlock(&s->cb_lock);
}

long hacl_stream_callback_wait(struct hacl_stream *s, unsigned us)
{
    struct timespec ts = hacl_deadline_us(us);
    pthread_mutex_lock(&s->cb_lock);
    if (atomic_load(&s->cb_pending) > 0)
        pthread_cond_timedwait(&s->cb_cv, &s->cb_lock, &ts);
    long left = atomic_load(&s->cb_pending);
    pthread_mutex_unlock(&s->cb_lock);
    return left;
}

/* ---- public entry points ---- */

#define KNOWN_STREAM_FLAGS                                                                          \
    (ACL_STREAM_FAST_LAUNCH | ACL_STREAM_FAST_SYNC | ACL_STREAM_PERSISTENT | ACL_STREAM_HUGE | \
     ACL_STREAM_CPU_SCHEDULE | ACL_STREAM_DEVICE_USE_ONLY)

aclError hacl_stream_create_public(const char *api, aclrtStream *stream, uint32_t priority, uint32_t flag)
{
    if (!stream)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "stream must not be NULL");
    if (flag & ~KNOWN_STREAM_FLAGS)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "flag %#x has bits that are not ACL_STREAM_* flags", flag);
    if (priority > 7)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "priority %u is out of range 0..7", priority);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx)
        return rc;
    struct hacl_stream *s;
    rc = stream_create(api, ctx, 0, priority, flag, &s);
    hacl_obj_put(&ctx->hdr);
    if (rc != ACL_SUCCESS)
        return rc;
    *stream = s;
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtCreateStream(aclrtStream *stream)
{
    HACL_TRACE_API_CALL();
    return hacl_stream_create_public(__func__, stream, 0, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateStreamWithConfig(aclrtStream *stream, uint32_t priority, uint32_t flag)
{
    HACL_TRACE_API_CALL();
    return hacl_stream_create_public(__func__, stream, priority, flag);
}

static aclError destroy_public(const char *api, aclrtStream stream, int force)
{
    if (!stream)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "stream must not be NULL (the default stream is not destroyed)");
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = (struct hacl_stream *)hacl_handle_get(stream, HACL_KIND_STREAM);
    if (!s)
        return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live stream (destroyed, or never created)",
                        stream);
    if (s->is_default) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "%p is a default stream; it goes with its context", stream);
    } else if (hacl_report_in_callback_of(s, NULL)) {
        rc = hacl_err(ACL_ERROR_API_NOT_SUPPORT, api,
                      "cannot destroy a stream from inside one of its own callbacks or host functions");
    } else {
        rc = stream_destroy(api, s, force);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyStream(aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    return destroy_public(__func__, stream, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyStreamForce(aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    return destroy_public(__func__, stream, 1);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStream(aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    rc = stream_sync(__func__, s, -1);
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout)
{
    HACL_TRACE_API_CALL();
    if (timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %d must be -1 (forever), 0 (check) or positive ms",
                        (int)timeout);
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    rc = stream_sync(__func__, s, timeout);
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamQuery(aclrtStream stream, aclrtStreamStatus *status)
{
    if (!status)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "status must not be NULL");
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    *status = hacl_squeue_is_done(&s->q, hacl_squeue_submitted(&s->q)) ? ACL_STREAM_STATUS_COMPLETE
                                                                         : ACL_STREAM_STATUS_NOT_READY;
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSetStreamFailureMode(aclrtStream stream, uint64_t mode)
{
    if (mode != ACL_CONTINUE_ON_FAILURE && mode != ACL_STOP_ON_FAILURE)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "mode %llu is neither ACL_CONTINUE_ON_FAILURE nor ACL_STOP_ON_FAILURE",
                        (unsigned long long)mode);
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    set_failure_mode(s, mode == ACL_STOP_ON_FAILURE);
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

/* Every stream of every context of dev, referenced, in *all (NULL when
 * there are none). */
static aclError device_streams(const char *api, struct hacl_rtdev *dev, struct hacl_stream ***all, size_t *count)
{
    size_t n = 0, cap = 0;
    struct hacl_stream **v = NULL;
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&dev->lock);
    struct hacl_qnode *cn, *sn;
    HACL_QUEUE_FOREACH(cn, &dev->contexts)
    {
        struct hacl_context *c = HACL_QUEUE_DATA(cn, struct hacl_context, dev_link);
        HACL_QUEUE_FOREACH(sn, &c->streams)
        {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct hacl_stream **na = hacl_realloc(v, ncap * sizeof *na);
                if (!na) {
                    rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
                    goto out;
                }
                v = na;
                cap = ncap;
            }
            struct hacl_stream *st = HACL_QUEUE_DATA(sn, struct hacl_stream, ctx_link);
            hacl_obj_ref(&st->hdr);
            v[n++] = st;
        }
    }
out:
    pthread_mutex_unlock(&dev->lock);
    if (rc != ACL_SUCCESS) {
        for (size_t i = 0; i < n; i++)
            hacl_obj_put(&v[i]->hdr);
        hacl_free(v);
        v = NULL;
        n = 0;
    }
    *all = v;
    *count = n;
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeDevice(void)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    struct hacl_rtdev *dev = ctx->dev;
    hacl_obj_put(&ctx->hdr);
    /* Snapshot every stream of the device, then wait for each without
     * holding the device lock. */
    struct hacl_stream **all;
    size_t n;
    if ((rc = device_streams(__func__, dev, &all, &n)) != ACL_SUCCESS)
        return rc;
    for (size_t i = 0; i < n; i++) {
        aclError r = stream_sync(__func__, all[i], -1);
        if (rc == ACL_SUCCESS)
            rc = r;
        hacl_obj_put(&all[i]->hdr);
    }
    hacl_free(all);
    return rc;
}

void hacl_device_drain(struct hacl_rtdev *dev)
{
    struct hacl_stream **all;
    size_t n;
    if (device_streams("drain", dev, &all, &n) != ACL_SUCCESS) {
        (void)aclGetRecentErrMsg();
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!hacl_report_in_callback_of(all[i], NULL)) /* its own callback: cannot wait for itself */
            (void)stream_wait(all[i], hacl_squeue_submitted(&all[i]->q), -1);
        hacl_obj_put(&all[i]->hdr);
    }
    hacl_free(all);
}
