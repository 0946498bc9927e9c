/*
 * Pipeline streams and slots: preparing them (datasets allocated once per
 * slot, the report thread) and running one frame through the chain.
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

/* ---- preparation: streams, slots, report thread ---- */

static void *report_main(void *arg)
{
    struct haclPipeline *p = arg;
    aclrtSetCurrentContext(p->ctx);
    while (!atomic_load(&p->report_stop))
        if (aclrtProcessReport(50) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    return NULL;
}


static void free_dataset(aclmdlDataset *ds)
{
    if (!ds)
        return;
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++) {
        aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
        aclrtFree(aclGetDataBufferAddr(b));
        aclDestroyDataBuffer(b);
    }
    aclmdlDestroyDataset(ds);
}

/* A dataset of `n` buffers of the given sizes. */
static aclError make_dataset(size_t n, const size_t *sizes, void **ptrs, aclmdlDataset **out)
{
    aclmdlDataset *ds = aclmdlCreateDataset();
    if (!ds)
        return ACL_ERROR_BAD_ALLOC;
    aclError rc = ACL_SUCCESS;
    for (size_t i = 0; i < n && rc == ACL_SUCCESS; i++) {
        void *buf = NULL;
        rc = aclrtMalloc(&buf, sizes[i] ? sizes[i] : 1, ACL_MEM_MALLOC_HUGE_FIRST);
        if (rc != ACL_SUCCESS)
            break;
        aclDataBuffer *db = aclCreateDataBuffer(buf, sizes[i]);
        if (!db || aclmdlAddDatasetBuffer(ds, db) != ACL_SUCCESS) {
            if (db)
                aclDestroyDataBuffer(db);
            aclrtFree(buf);
            rc = ACL_ERROR_BAD_ALLOC;
            break;
        }
        if (ptrs)
            ptrs[i] = buf;
    }
    if (rc != ACL_SUCCESS) {
        free_dataset(ds);
        return rc;
    }
    *out = ds;
    return ACL_SUCCESS;
}

/* Sizes of dataset k of the chain (k = 0: the first stage's inputs; k >= 1:
 * the outputs of stage k-1); -1 when adjacent stages do not fit. */
static int chain_sizes(const struct haclPipeline *p, int k, size_t *sizes, size_t *n)
{
    if (k == 0) {
        *n = p->stages[0].nin;
        for (size_t i = 0; i < *n; i++)
            sizes[i] = aclmdlGetInputSizeByIndex(p->stages[0].desc, i);
        return 0;
    }
    const struct stage *prev = &p->stages[k - 1];
    *n = prev->nout;
    for (size_t i = 0; i < *n; i++)
        sizes[i] = aclmdlGetOutputSizeByIndex(prev->desc, i);
    if (k < p->nstages) {
        const struct stage *next = &p->stages[k];
        if (next->nin != prev->nout)
            return -1;
        for (size_t i = 0; i < *n; i++)
            if (aclmdlGetInputSizeByIndex(next->desc, i) != sizes[i])
                return -1;
    }
    return 0;
}

void hacl_pl_free_streams(struct haclPipeline *p)
{
    for (uint32_t s = 0; p->streams && s < p->nstreams; s++) {
        struct pstream *ps = &p->streams[s];
        if (ps->stream) {
            if (p->has_report)
                aclrtUnSubscribeReport((uint64_t)p->report, ps->stream);
            aclrtDestroyStream(ps->stream);
        }
        for (uint32_t i = 0; ps->slots && i < p->depth; i++) {
            struct slot *sl = &ps->slots[i];
            for (int k = 0; k <= p->nstages; k++)
                free_dataset(sl->ds[k]);
            if (sl->req) {
                if (hacl_handle_unregister(&sl->req->hdr))
                    hacl_obj_put(&sl->req->hdr);
            }
        }
        hacl_free(ps->slots);
    }
    hacl_free(p->streams);
    p->streams = NULL;
    hacl_free(p->fifo);
    p->fifo = NULL;
}

static void request_release_obj(struct hacl_obj *o)
{
    hacl_free(o);
}

/* Builds everything for nstreams streams in the given way. Lock held. */
aclError hacl_pl_prepare(const char *api, struct haclPipeline *p, int mode, uint32_t nstreams)
{
    if (p->prepared)
        return p->mode == mode ? ACL_SUCCESS
                               : hacl_err(ACL_ERROR_INVALID_PARAM, api,
                                          "this pipeline is already used another way (callbacks, send/receive or "
                                          "requests: one per pipeline)");
    size_t sizes[MAX_STAGES + 1][MAX_PORTS], counts[MAX_STAGES + 1];
    for (int k = 0; k <= p->nstages; k++)
        if (chain_sizes(p, k, sizes[k], &counts[k]) != 0)
            return hacl_err(ACL_ERROR_INVALID_PARAM, api,
                            "model %d's outputs do not match model %d's inputs (count and sizes must agree)", k - 1,
                            k);
    p->nin = counts[0];
    p->nout = counts[p->nstages];
    memcpy(p->in_sizes, sizes[0], sizeof(size_t) * p->nin);
    memcpy(p->out_sizes, sizes[p->nstages], sizeof(size_t) * p->nout);
    if (pthread_create(&p->report, NULL, report_main, p) != 0)
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "cannot start the pipeline's report thread");
    p->has_report = 1;
    p->streams = hacl_calloc(nstreams, sizeof *p->streams);
    p->fifo_cap = (size_t)nstreams * p->depth;
    p->fifo = hacl_calloc(p->fifo_cap, sizeof *p->fifo);
    p->nstreams = nstreams;
    aclError rc = p->streams && p->fifo ? ACL_SUCCESS : ACL_ERROR_BAD_ALLOC;
    for (uint32_t s = 0; s < nstreams && rc == ACL_SUCCESS; s++) {
        struct pstream *ps = &p->streams[s];
        ps->p = p;
        ps->id = s;
        ps->slots = hacl_calloc(p->depth, sizeof *ps->slots);
        if (!ps->slots) {
            rc = ACL_ERROR_BAD_ALLOC;
            break;
        }
        if ((rc = aclrtCreateStream(&ps->stream)) != ACL_SUCCESS ||
            (rc = aclrtSubscribeReport((uint64_t)p->report, ps->stream)) != ACL_SUCCESS)
            break;
        for (uint32_t i = 0; i < p->depth && rc == ACL_SUCCESS; i++) {
            struct slot *sl = &ps->slots[i];
            sl->ps = ps;
            for (int k = 0; k <= p->nstages && rc == ACL_SUCCESS; k++)
                rc = make_dataset(counts[k], sizes[k], k == 0 ? sl->in_ptr : k == p->nstages ? sl->out_ptr : NULL,
                                  &sl->ds[k]);
            if (rc == ACL_SUCCESS && mode == MODE_REQUEST) {
                sl->req = hacl_calloc(1, sizeof *sl->req);
                if (!sl->req) {
                    rc = ACL_ERROR_BAD_ALLOC;
                    break;
                }
                sl->req->slot = sl;
                hacl_obj_init(&sl->req->hdr, HACL_KIND_PIPELINE_REQUEST, request_release_obj);
                if (hacl_handle_register(&sl->req->hdr) != ACL_SUCCESS) {
                    hacl_free(sl->req);
                    sl->req = NULL;
                    rc = ACL_ERROR_BAD_ALLOC;
                }
            }
            sl->next_free = ps->free;
            ps->free = sl;
        }
    }
    if (rc != ACL_SUCCESS) {
        hacl_pl_free_streams(p);
        atomic_store(&p->report_stop, 1);
        pthread_join(p->report, NULL);
        p->has_report = 0;
        atomic_store(&p->report_stop, 0);
        return hacl_err(rc, api, "cannot allocate the pipeline's %u streams of %u slots", nstreams, p->depth);
    }
    p->mode = mode;
    p->prepared = 1;
    return ACL_SUCCESS;
}

/* ---- running frames ---- */

void hacl_pl_slot_free(struct slot *sl)
{
    struct pstream *ps = sl->ps;
    sl->state = SLOT_FREE;
    sl->held = 0;
    sl->next_free = ps->free;
    ps->free = sl;
}

void hacl_pl_cancel_frame(struct haclPipeline *p, struct slot *sl)
{
    p->stats.cancelled++;
    if (p->cancel_fn) {
        haclPipelineCancelFn fn = p->cancel_fn;
        void *user = p->cancel_user;
        uint32_t id = sl->ps->id;
        uint64_t frame = sl->frame;
        pthread_mutex_unlock(&p->lock);
        fn(user, id, frame);
        pthread_mutex_lock(&p->lock);
    }
}

/* BLOCK callback on the report thread: the chain of one frame is done. The
 * stream waits while it runs: measured on 2 cores, letting the next
 * execution start instead (NO_BLOCK) costs throughput, because the callback
 * and the input thread then compete with the execution's compute threads
 * (bench_pipeline: 0.70x of hand-written code with NO_BLOCK, 0.97x with
 * BLOCK on a small model). */
static void frame_done(void *arg)
{
    struct slot *sl = arg;
    struct haclPipeline *p = sl->ps->p;
    pthread_mutex_lock(&p->lock);
    if (p->mode != MODE_CALLBACK) {
        p->inflight--;
        sl->state = SLOT_DONE;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        return;
    }
    if (p->stopping) {
        hacl_pl_cancel_frame(p, sl);
    } else {
        haclPipelineOutputFn fn = p->out_fn;
        void *user = p->out_user;
        size_t n = p->nout;
        pthread_mutex_unlock(&p->lock);
        int r = fn(user, sl->ps->id, sl->frame, (const void *const *)sl->out_ptr, p->out_sizes, n);
        pthread_mutex_lock(&p->lock);
        p->stats.delivered++;
        if (r != 0) {
            char what[96];
            snprintf(what, sizeof what, "stream %u, frame %llu", sl->ps->id, (unsigned long long)sl->frame);
            hacl_pl_set_error(p, r > 1 ? (aclError)r : ACL_ERROR_FAILURE, "the output callback stopped the pipeline (%s)",
                      what);
        }
    }
    /* Only now is the frame finished: haclPipelineWait and Stop return
     * after every delivery and cancellation callback has returned. */
    p->inflight--;
    hacl_pl_slot_free(sl);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* Queues a filled slot's chain and its completion. Lock not held. */
aclError hacl_pl_submit_slot(struct haclPipeline *p, struct slot *sl)
{
    aclrtStream st = sl->ps->stream;
    aclError rc = ACL_SUCCESS;
    for (int k = 0; k < p->nstages && rc == ACL_SUCCESS; k++)
        rc = aclmdlExecuteAsync(p->stages[k].model, sl->ds[k], sl->ds[k + 1], st);
    if (rc == ACL_SUCCESS) {
        pthread_mutex_lock(&p->lock);
        sl->state = SLOT_INFLIGHT;
        p->inflight++;
        p->stats.submitted++;
        pthread_mutex_unlock(&p->lock);
        rc = aclrtLaunchCallback(frame_done, sl, ACL_CALLBACK_BLOCK, st);
        if (rc != ACL_SUCCESS) {
            /* the stages were queued: wait for them, then the frame is done */
            aclrtSynchronizeStream(st);
            frame_done(sl);
        }
    }
    return rc;
}
