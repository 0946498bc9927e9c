/*
 * acl.mdl: dynamic-AIPP objects, AIPP queries and the --dynamic_dims gear
 * queries, under pyACL's names. Objects are addresses (ints) as elsewhere.
 */
#include <string.h>

#include "binding.h"

static PyObject *py_create_aipp(PyObject *self, PyObject *args)
{
    (void)self;
    uint64_t n;
    if (!PyArg_ParseTuple(args, "O&:create_aipp", hpy_u64, &n))
        return NULL;
    return hpy_addr_obj(aclmdlCreateAIPP(n));
}

static PyObject *py_destroy_aipp(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    if (!PyArg_ParseTuple(args, "O&:destroy_aipp", hpy_addr, &p))
        return NULL;
    return hpy_ret(aclmdlDestroyAIPP(p));
}

static PyObject *py_get_aipp_data_size(PyObject *self, PyObject *args)
{
    (void)self;
    uint64_t n;
    if (!PyArg_ParseTuple(args, "O&:get_aipp_data_size", hpy_u64, &n))
        return NULL;
    size_t size = 0;
    aclError rc = aclmdlGetAippDataSize(n, &size);
    return hpy_u64_ret(size, rc);
}

static PyObject *py_set_aipp_input_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    int f;
    if (!PyArg_ParseTuple(args, "O&i:set_aipp_input_format", hpy_addr, &p, &f))
        return NULL;
    return hpy_ret(aclmdlSetAIPPInputFormat(p, (aclAippInputFormat)f));
}

static PyObject *py_set_aipp_csc_params(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    int v[16];
    if (!PyArg_ParseTuple(args, "O&iiiiiiiiiiiiiiii:set_aipp_csc_params", hpy_addr, &p, &v[0], &v[1], &v[2], &v[3],
                          &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]))
        return NULL;
    for (int i = 0; i < 16; i++)
        if (v[i] < (i >= 10 ? 0 : -32768) || v[i] > (i >= 10 ? 255 : 32767))
            return PyErr_Format(PyExc_ValueError, "argument %d (%d) is out of its C type's range", i + 2, v[i]);
    return hpy_ret(aclmdlSetAIPPCscParams(p, (int8_t)v[0], (int16_t)v[1], (int16_t)v[2], (int16_t)v[3],
                                          (int16_t)v[4], (int16_t)v[5], (int16_t)v[6], (int16_t)v[7], (int16_t)v[8],
                                          (int16_t)v[9], (uint8_t)v[10], (uint8_t)v[11], (uint8_t)v[12],
                                          (uint8_t)v[13], (uint8_t)v[14], (uint8_t)v[15]));
}

#define SWITCH(pyname, call)                                                                                          \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                                                      \
    {                                                                                                                 \
        (void)self;                                                                                                   \
        void *p;                                                                                                      \
        int v;                                                                                                        \
        if (!PyArg_ParseTuple(args, "O&i:" #pyname, hpy_addr, &p, &v))                                                \
            return NULL;                                                                                              \
        return hpy_ret(call(p, (int8_t)(v < -128 || v > 127 ? 2 : v)));                                               \
    }
SWITCH(set_aipp_rbuv_swap_switch, aclmdlSetAIPPRbuvSwapSwitch)
SWITCH(set_aipp_ax_swap_switch, aclmdlSetAIPPAxSwapSwitch)

static PyObject *py_set_aipp_src_image_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    int w, h;
    if (!PyArg_ParseTuple(args, "O&ii:set_aipp_src_image_size", hpy_addr, &p, &w, &h))
        return NULL;
    return hpy_ret(aclmdlSetAIPPSrcImageSize(p, w, h));
}

/* (aipp, switch, four int32, batch_index) */
#define SWITCH4(pyname, call)                                                                                         \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                                                      \
    {                                                                                                                 \
        (void)self;                                                                                                   \
        void *p;                                                                                                      \
        int sw, a, b, c, d;                                                                                           \
        uint64_t bi;                                                                                                  \
        if (!PyArg_ParseTuple(args, "O&iiiiiO&:" #pyname, hpy_addr, &p, &sw, &a, &b, &c, &d, hpy_u64, &bi))         \
            return NULL;                                                                                              \
        return hpy_ret(call(p, (int8_t)(sw < -128 || sw > 127 ? 2 : sw), a, b, c, d, bi));                            \
    }
SWITCH4(set_aipp_scf_params, aclmdlSetAIPPScfParams)
SWITCH4(set_aipp_crop_params, aclmdlSetAIPPCropParams)
SWITCH4(set_aipp_padding_params, aclmdlSetAIPPPaddingParams)

static PyObject *py_set_aipp_dtc_pixel_mean(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    int v[4];
    uint64_t bi;
    if (!PyArg_ParseTuple(args, "O&iiiiO&:set_aipp_dtc_pixel_mean", hpy_addr, &p, &v[0], &v[1], &v[2], &v[3], hpy_u64,
                          &bi))
        return NULL;
    for (int i = 0; i < 4; i++)
        if (v[i] < -32768 || v[i] > 32767)
            return PyErr_Format(PyExc_ValueError, "mean %d (%d) is not an int16", i, v[i]);
    return hpy_ret(aclmdlSetAIPPDtcPixelMean(p, (int16_t)v[0], (int16_t)v[1], (int16_t)v[2], (int16_t)v[3], bi));
}

#define FLOAT4(pyname, call)                                                                                          \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                                                      \
    {                                                                                                                 \
        (void)self;                                                                                                   \
        void *p;                                                                                                      \
        float v[4];                                                                                                   \
        uint64_t bi;                                                                                                  \
        if (!PyArg_ParseTuple(args, "O&ffffO&:" #pyname, hpy_addr, &p, &v[0], &v[1], &v[2], &v[3], hpy_u64, &bi))    \
            return NULL;                                                                                              \
        return hpy_ret(call(p, v[0], v[1], v[2], v[3], bi));                                                          \
    }
FLOAT4(set_aipp_dtc_pixel_min, aclmdlSetAIPPDtcPixelMin)
FLOAT4(set_aipp_pixel_var_reci, aclmdlSetAIPPPixelVarReci)

#define SET_INPUT(pyname, call)                                                                                       \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                                                      \
    {                                                                                                                 \
        (void)self;                                                                                                   \
        uint32_t id;                                                                                                  \
        void *ds, *p;                                                                                                 \
        size_t index;                                                                                                 \
        if (!PyArg_ParseTuple(args, "O&O&O&O&:" #pyname, hpy_u32, &id, hpy_addr, &ds, hpy_size, &index, hpy_addr,   \
                              &p))                                                                                    \
            return NULL;                                                                                              \
        return hpy_ret(call(id, ds, index, p));                                                                       \
    }
SET_INPUT(set_input_aipp, aclmdlSetInputAIPP)
SET_INPUT(set_aipp_by_input_index, aclmdlSetAIPPByInputIndex)

/* As pyACL: (type, dynamic_attached_data_index, ret). */
static PyObject *py_get_aipp_type(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id;
    size_t index;
    if (!PyArg_ParseTuple(args, "O&O&:get_aipp_type", hpy_u32, &id, hpy_size, &index))
        return NULL;
    aclmdlInputAippType t = ACL_DATA_WITHOUT_AIPP;
    size_t attached = ACL_INVALID_NODE_INDEX;
    aclError rc = aclmdlGetAippType(id, index, &t, &attached);
    return Py_BuildValue("(inI)", (int)t, (Py_ssize_t)attached, (unsigned)rc);
}

/* (dict of aclAippInfo's fields, ret) */
static PyObject *py_get_first_aipp_info(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id;
    size_t index;
    if (!PyArg_ParseTuple(args, "O&O&:get_first_aipp_info", hpy_u32, &id, hpy_size, &index))
        return NULL;
    aclAippInfo *o = PyMem_Calloc(1, sizeof *o);
    if (!o)
        return PyErr_NoMemory();
    aclError rc = aclmdlGetFirstAippInfo(id, index, o);
    PyObject *d = PyDict_New(), *shapes = PyList_New(0);
    if (!d || !shapes) {
        PyMem_Free(o);
        Py_XDECREF(d);
        Py_XDECREF(shapes);
        return NULL;
    }
    if (rc == ACL_SUCCESS) {
        const struct {
            const char *k;
            long long v;
        } ints[] = {{"inputFormat", o->inputFormat}, {"srcImageSizeW", o->srcImageSizeW},
                    {"srcImageSizeH", o->srcImageSizeH}, {"cropSwitch", o->cropSwitch},
                    {"loadStartPosW", o->loadStartPosW}, {"loadStartPosH", o->loadStartPosH},
                    {"cropSizeW", o->cropSizeW}, {"cropSizeH", o->cropSizeH}, {"paddingSwitch", o->paddingSwitch},
                    {"leftPaddingSize", o->leftPaddingSize}, {"rightPaddingSize", o->rightPaddingSize},
                    {"topPaddingSize", o->topPaddingSize}, {"bottomPaddingSize", o->bottomPaddingSize},
                    {"cscSwitch", o->cscSwitch}, {"rbuvSwapSwitch", o->rbuvSwapSwitch},
                    {"axSwapSwitch", o->axSwapSwitch}, {"matrixR0C0", o->matrixR0C0}, {"matrixR0C1", o->matrixR0C1},
                    {"matrixR0C2", o->matrixR0C2}, {"matrixR1C0", o->matrixR1C0}, {"matrixR1C1", o->matrixR1C1},
                    {"matrixR1C2", o->matrixR1C2}, {"matrixR2C0", o->matrixR2C0}, {"matrixR2C1", o->matrixR2C1},
                    {"matrixR2C2", o->matrixR2C2}, {"outputBias0", o->outputBias0}, {"outputBias1", o->outputBias1},
                    {"outputBias2", o->outputBias2}, {"inputBias0", o->inputBias0}, {"inputBias1", o->inputBias1},
                    {"inputBias2", o->inputBias2}, {"meanChn0", o->meanChn0}, {"meanChn1", o->meanChn1},
                    {"meanChn2", o->meanChn2}, {"meanChn3", o->meanChn3}, {"srcFormat", o->srcFormat},
                    {"srcDatatype", o->srcDatatype}, {"srcDimNum", (long long)o->srcDimNum},
                    {"shapeCount", (long long)o->shapeCount}};
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
            PyObject *v = PyLong_FromLongLong(ints[i].v);
            if (!v || PyDict_SetItemString(d, ints[i].k, v) != 0) {
                Py_XDECREF(v);
                goto fail;
            }
            Py_DECREF(v);
        }
        const float fl[8] = {o->minChn0, o->minChn1, o->minChn2, o->minChn3,
                             o->varReciChn0, o->varReciChn1, o->varReciChn2, o->varReciChn3};
        static const char *const fk[8] = {"minChn0", "minChn1", "minChn2", "minChn3",
                                          "varReciChn0", "varReciChn1", "varReciChn2", "varReciChn3"};
        for (int i = 0; i < 8; i++) {
            PyObject *v = PyFloat_FromDouble(fl[i]);
            if (!v || PyDict_SetItemString(d, fk[i], v) != 0) {
                Py_XDECREF(v);
                goto fail;
            }
            Py_DECREF(v);
        }
        for (size_t g = 0; g < o->shapeCount && g < ACL_MAX_SHAPE_COUNT; g++) {
            PyObject *e = Py_BuildValue("{s:N,s:n,s:N,s:n}", "srcDims", hpy_dims_dict(&o->outDims[g].srcDims, rc),
                                        "srcSize", (Py_ssize_t)o->outDims[g].srcSize, "aippOutdims",
                                        hpy_dims_dict(&o->outDims[g].aippOutdims, rc), "aippOutSize",
                                        (Py_ssize_t)o->outDims[g].aippOutSize);
            if (!e || PyList_Append(shapes, e) != 0) {
                Py_XDECREF(e);
                goto fail;
            }
            Py_DECREF(e);
        }
        if (PyDict_SetItemString(d, "outDims", shapes) != 0)
            goto fail;
    }
    PyMem_Free(o);
    Py_DECREF(shapes);
    return Py_BuildValue("(NI)", d, (unsigned)rc);
fail:
    PyMem_Free(o);
    Py_DECREF(d);
    Py_DECREF(shapes);
    return NULL;
}

static PyObject *py_get_input_dynamic_gear_count(PyObject *self, PyObject *args)
{
    (void)self;
    void *desc;
    long long index;
    if (!PyArg_ParseTuple(args, "O&L:get_input_dynamic_gear_count", hpy_addr, &desc, &index))
        return NULL;
    size_t n = 0;
    aclError rc = aclmdlGetInputDynamicGearCount(desc, (size_t)index, &n);
    return hpy_u64_ret(n, rc);
}

/* (list of dims dicts, ret) */
static PyObject *py_get_input_dynamic_dims(PyObject *self, PyObject *args)
{
    (void)self;
    void *desc;
    long long index;
    size_t count;
    if (!PyArg_ParseTuple(args, "O&LO&:get_input_dynamic_dims", hpy_addr, &desc, &index, hpy_size, &count))
        return NULL;
    if (count > 4096)
        return PyErr_Format(PyExc_ValueError, "gear_count %zu: at most 4096", count);
    aclmdlIODims *d = PyMem_Calloc(count ? count : 1, sizeof *d);
    if (!d)
        return PyErr_NoMemory();
    aclError rc = aclmdlGetInputDynamicDims(desc, (size_t)index, d, count);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && rc == ACL_SUCCESS && i < count; i++) {
        PyObject *e = hpy_dims_dict(&d[i], rc);
        if (!e || PyList_Append(list, e) != 0)
            Py_CLEAR(list);
        Py_XDECREF(e);
    }
    PyMem_Free(d);
    if (!list)
        return NULL;
    return Py_BuildValue("(NI)", list, (unsigned)rc);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
PyMethodDef hpy_mdl_aipp_methods[] = {
    ARGS(create_aipp),
    ARGS(destroy_aipp),
    ARGS(get_aipp_data_size),
    ARGS(set_aipp_input_format),
    ARGS(set_aipp_csc_params),
    ARGS(set_aipp_rbuv_swap_switch),
    ARGS(set_aipp_ax_swap_switch),
    ARGS(set_aipp_src_image_size),
    ARGS(set_aipp_scf_params),
    ARGS(set_aipp_crop_params),
    ARGS(set_aipp_padding_params),
    ARGS(set_aipp_dtc_pixel_mean),
    ARGS(set_aipp_dtc_pixel_min),
    ARGS(set_aipp_pixel_var_reci),
    ARGS(set_input_aipp),
    ARGS(set_aipp_by_input_index),
    ARGS(get_aipp_type),
    ARGS(get_first_aipp_info),
    ARGS(get_input_dynamic_gear_count),
    ARGS(get_input_dynamic_dims),
    {NULL, NULL, 0, NULL},
};
