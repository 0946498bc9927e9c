/*
 * Data-movement operators: Constant, Shape, Squeeze, Unsqueeze, Gather,
 * Slice, Split and Pad (shape inference and reference C
 * kernels, see kernels.h). Inputs that decide output shapes (axes, starts,
 * pads, sizes...) must be constants, or computed from constants: hostacl
 * plans static shapes.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

/* Reads a constant int vector input, or an ints attribute: count or -1. */
static int ints_from(struct hacl_graph *g, const struct hacl_node *n, size_t input, const char *attr_name,
                     int64_t *out, int max)
{
    if (input < n->ninputs && n->inputs[input] >= 0)
        return hacl_const_ints(IN(n, input), out, max);
    return attr_name ? hacl_attr_ints(n, attr_name, out, max) : -1;
}

/* ---- Constant ---- */

static aclError infer_constant(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    if (n->noutputs < 1 || n->outputs[0] < 0)
        return FAIL("node '%s' (Constant) has no output", n->name);
    const Onnx__NodeProto *np = n->proto;
    struct hacl_tensor *o = OUT(n, 0);
    if (np->n_attribute != 1)
        return FAIL("node '%s' (Constant) needs exactly one value attribute", n->name);
    const Onnx__AttributeProto *a = np->attribute[0];
    const char *an = a->name ? a->name : "";
    int64_t one = 1;
    if (strcmp(an, "value") == 0 && a->t) {
        const char *keep = o->name;
        aclError rc = hacl_onnx_tensor_view(a->t, o, NULL, why, whylen);
        o->name = keep;
        if (rc != ACL_SUCCESS)
            return rc;
    } else if (strcmp(an, "value_float") == 0 && a->has_f) {
        set_out(o, F32, 0, NULL);
        o->data = &a->f;
    } else if (strcmp(an, "value_floats") == 0) {
        int64_t k = (int64_t)a->n_floats;
        set_out(o, F32, 1, &k);
        o->data = a->floats;
    } else if (strcmp(an, "value_int") == 0 && a->has_i) {
        set_out(o, I64, 0, NULL);
        o->data = &a->i;
    } else if (strcmp(an, "value_ints") == 0) {
        int64_t k = (int64_t)a->n_ints;
        set_out(o, I64, 1, &k);
        o->data = a->ints;
    } else {
        (void)one;
        return UNSUPPORTED("node '%s' (Constant): attribute '%s' is not supported", n->name, an);
    }
    o->is_const = 1;
    o->bytes = numel(o) * hacl_onnx_type_size(o->onnx_type);
    return ACL_SUCCESS;
}

static void run_nothing(const struct hacl_kernel_args *a)
{
    (void)a; /* constants are made at load */
}

/* ---- Shape ---- */

static void shape_range(const struct hacl_node *n, int rank, int64_t *start, int64_t *end)
{
    *start = hacl_attr_int(n, "start", 0);
    *end = hacl_attr_int(n, "end", rank);
    if (*start < 0)
        *start += rank;
    if (*end < 0)
        *end += rank;
    *start = *start < 0 ? 0 : *start > rank ? rank : *start;
    *end = *end < 0 ? 0 : *end > rank ? rank : *end;
    if (*end < *start)
        *end = *start;
}

static aclError infer_shape(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t s, e;
    shape_range(n, IN(n, 0)->rank, &s, &e);
    int64_t k = e - s;
    set_out(OUT(n, 0), I64, 1, &k);
    return ACL_SUCCESS;
}

static void run_shape(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int64_t s, e, *y = a->bufs[n->outputs[0]];
    shape_range(n, IN(n, 0)->rank, &s, &e);
    for (int64_t i = s; i < e; i++)
        y[i - s] = IN(n, 0)->dims[i];
}

/* ---- Squeeze, Unsqueeze (data is copied as is) ---- */

static void run_copy_bytes(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    size_t bytes = numel(IN(n, 0)) * esize(IN(n, 0));
    if (a->bufs[n->outputs[0]] != a->bufs[n->inputs[0]] && bytes)
        memcpy(a->bufs[n->outputs[0]], a->bufs[n->inputs[0]], bytes);
}

static aclError infer_squeeze(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axes[HACL_MAX_RANK];
    int k = ints_from(g, n, 1, "axes", axes, HACL_MAX_RANK);
    if (k < 0 && has_input(n, 1))
        return DYNAMIC("the axes input");
    int drop[HACL_MAX_RANK] = {0};
    for (int i = 0; i < k; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (ax < 0 || ax >= x->rank || x->dims[ax] != 1)
            return FAIL("node '%s' (Squeeze): axis %lld is out of range or not of size 1", n->name,
                        (long long)axes[i]);
        drop[ax] = 1;
    }
    int64_t d[HACL_MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++)
        if (!(k >= 0 ? drop[i] : x->dims[i] == 1))
            d[r++] = x->dims[i];
    set_out(OUT(n, 0), x->onnx_type, r, d);
    return ACL_SUCCESS;
}

static aclError infer_unsqueeze(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t axes[HACL_MAX_RANK];
    int k = ints_from(g, n, 1, "axes", axes, HACL_MAX_RANK);
    if (k < 0)
        return has_input(n, 1) ? DYNAMIC("the axes input") : FAIL("node '%s' (Unsqueeze) has no axes", n->name);
    int r = x->rank + k;
    if (r > HACL_MAX_RANK)
        return UNSUPPORTED("node '%s' (Unsqueeze): rank %d is more than hostacl handles", n->name, r);
    int ins[HACL_MAX_RANK] = {0};
    for (int i = 0; i < k; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + r : axes[i];
        if (ax < 0 || ax >= r || ins[ax]++)
            return FAIL("node '%s' (Unsqueeze): axis %lld is out of range or repeated", n->name, (long long)axes[i]);
    }
    int64_t d[HACL_MAX_RANK];
    for (int i = 0, j = 0; i < r; i++)
        d[i] = ins[i] ? 1 : x->dims[j++];
    set_out(OUT(n, 0), x->onnx_type, r, d);
    return ACL_SUCCESS;
}

/* ---- Gather ---- */

static aclError infer_gather(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 2, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < 2; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen) : FAIL("node '%s' (Gather) lacks an input", n->name);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *idx = IN(n, 1);
    if (idx->onnx_type != I64 && idx->onnx_type != I32)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (Gather): indices must be int64 or int32",
                        n->name);
    int64_t axis = hacl_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank)
        return FAIL("node '%s' (Gather): axis out of range", n->name);
    int r = x->rank - 1 + idx->rank;
    if (r > HACL_MAX_RANK)
        return UNSUPPORTED("node '%s' (Gather): output rank %d is more than hostacl handles", n->name, r);
    int64_t d[HACL_MAX_RANK];
    int k = 0;
    for (int i = 0; i < axis; i++)
        d[k++] = x->dims[i];
    for (int i = 0; i < idx->rank; i++)
        d[k++] = idx->dims[i];
    for (int i = (int)axis + 1; i < x->rank; i++)
        d[k++] = x->dims[i];
    set_out(OUT(n, 0), x->onnx_type, r, d);
    return ACL_SUCCESS;
}

static void run_gather(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *idx = IN(n, 1);
    int64_t axis = hacl_attr_int(n, "axis", 0);
    if (axis < 0)
        axis += x->rank;
    size_t es = esize(x), outer = 1, inner = es, ni = numel(idx);
    for (int i = 0; i < axis; i++)
        outer *= (size_t)x->dims[i];
    for (int i = (int)axis + 1; i < x->rank; i++)
        inner *= (size_t)x->dims[i];
    int64_t dim = x->dims[axis];
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    for (size_t j = 0; j < ni; j++) {
        int64_t v = idx->onnx_type == I64 ? ((const int64_t *)a->bufs[n->inputs[1]])[j]
                                          : ((const int32_t *)a->bufs[n->inputs[1]])[j];
        if (v < 0)
            v += dim;
        if (v < 0 || v >= dim) {
            *a->error = "an index is out of range";
            v = 0;
            if (!dim)
                return;
        }
        for (size_t o = 0; o < outer; o++)
            memcpy(y + (o * ni + j) * inner, src + (o * (size_t)dim + (size_t)v) * inner, inner);
    }
}

/* ---- Slice ---- */

struct slice {
    int64_t start[HACL_MAX_RANK], step[HACL_MAX_RANK], len[HACL_MAX_RANK];
};

static aclError slice_params(struct hacl_graph *g, const struct hacl_node *n, struct slice *sp, char *why,
                             size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    int64_t st[HACL_MAX_RANK], en[HACL_MAX_RANK], ax[HACL_MAX_RANK], sd[HACL_MAX_RANK];
    int opset10 = n->ninputs > 1;
    int ks = ints_from(g, n, 1, opset10 ? NULL : "starts", st, HACL_MAX_RANK);
    int ke = ints_from(g, n, 2, opset10 ? NULL : "ends", en, HACL_MAX_RANK);
    if (ks < 0 || ke < 0)
        return opset10 ? DYNAMIC("starts or ends") : FAIL("node '%s' (Slice) needs starts and ends", n->name);
    if (ks != ke)
        return FAIL("node '%s' (Slice): starts and ends differ in length", n->name);
    int ka = ints_from(g, n, 3, opset10 ? NULL : "axes", ax, HACL_MAX_RANK);
    if (ka < 0 && has_input(n, 3))
        return DYNAMIC("the axes input");
    int kd = ints_from(g, n, 4, NULL, sd, HACL_MAX_RANK);
    if (kd < 0 && has_input(n, 4))
        return DYNAMIC("the steps input");
    if ((ka >= 0 && ka != ks) || (kd >= 0 && kd != ks))
        return FAIL("node '%s' (Slice): axes or steps differ in length from starts", n->name);
    int seen[HACL_MAX_RANK] = {0};
    for (int i = 0; i < x->rank; i++) {
        sp->start[i] = 0;
        sp->step[i] = 1;
        sp->len[i] = x->dims[i];
    }
    for (int i = 0; i < ks; i++) {
        int64_t a = ka >= 0 ? ax[i] : i;
        if (a < 0)
            a += x->rank;
        if (a < 0 || a >= x->rank || seen[a]++)
            return FAIL("node '%s' (Slice): axis %lld is out of range or repeated", n->name, (long long)a);
        int64_t step = kd >= 0 ? sd[i] : 1, dim = x->dims[a], s = st[i], e = en[i];
        if (step == 0)
            return FAIL("node '%s' (Slice): a step is 0", n->name);
        if (s < 0)
            s += dim;
        if (e < 0)
            e += dim;
        if (step > 0) {
            s = s < 0 ? 0 : s > dim ? dim : s;
            e = e < 0 ? 0 : e > dim ? dim : e;
        } else {
            s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
            e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
        }
        int64_t len = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
        sp->start[a] = s;
        sp->step[a] = step;
        sp->len[a] = len > 0 ? len : 0;
    }
    return ACL_SUCCESS;
}

static aclError infer_slice(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 5, why, whylen);
    struct slice sp;
    if (rc == ACL_SUCCESS)
        rc = slice_params(g, n, &sp, why, whylen);
    if (rc == ACL_SUCCESS)
        set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, sp.len);
    return rc;
}

/* Copies an N-d strided view: element i of the output along axis k reads
 * input index start[k] + i * step[k]. */
static void copy_view(const struct hacl_tensor *x, const char *src, char *dst, const int64_t *start,
                      const int64_t *step, const int64_t *len)
{
    int r = x->rank;
    size_t es = esize(x);
    int64_t st[HACL_MAX_RANK], pos[HACL_MAX_RANK] = {0}, rows = 1;
    strides_of(x, st);
    if (r == 0) {
        memcpy(dst, src, es);
        return;
    }
    for (int k = 0; k < r - 1; k++)
        rows *= len[k];
    /* one row (the last axis) at a time: a single copy when it is
     * contiguous, as a slice along outer axes is */
    int64_t n = len[r - 1], sl = step[r - 1];
    size_t row_bytes = (size_t)n * es;
    if (n == 0)
        return;
    for (int64_t o = 0; o < rows; o++) {
        int64_t off = start[r - 1];
        for (int k = 0; k < r - 1; k++)
            off += (start[k] + pos[k] * step[k]) * st[k];
        char *d = dst + (size_t)o * row_bytes;
        if (sl == 1)
            memcpy(d, src + (size_t)off * es, row_bytes);
        else if (es == 4)
            for (int64_t i = 0; i < n; i++)
                memcpy(d + (size_t)i * 4, src + (size_t)(off + i * sl) * 4, 4);
        else
            for (int64_t i = 0; i < n; i++)
                memcpy(d + (size_t)i * es, src + (size_t)(off + i * sl) * es, es);
        hacl_index_next(pos, len, r - 1);
    }
}

static void run_slice(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct slice sp;
    char why[8];
    size_t whylen = sizeof why;
    if (slice_params((struct hacl_graph *)g, n, &sp, why, whylen) != ACL_SUCCESS)
        return; /* checked at load */
    copy_view(IN(n, 0), a->bufs[n->inputs[0]], a->bufs[n->outputs[0]], sp.start, sp.step, sp.len);
}

/* ---- Split ---- */

static aclError split_sizes(struct hacl_graph *g, const struct hacl_node *n, int64_t *axis, int64_t *sizes,
                            char *why, size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    *axis = hacl_attr_int(n, "axis", 0);
    if (*axis < 0)
        *axis += x->rank;
    if (*axis < 0 || *axis >= x->rank)
        return FAIL("node '%s' (Split): axis out of range", n->name);
    int k = (int)n->noutputs;
    if (k < 1 || k > 64)
        return UNSUPPORTED("node '%s' (Split): %d outputs", n->name, k);
    int64_t dim = x->dims[*axis];
    int given = ints_from(g, n, 1, "split", sizes, 64);
    if (given < 0 && has_input(n, 1))
        return DYNAMIC("the split input");
    if (given >= 0) {
        int64_t sum = 0;
        for (int i = 0; i < given; i++)
            sum += sizes[i] < 0 ? -1 : sizes[i];
        if (given != k || sum != dim)
            return FAIL("node '%s' (Split): the sizes do not add up to %lld over %d outputs", n->name,
                        (long long)dim, k);
    } else {
        if (dim % k)
            return FAIL("node '%s' (Split): %lld does not split into %d equal parts", n->name, (long long)dim, k);
        for (int i = 0; i < k; i++)
            sizes[i] = dim / k;
    }
    return ACL_SUCCESS;
}

static aclError infer_split(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 2, why, whylen);
    int64_t axis, sizes[64];
    if (rc == ACL_SUCCESS)
        rc = split_sizes(g, n, &axis, sizes, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    for (size_t i = 0; i < n->noutputs; i++) {
        if (n->outputs[i] < 0)
            continue;
        int64_t d[HACL_MAX_RANK];
        memcpy(d, x->dims, sizeof(int64_t) * (size_t)x->rank);
        d[axis] = sizes[i];
        set_out(OUT(n, i), x->onnx_type, x->rank, d);
    }
    return ACL_SUCCESS;
}

static void run_split(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int64_t axis, sizes[64];
    char why[8];
    size_t whylen = sizeof why;
    if (split_sizes((struct hacl_graph *)g, n, &axis, sizes, why, whylen) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t start[HACL_MAX_RANK] = {0}, step[HACL_MAX_RANK], len[HACL_MAX_RANK];
    for (int k = 0; k < x->rank; k++)
        step[k] = 1, len[k] = x->dims[k];
    for (size_t i = 0; i < n->noutputs; i++) {
        len[axis] = sizes[i];
        if (n->outputs[i] >= 0)
            copy_view(x, a->bufs[n->inputs[0]], a->bufs[n->outputs[i]], start, step, len);
        start[axis] += sizes[i];
    }
}

/* Whether a box (start, len per axis, steps 1) of row-major x is one
 * contiguous run of its bytes: every axis before the first partial one
 * has length 1, every axis after it is whole. *off: where it begins. */
static int box_is_run(const struct hacl_tensor *x, const int64_t *start, const int64_t *len, size_t *off)
{
    int a = 0;
    while (a < x->rank && len[a] == 1)
        a++;
    for (int i = a + 1; i < x->rank; i++)
        if (start[i] != 0 || len[i] != x->dims[i])
            return 0;
    size_t e = 0, stride = 1;
    for (int i = x->rank - 1; i >= 0; i--) {
        e += (size_t)start[i] * stride;
        stride *= (size_t)x->dims[i];
    }
    *off = e * hacl_onnx_type_size(x->onnx_type);
    return 1;
}

static int pad_is_identity(struct hacl_graph *g, const struct hacl_node *n);

int hacl_slice_is_view(struct hacl_graph *g, const struct hacl_node *n, size_t out, size_t *byte_offset)
{
    char why[8];
    size_t whylen = sizeof why;
    const struct hacl_tensor *x = IN(n, 0);
    if (!strcmp(n->op, "Slice")) {
        struct slice sp;
        if (out != 0 || slice_params(g, n, &sp, why, whylen) != ACL_SUCCESS)
            return 0;
        for (int i = 0; i < x->rank; i++)
            if (sp.step[i] != 1 && sp.len[i] > 1)
                return 0;
        return box_is_run(x, sp.start, sp.len, byte_offset);
    }
    if (!strcmp(n->op, "Split")) {
        int64_t axis, sizes[64], start[HACL_MAX_RANK] = {0}, len[HACL_MAX_RANK];
        if (n->noutputs > 64 || split_sizes(g, n, &axis, sizes, why, whylen) != ACL_SUCCESS)
            return 0;
        for (int k = 0; k < x->rank; k++)
            len[k] = x->dims[k];
        for (size_t i = 0; i < out; i++)
            start[axis] += sizes[i];
        len[axis] = sizes[out];
        return box_is_run(x, start, len, byte_offset);
    }
    /* Pad by nothing (swin_t pads each stage's map to whole windows:
     * 56, 28, 14 and 7 need none) */
    if (!strcmp(n->op, "Pad")) {
        if (out != 0 || !pad_is_identity(g, n))
            return 0;
        *byte_offset = 0;
        return 1;
    }
    /* Gather of one constant index: swin_t takes q, k and v out of its
     * stacked projection so, along an axis with nothing before it. */
    if (!strcmp(n->op, "Gather")) {
        const struct hacl_tensor *ix = n->ninputs > 1 && n->inputs[1] >= 0 ? IN(n, 1) : NULL;
        if (out != 0 || !ix || !ix->is_const || !ix->data || numel(ix) != 1 || ix->rank > 1 ||
            (ix->onnx_type != I64 && ix->onnx_type != I32) || x->rank < 1)
            return 0;
        int64_t axis = hacl_attr_int(n, "axis", 0), i = load_i(ix->onnx_type, ix->data, 0);
        if (axis < 0)
            axis += x->rank;
        if (axis < 0 || axis >= x->rank)
            return 0;
        if (i < 0)
            i += x->dims[axis];
        if (i < 0 || i >= x->dims[axis]) /* the kernel reports it */
            return 0;
        int64_t start[HACL_MAX_RANK] = {0}, len[HACL_MAX_RANK];
        for (int k = 0; k < x->rank; k++)
            len[k] = x->dims[k];
        start[axis] = i, len[axis] = 1;
        return box_is_run(x, start, len, byte_offset);
    }
    return 0;
}

/* ---- Pad ---- */

struct pad {
    int64_t pads[2 * HACL_MAX_RANK];
    int mode; /* 0 constant, 1 reflect, 2 edge, 3 wrap */
    char value[16]; /* constant mode: one element of the input's type */
};

static aclError pad_params(struct hacl_graph *g, const struct hacl_node *n, struct pad *pp, char *why, size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    int r = x->rank;
    int64_t given[2 * HACL_MAX_RANK], axes[HACL_MAX_RANK];
    int k = ints_from(g, n, 1, g->opset >= 11 ? NULL : "pads", given, 2 * HACL_MAX_RANK);
    if (k < 0 && g->opset < 11)
        k = hacl_attr_ints(n, "paddings", given, 2 * HACL_MAX_RANK);
    if (k < 0)
        return has_input(n, 1) ? DYNAMIC("the pads input") : FAIL("node '%s' (Pad) has no pads", n->name);
    /* axes (opset 18): the pads name only these axes */
    int na = r;
    for (int i = 0; i < r; i++)
        axes[i] = i;
    if (has_input(n, 3)) {
        na = hacl_const_ints(IN(n, 3), axes, HACL_MAX_RANK);
        if (na < 0)
            return DYNAMIC("the axes input");
    }
    if (k != 2 * na)
        return FAIL("node '%s' (Pad): %d pads for %d axes", n->name, k, na);
    memset(pp->pads, 0, sizeof pp->pads);
    for (int i = 0; i < na; i++) {
        int64_t ax = axes[i] < 0 ? axes[i] + r : axes[i];
        if (ax < 0 || ax >= r)
            return FAIL("node '%s' (Pad): axis %lld is out of range", n->name, (long long)axes[i]);
        pp->pads[ax] = given[i];
        pp->pads[ax + r] = given[i + na];
    }
    const Onnx__AttributeProto *m = attr(n, "mode");
    const char *mode = m && m->has_s ? (const char *)m->s.data : "constant";
    size_t ml = m && m->has_s ? m->s.len : 8;
    pp->mode = ml == 8 && !strncmp(mode, "constant", 8) ? 0 : ml == 7 && !strncmp(mode, "reflect", 7) ? 1
             : ml == 4 && !strncmp(mode, "edge", 4)     ? 2
             : ml == 4 && !strncmp(mode, "wrap", 4)     ? 3
                                                        : -1;
    if (pp->mode < 0)
        return UNSUPPORTED("node '%s' (Pad): mode '%.*s' is not supported", n->name, (int)ml, mode);
    if (!esize(x) || x->onnx_type == 8)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (Pad): type %d", n->name,
                        x->onnx_type);
    memset(pp->value, 0, sizeof pp->value);
    float fv = hacl_attr_float(n, "value", 0.0f);
    if (fv != 0)
        memcpy(pp->value, &fv, sizeof fv); /* Pad-2's attribute: float32 inputs */
    if (has_input(n, 2) && hacl_tensor_elements(IN(n, 2)) != 0) {
        const struct hacl_tensor *v = IN(n, 2);
        if (!v->is_const)
            return DYNAMIC("the constant_value input");
        if (v->onnx_type != x->onnx_type || numel(v) != 1)
            return FAIL("node '%s' (Pad): constant_value must be one value of the input's type", n->name);
        memcpy(pp->value, v->data, esize(v));
    }
    for (int i = 0; i < r; i++) {
        int64_t d = x->dims[i] + pp->pads[i] + pp->pads[i + r];
        if (d < 0 || pp->pads[i] > ((int64_t)1 << 32) || pp->pads[i + r] > ((int64_t)1 << 32))
            return FAIL("node '%s' (Pad): pads are out of range for axis %d", n->name, i);
        if (pp->mode == 1 && (pp->pads[i] >= x->dims[i] || pp->pads[i + r] >= x->dims[i]) &&
            (pp->pads[i] > 0 || pp->pads[i + r] > 0))
            return UNSUPPORTED("node '%s' (Pad): reflect pads must be shorter than the axis", n->name);
        if (pp->mode != 0 && x->dims[i] == 0 && d > 0)
            return FAIL("node '%s' (Pad): cannot fill an empty axis in this mode", n->name);
    }
    return ACL_SUCCESS;
}

/* A Pad whose pads are all zero: its output is its input. */
static int pad_is_identity(struct hacl_graph *g, const struct hacl_node *n)
{
    struct pad pp;
    char why[8];
    if (pad_params(g, n, &pp, why, sizeof why) != ACL_SUCCESS)
        return 0;
    for (int i = 0; i < 2 * IN(n, 0)->rank; i++)
        if (pp.pads[i] != 0)
            return 0;
    return 1;
}

static aclError infer_pad(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 4, why, whylen);
    struct pad pp;
    if (rc == ACL_SUCCESS)
        rc = pad_params(g, n, &pp, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t d[HACL_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        d[i] = x->dims[i] + pp.pads[i] + pp.pads[i + x->rank];
    set_out(OUT(n, 0), x->onnx_type, x->rank, d);
    return ACL_SUCCESS;
}

static void run_pad(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct pad pp;
    char why[8];
    size_t whylen = sizeof why;
    if (pad_params((struct hacl_graph *)g, n, &pp, why, whylen) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *x = IN(n, 0), *o = OUT(n, 0);
    int r = x->rank;
    size_t es = esize(x);
    int64_t st[HACL_MAX_RANK], pos[HACL_MAX_RANK] = {0}, total = (int64_t)numel(o);
    strides_of(x, st);
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    if (r > 0 && x->dims[r - 1] > 0) {
        /* row by row along the last axis: the source row (resolved per
         * outer index as below), its middle copied whole, the ends filled
         * per element */
        int64_t len = o->dims[r - 1], d = x->dims[r - 1], lo = pp.pads[r - 1];
        int64_t rows = len ? total / len : 0;
        for (int64_t row = 0; row < rows; row++) {
            int64_t off = 0;
            int outside = 0;
            for (int k = 0; k < r - 1; k++) {
                int64_t i = pos[k] - pp.pads[k], dk = x->dims[k];
                if (i < 0 || i >= dk) {
                    if (pp.mode == 0)
                        outside = 1;
                    else if (pp.mode == 2)
                        i = i < 0 ? 0 : dk - 1;
                    else if (pp.mode == 3)
                        i = ((i % dk) + dk) % dk;
                    else
                        i = i < 0 ? -i : 2 * (dk - 1) - i;
                }
                off += i * st[k];
            }
            char *dst = y + (size_t)(row * len) * es;
            for (int64_t j = 0; j < len; j++) {
                int64_t i = j - lo;
                if (!outside && i >= 0 && i < d) { /* the middle: one copy */
                    int64_t run = d - i < len - j ? d - i : len - j;
                    memcpy(dst + (size_t)j * es, src + (size_t)(off + i) * es, (size_t)run * es);
                    j += run - 1;
                    continue;
                }
                int out = outside || pp.mode == 0;
                if (!out)
                    i = pp.mode == 2 ? (i < 0 ? 0 : d - 1) : pp.mode == 3 ? ((i % d) + d) % d
                                                                           : (i < 0 ? -i : 2 * (d - 1) - i);
                memcpy(dst + (size_t)j * es, out ? pp.value : src + (size_t)(off + i) * es, es);
            }
            hacl_index_next(pos, o->dims, r - 1);
        }
        return;
    }
    for (int64_t e = 0; e < total; e++) {
        int64_t off = 0;
        int outside = 0;
        for (int k = 0; k < r; k++) {
            int64_t i = pos[k] - pp.pads[k], d = x->dims[k];
            if (i < 0 || i >= d) {
                if (pp.mode == 0)
                    outside = 1;
                else if (pp.mode == 2)
                    i = i < 0 ? 0 : d - 1;
                else if (pp.mode == 3)
                    i = ((i % d) + d) % d;
                else
                    i = i < 0 ? -i : 2 * (d - 1) - i;
            }
            off += i * st[k];
        }
        char *dst = y + (size_t)e * es;
        memcpy(dst, outside ? pp.value : src + (size_t)off * es, es);
        hacl_index_next(pos, o->dims, r);
    }
}

const struct hacl_op hacl_tensor_ops[] = {
    {"Constant", infer_constant, run_nothing, NULL},
    {"Shape", infer_shape, run_shape, NULL},
    {"Squeeze", infer_squeeze, run_copy_bytes, NULL},
    {"Unsqueeze", infer_unsqueeze, run_copy_bytes, NULL},
    {"Gather", infer_gather, run_gather, NULL},
    {"Slice", infer_slice, run_slice, NULL},
    {"Split", infer_split, run_split, NULL},
    {"Pad", infer_pad, run_pad, NULL},
};
const size_t hacl_tensor_nops = sizeof hacl_tensor_ops / sizeof hacl_tensor_ops[0];
