/*
 * The synchronous way: haclPipelineSend / Receive / Run, frames in
 * submission order.
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

/* ---- synchronous and request ways ---- */

aclError hacl_pl_check_ports(const char *api, const size_t *want, size_t nwant, const size_t *sizes, size_t count,
                            const void *const *bufs, int exact)
{
    if (!bufs || !sizes || count != nwant)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "%zu buffers and sizes are needed (got %zu)", nwant, count);
    for (size_t i = 0; i < count; i++)
        if (!bufs[i] || (exact ? sizes[i] != want[i] : sizes[i] < want[i]))
            return hacl_err(ACL_ERROR_INVALID_PARAM, api, "buffer %zu: %zu bytes at %p; the port takes %s%zu", i,
                            sizes[i], bufs[i], exact ? "" : "at least ", want[i]);
    return ACL_SUCCESS;
}

/* Takes sl out of the submission-order FIFO, wherever it is. Lock held. */
void hacl_pl_fifo_remove(struct haclPipeline *p, struct slot *sl)
{
    for (size_t k = 0; k < p->fifo_len; k++) {
        if (p->fifo[(p->fifo_head + k) % p->fifo_cap] != sl)
            continue;
        for (size_t j = k; j + 1 < p->fifo_len; j++)
            p->fifo[(p->fifo_head + j) % p->fifo_cap] = p->fifo[(p->fifo_head + j + 1) % p->fifo_cap];
        p->fifo_len--;
        return;
    }
}

/* Takes a free slot (round-robin over the streams), waiting until deadline
 * (NULL: forever; timeout 0: not at all). Lock held. */
static struct slot *take_slot(struct haclPipeline *p, const struct timespec *deadline, int try_only)
{
    for (;;) {
        if (p->stopping)
            return NULL;
        for (uint32_t k = 0; k < p->nstreams; k++) {
            struct pstream *ps = &p->streams[(p->rr + k) % p->nstreams];
            if (ps->free) {
                struct slot *sl = ps->free;
                ps->free = sl->next_free;
                sl->state = SLOT_FILLING;
                p->rr = (p->rr + k + 1) % p->nstreams;
                return sl;
            }
        }
        if (try_only || hacl_pl_wait_until(p, deadline) == ETIMEDOUT)
            return NULL;
    }
}

aclError hacl_pl_send_frame(const char *api, struct haclPipeline *p, int mode, const void *const *inputs,
                           const size_t *sizes, size_t count, int32_t timeoutMs, struct slot **out)
{
    pthread_mutex_lock(&p->lock);
    aclError rc = hacl_pl_prepare(api, p, mode, p->sync_streams);
    if (rc == ACL_SUCCESS)
        rc = hacl_pl_check_ports(api, p->in_sizes, p->nin, sizes, count, inputs, 1);
    if (rc == ACL_SUCCESS && p->stopping)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the pipeline was stopped");
    struct slot *sl = NULL;
    if (rc == ACL_SUCCESS) {
        struct timespec dl;
        if (timeoutMs > 0)
            hacl_pl_deadline_after(&dl, timeoutMs);
        sl = take_slot(p, timeoutMs > 0 ? &dl : NULL, timeoutMs == 0);
        if (!sl)
            rc = p->stopping ? hacl_err(ACL_ERROR_INVALID_PARAM, api, "the pipeline was stopped")
                 : mode == MODE_REQUEST
                     ? hacl_err_quiet(ACL_ERROR_RT_QUEUE_FULL, api, "all %u slots are in flight", p->depth * p->nstreams)
                     : hacl_err_quiet(ACL_ERROR_RT_WAIT_TIMEOUT, api, "no slot came free within %d ms", timeoutMs);
    }
    if (rc == ACL_SUCCESS) {
        sl->frame = sl->ps->next_frame++;
        sl->held = mode == MODE_REQUEST;
        if (sl->held)
            sl->gen = sl->gen % 255 + 1; /* 1..255: tags the handle */
        p->fifo[(p->fifo_head + p->fifo_len) % p->fifo_cap] = sl;
        p->fifo_len++;
    }
    pthread_mutex_unlock(&p->lock);
    if (rc != ACL_SUCCESS)
        return rc;
    for (size_t i = 0; i < count; i++)
        memcpy(sl->in_ptr[i], inputs[i], sizes[i]);
    rc = hacl_pl_submit_slot(p, sl);
    if (rc != ACL_SUCCESS) {
        /* Leaves the FIFO as a frame that never ran: drop it. */
        pthread_mutex_lock(&p->lock);
        hacl_pl_fifo_remove(p, sl);
        hacl_pl_slot_free(sl);
        pthread_mutex_unlock(&p->lock);
        return rc;
    }
    *out = sl;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclPipelineSend(haclPipeline *pipeline, const void *const *inputs, const size_t *sizes,
                                              size_t count, int32_t timeoutMs)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct slot *sl;
    aclError rc = hacl_pl_send_frame(__func__, p, MODE_SYNC, inputs, sizes, count, timeoutMs, &sl);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineReceive(haclPipeline *pipeline, void *const *outputs, const size_t *sizes,
                                                 size_t count, int32_t timeoutMs, uint64_t *frame)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct timespec dl;
    if (timeoutMs > 0)
        hacl_pl_deadline_after(&dl, timeoutMs);
    pthread_mutex_lock(&p->lock);
    aclError rc = p->prepared && p->mode == MODE_SYNC
                      ? hacl_pl_check_ports(__func__, p->out_sizes, p->nout, sizes, count, (const void *const *)outputs, 0)
                      : HACL_ERR(ACL_ERROR_INVALID_PARAM, "nothing was sent to this pipeline with haclPipelineSend");
    struct slot *sl = NULL;
    while (rc == ACL_SUCCESS) {
        sl = p->fifo_len ? p->fifo[p->fifo_head] : NULL;
        if (sl && sl->state == SLOT_DONE)
            break;
        if (timeoutMs == 0 || hacl_pl_wait_until(p, timeoutMs > 0 ? &dl : NULL) == ETIMEDOUT)
            rc = hacl_err_quiet(ACL_ERROR_RT_WAIT_TIMEOUT, __func__, "%s within %d ms",
                          p->fifo_len ? "the next frame did not finish" : "no frame was sent", timeoutMs);
    }
    if (rc == ACL_SUCCESS) {
        p->fifo_head = (p->fifo_head + 1) % p->fifo_cap;
        p->fifo_len--;
        for (size_t i = 0; i < count; i++)
            memcpy(outputs[i], sl->out_ptr[i], p->out_sizes[i]);
        if (frame)
            *frame = sl->frame;
        p->stats.delivered++;
        hacl_pl_slot_free(sl);
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineRun(haclPipeline *pipeline, const void *const *inputs,
                                             void *const *outputs, size_t n)
{
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    aclError rc = n && (!inputs || !outputs) ? HACL_ERR(ACL_ERROR_INVALID_PARAM, "inputs and outputs must not be NULL")
                                             : ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    if (rc == ACL_SUCCESS)
        rc = hacl_pl_prepare(__func__, p, MODE_SYNC, p->sync_streams);
    size_t nin = p->nin, nout = p->nout;
    size_t in_sizes[MAX_PORTS], out_sizes[MAX_PORTS];
    memcpy(in_sizes, p->in_sizes, sizeof in_sizes);
    memcpy(out_sizes, p->out_sizes, sizeof out_sizes);
    pthread_mutex_unlock(&p->lock);
    size_t sent = 0, got = 0;
    while (rc == ACL_SUCCESS && got < n) {
        if (sent < n) {
            struct slot *sl;
            aclError s = hacl_pl_send_frame(__func__, p, MODE_SYNC, inputs + sent * nin, in_sizes, nin, 0, &sl);
            if (s == ACL_SUCCESS) {
                sent++;
                continue;
            }
            if (s != ACL_ERROR_RT_WAIT_TIMEOUT) {
                rc = s;
                break;
            }
            (void)aclGetRecentErrMsg();
        }
        rc = haclPipelineReceive(pipeline, outputs + got * nout, out_sizes, nout, -1, NULL);
        got += rc == ACL_SUCCESS;
    }
    /* On an error, frames already sent are received and dropped. */
    while (got < sent) {
        void *scratch[MAX_PORTS];
        int ok = 1;
        for (size_t i = 0; i < nout; i++)
            ok = ok && (scratch[i] = hacl_malloc(out_sizes[i] ? out_sizes[i] : 1)) != NULL;
        if (ok)
            haclPipelineReceive(pipeline, scratch, out_sizes, nout, -1, NULL);
        for (size_t i = 0; i < nout; i++)
            hacl_free(scratch[i]);
        got++;
    }
    hacl_obj_put(&p->hdr);
    return rc;
}
