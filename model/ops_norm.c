/*
 * Normalisations: LayerNormalization (opset 17; Mean and InvStdDev outputs
 * too), GroupNormalization (scale and bias per group, opset 18, or per
 * channel, opset 21), InstanceNormalization, MeanVarianceNormalization and
 * LpNormalization. Statistics are computed in double over each normalised
 * slice.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "kernel_impl.h"

static aclError need_float(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    if (!is_float_type(IN(n, 0)->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) computes floating types only",
                        n->name, n->op);
    return ACL_SUCCESS;
}

/* Mean and 1/sqrt(variance + eps) of count elements at stride 1 (or of
 * the strided slice x[i * stride], i < count). */
static void stats(int t, const void *x, size_t base, size_t count, size_t stride, double eps, double *mean,
                  double *inv)
{
    double s = 0, sq = 0;
    for (size_t i = 0; i < count; i++)
        s += load_f(t, x, base + i * stride);
    double m = count ? s / (double)count : 0;
    for (size_t i = 0; i < count; i++) {
        double d = load_f(t, x, base + i * stride) - m;
        sq += d * d;
    }
    *mean = m;
    *inv = 1.0 / sqrt((count ? sq / (double)count : 0) + eps);
}

/* ---- LayerNormalization ---- */

static aclError infer_layernorm(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 3, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc == ACL_SUCCESS && !has_input(n, 1))
        rc = FAIL("node '%s' (LayerNormalization) lacks its scale", n->name);
    if (rc == ACL_SUCCESS)
        rc = need_float(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank)
        return FAIL("node '%s' (LayerNormalization): axis out of range", n->name);
    /* scale and bias broadcast to the normalised dims */
    for (size_t i = 1; i < n->ninputs; i++) {
        if (!has_input(n, i))
            continue;
        const struct hacl_tensor *p = IN(n, i);
        if (p->rank > x->rank - axis || p->onnx_type != x->onnx_type)
            return FAIL("node '%s' (LayerNormalization): scale or bias does not fit the normalised dims", n->name);
        for (int k = 0; k < p->rank; k++) {
            int64_t want = x->dims[x->rank - p->rank + k];
            if (p->dims[k] != want && p->dims[k] != 1)
                return FAIL("node '%s' (LayerNormalization): scale or bias does not fit the normalised dims", n->name);
        }
    }
    set_out(OUT(n, 0), x->onnx_type, x->rank, x->dims);
    int64_t d[HACL_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        d[i] = i < axis ? x->dims[i] : 1;
    int st = (int)hacl_attr_int(n, "stash_type", 1);
    for (size_t k = 1; k < 3 && k < n->noutputs; k++)
        if (n->outputs[k] >= 0)
            set_out(OUT(n, k), st == 1 ? F32 : x->onnx_type, x->rank, d);
    return ACL_SUCCESS;
}

/* Element i of a parameter broadcast over the last `inner` dims. */
static double param(const struct hacl_tensor *p, const void *data, size_t i, size_t inner)
{
    size_t c = numel(p);
    return c == inner ? load_f(p->onnx_type, data, i) : c == 1 ? load_f(p->onnx_type, data, 0)
                                                               : load_f(p->onnx_type, data, i % c);
}

static void run_layernorm(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += x->rank;
    double eps = hacl_attr_float(n, "epsilon", 1e-5f);
    size_t inner = 1, outer = 1;
    for (int i = 0; i < x->rank; i++)
        *(i < axis ? &outer : &inner) *= (size_t)x->dims[i];
    int t = x->onnx_type;
    const void *xp = a->bufs[n->inputs[0]], *sp = a->bufs[n->inputs[1]];
    const void *bp = has_input(n, 2) ? a->bufs[n->inputs[2]] : NULL;
    const struct hacl_tensor *S = IN(n, 1), *B = bp ? IN(n, 2) : NULL;
    void *yp = a->bufs[n->outputs[0]];
    void *mp = n->noutputs > 1 && n->outputs[1] >= 0 ? a->bufs[n->outputs[1]] : NULL;
    void *ip = n->noutputs > 2 && n->outputs[2] >= 0 ? a->bufs[n->outputs[2]] : NULL;
    for (size_t o = 0; o < outer; o++) {
        double mean, inv;
        stats(t, xp, o * inner, inner, 1, eps, &mean, &inv);
        if (t == F32 && numel(S) == inner && (!B || numel(B) == inner)) {
            const float *xf = (const float *)xp + o * inner, *sf = sp, *bf = bp;
            float *yf = (float *)yp + o * inner, m = (float)mean, iv = (float)inv;
            for (size_t i = 0; i < inner; i++)
                yf[i] = (xf[i] - m) * iv * sf[i] + (bf ? bf[i] : 0.0f);
        } else {
            for (size_t i = 0; i < inner; i++) {
                double v = (load_f(t, xp, o * inner + i) - mean) * inv * param(S, sp, i, inner);
                store_f(t, yp, o * inner + i, v + (B ? param(B, bp, i, inner) : 0));
            }
        }
        if (mp)
            store_f(OUT(n, 1)->onnx_type, mp, o, mean);
        if (ip)
            store_f(OUT(n, 2)->onnx_type, ip, o, inv);
    }
}

/* ---- GroupNormalization, InstanceNormalization ---- */

static aclError infer_groupnorm(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 3, 3, 3, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_float(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int inst = !strcmp(n->op, "InstanceNormalization");
    int64_t C = x->rank >= 2 ? x->dims[1] : 0, G = inst ? C : hacl_attr_int(n, "num_groups", 0);
    if (x->rank < 3 || G < 1 || C % G)
        return FAIL("node '%s' (%s): rank 3 or more, and channels divisible into groups", n->name, n->op);
    for (size_t i = 1; i < 3; i++) {
        int64_t c = hacl_tensor_elements(IN(n, i));
        if ((c != C && c != G) || IN(n, i)->onnx_type != x->onnx_type)
            return FAIL("node '%s' (%s): scale and bias need %lld or %lld values", n->name, n->op, (long long)C,
                        (long long)G);
    }
    set_out(OUT(n, 0), x->onnx_type, x->rank, x->dims);
    return ACL_SUCCESS;
}

static void run_groupnorm(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int inst = !strcmp(n->op, "InstanceNormalization");
    int64_t N = x->dims[0], C = x->dims[1], G = inst ? C : hacl_attr_int(n, "num_groups", 1);
    size_t sp = numel(x) / (size_t)(N * C), per = (size_t)(C / G) * sp;
    double eps = hacl_attr_float(n, "epsilon", 1e-5f);
    int t = x->onnx_type;
    const void *xp = a->bufs[n->inputs[0]], *s = a->bufs[n->inputs[1]], *b = a->bufs[n->inputs[2]];
    int per_channel = hacl_tensor_elements(IN(n, 1)) == C;
    void *yp = a->bufs[n->outputs[0]];
    for (int64_t in = 0; in < N; in++)
        for (int64_t gr = 0; gr < G; gr++) {
            size_t base = (size_t)(in * G + gr) * per;
            double mean, inv;
            stats(t, xp, base, per, 1, eps, &mean, &inv);
            for (size_t i = 0; i < per; i++) {
                int64_t c = gr * (C / G) + (int64_t)(i / sp), pi = per_channel ? c : gr;
                double v = (load_f(t, xp, base + i) - mean) * inv;
                store_f(t, yp, base + i, v * load_f(t, s, (size_t)pi) + load_f(t, b, (size_t)pi));
            }
        }
}

/* ---- MeanVarianceNormalization, LpNormalization ---- */

static aclError infer_float_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_float(g, n, why, whylen);
    if (rc == ACL_SUCCESS)
        set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, IN(n, 0)->dims);
    return rc;
}

static aclError infer_mvn(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_float_same(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t axes[HACL_MAX_RANK];
    int k = hacl_attr_ints(n, "axes", axes, HACL_MAX_RANK);
    for (int i = 0; i < k && i < HACL_MAX_RANK; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + IN(n, 0)->rank : axes[i];
        if (ax < 0 || ax >= IN(n, 0)->rank)
            return FAIL("node '%s' (MeanVarianceNormalization): axis out of range", n->name);
    }
    if (k < 0 && IN(n, 0)->rank < 4)
        return FAIL("node '%s' (MeanVarianceNormalization): the default axes need rank 4", n->name);
    return ACL_SUCCESS;
}

static void run_mvn(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axes[HACL_MAX_RANK] = {0, 2, 3};
    int k = hacl_attr_ints(n, "axes", axes, HACL_MAX_RANK);
    if (k < 0)
        k = 3;
    int mask[HACL_MAX_RANK] = {0};
    for (int i = 0; i < k; i++)
        mask[axes[i] < 0 ? axes[i] + x->rank : axes[i]] = 1;
    /* Outer index: the kept axes; each statistic runs over the masked ones. */
    int64_t st[HACL_MAX_RANK], s = 1;
    for (int i = x->rank - 1; i >= 0; i--) {
        st[i] = s;
        s *= x->dims[i];
    }
    size_t red = 1, kept = 1;
    for (int i = 0; i < x->rank; i++)
        *(mask[i] ? &red : &kept) *= (size_t)x->dims[i];
    int t = x->onnx_type;
    const void *xp = a->bufs[n->inputs[0]];
    void *yp = a->bufs[n->outputs[0]];
    for (size_t o = 0; o < kept; o++) {
        /* offset of the kept multi-index o */
        size_t base = 0, rem = o;
        for (int i = x->rank - 1; i >= 0; i--)
            if (!mask[i]) {
                base += (rem % (size_t)x->dims[i]) * (size_t)st[i];
                rem /= (size_t)x->dims[i];
            }
        double sum = 0, sq = 0;
        for (int pass = 0; pass < 3; pass++) {
            double mean = sum / (double)red, inv = 1.0 / (sqrt(sq / (double)red) + 1e-9);
            for (size_t r = 0; r < red; r++) {
                size_t off = base, rr = r;
                for (int i = x->rank - 1; i >= 0; i--)
                    if (mask[i]) {
                        off += (rr % (size_t)x->dims[i]) * (size_t)st[i];
                        rr /= (size_t)x->dims[i];
                    }
                double v = load_f(t, xp, off);
                if (pass == 0)
                    sum += v;
                else if (pass == 1)
                    sq += (v - mean) * (v - mean);
                else
                    store_f(t, yp, off, (v - mean) * inv);
            }
        }
    }
}

static void run_lpnorm(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", -1), p = hacl_attr_int(n, "p", 2);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank)
        return;
    size_t outer = 1, len = (size_t)x->dims[axis], inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= (size_t)x->dims[i];
    for (int i = (int)axis + 1; i < x->rank; i++)
        inner *= (size_t)x->dims[i];
    int t = x->onnx_type;
    const void *xp = a->bufs[n->inputs[0]];
    void *yp = a->bufs[n->outputs[0]];
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            double s = 0;
            for (size_t k = 0; k < len; k++) {
                double v = load_f(t, xp, (o * len + k) * inner + i);
                s += p == 1 ? fabs(v) : v * v;
            }
            s = p == 1 ? s : sqrt(s);
            for (size_t k = 0; k < len; k++) {
                size_t at = (o * len + k) * inner + i;
                store_f(t, yp, at, s ? load_f(t, xp, at) / s : 0);
            }
        }
}

static aclError infer_lpnorm(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_float_same(g, n, why, whylen);
    int64_t p = hacl_attr_int(n, "p", 2), axis = hacl_attr_int(n, "axis", -1);
    if (rc == ACL_SUCCESS && (p < 1 || p > 2 || axis < -IN(n, 0)->rank || axis >= IN(n, 0)->rank))
        return FAIL("node '%s' (LpNormalization): p must be 1 or 2, axis in range", n->name);
    return rc;
}

const struct hacl_op hacl_norm_ops[] = {
    {"LayerNormalization", infer_layernorm, run_layernorm, NULL},
    {"GroupNormalization", infer_groupnorm, run_groupnorm, NULL},
    {"InstanceNormalization", infer_groupnorm, run_groupnorm, NULL},
    {"MeanVarianceNormalization", infer_mvn, run_mvn, NULL},
    {"LpNormalization", infer_lpnorm, run_lpnorm, NULL},
};
const size_t hacl_norm_nops = sizeof hacl_norm_ops / sizeof hacl_norm_ops[0];
