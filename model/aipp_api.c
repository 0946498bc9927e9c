/*
 * The AIPP calls: dynamic-AIPP objects (aclmdlCreateAIPP and its setters),
 * aclmdlSetInputAIPP / aclmdlSetAIPPByInputIndex (checked against the
 * model, then packed into the ascend_dynamic_aipp_data buffer), and the
 * queries aclmdlGetAippType / aclmdlGetFirstAippInfo.
 *
 * Thread: any; an object is the application's to not set from two threads
 * at once, as upstream.
 */
#include <stdio.h>
#include <string.h>

#include "aipp.h"
#include "device/alloc.h"
#include "device/half.h"
#include "model_impl.h"
#include "plan.h"
#include "runtime/runtime.h"

#define MAX_AIPP_BATCH 4096

struct aclmdlAIPP {
    struct hacl_obj hdr;
    struct hacl_aipp a;
    uint64_t n;
    struct hacl_aipp_img img[];
};

static void aipp_release(struct hacl_obj *o)
{
    hacl_free(o);
}

ACL_FUNC_VISIBILITY aclmdlAIPP *aclmdlCreateAIPP(uint64_t batchSize)
{
    if (!batchSize || batchSize > MAX_AIPP_BATCH) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "batchSize %llu: 1 to %d", (unsigned long long)batchSize, MAX_AIPP_BATCH);
        return NULL;
    }
    aclmdlAIPP *p = hacl_calloc(1, sizeof *p + batchSize * sizeof p->img[0]);
    if (!p) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating an AIPP object");
        return NULL;
    }
    hacl_obj_init(&p->hdr, HACL_KIND_AIPP, aipp_release);
    p->a.mode = 2;
    p->n = batchSize;
    for (uint64_t b = 0; b < batchSize; b++)
        for (int c = 0; c < 4; c++)
            p->img[b].var[c] = 1.0f;
    if (hacl_handle_register(&p->hdr) != ACL_SUCCESS) {
        hacl_free(p);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating an AIPP object");
        return NULL;
    }
    return p;
}

ACL_FUNC_VISIBILITY aclError aclmdlDestroyAIPP(const aclmdlAIPP *aippParmsSet)
{
    aclError rc;
    aclmdlAIPP *p = (aclmdlAIPP *)hacl_handle_checked(__func__, aippParmsSet, HACL_KIND_AIPP, "AIPP object", &rc);
    if (!p)
        return rc;
    if (hacl_handle_unregister(&p->hdr))
        hacl_obj_put(&p->hdr);
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetAippDataSize(uint64_t batchSize, size_t *size)
{
    if (!size || !batchSize || batchSize > MAX_AIPP_BATCH)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "size must not be NULL and batchSize lie in [1, %d]", MAX_AIPP_BATCH);
    *size = HACL_AIPP_HEAD + HACL_AIPP_PER_IMAGE * (size_t)batchSize;
    return ACL_SUCCESS;
}

/* The object, and for per-image setters its image b; NULL with *rc. */
static aclmdlAIPP *obj(const char *api, aclmdlAIPP *h, aclError *rc)
{
    return (aclmdlAIPP *)hacl_handle_checked(api, h, HACL_KIND_AIPP, "AIPP object", rc);
}

static struct hacl_aipp_img *img(const char *api, aclmdlAIPP *h, uint64_t b, aclmdlAIPP **hold, aclError *rc)
{
    aclmdlAIPP *p = obj(api, h, rc);
    if (!p)
        return NULL;
    if (b >= p->n) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "batchIndex %llu is outside the object's %llu images",
                       (unsigned long long)b, (unsigned long long)p->n);
        hacl_obj_put(&p->hdr);
        return NULL;
    }
    *hold = p;
    return &p->img[b];
}

static int is_switch(int8_t v)
{
    return v == 0 || v == 1;
}

#define SWITCH_OR_FAIL(v)                                                                                             \
    if (!is_switch(v))                                                                                                \
    return HACL_ERR(ACL_ERROR_INVALID_PARAM, #v " is %d; 0 or 1", (int)(v))

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPInputFormat(aclmdlAIPP *aippParmsSet, aclAippInputFormat inputFormat)
{
    aclError rc;
    aclmdlAIPP *p = obj(__func__, aippParmsSet, &rc);
    if (!p)
        return rc;
    if (inputFormat < ACL_YUV420SP_U8 || inputFormat > ACL_RAW24)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "inputFormat %d is not an AIPP input format", (int)inputFormat);
    else
        p->a.format = (int)inputFormat;
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPCscParams(aclmdlAIPP *aippParmsSet, int8_t cscSwitch, int16_t cscMatrixR0C0,
                                                    int16_t cscMatrixR0C1, int16_t cscMatrixR0C2,
                                                    int16_t cscMatrixR1C0, int16_t cscMatrixR1C1,
                                                    int16_t cscMatrixR1C2, int16_t cscMatrixR2C0,
                                                    int16_t cscMatrixR2C1, int16_t cscMatrixR2C2,
                                                    uint8_t cscOutputBiasR0, uint8_t cscOutputBiasR1,
                                                    uint8_t cscOutputBiasR2, uint8_t cscInputBiasR0,
                                                    uint8_t cscInputBiasR1, uint8_t cscInputBiasR2)
{
    SWITCH_OR_FAIL(cscSwitch);
    aclError rc;
    aclmdlAIPP *p = obj(__func__, aippParmsSet, &rc);
    if (!p)
        return rc;
    const int32_t m[9] = {cscMatrixR0C0, cscMatrixR0C1, cscMatrixR0C2, cscMatrixR1C0, cscMatrixR1C1,
                          cscMatrixR1C2, cscMatrixR2C0, cscMatrixR2C1, cscMatrixR2C2};
    p->a.csc = cscSwitch;
    memcpy(p->a.matrix, m, sizeof m);
    p->a.out_bias[0] = cscOutputBiasR0;
    p->a.out_bias[1] = cscOutputBiasR1;
    p->a.out_bias[2] = cscOutputBiasR2;
    p->a.in_bias[0] = cscInputBiasR0;
    p->a.in_bias[1] = cscInputBiasR1;
    p->a.in_bias[2] = cscInputBiasR2;
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

static aclError set_swap(const char *api, aclmdlAIPP *h, int8_t v, int ax)
{
    if (!is_switch(v))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the switch is %d; 0 or 1", (int)v);
    aclError rc;
    aclmdlAIPP *p = obj(api, h, &rc);
    if (!p)
        return rc;
    if (ax)
        p->a.ax_swap = v;
    else
        p->a.rbuv_swap = v;
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPRbuvSwapSwitch(aclmdlAIPP *aippParmsSet, int8_t rbuvSwapSwitch)
{
    return set_swap(__func__, aippParmsSet, rbuvSwapSwitch, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPAxSwapSwitch(aclmdlAIPP *aippParmsSet, int8_t axSwapSwitch)
{
    return set_swap(__func__, aippParmsSet, axSwapSwitch, 1);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPSrcImageSize(aclmdlAIPP *aippParmsSet, int32_t srcImageSizeW,
                                                       int32_t srcImageSizeH)
{
    aclError rc;
    aclmdlAIPP *p = obj(__func__, aippParmsSet, &rc);
    if (!p)
        return rc;
    if (srcImageSizeW < 2 || srcImageSizeW > 4096 || srcImageSizeH < 1 || srcImageSizeH > 4096)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "source image %d x %d: width 2 to 4096, height 1 to 4096",
                      srcImageSizeW, srcImageSizeH);
    else
        p->a.src_w = srcImageSizeW, p->a.src_h = srcImageSizeH;
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPScfParams(aclmdlAIPP *aippParmsSet, int8_t scfSwitch, int32_t scfInputSizeW,
                                                    int32_t scfInputSizeH, int32_t scfOutputSizeW,
                                                    int32_t scfOutputSizeH, uint64_t batchIndex)
{
    SWITCH_OR_FAIL(scfSwitch);
    aclError rc;
    aclmdlAIPP *p;
    struct hacl_aipp_img *im = img(__func__, aippParmsSet, batchIndex, &p, &rc);
    if (!im)
        return rc;
    if (scfSwitch && (scfInputSizeW < 16 || scfInputSizeW > 4096 || scfInputSizeH < 16 || scfInputSizeH > 4096 ||
                      scfOutputSizeW < 16 || scfOutputSizeW > 1920 || scfOutputSizeH < 16 || scfOutputSizeH > 4096)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "scaling sizes: input 16 to 4096, output width 16 to 1920 and height "
                                               "16 to 4096");
    } else {
        im->scf = scfSwitch;
        im->scf_in_w = scfInputSizeW, im->scf_in_h = scfInputSizeH;
        im->scf_out_w = scfOutputSizeW, im->scf_out_h = scfOutputSizeH;
    }
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPCropParams(aclmdlAIPP *aippParmsSet, int8_t cropSwitch, int32_t cropStartPosW,
                                                     int32_t cropStartPosH, int32_t cropSizeW, int32_t cropSizeH,
                                                     uint64_t batchIndex)
{
    SWITCH_OR_FAIL(cropSwitch);
    aclError rc;
    aclmdlAIPP *p;
    struct hacl_aipp_img *im = img(__func__, aippParmsSet, batchIndex, &p, &rc);
    if (!im)
        return rc;
    if (cropSwitch && (cropStartPosW < 0 || cropStartPosW > 4095 || cropStartPosH < 0 || cropStartPosH > 4095 ||
                       cropSizeW < 1 || cropSizeW > 4096 || cropSizeH < 1 || cropSizeH > 4096)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "crop: start 0 to 4095, size 1 to 4096");
    } else {
        im->crop = cropSwitch;
        im->crop_x = cropStartPosW, im->crop_y = cropStartPosH;
        im->crop_w = cropSizeW, im->crop_h = cropSizeH;
    }
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPPaddingParams(aclmdlAIPP *aippParmsSet, int8_t paddingSwitch,
                                                        int32_t paddingSizeTop, int32_t paddingSizeBottom,
                                                        int32_t paddingSizeLeft, int32_t paddingSizeRight,
                                                        uint64_t batchIndex)
{
    SWITCH_OR_FAIL(paddingSwitch);
    aclError rc;
    aclmdlAIPP *p;
    struct hacl_aipp_img *im = img(__func__, aippParmsSet, batchIndex, &p, &rc);
    if (!im)
        return rc;
    const int32_t v[4] = {paddingSizeTop, paddingSizeBottom, paddingSizeLeft, paddingSizeRight};
    for (int i = 0; paddingSwitch && i < 4 && rc == ACL_SUCCESS; i++)
        if (v[i] < 0 || v[i] > 32)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "padding sizes lie in [0, 32] (one is %d)", v[i]);
    if (rc == ACL_SUCCESS) {
        im->pad = paddingSwitch;
        im->pad_t = v[0], im->pad_b = v[1], im->pad_l = v[2], im->pad_r = v[3];
    }
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPDtcPixelMean(aclmdlAIPP *aippParmsSet, int16_t dtcPixelMeanChn0,
                                                       int16_t dtcPixelMeanChn1, int16_t dtcPixelMeanChn2,
                                                       int16_t dtcPixelMeanChn3, uint64_t batchIndex)
{
    aclError rc;
    aclmdlAIPP *p;
    struct hacl_aipp_img *im = img(__func__, aippParmsSet, batchIndex, &p, &rc);
    if (!im)
        return rc;
    const int16_t v[4] = {dtcPixelMeanChn0, dtcPixelMeanChn1, dtcPixelMeanChn2, dtcPixelMeanChn3};
    for (int i = 0; i < 4 && rc == ACL_SUCCESS; i++)
        if (v[i] < 0 || v[i] > 255)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "channel means lie in [0, 255] (channel %d is %d)", i, v[i]);
    if (rc == ACL_SUCCESS)
        memcpy(im->mean, v, sizeof v);
    hacl_obj_put(&p->hdr);
    return rc;
}

/* min (0) or var_reci (1) for four channels, held as binary16. */
static aclError set_floats(const char *api, aclmdlAIPP *h, const float *v, uint64_t b, int var)
{
    aclError rc;
    aclmdlAIPP *p;
    struct hacl_aipp_img *im = img(api, h, b, &p, &rc);
    if (!im)
        return rc;
    float lo = var ? -65504.0f : 0.0f, hi = var ? 65504.0f : 255.0f;
    for (int i = 0; i < 4 && rc == ACL_SUCCESS; i++)
        if (!(v[i] >= lo && v[i] <= hi))
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "channel %d is %g; [%g, %g] expected", i, (double)v[i],
                          (double)lo, (double)hi);
    for (int i = 0; i < 4 && rc == ACL_SUCCESS; i++)
        (var ? im->var : im->min)[i] = hacl_half_to_float(hacl_float_to_half(v[i]));
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPDtcPixelMin(aclmdlAIPP *aippParmsSet, float dtcPixelMinChn0,
                                                      float dtcPixelMinChn1, float dtcPixelMinChn2,
                                                      float dtcPixelMinChn3, uint64_t batchIndex)
{
    const float v[4] = {dtcPixelMinChn0, dtcPixelMinChn1, dtcPixelMinChn2, dtcPixelMinChn3};
    return set_floats(__func__, aippParmsSet, v, batchIndex, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPPixelVarReci(aclmdlAIPP *aippParmsSet, float dtcPixelVarReciChn0,
                                                       float dtcPixelVarReciChn1, float dtcPixelVarReciChn2,
                                                       float dtcPixelVarReciChn3, uint64_t batchIndex)
{
    const float v[4] = {dtcPixelVarReciChn0, dtcPixelVarReciChn1, dtcPixelVarReciChn2, dtcPixelVarReciChn3};
    return set_floats(__func__, aippParmsSet, v, batchIndex, 1);
}

/* The HaclAipp node a dynamic image input feeds in the largest gear. */
static const struct hacl_aipp_node *aipp_node(const struct hacl_model *m, size_t input)
{
    int t = m->graph->inputs[input];
    for (size_t i = 0; i < m->graph->nnodes; i++) {
        const struct hacl_node *n = &m->graph->nodes[i];
        if (n->aux && !strcmp(n->op, "HaclAipp") && n->inputs[0] == t)
            return n->aux;
    }
    return NULL;
}

/* Checks an object against the model's input `data` (the parameter input
 * of a dynamic-AIPP image) and packs it into the dataset's buffer there. */
static aclError set_input_aipp(const char *api, uint32_t modelId, aclmdlDataset *dataset, size_t index, int by_image,
                               const aclmdlAIPP *h)
{
    if (!dataset)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dataset must not be NULL");
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    aclmdlAIPP *p = obj(api, (aclmdlAIPP *)h, &rc);
    if (!p)
        return rc;
    struct hacl_model *m = hacl_model_get(modelId);
    aclmdlDataset *ds = m ? hacl_dataset_get(dataset) : NULL;
    size_t data = index, image = (size_t)-1;
    if (!m) {
        rc = hacl_err(ACL_ERROR_INVALID_MODEL_ID, api, "model id %u is not loaded", modelId);
    } else if (!ds) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "%p is not a live dataset", (void *)dataset);
    } else if (index >= m->graph->ninputs) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "index %zu is outside the model's %zu inputs", index,
                      m->graph->ninputs);
    } else if (by_image) {
        if (m->in_info[index].kind != HACL_IN_AIPP_DYNAMIC)
            rc = hacl_err(ACL_ERROR_FAILURE, api, "input %zu has no dynamic AIPP", index);
        else
            image = index, data = m->in_info[index].attached;
    } else if (m->in_info[index].kind != HACL_IN_AIPP_DATA) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "input %zu is not an %s input", index, ACL_DYNAMIC_AIPP_NAME);
    } else {
        for (size_t i = 0; i < m->graph->ninputs; i++)
            if (m->in_info[i].kind == HACL_IN_AIPP_DYNAMIC && m->in_info[i].attached == index)
                image = i;
    }
    const struct hacl_aipp_node *an = rc == ACL_SUCCESS ? aipp_node(m, image) : NULL;
    char why[256];
    if (rc == ACL_SUCCESS && !an)
        rc = hacl_err(ACL_ERROR_FAILURE, api, "input %zu has no dynamic AIPP", image);
    if (rc == ACL_SUCCESS) {
        const struct hacl_aipp *a = &p->a;
        int f = a->format;
        size_t img = hacl_aipp_image_bytes(f, a->src_w, a->src_h);
        if (f != ACL_YUV420SP_U8 && f != ACL_XRGB8888_U8 && f != ACL_RGB888_U8 && f != ACL_YUV400_U8)
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the input format (%d) must be YUV420SP_U8, XRGB8888_U8, "
                                                        "RGB888_U8 or YUV400_U8", f);
        else if ((uint64_t)an->n != p->n)
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the object holds %llu images; the model's batch is %lld",
                          (unsigned long long)p->n, (long long)an->n);
        else if (!img || img * p->n > an->a.max_src_size)
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api,
                          "%llu source images of %d x %d need %zu bytes; the model takes at most %u "
                          "(max_src_image_size)",
                          (unsigned long long)p->n, a->src_w, a->src_h, img * p->n, an->a.max_src_size);
        for (uint64_t b = 0; rc == ACL_SUCCESS && b < p->n; b++)
            if (hacl_aipp_check(a, &p->img[b], an->h, an->w, why, sizeof why) != ACL_SUCCESS)
                rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "image %llu: %s", (unsigned long long)b, why);
    }
    if (rc == ACL_SUCCESS) {
        size_t need = HACL_AIPP_HEAD + HACL_AIPP_PER_IMAGE * (size_t)p->n;
        aclDataBuffer *b = data < ds->count ? hacl_databuf_get(ds->buffers[data]) : NULL;
        void *dst = b ? b->data : NULL;
        size_t size = b ? b->size : 0;
        if (b)
            hacl_obj_put(&b->hdr);
        if (!dst)
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the dataset has no buffer for input %zu", data);
        else if (size < need)
            rc = hacl_err(ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID, api,
                          "the %s buffer has %zu bytes; %llu images need %zu", ACL_DYNAMIC_AIPP_NAME, size,
                          (unsigned long long)p->n, need);
        else
            hacl_aipp_pack(&p->a, p->img, p->n, dst);
    }
    if (ds)
        hacl_obj_put(&ds->hdr);
    hacl_model_put(m);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetInputAIPP(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                                const aclmdlAIPP *aippParmsSet)
{
    return set_input_aipp(__func__, modelId, dataset, index, 0, aippParmsSet);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetAIPPByInputIndex(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                                       const aclmdlAIPP *aippParmsSet)
{
    return set_input_aipp(__func__, modelId, dataset, index, 1, aippParmsSet);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetAippType(uint32_t modelId, size_t index, aclmdlInputAippType *type,
                                               size_t *dynamicAttachedDataIndex)
{
    if (!type || !dynamicAttachedDataIndex)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "type and dynamicAttachedDataIndex must not be NULL");
    struct hacl_model *m = hacl_model_get(modelId);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    aclError rc = ACL_SUCCESS;
    if (index >= m->graph->ninputs) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is outside the model's %zu inputs", index,
                      m->graph->ninputs);
    } else {
        const struct hacl_in_info *in = &m->in_info[index];
        *type = in->kind == HACL_IN_AIPP_STATIC    ? ACL_DATA_WITH_STATIC_AIPP
                : in->kind == HACL_IN_AIPP_DYNAMIC ? ACL_DATA_WITH_DYNAMIC_AIPP
                : in->kind == HACL_IN_AIPP_DATA    ? ACL_DYNAMIC_AIPP_NODE
                                                   : ACL_DATA_WITHOUT_AIPP;
        *dynamicAttachedDataIndex = in->kind == HACL_IN_AIPP_DYNAMIC ? in->attached : ACL_INVALID_NODE_INDEX;
    }
    hacl_model_put(m);
    return rc;
}

static void io_dims(aclmdlIODims *d, int rank, const int64_t *dims)
{
    memset(d, 0, sizeof *d);
    d->dimCount = (size_t)rank;
    memcpy(d->dims, dims, (size_t)rank * sizeof *dims);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetFirstAippInfo(uint32_t modelId, size_t index, aclAippInfo *aippInfo)
{
    if (!aippInfo)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "aippInfo must not be NULL");
    struct hacl_model *m = hacl_model_get(modelId);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    aclError rc = ACL_SUCCESS;
    const struct hacl_in_info *in = index < m->graph->ninputs ? &m->in_info[index] : NULL;
    if (!in) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is outside the model's %zu inputs", index,
                      m->graph->ninputs);
    } else if (in->kind != HACL_IN_AIPP_STATIC && in->kind != HACL_IN_AIPP_DYNAMIC) {
        rc = HACL_ERR(ACL_ERROR_GE_AIPP_NOT_EXIST, "input %zu has no AIPP", index);
    } else {
        const struct hacl_aipp *a = in->aipp;
        const struct hacl_aipp_img *im = &a->img;
        aclAippInfo *o = aippInfo;
        memset(o, 0, sizeof *o);
        if (in->kind == HACL_IN_AIPP_STATIC) {
            o->inputFormat = (aclAippInputFormat)a->format;
            o->srcImageSizeW = a->src_w, o->srcImageSizeH = a->src_h;
            o->cropSwitch = im->crop;
            o->loadStartPosW = im->crop_x, o->loadStartPosH = im->crop_y;
            o->cropSizeW = im->crop_w, o->cropSizeH = im->crop_h;
            o->paddingSwitch = im->pad;
            o->leftPaddingSize = im->pad_l, o->rightPaddingSize = im->pad_r;
            o->topPaddingSize = im->pad_t, o->bottomPaddingSize = im->pad_b;
            o->cscSwitch = a->csc, o->rbuvSwapSwitch = a->rbuv_swap, o->axSwapSwitch = a->ax_swap;
            int32_t *mx[9] = {&o->matrixR0C0, &o->matrixR0C1, &o->matrixR0C2, &o->matrixR1C0, &o->matrixR1C1,
                              &o->matrixR1C2, &o->matrixR2C0, &o->matrixR2C1, &o->matrixR2C2};
            for (int i = 0; i < 9; i++)
                *mx[i] = a->matrix[i];
            o->outputBias0 = a->out_bias[0], o->outputBias1 = a->out_bias[1], o->outputBias2 = a->out_bias[2];
            o->inputBias0 = a->in_bias[0], o->inputBias1 = a->in_bias[1], o->inputBias2 = a->in_bias[2];
            o->meanChn0 = im->mean[0], o->meanChn1 = im->mean[1], o->meanChn2 = im->mean[2], o->meanChn3 = im->mean[3];
            o->minChn0 = im->min[0], o->minChn1 = im->min[1], o->minChn2 = im->min[2], o->minChn3 = im->min[3];
            o->varReciChn0 = im->var[0], o->varReciChn1 = im->var[1], o->varReciChn2 = im->var[2];
            o->varReciChn3 = im->var[3];
        }
        o->srcFormat = ACL_FORMAT_NCHW;
        o->srcDatatype = hacl_onnx_to_acl_type(in->src_type);
        o->srcDimNum = (size_t)in->src_rank;
        /* one entry per gear, or one */
        size_t ng = m->ngears ? m->ngears : 1;
        o->shapeCount = ng;
        for (size_t g = 0; g < ng && g < ACL_MAX_SHAPE_COUNT; g++) {
            const struct hacl_model *gm = m->ngears ? m->gears[g] : m;
            const struct hacl_tensor *src = NULL;
            for (size_t i = 0; i < gm->graph->nnodes; i++) {
                const struct hacl_node *n = &gm->graph->nodes[i];
                if (n->aux && !strcmp(n->op, "HaclAipp") && n->inputs[0] == gm->graph->inputs[index])
                    src = &gm->graph->tensors[n->outputs[0]];
            }
            if (!src)
                continue;
            io_dims(&o->outDims[g].srcDims, src->rank, src->dims);
            o->outDims[g].srcSize = hacl_tensor_bytes(src);
            io_dims(&o->outDims[g].aippOutdims, src->rank, src->dims);
            o->outDims[g].aippOutSize = hacl_tensor_bytes(src);
        }
    }
    hacl_model_put(m);
    return rc;
}
