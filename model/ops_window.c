/*
 * Sliding-window operators over 1 to 3 spatial dims: Conv, MaxPool,
 * AveragePool, GlobalAveragePool, GlobalMaxPool. The geometry (pads
 * resolved from auto_pad and ceil_mode, output extents) is computed here
 * once for the C kernels and the oneDNN steps (prog.c) alike.
 *
 * The C kernels visit only window positions that land in the input:
 * kernel and pads may be far larger than the input (legal, if absurd), so
 * positions in the padding are counted arithmetically, never looped over.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

static int window_attrs_ok(const int64_t *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i] > WINDOW_ATTR_MAX)
            return 0;
    return 1;
}

/* Applies the node's auto_pad (SAME_UPPER, SAME_LOWER, VALID) to the pads
 * of each spatial dim; NOTSET keeps them. */
static void apply_auto_pad(const struct hacl_node *n, struct hacl_conv_geom *cg)
{
    const Onnx__AttributeProto *ap = attr(n, "auto_pad");
    const char *s = ap && ap->has_s ? (const char *)ap->s.data : NULL;
    size_t len = ap && ap->has_s ? ap->s.len : 0;
    int same = s && len >= 8 && strncmp(s, "SAME_", 5) == 0, upper = same && len >= 10 && !strncmp(s, "SAME_UPPER", 10);
    int valid = s && len == 5 && strncmp(s, "VALID", 5) == 0;
    for (int i = 0; i < cg->sp && (same || valid); i++) {
        if (valid) {
            cg->pb[i] = cg->pe[i] = 0;
            continue;
        }
        int64_t ek = (cg->k[i] - 1) * cg->d[i] + 1, out = (cg->in[i] + cg->s[i] - 1) / cg->s[i];
        int64_t total = (out - 1) * cg->s[i] + ek - cg->in[i];
        total = total < 0 ? 0 : total;
        cg->pb[i] = upper ? total / 2 : total - total / 2;
        cg->pe[i] = total - cg->pb[i];
    }
}

/* Strides, dilations and pads from the attributes; 0 or an error. */
static aclError window_attrs(struct hacl_graph *g, const struct hacl_node *n, struct hacl_conv_geom *cg, char *why,
                             size_t whylen)
{
    (void)g;
    int sp = cg->sp;
    int64_t p[6] = {0};
    for (int i = 0; i < 3; i++)
        cg->s[i] = cg->d[i] = 1;
    int ks = hacl_attr_ints(n, "strides", cg->s, 3), kd = hacl_attr_ints(n, "dilations", cg->d, 3);
    int kp = hacl_attr_ints(n, "pads", p, 6);
    if ((ks >= 0 && ks != sp) || (kd >= 0 && kd != sp) || (kp >= 0 && kp != 2 * sp))
        return FAIL("node '%s' (%s): strides, dilations or pads do not have one entry per spatial dim", n->name,
                    n->op);
    for (int i = 0; i < sp; i++) {
        cg->pb[i] = p[i] + (n->absorbed_pad ? n->pad_begin[i] : 0);
        cg->pe[i] = p[i + sp] + (n->absorbed_pad ? n->pad_end[i] : 0);
        if (cg->s[i] < 1 || cg->d[i] < 1 || cg->pb[i] < 0 || cg->pe[i] < 0)
            return FAIL("node '%s' (%s): strides and dilations must be positive, pads not negative", n->name, n->op);
    }
    if (!window_attrs_ok(cg->s, sp) || !window_attrs_ok(cg->d, sp) || !window_attrs_ok(p, 2 * sp) ||
        !window_attrs_ok(cg->k, sp))
        return FAIL("node '%s' (%s): kernel, strides, dilations and pads must be at most %lld", n->name, n->op,
                    (long long)WINDOW_ATTR_MAX);
    for (int i = sp; i < 3; i++) {
        cg->in[i] = cg->k[i] = cg->out[i] = cg->s[i] = cg->d[i] = 1;
        cg->pb[i] = cg->pe[i] = 0;
    }
    return ACL_SUCCESS;
}

aclError hacl_conv_geometry(struct hacl_graph *g, const struct hacl_node *n, struct hacl_conv_geom *cg, char *why,
                            size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0), *w = IN(n, 1);
    memset(cg, 0, sizeof *cg);
    cg->sp = x->rank - 2;
    if (cg->sp < 1 || cg->sp > 3 || w->rank != x->rank)
        return UNSUPPORTED("node '%s' (Conv): hostacl runs 1-D to 3-D convolutions (input and weight of rank 3 to 5)",
                           n->name);
    for (int i = 0; i < cg->sp; i++) {
        cg->k[i] = w->dims[2 + i];
        cg->in[i] = x->dims[2 + i];
    }
    int64_t ks[3];
    int nk = hacl_attr_ints(n, "kernel_shape", ks, 3);
    if (nk >= 0 && (nk != cg->sp || memcmp(ks, cg->k, sizeof(int64_t) * (size_t)cg->sp)))
        return FAIL("node '%s' (Conv): kernel_shape does not match the weight", n->name);
    cg->group = hacl_attr_int(n, "group", 1);
    cg->n = x->dims[0], cg->c = x->dims[1], cg->m = w->dims[0];
    if (cg->group < 1 || cg->c % cg->group || cg->m % cg->group || w->dims[1] != cg->c / cg->group)
        return FAIL("node '%s' (Conv): channels %lld, weight %lldx%lld and group %lld do not fit", n->name,
                    (long long)cg->c, (long long)w->dims[0], (long long)w->dims[1], (long long)cg->group);
    aclError rc = window_attrs(g, n, cg, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    apply_auto_pad(n, cg);
    for (int i = 0; i < cg->sp; i++) {
        int64_t ek = (cg->k[i] - 1) * cg->d[i] + 1;
        cg->out[i] = (cg->in[i] + cg->pb[i] + cg->pe[i] - ek) / cg->s[i] + 1;
        if (cg->in[i] + cg->pb[i] + cg->pe[i] < ek || cg->out[i] < 1)
            return FAIL("node '%s' (Conv): the kernel is larger than the padded input", n->name);
    }
    return ACL_SUCCESS;
}

static void out_dims(const struct hacl_conv_geom *cg, int64_t ch, int64_t *d)
{
    d[0] = cg->n, d[1] = ch;
    for (int i = 0; i < cg->sp; i++)
        d[2 + i] = cg->out[i];
}

static aclError infer_conv(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 3, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_known_all(g, n, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!has_input(n, 1))
        return FAIL("node '%s' (Conv) has no weight", n->name);
    if (IN(n, 0)->onnx_type != F32 || IN(n, 1)->onnx_type != F32 || (has_input(n, 2) && IN(n, 2)->onnx_type != F32))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (Conv) computes float32 only", n->name);
    struct hacl_conv_geom cg;
    if ((rc = hacl_conv_geometry(g, n, &cg, why, whylen)) != ACL_SUCCESS)
        return rc;
    if (has_input(n, 2) && (IN(n, 2)->rank != 1 || IN(n, 2)->dims[0] != cg.m))
        return FAIL("node '%s' (Conv): the bias must have %lld values", n->name, (long long)cg.m);
    int64_t d[5];
    out_dims(&cg, cg.m, d);
    set_out(OUT(n, 0), F32, 2 + cg.sp, d);
    return ACL_SUCCESS;
}

/* The window steps k in [0, K) whose position base + k * d lies in
 * [lo, hi): *k0..*k1 (empty when *k1 < *k0). */
static void window_range(int64_t base, int64_t d, int64_t K, int64_t lo, int64_t hi, int64_t *k0, int64_t *k1)
{
    int64_t a = lo - base, b = hi - 1 - base; /* d * k in [a, b] */
    *k0 = a <= 0 ? 0 : (a + d - 1) / d;
    *k1 = b < 0 ? -1 : b / d;
    if (*k1 > K - 1)
        *k1 = K - 1;
}

static void run_conv(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct hacl_conv_geom cg;
    char why[8];
    if (hacl_conv_geometry((struct hacl_graph *)g, n, &cg, why, sizeof why) != ACL_SUCCESS)
        return; /* checked at load */
    const float *x = a->bufs[n->inputs[0]], *w = a->bufs[n->inputs[1]];
    const float *b = has_input(n, 2) ? a->bufs[n->inputs[2]] : NULL;
    float *y = a->bufs[n->outputs[0]];
    int64_t cpg = cg.c / cg.group, mpg = cg.m / cg.group;
    int64_t isz = cg.in[0] * cg.in[1] * cg.in[2], ksz = cg.k[0] * cg.k[1] * cg.k[2];
    int64_t osz = cg.out[0] * cg.out[1] * cg.out[2];
    for (int64_t in = 0; in < cg.n; in++)
        for (int64_t m = 0; m < cg.m; m++) {
            int64_t gi = m / mpg;
            for (int64_t o0 = 0; o0 < cg.out[0]; o0++)
                for (int64_t o1 = 0; o1 < cg.out[1]; o1++)
                    for (int64_t o2 = 0; o2 < cg.out[2]; o2++) {
                        int64_t b0 = o0 * cg.s[0] - cg.pb[0], b1 = o1 * cg.s[1] - cg.pb[1], b2 = o2 * cg.s[2] - cg.pb[2];
                        int64_t r[3][2];
                        window_range(b0, cg.d[0], cg.k[0], 0, cg.in[0], &r[0][0], &r[0][1]);
                        window_range(b1, cg.d[1], cg.k[1], 0, cg.in[1], &r[1][0], &r[1][1]);
                        window_range(b2, cg.d[2], cg.k[2], 0, cg.in[2], &r[2][0], &r[2][1]);
                        double acc = b ? b[m] : 0.0;
                        for (int64_t c = 0; c < cpg; c++) {
                            const float *xc = x + (in * cg.c + gi * cpg + c) * isz;
                            const float *wc = w + (m * cpg + c) * ksz;
                            for (int64_t k0 = r[0][0]; k0 <= r[0][1]; k0++)
                                for (int64_t k1 = r[1][0]; k1 <= r[1][1]; k1++)
                                    for (int64_t k2 = r[2][0]; k2 <= r[2][1]; k2++) {
                                        int64_t i0 = b0 + k0 * cg.d[0], i1 = b1 + k1 * cg.d[1], i2 = b2 + k2 * cg.d[2];
                                        acc += (double)xc[(i0 * cg.in[1] + i1) * cg.in[2] + i2] *
                                               wc[(k0 * cg.k[1] + k1) * cg.k[2] + k2];
                                    }
                        }
                        y[(in * cg.m + m) * osz + (o0 * cg.out[1] + o1) * cg.out[2] + o2] = (float)acc;
                    }
        }
}

/* ---- pooling ---- */

aclError hacl_pool_geometry(struct hacl_graph *g, const struct hacl_node *n, struct hacl_conv_geom *cg, char *why,
                            size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    int is_max = !strcmp(n->op, "MaxPool");
    if (is_max ? !is_numeric_type(x->onnx_type) || x->onnx_type == BOOL : !is_float_type(x->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s): element type %d", n->name, n->op,
                        x->onnx_type);
    memset(cg, 0, sizeof *cg);
    cg->sp = x->rank - 2;
    if (cg->sp < 1 || cg->sp > 3)
        return UNSUPPORTED("node '%s' (%s): hostacl pools inputs of rank 3 to 5", n->name, n->op);
    if (hacl_attr_ints(n, "kernel_shape", cg->k, 3) != cg->sp)
        return FAIL("node '%s' (%s) needs a kernel_shape with one entry per spatial dim", n->name, n->op);
    for (int i = 0; i < cg->sp; i++)
        if (cg->k[i] < 1)
            return FAIL("node '%s' (%s): kernel_shape must be positive", n->name, n->op);
    cg->n = x->dims[0], cg->c = x->dims[1], cg->m = cg->c, cg->group = 1;
    for (int i = 0; i < cg->sp; i++)
        cg->in[i] = x->dims[2 + i];
    aclError rc = window_attrs(g, n, cg, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    apply_auto_pad(n, cg);
    int ceil_mode = (int)hacl_attr_int(n, "ceil_mode", 0);
    for (int i = 0; i < cg->sp; i++) {
        int64_t ek = (cg->k[i] - 1) * cg->d[i] + 1, span = cg->in[i] + cg->pb[i] + cg->pe[i] - ek;
        if (span < 0)
            return FAIL("node '%s' (%s): the kernel is larger than the padded input", n->name, n->op);
        cg->out[i] = (ceil_mode ? (span + cg->s[i] - 1) / cg->s[i] : span / cg->s[i]) + 1;
        /* A window must start inside the input or its leading padding. */
        if (ceil_mode && (cg->out[i] - 1) * cg->s[i] >= cg->in[i] + cg->pb[i])
            cg->out[i]--;
    }
    return ACL_SUCCESS;
}

static aclError infer_pool(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    struct hacl_conv_geom cg;
    if (rc == ACL_SUCCESS)
        rc = hacl_pool_geometry(g, n, &cg, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t d[5];
    out_dims(&cg, cg.c, d);
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, 2 + cg.sp, d);
    if (n->noutputs > 1 && n->outputs[1] >= 0) /* MaxPool's Indices */
        set_out(OUT(n, 1), I64, 2 + cg.sp, d);
    return ACL_SUCCESS;
}

static void run_pool(const struct hacl_kernel_args *a, int is_max)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct hacl_conv_geom cg;
    char why[8];
    if (hacl_pool_geometry((struct hacl_graph *)g, n, &cg, why, sizeof why) != ACL_SUCCESS)
        return;
    int include_pad = hacl_pool_counts_pad(n), t = IN(n, 0)->onnx_type;
    int col_major = hacl_attr_int(n, "storage_order", 0) != 0;
    const void *x = a->bufs[n->inputs[0]];
    void *y = a->bufs[n->outputs[0]];
    int64_t *ix = n->noutputs > 1 && n->outputs[1] >= 0 ? a->bufs[n->outputs[1]] : NULL;
    int64_t isz = cg.in[0] * cg.in[1] * cg.in[2], osz = cg.out[0] * cg.out[1] * cg.out[2];
    for (int64_t p = 0; p < cg.n * cg.c; p++) {
        for (int64_t o = 0; o < osz; o++) {
            int64_t oi[3] = {o / (cg.out[1] * cg.out[2]), (o / cg.out[2]) % cg.out[1], o % cg.out[2]};
            int64_t base[3], r[3][2], count = 1, padded = 1;
            for (int i = 0; i < 3; i++) {
                int64_t pr0, pr1;
                base[i] = oi[i] * cg.s[i] - cg.pb[i];
                window_range(base[i], cg.d[i], cg.k[i], 0, cg.in[i], &r[i][0], &r[i][1]);
                window_range(base[i], cg.d[i], cg.k[i], -cg.pb[i], cg.in[i] + cg.pe[i], &pr0, &pr1);
                count *= r[i][1] >= r[i][0] ? r[i][1] - r[i][0] + 1 : 0;
                padded *= pr1 >= pr0 ? pr1 - pr0 + 1 : 0;
            }
            double acc = is_max ? -INFINITY : 0.0;
            int64_t best = 0;
            for (int64_t k0 = r[0][0]; k0 <= r[0][1]; k0++)
                for (int64_t k1 = r[1][0]; k1 <= r[1][1]; k1++)
                    for (int64_t k2 = r[2][0]; k2 <= r[2][1]; k2++) {
                        int64_t i0 = base[0] + k0 * cg.d[0], i1 = base[1] + k1 * cg.d[1], i2 = base[2] + k2 * cg.d[2];
                        int64_t at = (i0 * cg.in[1] + i1) * cg.in[2] + i2;
                        double v = load_f(t, x, (size_t)(p * isz + at));
                        if (!is_max) {
                            acc += v;
                        } else if (v > acc) {
                            acc = v;
                            /* column-major: the spatial dims' order reversed */
                            best = col_major ? (i2 * cg.in[1] + i1) * cg.in[0] + i0 : at;
                        }
                    }
            int64_t div = include_pad ? padded : count;
            store_f(t, y, (size_t)(p * osz + o), is_max ? acc : div ? acc / (double)div : 0.0);
            if (ix)
                ix[p * osz + o] = p * isz + best;
        }
    }
}

static void run_maxpool(const struct hacl_kernel_args *a) { run_pool(a, 1); }
static void run_avgpool(const struct hacl_kernel_args *a) { run_pool(a, 0); }

static aclError infer_global(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if (x->onnx_type != F32)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) computes float32 only", n->name,
                        n->op);
    if (x->rank < 3)
        return FAIL("node '%s' (%s) needs an input of rank 3 or more", n->name, n->op);
    int64_t d[HACL_MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        d[i] = i < 2 ? x->dims[i] : 1;
    set_out(OUT(n, 0), F32, x->rank, d);
    return ACL_SUCCESS;
}

static void run_global(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *t = IN(n, 0);
    int is_max = !strcmp(n->op, "GlobalMaxPool");
    size_t planes = (size_t)(t->dims[0] * t->dims[1]), inner = planes ? numel(t) / planes : 0;
    const float *x = a->bufs[n->inputs[0]];
    float *y = a->bufs[n->outputs[0]];
    for (size_t p = 0; p < planes; p++) {
        double s = is_max ? -INFINITY : 0;
        for (size_t i = 0; i < inner; i++)
            s = is_max ? (x[p * inner + i] > s ? x[p * inner + i] : s) : s + x[p * inner + i];
        y[p] = (float)(is_max ? s : inner ? s / (double)inner : 0);
    }
}

int hacl_pool_counts_pad(const struct hacl_node *n)
{
    return hacl_attr_int(n, "count_include_pad", 0) != 0 || n->absorbed_pad;
}

/* Absorbs Pad nodes (constant zeros on spatial dims only) into the one
 * Conv or AveragePool reading them: Inception and DenseNet export
 * avg_pool2d(padding=1) as Pad + AveragePool, a C kernel and two reorders
 * around it. An AveragePool then counts the absorbed zeros, as it counted
 * them when they were real. */
void hacl_graph_absorb_pads(struct hacl_graph *g)
{
    int *readers = hacl_calloc(g->ntensors ? g->ntensors : 1, sizeof *readers);
    if (!readers)
        return; /* an optimisation only */
    for (size_t i = 0; i < g->nnodes; i++)
        for (size_t j = 0; j < g->nodes[i].ninputs; j++)
            if (g->nodes[i].inputs[j] >= 0)
                readers[g->nodes[i].inputs[j]]++;
    for (size_t i = 0; i < g->noutputs; i++)
        readers[g->outputs[i]] += 2; /* never absorb a model output */
    for (size_t i = 0; i < g->nnodes; i++) {
        struct hacl_node *pad = &g->nodes[i];
        if (strcmp(pad->op, "Pad") != 0 || pad->folded || pad->noutputs != 1 || pad->outputs[0] < 0 ||
            pad->ninputs < 2 || pad->inputs[0] < 0 || readers[pad->outputs[0]] != 1)
            continue;
        const struct hacl_tensor *x = &g->tensors[pad->inputs[0]];
        const Onnx__AttributeProto *m = attr(pad, "mode");
        int64_t p[2 * HACL_MAX_RANK];
        int sp = x->rank - 2;
        if (sp < 1 || sp > 3 || (m && !(m->has_s && m->s.len == 8 && !strncmp((const char *)m->s.data, "constant", 8))) ||
            (pad->ninputs > 3 && pad->inputs[3] >= 0) || hacl_const_ints(IN(pad, 1), p, 2 * HACL_MAX_RANK) != 2 * x->rank)
            continue;
        if (pad->ninputs > 2 && pad->inputs[2] >= 0) { /* the value must be a constant zero */
            const struct hacl_tensor *v = IN(pad, 2);
            if (!v->is_const || numel(v) != 1 || load_f(v->onnx_type, v->data, 0) != 0)
                continue;
        }
        int ok = x->onnx_type == F32 && p[0] == 0 && p[1] == 0 && p[x->rank] == 0 && p[x->rank + 1] == 0;
        for (int k = 0; k < sp && ok; k++)
            ok = p[2 + k] >= 0 && p[x->rank + 2 + k] >= 0 && p[2 + k] <= WINDOW_ATTR_MAX &&
                 p[x->rank + 2 + k] <= WINDOW_ATTR_MAX;
        if (!ok)
            continue;
        /* its reader */
        struct hacl_node *r = NULL;
        for (size_t j = i + 1; j < g->nnodes && !r; j++)
            for (size_t k = 0; k < g->nodes[j].ninputs; k++)
                if (g->nodes[j].inputs[k] == pad->outputs[0])
                    r = &g->nodes[j];
        if (!r || r->inputs[0] != pad->outputs[0] || r->absorbed_pad || attr(r, "auto_pad"))
            continue;
        int64_t own[6] = {0};
        int nown = hacl_attr_ints(r, "pads", own, 6);
        int zero_own = 1;
        for (int k = 0; k < nown && k < 6; k++)
            zero_own = zero_own && own[k] == 0;
        int conv = !strcmp(r->op, "Conv");
        int avg = !strcmp(r->op, "AveragePool") && (zero_own || hacl_attr_int(r, "count_include_pad", 0)) &&
                  !hacl_attr_int(r, "ceil_mode", 0);
        if (!conv && !avg)
            continue;
        r->absorbed_pad = 1;
        for (int k = 0; k < sp; k++) {
            r->pad_begin[k] = p[2 + k];
            r->pad_end[k] = p[x->rank + 2 + k];
        }
        r->inputs[0] = pad->inputs[0];
        pad->folded = 1;
    }
    hacl_free(readers);
}

const struct hacl_op hacl_window_ops[] = {
    {"Conv", infer_conv, run_conv, NULL},
    {"MaxPool", infer_pool, run_maxpool, NULL},
    {"AveragePool", infer_pool, run_avgpool, NULL},
    {"GlobalAveragePool", infer_global, run_global, NULL},
    {"GlobalMaxPool", infer_global, run_global, NULL},
};
const size_t hacl_window_nops = sizeof hacl_window_ops / sizeof hacl_window_ops[0];
