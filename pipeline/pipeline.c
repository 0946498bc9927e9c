/*
 * Pipelines (acl/hacl_pipeline.h), built only on hostacl's public runtime:
 * streams, aclmdlExecuteAsync, NO_BLOCK callbacks on a report thread of the
 * pipeline's own.
 *
 * Each stream of the pipeline has a device stream and `depth` slots; a slot
 * holds the datasets of every stage of the chain (the first model's inputs,
 * each intermediate, the last model's outputs), allocated once. A frame
 * takes a free slot, is filled (by the input callback, or copied in), runs
 * as one ExecuteAsync per stage followed by a BLOCK callback on the same
 * stream, and that callback (on the report thread) delivers or cancels it
 * (callback way) or marks it done (synchronous and request ways). One mutex
 * guards the pipeline's state; callbacks into the application run without
 * it.
 *
 * Thread: any; the application's callbacks run on the pipeline's threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "acl/hacl_pipeline.h"
#include "device/alloc.h"
#include "runtime/handle.h"
#include "runtime/runtime.h"
#include "pipeline_impl.h"

/* ---- helpers ---- */

struct haclPipeline *hacl_pl_get(const char *api, const void *h)
{
    struct haclPipeline *p = (struct haclPipeline *)hacl_handle_get(h, HACL_KIND_PIPELINE);
    if (!p)
        hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api, "%p is not a live pipeline", h);
    return p;
}

void hacl_pl_deadline_after(struct timespec *ts, int32_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Waits on the pipeline's condition: 0, or ETIMEDOUT once past deadline
 * (NULL: forever). Called with the lock held. */
int hacl_pl_wait_until(struct haclPipeline *p, const struct timespec *deadline)
{
    if (!deadline) {
        pthread_cond_wait(&p->cond, &p->lock);
        return 0;
    }
    return pthread_cond_timedwait(&p->cond, &p->lock, deadline);
}

/* Records the first error; later ones are dropped. Lock held. */
void hacl_pl_set_error(struct haclPipeline *p, aclError code, const char *fmt, const char *detail)
{
    if (p->error == ACL_SUCCESS) {
        p->error = code;
        snprintf(p->error_msg, sizeof p->error_msg, fmt, detail ? detail : "");
    }
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
}

/* ---- creation ---- */

static aclError add_stage(struct haclPipeline *p, int at, uint32_t model, int owned)
{
    struct stage st = {model, owned, aclmdlCreateDesc(), 0, 0};
    if (!st.desc)
        return ACL_ERROR_BAD_ALLOC;
    aclError rc = aclmdlGetDesc(st.desc, model);
    if (rc != ACL_SUCCESS) {
        aclmdlDestroyDesc(st.desc);
        return rc;
    }
    st.nin = aclmdlGetNumInputs(st.desc);
    st.nout = aclmdlGetNumOutputs(st.desc);
    if (st.nin > MAX_PORTS || st.nout > MAX_PORTS) {
        aclmdlDestroyDesc(st.desc);
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "models with more than %d inputs or outputs are not supported",
                        MAX_PORTS);
    }
    memmove(&p->stages[at + 1], &p->stages[at], sizeof p->stages[0] * (size_t)(p->nstages - at));
    p->stages[at] = st;
    p->nstages++;
    return ACL_SUCCESS;
}

static void pipeline_release(struct hacl_obj *o)
{
    struct haclPipeline *p = (struct haclPipeline *)o;
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    hacl_free(p);
}

static aclError create(uint32_t model, int owned, const haclPipelineConfig *cfg, haclPipeline **out)
{
    aclrtContext ctx = NULL;
    if (aclrtGetCurrentContext(&ctx) != ACL_SUCCESS || !ctx) {
        (void)aclGetRecentErrMsg();
        return HACL_ERR(ACL_ERROR_RT_CONTEXT_NULL, "a pipeline needs a current context");
    }
    struct haclPipeline *p = hacl_calloc(1, sizeof *p);
    if (!p)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a pipeline");
    p->ctx = ctx;
    p->depth = cfg && cfg->depth ? cfg->depth : 4;
    p->sync_streams = cfg && cfg->streams ? cfg->streams : 1;
    if (p->depth > 4096 || p->sync_streams > MAX_STREAMS) {
        hacl_free(p);
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "depth must be at most 4096 and streams at most %d", MAX_STREAMS);
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &ca);
    pthread_condattr_destroy(&ca);
    aclError rc = add_stage(p, 0, model, owned);
    if (rc != ACL_SUCCESS) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        hacl_free(p);
        return rc;
    }
    hacl_obj_init(&p->hdr, HACL_KIND_PIPELINE, pipeline_release);
    if (hacl_handle_register(&p->hdr) != ACL_SUCCESS) {
        aclmdlDestroyDesc(p->stages[0].desc);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        hacl_free(p);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a pipeline");
    }
    *out = p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclPipelineCreate(uint32_t modelId, const haclPipelineConfig *cfg,
                                                haclPipeline **pipeline)
{
    if (!pipeline)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "pipeline must not be NULL");
    return create(modelId, 0, cfg, pipeline);
}

ACL_FUNC_VISIBILITY aclError haclPipelineCreateFromFile(const char *modelPath, const haclPipelineConfig *cfg,
                                                        haclPipeline **pipeline)
{
    if (!modelPath || !pipeline)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelPath and pipeline must not be NULL");
    uint32_t id;
    aclError rc = aclmdlLoadFromFile(modelPath, &id);
    if (rc != ACL_SUCCESS)
        return rc;
    rc = create(id, 1, cfg, pipeline);
    if (rc != ACL_SUCCESS)
        aclmdlUnload(id);
    return rc;
}

static aclError set_side_model(const char *api, haclPipeline *pipeline, const char *path, int pre)
{
    if (!path)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "modelPath must not be NULL");
    struct haclPipeline *p = hacl_pl_get(api, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    int busy = p->prepared || (pre ? p->main_stage > 0 : p->nstages - 1 > p->main_stage);
    pthread_mutex_unlock(&p->lock);
    if (busy) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the %s model must be set once, before the pipeline is used",
                      pre ? "preprocessing" : "postprocessing");
    } else {
        uint32_t id;
        rc = aclmdlLoadFromFile(path, &id);
        if (rc == ACL_SUCCESS) {
            pthread_mutex_lock(&p->lock);
            rc = add_stage(p, pre ? 0 : p->nstages, id, 1);
            if (rc == ACL_SUCCESS && pre)
                p->main_stage++;
            pthread_mutex_unlock(&p->lock);
            if (rc != ACL_SUCCESS)
                aclmdlUnload(id);
        }
    }
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineSetPreprocessingModel(haclPipeline *pipeline, const char *modelPath)
{
    return set_side_model(__func__, pipeline, modelPath, 1);
}

ACL_FUNC_VISIBILITY aclError haclPipelineSetPostprocessingModel(haclPipeline *pipeline, const char *modelPath)
{
    return set_side_model(__func__, pipeline, modelPath, 0);
}

/* ---- ports ---- */

static const struct stage *first_stage(const haclPipeline *p)
{
    return &p->stages[0];
}

static const struct stage *last_stage(const haclPipeline *p)
{
    return &p->stages[p->nstages - 1];
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetNumInputs(const haclPipeline *pipeline)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    size_t n = p ? first_stage(p)->nin : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetNumOutputs(const haclPipeline *pipeline)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    size_t n = p ? last_stage(p)->nout : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetInputSize(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    size_t n = p && port < first_stage(p)->nin ? aclmdlGetInputSizeByIndex(first_stage(p)->desc, port) : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetOutputSize(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    size_t n = p && port < last_stage(p)->nout ? aclmdlGetOutputSizeByIndex(last_stage(p)->desc, port) : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY const char *haclPipelineInportAssignment(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    const char *s = p && port < first_stage(p)->nin ? aclmdlGetInputNameByIndex(first_stage(p)->desc, port) : NULL;
    if (p)
        hacl_obj_put(&p->hdr);
    return s;
}

ACL_FUNC_VISIBILITY const char *haclPipelineOutportAssignment(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    const char *s = p && port < last_stage(p)->nout ? aclmdlGetOutputNameByIndex(last_stage(p)->desc, port) : NULL;
    if (p)
        hacl_obj_put(&p->hdr);
    return s;
}

ACL_FUNC_VISIBILITY aclError haclPipelineWait(haclPipeline *pipeline, int32_t timeoutMs)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct timespec dl;
    if (timeoutMs >= 0)
        hacl_pl_deadline_after(&dl, timeoutMs);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    if (p->mode != MODE_CALLBACK) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "haclPipelineWait is for pipelines with connected callbacks");
    } else {
        /* Done: every input ended and nothing in flight (after an error,
         * the in-flight frames are being cancelled). */
        while (!(p->ended_streams == p->nstreams && p->inflight == 0)) {
            if (hacl_pl_wait_until(p, timeoutMs >= 0 ? &dl : NULL) == ETIMEDOUT) {
                rc = hacl_err_quiet(ACL_ERROR_RT_WAIT_TIMEOUT, __func__, "the pipeline is still running after %d ms", timeoutMs);
                break;
            }
        }
        if (rc == ACL_SUCCESS && p->error != ACL_SUCCESS)
            rc = HACL_ERR(p->error, "%s", p->error_msg);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}

/* Stops and drains. Lock not held. */
static void stop_all(struct haclPipeline *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (uint32_t s = 0; p->streams && s < p->nstreams; s++) {
        struct pstream *ps = &p->streams[s];
        if (ps->has_thread) {
            pthread_join(ps->input_thread, NULL);
            ps->has_thread = 0;
        }
        aclrtSynchronizeStream(ps->stream);
        (void)aclGetRecentErrMsg();
    }
    pthread_mutex_lock(&p->lock);
    while (p->inflight) /* completions still to run on the report thread */
        pthread_cond_wait(&p->cond, &p->lock);
    /* Frames finished but not received or taken are cancelled. */
    while (p->fifo_len) {
        struct slot *sl = p->fifo[p->fifo_head];
        p->fifo_head = (p->fifo_head + 1) % p->fifo_cap;
        p->fifo_len--;
        if (sl->held)
            continue; /* a request the application still holds */
        hacl_pl_cancel_frame(p, sl);
        hacl_pl_slot_free(sl);
    }
    pthread_mutex_unlock(&p->lock);
}

ACL_FUNC_VISIBILITY aclError haclPipelineStop(haclPipeline *pipeline, haclPipelineStats *stats)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    stop_all(p);
    if (stats) {
        pthread_mutex_lock(&p->lock);
        *stats = p->stats;
        pthread_mutex_unlock(&p->lock);
    }
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclPipelineGetStats(const haclPipeline *pipeline, haclPipelineStats *stats)
{
    if (!stats)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "stats must not be NULL");
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&p->lock);
    *stats = p->stats;
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

/* ---- destruction ---- */

ACL_FUNC_VISIBILITY aclError haclPipelineDestroy(haclPipeline *pipeline)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    if (!hacl_handle_unregister(&p->hdr)) { /* another thread destroys it */
        hacl_obj_put(&p->hdr);
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "the pipeline is being destroyed");
    }
    stop_all(p);
    /* Requests still held count as cancelled. */
    for (uint32_t s = 0; p->streams && s < p->nstreams; s++)
        for (uint32_t i = 0; i < p->depth; i++)
            if (p->streams[s].slots[i].held) {
                p->streams[s].slots[i].held = 0;
                p->stats.cancelled++;
            }
    hacl_pl_free_streams(p);
    if (p->has_report) {
        atomic_store(&p->report_stop, 1);
        pthread_join(p->report, NULL);
    }
    for (int k = 0; k < p->nstages; k++) {
        aclmdlDestroyDesc(p->stages[k].desc);
        if (p->stages[k].owned)
            aclmdlUnload(p->stages[k].model);
    }
    hacl_obj_put(&p->hdr); /* the registry's reference */
    hacl_obj_put(&p->hdr); /* ours */
    return ACL_SUCCESS;
}
