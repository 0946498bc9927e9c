/*
 * Normalisations lowered to oneDNN (see prog_impl.h): LayerNormalization,
 * the LayerNorm exporters write before opset 17 (ReduceMean, Sub, Pow,
 * ReduceMean, Add, Sqrt, Div, then Mul and Add by the affine parameters:
 * nine C kernels) recognised and run as one layer normalization primitive,
 * and Softmax / LogSoftmax along one axis.
 */
#include <math.h>
#include <string.h>

#include "device/alloc.h"
#include "prog_impl.h"

/* The only reader of t when it is node op (and t no model output). */
static int only(struct hacl_prog *p, int t, const char *op)
{
    return hacl_pg_sole_reader(p, t, op);
}

/* A constant float32 scalar (one element) input i of n: its value, else NAN. */
static float const_scalar(const struct hacl_graph *g, const struct hacl_node *n, size_t i)
{
    if (!hacl_pg_is_const_f32(g, n, i) || hacl_tensor_elements(&g->tensors[n->inputs[i]]) != 1)
        return NAN;
    return *(const float *)g->tensors[n->inputs[i]].data;
}

/* ReduceMean over the last axis only, keepdims. */
static int mean_last(const struct hacl_graph *g, const struct hacl_node *n, int t)
{
    const struct hacl_tensor *x = &g->tensors[t];
    int64_t axes[2];
    int k = n->ninputs > 1 && n->inputs[1] >= 0 ? hacl_const_ints(&g->tensors[n->inputs[1]], axes, 2)
                                                : hacl_attr_ints(n, "axes", axes, 2);
    return n->inputs[0] == t && k == 1 && (axes[0] == -1 || axes[0] == x->rank - 1) &&
           hacl_attr_int(n, "keepdims", 1) == 1;
}

/* The other input of a two-input node than t. */
static int other_input(const struct hacl_node *n, int t)
{
    return n->ninputs != 2 ? -1 : n->inputs[0] == t ? n->inputs[1] : n->inputs[0];
}

struct lnorm {
    int x, out;
    float eps;
    int scale, shift; /* constant tensors, or -1 */
    int nodes[10], nnodes;
};

/* Recognises the decomposed LayerNorm starting at ReduceMean node r. */
static int match_layernorm(struct hacl_prog *p, int r, struct lnorm *ln)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *rm = &g->nodes[r];
    int x = rm->inputs[0], m = rm->outputs[0];
    if (x < 0 || m < 0 || !mean_last(g, rm, x) || g->tensors[x].onnx_type != 1)
        return 0;
    ln->x = x, ln->nnodes = 0, ln->scale = ln->shift = -1;
    ln->nodes[ln->nnodes++] = r;
    int sub = only(p, m, "Sub");
    if (sub < 0 || g->nodes[sub].inputs[0] != x || g->nodes[sub].inputs[1] != m)
        return 0;
    int d = g->nodes[sub].outputs[0];
    ln->nodes[ln->nnodes++] = sub;
    /* d is read by Pow (the variance) and Div (the normalisation) */
    if (p->ncons[d] != 2 || p->is_out[d])
        return 0;
    int pw = -1, dv = -1;
    for (int k = 0; k < 2; k++) {
        int c = p->cons[p->cons_off[d] + k];
        if (!strcmp(g->nodes[c].op, "Pow") && g->nodes[c].inputs[0] == d)
            pw = c;
        else if (!strcmp(g->nodes[c].op, "Div") && g->nodes[c].inputs[0] == d)
            dv = c;
    }
    if (pw < 0 || dv < 0 || const_scalar(g, &g->nodes[pw], 1) != 2.0f)
        return 0;
    int rm2 = only(p, g->nodes[pw].outputs[0], "ReduceMean");
    if (rm2 < 0 || !mean_last(g, &g->nodes[rm2], g->nodes[pw].outputs[0]))
        return 0;
    int add = only(p, g->nodes[rm2].outputs[0], "Add");
    if (add < 0)
        return 0;
    const struct hacl_node *an = &g->nodes[add];
    size_t ei = an->inputs[0] == g->nodes[rm2].outputs[0] ? 1 : 0;
    ln->eps = const_scalar(g, an, ei);
    int sq = only(p, an->outputs[0], "Sqrt");
    if (!(ln->eps >= 0) || sq < 0 || g->nodes[dv].inputs[1] != g->nodes[sq].outputs[0])
        return 0;
    int tail[5] = {pw, rm2, add, sq, dv};
    for (int k = 0; k < 5; k++)
        ln->nodes[ln->nnodes++] = tail[k];
    ln->out = g->nodes[dv].outputs[0];
    /* the affine part: Mul by a constant vector, then Add one */
    int64_t C = g->tensors[x].dims[g->tensors[x].rank - 1];
    int mul = only(p, ln->out, "Mul");
    if (mul >= 0) {
        int sc = other_input(&g->nodes[mul], ln->out);
        if (sc >= 0 && hacl_pg_is_const_f32(g, &g->nodes[mul], g->nodes[mul].inputs[0] == sc ? 0 : 1) &&
            hacl_tensor_elements(&g->tensors[sc]) == C && g->tensors[sc].dims[g->tensors[sc].rank - 1] == C) {
            ln->scale = sc;
            ln->nodes[ln->nnodes++] = mul;
            ln->out = g->nodes[mul].outputs[0];
            int ad = only(p, ln->out, "Add");
            int sh = ad >= 0 ? other_input(&g->nodes[ad], ln->out) : -1;
            if (sh >= 0 && hacl_pg_is_const_f32(g, &g->nodes[ad], g->nodes[ad].inputs[0] == sh ? 0 : 1) &&
                hacl_tensor_elements(&g->tensors[sh]) == C && g->tensors[sh].dims[g->tensors[sh].rank - 1] == C) {
                ln->shift = sh;
                ln->nodes[ln->nnodes++] = ad;
                ln->out = g->nodes[ad].outputs[0];
            }
        }
    }
    return hacl_pg_same_shape(&g->tensors[ln->out], &g->tensors[x]);
}

/* A float vector of C values for the primitive: the constant t, or v. */
static int param_buf(struct hacl_prog *p, int t, int64_t C, float v, aclError *rc)
{
    float *w = hacl_malloc_aligned(64, (size_t)C * sizeof *w);
    if (!w)
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing normalisation parameters");
    for (int64_t i = 0; i < C; i++)
        w[i] = t >= 0 ? ((const float *)p->g->tensors[t].data)[i] : v;
    dnnl_memory_desc_t md;
    dnnl_dims_t d = {C};
    dnnl_memory_desc_init_by_tag(&md, 1, d, dnnl_f32, dnnl_a);
    return hacl_pg_owned_weight(p, &md, w, rc);
}

static int layernorm_prim(struct hacl_prog *p, const struct lnorm *ln, const char *kind, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_tensor *X = &g->tensors[ln->x];
    if (X->rank < 2 || X->rank > 5 || hacl_tensor_elements(X) <= 0 || !hacl_pg_dnnl_size_ok(X))
        return 0;
    int64_t C = X->dims[X->rank - 1];
    dnnl_dims_t d;
    for (int i = 0; i < X->rank; i++)
        d[i] = X->dims[i];
    dnnl_memory_desc_t md;
    dnnl_memory_desc_init_by_tag(&md, X->rank, d, dnnl_f32, hacl_pg_plain_tag(X->rank));
    dnnl_layer_normalization_desc_t ld;
    if (dnnl_layer_normalization_forward_desc_init(&ld, dnnl_forward_inference, &md, NULL, ln->eps,
                                                   dnnl_use_scale | dnnl_use_shift) != dnnl_success)
        return 0;
    dnnl_primitive_desc_t pd = hacl_pg_fast_pd(&ld, NULL);
    if (!pd)
        return 0;
    int sb = param_buf(p, ln->scale, C, 1.0f, rc);
    int hb = sb >= 0 ? param_buf(p, ln->shift, C, 0.0f, rc) : -1;
    int xb = hb >= 0 ? hacl_pg_get_plain(p, ln->x, rc) : -1;
    int s = xb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    int db = s >= 0 ? hacl_pg_out_buf(p, ln->out, NULL, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = kind;
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_SCALE, sb);
    hacl_pg_arg(p, s, DNNL_ARG_SHIFT, hb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

int hacl_pg_layernorm_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    struct lnorm ln;
    if (!strcmp(n->op, "LayerNormalization")) {
        /* the operator (opset 17) over the last axis, no statistics outputs */
        const struct hacl_tensor *X = &g->tensors[n->inputs[0]];
        int64_t axis = hacl_attr_int(n, "axis", -1);
        int64_t C = X->rank ? X->dims[X->rank - 1] : 0;
        if (X->onnx_type != 1 || (axis != -1 && axis != X->rank - 1) || (n->noutputs > 1 && n->outputs[1] >= 0) ||
            (n->noutputs > 2 && n->outputs[2] >= 0) || !hacl_pg_is_const_f32(g, n, 1) ||
            hacl_tensor_elements(&g->tensors[n->inputs[1]]) != C ||
            (n->ninputs > 2 && n->inputs[2] >= 0 &&
             (!hacl_pg_is_const_f32(g, n, 2) || hacl_tensor_elements(&g->tensors[n->inputs[2]]) != C)))
            return 0;
        ln.x = n->inputs[0], ln.out = n->outputs[0], ln.eps = hacl_attr_float(n, "epsilon", 1e-5f);
        ln.scale = n->inputs[1], ln.shift = n->ninputs > 2 ? n->inputs[2] : -1;
        ln.nnodes = 0;
        return layernorm_prim(p, &ln, "LayerNorm", rc);
    }
    if (!match_layernorm(p, node, &ln))
        return 0;
    int r = layernorm_prim(p, &ln, "LayerNorm*", rc);
    if (r == 1)
        for (int k = 1; k < ln.nnodes; k++) { /* the first is this node */
            p->absorbed[ln.nodes[k]] = 1;
            hacl_pg_consumed(p, ln.nodes[k]);
        }
    return r;
}

int hacl_pg_softmax_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *X = &g->tensors[n->inputs[0]];
    if (g->opset < 13 || X->onnx_type != 1 || X->rank < 1 || X->rank > 6 || hacl_tensor_elements(X) <= 0 ||
        !hacl_pg_dnnl_size_ok(X))
        return 0;
    int64_t axis = hacl_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += X->rank;
    dnnl_dims_t d;
    for (int i = 0; i < X->rank; i++)
        d[i] = X->dims[i];
    dnnl_memory_desc_t md;
    dnnl_memory_desc_init_by_tag(&md, X->rank, d, dnnl_f32, hacl_pg_plain_tag(X->rank));
    dnnl_softmax_v2_desc_t sd;
    dnnl_alg_kind_t alg = !strcmp(n->op, "LogSoftmax") ? dnnl_softmax_log : dnnl_softmax_accurate;
    if (dnnl_softmax_v2_forward_desc_init(&sd, dnnl_forward_inference, alg, &md, &md, (int)axis) != dnnl_success)
        return 0;
    dnnl_primitive_attr_t at = hacl_pg_new_attr();
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t ds = at ? dnnl_primitive_desc_create(&pd, &sd, at, hacl_pg_get_engine(), NULL) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(at);
    if (ds != dnnl_success)
        return 0;
    int xb = hacl_pg_get_plain(p, n->inputs[0], rc);
    int s = xb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    int db = s >= 0 ? hacl_pg_out_buf(p, n->outputs[0], NULL, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = n->op;
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}
