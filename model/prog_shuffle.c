/*
 * ShuffleNet's channel shuffle: Concat of two equal halves along channels,
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
