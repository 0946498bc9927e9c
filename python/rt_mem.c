/*
 * acl.rt memory: allocation, copies and fills. Host addresses the C API
 * cannot vouch for are checked to be mapped memory first (binding.h), so a
 * made-up int raises ValueError instead of crashing the process; device
 * memory is checked by the C API itself. Copies run without the GIL.
 */
#include "binding.h"

static PyObject *alloc_dev(PyObject *args, const char *fmt, aclError (*call)(void **, size_t, aclrtMemMallocPolicy))
{
    size_t size;
    int policy;
    if (!PyArg_ParseTuple(args, fmt, hpy_size, &size, &policy))
        return NULL;
    void *p = NULL;
    aclError rc = call(&p, size, (aclrtMemMallocPolicy)policy);
    return hpy_addr_ret(p, rc);
}

static PyObject *py_malloc(PyObject *self, PyObject *args)
{
    (void)self;
    return alloc_dev(args, "O&i:malloc", aclrtMalloc);
}

static PyObject *py_malloc_cached(PyObject *self, PyObject *args)
{
    (void)self;
    return alloc_dev(args, "O&i:malloc_cached", aclrtMallocCached);
}

static PyObject *py_malloc_host(PyObject *self, PyObject *args)
{
    (void)self;
    size_t size;
    if (!PyArg_ParseTuple(args, "O&:malloc_host", hpy_size, &size))
        return NULL;
    void *p = NULL;
    aclError rc = aclrtMallocHost(&p, size);
    return hpy_addr_ret(p, rc);
}

static PyObject *free_with(PyObject *args, const char *fmt, aclError (*call)(void *))
{
    void *p;
    if (!PyArg_ParseTuple(args, fmt, hpy_addr, &p))
        return NULL;
    return hpy_ret(call(p));
}

static PyObject *py_free(PyObject *self, PyObject *args)
{
    (void)self;
    return free_with(args, "O&:free", aclrtFree);
}

static PyObject *py_free_host(PyObject *self, PyObject *args)
{
    (void)self;
    return free_with(args, "O&:free_host", aclrtFreeHost);
}

static PyObject *range_op(PyObject *args, const char *fmt, aclError (*call)(void *, size_t))
{
    void *p;
    size_t size;
    if (!PyArg_ParseTuple(args, fmt, hpy_addr, &p, hpy_size, &size))
        return NULL;
    return hpy_ret(call(p, size));
}

static PyObject *py_mem_flush(PyObject *self, PyObject *args)
{
    (void)self;
    return range_op(args, "O&O&:mem_flush", aclrtMemFlush);
}

static PyObject *py_mem_invalidate(PyObject *self, PyObject *args)
{
    (void)self;
    return range_op(args, "O&O&:mem_invalidate", aclrtMemInvalidate);
}

static PyObject *py_get_mem_info(PyObject *self, PyObject *args)
{
    (void)self;
    int attr;
    if (!PyArg_ParseTuple(args, "i:get_mem_info", &attr))
        return NULL;
    size_t fr = 0, total = 0;
    aclError rc = aclrtGetMemInfo((aclrtMemAttr)attr, &fr, &total);
    return Py_BuildValue("(nni)", (Py_ssize_t)fr, (Py_ssize_t)total, (int)rc);
}

/* ---- copies ---- */

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* The bytes a 2-D copy touches on one side: pitch * (height - 1) + width,
 * or 0 when that is not a sensible range (the C API reports it). */
static size_t extent2d(size_t pitch, size_t width, size_t height)
{
    size_t n;
    if (height == 0 || width > pitch || __builtin_mul_overflow(pitch, height - 1, &n) ||
        __builtin_add_overflow(n, width, &n))
        return 0;
    return n;
}

static PyObject *copy1d(PyObject *args, int async)
{
    void *dst, *src, *stream = NULL;
    size_t max, count;
    int kind;
    if (async ? !PyArg_ParseTuple(args, "O&O&O&O&iO&:memcpy_async", hpy_addr, &dst, hpy_size, &max, hpy_addr, &src,
                                  hpy_size, &count, &kind, hpy_addr, &stream)
              : !PyArg_ParseTuple(args, "O&O&O&O&i:memcpy", hpy_addr, &dst, hpy_size, &max, hpy_addr, &src, hpy_size,
                                  &count, &kind))
        return NULL;
    if (hpy_check_mapped(dst, min_size(max, count), "dst") != 0 || hpy_check_mapped(src, count, "src") != 0)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = async ? aclrtMemcpyAsync(dst, max, src, count, (aclrtMemcpyKind)kind, stream)
               : aclrtMemcpy(dst, max, src, count, (aclrtMemcpyKind)kind);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_memcpy(PyObject *self, PyObject *args)
{
    (void)self;
    return copy1d(args, 0);
}

static PyObject *py_memcpy_async(PyObject *self, PyObject *args)
{
    (void)self;
    return copy1d(args, 1);
}

static PyObject *copy2d(PyObject *args, int async)
{
    void *dst, *src, *stream = NULL;
    size_t dp, sp, w, h;
    int kind;
    if (async ? !PyArg_ParseTuple(args, "O&O&O&O&O&O&iO&:memcpy2d_async", hpy_addr, &dst, hpy_size, &dp, hpy_addr,
                                  &src, hpy_size, &sp, hpy_size, &w, hpy_size, &h, &kind, hpy_addr, &stream)
              : !PyArg_ParseTuple(args, "O&O&O&O&O&O&i:memcpy2d", hpy_addr, &dst, hpy_size, &dp, hpy_addr, &src,
                                  hpy_size, &sp, hpy_size, &w, hpy_size, &h, &kind))
        return NULL;
    if (hpy_check_mapped(dst, extent2d(dp, w, h), "dst") != 0 || hpy_check_mapped(src, extent2d(sp, w, h), "src") != 0)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = async ? aclrtMemcpy2dAsync(dst, dp, src, sp, w, h, (aclrtMemcpyKind)kind, stream)
               : aclrtMemcpy2d(dst, dp, src, sp, w, h, (aclrtMemcpyKind)kind);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_memcpy2d(PyObject *self, PyObject *args)
{
    (void)self;
    return copy2d(args, 0);
}

static PyObject *py_memcpy2d_async(PyObject *self, PyObject *args)
{
    (void)self;
    return copy2d(args, 1);
}

static PyObject *fill(PyObject *args, int async)
{
    void *dst, *stream = NULL;
    size_t max, count;
    int32_t value;
    if (async ? !PyArg_ParseTuple(args, "O&O&O&O&O&:memset_async", hpy_addr, &dst, hpy_size, &max, hpy_i32, &value,
                                  hpy_size, &count, hpy_addr, &stream)
              : !PyArg_ParseTuple(args, "O&O&O&O&:memset", hpy_addr, &dst, hpy_size, &max, hpy_i32, &value, hpy_size,
                                  &count))
        return NULL;
    if (hpy_check_mapped(dst, min_size(max, count), "dst") != 0)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = async ? aclrtMemsetAsync(dst, max, value, count, stream) : aclrtMemset(dst, max, value, count);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_memset(PyObject *self, PyObject *args)
{
    (void)self;
    return fill(args, 0);
}

static PyObject *py_memset_async(PyObject *self, PyObject *args)
{
    (void)self;
    return fill(args, 1);
}

static PyObject *py_reduce_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *dst, *src, *stream, *reserve = NULL;
    uint64_t count;
    int kind, type;
    if (!PyArg_ParseTuple(args, "O&O&O&iiO&|O&:reduce_async", hpy_addr, &dst, hpy_addr, &src, hpy_u64, &count, &kind,
                          &type, hpy_addr, &stream, hpy_addr, &reserve))
        return NULL;
    return hpy_ret(aclrtReduceAsync(dst, src, count, (aclrtReduceKind)kind, (aclDataType)type, stream, reserve));
}

static PyObject *value_op(PyObject *args, const char *fmt, aclError (*call)(void *, uint64_t, uint32_t, aclrtStream))
{
    void *addr, *stream;
    uint64_t value;
    uint32_t flag;
    if (!PyArg_ParseTuple(args, fmt, hpy_addr, &addr, hpy_u64, &value, hpy_u32, &flag, hpy_addr, &stream))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = call(addr, value, flag, stream);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_value_write(PyObject *self, PyObject *args)
{
    (void)self;
    return value_op(args, "O&O&O&O&:value_write", aclrtValueWrite);
}

static PyObject *py_value_wait(PyObject *self, PyObject *args)
{
    (void)self;
    return value_op(args, "O&O&O&O&:value_wait", aclrtValueWait);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
PyMethodDef hpy_rt_mem_methods[] = {
    ARGS(value_write),
    ARGS(value_wait),
    ARGS(reduce_async),
    ARGS(malloc),
    ARGS(malloc_cached),
    ARGS(malloc_host),
    ARGS(free),
    ARGS(free_host),
    ARGS(mem_flush),
    ARGS(mem_invalidate),
    ARGS(get_mem_info),
    ARGS(memcpy),
    ARGS(memcpy_async),
    ARGS(memcpy2d),
    ARGS(memcpy2d_async),
    ARGS(memset),
    ARGS(memset_async),
    {NULL, NULL, 0, NULL},
};
