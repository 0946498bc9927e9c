/*
 * acl.mdl: model runtime instances (ri_*): capture, build, replay, names.
 */
#include "binding.h"

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define RET_OF_HANDLE HPY_RET_OF_HANDLE_NOGIL
#define RET_OF_2HANDLES HPY_RET_OF_2HANDLES_NOGIL

static PyObject *py_ri_capture_begin(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    uint32_t mode;
    if (!PyArg_ParseTuple(args, "O&O&:ri_capture_begin", hpy_addr, &s, hpy_u32, &mode))
        return NULL;
    return hpy_ret(aclmdlRICaptureBegin(s, (aclmdlRICaptureMode)mode));
}

static PyObject *py_ri_capture_get_info(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    if (!PyArg_ParseTuple(args, "O&:ri_capture_get_info", hpy_addr, &s))
        return NULL;
    aclmdlRICaptureStatus st = ACL_MODEL_RI_CAPTURE_STATUS_NONE;
    aclmdlRI ri = NULL;
    aclError rc = aclmdlRICaptureGetInfo(s, &st, &ri);
    return Py_BuildValue("(iNi)", (int)st, hpy_addr_obj(ri), (int)rc);
}

static PyObject *py_ri_capture_end(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    if (!PyArg_ParseTuple(args, "O&:ri_capture_end", hpy_addr, &s))
        return NULL;
    aclmdlRI ri = NULL;
    aclError rc = aclmdlRICaptureEnd(s, &ri);
    return hpy_addr_ret(ri, rc);
}

static PyObject *py_ri_capture_thread_exchange_mode(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t mode;
    if (!PyArg_ParseTuple(args, "O&:ri_capture_thread_exchange_mode", hpy_u32, &mode))
        return NULL;
    aclmdlRICaptureMode m = (aclmdlRICaptureMode)mode;
    aclError rc = aclmdlRICaptureThreadExchangeMode(&m);
    return Py_BuildValue("(ii)", (int)m, (int)rc);
}

RET_OF_HANDLE(ri_debug_print, aclmdlRIDebugPrint)
RET_OF_HANDLE(ri_destroy, aclmdlRIDestroy)
RET_OF_2HANDLES(ri_execute_async, aclmdlRIExecuteAsync)
RET_OF_2HANDLES(ri_end_task, aclmdlRIEndTask)
RET_OF_2HANDLES(ri_unbind_stream, aclmdlRIUnbindStream)

static PyObject *py_ri_debug_json_print(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri;
    const char *path;
    uint32_t flags = 0;
    if (!PyArg_ParseTuple(args, "O&s|O&:ri_debug_json_print", hpy_addr, &ri, &path, hpy_u32, &flags))
        return NULL;
    return hpy_ret(aclmdlRIDebugJsonPrint(ri, path, flags));
}

static PyObject *py_ri_execute(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri;
    int32_t timeout;
    if (!PyArg_ParseTuple(args, "O&O&:ri_execute", hpy_addr, &ri, hpy_i32, &timeout))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlRIExecute(ri, timeout);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_ri_build_begin(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t flag = 0;
    if (!PyArg_ParseTuple(args, "|O&:ri_build_begin", hpy_u32, &flag))
        return NULL;
    aclmdlRI ri = NULL;
    aclError rc = aclmdlRIBuildBegin(&ri, flag);
    return hpy_addr_ret(ri, rc);
}

static PyObject *py_ri_bind_stream(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri, *s;
    uint32_t flag = ACL_MODEL_STREAM_FLAG_HEAD;
    if (!PyArg_ParseTuple(args, "O&O&|O&:ri_bind_stream", hpy_addr, &ri, hpy_addr, &s, hpy_u32, &flag))
        return NULL;
    return hpy_ret(aclmdlRIBindStream(ri, s, flag));
}

static PyObject *py_ri_build_end(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri, *reserve = NULL;
    if (!PyArg_ParseTuple(args, "O&|O&:ri_build_end", hpy_addr, &ri, hpy_addr, &reserve))
        return NULL;
    return hpy_ret(aclmdlRIBuildEnd(ri, reserve));
}

static PyObject *py_ri_set_name(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri;
    const char *name;
    if (!PyArg_ParseTuple(args, "O&s:ri_set_name", hpy_addr, &ri, &name))
        return NULL;
    return hpy_ret(aclmdlRISetName(ri, name));
}

static PyObject *py_ri_get_name(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri;
    if (!PyArg_ParseTuple(args, "O&:ri_get_name", hpy_addr, &ri))
        return NULL;
    char name[256] = "";
    aclError rc = aclmdlRIGetName(ri, sizeof name, name);
    return Py_BuildValue("(si)", name, (int)rc);
}

static PyObject *py_ri_get_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri;
    if (!PyArg_ParseTuple(args, "O&:ri_get_id", hpy_addr, &ri))
        return NULL;
    uint32_t id = 0;
    aclError rc = aclmdlRIGetId(ri, &id);
    return hpy_u64_ret(id, rc);
}

static PyObject *py_ri_get_streams(PyObject *self, PyObject *args)
{
    (void)self;
    void *ri;
    if (!PyArg_ParseTuple(args, "O&:ri_get_streams", hpy_addr, &ri))
        return NULL;
    aclrtStream v[64];
    uint32_t n = 64;
    aclError rc = aclmdlRIGetStreams(ri, v, &n);
    PyObject *list = PyList_New(0);
    for (uint32_t i = 0; list && rc == ACL_SUCCESS && i < n; i++) {
        PyObject *o = hpy_addr_obj(v[i]);
        if (!o || PyList_Append(list, o) != 0) {
            Py_XDECREF(o);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(o);
    }
    return list ? Py_BuildValue("(Ni)", list, (int)rc) : NULL;
}

PyMethodDef hpy_mdl_ri_methods[] = {
    ARGS(ri_capture_begin),
    ARGS(ri_capture_get_info),
    ARGS(ri_capture_end),
    ARGS(ri_capture_thread_exchange_mode),
    ARGS(ri_debug_print),
    ARGS(ri_debug_json_print),
    ARGS(ri_execute_async),
    ARGS(ri_execute),
    ARGS(ri_destroy),
    ARGS(ri_build_begin),
    ARGS(ri_bind_stream),
    ARGS(ri_end_task),
    ARGS(ri_build_end),
    ARGS(ri_unbind_stream),
    ARGS(ri_set_name),
    ARGS(ri_get_name),
    ARGS(ri_get_id),
    ARGS(ri_get_streams),
    {NULL, NULL, 0, NULL},
};
