/*
 * Report threads: aclrtSubscribeReport, aclrtLaunchCallback,
 * aclrtProcessReport, aclrtUnSubscribeReport and aclrtLaunchHostFunc.
 *
 * A reporter stands for one application thread (identified by its
 * pthread_t) that serves the callbacks of the streams subscribed to it. When
 * a stream reaches a callback task, the worker appends the task to its
 * reporter's list and wakes the thread if it sleeps in aclrtProcessReport;
 * that thread runs the callbacks in delivery order (so each stream's
 * callbacks run in stream order) with no runtime lock held. A BLOCK callback
 * keeps its stream waiting (deferred, no worker held) until it has returned,
 * and the report thread completes it; a NO_BLOCK one lets the stream go on
 * at once.
 *
 * Host functions (aclrtLaunchHostFunc) use the same machinery with a
 * reporter of the device's own, served by an internal thread.
 *
 * Nothing is lost: each launched callback runs exactly once. Destroying or
 * unsubscribing a stream waits for its callbacks; if its report thread is
 * not processing reports (it may have gone away), the waiting thread runs
 * the stranded callbacks itself (docs/semantics.md). Callbacks dropped by a
 * forced destroy are counted and logged as cancelled.
 *
 * Locks: hacl_rt.report_lock > r->lock. Queues are completed and nodes
 * released with neither held; user callbacks run with no lock held.
 */
#include <stdio.h>
#include <time.h>

#include "device/alloc.h"
#include "device/clock.h"
#include "device/trace.h"
#include "runtime.h"

#define STEAL_AFTER_US 50000 /* a report thread idle this long is presumed gone */

struct hacl_reporter {
    uint64_t tid;
    struct hacl_rtdev *dev;
    _Atomic unsigned refs;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    struct hacl_qnode items; /* delivered callback tasks */
    _Atomic unsigned nitems;
    unsigned sleepers;
    int in_process;          /* threads inside aclrtProcessReport (or the host-function loop) */
    uint64_t idle_since_us;  /* when in_process last dropped to 0 */
    _Atomic unsigned nstreams; /* subscribed streams (changed under report_lock) */
    struct hacl_qnode rt_link;
    int internal;            /* the device's host-function reporter */
    int stopping;
    pthread_t thread;
};

static _Thread_local struct {
    const struct hacl_stream *stream;
    int blocking;
} tls_cb;


static struct hacl_reporter *reporter_new(uint64_t tid, struct hacl_rtdev *dev, int internal)
{
    struct hacl_reporter *r = hacl_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->tid = tid;
    r->dev = dev;
    atomic_init(&r->refs, 1);
    pthread_mutex_init(&r->lock, NULL);
    hacl_cond_init_monotonic(&r->cv);
    hacl_queue_init(&r->items);
    hacl_queue_init(&r->rt_link);
    r->internal = internal;
    r->idle_since_us = hacl_now_us();
    return r;
}

static void reporter_ref(struct hacl_reporter *r)
{
    atomic_fetch_add(&r->refs, 1);
}

void hacl_reporter_put(struct hacl_reporter *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        pthread_cond_destroy(&r->cv);
        pthread_mutex_destroy(&r->lock);
        hacl_free(r);
    }
}

/* Caller holds report_lock. */
static struct hacl_reporter *find_locked(uint64_t tid)
{
    struct hacl_qnode *n;
    HACL_QUEUE_FOREACH(n, &hacl_rt.reporters)
    {
        struct hacl_reporter *r = HACL_QUEUE_DATA(n, struct hacl_reporter, rt_link);
        if (r->tid == tid)
            return r;
    }
    return NULL;
}

struct hacl_reporter *hacl_reporter_self(void)
{
    uint64_t me = (uint64_t)pthread_self();
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = find_locked(me);
    if (r)
        reporter_ref(r);
    pthread_mutex_unlock(&hacl_rt.report_lock);
    return r;
}

/* Reporters stay listed until aclFinalize even with no stream left, so a
 * callback delivered late can always be found (and, if its thread has
 * gone, run by whoever drains the stream). When the last stream goes, a
 * thread waiting in aclrtProcessReport is woken to return. Caller holds
 * report_lock. */
static void wake_if_unused_locked(struct hacl_reporter *r)
{
    if (r->internal || atomic_load(&r->nstreams) > 0)
        return;
    pthread_mutex_lock(&r->lock);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->lock);
}

void hacl_report_release_all(void)
{
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_qnode *n;
    while ((n = hacl_queue_head(&hacl_rt.reporters)) != NULL) {
        hacl_queue_remove(n);
        hacl_reporter_put(HACL_QUEUE_DATA(n, struct hacl_reporter, rt_link));
    }
    pthread_mutex_unlock(&hacl_rt.report_lock);
}

/* ---- the callback task ---- */

struct callback_task {
    struct hacl_task hdr;
    aclrtCallback fn;
    void *data;
    struct hacl_reporter *reporter; /* referenced; the stream is too */
    int block;
    struct hacl_qnode item; /* in the reporter's list once delivered */
    uint64_t trace_flow; /* the arrow from its stream to the thread running it */
};
_Static_assert(sizeof(struct callback_task) <= HACL_TASK_SLOT, "a callback task fits in a node");

static struct callback_task *callback_of_item(struct hacl_qnode *n)
{
    return HACL_QUEUE_DATA(n, struct callback_task, item);
}

static void callback_drop(struct hacl_task *t)
{
    struct callback_task *c = (struct callback_task *)t;
    struct hacl_stream *s = hacl_task_stream(t);
    hacl_log(ACL_WARNING, "a %s of stream %p was cancelled without running (stream destroyed by force)",
             t->ops->what, (void *)s);
    hacl_stream_callback_done(s);
    hacl_obj_put(&s->hdr);
    hacl_reporter_put(c->reporter);
}

/* Delivers the callback to its report thread. A BLOCK callback keeps the
 * stream waiting until it has run; a NO_BLOCK one lets the stream go on and
 * the report thread frees the node. */
static enum hacl_task_result callback_run(struct hacl_task *t)
{
    struct callback_task *c = (struct callback_task *)t;
    struct hacl_reporter *r = c->reporter;
    int block = c->block;
    if (hacl_tracing()) {
        c->trace_flow = hacl_trace_flow();
        hacl_trace_flow_point(t->q->trace_pid, t->q->trace_tid, c->trace_flow, hacl_trace_now(), 1);
    }
    pthread_mutex_lock(&r->lock);
    hacl_queue_push_tail(&r->items, &c->item);
    atomic_fetch_add(&r->nitems, 1);
    if (r->sleepers)
        pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->lock);
    /* c may be gone from here on (run, completed or released). */
    return block ? HACL_TASK_DEFER : HACL_TASK_RETAIN;
}

/* Recorded into a model runtime instance, a callback keeps only its
 * function, data and kind; a replay delivers it to the report thread of
 * the stream it is replayed on (host functions: the device's thread). */
static aclError callback_capture(struct hacl_task *t)
{
    struct callback_task *c = (struct callback_task *)t;
    struct hacl_stream *s = hacl_task_stream(t);
    hacl_stream_callback_done(s);
    hacl_obj_put(&s->hdr);
    hacl_reporter_put(c->reporter);
    c->reporter = NULL;
    return ACL_SUCCESS;
}

static struct hacl_reporter *hostfn_reporter(struct hacl_rtdev *dev);

static struct hacl_reporter *hostfn_target(struct hacl_stream *s);

static aclError callback_replay(struct hacl_task *t)
{
    struct callback_task *c = (struct callback_task *)t;
    struct hacl_stream *s = hacl_task_stream(t);
    struct hacl_reporter *r;
    if (c->hdr.ops->what[0] == 'h') { /* a host function */
        r = hostfn_target(s);
        if (!r)
            return ACL_ERROR_RT_RESOURCE_ALLOC_FAIL;
    } else {
        pthread_mutex_lock(&hacl_rt.report_lock);
        r = s->reporter;
        if (r) {
            reporter_ref(r);
            hacl_stream_callback_add(s);
        }
        pthread_mutex_unlock(&hacl_rt.report_lock);
        if (!r)
            return ACL_ERROR_RT_STREAM_NO_CB_REG;
    }
    c->reporter = r;
    hacl_queue_init(&c->item);
    c->trace_flow = 0;
    hacl_obj_ref(&s->hdr);
    return ACL_SUCCESS;
}

/* Delivery is a list append: it runs wherever the stream reaches it. */
static const struct hacl_task_ops callback_ops = {.what = "callback",
                                                  .flags = HACL_TASK_INLINE,
                                                  .run = callback_run,
                                                  .drop = callback_drop,
                                                  .capture = callback_capture,
                                                  .replay = callback_replay};
static const struct hacl_task_ops hostfn_ops = {.what = "host function",
                                                .flags = HACL_TASK_INLINE,
                                                .run = callback_run,
                                                .drop = callback_drop,
                                                .capture = callback_capture,
                                                .replay = callback_replay};

/* Runs one delivered callback on the calling thread, then finishes its
 * task: the stream goes on from here (inline tasks on this thread). */
static void run_item(struct callback_task *c)
{
    struct hacl_stream *s = hacl_task_stream(&c->hdr);
    struct hacl_reporter *r = c->reporter;
    int block = c->block;
    const struct hacl_stream *saved_s = tls_cb.stream;
    int saved_b = tls_cb.blocking;
    tls_cb.stream = s;
    tls_cb.blocking = block;
    if (r->internal) /* host functions run in their stream's context */
        hacl_context_set_current(s->ctx);
    uint64_t t0 = c->trace_flow && hacl_tracing() ? hacl_trace_now() : 0;
    const char *what = c->hdr.ops->what;
    uint64_t flow = c->trace_flow;
    c->fn(c->data);
    if (t0 && hacl_tracing()) { /* the application's function, on the thread that ran it */
        uint64_t me = hacl_trace_self();
        hacl_trace_flow_point(hacl_trace_self_pid(), me, flow, t0, 0);
        hacl_trace_slice(hacl_trace_self_pid(), me, what, "callback", t0, hacl_trace_now(), "stream", s->id);
    }
    tls_cb.stream = saved_s;
    tls_cb.blocking = saved_b;
    if (block)
        hacl_task_complete(&c->hdr, ACL_SUCCESS);
    else
        hacl_task_release(&c->hdr);
    hacl_stream_callback_done(s);
    hacl_obj_put(&s->hdr);
    hacl_reporter_put(r);
}

static unsigned run_list(struct hacl_qnode *list)
{
    unsigned n = 0;
    struct hacl_qnode *node;
    while ((node = hacl_queue_head(list)) != NULL) {
        hacl_queue_remove(node);
        run_item(callback_of_item(node));
        n++;
    }
    return n;
}

/* Runs up to `max` callbacks due to r, taking them one at a time from r's
 * own list: a callback that waits for its stream (and so runs later
 * callbacks of this thread itself) must be able to find them there. */
static unsigned run_due(struct hacl_reporter *r, unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        pthread_mutex_lock(&r->lock);
        struct hacl_qnode *node = hacl_queue_head(&r->items);
        if (node) {
            hacl_queue_remove(node);
            atomic_fetch_sub(&r->nitems, 1);
        }
        pthread_mutex_unlock(&r->lock);
        if (!node)
            break;
        run_item(callback_of_item(node));
        n++;
    }
    return n;
}

unsigned hacl_reporter_run_due(struct hacl_reporter *r)
{
    return run_due(r, atomic_load(&r->nitems));
}

void hacl_reporter_wait_items(struct hacl_reporter *r, unsigned us)
{
    struct timespec ts = hacl_deadline_us(us);
    pthread_mutex_lock(&r->lock);
    if (hacl_queue_empty(&r->items)) {
        r->sleepers++;
        pthread_cond_timedwait(&r->cv, &r->lock, &ts);
        r->sleepers--;
    }
    pthread_mutex_unlock(&r->lock);
}

int hacl_report_in_callback_of(const struct hacl_stream *s, int *blocking)
{
    if (tls_cb.stream != s)
        return 0;
    if (blocking)
        *blocking = tls_cb.blocking;
    return 1;
}

/* Moves the items of stream s out of r when r's thread is not processing
 * reports and has not for a while. Caller holds no lock. */
static void steal_from(struct hacl_reporter *r, const struct hacl_stream *s, struct hacl_qnode *out)
{
    pthread_mutex_lock(&r->lock);
    if (r->in_process == 0 && hacl_now_us() - r->idle_since_us >= STEAL_AFTER_US) {
        struct hacl_qnode *n = r->items.next;
        while (n != &r->items) {
            struct hacl_qnode *next = n->next;
            if (hacl_task_stream(&callback_of_item(n)->hdr) == s) {
                hacl_queue_remove(n);
                atomic_fetch_sub(&r->nitems, 1);
                hacl_queue_push_tail(out, n);
            }
            n = next;
        }
    }
    pthread_mutex_unlock(&r->lock);
}

void hacl_report_steal_stranded(const struct hacl_stream *s)
{
    struct hacl_qnode local;
    hacl_queue_init(&local);
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_qnode *n;
    HACL_QUEUE_FOREACH(n, &hacl_rt.reporters)
    {
        steal_from(HACL_QUEUE_DATA(n, struct hacl_reporter, rt_link), s, &local);
    }
    pthread_mutex_unlock(&hacl_rt.report_lock);
    run_list(&local);
}

void hacl_report_drain_stream(struct hacl_stream *s)
{
    struct hacl_reporter *self = hacl_reporter_self();
    while (atomic_load(&s->cb_pending) > 0) {
        if (self) {
            hacl_reporter_run_due(self);
            if (atomic_load(&s->cb_pending) == 0)
                break;
        }
        if (hacl_stream_callback_wait(s, self ? 200 : 20000) > 0)
            hacl_report_steal_stranded(s);
    }
    if (self)
        hacl_reporter_put(self);
}

/* Takes *slot's reporter off the stream. Caller holds report_lock. */
static void detach_locked(struct hacl_reporter **slot)
{
    struct hacl_reporter *r = *slot;
    if (r) {
        *slot = NULL;
        atomic_fetch_sub(&r->nstreams, 1);
        wake_if_unused_locked(r);
        hacl_reporter_put(r); /* the stream's reference */
    }
}

void hacl_report_detach_stream(struct hacl_stream *s)
{
    pthread_mutex_lock(&hacl_rt.report_lock);
    detach_locked(&s->reporter);
    detach_locked(&s->hostfn_sub);
    pthread_mutex_unlock(&hacl_rt.report_lock);
}

/* ---- host functions ---- */

static void *hostfn_main(void *arg)
{
    struct hacl_reporter *r = arg;
    pthread_mutex_lock(&hacl_rt.report_lock);
    r->tid = (uint64_t)pthread_self();
    pthread_mutex_unlock(&hacl_rt.report_lock);
    pthread_mutex_lock(&r->lock);
    r->in_process = 1;
    for (;;) {
        while (hacl_queue_empty(&r->items) && !r->stopping) {
            r->sleepers++;
            pthread_cond_wait(&r->cv, &r->lock);
            r->sleepers--;
        }
        if (hacl_queue_empty(&r->items))
            break;
        unsigned due = atomic_load(&r->nitems);
        pthread_mutex_unlock(&r->lock);
        run_due(r, due);
        pthread_mutex_lock(&r->lock);
    }
    r->in_process = 0;
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* The device's host-function reporter (started on first use), referenced. */
static struct hacl_reporter *hostfn_reporter(struct hacl_rtdev *dev)
{
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = dev->hostfn;
    if (!r) {
        r = reporter_new(0, dev, 1);
        if (r && pthread_create(&r->thread, NULL, hostfn_main, r) != 0) {
            hacl_reporter_put(r);
            r = NULL;
        }
        if (r) {
            char name[32]; /* the kernel keeps the first 15 bytes */
            snprintf(name, sizeof name, "hacl-d%d-hostfn", (int)dev->id % 100);
            name[15] = '\0';
            pthread_setname_np(r->thread, name);
            hacl_queue_push_tail(&hacl_rt.reporters, &r->rt_link); /* the list holds the first reference */
            dev->hostfn = r;
        }
    }
    if (r)
        reporter_ref(r);
    pthread_mutex_unlock(&hacl_rt.report_lock);
    return r;
}

void hacl_report_stop_hostfn(struct hacl_rtdev *dev)
{
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = dev->hostfn;
    dev->hostfn = NULL;
    if (r)
        hacl_queue_remove(&r->rt_link);
    pthread_mutex_unlock(&hacl_rt.report_lock);
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stopping = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    hacl_reporter_put(r);
}

/* ---- public entry points ---- */

/* Queues a callback of s for reporter r; the caller's reference to r and
 * its count in s's pending callbacks pass to the task. */
static aclError launch(const char *api, struct hacl_stream *s, struct hacl_reporter *r, aclrtCallback fn,
                       void *data, int block, const struct hacl_task_ops *ops)
{
    aclError rc;
    struct callback_task *c = HACL_STREAM_TASK(api, s, struct callback_task, ops, &rc);
    if (!c) {
        hacl_stream_callback_done(s);
        hacl_reporter_put(r);
        return rc;
    }
    c->fn = fn;
    c->data = data;
    c->reporter = r;
    c->block = block;
    hacl_queue_init(&c->item);
    hacl_obj_ref(&s->hdr);
    return hacl_stream_submit(api, s, &c->hdr);
}

ACL_FUNC_VISIBILITY aclError aclrtLaunchCallback(aclrtCallback fn, void *userData, aclrtCallbackBlockType blockType,
                                                 aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    if (!fn)
        return HACL_ERR(ACL_ERROR_RT_PARAM_INVALID, "fn must not be NULL");
    if (blockType != ACL_CALLBACK_NO_BLOCK && blockType != ACL_CALLBACK_BLOCK)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "blockType %d is neither ACL_CALLBACK_NO_BLOCK nor ACL_CALLBACK_BLOCK",
                        (int)blockType);
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    /* Counted as pending under the report lock, so an unsubscribe that
     * drains the stream cannot miss it. */
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = s->reporter;
    if (r) {
        reporter_ref(r);
        hacl_stream_callback_add(s);
    }
    pthread_mutex_unlock(&hacl_rt.report_lock);
    if (!r)
        rc = HACL_ERR(ACL_ERROR_RT_STREAM_NO_CB_REG,
                      "stream %p has no report thread: call aclrtSubscribeReport first", (void *)s);
    else
        rc = launch(__func__, s, r, fn, userData, blockType == ACL_CALLBACK_BLOCK, &callback_ops);
    hacl_obj_put(&s->hdr);
    return rc;
}

/* Where s's host functions run: the thread subscribed with
 * aclrtSubscribeHostFunc, else the device's host-function thread;
 * referenced, and counted in s's pending callbacks. NULL when the device's
 * thread cannot start. */
static struct hacl_reporter *hostfn_target(struct hacl_stream *s)
{
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = s->hostfn_sub;
    if (r) {
        reporter_ref(r);
        hacl_stream_callback_add(s);
    }
    pthread_mutex_unlock(&hacl_rt.report_lock);
    if (!r && (r = hostfn_reporter(s->dev)) != NULL)
        hacl_stream_callback_add(s);
    return r;
}

ACL_FUNC_VISIBILITY aclError aclrtLaunchHostFunc(aclrtStream stream, aclrtHostFunc fn, void *args)
{
    HACL_TRACE_API_CALL();
    if (!fn)
        return HACL_ERR(ACL_ERROR_RT_PARAM_INVALID, "fn must not be NULL");
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    struct hacl_reporter *r = hostfn_target(s);
    if (!r)
        rc = HACL_ERR(ACL_ERROR_RT_RESOURCE_ALLOC_FAIL, "cannot start the host-function thread");
    else
        rc = launch(__func__, s, r, (aclrtCallback)fn, args, 1, &hostfn_ops);
    hacl_obj_put(&s->hdr);
    return rc;
}

/* Subscribes thread threadId to the stream's callbacks (*slot:
 * s->reporter) or host functions (s->hostfn_sub). */
static aclError subscribe(const char *api, uint64_t threadId, aclrtStream stream, int hostfn)
{
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (!s)
        return rc;
    struct hacl_reporter **slot = hostfn ? &s->hostfn_sub : &s->reporter;
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = find_locked(threadId);
    if (*slot) {
        rc = hacl_err(ACL_ERROR_RT_STREAM_SUBSCRIBE, api, "stream %p's %s are already subscribed to thread %llu",
                      (void *)s, hostfn ? "host functions" : "callbacks", (unsigned long long)(*slot)->tid);
    } else if (r && r->internal) {
        rc = hacl_err(ACL_ERROR_RT_THREAD_SUBSCRIBE, api, "thread %llu is a hostacl thread",
                      (unsigned long long)threadId);
    } else if (r && r->dev != s->dev && atomic_load(&r->nstreams) > 0) {
        rc = hacl_err(ACL_ERROR_RT_THREAD_SUBSCRIBE, api, "thread %llu already serves streams of device %d, not %d",
                      (unsigned long long)threadId, (int)r->dev->id, (int)s->dev->id);
    } else {
        if (!r) {
            r = reporter_new(threadId, s->dev, 0);
            if (r)
                hacl_queue_push_tail(&hacl_rt.reporters, &r->rt_link); /* the list's reference */
        }
        if (!r) {
            rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory subscribing a report thread");
        } else {
            reporter_ref(r); /* the stream's */
            r->dev = s->dev;
            atomic_fetch_add(&r->nstreams, 1);
            *slot = r;
        }
    }
    pthread_mutex_unlock(&hacl_rt.report_lock);
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    return subscribe(__func__, threadId, stream, 0);
}

/* Host functions of the stream run on threadId, inside its
 * aclrtProcessHostFunc (or aclrtProcessReport) calls. */
ACL_FUNC_VISIBILITY aclError aclrtSubscribeHostFunc(uint64_t hostFuncThreadId, aclrtStream exeStream)
{
    HACL_TRACE_API_CALL();
    return subscribe(__func__, hostFuncThreadId, exeStream, 1);
}

static aclError unsubscribe(const char *api, uint64_t threadId, aclrtStream stream, int hostfn)
{
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (!s)
        return rc;
    struct hacl_reporter **slot = hostfn ? &s->hostfn_sub : &s->reporter;
    pthread_mutex_lock(&hacl_rt.report_lock);
    struct hacl_reporter *r = *slot;
    if (!r)
        rc = hacl_err(ACL_ERROR_RT_STREAM_SUBSCRIBE, api, "stream %p's %s are not subscribed to any thread", (void *)s,
                      hostfn ? "host functions" : "callbacks");
    else if (r->tid != threadId)
        rc = hacl_err(ACL_ERROR_RT_THREAD_SUBSCRIBE, api, "stream %p is subscribed to thread %llu, not %llu",
                      (void *)s, (unsigned long long)r->tid, (unsigned long long)threadId);
    pthread_mutex_unlock(&hacl_rt.report_lock);
    if (rc == ACL_SUCCESS) {
        /* Waiting for our own callback would never end: then detach at
         * once; callbacks already launched still run on this thread. */
        if (!hacl_report_in_callback_of(s, NULL))
            hacl_report_drain_stream(s);
        pthread_mutex_lock(&hacl_rt.report_lock);
        detach_locked(slot);
        pthread_mutex_unlock(&hacl_rt.report_lock);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    return unsubscribe(__func__, threadId, stream, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtUnSubscribeHostFunc(uint64_t hostFuncThreadId, aclrtStream exeStream)
{
    HACL_TRACE_API_CALL();
    return unsubscribe(__func__, hostFuncThreadId, exeStream, 1);
}

ACL_FUNC_VISIBILITY aclError aclrtProcessHostFunc(int32_t timeout)
{
    return hacl_report_process(__func__, timeout, hacl_sched_spin_us());
}

ACL_FUNC_VISIBILITY aclError aclrtProcessReport(int32_t timeout)
{
    return hacl_report_process(__func__, timeout, hacl_sched_spin_us());
}

aclError hacl_report_process(const char *api, int32_t timeout, unsigned spin_us)
{
    if (timeout == 0 || timeout < -1)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "timeout %d must be -1 (forever) or a positive number of ms",
                        (int)timeout);
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_reporter *r = hacl_reporter_self();
    if (!r || r->internal) {
        hacl_reporter_put(r);
        return hacl_err_quiet(ACL_ERROR_RT_THREAD_SUBSCRIBE, api, "the calling thread is not subscribed to any stream");
    }
    struct timespec deadline = hacl_deadline_us(timeout > 0 ? (uint64_t)timeout * 1000u : 0);
    unsigned due = 0;
    pthread_mutex_lock(&r->lock);
    r->in_process++;
    int spun = 0;
    for (;;) {
        if (!hacl_queue_empty(&r->items)) {
            due = atomic_load(&r->nitems);
            break;
        }
        if (atomic_load(&r->nstreams) == 0) { /* every stream was unsubscribed */
            rc = ACL_ERROR_RT_THREAD_SUBSCRIBE;
            break;
        }
        if (!spun) {
            /* A short spin catches callbacks that are about to arrive
             * without paying for a sleep and a cross-core wake-up. */
            spun = 1;
            unsigned us = spin_us;
            if (us) {
                pthread_mutex_unlock(&r->lock);
                uint64_t until = hacl_now_us() + us;
                while (atomic_load_explicit(&r->nitems, memory_order_relaxed) == 0 && hacl_now_us() < until)
                    hacl_cpu_relax();
                pthread_mutex_lock(&r->lock);
                continue;
            }
        }
        r->sleepers++;
        int w = timeout < 0 ? pthread_cond_wait(&r->cv, &r->lock) : pthread_cond_timedwait(&r->cv, &r->lock, &deadline);
        r->sleepers--;
        if (w != 0 && hacl_queue_empty(&r->items)) {
            rc = ACL_ERROR_RT_REPORT_TIMEOUT;
            break;
        }
    }
    pthread_mutex_unlock(&r->lock);
    run_due(r, due);
    pthread_mutex_lock(&r->lock);
    if (--r->in_process == 0)
        r->idle_since_us = hacl_now_us();
    pthread_mutex_unlock(&r->lock);
    hacl_reporter_put(r);
    if (rc == ACL_ERROR_RT_REPORT_TIMEOUT)
        return hacl_err_quiet(rc, api, "no callback arrived within %d ms", (int)timeout);
    if (rc == ACL_ERROR_RT_THREAD_SUBSCRIBE)
        return hacl_err_quiet(rc, api, "every stream of the calling thread was unsubscribed while it waited");
    return ACL_SUCCESS;
}
