/*
 * How a model's precision and its convolutions' implementations and
 * layouts are chosen, past oneDNN's own choice: bfloat16 where the CPU
 * gains by it, following a blocked input, Winograd without an activation
 * it cannot fuse, float32 where bfloat16 has no kernel. Used by the
 * compiler (prog.c) and the convolution lowering (prog_lower.c).
 */
#include <string.h>

#include "runtime/config.h"
#include "runtime/error.h"
#include "prog_impl.h"

/* The tile size of a Winograd primitive's transformed weights (4: F(2x2,
 * 3x3), 6: F(4x4, 3x3)), or 0 when its weights are not Winograd's. */
int hacl_pg_wino_alpha(const_dnnl_primitive_desc_t pd)
{
    const dnnl_memory_desc_t *w = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    return w && w->format_kind == dnnl_format_kind_wino ? w->format_desc.wino_desc.alpha : 0;
}

/* The Winograd convolution of descriptor cd with no post-op but sum (when
 * sum), except F(4x4, 3x3) on maps under 196 pixels (as the lowering does
 * for every Winograd convolution): *pd and 1, or 0. */
int hacl_pg_wino_without_act(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd, int sum, int64_t pixels)
{
    if (cd->alg_kind != dnnl_convolution_winograd)
        return 0;
    dnnl_primitive_attr_t a = hacl_pg_new_attr();
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t w = NULL;
    if (a && sum && dnnl_post_ops_create(&po) == dnnl_success) {
        dnnl_post_ops_append_sum(po, 1.0f);
        dnnl_primitive_attr_set_post_ops(a, po);
        dnnl_post_ops_destroy(po);
    }
    if (a && (!sum || po) && dnnl_primitive_desc_create(&w, cd, a, hacl_pg_get_engine(), NULL) != dnnl_success)
        w = NULL;
    dnnl_primitive_attr_destroy(a);
    if (w && pixels < 196 && hacl_pg_wino_alpha(w) == 6) {
        dnnl_primitive_desc_destroy(w);
        w = NULL;
    }
    if (w)
        *pd = w;
    return w != NULL;
}

/* F(4x4, 3x3) instead of the F(2x2, 3x3) oneDNN lists first, where it
 * was found faster (prog_lower.c): *pd replaced and 1, or 0 where no
 * F(4x4) implementation serves cd with attributes a. */
int hacl_pg_wino_prefer_f4(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd, const_dnnl_primitive_attr_t a)
{
    dnnl_primitive_desc_iterator_t it = NULL;
    if (hacl_pg_wino_alpha(*pd) != 4 ||
        dnnl_primitive_desc_iterator_create(&it, cd, a, hacl_pg_get_engine(), NULL) != dnnl_success)
        return 0;
    dnnl_primitive_desc_t f4 = NULL;
    do {
        dnnl_primitive_desc_t cur = dnnl_primitive_desc_iterator_fetch(it); /* ours to destroy */
        if (cur && hacl_pg_wino_alpha(cur) == 6)
            f4 = cur;
        else if (cur)
            dnnl_primitive_desc_destroy(cur);
    } while (!f4 && dnnl_primitive_desc_iterator_next(it) == dnnl_success);
    dnnl_primitive_desc_iterator_destroy(it);
    if (!f4)
        return 0;
    dnnl_primitive_desc_destroy(*pd);
    *pd = f4;
    return 1;
}

/* Whether pd's implementation name contains what. */
int hacl_pg_impl_says(const_dnnl_primitive_desc_t pd, const char *what)
{
    const char *impl = NULL;
    return dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl &&
           strstr(impl, what);
}

/* Replaces *pd by the convolution of descriptor cd when a kernel other
 * than the reference one serves it (and its code can be generated). */
static void replace_if_served(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd,
                              const_dnnl_primitive_attr_t a)
{
    dnnl_primitive_desc_t alt = NULL;
    if (dnnl_primitive_desc_create(&alt, cd, a, hacl_pg_get_engine(), NULL) != dnnl_success)
        return;
    if (hacl_pg_is_reference(alt)) {
        dnnl_primitive_desc_destroy(alt);
        return;
    }
    if (!(alt = hacl_pg_creatable(alt, cd, a))) /* destroyed there */
        return;
    dnnl_primitive_desc_destroy(*pd);
    *pd = alt;
}

/* Re-makes convolution cd0 in float32 (layouts left to oneDNN but a fixed
 * float32 output's), replacing *pd when a kernel other than the reference
 * one exists. */
void hacl_pg_conv_in_f32(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd0, const_dnnl_primitive_attr_t a,
                        int out_fixed)
{
    dnnl_convolution_desc_t cd = *cd0;
    const dnnl_memory_desc_t *s = &cd0->src_desc, *w = &cd0->weights_desc, *d = &cd0->dst_desc;
    if (dnnl_memory_desc_init_by_tag(&cd.src_desc, s->ndims, s->dims, dnnl_f32, dnnl_format_tag_any) != dnnl_success ||
        dnnl_memory_desc_init_by_tag(&cd.weights_desc, w->ndims, w->dims, dnnl_f32, dnnl_format_tag_any) !=
            dnnl_success ||
        (!out_fixed &&
         dnnl_memory_desc_init_by_tag(&cd.dst_desc, d->ndims, d->dims, dnnl_f32, dnnl_format_tag_any) != dnnl_success))
        return;
    replace_if_served(pd, &cd, a);
}

/* The 16-channel blocked layout's tag for md's dims when md has that
 * layout, else 0. */
dnnl_format_tag_t hacl_pg_blocked16(const dnnl_memory_desc_t *md)
{
    int nd = md->ndims;
    if (md->format_kind != dnnl_blocked || nd < 3 || nd > 5)
        return (dnnl_format_tag_t)0;
    const dnnl_blocking_desc_t *bk = &md->format_desc.blocking;
    if (bk->inner_nblks == 1 && bk->inner_blks[0] == 16 && bk->inner_idxs[0] == 1)
        return nd == 3 ? dnnl_aBc16b : nd == 4 ? dnnl_aBcd16b : dnnl_aBcde16b;
    return (dnnl_format_tag_t)0;
}

/* Left to choose, oneDNN gives a convolution whose channels are no
 * multiple of 16 channels-last even when its input comes blocked (MnasNet,
 * MobileNetV3, EfficientNet: 8, 24, 40, 72, 200 channels between blocked
 * neighbours): a reorder on each side. Where a kernel other than the
 * reference one exists for the blocked input (the channels padded to whole
 * blocks), the convolution takes it, and its output the same layout, so
 * the chain stays blocked. Following a channels-last input as well was
 * measured: GoogLeNet 15% slower. */
void hacl_pg_follow_input_layout(struct hacl_prog *p, int t, dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd0,
                                const_dnnl_primitive_attr_t a, int out_fixed)
{
    int nb = p->native[t];
    if (nb < 0 || !p->bufs[nb].has_md)
        return;
    const dnnl_memory_desc_t *have = &p->bufs[nb].md;
    dnnl_memory_desc_t chosen = hacl_pg_pd_md(*pd, dnnl_query_src_md);
    dnnl_format_tag_t kind = hacl_pg_blocked16(have);
    if (!kind || dnnl_memory_desc_equal(have, &chosen) || have->data_type != chosen.data_type ||
        have->ndims != chosen.ndims)
        return;
    for (int i = 0; i < have->ndims; i++)
        if (have->dims[i] != chosen.dims[i])
            return;
    dnnl_convolution_desc_t cd = *cd0;
    cd.src_desc = *have;
    if (!out_fixed &&
        dnnl_memory_desc_init_by_tag(&cd.dst_desc, cd0->dst_desc.ndims, cd0->dst_desc.dims, cd0->dst_desc.data_type,
                                     kind) != dnnl_success)
        return;
    replace_if_served(pd, &cd, a);
}

/* 1 when the CPU computes bfloat16 natively (AVX512-BF16 or AMX). */
static int cpu_has_bf16(void)
{
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return isa == dnnl_cpu_isa_avx512_core_bf16 || isa == dnnl_cpu_isa_avx512_core_amx;
}

/* 1 when a BatchNormalization reads a concatenation along channels
 * (DenseNet: every layer normalises the concatenation of all before it). */
static int norm_reads_concat(const struct hacl_graph *g)
{
    for (size_t i = 0; i < g->nnodes; i++) {
        const struct hacl_node *n = &g->nodes[i];
        if (n->folded || strcmp(n->op, "BatchNormalization") || n->ninputs < 1 || n->inputs[0] < 0)
            continue;
        int pr = g->tensors[n->inputs[0]].producer;
        if (pr >= 0 && !strcmp(g->nodes[pr].op, "Concat") && g->tensors[n->inputs[0]].rank == 4 &&
            hacl_pg_concat_axis(&g->nodes[pr], 4) == 1)
            return 1;
    }
    return 0;
}

/* p->bf16, p->amx and p->channel_concats for precision mode `precision`. */
void hacl_pg_precision_setup(struct hacl_prog *p, int precision)
{
    const struct hacl_graph *g = p->g;
    if (precision == HACL_PREC_ALLOW_BF16 && !p->reference) {
        p->bf16 = cpu_has_bf16();
        if (!p->bf16)
            hacl_log(ACL_WARNING, "precision_mode allow_bf16: this CPU has no bfloat16 instructions; the model "
                                  "runs in float32");
    }
    for (size_t i = 0; i < g->nnodes && !p->channel_concats; i++) {
        const struct hacl_node *n = &g->nodes[i];
        if (!strcmp(n->op, "Concat") && n->noutputs == 1 && n->outputs[0] >= 0 &&
            g->tensors[n->outputs[0]].rank == 4)
            p->channel_concats = hacl_pg_concat_axis(n, 4) == 1;
    }
    /* With AMX, oneDNN's bfloat16 convolutions run on tiles only in the
     * channels-last layout; in the 16-channel blocked one they take the
     * AVX512-BF16 kernels, slower than float32 on such a CPU (measured on a
     * Xeon with AMX: googlenet 39 -> 112, inception_v3 11 -> 34 images/s
     * channels-last; float32 79 and 16). DenseNet is slower in bfloat16
     * either way (densenet121: 18 images/s blocked, 11 channels-last, where
     * each normalisation reads a strided slice of the concatenation on
     * oneDNN's plain kernel; float32 35): such a graph stays float32. */
    p->amx = p->bf16 && dnnl_get_effective_cpu_isa() == dnnl_cpu_isa_avx512_core_amx;
    if (p->amx && p->channel_concats && norm_reads_concat(g)) {
        p->bf16 = 0;
        hacl_log(ACL_INFO, "precision_mode allow_bf16: normalisations of channel concatenations run faster in "
                           "float32 on this CPU (AMX); the model runs in float32");
    }
}
