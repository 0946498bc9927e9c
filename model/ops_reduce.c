/*
 * Reductions: ReduceMean/Sum/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare
 * (axes as an attribute or, ReduceSum from opset 13 and all from opset 18,
 * as a constant input; keepdims; noop_with_empty_axes), ArgMax/ArgMin,
 * CumSum and TopK. Floating types accumulate in double, integers in int64.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "device/alloc.h"
#include "kernel_impl.h"

enum red { R_MEAN, R_SUM, R_MAX, R_MIN, R_PROD, R_L1, R_L2, R_LOGSUM, R_LOGSUMEXP, R_SUMSQUARE };

static const struct {
    const char *name;
    enum red r;
} reds[] = {
    {"ReduceMean", R_MEAN}, {"ReduceSum", R_SUM}, {"ReduceMax", R_MAX}, {"ReduceMin", R_MIN},
    {"ReduceProd", R_PROD}, {"ReduceL1", R_L1}, {"ReduceL2", R_L2}, {"ReduceLogSum", R_LOGSUM},
    {"ReduceLogSumExp", R_LOGSUMEXP}, {"ReduceSumSquare", R_SUMSQUARE},
};

static enum red red_of(const char *op)
{
    for (size_t i = 0; i < sizeof reds / sizeof reds[0]; i++)
        if (!strcmp(reds[i].name, op))
            return reds[i].r;
    return R_SUM;
}

/* Which axes of x are reduced: mask[i]; 0, or an error. *noop: nothing is
 * reduced (empty axes with noop_with_empty_axes). */
static aclError reduce_axes(struct hacl_graph *g, const struct hacl_node *n, int *mask, int *noop, char *why,
                            size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axes[HACL_MAX_RANK];
    int k = -1;
    if (has_input(n, 1)) {
        k = hacl_const_ints(IN(n, 1), axes, HACL_MAX_RANK);
        if (k < 0)
            return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                            "node '%s' (%s): the axes are computed at run time; hostacl needs them constant", n->name,
                            n->op);
    } else {
        k = hacl_attr_ints(n, "axes", axes, HACL_MAX_RANK);
    }
    if (k > HACL_MAX_RANK)
        return FAIL("node '%s' (%s): too many axes", n->name, n->op);
    *noop = 0;
    for (int i = 0; i < x->rank; i++)
        mask[i] = k <= 0;
    if (k <= 0 && hacl_attr_int(n, "noop_with_empty_axes", 0)) {
        *noop = 1;
        for (int i = 0; i < x->rank; i++)
            mask[i] = 0;
    }
    for (int i = 0; i < k; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (a < 0 || a >= x->rank)
            return FAIL("node '%s' (%s): axis %lld is out of range", n->name, n->op, (long long)axes[i]);
        mask[a] = 1;
    }
    return ACL_SUCCESS;
}

static aclError infer_reduce(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if (!is_numeric_type(x->onnx_type) || x->onnx_type == BOOL)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) does not take type %d", n->name,
                        n->op, x->onnx_type);
    int mask[HACL_MAX_RANK], noop;
    if ((rc = reduce_axes(g, n, mask, &noop, why, whylen)) != ACL_SUCCESS)
        return rc;
    int keep = (int)hacl_attr_int(n, "keepdims", 1) != 0;
    int64_t d[HACL_MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (mask[i] && x->dims[i] == 0 && (red_of(n->op) == R_MAX || red_of(n->op) == R_MIN))
            return FAIL("node '%s' (%s): cannot reduce an empty axis", n->name, n->op);
        if (!mask[i])
            d[r++] = x->dims[i];
        else if (keep)
            d[r++] = 1;
    }
    set_out(OUT(n, 0), x->onnx_type, r, d);
    return ACL_SUCCESS;
}

/* Output element strides of x's axes (0 on reduced ones). */
static void reduce_strides(const struct hacl_tensor *x, const int *mask, int64_t *ost)
{
    int64_t acc = 1;
    for (int i = x->rank - 1; i >= 0; i--) {
        ost[i] = mask[i] ? 0 : acc;
        acc *= mask[i] ? 1 : x->dims[i];
    }
}

/* Float32 sums over the trailing axes (global pooling written as
 * ReduceMean, the mean of each row): contiguous runs summed in float32
 * vector lanes, chunk by chunk into a double. 1 when done. */
HACL_ROW_CLONES static int reduce_trailing(enum red r, const float *x, size_t outer, size_t inner, float *y)
{
    for (size_t o = 0; o < outer; o++) {
        const float *row = x + o * inner;
        double total = 0;
        for (size_t c = 0; c < inner; c += 1024) {
            size_t end = c + 1024 < inner ? c + 1024 : inner;
            float part = 0;
            if (r == R_SUMSQUARE || r == R_L2) {
#pragma omp simd reduction(+ : part)
                for (size_t i = c; i < end; i++)
                    part += row[i] * row[i];
            } else if (r == R_L1) {
#pragma omp simd reduction(+ : part)
                for (size_t i = c; i < end; i++)
                    part += fabsf(row[i]);
            } else {
#pragma omp simd reduction(+ : part)
                for (size_t i = c; i < end; i++)
                    part += row[i];
            }
            total += part;
        }
        y[o] = (float)(r == R_MEAN ? total / (double)inner : r == R_L2 ? sqrt(total) : total);
    }
    return 1;
}

static void run_reduce(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *o = OUT(n, 0);
    int mask[HACL_MAX_RANK], noop;
    char why[8];
    size_t whylen = sizeof why;
    if (reduce_axes((struct hacl_graph *)g, n, mask, &noop, why, whylen) != ACL_SUCCESS)
        return;
    enum red r = red_of(n->op);
    int t = x->onnx_type, fl = is_float_type(t);
    size_t no = numel(o), ni = numel(x);
    if (t == F32 && no && ni && (r == R_MEAN || r == R_SUM || r == R_SUMSQUARE || r == R_L2 || r == R_L1)) {
        int k = x->rank; /* the reduced axes must be the trailing ones */
        while (k > 0 && (mask[k - 1] || x->dims[k - 1] == 1))
            k--;
        int trailing = 1;
        for (int i = 0; i < k; i++)
            trailing &= !mask[i] || x->dims[i] == 1;
        if (trailing && reduce_trailing(r, a->bufs[n->inputs[0]], no, ni / no, a->bufs[n->outputs[0]]))
            return;
    }
    double *acc = hacl_malloc((no ? no : 1) * sizeof *acc);
    int64_t *iacc = hacl_malloc((no ? no : 1) * sizeof *iacc);
    if (!acc || !iacc) {
        hacl_free(acc);
        hacl_free(iacc);
        *a->error = "out of memory reducing";
        return;
    }
    double init = r == R_MAX ? -INFINITY : r == R_MIN ? INFINITY : r == R_PROD ? 1 : 0;
    int64_t iinit = r == R_MAX ? INT64_MIN : r == R_MIN ? INT64_MAX : r == R_PROD ? 1 : 0;
    for (size_t i = 0; i < no; i++)
        acc[i] = init, iacc[i] = iinit;
    /* LogSumExp subtracts each output's maximum first (no overflow). */
    double *mx = NULL;
    if (r == R_LOGSUMEXP && fl) {
        mx = hacl_malloc((no ? no : 1) * sizeof *mx);
        if (!mx) {
            hacl_free(acc);
            hacl_free(iacc);
            *a->error = "out of memory reducing";
            return;
        }
        for (size_t i = 0; i < no; i++)
            mx[i] = -INFINITY;
    }
    int64_t ost[HACL_MAX_RANK], idx[HACL_MAX_RANK] = {0};
    reduce_strides(x, mask, ost);
    const void *xp = a->bufs[n->inputs[0]];
    for (int pass = mx ? 0 : 1; pass < 2; pass++) {
        int64_t off = 0;
        memset(idx, 0, sizeof idx);
        for (size_t e = 0; e < ni; e++) {
            if (fl) {
                double v = load_f(t, xp, e), *s = &acc[off];
                if (pass == 0) {
                    mx[off] = v > mx[off] ? v : mx[off];
                } else {
                    switch (r) {
                    case R_MAX: *s = v > *s || v != v ? v : *s; break;
                    case R_MIN: *s = v < *s || v != v ? v : *s; break;
                    case R_PROD: *s *= v; break;
                    case R_L1: *s += fabs(v); break;
                    case R_L2: case R_SUMSQUARE: *s += v * v; break;
                    case R_LOGSUMEXP: *s += exp(v - (isinf(mx[off]) ? 0 : mx[off])); break;
                    default: *s += v; break;
                    }
                }
            } else {
                int64_t v = load_i(t, xp, e), *s = &iacc[off];
                switch (r) {
                case R_MAX: *s = v > *s ? v : *s; break;
                case R_MIN: *s = v < *s ? v : *s; break;
                case R_PROD: *s = (int64_t)((uint64_t)*s * (uint64_t)v); break;
                case R_L1: *s += v < 0 ? -v : v; break;
                case R_L2: case R_SUMSQUARE: *s += v * v; break;
                default: *s += v; break;
                }
            }
            for (int k = x->rank - 1; k >= 0; k--) {
                off += ost[k];
                if (++idx[k] < x->dims[k])
                    break;
                off -= ost[k] * idx[k];
                idx[k] = 0;
            }
        }
    }
    int64_t count = no ? (int64_t)(ni / no) : 0;
    void *yp = a->bufs[n->outputs[0]];
    for (size_t i = 0; i < no; i++) {
        if (fl) {
            double v = acc[i];
            switch (r) {
            case R_MEAN: v = count ? v / (double)count : NAN; break;
            case R_L2: v = sqrt(v); break;
            case R_LOGSUM: v = log(v); break;
            case R_LOGSUMEXP: v = log(v) + (isinf(mx[i]) ? 0 : mx[i]); break;
            default: break;
            }
            store_f(t, yp, i, v);
        } else {
            int64_t v = iacc[i];
            if (r == R_MEAN)
                v = count ? v / count : 0;
            else if (r == R_L2)
                v = (int64_t)sqrt((double)v);
            store_i(t, yp, i, v);
        }
    }
    hacl_free(acc);
    hacl_free(iacc);
    hacl_free(mx);
}

/* ---- ArgMax, ArgMin ---- */

static aclError axis_of(struct hacl_graph *g, const struct hacl_node *n, int64_t dflt, int64_t *axis, char *why,
                        size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    *axis = hacl_attr_int(n, "axis", dflt);
    if (*axis < 0)
        *axis += x->rank;
    if (*axis < 0 || *axis >= (x->rank ? x->rank : 1))
        return FAIL("node '%s' (%s): axis out of range", n->name, n->op);
    return ACL_SUCCESS;
}

static aclError infer_arg(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    int64_t axis;
    if (rc == ACL_SUCCESS)
        rc = axis_of(g, n, 0, &axis, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if (!is_numeric_type(x->onnx_type) || x->rank < 1 || x->dims[axis] == 0)
        return FAIL("node '%s' (%s) needs a numeric input with a non-empty axis", n->name, n->op);
    int keep = hacl_attr_int(n, "keepdims", 1) != 0, r = 0;
    int64_t d[HACL_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        if (i != axis || keep)
            d[r++] = i == axis ? 1 : x->dims[i];
    set_out(OUT(n, 0), I64, r, d);
    return ACL_SUCCESS;
}

/* outer x len x inner view of x around axis. */
static void split_at(const struct hacl_tensor *x, int64_t axis, size_t *outer, size_t *len, size_t *inner)
{
    *outer = *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= (size_t)x->dims[i];
    for (int i = (int)axis + 1; i < x->rank; i++)
        *inner *= (size_t)x->dims[i];
    *len = (size_t)x->dims[axis];
}

static void run_arg(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis;
    char why[8];
    if (axis_of((struct hacl_graph *)g, n, 0, &axis, why, sizeof why) != ACL_SUCCESS)
        return;
    int is_max = !strcmp(n->op, "ArgMax"), last = hacl_attr_int(n, "select_last_index", 0) != 0;
    size_t outer, len, inner;
    split_at(x, axis, &outer, &len, &inner);
    const void *xp = a->bufs[n->inputs[0]];
    int64_t *y = a->bufs[n->outputs[0]];
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t best = 0;
            double bv = load_f(x->onnx_type, xp, o * len * inner + i);
            for (size_t k = 1; k < len; k++) {
                double v = load_f(x->onnx_type, xp, (o * len + k) * inner + i);
                int better = is_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv));
                if (better)
                    best = k, bv = v;
            }
            y[o * inner + i] = (int64_t)best;
        }
}

/* ---- CumSum ---- */

static aclError cumsum_axis(struct hacl_graph *g, const struct hacl_node *n, int64_t *axis, char *why, size_t whylen)
{
    int64_t v[1];
    if (!has_input(n, 1) || hacl_const_ints(IN(n, 1), v, 1) != 1)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                        "node '%s' (CumSum): the axis must be a constant", n->name);
    *axis = v[0] < 0 ? v[0] + IN(n, 0)->rank : v[0];
    if (*axis < 0 || *axis >= IN(n, 0)->rank)
        return FAIL("node '%s' (CumSum): axis out of range", n->name);
    return ACL_SUCCESS;
}

static aclError infer_cumsum(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 2, 2, why, whylen);
    int64_t axis;
    if (rc == ACL_SUCCESS)
        rc = cumsum_axis(g, n, &axis, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!is_numeric_type(IN(n, 0)->onnx_type) || IN(n, 0)->onnx_type == BOOL)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (CumSum) takes numbers", n->name);
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, IN(n, 0)->dims);
    return ACL_SUCCESS;
}

static void run_cumsum(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis;
    char why[8];
    if (cumsum_axis((struct hacl_graph *)g, n, &axis, why, sizeof why) != ACL_SUCCESS)
        return;
    int excl = hacl_attr_int(n, "exclusive", 0) != 0, rev = hacl_attr_int(n, "reverse", 0) != 0;
    int t = x->onnx_type, fl = is_float_type(t);
    size_t outer, len, inner;
    split_at(x, axis, &outer, &len, &inner);
    const void *xp = a->bufs[n->inputs[0]];
    void *yp = a->bufs[n->outputs[0]];
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            double s = 0;
            int64_t is = 0;
            for (size_t j = 0; j < len; j++) {
                size_t k = rev ? len - 1 - j : j, at = (o * len + k) * inner + i;
                double v = fl ? load_f(t, xp, at) : 0;
                int64_t iv = fl ? 0 : load_i(t, xp, at);
                if (!excl)
                    s += v, is += iv;
                if (fl)
                    store_f(t, yp, at, s);
                else
                    store_i(t, yp, at, is);
                if (excl)
                    s += v, is += iv;
            }
        }
}

/* ---- TopK ---- */

static aclError topk_params(struct hacl_graph *g, const struct hacl_node *n, int64_t *axis, int64_t *k, char *why,
                            size_t whylen)
{
    aclError rc = axis_of(g, n, -1, axis, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t v[1];
    if (!has_input(n, 1) || hacl_const_ints(IN(n, 1), v, 1) != 1)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC, "node '%s' (TopK): K must be a constant",
                        n->name);
    *k = v[0];
    if (*k < 0 || *k > IN(n, 0)->dims[*axis])
        return FAIL("node '%s' (TopK): K = %lld is out of range", n->name, (long long)*k);
    return ACL_SUCCESS;
}

static aclError infer_topk(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 2, 2, why, whylen);
    if (rc == ACL_SUCCESS && (IN(n, 0)->rank < 1 || !is_numeric_type(IN(n, 0)->onnx_type)))
        rc = FAIL("node '%s' (TopK) needs a numeric input of rank 1 or more", n->name);
    int64_t axis, k;
    if (rc == ACL_SUCCESS)
        rc = topk_params(g, n, &axis, &k, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t d[HACL_MAX_RANK];
    memcpy(d, IN(n, 0)->dims, sizeof(int64_t) * (size_t)IN(n, 0)->rank);
    d[axis] = k;
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, d);
    if (n->noutputs > 1 && n->outputs[1] >= 0)
        set_out(OUT(n, 1), I64, IN(n, 0)->rank, d);
    return ACL_SUCCESS;
}

struct topk_item {
    double v;
    int64_t i;
};

/* Largest first (smallest first with largest = 0); ties by lower index. */
static int by_value_desc(const void *a, const void *b)
{
    const struct topk_item *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v || y->v != y->v ? -1 : 1;
    return x->i < y->i ? -1 : 1;
}

static int by_value_asc(const void *a, const void *b)
{
    const struct topk_item *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v || y->v != y->v ? -1 : 1;
    return x->i < y->i ? -1 : 1;
}

static void run_topk(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis, k;
    char why[8];
    if (topk_params((struct hacl_graph *)g, n, &axis, &k, why, sizeof why) != ACL_SUCCESS)
        return;
    int largest = hacl_attr_int(n, "largest", 1) != 0, t = x->onnx_type;
    size_t outer, len, inner;
    split_at(x, axis, &outer, &len, &inner);
    struct topk_item *items = hacl_malloc((len ? len : 1) * sizeof *items);
    if (!items) {
        *a->error = "out of memory in TopK";
        return;
    }
    const void *xp = a->bufs[n->inputs[0]];
    void *vals = a->bufs[n->outputs[0]];
    int64_t *idx = n->noutputs > 1 && n->outputs[1] >= 0 ? a->bufs[n->outputs[1]] : NULL;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            for (size_t j = 0; j < len; j++) {
                items[j].v = load_f(t, xp, (o * len + j) * inner + i);
                items[j].i = (int64_t)j;
            }
            qsort(items, len, sizeof *items, largest ? by_value_desc : by_value_asc);
            for (int64_t j = 0; j < k; j++) {
                size_t at = (o * (size_t)k + (size_t)j) * inner + i;
                /* copy the element itself: int64 values keep every bit */
                size_t es = hacl_onnx_type_size(t);
                memcpy((char *)vals + at * es, (const char *)xp + ((o * len + (size_t)items[j].i) * inner + i) * es,
                       es);
                if (idx)
                    idx[at] = items[j].i;
            }
        }
    hacl_free(items);
}

const struct hacl_op hacl_reduce_ops[] = {
    {"ReduceMean", infer_reduce, run_reduce, NULL},
    {"ReduceSum", infer_reduce, run_reduce, NULL},
    {"ReduceMax", infer_reduce, run_reduce, NULL},
    {"ReduceMin", infer_reduce, run_reduce, NULL},
    {"ReduceProd", infer_reduce, run_reduce, NULL},
    {"ReduceL1", infer_reduce, run_reduce, NULL},
    {"ReduceL2", infer_reduce, run_reduce, NULL},
    {"ReduceLogSum", infer_reduce, run_reduce, NULL},
    {"ReduceLogSumExp", infer_reduce, run_reduce, NULL},
    {"ReduceSumSquare", infer_reduce, run_reduce, NULL},
    {"ArgMax", infer_arg, run_arg, NULL},
    {"ArgMin", infer_arg, run_arg, NULL},
    {"CumSum", infer_cumsum, run_cumsum, NULL},
    {"TopK", infer_topk, run_topk, NULL},
};
const size_t hacl_reduce_nops = sizeof hacl_reduce_ops / sizeof hacl_reduce_ops[0];
