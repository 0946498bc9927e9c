/*
 * Transposes: one reorder, or none where the input's layout is strides
 * alone (the output is then a view), and ShuffleNet's channel shuffle: Concat of two equal halves along channels,
 * Reshape to [N, 2, C/2, H, W], Transpose (0, 2, 1, 3, 4), Reshape back to
 * [N, C, H, W]. The shuffled channel 2j + k is channel j of half k, so each
 * half is converted once straight into every other channel of the output
 * (a strided view of it) instead of being copied into a concatenation that
 * a transpose then copies again (and from the layout its producer wrote,
 * so the branch's channels-last output needs no row-major copy first).
 */
#include "prog_impl.h"

#include <oneapi/dnnl/dnnl.h>

/* The node that alone reads tensor t when it is op with output dims want
 * (rank r), else -1. */
static int reader_shaped(struct hacl_prog *p, int t, const char *op, const int64_t *want, int r)
{
    int i = hacl_pg_sole_reader(p, t, op);
    if (i < 0 || p->g->nodes[i].noutputs != 1 || p->g->nodes[i].outputs[0] < 0)
        return -1;
    const struct hacl_tensor *y = &p->g->tensors[p->g->nodes[i].outputs[0]];
    if (y->rank != r || y->onnx_type != F32)
        return -1;
    for (int k = 0; k < r; k++)
        if (y->dims[k] != want[k])
            return -1;
    return i;
}

int hacl_pg_shuffle_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    if (n->ninputs != 2 || n->inputs[0] < 0 || n->inputs[1] < 0 || n->inputs[0] == n->inputs[1])
        return 0;
    const struct hacl_tensor *a = &g->tensors[n->inputs[0]], *b = &g->tensors[n->inputs[1]];
    if (a->rank != 4 || !hacl_pg_same_shape(a, b) || a->onnx_type != F32 || hacl_pg_concat_axis(n, 4) != 1 ||
        a->is_const || b->is_const)
        return 0;
    int64_t N = a->dims[0], h = a->dims[1], H = a->dims[2], W = a->dims[3];
    int64_t d5[5] = {N, 2, h, H, W}, t5[5] = {N, h, 2, H, W}, d4[4] = {N, 2 * h, H, W};
    int r1 = reader_shaped(p, n->outputs[0], "Reshape", d5, 5);
    int tr = r1 >= 0 ? reader_shaped(p, g->nodes[r1].outputs[0], "Transpose", t5, 5) : -1;
    int r2 = tr >= 0 ? reader_shaped(p, g->nodes[tr].outputs[0], "Reshape", d4, 4) : -1;
    int64_t perm[HACL_MAX_RANK];
    if (r2 < 0 || hacl_attr_ints(&g->nodes[tr], "perm", perm, HACL_MAX_RANK) != 5 || perm[0] != 0 || perm[1] != 2 ||
        perm[2] != 1 || perm[3] != 3 || perm[4] != 4)
        return 0;
    int y = g->nodes[r2].outputs[0];
    if (p->is_out[y] || N * h * H * W <= 0 || !hacl_pg_dnnl_size_ok(&g->tensors[y]))
        return 0;
    int src[2];
    for (int k = 0; k < 2; k++)
        if ((src[k] = p->native[n->inputs[k]]) < 0 || !p->bufs[src[k]].has_md)
            return 0;
    int ob = hacl_pg_out_buf(p, y, NULL, rc);
    if (ob < 0)
        return -1;
    /* half k: its channel j at output channel 2j + k */
    dnnl_dims_t dims = {N, h, H, W}, strides = {2 * h * H * W, 2 * H * W, W, 1};
    dnnl_memory_desc_t md;
    if (dnnl_memory_desc_init_by_strides(&md, 4, dims, dnnl_f32, strides) != dnnl_success)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: no strided view for a channel shuffle");
    for (int k = 0; k < 2; k++) {
        int v = hacl_pg_view(p, y, ob, &md, rc);
        if (v < 0)
            return -1;
        p->bufs[v].alias_off = (size_t)k * (size_t)(H * W) * sizeof(float);
        if (hacl_pg_copy_into(p, src[k], v, "shuffle", rc) < 0)
            return -1;
    }
    p->bufs[ob].aliased = 1;
    int fused[3] = {r1, tr, r2};
    for (int k = 0; k < 3; k++) {
        p->absorbed[fused[k]] = 1;
        hacl_pg_consumed(p, fused[k]);
    }
    return 1;
}

/* Transpose on oneDNN as one reorder: from the input's layout (blocked
 * after a convolution) straight into the output's row-major bytes, seen
 * as the input's dims with permuted strides (ConvNeXt's channels-last
 * blocks, ShuffleNet's channel shuffle: a reorder to row-major and a C
 * kernel before). The output buffer gets a view with that description. */
int hacl_pg_transpose_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int x = n->inputs[0], out = n->outputs[0];
    const struct hacl_tensor *X = &g->tensors[x], *Y = &g->tensors[out];
    int r = X->rank;
    if (X->onnx_type != 1 || r < 2 || r > 6 || hacl_tensor_elements(X) <= 0 || X->is_const || p->is_out[out] ||
        !hacl_pg_dnnl_size_ok(X))
        return 0;
    int64_t perm[HACL_MAX_RANK];
    if (hacl_attr_ints(n, "perm", perm, HACL_MAX_RANK) != r)
        for (int i = 0; i < r; i++)
            perm[i] = r - 1 - i;
    dnnl_dims_t xd, st;
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) { /* output dim i is input dim perm[i] */
        st[perm[i]] = s;
        s *= Y->dims[i];
    }
    for (int i = 0; i < r; i++)
        xd[i] = X->dims[i];
    int xb = hacl_pg_native_buf(p, x, rc);
    if (xb < 0)
        return -1;
    dnnl_memory_desc_t x_md = p->bufs[xb].md, pmd;
    /* An input laid out by strides alone (row-major, channels-last, a
     * permutation): the output is the same bytes seen through permuted
     * strides, a view, no step (ConvNeXt's channels-last round trips
     * around every block cost 4% of its time as copies). Readers that
     * need it row-major convert it then. */
    int root = p->bufs[xb].alias_of >= 0 ? p->bufs[xb].alias_of : xb;
    if (x_md.ndims == r && x_md.format_kind == dnnl_blocked && x_md.format_desc.blocking.inner_nblks == 0 &&
        x_md.offset0 == 0 && p->bufs[root].kind == B_WORK) {
        dnnl_dims_t yd, ys;
        for (int i = 0; i < r; i++)
            yd[i] = Y->dims[i], ys[i] = x_md.format_desc.blocking.strides[perm[i]];
        dnnl_memory_desc_t ymd, plain;
        if (dnnl_memory_desc_init_by_strides(&ymd, r, yd, x_md.data_type, ys) == dnnl_success) {
            int v = hacl_pg_view(p, out, xb, &ymd, rc);
            if (v < 0)
                return -1;
            p->native[out] = v;
            if (hacl_pg_plain_md(Y, &plain) == 0 && dnnl_memory_desc_equal(&plain, &ymd)) {
                p->bufs[v].plain = 1;
                p->plainb[out] = v;
            }
            return 1;
        }
    }
    if (dnnl_memory_desc_init_by_strides(&pmd, r, xd, dnnl_f32, st) != dnnl_success)
        return 0;
    dnnl_primitive_desc_t pd = NULL;
    if (hacl_pg_reorder_pd(&pd, &x_md, &pmd) != dnnl_success)
        return 0;
    int yb = hacl_pg_out_buf(p, out, NULL, rc);
    int view = yb >= 0 ? hacl_pg_add_buf(p, out, B_WORK, -1, rc) : -1;
    int s_ = view >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    if (s_ < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    struct pbuf *v = &p->bufs[view];
    v->md = pmd;
    v->has_md = 1;
    v->plain = 0;
    v->alias_of = yb;
    v->alias_off = 0;
    v->aliased = p->bufs[yb].aliased = 1;
    p->steps[s_].kind = "Transpose";
    hacl_pg_arg(p, s_, DNNL_ARG_FROM, xb);
    hacl_pg_arg(p, s_, DNNL_ARG_TO, view);
    p->nreorders++;
    return hacl_pg_finish_primitive(p, s_, pd, rc) < 0 ? -1 : 1;
}
