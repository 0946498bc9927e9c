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

/* A list of object addresses as a C array (PyMem_Free): NULL with an
 * exception set. */
static void **addr_list(PyObject *list, Py_ssize_t *n)
{
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "a list of addresses is expected");
        return NULL;
    }
    *n = PyList_GET_SIZE(list);
    void **a = PyMem_Calloc((size_t)(*n ? *n : 1), sizeof *a);
    if (!a)
        return (void **)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < *n; i++)
        if (!hpy_addr(PyList_GET_ITEM(list, i), &a[i])) {
            PyMem_Free(a);
            return NULL;
        }
    return a;
}

/* roiNums: a list of ints as a uint32_t array (PyMem_Free). */
static uint32_t *u32_list(PyObject *list, Py_ssize_t *n)
{
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "a list of ints is expected");
        return NULL;
    }
    *n = PyList_GET_SIZE(list);
    uint32_t *a = PyMem_Calloc((size_t)(*n ? *n : 1), sizeof *a);
    if (!a)
        return (uint32_t *)PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < *n; i++)
        if (!hpy_u32(PyList_GET_ITEM(list, i), &a[i])) {
            PyMem_Free(a);
            return NULL;
        }
    return a;
}
static PyObject *py_dvpp_jpeg_get_image_info(PyObject *self, PyObject *args)
{
    (void)self;
    void *data;
    uint32_t size;
    uint32_t width = 0;
    uint32_t height = 0;
    int32_t components = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_jpeg_get_image_info", hpy_addr, &data, hpy_u32, &size))
        return NULL;
    aclError rc = acldvppJpegGetImageInfo((const void *)data, size, &width, &height, &components);
    result = Py_BuildValue("(LLLi)", (long long)width, (long long)height, (long long)components, (int)rc);
    return result;
}

static PyObject *py_dvpp_jpeg_get_image_info_v2(PyObject *self, PyObject *args)
{
    (void)self;
    void *data;
    uint32_t size;
    uint32_t width = 0;
    uint32_t height = 0;
    int32_t components = 0;
    acldvppJpegFormat format = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_jpeg_get_image_info_v2", hpy_addr, &data, hpy_u32, &size))
        return NULL;
    aclError rc = acldvppJpegGetImageInfoV2((const void *)data, size, &width, &height, &components, &format);
    result = Py_BuildValue("(LLLLi)", (long long)width, (long long)height, (long long)components, (long long)format, (int)rc);
    return result;
}

static PyObject *py_dvpp_jpeg_predict_enc_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *inputDesc;
    void *config;
    uint32_t size = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_jpeg_predict_enc_size", hpy_addr, &inputDesc, hpy_addr, &config))
        return NULL;
    aclError rc = acldvppJpegPredictEncSize((const acldvppPicDesc *)inputDesc, (const acldvppJpegeConfig *)config, &size);
    result = Py_BuildValue("(Li)", (long long)size, (int)rc);
    return result;
}

static PyObject *py_dvpp_jpeg_predict_dec_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *data;
    uint32_t dataSize;
    int outputPixelFormat;
    uint32_t decSize = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&i:dvpp_jpeg_predict_dec_size", hpy_addr, &data, hpy_u32, &dataSize, &outputPixelFormat))
        return NULL;
    aclError rc = acldvppJpegPredictDecSize((const void *)data, dataSize, (acldvppPixelFormat)outputPixelFormat, &decSize);
    result = Py_BuildValue("(Li)", (long long)decSize, (int)rc);
    return result;
}

static PyObject *py_dvpp_png_get_image_info(PyObject *self, PyObject *args)
{
    (void)self;
    void *data;
    uint32_t dataSize;
    uint32_t width = 0;
    uint32_t height = 0;
    int32_t components = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_png_get_image_info", hpy_addr, &data, hpy_u32, &dataSize))
        return NULL;
    aclError rc = acldvppPngGetImageInfo((const void *)data, dataSize, &width, &height, &components);
    result = Py_BuildValue("(LLLi)", (long long)width, (long long)height, (long long)components, (int)rc);
    return result;
}

static PyObject *py_dvpp_png_predict_dec_size(PyObject *self, PyObject *args)
{
    (void)self;
    void *data;
    uint32_t dataSize;
    int outputPixelFormat;
    uint32_t decSize = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&i:dvpp_png_predict_dec_size", hpy_addr, &data, hpy_u32, &dataSize, &outputPixelFormat))
        return NULL;
    aclError rc = acldvppPngPredictDecSize((const void *)data, dataSize, (acldvppPixelFormat)outputPixelFormat, &decSize);
    result = Py_BuildValue("(Li)", (long long)decSize, (int)rc);
    return result;
}

static PyObject *py_dvpp_jpeg_decode_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *data;
    uint32_t size;
    void *outputDesc;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_jpeg_decode_async", hpy_addr, &channelDesc, hpy_addr, &data, hpy_u32, &size, hpy_addr, &outputDesc, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppJpegDecodeAsync((acldvppChannelDesc *)channelDesc, (const void *)data, size, (acldvppPicDesc *)outputDesc, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_png_decode_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *data;
    uint32_t size;
    void *outputDesc;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_png_decode_async", hpy_addr, &channelDesc, hpy_addr, &data, hpy_u32, &size, hpy_addr, &outputDesc, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppPngDecodeAsync((acldvppChannelDesc *)channelDesc, (const void *)data, size, (acldvppPicDesc *)outputDesc, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_jpeg_encode_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *data;
    void *size;
    void *config;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&O&:dvpp_jpeg_encode_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &data, hpy_addr, &size, hpy_addr, &config, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppJpegEncodeAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (const void *)data, (uint32_t *)size, (acldvppJpegeConfig *)config, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_resize_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *resizeConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_vpc_resize_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &resizeConfig, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcResizeAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (acldvppResizeConfig *)resizeConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_crop_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *cropArea;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_vpc_crop_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &cropArea, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcCropAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (acldvppRoiConfig *)cropArea, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_crop_resize_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *cropArea;
    void *resizeConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&O&:dvpp_vpc_crop_resize_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &cropArea, hpy_addr, &resizeConfig, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcCropResizeAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (acldvppRoiConfig *)cropArea, (acldvppResizeConfig *)resizeConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_crop_and_paste_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *cropArea;
    void *pasteArea;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&O&:dvpp_vpc_crop_and_paste_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &cropArea, hpy_addr, &pasteArea, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcCropAndPasteAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (acldvppRoiConfig *)cropArea, (acldvppRoiConfig *)pasteArea, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_crop_resize_paste_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *cropArea;
    void *pasteArea;
    void *resizeConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&O&O&:dvpp_vpc_crop_resize_paste_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &cropArea, hpy_addr, &pasteArea, hpy_addr, &resizeConfig, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcCropResizePasteAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (acldvppRoiConfig *)cropArea, (acldvppRoiConfig *)pasteArea, (acldvppResizeConfig *)resizeConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_batch_crop_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *srcBatchPicDescs;
    PyObject *roiNums_obj;
    uint32_t *roiNums = NULL;
    Py_ssize_t roiNums_n = 0;
    uint32_t size;
    void *dstBatchPicDescs;
    PyObject *cropAreas_obj;
    void **cropAreas = NULL;
    Py_ssize_t cropAreas_n = 0;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&OO&O&OO&:dvpp_vpc_batch_crop_async", hpy_addr, &channelDesc, hpy_addr, &srcBatchPicDescs, &roiNums_obj, hpy_u32, &size, hpy_addr, &dstBatchPicDescs, &cropAreas_obj, hpy_addr, &stream))
        return NULL;
    if (!(roiNums = u32_list(roiNums_obj, &roiNums_n)))
        goto done;
    if (!(cropAreas = addr_list(cropAreas_obj, &cropAreas_n)))
        goto done;
    aclError rc = acldvppVpcBatchCropAsync((acldvppChannelDesc *)channelDesc, (acldvppBatchPicDesc *)srcBatchPicDescs, roiNums, size, (acldvppBatchPicDesc *)dstBatchPicDescs, (acldvppRoiConfig * *)cropAreas, (aclrtStream)stream);
    result = hpy_ret(rc);
done:
    PyMem_Free(roiNums);
    PyMem_Free(cropAreas);
    return result;
}

static PyObject *py_dvpp_vpc_batch_crop_resize_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *srcBatchPicDescs;
    PyObject *roiNums_obj;
    uint32_t *roiNums = NULL;
    Py_ssize_t roiNums_n = 0;
    uint32_t size;
    void *dstBatchPicDescs;
    PyObject *cropAreas_obj;
    void **cropAreas = NULL;
    Py_ssize_t cropAreas_n = 0;
    void *resizeConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&OO&O&OO&O&:dvpp_vpc_batch_crop_resize_async", hpy_addr, &channelDesc, hpy_addr, &srcBatchPicDescs, &roiNums_obj, hpy_u32, &size, hpy_addr, &dstBatchPicDescs, &cropAreas_obj, hpy_addr, &resizeConfig, hpy_addr, &stream))
        return NULL;
    if (!(roiNums = u32_list(roiNums_obj, &roiNums_n)))
        goto done;
    if (!(cropAreas = addr_list(cropAreas_obj, &cropAreas_n)))
        goto done;
    aclError rc = acldvppVpcBatchCropResizeAsync((acldvppChannelDesc *)channelDesc, (acldvppBatchPicDesc *)srcBatchPicDescs, roiNums, size, (acldvppBatchPicDesc *)dstBatchPicDescs, (acldvppRoiConfig * *)cropAreas, (acldvppResizeConfig *)resizeConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
done:
    PyMem_Free(roiNums);
    PyMem_Free(cropAreas);
    return result;
}

static PyObject *py_dvpp_vpc_batch_crop_and_paste_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *srcBatchPicDescs;
    PyObject *roiNums_obj;
    uint32_t *roiNums = NULL;
    Py_ssize_t roiNums_n = 0;
    uint32_t size;
    void *dstBatchPicDescs;
    PyObject *cropAreas_obj;
    void **cropAreas = NULL;
    Py_ssize_t cropAreas_n = 0;
    PyObject *pasteAreas_obj;
    void **pasteAreas = NULL;
    Py_ssize_t pasteAreas_n = 0;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&OO&O&OOO&:dvpp_vpc_batch_crop_and_paste_async", hpy_addr, &channelDesc, hpy_addr, &srcBatchPicDescs, &roiNums_obj, hpy_u32, &size, hpy_addr, &dstBatchPicDescs, &cropAreas_obj, &pasteAreas_obj, hpy_addr, &stream))
        return NULL;
    if (!(roiNums = u32_list(roiNums_obj, &roiNums_n)))
        goto done;
    if (!(cropAreas = addr_list(cropAreas_obj, &cropAreas_n)))
        goto done;
    if (!(pasteAreas = addr_list(pasteAreas_obj, &pasteAreas_n)))
        goto done;
    aclError rc = acldvppVpcBatchCropAndPasteAsync((acldvppChannelDesc *)channelDesc, (acldvppBatchPicDesc *)srcBatchPicDescs, roiNums, size, (acldvppBatchPicDesc *)dstBatchPicDescs, (acldvppRoiConfig * *)cropAreas, (acldvppRoiConfig * *)pasteAreas, (aclrtStream)stream);
    result = hpy_ret(rc);
done:
    PyMem_Free(roiNums);
    PyMem_Free(cropAreas);
    PyMem_Free(pasteAreas);
    return result;
}

static PyObject *py_dvpp_vpc_batch_crop_resize_paste_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *srcBatchPicDescs;
    PyObject *roiNums_obj;
    uint32_t *roiNums = NULL;
    Py_ssize_t roiNums_n = 0;
    uint32_t size;
    void *dstBatchPicDescs;
    PyObject *cropAreas_obj;
    void **cropAreas = NULL;
    Py_ssize_t cropAreas_n = 0;
    PyObject *pasteAreas_obj;
    void **pasteAreas = NULL;
    Py_ssize_t pasteAreas_n = 0;
    void *resizeConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&OO&O&OOO&O&:dvpp_vpc_batch_crop_resize_paste_async", hpy_addr, &channelDesc, hpy_addr, &srcBatchPicDescs, &roiNums_obj, hpy_u32, &size, hpy_addr, &dstBatchPicDescs, &cropAreas_obj, &pasteAreas_obj, hpy_addr, &resizeConfig, hpy_addr, &stream))
        return NULL;
    if (!(roiNums = u32_list(roiNums_obj, &roiNums_n)))
        goto done;
    if (!(cropAreas = addr_list(cropAreas_obj, &cropAreas_n)))
        goto done;
    if (!(pasteAreas = addr_list(pasteAreas_obj, &pasteAreas_n)))
        goto done;
    aclError rc = acldvppVpcBatchCropResizePasteAsync((acldvppChannelDesc *)channelDesc, (acldvppBatchPicDesc *)srcBatchPicDescs, roiNums, size, (acldvppBatchPicDesc *)dstBatchPicDescs, (acldvppRoiConfig * *)cropAreas, (acldvppRoiConfig * *)pasteAreas, (acldvppResizeConfig *)resizeConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
done:
    PyMem_Free(roiNums);
    PyMem_Free(cropAreas);
    PyMem_Free(pasteAreas);
    return result;
}

static PyObject *py_dvpp_vpc_batch_crop_resize_make_border_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *srcBatchPicDescs;
    PyObject *roiNums_obj;
    uint32_t *roiNums = NULL;
    Py_ssize_t roiNums_n = 0;
    uint32_t size;
    void *dstBatchPicDescs;
    PyObject *cropAreas_obj;
    void **cropAreas = NULL;
    Py_ssize_t cropAreas_n = 0;
    PyObject *borderCfgs_obj;
    void **borderCfgs = NULL;
    Py_ssize_t borderCfgs_n = 0;
    void *resizeConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&OO&O&OOO&O&:dvpp_vpc_batch_crop_resize_make_border_async", hpy_addr, &channelDesc, hpy_addr, &srcBatchPicDescs, &roiNums_obj, hpy_u32, &size, hpy_addr, &dstBatchPicDescs, &cropAreas_obj, &borderCfgs_obj, hpy_addr, &resizeConfig, hpy_addr, &stream))
        return NULL;
    if (!(roiNums = u32_list(roiNums_obj, &roiNums_n)))
        goto done;
    if (!(cropAreas = addr_list(cropAreas_obj, &cropAreas_n)))
        goto done;
    if (!(borderCfgs = addr_list(borderCfgs_obj, &borderCfgs_n)))
        goto done;
    aclError rc = acldvppVpcBatchCropResizeMakeBorderAsync((acldvppChannelDesc *)channelDesc, (acldvppBatchPicDesc *)srcBatchPicDescs, roiNums, size, (acldvppBatchPicDesc *)dstBatchPicDescs, (acldvppRoiConfig * *)cropAreas, (acldvppBorderConfig * *)borderCfgs, (acldvppResizeConfig *)resizeConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
done:
    PyMem_Free(roiNums);
    PyMem_Free(cropAreas);
    PyMem_Free(borderCfgs);
    return result;
}

static PyObject *py_dvpp_vpc_convert_color_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&:dvpp_vpc_convert_color_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcConvertColorAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_pyr_down_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *reserve;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_vpc_pyr_down_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &reserve, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcPyrDownAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (void *)reserve, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_equalize_hist_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *lutMap;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_vpc_equalize_hist_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &lutMap, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcEqualizeHistAsync((const acldvppChannelDesc *)channelDesc, (const acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (const acldvppLutMap *)lutMap, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_make_border_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *inputDesc;
    void *outputDesc;
    void *borderConfig;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_vpc_make_border_async", hpy_addr, &channelDesc, hpy_addr, &inputDesc, hpy_addr, &outputDesc, hpy_addr, &borderConfig, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcMakeBorderAsync((const acldvppChannelDesc *)channelDesc, (const acldvppPicDesc *)inputDesc, (acldvppPicDesc *)outputDesc, (const acldvppBorderConfig *)borderConfig, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_vpc_calc_hist_async(PyObject *self, PyObject *args)
{
    (void)self;
    void *channelDesc;
    void *srcPicDesc;
    void *hist;
    void *reserve;
    void *stream;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_vpc_calc_hist_async", hpy_addr, &channelDesc, hpy_addr, &srcPicDesc, hpy_addr, &hist, hpy_addr, &reserve, hpy_addr, &stream))
        return NULL;
    aclError rc = acldvppVpcCalcHistAsync((acldvppChannelDesc *)channelDesc, (acldvppPicDesc *)srcPicDesc, (acldvppHist *)hist, (void *)reserve, (aclrtStream)stream);
    result = hpy_ret(rc);
    return result;
}
PyMethodDef hpy_media_ops_methods[] = {
    {"dvpp_jpeg_get_image_info", py_dvpp_jpeg_get_image_info, METH_VARARGS, NULL},
    {"dvpp_jpeg_get_image_info_v2", py_dvpp_jpeg_get_image_info_v2, METH_VARARGS, NULL},
    {"dvpp_jpeg_predict_enc_size", py_dvpp_jpeg_predict_enc_size, METH_VARARGS, NULL},
    {"dvpp_jpeg_predict_dec_size", py_dvpp_jpeg_predict_dec_size, METH_VARARGS, NULL},
    {"dvpp_png_get_image_info", py_dvpp_png_get_image_info, METH_VARARGS, NULL},
    {"dvpp_png_predict_dec_size", py_dvpp_png_predict_dec_size, METH_VARARGS, NULL},
    {"dvpp_jpeg_decode_async", py_dvpp_jpeg_decode_async, METH_VARARGS, NULL},
    {"dvpp_png_decode_async", py_dvpp_png_decode_async, METH_VARARGS, NULL},
    {"dvpp_jpeg_encode_async", py_dvpp_jpeg_encode_async, METH_VARARGS, NULL},
    {"dvpp_vpc_resize_async", py_dvpp_vpc_resize_async, METH_VARARGS, NULL},
    {"dvpp_vpc_crop_async", py_dvpp_vpc_crop_async, METH_VARARGS, NULL},
    {"dvpp_vpc_crop_resize_async", py_dvpp_vpc_crop_resize_async, METH_VARARGS, NULL},
    {"dvpp_vpc_crop_and_paste_async", py_dvpp_vpc_crop_and_paste_async, METH_VARARGS, NULL},
    {"dvpp_vpc_crop_resize_paste_async", py_dvpp_vpc_crop_resize_paste_async, METH_VARARGS, NULL},
    {"dvpp_vpc_batch_crop_async", py_dvpp_vpc_batch_crop_async, METH_VARARGS, NULL},
    {"dvpp_vpc_batch_crop_resize_async", py_dvpp_vpc_batch_crop_resize_async, METH_VARARGS, NULL},
    {"dvpp_vpc_batch_crop_and_paste_async", py_dvpp_vpc_batch_crop_and_paste_async, METH_VARARGS, NULL},
    {"dvpp_vpc_batch_crop_resize_paste_async", py_dvpp_vpc_batch_crop_resize_paste_async, METH_VARARGS, NULL},
    {"dvpp_vpc_batch_crop_resize_make_border_async", py_dvpp_vpc_batch_crop_resize_make_border_async, METH_VARARGS, NULL},
    {"dvpp_vpc_convert_color_async", py_dvpp_vpc_convert_color_async, METH_VARARGS, NULL},
    {"dvpp_vpc_pyr_down_async", py_dvpp_vpc_pyr_down_async, METH_VARARGS, NULL},
    {"dvpp_vpc_equalize_hist_async", py_dvpp_vpc_equalize_hist_async, METH_VARARGS, NULL},
    {"dvpp_vpc_make_border_async", py_dvpp_vpc_make_border_async, METH_VARARGS, NULL},
    {"dvpp_vpc_calc_hist_async", py_dvpp_vpc_calc_hist_async, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
