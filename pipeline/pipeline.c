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
#include "acl/hacl_pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "device/alloc.h"
#include "runtime/handle.h"
#include "runtime/runtime.h"

#define MAX_STAGES 3
#define MAX_STREAMS 64
#define MAX_PORTS 64

enum { MODE_NONE, MODE_CALLBACK, MODE_SYNC, MODE_REQUEST };
enum { SLOT_FREE, SLOT_FILLING, SLOT_INFLIGHT, SLOT_DONE };

struct stage {
    uint32_t model;
    int owned; /* loaded by the pipeline */
    aclmdlDesc *desc;
    size_t nin, nout;
};

struct slot;

struct haclRequest {
    struct hacl_obj hdr;
    struct slot *slot;
};

/* A request handle is its slot's request object with the submission's
 * number (1..255) in the top byte, which user-space addresses never use:
 * a handle kept after Release is refused even once its slot serves a new
 * request (until that slot has been reused 255 times). */
#define GEN_SHIFT 56
#define GEN_MASK ((uintptr_t)0xff << GEN_SHIFT)

static haclRequest *request_handle(struct haclRequest *r, unsigned gen)
{
    return (haclRequest *)((uintptr_t)r | (uintptr_t)gen << GEN_SHIFT);
}

struct slot {
    struct pstream *ps;
    int state;
    int held;       /* request way: handed to the application */
    unsigned gen;   /* request way: this slot's submissions so far (mod 255) */
    uint64_t frame; /* per stream */
    aclmdlDataset *ds[MAX_STAGES + 1];
    void *in_ptr[MAX_PORTS];  /* the first stage's input buffers */
    void *out_ptr[MAX_PORTS]; /* the last stage's output buffers */
    struct haclRequest *req;
    struct slot *next_free;
};

struct pstream {
    struct haclPipeline *p;
    uint32_t id;
    aclrtStream stream;
    struct slot *slots;
    struct slot *free;
    uint64_t next_frame;
    pthread_t input_thread;
    int has_thread, ended;
};

struct haclPipeline {
    struct hacl_obj hdr;
    aclrtContext ctx;
    struct stage stages[MAX_STAGES];
    int nstages, main_stage;
    uint32_t depth, sync_streams;
    int mode, prepared;
    struct pstream *streams;
    uint32_t nstreams;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t report;
    int has_report;
    atomic_int report_stop;
    int stopping;
    aclError error;
    char error_msg[256];
    uint64_t inflight; /* submitted, not yet completed on the device */
    uint32_t ended_streams;
    haclPipelineStats stats;
    /* callback way */
    haclPipelineInputFn in_fn;
    haclPipelineOutputFn out_fn;
    haclPipelineCancelFn cancel_fn;
    void *in_user, *out_user, *cancel_user;
    /* synchronous and request ways: frames in submission order */
    struct slot **fifo;
    size_t fifo_head, fifo_len, fifo_cap;
    uint32_t rr;
    size_t in_sizes[MAX_PORTS], out_sizes[MAX_PORTS];
    size_t nin, nout;
};

/* ---- helpers ---- */

static struct haclPipeline *pipeline_get(const char *api, const void *h)
{
    struct haclPipeline *p = (struct haclPipeline *)hacl_handle_get(h, HACL_KIND_PIPELINE);
    if (!p)
        hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api, "%p is not a live pipeline", h);
    return p;
}

static void deadline_after(struct timespec *ts, int32_t ms)
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
static int wait_until(struct haclPipeline *p, const struct timespec *deadline)
{
    if (!deadline) {
        pthread_cond_wait(&p->cond, &p->lock);
        return 0;
    }
    return pthread_cond_timedwait(&p->cond, &p->lock, deadline);
}

/* Records the first error; later ones are dropped. Lock held. */
static void set_error(struct haclPipeline *p, aclError code, const char *fmt, const char *detail)
{
    if (p->error == ACL_SUCCESS) {
        p->error = code;
        snprintf(p->error_msg, sizeof p->error_msg, fmt, detail ? detail : "");
    }
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
}

static void *report_main(void *arg)
{
    struct haclPipeline *p = arg;
    aclrtSetCurrentContext(p->ctx);
    while (!atomic_load(&p->report_stop))
        if (aclrtProcessReport(50) != ACL_SUCCESS)
            (void)aclGetRecentErrMsg();
    return NULL;
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
    struct haclPipeline *p = pipeline_get(api, pipeline);
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
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    size_t n = p ? first_stage(p)->nin : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetNumOutputs(const haclPipeline *pipeline)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    size_t n = p ? last_stage(p)->nout : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetInputSize(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    size_t n = p && port < first_stage(p)->nin ? aclmdlGetInputSizeByIndex(first_stage(p)->desc, port) : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t haclPipelineGetOutputSize(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    size_t n = p && port < last_stage(p)->nout ? aclmdlGetOutputSizeByIndex(last_stage(p)->desc, port) : 0;
    if (p)
        hacl_obj_put(&p->hdr);
    return n;
}

ACL_FUNC_VISIBILITY const char *haclPipelineInportAssignment(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    const char *s = p && port < first_stage(p)->nin ? aclmdlGetInputNameByIndex(first_stage(p)->desc, port) : NULL;
    if (p)
        hacl_obj_put(&p->hdr);
    return s;
}

ACL_FUNC_VISIBILITY const char *haclPipelineOutportAssignment(const haclPipeline *pipeline, size_t port)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    const char *s = p && port < last_stage(p)->nout ? aclmdlGetOutputNameByIndex(last_stage(p)->desc, port) : NULL;
    if (p)
        hacl_obj_put(&p->hdr);
    return s;
}

/* ---- preparation: streams, slots, report thread ---- */

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

static void free_streams(struct haclPipeline *p)
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
static aclError prepare(const char *api, struct haclPipeline *p, int mode, uint32_t nstreams)
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
        free_streams(p);
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

static void slot_free(struct slot *sl)
{
    struct pstream *ps = sl->ps;
    sl->state = SLOT_FREE;
    sl->held = 0;
    sl->next_free = ps->free;
    ps->free = sl;
}

static void cancel_frame(struct haclPipeline *p, struct slot *sl)
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
        cancel_frame(p, sl);
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
            set_error(p, r > 1 ? (aclError)r : ACL_ERROR_FAILURE, "the output callback stopped the pipeline (%s)",
                      what);
        }
    }
    /* Only now is the frame finished: haclPipelineWait and Stop return
     * after every delivery and cancellation callback has returned. */
    p->inflight--;
    slot_free(sl);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* Queues a filled slot's chain and its completion. Lock not held. */
static aclError submit_slot(struct haclPipeline *p, struct slot *sl)
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
            aclError rc = submit_slot(p, sl);
            if (rc == ACL_SUCCESS)
                continue;
            const char *m = aclGetRecentErrMsg();
            pthread_mutex_lock(&p->lock);
            set_error(p, rc, "running a frame failed: %s", m);
            slot_free(sl);
            pthread_mutex_unlock(&p->lock);
            break;
        }
        pthread_mutex_lock(&p->lock);
        slot_free(sl);
        if (r != HACL_PIPELINE_END) {
            char what[64];
            snprintf(what, sizeof what, "stream %u", ps->id);
            set_error(p, r > 1 ? (aclError)r : ACL_ERROR_FAILURE, "the input callback stopped the pipeline (%s)",
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
    aclError rc = prepare(api, p, MODE_CALLBACK, nstreams);
    if (rc != ACL_SUCCESS)
        return rc;
    for (uint32_t s = 0; s < p->nstreams; s++) {
        struct pstream *ps = &p->streams[s];
        if (pthread_create(&ps->input_thread, NULL, input_main, ps) != 0) {
            set_error(p, ACL_ERROR_BAD_ALLOC, "cannot start an input thread%s", "");
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
    struct haclPipeline *p = pipeline_get(api, pipeline);
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
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
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

ACL_FUNC_VISIBILITY aclError haclPipelineWait(haclPipeline *pipeline, int32_t timeoutMs)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct timespec dl;
    if (timeoutMs >= 0)
        deadline_after(&dl, timeoutMs);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    if (p->mode != MODE_CALLBACK) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "haclPipelineWait is for pipelines with connected callbacks");
    } else {
        /* Done: every input ended and nothing in flight (after an error,
         * the in-flight frames are being cancelled). */
        while (!(p->ended_streams == p->nstreams && p->inflight == 0)) {
            if (wait_until(p, timeoutMs >= 0 ? &dl : NULL) == ETIMEDOUT) {
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
        cancel_frame(p, sl);
        slot_free(sl);
    }
    pthread_mutex_unlock(&p->lock);
}

ACL_FUNC_VISIBILITY aclError haclPipelineStop(haclPipeline *pipeline, haclPipelineStats *stats)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
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
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    pthread_mutex_lock(&p->lock);
    *stats = p->stats;
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

/* ---- synchronous and request ways ---- */

static aclError check_ports(const char *api, const size_t *want, size_t nwant, const size_t *sizes, size_t count,
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
static void fifo_remove(struct haclPipeline *p, struct slot *sl)
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
        if (try_only || wait_until(p, deadline) == ETIMEDOUT)
            return NULL;
    }
}

static aclError send_frame(const char *api, struct haclPipeline *p, int mode, const void *const *inputs,
                           const size_t *sizes, size_t count, int32_t timeoutMs, struct slot **out)
{
    pthread_mutex_lock(&p->lock);
    aclError rc = prepare(api, p, mode, p->sync_streams);
    if (rc == ACL_SUCCESS)
        rc = check_ports(api, p->in_sizes, p->nin, sizes, count, inputs, 1);
    if (rc == ACL_SUCCESS && p->stopping)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the pipeline was stopped");
    struct slot *sl = NULL;
    if (rc == ACL_SUCCESS) {
        struct timespec dl;
        if (timeoutMs > 0)
            deadline_after(&dl, timeoutMs);
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
    rc = submit_slot(p, sl);
    if (rc != ACL_SUCCESS) {
        /* Leaves the FIFO as a frame that never ran: drop it. */
        pthread_mutex_lock(&p->lock);
        fifo_remove(p, sl);
        slot_free(sl);
        pthread_mutex_unlock(&p->lock);
        return rc;
    }
    *out = sl;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclPipelineSend(haclPipeline *pipeline, const void *const *inputs, const size_t *sizes,
                                              size_t count, int32_t timeoutMs)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct slot *sl;
    aclError rc = send_frame(__func__, p, MODE_SYNC, inputs, sizes, count, timeoutMs, &sl);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineReceive(haclPipeline *pipeline, void *const *outputs, const size_t *sizes,
                                                 size_t count, int32_t timeoutMs, uint64_t *frame)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct timespec dl;
    if (timeoutMs > 0)
        deadline_after(&dl, timeoutMs);
    pthread_mutex_lock(&p->lock);
    aclError rc = p->prepared && p->mode == MODE_SYNC
                      ? check_ports(__func__, p->out_sizes, p->nout, sizes, count, (const void *const *)outputs, 0)
                      : HACL_ERR(ACL_ERROR_INVALID_PARAM, "nothing was sent to this pipeline with haclPipelineSend");
    struct slot *sl = NULL;
    while (rc == ACL_SUCCESS) {
        sl = p->fifo_len ? p->fifo[p->fifo_head] : NULL;
        if (sl && sl->state == SLOT_DONE)
            break;
        if (timeoutMs == 0 || wait_until(p, timeoutMs > 0 ? &dl : NULL) == ETIMEDOUT)
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
        slot_free(sl);
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclPipelineRun(haclPipeline *pipeline, const void *const *inputs,
                                             void *const *outputs, size_t n)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    aclError rc = n && (!inputs || !outputs) ? HACL_ERR(ACL_ERROR_INVALID_PARAM, "inputs and outputs must not be NULL")
                                             : ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    if (rc == ACL_SUCCESS)
        rc = prepare(__func__, p, MODE_SYNC, p->sync_streams);
    size_t nin = p->nin, nout = p->nout;
    size_t in_sizes[MAX_PORTS], out_sizes[MAX_PORTS];
    memcpy(in_sizes, p->in_sizes, sizeof in_sizes);
    memcpy(out_sizes, p->out_sizes, sizeof out_sizes);
    pthread_mutex_unlock(&p->lock);
    size_t sent = 0, got = 0;
    while (rc == ACL_SUCCESS && got < n) {
        if (sent < n) {
            struct slot *sl;
            aclError s = send_frame(__func__, p, MODE_SYNC, inputs + sent * nin, in_sizes, nin, 0, &sl);
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

/* ---- requests ---- */

ACL_FUNC_VISIBILITY aclError haclPipelineSubmit(haclPipeline *pipeline, const void *const *inputs,
                                                const size_t *sizes, size_t count, haclRequest **request)
{
    if (!request)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "request must not be NULL");
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
    if (!p)
        return pipeline ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    struct slot *sl;
    aclError rc = send_frame(__func__, p, MODE_REQUEST, inputs, sizes, count, 0, &sl);
    if (rc == ACL_SUCCESS)
        *request = request_handle(sl->req, sl->gen);
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
        deadline_after(&dl, timeoutMs);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    /* The handle is checked after every wait: another thread may release
     * the request meanwhile. */
    while (rc == ACL_SUCCESS) {
        if (!request_current(sl, gen))
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the request was released");
        else if (sl->state == SLOT_DONE)
            break;
        else if (timeoutMs == 0 || wait_until(p, timeoutMs > 0 ? &dl : NULL) == ETIMEDOUT)
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
                      : check_ports(__func__, p->out_sizes, p->nout, sizes, count, (const void *const *)outputs, 0);
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
        fifo_remove(p, sl);
        p->stats.delivered++;
        slot_free(sl);
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&r->hdr);
    return rc;
}

/* ---- destruction ---- */

ACL_FUNC_VISIBILITY aclError haclPipelineDestroy(haclPipeline *pipeline)
{
    struct haclPipeline *p = pipeline_get(__func__, pipeline);
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
    free_streams(p);
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
