/*
 * VPC: resize, crop, crop-and-paste and their batch forms, colour
 * conversion and pyramid-down, as stream tasks. Output pictures are NV12
 * or NV21 (as on Ascend 310); inputs any format of docs/semantics.md's VPC
 * table. A crop is resized to the whole output, or to the paste area (the
 * rest of the output keeps its bytes). Offsets and sizes are taken even
 * (4:2:0 chroma), rounding down, as Ascend 310 does with odd ones.
 */
#include <stdlib.h>
#include <string.h>

#include "dvpp_impl.h"

struct vpc_op {
    struct acldvppPicDesc in, out; /* copied at the call */
    acldvppPicDesc *out_desc;      /* its return code is set */
    uint32_t cx, cy, cw, ch;       /* the crop, in the input */
    uint32_t dx, dy, dw, dh;       /* where it goes, in the output */
};

struct vpc_job {
    uint32_t interp;
    uint32_t n;
    struct vpc_op ops[];
};

static void set_ret(void *p, void *arg)
{
    ((acldvppPicDesc *)p)->ret = *(uint32_t *)arg;
}

static aclError vpc_run(void *arg, char *why, size_t whylen)
{
    struct vpc_job *j = arg;
    aclError rc = ACL_SUCCESS;
    for (uint32_t i = 0; i < j->n; i++) {
        struct vpc_op *op = &j->ops[i];
        aclError r = ACL_SUCCESS;
        size_t in_bytes = dvpp_pic_bytes(op->in.format, op->in.wstride, op->in.hstride);
        size_t out_bytes = dvpp_pic_bytes(op->out.format, op->out.wstride, op->out.hstride);
        struct dvpp_nv12 src;
        if (!haclCompanionMemOk(op->in.data, in_bytes) || !haclCompanionMemOk(op->out.data, out_bytes)) {
            r = ACL_ERROR_INVALID_PARAM;
            snprintf(why, whylen, "picture %u: its memory was freed before the task ran", i);
        } else if (dvpp_region_nv12(&op->in, op->cx, op->cy, op->cw, op->ch, &src) != 0) {
            r = ACL_ERROR_BAD_ALLOC;
            snprintf(why, whylen, "picture %u: out of memory", i);
        } else {
            dvpp_resample_into(&src, &op->out, op->dx, op->dy, op->dw, op->dh, j->interp);
            dvpp_nv12_free(&src);
        }
        uint32_t ret = (uint32_t)r;
        dvpp_with_live(op->out_desc, K_PIC, set_ret, &ret);
        if (r != ACL_SUCCESS && rc == ACL_SUCCESS)
            rc = r;
    }
    return rc;
}

static void vpc_drop(void *arg)
{
    free(arg);
}

/* Checks a picture for VPC: input (any VPC format) or output (NV12/NV21). */
static aclError check_pic(const char *api, const acldvppPicDesc *p, int output, const char *what)
{
    if (!p)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s description must not be NULL", what);
    if (!dvpp_live(p, K_PIC))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s description %p is not live", what,
                                  (const void *)p);
    if (!p->data)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s picture has no data", what);
    int ok = output ? p->format == PIXEL_FORMAT_YUV_SEMIPLANAR_420 || p->format == PIXEL_FORMAT_YVU_SEMIPLANAR_420
                    : dvpp_vpc_input_format(p->format);
    if (!ok)
        return haclCompanionError(ACL_ERROR_FORMAT_NOT_MATCH, api, "the %s picture's format %u is not one VPC %s",
                                  what, p->format, output ? "writes (NV12, NV21)" : "reads");
    uint32_t maxw = output ? 4096 : 8192, maxh = output ? 4096 : 8192;
    if (p->width < 10 || p->height < 6 || p->width > maxw || p->height > maxh)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s picture is %u x %u (10 x 6 to %u x %u)",
                                  what, p->width, p->height, maxw, maxh);
    /* bytes per pixel in the first plane's rows */
    size_t bpp = 1;
    if (p->format >= PIXEL_FORMAT_YUYV_PACKED_422 && p->format <= PIXEL_FORMAT_BGRA_8888)
        bpp = p->format <= PIXEL_FORMAT_VYUY_PACKED_422 ? 2 : p->format <= PIXEL_FORMAT_BGR_888 ? 3 : 4;
    if ((size_t)p->wstride < p->width * bpp || p->hstride < p->height || p->hstride > 16384 || p->wstride > 16384)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api,
                                  "the %s picture's strides %u x %u do not hold %u x %u pixels (up to 16384)", what,
                                  p->wstride, p->hstride, p->width, p->height);
    size_t need = dvpp_pic_bytes(p->format, p->wstride, p->hstride);
    if (p->size < need)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s picture's size %u is below the %zu bytes its "
                                                                "strides need", what, p->size, need);
    if (!haclCompanionMemOk(p->data, need))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api,
                                  "the %s picture's %zu bytes at %p are not device memory (acldvppMalloc)", what, need,
                                  p->data);
    return ACL_SUCCESS;
}

static aclError check_roi(const char *api, const acldvppRoiConfig *r, uint32_t w, uint32_t h, const char *what)
{
    if (!r)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s area must not be NULL", what);
    if (!dvpp_live(r, K_ROI))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the %s area %p is not a live region", what,
                                  (const void *)r);
    if (r->left > r->right || r->top > r->bottom || r->right >= w || r->bottom >= h ||
        r->right - r->left + 1 < 10 || r->bottom - r->top + 1 < 6)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api,
                                  "the %s area (%u, %u)-(%u, %u) is not at least 10 x 6 inside the %u x %u picture",
                                  what, r->left, r->top, r->right, r->bottom, w, h);
    return ACL_SUCCESS;
}

/* Fills one operation after its checks. */
static aclError make_op(const char *api, struct vpc_op *op, acldvppPicDesc *in, acldvppPicDesc *out,
                        const acldvppRoiConfig *crop, const acldvppRoiConfig *paste)
{
    aclError rc = check_pic(api, in, 0, "input");
    if (rc == ACL_SUCCESS)
        rc = check_pic(api, out, 1, "output");
    if (rc == ACL_SUCCESS && crop)
        rc = check_roi(api, crop, in->width, in->height, "crop");
    if (rc == ACL_SUCCESS && paste)
        rc = check_roi(api, paste, out->width, out->height, "paste");
    if (rc != ACL_SUCCESS)
        return rc;
    op->in = *in;
    op->out = *out;
    op->out_desc = out;
    op->cx = crop ? crop->left : 0;
    op->cy = crop ? crop->top : 0;
    op->cw = crop ? crop->right - crop->left + 1 : in->width;
    op->ch = crop ? crop->bottom - crop->top + 1 : in->height;
    op->dx = (paste ? paste->left : 0) & ~1u;
    op->dy = (paste ? paste->top : 0) & ~1u;
    op->dw = (paste ? paste->right - paste->left + 1 : out->width) & ~1u;
    op->dh = (paste ? paste->bottom - paste->top + 1 : out->height) & ~1u;
    return ACL_SUCCESS;
}

static aclError interp_of(const char *api, const acldvppResizeConfig *r, uint32_t *interp)
{
    *interp = 0;
    if (!r)
        return ACL_SUCCESS;
    if (!dvpp_live(r, K_RESIZE))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%p is not a live resize configuration",
                                  (const void *)r);
    *interp = r->interpolation;
    return ACL_SUCCESS;
}

static aclError one(const char *api, acldvppChannelDesc *ch, acldvppPicDesc *in, acldvppPicDesc *out,
                    const acldvppRoiConfig *crop, const acldvppRoiConfig *paste, const acldvppResizeConfig *resize,
                    int need_resize, aclrtStream stream)
{
    aclError rc = dvpp_check_channel(api, ch);
    if (rc == ACL_SUCCESS && need_resize && !resize)
        rc = haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "resizeConfig must not be NULL");
    struct vpc_job *j = rc == ACL_SUCCESS ? calloc(1, sizeof *j + sizeof j->ops[0]) : NULL;
    if (rc == ACL_SUCCESS && !j)
        rc = haclCompanionError(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    if (rc == ACL_SUCCESS)
        rc = interp_of(api, resize, &j->interp);
    if (rc == ACL_SUCCESS)
        rc = make_op(api, &j->ops[0], in, out, crop, paste);
    if (rc != ACL_SUCCESS) {
        free(j);
        return rc;
    }
    j->n = 1;
    return haclCompanionLaunch(api, stream, vpc_run, vpc_drop, j);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcResizeAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                   acldvppPicDesc *outputDesc, acldvppResizeConfig *resizeConfig,
                                                   aclrtStream stream)
{
    return one(__func__, channelDesc, inputDesc, outputDesc, NULL, NULL, resizeConfig, 1, stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcCropAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                 acldvppPicDesc *outputDesc, acldvppRoiConfig *cropArea,
                                                 aclrtStream stream)
{
    if (!cropArea)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "cropArea must not be NULL");
    return one(__func__, channelDesc, inputDesc, outputDesc, cropArea, NULL, NULL, 0, stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcCropResizeAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                       acldvppPicDesc *outputDesc, acldvppRoiConfig *cropArea,
                                                       acldvppResizeConfig *resizeConfig, aclrtStream stream)
{
    if (!cropArea)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "cropArea must not be NULL");
    return one(__func__, channelDesc, inputDesc, outputDesc, cropArea, NULL, resizeConfig, 1, stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcCropAndPasteAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                         acldvppPicDesc *outputDesc, acldvppRoiConfig *cropArea,
                                                         acldvppRoiConfig *pasteArea, aclrtStream stream)
{
    if (!cropArea || !pasteArea)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "cropArea and pasteArea must not be NULL");
    return one(__func__, channelDesc, inputDesc, outputDesc, cropArea, pasteArea, NULL, 0, stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcCropResizePasteAsync(acldvppChannelDesc *channelDesc,
                                                            acldvppPicDesc *inputDesc, acldvppPicDesc *outputDesc,
                                                            acldvppRoiConfig *cropArea, acldvppRoiConfig *pasteArea,
                                                            acldvppResizeConfig *resizeConfig, aclrtStream stream)
{
    if (!cropArea || !pasteArea)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "cropArea and pasteArea must not be NULL");
    return one(__func__, channelDesc, inputDesc, outputDesc, cropArea, pasteArea, resizeConfig, 1, stream);
}

/* The batch forms: roiNums[i] crops of source picture i (i < size), one
 * destination picture per crop, in order. */
static aclError batch(const char *api, acldvppChannelDesc *ch, acldvppBatchPicDesc *src, uint32_t *roiNums,
                      uint32_t size, acldvppBatchPicDesc *dst, acldvppRoiConfig *crops[], acldvppRoiConfig *pastes[],
                      int with_paste, const acldvppResizeConfig *resize, aclrtStream stream)
{
    aclError rc = dvpp_check_channel(api, ch);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!dvpp_live(src, K_BATCH) || !dvpp_live(dst, K_BATCH) || !roiNums || !crops || (with_paste && !pastes))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api,
                                  "live source and destination batches, roiNums and the areas are needed");
    if (size < 1 || size > src->n)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "size %u: 1 to the source batch's %u", size, src->n);
    uint32_t total = 0;
    for (uint32_t i = 0; i < size; i++) {
        if (roiNums[i] < 1 || roiNums[i] > 256 || total + roiNums[i] > 256)
            return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "roiNums[%u] is %u: 1 or more, 256 crops in all",
                                      i, roiNums[i]);
        total += roiNums[i];
    }
    if (total > dst->n)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%u crops, but the destination batch holds %u",
                                  total, dst->n);
    struct vpc_job *j = calloc(1, sizeof *j + total * sizeof j->ops[0]);
    if (!j)
        return haclCompanionError(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    rc = interp_of(api, resize, &j->interp);
    uint32_t k = 0;
    for (uint32_t i = 0; rc == ACL_SUCCESS && i < size; i++)
        for (uint32_t c = 0; rc == ACL_SUCCESS && c < roiNums[i]; c++, k++)
            rc = make_op(api, &j->ops[k], &src->pics[i], &dst->pics[k], crops[k], with_paste ? pastes[k] : NULL);
    if (rc != ACL_SUCCESS) {
        free(j);
        return rc;
    }
    j->n = total;
    return haclCompanionLaunch(api, stream, vpc_run, vpc_drop, j);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcBatchCropAsync(acldvppChannelDesc *channelDesc,
                                                      acldvppBatchPicDesc *srcBatchPicDescs, uint32_t *roiNums,
                                                      uint32_t size, acldvppBatchPicDesc *dstBatchPicDescs,
                                                      acldvppRoiConfig *cropAreas[], aclrtStream stream)
{
    return batch(__func__, channelDesc, srcBatchPicDescs, roiNums, size, dstBatchPicDescs, cropAreas, NULL, 0, NULL,
                 stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcBatchCropResizeAsync(acldvppChannelDesc *channelDesc,
                                                            acldvppBatchPicDesc *srcBatchPicDescs,
                                                            uint32_t *roiNums, uint32_t size,
                                                            acldvppBatchPicDesc *dstBatchPicDescs,
                                                            acldvppRoiConfig *cropAreas[],
                                                            acldvppResizeConfig *resizeConfig, aclrtStream stream)
{
    if (!resizeConfig)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "resizeConfig must not be NULL");
    return batch(__func__, channelDesc, srcBatchPicDescs, roiNums, size, dstBatchPicDescs, cropAreas, NULL, 0,
                 resizeConfig, stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcBatchCropAndPasteAsync(acldvppChannelDesc *channelDesc,
                                                              acldvppBatchPicDesc *srcBatchPicDescs,
                                                              uint32_t *roiNums, uint32_t size,
                                                              acldvppBatchPicDesc *dstBatchPicDescs,
                                                              acldvppRoiConfig *cropAreas[],
                                                              acldvppRoiConfig *pasteAreas[], aclrtStream stream)
{
    return batch(__func__, channelDesc, srcBatchPicDescs, roiNums, size, dstBatchPicDescs, cropAreas, pasteAreas, 1,
                 NULL, stream);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcBatchCropResizePasteAsync(
    acldvppChannelDesc *channelDesc, acldvppBatchPicDesc *srcBatchPicDescs, uint32_t *roiNums, uint32_t size,
    acldvppBatchPicDesc *dstBatchPicDescs, acldvppRoiConfig *cropAreas[], acldvppRoiConfig *pasteAreas[],
    acldvppResizeConfig *resizeConfig, aclrtStream stream)
{
    if (!resizeConfig)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "resizeConfig must not be NULL");
    return batch(__func__, channelDesc, srcBatchPicDescs, roiNums, size, dstBatchPicDescs, cropAreas, pasteAreas, 1,
                 resizeConfig, stream);
}

/* Colour conversion: the input converted to the output's NV12/NV21 at the
 * same size (output width/height 0 or equal to the input's). */
ACL_FUNC_VISIBILITY aclError acldvppVpcConvertColorAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                         acldvppPicDesc *outputDesc, aclrtStream stream)
{
    if (outputDesc && dvpp_live(outputDesc, K_PIC) && inputDesc && dvpp_live(inputDesc, K_PIC)) {
        if ((outputDesc->width && outputDesc->width != inputDesc->width) ||
            (outputDesc->height && outputDesc->height != inputDesc->height))
            return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "colour conversion keeps the size: the output is %u x %u, the "
                                                     "input %u x %u", outputDesc->width, outputDesc->height,
                            inputDesc->width, inputDesc->height);
        outputDesc->width = inputDesc->width;
        outputDesc->height = inputDesc->height;
    }
    return one(__func__, channelDesc, inputDesc, outputDesc, NULL, NULL, NULL, 0, stream);
}

/* Pyramid down: half the size (a 2x2 box here); reserve must be NULL. */
ACL_FUNC_VISIBILITY aclError acldvppVpcPyrDownAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                    acldvppPicDesc *outputDesc, void *reserve, aclrtStream stream)
{
    if (reserve)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "reserve must be NULL");
    if (outputDesc && dvpp_live(outputDesc, K_PIC) && inputDesc && dvpp_live(inputDesc, K_PIC) &&
        (outputDesc->width != (inputDesc->width + 1) / 2 || outputDesc->height != (inputDesc->height + 1) / 2))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the output must be half the input's %u x %u", inputDesc->width,
                        inputDesc->height);
    return one(__func__, channelDesc, inputDesc, outputDesc, NULL, NULL, NULL, 0, stream);
}
