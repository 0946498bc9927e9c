/*
 * Operators: shape inference and reference C kernels (see kernels.h).
 */
#include "kernels.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "acl/acl_base.h"

#include "device/alloc.h"
#include "kernel_impl.h"

int64_t hacl_attr_int(const struct hacl_node *n, const char *name, int64_t dflt)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_i ? a->i : dflt;
}

float hacl_attr_float(const struct hacl_node *n, const char *name, float dflt)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_f ? a->f : dflt;
}

int hacl_attr_ints(const struct hacl_node *n, const char *name, int64_t *out, int max)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a)
        return -1;
    int k = (int)a->n_ints;
    for (int i = 0; i < k && i < max; i++)
        out[i] = a->ints[i];
    return k;
}

/* ---- element-wise unary ---- */

static aclError infer_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 3, why, whylen);
    if (rc == ACL_SUCCESS)
        set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, IN(n, 0)->dims);
    return rc;
}

static aclError infer_float_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_same(g, n, why, whylen);
    if (rc == ACL_SUCCESS && IN(n, 0)->onnx_type != F32)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) computes float32 only", n->name,
                        n->op);
    return rc;
}

static void run_copy(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    size_t bytes = numel(IN(n, 0)) * hacl_onnx_type_size(IN(n, 0)->onnx_type);
    if (a->bufs[n->outputs[0]] != a->bufs[n->inputs[0]])
        memcpy(a->bufs[n->outputs[0]], a->bufs[n->inputs[0]], bytes);
}

/* ---- shapes: Flatten, Reshape ---- */

static aclError infer_flatten(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_same(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", 1);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis > x->rank)
        return FAIL("node '%s' (Flatten): axis out of range", n->name);
    int64_t d[2] = {1, 1};
    for (int i = 0; i < x->rank; i++)
        d[i < axis ? 0 : 1] *= x->dims[i];
    set_out(OUT(n, 0), x->onnx_type, 2, d);
    return ACL_SUCCESS;
}

static aclError infer_reshape(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *s = has_input(n, 1) ? IN(n, 1) : NULL;
    if (s && !s->is_const)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                        "node '%s' (Reshape): the shape is computed at run time; hostacl needs static shapes", n->name);
    if (!s || s->onnx_type != I64 || s->rank != 1 || s->dims[0] > HACL_MAX_RANK)
        return FAIL("node '%s' (Reshape): the shape must be a constant int64 vector of at most %d values", n->name,
                    HACL_MAX_RANK);
    int r = (int)s->dims[0], infer_at = -1;
    int64_t d[HACL_MAX_RANK], known = 1;
    const int64_t *want = s->data;
    int allowzero = (int)hacl_attr_int(n, "allowzero", 0);
    for (int i = 0; i < r; i++) {
        int64_t v = want[i];
        if (v == 0 && !allowzero) {
            if (i >= x->rank)
                return FAIL("node '%s' (Reshape): a 0 at position %d has no input dim to copy", n->name, i);
            v = x->dims[i];
        }
        if (v == -1) {
            if (infer_at >= 0)
                return FAIL("node '%s' (Reshape): more than one -1 in the shape", n->name);
            infer_at = i;
            d[i] = 1;
            continue;
        }
        if (v < 0)
            return FAIL("node '%s' (Reshape): invalid extent %lld", n->name, (long long)v);
        d[i] = v;
        if (v && known > INT64_MAX / v)
            return FAIL("node '%s' (Reshape): the shape overflows", n->name);
        known *= v;
    }
    int64_t total = hacl_tensor_elements(x);
    if (infer_at >= 0) {
        if (known == 0 || total % known)
            return FAIL("node '%s' (Reshape): cannot infer the -1 extent", n->name);
        d[infer_at] = total / known;
    } else if (known != total) {
        return FAIL("node '%s' (Reshape): %lld elements cannot take the requested shape", n->name, (long long)total);
    }
    set_out(OUT(n, 0), x->onnx_type, r, d);
    return ACL_SUCCESS;
}

/* ---- Gemm, MatMul ---- */

static aclError infer_gemm(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 3, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_known_all(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *A = IN(n, 0), *B = has_input(n, 1) ? IN(n, 1) : NULL;
    if (!B || A->rank != 2 || B->rank != 2 || A->onnx_type != F32 || B->onnx_type != F32)
        return FAIL("node '%s' (Gemm) multiplies two float32 matrices", n->name);
    int ta = (int)hacl_attr_int(n, "transA", 0), tb = (int)hacl_attr_int(n, "transB", 0);
    int64_t M = ta ? A->dims[1] : A->dims[0], K = ta ? A->dims[0] : A->dims[1];
    int64_t K2 = tb ? B->dims[1] : B->dims[0], N = tb ? B->dims[0] : B->dims[1];
    if (K != K2)
        return FAIL("node '%s' (Gemm): inner dims %lld and %lld differ", n->name, (long long)K, (long long)K2);
    if (has_input(n, 2)) {
        const struct hacl_tensor *C = IN(n, 2);
        int64_t cm = C->rank == 2 ? C->dims[0] : 1, cn = C->rank >= 1 ? C->dims[C->rank - 1] : 1;
        if (C->rank > 2 || (cm != 1 && cm != M) || (cn != 1 && cn != N))
            return FAIL("node '%s' (Gemm): C does not broadcast to %lldx%lld", n->name, (long long)M, (long long)N);
    }
    int64_t d[2] = {M, N};
    set_out(OUT(n, 0), F32, 2, d);
    return ACL_SUCCESS;
}

static void run_gemm(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *A = IN(n, 0);
    int ta = (int)hacl_attr_int(n, "transA", 0), tb = (int)hacl_attr_int(n, "transB", 0);
    float alpha = hacl_attr_float(n, "alpha", 1.0f), beta = hacl_attr_float(n, "beta", 1.0f);
    int64_t M = OUT(n, 0)->dims[0], N = OUT(n, 0)->dims[1], K = ta ? A->dims[0] : A->dims[1];
    const float *x = a->bufs[n->inputs[0]], *w = a->bufs[n->inputs[1]];
    const float *c = has_input(n, 2) ? a->bufs[n->inputs[2]] : NULL;
    const struct hacl_tensor *C = c ? IN(n, 2) : NULL;
    float *y = a->bufs[n->outputs[0]];
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (double)x[ta ? k * M + i : i * K + k] * w[tb ? j * K + k : k * N + j];
            double v = alpha * acc;
            if (c) {
                int64_t cm = C->rank == 2 ? C->dims[0] : 1, cn = C->rank >= 1 ? C->dims[C->rank - 1] : 1;
                v += beta * c[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
            }
            y[i * N + j] = (float)v;
        }
}

/* ---- Concat, Transpose, MatMul ---- */

static aclError infer_concat(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 1, 64, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen) : FAIL("node '%s' (Concat) has an empty input", n->name);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x0 = IN(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += x0->rank;
    if (axis < 0 || axis >= x0->rank)
        return FAIL("node '%s' (Concat): axis out of range", n->name);
    int64_t d[HACL_MAX_RANK];
    memcpy(d, x0->dims, sizeof(int64_t) * (size_t)x0->rank);
    for (size_t i = 1; i < n->ninputs; i++) {
        const struct hacl_tensor *x = IN(n, i);
        if (x->rank != x0->rank || x->onnx_type != x0->onnx_type)
            return FAIL("node '%s' (Concat): inputs differ in rank or type", n->name);
        for (int k = 0; k < x->rank; k++)
            if (k != axis && x->dims[k] != x0->dims[k])
                return FAIL("node '%s' (Concat): inputs differ outside the axis", n->name);
        d[axis] += x->dims[axis];
    }
    set_out(OUT(n, 0), x0->onnx_type, x0->rank, d);
    return ACL_SUCCESS;
}

static void run_concat(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *o = OUT(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += o->rank;
    size_t es = hacl_onnx_type_size(o->onnx_type), outer = 1, inner = es;
    for (int k = 0; k < axis; k++)
        outer *= (size_t)o->dims[k];
    for (int k = (int)axis + 1; k < o->rank; k++)
        inner *= (size_t)o->dims[k];
    char *y = a->bufs[n->outputs[0]];
    size_t row = (size_t)o->dims[axis] * inner, off = 0;
    for (size_t i = 0; i < n->ninputs; i++) {
        size_t chunk = (size_t)IN(n, i)->dims[axis] * inner;
        const char *x = a->bufs[n->inputs[i]];
        for (size_t r = 0; r < outer; r++)
            memcpy(y + r * row + off, x + r * chunk, chunk);
        off += chunk;
    }
}

static aclError infer_transpose(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_same(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t perm[HACL_MAX_RANK];
    int np = hacl_attr_ints(n, "perm", perm, HACL_MAX_RANK);
    if (np < 0) {
        np = x->rank;
        for (int i = 0; i < np; i++)
            perm[i] = np - 1 - i;
    }
    if (np != x->rank)
        return FAIL("node '%s' (Transpose): perm has %d entries for rank %d", n->name, np, x->rank);
    int seen[HACL_MAX_RANK] = {0};
    int64_t d[HACL_MAX_RANK];
    for (int i = 0; i < np; i++) {
        if (perm[i] < 0 || perm[i] >= np || seen[perm[i]]++)
            return FAIL("node '%s' (Transpose): perm is not a permutation", n->name);
        d[i] = x->dims[perm[i]];
    }
    set_out(OUT(n, 0), x->onnx_type, np, d);
    return ACL_SUCCESS;
}

static void run_transpose(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *o = OUT(n, 0);
    int r = x->rank;
    int64_t perm[HACL_MAX_RANK];
    if (hacl_attr_ints(n, "perm", perm, HACL_MAX_RANK) < 0)
        for (int i = 0; i < r; i++)
            perm[i] = r - 1 - i;
    size_t es = hacl_onnx_type_size(x->onnx_type);
    int64_t xs[HACL_MAX_RANK], step[HACL_MAX_RANK], idx[HACL_MAX_RANK] = {0};
    int64_t acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        xs[i] = acc;
        acc *= x->dims[i];
    }
    for (int i = 0; i < r; i++)
        step[i] = xs[perm[i]]; /* moving along output dim i moves this far in x */
    const char *src = a->bufs[n->inputs[0]];
    char *dst = a->bufs[n->outputs[0]];
    size_t c = numel(o);
    if (r == 0 || c == 0) {
        if (c)
            memcpy(dst, src, es);
        return;
    }
    /* row by row along the output's last axis: a copy when the input is
     * contiguous there too (the axes that move keep their inner runs) */
    int64_t n_in = o->dims[r - 1], sl = step[r - 1], off = 0;
    size_t rows = c / (size_t)n_in;
    for (size_t row = 0; row < rows; row++) {
        char *d = dst + row * (size_t)n_in * es;
        if (sl == 1)
            memcpy(d, src + (size_t)off * es, (size_t)n_in * es);
        else if (es == 4)
            for (int64_t i = 0; i < n_in; i++)
                ((uint32_t *)d)[i] = ((const uint32_t *)src)[off + i * sl];
        else
            for (int64_t i = 0; i < n_in; i++)
                memcpy(d + (size_t)i * es, src + (size_t)(off + i * sl) * es, es);
        for (int i = r - 2; i >= 0; i--) {
            idx[i]++;
            off += step[i];
            if (idx[i] < o->dims[i])
                break;
            off -= step[i] * idx[i];
            idx[i] = 0;
        }
    }
}

/* ---- Softmax (opset 13: along one axis) ---- */

static void softmax(const struct hacl_kernel_args *a, int log_form);
static void run_softmax(const struct hacl_kernel_args *a) { softmax(a, 0); }
static void run_logsoftmax(const struct hacl_kernel_args *a) { softmax(a, 1); }
static void run_hardmax(const struct hacl_kernel_args *a) { softmax(a, 2); }

/* Softmax, LogSoftmax (log_form 1) and Hardmax (2). From opset 13 they
 * run along one axis (default -1); before, over the input flattened to 2-D
 * at axis (default 1). */
static void softmax(const struct hacl_kernel_args *a, int log_form)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *t = IN(n, 0);
    int legacy = g->opset < 13;
    int64_t axis = hacl_attr_int(n, "axis", legacy ? 1 : -1);
    if (axis < 0)
        axis += t->rank;
    size_t outer = 1, len = (size_t)t->dims[axis], inner = 1;
    for (int i = 0; i < axis; i++)
        outer *= (size_t)t->dims[i];
    for (int i = (int)axis + 1; i < t->rank; i++)
        inner *= (size_t)t->dims[i];
    if (legacy)
        len *= inner, inner = 1;
    const float *x = a->bufs[n->inputs[0]];
    float *y = a->bufs[n->outputs[0]];
    for (size_t o = 0; o < outer; o++)
        for (size_t in = 0; in < inner; in++) {
            const float *xs = x + o * len * inner + in;
            float *ys = y + o * len * inner + in;
            float mx = -INFINITY;
            for (size_t k = 0; k < len; k++)
                mx = xs[k * inner] > mx ? xs[k * inner] : mx;
            if (log_form == 2) {
                size_t first = 0;
                while (first < len && xs[first * inner] != mx)
                    first++;
                for (size_t k = 0; k < len; k++)
                    ys[k * inner] = k == first ? 1.0f : 0.0f;
                continue;
            }
            double sum = 0;
            for (size_t k = 0; k < len; k++)
                sum += exp((double)xs[k * inner] - mx);
            for (size_t k = 0; k < len; k++)
                ys[k * inner] = log_form ? (float)((double)xs[k * inner] - mx - log(sum))
                                         : (float)(exp((double)xs[k * inner] - mx) / sum);
        }
}

static aclError infer_softmax(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_float_same(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t axis = hacl_attr_int(n, "axis", g->opset < 13 ? 1 : -1);
    if (axis < -IN(n, 0)->rank || axis >= IN(n, 0)->rank)
        return FAIL("node '%s' (%s): axis out of range", n->name, n->op);
    return ACL_SUCCESS;
}

/* ---- BatchNormalization (inference) ---- */

static aclError infer_bn(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 5, 5, 5, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if (hacl_attr_int(n, "training_mode", 0) != 0 || n->noutputs > 1)
        return UNSUPPORTED("node '%s' (BatchNormalization): training mode is not supported (inference only)", n->name);
    if (x->rank < 2 || x->onnx_type != F32)
        return FAIL("node '%s' (BatchNormalization) needs a float32 input of rank 2 or more", n->name);
    for (size_t i = 1; i < 5; i++)
        if (IN(n, i)->rank != 1 || IN(n, i)->dims[0] != x->dims[1])
            return FAIL("node '%s' (BatchNormalization): parameter %zu must have %lld values", n->name, i,
                        (long long)x->dims[1]);
    set_out(OUT(n, 0), F32, x->rank, x->dims);
    return ACL_SUCCESS;
}

static void run_bn(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *t = IN(n, 0);
    float eps = hacl_attr_float(n, "epsilon", 1e-5f);
    const float *x = a->bufs[n->inputs[0]], *sc = a->bufs[n->inputs[1]], *bi = a->bufs[n->inputs[2]];
    const float *mean = a->bufs[n->inputs[3]], *var = a->bufs[n->inputs[4]];
    float *y = a->bufs[n->outputs[0]];
    size_t C = (size_t)t->dims[1], N = (size_t)t->dims[0], inner = numel(t) / (N * C);
    for (size_t b = 0; b < N; b++)
        for (size_t c = 0; c < C; c++) {
            float k = sc[c] / sqrtf(var[c] + eps), off = bi[c] - mean[c] * k;
            const float *xp = x + (b * C + c) * inner;
            float *yp = y + (b * C + c) * inner;
            for (size_t i = 0; i < inner; i++)
                yp[i] = xp[i] * k + off;
        }
}

/* ---- LRN (across channels) ---- */

static aclError infer_lrn(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_float_same(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (IN(n, 0)->rank < 3)
        return FAIL("node '%s' (LRN) needs an input of rank 3 or more", n->name);
    if (hacl_attr_int(n, "size", 0) < 1)
        return FAIL("node '%s' (LRN) needs a positive size", n->name);
    return ACL_SUCCESS;
}

static void run_lrn(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *t = IN(n, 0);
    float alpha = hacl_attr_float(n, "alpha", 1e-4f), beta = hacl_attr_float(n, "beta", 0.75f);
    float bias = hacl_attr_float(n, "bias", 1.0f);
    int64_t size = hacl_attr_int(n, "size", 1), lo = (size - 1) / 2, hi = size - 1 - lo;
    const float *x = a->bufs[n->inputs[0]];
    float *y = a->bufs[n->outputs[0]];
    int64_t N = t->dims[0], C = t->dims[1], inner = (int64_t)numel(t) / (N * C);
    for (int64_t b = 0; b < N; b++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t i = 0; i < inner; i++) {
                /* the window, clipped to the channels (size may be huge) */
                int64_t k0 = lo > c ? 0 : c - lo, k1 = hi >= C - c ? C - 1 : c + hi;
                double sq = 0;
                for (int64_t k = k0; k <= k1; k++) {
                    double v = x[(b * C + k) * inner + i];
                    sq += v * v;
                }
                int64_t at = (b * C + c) * inner + i;
                y[at] = (float)(x[at] / pow(bias + alpha / (double)size * sq, beta));
            }
}

/* ---- ConvTranspose (1 to 3 spatial dims) ---- */

aclError hacl_deconv_geometry(struct hacl_graph *g, const struct hacl_node *n, struct hacl_deconv_geom *dg, char *why,
                                size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0), *w = IN(n, 1);
    int sp = x->rank - 2;
    if (sp < 1 || sp > 3 || w->rank != x->rank)
        return UNSUPPORTED("node '%s' (ConvTranspose): 1 to 3 spatial dims are supported", n->name);
    memset(dg, 0, sizeof *dg);
    dg->sp = sp;
    dg->n = x->dims[0], dg->c = x->dims[1], dg->group = hacl_attr_int(n, "group", 1);
    if (dg->group < 1 || dg->c % dg->group || w->dims[0] != dg->c)
        return FAIL("node '%s' (ConvTranspose): channels %lld, weight %lld and group %lld do not fit", n->name,
                    (long long)dg->c, (long long)w->dims[0], (long long)dg->group);
    dg->m = w->dims[1] * dg->group;
    int64_t s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, p[6] = {0}, op[3] = {0}, os[3] = {0}, ks[3];
    hacl_attr_ints(n, "strides", s, 3);
    hacl_attr_ints(n, "dilations", d, 3);
    hacl_attr_ints(n, "pads", p, 6);
    hacl_attr_ints(n, "output_padding", op, 3);
    int nos = hacl_attr_ints(n, "output_shape", os, 3);
    if (hacl_attr_ints(n, "kernel_shape", ks, 3) == sp)
        for (int i = 0; i < sp; i++)
            if (ks[i] != w->dims[2 + i])
                return FAIL("node '%s' (ConvTranspose): kernel_shape does not match the weight", n->name);
    const Onnx__AttributeProto *ap = attr(n, "auto_pad");
    int same = ap && ap->has_s && ap->s.len >= 5 && !strncmp((const char *)ap->s.data, "SAME_", 5);
    int upper = same && ap->s.len == 10 && !strncmp((const char *)ap->s.data, "SAME_UPPER", 10);
    for (int i = 0; i < sp; i++) {
        if (s[i] < 1 || d[i] < 1 || op[i] < 0 || p[i] < 0 || p[i + sp] < 0)
            return FAIL("node '%s' (ConvTranspose): strides and dilations must be positive, pads not negative",
                        n->name);
        if (s[i] > WINDOW_ATTR_MAX || d[i] > WINDOW_ATTR_MAX || op[i] > WINDOW_ATTR_MAX || p[i] > WINDOW_ATTR_MAX ||
            p[i + sp] > WINDOW_ATTR_MAX || (nos == sp && (os[i] < 1 || os[i] > WINDOW_ATTR_MAX)))
            return FAIL("node '%s' (ConvTranspose): strides, dilations, pads and output sizes must be 1 to %lld",
                        n->name, (long long)WINDOW_ATTR_MAX);
        dg->in[i] = x->dims[2 + i], dg->k[i] = w->dims[2 + i], dg->s[i] = s[i], dg->d[i] = d[i];
        int64_t ek = (dg->k[i] - 1) * d[i] + 1, full = s[i] * (dg->in[i] - 1) + op[i] + ek;
        if (nos == sp || same) {
            int64_t want = nos == sp ? os[i] : dg->in[i] * s[i];
            /* Padding removed from the full result (negative: zeros added
             * at the end), split as SAME_UPPER / otherwise SAME_LOWER,
             * halves rounded towards minus infinity. */
            int64_t total = full - want, half = total >= 0 ? total / 2 : -((1 - total) / 2);
            dg->pb[i] = upper ? half : total - half;
            dg->out[i] = want;
        } else {
            dg->pb[i] = p[i];
            dg->out[i] = full - p[i] - p[i + sp];
        }
        if (dg->out[i] < 1)
            return FAIL("node '%s' (ConvTranspose): the output would be empty", n->name);
    }
    for (int i = sp; i < 3; i++)
        dg->in[i] = dg->k[i] = dg->out[i] = dg->s[i] = dg->d[i] = 1;
    return ACL_SUCCESS;
}

static aclError infer_deconv(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 3, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_known_all(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!has_input(n, 1) || IN(n, 0)->onnx_type != F32 || IN(n, 1)->onnx_type != F32)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (ConvTranspose) computes float32 only", n->name);
    struct hacl_deconv_geom dg;
    if ((rc = hacl_deconv_geometry(g, n, &dg, why, whylen)) != ACL_SUCCESS)
        return rc;
    if (has_input(n, 2) && (IN(n, 2)->rank != 1 || IN(n, 2)->dims[0] != dg.m))
        return FAIL("node '%s' (ConvTranspose): the bias must have %lld values", n->name, (long long)dg.m);
    int64_t d[5] = {dg.n, dg.m, dg.out[0], dg.out[1], dg.out[2]};
    set_out(OUT(n, 0), F32, 2 + dg.sp, d);
    return ACL_SUCCESS;
}

static void run_deconv(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct hacl_deconv_geom dg;
    char why[8];
    if (hacl_deconv_geometry((struct hacl_graph *)g, n, &dg, why, sizeof why) != ACL_SUCCESS)
        return;
    const float *x = a->bufs[n->inputs[0]], *w = a->bufs[n->inputs[1]];
    const float *b = has_input(n, 2) ? a->bufs[n->inputs[2]] : NULL;
    float *y = a->bufs[n->outputs[0]];
    int64_t cg = dg.c / dg.group, mg = dg.m / dg.group;
    int64_t isz = dg.in[0] * dg.in[1] * dg.in[2], osz = dg.out[0] * dg.out[1] * dg.out[2];
    int64_t ksz = dg.k[0] * dg.k[1] * dg.k[2];
    for (int64_t i = 0; i < dg.n * dg.m; i++)
        for (int64_t o = 0; o < osz; o++)
            y[i * osz + o] = b ? b[i % dg.m] : 0.0f;
    for (int64_t bn = 0; bn < dg.n; bn++)
        for (int64_t c = 0; c < dg.c; c++) {
            int64_t gi = c / cg;
            const float *xc = x + (bn * dg.c + c) * isz;
            for (int64_t m = 0; m < mg; m++) {
                const float *wk = w + (c * mg + m) * ksz;
                float *yo = y + (bn * dg.m + gi * mg + m) * osz;
                for (int64_t i0 = 0; i0 < dg.in[0]; i0++)
                    for (int64_t i1 = 0; i1 < dg.in[1]; i1++)
                        for (int64_t i2 = 0; i2 < dg.in[2]; i2++) {
                            float v = xc[(i0 * dg.in[1] + i1) * dg.in[2] + i2];
                            for (int64_t k0 = 0; k0 < dg.k[0]; k0++) {
                                int64_t o0 = i0 * dg.s[0] - dg.pb[0] + k0 * dg.d[0];
                                if (o0 < 0 || o0 >= dg.out[0])
                                    continue;
                                for (int64_t k1 = 0; k1 < dg.k[1]; k1++) {
                                    int64_t o1 = i1 * dg.s[1] - dg.pb[1] + k1 * dg.d[1];
                                    if (o1 < 0 || o1 >= dg.out[1])
                                        continue;
                                    for (int64_t k2 = 0; k2 < dg.k[2]; k2++) {
                                        int64_t o2 = i2 * dg.s[2] - dg.pb[2] + k2 * dg.d[2];
                                        if (o2 < 0 || o2 >= dg.out[2])
                                            continue;
                                        yo[(o0 * dg.out[1] + o1) * dg.out[2] + o2] +=
                                            v * wk[(k0 * dg.k[1] + k1) * dg.k[2] + k2];
                                    }
                                }
                            }
                        }
            }
        }
}

static const struct hacl_op ops[] = {
    {"LogSoftmax", infer_softmax, run_logsoftmax, NULL},
    {"Hardmax", infer_softmax, run_hardmax, NULL},
    {"Flatten", infer_flatten, run_copy, NULL},
    {"Concat", infer_concat, run_concat, NULL},
    {"Transpose", infer_transpose, run_transpose, NULL},
    {"Reshape", infer_reshape, run_copy, NULL},
    {"Gemm", infer_gemm, run_gemm, NULL},
    {"Softmax", infer_softmax, run_softmax, NULL},
    {"BatchNormalization", infer_bn, run_bn, NULL},
    {"LRN", infer_lrn, run_lrn, NULL},
    {"ConvTranspose", infer_deconv, run_deconv, NULL},
};

static aclError infer_all(struct hacl_graph *g, void **bufs, char *why, size_t whylen);

static const size_t nops = sizeof ops / sizeof ops[0];

/* Every operator family: one table each. */
static const struct {
    const struct hacl_op *ops;
    const size_t *n;
} families[] = {
    {ops, &nops},
    {hacl_math_ops, &hacl_math_nops},
    {hacl_tensor_ops, &hacl_tensor_nops},
    {hacl_reduce_ops, &hacl_reduce_nops},
    {hacl_index_ops, &hacl_index_nops},
    {hacl_linalg_ops, &hacl_linalg_nops},
    {hacl_norm_ops, &hacl_norm_nops},
    {hacl_window_ops, &hacl_window_nops},
    {hacl_resize_ops, &hacl_resize_nops},
    {hacl_rnn_ops, &hacl_rnn_nops},
    {hacl_loss_ops, &hacl_loss_nops},
    {hacl_quant_ops, &hacl_quant_nops},
    {hacl_misc_ops, &hacl_misc_nops},
    {hacl_sample_ops, &hacl_sample_nops},
    {hacl_signal_ops, &hacl_signal_nops},
    {hacl_aipp_ops, &hacl_aipp_nops},
};

const struct hacl_op *hacl_op_find(const char *op_type)
{
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (size_t i = 0; i < *families[f].n; i++)
            if (strcmp(families[f].ops[i].name, op_type) == 0)
                return &families[f].ops[i];
    return NULL;
}

int hacl_const_ints(const struct hacl_tensor *t, int64_t *out, int max)
{
    if (!t->is_const || t->rank > 1 || (t->onnx_type != I64 && t->onnx_type != 6 /* int32 */))
        return -1;
    int64_t k = hacl_tensor_elements(t);
    if (k < 0 || k > max)
        return -1;
    for (int64_t i = 0; i < k; i++)
        out[i] = t->onnx_type == I64 ? ((const int64_t *)t->data)[i] : ((const int32_t *)t->data)[i];
    return (int)k;
}

/* Computes node n now if it can be: every input constant, or a Shape. */
static aclError fold(struct hacl_graph *g, struct hacl_node *n, void **bufs, char *why, size_t whylen)
{
    int can = strcmp(n->op, "Shape") == 0;
    if (!can) {
        can = 1;
        for (size_t j = 0; j < n->ninputs; j++)
            if (n->inputs[j] >= 0 && !g->tensors[n->inputs[j]].is_const)
                can = 0;
    }
    int made = 1;
    for (size_t k = 0; k < n->noutputs; k++)
        if (n->outputs[k] >= 0 && !g->tensors[n->outputs[k]].is_const)
            made = 0;
    if (made) { /* Constant: its output is made by shape inference */
        n->folded = 1;
        return ACL_SUCCESS;
    }
    if (!can)
        return ACL_SUCCESS;
    /* Folding is for small constants (shapes, axes...): a large result is
     * computed at run time like any node; an empty one needs no kernel. */
    int64_t total = 0;
    for (size_t k = 0; k < n->noutputs; k++)
        if (n->outputs[k] >= 0) {
            int64_t e = hacl_tensor_elements(&g->tensors[n->outputs[k]]);
            if (e < 0 || e > HACL_FOLD_MAX_ELEMENTS)
                return ACL_SUCCESS;
            total += e;
        }
    /* Operators whose work grows faster than their output (windows,
     * products, interpolation, recurrences, transforms) fold only small
     * results: a fuzzed model folded a convolution over a 38-million-element
     * padded constant at load (seconds of C kernel before any execution). */
    static const char *const heavy[] = {"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "MatMul",
                                        "MatMulInteger", "QLinearMatMul", "Gemm", "Einsum", "Resize", "Upsample",
                                        "MaxPool", "AveragePool", "LpPool", "RNN", "GRU", "LSTM", "DFT", "STFT",
                                        "GridSample", "RoiAlign", "TopK", "Det", "LRN"};
    for (size_t k = 0; k < sizeof heavy / sizeof heavy[0]; k++)
        if (!strcmp(n->op, heavy[k]) && total > HACL_FOLD_HEAVY_MAX_ELEMENTS)
            return ACL_SUCCESS;
    for (size_t j = 0; j < n->ninputs; j++)
        if (n->inputs[j] >= 0)
            bufs[n->inputs[j]] = (void *)g->tensors[n->inputs[j]].data;
    aclError rc = ACL_SUCCESS;
    for (size_t k = 0; k < n->noutputs && rc == ACL_SUCCESS; k++) {
        struct hacl_tensor *o = n->outputs[k] >= 0 ? &g->tensors[n->outputs[k]] : NULL;
        if (!o)
            continue;
        size_t bytes = numel(o) * hacl_onnx_type_size(o->onnx_type);
        o->owned = hacl_calloc(1, bytes ? bytes : 1);
        if (!o->owned)
            rc = why_fail(why, whylen, ACL_ERROR_BAD_ALLOC, "out of memory folding node '%s'", n->name);
        bufs[n->outputs[k]] = o->owned;
    }
    const char *err = NULL;
    if (rc == ACL_SUCCESS && total > 0) {
        struct hacl_kernel_args a = {g, n, bufs, &err, NULL};
        hacl_op_find(n->op)->run(&a);
        if (err)
            rc = why_fail(why, whylen, ACL_ERROR_PARSE_MODEL, "node '%s' (%s): %s", n->name, n->op, err);
    }
    for (size_t k = 0; k < n->noutputs; k++) {
        struct hacl_tensor *o = n->outputs[k] >= 0 ? &g->tensors[n->outputs[k]] : NULL;
        if (!o || !o->owned)
            continue;
        o->is_const = 1;
        o->data = o->owned;
        o->bytes = numel(o) * hacl_onnx_type_size(o->onnx_type);
    }
    if (rc == ACL_SUCCESS)
        n->folded = 1;
    return rc;
}

aclError hacl_infer_shapes(struct hacl_graph *g, char *why, size_t whylen)
{
    void **bufs = hacl_calloc(g->ntensors ? g->ntensors : 1, sizeof *bufs);
    if (!bufs)
        return why_fail(why, whylen, ACL_ERROR_BAD_ALLOC, "out of memory inferring shapes");
    aclError rc = infer_all(g, bufs, why, whylen);
    hacl_free(bufs);
    return rc;
}

static aclError infer_all(struct hacl_graph *g, void **bufs, char *why, size_t whylen)
{
    for (size_t i = 0; i < g->nnodes; i++) {
        struct hacl_node *n = &g->nodes[i];
        const Onnx__NodeProto *np = n->proto;
        if (np->domain && *np->domain && strcmp(np->domain, "ai.onnx") != 0)
            return why_fail(why, whylen, ACL_ERROR_OP_NOT_FOUND, "node '%s': operator %s of domain '%s' is not supported",
                            n->name, n->op, np->domain);
        const struct hacl_op *op = hacl_op_find(n->op);
        if (!op)
            return why_fail(why, whylen, ACL_ERROR_OP_NOT_FOUND, "node '%s': operator %s is not supported by hostacl yet",
                            n->name, n->op);
        /* Declared output shapes are replaced by inferred ones; a declared
         * model output that disagrees is reported below. */
        int64_t declared[HACL_MAX_RANK];
        struct hacl_tensor *o0 = OUT(n, 0);
        int drank = n->noutputs && n->outputs[0] >= 0 ? o0->rank : -1, dtype = drank >= 0 ? o0->onnx_type : 0;
        if (drank > 0)
            memcpy(declared, o0->dims, sizeof(int64_t) * (size_t)drank);
        aclError rc = op->infer(g, n, why, whylen);
        if (rc != ACL_SUCCESS)
            return rc;
        if (drank >= 0 && dtype && o0->rank == drank) {
            for (int k = 0; k < drank; k++)
                if (declared[k] >= 0 && declared[k] != o0->dims[k])
                    return why_fail(why, whylen, ACL_ERROR_PARSE_MODEL,
                                    "node '%s' (%s): '%s' is declared with dim %d = %lld but computes to %lld", n->name,
                                    n->op, o0->name, k, (long long)declared[k], (long long)o0->dims[k]);
        }
        for (size_t k = 0; k < n->noutputs; k++)
            if (n->outputs[k] >= 0 && hacl_tensor_elements(OUT(n, k)) < 0)
                return why_fail(why, whylen, ACL_ERROR_PARSE_MODEL, "node '%s' (%s): output %zu has no static shape",
                                n->name, n->op, k);
        if ((rc = fold(g, n, bufs, why, whylen)) != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}
