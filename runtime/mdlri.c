/*
 * Model runtime instances (aclmdlRI): a stream's work recorded once and
 * replayed with one submission.
 *
 * Two ways to record. Capture (aclmdlRICaptureBegin .. CaptureEnd): the
 * tasks launched on one stream are recorded instead of run. Build
 * (aclmdlRIBuildBegin, aclmdlRIBindStream, tasks, aclmdlRIEndTask,
 * aclmdlRIBuildEnd): the tasks launched on each bound stream are recorded.
 * Either way a launch on a recording stream goes through hacl_stream_submit
 * as always and lands in hacl_mdlri_record: the task's kind turns it into a
 * template (its capture function lets go of what ties it to the launching
 * stream) and the template's bytes are kept in the instance.
 *
 * Replay (aclmdlRIExecuteAsync) copies every template into a node of the
 * target stream's queue, lets its kind take what it holds of its own
 * (replay function: references, a fresh event generation, the stream's
 * report thread), and queues the whole list under one lock. Replayed
 * tasks are ordinary tasks from then on: they run, fail, are cancelled and
 * are traced like launched ones, and the instance may be destroyed while
 * they are in flight.
 *
 * Events in an instance behave like live calls made at replay time: a
 * record takes a new generation, a wait waits for the latest record made
 * before it (earlier in the same replay, or outside it).
 *
 * Labels (label.c) are label tasks; a branch sets the queue's skip_to and
 * the tasks up to the chosen label are dropped. A replay that contains a
 * branch ends with a barrier label, so a skip never leaves the replay.
 *
 * Names, ids and printing: mdlri_info.c.
 *
 * Thread: any. Locks: s->ri_lock > ri->lock > registry; a replay queues
 * its tasks after releasing ri->lock.
 */
#include <stdio.h>
#include <string.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "mdlri.h"
#include "mdlri_impl.h"
#include "runtime.h"

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hacl_qnode live = {&live, &live};
static _Atomic uint32_t next_id;

/* Captures that restrict unsafe calls (mode GLOBAL or THREAD_LOCAL), and
 * the calling thread's capture mode (aclmdlRICaptureThreadExchangeMode). */
static _Atomic int restricting;
static _Thread_local aclmdlRICaptureMode thread_mode; /* GLOBAL (0) until exchanged */

/* ---- templates ---- */

static void forget_part(struct ri_part *p)
{
    for (size_t i = 0; i < p->n; i++) {
        struct hacl_task *t = (struct hacl_task *)p->tpl[i].b;
        if (t->ops->forget)
            t->ops->forget(t);
    }
    hacl_free(p->tpl);
    p->tpl = NULL;
    p->n = p->cap = 0;
}

/* Takes p's stream off the part (the reference passes to the caller, who
 * hands it to release_stream once ri->lock is released: the stream's lock
 * comes first). Caller holds ri->lock. */
static struct hacl_stream *detach_part_locked(struct ri_part *p)
{
    struct hacl_stream *s = p->s;
    p->s = NULL;
    return s;
}

/* The stream no longer records into ri. A launch in between finds no part
 * for it and runs live (hacl_mdlri_record). */
static void release_stream(struct hacl_mdlri *ri, struct hacl_stream *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->ri_lock);
    if (atomic_load(&s->ri) == ri)
        atomic_store(&s->ri, NULL);
    pthread_mutex_unlock(&s->ri_lock);
    hacl_obj_put(&s->hdr);
}

static void ri_release(struct hacl_obj *o)
{
    struct hacl_mdlri *ri = (struct hacl_mdlri *)o;
    for (size_t i = 0; i < ri->nparts; i++)
        forget_part(&ri->parts[i]);
    hacl_free(ri->parts);
    pthread_mutex_destroy(&ri->lock);
    hacl_free(ri);
}

static struct ri_part *part_of_locked(struct hacl_mdlri *ri, const struct hacl_stream *s)
{
    for (size_t i = 0; i < ri->nparts; i++)
        if (ri->parts[i].s == s)
            return &ri->parts[i];
    return NULL;
}

static aclError add_part_locked(const char *api, struct hacl_mdlri *ri, struct hacl_stream *s, uint32_t flag)
{
    struct ri_part *np = hacl_realloc(ri->parts, (ri->nparts + 1) * sizeof *np);
    if (!np)
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    ri->parts = np;
    hacl_obj_ref(&s->hdr);
    np[ri->nparts++] = (struct ri_part){.s = s, .stream_id = s->id, .flag = flag};
    return ACL_SUCCESS;
}

aclError hacl_mdlri_record(const char *api, struct hacl_stream *s, struct hacl_task *t, int *taken)
{
    *taken = 0;
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&s->ri_lock);
    struct hacl_mdlri *ri = atomic_load(&s->ri);
    if (!ri) { /* the recording ended meanwhile: queue as usual */
        pthread_mutex_unlock(&s->ri_lock);
        return ACL_SUCCESS;
    }
    pthread_mutex_lock(&ri->lock);
    struct ri_part *p = part_of_locked(ri, s);
    if (!p) { /* being unbound: the stream runs its work live again */
        atomic_store(&s->ri, NULL);
        pthread_mutex_unlock(&ri->lock);
        pthread_mutex_unlock(&s->ri_lock);
        return ACL_SUCCESS;
    }
    *taken = 1;
    if (ri->state == RI_READY) {
        rc = hacl_err(ACL_ERROR_RT_STREAM_MODEL, api,
                      "stream %p is bound to model runtime instance %u, whose build has ended: unbind it to "
                      "run work on it",
                      (void *)s, ri->id);
    } else if (p->ended) {
        rc = hacl_err(ACL_ERROR_RT_STREAM_MODEL, api,
                      "aclmdlRIEndTask already closed stream %p's part of model runtime instance %u", (void *)s,
                      ri->id);
    } else if (!t->ops->capture) {
        rc = hacl_err(ACL_ERROR_RT_TASK_TYPE_NOT_SUPPORT, api,
                      "a %s cannot be recorded into a model runtime instance (stream %p is %s)", t->ops->what,
                      (void *)s, ri->state == RI_CAPTURING ? "capturing" : "bound to one");
    } else if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct ri_slot *nt = hacl_realloc(p->tpl, cap * sizeof *nt);
        if (!nt)
            rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory recording a task");
        else
            p->tpl = nt, p->cap = cap;
    }
    if (rc == ACL_SUCCESS && (rc = t->ops->capture(t)) != ACL_SUCCESS)
        rc = hacl_err(rc, api, "this %s cannot be recorded into a model runtime instance", t->ops->what);
    if (rc == ACL_SUCCESS) {
        if (t->ops->flags & HACL_TASK_BRANCH)
            ri->branches = 1;
        memcpy(p->tpl[p->n++].b, t, HACL_TASK_SLOT);
        hacl_task_release(t); /* the node goes back; what it held is the template's now */
    } else {
        if (t->ops->drop)
            t->ops->drop(t);
        hacl_task_release(t);
    }
    pthread_mutex_unlock(&ri->lock);
    pthread_mutex_unlock(&s->ri_lock);
    return rc;
}

static aclError check_labels_locked(const char *api, struct hacl_mdlri *ri);

/* ---- lookups ---- */

struct hacl_mdlri *hacl_mdlri_get(const char *api, aclmdlRI h, aclError *rc)
{
    if (!h) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "modelRI must not be NULL");
        return NULL;
    }
    if ((*rc = hacl_rt_require_init(api)) != ACL_SUCCESS)
        return NULL;
    struct hacl_mdlri *ri = (struct hacl_mdlri *)hacl_handle_get(h, HACL_KIND_MDLRI);
    if (!ri)
        *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api,
                       "%p is not a live model runtime instance (destroyed, or never created)", h);
    return ri;
}

/* The stream handle h (never the default stream) of the current context. */
static struct hacl_stream *explicit_stream(const char *api, aclrtStream h, aclError *rc)
{
    if (!h) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "stream must not be NULL (the default stream cannot record)");
        return NULL;
    }
    return hacl_stream_get(api, h, rc);
}

static struct hacl_mdlri *ri_new(const char *api, struct hacl_rtdev *dev, enum ri_state state, aclError *rc)
{
    struct hacl_mdlri *ri = hacl_calloc(1, sizeof *ri);
    if (!ri) {
        *rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a model runtime instance");
        return NULL;
    }
    hacl_obj_init(&ri->hdr, HACL_KIND_MDLRI, ri_release);
    pthread_mutex_init(&ri->lock, NULL);
    ri->dev = dev;
    ri->state = state;
    ri->id = atomic_fetch_add(&next_id, 1) + 1;
    if (hacl_handle_register(&ri->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&ri->hdr);
        *rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a model runtime instance");
        return NULL;
    }
    pthread_mutex_lock(&list_lock);
    hacl_queue_push_tail(&live, &ri->link);
    pthread_mutex_unlock(&list_lock);
    *rc = ACL_SUCCESS;
    return ri;
}

/* Unregisters ri, unbinds its streams and drops the registry's reference. */
static aclError ri_destroy(const char *api, struct hacl_mdlri *ri)
{
    if (!hacl_handle_unregister(&ri->hdr))
        return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "the model runtime instance was destroyed concurrently");
    pthread_mutex_lock(&list_lock);
    hacl_queue_remove(&ri->link);
    pthread_mutex_unlock(&list_lock);
    pthread_mutex_lock(&ri->lock);
    if (ri->state == RI_CAPTURING)
        atomic_fetch_sub(&restricting, ri->mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED);
    ri->state = RI_READY;
    ri->mode = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
    size_t n = ri->nparts;
    struct hacl_stream **gone = n ? hacl_calloc(n, sizeof *gone) : NULL;
    for (size_t i = 0; i < n; i++) {
        struct hacl_stream *s = detach_part_locked(&ri->parts[i]);
        if (gone)
            gone[i] = s;
        else if (s) /* out of memory: clear it here, the order does not matter with no list */
            atomic_store(&s->ri, NULL), hacl_obj_put(&s->hdr);
    }
    pthread_mutex_unlock(&ri->lock);
    for (size_t i = 0; gone && i < n; i++)
        release_stream(ri, gone[i]);
    hacl_free(gone);
    hacl_obj_put(&ri->hdr);
    return ACL_SUCCESS;
}

void hacl_mdlri_finalize(void)
{
    for (;;) {
        pthread_mutex_lock(&list_lock);
        struct hacl_qnode *n = hacl_queue_head(&live);
        struct hacl_mdlri *ri = n ? HACL_QUEUE_DATA(n, struct hacl_mdlri, link) : NULL;
        if (ri)
            hacl_obj_ref(&ri->hdr);
        pthread_mutex_unlock(&list_lock);
        if (!ri)
            return;
        if (ri_destroy("aclFinalize", ri) != ACL_SUCCESS) { /* raced with a destroy: it is off the list */
            pthread_mutex_lock(&list_lock);
            if (ri->link.next != &ri->link)
                hacl_queue_remove(&ri->link);
            pthread_mutex_unlock(&list_lock);
        }
        hacl_obj_put(&ri->hdr);
    }
}

void hacl_mdlri_stream_gone(struct hacl_stream *s)
{
    pthread_mutex_lock(&s->ri_lock);
    struct hacl_mdlri *ri = atomic_load(&s->ri);
    if (ri)
        hacl_obj_ref(&ri->hdr);
    pthread_mutex_unlock(&s->ri_lock);
    if (!ri)
        return;
    pthread_mutex_lock(&ri->lock);
    if (ri->state == RI_CAPTURING) { /* the capture ends here, unusable */
        ri->invalid = ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED;
        ri->state = RI_READY;
        atomic_fetch_sub(&restricting, ri->mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED);
        ri->mode = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
    }
    struct ri_part *p = part_of_locked(ri, s);
    struct hacl_stream *held = p ? detach_part_locked(p) : NULL;
    pthread_mutex_unlock(&ri->lock);
    release_stream(ri, held);
    hacl_obj_put(&ri->hdr);
}

aclError hacl_mdlri_check_unsafe(const char *api)
{
    if (atomic_load_explicit(&restricting, memory_order_relaxed) == 0 ||
        thread_mode == ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
        return ACL_SUCCESS;
    pthread_t me = pthread_self();
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&list_lock);
    struct hacl_qnode *n;
    HACL_QUEUE_FOREACH(n, &live)
    {
        struct hacl_mdlri *ri = HACL_QUEUE_DATA(n, struct hacl_mdlri, link);
        pthread_mutex_lock(&ri->lock);
        int mine = pthread_equal(ri->owner, me);
        if (ri->state == RI_CAPTURING &&
            ((ri->mode == ACL_MODEL_RI_CAPTURE_MODE_GLOBAL && (mine || thread_mode == ACL_MODEL_RI_CAPTURE_MODE_GLOBAL)) ||
             (ri->mode == ACL_MODEL_RI_CAPTURE_MODE_THREAD_LOCAL && mine)))
            rc = hacl_err(ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT, api,
                          "model runtime instance %u is capturing in %s mode: synchronous copies and fills are not "
                          "allowed on this thread (aclmdlRICaptureThreadExchangeMode can relax it)",
                          ri->id, ri->mode == ACL_MODEL_RI_CAPTURE_MODE_GLOBAL ? "GLOBAL" : "THREAD_LOCAL");
        pthread_mutex_unlock(&ri->lock);
        if (rc != ACL_SUCCESS)
            break;
    }
    pthread_mutex_unlock(&list_lock);
    return rc;
}

/* ---- capture ---- */

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureBegin(aclrtStream stream, aclmdlRICaptureMode mode)
{
    HACL_TRACE_API_CALL();
    if ((unsigned)mode > ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "mode %d is not an aclmdlRICaptureMode", (int)mode);
    aclError rc;
    struct hacl_stream *s = explicit_stream(__func__, stream, &rc);
    if (!s)
        return rc;
    struct hacl_mdlri *ri = ri_new(__func__, s->dev, RI_CAPTURING, &rc);
    if (ri) {
        ri->mode = mode;
        ri->owner = pthread_self();
        pthread_mutex_lock(&s->ri_lock);
        pthread_mutex_lock(&ri->lock);
        if (atomic_load(&s->ri))
            rc = HACL_ERR(ACL_ERROR_RT_STREAM_CAPTURED, "stream %p is already recording into a model runtime instance",
                          stream);
        else if ((rc = add_part_locked(__func__, ri, s, 0)) == ACL_SUCCESS) {
            atomic_store(&s->ri, ri);
            if (mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
                atomic_fetch_add(&restricting, 1);
        }
        pthread_mutex_unlock(&ri->lock);
        pthread_mutex_unlock(&s->ri_lock);
        if (rc != ACL_SUCCESS)
            (void)ri_destroy(__func__, ri);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureGetInfo(aclrtStream stream, aclmdlRICaptureStatus *status,
                                                    aclmdlRI *modelRI)
{
    if (!status)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "status must not be NULL");
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    *status = ACL_MODEL_RI_CAPTURE_STATUS_NONE;
    if (modelRI)
        *modelRI = NULL;
    pthread_mutex_lock(&s->ri_lock);
    struct hacl_mdlri *ri = atomic_load(&s->ri);
    if (ri) {
        pthread_mutex_lock(&ri->lock);
        if (ri->state == RI_CAPTURING) {
            *status = ri->invalid ? ACL_MODEL_RI_CAPTURE_STATUS_INVALIDATED : ACL_MODEL_RI_CAPTURE_STATUS_ACTIVE;
            if (modelRI)
                *modelRI = ri;
        }
        pthread_mutex_unlock(&ri->lock);
    }
    pthread_mutex_unlock(&s->ri_lock);
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureEnd(aclrtStream stream, aclmdlRI *modelRI)
{
    HACL_TRACE_API_CALL();
    if (!modelRI)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelRI must not be NULL");
    aclError rc;
    struct hacl_stream *s = explicit_stream(__func__, stream, &rc);
    if (!s)
        return rc;
    pthread_mutex_lock(&s->ri_lock);
    struct hacl_mdlri *ri = atomic_load(&s->ri);
    if (ri)
        pthread_mutex_lock(&ri->lock);
    if (!ri || ri->state != RI_CAPTURING) {
        rc = HACL_ERR(ACL_ERROR_RT_STREAM_NOT_CAPTURED, "stream %p is not capturing (no aclmdlRICaptureBegin)", stream);
    } else if (ri->mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED && !pthread_equal(ri->owner, pthread_self())) {
        rc = HACL_ERR(ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD,
                      "a capture begun in GLOBAL or THREAD_LOCAL mode must end on the thread that began it");
    } else {
        ri->state = RI_READY;
        atomic_fetch_sub(&restricting, ri->mode != ACL_MODEL_RI_CAPTURE_MODE_RELAXED);
        ri->mode = ACL_MODEL_RI_CAPTURE_MODE_RELAXED;
        atomic_store(&s->ri, NULL);
        rc = check_labels_locked(__func__, ri);
    }
    struct hacl_mdlri *done = rc == ACL_SUCCESS || (ri && ri->state == RI_READY) ? ri : NULL;
    if (ri)
        pthread_mutex_unlock(&ri->lock);
    pthread_mutex_unlock(&s->ri_lock);
    hacl_obj_put(&s->hdr);
    if (done && rc != ACL_SUCCESS) {
        (void)ri_destroy(__func__, done);
        *modelRI = NULL;
    } else if (done) {
        *modelRI = done;
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRICaptureThreadExchangeMode(aclmdlRICaptureMode *mode)
{
    if (!mode)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "mode must not be NULL");
    if ((unsigned)*mode > ACL_MODEL_RI_CAPTURE_MODE_RELAXED)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "mode %d is not an aclmdlRICaptureMode", (int)*mode);
    aclmdlRICaptureMode old = thread_mode;
    thread_mode = *mode;
    *mode = old;
    return ACL_SUCCESS;
}

/* Every label a branch may choose must be set after it in the same part:
 * a skip only runs forwards. Caller holds ri->lock. */
static aclError check_labels_locked(const char *api, struct hacl_mdlri *ri)
{
    for (size_t k = 0; k < ri->nparts; k++) {
        struct ri_part *p = &ri->parts[k];
        for (size_t i = 0; i < p->n; i++) {
            const struct hacl_task *t = (const struct hacl_task *)p->tpl[i].b;
            if (!(t->ops->flags & HACL_TASK_BRANCH))
                continue;
            const struct hacl_branch_task *b = (const struct hacl_branch_task *)t;
            for (uint32_t m = 0; m < b->nmarks; m++) {
                size_t j = i + 1;
                while (j < p->n && !((((const struct hacl_task *)p->tpl[j].b)->ops->flags & HACL_TASK_LABEL) &&
                                     ((const struct hacl_label_task *)p->tpl[j].b)->mark == b->marks[m]))
                    j++;
                if (j == p->n)
                    return hacl_err(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, api,
                                    "label %u of the switch recorded as task %zu of stream %d is not set after it on "
                                    "that stream (only forward branches are supported)",
                                    m, i, (int)p->stream_id);
            }
        }
    }
    return ACL_SUCCESS;
}

/* ---- build ---- */

ACL_FUNC_VISIBILITY aclError aclmdlRIBuildBegin(aclmdlRI *modelRI, uint32_t flag)
{
    HACL_TRACE_API_CALL();
    if (!modelRI)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelRI must not be NULL");
    if (flag != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag %u is reserved and must be 0", flag);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    struct hacl_mdlri *ri = ri_new(__func__, ctx->dev, RI_BUILDING, &rc);
    hacl_obj_put(&ctx->hdr);
    if (ri)
        *modelRI = ri;
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIBindStream(aclmdlRI modelRI, aclrtStream stream, uint32_t flag)
{
    HACL_TRACE_API_CALL();
    if (flag != ACL_MODEL_STREAM_FLAG_HEAD && flag != ACL_MODEL_STREAM_FLAG_DEFAULT)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM,
                        "flag %#x is neither ACL_MODEL_STREAM_FLAG_HEAD nor ACL_MODEL_STREAM_FLAG_DEFAULT", flag);
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    struct hacl_stream *s = explicit_stream(__func__, stream, &rc);
    if (s) {
        pthread_mutex_lock(&s->ri_lock);
        pthread_mutex_lock(&ri->lock);
        if (ri->state != RI_BUILDING)
            rc = HACL_ERR(ACL_ERROR_RT_MODEL_CAPTURED,
                          "model runtime instance %u is not being built (aclmdlRIBuildBegin .. aclmdlRIBuildEnd)",
                          ri->id);
        else if (s->dev != ri->dev)
            rc = HACL_ERR(ACL_ERROR_RT_STREAM_CONTEXT, "stream %p is on another device than the instance", stream);
        else if (atomic_load(&s->ri))
            rc = HACL_ERR(ACL_ERROR_RT_STREAM_CAPTURED,
                          "stream %p already records into a model runtime instance (one instance per stream)", stream);
        else if ((rc = add_part_locked(__func__, ri, s, flag)) == ACL_SUCCESS)
            atomic_store(&s->ri, ri);
        pthread_mutex_unlock(&ri->lock);
        pthread_mutex_unlock(&s->ri_lock);
        hacl_obj_put(&s->hdr);
    }
    hacl_obj_put(&ri->hdr);
    return rc;
}

/* Runs fn on ri's part for stream (which must be bound to it), under
 * ri->lock; a stream fn detaches into *held is released after. */
static aclError with_part(const char *api, aclmdlRI modelRI, aclrtStream stream,
                          aclError (*fn)(const char *, struct hacl_mdlri *, struct ri_part *, struct hacl_stream **))
{
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(api, modelRI, &rc);
    if (!ri)
        return rc;
    struct hacl_stream *s = explicit_stream(api, stream, &rc);
    if (s) {
        struct hacl_stream *held = NULL;
        pthread_mutex_lock(&ri->lock);
        struct ri_part *p = part_of_locked(ri, s);
        rc = p ? fn(api, ri, p, &held)
               : hacl_err(ACL_ERROR_RT_STREAM_MODEL, api, "stream %p is not bound to model runtime instance %u",
                          stream, ri->id);
        pthread_mutex_unlock(&ri->lock);
        release_stream(ri, held);
        hacl_obj_put(&s->hdr);
    }
    hacl_obj_put(&ri->hdr);
    return rc;
}

static aclError unbind_part(const char *api, struct hacl_mdlri *ri, struct ri_part *p, struct hacl_stream **held)
{
    (void)api;
    (void)ri;
    *held = detach_part_locked(p);
    return ACL_SUCCESS;
}

static aclError end_part(const char *api, struct hacl_mdlri *ri, struct ri_part *p, struct hacl_stream **held)
{
    (void)held;
    if (ri->state != RI_BUILDING)
        return hacl_err(ACL_ERROR_RT_MODEL_CAPTURED, api, "model runtime instance %u is not being built", ri->id);
    p->ended = 1;
    return ACL_SUCCESS;
}


ACL_FUNC_VISIBILITY aclError aclmdlRIEndTask(aclmdlRI modelRI, aclrtStream stream)
{
    return with_part(__func__, modelRI, stream, end_part);
}

ACL_FUNC_VISIBILITY aclError aclmdlRIUnbindStream(aclmdlRI modelRI, aclrtStream stream)
{
    return with_part(__func__, modelRI, stream, unbind_part);
}

ACL_FUNC_VISIBILITY aclError aclmdlRIBuildEnd(aclmdlRI modelRI, void *reserve)
{
    HACL_TRACE_API_CALL();
    if (reserve)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "reserve must be NULL");
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    pthread_mutex_lock(&ri->lock);
    if (ri->state != RI_BUILDING)
        rc = HACL_ERR(ACL_ERROR_RT_MODEL_CAPTURED, "model runtime instance %u is not being built", ri->id);
    else if ((rc = check_labels_locked(__func__, ri)) == ACL_SUCCESS)
        ri->state = RI_READY;
    pthread_mutex_unlock(&ri->lock);
    hacl_obj_put(&ri->hdr);
    return rc;
}

/* ---- replay ---- */

/* Drops the tasks of a replay that will not be queued. */
static void drop_list(struct hacl_qnode *list)
{
    struct hacl_qnode *n;
    while ((n = hacl_queue_head(list)) != NULL) {
        hacl_queue_remove(n);
        struct hacl_task *t = HACL_QUEUE_DATA(n, struct hacl_task, link);
        if (t->ops->drop)
            t->ops->drop(t);
        hacl_task_release(t);
    }
}

/* Node t of s's queue becomes a copy of a template holding its own:
 * ACL_SUCCESS, or the error recorded (t is then a plain node to release). */
static aclError instantiate(const char *api, struct hacl_stream *s, struct hacl_task *t, const struct hacl_task *tpl)
{
    memcpy(t, tpl, HACL_TASK_SLOT);
    hacl_queue_init(&t->link);
    t->q = &s->q;
    t->seq = 0;
    t->status = ACL_SUCCESS;
    t->early = 0;
    t->trace_flow = t->trace_t0 = 0;
    aclError rc = tpl->ops->replay ? tpl->ops->replay(t) : ACL_SUCCESS;
    if (rc != ACL_SUCCESS)
        return hacl_err(rc, api, "cannot replay a recorded %s on stream %p", tpl->ops->what, (void *)s);
    return ACL_SUCCESS;
}

static enum hacl_task_result barrier_run(struct hacl_task *t)
{
    (void)t;
    return HACL_TASK_DONE;
}

static aclError replay(const char *api, struct hacl_mdlri *ri, struct hacl_stream *s)
{
    static const struct hacl_task_ops barrier = {.what = "end of model runtime instance",
                                                 .flags = HACL_TASK_INLINE | HACL_TASK_LABEL,
                                                 .run = barrier_run};
    struct hacl_qnode list;
    hacl_queue_init(&list);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&ri->lock);
    if (ri->state != RI_READY)
        rc = hacl_err(ACL_ERROR_RT_MODEL_CAPTURED, api, "model runtime instance %u is still %s", ri->id,
                      ri->state == RI_CAPTURING ? "capturing" : "being built (call aclmdlRIBuildEnd)");
    else if (ri->invalid)
        rc = hacl_err(ri->invalid, api, "model runtime instance %u was invalidated: its capture stream was destroyed",
                      ri->id);
    else if (s->dev != ri->dev)
        rc = hacl_err(ACL_ERROR_RT_STREAM_CONTEXT, api,
                      "stream %p is on device %d, model runtime instance %u on device %d", (void *)s, (int)s->dev->id,
                      ri->id, (int)ri->dev->id);
    size_t total = ri->branches ? 1 : 0; /* the barrier */
    for (size_t k = 0; k < ri->nparts; k++)
        if (ri->parts[k].flag == ACL_MODEL_STREAM_FLAG_HEAD) /* other parts only an activation would start */
            total += ri->parts[k].n;
    struct hacl_qnode nodes;
    hacl_queue_init(&nodes);
    if (rc == ACL_SUCCESS && hacl_task_take_nodes(&s->q, total, &nodes) != 0)
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory queueing %zu tasks", total);
    for (size_t k = 0; rc == ACL_SUCCESS && k < ri->nparts; k++) {
        const struct ri_part *p = &ri->parts[k];
        if (p->flag != ACL_MODEL_STREAM_FLAG_HEAD)
            continue;
        for (size_t i = 0; rc == ACL_SUCCESS && i < p->n; i++) {
            struct hacl_qnode *n = hacl_queue_head(&nodes);
            hacl_queue_remove(n);
            struct hacl_task *t = HACL_QUEUE_DATA(n, struct hacl_task, link);
            rc = instantiate(api, s, t, (const struct hacl_task *)p->tpl[i].b);
            if (rc == ACL_SUCCESS)
                hacl_queue_push_tail(&list, &t->link);
            else
                hacl_queue_push_tail(&nodes, n); /* a plain node again: released below */
        }
    }
    if (rc == ACL_SUCCESS && ri->branches) {
        struct hacl_qnode *n = hacl_queue_head(&nodes);
        hacl_queue_remove(n);
        struct hacl_label_task *b = HACL_QUEUE_DATA(n, struct hacl_label_task, hdr.link);
        memset(b, 0, sizeof *b); /* mark 0: every skip ends here */
        hacl_queue_init(&b->hdr.link);
        b->hdr.ops = &barrier;
        b->hdr.q = &s->q;
        hacl_queue_push_tail(&list, &b->hdr.link);
    }
    pthread_mutex_unlock(&ri->lock);
    struct hacl_qnode *spare;
    while ((spare = hacl_queue_head(&nodes)) != NULL) { /* left over after a failure */
        hacl_queue_remove(spare);
        struct hacl_task *t = HACL_QUEUE_DATA(spare, struct hacl_task, link);
        t->q = &s->q;
        hacl_task_release(t);
    }
    if (rc == ACL_SUCCESS && hacl_squeue_push_list(&s->q, &list) == 0 && !hacl_queue_empty(&list))
        rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "the stream is being destroyed");
    drop_list(&list);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIExecuteAsync(aclmdlRI modelRI, aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (s) {
        if (atomic_load(&s->ri))
            rc = HACL_ERR(ACL_ERROR_RT_STREAM_CAPTURED,
                          "stream %p is recording: a model runtime instance cannot be replayed into another", stream);
        else
            rc = replay(__func__, ri, s);
        hacl_obj_put(&s->hdr);
    }
    hacl_obj_put(&ri->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIExecute(aclmdlRI modelRI, int32_t timeout)
{
    HACL_TRACE_API_CALL();
    if (timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %d must be -1 (forever), 0 or positive ms", (int)timeout);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    aclrtStream own = NULL;
    rc = aclrtCreateStream(&own); /* a stream of its own: the caller's context, like a synchronous execution */
    if (rc == ACL_SUCCESS) {
        rc = aclmdlRIExecuteAsync(modelRI, own);
        aclError sync = aclrtSynchronizeStreamWithTimeout(own, timeout);
        if (rc == ACL_SUCCESS)
            rc = sync;
        (void)aclrtDestroyStreamForce(own);
    }
    hacl_obj_put(&ctx->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlRIDestroy(aclmdlRI modelRI)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_mdlri *ri = hacl_mdlri_get(__func__, modelRI, &rc);
    if (!ri)
        return rc;
    rc = ri_destroy(__func__, ri);
    hacl_obj_put(&ri->hdr);
    return rc;
}
