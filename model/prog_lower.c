/*
 * Operators lowered to oneDNN primitives (see prog_impl.h): convolutions
 * with BatchNormalization folded in and a residual Add and an activation
 * fused, deconvolutions and pooling (Gemm and MatMul: prog_matmul.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"
#include "prog_impl.h"

/* Spatial extents oneDNN is given. Some of its generated kernels unroll
 * along a spatial dim: a fuzzed model with a dim of millions made them
 * write gigabytes of code (9 s and 4 GB just to size the model). Longer
 * dims than any real image or clip run on the C kernels. */
#define DNNL_MAX_SPATIAL ((int64_t)1 << 16)

static int spatial_ok(const struct hacl_conv_geom *cg)
{
    if (cg->n * cg->c > ((int64_t)1 << 24) || cg->n * cg->m > ((int64_t)1 << 24))
        return 0;
    for (int i = 0; i < 3; i++)
        if (cg->in[i] > DNNL_MAX_SPATIAL || cg->out[i] > DNNL_MAX_SPATIAL || cg->k[i] > DNNL_MAX_SPATIAL)
            return 0;
    return 1;
}

/* Whether tensor t (rank r) is read by one Transpose alone, moving the
 * channels (axis 1) last and keeping the other axes in order. */
static int reads_channels_last(const struct hacl_prog *p, int t, int r)
{
    if (t < 0 || p->ncons[t] != 1 || p->is_out[t] || r < 3 || r > 5)
        return 0;
    const struct hacl_node *n = &p->g->nodes[p->reader[t]];
    int64_t perm[HACL_MAX_RANK];
    if (strcmp(n->op, "Transpose") || n->inputs[0] != t || hacl_attr_ints(n, "perm", perm, HACL_MAX_RANK) != r ||
        perm[0] != 0 || perm[r - 1] != 1)
        return 0;
    for (int i = 1; i < r - 1; i++)
        if (perm[i] != i + 1)
            return 0;
    return 1;
}

/* A dilated convolution on a map smaller than its dilation (DeepLab's
 * atrous pyramid: dilations 12 to 36 on 14x14 maps) has taps that read
 * nothing but padding at every output position: they add zeros. Such taps
 * at the edges of the window are dropped, the padding shrunk to match
 * (the kernel often becomes 1x1, on oneDNN's 1x1 kernels instead of a
 * dilated one). *w becomes an owned copy of the live taps. 0, or -1 when
 * out of memory. */
static int drop_dead_taps(struct hacl_conv_geom *cg, float **w, int *own_w)
{
    int64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}, pb[3], pe[3];
    int shrink = 0;
    for (int i = 0; i < 3; i++) {
        hi[i] = cg->k[i] - 1, pb[i] = cg->pb[i], pe[i] = cg->pe[i];
        if (i >= cg->sp || cg->k[i] == 1 || cg->d[i] > DNNL_MAX_SPATIAL || cg->pb[i] > DNNL_MAX_SPATIAL)
            continue;
        /* tap t reads input indices t*d - pb + o*s for o in [0, out) */
        int64_t first = -1, last = -1;
        for (int64_t t = 0; t < cg->k[i]; t++) {
            int64_t a = t * cg->d[i] - cg->pb[i], b = a + (cg->out[i] - 1) * cg->s[i];
            if (b >= 0 && a < cg->in[i]) {
                first = first < 0 ? t : first;
                last = t;
            }
        }
        if (first < 0)
            return 0; /* nothing but padding: left as it is */
        int64_t npb = cg->pb[i] - first * cg->d[i], npe = cg->pe[i] - (cg->k[i] - 1 - last) * cg->d[i];
        if ((first > 0 || last < cg->k[i] - 1) && npb >= 0 && npe >= 0)
            lo[i] = first, hi[i] = last, pb[i] = npb, pe[i] = npe, shrink = 1;
    }
    if (!shrink)
        return 0;
    int64_t k0 = hi[0] - lo[0] + 1, k1 = hi[1] - lo[1] + 1, k2 = hi[2] - lo[2] + 1;
    int64_t rows = cg->m * (cg->c / cg->group);
    float *nw = hacl_malloc_aligned(ALIGN, (size_t)(rows * k0 * k1 * k2) * sizeof *nw);
    if (!nw)
        return -1;
    const float *ow = *w;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t a = 0; a < k0; a++)
            for (int64_t b = 0; b < k1; b++)
                for (int64_t c = 0; c < k2; c++)
                    nw[((r * k0 + a) * k1 + b) * k2 + c] =
                        ow[((r * cg->k[0] + lo[0] + a) * cg->k[1] + lo[1] + b) * cg->k[2] + lo[2] + c];
    if (*own_w)
        hacl_free(*w);
    *w = nw, *own_w = 1;
    for (int i = 0; i < 3; i++) {
        cg->k[i] = hi[i] - lo[i] + 1, cg->pb[i] = pb[i], cg->pe[i] = pe[i];
        if (cg->k[i] == 1)
            cg->d[i] = 1;
    }
    return 0;
}

/* Conv, with a following BatchNormalization folded into its weights, a
 * residual Add and an activation as post-ops. 1: done, 0: not for oneDNN,
 * -1: error. */
int hacl_pg_conv_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *x = &g->tensors[n->inputs[0]];
    if (x->onnx_type != F32 || x->rank < 3 || x->rank > 5 || !hacl_pg_is_const_f32(g, n, 1) ||
        (n->ninputs > 2 && n->inputs[2] >= 0 && !hacl_pg_is_const_f32(g, n, 2)))
        return 0;
    struct hacl_conv_geom cg;
    char why[8];
    if (hacl_conv_geometry((struct hacl_graph *)g, n, &cg, why, sizeof why) != ACL_SUCCESS || !spatial_ok(&cg))
        return 0;
    /* What fuses: a deferred squeeze-and-excitation product before (the
     * convolution reads its map, xin), BatchNormalization, a residual Add
     * and an activation after. */
    int se_factors = -1, se_src = hacl_pg_se_source(p, node, &se_factors);
    int xin = se_src >= 0 ? se_src : n->inputs[0];
    int out = n->outputs[0];
    int bn = hacl_pg_sole_reader(p, out, "BatchNormalization");
    if (bn >= 0) {
        const struct hacl_node *b = &g->nodes[bn];
        int okbn = b->ninputs == 5 && (b->noutputs == 1 || b->outputs[1] < 0);
        for (size_t i = 1; okbn && i < 5; i++)
            okbn = hacl_pg_is_const_f32(g, b, i);
        if (okbn)
            out = b->outputs[0];
        else
            bn = -1;
    }
    int add = hacl_pg_sole_reader(p, out, "Add"), other = -1;
    if (add >= 0) {
        const struct hacl_node *a = &g->nodes[add];
        other = a->ninputs == 2 ? (a->inputs[0] == out ? a->inputs[1] : a->inputs[0]) : -1;
        if (other < 0 || other == out || g->tensors[other].is_const || p->native[other] < 0 ||
            !hacl_pg_same_shape(&g->tensors[other], &g->tensors[out]) || !hacl_pg_same_shape(&g->tensors[a->outputs[0]], &g->tensors[out]))
            add = other = -1;
        else
            out = a->outputs[0];
    }
    struct act act = {-1, -1, -1, dnnl_eltwise_relu, 0, 0, 0, {-1, -1, -1}, 0};
    int pre_act = out;
    if (hacl_pg_find_act(p, out, &act))
        out = act.out;
    else
        act.node = act.node2 = -1;
    /* SiLU and GELU run as our pass after the convolution where we have
     * one (prog_pass.c: SiLU 1.7x cheaper than oneDNN's post-op) */
    int act_pass = hacl_pg_pass_for(&act, hacl_tensor_elements(&g->tensors[out]), p->bf16);

    /* Weights and bias in plain layout, BatchNormalization folded in: a
     * copy of the weights then (own_w), else the decoded ones themselves,
     * placed straight from the model's bytes (a copy of s3d's 33 MB took
     * 17 ms at load, most of it the kernel faulting fresh pages in). */
    int64_t M = cg.m, per = (cg.c / cg.group) * cg.k[0] * cg.k[1] * cg.k[2];
    const float *w0 = g->tensors[n->inputs[1]].data;
    const float *b0 = n->ninputs > 2 && n->inputs[2] >= 0 ? g->tensors[n->inputs[2]].data : NULL;
    int own_w = bn >= 0;
    float *w = own_w ? hacl_malloc_aligned(ALIGN, (size_t)(M * per) * sizeof *w) : (float *)w0;
    float *bias = hacl_malloc_aligned(ALIGN, (size_t)M * sizeof *bias);
    if (!w || !bias) {
        if (own_w)
            hacl_free(w);
        hacl_free(bias);
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing convolution weights");
    }
    if (own_w)
        memcpy(w, w0, (size_t)(M * per) * sizeof *w);
    for (int64_t m = 0; m < M; m++)
        bias[m] = b0 ? b0[m] : 0.0f;
    if (bn >= 0) {
        const struct hacl_node *b = &g->nodes[bn];
        const float *sc = g->tensors[b->inputs[1]].data, *sh = g->tensors[b->inputs[2]].data;
        const float *mean = g->tensors[b->inputs[3]].data, *var = g->tensors[b->inputs[4]].data;
        float eps = hacl_attr_float(b, "epsilon", 1e-5f);
        /* folded in double, rounded once per weight */
        for (int64_t m = 0; m < M; m++) {
            double k = (double)sc[m] / sqrt((double)var[m] + (double)eps);
            for (int64_t i = 0; i < per; i++)
                w[m * per + i] = (float)((double)w[m * per + i] * k);
            bias[m] = (float)(((double)bias[m] - (double)mean[m]) * k + (double)sh[m]);
        }
    }

    if (drop_dead_taps(&cg, &w, &own_w) < 0) {
        if (own_w)
            hacl_free(w);
        hacl_free(bias);
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing convolution weights");
    }

    /* The primitive: layouts chosen by oneDNN, except for model outputs. */
    int nd = 2 + cg.sp, grouped = cg.group > 1, wnd = nd + grouped;
    dnnl_memory_desc_t src_any, w_any, w_plain, b_md, dst_md;
    dnnl_dims_t sd = {cg.n, cg.c}, dd = {cg.n, cg.m}, bd = {cg.m}, wd = {cg.m, cg.c / cg.group};
    dnnl_dims_t st, dl, pl, pr;
    if (grouped)
        wd[0] = cg.group, wd[1] = cg.m / cg.group, wd[2] = cg.c / cg.group;
    for (int i = 0; i < cg.sp; i++) {
        sd[2 + i] = cg.in[i], dd[2 + i] = cg.out[i], wd[2 + grouped + i] = cg.k[i];
        st[i] = cg.s[i], dl[i] = cg.d[i] - 1, pl[i] = cg.pb[i], pr[i] = cg.pe[i];
    }
    dnnl_data_type_t dt = p->bf16 ? dnnl_bf16 : dnnl_f32;
    /* With AMX, a 3-D convolution of a few input channels (a video's first
     * layer) computes float32: oneDNN's AMX kernels for it ran 2.5-3x
     * slower than float32's (mc3_18's 3x7x7 stem 14.7 against 5.3 ms,
     * s3d's 34.9 against 13.6) and took 12-50 ms to generate at load.
     * 2-D ones have a fast AMX kernel (ResNet's stem 0.26 ms). */
    if (p->bf16 && p->amx && cg.sp == 3 && cg.c / cg.group <= 4)
        dt = dnnl_f32;
    /* With Winograd in play, every float32 2-D convolution keeps
     * activations in the 16-channel blocked layout Winograd uses: left to
     * choose, the other convolutions pick channels-last and a reorder lands
     * on each side of every Winograd convolution (measured: +3% images/s at
     * batch 1, +11% at batch 8 without them). In bfloat16 the same
     * layout where the graph concatenates pictures along channels: left to
     * choose, bfloat16 convolutions take channels-last, where a channel
     * slice is no contiguous block, and every concatenation and the
     * normalisations after it (DenseNet) ran on reorders and oneDNN's
     * plain-layout kernels (densenet121 5x, squeezenet 1.5-1.9x,
     * googlenet and inception_v3 1.2x faster blocked), except with AMX,
     * whose tiles oneDNN uses only channels-last (hacl_pg_precision_setup,
     * prog_conv_choice.c). */
    int blocked = (p->winograd && !p->bf16 && cg.sp == 2) || (p->bf16 && p->channel_concats && cg.sp == 2 && !p->amx);
    dnnl_format_tag_t src_tag = blocked && cg.c % 16 == 0 ? dnnl_aBcd16b : dnnl_format_tag_any;
    /* A first layer (a few channels: an image) reads its input row-major:
     * left to choose, oneDNN pads 3 channels to a block of 16 and the
     * reorder costs more than the convolution (shufflenet: 1.6 ms). */
    int first_layer = cg.c <= 4 && cg.group == 1 && dt == dnnl_f32;
    if (first_layer)
        src_tag = hacl_pg_plain_tag(nd);
    dnnl_format_tag_t dst_tag = blocked && cg.m % 16 == 0 ? dnnl_aBcd16b : dnnl_format_tag_any;
    /* read only by a Transpose to channels-last (ConvNeXt's depthwise
     * convolutions before their LayerNorm): written channels-last, whose
     * bytes that Transpose then takes as they are (transpose_step) */
    if (reads_channels_last(p, out, nd))
        dst_tag = nd == 3 ? dnnl_acb : nd == 4 ? dnnl_acdb : dnnl_acdeb;
    dnnl_memory_desc_init_by_tag(&src_any, nd, sd, dt, src_tag);
    dnnl_memory_desc_init_by_tag(&w_any, wnd, wd, dt, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&w_plain, wnd, wd, dnnl_f32, hacl_pg_plain_tag(wnd));
    dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&dst_md, nd, dd, p->is_out[out] ? dnnl_f32 : dt, p->is_out[out] ? hacl_pg_plain_tag(nd) : dst_tag);
    dnnl_primitive_desc_t pd = NULL;
    int result = 0;
    /* The residual Add is a sum post-op: the destination holds the
     * residual when the convolution starts and the result is added to it. */
    dnnl_convolution_desc_t cd;
    dnnl_primitive_attr_t a = NULL;
    dnnl_post_ops_t po = NULL;
    if ((a = hacl_pg_new_attr()) && dnnl_post_ops_create(&po) == dnnl_success) {
        if (add >= 0)
            dnnl_post_ops_append_sum(po, 1.0f);
        if (act.node >= 0 && !act_pass)
            hacl_pg_append_act(po, &act);
        dnnl_primitive_attr_set_post_ops(a, po);
        /* float32 3x3 stride-1 convolutions run Winograd where oneDNN has
         * it (measured on ResNet-50, 2 cores: +10% images/s at batch 1,
         * +18% at batch 8, output within 4e-7 relative of direct);
         * HOSTACL_WINOGRAD=0 turns it off. */
        int wino = p->winograd && !p->bf16 && cg.sp == 2 && cg.k[0] == 3 && cg.k[1] == 3 && cg.s[0] == 1 &&
                   cg.s[1] == 1 && cg.d[0] == 1 && cg.d[1] == 1 && cg.group == 1;
        if (wino && dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_winograd,
                                                       &src_any, &w_any, &b_md, &dst_md, st, pl, pr) == dnnl_success)
            result = dnnl_primitive_desc_create(&pd, &cd, a, hacl_pg_get_engine(), NULL) == dnnl_success;
        /* Except F(4x4, 3x3) on maps under 14x14 (oneDNN's choice for
         * ResNet-50's 7x7 stage from batch 2 up): its weights are 4x the
         * direct ones and their conversion cost 70-80 ms per convolution
         * at load, for 3% of batch 8's images/s. */
        if (result && cg.out[0] * cg.out[1] < 196 && hacl_pg_wino_alpha(pd) == 6) {
            dnnl_primitive_desc_destroy(pd);
            pd = NULL;
            result = 0;
        }
        /* And F(4x4, 3x3) where oneDNN lists F(2x2) first, on maps from
         * 64x64 of 64 or more channels in and out: inception_v3's 80 -> 192
         * on 71x71 3.2-3.5 ms instead of 6.2-6.9 (the model +6%, vgg11_bn
         * +1%). On ResNet's 56x56 and 28x28 maps it is faster alone (0.58
         * against 0.65 ms) but not in the model (-3 to -8%: its larger
         * transformed tiles). */
        if (result && cg.c >= 64 && cg.m >= 64 && cg.out[0] * cg.out[1] >= 64 * 64)
            hacl_pg_wino_prefer_f4(&pd, &cd, a);
        /* Winograd takes ReLU and sum post-ops only: with another
         * activation (EfficientNetV2's fused blocks end in SiLU) it runs
         * without it, the activation a step of its own (3x3 convolutions
         * 2.4 -> 1.2 ms, the SiLU pass 0.2 ms). */
        if (wino && !result && act.node >= 0 && act.alg != dnnl_eltwise_relu &&
            hacl_pg_wino_without_act(&pd, &cd, add >= 0, cg.out[0] * cg.out[1])) {
            result = 1;
            act.node = act.node2 = -1;
            act.nmore = 0;
            out = pre_act;
        }
        if (!result &&
            dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &src_any,
                                                       &w_any, &b_md, &dst_md, st, dl, pl, pr) == dnnl_success)
            result = dnnl_primitive_desc_create(&pd, &cd, a, hacl_pg_get_engine(), NULL) == dnnl_success;
        /* No kernel for the blocked layout but oneDNN's reference one
         * (grouped convolutions of 8 channels per group: 50-100x slower):
         * let oneDNN choose the layouts. */
        if (result && hacl_pg_is_reference(pd) && (src_tag != dnnl_format_tag_any || dst_tag != dnnl_format_tag_any)) {
            dnnl_primitive_desc_destroy(pd);
            pd = NULL;
            result = 0;
        }
        if (!result && (src_tag != dnnl_format_tag_any || dst_tag != dnnl_format_tag_any)) {
            dnnl_memory_desc_init_by_tag(&src_any, nd, sd, dt, dnnl_format_tag_any);
            if (!p->is_out[out])
                dnnl_memory_desc_init_by_tag(&dst_md, nd, dd, dt, dnnl_format_tag_any);
            if (dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                                           &src_any, &w_any, &b_md, &dst_md, st, dl, pl,
                                                           pr) == dnnl_success)
                result = dnnl_primitive_desc_create(&pd, &cd, a, hacl_pg_get_engine(), NULL) == dnnl_success;
        }
        /* Tried now where oneDNN failed to generate one (a 1-D bfloat16
         * convolution with GELU): the choices below hang on it. */
        int now = cg.sp == 1 || (dt == dnnl_bf16 && act.node >= 0 && !act_pass && act.alg != dnnl_eltwise_relu);
        if (result && !(pd = now ? hacl_pg_creatable_now(pd, &cd, a) : hacl_pg_creatable(pd, &cd, a)))
            result = 0;
        if (result && src_tag == dnnl_format_tag_any)
            hacl_pg_follow_input_layout(p, n->inputs[0], &pd, &cd, a, p->is_out[out]);
        /* bfloat16 without a bfloat16 kernel for this convolution (oneDNN
         * could not generate one: audio_net's 1-D convolution with GELU
         * fell to a GEMM over bfloat16 data, 0.12 ms + conversions against
         * 0.06 for float32's own kernel): float32 for this one. (oneDNN
         * names its bfloat16 kernels "..._bf16", or "..._amx" on AMX.) */
        if (result && dt == dnnl_bf16 && !hacl_pg_impl_says(pd, "bf16") && !hacl_pg_impl_says(pd, "amx"))
            hacl_pg_conv_in_f32(&pd, &cd, a, p->is_out[out]);
    }
    if (po)
        dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(a);
    if (!result) {
        if (own_w)
            hacl_free(w);
        hacl_free(bias);
        return 0;
    }
    dnnl_memory_desc_t src_md = hacl_pg_pd_md(pd, dnnl_query_src_md), wmd = hacl_pg_pd_md(pd, dnnl_query_weights_md);
    dst_md = hacl_pg_pd_md(pd, dnnl_query_dst_md);
    /* weights scaled by the product every execution, where the map needs
     * no conversion (else the product is that conversion: prog_scale.c);
     * 0: the product is made first (node_step), this compiled again */
    int se_wb = 0, xn = p->native[xin];
    if (se_src >= 0 && xn >= 0 && p->bufs[xn].has_md && dnnl_memory_desc_equal(&p->bufs[xn].md, &src_md))
        se_wb = hacl_pg_se_weights(p, se_factors, &w_plain, w, own_w ? w : NULL, &wmd, rc);
    if (se_src >= 0 && se_wb <= 0) {
        dnnl_primitive_desc_destroy(pd);
        if (se_wb == 0 && own_w)
            hacl_free(w);
        hacl_free(bias);
        return se_wb;
    }
    /* w is a folded copy: the decoded initializer can go now (else it
     * goes once placed, prog_weights.c) */
    if (own_w)
        hacl_pg_drop_source(p, n->inputs[1]);
    int xb = -1, ob = -1, s = -1;
    /* a direct twin for one-thread runs, from w before it is placed */
    const float *w_orig = w;
    int wb = se_wb > 0 ? se_wb : hacl_pg_prepared_weight(p, &w_plain, w, own_w ? w : NULL, &wmd, rc);
    int bb = wb < 0 ? (hacl_free(bias), -1) : hacl_pg_owned_weight(p, &b_md, bias, rc);
    if (bb >= 0)
        xb = hacl_pg_get_layout(p, xin, &src_md, rc);
    if (xb >= 0 && add >= 0)
        ob = hacl_pg_get_layout(p, other, &dst_md, rc);
    int db = -1;
    if (xb >= 0 && add >= 0 && ob >= 0) {
        /* The residual's buffer becomes the output when nothing reads the
         * residual afterwards; otherwise it is copied there first. */
        struct pbuf *obuf = &p->bufs[ob];
        if (p->reads_left[other] == 1 && obuf->kind == B_WORK && !obuf->aliased && !p->is_out[out] && ob != xb) {
            db = ob;
            p->native[out] = db;
            if (obuf->plain)
                p->plainb[out] = db;
        } else {
            db = hacl_pg_out_buf(p, out, &dst_md, rc);
            if (db >= 0 && hacl_pg_copy_into(p, ob, db, "copy", rc) < 0)
                db = -1;
        }
    } else if (xb >= 0 && add < 0) {
        db = hacl_pg_out_buf(p, out, &dst_md, rc);
    }
    if (db >= 0)
        s = hacl_pg_add_step(p, -1, rc);
    if (s >= 0 && hacl_pg_width_alt(p, s, pd, &w_plain, w_orig, rc) < 0)
        s = -1;
    if (s < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = add >= 0 ? "Conv+Add" : bn >= 0 ? "Conv+BN" : "Conv";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_WEIGHTS, wb);
    hacl_pg_arg(p, s, DNNL_ARG_BIAS, bb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    if (act.node >= 0)
        hacl_pg_absorb_act(p, &act);
    int fused[3] = {bn, add, se_src >= 0 ? g->tensors[n->inputs[0]].producer : -1};
    for (int k = 0; k < 3; k++)
        if (fused[k] >= 0) {
            p->absorbed[fused[k]] = 1;
            hacl_pg_consumed(p, fused[k]);
        }
    if (hacl_pg_finish_primitive(p, s, pd, rc) < 0)
        return -1;
    return act.node >= 0 && act_pass && hacl_pg_pass_step(p, db, &act, rc) < 0 ? -1 : 1;
}

/* 2-D ConvTranspose with constant weights as a oneDNN deconvolution, a
 * following activation fused. 1: done, 0: not for oneDNN, -1: error. */
int hacl_pg_deconv_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *x = &g->tensors[n->inputs[0]];
    struct hacl_deconv_geom dg;
    char why[8];
    if (x->onnx_type != F32 || x->rank != 4 || !hacl_pg_is_const_f32(g, n, 1) ||
        (n->ninputs > 2 && n->inputs[2] >= 0 && !hacl_pg_is_const_f32(g, n, 2)) ||
        hacl_deconv_geometry((struct hacl_graph *)g, n, &dg, why, sizeof why) != ACL_SUCCESS || dg.sp != 2 ||
        dg.in[0] > DNNL_MAX_SPATIAL || dg.in[1] > DNNL_MAX_SPATIAL || dg.out[0] > DNNL_MAX_SPATIAL ||
        dg.out[1] > DNNL_MAX_SPATIAL)
        return 0;
    dnnl_dims_t pl = {dg.pb[0], dg.pb[1]}, pr, st = {dg.s[0], dg.s[1]}, dl = {dg.d[0] - 1, dg.d[1] - 1};
    for (int i = 0; i < 2; i++) {
        int64_t ek = (dg.k[i] - 1) * dg.d[i] + 1;
        pr[i] = (dg.in[i] - 1) * dg.s[i] + ek - dg.pb[i] - dg.out[i];
        if (pl[i] < 0 || pr[i] < 0)
            return 0; /* output_padding or a larger output_shape: C kernel */
    }
    int out = n->outputs[0];
    struct act act = {-1, -1, -1, dnnl_eltwise_relu, 0, 0, 0, {-1, -1, -1}, 0};
    if (hacl_pg_find_act(p, out, &act))
        out = act.out;
    else
        act.node = act.node2 = -1;
    int grouped = dg.group > 1;
    dnnl_dims_t sd = {dg.n, dg.c, dg.in[0], dg.in[1]}, dd = {dg.n, dg.m, dg.out[0], dg.out[1]}, bd = {dg.m};
    dnnl_dims_t wd4 = {dg.m, dg.c, dg.k[0], dg.k[1]};
    dnnl_dims_t wd5 = {dg.group, dg.m / dg.group, dg.c / dg.group, dg.k[0], dg.k[1]};
    dnnl_memory_desc_t src_any, w_any, w_plain, b_md, dst_md;
    dnnl_data_type_t dt = p->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_init_by_tag(&src_any, 4, sd, dt, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&w_any, grouped ? 5 : 4, grouped ? wd5 : wd4, dt, dnnl_format_tag_any);
    /* ONNX keeps ConvTranspose weights input-channel major. */
    dnnl_memory_desc_init_by_tag(&w_plain, grouped ? 5 : 4, grouped ? wd5 : wd4, dnnl_f32,
                                 grouped ? dnnl_acbde : dnnl_bacd);
    dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&dst_md, 4, dd, p->is_out[out] ? dnnl_f32 : dt,
                                 p->is_out[out] ? dnnl_abcd : dnnl_format_tag_any);
    dnnl_deconvolution_desc_t dd_desc;
    dnnl_primitive_attr_t a = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int ok = dnnl_dilated_deconvolution_forward_desc_init(&dd_desc, dnnl_forward_inference, dnnl_deconvolution_direct,
                                                           &src_any, &w_any, &b_md, &dst_md, st, dl, pl,
                                                           pr) == dnnl_success &&
             (a = hacl_pg_new_attr()) && dnnl_post_ops_create(&po) == dnnl_success;
    if (ok && act.node >= 0)
        hacl_pg_append_act(po, &act);
    if (ok)
        dnnl_primitive_attr_set_post_ops(a, po);
    ok = ok && dnnl_primitive_desc_create(&pd, &dd_desc, a, hacl_pg_get_engine(), NULL) == dnnl_success;
    if (po)
        dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(a);
    if (!ok)
        return 0;
    dnnl_memory_desc_t src_md = hacl_pg_pd_md(pd, dnnl_query_src_md), wmd = hacl_pg_pd_md(pd, dnnl_query_weights_md);
    dst_md = hacl_pg_pd_md(pd, dnnl_query_dst_md);
    float *bias = hacl_malloc_aligned(ALIGN, (size_t)dg.m * sizeof *bias);
    if (!bias) {
        dnnl_primitive_desc_destroy(pd);
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing ConvTranspose weights");
    }
    const float *b0 = n->ninputs > 2 && n->inputs[2] >= 0 ? g->tensors[n->inputs[2]].data : NULL;
    for (int64_t m = 0; m < dg.m; m++)
        bias[m] = b0 ? b0[m] : 0.0f;
    int wb = hacl_pg_prepared_weight(p, &w_plain, g->tensors[n->inputs[1]].data, NULL, &wmd, rc);
    int bb = wb < 0 ? (hacl_free(bias), -1) : hacl_pg_owned_weight(p, &b_md, bias, rc);
    int xb = bb >= 0 ? hacl_pg_get_layout(p, n->inputs[0], &src_md, rc) : -1;
    int s = xb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    int db = s >= 0 ? hacl_pg_out_buf(p, out, &dst_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "ConvTranspose";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_WEIGHTS, wb);
    hacl_pg_arg(p, s, DNNL_ARG_BIAS, bb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    if (act.node >= 0)
        hacl_pg_absorb_act(p, &act);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* Whether md has the layout of tag (for md's own dims and type). */
static int layout_is(const dnnl_memory_desc_t *md, dnnl_format_tag_t tag)
{
    dnnl_memory_desc_t t;
    return dnnl_memory_desc_init_by_tag(&t, md->ndims, md->dims, md->data_type, tag) == dnnl_success &&
           dnnl_memory_desc_equal(&t, md);
}

/* Whether ReduceMean node n averages exactly the spatial dims (2 .. rank
 * - 1) of its rank-r input: a global average pool; *keep: keepdims. */
static int mean_over_space(const struct hacl_graph *g, const struct hacl_node *n, int r, int *keep)
{
    int64_t axes[HACL_MAX_RANK];
    int k = n->ninputs > 1 && n->inputs[1] >= 0 ? hacl_const_ints(&g->tensors[n->inputs[1]], axes, HACL_MAX_RANK)
                                                : hacl_attr_ints(n, "axes", axes, HACL_MAX_RANK);
    if (k != r - 2)
        return 0;
    int seen = 0;
    for (int i = 0; i < k; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
        if (a < 2 || a >= r || (seen & (1 << a)))
            return 0;
        seen |= 1 << a;
    }
    *keep = hacl_attr_int(n, "keepdims", 1) != 0;
    return 1;
}

/* MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool over 1 to 3
 * spatial dims, and ReduceMean over all of them (MnasNet's and
 * ShuffleNet's global pooling: in C it needed its input row-major, a
 * reorder of the whole feature map first). */
int hacl_pg_pool_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *x = &g->tensors[n->inputs[0]], *y = &g->tensors[n->outputs[0]];
    if (x->onnx_type != F32 || x->rank < 3 || x->rank > 5 || (p->native[n->inputs[0]] < 0 && !x->is_const) ||
        (n->noutputs > 1 && n->outputs[1] >= 0))
        return 0;
    int reduce = !strcmp(n->op, "ReduceMean"), keep = 1;
    /* keepdims 0: written through a view of its row-major output with the
     * pooled dims (the same bytes), which a model output cannot be */
    if (reduce && (!mean_over_space(g, n, x->rank, &keep) || (!keep && p->is_out[n->outputs[0]])))
        return 0;
    int global = reduce || strncmp(n->op, "Global", 6) == 0;
    int is_max = !reduce && strcmp(n->op + (global ? 6 : 0), "MaxPool") == 0;
    struct hacl_conv_geom cg;
    char why[8];
    if (global) {
        memset(&cg, 0, sizeof cg);
        cg.sp = x->rank - 2;
        cg.n = x->dims[0], cg.c = x->dims[1];
        for (int i = 0; i < 3; i++) {
            cg.in[i] = cg.k[i] = i < cg.sp ? x->dims[2 + i] : 1;
            cg.s[i] = cg.d[i] = cg.out[i] = 1;
        }
    } else if (hacl_pool_geometry((struct hacl_graph *)g, n, &cg, why, sizeof why) != ACL_SUCCESS) {
        return 0;
    }
    if (!spatial_ok(&cg))
        return 0;
    /* oneDNN wants the end padding that yields the output size; a window
     * reaching into padding added only by ceil_mode is not counted by ONNX
     * when averaging with count_include_pad, so that case stays in C.
     * A window may be larger than the input (s3d's 3x3x3 max pools over
     * two frames padded by one: 7.5 ms in C, 0.1 on oneDNN), but every
     * window must overlap it; others go to the C kernel, which only
     * visits the steps inside the input. */
    int include = !is_max && hacl_pool_counts_pad(n);
    dnnl_dims_t st, k, dl, pl, pr, dd = {y->dims[0], y->dims[1]};
    for (int i = 0; i < cg.sp; i++) {
        int64_t ek = (cg.k[i] - 1) * cg.d[i] + 1;
        int64_t pe = (cg.out[i] - 1) * cg.s[i] + ek - cg.in[i] - cg.pb[i];
        if ((cg.in[i] + cg.pb[i] + cg.pe[i] - ek) / cg.s[i] + 1 == cg.out[i])
            pe = cg.pe[i];
        if (pe < 0 || (include && pe != cg.pe[i]) || cg.pb[i] >= ek || pe >= ek ||
            (cg.out[i] - 1) * cg.s[i] - cg.pb[i] >= cg.in[i])
            return 0;
        st[i] = cg.s[i], k[i] = cg.k[i], dl[i] = cg.d[i] - 1, pl[i] = cg.pb[i], pr[i] = pe;
        dd[2 + i] = keep ? y->dims[2 + i] : 1;
    }
    int xb0 = x->is_const ? hacl_pg_get_plain(p, n->inputs[0], rc) : p->native[n->inputs[0]];
    if (xb0 < 0)
        return -1;
    if (!p->bufs[xb0].has_md)
        return 0;
    dnnl_memory_desc_t src_md = p->bufs[xb0].md, dst_md;
    int to_out = p->is_out[n->outputs[0]];
    /* a bfloat16 input pools into bfloat16 (oneDNN pools no bfloat16 into
     * float32): without keepdims into a row-major bfloat16 buffer, which
     * a bfloat16 classifier reads as it is (mnasnet0_5's final mean went
     * through a float32 reorder and C: 10% of its time) */
    int half = !keep && !to_out && src_md.data_type == dnnl_bf16;
    dnnl_alg_kind_t alg = is_max ? dnnl_pooling_max
                                 : include ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
    /* In the input's layout; where oneDNN has only its reference kernel
     * for that one (bfloat16 in the layout a grouped convolution chose:
     * RegNet's squeeze-and-excitation pools took 60% of its time), in a
     * standard layout after a reorder. */
    dnnl_format_tag_t blocked = x->rank == 3 ? dnnl_aBc16b : x->rank == 4 ? dnnl_aBcd16b : dnnl_aBcde16b;
    dnnl_format_tag_t last = x->rank == 3 ? dnnl_acb : x->rank == 4 ? dnnl_acdb : dnnl_acdeb;
    dnnl_format_tag_t tries[3] = {x->dims[1] % 16 == 0 ? blocked : last, last, hacl_pg_plain_tag(x->rank)};
    dnnl_primitive_desc_t pd = NULL;
    for (int t = -1; t < 3 && !pd; t++) {
        dnnl_memory_desc_t in_md = src_md;
        if (t >= 0 && dnnl_memory_desc_init_by_tag(&in_md, x->rank, src_md.dims, src_md.data_type, tries[t]) !=
                          dnnl_success)
            continue;
        /* without keepdims the pooled [N, C, 1, ...] is written through a
         * view of the row-major [N, C]: in the input's own layout where
         * that lays it out the same (blocks of 16 over whole blocks;
         * channels-last always), else row-major */
        dnnl_format_tag_t flat = hacl_pg_blocked16(&in_md) && x->dims[1] % 16 == 0 ? blocked
                                 : layout_is(&in_md, last)                  ? last
                                                                            : hacl_pg_plain_tag(x->rank);
        dnnl_memory_desc_init_by_tag(&dst_md, x->rank, dd, to_out || (!keep && !half) ? dnnl_f32 : src_md.data_type,
                                     to_out ? hacl_pg_plain_tag(x->rank) : !keep ? flat : dnnl_format_tag_any);
        dnnl_pooling_v2_desc_t pdsc;
        if (dnnl_pooling_v2_forward_desc_init(&pdsc, dnnl_forward_inference, alg, &in_md, &dst_md, st, k, dl, pl,
                                              pr) != dnnl_success)
            return 0;
        dnnl_primitive_attr_t a = hacl_pg_new_attr();
        if (!a || dnnl_primitive_desc_create(&pd, &pdsc, a, hacl_pg_get_engine(), NULL) != dnnl_success)
            pd = NULL;
        dnnl_primitive_attr_destroy(a);
        if (pd && t < 2 && hacl_pg_is_reference(pd)) { /* the plain layout's, whatever it is, is the last */
            dnnl_primitive_desc_destroy(pd);
            pd = NULL;
        }
        if (pd && t >= 0 && (xb0 = hacl_pg_get_layout(p, n->inputs[0], &in_md, rc)) < 0) {
            dnnl_primitive_desc_destroy(pd);
            return -1;
        }
    }
    if (!pd)
        return 0;
    dst_md = hacl_pg_pd_md(pd, dnnl_query_dst_md);
    int s = hacl_pg_add_step(p, -1, rc);
    dnnl_memory_desc_t y16 = hacl_pg_plain_bf16(y);
    int db = s >= 0 ? hacl_pg_out_buf(p, n->outputs[0], keep ? &dst_md : half ? &y16 : NULL, rc) : -1;
    if (db >= 0 && !keep)
        db = hacl_pg_view(p, n->outputs[0], db, &dst_md, rc);
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = n->op;
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb0);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}
