/*
 * JPEG with libjpeg-turbo: header queries, size prediction, decoding to
 * semi-planar YUV straight from the codec's planes (no RGB round trip; the
 * luma plane is decoded in place) and encoding from NV12/NV21 or packed
 * 4:2:2. Geometry as DVPP on Ascend 310 (docs/semantics.md, "DVPP"):
 * decoded pictures have widthStride ALIGN(w, 128) and heightStride
 * ALIGN(h, 16); subsampled outputs round odd sizes down to even.
 */
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "dvpp_impl.h"

#define JPEG_MIN 32
#define JPEG_MAX 8192

struct jinfo {
    int w, h, samp, cs;
};

/* Reads a JPEG header: 0, or an aclError with why. */
static aclError header(const void *data, size_t size, struct jinfo *j, char *why, size_t whylen)
{
    tjhandle t = tjInitDecompress();
    if (!t) {
        snprintf(why, whylen, "out of memory");
        return ACL_ERROR_BAD_ALLOC;
    }
    int rc = tjDecompressHeader3(t, data, (unsigned long)size, &j->w, &j->h, &j->samp, &j->cs);
    if (rc != 0)
        snprintf(why, whylen, "not a JPEG libjpeg-turbo can read: %s", tjGetErrorStr2(t));
    tjDestroy(t);
    if (rc != 0)
        return ACL_ERROR_FAILURE;
    if (j->cs == TJCS_CMYK || j->cs == TJCS_YCCK) {
        snprintf(why, whylen, "a CMYK JPEG (DVPP decodes YUV and grey ones)");
        return ACL_ERROR_UNSUPPORTED_JPEG;
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppJpegGetImageInfoV2(const void *data, uint32_t size, uint32_t *width,
                                                       uint32_t *height, int32_t *components,
                                                       acldvppJpegFormat *format)
{
    if (!data || !size)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "data must not be NULL and size not 0");
    struct jinfo j;
    char why[200];
    aclError rc = header(data, size, &j, why, sizeof why);
    if (rc != ACL_SUCCESS)
        return DVPP_ERR(rc, "%s", why);
    if (width)
        *width = (uint32_t)j.w;
    if (height)
        *height = (uint32_t)j.h;
    if (components)
        *components = j.samp == TJSAMP_GRAY ? 1 : 3;
    if (format) {
        static const acldvppJpegFormat by_samp[] = {ACL_JPEG_CSS_444, ACL_JPEG_CSS_422, ACL_JPEG_CSS_420,
                                                    ACL_JPEG_CSS_GRAY, ACL_JPEG_CSS_440};
        *format = j.samp >= 0 && j.samp <= TJSAMP_440 ? by_samp[j.samp] : ACL_JPEG_CSS_UNKNOWN;
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppJpegGetImageInfo(const void *data, uint32_t size, uint32_t *width,
                                                     uint32_t *height, int32_t *components)
{
    return acldvppJpegGetImageInfoV2(data, size, width, height, components, NULL);
}

/* The semi-planar format an output format and source sampling give, and
 * its chroma subsampling (fx, fy: luma pixels per chroma sample); 0 when
 * the output format is not one JPEG decoding writes. */
static uint32_t out_format(uint32_t f, int samp, int *fx, int *fy)
{
    if (f == PIXEL_FORMAT_UNKNOWN) { /* the source's sampling, V first */
        static const uint32_t keep[] = {PIXEL_FORMAT_YVU_SEMIPLANAR_444, PIXEL_FORMAT_YVU_SEMIPLANAR_422,
                                        PIXEL_FORMAT_YVU_SEMIPLANAR_420, PIXEL_FORMAT_YUV_400,
                                        PIXEL_FORMAT_YVU_SEMIPLANAR_440, PIXEL_FORMAT_YVU_SEMIPLANAR_420};
        f = samp >= 0 && samp <= TJSAMP_411 ? keep[samp] : PIXEL_FORMAT_YVU_SEMIPLANAR_420;
    }
    switch (f) {
    case PIXEL_FORMAT_YUV_SEMIPLANAR_420:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_420:
        *fx = 2, *fy = 2;
        return f;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_422:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_422:
        *fx = 2, *fy = 1;
        return f;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_444:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_444:
        *fx = 1, *fy = 1;
        return f;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_440:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_440:
        *fx = 1, *fy = 2;
        return f;
    case PIXEL_FORMAT_YUV_400:
        *fx = *fy = 0;
        return f;
    default:
        return 0;
    }
}

/* Output geometry: sizes rounded down to the chroma subsampling. */
static void geometry(const struct jinfo *j, int fx, int fy, uint32_t *w, uint32_t *h, uint32_t *ws, uint32_t *hs)
{
    *w = (uint32_t)j->w, *h = (uint32_t)j->h;
    if (fx == 2)
        *w &= ~1u;
    if (fy == 2)
        *h &= ~1u;
    /* the strides hold the whole source (the codec writes every luma row
     * and column before rounding) */
    *ws = dvpp_align((uint32_t)j->w, 128);
    *hs = dvpp_align((uint32_t)j->h, 16);
}

ACL_FUNC_VISIBILITY aclError acldvppJpegPredictDecSize(const void *data, uint32_t dataSize,
                                                       acldvppPixelFormat outputPixelFormat, uint32_t *decSize)
{
    if (!data || !dataSize || !decSize)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "data and decSize must not be NULL and dataSize not 0");
    struct jinfo j;
    char why[200];
    aclError rc = header(data, dataSize, &j, why, sizeof why);
    if (rc != ACL_SUCCESS)
        return DVPP_ERR(rc, "%s", why);
    int fx, fy;
    uint32_t f = out_format(outputPixelFormat, j.samp, &fx, &fy);
    if (!f)
        return DVPP_ERR(ACL_ERROR_FORMAT_NOT_MATCH, "JPEG decoding does not write format %d", (int)outputPixelFormat);
    if (j.w < JPEG_MIN || j.h < JPEG_MIN || j.w > JPEG_MAX || j.h > JPEG_MAX)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the JPEG is %d x %d (%d x %d to %d x %d)", j.w, j.h, JPEG_MIN,
                        JPEG_MIN, JPEG_MAX, JPEG_MAX);
    uint32_t w, h, ws, hs;
    geometry(&j, fx, fy, &w, &h, &ws, &hs);
    *decSize = (uint32_t)dvpp_pic_bytes(f, ws, hs);
    return ACL_SUCCESS;
}

/* ---- decoding ---- */

struct dec_job {
    const void *data;
    uint32_t size;
    struct acldvppPicDesc out; /* as given */
    acldvppPicDesc *out_desc;
};

struct dec_result {
    uint32_t w, h, ws, hs, size, format;
    aclError ret;
};

static void write_desc(void *p, void *arg)
{
    acldvppPicDesc *d = p;
    const struct dec_result *r = arg;
    if (r->ret == ACL_SUCCESS) {
        d->width = r->w, d->height = r->h, d->wstride = r->ws, d->hstride = r->hs;
        d->size = r->size, d->format = r->format;
    }
    d->ret = (uint32_t)r->ret;
}

/* Chroma sample (tx, ty) of the target sampling (fx, fy) averaged from the
 * source plane (sampling sx, sy; cw x ch samples). */
static uint8_t chroma_at(const uint8_t *plane, int stride, int cw, int ch, int sx, int sy, int tx, int ty, int fx,
                         int fy)
{
    int x0 = tx * fx / sx, x1 = ((tx + 1) * fx - 1) / sx, y0 = ty * fy / sy, y1 = ((ty + 1) * fy - 1) / sy;
    x1 = x1 < cw ? x1 : cw - 1, y1 = y1 < ch ? y1 : ch - 1;
    x0 = x0 < cw ? x0 : cw - 1, y0 = y0 < ch ? y0 : ch - 1;
    int sum = 0, n = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            sum += plane[(size_t)y * stride + x], n++;
    return (uint8_t)((sum + n / 2) / n);
}

static aclError decode(struct dec_job *j, struct dec_result *r, char *why, size_t whylen)
{
    struct jinfo info;
    if (!haclCompanionMemOk(j->data, j->size) || !haclCompanionMemOk(j->out.data, j->out.size)) {
        snprintf(why, whylen, "the JPEG or the output picture was freed before the task ran");
        return ACL_ERROR_INVALID_PARAM;
    }
    aclError rc = header(j->data, j->size, &info, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (info.w < JPEG_MIN || info.h < JPEG_MIN || info.w > JPEG_MAX || info.h > JPEG_MAX) {
        snprintf(why, whylen, "the JPEG is %d x %d (%d x %d to %d x %d)", info.w, info.h, JPEG_MIN, JPEG_MIN,
                 JPEG_MAX, JPEG_MAX);
        return ACL_ERROR_INVALID_PARAM;
    }
    int fx, fy;
    uint32_t f = out_format(j->out.format, info.samp, &fx, &fy);
    geometry(&info, fx, fy, &r->w, &r->h, &r->ws, &r->hs);
    r->format = f;
    size_t need = dvpp_pic_bytes(f, r->ws, r->hs);
    if (need > j->out.size) {
        snprintf(why, whylen, "the %d x %d picture needs %zu bytes; the output has %u", info.w, info.h, need,
                 j->out.size);
        return ACL_ERROR_INVALID_PARAM;
    }
    r->size = (uint32_t)need;
    /* the codec's planes: luma straight into the output, chroma aside */
    int samp = info.samp;
    int cw = samp == TJSAMP_GRAY ? 0 : tjPlaneWidth(1, info.w, samp);
    int chh = samp == TJSAMP_GRAY ? 0 : tjPlaneHeight(1, info.h, samp);
    uint8_t *out = j->out.data;
    uint8_t *cmem = cw > 0 ? malloc((size_t)cw * chh * 2) : NULL;
    if (cw > 0 && !cmem) {
        snprintf(why, whylen, "out of memory");
        return ACL_ERROR_BAD_ALLOC;
    }
    /* the luma plane may be one column/row larger than the rounded picture:
     * the strides have room for it (ALIGN(w, 128) > w - 1, ALIGN(h, 16) >= h) */
    unsigned char *planes[3] = {out, cmem, cmem ? cmem + (size_t)cw * chh : NULL};
    int strides[3] = {(int)r->ws, cw, cw};
    tjhandle t = tjInitDecompress();
    int bad = !t || tjDecompressToYUVPlanes(t, j->data, j->size, planes, info.w, strides, info.h, 0) != 0;
    if (bad) {
        snprintf(why, whylen, "the JPEG does not decode: %s", t ? tjGetErrorStr2(t) : "out of memory");
        if (t)
            tjDestroy(t);
        free(cmem);
        return ACL_ERROR_FAILURE;
    }
    tjDestroy(t);
    if (fx) {
        int tw = (int)r->w / fx, th = (int)r->h / fy;
        size_t crow = (size_t)r->ws * (fx == 1 ? 2 : 1); /* bytes per chroma row */
        uint8_t *c = out + (size_t)r->ws * r->hs;
        int vfirst = f == PIXEL_FORMAT_YVU_SEMIPLANAR_420 || f == PIXEL_FORMAT_YVU_SEMIPLANAR_422 ||
                     f == PIXEL_FORMAT_YVU_SEMIPLANAR_444 || f == PIXEL_FORMAT_YVU_SEMIPLANAR_440;
        int sx = samp == TJSAMP_GRAY ? 1 : info.w / cw > 0 ? (info.w + cw - 1) / cw : 1;
        int sy = samp == TJSAMP_GRAY ? 1 : (info.h + chh - 1) / chh;
        int direct = samp != TJSAMP_GRAY && sx == fx && sy == fy;
        for (int ty = 0; ty < th; ty++) {
            uint8_t *row = c + (size_t)ty * crow;
            for (int tx = 0; tx < tw; tx++) {
                uint8_t u = 128, v = 128;
                if (direct) {
                    u = cmem[(size_t)ty * cw + tx];
                    v = cmem[(size_t)cw * chh + (size_t)ty * cw + tx];
                } else if (samp != TJSAMP_GRAY) {
                    u = chroma_at(cmem, cw, cw, chh, sx, sy, tx, ty, fx, fy);
                    v = chroma_at(cmem + (size_t)cw * chh, cw, cw, chh, sx, sy, tx, ty, fx, fy);
                }
                row[2 * tx + vfirst] = u;
                row[2 * tx + 1 - vfirst] = v;
            }
        }
    }
    free(cmem);
    return ACL_SUCCESS;
}

static aclError dec_run(void *arg, char *why, size_t whylen)
{
    struct dec_job *j = arg;
    struct dec_result r = {0};
    r.ret = decode(j, &r, why, whylen);
    dvpp_with_live(j->out_desc, K_PIC, write_desc, &r);
    return r.ret;
}

ACL_FUNC_VISIBILITY aclError acldvppJpegDecodeAsync(acldvppChannelDesc *channelDesc, const void *data,
                                                    uint32_t size, acldvppPicDesc *outputDesc, aclrtStream stream)
{
    aclError rc = dvpp_check_decode(__func__, channelDesc, data, size, outputDesc);
    if (rc != ACL_SUCCESS)
        return rc;
    int fx, fy;
    if (!out_format(outputDesc->format, TJSAMP_420, &fx, &fy))
        return DVPP_ERR(ACL_ERROR_FORMAT_NOT_MATCH, "JPEG decoding does not write format %u", outputDesc->format);
    if (!haclCompanionMemOk(data, size))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the JPEG's %u bytes at %p are not device memory (acldvppMalloc)",
                        size, data);
    if (!haclCompanionMemOk(outputDesc->data, outputDesc->size))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the output's %u bytes at %p are not device memory (acldvppMalloc)",
                        outputDesc->size, outputDesc->data);
    struct dec_job *j = malloc(sizeof *j);
    if (!j)
        return DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    j->data = data;
    j->size = size;
    j->out = *outputDesc;
    j->out_desc = outputDesc;
    return haclCompanionLaunch(__func__, stream, dec_run, dvpp_free_job, j);
}

/* ---- encoding ---- */

static aclError enc_check(const acldvppPicDesc *in, const char *api)
{
    if (!in || !dvpp_live(in, K_PIC) || !in->data)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "inputDesc must be a live picture description with data");
    int packed = in->format >= PIXEL_FORMAT_YUYV_PACKED_422 && in->format <= PIXEL_FORMAT_VYUY_PACKED_422;
    if (!packed && in->format != PIXEL_FORMAT_YUV_SEMIPLANAR_420 && in->format != PIXEL_FORMAT_YVU_SEMIPLANAR_420)
        return haclCompanionError(ACL_ERROR_FORMAT_NOT_MATCH, api,
                                  "JPEG encoding reads NV12, NV21 and packed 4:2:2, not format %u", in->format);
    if (in->width < JPEG_MIN || in->height < JPEG_MIN || in->width > JPEG_MAX || in->height > JPEG_MAX ||
        (in->width & 1) || (!packed && (in->height & 1)))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "the picture is %u x %u (even, %d to %d)", in->width,
                                  in->height, JPEG_MIN, JPEG_MAX);
    int ws_ok = packed ? in->wstride == dvpp_align(2 * in->width, 16)
                       : in->wstride >= dvpp_align(in->width, 16) && in->wstride % 16 == 0;
    if (!ws_ok || in->hstride < in->height)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "strides %u x %u do not suit a %u x %u picture",
                                  in->wstride, in->hstride, in->width, in->height);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppJpegPredictEncSize(const acldvppPicDesc *inputDesc,
                                                       const acldvppJpegeConfig *config, uint32_t *size)
{
    if (!size || !config || !dvpp_live(config, K_JPEGE))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "a live configuration and size are needed");
    aclError rc = enc_check(inputDesc, __func__);
    if (rc != ACL_SUCCESS)
        return rc;
    size_t raw = dvpp_pic_bytes(inputDesc->format, inputDesc->wstride, inputDesc->hstride);
    size_t s = (raw + 640 + 128 + (2u << 20) - 1) / (2u << 20) * (2u << 20);
    *size = (uint32_t)s;
    return ACL_SUCCESS;
}

struct enc_job {
    struct acldvppPicDesc in;
    uint8_t *dst;
    uint32_t cap;
    uint32_t *size;
    int quality;
};

static aclError enc_run(void *arg, char *why, size_t whylen)
{
    struct enc_job *j = arg;
    const struct acldvppPicDesc *in = &j->in;
    size_t raw = dvpp_pic_bytes(in->format, in->wstride, in->hstride);
    if (!haclCompanionMemOk(in->data, raw) || !haclCompanionMemOk(j->dst, j->cap)) {
        snprintf(why, whylen, "the picture or the JPEG buffer was freed before the task ran");
        return ACL_ERROR_INVALID_PARAM;
    }
    int packed = in->format >= PIXEL_FORMAT_YUYV_PACKED_422;
    int w = (int)in->width, h = (int)in->height, cw = w / 2, ch = packed ? h : h / 2;
    uint8_t *mem = malloc((size_t)cw * ch * 2 + (packed ? (size_t)w * h : 0));
    if (!mem) {
        snprintf(why, whylen, "out of memory");
        return ACL_ERROR_BAD_ALLOC;
    }
    uint8_t *u = mem, *v = mem + (size_t)cw * ch, *y = packed ? v + (size_t)cw * ch : NULL;
    const uint8_t *src = in->data;
    if (!packed) {
        const uint8_t *uv = src + (size_t)in->wstride * in->hstride;
        int vu = in->format == PIXEL_FORMAT_YVU_SEMIPLANAR_420;
        for (int r = 0; r < ch; r++)
            for (int c = 0; c < cw; c++) {
                u[(size_t)r * cw + c] = uv[(size_t)r * in->wstride + 2 * c + vu];
                v[(size_t)r * cw + c] = uv[(size_t)r * in->wstride + 2 * c + 1 - vu];
            }
    } else {
        static const int pos[4][4] = {{0, 1, 2, 3}, {1, 0, 3, 2}, {0, 3, 2, 1}, {1, 2, 3, 0}};
        const int *o = pos[in->format - PIXEL_FORMAT_YUYV_PACKED_422];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < cw; c++) {
                const uint8_t *q = src + (size_t)r * in->wstride + 4 * c;
                y[(size_t)r * w + 2 * c] = q[o[0]];
                y[(size_t)r * w + 2 * c + 1] = q[o[2]];
                u[(size_t)r * cw + c] = q[o[1]];
                v[(size_t)r * cw + c] = q[o[3]];
            }
    }
    const unsigned char *planes[3] = {packed ? y : src, u, v};
    int strides[3] = {packed ? w : (int)in->wstride, cw, cw};
    unsigned char *jpeg = NULL;
    unsigned long jlen = 0;
    tjhandle t = tjInitCompress();
    int bad = !t || tjCompressFromYUVPlanes(t, planes, w, strides, h, packed ? TJSAMP_422 : TJSAMP_420, &jpeg, &jlen,
                                            j->quality, 0) != 0;
    aclError rc = ACL_SUCCESS;
    if (bad) {
        snprintf(why, whylen, "encoding failed: %s", t ? tjGetErrorStr2(t) : "out of memory");
        rc = ACL_ERROR_FAILURE;
    } else if (jlen > j->cap) {
        snprintf(why, whylen, "the JPEG has %lu bytes; the buffer holds %u", jlen, j->cap);
        rc = ACL_ERROR_INVALID_PARAM;
    } else {
        memcpy(j->dst, jpeg, jlen);
        *j->size = (uint32_t)jlen;
    }
    if (t)
        tjDestroy(t);
    tjFree(jpeg);
    free(mem);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acldvppJpegEncodeAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *inputDesc,
                                                    const void *data, uint32_t *size, acldvppJpegeConfig *config,
                                                    aclrtStream stream)
{
    aclError rc = dvpp_check_channel(__func__, channelDesc);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!data || !size || !*size)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "data and size must not be NULL, *size (the capacity) not 0");
    if (!config || !dvpp_live(config, K_JPEGE))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "config must be a live JPEG encoding configuration");
    if (config->level > 100)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "level %u: 0 to 100", config->level);
    rc = enc_check(inputDesc, __func__);
    if (rc != ACL_SUCCESS)
        return rc;
    size_t raw = dvpp_pic_bytes(inputDesc->format, inputDesc->wstride, inputDesc->hstride);
    if (inputDesc->size < raw || !haclCompanionMemOk(inputDesc->data, raw))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the picture's %zu bytes at %p are not device memory (acldvppMalloc)",
                        raw, inputDesc->data);
    if (!haclCompanionMemOk(data, *size))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the JPEG buffer's %u bytes at %p are not device memory", *size,
                        data);
    struct enc_job *j = malloc(sizeof *j);
    if (!j)
        return DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    j->in = *inputDesc;
    j->dst = (uint8_t *)data;
    j->cap = *size;
    j->size = size;
    j->quality = config->level == 0 ? 100 : (int)config->level; /* 0 encodes like 100 */
    return haclCompanionLaunch(__func__, stream, enc_run, dvpp_free_job, j);
}
