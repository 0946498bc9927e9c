/*
 * Model executions: aclmdlExecute on the calling thread (through the
 * compute thread) and aclmdlExecuteAsync as a stream task that defers to
 * the compute thread, which completes it.
 *
 * Thread: any; datasets are checked when an execution is queued and their
 * buffers again when it runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "device/trace.h"
#include "plan.h"
#include "kernels.h"
#include "model_impl.h"
#include "runtime/memory.h"
#include "runtime/runtime.h"

/* ---- execution ---- */

/* The compiled model an execution with this input dataset runs: the gear
 * aclmdlSetDynamic* recorded on the dataset for m, or the largest gear;
 * the model compiled for the values the inputs that decide shapes bring;
 * m itself otherwise. Referenced; NULL with *rc. */
static struct hacl_model *pick_gear(const char *api, struct hacl_model *m, const aclmdlDataset *input,
                                     aclError *rc)
{
    *rc = ACL_SUCCESS;
    if (m->value_mask) /* shapes decided by input values */
        return hacl_value_variant(api, m, input, rc);
    if (!m->ngears) {
        atomic_fetch_add(&m->refs, 1);
        return m;
    }
    size_t g = m->conv.max_gear;
    aclmdlDataset *ds = input ? hacl_dataset_get(input) : NULL;
    if (ds) {
        if (atomic_load(&ds->gear_model) == m->id && atomic_load(&ds->gear) < m->ngears)
            g = atomic_load(&ds->gear);
        hacl_obj_put(&ds->hdr);
    }
    struct hacl_model *run = m->gears[g];
    atomic_fetch_add(&run->refs, 1);
    return run;
}

/* Bytes of the dynamic-AIPP parameter copies an execution of m keeps. */
static size_t snapshot_bytes(const struct hacl_model *m)
{
    size_t n = 0;
    for (size_t i = 0; m->in_info && i < m->graph->ninputs; i++)
        if (m->in_info[i].kind == HACL_IN_AIPP_DATA)
            n += hacl_tensor_bytes(&m->graph->tensors[m->graph->inputs[i]]);
    return n;
}

/* Checks the datasets against run (m's gear: m for the descriptions) and
 * collects the buffer addresses (inputs first, then outputs) into ptrs.
 * Inputs of a model with gears may be larger than the gear needs; a
 * dynamic-AIPP image only needs the bytes its parameters describe. The
 * dynamic-AIPP parameters are copied into snap (snapshot_bytes) when the
 * execution is launched: later changes to their buffer do not reach it. */
static aclError check_datasets(const char *api, const struct hacl_model *m, const struct hacl_model *run,
                               const aclmdlDataset *input, const aclmdlDataset *output, void **ptrs, uint8_t *snap,
                               size_t *needs)
{
    const struct hacl_graph *g = run->graph;
    if (!input || !output)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "input and output datasets must not be NULL");
    /* passes: the inputs' AIPP parameters, the other inputs, the outputs */
    for (int pass = 0; pass < 3; pass++) {
        int side = pass == 2;
        const aclmdlDataset *h = side ? output : input;
        aclmdlDataset *ds = hacl_dataset_get(h);
        if (!ds)
            return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "the %s dataset %p is not a live dataset",
                            side ? "output" : "input", (const void *)h);
        size_t want = side ? g->noutputs : g->ninputs;
        aclError rc = ACL_SUCCESS;
        if (ds->count != want)
            rc = hacl_err(side ? ACL_ERROR_MODEL_OUTPUT_NOT_MATCH : ACL_ERROR_MODEL_INPUT_NOT_MATCH, api,
                          "the %s dataset has %zu buffers; the model has %zu %s", side ? "output" : "input", ds->count,
                          want, side ? "outputs" : "inputs");
        for (size_t i = 0; rc == ACL_SUCCESS && i < want; i++) {
            const struct hacl_tensor *t = &g->tensors[side ? g->outputs[i] : g->inputs[i]];
            int kind = !side && m->in_info ? m->in_info[i].kind : HACL_IN_PLAIN;
            if (!side && (pass == 0) != (kind == HACL_IN_AIPP_DATA))
                continue;
            size_t need = hacl_tensor_bytes(t), es = hacl_onnx_type_size(t->onnx_type);
            int at_least = side || m->ngears || kind == HACL_IN_AIPP_DYNAMIC;
            if (kind == HACL_IN_AIPP_DYNAMIC) { /* the images the parameters describe */
                const uint8_t *pb = ptrs[m->in_info[i].attached];
                const struct hacl_tensor *pt = &g->tensors[g->inputs[m->in_info[i].attached]];
                int32_t w, hh;
                memcpy(&w, pb + 8, 4);
                memcpy(&hh, pb + 12, 4);
                size_t img = hacl_aipp_image_bytes(pb[0], w, hh);
                need = img * ((hacl_tensor_bytes(pt) - HACL_AIPP_HEAD) / HACL_AIPP_PER_IMAGE);
                if (!img || need > hacl_tensor_bytes(t)) {
                    rc = hacl_err(ACL_ERROR_INVALID_PARAM, api,
                                  "input %zu '%s': its dynamic AIPP parameters are not set or describe images larger "
                                  "than max_src_image_size (%zu bytes); call aclmdlSetInputAIPP",
                                  i, t->name, hacl_tensor_bytes(t));
                    break;
                }
            }
            aclDataBuffer *b = hacl_databuf_get(ds->buffers[i]);
            if (!b) {
                rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%s buffer %zu is not a live data buffer",
                              side ? "output" : "input", i);
                break;
            }
            void *data = b->data;
            size_t size = b->size;
            hacl_obj_put(&b->hdr);
            if (!data || (at_least ? size < need : size != need)) {
                rc = hacl_err(side ? ACL_ERROR_MODEL_OUTPUT_NOT_MATCH : ACL_ERROR_MODEL_INPUT_NOT_MATCH, api,
                              "%s %zu '%s' needs %s%zu bytes; its buffer has %zu at %p", side ? "output" : "input", i,
                              t->name, at_least ? "at least " : "", need, size, data);
                break;
            }
            if (es > 1 && ((uintptr_t)data % es) != 0) {
                rc = hacl_err(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, api, "%s %zu '%s': %p is not aligned to %zu bytes",
                              side ? "output" : "input", i, t->name, data, es);
                break;
            }
            struct hacl_ptrinfo pi;
            hacl_mem_classify(data, &pi);
            if (!hacl_mem_range_ok(data, need, &pi)) {
                rc = hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%s %zu '%s': %zu bytes at %p run past their allocation",
                              side ? "output" : "input", i, t->name, need, data);
                break;
            }
            if (kind == HACL_IN_AIPP_DATA) {
                memcpy(snap, data, need);
                data = snap;
                snap += need;
            }
            ptrs[(side ? g->ninputs : 0) + i] = data;
            if (needs)
                needs[(side ? g->ninputs : 0) + i] = need;
        }
        hacl_obj_put(&ds->hdr);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}

/* What an execution takes from its stream when it is launched: work
 * memory from the stream's user allocator and the float overflow flags. */
struct exec_opts {
    void *work; /* NULL: the model's own or the runtime's work memory */
    int work_is_runtime; /* work was runtime memory when taken */
    unsigned float_flags;
    struct hacl_rtdev *dev;
};

/* Work memory from the stream's allocator, taken on the launching thread
 * (its context current, as on Ascend) and given back right after the
 * execution is queued: reuse is ordered by the stream, so the allocator
 * may hand the block out again to later work on the same stream (AscendCL:
 * streams sharing one allocator must not run concurrently). The advise
 * function, when there is one, is asked for the address the model's
 * cached context was built over. */
static aclError take_work(const char *api, struct hacl_model *m, struct hacl_stream *s, struct exec_opts *o,
                          void **block, struct hacl_stream_alloc *a)
{
    size_t need = hacl_prog_work_bytes(m->prog);
    *block = NULL;
    if (m->work_ctx || !need || !hacl_stream_allocator(s, a))
        return ACL_SUCCESS;
    pthread_mutex_lock(&m->work_lock);
    void *hint = m->alloc_addr;
    pthread_mutex_unlock(&m->work_lock);
    *block = a->advise && hint ? a->advise(a->obj, need, hint) : a->alloc(a->obj, need);
    void *addr = *block ? a->addr(*block) : NULL;
    aclError rc = ACL_SUCCESS;
    if (!addr) {
        rc = hacl_err(ACL_ERROR_RT_MEMORY_ALLOCATION, api,
                      "the stream's allocator gave no %s for %zu bytes of work memory", *block ? "address" : "block",
                      need);
    } else if ((uintptr_t)addr % 64) {
        rc = hacl_err(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, api,
                      "the stream's allocator gave work memory at %p, not 64-byte aligned", addr);
    } else {
        struct hacl_ptrinfo pi;
        hacl_mem_classify(addr, &pi);
        if (pi.where != HACL_PTR_DEVICE)
            rc = hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                          "the stream's allocator gave work memory at %p that is not device memory (aclrtMalloc)",
                          addr);
        else if (!hacl_mem_range_ok(addr, need, &pi))
            rc = hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                          "the stream's allocator gave work memory [%p, +%zu) that runs past its allocation", addr,
                          need);
        o->work_is_runtime = pi.where != HACL_PTR_UNKNOWN_HOST;
    }
    if (rc != ACL_SUCCESS) {
        if (*block)
            a->free(a->obj, *block);
        *block = NULL;
        return rc;
    }
    o->work = addr;
    return ACL_SUCCESS;
}

static void exec_opts_of(struct hacl_stream *s, struct exec_opts *o)
{
    memset(o, 0, sizeof *o);
    o->float_flags = hacl_stream_float_flags(s);
    o->dev = s->dev;
}

/* A synchronous execution is on no stream: it follows the overflow switch
 * of its context's default stream, or the device's mode when that stream
 * was never made, and has no user allocator. */
static void sync_opts(struct hacl_model *m, struct exec_opts *o)
{
    memset(o, 0, sizeof *o);
    struct hacl_rtdev *dev = m->ctx ? m->ctx->dev : NULL;
    if (!dev)
        return;
    o->dev = dev;
    pthread_mutex_lock(&dev->lock);
    struct hacl_stream *ds = m->ctx->default_stream;
    o->float_flags = ds ? hacl_stream_float_flags(ds)
                        : atomic_load(&dev->sat_mode) == ACL_RT_OVERFLOW_MODE_SATURATION ? HACL_FLOAT_SATURATE
                                                                                          : 0u;
    pthread_mutex_unlock(&dev->lock);
}

/* Detection and saturation on the float outputs. */
static void fix_outputs(const struct hacl_graph *g, void **ptrs, const struct exec_opts *o)
{
    if (!o->float_flags)
        return;
    int seen = 0;
    for (size_t i = 0; i < g->noutputs; i++) {
        const struct hacl_tensor *t = &g->tensors[g->outputs[i]];
        size_t es = hacl_onnx_type_size(t->onnx_type);
        if (es)
            seen |= hacl_float_fix(ptrs[g->ninputs + i], hacl_tensor_bytes(t) / es,
                                   hacl_onnx_to_acl_type(t->onnx_type), o->float_flags);
    }
    if (seen && (o->float_flags & HACL_FLOAT_DETECT) && o->dev)
        hacl_overflow_note(o->dev);
}

/* One execution in work memory from the stream's user allocator, over a
 * context kept while the allocator keeps giving the same address. */
static aclError compute_in(struct hacl_model *m, void **ptrs, void *work, char *why, size_t whylen)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&m->work_lock);
    if (m->alloc_ctx && m->alloc_addr != work) {
        hacl_exec_ctx_free(m->alloc_ctx);
        m->alloc_ctx = NULL;
    }
    if (!m->alloc_ctx) {
        rc = hacl_exec_ctx_create(m->prog, work, &m->alloc_ctx);
        m->alloc_addr = work;
        if (rc != ACL_SUCCESS) {
            m->alloc_ctx = NULL;
            snprintf(why, whylen, "out of memory for an execution context");
        }
    }
    if (rc == ACL_SUCCESS)
        rc = hacl_prog_run(m->prog, m->alloc_ctx, ptrs, ptrs + m->graph->ninputs, why, whylen);
    pthread_mutex_unlock(&m->work_lock);
    return rc;
}

static aclError compute_work(struct hacl_model *m, void **ptrs, const struct exec_opts *o, char *why,
                             size_t whylen)
{
    const struct hacl_graph *g = m->graph;
    struct hacl_exec_ctx *c = NULL;
    aclError rc;
    if (o->work)
        return compute_in(m, ptrs, o->work, why, whylen);
    /* Executions compute one at a time, so one context serves every
     * stream and its work memory stays warm in the caches (measured: 4
     * streams lost 7% to 1 stream when each waiting execution held a
     * context of its own). */
    pthread_mutex_lock(&m->work_lock);
    if (m->work_ctx)
        c = m->work_ctx; /* the lock stays held: one execution at a time */
    else if (m->npool)
        c = m->pool[--m->npool];
    if (!m->work_ctx)
        pthread_mutex_unlock(&m->work_lock);
    if (!c && (rc = hacl_exec_ctx_create(m->prog, NULL, &c)) != ACL_SUCCESS) {
        snprintf(why, whylen, "out of memory for an execution context (%zu bytes of work memory)",
                 hacl_prog_work_bytes(m->prog));
        return rc;
    }
    rc = hacl_prog_run(m->prog, c, ptrs, ptrs + g->ninputs, why, whylen);
    if (m->work_ctx) {
        pthread_mutex_unlock(&m->work_lock);
        return rc;
    }
    pthread_mutex_lock(&m->work_lock);
    if (m->npool == m->cappool) {
        size_t ncap = m->cappool ? 2 * m->cappool : 4;
        struct hacl_exec_ctx **np = hacl_realloc(m->pool, ncap * sizeof *np);
        if (np) {
            m->pool = np;
            m->cappool = ncap;
        }
    }
    if (m->npool < m->cappool) {
        m->pool[m->npool++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&m->work_lock);
    hacl_exec_ctx_free(c);
    return rc;
}

/* One execution on the compute thread: in the caller's work memory (one
 * at a time), in the stream's user allocator's, or in a context from the
 * model's pool. */
static pthread_mutex_t observer_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*_Atomic observer)(uint32_t, const struct hacl_op_time *, size_t);

void hacl_model_set_observer(void (*fn)(uint32_t model_id, const struct hacl_op_time *ops, size_t n))
{
    pthread_mutex_lock(&observer_lock); /* waits for a call in progress */
    atomic_store(&observer, fn);
    pthread_mutex_unlock(&observer_lock);
}

int hacl_model_loaded(uint32_t id)
{
    struct hacl_model *m = hacl_model_get(id);
    hacl_model_put(m);
    return m != NULL;
}

/* A subscribed execution: its steps timed, then handed to the observer. */
static aclError compute_observed(struct hacl_model *m, void **ptrs, const struct exec_opts *o, char *why,
                                 size_t whylen)
{
    size_t n = hacl_prog_nsteps(m->prog);
    struct hacl_op_time *log = hacl_calloc(n ? n : 1, sizeof *log);
    hacl_prog_log_next_run(log);
    aclError rc = compute_work(m, ptrs, o, why, whylen);
    hacl_prog_log_next_run(NULL);
    if (log && rc == ACL_SUCCESS) {
        pthread_mutex_lock(&observer_lock);
        void (*fn)(uint32_t, const struct hacl_op_time *, size_t) = atomic_load(&observer);
        if (fn)
            fn(m->id, log, n);
        pthread_mutex_unlock(&observer_lock);
    }
    hacl_free(log);
    return rc;
}

/* One execution on the compute thread (flow: the arrow from its stream,
 * 0 for none). */
static aclError compute_model(struct hacl_model *m, void **ptrs, const struct exec_opts *o, uint64_t flow,
                              char *why, size_t whylen)
{
    uint64_t t0 = hacl_tracing() ? hacl_trace_now() : 0;
    if (t0 && flow)
        hacl_trace_flow_point(hacl_trace_self_pid(), hacl_trace_self(), flow, t0, 0);
    aclError rc = atomic_load_explicit(&observer, memory_order_relaxed) ? compute_observed(m, ptrs, o, why, whylen)
                                                                         : compute_work(m, ptrs, o, why, whylen);
    if (t0 && hacl_tracing()) /* the execution on the compute thread's row, its steps inside */
        hacl_trace_slice(hacl_trace_self_pid(), hacl_trace_self(), "model execute", "compute", t0,
                         hacl_trace_now(), "model", (int64_t)m->id);
    if (rc == ACL_SUCCESS)
        fix_outputs(m->graph, ptrs, o);
    return rc;
}

struct run_job {
    struct hacl_model *m;
    void **ptrs;
    const struct exec_opts *o;
    char *why;
    size_t whylen;
    aclError rc;
};

static void run_on_compute(void *arg)
{
    struct run_job *j = arg;
    j->rc = compute_model(j->m, j->ptrs, j->o, 0, j->why, j->whylen);
}

/* A synchronous execution: the caller waits for the compute thread. */
static aclError run_model(struct hacl_model *m, void **ptrs, const struct exec_opts *o, char *why, size_t whylen)
{
    struct run_job j = {m, ptrs, o, why, whylen, ACL_SUCCESS};
    hacl_compute_run(run_on_compute, &j);
    return j.rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_model *m = hacl_model_get(modelId);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    struct hacl_model *run = pick_gear(__func__, m, input, &rc);
    if (!run) {
        hacl_model_put(m);
        return rc;
    }
    const struct hacl_graph *g = run->graph;
    size_t snap = snapshot_bytes(m);
    void **ptrs = hacl_calloc(g->ninputs + g->noutputs + 1 + (snap + sizeof(void *) - 1) / sizeof(void *),
                              sizeof *ptrs);
    if (!ptrs) {
        hacl_model_put(run);
        hacl_model_put(m);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    }
    rc = check_datasets(__func__, m, run, input, output, ptrs, (uint8_t *)(ptrs + g->ninputs + g->noutputs + 1),
                        NULL);
    if (rc == ACL_SUCCESS) {
        char why[256];
        /* a synchronous execution follows the current context's default
         * stream's overflow settings (and has no allocator: it is on no
         * stream) */
        struct exec_opts o;
        sync_opts(run, &o);
        rc = run_model(run, ptrs, &o, why, sizeof why);
        if (rc != ACL_SUCCESS)
            rc = HACL_ERR(rc, "model %u: %s", modelId, why);
    }
    hacl_free(ptrs);
    hacl_model_put(run);
    hacl_model_put(m);
    return rc;
}

/* Buffers that were runtime memory when the execution was queued must
 * still be when it runs (an application may free them in between). */
static aclError recheck_buffers(const struct hacl_graph *g, void **ptrs, char *why, size_t whylen)
{
    for (size_t i = 0; i < g->ninputs + g->noutputs; i++) {
        int was_runtime = (int)(uintptr_t)ptrs[g->ninputs + g->noutputs + 1 + i];
        if (!was_runtime)
            continue;
        const struct hacl_tensor *t = &g->tensors[i < g->ninputs ? g->inputs[i] : g->outputs[i - g->ninputs]];
        size_t need = hacl_tensor_bytes(t);
        struct hacl_ptrinfo pi;
        hacl_mem_classify(ptrs[i], &pi);
        if (pi.where == HACL_PTR_UNKNOWN_HOST || !hacl_mem_range_ok(ptrs[i], need, &pi)) {
            snprintf(why, whylen, "the buffer of %s '%s' was freed before the execution ran",
                     i < g->ninputs ? "input" : "output", t->name);
            return ACL_ERROR_RT_PARAM_INVALID;
        }
    }
    return ACL_SUCCESS;
}

/* An asynchronous execution waits for its compute turn without holding a
 * device worker: the task (cheap, so it runs inline on whichever thread
 * reaches it) hands its job to the compute thread and defers; the compute
 * thread completes it when the job ends, and the stream goes on from there.
 * The job is allocated with the execution (no allocation when it runs). */
struct exec_job;
struct exec_task {
    struct hacl_task hdr;
    struct hacl_model *model; /* referenced */
    struct exec_job *job;
    size_t job_bytes;
};
_Static_assert(sizeof(struct exec_task) <= HACL_TASK_SLOT, "an execution task fits in a node");

struct exec_job {
    struct hacl_compute_job cj; /* first: the job is the struct */
    struct exec_task *task;
    struct exec_opts opts; /* taken from the stream at launch */
    aclError rc;
    uint64_t trace_flow; /* the arrow from the stream to the compute row */
    char why[256];
    /* buffer addresses, a NULL, then one flag per buffer: was it runtime
     * memory when queued */
    void *ptrs[];
};

static void exec_drop(struct hacl_task *t)
{
    struct exec_task *x = (struct exec_task *)t;
    hacl_free(x->job);
    hacl_model_put(x->model);
}

static void exec_compute(struct hacl_compute_job *cj)
{
    struct exec_job *e = (struct exec_job *)cj;
    e->rc = compute_model(e->task->model, e->ptrs, &e->opts, e->trace_flow, e->why, sizeof e->why);
}

/* On the compute thread, once the job has run. */
static void exec_computed(struct hacl_compute_job *cj)
{
    struct exec_job *e = (struct exec_job *)cj;
    struct exec_task *x = e->task;
    aclError rc = e->rc;
    if (rc != ACL_SUCCESS)
        hacl_task_fail(&x->hdr, ACL_ERROR_RT_MODEL_EXECUTE, "model %u: %s", x->model->id, e->why);
    exec_drop(&x->hdr);
    hacl_task_complete(&x->hdr, rc == ACL_SUCCESS ? ACL_SUCCESS : ACL_ERROR_RT_MODEL_EXECUTE);
}

static enum hacl_task_result exec_run(struct hacl_task *t)
{
    struct exec_task *x = (struct exec_task *)t;
    struct exec_job *e = x->job;
    aclError rc = recheck_buffers(x->model->graph, e->ptrs, e->why, sizeof e->why);
    if (rc == ACL_SUCCESS && e->opts.work_is_runtime) {
        struct hacl_ptrinfo pi;
        hacl_mem_classify(e->opts.work, &pi);
        if (pi.where == HACL_PTR_UNKNOWN_HOST ||
            !hacl_mem_range_ok(e->opts.work, hacl_prog_work_bytes(x->model->prog), &pi)) {
            snprintf(e->why, sizeof e->why, "the work memory from the stream's allocator was freed before the "
                                            "execution ran (synchronise the stream before releasing it)");
            rc = ACL_ERROR_RT_PARAM_INVALID;
        }
    }
    if (rc != ACL_SUCCESS) {
        hacl_task_fail(t, ACL_ERROR_RT_MODEL_EXECUTE, "model %u: %s", x->model->id, e->why);
        exec_drop(t);
        return HACL_TASK_DONE;
    }
    e->cj.fn = exec_compute;
    e->cj.done = exec_computed;
    e->task = x;
    e->trace_flow = 0;
    if (hacl_tracing()) {
        e->trace_flow = hacl_trace_flow();
        hacl_trace_flow_point(t->q->trace_pid, t->q->trace_tid, e->trace_flow, hacl_trace_now(), 1);
    }
    hacl_compute_submit(&e->cj);
    return HACL_TASK_DEFER; /* x may be completed from here on */
}

/* Recorded into a model runtime instance: work memory from the stream's
 * allocator is ordered by the launching stream and cannot be replayed. */
static aclError exec_capture(struct hacl_task *t)
{
    struct exec_task *x = (struct exec_task *)t;
    return x->job->opts.work_is_runtime && x->job->opts.work ? ACL_ERROR_RT_FEATURE_NOT_SUPPORT : ACL_SUCCESS;
}

static aclError exec_replay(struct hacl_task *t)
{
    struct exec_task *x = (struct exec_task *)t;
    struct exec_job *e = hacl_malloc(x->job_bytes);
    if (!e)
        return ACL_ERROR_BAD_ALLOC;
    memcpy(e, x->job, x->job_bytes);
    x->job = e;
    atomic_fetch_add(&x->model->refs, 1);
    return ACL_SUCCESS;
}

static const struct hacl_task_ops exec_ops = {.what = "model execute",
                                              .flags = HACL_TASK_WORK | HACL_TASK_INLINE,
                                              .run = exec_run,
                                              .drop = exec_drop,
                                              .capture = exec_capture,
                                              .replay = exec_replay,
                                              .forget = exec_drop};

ACL_FUNC_VISIBILITY aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                                                aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_model *top = hacl_model_get(modelId);
    if (!top)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    struct hacl_model *m = pick_gear(__func__, top, input, &rc); /* what runs */
    if (!m) {
        hacl_model_put(top);
        return rc;
    }
    const struct hacl_graph *g = m->graph;
    size_t nb = g->ninputs + g->noutputs, snap = snapshot_bytes(top);
    size_t *needs = hacl_calloc(nb + 1, sizeof *needs);
    size_t job_bytes = sizeof(struct exec_job) + (2 * nb + 1) * sizeof(void *) +
                       (snap + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
    struct exec_job *e = needs ? hacl_calloc(1, job_bytes) : NULL;
    void **ptrs = e ? e->ptrs : NULL;
    struct hacl_stream *s = NULL;
    if (!e)
        rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    if (rc == ACL_SUCCESS)
        rc = check_datasets(__func__, top, m, input, output, ptrs, (uint8_t *)(ptrs + 2 * nb + 1), needs);
    hacl_model_put(top);
    for (size_t i = 0; rc == ACL_SUCCESS && i < nb; i++) {
        struct hacl_ptrinfo pi;
        hacl_mem_classify(ptrs[i], &pi);
        ptrs[nb + 1 + i] = (void *)(uintptr_t)(pi.where != HACL_PTR_UNKNOWN_HOST ? needs[i] : 0);
    }
    hacl_free(needs);
    if (rc == ACL_SUCCESS)
        s = hacl_stream_get(__func__, stream, &rc);
    void *block = NULL;
    struct hacl_stream_alloc a;
    if (s) {
        exec_opts_of(s, &e->opts);
        rc = take_work(__func__, m, s, &e->opts, &block, &a);
    }
    struct exec_task *x =
        rc == ACL_SUCCESS && s ? HACL_STREAM_TASK(__func__, s, struct exec_task, &exec_ops, &rc) : NULL;
    if (x) {
        x->model = m; /* the references pass to the task */
        x->job = e;
        x->job_bytes = job_bytes;
        m = NULL;
        e = NULL;
        rc = hacl_stream_submit(__func__, s, &x->hdr);
    }
    if (block) /* the stream orders its reuse */
        a.free(a.obj, block);
    if (s)
        hacl_obj_put(&s->hdr);
    hacl_free(e);
    hacl_model_put(m);
    return rc;
}
