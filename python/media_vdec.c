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

static PyObject *py_dvpp_create_stream_desc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_stream_desc"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateStreamDesc());
    return result;
}

static PyObject *py_dvpp_destroy_stream_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_stream_desc", hpy_addr, &streamDesc))
        return NULL;
    aclError rc = acldvppDestroyStreamDesc((acldvppStreamDesc *)streamDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_stream_desc_data(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    void *dataDev;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_stream_desc_data", hpy_addr, &streamDesc, hpy_addr, &dataDev))
        return NULL;
    aclError rc = acldvppSetStreamDescData((acldvppStreamDesc *)streamDesc, (void *)dataDev);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_stream_desc_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    uint32_t size;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_stream_desc_size", hpy_addr, &streamDesc, hpy_u32, &size))
        return NULL;
    aclError rc = acldvppSetStreamDescSize((acldvppStreamDesc *)streamDesc, size);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_stream_desc_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    int format;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:dvpp_set_stream_desc_format", hpy_addr, &streamDesc, &format))
        return NULL;
    aclError rc = acldvppSetStreamDescFormat((acldvppStreamDesc *)streamDesc, (acldvppStreamFormat)format);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_stream_desc_timestamp(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    uint64_t timestamp;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_stream_desc_timestamp", hpy_addr, &streamDesc, hpy_u64, &timestamp))
        return NULL;
    aclError rc = acldvppSetStreamDescTimestamp((acldvppStreamDesc *)streamDesc, timestamp);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_stream_desc_ret_code(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    uint32_t retCode;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_stream_desc_ret_code", hpy_addr, &streamDesc, hpy_u32, &retCode))
        return NULL;
    aclError rc = acldvppSetStreamDescRetCode((acldvppStreamDesc *)streamDesc, retCode);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_stream_desc_eos(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    int eos;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:dvpp_set_stream_desc_eos", hpy_addr, &streamDesc, &eos))
        return NULL;
    aclError rc = acldvppSetStreamDescEos((acldvppStreamDesc *)streamDesc, (uint8_t)eos);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_stream_desc_data(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_stream_desc_data", hpy_addr, &streamDesc))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppGetStreamDescData((const acldvppStreamDesc *)streamDesc));
    return result;
}

static PyObject *py_dvpp_get_stream_desc_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_stream_desc_size", hpy_addr, &streamDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetStreamDescSize((const acldvppStreamDesc *)streamDesc));
    return result;
}

static PyObject *py_dvpp_get_stream_desc_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_stream_desc_format", hpy_addr, &streamDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetStreamDescFormat((const acldvppStreamDesc *)streamDesc));
    return result;
}

static PyObject *py_dvpp_get_stream_desc_timestamp(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_stream_desc_timestamp", hpy_addr, &streamDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetStreamDescTimestamp((const acldvppStreamDesc *)streamDesc));
    return result;
}

static PyObject *py_dvpp_get_stream_desc_ret_code(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_stream_desc_ret_code", hpy_addr, &streamDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetStreamDescRetCode((const acldvppStreamDesc *)streamDesc));
    return result;
}

static PyObject *py_dvpp_get_stream_desc_eos(PyObject *self, PyObject *args)
{
    (void)self;
    void *streamDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_stream_desc_eos", hpy_addr, &streamDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetStreamDescEos((const acldvppStreamDesc *)streamDesc));
    return result;
}

static PyObject *py_vdec_create_channel_desc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":vdec_create_channel_desc"))
        return NULL;
    result = hpy_addr_obj((const void *)aclvdecCreateChannelDesc());
    return result;
}

static PyObject *py_vdec_destroy_channel_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_destroy_channel_desc", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = aclvdecDestroyChannelDesc((aclvdecChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_channel_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t channelId;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_channel_id", hpy_addr, &channelDesc, hpy_u32, &channelId))
        return NULL;
    aclError rc = aclvdecSetChannelDescChannelId((aclvdecChannelDesc *)channelDesc, channelId);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_thread_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint64_t threadId;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_thread_id", hpy_addr, &channelDesc, hpy_u64, &threadId))
        return NULL;
    aclError rc = aclvdecSetChannelDescThreadId((aclvdecChannelDesc *)channelDesc, threadId);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_callback(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *callback;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_callback", hpy_addr, &channelDesc, hpy_addr, &callback))
        return NULL;
    aclError rc = aclvdecSetChannelDescCallback((aclvdecChannelDesc *)channelDesc, (aclvdecCallback)callback);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_en_type(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int enType;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:vdec_set_channel_desc_en_type", hpy_addr, &channelDesc, &enType))
        return NULL;
    aclError rc = aclvdecSetChannelDescEnType((aclvdecChannelDesc *)channelDesc, (acldvppStreamFormat)enType);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_out_pic_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int outPicFormat;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:vdec_set_channel_desc_out_pic_format", hpy_addr, &channelDesc, &outPicFormat))
        return NULL;
    aclError rc = aclvdecSetChannelDescOutPicFormat((aclvdecChannelDesc *)channelDesc, (acldvppPixelFormat)outPicFormat);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_out_pic_width(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t outPicWidth;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_out_pic_width", hpy_addr, &channelDesc, hpy_u32, &outPicWidth))
        return NULL;
    aclError rc = aclvdecSetChannelDescOutPicWidth((aclvdecChannelDesc *)channelDesc, outPicWidth);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_out_pic_height(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t outPicHeight;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_out_pic_height", hpy_addr, &channelDesc, hpy_u32, &outPicHeight))
        return NULL;
    aclError rc = aclvdecSetChannelDescOutPicHeight((aclvdecChannelDesc *)channelDesc, outPicHeight);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_ref_frame_num(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t refFrameNum;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_ref_frame_num", hpy_addr, &channelDesc, hpy_u32, &refFrameNum))
        return NULL;
    aclError rc = aclvdecSetChannelDescRefFrameNum((aclvdecChannelDesc *)channelDesc, refFrameNum);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_bit_depth(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t bitDepth;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_bit_depth", hpy_addr, &channelDesc, hpy_u32, &bitDepth))
        return NULL;
    aclError rc = aclvdecSetChannelDescBitDepth((aclvdecChannelDesc *)channelDesc, bitDepth);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_set_channel_desc_out_mode(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t outMode;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:vdec_set_channel_desc_out_mode", hpy_addr, &channelDesc, hpy_u32, &outMode))
        return NULL;
    aclError rc = aclvdecSetChannelDescOutMode((aclvdecChannelDesc *)channelDesc, outMode);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_get_channel_desc_channel_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_channel_id", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescChannelId((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_thread_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_thread_id", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescThreadId((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_callback(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_callback", hpy_addr, &channelDesc))
        return NULL;
    result = hpy_addr_obj((const void *)aclvdecGetChannelDescCallback((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_en_type(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_en_type", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescEnType((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_out_pic_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_out_pic_format", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescOutPicFormat((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_out_pic_width(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_out_pic_width", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescOutPicWidth((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_out_pic_height(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_out_pic_height", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescOutPicHeight((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_bit_depth(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_bit_depth", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescBitDepth((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_ref_frame_num(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_ref_frame_num", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescRefFrameNum((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_get_channel_desc_out_mode(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_get_channel_desc_out_mode", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvdecGetChannelDescOutMode((const aclvdecChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_vdec_set_channel_desc_param(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int paramType;
    size_t length;
    void *param;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&iO&O&:vdec_set_channel_desc_param", hpy_addr, &channelDesc, &paramType, hpy_size, &length, hpy_addr, &param))
        return NULL;
    aclError rc = aclvdecSetChannelDescParam((aclvdecChannelDesc *)channelDesc, (aclvdecChannelDescParamType)paramType, length, (const void *)param);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_get_channel_desc_param(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int paramType;
    size_t length;
    size_t paramRetSize = 0;
    void *param;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&iO&O&:vdec_get_channel_desc_param", hpy_addr, &channelDesc, &paramType, hpy_size, &length, hpy_addr, &param))
        return NULL;
    aclError rc = aclvdecGetChannelDescParam((const aclvdecChannelDesc *)channelDesc, (aclvdecChannelDescParamType)paramType, length, &paramRetSize, (void *)param);
    result = Py_BuildValue("(Li)", (long long)paramRetSize, (int)rc);
    return result;
}

static PyObject *py_vdec_create_frame_config(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":vdec_create_frame_config"))
        return NULL;
    result = hpy_addr_obj((const void *)aclvdecCreateFrameConfig());
    return result;
}

static PyObject *py_vdec_destroy_frame_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *vdecFrameConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_destroy_frame_config", hpy_addr, &vdecFrameConfig))
        return NULL;
    aclError rc = aclvdecDestroyFrameConfig((aclvdecFrameConfig *)vdecFrameConfig);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_create_channel(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_create_channel", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = aclvdecCreateChannel((aclvdecChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_destroy_channel(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:vdec_destroy_channel", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = aclvdecDestroyChannel((aclvdecChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_send_frame(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *input;
    void *output;
    void *config;
    void *userData;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:vdec_send_frame", hpy_addr, &channelDesc, hpy_addr, &input, hpy_addr, &output, hpy_addr, &config, hpy_addr, &userData))
        return NULL;
    aclError rc = aclvdecSendFrame((aclvdecChannelDesc *)channelDesc, (acldvppStreamDesc *)input, (acldvppPicDesc *)output, (aclvdecFrameConfig *)config, (void *)userData);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_vdec_send_skipped_frame(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *input;
    void *config;
    void *userData;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&:vdec_send_skipped_frame", hpy_addr, &channelDesc, hpy_addr, &input, hpy_addr, &config, hpy_addr, &userData))
        return NULL;
    aclError rc = aclvdecSendSkippedFrame((aclvdecChannelDesc *)channelDesc, (acldvppStreamDesc *)input, (aclvdecFrameConfig *)config, (void *)userData);
    result = hpy_ret(rc);
    return result;
}
PyMethodDef hpy_media_vdec_methods[] = {
    {"dvpp_create_stream_desc", py_dvpp_create_stream_desc, METH_VARARGS, NULL},
    {"dvpp_destroy_stream_desc", py_dvpp_destroy_stream_desc, METH_VARARGS, NULL},
    {"dvpp_set_stream_desc_data", py_dvpp_set_stream_desc_data, METH_VARARGS, NULL},
    {"dvpp_set_stream_desc_size", py_dvpp_set_stream_desc_size, METH_VARARGS, NULL},
    {"dvpp_set_stream_desc_format", py_dvpp_set_stream_desc_format, METH_VARARGS, NULL},
    {"dvpp_set_stream_desc_timestamp", py_dvpp_set_stream_desc_timestamp, METH_VARARGS, NULL},
    {"dvpp_set_stream_desc_ret_code", py_dvpp_set_stream_desc_ret_code, METH_VARARGS, NULL},
    {"dvpp_set_stream_desc_eos", py_dvpp_set_stream_desc_eos, METH_VARARGS, NULL},
    {"dvpp_get_stream_desc_data", py_dvpp_get_stream_desc_data, METH_VARARGS, NULL},
    {"dvpp_get_stream_desc_size", py_dvpp_get_stream_desc_size, METH_VARARGS, NULL},
    {"dvpp_get_stream_desc_format", py_dvpp_get_stream_desc_format, METH_VARARGS, NULL},
    {"dvpp_get_stream_desc_timestamp", py_dvpp_get_stream_desc_timestamp, METH_VARARGS, NULL},
    {"dvpp_get_stream_desc_ret_code", py_dvpp_get_stream_desc_ret_code, METH_VARARGS, NULL},
    {"dvpp_get_stream_desc_eos", py_dvpp_get_stream_desc_eos, METH_VARARGS, NULL},
    {"vdec_create_channel_desc", py_vdec_create_channel_desc, METH_VARARGS, NULL},
    {"vdec_destroy_channel_desc", py_vdec_destroy_channel_desc, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_channel_id", py_vdec_set_channel_desc_channel_id, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_thread_id", py_vdec_set_channel_desc_thread_id, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_callback", py_vdec_set_channel_desc_callback, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_en_type", py_vdec_set_channel_desc_en_type, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_out_pic_format", py_vdec_set_channel_desc_out_pic_format, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_out_pic_width", py_vdec_set_channel_desc_out_pic_width, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_out_pic_height", py_vdec_set_channel_desc_out_pic_height, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_ref_frame_num", py_vdec_set_channel_desc_ref_frame_num, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_bit_depth", py_vdec_set_channel_desc_bit_depth, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_out_mode", py_vdec_set_channel_desc_out_mode, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_channel_id", py_vdec_get_channel_desc_channel_id, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_thread_id", py_vdec_get_channel_desc_thread_id, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_callback", py_vdec_get_channel_desc_callback, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_en_type", py_vdec_get_channel_desc_en_type, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_out_pic_format", py_vdec_get_channel_desc_out_pic_format, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_out_pic_width", py_vdec_get_channel_desc_out_pic_width, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_out_pic_height", py_vdec_get_channel_desc_out_pic_height, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_bit_depth", py_vdec_get_channel_desc_bit_depth, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_ref_frame_num", py_vdec_get_channel_desc_ref_frame_num, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_out_mode", py_vdec_get_channel_desc_out_mode, METH_VARARGS, NULL},
    {"vdec_set_channel_desc_param", py_vdec_set_channel_desc_param, METH_VARARGS, NULL},
    {"vdec_get_channel_desc_param", py_vdec_get_channel_desc_param, METH_VARARGS, NULL},
    {"vdec_create_frame_config", py_vdec_create_frame_config, METH_VARARGS, NULL},
    {"vdec_destroy_frame_config", py_vdec_destroy_frame_config, METH_VARARGS, NULL},
    {"vdec_create_channel", py_vdec_create_channel, METH_VARARGS, NULL},
    {"vdec_destroy_channel", py_vdec_destroy_channel, METH_VARARGS, NULL},
    {"vdec_send_frame", py_vdec_send_frame, METH_VARARGS, NULL},
    {"vdec_send_skipped_frame", py_vdec_send_skipped_frame, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
