/*
 * acl.hacl: hostacl's own extensions for Python, taking and giving Python
 * buffers (bytes, bytearray, NumPy arrays) instead of addresses.
 *
 *   p, ret = pipeline_create(model, depth=4, streams=1)   # model: id or path
 *   ret = pipeline_send(p, [in0, ...], timeout=-1)
 *   outs, ret = pipeline_receive(p, timeout=-1)           # list of bytes
 *   outs, ret = pipeline_run(p, [[in0, ...], ...])        # list of lists
 *   r, ret = pipeline_submit(p, [in0, ...]); request_ready(r);
 *   request_wait(r, t); outs, ret = request_take_outputs(r); request_release(r)
 *   ret = pipeline_connect(p, input_fn, output_fn, cancel_fn=None, streams=1)
 *       input_fn(stream, inputs) fills the writable memoryviews `inputs`
 *       and returns None/FRAME, or END; output_fn(stream, frame, outputs)
 *       gets bytes; cancel_fn(stream, frame)
 *   ret = pipeline_wait(p, timeout=-1); stats, ret = pipeline_stop(p)
 *   stats, ret = pipeline_get_stats(p); ret = pipeline_destroy(p)
 *   pool, ret = mempool_create(model_id, count)
 *   (input_ds, output_ds, pair), ret = mempool_acquire(pool, timeout)
 *   ret = mempool_release(pool, pair); count, avail, ret = mempool_get_info(pool)
 *   ret = mempool_destroy(pool, timeout)
 *
 * Callbacks run on the pipeline's threads with the GIL taken around the
 * call; an exception stops the pipeline (ACL_ERROR_FAILURE from wait) after
 * its traceback is printed. The callables stay referenced until
 * pipeline_destroy.
 */
#include "acl/hacl_mempool.h"
#include "acl/hacl_pipeline.h"
#include "binding.h"

#define MAX_PORTS 64

/* Python buffers for `count` ports: addresses and sizes, views held in
 * views[] (release with release_views). */
static int get_buffers(PyObject *list, Py_buffer *views, const void **ptrs, size_t *sizes, size_t *count,
                       int writable)
{
    PyObject *seq = PySequence_Fast(list, "a list of buffers (bytes, bytearray or arrays) is needed");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > MAX_PORTS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "%zd buffers: at most %d", n, MAX_PORTS);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, i), &views[i],
                               PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) != 0) {
            while (i-- > 0)
                PyBuffer_Release(&views[i]);
            Py_DECREF(seq);
            return -1;
        }
        ptrs[i] = views[i].buf;
        sizes[i] = (size_t)views[i].len;
    }
    *count = (size_t)n;
    Py_DECREF(seq);
    return 0;
}

static void release_views(Py_buffer *views, size_t n)
{
    for (size_t i = 0; i < n; i++)
        PyBuffer_Release(&views[i]);
}

/* New bytes objects of the pipeline's output sizes, and their addresses. */
static PyObject *output_bytes(const void *p, void **ptrs, size_t *sizes, size_t *count)
{
    size_t n = haclPipelineGetNumOutputs(p);
    if (n > MAX_PORTS)
        n = 0;
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        sizes[i] = haclPipelineGetOutputSize(p, i);
        PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)sizes[i]);
        if (!b) {
            Py_CLEAR(list);
            break;
        }
        ptrs[i] = PyBytes_AS_STRING(b);
        PyList_SET_ITEM(list, (Py_ssize_t)i, b);
    }
    *count = n;
    (void)aclGetRecentErrMsg(); /* a bad handle: the call that follows reports it */
    return list;
}

/* ---- creation and ports ---- */

static PyObject *py_pipeline_create(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"model", "depth", "streams", NULL};
    PyObject *model;
    haclPipelineConfig cfg = {4, 1};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O&O&:pipeline_create", names, &model, hpy_u32, &cfg.depth, hpy_u32,
                                     &cfg.streams))
        return NULL;
    haclPipeline *p = NULL;
    aclError rc;
    if (PyUnicode_Check(model)) {
        const char *path = PyUnicode_AsUTF8(model);
        if (!path)
            return NULL;
        Py_BEGIN_ALLOW_THREADS
        rc = haclPipelineCreateFromFile(path, &cfg, &p);
        Py_END_ALLOW_THREADS
    } else {
        uint32_t id;
        if (!hpy_u32(model, &id))
            return NULL;
        rc = haclPipelineCreate(id, &cfg, &p);
    }
    return hpy_addr_ret(p, rc);
}

#define PORTS(pyname, call, conv)                                                      \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                       \
    {                                                                                  \
        (void)self;                                                                    \
        void *p;                                                                       \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &p))                      \
            return NULL;                                                               \
        return conv(call(p));                                                          \
    }
#define PORT_AT(pyname, call)                                                          \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                       \
    {                                                                                  \
        (void)self;                                                                    \
        void *p;                                                                       \
        size_t i;                                                                      \
        if (!PyArg_ParseTuple(args, "O&O&:" #pyname, hpy_addr, &p, hpy_size, &i))      \
            return NULL;                                                               \
        return PyLong_FromSize_t(call(p, i));                                          \
    }
PORTS(pipeline_num_inputs, haclPipelineGetNumInputs, PyLong_FromSize_t)
PORTS(pipeline_num_outputs, haclPipelineGetNumOutputs, PyLong_FromSize_t)
PORT_AT(pipeline_input_size, haclPipelineGetInputSize)
PORT_AT(pipeline_output_size, haclPipelineGetOutputSize)

/* ---- synchronous ---- */

static PyObject *py_pipeline_send(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    PyObject *list;
    int32_t timeout = -1;
    if (!PyArg_ParseTuple(args, "O&O|O&:pipeline_send", hpy_addr, &p, &list, hpy_i32, &timeout))
        return NULL;
    Py_buffer views[MAX_PORTS];
    const void *ptrs[MAX_PORTS];
    size_t sizes[MAX_PORTS], n;
    if (get_buffers(list, views, ptrs, sizes, &n, 0) != 0)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineSend(p, ptrs, sizes, n, timeout);
    Py_END_ALLOW_THREADS
    release_views(views, n);
    return hpy_ret(rc);
}

static PyObject *py_pipeline_receive(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    int32_t timeout = -1;
    if (!PyArg_ParseTuple(args, "O&|O&:pipeline_receive", hpy_addr, &p, hpy_i32, &timeout))
        return NULL;
    void *ptrs[MAX_PORTS];
    size_t sizes[MAX_PORTS], n;
    PyObject *outs = output_bytes(p, ptrs, sizes, &n);
    if (!outs)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineReceive(p, ptrs, sizes, n, timeout, NULL);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("(Ni)", outs, (int)rc);
}

static PyObject *py_pipeline_run(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    PyObject *frames;
    if (!PyArg_ParseTuple(args, "O&O:pipeline_run", hpy_addr, &p, &frames))
        return NULL;
    PyObject *seq = PySequence_Fast(frames, "frames must be a list of lists of buffers");
    if (!seq)
        return NULL;
    Py_ssize_t nf = PySequence_Fast_GET_SIZE(seq);
    size_t nin = haclPipelineGetNumInputs(p), nout = haclPipelineGetNumOutputs(p);
    (void)aclGetRecentErrMsg();
    PyObject *result = PyList_New(nf);
    Py_buffer *views = PyMem_Calloc((size_t)nf * (nin ? nin : 1), sizeof *views);
    const void **in = PyMem_Calloc((size_t)nf * (nin ? nin : 1), sizeof *in);
    void **out = PyMem_Calloc((size_t)nf * (nout ? nout : 1), sizeof *out);
    size_t held = 0;
    aclError rc = ACL_SUCCESS;
    if (!result || !views || !in || !out || nin > MAX_PORTS || nout > MAX_PORTS) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t f = 0; f < nf; f++) {
        size_t sizes[MAX_PORTS], n;
        if (get_buffers(PySequence_Fast_GET_ITEM(seq, f), &views[held], &in[(size_t)f * nin], sizes, &n, 0) != 0)
            goto fail;
        held += n;
        if (n != nin) {
            PyErr_Format(PyExc_ValueError, "frame %zd has %zu buffers; the pipeline has %zu inputs", f, n, nin);
            goto fail;
        }
        for (size_t i = 0; i < n; i++)
            if (sizes[i] != haclPipelineGetInputSize(p, i)) {
                PyErr_Format(PyExc_ValueError, "frame %zd input %zu has %zu bytes; the port takes %zu", f, i, sizes[i],
                             haclPipelineGetInputSize(p, i));
                goto fail;
            }
        size_t osz[MAX_PORTS], no;
        PyObject *outs = output_bytes(p, &out[(size_t)f * nout], osz, &no);
        if (!outs)
            goto fail;
        PyList_SET_ITEM(result, f, outs);
    }
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineRun(p, in, out, (size_t)nf);
    Py_END_ALLOW_THREADS
    release_views(views, held);
    PyMem_Free(views);
    PyMem_Free(in);
    PyMem_Free(out);
    Py_DECREF(seq);
    return Py_BuildValue("(Ni)", result, (int)rc);
fail:
    release_views(views, held);
    PyMem_Free(views);
    PyMem_Free(in);
    PyMem_Free(out);
    Py_XDECREF(result);
    Py_DECREF(seq);
    return NULL;
}

/* ---- requests ---- */

static PyObject *py_pipeline_submit(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    PyObject *list;
    if (!PyArg_ParseTuple(args, "O&O:pipeline_submit", hpy_addr, &p, &list))
        return NULL;
    Py_buffer views[MAX_PORTS];
    const void *ptrs[MAX_PORTS];
    size_t sizes[MAX_PORTS], n;
    if (get_buffers(list, views, ptrs, sizes, &n, 0) != 0)
        return NULL;
    haclRequest *r = NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineSubmit(p, ptrs, sizes, n, &r);
    Py_END_ALLOW_THREADS
    release_views(views, n);
    return hpy_addr_ret(r, rc);
}

static PyObject *py_request_ready(PyObject *self, PyObject *args)
{
    (void)self;
    void *r;
    if (!PyArg_ParseTuple(args, "O&:request_ready", hpy_addr, &r))
        return NULL;
    return PyLong_FromLong(haclRequestReady(r));
}

static PyObject *py_request_wait(PyObject *self, PyObject *args)
{
    (void)self;
    void *r;
    int32_t timeout = -1;
    if (!PyArg_ParseTuple(args, "O&|O&:request_wait", hpy_addr, &r, hpy_i32, &timeout))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclRequestWait(r, timeout);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_request_take_outputs(PyObject *self, PyObject *args)
{
    (void)self;
    void *r, *p;
    if (!PyArg_ParseTuple(args, "O&O&:request_take_outputs", hpy_addr, &p, hpy_addr, &r))
        return NULL;
    void *ptrs[MAX_PORTS];
    size_t sizes[MAX_PORTS], n;
    PyObject *outs = output_bytes(p, ptrs, sizes, &n);
    if (!outs)
        return NULL;
    aclError rc = haclRequestTakeOutputs(r, ptrs, sizes, n);
    return Py_BuildValue("(Ni)", outs, (int)rc);
}

static PyObject *py_request_release(PyObject *self, PyObject *args)
{
    (void)self;
    void *r;
    if (!PyArg_ParseTuple(args, "O&:request_release", hpy_addr, &r))
        return NULL;
    return hpy_ret(haclRequestRelease(r));
}

/* ---- callbacks ---- */

struct pyfns {
    PyObject *in, *out, *cancel;
};

/* Callables of connected pipelines, {pipeline: capsule of struct pyfns},
 * dropped at pipeline_destroy. */
static PyObject *connected;

static int in_tramp(void *user, uint32_t stream, void *const *inputs, const size_t *sizes, size_t count)
{
    struct pyfns *f = user;
    if (_Py_IsFinalizing())
        return HACL_PIPELINE_END;
    PyGILState_STATE g = PyGILState_Ensure();
    int rc = ACL_ERROR_FAILURE;
    PyObject *views = PyList_New((Py_ssize_t)count);
    for (size_t i = 0; views && i < count; i++) {
        PyObject *mv = PyMemoryView_FromMemory(inputs[i], (Py_ssize_t)sizes[i], PyBUF_WRITE);
        if (!mv) {
            Py_CLEAR(views);
            break;
        }
        PyList_SET_ITEM(views, (Py_ssize_t)i, mv);
    }
    PyObject *r = views ? PyObject_CallFunction(f->in, "IO", stream, views) : NULL;
    if (r) {
        rc = r == Py_None ? HACL_PIPELINE_FRAME : (int)PyLong_AsLong(r);
        if (PyErr_Occurred())
            rc = ACL_ERROR_FAILURE;
        Py_DECREF(r);
    }
    if (PyErr_Occurred()) {
        PySys_WriteStderr("acl.hacl: the pipeline's input callback raised (the pipeline stops):\n");
        PyErr_PrintEx(0);
    }
    for (size_t i = 0; views && i < count; i++) /* the memory is the slot's: no use after */
        if (!PyObject_CallMethod(PyList_GET_ITEM(views, (Py_ssize_t)i), "release", NULL))
            PyErr_Clear();
    Py_XDECREF(views);
    PyGILState_Release(g);
    return rc;
}

static int out_tramp(void *user, uint32_t stream, uint64_t frame, const void *const *outputs, const size_t *sizes,
                     size_t count)
{
    struct pyfns *f = user;
    if (_Py_IsFinalizing())
        return 0;
    PyGILState_STATE g = PyGILState_Ensure();
    int rc = ACL_ERROR_FAILURE;
    PyObject *outs = PyList_New((Py_ssize_t)count);
    for (size_t i = 0; outs && i < count; i++) {
        PyObject *b = PyBytes_FromStringAndSize(outputs[i], (Py_ssize_t)sizes[i]);
        if (!b) {
            Py_CLEAR(outs);
            break;
        }
        PyList_SET_ITEM(outs, (Py_ssize_t)i, b);
    }
    PyObject *r = outs ? PyObject_CallFunction(f->out, "IKO", stream, (unsigned long long)frame, outs) : NULL;
    if (r) {
        rc = r == Py_None ? 0 : (int)PyLong_AsLong(r);
        if (PyErr_Occurred())
            rc = ACL_ERROR_FAILURE;
        Py_DECREF(r);
    }
    if (PyErr_Occurred()) {
        PySys_WriteStderr("acl.hacl: the pipeline's output callback raised (the pipeline stops):\n");
        PyErr_PrintEx(0);
    }
    Py_XDECREF(outs);
    PyGILState_Release(g);
    return rc;
}

static void cancel_tramp(void *user, uint32_t stream, uint64_t frame)
{
    struct pyfns *f = user;
    if (_Py_IsFinalizing() || !f->cancel)
        return;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(f->cancel, "IK", stream, (unsigned long long)frame);
    if (!r)
        PyErr_PrintEx(0);
    Py_XDECREF(r);
    PyGILState_Release(g);
}

static void fns_free(PyObject *capsule)
{
    struct pyfns *f = PyCapsule_GetPointer(capsule, "acl.hacl.fns");
    if (!f)
        return;
    Py_XDECREF(f->in);
    Py_XDECREF(f->out);
    Py_XDECREF(f->cancel);
    PyMem_Free(f);
}

static PyObject *py_pipeline_connect(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"pipeline", "input_fn", "output_fn", "cancel_fn", "streams", NULL};
    PyObject *ph, *in, *out, *cancel = Py_None;
    uint32_t streams = 1;
    void *p;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOO|OO&:pipeline_connect", names, &ph, &in, &out, &cancel, hpy_u32,
                                     &streams) ||
        !hpy_addr(ph, &p))
        return NULL;
    if (!PyCallable_Check(in) || !PyCallable_Check(out) || (cancel != Py_None && !PyCallable_Check(cancel)))
        return PyErr_Format(PyExc_TypeError, "input_fn, output_fn (and cancel_fn) must be callable");
    if (!connected && !(connected = PyDict_New()))
        return NULL;
    struct pyfns *f = PyMem_Calloc(1, sizeof *f);
    if (!f)
        return PyErr_NoMemory();
    Py_INCREF(in);
    Py_INCREF(out);
    f->in = in;
    f->out = out;
    if (cancel != Py_None) {
        Py_INCREF(cancel);
        f->cancel = cancel;
    }
    PyObject *cap = PyCapsule_New(f, "acl.hacl.fns", fns_free);
    if (!cap) {
        Py_DECREF(in);
        Py_DECREF(out);
        Py_XDECREF(f->cancel);
        PyMem_Free(f);
        return NULL;
    }
    aclError rc = haclPipelineSetCancelCallback(p, cancel_tramp, f);
    if (rc == ACL_SUCCESS) {
        Py_BEGIN_ALLOW_THREADS
        rc = haclPipelineConnectStreams(p, in_tramp, out_tramp, f, streams);
        Py_END_ALLOW_THREADS
    }
    /* Kept even on failure: a callback may have been registered. */
    int r = PyDict_SetItem(connected, ph, cap);
    Py_DECREF(cap);
    if (r != 0)
        return NULL;
    return hpy_ret(rc);
}

static PyObject *stats_dict(const haclPipelineStats *s)
{
    return Py_BuildValue("{s:K,s:K,s:K}", "submitted", (unsigned long long)s->submitted, "delivered",
                         (unsigned long long)s->delivered, "cancelled", (unsigned long long)s->cancelled);
}

static PyObject *py_pipeline_wait(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    int32_t timeout = -1;
    if (!PyArg_ParseTuple(args, "O&|O&:pipeline_wait", hpy_addr, &p, hpy_i32, &timeout))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineWait(p, timeout);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_pipeline_stop(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    if (!PyArg_ParseTuple(args, "O&:pipeline_stop", hpy_addr, &p))
        return NULL;
    haclPipelineStats s = {0, 0, 0};
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineStop(p, &s);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("(Ni)", stats_dict(&s), (int)rc);
}

static PyObject *py_pipeline_get_stats(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    if (!PyArg_ParseTuple(args, "O&:pipeline_get_stats", hpy_addr, &p))
        return NULL;
    haclPipelineStats s = {0, 0, 0};
    aclError rc = haclPipelineGetStats(p, &s);
    return Py_BuildValue("(Ni)", stats_dict(&s), (int)rc);
}

static PyObject *py_pipeline_destroy(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *ph;
    void *p;
    if (!PyArg_ParseTuple(args, "O:pipeline_destroy", &ph) || !hpy_addr(ph, &p))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclPipelineDestroy(p);
    Py_END_ALLOW_THREADS
    if (rc == ACL_SUCCESS && connected && PyDict_DelItem(connected, ph) != 0)
        PyErr_Clear(); /* never connected */
    return hpy_ret(rc);
}

/* ---- dataset pools ---- */

static PyObject *py_mempool_create(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id, count;
    if (!PyArg_ParseTuple(args, "O&O&:mempool_create", hpy_u32, &id, hpy_u32, &count))
        return NULL;
    haclMempool *pool = NULL;
    aclError rc = haclMempoolCreate(id, count, &pool);
    return hpy_addr_ret(pool, rc);
}

static PyObject *py_mempool_acquire(PyObject *self, PyObject *args)
{
    (void)self;
    void *pool;
    int32_t timeout = -1;
    if (!PyArg_ParseTuple(args, "O&|O&:mempool_acquire", hpy_addr, &pool, hpy_i32, &timeout))
        return NULL;
    haclMempoolPair *pair = NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclMempoolAcquire(pool, timeout, &pair);
    Py_END_ALLOW_THREADS
    if (rc != ACL_SUCCESS || !pair)
        return Py_BuildValue("((KKK)i)", 0ULL, 0ULL, 0ULL, (int)rc);
    return Py_BuildValue("((KKK)i)", (unsigned long long)(uintptr_t)pair->input,
                         (unsigned long long)(uintptr_t)pair->output, (unsigned long long)(uintptr_t)pair, (int)rc);
}

static PyObject *py_mempool_release(PyObject *self, PyObject *args)
{
    (void)self;
    void *pool, *pair;
    if (!PyArg_ParseTuple(args, "O&O&:mempool_release", hpy_addr, &pool, hpy_addr, &pair))
        return NULL;
    return hpy_ret(haclMempoolRelease(pool, pair));
}

static PyObject *py_mempool_get_info(PyObject *self, PyObject *args)
{
    (void)self;
    void *pool;
    if (!PyArg_ParseTuple(args, "O&:mempool_get_info", hpy_addr, &pool))
        return NULL;
    uint32_t count = 0, avail = 0;
    aclError rc = haclMempoolGetInfo(pool, &count, &avail);
    return Py_BuildValue("(IIi)", count, avail, (int)rc);
}

static PyObject *py_mempool_destroy(PyObject *self, PyObject *args)
{
    (void)self;
    void *pool;
    int32_t timeout = -1;
    if (!PyArg_ParseTuple(args, "O&|O&:mempool_destroy", hpy_addr, &pool, hpy_i32, &timeout))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = haclMempoolDestroy(pool, timeout);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define KW(name) {#name, (PyCFunction)(void (*)(void))py_##name, METH_VARARGS | METH_KEYWORDS, NULL}
PyMethodDef hpy_hacl_methods[] = {
    KW(pipeline_create),
    ARGS(pipeline_num_inputs),
    ARGS(pipeline_num_outputs),
    ARGS(pipeline_input_size),
    ARGS(pipeline_output_size),
    ARGS(pipeline_send),
    ARGS(pipeline_receive),
    ARGS(pipeline_run),
    ARGS(pipeline_submit),
    ARGS(request_ready),
    ARGS(request_wait),
    ARGS(request_take_outputs),
    ARGS(request_release),
    KW(pipeline_connect),
    ARGS(pipeline_wait),
    ARGS(pipeline_stop),
    ARGS(pipeline_get_stats),
    ARGS(pipeline_destroy),
    ARGS(mempool_create),
    ARGS(mempool_acquire),
    ARGS(mempool_release),
    ARGS(mempool_get_info),
    ARGS(mempool_destroy),
    {NULL, NULL, 0, NULL},
};
