/*
 * Sampling operators: GridSample (2-D; nearest, bilinear and bicubic;
 * zeros, border and reflection padding; align_corners), RoiAlign (avg and
 * max, both coordinate modes, adaptive or fixed sampling) and MaxUnpool.
 *
 * Every pixel read goes through one fetch that applies the padding mode
 * to the index, so no sampled coordinate, however wild the grid or the
 * boxes, can leave the input.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "kernel_impl.h"

/* ---- GridSample ---- */

enum { GS_BILINEAR, GS_NEAREST, GS_BICUBIC };
enum { PAD_ZEROS, PAD_BORDER, PAD_REFLECTION };

static int str_pick(const struct hacl_node *n, const char *name, const char *const *opts, int count, int dflt)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a || !a->has_s)
        return dflt;
    for (int i = 0; i < count; i++)
        if (a->s.len == strlen(opts[i]) && !strncmp((const char *)a->s.data, opts[i], a->s.len))
            return i;
    return -1;
}

static int gs_mode(const struct hacl_node *n)
{
    static const char *const m[] = {"bilinear", "nearest", "bicubic", "linear", "cubic"};
    int k = str_pick(n, "mode", m, 5, GS_BILINEAR);
    return k == 3 ? GS_BILINEAR : k == 4 ? GS_BICUBIC : k;
}

static int gs_padding(const struct hacl_node *n)
{
    static const char *const p[] = {"zeros", "border", "reflection"};
    return str_pick(n, "padding_mode", p, 3, PAD_ZEROS);
}

static aclError infer_gridsample(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 2, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *grid = IN(n, 1);
    if (gs_mode(n) < 0 || gs_padding(n) < 0)
        return UNSUPPORTED("node '%s' (GridSample): mode or padding_mode is not supported", n->name);
    if (x->rank != 4 || grid->rank != 4 || grid->dims[0] != x->dims[0] || grid->dims[3] != 2)
        return UNSUPPORTED("node '%s' (GridSample): 2-D sampling (N x C x H x W input, N x H x W x 2 grid) only",
                           n->name);
    if (!is_float_type(x->onnx_type) || !is_float_type(grid->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (GridSample) takes floats", n->name);
    int64_t d[4] = {x->dims[0], x->dims[1], grid->dims[1], grid->dims[2]};
    set_out(OUT(n, 0), x->onnx_type, 4, d);
    return ACL_SUCCESS;
}

/* Reflects x into [lo, hi] (repeatedly, as a mirror). */
static double reflect(double x, double lo, double hi)
{
    double range = hi - lo;
    if (range <= 0)
        return lo;
    if (x < lo) {
        double dx = lo - x;
        int64_t flips = (int64_t)(dx / range);
        double extra = dx - (double)flips * range;
        return flips % 2 == 0 ? lo + extra : hi - extra;
    }
    if (x > hi) {
        double dx = x - hi;
        int64_t flips = (int64_t)(dx / range);
        double extra = dx - (double)flips * range;
        return flips % 2 == 0 ? hi - extra : lo + extra;
    }
    return x;
}

struct gs {
    int t, pad, align;
    int64_t H, W;
    const void *x;
    size_t plane;
};

/* The pixel at integer (y, x) under the padding mode. */
static double fetch(const struct gs *s, int64_t y, int64_t x)
{
    if (y < 0 || y >= s->H || x < 0 || x >= s->W) {
        if (s->pad == PAD_ZEROS)
            return 0;
        if (s->pad == PAD_BORDER) {
            y = y < 0 ? 0 : y >= s->H ? s->H - 1 : y;
            x = x < 0 ? 0 : x >= s->W ? s->W - 1 : x;
        } else {
            double lo = s->align ? 0 : -0.5;
            y = (int64_t)reflect((double)y, lo, s->align ? (double)(s->H - 1) : (double)s->H - 0.5);
            x = (int64_t)reflect((double)x, lo, s->align ? (double)(s->W - 1) : (double)s->W - 0.5);
            y = y < 0 ? 0 : y >= s->H ? s->H - 1 : y;
            x = x < 0 ? 0 : x >= s->W ? s->W - 1 : x;
        }
    }
    return load_f(s->t, s->x, s->plane + (size_t)(y * s->W + x));
}

static void cubic_coeffs(double t, double *c)
{
    const double A = -0.75;
    double d[4] = {t + 1, t, 1 - t, 2 - t};
    for (int i = 0; i < 4; i++) {
        double v = d[i];
        c[i] = v <= 1 ? ((A + 2) * v - (A + 3)) * v * v + 1 : ((A * v - 5 * A) * v + 8 * A) * v - 4 * A;
    }
}

static void run_gridsample(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *grid = IN(n, 1);
    int mode = gs_mode(n);
    struct gs s = {x->onnx_type, gs_padding(n), hacl_attr_int(n, "align_corners", 0) != 0, x->dims[2], x->dims[3],
                   a->bufs[n->inputs[0]], 0};
    int64_t N = x->dims[0], C = x->dims[1], Ho = grid->dims[1], Wo = grid->dims[2];
    const void *gp = a->bufs[n->inputs[1]];
    void *yp = a->bufs[n->outputs[0]];
    for (int64_t b = 0; b < N; b++)
        for (int64_t i = 0; i < Ho * Wo; i++) {
            double gx = load_f(grid->onnx_type, gp, (size_t)((b * Ho * Wo + i) * 2));
            double gy = load_f(grid->onnx_type, gp, (size_t)((b * Ho * Wo + i) * 2 + 1));
            /* normalised [-1, 1] to pixel coordinates, kept finite */
            double px = s.align ? (gx + 1) / 2 * (double)(s.W - 1) : ((gx + 1) * (double)s.W - 1) / 2;
            double py = s.align ? (gy + 1) / 2 * (double)(s.H - 1) : ((gy + 1) * (double)s.H - 1) / 2;
            px = isfinite(px) ? fmax(fmin(px, 1e9), -1e9) : 0;
            py = isfinite(py) ? fmax(fmin(py, 1e9), -1e9) : 0;
            if (mode != GS_BICUBIC && s.pad == PAD_BORDER) {
                px = fmin(fmax(px, 0), (double)(s.W - 1));
                py = fmin(fmax(py, 0), (double)(s.H - 1));
            } else if (mode != GS_BICUBIC && s.pad == PAD_REFLECTION) {
                double lo = s.align ? 0 : -0.5;
                px = reflect(px, lo, s.align ? (double)(s.W - 1) : (double)s.W - 0.5);
                py = reflect(py, lo, s.align ? (double)(s.H - 1) : (double)s.H - 0.5);
            }
            for (int64_t c = 0; c < C; c++) {
                s.plane = (size_t)((b * C + c) * s.H * s.W);
                double v = 0;
                if (mode == GS_NEAREST) {
                    v = fetch(&s, (int64_t)nearbyint(py), (int64_t)nearbyint(px));
                } else if (mode == GS_BILINEAR) {
                    double fx = floor(px), fy = floor(py), tx = px - fx, ty = py - fy;
                    int64_t x0 = (int64_t)fx, y0 = (int64_t)fy;
                    v = (1 - ty) * ((1 - tx) * fetch(&s, y0, x0) + tx * fetch(&s, y0, x0 + 1)) +
                        ty * ((1 - tx) * fetch(&s, y0 + 1, x0) + tx * fetch(&s, y0 + 1, x0 + 1));
                } else {
                    double fx = floor(px), fy = floor(py), cx[4], cy[4];
                    cubic_coeffs(px - fx, cx);
                    cubic_coeffs(py - fy, cy);
                    for (int r = 0; r < 4; r++) {
                        double row = 0;
                        for (int k = 0; k < 4; k++)
                            row += cx[k] * fetch(&s, (int64_t)fy - 1 + r, (int64_t)fx - 1 + k);
                        v += cy[r] * row;
                    }
                }
                store_f(x->onnx_type, yp, (size_t)((b * C + c) * Ho * Wo + i), v);
            }
        }
}

/* ---- RoiAlign ---- */

static aclError infer_roialign(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 3, 3, 3, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *rois = IN(n, 1), *bi = IN(n, 2);
    int64_t oh = hacl_attr_int(n, "output_height", 1), ow = hacl_attr_int(n, "output_width", 1);
    int64_t sr = hacl_attr_int(n, "sampling_ratio", 0);
    if (x->rank != 4 || rois->rank != 2 || rois->dims[1] != 4 || bi->rank != 1 || bi->dims[0] != rois->dims[0] ||
        !is_float_type(x->onnx_type) || !is_float_type(rois->onnx_type) || (bi->onnx_type != I64 && bi->onnx_type != I32) ||
        oh < 1 || ow < 1 || oh > 4096 || ow > 4096 || sr < 0 || sr > 1024)
        return FAIL("node '%s' (RoiAlign): inputs or attributes do not fit", n->name);
    int64_t d[4] = {rois->dims[0], x->dims[1], oh, ow};
    set_out(OUT(n, 0), x->onnx_type, 4, d);
    return ACL_SUCCESS;
}

/* The bilinear sample at (y, x) of one plane; 0 outside [-1, H] x [-1, W]. */
static double roi_sample(int t, const void *p, size_t plane, int64_t H, int64_t W, double y, double x, int is_max)
{
    if (y < -1.0 || y > (double)H || x < -1.0 || x > (double)W)
        return 0;
    y = y <= 0 ? 0 : y, x = x <= 0 ? 0 : x;
    int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
    if (y0 >= H - 1) {
        y0 = y1 = H - 1;
        y = (double)y0;
    } else {
        y1 = y0 + 1;
    }
    if (x0 >= W - 1) {
        x0 = x1 = W - 1;
        x = (double)x0;
    } else {
        x1 = x0 + 1;
    }
    double ly = y - (double)y0, lx = x - (double)x0, hy = 1 - ly, hx = 1 - lx;
    double v1 = load_f(t, p, plane + (size_t)(y0 * W + x0)), v2 = load_f(t, p, plane + (size_t)(y0 * W + x1));
    double v3 = load_f(t, p, plane + (size_t)(y1 * W + x0)), v4 = load_f(t, p, plane + (size_t)(y1 * W + x1));
    double w1 = hy * hx, w2 = hy * lx, w3 = ly * hx, w4 = ly * lx;
    if (is_max) /* the reference takes the largest weighted corner */
        return fmax(fmax(w1 * v1, w2 * v2), fmax(w3 * v3, w4 * v4));
    return w1 * v1 + w2 * v2 + w3 * v3 + w4 * v4;
}

static void run_roialign(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *rois = IN(n, 1), *bi = IN(n, 2), *o = OUT(n, 0);
    int64_t C = x->dims[1], H = x->dims[2], W = x->dims[3], R = rois->dims[0], oh = o->dims[2], ow = o->dims[3];
    int64_t sr = hacl_attr_int(n, "sampling_ratio", 0);
    double scale = hacl_attr_float(n, "spatial_scale", 1.0f);
    const Onnx__AttributeProto *m = attr(n, "mode");
    int is_max = m && m->has_s && m->s.len == 3 && !strncmp((const char *)m->s.data, "max", 3);
    const Onnx__AttributeProto *ct = attr(n, "coordinate_transformation_mode");
    int half = !(ct && ct->has_s && ct->s.len == 17 && !strncmp((const char *)ct->s.data, "output_half_pixel", 17));
    double off = half ? 0.5 : 0;
    for (int64_t r = 0; r < R; r++) {
        int64_t b = load_i(bi->onnx_type, a->bufs[n->inputs[2]], (size_t)r);
        if (b < 0 || b >= x->dims[0]) {
            *a->error = "a box's batch index is out of range";
            return;
        }
        double x1 = load_f(rois->onnx_type, a->bufs[n->inputs[1]], (size_t)(r * 4)) * scale - off;
        double y1 = load_f(rois->onnx_type, a->bufs[n->inputs[1]], (size_t)(r * 4 + 1)) * scale - off;
        double x2 = load_f(rois->onnx_type, a->bufs[n->inputs[1]], (size_t)(r * 4 + 2)) * scale - off;
        double y2 = load_f(rois->onnx_type, a->bufs[n->inputs[1]], (size_t)(r * 4 + 3)) * scale - off;
        double rw = x2 - x1, rh = y2 - y1;
        if (!half) {
            rw = fmax(rw, 1.0);
            rh = fmax(rh, 1.0);
        }
        double bh = rh / (double)oh, bw = rw / (double)ow;
        double gh = sr > 0 ? (double)sr : ceil(rh / (double)oh), gw = sr > 0 ? (double)sr : ceil(rw / (double)ow);
        gh = isfinite(gh) ? fmin(fmax(gh, 1), 1024) : 1;
        gw = isfinite(gw) ? fmin(fmax(gw, 1), 1024) : 1;
        for (int64_t c = 0; c < C; c++) {
            size_t plane = (size_t)((b * C + c) * H * W);
            for (int64_t py = 0; py < oh; py++)
                for (int64_t px = 0; px < ow; px++) {
                    double acc = is_max ? -INFINITY : 0;
                    for (int64_t iy = 0; iy < (int64_t)gh; iy++)
                        for (int64_t ix = 0; ix < (int64_t)gw; ix++) {
                            double sy = y1 + (double)py * bh + ((double)iy + 0.5) * bh / gh;
                            double sx = x1 + (double)px * bw + ((double)ix + 0.5) * bw / gw;
                            double v = roi_sample(x->onnx_type, a->bufs[n->inputs[0]], plane, H, W, sy, sx, is_max);
                            acc = is_max ? fmax(acc, v) : acc + v;
                        }
                    size_t at = (size_t)(((r * C + c) * oh + py) * ow + px);
                    store_f(x->onnx_type, a->bufs[n->outputs[0]], at, is_max ? acc : acc / (gh * gw));
                }
        }
    }
}

/* ---- MaxUnpool ---- */

/* The shape MaxUnpool's indices refer to: the pooled input's, worked out
 * from the window attributes (an output_shape may then pad it at the end
 * of each dim, as ONNX's reference does). */
static aclError unpool_shape(struct hacl_graph *g, const struct hacl_node *n, int64_t *d, char *why, size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    int sp = x->rank - 2;
    int64_t k[3] = {0}, s[3] = {1, 1, 1}, p[6] = {0};
    if (hacl_attr_ints(n, "kernel_shape", k, 3) != sp)
        return FAIL("node '%s' (MaxUnpool) needs a kernel_shape", n->name);
    hacl_attr_ints(n, "strides", s, 3);
    hacl_attr_ints(n, "pads", p, 6);
    d[0] = x->dims[0], d[1] = x->dims[1];
    for (int i = 0; i < sp; i++) {
        if (k[i] < 1 || s[i] < 1 || k[i] > WINDOW_ATTR_MAX || s[i] > WINDOW_ATTR_MAX || p[i] < 0 || p[i + sp] < 0 ||
            p[i] > WINDOW_ATTR_MAX || p[i + sp] > WINDOW_ATTR_MAX)
            return FAIL("node '%s' (MaxUnpool): window attributes out of range", n->name);
        d[2 + i] = (x->dims[2 + i] - 1) * s[i] + k[i] - p[i] - p[i + sp];
    }
    return ACL_SUCCESS;
}

static aclError infer_maxunpool(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 2, 3, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *ix = IN(n, 1);
    int sp = x->rank - 2;
    if (sp < 1 || sp > 3 || ix->onnx_type != I64 || ix->rank != x->rank ||
        memcmp(ix->dims, x->dims, sizeof(int64_t) * (size_t)x->rank))
        return FAIL("node '%s' (MaxUnpool): X and I must have one shape of rank 3 to 5", n->name);
    int64_t d[HACL_MAX_RANK], inf[HACL_MAX_RANK];
    if ((rc = unpool_shape(g, n, inf, why, whylen)) != ACL_SUCCESS)
        return rc;
    memcpy(d, inf, sizeof inf);
    if (has_input(n, 2) && hacl_const_ints(IN(n, 2), d, HACL_MAX_RANK) != x->rank)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                        "node '%s' (MaxUnpool): output_shape must be a constant of the input's rank", n->name);
    for (int i = 0; i < x->rank; i++)
        if (d[i] < 0 || d[i] > ((int64_t)1 << 24) || inf[i] < 0 || (i < 2 && d[i] != x->dims[i]))
            return FAIL("node '%s' (MaxUnpool): the output shape is out of range", n->name);
    set_out(OUT(n, 0), x->onnx_type, x->rank, d);
    return ACL_SUCCESS;
}

static void run_maxunpool(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *o = OUT(n, 0);
    int64_t inf[HACL_MAX_RANK];
    char why[8];
    size_t whylen = sizeof why;
    if (unpool_shape((struct hacl_graph *)g, n, inf, why, whylen) != ACL_SUCCESS)
        return;
    size_t es = hacl_onnx_type_size(x->onnx_type), total = numel(o), itotal = 1;
    for (int i = 0; i < x->rank; i++)
        itotal *= (size_t)inf[i];
    const int64_t *ix = a->bufs[n->inputs[1]];
    char *y = a->bufs[n->outputs[0]];
    memset(y, 0, total * es);
    for (size_t i = 0, c = numel(x); i < c; i++) {
        if (ix[i] < 0 || (size_t)ix[i] >= itotal) {
            *a->error = "an index is out of range";
            return;
        }
        /* the index's coordinates in the pooled input's shape, placed at
         * the same coordinates of the output */
        size_t rem = (size_t)ix[i], at = 0, stride = 1;
        int inside = 1;
        for (int k = x->rank - 1; k >= 0; k--) {
            size_t coord = rem % (size_t)inf[k];
            rem /= (size_t)inf[k];
            inside = inside && coord < (size_t)o->dims[k];
            at += coord * stride;
            stride *= (size_t)o->dims[k];
        }
        if (inside && at < total)
            memcpy(y + at * es, (const char *)a->bufs[n->inputs[0]] + i * es, es);
    }
}

const struct hacl_op hacl_sample_ops[] = {
    {"GridSample", infer_gridsample, run_gridsample, NULL},
    {"RoiAlign", infer_roialign, run_roialign, NULL},
    {"MaxUnpool", infer_maxunpool, run_maxunpool, NULL},
};
const size_t hacl_sample_nops = sizeof hacl_sample_ops / sizeof hacl_sample_ops[0];
