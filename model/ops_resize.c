/*
 * Resize (opsets 10 to 19) and Upsample: nearest (every nearest_mode),
 * linear and cubic (cubic_coeff_a, exclude_outside) over any rank, every
 * coordinate_transformation_mode including tf_crop_and_resize (roi,
 * extrapolation_value) and half_pixel_symmetric, scales or sizes (with
 * axes and keep_aspect_ratio_policy from opset 18). Nearest serves every
 * element type; linear and cubic the floating ones.
 *
 * The interpolation is separable: each output coordinate of each axis has
 * up to four taps (input index, weight), computed once per execution, and
 * linear and cubic modes resize one axis at a time (in double), so an
 * element costs the sum of its axes' tap counts. Every tap index is
 * clamped into its axis (edge padding, as ONNX's reference does), so no
 * computed coordinate can leave the input.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "kernel_impl.h"

enum { CT_HALF_PIXEL, CT_ASYMMETRIC, CT_ALIGN_CORNERS, CT_PYTORCH_HALF_PIXEL, CT_TF_HALF_PIXEL_NN, CT_TF_CROP,
       CT_HALF_PIXEL_SYM };
enum { NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL };
enum { M_NEAREST, M_LINEAR, M_CUBIC };

struct resize {
    int mode, coord, nearest, exclude;
    double cubic_a, extrapolation;
    double scale[HACL_MAX_RANK], roi[2 * HACL_MAX_RANK];
    int64_t out[HACL_MAX_RANK];
};

static int str_is(const Onnx__AttributeProto *a, const char *s)
{
    return a && a->has_s && a->s.len == strlen(s) && !strncmp((const char *)a->s.data, s, a->s.len);
}

static int pick(const Onnx__AttributeProto *a, const char *const *names, int count, int dflt)
{
    if (!a)
        return dflt;
    for (int i = 0; i < count; i++)
        if (str_is(a, names[i]))
            return i;
    return -1;
}

/* Reads a constant float input (scales, roi) into v: its length or -1. */
static int const_floats(const struct hacl_tensor *t, double *v, int max)
{
    if (!t->is_const || !is_float_type(t->onnx_type) || t->rank > 1)
        return -1;
    int64_t k = hacl_tensor_elements(t);
    if (k < 0 || k > max)
        return -1;
    for (int64_t i = 0; i < k; i++)
        v[i] = load_f(t->onnx_type, t->data, (size_t)i);
    return (int)k;
}

static aclError resize_params(struct hacl_graph *g, const struct hacl_node *n, struct resize *rp, char *why,
                              size_t whylen)
{
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const char *const coords[] = {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel",
                                         "tf_half_pixel_for_nn", "tf_crop_and_resize", "half_pixel_symmetric"};
    static const char *const nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
    const struct hacl_tensor *x = IN(n, 0);
    int r = x->rank, upsample = strcmp(n->op, "Upsample") == 0;
    memset(rp, 0, sizeof *rp);
    const Onnx__AttributeProto *mode = attr(n, "mode");
    rp->mode = str_is(mode, "bilinear") ? M_LINEAR : pick(mode, modes, 3, M_NEAREST);
    if (rp->mode < 0)
        return UNSUPPORTED("node '%s' (%s): mode '%.*s' is not supported", n->name, n->op, (int)mode->s.len,
                           (const char *)mode->s.data);
    /* Resize-10 and Upsample map output x to input x / scale and take the
     * floor for nearest; Resize-11+ names both choices. */
    int v11 = !upsample && g->opset >= 11;
    rp->coord = CT_ASYMMETRIC;
    rp->nearest = NM_FLOOR;
    rp->cubic_a = hacl_attr_float(n, "cubic_coeff_a", -0.75f);
    rp->exclude = hacl_attr_int(n, "exclude_outside", 0) != 0;
    rp->extrapolation = hacl_attr_float(n, "extrapolation_value", 0.0f);
    if (v11) {
        rp->coord = pick(attr(n, "coordinate_transformation_mode"), coords, 7, CT_HALF_PIXEL);
        rp->nearest = pick(attr(n, "nearest_mode"), nearests, 4, NM_ROUND_PREFER_FLOOR);
        if (rp->coord < 0 || rp->nearest < 0)
            return UNSUPPORTED("node '%s' (Resize): coordinate_transformation_mode or nearest_mode is not supported",
                               n->name);
    }
    if (hacl_attr_int(n, "antialias", 0))
        return UNSUPPORTED("node '%s' (Resize): antialias is not supported", n->name);
    if (rp->mode != M_NEAREST && !is_float_type(x->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (%s): linear and cubic modes resize floating types only", n->name, n->op);
    /* axes (opset 18): scales and sizes name only these axes */
    int64_t axes[HACL_MAX_RANK];
    int na = hacl_attr_ints(n, "axes", axes, HACL_MAX_RANK);
    if (na < 0) {
        na = r;
        for (int i = 0; i < r; i++)
            axes[i] = i;
    }
    int seen[HACL_MAX_RANK] = {0};
    for (int i = 0; i < na; i++) {
        axes[i] = axes[i] < 0 ? axes[i] + r : axes[i];
        if (axes[i] < 0 || axes[i] >= r || seen[axes[i]]++)
            return FAIL("node '%s' (Resize): axes out of range or repeated", n->name);
    }
    for (int i = 0; i < r; i++) {
        rp->scale[i] = 1;
        rp->out[i] = x->dims[i];
        rp->roi[i] = 0;
        rp->roi[i + r] = 1;
    }
    /* Scales: an attribute (Upsample-7), input 1 (Resize-10, Upsample-9) or
     * input 2 (Resize-11+); or sizes, input 3; roi: input 1 (Resize-11+). */
    double sc[HACL_MAX_RANK], roi[2 * HACL_MAX_RANK];
    int64_t sizes[HACL_MAX_RANK];
    int nsc = -1, nsz = -1;
    if (upsample && n->ninputs < 2) {
        const Onnx__AttributeProto *a = attr(n, "scales");
        nsc = a && (int)a->n_floats <= HACL_MAX_RANK ? (int)a->n_floats : -1;
        for (int i = 0; i < nsc; i++)
            sc[i] = a->floats[i];
    } else {
        size_t si = v11 ? 2 : 1;
        if (has_input(n, si) && hacl_tensor_elements(IN(n, si)) != 0) {
            nsc = const_floats(IN(n, si), sc, HACL_MAX_RANK);
            if (nsc < 0)
                return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                                "node '%s' (%s): scales are computed at run time; hostacl needs them constant", n->name,
                                n->op);
        }
        if (v11 && has_input(n, 3) && hacl_tensor_elements(IN(n, 3)) != 0) {
            nsz = hacl_const_ints(IN(n, 3), sizes, HACL_MAX_RANK);
            if (nsz < 0)
                return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                                "node '%s' (Resize): sizes are computed at run time; hostacl needs them constant",
                                n->name);
        }
        if (rp->coord == CT_TF_CROP && has_input(n, 1) && hacl_tensor_elements(IN(n, 1)) != 0) {
            if (const_floats(IN(n, 1), roi, 2 * HACL_MAX_RANK) != 2 * na)
                return FAIL("node '%s' (Resize): roi must hold %d constant values", n->name, 2 * na);
            for (int i = 0; i < na; i++) {
                rp->roi[axes[i]] = roi[i];
                rp->roi[axes[i] + r] = roi[i + na];
            }
        }
    }
    if ((nsc < 0) == (nsz < 0))
        return FAIL("node '%s' (%s) needs scales or sizes (one of them)", n->name, n->op);
    if ((nsc >= 0 && nsc != na) || (nsz >= 0 && nsz != na))
        return FAIL("node '%s' (%s): scales or sizes need %d values", n->name, n->op, na);
    if (nsc >= 0) {
        for (int i = 0; i < na; i++) {
            int64_t ax = axes[i];
            if (!(sc[i] > 0) || sc[i] > 1e6)
                return FAIL("node '%s' (%s): scales must be positive and sane", n->name, n->op);
            rp->scale[ax] = sc[i];
            double len = rp->coord == CT_TF_CROP ? (double)x->dims[ax] * (rp->roi[ax + r] - rp->roi[ax]) * sc[i]
                                                 : (double)x->dims[ax] * sc[i];
            if (!(len >= 0) || len > 1e12)
                return FAIL("node '%s' (%s): the output would be too large", n->name, n->op);
            rp->out[ax] = (int64_t)floor(len);
        }
    } else {
        const Onnx__AttributeProto *kp = attr(n, "keep_aspect_ratio_policy");
        int policy = str_is(kp, "not_larger") ? 1 : str_is(kp, "not_smaller") ? 2 : 0;
        if (kp && !policy && !str_is(kp, "stretch"))
            return UNSUPPORTED("node '%s' (Resize): keep_aspect_ratio_policy is not supported", n->name);
        double common = policy == 1 ? INFINITY : 0;
        for (int i = 0; i < na; i++) {
            if (sizes[i] < 0 || sizes[i] > ((int64_t)1 << 32))
                return FAIL("node '%s' (Resize): sizes must not be negative", n->name);
            double s = x->dims[axes[i]] ? (double)sizes[i] / (double)x->dims[axes[i]] : 1.0;
            common = policy == 1 ? fmin(common, s) : fmax(common, s);
        }
        for (int i = 0; i < na; i++) {
            int64_t ax = axes[i];
            if (policy) {
                rp->scale[ax] = common;
                rp->out[ax] = (int64_t)nearbyint((double)x->dims[ax] * common);
            } else {
                rp->out[ax] = sizes[i];
                rp->scale[ax] = x->dims[ax] ? (double)sizes[i] / (double)x->dims[ax] : 1.0;
            }
        }
    }
    for (int i = 0; i < r; i++)
        if (rp->out[i] > 0 && x->dims[i] == 0)
            return FAIL("node '%s' (%s): cannot resize an empty axis", n->name, n->op);
    return ACL_SUCCESS;
}

static aclError infer_resize(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 4, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!is_numeric_type(IN(n, 0)->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s): type %d", n->name, n->op,
                        IN(n, 0)->onnx_type);
    struct resize rp;
    if ((rc = resize_params(g, n, &rp, why, whylen)) != ACL_SUCCESS)
        return rc;
    int64_t total = 1;
    for (int i = 0; i < IN(n, 0)->rank; i++) {
        if (rp.out[i] && total > ((int64_t)1 << 40) / rp.out[i])
            return FAIL("node '%s' (%s): the output would be too large", n->name, n->op);
        total *= rp.out[i];
    }
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, rp.out);
    return ACL_SUCCESS;
}

/* Output coordinate i of axis k, in input coordinates. */
static double source_coord(const struct resize *rp, int r, int k, int64_t i, int64_t in_len)
{
    double s = rp->scale[k], x = (double)i;
    int64_t out_len = rp->out[k];
    switch (rp->coord) {
    case CT_HALF_PIXEL: return (x + 0.5) / s - 0.5;
    case CT_HALF_PIXEL_SYM: {
        double adj = (double)out_len / (s * (double)in_len), center = (double)in_len / 2;
        return center * (1 - adj) + (x + 0.5) / s - 0.5;
    }
    case CT_PYTORCH_HALF_PIXEL: return out_len > 1 ? (x + 0.5) / s - 0.5 : 0.0;
    case CT_ALIGN_CORNERS: {
        /* The resized length is in_len * scale, before rounding. */
        double len = (double)in_len * s;
        return out_len > 1 && len > 1 ? x * (double)(in_len - 1) / (len - 1) : 0.0;
    }
    case CT_TF_HALF_PIXEL_NN: return (x + 0.5) / s;
    case CT_TF_CROP: {
        double a = rp->roi[k], b = rp->roi[k + r];
        return out_len > 1 ? a * (double)(in_len - 1) + x * (b - a) * (double)(in_len - 1) / (double)(out_len - 1)
                           : 0.5 * (a + b) * (double)(in_len - 1);
    }
    default: return x / s;
    }
}

static int64_t nearest_index(int mode, double x)
{
    double f = floor(x);
    switch (mode) {
    case NM_FLOOR: return (int64_t)f;
    case NM_CEIL: return (int64_t)ceil(x);
    case NM_ROUND_PREFER_CEIL: return x - f == 0.5 ? (int64_t)f + 1 : (int64_t)llround(x);
    default: return x - f == 0.5 ? (int64_t)f : (int64_t)llround(x);
    }
}

/* Up to four taps per output coordinate; outside: extrapolate. */
struct taps {
    int count;
    int outside;
    int64_t idx[4];
    double w[4];
};

static void make_taps(const struct resize *rp, int r, int k, int64_t i, int64_t len, struct taps *t)
{
    double c = source_coord(rp, r, k, i, len);
    t->outside = rp->coord == CT_TF_CROP && (c < 0 || c > (double)(len - 1));
    /* keep the arithmetic below finite and in int64 range */
    c = c < -4 ? -4 : c > (double)len + 4 ? (double)len + 4 : c;
    if (rp->mode == M_NEAREST) {
        int64_t j = nearest_index(rp->nearest, c);
        t->count = 1;
        t->idx[0] = j < 0 ? 0 : j >= len ? len - 1 : j;
        t->w[0] = 1;
        return;
    }
    if (rp->mode == M_LINEAR) {
        if (rp->coord != CT_TF_CROP)
            c = c < 0 ? 0 : c > (double)(len - 1) ? (double)(len - 1) : c;
        int64_t j = (int64_t)floor(c);
        double f = c - (double)j;
        t->count = 2;
        t->idx[0] = j, t->idx[1] = j + 1;
        t->w[0] = 1 - f, t->w[1] = f;
    } else {
        int64_t j = (int64_t)floor(c);
        double f = c - (double)j, A = rp->cubic_a;
        double d[4] = {1 + f, f, 1 - f, 2 - f};
        t->count = 4;
        for (int m = 0; m < 4; m++) {
            double v = d[m];
            t->idx[m] = j - 1 + m;
            t->w[m] = v <= 1 ? ((A + 2) * v - (A + 3)) * v * v + 1 : ((A * v - 5 * A) * v + 8 * A) * v - 4 * A;
        }
    }
    double sum = 0;
    for (int m = 0; m < t->count; m++) {
        if (rp->exclude && (t->idx[m] < 0 || t->idx[m] >= len))
            t->w[m] = 0;
        sum += t->w[m];
        t->idx[m] = t->idx[m] < 0 ? 0 : t->idx[m] >= len ? len - 1 : t->idx[m];
    }
    if (rp->exclude && sum != 0)
        for (int m = 0; m < t->count; m++)
            t->w[m] /= sum;
    /* Drop taps of weight 0 (every axis that is not resized has three of
     * four): an element costs the product of its axes' tap counts. */
    int kept = 0;
    for (int m = 0; m < t->count; m++)
        if (t->w[m] != 0) {
            t->idx[kept] = t->idx[m];
            t->w[kept++] = t->w[m];
        }
    if (kept == 0) /* all zero: one tap of weight 0 keeps the sum 0 */
        t->w[kept++] = 0;
    t->count = kept;
}

/* An axis whose taps only copy (one tap of weight 1 at the same index). */
static int identity_axis(const struct taps *tp, int64_t out, int64_t in)
{
    if (out != in)
        return 0;
    for (int64_t i = 0; i < out; i++)
        if (tp[i].count != 1 || tp[i].w[0] != 1 || tp[i].idx[0] != i || tp[i].outside)
            return 0;
    return 1;
}

/* Linear and cubic: one pass per resized axis over a double buffer (the
 * cost is the sum of the axes' tap counts per element, not their
 * product), then one store that writes the extrapolation value where any
 * axis's coordinate fell outside a tf_crop_and_resize box. */
static const char *interpolate(const struct resize *rp, const struct hacl_tensor *x, struct taps **tp,
                               const void *src, void *y)
{
    int r = x->rank, t = x->onnx_type;
    int64_t dims[HACL_MAX_RANK];
    size_t count = numel(x);
    double *cur = hacl_malloc((count ? count : 1) * sizeof *cur);
    if (!cur)
        return "out of memory resizing";
    for (size_t i = 0; i < count; i++)
        cur[i] = load_f(t, src, i);
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)r);
    for (int k = 0; k < r; k++) {
        if (identity_axis(tp[k], rp->out[k], dims[k]))
            continue;
        size_t outer = 1, inner = 1;
        for (int i = 0; i < k; i++)
            outer *= (size_t)dims[i];
        for (int i = k + 1; i < r; i++)
            inner *= (size_t)dims[i];
        size_t len = (size_t)dims[k], olen = (size_t)rp->out[k], ncount = outer * olen * inner;
        double *next = hacl_malloc((ncount ? ncount : 1) * sizeof *next);
        if (!next) {
            hacl_free(cur);
            return "out of memory resizing";
        }
        for (size_t o = 0; o < outer; o++)
            for (size_t i = 0; i < olen; i++) {
                const struct taps *tap = &tp[k][i];
                double *dst = next + (o * olen + i) * inner;
                for (size_t e = 0; e < inner; e++)
                    dst[e] = 0;
                for (int m = 0; m < tap->count; m++) {
                    const double *row = cur + (o * len + (size_t)tap->idx[m]) * inner;
                    double w = tap->w[m];
                    for (size_t e = 0; e < inner; e++)
                        dst[e] += w * row[e];
                }
            }
        hacl_free(cur);
        cur = next;
        dims[k] = rp->out[k];
    }
    int64_t pos[HACL_MAX_RANK] = {0}, total = 1;
    for (int k = 0; k < r; k++)
        total *= rp->out[k];
    for (int64_t e = 0; e < total; e++) {
        int outside = 0;
        for (int k = 0; k < r && rp->coord == CT_TF_CROP; k++)
            outside |= tp[k][pos[k]].outside;
        store_f(t, y, (size_t)e, outside ? rp->extrapolation : cur[e]);
        if (rp->coord == CT_TF_CROP)
            hacl_index_next(pos, rp->out, r);
    }
    hacl_free(cur);
    return NULL;
}

/* Linear resizing of float32 planes in two passes: every input row
 * interpolated across to the output width, then output rows blended from
 * two of those, along contiguous rows (built for AVX-512/AVX2). The final
 * upsampling of segmentation networks (21 x 14 x 14 to 224 x 224) took
 * 0.93 ms on oneDNN's two threads. Taps of at most two points, none
 * outside. */
HACL_ROW_CLONES static void resize_planes(const float *x, float *y, int64_t planes, int64_t H, int64_t W, int64_t OH,
                                          int64_t OW, const struct taps *ty, float *rows, const int32_t *xi,
                                          const float *xw)
{
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *src = x + pl * H * W;
        float *dst = y + pl * OH * OW;
        for (int64_t iy = 0; iy < H; iy++) {
            const float *row = src + iy * W;
            float *hr = rows + iy * OW;
            for (int64_t o = 0; o < OW; o++)
                hr[o] = xw[2 * o] * row[xi[2 * o]] + xw[2 * o + 1] * row[xi[2 * o + 1]];
        }
        for (int64_t oy = 0; oy < OH; oy++) {
            const float *a = rows + ty[oy].idx[0] * OW;
            const float *b = rows + (ty[oy].count > 1 ? ty[oy].idx[1] : ty[oy].idx[0]) * OW;
            float w0 = (float)ty[oy].w[0], w1 = ty[oy].count > 1 ? (float)ty[oy].w[1] : 0.0f;
            float *d = dst + oy * OW;
#pragma omp simd
            for (int64_t o = 0; o < OW; o++)
                d[o] = w0 * a[o] + w1 * b[o];
        }
    }
}

/* The planes shared out over the compute team (0.43 of DeepLabV3's 8.6 ms
 * on one thread): part i of `parts` runs of planes, with its own rows. */
struct planes_job {
    const float *x;
    float *y;
    int64_t planes, H, W, OH, OW;
    const struct taps *ty;
    float *rows;
    const int32_t *xi;
    const float *xw;
    int parts;
};

static void planes_part(void *arg, int i)
{
    const struct planes_job *j = arg;
    int64_t p0 = j->planes * i / j->parts, p1 = j->planes * (i + 1) / j->parts;
    resize_planes(j->x + p0 * j->H * j->W, j->y + p0 * j->OH * j->OW, p1 - p0, j->H, j->W, j->OH, j->OW, j->ty,
                  j->rows + (int64_t)i * j->H * j->OW, j->xi, j->xw);
}

/* The planes fast path applies: float32, 4-D, linear, batch and channels
 * kept, two taps at most and none outside the input. */
static int planes_ok(const struct resize *rp, const struct hacl_tensor *x, struct taps **tp)
{
    if (x->onnx_type != F32 || x->rank != 4 || rp->mode != M_LINEAR || rp->coord == CT_TF_CROP ||
        rp->out[0] != x->dims[0] || rp->out[1] != x->dims[1] || x->dims[3] > INT32_MAX)
        return 0;
    for (int k = 2; k < 4; k++)
        for (int64_t i = 0; i < rp->out[k]; i++) {
            const struct taps *t = &tp[k][i];
            if (t->count < 1 || t->count > 2 || t->outside)
                return 0;
            for (int j = 0; j < t->count; j++)
                if (t->idx[j] < 0 || t->idx[j] >= x->dims[k])
                    return 0;
        }
    return 1;
}

static void run_resize(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct resize rp;
    char why[8];
    if (resize_params((struct hacl_graph *)g, n, &rp, why, sizeof why) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *x = IN(n, 0);
    int r = x->rank, t = x->onnx_type;
    size_t es = hacl_onnx_type_size(t);
    int64_t st[HACL_MAX_RANK], total = 1, s = 1;
    for (int k = r - 1; k >= 0; k--) {
        st[k] = s;
        s *= x->dims[k];
    }
    struct taps *tp[HACL_MAX_RANK] = {0};
    int ok = 1;
    for (int k = 0; k < r; k++) {
        total *= rp.out[k];
        tp[k] = hacl_malloc((size_t)(rp.out[k] ? rp.out[k] : 1) * sizeof **tp);
        ok = ok && tp[k];
        for (int64_t i = 0; ok && i < rp.out[k]; i++)
            make_taps(&rp, r, k, i, x->dims[k], &tp[k][i]);
    }
    const void *src = a->bufs[n->inputs[0]];
    void *y = a->bufs[n->outputs[0]];
    float *rows = NULL;
    int64_t planes = x->dims[0] * x->dims[1], OW = rp.out[3];
    int parts = hacl_compute_parts(planes, planes * rp.out[2] * OW);
    if (ok && planes_ok(&rp, x, tp) &&
        (rows = hacl_malloc((size_t)(parts * x->dims[2] * OW + 4 * OW + 1) * sizeof *rows)) != NULL) {
        /* rows: per part H x OW interpolated input rows, then 2 x OW
         * weights, then 2 x OW indices */
        float *xw = rows + parts * x->dims[2] * OW;
        int32_t *xi = (int32_t *)(xw + 2 * OW);
        const struct taps *tx = tp[3];
        for (int64_t o = 0; o < OW; o++) {
            xi[2 * o] = (int32_t)tx[o].idx[0];
            xi[2 * o + 1] = (int32_t)(tx[o].count > 1 ? tx[o].idx[1] : tx[o].idx[0]);
            xw[2 * o] = (float)tx[o].w[0];
            xw[2 * o + 1] = tx[o].count > 1 ? (float)tx[o].w[1] : 0.0f;
        }
        struct planes_job job = {src, y, planes, x->dims[2], x->dims[3], rp.out[2], OW, tp[2], rows, xi, xw, parts};
        hacl_compute_parallel(planes_part, &job, parts);
        hacl_free(rows);
    } else if (!ok) {
        *a->error = "out of memory resizing";
    } else if (rp.mode != M_NEAREST) {
        const char *err = interpolate(&rp, x, tp, src, y);
        if (err)
            *a->error = err;
    } else {
        /* nearest: each element copies one input element */
        int64_t pos[HACL_MAX_RANK] = {0};
        for (int64_t e = 0; e < total; e++) {
            int64_t off = 0;
            int outside = 0;
            for (int k = 0; k < r; k++) {
                off += tp[k][pos[k]].idx[0] * st[k];
                outside |= tp[k][pos[k]].outside;
            }
            if (outside)
                store_f(t, y, (size_t)e, rp.extrapolation);
            else
                memcpy((char *)y + (size_t)e * es, (const char *)src + (size_t)off * es, es);
            hacl_index_next(pos, rp.out, r);
        }
    }
    for (int k = 0; k < r; k++)
        hacl_free(tp[k]);
}

int hacl_resize_is_linear_half_pixel(struct hacl_graph *g, const struct hacl_node *n)
{
    struct resize rp;
    char why[8];
    const struct hacl_tensor *x = IN(n, 0);
    if (strcmp(n->op, "Resize") != 0 || resize_params(g, n, &rp, why, sizeof why) != ACL_SUCCESS ||
        rp.mode != M_LINEAR || x->rank < 3)
        return 0;
    if (rp.coord != CT_HALF_PIXEL && rp.coord != CT_PYTORCH_HALF_PIXEL)
        return 0;
    for (int k = 0; k < x->rank; k++) {
        if (k < 2 && rp.out[k] != x->dims[k])
            return 0; /* batch and channels are not resized */
        if (rp.coord == CT_PYTORCH_HALF_PIXEL && rp.out[k] <= 1)
            return 0;
        /* the primitive derives each scale from the sizes */
        if (fabs(rp.scale[k] * (double)x->dims[k] - (double)rp.out[k]) > 1e-6 * (double)rp.out[k])
            return 0;
    }
    return 1;
}

const struct hacl_op hacl_resize_ops[] = {
    {"Resize", infer_resize, run_resize, NULL},
    {"Upsample", infer_resize, run_resize, NULL},
};
const size_t hacl_resize_nops = sizeof hacl_resize_ops / sizeof hacl_resize_ops[0];
