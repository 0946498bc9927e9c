/*
 * acl.media: the DVPP calls under pyACL's names (acldvppJpegDecodeAsync ->
 * acl.media.dvpp_jpeg_decode_async). Written by tools/gen/gen_media.py from
 * acl/ops/acl_dvpp.h; pointers are addresses (ints), output parameters
 * come back before ret, arrays of regions are lists of addresses.
 */
#define ENABLE_DVPP_INTERFACE
#include <string.h>

#include "acl/ops/acl_dvpp.h"
#include "binding.h"

static PyObject *py_dvpp_malloc(PyObject *self, PyObject *args)
{
    (void)self;
    void * devPtr = 0;
    size_t size;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_malloc", hpy_size, &size))
        return NULL;
    aclError rc = acldvppMalloc(&devPtr, size);
    result = Py_BuildValue("(Ki)", (unsigned long long)(uintptr_t)devPtr, (int)rc);
    return result;
}

static PyObject *py_dvpp_free(PyObject *self, PyObject *args)
{
    (void)self;
    void *devPtr;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_free", hpy_addr, &devPtr))
        return NULL;
    aclError rc = acldvppFree((void *)devPtr);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_create_channel_desc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_channel_desc"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateChannelDesc());
    return result;
}

static PyObject *py_dvpp_destroy_channel_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_channel_desc", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = acldvppDestroyChannelDesc((acldvppChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_channel_desc_channel_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_channel_desc_channel_id", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetChannelDescChannelId((const acldvppChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_dvpp_set_channel_desc_mode(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t mode;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_channel_desc_mode", hpy_addr, &channelDesc, hpy_u32, &mode))
        return NULL;
    aclError rc = acldvppSetChannelDescMode((acldvppChannelDesc *)channelDesc, mode);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_channel_desc_param(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int paramType;
    size_t length;
    void *param;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&iO&O&:dvpp_set_channel_desc_param", hpy_addr, &channelDesc, &paramType, hpy_size, &length, hpy_addr, &param))
        return NULL;
    aclError rc = acldvppSetChannelDescParam((acldvppChannelDesc *)channelDesc, (acldvppChannelDescParamType)paramType, length, (const void *)param);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_channel_desc_param(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int paramType;
    size_t length;
    size_t paramRetSize = 0;
    void *param;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&iO&O&:dvpp_get_channel_desc_param", hpy_addr, &channelDesc, &paramType, hpy_size, &length, hpy_addr, &param))
        return NULL;
    aclError rc = acldvppGetChannelDescParam((const acldvppChannelDesc *)channelDesc, (acldvppChannelDescParamType)paramType, length, &paramRetSize, (void *)param);
    result = Py_BuildValue("(Li)", (long long)paramRetSize, (int)rc);
    return result;
}

static PyObject *py_dvpp_create_channel(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_create_channel", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = acldvppCreateChannel((acldvppChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_destroy_channel(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_channel", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = acldvppDestroyChannel((acldvppChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_create_pic_desc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_pic_desc"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreatePicDesc());
    return result;
}

static PyObject *py_dvpp_destroy_pic_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_pic_desc", hpy_addr, &picDesc))
        return NULL;
    aclError rc = acldvppDestroyPicDesc((acldvppPicDesc *)picDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_data(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    void *dataDev;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_data", hpy_addr, &picDesc, hpy_addr, &dataDev))
        return NULL;
    aclError rc = acldvppSetPicDescData((acldvppPicDesc *)picDesc, (void *)dataDev);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    uint32_t size;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_size", hpy_addr, &picDesc, hpy_u32, &size))
        return NULL;
    aclError rc = acldvppSetPicDescSize((acldvppPicDesc *)picDesc, size);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    int format;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:dvpp_set_pic_desc_format", hpy_addr, &picDesc, &format))
        return NULL;
    aclError rc = acldvppSetPicDescFormat((acldvppPicDesc *)picDesc, (acldvppPixelFormat)format);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_width(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    uint32_t width;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_width", hpy_addr, &picDesc, hpy_u32, &width))
        return NULL;
    aclError rc = acldvppSetPicDescWidth((acldvppPicDesc *)picDesc, width);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_height(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    uint32_t height;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_height", hpy_addr, &picDesc, hpy_u32, &height))
        return NULL;
    aclError rc = acldvppSetPicDescHeight((acldvppPicDesc *)picDesc, height);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_width_stride(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    uint32_t widthStride;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_width_stride", hpy_addr, &picDesc, hpy_u32, &widthStride))
        return NULL;
    aclError rc = acldvppSetPicDescWidthStride((acldvppPicDesc *)picDesc, widthStride);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_height_stride(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    uint32_t heightStride;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_height_stride", hpy_addr, &picDesc, hpy_u32, &heightStride))
        return NULL;
    aclError rc = acldvppSetPicDescHeightStride((acldvppPicDesc *)picDesc, heightStride);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_pic_desc_ret_code(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    uint32_t retCode;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_pic_desc_ret_code", hpy_addr, &picDesc, hpy_u32, &retCode))
        return NULL;
    aclError rc = acldvppSetPicDescRetCode((acldvppPicDesc *)picDesc, retCode);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_pic_desc_data(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_data", hpy_addr, &picDesc))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppGetPicDescData((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_size", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescSize((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_format", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescFormat((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_width(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_width", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescWidth((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_height(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_height", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescHeight((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_width_stride(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_width_stride", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescWidthStride((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_height_stride(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_height_stride", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescHeightStride((const acldvppPicDesc *)picDesc));
    return result;
}

static PyObject *py_dvpp_get_pic_desc_ret_code(PyObject *self, PyObject *args)
{
    (void)self;
    void *picDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_pic_desc_ret_code", hpy_addr, &picDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetPicDescRetCode((const acldvppPicDesc *)picDesc));
    return result;
}
PyMethodDef hpy_media_objects_methods[] = {
    {"dvpp_malloc", py_dvpp_malloc, METH_VARARGS, NULL},
    {"dvpp_free", py_dvpp_free, METH_VARARGS, NULL},
    {"dvpp_create_channel_desc", py_dvpp_create_channel_desc, METH_VARARGS, NULL},
    {"dvpp_destroy_channel_desc", py_dvpp_destroy_channel_desc, METH_VARARGS, NULL},
    {"dvpp_get_channel_desc_channel_id", py_dvpp_get_channel_desc_channel_id, METH_VARARGS, NULL},
    {"dvpp_set_channel_desc_mode", py_dvpp_set_channel_desc_mode, METH_VARARGS, NULL},
    {"dvpp_set_channel_desc_param", py_dvpp_set_channel_desc_param, METH_VARARGS, NULL},
    {"dvpp_get_channel_desc_param", py_dvpp_get_channel_desc_param, METH_VARARGS, NULL},
    {"dvpp_create_channel", py_dvpp_create_channel, METH_VARARGS, NULL},
    {"dvpp_destroy_channel", py_dvpp_destroy_channel, METH_VARARGS, NULL},
    {"dvpp_create_pic_desc", py_dvpp_create_pic_desc, METH_VARARGS, NULL},
    {"dvpp_destroy_pic_desc", py_dvpp_destroy_pic_desc, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_data", py_dvpp_set_pic_desc_data, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_size", py_dvpp_set_pic_desc_size, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_format", py_dvpp_set_pic_desc_format, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_width", py_dvpp_set_pic_desc_width, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_height", py_dvpp_set_pic_desc_height, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_width_stride", py_dvpp_set_pic_desc_width_stride, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_height_stride", py_dvpp_set_pic_desc_height_stride, METH_VARARGS, NULL},
    {"dvpp_set_pic_desc_ret_code", py_dvpp_set_pic_desc_ret_code, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_data", py_dvpp_get_pic_desc_data, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_size", py_dvpp_get_pic_desc_size, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_format", py_dvpp_get_pic_desc_format, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_width", py_dvpp_get_pic_desc_width, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_height", py_dvpp_get_pic_desc_height, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_width_stride", py_dvpp_get_pic_desc_width_stride, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_height_stride", py_dvpp_get_pic_desc_height_stride, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc_ret_code", py_dvpp_get_pic_desc_ret_code, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
