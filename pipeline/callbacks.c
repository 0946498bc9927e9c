/*
 * The callback way: input threads that fill frames through the
 * application's input callback, outputs delivered to its output callback.
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

/* ---- the callback way ---- */

static void *input_main(void *arg)
{
    struct pstream *ps = arg;
    struct haclPipeline *p = ps->p;
    aclrtSetCurrentContext(p->ctx);
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->stopping && !ps->free)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stopping) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        struct slot *sl = ps->free;
        ps->free = sl->next_free;
        sl->state = SLOT_FILLING;
        haclPipelineInputFn fn = p->in_fn;
        void *user = p->in_user;
        pthread_mutex_unlock(&p->lock);
        int r = fn(user, ps->id, sl->in_ptr, p->in_sizes, p->nin);
        if (r == HACL_PIPELINE_FRAME) {
            sl->frame = ps->next_frame++;
            aclError rc = hacl_pl_submit_slot(p, sl);
            if (rc == ACL_SUCCESS)
                continue;
            const char *m = aclGetRecentErrMsg();
            pthread_mutex_lock(&p->lock);
            hacl_pl_set_error(p, rc, "running a frame failed: %s", m);
            hacl_pl_slot_free(sl);
            pthread_mutex_unlock(&p->lock);
            break;
        }
        pthread_mutex_lock(&p->lock);
        hacl_pl_slot_free(sl);
        if (r != HACL_PIPELINE_END) {
            char what[64];
            snprintf(what, sizeof what, "stream %u", ps->id);
            hacl_pl_set_error(p, r > 1 ? (aclError)r : ACL_ERROR_FAILURE, "the input callback stopped the pipeline (%s)",
                      what);
        }
        pthread_mutex_unlock(&p->lock);
        break;
    }
    pthread_mutex_lock(&p->lock);
    ps->ended = 1;
    p->ended_streams++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Starts the input threads once both callbacks are known. Lock held. */
static aclError start_callbacks(const char *api, struct haclPipeline *p, uint32_t nstreams)
{
    aclError rc = hacl_pl_prepare(api, p, MODE_CALLBACK, nstreams);
    if (rc != ACL_SUCCESS)
        return rc;
    for (uint32_t s = 0; s < p->nstreams; s++) {
        struct pstream *ps = &p->streams[s];
        if (pthread_create(&ps->input_thread, NULL, input_main, ps) != 0) {
            hacl_pl_set_error(p, ACL_ERROR_BAD_ALLOC, "cannot start an input thread%s", "");
            ps->ended = 1;
            p->ended_streams++;
            continue;
        }
        ps->has_thread = 1;
    }
    return ACL_SUCCESS;
}

static aclError connect_common(const char *api, haclPipeline *pipeline, uint32_t modelIndex,
                               struct haclPipeline **out)
{
    struct haclPipeline *p = hacl_pl_get(api, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    if (modelIndex != 0) {
        hacl_obj_put(&p->hdr);
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "modelIndex %u: a pipeline has one chain, index 0", modelIndex);
    }
    *out = p;
    return ACL_SUCCESS;
}

/* Connects one side of the single-stream way; starts once both are set. */
static aclError connect_side(const char *api, haclPipeline *pipeline, uint32_t modelIndex, haclPipelineInputFn in,
                             haclPipelineOutputFn out, void *user)
{
    struct haclPipeline *p = NULL;
    aclError rc = connect_common(api, pipeline, modelIndex, &p);
    if (rc != ACL_SUCCESS)
        return rc;
    pthread_mutex_lock(&p->lock);
    const char *side = in ? "input" : "output";
    if (!in && !out)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the callback must not be NULL");
    else if ((in ? p->in_fn != NULL : p->out_fn != NULL) || p->prepared)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the %s is already connected (or the pipeline is in use)", side);
    else {
        if (in)
            p->in_fn = in, p->in_user = user;
        else
            p->out_fn = out, p->out_user = user;
        if (p->in_fn && p->out_fn)
            rc = start_callbacks(api, p, 1);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineConnectInput(haclPipeline *pipeline, haclPipelineInputFn fn, void *user,
                                                      uint32_t modelIndex)
{
    if (!fn)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "the callback must not be NULL");
    return connect_side(__func__, pipeline, modelIndex, fn, NULL, user);
}

ACL_FUNC_VISIBILITY aclError haclPipelineConnectOutput(haclPipeline *pipeline, haclPipelineOutputFn fn, void *user,
                                                       uint32_t modelIndex)
{
    if (!fn)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "the callback must not be NULL");
    return connect_side(__func__, pipeline, modelIndex, NULL, fn, user);
}

ACL_FUNC_VISIBILITY aclError haclPipelineConnectStreams(haclPipeline *pipeline, haclPipelineInputFn input,
                                                        haclPipelineOutputFn output, void *user, uint32_t streamCount)
{
    struct haclPipeline *p = NULL;
    aclError rc = connect_common(__func__, pipeline, 0, &p);
    if (rc != ACL_SUCCESS)
        return rc;
    pthread_mutex_lock(&p->lock);
    if (!input || !output || streamCount < 1 || streamCount > MAX_STREAMS)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "both callbacks are needed and streamCount must be 1 to %d",
                      MAX_STREAMS);
    else if (p->in_fn || p->out_fn || p->prepared)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the pipeline is already connected or in use");
    else {
        p->in_fn = input;
        p->out_fn = output;
        p->in_user = p->out_user = user;
        rc = start_callbacks(__func__, p, streamCount);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineSetCancelCallback(haclPipeline *pipeline, haclPipelineCancelFn fn,
                                                           void *user)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&p->lock);
    aclError rc = ACL_SUCCESS;
    if (p->prepared)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "set the cancel callback before the pipeline is used");
    else
        p->cancel_fn = fn, p->cancel_user = user;
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}
