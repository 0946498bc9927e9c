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

static PyObject *py_venc_create_channel_desc(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":venc_create_channel_desc"))
        return NULL;
    result = hpy_addr_obj((const void *)aclvencCreateChannelDesc());
    return result;
}

static PyObject *py_venc_destroy_channel_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_destroy_channel_desc", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = aclvencDestroyChannelDesc((aclvencChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_thread_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint64_t threadId;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_thread_id", hpy_addr, &channelDesc, hpy_u64, &threadId))
        return NULL;
    aclError rc = aclvencSetChannelDescThreadId((aclvencChannelDesc *)channelDesc, threadId);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_callback(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *callback;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_callback", hpy_addr, &channelDesc, hpy_addr, &callback))
        return NULL;
    aclError rc = aclvencSetChannelDescCallback((aclvencChannelDesc *)channelDesc, (aclvencCallback)callback);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_en_type(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int enType;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:venc_set_channel_desc_en_type", hpy_addr, &channelDesc, &enType))
        return NULL;
    aclError rc = aclvencSetChannelDescEnType((aclvencChannelDesc *)channelDesc, (acldvppStreamFormat)enType);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_pic_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int picFormat;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:venc_set_channel_desc_pic_format", hpy_addr, &channelDesc, &picFormat))
        return NULL;
    aclError rc = aclvencSetChannelDescPicFormat((aclvencChannelDesc *)channelDesc, (acldvppPixelFormat)picFormat);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_pic_width(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t picWidth;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_pic_width", hpy_addr, &channelDesc, hpy_u32, &picWidth))
        return NULL;
    aclError rc = aclvencSetChannelDescPicWidth((aclvencChannelDesc *)channelDesc, picWidth);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_pic_height(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t picHeight;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_pic_height", hpy_addr, &channelDesc, hpy_u32, &picHeight))
        return NULL;
    aclError rc = aclvencSetChannelDescPicHeight((aclvencChannelDesc *)channelDesc, picHeight);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_key_frame_interval(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t keyFrameInterval;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_key_frame_interval", hpy_addr, &channelDesc, hpy_u32, &keyFrameInterval))
        return NULL;
    aclError rc = aclvencSetChannelDescKeyFrameInterval((aclvencChannelDesc *)channelDesc, keyFrameInterval);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_buf_addr(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *bufAddr;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_buf_addr", hpy_addr, &channelDesc, hpy_addr, &bufAddr))
        return NULL;
    aclError rc = aclvencSetChannelDescBufAddr((aclvencChannelDesc *)channelDesc, (void *)bufAddr);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_buf_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t bufSize;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_buf_size", hpy_addr, &channelDesc, hpy_u32, &bufSize))
        return NULL;
    aclError rc = aclvencSetChannelDescBufSize((aclvencChannelDesc *)channelDesc, bufSize);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_rc_mode(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t rcMode;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_rc_mode", hpy_addr, &channelDesc, hpy_u32, &rcMode))
        return NULL;
    aclError rc = aclvencSetChannelDescRcMode((aclvencChannelDesc *)channelDesc, rcMode);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_src_rate(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t srcRate;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_src_rate", hpy_addr, &channelDesc, hpy_u32, &srcRate))
        return NULL;
    aclError rc = aclvencSetChannelDescSrcRate((aclvencChannelDesc *)channelDesc, srcRate);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_max_bit_rate(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    uint32_t maxBitRate;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:venc_set_channel_desc_max_bit_rate", hpy_addr, &channelDesc, hpy_u32, &maxBitRate))
        return NULL;
    aclError rc = aclvencSetChannelDescMaxBitRate((aclvencChannelDesc *)channelDesc, maxBitRate);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_channel_desc_param(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int paramType;
    size_t length;
    void *param;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&iO&O&:venc_set_channel_desc_param", hpy_addr, &channelDesc, &paramType, hpy_size, &length, hpy_addr, &param))
        return NULL;
    aclError rc = aclvencSetChannelDescParam((aclvencChannelDesc *)channelDesc, (aclvencChannelDescParamType)paramType, length, (const void *)param);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_get_channel_desc_buf_addr(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_buf_addr", hpy_addr, &channelDesc))
        return NULL;
    result = hpy_addr_obj((const void *)aclvencGetChannelDescBufAddr((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_buf_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_buf_size", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescBufSize((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_channel_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_channel_id", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescChannelId((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_thread_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_thread_id", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescThreadId((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_callback(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_callback", hpy_addr, &channelDesc))
        return NULL;
    result = hpy_addr_obj((const void *)aclvencGetChannelDescCallback((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_en_type(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_en_type", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescEnType((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_pic_format(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_pic_format", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescPicFormat((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_pic_width(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_pic_width", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescPicWidth((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_pic_height(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_pic_height", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescPicHeight((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_key_frame_interval(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_key_frame_interval", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescKeyFrameInterval((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_rc_mode(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_rc_mode", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescRcMode((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_src_rate(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_src_rate", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescSrcRate((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_max_bit_rate(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_channel_desc_max_bit_rate", hpy_addr, &channelDesc))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetChannelDescMaxBitRate((const aclvencChannelDesc *)channelDesc));
    return result;
}

static PyObject *py_venc_get_channel_desc_param(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    int paramType;
    size_t length;
    size_t paramRetSize = 0;
    void *param;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&iO&O&:venc_get_channel_desc_param", hpy_addr, &channelDesc, &paramType, hpy_size, &length, hpy_addr, &param))
        return NULL;
    aclError rc = aclvencGetChannelDescParam((const aclvencChannelDesc *)channelDesc, (aclvencChannelDescParamType)paramType, length, &paramRetSize, (void *)param);
    result = Py_BuildValue("(Li)", (long long)paramRetSize, (int)rc);
    return result;
}

static PyObject *py_venc_create_frame_config(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":venc_create_frame_config"))
        return NULL;
    result = hpy_addr_obj((const void *)aclvencCreateFrameConfig());
    return result;
}

static PyObject *py_venc_destroy_frame_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *vencFrameConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_destroy_frame_config", hpy_addr, &vencFrameConfig))
        return NULL;
    aclError rc = aclvencDestroyFrameConfig((aclvencFrameConfig *)vencFrameConfig);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_frame_config_force_i_frame(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    int forceIFrame;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:venc_set_frame_config_force_i_frame", hpy_addr, &config, &forceIFrame))
        return NULL;
    aclError rc = aclvencSetFrameConfigForceIFrame((aclvencFrameConfig *)config, (uint8_t)forceIFrame);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_set_frame_config_eos(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    int eos;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:venc_set_frame_config_eos", hpy_addr, &config, &eos))
        return NULL;
    aclError rc = aclvencSetFrameConfigEos((aclvencFrameConfig *)config, (uint8_t)eos);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_get_frame_config_force_i_frame(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_frame_config_force_i_frame", hpy_addr, &config))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetFrameConfigForceIFrame((const aclvencFrameConfig *)config));
    return result;
}

static PyObject *py_venc_get_frame_config_eos(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_get_frame_config_eos", hpy_addr, &config))
        return NULL;
    result = PyLong_FromLongLong((long long)aclvencGetFrameConfigEos((const aclvencFrameConfig *)config));
    return result;
}

static PyObject *py_venc_create_channel(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_create_channel", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = aclvencCreateChannel((aclvencChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_destroy_channel(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:venc_destroy_channel", hpy_addr, &channelDesc))
        return NULL;
    aclError rc = aclvencDestroyChannel((aclvencChannelDesc *)channelDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_venc_send_frame(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *input;
    void *reserve;
    void *config;
    void *userdata;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:venc_send_frame", hpy_addr, &channelDesc, hpy_addr, &input, hpy_addr, &reserve, hpy_addr, &config, hpy_addr, &userdata))
        return NULL;
    aclError rc = aclvencSendFrame((aclvencChannelDesc *)channelDesc, (acldvppPicDesc *)input, (void *)reserve, (aclvencFrameConfig *)config, (void *)userdata);
    result = hpy_ret(rc);
    return result;
}
PyMethodDef hpy_media_venc_methods[] = {
    {"venc_create_channel_desc", py_venc_create_channel_desc, METH_VARARGS, NULL},
    {"venc_destroy_channel_desc", py_venc_destroy_channel_desc, METH_VARARGS, NULL},
    {"venc_set_channel_desc_thread_id", py_venc_set_channel_desc_thread_id, METH_VARARGS, NULL},
    {"venc_set_channel_desc_callback", py_venc_set_channel_desc_callback, METH_VARARGS, NULL},
    {"venc_set_channel_desc_en_type", py_venc_set_channel_desc_en_type, METH_VARARGS, NULL},
    {"venc_set_channel_desc_pic_format", py_venc_set_channel_desc_pic_format, METH_VARARGS, NULL},
    {"venc_set_channel_desc_pic_width", py_venc_set_channel_desc_pic_width, METH_VARARGS, NULL},
    {"venc_set_channel_desc_pic_height", py_venc_set_channel_desc_pic_height, METH_VARARGS, NULL},
    {"venc_set_channel_desc_key_frame_interval", py_venc_set_channel_desc_key_frame_interval, METH_VARARGS, NULL},
    {"venc_set_channel_desc_buf_addr", py_venc_set_channel_desc_buf_addr, METH_VARARGS, NULL},
    {"venc_set_channel_desc_buf_size", py_venc_set_channel_desc_buf_size, METH_VARARGS, NULL},
    {"venc_set_channel_desc_rc_mode", py_venc_set_channel_desc_rc_mode, METH_VARARGS, NULL},
    {"venc_set_channel_desc_src_rate", py_venc_set_channel_desc_src_rate, METH_VARARGS, NULL},
    {"venc_set_channel_desc_max_bit_rate", py_venc_set_channel_desc_max_bit_rate, METH_VARARGS, NULL},
    {"venc_set_channel_desc_param", py_venc_set_channel_desc_param, METH_VARARGS, NULL},
    {"venc_get_channel_desc_buf_addr", py_venc_get_channel_desc_buf_addr, METH_VARARGS, NULL},
    {"venc_get_channel_desc_buf_size", py_venc_get_channel_desc_buf_size, METH_VARARGS, NULL},
    {"venc_get_channel_desc_channel_id", py_venc_get_channel_desc_channel_id, METH_VARARGS, NULL},
    {"venc_get_channel_desc_thread_id", py_venc_get_channel_desc_thread_id, METH_VARARGS, NULL},
    {"venc_get_channel_desc_callback", py_venc_get_channel_desc_callback, METH_VARARGS, NULL},
    {"venc_get_channel_desc_en_type", py_venc_get_channel_desc_en_type, METH_VARARGS, NULL},
    {"venc_get_channel_desc_pic_format", py_venc_get_channel_desc_pic_format, METH_VARARGS, NULL},
    {"venc_get_channel_desc_pic_width", py_venc_get_channel_desc_pic_width, METH_VARARGS, NULL},
    {"venc_get_channel_desc_pic_height", py_venc_get_channel_desc_pic_height, METH_VARARGS, NULL},
    {"venc_get_channel_desc_key_frame_interval", py_venc_get_channel_desc_key_frame_interval, METH_VARARGS, NULL},
    {"venc_get_channel_desc_rc_mode", py_venc_get_channel_desc_rc_mode, METH_VARARGS, NULL},
    {"venc_get_channel_desc_src_rate", py_venc_get_channel_desc_src_rate, METH_VARARGS, NULL},
    {"venc_get_channel_desc_max_bit_rate", py_venc_get_channel_desc_max_bit_rate, METH_VARARGS, NULL},
    {"venc_get_channel_desc_param", py_venc_get_channel_desc_param, METH_VARARGS, NULL},
    {"venc_create_frame_config", py_venc_create_frame_config, METH_VARARGS, NULL},
    {"venc_destroy_frame_config", py_venc_destroy_frame_config, METH_VARARGS, NULL},
    {"venc_set_frame_config_force_i_frame", py_venc_set_frame_config_force_i_frame, METH_VARARGS, NULL},
    {"venc_set_frame_config_eos", py_venc_set_frame_config_eos, METH_VARARGS, NULL},
    {"venc_get_frame_config_force_i_frame", py_venc_get_frame_config_force_i_frame, METH_VARARGS, NULL},
    {"venc_get_frame_config_eos", py_venc_get_frame_config_eos, METH_VARARGS, NULL},
    {"venc_create_channel", py_venc_create_channel, METH_VARARGS, NULL},
    {"venc_destroy_channel", py_venc_destroy_channel, METH_VARARGS, NULL},
    {"venc_send_frame", py_venc_send_frame, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
