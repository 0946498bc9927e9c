/*
 * How a convolution's implementation and layouts are chosen, past oneDNN's
 * own choice: following a blocked input, Winograd without an activation
 * it cannot fuse, float32 where bfloat16 has no kernel. Used by the
 * convolution lowering (prog_lower.c).
 */
#include <string.h>

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
