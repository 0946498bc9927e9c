/*
 * Generating and indexing operators: ConstantOfShape, Range, EyeLike,
 * Size, Expand, Tile, Trilu, DepthToSpace, SpaceToDepth, GatherElements,
 * GatherND, ScatterElements, ScatterND, OneHot, and NonZero where its input
 * is a constant (its output shape depends on the data).
 *
 * Every index read from data is checked against the dim it indexes before
 * use; a bad one fails the execution with a message (or the load, when
 * folded) and is never dereferenced.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

/* The shape held by a constant int64 vector input: its length, or -1. */
static int shape_input(struct hacl_graph *g, const struct hacl_node *n, size_t i, int64_t *d)
{
    return has_input(n, i) ? hacl_const_ints(IN(n, i), d, HACL_MAX_RANK) : -1;
}

static aclError check_dims(struct hacl_graph *g, const struct hacl_node *n, const int64_t *d, int r, char *why,
                           size_t whylen)
{
    (void)g;
    int64_t total = 1;
    for (int i = 0; i < r; i++) {
        if (d[i] < 0)
            return FAIL("node '%s' (%s): a dim is negative", n->name, n->op);
        if (d[i] && total > (INT64_MAX >> 8) / d[i])
            return FAIL("node '%s' (%s): the output is too large", n->name, n->op);
        total *= d[i];
    }
    return ACL_SUCCESS;
}

/* ---- ConstantOfShape ---- */

static aclError infer_constant_of_shape(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t d[HACL_MAX_RANK];
    int r = IN(n, 0)->is_const && IN(n, 0)->rank == 1 && IN(n, 0)->dims[0] > HACL_MAX_RANK ? -2
                                                                                               : shape_input(g, n, 0, d);
    if (r == -2)
        return UNSUPPORTED("node '%s' (ConstantOfShape): rank over %d", n->name, HACL_MAX_RANK);
    if (r < 0)
        return DYNAMIC("the shape");
    if ((rc = check_dims(g, n, d, r, why, whylen)) != ACL_SUCCESS)
        return rc;
    const Onnx__AttributeProto *v = attr(n, "value");
    int t = F32;
    if (v && v->t) {
        struct hacl_tensor tmp = {0};
        if ((rc = hacl_onnx_tensor_view(v->t, &tmp, NULL, why, whylen)) != ACL_SUCCESS)
            return rc;
        hacl_free(tmp.owned);
        if (hacl_tensor_elements(&tmp) != 1 || !is_numeric_type(tmp.onnx_type))
            return FAIL("node '%s' (ConstantOfShape): value must be one number", n->name);
        t = tmp.onnx_type;
    }
    set_out(OUT(n, 0), t, r, d);
    return ACL_SUCCESS;
}

static void run_constant_of_shape(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *o = OUT(n, 0);
    const Onnx__AttributeProto *v = attr(n, "value");
    size_t es = esize(o), c = numel(o);
    char val[16] = {0};
    if (v && v->t) {
        struct hacl_tensor tmp = {0};
        char why[8];
        if (hacl_onnx_tensor_view(v->t, &tmp, NULL, why, sizeof why) == ACL_SUCCESS && tmp.data)
            memcpy(val, tmp.data, es);
        hacl_free(tmp.owned);
    }
    char *y = a->bufs[n->outputs[0]];
    for (size_t i = 0; i < c; i++)
        memcpy(y + i * es, val, es);
}

/* ---- Range ---- */

static aclError range_len(struct hacl_graph *g, const struct hacl_node *n, int64_t *len, char *why, size_t whylen)
{
    for (size_t i = 0; i < 3; i++)
        if (!has_input(n, i) || !IN(n, i)->is_const || numel(IN(n, i)) != 1)
            return DYNAMIC("start, limit or delta");
    int t = IN(n, 0)->onnx_type;
    if (!is_numeric_type(t) || t == BOOL || IN(n, 1)->onnx_type != t || IN(n, 2)->onnx_type != t)
        return FAIL("node '%s' (Range): start, limit and delta must be numbers of one type", n->name);
    double s = load_f(t, IN(n, 0)->data, 0), l = load_f(t, IN(n, 1)->data, 0), d = load_f(t, IN(n, 2)->data, 0);
    if (d == 0 || !isfinite(s) || !isfinite(l) || !isfinite(d))
        return FAIL("node '%s' (Range): delta is 0 or a bound is not finite", n->name);
    double k = ceil((l - s) / d);
    if (k > (double)HACL_FOLD_MAX_ELEMENTS * 16)
        return FAIL("node '%s' (Range): %g elements are too many", n->name, k);
    *len = k > 0 ? (int64_t)k : 0;
    return ACL_SUCCESS;
}

static aclError infer_range(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 3, 3, why, whylen);
    int64_t len = 0;
    if (rc == ACL_SUCCESS)
        rc = range_len(g, n, &len, why, whylen);
    if (rc == ACL_SUCCESS)
        set_out(OUT(n, 0), IN(n, 0)->onnx_type, 1, &len);
    return rc;
}

static void run_range(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int t = IN(n, 0)->onnx_type;
    size_t c = numel(OUT(n, 0));
    void *y = a->bufs[n->outputs[0]];
    if (is_float_type(t)) {
        double s = load_f(t, a->bufs[n->inputs[0]], 0), d = load_f(t, a->bufs[n->inputs[2]], 0);
        for (size_t i = 0; i < c; i++)
            store_f(t, y, i, s + (double)i * d);
    } else {
        int64_t s = load_i(t, a->bufs[n->inputs[0]], 0), d = load_i(t, a->bufs[n->inputs[2]], 0);
        for (size_t i = 0; i < c; i++)
            store_i(t, y, i, s + (int64_t)i * d);
    }
}

/* ---- EyeLike, Size ---- */

static aclError infer_eyelike(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (IN(n, 0)->rank != 2)
        return FAIL("node '%s' (EyeLike) needs a matrix", n->name);
    int t = (int)hacl_attr_int(n, "dtype", IN(n, 0)->onnx_type);
    if (!is_numeric_type(t))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (EyeLike): type %d", n->name, t);
    set_out(OUT(n, 0), t, 2, IN(n, 0)->dims);
    return ACL_SUCCESS;
}

static void run_eyelike(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *o = OUT(n, 0);
    int64_t k = hacl_attr_int(n, "k", 0), R = o->dims[0], C = o->dims[1];
    void *y = a->bufs[n->outputs[0]];
    memset(y, 0, numel(o) * esize(o));
    for (int64_t i = 0; i < R; i++)
        if (i + k >= 0 && i + k < C)
            store_i(o->onnx_type, y, (size_t)(i * C + i + k), 1);
}

static aclError infer_size(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc == ACL_SUCCESS)
        set_out(OUT(n, 0), I64, 0, NULL);
    return rc;
}

static void run_size(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    *(int64_t *)a->bufs[n->outputs[0]] = hacl_tensor_elements(IN(n, 0));
}

/* ---- Expand, Tile ---- */

static aclError infer_expand(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_tensor shape = {0};
    shape.rank = shape_input(g, n, 1, shape.dims);
    if (shape.rank < 0)
        return DYNAMIC("the shape");
    const struct hacl_tensor *ins[2] = {IN(n, 0), &shape};
    int r;
    int64_t d[HACL_MAX_RANK];
    if (hacl_bcast_shape(ins, 2, &r, d) != ACL_SUCCESS)
        return FAIL("node '%s' (Expand): the shape does not broadcast with the input", n->name);
    if ((rc = check_dims(g, n, d, r, why, whylen)) != ACL_SUCCESS)
        return rc;
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, r, d);
    return ACL_SUCCESS;
}

struct copy_ctx {
    const char *x;
    char *y;
    size_t es;
};

static void expand_row(void *ctx, const int64_t *off, int64_t out_off, int64_t len, const int64_t *st)
{
    struct copy_ctx *c = ctx;
    if (st[0] == 1) {
        memcpy(c->y + (size_t)out_off * c->es, c->x + (size_t)off[0] * c->es, (size_t)len * c->es);
        return;
    }
    for (int64_t i = 0; i < len; i++)
        memcpy(c->y + (size_t)(out_off + i) * c->es, c->x + (size_t)off[0] * c->es, c->es);
}

static void run_expand(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *ins[1] = {IN(n, 0)};
    struct copy_ctx c = {a->bufs[n->inputs[0]], a->bufs[n->outputs[0]], esize(IN(n, 0))};
    struct hacl_bcast b;
    hacl_bcast_init(&b, OUT(n, 0), ins, 1);
    hacl_bcast_walk(&b, expand_row, &c);
}

static aclError infer_tile(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t rep[HACL_MAX_RANK], d[HACL_MAX_RANK] = {0};
    int k = shape_input(g, n, 1, rep);
    if (k < 0)
        return DYNAMIC("repeats");
    if (k != x->rank)
        return FAIL("node '%s' (Tile): %d repeats for rank %d", n->name, k, x->rank);
    for (int i = 0; i < k; i++) {
        if (rep[i] < 0 || (x->dims[i] && rep[i] > INT64_MAX / 256 / x->dims[i]))
            return FAIL("node '%s' (Tile): repeats must be small and not negative", n->name);
        d[i] = x->dims[i] * rep[i];
    }
    if ((rc = check_dims(g, n, d, k, why, whylen)) != ACL_SUCCESS)
        return rc;
    set_out(OUT(n, 0), x->onnx_type, k, d);
    return ACL_SUCCESS;
}

static void run_tile(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *o = OUT(n, 0);
    size_t es = esize(x), c = numel(o);
    int64_t st[HACL_MAX_RANK], idx[HACL_MAX_RANK] = {0};
    strides_of(x, st);
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    for (size_t e = 0; e < c; e++) {
        int64_t off = 0;
        for (int k = 0; k < o->rank; k++)
            off += (idx[k] % x->dims[k]) * st[k];
        memcpy(y + e * es, src + (size_t)off * es, es);
        hacl_index_next(idx, o->dims, o->rank);
    }
}

/* ---- Trilu ---- */

static aclError infer_trilu(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t k[1];
    if (has_input(n, 1) && hacl_const_ints(IN(n, 1), k, 1) != 1)
        return DYNAMIC("k");
    if (IN(n, 0)->rank < 2)
        return FAIL("node '%s' (Trilu) needs rank 2 or more", n->name);
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, IN(n, 0)->dims);
    return ACL_SUCCESS;
}

static void run_trilu(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t k = 0;
    if (has_input(n, 1))
        hacl_const_ints(IN(n, 1), &k, 1);
    int upper = hacl_attr_int(n, "upper", 1) != 0;
    int64_t R = x->dims[x->rank - 2], C = x->dims[x->rank - 1];
    size_t es = esize(x), mats = R != 0 && C != 0 ? numel(x) / (size_t)(R * C) : 0;
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    for (size_t m = 0; m < mats; m++)
        for (int64_t i = 0; i < R; i++)
            for (int64_t j = 0; j < C; j++) {
                size_t at = (m * (size_t)R + (size_t)i) * (size_t)C + (size_t)j;
                int keep = upper ? j - i >= k : j - i <= k;
                if (keep)
                    memcpy(y + at * es, src + at * es, es);
                else
                    memset(y + at * es, 0, es);
            }
}

/* ---- DepthToSpace, SpaceToDepth ---- */

static aclError infer_d2s(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t b = hacl_attr_int(n, "blocksize", 0);
    int d2s = !strcmp(n->op, "DepthToSpace");
    if (x->rank != 4 || b < 1 || b > 4096)
        return FAIL("node '%s' (%s) needs a rank-4 input and a positive blocksize", n->name, n->op);
    int64_t d[4] = {x->dims[0], 0, 0, 0};
    if (d2s) {
        if (x->dims[1] % (b * b))
            return FAIL("node '%s' (DepthToSpace): channels do not divide by blocksize squared", n->name);
        d[1] = x->dims[1] / (b * b), d[2] = x->dims[2] * b, d[3] = x->dims[3] * b;
    } else {
        if (x->dims[2] % b || x->dims[3] % b)
            return FAIL("node '%s' (SpaceToDepth): height and width do not divide by blocksize", n->name);
        d[1] = x->dims[1] * b * b, d[2] = x->dims[2] / b, d[3] = x->dims[3] / b;
    }
    set_out(OUT(n, 0), x->onnx_type, 4, d);
    return ACL_SUCCESS;
}

static void run_d2s(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int d2s = !strcmp(n->op, "DepthToSpace");
    const struct hacl_tensor *big = d2s ? OUT(n, 0) : IN(n, 0); /* the spatial side */
    int64_t b = hacl_attr_int(n, "blocksize", 1), N = big->dims[0], C = big->dims[1];
    int64_t H = big->dims[2] / b, W = big->dims[3] / b;
    const Onnx__AttributeProto *m = attr(n, "mode");
    int crd = d2s && m && m->has_s && m->s.len == 3 && !strncmp((const char *)m->s.data, "CRD", 3);
    size_t es = esize(big);
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    /* deep index (N, C*b*b, H, W) <-> spatial index (N, C, H*b, W*b) */
    for (int64_t in = 0; in < N; in++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t bh = 0; bh < b; bh++)
                for (int64_t bw = 0; bw < b; bw++) {
                    int64_t dc = crd ? (c * b + bh) * b + bw : (bh * b + bw) * C + c;
                    for (int64_t h = 0; h < H; h++)
                        for (int64_t w = 0; w < W; w++) {
                            size_t deep = (size_t)(((in * C * b * b + dc) * H + h) * W + w);
                            size_t wide = (size_t)(((in * C + c) * H * b + h * b + bh) * W * b + w * b + bw);
                            if (d2s)
                                memcpy(y + wide * es, src + deep * es, es);
                            else
                                memcpy(y + deep * es, src + wide * es, es);
                        }
                }
}

/* ---- GatherElements, ScatterElements ---- */

static aclError infer_elements(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    int scatter = !strcmp(n->op, "ScatterElements") || !strcmp(n->op, "Scatter");
    aclError rc = need_inputs(n, scatter ? 3 : 2, scatter ? 3 : 2, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen) : FAIL("node '%s' lacks input %zu", n->name, i);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *idx = IN(n, 1);
    int64_t axis = hacl_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank || idx->rank != x->rank || (idx->onnx_type != I64 && idx->onnx_type != I32))
        return FAIL("node '%s' (%s): axis, index rank or index type is wrong", n->name, n->op);
    if (scatter) {
        const struct hacl_tensor *u = IN(n, 2);
        if (u->rank != idx->rank || memcmp(u->dims, idx->dims, sizeof(int64_t) * (size_t)u->rank) ||
            u->onnx_type != x->onnx_type)
            return FAIL("node '%s' (%s): updates must match the indices' shape and the data's type", n->name, n->op);
        for (int i = 0; i < x->rank; i++)
            if (idx->dims[i] > x->dims[i])
                return FAIL("node '%s' (%s): indices are larger than the data", n->name, n->op);
        set_out(OUT(n, 0), x->onnx_type, x->rank, x->dims);
    } else {
        for (int i = 0; i < x->rank; i++)
            if (i != axis && idx->dims[i] > x->dims[i])
                return FAIL("node '%s' (GatherElements): indices are larger than the data", n->name);
        set_out(OUT(n, 0), x->onnx_type, idx->rank, idx->dims);
    }
    return ACL_SUCCESS;
}

enum { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN };

static int reduction_of(const struct hacl_node *n)
{
    const Onnx__AttributeProto *r = attr(n, "reduction");
    if (!r || !r->has_s)
        return RED_NONE;
    const char *s = (const char *)r->s.data;
    size_t l = r->s.len;
    return l == 3 && !strncmp(s, "add", 3) ? RED_ADD : l == 3 && !strncmp(s, "mul", 3) ? RED_MUL
         : l == 3 && !strncmp(s, "max", 3) ? RED_MAX : l == 3 && !strncmp(s, "min", 3) ? RED_MIN : RED_NONE;
}

/* dst element at `at` combined with src element at `from`. */
static void combine(int t, int red, void *dst, size_t at, const void *src, size_t from)
{
    size_t es = hacl_onnx_type_size(t);
    if (red == RED_NONE) {
        memcpy((char *)dst + at * es, (const char *)src + from * es, es);
    } else if (is_float_type(t)) {
        double u = load_f(t, dst, at), v = load_f(t, src, from);
        store_f(t, dst, at, red == RED_ADD ? u + v : red == RED_MUL ? u * v : red == RED_MAX ? fmax(u, v) : fmin(u, v));
    } else {
        int64_t u = load_i(t, dst, at), v = load_i(t, src, from);
        store_i(t, dst, at, red == RED_ADD ? u + v : red == RED_MUL ? u * v : red == RED_MAX ? (u > v ? u : v)
                                                                                         : (u < v ? u : v));
    }
}

static void run_elements(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int scatter = n->ninputs == 3;
    const struct hacl_tensor *x = IN(n, 0), *it = IN(n, 1);
    int64_t axis = hacl_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += x->rank;
    size_t es = esize(x), c = numel(it);
    int64_t xst[HACL_MAX_RANK], pos[HACL_MAX_RANK] = {0};
    strides_of(x, xst);
    const char *src = a->bufs[n->inputs[0]];
    const void *ip = a->bufs[n->inputs[1]];
    char *y = a->bufs[n->outputs[0]];
    int red = reduction_of(n);
    if (scatter && y != src)
        memcpy(y, src, numel(x) * es);
    for (size_t e = 0; e < c; e++) {
        int64_t v = load_i(it->onnx_type, ip, e), dim = x->dims[axis];
        if (v < 0)
            v += dim;
        if (v < 0 || v >= dim) {
            *a->error = "an index is out of range";
            return;
        }
        int64_t off = 0;
        for (int k = 0; k < x->rank; k++)
            off += (k == axis ? v : pos[k]) * xst[k];
        if (scatter)
            combine(x->onnx_type, red, y, (size_t)off, a->bufs[n->inputs[2]], e);
        else
            memcpy(y + e * es, src + (size_t)off * es, es);
        hacl_index_next(pos, it->dims, it->rank);
    }
}

/* ---- GatherND, ScatterND ---- */

static aclError infer_nd(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    int scatter = !strcmp(n->op, "ScatterND");
    aclError rc = need_inputs(n, scatter ? 3 : 2, scatter ? 3 : 2, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen) : FAIL("node '%s' lacks input %zu", n->name, i);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *idx = IN(n, 1);
    int64_t bd = scatter ? 0 : hacl_attr_int(n, "batch_dims", 0);
    if (idx->rank < 1 || idx->onnx_type != I64)
        return FAIL("node '%s' (%s): indices must be int64 of rank 1 or more", n->name, n->op);
    int64_t k = idx->dims[idx->rank - 1];
    if (bd < 0 || bd >= idx->rank || bd >= x->rank || k < 1 || bd + k > x->rank)
        return FAIL("node '%s' (%s): batch_dims or the index depth does not fit the data", n->name, n->op);
    for (int i = 0; i < bd; i++)
        if (idx->dims[i] != x->dims[i])
            return FAIL("node '%s' (GatherND): batch dims differ", n->name);
    int64_t d[HACL_MAX_RANK];
    int r = 0;
    for (int i = 0; i < idx->rank - 1; i++)
        d[r++] = idx->dims[i];
    for (int i = (int)(bd + k); i < x->rank; i++) {
        if (r >= HACL_MAX_RANK)
            return UNSUPPORTED("node '%s' (%s): output rank too high", n->name, n->op);
        d[r++] = x->dims[i];
    }
    if (scatter) {
        const struct hacl_tensor *u = IN(n, 2);
        if (u->rank != r || memcmp(u->dims, d, sizeof(int64_t) * (size_t)r) || u->onnx_type != x->onnx_type)
            return FAIL("node '%s' (ScatterND): updates have the wrong shape or type", n->name);
        set_out(OUT(n, 0), x->onnx_type, x->rank, x->dims);
    } else {
        set_out(OUT(n, 0), x->onnx_type, r, d);
    }
    return ACL_SUCCESS;
}

static void run_nd(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int scatter = !strcmp(n->op, "ScatterND");
    const struct hacl_tensor *x = IN(n, 0), *it = IN(n, 1);
    int64_t bd = scatter ? 0 : hacl_attr_int(n, "batch_dims", 0), k = it->dims[it->rank - 1];
    size_t es = esize(x);
    int64_t xst[HACL_MAX_RANK];
    strides_of(x, xst);
    size_t slice = 1, batch = 1, per = 1; /* elements per gathered slice; batches; tuples per batch */
    for (int i = (int)(bd + k); i < x->rank; i++)
        slice *= (size_t)x->dims[i];
    for (int i = 0; i < bd; i++)
        batch *= (size_t)x->dims[i];
    for (int i = (int)bd; i < it->rank - 1; i++)
        per *= (size_t)it->dims[i];
    const int64_t *ip = a->bufs[n->inputs[1]];
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    int red = reduction_of(n);
    if (scatter && y != src)
        memcpy(y, src, numel(x) * es);
    size_t bstride = bd ? (size_t)xst[bd - 1] : 0;
    for (size_t b = 0; b < batch; b++)
        for (size_t t = 0; t < per; t++) {
            const int64_t *tuple = ip + (b * per + t) * (size_t)k;
            size_t off = b * bstride;
            for (int64_t j = 0; j < k; j++) {
                int64_t v = tuple[j], dim = x->dims[bd + j];
                if (v < 0)
                    v += dim;
                if (v < 0 || v >= dim) {
                    *a->error = "an index is out of range";
                    return;
                }
                off += (size_t)v * (size_t)xst[bd + j];
            }
            size_t at = (b * per + t) * slice;
            if (!scatter)
                memcpy(y + at * es, src + off * es, slice * es);
            else
                for (size_t s = 0; s < slice; s++)
                    combine(x->onnx_type, red, y, off + s, a->bufs[n->inputs[2]], at + s);
        }
}

/* ---- OneHot ---- */

static aclError infer_onehot(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 3, 3, 3, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *ix = IN(n, 0), *dep = IN(n, 1), *val = IN(n, 2);
    if (!dep->is_const || numel(dep) != 1)
        return DYNAMIC("depth");
    int64_t depth = (int64_t)load_f(dep->onnx_type, dep->data, 0);
    if (depth < 1 || depth > ((int64_t)1 << 24) || numel(val) != 2 || ix->rank >= HACL_MAX_RANK ||
        !is_numeric_type(ix->onnx_type))
        return FAIL("node '%s' (OneHot): depth, values or indices are wrong", n->name);
    int64_t axis = hacl_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += ix->rank + 1;
    if (axis < 0 || axis > ix->rank)
        return FAIL("node '%s' (OneHot): axis out of range", n->name);
    int64_t d[HACL_MAX_RANK];
    for (int i = 0, j = 0; i <= ix->rank; i++)
        d[i] = i == axis ? depth : ix->dims[j++];
    set_out(OUT(n, 0), val->onnx_type, ix->rank + 1, d);
    return ACL_SUCCESS;
}

static void run_onehot(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *ix = IN(n, 0), *o = OUT(n, 0);
    int64_t axis = hacl_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += ix->rank + 1;
    int64_t depth = o->dims[axis];
    size_t outer = 1, inner = 1, es = esize(o);
    for (int i = 0; i < axis; i++)
        outer *= (size_t)o->dims[i];
    for (int i = (int)axis + 1; i < o->rank; i++)
        inner *= (size_t)o->dims[i];
    const char *vals = a->bufs[n->inputs[2]];
    char *y = a->bufs[n->outputs[0]];
    for (size_t p = 0; p < outer; p++)
        for (int64_t d = 0; d < depth; d++)
            for (size_t i = 0; i < inner; i++) {
                int64_t v = (int64_t)load_f(ix->onnx_type, a->bufs[n->inputs[0]], p * inner + i);
                if (v < 0)
                    v += depth;
                memcpy(y + ((p * (size_t)depth + (size_t)d) * inner + i) * es, vals + (v == d ? es : 0), es);
            }
}

/* ---- NonZero (constant input only) ---- */

static aclError infer_nonzero(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if (!x->is_const)
        return DYNAMIC("its input (the output's shape depends on the data)");
    if (!is_numeric_type(x->onnx_type))
        return FAIL("node '%s' (NonZero) takes numbers", n->name);
    int64_t count = 0, c = (int64_t)numel(x);
    for (int64_t i = 0; i < c; i++)
        count += load_f(x->onnx_type, x->data, (size_t)i) != 0;
    int64_t d[2] = {x->rank ? x->rank : 1, count};
    set_out(OUT(n, 0), I64, 2, d);
    return ACL_SUCCESS;
}

static void run_nonzero(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t count = OUT(n, 0)->dims[1], k = 0, pos[HACL_MAX_RANK] = {0};
    int64_t *y = a->bufs[n->outputs[0]];
    for (size_t e = 0, c = numel(x); e < c && k < count; e++) {
        if (load_f(x->onnx_type, a->bufs[n->inputs[0]], e) != 0) {
            for (int r = 0; r < x->rank; r++)
                y[r * count + k] = pos[r];
            if (!x->rank)
                y[k] = 0;
            k++;
        }
        hacl_index_next(pos, x->dims, x->rank);
    }
}

const struct hacl_op hacl_index_ops[] = {
    {"ConstantOfShape", infer_constant_of_shape, run_constant_of_shape, NULL},
    {"Range", infer_range, run_range, NULL},
    {"EyeLike", infer_eyelike, run_eyelike, NULL},
    {"Size", infer_size, run_size, NULL},
    {"Expand", infer_expand, run_expand, NULL},
    {"Tile", infer_tile, run_tile, NULL},
    {"Trilu", infer_trilu, run_trilu, NULL},
    {"DepthToSpace", infer_d2s, run_d2s, NULL},
    {"SpaceToDepth", infer_d2s, run_d2s, NULL},
    {"GatherElements", infer_elements, run_elements, NULL},
    {"ScatterElements", infer_elements, run_elements, NULL},
    {"Scatter", infer_elements, run_elements, NULL},
    {"GatherND", infer_nd, run_nd, NULL},
    {"ScatterND", infer_nd, run_nd, NULL},
    {"OneHot", infer_onehot, run_onehot, NULL},
    {"NonZero", infer_nonzero, run_nonzero, NULL},
};
const size_t hacl_index_nops = sizeof hacl_index_ops / sizeof hacl_index_ops[0];
