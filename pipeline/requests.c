/*
 * The request way: haclPipelineSubmit returns a request the application
 * polls, waits for, takes outputs from and releases.
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

/* ---- requests ---- */

ACL_FUNC_VISIBILITY aclError haclPipelineSubmit(haclPipeline *pipeline, const void *const *inputs,
                                                const size_t *sizes, size_t count, haclRequest **request)
{
    if (!request)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "request must not be NULL");
    struct haclPipeline *p = hacl_pl_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct slot *sl;
    aclError rc = hacl_pl_send_frame(__func__, p, MODE_REQUEST, inputs, sizes, count, 0, &sl);
    if (rc == ACL_SUCCESS)
        *request = hacl_pl_request_handle(sl->req, sl->gen);
    hacl_obj_put(&p->hdr);
    return rc;
}

/* The live request's slot, referenced through the request; *gen is the
 * submission the handle names (checked against the slot's, lock held, by
 * request_current). */
static struct slot *request_slot(const char *api, const haclRequest *request, struct haclRequest **obj,
                                 unsigned *gen)
{
    uintptr_t h = (uintptr_t)request;
    *gen = (unsigned)(h >> GEN_SHIFT);
    struct haclRequest *r =
        *gen ? (struct haclRequest *)hacl_handle_get((const void *)(h & ~GEN_MASK), HACL_KIND_PIPELINE_REQUEST) : NULL;
    if (!r) {
        hacl_err(request ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                 "%p is not a live request", (const void *)request);
        return NULL;
    }
    *obj = r;
    return r->slot;
}

/* Whether the handle still names the slot's request: held, and not
 * released and submitted again since. Lock held. */
static int request_current(const struct slot *sl, unsigned gen)
{
    return sl->held && sl->gen == gen;
}

ACL_FUNC_VISIBILITY int haclRequestReady(const haclRequest *request)
{
    struct haclRequest *r;
    unsigned gen;
    struct slot *sl = request_slot(__func__, request, &r, &gen);
    if (!sl)
        return -1;
    struct haclPipeline *p = sl->ps->p;
    pthread_mutex_lock(&p->lock);
    int ready = !request_current(sl, gen) ? -1 : sl->state == SLOT_DONE;
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&r->hdr);
    if (ready < 0)
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "the request was released");
    return ready;
}

ACL_FUNC_VISIBILITY aclError haclRequestWait(haclRequest *request, int32_t timeoutMs)
{
    struct haclRequest *r;
    unsigned gen;
    struct slot *sl = request_slot(__func__, request, &r, &gen);
    if (!sl)
        return request ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct haclPipeline *p = sl->ps->p;
    struct timespec dl;
    if (timeoutMs > 0)
        hacl_pl_deadline_after(&dl, timeoutMs);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    /* The handle is checked after every wait: another thread may release
     * the request meanwhile. */
    while (rc == ACL_SUCCESS) {
        if (!request_current(sl, gen))
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the request was released");
        else if (sl->state == SLOT_DONE)
            break;
        else if (timeoutMs == 0 || hacl_pl_wait_until(p, timeoutMs > 0 ? &dl : NULL) == ETIMEDOUT)
            rc = hacl_err_quiet(ACL_ERROR_RT_WAIT_TIMEOUT, __func__, "the request did not finish within %d ms", timeoutMs);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&r->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclRequestTakeOutputs(haclRequest *request, void *const *outputs, const size_t *sizes,
                                                    size_t count)
{
    struct haclRequest *r;
    unsigned gen;
    struct slot *sl = request_slot(__func__, request, &r, &gen);
    if (!sl)
        return request ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct haclPipeline *p = sl->ps->p;
    pthread_mutex_lock(&p->lock);
    aclError rc = !request_current(sl, gen) ? HACL_ERR(ACL_ERROR_INVALID_PARAM, "the request was released")
                  : sl->state != SLOT_DONE
                      ? hacl_err_quiet(ACL_ERROR_RT_WAIT_TIMEOUT, __func__, "the request is not ready (poll haclRequestReady)")
                      : hacl_pl_check_ports(__func__, p->out_sizes, p->nout, sizes, count, (const void *const *)outputs, 0);
    if (rc == ACL_SUCCESS)
        for (size_t i = 0; i < count; i++)
            memcpy(outputs[i], sl->out_ptr[i], p->out_sizes[i]);
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&r->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclRequestRelease(haclRequest *request)
{
    struct haclRequest *r;
    unsigned gen;
    struct slot *sl = request_slot(__func__, request, &r, &gen);
    if (!sl)
        return request ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct haclPipeline *p = sl->ps->p;
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    /* Still running: its buffers are in use (another Release of the same
     * handle may win meanwhile: checked again after every wait). */
    while (request_current(sl, gen) && sl->state != SLOT_DONE)
        pthread_cond_wait(&p->cond, &p->lock);
    if (!request_current(sl, gen)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the request was already released");
    } else {
        hacl_pl_fifo_remove(p, sl);
        p->stats.delivered++;
        hacl_pl_slot_free(sl);
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&r->hdr);
    return rc;
}
