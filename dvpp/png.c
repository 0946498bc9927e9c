/*
 * PNG with libpng's simplified reader: header queries, size prediction and
 * decoding to packed RGB (RGB888) or RGBA (RGBA8888; UNKNOWN keeps the
 * source's alpha), widthStride ALIGN(w, 128) * bytes per pixel,
 * heightStride ALIGN(h, 16), as DVPP does.
 */
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "dvpp_impl.h"

#define PNG_MIN 32
#define PNG_MAX 4096

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The IHDR fields: 0, or an aclError with why. */
static aclError png_header(const void *data, uint32_t size, uint32_t *w, uint32_t *h, int *components, int *depth,
                           char *why, size_t whylen)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const uint8_t *p = data;
    if (size <= 29 || memcmp(p, sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0) {
        snprintf(why, whylen, "not a PNG (%u bytes, no signature and header)", size);
        return ACL_ERROR_INVALID_PARAM;
    }
    *w = be32(p + 16), *h = be32(p + 20);
    *depth = p[24];
    switch (p[25]) {
    case 0:
        *components = 1;
        return ACL_SUCCESS;
    case 4:
        *components = 2;
        return ACL_SUCCESS;
    case 2:
        *components = 3;
        return ACL_SUCCESS;
    case 6:
        *components = 4;
        return ACL_SUCCESS;
    default:
        snprintf(why, whylen, "PNG colour type %u (palette) is not one DVPP decodes", p[25]);
        return ACL_ERROR_FORMAT_NOT_MATCH;
    }
}

ACL_FUNC_VISIBILITY aclError acldvppPngGetImageInfo(const void *data, uint32_t dataSize, uint32_t *width,
                                                    uint32_t *height, int32_t *components)
{
    if (!data)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "data must not be NULL");
    uint32_t w, h;
    int c, depth;
    char why[160];
    aclError rc = png_header(data, dataSize, &w, &h, &c, &depth, why, sizeof why);
    if (rc != ACL_SUCCESS)
        return DVPP_ERR(rc, "%s", why);
    if (width)
        *width = w;
    if (height)
        *height = h;
    if (components)
        *components = c;
    return ACL_SUCCESS;
}

/* Bytes per pixel of the output format for a source of c components. */
static int out_bpp(uint32_t format, int c)
{
    if (format == PIXEL_FORMAT_RGB_888)
        return 3;
    if (format == PIXEL_FORMAT_RGBA_8888)
        return 4;
    if (format == PIXEL_FORMAT_UNKNOWN)
        return c == 2 || c == 4 ? 4 : 3;
    return 0;
}

ACL_FUNC_VISIBILITY aclError acldvppPngPredictDecSize(const void *data, uint32_t dataSize,
                                                      acldvppPixelFormat outputPixelFormat, uint32_t *decSize)
{
    if (!data || !decSize)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "data and decSize must not be NULL");
    uint32_t w, h;
    int c, depth;
    char why[160];
    aclError rc = png_header(data, dataSize, &w, &h, &c, &depth, why, sizeof why);
    if (rc != ACL_SUCCESS)
        return DVPP_ERR(rc, "%s", why);
    int bpp = out_bpp(outputPixelFormat, c);
    if (!bpp)
        return DVPP_ERR(ACL_ERROR_FORMAT_NOT_MATCH, "PNG decoding writes RGB_888, RGBA_8888 or UNKNOWN, not %d",
                        (int)outputPixelFormat);
    if (w < PNG_MIN || h < PNG_MIN || w > PNG_MAX || h > PNG_MAX)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the PNG is %u x %u (%d x %d to %d x %d)", w, h, PNG_MIN, PNG_MIN,
                        PNG_MAX, PNG_MAX);
    *decSize = dvpp_align(w, 128) * (uint32_t)bpp * dvpp_align(h, 16);
    return ACL_SUCCESS;
}

struct png_job {
    const void *data;
    uint32_t size;
    struct acldvppPicDesc out;
    acldvppPicDesc *out_desc;
};

struct png_result {
    uint32_t w, h, ws, hs, size, format;
    aclError ret;
};

static void write_desc(void *p, void *arg)
{
    acldvppPicDesc *d = p;
    const struct png_result *r = arg;
    if (r->ret == ACL_SUCCESS) {
        d->width = r->w, d->height = r->h, d->wstride = r->ws, d->hstride = r->hs;
        d->size = r->size, d->format = r->format;
    }
    d->ret = (uint32_t)r->ret;
}

static aclError png_decode(struct png_job *j, struct png_result *r, char *why, size_t whylen)
{
    uint32_t w, h;
    int c, depth;
    if (!haclCompanionMemOk(j->data, j->size) || !haclCompanionMemOk(j->out.data, j->out.size)) {
        snprintf(why, whylen, "the PNG or the output picture was freed before the task ran");
        return ACL_ERROR_INVALID_PARAM;
    }
    aclError rc = png_header(j->data, j->size, &w, &h, &c, &depth, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (w < PNG_MIN || h < PNG_MIN || w > PNG_MAX || h > PNG_MAX) {
        snprintf(why, whylen, "the PNG is %u x %u (%d x %d to %d x %d)", w, h, PNG_MIN, PNG_MIN, PNG_MAX, PNG_MAX);
        return ACL_ERROR_INVALID_PARAM;
    }
    int bpp = out_bpp(j->out.format, c);
    r->w = w, r->h = h, r->ws = dvpp_align(w, 128) * (uint32_t)bpp, r->hs = dvpp_align(h, 16);
    r->format = bpp == 4 ? PIXEL_FORMAT_RGBA_8888 : PIXEL_FORMAT_RGB_888;
    size_t need = (size_t)r->ws * r->hs;
    if (need > j->out.size) {
        snprintf(why, whylen, "the %u x %u picture needs %zu bytes; the output has %u", w, h, need, j->out.size);
        return ACL_ERROR_INVALID_PARAM;
    }
    r->size = (uint32_t)need;
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&img, j->data, j->size)) {
        snprintf(why, whylen, "the PNG does not decode: %s", img.message);
        return ACL_ERROR_FAILURE;
    }
    if (img.width != w || img.height != h) {
        png_image_free(&img);
        snprintf(why, whylen, "the PNG's header and image disagree");
        return ACL_ERROR_FAILURE;
    }
    img.format = bpp == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    if (!png_image_finish_read(&img, NULL, j->out.data, (png_int_32)r->ws, NULL)) {
        snprintf(why, whylen, "the PNG does not decode: %s", img.message);
        png_image_free(&img);
        return ACL_ERROR_FAILURE;
    }
    return ACL_SUCCESS;
}

static aclError png_run(void *arg, char *why, size_t whylen)
{
    struct png_job *j = arg;
    struct png_result r = {0};
    r.ret = png_decode(j, &r, why, whylen);
    dvpp_with_live(j->out_desc, K_PIC, write_desc, &r);
    return r.ret;
}

ACL_FUNC_VISIBILITY aclError acldvppPngDecodeAsync(acldvppChannelDesc *channelDesc, const void *data,
                                                   uint32_t size, acldvppPicDesc *outputDesc, aclrtStream stream)
{
    aclError rc = dvpp_check_decode(__func__, channelDesc, data, size, outputDesc);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!out_bpp(outputDesc->format, 3))
        return DVPP_ERR(ACL_ERROR_FORMAT_NOT_MATCH, "PNG decoding writes RGB_888, RGBA_8888 or UNKNOWN, not %u",
                        outputDesc->format);
    if (!haclCompanionMemOk(data, size) || !haclCompanionMemOk(outputDesc->data, outputDesc->size))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the PNG and the output picture must be device memory (acldvppMalloc)");
    struct png_job *j = malloc(sizeof *j);
    if (!j)
        return DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    j->data = data;
    j->size = size;
    j->out = *outputDesc;
    j->out_desc = outputDesc;
    return haclCompanionLaunch(__func__, stream, png_run, dvpp_free_job, j);
}
