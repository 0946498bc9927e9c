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

static PyObject *py_dvpp_create_batch_pic_desc(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t batchSize;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_create_batch_pic_desc", hpy_u32, &batchSize))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateBatchPicDesc(batchSize));
    return result;
}

static PyObject *py_dvpp_get_pic_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *batchPicDesc;
    uint32_t index;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_get_pic_desc", hpy_addr, &batchPicDesc, hpy_u32, &index))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppGetPicDesc((acldvppBatchPicDesc *)batchPicDesc, index));
    return result;
}

static PyObject *py_dvpp_destroy_batch_pic_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *batchPicDesc;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_batch_pic_desc", hpy_addr, &batchPicDesc))
        return NULL;
    aclError rc = acldvppDestroyBatchPicDesc((acldvppBatchPicDesc *)batchPicDesc);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_create_roi_config(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t left;
    uint32_t right;
    uint32_t top;
    uint32_t bottom;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&:dvpp_create_roi_config", hpy_u32, &left, hpy_u32, &right, hpy_u32, &top, hpy_u32, &bottom))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateRoiConfig(left, right, top, bottom));
    return result;
}

static PyObject *py_dvpp_destroy_roi_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *roiConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_roi_config", hpy_addr, &roiConfig))
        return NULL;
    aclError rc = acldvppDestroyRoiConfig((acldvppRoiConfig *)roiConfig);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_roi_config_left(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    uint32_t left;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_roi_config_left", hpy_addr, &config, hpy_u32, &left))
        return NULL;
    aclError rc = acldvppSetRoiConfigLeft((acldvppRoiConfig *)config, left);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_roi_config_right(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    uint32_t right;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_roi_config_right", hpy_addr, &config, hpy_u32, &right))
        return NULL;
    aclError rc = acldvppSetRoiConfigRight((acldvppRoiConfig *)config, right);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_roi_config_top(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    uint32_t top;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_roi_config_top", hpy_addr, &config, hpy_u32, &top))
        return NULL;
    aclError rc = acldvppSetRoiConfigTop((acldvppRoiConfig *)config, top);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_roi_config_bottom(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    uint32_t bottom;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_roi_config_bottom", hpy_addr, &config, hpy_u32, &bottom))
        return NULL;
    aclError rc = acldvppSetRoiConfigBottom((acldvppRoiConfig *)config, bottom);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_roi_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *config;
    uint32_t left;
    uint32_t right;
    uint32_t top;
    uint32_t bottom;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:dvpp_set_roi_config", hpy_addr, &config, hpy_u32, &left, hpy_u32, &right, hpy_u32, &top, hpy_u32, &bottom))
        return NULL;
    aclError rc = acldvppSetRoiConfig((acldvppRoiConfig *)config, left, right, top, bottom);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_create_resize_config(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_resize_config"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateResizeConfig());
    return result;
}

static PyObject *py_dvpp_destroy_resize_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *resizeConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_resize_config", hpy_addr, &resizeConfig))
        return NULL;
    aclError rc = acldvppDestroyResizeConfig((acldvppResizeConfig *)resizeConfig);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_resize_config_interpolation(PyObject *self, PyObject *args)
{
    (void)self;
    void *resizeConfig;
    uint32_t interpolation;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_resize_config_interpolation", hpy_addr, &resizeConfig, hpy_u32, &interpolation))
        return NULL;
    aclError rc = acldvppSetResizeConfigInterpolation((acldvppResizeConfig *)resizeConfig, interpolation);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_resize_config_interpolation(PyObject *self, PyObject *args)
{
    (void)self;
    void *resizeConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_resize_config_interpolation", hpy_addr, &resizeConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetResizeConfigInterpolation((const acldvppResizeConfig *)resizeConfig));
    return result;
}

static PyObject *py_dvpp_create_jpege_config(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_jpege_config"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateJpegeConfig());
    return result;
}

static PyObject *py_dvpp_destroy_jpege_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *jpegeConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_jpege_config", hpy_addr, &jpegeConfig))
        return NULL;
    aclError rc = acldvppDestroyJpegeConfig((acldvppJpegeConfig *)jpegeConfig);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_jpege_config_level(PyObject *self, PyObject *args)
{
    (void)self;
    void *jpegeConfig;
    uint32_t level;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_jpege_config_level", hpy_addr, &jpegeConfig, hpy_u32, &level))
        return NULL;
    aclError rc = acldvppSetJpegeConfigLevel((acldvppJpegeConfig *)jpegeConfig, level);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_jpege_config_level(PyObject *self, PyObject *args)
{
    (void)self;
    void *jpegeConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_jpege_config_level", hpy_addr, &jpegeConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetJpegeConfigLevel((const acldvppJpegeConfig *)jpegeConfig));
    return result;
}

static PyObject *py_dvpp_create_border_config(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_border_config"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateBorderConfig());
    return result;
}

static PyObject *py_dvpp_set_border_config_value(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    uint32_t index;
    double value;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&d:dvpp_set_border_config_value", hpy_addr, &borderConfig, hpy_u32, &index, &value))
        return NULL;
    aclError rc = acldvppSetBorderConfigValue((acldvppBorderConfig *)borderConfig, index, value);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_border_config_border_type(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    int borderType;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&i:dvpp_set_border_config_border_type", hpy_addr, &borderConfig, &borderType))
        return NULL;
    aclError rc = acldvppSetBorderConfigBorderType((acldvppBorderConfig *)borderConfig, (acldvppBorderType)borderType);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_border_config_top(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    uint32_t top;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_border_config_top", hpy_addr, &borderConfig, hpy_u32, &top))
        return NULL;
    aclError rc = acldvppSetBorderConfigTop((acldvppBorderConfig *)borderConfig, top);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_border_config_bottom(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    uint32_t bottom;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_border_config_bottom", hpy_addr, &borderConfig, hpy_u32, &bottom))
        return NULL;
    aclError rc = acldvppSetBorderConfigBottom((acldvppBorderConfig *)borderConfig, bottom);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_border_config_left(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    uint32_t left;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_border_config_left", hpy_addr, &borderConfig, hpy_u32, &left))
        return NULL;
    aclError rc = acldvppSetBorderConfigLeft((acldvppBorderConfig *)borderConfig, left);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_set_border_config_right(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    uint32_t right;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_set_border_config_right", hpy_addr, &borderConfig, hpy_u32, &right))
        return NULL;
    aclError rc = acldvppSetBorderConfigRight((acldvppBorderConfig *)borderConfig, right);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_border_config_value(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    uint32_t index;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_get_border_config_value", hpy_addr, &borderConfig, hpy_u32, &index))
        return NULL;
    result = PyFloat_FromDouble(acldvppGetBorderConfigValue((const acldvppBorderConfig *)borderConfig, index));
    return result;
}

static PyObject *py_dvpp_get_border_config_border_type(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_border_config_border_type", hpy_addr, &borderConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetBorderConfigBorderType((const acldvppBorderConfig *)borderConfig));
    return result;
}

static PyObject *py_dvpp_get_border_config_top(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_border_config_top", hpy_addr, &borderConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetBorderConfigTop((const acldvppBorderConfig *)borderConfig));
    return result;
}

static PyObject *py_dvpp_get_border_config_bottom(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_border_config_bottom", hpy_addr, &borderConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetBorderConfigBottom((const acldvppBorderConfig *)borderConfig));
    return result;
}

static PyObject *py_dvpp_get_border_config_left(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_border_config_left", hpy_addr, &borderConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetBorderConfigLeft((const acldvppBorderConfig *)borderConfig));
    return result;
}

static PyObject *py_dvpp_get_border_config_right(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_border_config_right", hpy_addr, &borderConfig))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetBorderConfigRight((const acldvppBorderConfig *)borderConfig));
    return result;
}

static PyObject *py_dvpp_destroy_border_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *borderConfig;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_border_config", hpy_addr, &borderConfig))
        return NULL;
    aclError rc = acldvppDestroyBorderConfig((acldvppBorderConfig *)borderConfig);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_create_lut_map(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_lut_map"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateLutMap());
    return result;
}

static PyObject *py_dvpp_destroy_lut_map(PyObject *self, PyObject *args)
{
    (void)self;
    void *lutMap;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_lut_map", hpy_addr, &lutMap))
        return NULL;
    aclError rc = acldvppDestroyLutMap((acldvppLutMap *)lutMap);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_lut_map_dims(PyObject *self, PyObject *args)
{
    (void)self;
    void *lutMap;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_lut_map_dims", hpy_addr, &lutMap))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetLutMapDims((const acldvppLutMap *)lutMap));
    return result;
}

static PyObject *py_dvpp_get_lut_map_data(PyObject *self, PyObject *args)
{
    (void)self;
    void *lutMap;
    uint32_t dim;
    uint8_t * data = 0;
    uint32_t len = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_get_lut_map_data", hpy_addr, &lutMap, hpy_u32, &dim))
        return NULL;
    aclError rc = acldvppGetLutMapData((const acldvppLutMap *)lutMap, dim, &data, &len);
    result = Py_BuildValue("(KLi)", (unsigned long long)(uintptr_t)data, (long long)len, (int)rc);
    return result;
}

static PyObject *py_dvpp_create_hist(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, ":dvpp_create_hist"))
        return NULL;
    result = hpy_addr_obj((const void *)acldvppCreateHist());
    return result;
}

static PyObject *py_dvpp_destroy_hist(PyObject *self, PyObject *args)
{
    (void)self;
    void *hist;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_destroy_hist", hpy_addr, &hist))
        return NULL;
    aclError rc = acldvppDestroyHist((acldvppHist *)hist);
    result = hpy_ret(rc);
    return result;
}

static PyObject *py_dvpp_get_hist_dims(PyObject *self, PyObject *args)
{
    (void)self;
    void *hist;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_hist_dims", hpy_addr, &hist))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetHistDims((acldvppHist *)hist));
    return result;
}

static PyObject *py_dvpp_get_hist_data(PyObject *self, PyObject *args)
{
    (void)self;
    void *hist;
    uint32_t dim;
    uint32_t * data = 0;
    uint16_t len = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&O&:dvpp_get_hist_data", hpy_addr, &hist, hpy_u32, &dim))
        return NULL;
    aclError rc = acldvppGetHistData((acldvppHist *)hist, dim, &data, &len);
    result = Py_BuildValue("(KLi)", (unsigned long long)(uintptr_t)data, (long long)len, (int)rc);
    return result;
}

static PyObject *py_dvpp_get_hist_ret_code(PyObject *self, PyObject *args)
{
    (void)self;
    void *hist;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_get_hist_ret_code", hpy_addr, &hist))
        return NULL;
    result = PyLong_FromLongLong((long long)acldvppGetHistRetCode((acldvppHist *)hist));
    return result;
}

static PyObject *py_dvpp_clear_hist(PyObject *self, PyObject *args)
{
    (void)self;
    void *hist;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "O&:dvpp_clear_hist", hpy_addr, &hist))
        return NULL;
    aclError rc = acldvppClearHist((acldvppHist *)hist);
    result = hpy_ret(rc);
    return result;
}
PyMethodDef hpy_media_configs_methods[] = {
    {"dvpp_create_batch_pic_desc", py_dvpp_create_batch_pic_desc, METH_VARARGS, NULL},
    {"dvpp_get_pic_desc", py_dvpp_get_pic_desc, METH_VARARGS, NULL},
    {"dvpp_destroy_batch_pic_desc", py_dvpp_destroy_batch_pic_desc, METH_VARARGS, NULL},
    {"dvpp_create_roi_config", py_dvpp_create_roi_config, METH_VARARGS, NULL},
    {"dvpp_destroy_roi_config", py_dvpp_destroy_roi_config, METH_VARARGS, NULL},
    {"dvpp_set_roi_config_left", py_dvpp_set_roi_config_left, METH_VARARGS, NULL},
    {"dvpp_set_roi_config_right", py_dvpp_set_roi_config_right, METH_VARARGS, NULL},
    {"dvpp_set_roi_config_top", py_dvpp_set_roi_config_top, METH_VARARGS, NULL},
    {"dvpp_set_roi_config_bottom", py_dvpp_set_roi_config_bottom, METH_VARARGS, NULL},
    {"dvpp_set_roi_config", py_dvpp_set_roi_config, METH_VARARGS, NULL},
    {"dvpp_create_resize_config", py_dvpp_create_resize_config, METH_VARARGS, NULL},
    {"dvpp_destroy_resize_config", py_dvpp_destroy_resize_config, METH_VARARGS, NULL},
    {"dvpp_set_resize_config_interpolation", py_dvpp_set_resize_config_interpolation, METH_VARARGS, NULL},
    {"dvpp_get_resize_config_interpolation", py_dvpp_get_resize_config_interpolation, METH_VARARGS, NULL},
    {"dvpp_create_jpege_config", py_dvpp_create_jpege_config, METH_VARARGS, NULL},
    {"dvpp_destroy_jpege_config", py_dvpp_destroy_jpege_config, METH_VARARGS, NULL},
    {"dvpp_set_jpege_config_level", py_dvpp_set_jpege_config_level, METH_VARARGS, NULL},
    {"dvpp_get_jpege_config_level", py_dvpp_get_jpege_config_level, METH_VARARGS, NULL},
    {"dvpp_create_border_config", py_dvpp_create_border_config, METH_VARARGS, NULL},
    {"dvpp_set_border_config_value", py_dvpp_set_border_config_value, METH_VARARGS, NULL},
    {"dvpp_set_border_config_border_type", py_dvpp_set_border_config_border_type, METH_VARARGS, NULL},
    {"dvpp_set_border_config_top", py_dvpp_set_border_config_top, METH_VARARGS, NULL},
    {"dvpp_set_border_config_bottom", py_dvpp_set_border_config_bottom, METH_VARARGS, NULL},
    {"dvpp_set_border_config_left", py_dvpp_set_border_config_left, METH_VARARGS, NULL},
    {"dvpp_set_border_config_right", py_dvpp_set_border_config_right, METH_VARARGS, NULL},
    {"dvpp_get_border_config_value", py_dvpp_get_border_config_value, METH_VARARGS, NULL},
    {"dvpp_get_border_config_border_type", py_dvpp_get_border_config_border_type, METH_VARARGS, NULL},
    {"dvpp_get_border_config_top", py_dvpp_get_border_config_top, METH_VARARGS, NULL},
    {"dvpp_get_border_config_bottom", py_dvpp_get_border_config_bottom, METH_VARARGS, NULL},
    {"dvpp_get_border_config_left", py_dvpp_get_border_config_left, METH_VARARGS, NULL},
    {"dvpp_get_border_config_right", py_dvpp_get_border_config_right, METH_VARARGS, NULL},
    {"dvpp_destroy_border_config", py_dvpp_destroy_border_config, METH_VARARGS, NULL},
    {"dvpp_create_lut_map", py_dvpp_create_lut_map, METH_VARARGS, NULL},
    {"dvpp_destroy_lut_map", py_dvpp_destroy_lut_map, METH_VARARGS, NULL},
    {"dvpp_get_lut_map_dims", py_dvpp_get_lut_map_dims, METH_VARARGS, NULL},
    {"dvpp_get_lut_map_data", py_dvpp_get_lut_map_data, METH_VARARGS, NULL},
    {"dvpp_create_hist", py_dvpp_create_hist, METH_VARARGS, NULL},
    {"dvpp_destroy_hist", py_dvpp_destroy_hist, METH_VARARGS, NULL},
    {"dvpp_get_hist_dims", py_dvpp_get_hist_dims, METH_VARARGS, NULL},
    {"dvpp_get_hist_data", py_dvpp_get_hist_data, METH_VARARGS, NULL},
    {"dvpp_get_hist_ret_code", py_dvpp_get_hist_ret_code, METH_VARARGS, NULL},
    {"dvpp_clear_hist", py_dvpp_clear_hist, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
