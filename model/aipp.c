/*
 * AIPP as the first step of a model: the HaclAipp operator (one pass over
 * each source row: gather the row's channels, colour-space conversion in
 * integers, normalisation and padding straight into the model input), the
 * size and parameter checks, and the packed dynamic-AIPP block.
 *
 * Arithmetic, per output channel i of a pixel (docs/semantics.md, AIPP):
 *   YUV family:  v_i = clamp((sum_j M[i][j] * (s_j - in_bias_j)) >> 8)
 *   RGB family:  v_i = clamp(((sum_j M[i][j] * s_j) >> 8) + out_bias_i)
 *   without CSC: v_i = s_i
 *   output       (v_i - mean_i - min_i) * var_reci_i; padding: padding_value
 * with s the source channels after rbuv/ax swaps, >> an arithmetic shift
 * and clamp to [0, 255].
 */
#include <stdio.h>
#include <string.h>

#include "aipp.h"
#include "device/alloc.h"
#include "device/half.h"
#include "kernel_impl.h"
#include "plan.h"

#define MAX_W 4096



size_t hacl_aipp_image_bytes(int format, int64_t w, int64_t h)
{
    if (w <= 0 || h <= 0)
        return 0;
    size_t px = (size_t)w * (size_t)h;
    switch (format) {
    case ACL_YUV420SP_U8:
        return px * 3 / 2;
    case ACL_RGB888_U8:
        return px * 3;
    case ACL_XRGB8888_U8:
    case ACL_ARGB8888_U8:
    case ACL_AYUV444_U8:
        return px * 4;
    case ACL_YUV400_U8:
        return px;
    case ACL_YUYV_U8:
    case ACL_YUV422SP_U8:
        return px * 2;
    default:
        return 0;
    }
}

int hacl_aipp_is_yuv(int format)
{
    return format == ACL_YUV420SP_U8 || format == ACL_YUV422SP_U8 || format == ACL_YUYV_U8 ||
           format == ACL_AYUV444_U8 || format == ACL_YUV400_U8;
}

int hacl_aipp_channels(int format)
{
    switch (format) {
    case ACL_YUV400_U8:
        return 1;
    case ACL_YUV420SP_U8:
    case ACL_RGB888_U8:
    case ACL_YUYV_U8:
    case ACL_YUV422SP_U8:
        return 3;
    case ACL_XRGB8888_U8:
    case ACL_ARGB8888_U8:
    case ACL_AYUV444_U8:
        return 4;
    default:
        return 0;
    }
}

void hacl_aipp_out_size(const struct hacl_aipp *a, const struct hacl_aipp_img *im, int64_t *w, int64_t *h)
{
    *w = im->crop ? im->crop_w : a->src_w;
    *h = im->crop ? im->crop_h : a->src_h;
    if (im->pad) {
        *w += im->pad_l + im->pad_r;
        *h += im->pad_t + im->pad_b;
    }
}

aclError hacl_aipp_check(const struct hacl_aipp *a, const struct hacl_aipp_img *im, int64_t h, int64_t w,
                         char *why, size_t whylen)
{
    if (!hacl_aipp_channels(a->format)) {
        snprintf(why, whylen, "AIPP input format %d is not one hostacl converts", a->format);
        return ACL_ERROR_INVALID_PARAM;
    }
    if (a->src_w < 1 || a->src_h < 1 || a->src_w > MAX_W || a->src_h > MAX_W) {
        snprintf(why, whylen, "AIPP source image %d x %d (1 to %d each)", a->src_w, a->src_h, MAX_W);
        return ACL_ERROR_INVALID_PARAM;
    }
    if (a->format == ACL_YUV420SP_U8 && ((a->src_w | a->src_h) & 1)) {
        snprintf(why, whylen, "YUV420SP_U8 source images have even sizes (%d x %d)", a->src_w, a->src_h);
        return ACL_ERROR_INVALID_PARAM;
    }
    if ((a->format == ACL_YUV422SP_U8 || a->format == ACL_YUYV_U8) && (a->src_w & 1)) {
        snprintf(why, whylen, "YUV422 source images have an even width (%d)", a->src_w);
        return ACL_ERROR_INVALID_PARAM;
    }
    if (a->csc && a->format == ACL_YUV400_U8) {
        snprintf(why, whylen, "colour-space conversion needs a colour input; YUV400_U8 is grey");
        return ACL_ERROR_INVALID_PARAM;
    }
    if (im->scf) {
        snprintf(why, whylen, "AIPP scaling (scf) is not available");
        return ACL_ERROR_INVALID_PARAM;
    }
    if (im->crop) {
        if (im->crop_w < 1 || im->crop_h < 1 || im->crop_x < 0 || im->crop_y < 0 ||
            (int64_t)im->crop_x + im->crop_w > a->src_w || (int64_t)im->crop_y + im->crop_h > a->src_h) {
            snprintf(why, whylen, "AIPP crop %d x %d at (%d, %d) does not lie inside the %d x %d source", im->crop_w,
                     im->crop_h, im->crop_x, im->crop_y, a->src_w, a->src_h);
            return ACL_ERROR_INVALID_PARAM;
        }
        if (a->format == ACL_YUV420SP_U8 && ((im->crop_x | im->crop_y) & 1)) {
            snprintf(why, whylen, "YUV420SP_U8 crops start at even positions (%d, %d)", im->crop_x, im->crop_y);
            return ACL_ERROR_INVALID_PARAM;
        }
    }
    if (im->pad && (im->pad_t < 0 || im->pad_b < 0 || im->pad_l < 0 || im->pad_r < 0 || im->pad_t > 32 ||
                    im->pad_b > 32 || im->pad_l > 32 || im->pad_r > 32)) {
        snprintf(why, whylen, "AIPP padding sizes lie in [0, 32]");
        return ACL_ERROR_INVALID_PARAM;
    }
    int64_t ow, oh;
    hacl_aipp_out_size(a, im, &ow, &oh);
    if (ow != w || oh != h) {
        snprintf(why, whylen,
                 "AIPP gives %lld x %lld images (width x height, after crop and padding); the model input is "
                 "%lld x %lld",
                 (long long)ow, (long long)oh, (long long)w, (long long)h);
        return ACL_ERROR_INVALID_PARAM;
    }
    return ACL_SUCCESS;
}

/* ---- the packed block (little-endian; layout in aipp.h's users' docs) ---- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, int32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static int32_t get32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

void hacl_aipp_pack(const struct hacl_aipp *a, const struct hacl_aipp_img *imgs, uint64_t n, uint8_t *out)
{
    memset(out, 0, HACL_AIPP_HEAD + HACL_AIPP_PER_IMAGE * n);
    out[0] = (uint8_t)a->format;
    out[1] = (uint8_t)a->csc;
    out[2] = (uint8_t)a->rbuv_swap;
    out[3] = (uint8_t)a->ax_swap;
    out[4] = (uint8_t)(n > 255 ? 255 : n);
    put32(out + 8, a->src_w);
    put32(out + 12, a->src_h);
    for (int i = 0; i < 9; i++)
        put16(out + 16 + 2 * i, (uint16_t)(int16_t)a->matrix[i]);
    for (int i = 0; i < 3; i++) {
        out[40 + i] = (uint8_t)a->out_bias[i];
        out[43 + i] = (uint8_t)a->in_bias[i];
    }
    put32(out + 48, (int32_t)(n >> 32)); /* batches past 255 */
    put32(out + 52, (int32_t)n);
    for (uint64_t b = 0; b < n; b++) {
        const struct hacl_aipp_img *im = &imgs[b];
        uint8_t *p = out + HACL_AIPP_HEAD + HACL_AIPP_PER_IMAGE * b;
        p[0] = (uint8_t)im->crop;
        p[1] = (uint8_t)im->scf;
        p[2] = (uint8_t)im->pad;
        const int32_t v[12] = {im->crop_x,    im->crop_y,    im->crop_w, im->crop_h, im->scf_in_w, im->scf_in_h,
                               im->scf_out_w, im->scf_out_h, im->pad_t,  im->pad_b,  im->pad_l,   im->pad_r};
        for (int i = 0; i < 12; i++)
            put32(p + 8 + 4 * i, v[i]);
        for (int c = 0; c < 4; c++) {
            put16(p + 56 + 2 * c, (uint16_t)im->mean[c]);
            put16(p + 64 + 2 * c, hacl_float_to_half(im->min[c]));
            put16(p + 72 + 2 * c, hacl_float_to_half(im->var[c]));
        }
    }
}

uint64_t hacl_aipp_unpack(const uint8_t *in, size_t len, struct hacl_aipp *a, struct hacl_aipp_img *imgs,
                          uint64_t max)
{
    if (len < HACL_AIPP_HEAD)
        return 0;
    memset(a, 0, sizeof *a);
    a->mode = 2;
    a->format = in[0];
    a->csc = (int8_t)in[1];
    a->rbuv_swap = (int8_t)in[2];
    a->ax_swap = (int8_t)in[3];
    a->src_w = get32(in + 8);
    a->src_h = get32(in + 12);
    for (int i = 0; i < 9; i++)
        a->matrix[i] = (int16_t)get16(in + 16 + 2 * i);
    for (int i = 0; i < 3; i++) {
        a->out_bias[i] = in[40 + i];
        a->in_bias[i] = in[43 + i];
    }
    uint64_t n = (uint64_t)(uint32_t)get32(in + 48) << 32 | (uint32_t)get32(in + 52);
    if (n > max) /* more images than asked for: the first max */
        n = max;
    if (n == 0 || n > (len - HACL_AIPP_HEAD) / HACL_AIPP_PER_IMAGE || (a->csc | a->rbuv_swap | a->ax_swap) > 1)
        return 0;
    for (uint64_t b = 0; b < n; b++) {
        struct hacl_aipp_img *im = &imgs[b];
        const uint8_t *p = in + HACL_AIPP_HEAD + HACL_AIPP_PER_IMAGE * b;
        im->crop = (int8_t)p[0];
        im->scf = (int8_t)p[1];
        im->pad = (int8_t)p[2];
        int32_t *v[12] = {&im->crop_x,    &im->crop_y,    &im->crop_w, &im->crop_h, &im->scf_in_w, &im->scf_in_h,
                          &im->scf_out_w, &im->scf_out_h, &im->pad_t,  &im->pad_b,  &im->pad_l,   &im->pad_r};
        for (int i = 0; i < 12; i++)
            *v[i] = get32(p + 8 + 4 * i);
        for (int c = 0; c < 4; c++) {
            im->mean[c] = (int16_t)get16(p + 56 + 2 * c);
            im->min[c] = hacl_half_to_float(get16(p + 64 + 2 * c));
            im->var[c] = hacl_half_to_float(get16(p + 72 + 2 * c));
        }
        if ((im->crop | im->pad | im->scf) > 1 || (im->crop | im->pad | im->scf) < 0)
            return 0;
    }
    return n;
}

/* ---- the operator ---- */

static aclError infer_aipp(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    const struct hacl_aipp_node *an = n->aux;
    if (!an || n->noutputs != 1 || n->ninputs < 1 || n->outputs[0] < 0)
        return FAIL("node '%s' (HaclAipp) is malformed", n->name);
    struct hacl_tensor *o = OUT(n, 0);
    o->rank = 4;
    int64_t d[4] = {an->n, an->c, an->h, an->w};
    if (an->nhwc) {
        d[1] = an->h;
        d[2] = an->w;
        d[3] = an->c;
    }
    memcpy(o->dims, d, sizeof d);
    return ACL_SUCCESS;
}

/* One image: rows of the source gathered into channel arrays, converted,
 * normalised and written with their padding. */
struct row_ctx {
    const struct hacl_aipp *a;
    const struct hacl_aipp_img *im;
    const uint8_t *src; /* this image */
    int64_t c, h, w;
    int nhwc, fp16;
    void *out; /* this image's output */
};

HACL_ROW_CLONES static void gather(const struct row_ctx *r, int64_t sy, int64_t x0, int64_t cw, int32_t *s0, int32_t *s1,
                   int32_t *s2, int32_t *s3)
{
    const struct hacl_aipp *a = r->a;
    const int64_t W = a->src_w, H = a->src_h;
    const uint8_t *src = r->src;
    switch (a->format) {
    case ACL_YUV420SP_U8:
    case ACL_YUV422SP_U8: {
        const uint8_t *y = src + sy * W;
        const uint8_t *uv = src + W * H + (a->format == ACL_YUV420SP_U8 ? sy / 2 : sy) * W;
        for (int64_t x = 0; x < cw; x++)
            s0[x] = y[x0 + x];
        /* chroma: one U,V pair per two pixels (x0 is even for 4:2:0) */
        int64_t x = 0;
        if (x0 & 1) {
            s1[0] = uv[x0 - 1];
            s2[0] = uv[x0];
            x = 1;
        }
        for (; x + 1 < cw; x += 2) {
            const uint8_t *p = uv + x0 + x;
            s1[x] = s1[x + 1] = p[0];
            s2[x] = s2[x + 1] = p[1];
        }
        if (x < cw) {
            s1[x] = uv[(x0 + x) & ~(int64_t)1];
            s2[x] = uv[((x0 + x) & ~(int64_t)1) + 1];
        }
        memset(s3, 0, (size_t)cw * sizeof *s3);
        break;
    }
    case ACL_YUYV_U8: {
        const uint8_t *row = src + sy * W * 2;
        for (int64_t x = 0; x < cw; x++) {
            int64_t sx = x0 + x, cx = (sx & ~(int64_t)1) * 2;
            s0[x] = row[sx * 2];
            s1[x] = row[cx + 1];
            s2[x] = row[cx + 3];
            s3[x] = 0;
        }
        break;
    }
    case ACL_RGB888_U8: {
        const uint8_t *row = src + (sy * W + x0) * 3;
        for (int64_t x = 0; x < cw; x++) {
            s0[x] = row[3 * x];
            s1[x] = row[3 * x + 1];
            s2[x] = row[3 * x + 2];
            s3[x] = 0;
        }
        break;
    }
    case ACL_XRGB8888_U8:
    case ACL_ARGB8888_U8:
    case ACL_AYUV444_U8: {
        /* ax_swap: the alpha/X byte comes first (XRGB), else last (RGBX) */
        const uint8_t *row = src + (sy * W + x0) * 4;
        int f = a->ax_swap ? 1 : 0, al = a->ax_swap ? 0 : 3;
        for (int64_t x = 0; x < cw; x++) {
            s0[x] = row[4 * x + f];
            s1[x] = row[4 * x + f + 1];
            s2[x] = row[4 * x + f + 2];
            s3[x] = row[4 * x + al];
        }
        break;
    }
    default: /* YUV400: grey in every channel */
    {
        const uint8_t *row = src + sy * W + x0;
        for (int64_t x = 0; x < cw; x++) {
            s0[x] = s1[x] = s2[x] = row[x];
            s3[x] = 0;
        }
        break;
    }
    }
}

static inline int32_t clamp8(int32_t v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

static void csc(const struct hacl_aipp *a, int64_t cw, int32_t *s0, int32_t *s1, int32_t *s2)
{
    const int32_t *m = a->matrix;
    if (hacl_aipp_is_yuv(a->format)) {
        const int32_t b0 = a->in_bias[0], b1 = a->in_bias[1], b2 = a->in_bias[2];
        for (int64_t x = 0; x < cw; x++) {
            int32_t t0 = s0[x] - b0, t1 = s1[x] - b1, t2 = s2[x] - b2;
            int32_t v0 = (m[0] * t0 + m[1] * t1 + m[2] * t2) >> 8;
            int32_t v1 = (m[3] * t0 + m[4] * t1 + m[5] * t2) >> 8;
            int32_t v2 = (m[6] * t0 + m[7] * t1 + m[8] * t2) >> 8;
            s0[x] = clamp8(v0);
            s1[x] = clamp8(v1);
            s2[x] = clamp8(v2);
        }
    } else {
        const int32_t b0 = a->out_bias[0], b1 = a->out_bias[1], b2 = a->out_bias[2];
        for (int64_t x = 0; x < cw; x++) {
            int32_t t0 = s0[x], t1 = s1[x], t2 = s2[x];
            int32_t v0 = ((m[0] * t0 + m[1] * t1 + m[2] * t2) >> 8) + b0;
            int32_t v1 = ((m[3] * t0 + m[4] * t1 + m[5] * t2) >> 8) + b1;
            int32_t v2 = ((m[6] * t0 + m[7] * t1 + m[8] * t2) >> 8) + b2;
            s0[x] = clamp8(v0);
            s1[x] = clamp8(v1);
            s2[x] = clamp8(v2);
        }
    }
}

/* Writes n values of channel ch of row y (v NULL: padding) at columns x0.. */
static void put(const struct row_ctx *r, int64_t ch, int64_t y, int64_t x0, int64_t n, const float *v, float pad)
{
    int64_t stride = r->nhwc ? r->c : 1;
    int64_t base = r->nhwc ? (y * r->w + x0) * r->c + ch : (ch * r->h + y) * r->w + x0;
    if (r->fp16) {
        uint16_t *o = (uint16_t *)r->out + base, hp = hacl_float_to_half(pad);
        for (int64_t x = 0; x < n; x++)
            o[x * stride] = v ? hacl_float_to_half(v[x]) : hp;
    } else if (stride == 1) {
        float *o = (float *)r->out + base;
        if (v)
            memcpy(o, v, (size_t)n * sizeof *o);
        else
            for (int64_t x = 0; x < n; x++)
                o[x] = pad;
    } else {
        float *o = (float *)r->out + base;
        for (int64_t x = 0; x < n; x++)
            o[x * stride] = v ? v[x] : pad;
    }
}

/* Colour conversion and normalisation fused, straight into three float
 * rows (the NCHW float output of a 3-channel model). */
HACL_ROW_CLONES static void fused_rows(const struct hacl_aipp *a, const struct hacl_aipp_img *im, int64_t cw,
                       const int32_t *restrict s0, const int32_t *restrict s1, const int32_t *restrict s2,
                       float *restrict o0, float *restrict o1, float *restrict o2)
{
    const float k0 = im->var[0], k1 = im->var[1], k2 = im->var[2];
    const float c0 = (float)im->mean[0] + im->min[0], c1 = (float)im->mean[1] + im->min[1],
                c2 = (float)im->mean[2] + im->min[2];
    if (!a->csc) {
        for (int64_t x = 0; x < cw; x++) {
            o0[x] = ((float)s0[x] - c0) * k0;
            o1[x] = ((float)s1[x] - c1) * k1;
            o2[x] = ((float)s2[x] - c2) * k2;
        }
        return;
    }
    const int32_t *m = a->matrix;
    const int32_t m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8];
    const int yuv = hacl_aipp_is_yuv(a->format);
    const int32_t b0 = yuv ? a->in_bias[0] : 0, b1 = yuv ? a->in_bias[1] : 0, b2 = yuv ? a->in_bias[2] : 0;
    const int32_t d0 = yuv ? 0 : a->out_bias[0], d1 = yuv ? 0 : a->out_bias[1], d2 = yuv ? 0 : a->out_bias[2];
    for (int64_t x = 0; x < cw; x++) {
        int32_t t0 = s0[x] - b0, t1 = s1[x] - b1, t2 = s2[x] - b2;
        int32_t v0 = ((m0 * t0 + m1 * t1 + m2 * t2) >> 8) + d0;
        int32_t v1 = ((m3 * t0 + m4 * t1 + m5 * t2) >> 8) + d1;
        int32_t v2 = ((m6 * t0 + m7 * t1 + m8 * t2) >> 8) + d2;
        v0 = v0 < 0 ? 0 : v0 > 255 ? 255 : v0;
        v1 = v1 < 0 ? 0 : v1 > 255 ? 255 : v1;
        v2 = v2 < 0 ? 0 : v2 > 255 ? 255 : v2;
        o0[x] = ((float)v0 - c0) * k0;
        o1[x] = ((float)v1 - c1) * k1;
        o2[x] = ((float)v2 - c2) * k2;
    }
}

/* NV12/NV21 with colour conversion straight from the source rows into
 * three float rows: each chroma pair's contribution is computed once for
 * its two pixels. x0 is even (YUV420SP crops start at even columns). */
HACL_ROW_CLONES static void fused_nv12(const struct hacl_aipp *a, const struct hacl_aipp_img *im,
                                       const uint8_t *restrict y, const uint8_t *restrict uv, int64_t cw,
                                       float *restrict o0, float *restrict o1, float *restrict o2)
{
    const int32_t *m = a->matrix;
    const int32_t m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8];
    const int32_t b0 = a->in_bias[0], b1 = a->in_bias[1], b2 = a->in_bias[2];
    const int sw = a->rbuv_swap; /* NV21: V first */
    const float k0 = im->var[0], k1 = im->var[1], k2 = im->var[2];
    const float c0 = (float)im->mean[0] + im->min[0], c1 = (float)im->mean[1] + im->min[1],
                c2 = (float)im->mean[2] + im->min[2];
    int64_t pairs = cw / 2;
    for (int64_t k = 0; k < pairs; k++) {
        int32_t u = uv[2 * k + sw] - b1, v = uv[2 * k + 1 - sw] - b2;
        int32_t e0 = m1 * u + m2 * v, e1 = m4 * u + m5 * v, e2 = m7 * u + m8 * v;
        for (int j = 0; j < 2; j++) {
            int32_t t = y[2 * k + j] - b0;
            int32_t v0 = (m0 * t + e0) >> 8, v1 = (m3 * t + e1) >> 8, v2 = (m6 * t + e2) >> 8;
            v0 = v0 < 0 ? 0 : v0 > 255 ? 255 : v0;
            v1 = v1 < 0 ? 0 : v1 > 255 ? 255 : v1;
            v2 = v2 < 0 ? 0 : v2 > 255 ? 255 : v2;
            o0[2 * k + j] = ((float)v0 - c0) * k0;
            o1[2 * k + j] = ((float)v1 - c1) * k1;
            o2[2 * k + j] = ((float)v2 - c2) * k2;
        }
    }
    if (cw & 1) { /* an odd crop width: the last pixel */
        int64_t x = cw - 1;
        int32_t u = uv[x + sw] - b1, v = uv[x + 1 - sw] - b2, t = y[x] - b0;
        int32_t v0 = (m0 * t + m1 * u + m2 * v) >> 8, v1 = (m3 * t + m4 * u + m5 * v) >> 8,
                v2 = (m6 * t + m7 * u + m8 * v) >> 8;
        o0[x] = ((float)(v0 < 0 ? 0 : v0 > 255 ? 255 : v0) - c0) * k0;
        o1[x] = ((float)(v1 < 0 ? 0 : v1 > 255 ? 255 : v1) - c1) * k1;
        o2[x] = ((float)(v2 < 0 ? 0 : v2 > 255 ? 255 : v2) - c2) * k2;
    }
}

static void convert_image(const struct row_ctx *r)
{
    const struct hacl_aipp *a = r->a;
    const struct hacl_aipp_img *im = r->im;
    int64_t cx = im->crop ? im->crop_x : 0, cy = im->crop ? im->crop_y : 0;
    int64_t cw = im->crop ? im->crop_w : a->src_w, ch = im->crop ? im->crop_h : a->src_h;
    int64_t pl = im->pad ? im->pad_l : 0, pt = im->pad ? im->pad_t : 0, pr = im->pad ? im->pad_r : 0;
    float pad = a->pad_value;
    int32_t s[4][MAX_W];
    float v[MAX_W];
    /* the swaps exchange source channels: 1 and 2 (U, V) for YUV, 0 and 2
     * (R, B) for RGB */
    int32_t *sc[4] = {s[0], s[1], s[2], s[3]};
    if (a->rbuv_swap && a->format != ACL_YUV400_U8) {
        int i = hacl_aipp_is_yuv(a->format) ? 1 : 0;
        sc[i] = s[2];
        sc[2] = s[i];
    }
    const int direct = !r->fp16 && !r->nhwc && r->c == 3;
    for (int64_t y = 0; y < r->h; y++) {
        if (y < pt || y >= pt + ch) {
            for (int64_t c = 0; c < r->c; c++)
                put(r, c, y, 0, r->w, NULL, pad);
            continue;
        }
        if (direct) {
            float *o = (float *)r->out + y * r->w + pl;
            size_t plane = (size_t)(r->h * r->w);
            int64_t sy = cy + (y - pt);
            if (a->format == ACL_YUV420SP_U8 && a->csc) {
                const uint8_t *yrow = r->src + sy * a->src_w + cx;
                const uint8_t *uvrow = r->src + (int64_t)a->src_w * a->src_h + (sy / 2) * a->src_w + cx;
                fused_nv12(a, im, yrow, uvrow, cw, o, o + plane, o + 2 * plane);
            } else {
                gather(r, sy, cx, cw, s[0], s[1], s[2], s[3]);
                fused_rows(a, im, cw, sc[0], sc[1], sc[2], o, o + plane, o + 2 * plane);
            }
            for (int64_t c = 0; c < 3 && (pl || pr); c++) {
                if (pl)
                    put(r, c, y, 0, pl, NULL, pad);
                if (pr)
                    put(r, c, y, pl + cw, pr, NULL, pad);
            }
            continue;
        }
        gather(r, cy + (y - pt), cx, cw, s[0], s[1], s[2], s[3]);
        if (a->csc)
            csc(a, cw, sc[0], sc[1], sc[2]);
        for (int64_t c = 0; c < r->c; c++) {
            const int32_t *src = sc[r->c == 1 ? 0 : c];
            const float mm = (float)im->mean[c] + im->min[c], var = im->var[c];
            for (int64_t x = 0; x < cw; x++)
                v[x] = ((float)src[x] - mm) * var;
            if (pl)
                put(r, c, y, 0, pl, NULL, pad);
            put(r, c, y, pl, cw, v, pad);
            if (pr)
                put(r, c, y, pl + cw, pr, NULL, pad);
        }
    }
}

static void run_aipp(const struct hacl_kernel_args *ka)
{
    const struct hacl_graph *g = ka->g;
    const struct hacl_node *n = ka->node;
    const struct hacl_aipp_node *an = n->aux;
    const struct hacl_tensor *it = IN(n, 0), *ot = OUT(n, 0);
    struct hacl_aipp dyn;
    const struct hacl_aipp *a = &an->a;
    struct hacl_aipp_img *imgs = NULL;
    if (an->a.mode == 2) {
        const struct hacl_tensor *pt = IN(n, 1);
        /* the object may hold more images than this gear's batch (it is
         * made for the largest gear): the first n are used */
        size_t plen = hacl_tensor_bytes(pt), cap = plen > HACL_AIPP_HEAD ? (plen - HACL_AIPP_HEAD) / HACL_AIPP_PER_IMAGE : 0;
        imgs = hacl_calloc(cap ? cap : 1, sizeof *imgs);
        if (!imgs) {
            *ka->error = "out of memory for the AIPP parameters";
            return;
        }
        uint64_t got = hacl_aipp_unpack(ka->bufs[n->inputs[1]], plen, &dyn, imgs, cap);
        char why[160];
        if (got < (uint64_t)an->n) {
            *ka->error = "the dynamic AIPP parameters are missing or malformed (set them with aclmdlSetInputAIPP)";
            hacl_free(imgs);
            return;
        }
        for (int64_t b = 0; b < an->n; b++)
            if (hacl_aipp_check(&dyn, &imgs[b], an->h, an->w, why, sizeof why) != ACL_SUCCESS) {
                *ka->error = "the dynamic AIPP parameters do not fit the model input (aclmdlSetInputAIPP checks them)";
                hacl_free(imgs);
                return;
            }
        dyn.pad_value = 0;
        a = &dyn;
    }
    size_t img = hacl_aipp_image_bytes(a->format, a->src_w, a->src_h);
    if (!img || img * (size_t)an->n > hacl_tensor_bytes(it)) {
        *ka->error = "the AIPP source images are larger than the image input";
        hacl_free(imgs);
        return;
    }
    size_t es = hacl_onnx_type_size(ot->onnx_type);
    size_t per_out = (size_t)(an->c * an->h * an->w) * es;
    for (int64_t b = 0; b < an->n; b++) {
        struct row_ctx r = {a,      imgs ? &imgs[b] : &an->a.img, (const uint8_t *)ka->bufs[n->inputs[0]] + img * (size_t)b,
                            an->c,  an->h,
                            an->w,  an->nhwc,
                            es == 2, (char *)ka->bufs[n->outputs[0]] + per_out * (size_t)b};
        convert_image(&r);
    }
    hacl_free(imgs);
}

const struct hacl_op hacl_aipp_ops[] = {{"HaclAipp", infer_aipp, run_aipp, NULL}};
const size_t hacl_aipp_nops = sizeof hacl_aipp_ops / sizeof hacl_aipp_ops[0];
