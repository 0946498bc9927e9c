/*
 * Element-wise operators lowered to oneDNN (see prog_impl.h): binary
 * arithmetic (Add, Sub, Mul, Div, Max, Min) and activations on float32
 * tensors, in the layout their input already has. Between convolutions
 * that keep blocked layouts, a C kernel would need a reorder to row-major
 * and back on each side (a squeeze-and-excitation Mul: two reorders of the
 * full feature map); these steps need none.
 */
#include <math.h>
#include <string.h>

#include "device/alloc.h"
#include "plan.h"
#include "prog_impl.h"


/* The format tag md has, among the layouts primitives pick for
 * activations, or dnnl_format_tag_undef. */
static dnnl_format_tag_t tag_of(const dnnl_memory_desc_t *md)
{
    static const dnnl_format_tag_t tags[] = {dnnl_a,      dnnl_ab,      dnnl_abc,     dnnl_abcd,     dnnl_abcde,
                                             dnnl_abcdef, dnnl_acb,     dnnl_acdb,    dnnl_acdeb,    dnnl_aBc16b,
                                             dnnl_aBcd16b, dnnl_aBcde16b, dnnl_aBc8b, dnnl_aBcd8b,   dnnl_aBcde8b,
                                             dnnl_aBc4b,  dnnl_aBcd4b,  dnnl_aBcde4b};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        dnnl_memory_desc_t t;
        if (dnnl_memory_desc_init_by_tag(&t, md->ndims, md->dims, md->data_type, tags[i]) == dnnl_success &&
            dnnl_memory_desc_equal(&t, md))
            return tags[i];
    }
    return dnnl_format_tag_undef;
}

int hacl_pg_native_buf(struct hacl_prog *p, int t, aclError *rc)
{
    int b = p->native[t];
    if (b >= 0 && p->bufs[b].has_md)
        return b;
    return hacl_pg_get_plain(p, t, rc);
}

static int binary_alg(const char *op, dnnl_alg_kind_t *alg, int *commutes)
{
    static const struct {
        const char *op;
        dnnl_alg_kind_t alg;
        int commutes;
    } algs[] = {{"Add", dnnl_binary_add, 1}, {"Mul", dnnl_binary_mul, 1}, {"Sub", dnnl_binary_sub, 0},
                {"Div", dnnl_binary_div, 0}, {"Max", dnnl_binary_max, 1}, {"Min", dnnl_binary_min, 1}};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (!strcmp(algs[i].op, op)) {
            *alg = algs[i].alg;
            *commutes = algs[i].commutes;
            return 1;
        }
    return 0;
}

int hacl_pg_binary_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    dnnl_alg_kind_t alg;
    int commutes;
    if (n->ninputs != 2 || n->inputs[0] < 0 || n->inputs[1] < 0 || !binary_alg(n->op, &alg, &commutes))
        return 0;
    int a = n->inputs[0], b = n->inputs[1], out = n->outputs[0];
    const struct hacl_tensor *Y = &g->tensors[out];
    /* src0 has the output's shape; src1 broadcasts to it */
    if (!hacl_pg_same_shape(&g->tensors[a], Y)) {
        if (!commutes || !hacl_pg_same_shape(&g->tensors[b], Y))
            return 0;
        int t = a;
        a = b, b = t;
    }
    const struct hacl_tensor *A = &g->tensors[a], *B = &g->tensors[b];
    if (A->onnx_type != 1 || B->onnx_type != 1 || Y->onnx_type != 1 || Y->rank < 1 || Y->rank > 6 ||
        (B->rank != Y->rank && !B->is_const) || B->rank > Y->rank || hacl_tensor_elements(Y) <= 0 ||
        A->is_const || !hacl_pg_dnnl_size_ok(Y))
        return 0;
    int full = hacl_pg_same_shape(B, Y);
    int ab = hacl_pg_native_buf(p, a, rc);
    if (ab < 0)
        return -1;
    dnnl_memory_desc_t a_md = p->bufs[ab].md, b_md, y_md;
    dnnl_dims_t yd, bdims;
    for (int i = 0; i < Y->rank; i++) {
        int ib = i - (Y->rank - B->rank); /* a constant of lower rank: leading 1s */
        yd[i] = Y->dims[i], bdims[i] = ib >= 0 ? B->dims[ib] : 1;
    }
    /* both operands in src0's layout: oneDNN's fast kernels want a
     * broadcast operand (1 x C x 1 x 1) in the same blocked layout as a
     * blocked src0 (measured: any other choice leaves the reference one).
     * When that layout has no fast kernel (channel blocks that do not
     * divide C: RegNet's squeeze-and-excitation products), channels-last
     * and then row-major are tried, src0 converted once. */
    dnnl_format_tag_t native_tag = tag_of(&a_md);
    const dnnl_format_tag_t tries[3] = {native_tag, Y->rank == 4 ? dnnl_acdb : dnnl_format_tag_undef,
                                        hacl_pg_plain_tag(Y->rank)};
    dnnl_primitive_desc_t pd = NULL;
    dnnl_format_tag_t tag = dnnl_format_tag_undef;
    for (int k = 0; k < 3 && !pd; k++) {
        /* no fast kernel in the map's own layout: a product by computed
         * per-channel factors is one scaling reorder (prog_scale.c) */
        if (k == 1 && !full && alg == dnnl_binary_mul) {
            int r = hacl_pg_scale_step(p, node, a, b, rc);
            if (r != 0)
                return r;
        }
        if (k > 0 && (full || tries[k] == dnnl_format_tag_undef || tries[k] == native_tag))
            continue;
        tag = full ? dnnl_format_tag_undef : tries[k];
        dnnl_memory_desc_t am = a_md;
        if (k > 0 && dnnl_memory_desc_init_by_tag(&am, Y->rank, yd, dnnl_f32, tag) != dnnl_success)
            continue;
        if (full)
            b_md = am;
        else if (tag == dnnl_format_tag_undef ||
                 dnnl_memory_desc_init_by_tag(&b_md, Y->rank, bdims, dnnl_f32, tag) != dnnl_success)
            continue;
        if (p->is_out[out])
            dnnl_memory_desc_init_by_tag(&y_md, Y->rank, yd, dnnl_f32, hacl_pg_plain_tag(Y->rank));
        else
            y_md = am; /* the input's layout */
        dnnl_binary_desc_t bd;
        if (dnnl_binary_desc_init(&bd, alg, &am, &b_md, &y_md) != dnnl_success)
            continue;
        pd = hacl_pg_fast_pd(&bd, NULL);
        if (pd && k > 0) { /* src0 converted to the layout that has a fast kernel */
            ab = hacl_pg_get_layout(p, a, &am, rc);
            if (ab < 0) {
                dnnl_primitive_desc_destroy(pd);
                return -1;
            }
        }
    }
    if (!pd)
        return 0;
    y_md = hacl_pg_pd_md(pd, dnnl_query_dst_md);
    /* a constant operand is converted once, when the weights are placed */
    int bb;
    if (B->is_const) {
        dnnl_memory_desc_t from;
        dnnl_memory_desc_init_by_tag(&from, Y->rank, bdims, dnnl_f32, hacl_pg_plain_tag(Y->rank));
        bb = hacl_pg_prepared_weight(p, &from, B->data, NULL, &b_md, rc);
    } else {
        bb = hacl_pg_get_layout(p, b, &b_md, rc);
    }
    int s = bb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    int db = s >= 0 ? hacl_pg_out_buf(p, out, &y_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = n->op;
    hacl_pg_arg(p, s, DNNL_ARG_SRC_0, ab);
    hacl_pg_arg(p, s, DNNL_ARG_SRC_1, bb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* Activations not fused into a producer, on oneDNN's eltwise primitive in
 * their input's layout (SiLU and HardSwish pairs as one step). */
int hacl_pg_eltwise_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    if (n->ninputs < 1 || n->inputs[0] < 0 || n->noutputs < 1 || n->outputs[0] < 0)
        return 0;
    int x = n->inputs[0];
    const struct hacl_tensor *X = &g->tensors[x];
    if (X->onnx_type != 1 || X->rank < 1 || X->rank > 6 || hacl_tensor_elements(X) <= 0 || X->is_const ||
        p->native[x] < 0 || !hacl_pg_dnnl_size_ok(X))
        return 0;
    /* a SiLU / HardSwish pair this node opens, else the node itself */
    struct act act;
    if (!(hacl_pg_find_act(p, x, &act) && act.node == node && act.node2 >= 0) && !hacl_pg_act_of(p, node, &act))
        return 0;
    if (!hacl_pg_same_shape(&g->tensors[act.out], X))
        return 0;
    int xb = hacl_pg_native_buf(p, x, rc);
    if (xb < 0)
        return -1;
    dnnl_memory_desc_t x_md = p->bufs[xb].md, y_md;
    const struct hacl_tensor *Y = &g->tensors[act.out];
    dnnl_dims_t yd;
    for (int i = 0; i < Y->rank; i++)
        yd[i] = Y->dims[i];
    if (p->is_out[act.out])
        dnnl_memory_desc_init_by_tag(&y_md, Y->rank, yd, dnnl_f32, hacl_pg_plain_tag(Y->rank));
    else
        y_md = x_md;
    if (!dnnl_memory_desc_equal(&x_md, &y_md)) {
        /* eltwise keeps one layout: convert the input to the output's */
        xb = hacl_pg_get_layout(p, x, &y_md, rc);
        if (xb < 0)
            return -1;
        x_md = y_md;
    }
    dnnl_eltwise_desc_t ed;
    if (dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, act.alg, &x_md, act.alpha, act.beta) !=
        dnnl_success)
        return 0;
    dnnl_post_ops_t po = NULL;
    if (act.clip01 && dnnl_post_ops_create(&po) == dnnl_success)
        dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip_v2, 0.0f, 1.0f);
    dnnl_primitive_desc_t pd = act.clip01 && !po ? NULL : hacl_pg_fast_pd(&ed, po);
    if (po)
        dnnl_post_ops_destroy(po);
    if (!pd)
        return 0;
    int s = hacl_pg_add_step(p, -1, rc);
    int db = s >= 0 ? hacl_pg_out_buf(p, act.out, &y_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = act.alg == dnnl_eltwise_gelu_erf ? "GELU"
                     : act.node2 >= 0 ? (act.alg == dnnl_eltwise_swish ? "SiLU" : "HardSwish")
                                      : n->op;
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    hacl_pg_absorb_act(p, &act);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* A Concat along the channels of a batch-1 map, whose inputs are all in
 * one layout that keeps each input whole and in order (row-major, or
 * channel blocks that divide each input's channels), needs no copy: each
 * input's buffer becomes a view at its offset in the output's, so its
 * producer writes straight into its slice (DenseNet, Inception, GoogLeNet,
 * SqueezeNet). 1: done, 0: not such a Concat. */
static int concat_in_place(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int out = n->outputs[0];
    const struct hacl_tensor *Y = &g->tensors[out];
    int64_t axis = hacl_pg_concat_axis(n, Y->rank);
    if (axis != 1 || Y->rank < 2 || Y->dims[0] != 1 || p->is_out[out])
        return 0;
    dnnl_format_tag_t tag = dnnl_format_tag_undef;
    dnnl_data_type_t dt = dnnl_f32;
    int64_t block = 1;
    for (size_t i = 0; i < n->ninputs; i++) {
        int t = n->inputs[i], b = p->native[t];
        if (t < 0 || b < 0 || p->ncons[t] != 1 || p->is_out[t] || g->tensors[t].is_const)
            return 0;
        for (size_t j = 0; j < i; j++)
            if (n->inputs[j] == t)
                return 0; /* the same tensor twice */
        const struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_WORK || !pb->has_md || pb->alias_of >= 0 || pb->aliased)
            return 0;
        dnnl_format_tag_t ti = tag_of(&pb->md);
        if (ti == dnnl_format_tag_undef || (i && (ti != tag || pb->md.data_type != dt)))
            return 0;
        tag = ti;
        dt = pb->md.data_type; /* bfloat16 maps with allow_bf16 */
        if (pb->md.format_kind == dnnl_blocked && pb->md.format_desc.blocking.inner_nblks == 1) {
            if (pb->md.format_desc.blocking.inner_idxs[0] != 1)
                return 0;
            block = pb->md.format_desc.blocking.inner_blks[0];
        } else if (pb->md.format_desc.blocking.inner_nblks > 1) {
            return 0;
        }
        if (g->tensors[t].dims[1] % block)
            return 0;
    }
    /* row-major (the one layout whose outermost stride is the batch),
     * or one channel block */
    if (block == 1 && tag != hacl_pg_plain_tag(Y->rank))
        return 0;
    dnnl_dims_t yd;
    for (int i = 0; i < Y->rank; i++)
        yd[i] = Y->dims[i];
    dnnl_memory_desc_t y_md;
    if (dnnl_memory_desc_init_by_tag(&y_md, Y->rank, yd, dt, tag) != dnnl_success)
        return 0;
    int ob = hacl_pg_out_buf(p, out, &y_md, rc);
    if (ob < 0)
        return -1;
    size_t off = 0;
    for (size_t i = 0; i < n->ninputs; i++) {
        struct pbuf *pb = &p->bufs[p->native[n->inputs[i]]];
        pb->alias_of = ob;
        pb->alias_off = off;
        off += dnnl_memory_desc_get_size(&pb->md);
    }
    p->bufs[ob].aliased = 1;
    return off == p->bufs[ob].bytes ? 1 : hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a concatenation's slices do not add up");
}

/* The channel block of a buffer's layout (1: row-major), or 0 when it is
 * another layout (channels-last, several blocks). */
static int64_t channel_block(const dnnl_memory_desc_t *md, int rank)
{
    dnnl_format_tag_t t = tag_of(md);
    if (t == hacl_pg_plain_tag(rank))
        return 1;
    if (t == dnnl_format_tag_undef || md->format_kind != dnnl_blocked ||
        md->format_desc.blocking.inner_nblks != 1 || md->format_desc.blocking.inner_idxs[0] != 1)
        return 0;
    return md->format_desc.blocking.inner_blks[0];
}

/* DenseNet's concatenations: layer k concatenates the block's input and
 * every feature so far, Concat(x0, f1, ..., fk), each one a prefix of the
 * next. The whole chain shares the buffer of its longest member: every
 * feature is written once into its slice of it and each Concat's output is
 * a prefix of it (batch 1, channels row-major or in blocks that divide each
 * input's channels), instead of a copy of everything so far per layer.
 * 1: done, 0: not such a chain. */
static int concat_chain(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int out = n->outputs[0];
    const struct hacl_tensor *Y = &g->tensors[out];
    if (Y->rank < 3 || hacl_pg_concat_axis(n, Y->rank) != 1 || Y->dims[0] != 1 || p->is_out[out])
        return 0;
    /* the chain's longest member */
    int last = -1;
    size_t longest = n->ninputs;
    for (size_t j = 0; j < g->nnodes; j++) {
        const struct hacl_node *c = &g->nodes[j];
        if ((int)j == node || strcmp(c->op, "Concat") || c->ninputs <= longest || c->noutputs < 1 ||
            hacl_pg_concat_axis(c, Y->rank) != 1)
            continue;
        size_t i = 0;
        while (i < n->ninputs && c->inputs[i] == n->inputs[i])
            i++;
        if (i == n->ninputs)
            last = (int)j, longest = c->ninputs;
    }
    /* where the inputs are: the leading ones already in a chain buffer */
    int root = -1;
    size_t off = 0, k = 0;
    int64_t block = 0;
    dnnl_format_tag_t tag = dnnl_format_tag_undef;
    dnnl_data_type_t dt = dnnl_f32;
    for (; k < n->ninputs; k++) {
        int t = n->inputs[k], b = t >= 0 ? p->native[t] : -1;
        if (b < 0 || p->bufs[b].alias_of < 0 || (root >= 0 && p->bufs[b].alias_of != root) ||
            p->bufs[b].alias_off != off || !p->bufs[b].has_md)
            break;
        if (root < 0) { /* the chain buffer of an earlier member, if it is one */
            root = p->bufs[b].alias_of;
            if (!p->bufs[root].chain)
                return 0;
            tag = tag_of(&p->bufs[b].md);
            block = channel_block(&p->bufs[b].md, Y->rank);
            dt = p->bufs[b].md.data_type;
        }
        off += dnnl_memory_desc_get_size(&p->bufs[b].md);
    }
    if (k == 0 && last < 0)
        return 0; /* a lone Concat: concat_in_place's case */
    /* the rest must be fresh buffers of that layout, each written once */
    for (size_t i = k; i < n->ninputs; i++) {
        int t = n->inputs[i], b = t >= 0 ? p->native[t] : -1;
        if (b < 0 || p->is_out[t] || g->tensors[t].is_const)
            return 0;
        const struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_WORK || !pb->has_md || pb->alias_of >= 0 || pb->aliased)
            return 0;
        for (size_t j = 0; j < i; j++)
            if (n->inputs[j] == t)
                return 0;
        if (root < 0 && i == 0) {
            tag = tag_of(&pb->md);
            block = channel_block(&pb->md, Y->rank);
            dt = pb->md.data_type;
        }
        if (tag == dnnl_format_tag_undef || block == 0 || tag_of(&pb->md) != tag || pb->md.data_type != dt ||
            g->tensors[t].dims[1] % block)
            return 0;
    }
    if (root < 0) { /* the first member: the chain buffer, the longest member's size */
        const struct hacl_tensor *L = &g->tensors[g->nodes[last].outputs[0]];
        dnnl_dims_t ld;
        for (int i = 0; i < L->rank; i++)
            ld[i] = L->dims[i];
        dnnl_memory_desc_t lmd;
        if (L->rank != Y->rank || L->dims[1] % block ||
            dnnl_memory_desc_init_by_tag(&lmd, L->rank, ld, dt, tag) != dnnl_success)
            return 0;
        root = hacl_pg_add_buf(p, g->nodes[last].outputs[0], B_WORK, -1, rc);
        if (root < 0)
            return -1;
        p->bufs[root].md = lmd;
        p->bufs[root].has_md = 1;
        p->bufs[root].plain = 0;
        p->bufs[root].bytes = dnnl_memory_desc_get_size(&lmd);
        p->bufs[root].chain = 1;
    }
    for (size_t i = k; i < n->ninputs; i++) {
        struct pbuf *pb = &p->bufs[p->native[n->inputs[i]]];
        pb->alias_of = root;
        pb->alias_off = off;
        off += dnnl_memory_desc_get_size(&pb->md);
    }
    dnnl_dims_t yd;
    for (int i = 0; i < Y->rank; i++)
        yd[i] = Y->dims[i];
    dnnl_memory_desc_t ymd;
    if (dnnl_memory_desc_init_by_tag(&ymd, Y->rank, yd, dt, tag) != dnnl_success ||
        dnnl_memory_desc_get_size(&ymd) != off || off > p->bufs[root].bytes)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a concatenation chain's slices do not add up");
    int v = hacl_pg_view(p, out, root, &ymd, rc);
    if (v < 0)
        return -1;
    p->native[out] = v;
    p->bufs[root].aliased = 1;
    return 1;
}

/* A channel Concat of a batch-1 map assembled in its output, input by
 * input: each input's channels are a contiguous slice of the output (in
 * row-major, or in the inputs' common channel-blocked layout when every
 * input's channels fill whole blocks). An input already in that layout,
 * read by nothing else, is written there by its producer; the others are
 * converted straight into their slice. ShuffleNet concatenates a view of
 * its input with a branch's channels-last output, and DeepLabV3's atrous
 * pyramid mixes blocked and channels-last branches: oneDNN's generic
 * concat of mixed layouts went pixel by pixel (60 us for 150 KB).
 * 1: done, 0: not. */
static int concat_by_parts(struct hacl_prog *p, int node, dnnl_format_tag_t common, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int out = n->outputs[0];
    const struct hacl_tensor *Y = &g->tensors[out];
    int64_t axis = hacl_pg_concat_axis(n, Y->rank);
    if (axis != 1 || Y->rank < 2 || Y->dims[0] != 1 || p->is_out[out])
        return 0;
    int64_t block = common == dnnl_aBc16b || common == dnnl_aBcd16b || common == dnnl_aBcde16b ? 16
                    : common == dnnl_aBc8b || common == dnnl_aBcd8b || common == dnnl_aBcde8b   ? 8
                    : common == dnnl_aBc4b || common == dnnl_aBcd4b || common == dnnl_aBcde4b   ? 4
                                                                                                : 1;
    dnnl_format_tag_t tag = block > 1 ? common : hacl_pg_plain_tag(Y->rank);
    int srcs[64];
    for (size_t i = 0; i < n->ninputs; i++) {
        if (g->tensors[n->inputs[i]].dims[1] % block)
            return 0;
        srcs[i] = hacl_pg_native_buf(p, n->inputs[i], rc);
        if (srcs[i] < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (n->inputs[j] == n->inputs[i])
                return 0;
    }
    dnnl_dims_t yd;
    for (int i = 0; i < Y->rank; i++)
        yd[i] = Y->dims[i];
    dnnl_memory_desc_t ymd;
    if (dnnl_memory_desc_init_by_tag(&ymd, Y->rank, yd, dnnl_f32, tag) != dnnl_success)
        return 0;
    int ob = hacl_pg_out_buf(p, out, block > 1 ? &ymd : NULL, rc);
    if (ob < 0)
        return -1;
    size_t off = 0;
    for (size_t i = 0; i < n->ninputs; i++) {
        int t = n->inputs[i];
        const struct hacl_tensor *x = &g->tensors[t];
        dnnl_dims_t xd;
        for (int k = 0; k < x->rank; k++)
            xd[k] = x->dims[k];
        dnnl_memory_desc_t md;
        if (dnnl_memory_desc_init_by_tag(&md, x->rank, xd, dnnl_f32, tag) != dnnl_success)
            return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a concatenation input has no such layout");
        struct pbuf *sb = &p->bufs[srcs[i]];
        if (sb->kind == B_WORK && sb->has_md && sb->alias_of < 0 && !sb->aliased && p->ncons[t] == 1 &&
            !p->is_out[t] && !x->is_const && dnnl_memory_desc_equal(&sb->md, &md)) {
            sb->alias_of = ob; /* its producer writes into the slice */
            sb->alias_off = off;
        } else {
            int v = hacl_pg_view(p, out, ob, &md, rc);
            if (v < 0)
                return -1;
            p->bufs[v].alias_off = off;
            if (hacl_pg_copy_into(p, srcs[i], v, "Concat", rc) < 0)
                return -1;
        }
        off += dnnl_memory_desc_get_size(&md);
    }
    p->bufs[ob].aliased = 1;
    return off == dnnl_memory_desc_get_size(&ymd) ? 1
                                                 : hacl_pg_fail(p, rc, ACL_ERROR_FAILURE,
                                                                "internal: a concatenation's slices do not add up");
}

/* Concat on oneDNN: every input in the layout its producer wrote when
 * oneDNN has a fast kernel for that mix (DenseNet, Inception, GoogLeNet and
 * SqueezeNet concatenate blocked convolution outputs), else every input
 * row-major; never a C kernel between blocked maps. */
int hacl_pg_concat_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int out = n->outputs[0];
    const struct hacl_tensor *Y = &g->tensors[out];
    if (n->ninputs < 1 || n->ninputs > 64 || Y->onnx_type != 1 || Y->rank < 1 || Y->rank > 6 ||
        hacl_tensor_elements(Y) <= 0 || !hacl_pg_dnnl_size_ok(Y))
        return 0;
    int64_t axis = hacl_pg_concat_axis(n, Y->rank);
    for (size_t i = 0; i < n->ninputs; i++) {
        const struct hacl_tensor *x = &g->tensors[n->inputs[i]];
        if (n->inputs[i] < 0 || x->onnx_type != 1 || hacl_tensor_elements(x) <= 0)
            return 0;
    }
    int shuffled = hacl_pg_shuffle_step(p, node, rc);
    if (shuffled)
        return shuffled;
    int chained = concat_chain(p, node, rc);
    if (chained || n->ninputs < 2) /* a lone one-input Concat is a copy on its C kernel */
        return chained;
    int inplace = concat_in_place(p, node, rc);
    if (inplace)
        return inplace;
    dnnl_memory_desc_t srcs[64], y_md;
    int bufs[64];
    dnnl_dims_t yd;
    for (int i = 0; i < Y->rank; i++)
        yd[i] = Y->dims[i];
    /* The layout most inputs already have (a blocked one from their
     * convolutions): the others are converted once to it (conversions are
     * kept with their tensor, so a DenseNet feature concatenated again by
     * every later layer is converted once); failing that, row-major. */
    dnnl_format_tag_t common = dnnl_format_tag_undef;
    int best = 0;
    for (size_t i = 0; i < n->ninputs; i++) {
        int b = p->native[n->inputs[i]];
        dnnl_format_tag_t t = b >= 0 && p->bufs[b].has_md ? tag_of(&p->bufs[b].md) : dnnl_format_tag_undef;
        int count = 0;
        for (size_t j = 0; j < n->ninputs && t != dnnl_format_tag_undef; j++) {
            int bj = p->native[n->inputs[j]];
            count += bj >= 0 && p->bufs[bj].has_md && tag_of(&p->bufs[bj].md) == t;
        }
        if (count > best)
            best = count, common = t;
    }
    int parts = concat_by_parts(p, node, common, rc);
    if (parts)
        return parts;
    dnnl_primitive_desc_t pd = NULL;
    for (int attempt = common == dnnl_format_tag_undef ? 1 : 0; attempt < 2 && !pd; attempt++) {
        dnnl_format_tag_t tag = attempt == 0 ? common : hacl_pg_plain_tag(Y->rank);
        for (size_t i = 0; i < n->ninputs; i++) {
            const struct hacl_tensor *x = &g->tensors[n->inputs[i]];
            dnnl_dims_t d;
            for (int k = 0; k < x->rank; k++)
                d[k] = x->dims[k];
            dnnl_memory_desc_t want;
            if (dnnl_memory_desc_init_by_tag(&want, x->rank, d, dnnl_f32, tag) != dnnl_success)
                return 0;
            bufs[i] = hacl_pg_get_layout(p, n->inputs[i], &want, rc);
            if (bufs[i] < 0)
                return -1;
            srcs[i] = p->bufs[bufs[i]].md;
        }
        if (dnnl_memory_desc_init_by_tag(&y_md, Y->rank, yd, dnnl_f32, p->is_out[out] ? hacl_pg_plain_tag(Y->rank) : tag) !=
                dnnl_success ||
            dnnl_concat_primitive_desc_create(&pd, &y_md, (int)n->ninputs, (int)axis, srcs, NULL,
                                              hacl_pg_get_engine()) != dnnl_success) {
            pd = NULL;
            continue;
        }
        if (hacl_pg_is_reference(pd)) {
            dnnl_primitive_desc_destroy(pd);
            pd = NULL;
        }
    }
    if (!pd)
        return 0;
    /* the concat's scratchpad, if any, is the user's like every step's */
    dnnl_primitive_desc_destroy(pd);
    pd = NULL;
    dnnl_primitive_attr_t at = hacl_pg_new_attr();
    if (!at || dnnl_concat_primitive_desc_create(&pd, &y_md, (int)n->ninputs, (int)axis, srcs, at,
                                                 hacl_pg_get_engine()) != dnnl_success) {
        dnnl_primitive_attr_destroy(at);
        return 0;
    }
    dnnl_primitive_attr_destroy(at);
    y_md = hacl_pg_pd_md(pd, dnnl_query_dst_md);
    int s = hacl_pg_add_step(p, -1, rc);
    int db = s >= 0 ? hacl_pg_out_buf(p, out, &y_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "Concat";
    for (size_t i = 0; i < n->ninputs; i++)
        hacl_pg_arg(p, s, DNNL_ARG_MULTIPLE_SRC + (int)i, bufs[i]);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* A BatchNormalization no convolution absorbed (DenseNet normalises each
 * concatenation) on oneDNN's batch normalization with the model's
 * statistics, in its input's layout, a following Relu fused. */
int hacl_pg_bn_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    if (n->ninputs != 5 || (n->noutputs > 1 && n->outputs[1] >= 0) || n->inputs[0] < 0)
        return 0;
    int x = n->inputs[0];
    const struct hacl_tensor *X = &g->tensors[x];
    if (X->onnx_type != 1 || X->rank < 2 || X->rank > 5 || hacl_tensor_elements(X) <= 0 || X->is_const ||
        !hacl_pg_dnnl_size_ok(X))
        return 0;
    for (size_t i = 1; i < 5; i++)
        if (!hacl_pg_is_const_f32(g, n, i) || hacl_tensor_elements(&g->tensors[n->inputs[i]]) != X->dims[1])
            return 0;
    int out = n->outputs[0];
    struct act act;
    int relu = hacl_pg_find_act(p, out, &act) && act.node2 < 0 && act.alg == dnnl_eltwise_relu && act.alpha == 0 &&
               !act.clip01;
    if (relu)
        out = act.out;
    int xb = hacl_pg_native_buf(p, x, rc);
    if (xb < 0)
        return -1;
    dnnl_memory_desc_t x_md = p->bufs[xb].md, y_md = x_md;
    if (p->is_out[out]) {
        dnnl_dims_t d;
        for (int i = 0; i < X->rank; i++)
            d[i] = X->dims[i];
        dnnl_memory_desc_init_by_tag(&y_md, X->rank, d, dnnl_f32, hacl_pg_plain_tag(X->rank));
        if (!dnnl_memory_desc_equal(&x_md, &y_md)) {
            if ((xb = hacl_pg_get_layout(p, x, &y_md, rc)) < 0)
                return -1;
            x_md = y_md;
        }
    }
    float eps = hacl_attr_float(n, "epsilon", 1e-5f);
    dnnl_batch_normalization_desc_t bd;
    unsigned flags = dnnl_use_global_stats | dnnl_use_scale | dnnl_use_shift | (relu ? dnnl_fuse_norm_relu : 0);
    if (dnnl_batch_normalization_forward_desc_init(&bd, dnnl_forward_inference, &x_md, eps, flags) != dnnl_success)
        return 0;
    dnnl_primitive_desc_t pd = hacl_pg_fast_pd(&bd, NULL);
    if (!pd)
        return 0;
    /* the four parameter vectors, as constants placed in the weights */
    static const int args[4] = {DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE};
    int pb[4];
    for (int i = 0; i < 4; i++)
        if ((pb[i] = hacl_pg_get_plain(p, n->inputs[1 + i], rc)) < 0) {
            dnnl_primitive_desc_destroy(pd);
            return -1;
        }
    int s = hacl_pg_add_step(p, -1, rc);
    int db = s >= 0 ? hacl_pg_out_buf(p, out, &y_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = relu ? "BN+Relu" : "BatchNorm";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    for (int i = 0; i < 4; i++)
        hacl_pg_arg(p, s, args[i], pb[i]);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    if (relu)
        hacl_pg_absorb_act(p, &act);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* Bilinear (trilinear) Resize of segmentation heads on oneDNN's
 * resampling, in its input's layout (lraspp and deeplabv3: 14 ms per image
 * in the C kernel for the final upsampling). */
int hacl_pg_resize_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    int x = n->inputs[0], out = n->outputs[0];
    const struct hacl_tensor *X = &g->tensors[x], *Y = &g->tensors[out];
    if (X->onnx_type != 1 || X->rank < 3 || X->rank > 5 || hacl_tensor_elements(Y) <= 0 || X->is_const ||
        !hacl_pg_dnnl_size_ok(X) || !hacl_pg_dnnl_size_ok(Y) ||
        !hacl_resize_is_linear_half_pixel((struct hacl_graph *)g, n))
        return 0;
    /* a 2-D upsampling into a model output (a segmentation network's last
     * step) runs faster on its C kernel's two passes than on oneDNN */
    if (p->is_out[out] && X->rank == 4 && Y->dims[2] >= X->dims[2] && Y->dims[3] >= X->dims[3])
        return 0;
    for (int i = 2; i < Y->rank; i++) /* per-coordinate tables */
        if (X->dims[i] > 65536 || Y->dims[i] > 65536)
            return 0;
    int xb = hacl_pg_native_buf(p, x, rc);
    if (xb < 0)
        return -1;
    dnnl_memory_desc_t x_md = p->bufs[xb].md, y_md;
    dnnl_dims_t yd;
    for (int i = 0; i < Y->rank; i++)
        yd[i] = Y->dims[i];
    dnnl_format_tag_t tag = tag_of(&x_md);
    if (p->is_out[out] || tag == dnnl_format_tag_undef) {
        /* one layout on both sides: the row-major one the caller gets */
        tag = hacl_pg_plain_tag(Y->rank);
        if ((xb = hacl_pg_get_plain(p, x, rc)) < 0)
            return -1;
        x_md = p->bufs[xb].md;
    }
    dnnl_memory_desc_init_by_tag(&y_md, Y->rank, yd, dnnl_f32, tag);
    dnnl_resampling_desc_t rd;
    if (dnnl_resampling_forward_desc_init(&rd, dnnl_forward_inference, dnnl_resampling_linear, NULL, &x_md, &y_md) !=
        dnnl_success)
        return 0;
    dnnl_primitive_desc_t pd = hacl_pg_fast_pd(&rd, NULL);
    if (!pd)
        return 0;
    int s = hacl_pg_add_step(p, -1, rc);
    int db = s >= 0 ? hacl_pg_out_buf(p, out, &y_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "Resize";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}
