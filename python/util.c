/*
 * acl.util memory helpers: addresses of NumPy arrays and bytes objects
 * (no copy: the caller keeps the object alive), zero-copy arrays over an
 * address, and copies of memory into bytes. Arrays are reached through the
 * buffer protocol and NumPy's Python API, so the binding needs no NumPy
 * headers.
 */
#include "binding.h"

/* The address of a C-contiguous buffer (an ndarray, bytes, bytearray...). */
static int buffer_addr(PyObject *o, int writable, void **p, Py_ssize_t *len)
{
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0)) != 0) {
        if (PyErr_ExceptionMatches(PyExc_BufferError) || PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyObject *t, *v, *tb;
            PyErr_Fetch(&t, &v, &tb);
            PyErr_Format(PyExc_ValueError, "need a C-contiguous %sbuffer (an array, bytes or bytearray); %.100s",
                         writable ? "writable " : "", Py_TYPE(o)->tp_name);
            Py_XDECREF(t);
            Py_XDECREF(v);
            Py_XDECREF(tb);
        }
        return -1;
    }
    *p = view.buf;
    if (len)
        *len = view.len;
    PyBuffer_Release(&view);
    return 0;
}

static PyObject *py_numpy_to_ptr(PyObject *self, PyObject *arr)
{
    (void)self;
    void *p = NULL;
    if (buffer_addr(arr, 0, &p, NULL) != 0)
        return NULL;
    return hpy_addr_obj(p);
}

/* (address, array): the array made C-contiguous first (a copy only when it
 * was not); the caller keeps the returned array alive. */
static PyObject *py_numpy_contiguous_to_ptr(PyObject *self, PyObject *arr)
{
    (void)self;
    PyObject *np = PyImport_ImportModule("numpy");
    if (!np)
        return NULL;
    PyObject *c = PyObject_CallMethod(np, "ascontiguousarray", "O", arr);
    Py_DECREF(np);
    if (!c)
        return NULL;
    void *p = NULL;
    if (buffer_addr(c, 0, &p, NULL) != 0) {
        Py_DECREF(c);
        return NULL;
    }
    return Py_BuildValue("(KN)", (unsigned long long)(uintptr_t)p, c);
}

static PyObject *py_bytes_to_ptr(PyObject *self, PyObject *b)
{
    (void)self;
    if (!PyBytes_Check(b) && !PyByteArray_Check(b))
        return PyErr_Format(PyExc_TypeError, "bytes_to_ptr needs bytes or bytearray, not %.100s", Py_TYPE(b)->tp_name);
    void *p = NULL;
    if (buffer_addr(b, 0, &p, NULL) != 0)
        return NULL;
    return hpy_addr_obj(p);
}

static PyObject *py_ptr_to_bytes(PyObject *self, PyObject *args)
{
    (void)self;
    void *p = NULL;
    size_t n;
    if (!PyArg_ParseTuple(args, "O&O&:ptr_to_bytes", hpy_addr, &p, hpy_size, &n))
        return NULL;
    if (n > PY_SSIZE_T_MAX)
        return PyErr_Format(PyExc_ValueError, "%zu bytes is too many", n);
    if (!p && n)
        return PyErr_Format(PyExc_ValueError, "ptr_to_bytes: the address is 0");
    if (hpy_check_mapped(p, n, "ptr_to_bytes") != 0)
        return NULL;
    return PyBytes_FromStringAndSize(p, (Py_ssize_t)n);
}

/* NumPy's C type numbers, as pyACL takes them, to dtype strings. */
static const char *dtype_of(int t)
{
    switch (t) {
    case 0: return "?";
    case 1: return "i1";
    case 2: return "u1";
    case 3: return "i2";
    case 4: return "u2";
    case 5: return "i4";
    case 6: return "u4";
    case 7: return "i8";
    case 8: return "u8";
    case 9: return "i8";  /* longlong */
    case 10: return "u8"; /* ulonglong */
    case 11: return "f4";
    case 12: return "f8";
    case 23: return "f2";
    default: return NULL;
    }
}

/* ptr_to_numpy(ptr, shape, npy_type): a writable array over the memory at
 * ptr, no copy; the memory must outlive the array. */
static PyObject *py_ptr_to_numpy(PyObject *self, PyObject *args)
{
    (void)self;
    void *p = NULL;
    PyObject *shape;
    int type;
    if (!PyArg_ParseTuple(args, "O&Oi:ptr_to_numpy", hpy_addr, &p, &shape, &type))
        return NULL;
    const char *dt = dtype_of(type);
    if (!dt)
        return PyErr_Format(PyExc_ValueError, "npy_type %d is not one of 0-12 or 23", type);
    PyObject *seq = PySequence_Fast(shape, "shape must be a tuple or list of ints");
    if (!seq)
        return NULL;
    size_t count = 1, es = (size_t)(dt[1] ? dt[1] - '0' : 1);
    int bad = 0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
        size_t d;
        if (!hpy_size(o, &d) || __builtin_mul_overflow(count, d, &count)) {
            bad = 1;
            break;
        }
    }
    Py_DECREF(seq);
    if (bad) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "the shape is too large");
        return NULL;
    }
    size_t bytes;
    if (__builtin_mul_overflow(count, es, &bytes) || bytes > PY_SSIZE_T_MAX)
        return PyErr_Format(PyExc_ValueError, "the shape is too large");
    if (!p && bytes)
        return PyErr_Format(PyExc_ValueError, "ptr_to_numpy: the address is 0");
    if (hpy_check_mapped(p, bytes, "ptr_to_numpy") != 0)
        return NULL;
    PyObject *mv = PyMemoryView_FromMemory(bytes ? p : (char *)"", (Py_ssize_t)bytes, PyBUF_WRITE);
    if (!mv)
        return NULL;
    PyObject *np = PyImport_ImportModule("numpy");
    PyObject *flat = np ? PyObject_CallMethod(np, "frombuffer", "Os", mv, dt) : NULL;
    Py_XDECREF(np);
    Py_DECREF(mv);
    if (!flat)
        return NULL;
    PyObject *arr = PyObject_CallMethod(flat, "reshape", "O", shape);
    Py_DECREF(flat);
    return arr;
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define ONE(name) {#name, py_##name, METH_O, NULL}
PyMethodDef hpy_util_methods[] = {
    ONE(numpy_to_ptr),
    ONE(numpy_contiguous_to_ptr),
    ONE(bytes_to_ptr),
    ARGS(ptr_to_bytes),
    ARGS(ptr_to_numpy),
    {NULL, NULL, 0, NULL},
};
