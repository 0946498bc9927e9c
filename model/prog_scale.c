/*
 * A map multiplied by per-channel factors computed in the graph (the
 * squeeze-and-excitation product x * s, s of shape [1, C, 1, 1]) where the
 * map's layout has no fast binary kernel: RegNetY's grouped convolutions
 * of 8 channels per group write 8-channel blocks, for which oneDNN 2.6
 * has only its reference binary. Converted to channels-last for a binary
 * and back to 16-channel blocks for the next convolution, the product cost
 * two reorders and a binary per block (11% of regnet_y_400mf's time).
 *
 * Here it is one reorder into the layout the model's convolutions use,
 * the factors passed at run time as the reorder's per-channel output
 * scales.
 */
#include <string.h>

#include "prog_impl.h"

/* Whether md is 4-D float32 with one image and 1 x 1 pixels laid out so
 * its C values are the first C floats of the buffer (row-major,
 * channels-last, or blocked by channels). */
static int channels_first_floats(const dnnl_memory_desc_t *md, int64_t C)
{
    if (md->ndims != 4 || md->data_type != dnnl_f32 || md->format_kind != dnnl_blocked || md->offset0 != 0 ||
        md->dims[0] != 1 || md->dims[1] != C || md->dims[2] != 1 || md->dims[3] != 1)
        return 0;
    const dnnl_blocking_desc_t *bl = &md->format_desc.blocking;
    if (bl->inner_nblks == 0)
        return bl->strides[1] == 1;
    return bl->inner_nblks == 1 && bl->inner_idxs[0] == 1 && bl->inner_blks[0] >= 1;
}

/* A reorder from `from` to `to` scaling along dim 1 by factors given at
 * run time (DNNL_ARG_ATTR_OUTPUT_SCALES), or NULL when oneDNN has only its
 * reference kernel for it. */
static dnnl_primitive_desc_t scaling_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to)
{
    dnnl_primitive_attr_t at = hacl_pg_new_attr();
    const float runtime = DNNL_RUNTIME_F32_VAL;
    dnnl_primitive_desc_t pd = NULL;
    if (at && dnnl_primitive_attr_set_output_scales(at, 1, 1 << 1, &runtime) == dnnl_success &&
        dnnl_reorder_primitive_desc_create(&pd, from, hacl_pg_get_engine(), to, hacl_pg_get_engine(), at) !=
            dnnl_success)
        pd = NULL;
    dnnl_primitive_attr_destroy(at);
    if (pd && hacl_pg_is_reference(pd)) {
        dnnl_primitive_desc_destroy(pd);
        pd = NULL;
    }
    return pd;
}

/* Node `node`, Mul(map a, factors b) with the output of a's shape: 1 as
 * such a reorder, 0 when it is not one (or oneDNN has no fast kernel for
 * it), -1 on an error. */
int hacl_pg_scale_step(struct hacl_prog *p, int node, int a, int b, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int out = n->outputs[0];
    const struct hacl_tensor *A = &g->tensors[a], *B = &g->tensors[b], *Y = &g->tensors[out];
    if (strcmp(n->op, "Mul") || Y->rank != 4 || B->rank != 4 || B->is_const || A->onnx_type != 1 ||
        B->onnx_type != 1 || Y->dims[0] != 1 || B->dims[0] != 1 || B->dims[1] != Y->dims[1] || B->dims[2] != 1 ||
        B->dims[3] != 1 || p->native[a] < 0 || p->native[b] < 0)
        return 0;
    int64_t C = Y->dims[1];
    int ab = p->native[a], bb = p->native[b];
    if (!p->bufs[ab].has_md || !p->bufs[bb].has_md || !channels_first_floats(&p->bufs[bb].md, C))
        return 0;
    dnnl_memory_desc_t a_md = p->bufs[ab].md, y_md, s_md;
    if (a_md.data_type != dnnl_f32)
        return 0;
    dnnl_dims_t yd = {Y->dims[0], Y->dims[1], Y->dims[2], Y->dims[3]}, sd = {C};
    /* the layout the convolutions around take: 16-channel blocks where C
     * fills them, else channels-last; the model's own output row-major */
    dnnl_format_tag_t tag = p->is_out[out] ? dnnl_abcd : C % 16 == 0 ? dnnl_aBcd16b : dnnl_acdb;
    dnnl_memory_desc_init_by_tag(&y_md, 4, yd, dnnl_f32, tag);
    dnnl_memory_desc_init_by_tag(&s_md, 1, sd, dnnl_f32, dnnl_a);
    dnnl_primitive_desc_t pd = scaling_reorder(&a_md, &y_md);
    if (!pd)
        return 0;
    int sb = hacl_pg_view(p, b, bb, &s_md, rc); /* the factors as C floats */
    int s = sb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    int db = s >= 0 ? hacl_pg_out_buf(p, out, &y_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "Mul";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, ab);
    hacl_pg_arg(p, s, DNNL_ARG_ATTR_OUTPUT_SCALES, sb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* ---- the product folded into the next convolution's weights ---- */

/* The map and the factors of Mul node m, when it is such a product of
 * float32 [1, C, H, W] by computed [1, C, 1, 1] factors: 1, else 0. */
static int se_operands(const struct hacl_graph *g, const struct hacl_node *m, int *a, int *b)
{
    if (strcmp(m->op, "Mul") || m->ninputs != 2 || m->noutputs != 1 || m->inputs[0] < 0 || m->inputs[1] < 0)
        return 0;
    const struct hacl_tensor *Y = &g->tensors[m->outputs[0]];
    for (int k = 0; k < 2; k++) {
        const struct hacl_tensor *A = &g->tensors[m->inputs[k]], *B = &g->tensors[m->inputs[1 - k]];
        if (A->rank == 4 && B->rank == 4 && Y->rank == 4 && !B->is_const && A->onnx_type == 1 && B->onnx_type == 1 &&
            A->dims[0] == 1 && B->dims[0] == 1 && B->dims[1] == A->dims[1] && B->dims[2] == 1 && B->dims[3] == 1 &&
            hacl_pg_same_shape(A, Y)) {
            *a = m->inputs[k], *b = m->inputs[1 - k];
            return 1;
        }
    }
    return 0;
}

/* A squeeze-and-excitation product read by one ungrouped 1x1 convolution
 * alone, conv(x * s), is conv(x) with weights W * s (each input channel's
 * weights scaled). Where the M x C weights are well under the C x H x W
 * map (M * 2 <= H * W), the product is deferred (absorbed 2) and the
 * convolution scales its weights as it converts them to its own layout,
 * every execution (hacl_pg_se_weights): EfficientNet's and MobileNetV3's
 * projections after their excitations on the larger maps. */
void hacl_pg_defer_se_products(struct hacl_prog *p)
{
    const struct hacl_graph *g = p->g;
    for (size_t i = 0; i < g->nnodes; i++) {
        const struct hacl_node *c = &g->nodes[i];
        if (c->folded || strcmp(c->op, "Conv") || c->ninputs < 2 || c->inputs[0] < 0 || !hacl_pg_is_const_f32(g, c, 1) ||
            hacl_attr_int(c, "group", 1) != 1)
            continue;
        int x = c->inputs[0], m = g->tensors[x].producer, a, b;
        const struct hacl_tensor *W = &g->tensors[c->inputs[1]];
        if (m < 0 || g->nodes[m].folded || p->absorbed[m] || p->ncons[x] != 1 || p->is_out[x] ||
            !se_operands(g, &g->nodes[m], &a, &b) || W->rank != 4 || W->dims[1] != g->tensors[x].dims[1] ||
            W->dims[2] != 1 || W->dims[3] != 1)
            continue;
        const struct hacl_tensor *A = &g->tensors[a];
        if (2 * W->dims[0] > A->dims[2] * A->dims[3])
            continue;
        p->absorbed[m] = 2;
    }
}

/* For convolution node `conv` reading a deferred product: the product's
 * map (the tensor the convolution reads instead), its factors in
 * *factors, or -1. */
int hacl_pg_se_source(const struct hacl_prog *p, int conv, int *factors)
{
    const struct hacl_graph *g = p->g;
    int x = g->nodes[conv].inputs[0], m = x >= 0 ? g->tensors[x].producer : -1, a;
    return m >= 0 && p->absorbed[m] == 2 && se_operands(g, &g->nodes[m], &a, factors) ? a : -1;
}

/* The convolution's weights for one execution: a work buffer in layout
 * wmd, made by a step converting the plain weights w (layout w_plain,
 * owned or NULL as for hacl_pg_weight_buf) with the product's factors
 * (tensor b) as per-input-channel scales. The buffer, 0 when oneDNN has
 * no fast reorder for it (nothing added), -1 on an error. */
int hacl_pg_se_weights(struct hacl_prog *p, int b, const dnnl_memory_desc_t *w_plain, const float *w, void *owned,
                       const dnnl_memory_desc_t *wmd, aclError *rc)
{
    int64_t C = p->g->tensors[b].dims[1];
    int bb = p->native[b];
    if (bb < 0 || !p->bufs[bb].has_md || !channels_first_floats(&p->bufs[bb].md, C))
        return 0;
    dnnl_primitive_desc_t pd = scaling_reorder(w_plain, wmd);
    if (!pd)
        return 0;
    dnnl_memory_desc_t s_md;
    dnnl_dims_t sd = {C};
    dnnl_memory_desc_init_by_tag(&s_md, 1, sd, dnnl_f32, dnnl_a);
    int pw = hacl_pg_weight_buf(p, w_plain, w, owned, rc);
    int sb = pw >= 0 ? hacl_pg_view(p, b, bb, &s_md, rc) : -1;
    int wb = sb >= 0 ? hacl_pg_add_buf(p, -1, B_WORK, -1, rc) : -1;
    int s = wb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    if (s < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->bufs[wb].md = *wmd;
    p->bufs[wb].has_md = 1;
    p->bufs[wb].bytes = dnnl_memory_desc_get_size(wmd);
    p->steps[s].kind = "Mul>weights";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, pw);
    hacl_pg_arg(p, s, DNNL_ARG_ATTR_OUTPUT_SCALES, sb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, wb);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : wb;
}
