/*
 * Pictures in device memory: the layouts of the formats (docs/semantics.md,
 * "DVPP"), regions as 4:2:0 planes (read in place for NV12/NV21, converted
 * from the other formats: chroma averaged over 2x2 blocks, RGB through
 * BT.601 full-range as JPEG uses), and resampling into a rectangle of an
 * NV12/NV21 picture.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dvpp_impl.h"

size_t dvpp_pic_bytes(uint32_t format, uint32_t ws, uint32_t hs)
{
    size_t px = (size_t)ws * hs;
    switch (format) {
    case PIXEL_FORMAT_YUV_400:
        return px;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_420:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_420:
        return px * 3 / 2;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_422:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_422:
    case PIXEL_FORMAT_YUV_SEMIPLANAR_440:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_440:
        return px * 2;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_444:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_444:
        return px * 3;
    case PIXEL_FORMAT_YUYV_PACKED_422:
    case PIXEL_FORMAT_UYVY_PACKED_422:
    case PIXEL_FORMAT_YVYU_PACKED_422:
    case PIXEL_FORMAT_VYUY_PACKED_422:
    case PIXEL_FORMAT_YUV_PACKED_444:
    case PIXEL_FORMAT_RGB_888:
    case PIXEL_FORMAT_BGR_888:
    case PIXEL_FORMAT_ARGB_8888:
    case PIXEL_FORMAT_ABGR_8888:
    case PIXEL_FORMAT_RGBA_8888:
    case PIXEL_FORMAT_BGRA_8888:
        return px; /* the width stride counts bytes */
    default:
        return 0;
    }
}

int dvpp_vpc_input_format(uint32_t f)
{
    return dvpp_pic_bytes(f, 1, 2) != 0;
}

static uint8_t clamp8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* One pixel's Y, U, V from any handled format. */
static void fetch(const struct acldvppPicDesc *p, uint32_t x, uint32_t y, int *Y, int *U, int *V)
{
    const uint8_t *d = p->data;
    size_t ws = p->wstride, plane = (size_t)ws * p->hstride;
    const uint8_t *row = d + (size_t)y * ws;
    int r, g, b;
    switch (p->format) {
    case PIXEL_FORMAT_YUV_400:
        *Y = row[x], *U = *V = 128;
        return;
    case PIXEL_FORMAT_YUV_SEMIPLANAR_420:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_420:
    case PIXEL_FORMAT_YUV_SEMIPLANAR_422:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_422:
    case PIXEL_FORMAT_YUV_SEMIPLANAR_440:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_440: {
        int f = (int)p->format;
        size_t cy = f <= PIXEL_FORMAT_YVU_SEMIPLANAR_420 || f >= PIXEL_FORMAT_YUV_SEMIPLANAR_440 ? y / 2 : y;
        size_t cx = f >= PIXEL_FORMAT_YUV_SEMIPLANAR_440 ? x : x / 2;
        const uint8_t *c = d + plane + cy * ws + (f >= PIXEL_FORMAT_YUV_SEMIPLANAR_440 ? cx * 2 : cx * 2);
        int vu = f == PIXEL_FORMAT_YVU_SEMIPLANAR_420 || f == PIXEL_FORMAT_YVU_SEMIPLANAR_422 ||
                 f == PIXEL_FORMAT_YVU_SEMIPLANAR_440;
        if (f >= PIXEL_FORMAT_YUV_SEMIPLANAR_440) /* 4:4:0: full-width chroma rows, every other row */
            c = d + plane + cy * ws * 2 + cx * 2;
        *Y = row[x], *U = c[vu], *V = c[1 - vu];
        return;
    }
    case PIXEL_FORMAT_YUV_SEMIPLANAR_444:
    case PIXEL_FORMAT_YVU_SEMIPLANAR_444: {
        const uint8_t *c = d + plane + (size_t)y * ws * 2 + (size_t)x * 2;
        int vu = p->format == PIXEL_FORMAT_YVU_SEMIPLANAR_444;
        *Y = row[x], *U = c[vu], *V = c[1 - vu];
        return;
    }
    case PIXEL_FORMAT_YUYV_PACKED_422:
    case PIXEL_FORMAT_UYVY_PACKED_422:
    case PIXEL_FORMAT_YVYU_PACKED_422:
    case PIXEL_FORMAT_VYUY_PACKED_422: {
        /* byte positions of Y0, U, Y1, V in each 4-byte pair of pixels */
        static const int pos[4][4] = {{0, 1, 2, 3}, {1, 0, 3, 2}, {0, 3, 2, 1}, {1, 2, 3, 0}};
        const int *o = pos[p->format - PIXEL_FORMAT_YUYV_PACKED_422];
        const uint8_t *q = row + (size_t)(x / 2) * 4;
        *Y = q[(x & 1) ? o[2] : o[0]], *U = q[o[1]], *V = q[o[3]];
        return;
    }
    case PIXEL_FORMAT_YUV_PACKED_444:
        *Y = row[3 * x], *U = row[3 * x + 1], *V = row[3 * x + 2];
        return;
    default: /* RGB family */
        switch (p->format) {
        case PIXEL_FORMAT_RGB_888:
            r = row[3 * x], g = row[3 * x + 1], b = row[3 * x + 2];
            break;
        case PIXEL_FORMAT_BGR_888:
            b = row[3 * x], g = row[3 * x + 1], r = row[3 * x + 2];
            break;
        case PIXEL_FORMAT_ARGB_8888:
            r = row[4 * x + 1], g = row[4 * x + 2], b = row[4 * x + 3];
            break;
        case PIXEL_FORMAT_ABGR_8888:
            b = row[4 * x + 1], g = row[4 * x + 2], r = row[4 * x + 3];
            break;
        case PIXEL_FORMAT_RGBA_8888:
            r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2];
            break;
        default: /* BGRA */
            b = row[4 * x], g = row[4 * x + 1], r = row[4 * x + 2];
            break;
        }
        /* BT.601 full range, 16-bit fixed point, rounded */
        *Y = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
        *U = ((-11059 * r - 21709 * g + 32768 * b + 32768) >> 16) + 128;
        *V = ((32768 * r - 27439 * g - 5329 * b + 32768) >> 16) + 128;
        *Y = clamp8(*Y), *U = clamp8(*U), *V = clamp8(*V);
        return;
    }
}

int dvpp_region_nv12(const struct acldvppPicDesc *pic, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                     struct dvpp_nv12 *out)
{
    memset(out, 0, sizeof *out);
    x &= ~1u, y &= ~1u, w &= ~1u, h &= ~1u;
    if (w < 2 || h < 2)
        return -1;
    out->w = w, out->h = h;
    const uint8_t *d = pic->data;
    if (pic->format == PIXEL_FORMAT_YUV_SEMIPLANAR_420 || pic->format == PIXEL_FORMAT_YVU_SEMIPLANAR_420) {
        size_t ws = pic->wstride;
        out->y = d + (size_t)y * ws + x;
        out->uv = d + ws * pic->hstride + (size_t)(y / 2) * ws + x;
        out->ystride = out->uvstride = (uint32_t)ws;
        out->vu = pic->format == PIXEL_FORMAT_YVU_SEMIPLANAR_420;
        return 0;
    }
    if (!dvpp_vpc_input_format(pic->format))
        return -1;
    uint8_t *m = malloc((size_t)w * h * 3 / 2);
    if (!m)
        return -1;
    uint8_t *uv = m + (size_t)w * h;
    for (uint32_t r = 0; r < h; r += 2)
        for (uint32_t c = 0; c < w; c += 2) {
            int su = 0, sv = 0;
            for (int k = 0; k < 4; k++) {
                int Y, U, V;
                fetch(pic, x + c + (k & 1), y + r + (k >> 1), &Y, &U, &V);
                m[(size_t)(r + (k >> 1)) * w + c + (k & 1)] = (uint8_t)Y;
                su += U, sv += V;
            }
            uv[(size_t)(r / 2) * w + c] = (uint8_t)((su + 2) / 4);
            uv[(size_t)(r / 2) * w + c + 1] = (uint8_t)((sv + 2) / 4);
        }
    out->y = m, out->uv = uv, out->ystride = out->uvstride = w, out->mem = m;
    return 0;
}

void dvpp_nv12_free(struct dvpp_nv12 *n)
{
    free(n->mem);
    n->mem = NULL;
}

/* Source coordinate and weight for output position d of n over a source of
 * m (scale m / n): index i0 and the weight of i0 + 1, in 1/2048. */
static void coord(uint32_t d, uint32_t n, uint32_t m, uint32_t interp, int *i0, int *frac)
{
    double s = (double)m / n, f;
    if (interp == 2 || interp == 4) { /* nearest */
        int i = (int)floor(d * s);
        *i0 = i < (int)m ? i : (int)m - 1;
        *frac = 0;
        return;
    }
    f = interp == 3 ? d * s : (d + 0.5) * s - 0.5; /* TensorFlow: corners; else centres */
    if (f < 0)
        f = 0;
    int i = (int)floor(f);
    if (i >= (int)m - 1) {
        *i0 = (int)m - 1;
        *frac = 0;
        return;
    }
    *i0 = i;
    *frac = (int)lrint((f - i) * 2048);
}

/* Resamples a plane of `ch` interleaved channels: src sw x sh -> dst dw x dh. */
static void resample_plane(const uint8_t *src, size_t sstride, uint32_t sw, uint32_t sh, uint8_t *dst,
                           size_t dstride, uint32_t dw, uint32_t dh, int ch, uint32_t interp, int swap)
{
    int *xi = malloc(sizeof(int) * dw * 2);
    if (!xi)
        return;
    int *xf = xi + dw;
    for (uint32_t x = 0; x < dw; x++)
        coord(x, dw, sw, interp, &xi[x], &xf[x]);
    for (uint32_t y = 0; y < dh; y++) {
        int y0, yf;
        coord(y, dh, sh, interp, &y0, &yf);
        const uint8_t *r0 = src + (size_t)y0 * sstride, *r1 = yf ? r0 + sstride : r0;
        uint8_t *o = dst + (size_t)y * dstride;
        for (uint32_t x = 0; x < dw; x++) {
            int x0 = xi[x], f = xf[x], x1 = f ? x0 + 1 : x0;
            for (int c = 0; c < ch; c++) {
                int a = r0[x0 * ch + c], b = r0[x1 * ch + c], e = r1[x0 * ch + c], g = r1[x1 * ch + c];
                int top = a * 2048 + (b - a) * f, bot = e * 2048 + (g - e) * f;
                int v = (top * 2048 + (bot - top) * yf + (1 << 21)) >> 22;
                o[x * ch + (swap && ch == 2 ? 1 - c : c)] = clamp8(v);
            }
        }
    }
    free(xi);
}

void dvpp_resample_into(const struct dvpp_nv12 *src, const struct acldvppPicDesc *out, uint32_t dx, uint32_t dy,
                        uint32_t dw, uint32_t dh, uint32_t interpolation)
{
    uint8_t *d = out->data;
    size_t ws = out->wstride;
    int vu = out->format == PIXEL_FORMAT_YVU_SEMIPLANAR_420;
    resample_plane(src->y, src->ystride, src->w, src->h, d + (size_t)dy * ws + dx, ws, dw, dh, 1, interpolation, 0);
    resample_plane(src->uv, src->uvstride, src->w / 2, src->h / 2, d + ws * out->hstride + (size_t)(dy / 2) * ws + dx,
                   ws, dw / 2, dh / 2, 2, interpolation, vu != src->vu);
}
