/*
 * Quantisation: QuantizeLinear, DequantizeLinear (per tensor or per axis),
 * DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger and
 * QLinearConv, for int8 and uint8 data. Products accumulate exactly (in
 * int64 or double, whose 53 bits hold any sum of these products here);
 * requantisation rounds half to even and saturates, as ONNX specifies.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

static int is_q8(int t)
{
    return t == U8 || t == I8;
}

static double saturate(int t, double v)
{
    double lo = t == U8 ? 0 : t == I8 ? -128 : t == I32 ? -2147483648.0 : -INFINITY;
    double hi = t == U8 ? 255 : t == I8 ? 127 : t == I32 ? 2147483647.0 : INFINITY;
    return v < lo ? lo : v > hi ? hi : v;
}

/* The scale / zero point of element i of x along `axis` (per tensor when
 * the parameter has one value). */
static size_t param_index(const struct hacl_tensor *x, const struct hacl_tensor *p, int64_t axis, size_t i)
{
    if (!p || numel(p) <= 1)
        return 0;
    size_t inner = 1;
    for (int k = (int)axis + 1; k < x->rank; k++)
        inner *= (size_t)x->dims[k];
    return (i / inner) % (size_t)x->dims[axis];
}

static aclError check_param(struct hacl_graph *g, const struct hacl_node *n, size_t i, const struct hacl_tensor *x,
                            int64_t axis, char *why, size_t whylen)
{
    if (!has_input(n, i))
        return ACL_SUCCESS;
    int64_t c = hacl_tensor_elements(IN(n, i));
    if (c != 1 && (axis < 0 || axis >= x->rank || c != x->dims[axis] || IN(n, i)->rank != 1))
        return FAIL("node '%s' (%s): input %zu must be a scalar or have one value per channel", n->name, n->op, i);
    return ACL_SUCCESS;
}

static aclError infer_qdq(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 3, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc == ACL_SUCCESS && !has_input(n, 1))
        rc = FAIL("node '%s' (%s) needs a scale", n->name, n->op);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int quant = !strcmp(n->op, "QuantizeLinear");
    int64_t axis = hacl_attr_int(n, "axis", 1);
    if (axis < 0)
        axis += x->rank;
    for (size_t i = 1; i < n->ninputs; i++)
        if ((rc = check_param(g, n, i, x, axis, why, whylen)) != ACL_SUCCESS)
            return rc;
    int zt = has_input(n, 2) ? IN(n, 2)->onnx_type : U8;
    if (quant ? (!is_float_type(x->onnx_type) || !is_q8(zt))
              : (!(is_q8(x->onnx_type) || x->onnx_type == I32) || (has_input(n, 2) && zt != x->onnx_type)))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s): types %d and %d", n->name, n->op,
                        x->onnx_type, zt);
    set_out(OUT(n, 0), quant ? zt : IN(n, 1)->onnx_type, x->rank, x->dims);
    return ACL_SUCCESS;
}

static void run_qdq(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *s = IN(n, 1), *z = has_input(n, 2) ? IN(n, 2) : NULL;
    int quant = !strcmp(n->op, "QuantizeLinear"), to = OUT(n, 0)->onnx_type;
    int64_t axis = hacl_attr_int(n, "axis", 1);
    if (axis < 0)
        axis += x->rank;
    const void *xp = a->bufs[n->inputs[0]], *sp = a->bufs[n->inputs[1]], *zp = z ? a->bufs[n->inputs[2]] : NULL;
    void *yp = a->bufs[n->outputs[0]];
    for (size_t i = 0, c = numel(x); i < c; i++) {
        double sc = load_f(s->onnx_type, sp, param_index(x, s, axis, i));
        double zero = zp ? (double)load_i(z->onnx_type, zp, param_index(x, z, axis, i)) : 0;
        if (quant && x->onnx_type == F32) /* divided in float32, as the reference does */
            store_f(to, yp, i, saturate(to, nearbyintf((float)load_f(F32, xp, i) / (float)sc) + zero));
        else if (quant)
            store_f(to, yp, i, saturate(to, nearbyint(load_f(x->onnx_type, xp, i) / sc) + zero));
        else
            store_f(to, yp, i, ((double)load_i(x->onnx_type, xp, i) - zero) * sc);
    }
}

static aclError infer_dynq(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc == ACL_SUCCESS && IN(n, 0)->onnx_type != F32)
        rc = why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) takes float32", n->name, n->op);
    if (rc == ACL_SUCCESS && n->noutputs != 3)
        rc = FAIL("node '%s' (%s) has three outputs", n->name, n->op);
    if (rc != ACL_SUCCESS)
        return rc;
    set_out(OUT(n, 0), U8, IN(n, 0)->rank, IN(n, 0)->dims);
    if (n->outputs[1] >= 0)
        set_out(OUT(n, 1), F32, 0, NULL);
    if (n->outputs[2] >= 0)
        set_out(OUT(n, 2), U8, 0, NULL);
    return ACL_SUCCESS;
}

static void run_dynq(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const float *x = a->bufs[n->inputs[0]];
    size_t c = numel(IN(n, 0));
    float lo = 0, hi = 0;
    for (size_t i = 0; i < c; i++)
        lo = x[i] < lo ? x[i] : lo, hi = x[i] > hi ? x[i] : hi;
    float scale = (hi - lo) / 255.0f;
    double zero = scale != 0 ? saturate(U8, nearbyint(-lo / scale)) : 0;
    uint8_t *y = a->bufs[n->outputs[0]];
    for (size_t i = 0; i < c; i++)
        y[i] = (uint8_t)(scale != 0 ? saturate(U8, nearbyint(x[i] / scale) + zero) : zero);
    if (n->outputs[1] >= 0)
        *(float *)a->bufs[n->outputs[1]] = scale;
    if (n->outputs[2] >= 0)
        *(uint8_t *)a->bufs[n->outputs[2]] = (uint8_t)zero;
}

/* ---- MatMulInteger, QLinearMatMul ---- */

struct qmm {
    int qlinear;
    size_t a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero; /* input slots, or SIZE_MAX */
};

static struct qmm qmm_slots(const struct hacl_node *n)
{
    struct qmm q;
    q.qlinear = !strcmp(n->op, "QLinearMatMul");
    if (q.qlinear)
        q = (struct qmm){1, 0, 1, 2, 3, 4, 5, 6, 7};
    else
        q = (struct qmm){0, 0, SIZE_MAX, 2, 1, SIZE_MAX, 3, SIZE_MAX, SIZE_MAX};
    return q;
}

static aclError infer_qmm(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    struct qmm q = qmm_slots(n);
    aclError rc = need_inputs(n, q.qlinear ? 8 : 2, q.qlinear ? 8 : 4, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *A = IN(n, q.a), *B = has_input(n, q.b) ? IN(n, q.b) : NULL;
    int batched = B && B->rank > 2;
    if (!B || !is_q8(A->onnx_type) || !is_q8(B->onnx_type) || A->rank < 2 || B->rank < 2 ||
        (batched && (B->rank != A->rank || memcmp(A->dims, B->dims, sizeof(int64_t) * (size_t)(A->rank - 2)))) ||
        A->dims[A->rank - 1] != B->dims[B->rank - 2])
        return UNSUPPORTED("node '%s' (%s): int8/uint8 operands, the right one a matrix or of the same batch dims, "
                           "are supported", n->name, n->op);
    int64_t d[HACL_MAX_RANK];
    memcpy(d, A->dims, sizeof(int64_t) * (size_t)A->rank);
    d[A->rank - 1] = B->dims[B->rank - 1];
    int yt = q.qlinear ? (has_input(n, q.y_zero) ? IN(n, q.y_zero)->onnx_type : U8) : I32;
    set_out(OUT(n, 0), yt, A->rank, d);
    return ACL_SUCCESS;
}

static void run_qmm(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct qmm q = qmm_slots(n);
    const struct hacl_tensor *A = IN(n, q.a), *B = IN(n, q.b), *Y = OUT(n, 0);
    int64_t K = B->dims[B->rank - 2], N = B->dims[B->rank - 1], M = A->dims[A->rank - 2];
    int64_t batch = M != 0 && K != 0 ? (int64_t)numel(A) / (M * K) : 0, bstep = B->rank > 2 ? K * N : 0;
    const void *ap = a->bufs[n->inputs[q.a]], *bp = a->bufs[n->inputs[q.b]];
    const struct hacl_tensor *az = has_input(n, q.a_zero) ? IN(n, q.a_zero) : NULL;
    const struct hacl_tensor *bz = has_input(n, q.b_zero) ? IN(n, q.b_zero) : NULL;
    const void *azp = az ? a->bufs[n->inputs[q.a_zero]] : NULL, *bzp = bz ? a->bufs[n->inputs[q.b_zero]] : NULL;
    double scale = 1, yzero = 0;
    if (q.qlinear) {
        double as = load_f(IN(n, q.a_scale)->onnx_type, a->bufs[n->inputs[q.a_scale]], 0);
        double bs = load_f(IN(n, q.b_scale)->onnx_type, a->bufs[n->inputs[q.b_scale]], 0);
        double ys = load_f(IN(n, q.y_scale)->onnx_type, a->bufs[n->inputs[q.y_scale]], 0);
        scale = as * bs / ys;
        yzero = has_input(n, q.y_zero) ? (double)load_i(IN(n, q.y_zero)->onnx_type, a->bufs[n->inputs[q.y_zero]], 0) : 0;
    }
    void *yp = a->bufs[n->outputs[0]];
    for (int64_t b = 0; b < batch; b++)
        for (int64_t i = 0; i < M; i++) {
            /* a per-row zero point for A (MatMulInteger), per column for B */
            int64_t za = az ? load_i(az->onnx_type, azp, numel(az) > 1 ? (size_t)i : 0) : 0;
            for (int64_t j = 0; j < N; j++) {
                int64_t zb = bz ? load_i(bz->onnx_type, bzp, numel(bz) > 1 ? (size_t)j : 0) : 0, acc = 0;
                for (int64_t k = 0; k < K; k++)
                    acc += (load_i(A->onnx_type, ap, (size_t)((b * M + i) * K + k)) - za) *
                           (load_i(B->onnx_type, bp, (size_t)(b * bstep + k * N + j)) - zb);
                size_t at = (size_t)((b * M + i) * N + j);
                if (q.qlinear)
                    store_f(Y->onnx_type, yp, at, saturate(Y->onnx_type, nearbyint((double)acc * scale) + yzero));
                else
                    store_i(I32, yp, at, acc);
            }
        }
}

/* ---- ConvInteger, QLinearConv ---- */

static aclError infer_qconv(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    int ql = !strcmp(n->op, "QLinearConv");
    aclError rc = need_inputs(n, ql ? 8 : 2, ql ? 9 : 4, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    size_t wi = ql ? 3 : 1;
    if (!has_input(n, wi) || !is_q8(IN(n, 0)->onnx_type) || !is_q8(IN(n, wi)->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) takes int8/uint8 data", n->name,
                        n->op);
    /* the window geometry reads input 0 and input 1: make a view */
    struct hacl_node view = *n;
    int ins[2] = {n->inputs[0], n->inputs[wi]};
    view.inputs = ins;
    view.ninputs = 2;
    struct hacl_conv_geom cg;
    if ((rc = hacl_conv_geometry(g, &view, &cg, why, whylen)) != ACL_SUCCESS)
        return rc;
    int64_t d[5] = {cg.n, cg.m, cg.out[0], cg.out[1], cg.out[2]};
    int yt = ql ? (has_input(n, 7) ? IN(n, 7)->onnx_type : U8) : I32;
    set_out(OUT(n, 0), yt, 2 + cg.sp, d);
    return ACL_SUCCESS;
}

static void run_qconv(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int ql = !strcmp(n->op, "QLinearConv");
    size_t wi = ql ? 3 : 1, xz = ql ? 2 : 2, wz = ql ? 5 : 3;
    struct hacl_node view = *n;
    int ins[2] = {n->inputs[0], n->inputs[wi]};
    view.inputs = ins;
    view.ninputs = 2;
    struct hacl_conv_geom cg;
    char why[8];
    if (hacl_conv_geometry((struct hacl_graph *)g, &view, &cg, why, sizeof why) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *X = IN(n, 0), *W = IN(n, wi), *Y = OUT(n, 0);
    const void *xp = a->bufs[n->inputs[0]], *wp = a->bufs[n->inputs[wi]];
    int64_t x0 = has_input(n, xz) ? load_i(IN(n, xz)->onnx_type, a->bufs[n->inputs[xz]], 0) : 0;
    const struct hacl_tensor *wzt = has_input(n, wz) ? IN(n, wz) : NULL;
    double scale_x = ql ? load_f(IN(n, 1)->onnx_type, a->bufs[n->inputs[1]], 0) : 1;
    double ys = ql ? load_f(IN(n, 6)->onnx_type, a->bufs[n->inputs[6]], 0) : 1;
    double yz = ql && has_input(n, 7) ? (double)load_i(IN(n, 7)->onnx_type, a->bufs[n->inputs[7]], 0) : 0;
    const struct hacl_tensor *wst = ql ? IN(n, 4) : NULL;
    const int32_t *bias = ql && has_input(n, 8) ? a->bufs[n->inputs[8]] : NULL;
    void *yp = a->bufs[n->outputs[0]];
    int64_t cpg = cg.c / cg.group, mpg = cg.m / cg.group;
    int64_t isz = cg.in[0] * cg.in[1] * cg.in[2], ksz = cg.k[0] * cg.k[1] * cg.k[2];
    int64_t osz = cg.out[0] * cg.out[1] * cg.out[2];
    for (int64_t in = 0; in < cg.n; in++)
        for (int64_t m = 0; m < cg.m; m++) {
            int64_t w0 = wzt ? load_i(wzt->onnx_type, a->bufs[n->inputs[wz]], numel(wzt) > 1 ? (size_t)m : 0) : 0;
            double sw = wst ? load_f(wst->onnx_type, a->bufs[n->inputs[4]], numel(wst) > 1 ? (size_t)m : 0) : 1;
            int64_t gi = m / mpg;
            for (int64_t o = 0; o < osz; o++) {
                int64_t o0 = o / (cg.out[1] * cg.out[2]), o1 = (o / cg.out[2]) % cg.out[1], o2 = o % cg.out[2];
                int64_t acc = bias ? bias[m] : 0;
                for (int64_t c = 0; c < cpg; c++)
                    for (int64_t k = 0; k < ksz; k++) {
                        int64_t k0 = k / (cg.k[1] * cg.k[2]), k1 = (k / cg.k[2]) % cg.k[1], k2 = k % cg.k[2];
                        int64_t i0 = o0 * cg.s[0] - cg.pb[0] + k0 * cg.d[0];
                        int64_t i1 = o1 * cg.s[1] - cg.pb[1] + k1 * cg.d[1];
                        int64_t i2 = o2 * cg.s[2] - cg.pb[2] + k2 * cg.d[2];
                        if (i0 < 0 || i0 >= cg.in[0] || i1 < 0 || i1 >= cg.in[1] || i2 < 0 || i2 >= cg.in[2])
                            continue; /* padding holds the zero point: contributes 0 */
                        size_t xi = (size_t)((in * cg.c + gi * cpg + c) * isz + (i0 * cg.in[1] + i1) * cg.in[2] + i2);
                        size_t wk = (size_t)((m * cpg + c) * ksz + k);
                        acc += (load_i(X->onnx_type, xp, xi) - x0) * (load_i(W->onnx_type, wp, wk) - w0);
                    }
                size_t at = (size_t)((in * cg.m + m) * osz + o);
                if (ql)
                    store_f(Y->onnx_type, yp, at, saturate(Y->onnx_type, nearbyint((double)acc * scale_x * sw / ys) + yz));
                else
                    store_i(I32, yp, at, acc);
            }
        }
}

const struct hacl_op hacl_quant_ops[] = {
    {"QuantizeLinear", infer_qdq, run_qdq, NULL},
    {"DequantizeLinear", infer_qdq, run_qdq, NULL},
    {"DynamicQuantizeLinear", infer_dynq, run_dynq, NULL},
    {"MatMulInteger", infer_qmm, run_qmm, NULL},
    {"QLinearMatMul", infer_qmm, run_qmm, NULL},
    {"ConvInteger", infer_qconv, run_qconv, NULL},
    {"QLinearConv", infer_qconv, run_qconv, NULL},
};
const size_t hacl_quant_nops = sizeof hacl_quant_ops / sizeof hacl_quant_ops[0];
