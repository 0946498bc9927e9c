/*
 * Compiled programs (see prog.h).
 */
#include "prog_impl.h"

#include <math.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "plan.h"
#include "runtime/config.h"
#include "runtime/error.h"
#include "kernels.h"

/* ---- the engine ---- */

static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static dnnl_engine_t engine;

static void engine_init(void)
{
    /* oneDNN registers each generated kernel with VTune by default, and
     * the first registration tries to load VTune's library from whichever
     * thread generated it (often an OpenMP team thread, whose failed-load
     * record then outlives it). Off unless DNNL_JIT_PROFILE asks. */
    if (!getenv("DNNL_JIT_PROFILE"))
        dnnl_set_jit_profiling_flags(DNNL_JIT_PROFILE_NONE);
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
        engine = NULL;
}

dnnl_engine_t hacl_pg_get_engine(void)
{
    pthread_once(&engine_once, engine_init);
    return engine;
}

size_t hacl_pg_align_up(size_t v)
{
    return (v + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* ---- building ---- */

int hacl_pg_fail(struct hacl_prog *p, aclError *rc, aclError code, const char *msg)
{
    if (*rc == ACL_SUCCESS) {
        *rc = code;
        snprintf(p->why, p->whylen, "%s", msg);
    }
    return -1;
}

dnnl_format_tag_t hacl_pg_plain_tag(int rank)
{
    static const dnnl_format_tag_t tags[] = {dnnl_a, dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef};
    return rank >= 0 && rank <= 6 ? tags[rank] : dnnl_format_tag_undef;
}

int hacl_pg_is_reference(const_dnnl_primitive_desc_t pd)
{
    const char *impl = NULL;
    return dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl &&
           strncmp(impl, "ref", 3) == 0;
}

dnnl_primitive_desc_t hacl_pg_fast_pd(const_dnnl_op_desc_t desc, const_dnnl_post_ops_t po)
{
    dnnl_primitive_attr_t at = hacl_pg_new_attr();
    dnnl_primitive_desc_t pd = NULL;
    if (at && po)
        dnnl_primitive_attr_set_post_ops(at, po);
    dnnl_status_t ds = at ? dnnl_primitive_desc_create(&pd, desc, at, hacl_pg_get_engine(), NULL) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(at);
    if (ds != dnnl_success)
        return NULL;
    if (hacl_pg_is_reference(pd)) {
        dnnl_primitive_desc_destroy(pd);
        return NULL;
    }
    return pd;
}

int hacl_pg_plain_md(const struct hacl_tensor *t, dnnl_memory_desc_t *md)
{
    if (t->onnx_type != F32 || t->rank < 0 || t->rank > 6)
        return -1;
    dnnl_dims_t d = {1};
    for (int i = 0; i < t->rank; i++)
        d[i] = t->dims[i];
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] == 0)
            return -1;
    return dnnl_memory_desc_init_by_tag(md, t->rank ? t->rank : 1, d, dnnl_f32, hacl_pg_plain_tag(t->rank)) == dnnl_success ? 0
                                                                                                                  : -1;
}

int hacl_pg_add_buf(struct hacl_prog *p, int tensor, int kind, int io, aclError *rc)
{
    if (p->nbufs == p->capbufs) {
        size_t ncap = p->capbufs ? 2 * p->capbufs : 64;
        struct pbuf *nb = hacl_realloc(p->bufs, ncap * sizeof *nb);
        if (!nb)
            return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
        p->bufs = nb;
        p->capbufs = ncap;
    }
    struct pbuf *b = &p->bufs[p->nbufs];
    memset(b, 0, sizeof *b);
    b->tensor = tensor;
    b->kind = kind;
    b->io = io;
    b->first = b->last = -1;
    b->alias_of = -1;
    if (tensor >= 0) {
        const struct hacl_tensor *t = &p->g->tensors[tensor];
        b->bytes = hacl_tensor_bytes(t);
        b->plain = 1;
        b->has_md = hacl_pg_plain_md(t, &b->md) == 0;
    }
    return (int)p->nbufs++;
}

int hacl_pg_add_step(struct hacl_prog *p, int node, aclError *rc)
{
    if (p->nsteps == p->capsteps) {
        size_t ncap = p->capsteps ? 2 * p->capsteps : 64;
        struct pstep *ns = hacl_realloc(p->steps, ncap * sizeof *ns);
        if (!ns)
            return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
        p->steps = ns;
        p->capsteps = ncap;
    }
    struct pstep *s = &p->steps[p->nsteps];
    memset(s, 0, sizeof *s);
    s->node = node;
    s->what = node >= 0 ? node : p->cur_node;
    s->kind = node >= 0 ? p->g->nodes[node].op : "primitive";
    if (node >= 0) {
        const struct hacl_op *op = hacl_op_find(s->kind);
        if (!op)
            return hacl_pg_fail(p, rc, ACL_ERROR_OP_NOT_FOUND, "internal: a node without a kernel");
        s->run = op->run;
        s->prepared = op->prepare ? op->prepare(p->g, &p->g->nodes[node]) : NULL;
    }
    return (int)p->nsteps++;
}

void hacl_pg_touch(struct hacl_prog *p, int b, int step)
{
    struct pbuf *pb = &p->bufs[b];
    if (pb->first < 0 || step < pb->first)
        pb->first = step;
    if (step > pb->last)
        pb->last = step;
}

void hacl_pg_arg(struct hacl_prog *p, int step, int kind, int b)
{
    struct pstep *s = &p->steps[step];
    s->argk[s->nargs] = kind;
    s->argb[s->nargs] = b;
    s->nargs++;
    p->bufs[b].dnnl_used = 1;
    hacl_pg_touch(p, b, step);
}

/* The first model output listing tensor t, or -1. */
static int output_index(const struct hacl_graph *g, int t)
{
    for (size_t i = 0; i < g->noutputs; i++)
        if (g->outputs[i] == t)
            return (int)i;
    return -1;
}

/* The buffer a node's output t is written to: the caller's output buffer
 * for a model output, else work memory; in layout md (NULL: row-major). */
int hacl_pg_out_buf(struct hacl_prog *p, int t, const dnnl_memory_desc_t *md, aclError *rc)
{
    int io = p->is_out[t] ? output_index(p->g, t) : -1;
    int b = hacl_pg_add_buf(p, t, io >= 0 ? B_OUTPUT : B_WORK, io, rc);
    if (b < 0)
        return -1;
    struct pbuf *pb = &p->bufs[b];
    if (md && !(pb->has_md && dnnl_memory_desc_equal(md, &pb->md))) {
        pb->md = *md;
        pb->has_md = 1;
        pb->plain = 0;
        pb->bytes = dnnl_memory_desc_get_size(md);
    }
    p->native[t] = b;
    if (pb->plain)
        p->plainb[t] = b;
    return b;
}

/* A primitive descriptor's memory description for `what`. */
dnnl_memory_desc_t hacl_pg_pd_md(const_dnnl_primitive_desc_t pd, dnnl_query_t what)
{
    const dnnl_memory_desc_t *m = dnnl_primitive_desc_query_md(pd, what, 0);
    dnnl_memory_desc_t r;
    memset(&r, 0, sizeof r);
    if (m)
        r = *m;
    return r;
}

dnnl_primitive_attr_t hacl_pg_new_attr(void)
{
    dnnl_primitive_attr_t a = NULL;
    if (dnnl_primitive_attr_create(&a) != dnnl_success)
        return NULL;
    dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user);
    return a;
}

dnnl_status_t hacl_pg_reorder_pd(dnnl_primitive_desc_t *pd, const dnnl_memory_desc_t *from,
                                 const dnnl_memory_desc_t *to)
{
    dnnl_primitive_attr_t a = hacl_pg_new_attr();
    dnnl_status_t ds =
        a ? dnnl_reorder_primitive_desc_create(pd, from, hacl_pg_get_engine(), to, hacl_pg_get_engine(), a) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    return ds;
}

/* Turns pd into the primitive of step s (pd is destroyed). */
int hacl_pg_finish_primitive(struct hacl_prog *p, int s, dnnl_primitive_desc_t pd, aclError *rc)
{
    struct pstep *st = &p->steps[s];
    st->scratch_md = hacl_pg_pd_md(pd, dnnl_query_scratchpad_md);
    size_t sb = dnnl_memory_desc_get_size(&st->scratch_md);
    st->has_scratch = sb > 0;
    if (sb > p->scratch_bytes)
        p->scratch_bytes = sb;
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl)
        snprintf(st->impl, sizeof st->impl, "%s", impl);
    if (p->create_later) {
        st->pending = pd; /* kept too when hacl_pg_width_keep takes it */
        hacl_pg_width_keep(p, s, pd);
        p->ndnnl++;
        return 0;
    }
    dnnl_status_t ds = dnnl_primitive_create(&st->prim, pd);
    if (!hacl_pg_width_keep(p, s, pd))
        dnnl_primitive_desc_destroy(pd);
    if (ds != dnnl_success)
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "oneDNN could not create a primitive");
    p->ndnnl++;
    return 0;
}

/* A step converting buffer `from` into buffer `to` (layouts may differ);
 * kind names it in profiles. */
int hacl_pg_copy_into(struct hacl_prog *p, int from, int to, const char *kind, aclError *rc)
{
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t ds = hacl_pg_reorder_pd(&pd, &p->bufs[from].md, &p->bufs[to].md);
    if (ds != dnnl_success)
        return hacl_pg_fail(p, rc, ACL_ERROR_OP_NOT_FOUND, "oneDNN has no reorder between two layouts the model needs");
    int s = hacl_pg_add_step(p, -1, rc);
    if (s < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = kind;
    hacl_pg_arg(p, s, DNNL_ARG_FROM, from);
    hacl_pg_arg(p, s, DNNL_ARG_TO, to);
    p->nreorders++;
    return hacl_pg_finish_primitive(p, s, pd, rc);
}

/* A reorder of buffer `from`, which holds tensor t, into a new work buffer
 * of layout md. t is named by the caller: a buffer can hold more than one
 * tensor (a residual's buffer becomes the fused Add's output), so the
 * buffer's own tensor may be another one. */
int hacl_pg_reorder_to(struct hacl_prog *p, int t, int from, const dnnl_memory_desc_t *md, aclError *rc)
{
    int b = hacl_pg_add_buf(p, t, B_WORK, -1, rc);
    if (b < 0)
        return -1;
    struct pbuf *pb = &p->bufs[b];
    pb->md = *md;
    pb->has_md = 1;
    pb->bytes = dnnl_memory_desc_get_size(md);
    dnnl_memory_desc_t pl;
    pb->plain = hacl_pg_plain_md(&p->g->tensors[t], &pl) == 0 && dnnl_memory_desc_equal(&pl, md);
    if (pb->plain)
        p->plainb[t] = b;
    return hacl_pg_copy_into(p, from, b, "reorder", rc) < 0 ? -1 : b;
}


/* Node `node` has been compiled: its inputs have one reader fewer left. */
void hacl_pg_consumed(struct hacl_prog *p, int node)
{
    const struct hacl_node *n = &p->g->nodes[node];
    for (size_t j = 0; j < n->ninputs; j++)
        if (n->inputs[j] >= 0)
            p->reads_left[n->inputs[j]]--;
}

int hacl_pg_const_buf(struct hacl_prog *p, int t, aclError *rc)
{
    const struct hacl_tensor *ct = &p->g->tensors[t];
    if ((!ct->data && ct->bytes) || ct->bytes != hacl_tensor_bytes(ct))
        return hacl_pg_fail(p, rc, ACL_ERROR_PARSE_MODEL, "a constant's data does not match its shape");
    int b = hacl_pg_add_buf(p, t, B_WEIGHT, -1, rc);
    if (b < 0)
        return -1;
    p->bufs[b].init = p->g->tensors[t].data;
    p->native[t] = p->plainb[t] = b;
    return b;
}

/* Tensor t in row-major layout, converting if its producer wrote another. */
int hacl_pg_get_plain(struct hacl_prog *p, int t, aclError *rc)
{
    if (p->plainb[t] >= 0)
        return p->plainb[t];
    if (p->g->tensors[t].is_const)
        return hacl_pg_const_buf(p, t, rc);
    int from = p->native[t];
    dnnl_memory_desc_t md;
    if (from < 0 || hacl_pg_plain_md(&p->g->tensors[t], &md) != 0)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a tensor is read before it is computed");
    return hacl_pg_reorder_to(p, t, from, &md, rc);
}

/* Tensor t (float32) in layout md: the buffer already holding it so, or a
 * reorder of its native buffer. */
int hacl_pg_get_layout(struct hacl_prog *p, int t, const dnnl_memory_desc_t *md, aclError *rc)
{
    if (p->g->tensors[t].is_const && p->plainb[t] < 0 && hacl_pg_const_buf(p, t, rc) < 0)
        return -1;
    int from = p->native[t];
    if (from >= 0 && p->bufs[from].has_md && dnnl_memory_desc_equal(&p->bufs[from].md, md))
        return from;
    for (size_t b = 0; b < p->nbufs; b++)
        if (p->bufs[b].tensor == t && p->bufs[b].has_md && dnnl_memory_desc_equal(&p->bufs[b].md, md))
            return (int)b;
    if (from < 0 || !p->bufs[from].has_md)
        return hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a tensor is read before it is computed");
    return hacl_pg_reorder_to(p, t, from, md, rc);
}

/* ---- steps ---- */

int hacl_pg_ref_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_node *n = &p->g->nodes[node];
    int ins[16], *inb = n->ninputs <= 16 ? ins : hacl_calloc(n->ninputs, sizeof *inb);
    if (!inb)
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
    int ok = 0;
    for (size_t j = 0; j < n->ninputs; j++) {
        inb[j] = n->inputs[j] >= 0 ? hacl_pg_get_plain(p, n->inputs[j], rc) : -1;
        if (n->inputs[j] >= 0 && inb[j] < 0)
            goto out;
    }
    /* The kernel finds each input through its tensor's row-major buffer
     * (plainb): it must be the one just made live for this step. */
    for (size_t j = 0; j < n->ninputs; j++)
        if (inb[j] >= 0 && p->plainb[n->inputs[j]] != inb[j]) {
            hacl_pg_fail(p, rc, ACL_ERROR_FAILURE, "internal: a kernel's input has no row-major buffer");
            goto out;
        }
    int s = hacl_pg_add_step(p, node, rc);
    if (s < 0)
        goto out;
    p->steps[s].empty = 1;
    for (size_t k = 0; k < n->noutputs; k++)
        if (n->outputs[k] >= 0 && hacl_tensor_elements(&p->g->tensors[n->outputs[k]]) != 0)
            p->steps[s].empty = 0;
    for (size_t j = 0; j < n->ninputs; j++)
        if (inb[j] >= 0)
            hacl_pg_touch(p, inb[j], s);
    for (size_t k = 0; k < n->noutputs; k++) {
        if (n->outputs[k] < 0)
            continue;
        int b = hacl_pg_out_buf(p, n->outputs[k], NULL, rc);
        if (b < 0)
            goto out;
        hacl_pg_touch(p, b, s);
    }
    ok = 1;
out:
    if (inb != ins)
        hacl_free(inb);
    return ok ? 0 : -1;
}

/* The node reading t when it is t's only reader and t is no model output
 * (and the node is op and not yet absorbed), else -1. */
int hacl_pg_sole_reader(struct hacl_prog *p, int t, const char *op)
{
    if (t < 0 || p->ncons[t] != 1 || p->is_out[t])
        return -1;
    int i = p->reader[t];
    return !p->absorbed[i] && strcmp(p->g->nodes[i].op, op) == 0 ? i : -1;
}

int hacl_pg_is_const_f32(const struct hacl_graph *g, const struct hacl_node *n, size_t i)
{
    return i < n->ninputs && n->inputs[i] >= 0 && g->tensors[n->inputs[i]].is_const &&
           g->tensors[n->inputs[i]].onnx_type == F32;
}

int hacl_pg_same_shape(const struct hacl_tensor *a, const struct hacl_tensor *b)
{
    if (a->rank != b->rank || a->onnx_type != b->onnx_type)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

/* A constant consumed into prepared weights: its decoded bytes go now if
 * nothing else reads them, so the decoded model and the prepared weights
 * are not both held whole while loading. */
void hacl_pg_drop_source(struct hacl_prog *p, int t)
{
    if (t >= 0 && p->ncons[t] == 1 && !p->is_out[t])
        hacl_graph_release_tensor((struct hacl_graph *)p->g, t);
}

int hacl_pg_view(struct hacl_prog *p, int t, int base, const dnnl_memory_desc_t *md, aclError *rc)
{
    int root = p->bufs[base].alias_of >= 0 ? p->bufs[base].alias_of : base;
    size_t off = p->bufs[base].alias_of >= 0 ? p->bufs[base].alias_off : 0;
    int v = hacl_pg_add_buf(p, t, B_WORK, -1, rc);
    if (v < 0)
        return -1;
    struct pbuf *pv = &p->bufs[v];
    pv->md = *md;
    pv->has_md = 1;
    pv->plain = 0;
    pv->alias_of = root;
    pv->alias_off = off;
    pv->aliased = p->bufs[root].aliased = p->bufs[base].aliased = 1;
    return v;
}


/* Tensor y's buffer becomes a view of work buffer xb at off bytes into it
 * (xb may itself be a view: y then views xb's root). The buffer, or -1. */
static int add_view(struct hacl_prog *p, int y, int xb, size_t off, aclError *rc)
{
    int root = p->bufs[xb].alias_of >= 0 ? p->bufs[xb].alias_of : xb;
    size_t base = p->bufs[xb].alias_of >= 0 ? p->bufs[xb].alias_off : 0;
    int b = hacl_pg_add_buf(p, y, B_WORK, -1, rc);
    if (b < 0)
        return -1;
    p->bufs[b].alias_of = root;
    p->bufs[b].alias_off = base + off;
    p->bufs[b].aliased = p->bufs[root].aliased = p->bufs[xb].aliased = 1;
    p->native[y] = p->plainb[y] = b;
    return b;
}
/* Reshape, Flatten, Squeeze, Unsqueeze, Identity and Dropout at inference
 * only change how the same row-major bytes are read: their output is a
 * view of their input's buffer (swin_t copied 82 Reshapes and 24 Dropouts
 * per image). Not for model outputs (the caller's buffer must be written)
 * or inputs that are not work memory. 1: done, 0: not a view. */
static int alias_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    static const char *const ops[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout"};
    size_t k = 0;
    while (k < sizeof ops / sizeof ops[0] && strcmp(n->op, ops[k]) != 0)
        k++;
    /* Dropout's second output, its mask, may be named and read by nothing
     * (torch exports it so): it is then never computed. */
    int mask = n->noutputs > 1 ? n->outputs[1] : -1;
    if (k == sizeof ops / sizeof ops[0] || n->ninputs < 1 || n->inputs[0] < 0 || n->noutputs < 1 ||
        n->outputs[0] < 0 || (mask >= 0 && (p->ncons[mask] > 0 || p->is_out[mask])) || n->noutputs > 2)
        return 0;
    int x = n->inputs[0], y = n->outputs[0];
    const struct hacl_tensor *X = &g->tensors[x], *Y = &g->tensors[y];
    if (p->is_out[y] || X->is_const || X->onnx_type != Y->onnx_type || hacl_tensor_bytes(X) != hacl_tensor_bytes(Y) ||
        hacl_tensor_bytes(X) == 0)
        return 0;
    int xb = hacl_pg_get_plain(p, x, rc);
    if (xb < 0)
        return -1;
    if (p->bufs[xb].kind != B_WORK)
        return 0;
    return add_view(p, y, xb, 0, rc) < 0 ? -1 : 1;
}

/* Slice, Split, one-index Gather and zero Pad outputs that are one
 * contiguous run of their row-major input (a channel half of a batch-1
 * NCHW tensor: ShuffleNet's blocks split 26 times per image) are views at
 * an offset, not copies. Not for model outputs or inputs that are not
 * work memory. 1: done, 0: not. */
static int slice_view_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    if ((strcmp(n->op, "Slice") && strcmp(n->op, "Split") && strcmp(n->op, "Gather") && strcmp(n->op, "Pad")) ||
        n->ninputs < 1 || n->inputs[0] < 0)
        return 0;
    int x = n->inputs[0];
    const struct hacl_tensor *X = &g->tensors[x];
    if (X->is_const || hacl_tensor_bytes(X) == 0)
        return 0;
    size_t offs[64];
    if (n->noutputs > 64)
        return 0;
    for (size_t i = 0; i < n->noutputs; i++) {
        int y = n->outputs[i];
        if (y >= 0 && (p->is_out[y] || g->tensors[y].onnx_type != X->onnx_type || hacl_tensor_bytes(&g->tensors[y]) == 0 ||
                       !hacl_slice_is_view((struct hacl_graph *)g, n, i, &offs[i])))
            return 0;
    }
    int xb = hacl_pg_get_plain(p, x, rc);
    if (xb < 0)
        return -1;
    if (p->bufs[xb].kind != B_WORK)
        return 0;
    for (size_t i = 0; i < n->noutputs; i++)
        if (n->outputs[i] >= 0 && add_view(p, n->outputs[i], xb, offs[i], rc) < 0)
            return -1;
    return 1;
}

/* ---- the program ---- */

static int node_step(struct hacl_prog *p, int node, aclError *rc)
{
    const char *op = p->g->nodes[node].op;
    p->cur_node = node;
    int r = 0;
    if (!p->reference) {
        if (strcmp(op, "Conv") == 0) {
            r = hacl_pg_conv_step(p, node, rc);
            /* a deferred product the convolution could not take: made
             * now, and the convolution compiled again reading it */
            int x = p->g->nodes[node].inputs[0], m = x >= 0 ? p->g->tensors[x].producer : -1;
            if (r == 0 && m >= 0 && p->absorbed[m] == 2) {
                p->absorbed[m] = 0;
                if (node_step(p, m, rc) < 0)
                    return -1;
                hacl_pg_consumed(p, m);
                p->cur_node = node;
                r = hacl_pg_conv_step(p, node, rc);
            }
        }
        else if (strcmp(op, "ConvTranspose") == 0)
            r = hacl_pg_deconv_step(p, node, rc);
        else if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0 || strcmp(op, "GlobalAveragePool") == 0 ||
                 strcmp(op, "GlobalMaxPool") == 0)
            r = hacl_pg_pool_step(p, node, rc);
        else if (strcmp(op, "Gemm") == 0)
            r = hacl_pg_gemm_step(p, node, rc);
        else if (strcmp(op, "MatMul") == 0)
            r = hacl_pg_matmul_step(p, node, rc);
        else if (!strcmp(op, "Add") || !strcmp(op, "Sub") || !strcmp(op, "Mul") || !strcmp(op, "Div") ||
                 !strcmp(op, "Max") || !strcmp(op, "Min"))
            r = hacl_pg_binary_step(p, node, rc);
        else if (strcmp(op, "Concat") == 0)
            r = hacl_pg_concat_step(p, node, rc);
        else if (strcmp(op, "BatchNormalization") == 0)
            r = hacl_pg_bn_step(p, node, rc);
        else if (strcmp(op, "ReduceMean") == 0 || strcmp(op, "LayerNormalization") == 0) {
            r = hacl_pg_layernorm_step(p, node, rc);
            if (r == 0 && strcmp(op, "ReduceMean") == 0) /* not a LayerNorm: perhaps a global pooling */
                r = hacl_pg_pool_step(p, node, rc);
        } else if (strcmp(op, "Softmax") == 0 || strcmp(op, "LogSoftmax") == 0)
            r = hacl_pg_softmax_step(p, node, rc);
        else if (strcmp(op, "Resize") == 0)
            r = hacl_pg_resize_step(p, node, rc);
        else if (strcmp(op, "Transpose") == 0)
            r = hacl_pg_transpose_step(p, node, rc);
        if (r == 0)
            r = alias_step(p, node, rc);
        if (r == 0 && !p->reference)
            r = slice_view_step(p, node, rc);
        if (r == 0 && !p->reference && (!strcmp(op, "Relu") || !strcmp(op, "LeakyRelu") || !strcmp(op, "Clip") ||
                                        !strcmp(op, "Sigmoid") || !strcmp(op, "Tanh") || !strcmp(op, "Elu") ||
                                        !strcmp(op, "HardSwish") || !strcmp(op, "HardSigmoid") ||
                                        !strcmp(op, "Div")))
            r = hacl_pg_eltwise_step(p, node, rc);
    }
    if (r < 0)
        return -1;
    return r ? 0 : hacl_pg_ref_step(p, node, rc);
}

static aclError plan(struct hacl_prog *p)
{
    struct hacl_live *iv = hacl_calloc(p->nbufs ? p->nbufs : 1, sizeof *iv);
    if (!iv)
        return ACL_ERROR_BAD_ALLOC;
    size_t n = 0, woff = 0;
    /* a view keeps the bytes it shares alive as long as itself */
    for (size_t b = 0; b < p->nbufs; b++) {
        struct pbuf *v = &p->bufs[b];
        if (v->alias_of < 0 || v->first < 0)
            continue;
        struct pbuf *base = &p->bufs[v->alias_of];
        if (base->first < 0 || v->first < base->first)
            base->first = v->first;
        if (v->last > base->last)
            base->last = v->last;
    }
    for (size_t b = 0; b < p->nbufs; b++) {
        struct pbuf *pb = &p->bufs[b];
        if (pb->kind == B_WORK && pb->first >= 0 && pb->alias_of < 0)
            iv[n++] = (struct hacl_live){pb->first, pb->last, pb->bytes, 0, (int)b};
        if (pb->kind == B_WEIGHT) {
            pb->offset = woff;
            woff += hacl_pg_align_up(pb->bytes);
        }
    }
    aclError rc = hacl_plan_intervals(iv, n, &p->plan_bytes);
    for (size_t k = 0; rc == ACL_SUCCESS && k < n; k++)
        p->bufs[iv[k].id].offset = iv[k].offset;
    for (size_t b = 0; b < p->nbufs; b++)
        if (p->bufs[b].alias_of >= 0)
            p->bufs[b].offset = p->bufs[p->bufs[b].alias_of].offset + p->bufs[b].alias_off;
    hacl_free(iv);
    p->weight_bytes = woff;
    p->work_bytes = p->plan_bytes + hacl_pg_align_up(p->scratch_bytes);
    return rc;
}

static aclError prog_build(const struct hacl_graph *g, int reference, int precision, struct hacl_prog **out,
                           char *why, size_t whylen);

/* Built with the compute team set on this (the loading) thread: oneDNN
 * fixes some primitives' thread counts when they are created, so a
 * primitive made on an application thread with OpenMP's default team
 * would run with that many threads whatever the compute thread's team. */
aclError hacl_prog_build(const struct hacl_graph *g, int reference, int precision, struct hacl_prog **out,
                         char *why, size_t whylen)
{
    int saved = hacl_compute_team_begin();
    aclError rc = prog_build(g, reference, precision, out, why, whylen);
    hacl_compute_team_end(saved);
    return rc;
}

static aclError prog_build(const struct hacl_graph *g, int reference, int precision, struct hacl_prog **out,
                           char *why, size_t whylen)
{
    struct hacl_prog *p = hacl_calloc(1, sizeof *p);
    if (!p) {
        snprintf(why, whylen, "out of memory compiling the model");
        return ACL_ERROR_BAD_ALLOC;
    }
    aclError rc = ACL_SUCCESS;
    p->g = g;
    p->why = why;
    p->whylen = whylen;
    p->reference = reference || !hacl_pg_get_engine();
    hacl_pg_precision_setup(p, precision);
    const char *wg = getenv("HOSTACL_WINOGRAD");
    p->winograd = !(wg && strcmp(wg, "0") == 0);
    const char *prof = getenv("HOSTACL_PROFILE");
    p->profile = prof && strcmp(prof, "1") == 0;
    hacl_pg_width_setup(p);
    hacl_pg_create_begin(p);
    size_t nt = g->ntensors ? g->ntensors : 1;
    p->native = hacl_malloc(nt * sizeof *p->native);
    p->plainb = hacl_malloc(nt * sizeof *p->plainb);
    p->ncons = hacl_calloc(nt, sizeof *p->ncons);
    p->reader = hacl_calloc(nt, sizeof *p->reader);
    p->cons_off = hacl_calloc(nt + 1, sizeof *p->cons_off);
    p->reads_left = hacl_calloc(nt, sizeof *p->reads_left);
    p->is_out = hacl_calloc(nt, 1);
    p->absorbed = hacl_calloc(g->nnodes ? g->nnodes : 1, 1);
    if (!p->native || !p->plainb || !p->ncons || !p->reader || !p->cons_off || !p->reads_left || !p->is_out ||
        !p->absorbed) {
        hacl_pg_fail(p, &rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
        goto out;
    }
    for (size_t t = 0; t < g->ntensors; t++)
        p->native[t] = p->plainb[t] = -1;
    for (size_t i = 0; i < g->noutputs; i++)
        p->is_out[g->outputs[i]] = 1;
    for (size_t i = 0; i < g->nnodes; i++)
        for (size_t j = 0; j < g->nodes[i].ninputs; j++)
            if (g->nodes[i].inputs[j] >= 0) {
                int t = g->nodes[i].inputs[j];
                p->ncons[t]++;
                p->reads_left[t]++;
                p->reader[t] = (int)i;
            }
    /* every tensor's readers, in node order (a reader reading twice is
     * listed twice) */
    size_t nreads = 0;
    for (size_t t = 0; t < g->ntensors; t++) {
        p->cons_off[t] = (int)nreads;
        nreads += (size_t)p->ncons[t];
    }
    p->cons_off[g->ntensors] = (int)nreads;
    p->cons = hacl_malloc((nreads ? nreads : 1) * sizeof *p->cons);
    if (!p->cons) {
        hacl_pg_fail(p, &rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
        goto out;
    }
    int *fill = p->reads_left; /* reused as a cursor, restored below */
    for (size_t t = 0; t < g->ntensors; t++)
        fill[t] = 0;
    for (size_t i = 0; i < g->nnodes; i++)
        for (size_t j = 0; j < g->nodes[i].ninputs; j++)
            if (g->nodes[i].inputs[j] >= 0) {
                int t = g->nodes[i].inputs[j];
                p->cons[p->cons_off[t] + fill[t]++] = (int)i;
            }
    for (size_t t = 0; t < g->ntensors; t++)
        p->reads_left[t] = p->ncons[t];
    if (!p->reference)
        hacl_pg_defer_se_products(p);
    for (size_t i = 0; i < g->ninputs; i++) {
        int b = hacl_pg_add_buf(p, g->inputs[i], B_INPUT, (int)i, &rc);
        if (b < 0)
            goto out;
        p->native[g->inputs[i]] = p->plainb[g->inputs[i]] = b;
    }
    for (size_t i = 0; i < g->nnodes && rc == ACL_SUCCESS; i++) {
        if (g->nodes[i].folded)
            hacl_pg_consumed(p, (int)i);
        if (p->absorbed[i] || g->nodes[i].folded)
            continue;
        if (node_step(p, (int)i, &rc) < 0)
            break;
        hacl_pg_consumed(p, (int)i);
    }
    /* Model outputs that are constants or inputs are copied at the end. */
    for (size_t i = 0; i < g->noutputs && rc == ACL_SUCCESS; i++)
        if (g->tensors[g->outputs[i]].is_const)
            hacl_pg_get_plain(p, g->outputs[i], &rc);
    if (rc == ACL_SUCCESS)
        rc = hacl_pg_create_pending(p);
    if (rc == ACL_SUCCESS && plan(p) != ACL_SUCCESS)
        hacl_pg_fail(p, &rc, ACL_ERROR_BAD_ALLOC, "out of memory planning the model's memory");
out:
    p->why = NULL;
    hacl_pg_create_end(p);
    if (rc != ACL_SUCCESS) {
        hacl_prog_free(p);
        return rc;
    }
    *out = p;
    return ACL_SUCCESS;
}

size_t hacl_prog_work_bytes(const struct hacl_prog *p)
{
    return p->work_bytes;
}

size_t hacl_prog_weight_bytes(const struct hacl_prog *p)
{
    return p->weight_bytes;
}
