/*
 * acl.rt built-in tasks with struct arguments: random_num_async takes the
 * task as a dict:
 *   {"dataType": ACL_FLOAT..., "funcType": 0..3, "params": [a, b],
 *    "seed": int, "num": int, "resultAddr": int, "counterAddr": int (opt.)}
 * where params are (ratio) for dropout, (min, max) for uniform and
 * (mean, stddev) for the normal ones, as Python numbers of dataType.
 */
#include <string.h>

#include "binding.h"

static uint16_t to_half(float f)
{
    return aclFloatToFloat16(f);
}

static uint16_t to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    x += 0x7fffu + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

/* A Python number as the parameter encoding of `type`. */
static int encode(PyObject *v, aclDataType type, aclrtRandomParaInfo *p)
{
    memset(p, 0, sizeof *p);
    if (type == ACL_FLOAT || type == ACL_FLOAT16 || type == ACL_BF16) {
        double d = PyFloat_AsDouble(v);
        if (d == -1.0 && PyErr_Occurred())
            return -1;
        if (type == ACL_FLOAT) {
            float f = (float)d;
            memcpy(p->valueOrAddr, &f, 4);
            p->size = 4;
        } else {
            uint16_t h = type == ACL_FLOAT16 ? to_half((float)d) : to_bf16((float)d);
            memcpy(p->valueOrAddr, &h, 2);
            p->size = 2;
        }
        return 0;
    }
    if (!PyLong_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "integer parameters must be ints");
        return -1;
    }
    long long s = PyLong_AsLongLong(v);
    unsigned long long u = (unsigned long long)s;
    if (s == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        u = PyLong_AsUnsignedLongLong(v);
        if (PyErr_Occurred())
            return -1;
    }
    p->size = type == ACL_INT32 || type == ACL_UINT32 ? 4 : 8;
    memcpy(p->valueOrAddr, &u, p->size);
    return 0;
}

static int get_u64(PyObject *d, const char *key, uint64_t *out, int required)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v) {
        if (required)
            PyErr_Format(PyExc_ValueError, "task info needs \"%s\"", key);
        return required ? -1 : 0;
    }
    return hpy_u64(v, out) ? 0 : -1;
}

static PyObject *py_random_num_async(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *d;
    void *stream, *reserve = NULL;
    if (!PyArg_ParseTuple(args, "O!O&|O&:random_num_async", &PyDict_Type, &d, hpy_addr, &stream, hpy_addr, &reserve))
        return NULL;
    aclrtRandomNumTaskInfo ti;
    memset(&ti, 0, sizeof ti);
    uint64_t dt, ft, seed, num, result, counter = 0, para = 0;
    if (get_u64(d, "dataType", &dt, 1) || get_u64(d, "funcType", &ft, 1) || get_u64(d, "seed", &seed, 1) ||
        get_u64(d, "num", &num, 1) || get_u64(d, "resultAddr", &result, 1) || get_u64(d, "counterAddr", &counter, 0) ||
        get_u64(d, "paraAddr", &para, 0))
        return NULL;
    ti.dataType = (aclDataType)dt;
    ti.randomNumFuncParaInfo.funcType = (aclrtRandomNumFuncType)ft;
    ti.randomResultAddr = (void *)(uintptr_t)result;
    ti.randomCounterAddr = (void *)(uintptr_t)counter;
    ti.randomParaAddr = (void *)(uintptr_t)para;
    memcpy(ti.randomSeed.valueOrAddr, &seed, 8);
    ti.randomSeed.size = 8;
    memcpy(ti.randomNum.valueOrAddr, &num, 8);
    ti.randomNum.size = 8;
    PyObject *params = PyDict_GetItemString(d, "params");
    PyObject *seq = params ? PySequence_Fast(params, "params must be a list") : NULL;
    if (!seq)
        return params ? NULL : PyErr_Format(PyExc_ValueError, "task info needs \"params\"");
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    aclrtRandomParaInfo *slots[2] = {&ti.randomNumFuncParaInfo.paramInfo.uniformDisInfo.min,
                                     &ti.randomNumFuncParaInfo.paramInfo.uniformDisInfo.max};
    int rc = 0;
    for (Py_ssize_t i = 0; i < n && i < 2 && rc == 0; i++)
        rc = encode(PySequence_Fast_GET_ITEM(seq, i), ti.dataType, slots[i]);
    Py_DECREF(seq);
    if (rc != 0)
        return NULL;
    aclError ret;
    Py_BEGIN_ALLOW_THREADS
    ret = aclrtRandomNumAsync(&ti, stream, reserve);
    Py_END_ALLOW_THREADS
    return hpy_ret(ret);
}

PyMethodDef hpy_rt_task_methods[] = {
    {"random_num_async", py_random_num_async, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
