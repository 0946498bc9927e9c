/*
 * Products lowered to oneDNN (see prog_impl.h): Gemm by constant weights
 * and MatMul, a following bias Add and activation fused, linear layers in
 * bfloat16 under allow_bf16.
 */
#include <string.h>

#include "device/alloc.h"
#include "prog_impl.h"

/* Gemm with a constant B, no transA, alpha = beta = 1 and a row-vector C:
 * oneDNN's matmul, or an inner product on row-major weights for a few
 * rows by weights too large for the caches (below). */
int hacl_pg_gemm_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *A = &g->tensors[n->inputs[0]], *Y = &g->tensors[n->outputs[0]];
    if (hacl_attr_int(n, "transA", 0) != 0 || hacl_attr_float(n, "alpha", 1.0f) != 1.0f ||
        hacl_attr_float(n, "beta", 1.0f) != 1.0f || !hacl_pg_is_const_f32(g, n, 1) || A->onnx_type != F32 ||
        !hacl_pg_dnnl_size_ok(A) || !hacl_pg_dnnl_size_ok(Y) || !hacl_pg_dnnl_size_ok(&g->tensors[n->inputs[1]]))
        return 0;
    int64_t M = Y->dims[0], N = Y->dims[1], K = A->dims[1];
    const float *c = NULL;
    if (n->ninputs > 2 && n->inputs[2] >= 0) {
        const struct hacl_tensor *C = &g->tensors[n->inputs[2]];
        if (!hacl_pg_is_const_f32(g, n, 2) || hacl_tensor_elements(C) != N || (C->rank == 2 && C->dims[0] != 1))
            return 0;
        c = C->data;
    }
    int tb = hacl_attr_int(n, "transB", 0) != 0;
    dnnl_memory_desc_t src_md, w_any, w_plain, b_md, dst_md;
    dnnl_dims_t sd = {M, K}, wd = {N, K}, bd = {N}, dd = {M, N};
    dnnl_data_type_t dt = p->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_init_by_tag(&src_md, 2, sd, dt, dnnl_ab);
    /* A few rows (batch 1) by weights too large to stay in the caches
     * between executions: a matrix-vector product bound by reading the
     * weights, fastest on the GEMM kernels' row-major weights (AlexNet's
     * 151 MB fc6: 4.7 ms against 8.0 in the layout oneDNN prefers; its
     * 16 MB fc8 0.53 against 0.72). Smaller ones stay in the last-level
     * cache and run faster on oneDNN's choice (ResNet-50's 8 MB fc: 0.42
     * against 0.49 ms). */
    size_t wbytes = (size_t)N * (size_t)K * (p->bf16 ? 2 : 4);
    int gemv = M <= 4 && wbytes >= ((size_t)12 << 20);
    dnnl_memory_desc_init_by_tag(&dst_md, 2, dd, dnnl_f32, dnnl_ab);
    /* Otherwise oneDNN's matmul: its kernels split the work over the team
     * better than the inner product's (ViT's 197 x 768 x 768 output
     * projection: 1.00 against 1.30 ms on 2 cores, the same on one;
     * efficientnet's 1280 -> 1000 classifier 0.025 against 0.029 ms).
     * The weights are then K x N, the bias a row. */
    union {
        dnnl_inner_product_desc_t ip;
        dnnl_matmul_desc_t mm;
    } od;
    dnnl_status_t ds;
    if (gemv) {
        dnnl_memory_desc_init_by_tag(&w_any, 2, wd, dt, dnnl_ab);
        dnnl_memory_desc_init_by_tag(&w_plain, 2, wd, dnnl_f32, tb ? dnnl_ab : dnnl_ba);
        dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
        ds = dnnl_inner_product_forward_desc_init(&od.ip, dnnl_forward_inference, &src_md, &w_any, c ? &b_md : NULL,
                                                  &dst_md);
    } else {
        dnnl_dims_t kn = {K, N}, row = {1, N};
        dnnl_memory_desc_init_by_tag(&w_any, 2, kn, dt, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&w_plain, 2, kn, dnnl_f32, tb ? dnnl_ba : dnnl_ab);
        dnnl_memory_desc_init_by_tag(&b_md, 2, row, dnnl_f32, dnnl_ab);
        ds = dnnl_matmul_desc_init(&od.mm, &src_md, &w_any, c ? &b_md : NULL, &dst_md);
    }
    if (ds != dnnl_success)
        return 0;
    dnnl_primitive_attr_t a = hacl_pg_new_attr();
    dnnl_primitive_desc_t pd = NULL;
    ds = a ? dnnl_primitive_desc_create(&pd, &od, a, hacl_pg_get_engine(), NULL) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    if (ds != dnnl_success)
        return 0;
    dnnl_memory_desc_t wmd = hacl_pg_pd_md(pd, dnnl_query_weights_md);
    void *br = c ? hacl_malloc_aligned(ALIGN, (size_t)N * sizeof(float)) : NULL;
    if (c && !br) {
        dnnl_primitive_desc_destroy(pd);
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing Gemm weights");
    }
    if (c)
        memcpy(br, c, (size_t)N * sizeof(float));
    int wb = hacl_pg_prepared_weight(p, &w_plain, g->tensors[n->inputs[1]].data, NULL, &wmd, rc);
    int bb = !c ? -2 : wb < 0 ? (hacl_free(br), -1) : hacl_pg_owned_weight(p, &b_md, br, rc);
    int xb = wb >= 0 && bb != -1 ? (p->bf16 ? hacl_pg_get_layout(p, n->inputs[0], &src_md, rc) : hacl_pg_get_plain(p, n->inputs[0], rc))
                                 : -1;
    int s = xb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    int db = s >= 0 ? hacl_pg_out_buf(p, n->outputs[0], NULL, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "Gemm";
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_WEIGHTS, wb);
    if (c)
        hacl_pg_arg(p, s, DNNL_ARG_BIAS, bb);
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    return hacl_pg_finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

dnnl_memory_desc_t hacl_pg_plain_bf16(const struct hacl_tensor *t)
{
    dnnl_dims_t d;
    for (int i = 0; i < t->rank; i++)
        d[i] = t->dims[i];
    dnnl_memory_desc_t md;
    dnnl_memory_desc_init_by_tag(&md, t->rank, d, dnnl_bf16, hacl_pg_plain_tag(t->rank));
    return md;
}

/* Tensor t row-major in bfloat16: a buffer, or -1. */
static int input_bf16(struct hacl_prog *p, int t, aclError *rc)
{
    dnnl_memory_desc_t x16 = hacl_pg_plain_bf16(&p->g->tensors[t]);
    return hacl_pg_get_layout(p, t, &x16, rc);
}

/* Whether tensor t (rank r) is read by one node only, a MatMul by
 * constant float32 weights taking t as its left operand of the same rank:
 * a product that computes in bfloat16 under allow_bf16. */
static int bf16_linear_reader(const struct hacl_prog *p, int t, int r)
{
    if (t < 0 || p->ncons[t] != 1 || p->is_out[t])
        return 0;
    const struct hacl_node *n = &p->g->nodes[p->reader[t]];
    const struct hacl_tensor *B = n->ninputs == 2 && n->inputs[1] >= 0 ? &p->g->tensors[n->inputs[1]] : NULL;
    return !strcmp(n->op, "MatMul") && n->inputs[0] == t && n->inputs[1] != t && B && B->is_const &&
           B->onnx_type == F32 && B->rank >= 2 && B->rank <= r;
}

/* MatMul of float32 operands of rank 2 or more on oneDNN's matmul (batch
 * dims broadcast as numpy does). A constant right operand (a linear
 * layer's weights) is converted once to the layout the primitive prefers,
 * and a following Add of a constant vector along the last dim becomes the
 * bias. Rank-1 operands stay on the C kernel. */
int hacl_pg_matmul_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *A = &g->tensors[n->inputs[0]], *B = &g->tensors[n->inputs[1]];
    int out = n->outputs[0];
    const struct hacl_tensor *Y = &g->tensors[out];
    if (A->onnx_type != F32 || B->onnx_type != F32 || A->rank < 2 || B->rank < 2 || Y->rank > 6 ||
        !hacl_pg_dnnl_size_ok(A) || !hacl_pg_dnnl_size_ok(B) || !hacl_pg_dnnl_size_ok(Y))
        return 0;
    /* Buffers keep their tensor's own rank: only a constant right operand
     * (converted into the primitive's layout) may have fewer dims. */
    if (A->rank != Y->rank || (!B->is_const && B->rank != Y->rank))
        return 0;
    int nd = Y->rank;
    dnnl_dims_t ad, bd, yd, cd;
    for (int i = 0; i < nd; i++) {
        int ia = i - (nd - A->rank), ib = i - (nd - B->rank);
        ad[i] = ia >= 0 ? A->dims[ia] : 1;
        bd[i] = ib >= 0 ? B->dims[ib] : 1;
        yd[i] = Y->dims[i];
        cd[i] = 1;
    }
    int64_t N = yd[nd - 1];
    cd[nd - 1] = N;
    /* a bias: Add(y, c) with c a constant of N values */
    int add = hacl_pg_sole_reader(p, out, "Add"), bias_t = -1;
    if (add >= 0) {
        const struct hacl_node *an = &g->nodes[add];
        int other = an->ninputs == 2 ? (an->inputs[0] == out ? an->inputs[1] : an->inputs[0]) : -1;
        const struct hacl_tensor *c = other >= 0 ? &g->tensors[other] : NULL;
        int ok = c && c->is_const && c->onnx_type == F32 && hacl_tensor_elements(c) == N && c->rank >= 1 &&
                 c->dims[c->rank - 1] == N && hacl_pg_same_shape(&g->tensors[an->outputs[0]], Y);
        if (ok) {
            bias_t = other;
            out = an->outputs[0];
        } else {
            add = -1;
        }
    }
    /* an activation after the bias (GELU in transformers' MLPs) */
    struct act act = {-1, -1, -1, dnnl_eltwise_relu, 0, 0, 0, {-1, -1, -1}, 0};
    if (hacl_pg_find_act(p, out, &act) && hacl_pg_same_shape(&g->tensors[act.out], Y))
        out = act.out;
    else
        act.node = -1;
    /* GELU as our pass after the product where we have one (prog_pass.c) */
    int act_pass = hacl_pg_pass_for(&act, hacl_tensor_elements(Y), p->bf16);
    int wconst = B->is_const;
    /* A linear layer on a sequence ([..., M, K] x constant [K, N]) runs as
     * one 2-D product over all rows, oneDNN's best-tuned shape (vit_b_16's
     * linear layers as 3-D products with a batch of 1 were about half as
     * fast), through 2-D views of the row-major input and output buffers. */
    int flat = wconst && B->rank == 2 && nd > 2 && !p->is_out[out], xb0 = -1;
    int in16 = p->bf16 && wconst; /* the input read in bfloat16 (below) */
    if (flat) {
        xb0 = in16 ? input_bf16(p, n->inputs[0], rc) : hacl_pg_get_plain(p, n->inputs[0], rc);
        if (xb0 < 0)
            return -1;
        flat = p->bufs[xb0].kind == B_WORK;
    }
    if (flat) {
        int64_t M = 1;
        for (int i = 0; i < nd - 1; i++)
            M *= yd[i];
        ad[0] = M, ad[1] = A->dims[A->rank - 1], bd[0] = B->dims[0], bd[1] = B->dims[1];
        yd[0] = M, yd[1] = N, cd[0] = 1, cd[1] = N;
        nd = 2;
    }
    /* With allow_bf16 a product by constant weights (a linear layer)
     * computes in bfloat16: its input converted once, the weights
     * prepared so, the output float32. */
    dnnl_data_type_t dt = p->bf16 && wconst ? dnnl_bf16 : dnnl_f32;
    /* ... and when its only reader is another such product (an MLP's two
     * linear layers), it writes bfloat16, which that reader would have
     * converted it to anyway (ViT: the float32 write and the conversion
     * cost 0.35 ms per block). */
    int out16 = dt == dnnl_bf16 && bf16_linear_reader(p, out, Y->rank);
    dnnl_memory_desc_t a_md, b_md, b_plain, c_md, y_md;
    dnnl_memory_desc_init_by_tag(&a_md, nd, ad, dt, hacl_pg_plain_tag(nd));
    dnnl_memory_desc_init_by_tag(&b_plain, nd, bd, dnnl_f32, hacl_pg_plain_tag(nd));
    dnnl_memory_desc_init_by_tag(&b_md, nd, bd, dt, wconst ? dnnl_format_tag_any : hacl_pg_plain_tag(nd));
    dnnl_memory_desc_init_by_tag(&c_md, nd, cd, dnnl_f32, hacl_pg_plain_tag(nd));
    dnnl_memory_desc_init_by_tag(&y_md, nd, yd, out16 ? dnnl_bf16 : dnnl_f32, hacl_pg_plain_tag(nd));
    dnnl_matmul_desc_t md;
    if (dnnl_matmul_desc_init(&md, &a_md, &b_md, add >= 0 ? &c_md : NULL, &y_md) != dnnl_success)
        return 0;
    dnnl_primitive_attr_t a = hacl_pg_new_attr();
    dnnl_post_ops_t po = NULL;
    if (a && act.node >= 0 && !act_pass && dnnl_post_ops_create(&po) == dnnl_success) {
        hacl_pg_append_act(po, &act);
        dnnl_primitive_attr_set_post_ops(a, po);
        dnnl_post_ops_destroy(po);
    }
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t ds = a ? dnnl_primitive_desc_create(&pd, &md, a, hacl_pg_get_engine(), NULL) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    if (ds != dnnl_success)
        return 0;
    int wb;
    if (wconst) {
        dnnl_memory_desc_t wmd = hacl_pg_pd_md(pd, dnnl_query_weights_md);
        wb = hacl_pg_prepared_weight(p, &b_plain, B->data, NULL, &wmd, rc);
    } else {
        wb = hacl_pg_get_plain(p, n->inputs[1], rc);
    }
    int cb = -2;
    if (wb >= 0 && add >= 0) {
        float *bias = hacl_malloc_aligned(ALIGN, (size_t)N * sizeof *bias);
        if (!bias) {
            dnnl_primitive_desc_destroy(pd);
            return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing MatMul weights");
        }
        memcpy(bias, g->tensors[bias_t].data, (size_t)N * sizeof *bias);
        cb = hacl_pg_owned_weight(p, &c_md, bias, rc);
    }
    int xb = wb >= 0 && cb != -1 ? (flat ? xb0 : in16 ? input_bf16(p, n->inputs[0], rc)
                                                       : hacl_pg_get_plain(p, n->inputs[0], rc))
                                 : -1;
    int s = xb >= 0 ? hacl_pg_add_step(p, -1, rc) : -1;
    dnnl_memory_desc_t y16 = hacl_pg_plain_bf16(Y);
    int db = s >= 0 ? hacl_pg_out_buf(p, out, out16 ? &y16 : NULL, rc) : -1;
    int pass_b = db; /* the pass sees the output's own layout */
    if (db >= 0 && flat) { /* the primitive sees both as 2-D */
        xb = hacl_pg_view(p, n->inputs[0], xb, &a_md, rc);
        db = xb >= 0 ? hacl_pg_view(p, out, db, &y_md, rc) : -1;
    }
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = act.node >= 0 ? (add >= 0 ? "MatMul+Add+act" : "MatMul+act") : add >= 0 ? "MatMul+Add" : "MatMul";
    if (act.node >= 0)
        hacl_pg_absorb_act(p, &act);
    hacl_pg_arg(p, s, DNNL_ARG_SRC, xb);
    hacl_pg_arg(p, s, DNNL_ARG_WEIGHTS, wb);
    if (add >= 0) {
        hacl_pg_arg(p, s, DNNL_ARG_BIAS, cb);
        p->absorbed[add] = 1;
        hacl_pg_consumed(p, add);
    }
    hacl_pg_arg(p, s, DNNL_ARG_DST, db);
    if (hacl_pg_finish_primitive(p, s, pd, rc) < 0)
        return -1;
    return act.node >= 0 && act_pass && hacl_pg_pass_step(p, pass_b, &act, rc) < 0 ? -1 : 1;
}
