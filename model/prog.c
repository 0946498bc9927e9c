/*
 * Compiled programs (see prog.h).
 */
#include "prog.h"

#include <math.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/alloc.h"
#include "plan.h"
#include "runtime/config.h"
#include "runtime/error.h"
#include "kernels.h"

enum { F32 = 1 };
enum buf_kind { B_WORK, B_WEIGHT, B_INPUT, B_OUTPUT };
#define MAX_ARGS 8
#define ALIGN 64

struct pbuf {
    int tensor;
    int kind;
    int io;     /* B_INPUT / B_OUTPUT: the model's input or output index */
    int plain;  /* row-major layout of the tensor's dims */
    int has_md; /* md is meaningful (float32 tensors of rank <= 6) */
    int dnnl_used;
    dnnl_memory_desc_t md;
    size_t bytes;
    size_t offset; /* B_WORK: in the work buffer; B_WEIGHT: in the weights */
    int first, last;
    const void *init; /* B_WEIGHT: the bytes to place (the reorder's source) */
    void *owned;      /* B_WEIGHT: bytes of ours behind init, freed once placed */
    /* B_WEIGHT: converts init into md at placement, straight into the
     * weight memory; NULL: init is copied as it is. */
    dnnl_primitive_desc_t reorder;
};

struct pstep {
    int node;       /* a C kernel for this node, or -1: the primitive */
    void (*run)(const struct hacl_kernel_args *a); /* the node's C kernel */
    int what;       /* the node the step computes (for profiles) */
    int empty;      /* a C kernel whose outputs all have no elements */
    const char *kind; /* "reorder", "conv", ... or the node's op */
    char impl[32];  /* oneDNN's implementation name */
    _Atomic unsigned long long ns, runs; /* with HOSTACL_PROFILE=1 */
    dnnl_primitive_t prim;
    int nargs;
    int argk[MAX_ARGS], argb[MAX_ARGS];
    int has_scratch;
    dnnl_memory_desc_t scratch_md;
};

struct hacl_prog {
    const struct hacl_graph *g;
    int reference;
    struct pbuf *bufs;
    size_t nbufs, capbufs;
    struct pstep *steps;
    size_t nsteps, capsteps;
    int *native;  /* per tensor: the buffer its producer writes, -1 */
    int *plainb;  /* per tensor: a buffer holding it row-major, -1 */
    int *ncons;   /* per tensor: how many node inputs read it */
    int *reader;  /* per tensor: a node reading it (the one, when ncons is 1) */
    int *reads_left; /* per tensor: readers not compiled yet */
    unsigned char *is_out, *absorbed;
    size_t plan_bytes, scratch_bytes, work_bytes, weight_bytes;
    size_t reorder_scratch; /* the largest weight reorder's scratchpad */
    size_t ndnnl, nreorders;
    void *weights;
    int own_weights, placed;
    int profile;
    int bf16;     /* heavy operators in bfloat16 */
    int winograd; /* float32 3x3 convolutions may use Winograd */
    int cur_node; /* the node being compiled */
    char *why;
    size_t whylen;
};

struct hacl_exec_ctx {
    void *work;
    int own_work;
    dnnl_stream_t stream;
    dnnl_memory_t *mem;     /* per buffer used by a primitive */
    dnnl_memory_t *scratch; /* per step */
    dnnl_exec_arg_t **args; /* per step */
    void **tptr;            /* per tensor: row-major data for the C kernels */
};

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

static dnnl_engine_t get_engine(void)
{
    pthread_once(&engine_once, engine_init);
    return engine;
}

static size_t align_up(size_t v)
{
    return (v + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* ---- building ---- */

static int fail(struct hacl_prog *p, aclError *rc, aclError code, const char *msg)
{
    if (*rc == ACL_SUCCESS) {
        *rc = code;
        snprintf(p->why, p->whylen, "%s", msg);
    }
    return -1;
}

static int plain_md(const struct hacl_tensor *t, dnnl_memory_desc_t *md)
{
    static const dnnl_format_tag_t tags[] = {dnnl_a, dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef};
    if (t->onnx_type != F32 || t->rank < 0 || t->rank > 6)
        return -1;
    dnnl_dims_t d = {1};
    for (int i = 0; i < t->rank; i++)
        d[i] = t->dims[i];
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] == 0)
            return -1;
    return dnnl_memory_desc_init_by_tag(md, t->rank ? t->rank : 1, d, dnnl_f32, tags[t->rank]) == dnnl_success ? 0
                                                                                                                  : -1;
}

static int add_buf(struct hacl_prog *p, int tensor, int kind, int io, aclError *rc)
{
    if (p->nbufs == p->capbufs) {
        size_t ncap = p->capbufs ? 2 * p->capbufs : 64;
        struct pbuf *nb = hacl_realloc(p->bufs, ncap * sizeof *nb);
        if (!nb)
            return fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
        p->bufs = nb;
        p->capbufs = ncap;
    }
    struct pbuf *b = &p->bufs[p->nbufs];
    memset(b, 0, sizeof *b);
    b->tensor = tensor;
    b->kind = kind;
    b->io = io;
    b->first = b->last = -1;
    if (tensor >= 0) {
        const struct hacl_tensor *t = &p->g->tensors[tensor];
        b->bytes = hacl_tensor_bytes(t);
        b->plain = 1;
        b->has_md = plain_md(t, &b->md) == 0;
    }
    return (int)p->nbufs++;
}

static int add_step(struct hacl_prog *p, int node, aclError *rc)
{
    if (p->nsteps == p->capsteps) {
        size_t ncap = p->capsteps ? 2 * p->capsteps : 64;
        struct pstep *ns = hacl_realloc(p->steps, ncap * sizeof *ns);
        if (!ns)
            return fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
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
            return fail(p, rc, ACL_ERROR_OP_NOT_FOUND, "internal: a node without a kernel");
        s->run = op->run;
    }
    return (int)p->nsteps++;
}

static void touch(struct hacl_prog *p, int b, int step)
{
    struct pbuf *pb = &p->bufs[b];
    if (pb->first < 0 || step < pb->first)
        pb->first = step;
    if (step > pb->last)
        pb->last = step;
}

static void arg(struct hacl_prog *p, int step, int kind, int b)
{
    struct pstep *s = &p->steps[step];
    s->argk[s->nargs] = kind;
    s->argb[s->nargs] = b;
    s->nargs++;
    p->bufs[b].dnnl_used = 1;
    touch(p, b, step);
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
static int out_buf(struct hacl_prog *p, int t, const dnnl_memory_desc_t *md, aclError *rc)
{
    int io = p->is_out[t] ? output_index(p->g, t) : -1;
    int b = add_buf(p, t, io >= 0 ? B_OUTPUT : B_WORK, io, rc);
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
static dnnl_memory_desc_t pd_md(const_dnnl_primitive_desc_t pd, dnnl_query_t what)
{
    const dnnl_memory_desc_t *m = dnnl_primitive_desc_query_md(pd, what, 0);
    dnnl_memory_desc_t r;
    memset(&r, 0, sizeof r);
    if (m)
        r = *m;
    return r;
}

static dnnl_primitive_attr_t new_attr(void)
{
    dnnl_primitive_attr_t a = NULL;
    if (dnnl_primitive_attr_create(&a) != dnnl_success)
        return NULL;
    dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user);
    return a;
}

/* Turns pd into the primitive of step s (pd is destroyed). */
static int finish_primitive(struct hacl_prog *p, int s, dnnl_primitive_desc_t pd, aclError *rc)
{
    struct pstep *st = &p->steps[s];
    st->scratch_md = pd_md(pd, dnnl_query_scratchpad_md);
    size_t sb = dnnl_memory_desc_get_size(&st->scratch_md);
    st->has_scratch = sb > 0;
    if (sb > p->scratch_bytes)
        p->scratch_bytes = sb;
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl)
        snprintf(st->impl, sizeof st->impl, "%s", impl);
    dnnl_status_t ds = dnnl_primitive_create(&st->prim, pd);
    dnnl_primitive_desc_destroy(pd);
    if (ds != dnnl_success)
        return fail(p, rc, ACL_ERROR_BAD_ALLOC, "oneDNN could not create a primitive");
    p->ndnnl++;
    return 0;
}

/* A step converting buffer `from` into buffer `to` (layouts may differ);
 * kind names it in profiles. */
static int copy_into(struct hacl_prog *p, int from, int to, const char *kind, aclError *rc)
{
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t a = new_attr();
    dnnl_memory_desc_t src = p->bufs[from].md, dst = p->bufs[to].md;
    dnnl_status_t ds =
        a ? dnnl_reorder_primitive_desc_create(&pd, &src, get_engine(), &dst, get_engine(), a) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    if (ds != dnnl_success)
        return fail(p, rc, ACL_ERROR_OP_NOT_FOUND, "oneDNN has no reorder between two layouts the model needs");
    int s = add_step(p, -1, rc);
    if (s < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = kind;
    arg(p, s, DNNL_ARG_FROM, from);
    arg(p, s, DNNL_ARG_TO, to);
    p->nreorders++;
    return finish_primitive(p, s, pd, rc);
}

/* A reorder of buffer `from`, which holds tensor t, into a new work buffer
 * of layout md. t is named by the caller: a buffer can hold more than one
 * tensor (a residual's buffer becomes the fused Add's output), so the
 * buffer's own tensor may be another one. */
static int reorder_to(struct hacl_prog *p, int t, int from, const dnnl_memory_desc_t *md, aclError *rc)
{
    int b = add_buf(p, t, B_WORK, -1, rc);
    if (b < 0)
        return -1;
    struct pbuf *pb = &p->bufs[b];
    pb->md = *md;
    pb->has_md = 1;
    pb->bytes = dnnl_memory_desc_get_size(md);
    dnnl_memory_desc_t pl;
    pb->plain = plain_md(&p->g->tensors[t], &pl) == 0 && dnnl_memory_desc_equal(&pl, md);
    if (pb->plain)
        p->plainb[t] = b;
    return copy_into(p, from, b, "reorder", rc) < 0 ? -1 : b;
}


/* Node `node` has been compiled: its inputs have one reader fewer left. */
static void consumed(struct hacl_prog *p, int node)
{
    const struct hacl_node *n = &p->g->nodes[node];
    for (size_t j = 0; j < n->ninputs; j++)
        if (n->inputs[j] >= 0)
            p->reads_left[n->inputs[j]]--;
}

static int const_buf(struct hacl_prog *p, int t, aclError *rc)
{
    const struct hacl_tensor *ct = &p->g->tensors[t];
    if ((!ct->data && ct->bytes) || ct->bytes != hacl_tensor_bytes(ct))
        return fail(p, rc, ACL_ERROR_PARSE_MODEL, "a constant's data does not match its shape");
    int b = add_buf(p, t, B_WEIGHT, -1, rc);
    if (b < 0)
        return -1;
    p->bufs[b].init = p->g->tensors[t].data;
    p->native[t] = p->plainb[t] = b;
    return b;
}

/* Tensor t in row-major layout, converting if its producer wrote another. */
static int get_plain(struct hacl_prog *p, int t, aclError *rc)
{
    if (p->plainb[t] >= 0)
        return p->plainb[t];
    if (p->g->tensors[t].is_const)
        return const_buf(p, t, rc);
    int from = p->native[t];
    dnnl_memory_desc_t md;
    if (from < 0 || plain_md(&p->g->tensors[t], &md) != 0)
        return fail(p, rc, ACL_ERROR_FAILURE, "internal: a tensor is read before it is computed");
    return reorder_to(p, t, from, &md, rc);
}

/* Tensor t (float32) in layout md: the buffer already holding it so, or a
 * reorder of its native buffer. */
static int get_layout(struct hacl_prog *p, int t, const dnnl_memory_desc_t *md, aclError *rc)
{
    if (p->g->tensors[t].is_const && p->plainb[t] < 0 && const_buf(p, t, rc) < 0)
        return -1;
    int from = p->native[t];
    if (from >= 0 && p->bufs[from].has_md && dnnl_memory_desc_equal(&p->bufs[from].md, md))
        return from;
    for (size_t b = 0; b < p->nbufs; b++)
        if (p->bufs[b].tensor == t && p->bufs[b].has_md && dnnl_memory_desc_equal(&p->bufs[b].md, md))
            return (int)b;
    if (from < 0 || !p->bufs[from].has_md)
        return fail(p, rc, ACL_ERROR_FAILURE, "internal: a tensor is read before it is computed");
    return reorder_to(p, t, from, md, rc);
}

/* ---- steps ---- */

static int ref_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_node *n = &p->g->nodes[node];
    int ins[16], *inb = n->ninputs <= 16 ? ins : hacl_calloc(n->ninputs, sizeof *inb);
    if (!inb)
        return fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
    int ok = 0;
    for (size_t j = 0; j < n->ninputs; j++) {
        inb[j] = n->inputs[j] >= 0 ? get_plain(p, n->inputs[j], rc) : -1;
        if (n->inputs[j] >= 0 && inb[j] < 0)
            goto out;
    }
    /* The kernel finds each input through its tensor's row-major buffer
     * (plainb): it must be the one just made live for this step. */
    for (size_t j = 0; j < n->ninputs; j++)
        if (inb[j] >= 0 && p->plainb[n->inputs[j]] != inb[j]) {
            fail(p, rc, ACL_ERROR_FAILURE, "internal: a kernel's input has no row-major buffer");
            goto out;
        }
    int s = add_step(p, node, rc);
    if (s < 0)
        goto out;
    p->steps[s].empty = 1;
    for (size_t k = 0; k < n->noutputs; k++)
        if (n->outputs[k] >= 0 && hacl_tensor_elements(&p->g->tensors[n->outputs[k]]) != 0)
            p->steps[s].empty = 0;
    for (size_t j = 0; j < n->ninputs; j++)
        if (inb[j] >= 0)
            touch(p, inb[j], s);
    for (size_t k = 0; k < n->noutputs; k++) {
        if (n->outputs[k] < 0)
            continue;
        int b = out_buf(p, n->outputs[k], NULL, rc);
        if (b < 0)
            goto out;
        touch(p, b, s);
    }
    ok = 1;
out:
    if (inb != ins)
        hacl_free(inb);
    return ok ? 0 : -1;
}

/* The node reading t when it is t's only reader and t is no model output
 * (and the node is op and not yet absorbed), else -1. */
static int sole_reader(struct hacl_prog *p, int t, const char *op)
{
    if (t < 0 || p->ncons[t] != 1 || p->is_out[t])
        return -1;
    int i = p->reader[t];
    return !p->absorbed[i] && strcmp(p->g->nodes[i].op, op) == 0 ? i : -1;
}

static int is_const_f32(const struct hacl_graph *g, const struct hacl_node *n, size_t i)
{
    return i < n->ninputs && n->inputs[i] >= 0 && g->tensors[n->inputs[i]].is_const &&
           g->tensors[n->inputs[i]].onnx_type == F32;
}

static int same_shape(const struct hacl_tensor *a, const struct hacl_tensor *b)
{
    if (a->rank != b->rank || a->onnx_type != b->onnx_type)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

/* An activation node after a fused op, as a oneDNN eltwise post-op. */
struct act {
    int node;
    dnnl_alg_kind_t alg;
    float alpha, beta;
};

static int find_act(struct hacl_prog *p, int t, struct act *a)
{
    static const char *const names[] = {"Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Elu"};
    const struct hacl_graph *g = p->g;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        int r = sole_reader(p, t, names[k]);
        if (r < 0)
            continue;
        const struct hacl_node *n = &g->nodes[r];
        a->node = r;
        a->alpha = a->beta = 0;
        switch (k) {
        case 0: a->alg = dnnl_eltwise_relu; break;
        case 1: a->alg = dnnl_eltwise_relu, a->alpha = hacl_attr_float(n, "alpha", 0.01f); break;
        case 2: {
            float lo = hacl_attr_float(n, "min", -INFINITY), hi = hacl_attr_float(n, "max", INFINITY);
            for (size_t i = 1; i < 3 && i < n->ninputs; i++) {
                if (n->inputs[i] < 0)
                    continue;
                if (!is_const_f32(g, n, i) || g->tensors[n->inputs[i]].bytes != sizeof(float))
                    return 0;
                float v = *(const float *)g->tensors[n->inputs[i]].data;
                *(i == 1 ? &lo : &hi) = v;
            }
            a->alg = dnnl_eltwise_clip_v2, a->alpha = lo, a->beta = hi;
            break;
        }
        case 3: a->alg = dnnl_eltwise_logistic; break;
        case 4: a->alg = dnnl_eltwise_tanh; break;
        default: a->alg = dnnl_eltwise_elu, a->alpha = hacl_attr_float(n, "alpha", 1.0f); break;
        }
        return 1;
    }
    return 0;
}

/* A constant consumed into prepared weights: its decoded bytes go now if
 * nothing else reads them, so the decoded model and the prepared weights
 * are not both held whole while loading. */
static void drop_source(struct hacl_prog *p, int t)
{
    if (t >= 0 && p->ncons[t] == 1 && !p->is_out[t])
        hacl_graph_release_tensor((struct hacl_graph *)p->g, t);
}

/* A weight buffer of layout md, placed from init; owned (or NULL) is ours
 * and freed once placed (or now, on failure). */
static int weight_buf(struct hacl_prog *p, const dnnl_memory_desc_t *md, const void *init, void *owned, aclError *rc)
{
    int b = add_buf(p, -1, B_WEIGHT, -1, rc);
    if (b < 0) {
        hacl_free(owned);
        return -1;
    }
    struct pbuf *pb = &p->bufs[b];
    pb->md = *md;
    pb->has_md = 1;
    pb->bytes = dnnl_memory_desc_get_size(md);
    pb->owned = owned;
    pb->init = init;
    return b;
}

/* A weight buffer holding `bytes` (ours) as they are. */
static int owned_weight(struct hacl_prog *p, const dnnl_memory_desc_t *md, void *bytes, aclError *rc)
{
    return weight_buf(p, md, bytes, bytes, rc);
}

/* A weight buffer in layout `to`, made from `data` (layout `from`) when the
 * weights are placed: the conversion writes straight into the weight
 * memory, so prepared weights are never held twice and a size query
 * converts nothing. `owned` (or NULL) is ours and freed once placed; data
 * that is not ours must live until then (decoded initializers do: they are
 * released after placement). */
static int prepared_weight(struct hacl_prog *p, const dnnl_memory_desc_t *from, const void *data, void *owned,
                           const dnnl_memory_desc_t *to, aclError *rc)
{
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t a = new_attr();
    dnnl_status_t ds =
        a ? dnnl_reorder_primitive_desc_create(&pd, from, get_engine(), to, get_engine(), a) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    if (ds != dnnl_success) {
        hacl_free(owned);
        return fail(p, rc, ds == dnnl_out_of_memory ? ACL_ERROR_BAD_ALLOC : ACL_ERROR_OP_NOT_FOUND,
                    "oneDNN cannot convert weights to the layout their operator needs");
    }
    int b = weight_buf(p, to, data, owned, rc);
    if (b < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->bufs[b].reorder = pd;
    dnnl_memory_desc_t smd = pd_md(pd, dnnl_query_scratchpad_md);
    size_t sb = dnnl_memory_desc_get_size(&smd);
    if (sb > p->reorder_scratch)
        p->reorder_scratch = sb;
    return b;
}

/* The tile size of a Winograd primitive's transformed weights (4: F(2x2,
 * 3x3), 6: F(4x4, 3x3)), or 0 when its weights are not Winograd's. */
static int wino_alpha(const_dnnl_primitive_desc_t pd)
{
    const dnnl_memory_desc_t *w = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    return w && w->format_kind == dnnl_format_kind_wino ? w->format_desc.wino_desc.alpha : 0;
}

/* Conv, with a following BatchNormalization folded into its weights, a
 * residual Add and an activation as post-ops. 1: done, 0: not for oneDNN,
 * -1: error. */
static int conv_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *x = &g->tensors[n->inputs[0]];
    if (x->onnx_type != F32 || x->rank < 3 || x->rank > 5 || !is_const_f32(g, n, 1) ||
        (n->ninputs > 2 && n->inputs[2] >= 0 && !is_const_f32(g, n, 2)))
        return 0;
    struct hacl_conv_geom cg;
    char why[8];
    if (hacl_conv_geometry((struct hacl_graph *)g, n, &cg, why, sizeof why) != ACL_SUCCESS)
        return 0;
    /* What fuses. */
    int out = n->outputs[0];
    int bn = sole_reader(p, out, "BatchNormalization");
    if (bn >= 0) {
        const struct hacl_node *b = &g->nodes[bn];
        int okbn = b->ninputs == 5 && (b->noutputs == 1 || b->outputs[1] < 0);
        for (size_t i = 1; okbn && i < 5; i++)
            okbn = is_const_f32(g, b, i);
        if (okbn)
            out = b->outputs[0];
        else
            bn = -1;
    }
    int add = sole_reader(p, out, "Add"), other = -1;
    if (add >= 0) {
        const struct hacl_node *a = &g->nodes[add];
        other = a->ninputs == 2 ? (a->inputs[0] == out ? a->inputs[1] : a->inputs[0]) : -1;
        if (other < 0 || other == out || g->tensors[other].is_const || p->native[other] < 0 ||
            !same_shape(&g->tensors[other], &g->tensors[out]) || !same_shape(&g->tensors[a->outputs[0]], &g->tensors[out]))
            add = other = -1;
        else
            out = a->outputs[0];
    }
    struct act act = {-1, dnnl_eltwise_relu, 0, 0};
    if (find_act(p, out, &act))
        out = g->nodes[act.node].outputs[0];
    else
        act.node = -1;

    /* Weights and bias in plain layout, BatchNormalization folded in. */
    int64_t M = cg.m, per = (cg.c / cg.group) * cg.k[0] * cg.k[1] * cg.k[2];
    const float *w0 = g->tensors[n->inputs[1]].data;
    const float *b0 = n->ninputs > 2 && n->inputs[2] >= 0 ? g->tensors[n->inputs[2]].data : NULL;
    float *w = hacl_malloc_aligned(ALIGN, (size_t)(M * per) * sizeof *w);
    float *bias = hacl_malloc_aligned(ALIGN, (size_t)M * sizeof *bias);
    if (!w || !bias) {
        hacl_free(w);
        hacl_free(bias);
        return fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing convolution weights");
    }
    memcpy(w, w0, (size_t)(M * per) * sizeof *w);
    for (int64_t m = 0; m < M; m++)
        bias[m] = b0 ? b0[m] : 0.0f;
    if (bn >= 0) {
        const struct hacl_node *b = &g->nodes[bn];
        const float *sc = g->tensors[b->inputs[1]].data, *sh = g->tensors[b->inputs[2]].data;
        const float *mean = g->tensors[b->inputs[3]].data, *var = g->tensors[b->inputs[4]].data;
        float eps = hacl_attr_float(b, "epsilon", 1e-5f);
        for (int64_t m = 0; m < M; m++) {
            float k = sc[m] / sqrtf(var[m] + eps);
            for (int64_t i = 0; i < per; i++)
                w[m * per + i] *= k;
            bias[m] = (bias[m] - mean[m]) * k + sh[m];
        }
    }

    /* The primitive: layouts chosen by oneDNN, except for model outputs. */
    static const dnnl_format_tag_t plain[] = {dnnl_a, dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef};
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
    /* With Winograd in play, every float32 2-D convolution keeps
     * activations in the 16-channel blocked layout Winograd uses: left to
     * choose, the other convolutions pick channels-last and a reorder lands
     * on each side of every Winograd convolution (measured: +3% images/s at
     * batch 1, +11% at batch 8 without them). */
    int blocked = p->winograd && !p->bf16 && cg.sp == 2;
    dnnl_format_tag_t src_tag = blocked && cg.c % 16 == 0 ? dnnl_aBcd16b : dnnl_format_tag_any;
    dnnl_format_tag_t dst_tag = blocked && cg.m % 16 == 0 ? dnnl_aBcd16b : dnnl_format_tag_any;
    dnnl_memory_desc_init_by_tag(&src_any, nd, sd, dt, src_tag);
    dnnl_memory_desc_init_by_tag(&w_any, wnd, wd, dt, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&w_plain, wnd, wd, dnnl_f32, plain[wnd]);
    dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&dst_md, nd, dd, p->is_out[out] ? dnnl_f32 : dt, p->is_out[out] ? plain[nd] : dst_tag);
    dnnl_primitive_desc_t pd = NULL;
    int result = 0;
    /* The residual Add is a sum post-op: the destination holds the
     * residual when the convolution starts and the result is added to it. */
    dnnl_convolution_desc_t cd;
    dnnl_primitive_attr_t a = NULL;
    dnnl_post_ops_t po = NULL;
    if ((a = new_attr()) && dnnl_post_ops_create(&po) == dnnl_success) {
        if (add >= 0)
            dnnl_post_ops_append_sum(po, 1.0f);
        if (act.node >= 0)
            dnnl_post_ops_append_eltwise(po, 1.0f, act.alg, act.alpha, act.beta);
        dnnl_primitive_attr_set_post_ops(a, po);
        /* float32 3x3 stride-1 convolutions run Winograd where oneDNN has
         * it (measured on ResNet-50, 2 cores: +10% images/s at batch 1,
         * +18% at batch 8, output within 4e-7 relative of direct);
         * HOSTACL_WINOGRAD=0 turns it off. */
        int wino = p->winograd && !p->bf16 && cg.sp == 2 && cg.k[0] == 3 && cg.k[1] == 3 && cg.s[0] == 1 &&
                   cg.s[1] == 1 && cg.d[0] == 1 && cg.d[1] == 1 && cg.group == 1;
        if (wino && dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_winograd,
                                                       &src_any, &w_any, &b_md, &dst_md, st, pl, pr) == dnnl_success)
            result = dnnl_primitive_desc_create(&pd, &cd, a, get_engine(), NULL) == dnnl_success;
        /* Except F(4x4, 3x3) on maps under 14x14 (oneDNN's choice for
         * ResNet-50's 7x7 stage from batch 2 up): its weights are 4x the
         * direct ones and their conversion cost 70-80 ms per convolution
         * at load, for 3% of batch 8's images/s. */
        if (result && cg.out[0] * cg.out[1] < 196 && wino_alpha(pd) == 6) {
            dnnl_primitive_desc_destroy(pd);
            pd = NULL;
            result = 0;
        }
        if (!result &&
            dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &src_any,
                                                       &w_any, &b_md, &dst_md, st, dl, pl, pr) == dnnl_success)
            result = dnnl_primitive_desc_create(&pd, &cd, a, get_engine(), NULL) == dnnl_success;
        if (!result && (src_tag != dnnl_format_tag_any || dst_tag != dnnl_format_tag_any)) {
            /* no kernel for the blocked layout: let oneDNN choose */
            dnnl_memory_desc_init_by_tag(&src_any, nd, sd, dt, dnnl_format_tag_any);
            if (!p->is_out[out])
                dnnl_memory_desc_init_by_tag(&dst_md, nd, dd, dt, dnnl_format_tag_any);
            if (dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                                           &src_any, &w_any, &b_md, &dst_md, st, dl, pl,
                                                           pr) == dnnl_success)
                result = dnnl_primitive_desc_create(&pd, &cd, a, get_engine(), NULL) == dnnl_success;
        }
    }
    if (po)
        dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(a);
    if (!result) {
        hacl_free(w);
        hacl_free(bias);
        return 0;
    }
    dnnl_memory_desc_t src_md = pd_md(pd, dnnl_query_src_md), wmd = pd_md(pd, dnnl_query_weights_md);
    dst_md = pd_md(pd, dnnl_query_dst_md);
    /* w is a folded copy: the decoded initializer can go now */
    drop_source(p, n->inputs[1]);
    int xb = -1, ob = -1, s = -1;
    int wb = prepared_weight(p, &w_plain, w, w, &wmd, rc);
    int bb = wb < 0 ? (hacl_free(bias), -1) : owned_weight(p, &b_md, bias, rc);
    if (bb >= 0)
        xb = get_layout(p, n->inputs[0], &src_md, rc);
    if (xb >= 0 && add >= 0)
        ob = get_layout(p, other, &dst_md, rc);
    int db = -1;
    if (xb >= 0 && add >= 0 && ob >= 0) {
        /* The residual's buffer becomes the output when nothing reads the
         * residual afterwards; otherwise it is copied there first. */
        struct pbuf *obuf = &p->bufs[ob];
        if (p->reads_left[other] == 1 && obuf->kind == B_WORK && !p->is_out[out] && ob != xb) {
            db = ob;
            p->native[out] = db;
            if (obuf->plain)
                p->plainb[out] = db;
        } else {
            db = out_buf(p, out, &dst_md, rc);
            if (db >= 0 && copy_into(p, ob, db, "copy", rc) < 0)
                db = -1;
        }
    } else if (xb >= 0 && add < 0) {
        db = out_buf(p, out, &dst_md, rc);
    }
    if (db >= 0)
        s = add_step(p, -1, rc);
    if (s < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = add >= 0 ? "Conv+Add" : bn >= 0 ? "Conv+BN" : "Conv";
    arg(p, s, DNNL_ARG_SRC, xb);
    arg(p, s, DNNL_ARG_WEIGHTS, wb);
    arg(p, s, DNNL_ARG_BIAS, bb);
    arg(p, s, DNNL_ARG_DST, db);
    int fused[3] = {bn, add, act.node};
    for (int k = 0; k < 3; k++)
        if (fused[k] >= 0) {
            p->absorbed[fused[k]] = 1;
            consumed(p, fused[k]);
        }
    return finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* 2-D ConvTranspose with constant weights as a oneDNN deconvolution, a
 * following activation fused. 1: done, 0: not for oneDNN, -1: error. */
static int deconv_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *x = &g->tensors[n->inputs[0]];
    struct hacl_deconv_geom dg;
    char why[8];
    if (x->onnx_type != F32 || x->rank != 4 || !is_const_f32(g, n, 1) ||
        (n->ninputs > 2 && n->inputs[2] >= 0 && !is_const_f32(g, n, 2)) ||
        hacl_deconv_geometry((struct hacl_graph *)g, n, &dg, why, sizeof why) != ACL_SUCCESS || dg.sp != 2)
        return 0;
    dnnl_dims_t pl = {dg.pb[0], dg.pb[1]}, pr, st = {dg.s[0], dg.s[1]}, dl = {dg.d[0] - 1, dg.d[1] - 1};
    for (int i = 0; i < 2; i++) {
        int64_t ek = (dg.k[i] - 1) * dg.d[i] + 1;
        pr[i] = (dg.in[i] - 1) * dg.s[i] + ek - dg.pb[i] - dg.out[i];
        if (pl[i] < 0 || pr[i] < 0)
            return 0; /* output_padding or a larger output_shape: C kernel */
    }
    int out = n->outputs[0];
    struct act act = {-1, dnnl_eltwise_relu, 0, 0};
    if (find_act(p, out, &act))
        out = g->nodes[act.node].outputs[0];
    else
        act.node = -1;
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
             (a = new_attr()) && dnnl_post_ops_create(&po) == dnnl_success;
    if (ok && act.node >= 0)
        dnnl_post_ops_append_eltwise(po, 1.0f, act.alg, act.alpha, act.beta);
    if (ok)
        dnnl_primitive_attr_set_post_ops(a, po);
    ok = ok && dnnl_primitive_desc_create(&pd, &dd_desc, a, get_engine(), NULL) == dnnl_success;
    if (po)
        dnnl_post_ops_destroy(po);
    dnnl_primitive_attr_destroy(a);
    if (!ok)
        return 0;
    dnnl_memory_desc_t src_md = pd_md(pd, dnnl_query_src_md), wmd = pd_md(pd, dnnl_query_weights_md);
    dst_md = pd_md(pd, dnnl_query_dst_md);
    float *bias = hacl_malloc_aligned(ALIGN, (size_t)dg.m * sizeof *bias);
    if (!bias) {
        dnnl_primitive_desc_destroy(pd);
        return fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing ConvTranspose weights");
    }
    const float *b0 = n->ninputs > 2 && n->inputs[2] >= 0 ? g->tensors[n->inputs[2]].data : NULL;
    for (int64_t m = 0; m < dg.m; m++)
        bias[m] = b0 ? b0[m] : 0.0f;
    int wb = prepared_weight(p, &w_plain, g->tensors[n->inputs[1]].data, NULL, &wmd, rc);
    int bb = wb < 0 ? (hacl_free(bias), -1) : owned_weight(p, &b_md, bias, rc);
    int xb = bb >= 0 ? get_layout(p, n->inputs[0], &src_md, rc) : -1;
    int s = xb >= 0 ? add_step(p, -1, rc) : -1;
    int db = s >= 0 ? out_buf(p, out, &dst_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "ConvTranspose";
    arg(p, s, DNNL_ARG_SRC, xb);
    arg(p, s, DNNL_ARG_WEIGHTS, wb);
    arg(p, s, DNNL_ARG_BIAS, bb);
    arg(p, s, DNNL_ARG_DST, db);
    if (act.node >= 0) {
        p->absorbed[act.node] = 1;
        consumed(p, act.node);
    }
    return finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool over 1 to 3
 * spatial dims. */
static int pool_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *x = &g->tensors[n->inputs[0]], *y = &g->tensors[n->outputs[0]];
    if (x->onnx_type != F32 || x->rank < 3 || x->rank > 5 || (p->native[n->inputs[0]] < 0 && !x->is_const))
        return 0;
    int global = strncmp(n->op, "Global", 6) == 0;
    int is_max = strcmp(n->op + (global ? 6 : 0), "MaxPool") == 0;
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
    /* oneDNN wants the end padding that yields the output size; a window
     * reaching into padding added only by ceil_mode is not counted by ONNX
     * when averaging with count_include_pad, so that case stays in C.
     * Windows larger than the input (legal, absurd) go to the C kernel,
     * which only visits the steps inside the input. */
    int include = !is_max && hacl_attr_int(n, "count_include_pad", 0) != 0;
    dnnl_dims_t st, k, dl, pl, pr, dd = {y->dims[0], y->dims[1]};
    for (int i = 0; i < cg.sp; i++) {
        int64_t ek = (cg.k[i] - 1) * cg.d[i] + 1;
        int64_t pe = (cg.out[i] - 1) * cg.s[i] + ek - cg.in[i] - cg.pb[i];
        if ((cg.in[i] + cg.pb[i] + cg.pe[i] - ek) / cg.s[i] + 1 == cg.out[i])
            pe = cg.pe[i];
        if (pe < 0 || (include && pe != cg.pe[i]) || ek > cg.in[i] || cg.pb[i] >= ek)
            return 0;
        st[i] = cg.s[i], k[i] = cg.k[i], dl[i] = cg.d[i] - 1, pl[i] = cg.pb[i], pr[i] = pe;
        dd[2 + i] = y->dims[2 + i];
    }
    int xb0 = x->is_const ? get_plain(p, n->inputs[0], rc) : p->native[n->inputs[0]];
    if (xb0 < 0)
        return -1;
    if (!p->bufs[xb0].has_md)
        return 0;
    static const dnnl_format_tag_t plain[] = {dnnl_a, dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde};
    dnnl_memory_desc_t src_md = p->bufs[xb0].md, dst_md;
    int to_out = p->is_out[n->outputs[0]];
    dnnl_memory_desc_init_by_tag(&dst_md, x->rank, dd, to_out ? dnnl_f32 : src_md.data_type,
                                 to_out ? plain[x->rank] : dnnl_format_tag_any);
    dnnl_pooling_v2_desc_t pdsc;
    dnnl_alg_kind_t alg = is_max ? dnnl_pooling_max
                                 : include ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
    if (dnnl_pooling_v2_forward_desc_init(&pdsc, dnnl_forward_inference, alg, &src_md, &dst_md, st, k, dl, pl, pr) !=
        dnnl_success)
        return 0;
    dnnl_primitive_attr_t a = new_attr();
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t ds = a ? dnnl_primitive_desc_create(&pd, &pdsc, a, get_engine(), NULL) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    if (ds != dnnl_success)
        return 0;
    dst_md = pd_md(pd, dnnl_query_dst_md);
    int s = add_step(p, -1, rc);
    int db = s >= 0 ? out_buf(p, n->outputs[0], &dst_md, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = n->op;
    arg(p, s, DNNL_ARG_SRC, xb0);
    arg(p, s, DNNL_ARG_DST, db);
    return finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* Gemm with a constant B and a row-vector C: an inner product. */
static int gemm_step(struct hacl_prog *p, int node, aclError *rc)
{
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    const struct hacl_tensor *A = &g->tensors[n->inputs[0]], *Y = &g->tensors[n->outputs[0]];
    if (hacl_attr_int(n, "transA", 0) != 0 || hacl_attr_float(n, "alpha", 1.0f) != 1.0f ||
        hacl_attr_float(n, "beta", 1.0f) != 1.0f || !is_const_f32(g, n, 1) || A->onnx_type != F32)
        return 0;
    int64_t M = Y->dims[0], N = Y->dims[1], K = A->dims[1];
    const float *c = NULL;
    if (n->ninputs > 2 && n->inputs[2] >= 0) {
        const struct hacl_tensor *C = &g->tensors[n->inputs[2]];
        if (!is_const_f32(g, n, 2) || hacl_tensor_elements(C) != N || (C->rank == 2 && C->dims[0] != 1))
            return 0;
        c = C->data;
    }
    int tb = hacl_attr_int(n, "transB", 0) != 0;
    dnnl_memory_desc_t src_md, w_any, w_plain, b_md, dst_md;
    dnnl_dims_t sd = {M, K}, wd = {N, K}, bd = {N}, dd = {M, N};
    dnnl_data_type_t dt = p->bf16 ? dnnl_bf16 : dnnl_f32;
    dnnl_memory_desc_init_by_tag(&src_md, 2, sd, dt, dnnl_ab);
    dnnl_memory_desc_init_by_tag(&w_any, 2, wd, dt, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&w_plain, 2, wd, dnnl_f32, tb ? dnnl_ab : dnnl_ba);
    dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
    dnnl_memory_desc_init_by_tag(&dst_md, 2, dd, dnnl_f32, dnnl_ab);
    dnnl_inner_product_desc_t ipd;
    if (dnnl_inner_product_forward_desc_init(&ipd, dnnl_forward_inference, &src_md, &w_any, c ? &b_md : NULL,
                                             &dst_md) != dnnl_success)
        return 0;
    dnnl_primitive_attr_t a = new_attr();
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t ds = a ? dnnl_primitive_desc_create(&pd, &ipd, a, get_engine(), NULL) : dnnl_out_of_memory;
    dnnl_primitive_attr_destroy(a);
    if (ds != dnnl_success)
        return 0;
    dnnl_memory_desc_t wmd = pd_md(pd, dnnl_query_weights_md);
    void *br = c ? hacl_malloc_aligned(ALIGN, (size_t)N * sizeof(float)) : NULL;
    if (c && !br) {
        dnnl_primitive_desc_destroy(pd);
        return fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing Gemm weights");
    }
    if (c)
        memcpy(br, c, (size_t)N * sizeof(float));
    int wb = prepared_weight(p, &w_plain, g->tensors[n->inputs[1]].data, NULL, &wmd, rc);
    int bb = !c ? -2 : wb < 0 ? (hacl_free(br), -1) : owned_weight(p, &b_md, br, rc);
    int xb = wb >= 0 && bb != -1 ? (p->bf16 ? get_layout(p, n->inputs[0], &src_md, rc) : get_plain(p, n->inputs[0], rc))
                                 : -1;
    int s = xb >= 0 ? add_step(p, -1, rc) : -1;
    int db = s >= 0 ? out_buf(p, n->outputs[0], NULL, rc) : -1;
    if (db < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->steps[s].kind = "Gemm";
    arg(p, s, DNNL_ARG_SRC, xb);
    arg(p, s, DNNL_ARG_WEIGHTS, wb);
    if (c)
        arg(p, s, DNNL_ARG_BIAS, bb);
    arg(p, s, DNNL_ARG_DST, db);
    return finish_primitive(p, s, pd, rc) < 0 ? -1 : 1;
}

/* ---- the program ---- */

static int node_step(struct hacl_prog *p, int node, aclError *rc)
{
    const char *op = p->g->nodes[node].op;
    p->cur_node = node;
    int r = 0;
    if (!p->reference) {
        if (strcmp(op, "Conv") == 0)
            r = conv_step(p, node, rc);
        else if (strcmp(op, "ConvTranspose") == 0)
            r = deconv_step(p, node, rc);
        else if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0 || strcmp(op, "GlobalAveragePool") == 0 ||
                 strcmp(op, "GlobalMaxPool") == 0)
            r = pool_step(p, node, rc);
        else if (strcmp(op, "Gemm") == 0)
            r = gemm_step(p, node, rc);
    }
    if (r < 0)
        return -1;
    return r ? 0 : ref_step(p, node, rc);
}

static aclError plan(struct hacl_prog *p)
{
    struct hacl_live *iv = hacl_calloc(p->nbufs ? p->nbufs : 1, sizeof *iv);
    if (!iv)
        return ACL_ERROR_BAD_ALLOC;
    size_t n = 0, woff = 0;
    for (size_t b = 0; b < p->nbufs; b++) {
        struct pbuf *pb = &p->bufs[b];
        if (pb->kind == B_WORK && pb->first >= 0)
            iv[n++] = (struct hacl_live){pb->first, pb->last, pb->bytes, 0, (int)b};
        if (pb->kind == B_WEIGHT) {
            pb->offset = woff;
            woff += align_up(pb->bytes);
        }
    }
    aclError rc = hacl_plan_intervals(iv, n, &p->plan_bytes);
    for (size_t k = 0; rc == ACL_SUCCESS && k < n; k++)
        p->bufs[iv[k].id].offset = iv[k].offset;
    hacl_free(iv);
    p->weight_bytes = woff;
    p->work_bytes = p->plan_bytes + align_up(p->scratch_bytes);
    return rc;
}

/* 1 when the CPU computes bfloat16 natively (AVX512-BF16 or AMX). */
static int cpu_has_bf16(void)
{
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return isa == dnnl_cpu_isa_avx512_core_bf16 || isa == dnnl_cpu_isa_avx512_core_amx;
}

aclError hacl_prog_build(const struct hacl_graph *g, int reference, int precision, struct hacl_prog **out,
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
    p->reference = reference || !get_engine();
    if (precision == HACL_PREC_ALLOW_BF16 && !p->reference) {
        p->bf16 = cpu_has_bf16();
        if (!p->bf16)
            hacl_log(ACL_WARNING, "precision_mode allow_bf16: this CPU has no bfloat16 instructions; the model "
                                  "runs in float32");
    }
    const char *wg = getenv("HOSTACL_WINOGRAD");
    p->winograd = !(wg && strcmp(wg, "0") == 0);
    const char *prof = getenv("HOSTACL_PROFILE");
    p->profile = prof && strcmp(prof, "1") == 0;
    size_t nt = g->ntensors ? g->ntensors : 1;
    p->native = hacl_malloc(nt * sizeof *p->native);
    p->plainb = hacl_malloc(nt * sizeof *p->plainb);
    p->ncons = hacl_calloc(nt, sizeof *p->ncons);
    p->reader = hacl_calloc(nt, sizeof *p->reader);
    p->reads_left = hacl_calloc(nt, sizeof *p->reads_left);
    p->is_out = hacl_calloc(nt, 1);
    p->absorbed = hacl_calloc(g->nnodes ? g->nnodes : 1, 1);
    if (!p->native || !p->plainb || !p->ncons || !p->reader || !p->reads_left || !p->is_out || !p->absorbed) {
        fail(p, &rc, ACL_ERROR_BAD_ALLOC, "out of memory compiling the model");
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
    for (size_t i = 0; i < g->ninputs; i++) {
        int b = add_buf(p, g->inputs[i], B_INPUT, (int)i, &rc);
        if (b < 0)
            goto out;
        p->native[g->inputs[i]] = p->plainb[g->inputs[i]] = b;
    }
    for (size_t i = 0; i < g->nnodes && rc == ACL_SUCCESS; i++) {
        if (g->nodes[i].folded)
            consumed(p, (int)i);
        if (p->absorbed[i] || g->nodes[i].folded)
            continue;
        if (node_step(p, (int)i, &rc) < 0)
            break;
        consumed(p, (int)i);
    }
    /* Model outputs that are constants or inputs are copied at the end. */
    for (size_t i = 0; i < g->noutputs && rc == ACL_SUCCESS; i++)
        if (g->tensors[g->outputs[i]].is_const)
            get_plain(p, g->outputs[i], &rc);
    if (rc == ACL_SUCCESS && plan(p) != ACL_SUCCESS)
        fail(p, &rc, ACL_ERROR_BAD_ALLOC, "out of memory planning the model's memory");
out:
    p->why = NULL;
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

/* Runs a weight conversion prepared at compile time: src -> dst. */
static aclError run_reorder(const_dnnl_primitive_desc_t pd, const void *src, void *dst, void *scratch,
                            dnnl_stream_t stream)
{
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t ms = NULL, md = NULL, mscr = NULL;
    const dnnl_memory_desc_t *from = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *to = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *smd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    int has_scratch = smd && dnnl_memory_desc_get_size(smd) > 0;
    int ok = dnnl_primitive_create(&prim, pd) == dnnl_success &&
             dnnl_memory_create(&ms, from, get_engine(), (void *)src) == dnnl_success &&
             dnnl_memory_create(&md, to, get_engine(), dst) == dnnl_success &&
             (!has_scratch || dnnl_memory_create(&mscr, smd, get_engine(), scratch) == dnnl_success);
    if (ok) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_FROM, ms}, {DNNL_ARG_TO, md}, {DNNL_ARG_SCRATCHPAD, mscr}};
        ok = dnnl_primitive_execute(prim, stream, has_scratch ? 3 : 2, args) == dnnl_success &&
             dnnl_stream_wait(stream) == dnnl_success;
    }
    if (prim)
        dnnl_primitive_destroy(prim);
    if (ms)
        dnnl_memory_destroy(ms);
    if (md)
        dnnl_memory_destroy(md);
    if (mscr)
        dnnl_memory_destroy(mscr);
    return ok ? ACL_SUCCESS : ACL_ERROR_BAD_ALLOC;
}

aclError hacl_prog_place_weights(struct hacl_prog *p, void *weights)
{
    if (p->placed)
        return ACL_SUCCESS;
    if (!weights && p->weight_bytes) {
        weights = hacl_malloc_aligned(ALIGN, p->weight_bytes);
        if (!weights)
            return ACL_ERROR_BAD_ALLOC;
        p->own_weights = 1;
    }
    p->weights = weights;
    /* One scratchpad and one stream serve every conversion. */
    void *scratch = NULL;
    dnnl_stream_t stream = NULL;
    aclError rc = ACL_SUCCESS;
    for (size_t b = 0; b < p->nbufs && rc == ACL_SUCCESS; b++) {
        struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_WEIGHT)
            continue;
        void *dst = (char *)weights + pb->offset;
        if (pb->reorder) {
            if (!stream && dnnl_stream_create(&stream, get_engine(), dnnl_stream_default_flags) != dnnl_success)
                rc = ACL_ERROR_BAD_ALLOC;
            if (rc == ACL_SUCCESS && !scratch && p->reorder_scratch &&
                !(scratch = hacl_malloc_aligned(ALIGN, p->reorder_scratch)))
                rc = ACL_ERROR_BAD_ALLOC;
            if (rc == ACL_SUCCESS)
                rc = run_reorder(pb->reorder, pb->init, dst, scratch, stream);
            dnnl_primitive_desc_destroy(pb->reorder);
            pb->reorder = NULL;
        } else if (pb->bytes) {
            memcpy(dst, pb->init, pb->bytes);
        }
        hacl_free(pb->owned);
        pb->owned = NULL;
        pb->init = NULL;
    }
    hacl_free(scratch);
    if (stream)
        dnnl_stream_destroy(stream);
    if (rc != ACL_SUCCESS)
        return rc;
    p->placed = 1;
    return ACL_SUCCESS;
}

void hacl_prog_bind_constants(struct hacl_prog *p)
{
    struct hacl_graph *g = (struct hacl_graph *)p->g; /* the model's own */
    for (size_t t = 0; t < g->ntensors; t++) {
        int b = p->plainb[t];
        if (g->tensors[t].is_const && b >= 0 && p->bufs[b].kind == B_WEIGHT)
            g->tensors[t].data = (char *)p->weights + p->bufs[b].offset;
    }
}

static int by_time_desc(const void *a, const void *b)
{
    unsigned long long x = atomic_load(&(*(struct pstep *const *)a)->ns);
    unsigned long long y = atomic_load(&(*(struct pstep *const *)b)->ns);
    return x < y ? 1 : x > y ? -1 : 0;
}

/* HOSTACL_PROFILE=1: where the time went, per step, at unload. */
static void print_profile(const struct hacl_prog *p)
{
    struct pstep **order = hacl_calloc(p->nsteps ? p->nsteps : 1, sizeof *order);
    unsigned long long total = 0, runs = 0;
    for (size_t s = 0; s < p->nsteps; s++) {
        total += atomic_load(&p->steps[s].ns);
        runs = atomic_load(&p->steps[s].runs) > runs ? atomic_load(&p->steps[s].runs) : runs;
    }
    if (!order || !runs) {
        hacl_free(order);
        return;
    }
    for (size_t s = 0; s < p->nsteps; s++)
        order[s] = &p->steps[s];
    qsort(order, p->nsteps, sizeof *order, by_time_desc);
    fprintf(stderr, "hostacl profile: %zu steps (%zu oneDNN, %zu reorders), %llu runs, %.3f ms per run\n", p->nsteps,
            p->ndnnl, p->nreorders, runs, (double)total / 1e6 / (double)runs);
    fprintf(stderr, "%10s %6s  %-10s %-24s %s\n", "ms/run", "share", "kind", "implementation", "node");
    for (size_t k = 0; k < p->nsteps; k++) {
        const struct pstep *st = order[k];
        unsigned long long ns = atomic_load(&st->ns);
        const struct hacl_node *n = st->what >= 0 ? &p->g->nodes[st->what] : NULL;
        fprintf(stderr, "%10.3f %5.1f%%  %-10s %-24s %s\n", (double)ns / 1e6 / (double)runs,
                total ? 100.0 * (double)ns / (double)total : 0.0, st->kind, st->node >= 0 ? "C kernel" : st->impl,
                n && n->name ? n->name : "");
    }
    hacl_free(order);
}

void hacl_prog_free(struct hacl_prog *p)
{
    if (!p)
        return;
    if (p->profile)
        print_profile(p);
    for (size_t s = 0; s < p->nsteps; s++)
        if (p->steps[s].prim)
            dnnl_primitive_destroy(p->steps[s].prim);
    for (size_t b = 0; b < p->nbufs; b++) {
        hacl_free(p->bufs[b].owned);
        if (p->bufs[b].reorder)
            dnnl_primitive_desc_destroy(p->bufs[b].reorder);
    }
    if (p->own_weights)
        hacl_free(p->weights);
    hacl_free(p->steps);
    hacl_free(p->bufs);
    hacl_free(p->native);
    hacl_free(p->plainb);
    hacl_free(p->ncons);
    hacl_free(p->reader);
    hacl_free(p->reads_left);
    hacl_free(p->is_out);
    hacl_free(p->absorbed);
    hacl_free(p);
}

/* ---- execution contexts ---- */

static void *buf_ptr(const struct hacl_prog *p, const struct hacl_exec_ctx *c, const struct pbuf *pb)
{
    switch (pb->kind) {
    case B_WORK: return (char *)c->work + pb->offset;
    case B_WEIGHT: return (char *)p->weights + pb->offset;
    default: return NULL; /* set per run */
    }
}

void hacl_exec_ctx_free(struct hacl_exec_ctx *c)
{
    if (!c)
        return;
    if (c->mem)
        for (size_t b = 0; c->mem[b] != (dnnl_memory_t)-1; b++)
            if (c->mem[b])
                dnnl_memory_destroy(c->mem[b]);
    if (c->scratch)
        for (size_t s = 0; c->scratch[s] != (dnnl_memory_t)-1; s++)
            if (c->scratch[s])
                dnnl_memory_destroy(c->scratch[s]);
    if (c->args)
        for (size_t s = 0; c->args[s] != (dnnl_exec_arg_t *)-1; s++)
            hacl_free(c->args[s]);
    if (c->stream)
        dnnl_stream_destroy(c->stream);
    if (c->own_work)
        hacl_free(c->work);
    hacl_free(c->mem);
    hacl_free(c->scratch);
    hacl_free(c->args);
    hacl_free(c->tptr);
    hacl_free(c);
}

aclError hacl_exec_ctx_create(const struct hacl_prog *p, void *work, struct hacl_exec_ctx **out)
{
    struct hacl_exec_ctx *c = hacl_calloc(1, sizeof *c);
    if (!c)
        return ACL_ERROR_BAD_ALLOC;
    /* Arrays end with a -1 sentinel so a half-built context frees cleanly. */
    c->mem = hacl_malloc((p->nbufs + 1) * sizeof *c->mem);
    c->scratch = hacl_malloc((p->nsteps + 1) * sizeof *c->scratch);
    c->args = hacl_malloc((p->nsteps + 1) * sizeof *c->args);
    c->tptr = hacl_calloc(p->g->ntensors ? p->g->ntensors : 1, sizeof *c->tptr);
    if (!c->mem || !c->scratch || !c->args || !c->tptr) {
        hacl_free(c->mem);
        hacl_free(c->scratch);
        hacl_free(c->args);
        c->mem = NULL, c->scratch = NULL, c->args = NULL;
        hacl_exec_ctx_free(c);
        return ACL_ERROR_BAD_ALLOC;
    }
    for (size_t b = 0; b <= p->nbufs; b++)
        c->mem[b] = b < p->nbufs ? NULL : (dnnl_memory_t)-1;
    for (size_t s = 0; s <= p->nsteps; s++) {
        c->scratch[s] = s < p->nsteps ? NULL : (dnnl_memory_t)-1;
        c->args[s] = s < p->nsteps ? NULL : (dnnl_exec_arg_t *)-1;
    }
    aclError rc = ACL_SUCCESS;
    c->work = work;
    if (!work && p->work_bytes) {
        c->work = hacl_malloc_aligned(ALIGN, p->work_bytes);
        c->own_work = 1;
        if (!c->work)
            rc = ACL_ERROR_BAD_ALLOC;
    }
    if (rc == ACL_SUCCESS && p->ndnnl &&
        dnnl_stream_create(&c->stream, get_engine(), dnnl_stream_default_flags) != dnnl_success)
        rc = ACL_ERROR_BAD_ALLOC;
    for (size_t b = 0; b < p->nbufs && rc == ACL_SUCCESS; b++) {
        const struct pbuf *pb = &p->bufs[b];
        if (pb->dnnl_used &&
            dnnl_memory_create(&c->mem[b], &pb->md, get_engine(), pb->kind == B_WORK || pb->kind == B_WEIGHT
                                                                      ? buf_ptr(p, c, pb)
                                                                      : DNNL_MEMORY_NONE) != dnnl_success) {
            c->mem[b] = NULL;
            rc = ACL_ERROR_BAD_ALLOC;
        }
    }
    for (size_t t = 0; t < p->g->ntensors; t++) {
        int b = p->plainb[t];
        if (b >= 0 && (p->bufs[b].kind == B_WORK || p->bufs[b].kind == B_WEIGHT))
            c->tptr[t] = buf_ptr(p, c, &p->bufs[b]);
    }
    for (size_t s = 0; s < p->nsteps && rc == ACL_SUCCESS; s++) {
        const struct pstep *st = &p->steps[s];
        if (st->node >= 0)
            continue;
        c->args[s] = hacl_malloc((size_t)(st->nargs + 1) * sizeof **c->args);
        if (!c->args[s]) {
            rc = ACL_ERROR_BAD_ALLOC;
            break;
        }
        for (int k = 0; k < st->nargs; k++)
            c->args[s][k] = (dnnl_exec_arg_t){st->argk[k], c->mem[st->argb[k]]};
        if (st->has_scratch) {
            if (dnnl_memory_create(&c->scratch[s], &st->scratch_md, get_engine(),
                                   (char *)c->work + p->plan_bytes) != dnnl_success) {
                c->scratch[s] = NULL;
                rc = ACL_ERROR_BAD_ALLOC;
                break;
            }
            c->args[s][st->nargs] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, c->scratch[s]};
        }
    }
    if (rc != ACL_SUCCESS) {
        hacl_exec_ctx_free(c);
        return rc;
    }
    *out = c;
    return ACL_SUCCESS;
}

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

aclError hacl_prog_run(struct hacl_prog *p, struct hacl_exec_ctx *c, void *const *inputs, void *const *outputs,
                       char *why, size_t whylen)
{
    const struct hacl_graph *g = p->g;
    for (size_t b = 0; b < p->nbufs; b++) {
        const struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_INPUT && pb->kind != B_OUTPUT)
            continue;
        void *ptr = pb->kind == B_INPUT ? inputs[pb->io] : outputs[pb->io];
        c->tptr[pb->tensor] = ptr;
        if (c->mem[b] && dnnl_memory_set_data_handle(c->mem[b], ptr) != dnnl_success) {
            snprintf(why, whylen, "oneDNN refused a buffer address");
            return ACL_ERROR_FAILURE;
        }
    }
    int pending = 0;
    for (size_t s = 0; s < p->nsteps; s++) {
        struct pstep *st = &p->steps[s];
        unsigned long long t0 = p->profile ? now_ns() : 0;
        if (st->node >= 0 && st->empty) {
            /* every output is empty: nothing to compute */
        } else if (st->node >= 0) {
            if (pending)
                dnnl_stream_wait(c->stream);
            pending = 0;
            const char *err = NULL;
            struct hacl_kernel_args a = {g, &g->nodes[st->node], c->tptr, &err};
            st->run(&a);
            if (err) {
                snprintf(why, whylen, "node '%s' (%s): %s", g->nodes[st->node].name, g->nodes[st->node].op, err);
                return ACL_ERROR_FAILURE;
            }
        } else {
            dnnl_status_t ds = dnnl_primitive_execute(st->prim, c->stream, st->nargs + st->has_scratch, c->args[s]);
            if (ds != dnnl_success) {
                snprintf(why, whylen, "oneDNN failed to execute a primitive (status %d)", (int)ds);
                return ACL_ERROR_FAILURE;
            }
            pending = 1;
            if (p->profile) {
                dnnl_stream_wait(c->stream);
                pending = 0;
            }
        }
        if (p->profile) {
            atomic_fetch_add(&st->ns, now_ns() - t0);
            atomic_fetch_add(&st->runs, 1);
        }
    }
    if (pending)
        dnnl_stream_wait(c->stream);
    for (size_t i = 0; i < g->noutputs; i++) {
        int t = g->outputs[i];
        if (c->tptr[t] != outputs[i]) /* a model input or constant, or listed twice */
            memmove(outputs[i], c->tptr[t], hacl_tensor_bytes(&g->tensors[t]));
    }
    return ACL_SUCCESS;
}
