/*
 * acl.*: initialisation, errors and logs, data buffers, tensor
 * descriptions, element types and half-precision conversion.
 */
#include "binding.h"

/* A list of ints as int64 dims (at most ACL_MAX_DIM_CNT). -1 with
 * TypeError/ValueError set. */
static int dims_from_list(PyObject *list, int64_t *dims, int *n)
{
    PyObject *seq = PySequence_Fast(list, "dims must be a list of ints");
    if (!seq)
        return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    if (len > ACL_MAX_DIM_CNT) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "%zd dims: at most %d", len, ACL_MAX_DIM_CNT);
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyLong_Check(o)) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_TypeError, "dims must be a list of ints");
            return -1;
        }
        dims[i] = PyLong_AsLongLong(o);
        if (dims[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
    }
    *n = (int)len;
    Py_DECREF(seq);
    return 0;
}

static PyObject *py_init(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path = NULL;
    if (!PyArg_ParseTuple(args, "|z:init", &path))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclInit(path);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_finalize(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    uint64_t mark = hpy_callbacks_mark();
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclFinalize();
    Py_END_ALLOW_THREADS
    if (rc == ACL_SUCCESS)
        hpy_callbacks_cancel_all(mark);
    return hpy_ret(rc);
}

static PyObject *py_finalize_reference(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    uint64_t refs = 0, mark = hpy_callbacks_mark();
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclFinalizeReference(&refs);
    Py_END_ALLOW_THREADS
    if (rc == ACL_SUCCESS && refs == 0)
        hpy_callbacks_cancel_all(mark);
    return hpy_u64_ret(refs, rc);
}

static PyObject *py_get_recent_err_msg(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    const char *m = aclGetRecentErrMsg();
    if (!m)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(m, (Py_ssize_t)strlen(m), "replace");
}

/* app_log(level, message): the caller's function, file and line come from
 * the Python frame. */
static PyObject *py_app_log(PyObject *self, PyObject *args)
{
    (void)self;
    int level;
    const char *msg;
    if (!PyArg_ParseTuple(args, "is:app_log", &level, &msg))
        return NULL;
    const char *func = "python", *file = "<python>";
    int line = 0;
    PyFrameObject *f = PyEval_GetFrame();
    PyCodeObject *code = f ? PyFrame_GetCode(f) : NULL;
    if (code) {
        const char *fn = PyUnicode_AsUTF8(code->co_name), *fl = PyUnicode_AsUTF8(code->co_filename);
        if (fn)
            func = fn;
        if (fl)
            file = fl;
        line = PyFrame_GetLineNumber(f);
    }
    PyErr_Clear();
    aclAppLog((aclLogLevel)level, func, file, (uint32_t)line, "%s", msg);
    Py_XDECREF(code);
    Py_RETURN_NONE;
}

/* ---- data buffers ---- */

static PyObject *py_create_data_buffer(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    size_t size;
    if (!PyArg_ParseTuple(args, "O&O&:create_data_buffer", hpy_addr, &p, hpy_size, &size))
        return NULL;
    return hpy_addr_obj(aclCreateDataBuffer(p, size));
}

static PyObject *py_destroy_data_buffer(PyObject *self, PyObject *args)
{
    (void)self;
    void *b;
    if (!PyArg_ParseTuple(args, "O&:destroy_data_buffer", hpy_addr, &b))
        return NULL;
    return hpy_ret(aclDestroyDataBuffer(b));
}

static PyObject *py_update_data_buffer(PyObject *self, PyObject *args)
{
    (void)self;
    void *b, *p;
    size_t size;
    if (!PyArg_ParseTuple(args, "O&O&O&:update_data_buffer", hpy_addr, &b, hpy_addr, &p, hpy_size, &size))
        return NULL;
    return hpy_ret(aclUpdateDataBuffer(b, p, size));
}

static PyObject *py_get_data_buffer_addr(PyObject *self, PyObject *args)
{
    (void)self;
    void *b;
    if (!PyArg_ParseTuple(args, "O&:get_data_buffer_addr", hpy_addr, &b))
        return NULL;
    return hpy_addr_obj(aclGetDataBufferAddr(b));
}

static PyObject *py_get_data_buffer_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *b;
    if (!PyArg_ParseTuple(args, "O&:get_data_buffer_size", hpy_addr, &b))
        return NULL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    return PyLong_FromUnsignedLong(aclGetDataBufferSize(b));
#pragma GCC diagnostic pop
}

static PyObject *py_get_data_buffer_size_v2(PyObject *self, PyObject *args)
{
    (void)self;
    void *b;
    if (!PyArg_ParseTuple(args, "O&:get_data_buffer_size_v2", hpy_addr, &b))
        return NULL;
    return PyLong_FromSize_t(aclGetDataBufferSizeV2(b));
}

/* ---- element types ---- */

static PyObject *py_data_type_size(PyObject *self, PyObject *args)
{
    (void)self;
    int t;
    if (!PyArg_ParseTuple(args, "i:data_type_size", &t))
        return NULL;
    return PyLong_FromSize_t(aclDataTypeSize((aclDataType)t));
}

static PyObject *py_float16_to_float(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned int v;
    if (!PyArg_ParseTuple(args, "I:float16_to_float", &v))
        return NULL;
    if (v > 0xffff)
        return PyErr_Format(PyExc_ValueError, "%u is not a 16-bit value", v);
    return PyFloat_FromDouble((double)aclFloat16ToFloat((aclFloat16)v));
}

static PyObject *py_float_to_float16(PyObject *self, PyObject *args)
{
    (void)self;
    float f;
    if (!PyArg_ParseTuple(args, "f:float_to_float16", &f))
        return NULL;
    return PyLong_FromLong((long)aclFloatToFloat16(f));
}

/* ---- tensor descriptions ---- */

static PyObject *py_create_tensor_desc(PyObject *self, PyObject *args)
{
    (void)self;
    int type, format, n = 0;
    PyObject *list;
    int64_t dims[ACL_MAX_DIM_CNT];
    if (!PyArg_ParseTuple(args, "iOi:create_tensor_desc", &type, &list, &format))
        return NULL;
    if (list != Py_None && dims_from_list(list, dims, &n) != 0)
        return NULL;
    return hpy_addr_obj(aclCreateTensorDesc((aclDataType)type, list == Py_None ? -1 : n, dims, (aclFormat)format));
}

static PyObject *py_destroy_tensor_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    if (!PyArg_ParseTuple(args, "O&:destroy_tensor_desc", hpy_addr, &d))
        return NULL;
    aclDestroyTensorDesc(d);
    Py_RETURN_NONE;
}

#define DESC_GETTER(pyname, call, conv)                                      \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)             \
    {                                                                        \
        (void)self;                                                          \
        void *d;                                                             \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &d))            \
            return NULL;                                                     \
        return conv(call(d));                                                \
    }
#define AS_LONG(x) PyLong_FromLong((long)(x))
DESC_GETTER(get_tensor_desc_type, aclGetTensorDescType, AS_LONG)
DESC_GETTER(get_tensor_desc_format, aclGetTensorDescFormat, AS_LONG)
DESC_GETTER(get_tensor_desc_size, aclGetTensorDescSize, PyLong_FromSize_t)
DESC_GETTER(get_tensor_desc_element_count, aclGetTensorDescElementCount, PyLong_FromSize_t)
DESC_GETTER(get_tensor_desc_num_dims, aclGetTensorDescNumDims, PyLong_FromSize_t)

static PyObject *py_get_tensor_desc_dim_v2(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    size_t i;
    if (!PyArg_ParseTuple(args, "O&O&:get_tensor_desc_dim_v2", hpy_addr, &d, hpy_size, &i))
        return NULL;
    int64_t v = 0;
    aclError rc = aclGetTensorDescDimV2(d, i, &v);
    return Py_BuildValue("(Li)", (long long)v, (int)rc);
}

static PyObject *py_get_tensor_desc_name(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    if (!PyArg_ParseTuple(args, "O&:get_tensor_desc_name", hpy_addr, &d))
        return NULL;
    const char *s = aclGetTensorDescName(d);
    return PyUnicode_FromString(s ? s : "");
}

static PyObject *py_set_tensor_desc_name(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    const char *name;
    if (!PyArg_ParseTuple(args, "O&z:set_tensor_desc_name", hpy_addr, &d, &name))
        return NULL;
    aclSetTensorDescName(d, name);
    Py_RETURN_NONE;
}

static PyObject *py_set_tensor_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    int f;
    if (!PyArg_ParseTuple(args, "O&i:set_tensor_format", hpy_addr, &d, &f))
        return NULL;
    return hpy_ret(aclSetTensorFormat(d, (aclFormat)f));
}

static PyObject *py_set_tensor_shape(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    PyObject *list;
    int64_t dims[ACL_MAX_DIM_CNT];
    int n = 0;
    if (!PyArg_ParseTuple(args, "O&O:set_tensor_shape", hpy_addr, &d, &list) || dims_from_list(list, dims, &n) != 0)
        return NULL;
    return hpy_ret(aclSetTensorShape(d, n, dims));
}

static PyObject *py_get_soc_name(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    const char *s = aclrtGetSocName();
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_FromString(s);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define NOARGS(name) {#name, py_##name, METH_NOARGS, NULL}
PyMethodDef hpy_base_methods[] = {
    ARGS(init),
    NOARGS(finalize),
    NOARGS(finalize_reference),
    NOARGS(get_recent_err_msg),
    ARGS(app_log),
    ARGS(create_data_buffer),
    ARGS(destroy_data_buffer),
    ARGS(update_data_buffer),
    ARGS(get_data_buffer_addr),
    ARGS(get_data_buffer_size),
    ARGS(get_data_buffer_size_v2),
    ARGS(data_type_size),
    ARGS(float16_to_float),
    ARGS(float_to_float16),
    ARGS(create_tensor_desc),
    ARGS(destroy_tensor_desc),
    ARGS(get_tensor_desc_type),
    ARGS(get_tensor_desc_format),
    ARGS(get_tensor_desc_size),
    ARGS(get_tensor_desc_element_count),
    ARGS(get_tensor_desc_num_dims),
    ARGS(get_tensor_desc_dim_v2),
    ARGS(get_tensor_desc_name),
    ARGS(set_tensor_desc_name),
    ARGS(set_tensor_format),
    ARGS(set_tensor_shape),
    NOARGS(get_soc_name),
    {NULL, NULL, 0, NULL},
};
