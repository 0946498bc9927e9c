/*
 * hostacl internal: what the program compiler's files share (prog.c: buffers,
 * steps, layouts and the program; prog_lower.c: operators lowered to oneDNN
 * primitives with their fusions; prog_exec.c: execution contexts, runs and
 * the profile). Not for use outside model/prog*.c.
 *
 * Thread: compile-time helpers run on the loading thread only.
 */
#ifndef HOSTACL_MODEL_PROG_IMPL_H
#define HOSTACL_MODEL_PROG_IMPL_H

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "device/width.h"

#include "kernels.h"
#include "prog.h"

enum { F32 = 1 };
enum buf_kind { B_WORK, B_WEIGHT, B_INPUT, B_OUTPUT };
#define MAX_ARGS 72 /* a Concat of 64 inputs, its output and a scratchpad */
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
    int wino; /* B_WEIGHT: init is oihw float32 for our Winograd transform */
    /* B_WORK: this buffer is a view of buffer alias_of (another tensor's
     * bytes read under this tensor's shape: Reshape, Flatten...), or -1;
     * aliased: some view shares this buffer's bytes (never written in
     * place) */
    int alias_of, aliased;
    size_t alias_off; /* a view's byte offset in the buffer it views */
    /* B_WEIGHT: the same bytes in another gear's weight memory, used
     * instead of our own copy (hacl_prog_dedupe_weights), or NULL */
    const void *shared;
    int chain; /* a Concat chain's buffer (concat_chain) */
};

struct pstep {
    int node;       /* a C kernel for this node, or -1: the primitive */
    void (*run)(const struct hacl_kernel_args *a); /* the node's C kernel */
    void *prepared; /* its op's prepare's data, or NULL */
    int what;       /* the node the step computes (for profiles) */
    int empty;      /* a C kernel whose outputs all have no elements */
    const char *kind; /* "reorder", "conv", ... or the node's op */
    char impl[32];  /* oneDNN's implementation name */
    _Atomic unsigned long long ns, runs; /* with HOSTACL_PROFILE=1 */
    const char *trace_name; /* interned for the timeline in recording trace_gen */
    unsigned trace_gen;
    dnnl_primitive_t prim;
    int nargs;
    int argk[MAX_ARGS], argb[MAX_ARGS];
    int has_scratch;
    dnnl_memory_desc_t scratch_md;
    /* The one-thread twin (prog_width.c): the descriptor kept to make it,
     * and the twin once made (NULL: the primitive itself serves, its
     * threads following the executing thread's team). */
    dnnl_primitive_desc_t keep_pd;
    /* Made later (prog_create.c): the descriptor of prim, ours unless it
     * is keep_pd too */
    dnnl_primitive_desc_t pending;
    dnnl_primitive_t one;
    int one_has_scratch;
    dnnl_memory_desc_t one_scratch_md;
    /* weights in the layout the twin chose, when not the original's
     * (ours), or NULL */
    void *one_weights;
    dnnl_memory_desc_t one_weights_md;
    /* A Winograd convolution oneDNN will not remake on one thread: a
     * direct convolution made on one thread at compile time, and its
     * weights' buffer + 1 (0: none); its twin reads those weights, which
     * are the program's, not the twin's own. */
    dnnl_primitive_desc_t alt_pd;
    int alt_wb1;
    /* Our own in-place pass (prog_pass.c) over buffer pass_buf's pass_n
     * elements of pass_esize bytes, instead of a primitive; NULL: none. */
    void (*pass)(void *x, size_t n);
    int pass_buf;
    size_t pass_n, pass_esize;
};

struct hacl_prog {
    const struct hacl_graph *g;
    int reference;
    int create_later; /* primitives made after compile (prog_create.c) */
    struct pbuf *bufs;
    size_t nbufs, capbufs;
    struct pstep *steps;
    size_t nsteps, capsteps;
    int *native;  /* per tensor: the buffer its producer writes, -1 */
    int *plainb;  /* per tensor: a buffer holding it row-major, -1 */
    int *ncons;   /* per tensor: how many node inputs read it */
    int *reader;  /* per tensor: a node reading it (the one, when ncons is 1) */
    int *cons_off, *cons; /* per tensor t: its readers are cons[cons_off[t] .. cons_off[t + 1]) */
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
    int channel_concats; /* the graph concatenates 4-D tensors along channels */
    int amx;             /* the CPU multiplies bfloat16 matrices in tiles (AMX) */
    int cur_node; /* the node being compiled */
    /* Runs on the full team or on one thread (prog_width.c): the policy,
     * under width_lock; twins: TWINS_NONE, _MAKING (on twin_thread, which
     * stops early when twin_stop is set) or _MADE. */
    int width_on;
    pthread_mutex_t width_lock;
    struct hacl_width_policy width;
    _Atomic int twins;
    _Atomic int twin_stop;
    int twin_thread_on;
    int twin_urgent; /* the machine was busy when they were asked for */
    pthread_t twin_thread;
    unsigned waits; /* the last four runs: whether the thread waited for a CPU */
    unsigned long long twin_ns; /* making them took */
    char *why;
    size_t whylen;
};

/* Where weight buffer pb's bytes are. */
static inline void *hacl_pg_weight_ptr(const struct hacl_prog *p, const struct pbuf *pb)
{
    return pb->shared ? (void *)pb->shared : (char *)p->weights + pb->offset;
}

struct hacl_exec_ctx {
    void *work;
    int own_work;
    dnnl_stream_t stream;
    dnnl_memory_t *mem;     /* per buffer used by a primitive */
    dnnl_memory_t *scratch; /* per step */
    dnnl_exec_arg_t **args; /* per step */
    void **tptr;            /* per tensor: row-major data for the C kernels */
    /* per step: its twin's arguments and the memory objects only they use
     * (scratchpad, weights), made on the context's first one-thread run */
    dnnl_exec_arg_t **one_args;
    dnnl_memory_t *one_mem;
    size_t nsteps;
};

/* An activation after a fused op, as a oneDNN eltwise post-op: one node,
 * or two (SiLU exported as x * Sigmoid(x), HardSwish as x *
 * HardSigmoid(x): node2 is the Mul). out: the tensor the result is. */
struct act {
    int node, node2, out;
    dnnl_alg_kind_t alg;
    float alpha, beta;
    int clip01;       /* then clipped to [0, 1] (HardSigmoid: linear, then clip) */
    int more[3], nmore; /* further nodes of the pattern (GELU's Erf, Add, Mul) */
};

/* A tensor oneDNN may be given: fewer than 2^31 elements (some kernels
 * index in 32 bits, and some precompute a table per coordinate: a fuzzed
 * Resize to 134 million columns crashed inside oneDNN while the model was
 * only being sized). Larger tensors run on the C kernels. */
static inline int hacl_pg_dnnl_size_ok(const struct hacl_tensor *t)
{
    int64_t e = hacl_tensor_elements(t);
    return e >= 0 && e < ((int64_t)1 << 31);
}

/* A Concat's axis, counted from the front. */
static inline int64_t hacl_pg_concat_axis(const struct hacl_node *n, int rank)
{
    int64_t a = hacl_attr_int(n, "axis", 0);
    return a < 0 ? a + rank : a;
}

/* ---- prog.c: the engine, buffers, steps and layouts ---- */

dnnl_engine_t hacl_pg_get_engine(void);
size_t hacl_pg_align_up(size_t v);
/* Records the first error (code and message); returns -1. */
int hacl_pg_fail(struct hacl_prog *p, aclError *rc, aclError code, const char *msg);
int hacl_pg_plain_md(const struct hacl_tensor *t, dnnl_memory_desc_t *md);
/* The row-major format tag of a rank (0 to 6; undef beyond). */
dnnl_format_tag_t hacl_pg_plain_tag(int rank);
/* oneDNN picked its reference implementation (ref:any, ...) for pd. */
int hacl_pg_is_reference(const_dnnl_primitive_desc_t pd);
/* The primitive descriptor of an operation desc (post-ops po, may be NULL;
 * user scratchpad), or NULL when oneDNN has none or only its reference
 * implementation (the caller then runs the node's C kernel). */
dnnl_primitive_desc_t hacl_pg_fast_pd(const_dnnl_op_desc_t desc, const_dnnl_post_ops_t po);
int hacl_pg_add_buf(struct hacl_prog *p, int tensor, int kind, int io, aclError *rc);
int hacl_pg_add_step(struct hacl_prog *p, int node, aclError *rc);
void hacl_pg_touch(struct hacl_prog *p, int b, int step);
/* Binds buffer b to a primitive step's argument `kind`. */
void hacl_pg_arg(struct hacl_prog *p, int step, int kind, int b);
/* The buffer a node's output t is written to (md NULL: row-major). */
int hacl_pg_out_buf(struct hacl_prog *p, int t, const dnnl_memory_desc_t *md, aclError *rc);
dnnl_memory_desc_t hacl_pg_pd_md(const_dnnl_primitive_desc_t pd, dnnl_query_t what);
dnnl_primitive_attr_t hacl_pg_new_attr(void);
/* A reorder from one layout to another (user scratchpad). */
dnnl_status_t hacl_pg_reorder_pd(dnnl_primitive_desc_t *pd, const dnnl_memory_desc_t *from,
                                 const dnnl_memory_desc_t *to);
/* Turns pd into the primitive of step s (pd is destroyed). */
int hacl_pg_finish_primitive(struct hacl_prog *p, int s, dnnl_primitive_desc_t pd, aclError *rc);
int hacl_pg_copy_into(struct hacl_prog *p, int from, int to, const char *kind, aclError *rc);
int hacl_pg_reorder_to(struct hacl_prog *p, int t, int from, const dnnl_memory_desc_t *md, aclError *rc);
/* A buffer seeing the bytes of work buffer `base` (tensor t's) through
 * layout md (another shape of the same bytes). */
int hacl_pg_view(struct hacl_prog *p, int t, int base, const dnnl_memory_desc_t *md, aclError *rc);
/* Node `node` has been compiled: its inputs have one reader fewer left. */
void hacl_pg_consumed(struct hacl_prog *p, int node);
int hacl_pg_const_buf(struct hacl_prog *p, int t, aclError *rc);
/* Tensor t in row-major layout, converting if its producer wrote another. */
int hacl_pg_get_plain(struct hacl_prog *p, int t, aclError *rc);
/* Tensor t (float32) in layout md: the buffer holding it so, or a reorder. */
int hacl_pg_get_layout(struct hacl_prog *p, int t, const dnnl_memory_desc_t *md, aclError *rc);
/* A node on its C kernel. */
int hacl_pg_ref_step(struct hacl_prog *p, int node, aclError *rc);
/* The node reading t when it is t's only reader, t is no model output and
 * the node is op and not yet absorbed; else -1. */
int hacl_pg_sole_reader(struct hacl_prog *p, int t, const char *op);
int hacl_pg_is_const_f32(const struct hacl_graph *g, const struct hacl_node *n, size_t i);
int hacl_pg_same_shape(const struct hacl_tensor *a, const struct hacl_tensor *b);
/* An activation reading t alone that oneDNN can apply as a post-op (a
 * node, or a SiLU / HardSwish pair of nodes). */
int hacl_pg_find_act(struct hacl_prog *p, int t, struct act *a);
/* Marks every node of a as compiled into the step that fused it. */
void hacl_pg_absorb_act(struct hacl_prog *p, const struct act *a);
/* Appends a's post-ops (one, or two for HardSigmoid). */
void hacl_pg_append_act(dnnl_post_ops_t po, const struct act *a);
/* Node `node` itself as a oneDNN eltwise algorithm, when it is one. */
int hacl_pg_act_of(struct hacl_prog *p, int node, struct act *a);
void hacl_pg_drop_source(struct hacl_prog *p, int t);
int hacl_pg_weight_buf(struct hacl_prog *p, const dnnl_memory_desc_t *md, const void *init, void *owned, aclError *rc);
int hacl_pg_owned_weight(struct hacl_prog *p, const dnnl_memory_desc_t *md, void *bytes, aclError *rc);
/* Converts src (layout from) into dst (layout to) now, on this thread. */
aclError hacl_pg_convert(const dnnl_memory_desc_t *from, const void *src, const dnnl_memory_desc_t *to, void *dst);
int hacl_pg_prepared_weight(struct hacl_prog *p, const dnnl_memory_desc_t *from, const void *data, void *owned,
                            const dnnl_memory_desc_t *to, aclError *rc);

/* ---- prog_create.c: primitives made on two threads ---- */

/* At compile time: primitives are made once every step is chosen
 * (hacl_pg_create_pending), on the loading thread and a helper, and
 * hacl_pg_creatable passes its pd through untried. Ends with the build. */
void hacl_pg_create_begin(struct hacl_prog *p);
void hacl_pg_create_end(struct hacl_prog *p);
/* 1 while the current thread compiles with primitives made later. */
int hacl_pg_creating_later(void);
/* pd when oneDNN can make its primitive (it generates the code then; a
 * 1-D bfloat16 convolution with a fused GELU failed there), else the next
 * of desc's implementations that it can make and that is not the
 * reference one, else NULL; while primitives are made later, pd itself,
 * untried. pd is the caller's no longer. */
dnnl_primitive_desc_t hacl_pg_creatable(dnnl_primitive_desc_t pd, const_dnnl_op_desc_t desc,
                                        const_dnnl_primitive_attr_t attr);
/* The same, tried at once even while primitives are made later: for
 * operations oneDNN is known to fail to make. */
dnnl_primitive_desc_t hacl_pg_creatable_now(dnnl_primitive_desc_t pd, const_dnnl_op_desc_t desc,
                                            const_dnnl_primitive_attr_t attr);
/* Makes every step's pending primitive (a failure fails the build). */
aclError hacl_pg_create_pending(struct hacl_prog *p);

/* ---- prog_width.c: one-thread twins and the width of each run ---- */

/* At compile time: whether runs may be narrowed (the team has more than
 * one thread and HOSTACL_ADAPTIVE_THREADS allows it). */
void hacl_pg_width_setup(struct hacl_prog *p);
/* At compile time, for pd about to become step `s` reading weights `w`
 * (plain layout w_plain), if it is a Winograd convolution:
 * when oneDNN will not remake it on one thread (its 2x3 kernel), a direct
 * convolution made now on one thread, with its own copy of the weights,
 * serves as the step's twin. 0, or -1 on error (rc set). */
int hacl_pg_width_alt(struct hacl_prog *p, int s, const_dnnl_primitive_desc_t pd, const dnnl_memory_desc_t *w_plain,
                      const float *w, aclError *rc);
/* Keeps pd (the caller's no longer) when step s may need a twin; 1 if kept. */
int hacl_pg_width_keep(struct hacl_prog *p, int s, dnnl_primitive_desc_t pd);
/* Before a run in context c: the run's width (HACL_WIDTH_*), with the
 * calling thread set to compute alone for a one-thread run. */
int hacl_pg_width_begin(struct hacl_prog *p, struct hacl_exec_ctx *c);
/* After it: the run took ns, of which the thread waited for a CPU
 * `waited` (hacl_width_thread_waited); the thread's team is restored. */
void hacl_pg_width_end(struct hacl_prog *p, int width, unsigned long long ns, unsigned long long waited);
void hacl_pg_width_free(struct hacl_prog *p);
void hacl_pg_width_ctx_free(struct hacl_exec_ctx *c);
/* Steps with a twin; runs on one thread and in all, for profiles. */
size_t hacl_pg_width_twins(const struct hacl_prog *p, unsigned long long *one_runs, unsigned long long *runs);

/* ---- prog_lower.c (products: prog_matmul.c): one node (and what fuses
 * into it) as a primitive.
 * Each returns 1 when done, 0 when the node is not for oneDNN (it then
 * runs its C kernel), -1 on error. ---- */

int hacl_pg_conv_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_deconv_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_pool_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_gemm_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_matmul_step(struct hacl_prog *p, int node, aclError *rc);
/* Tensor t's row-major layout in bfloat16, its own shape (prog_matmul.c). */
dnnl_memory_desc_t hacl_pg_plain_bf16(const struct hacl_tensor *t);
/* prog_eltwise.c */
int hacl_pg_binary_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_eltwise_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_concat_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_bn_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_resize_step(struct hacl_prog *p, int node, aclError *rc);
/* The buffer holding tensor t as oneDNN produced it (blocked or plain),
 * or its row-major buffer; -1 when it has neither yet (an error). */
int hacl_pg_native_buf(struct hacl_prog *p, int t, aclError *rc);
/* prog_scale.c: Mul(map a, computed factors b of shape [1, C, 1, 1]) as
 * one reorder with runtime per-channel scales: 1 done, 0 not, -1 error */
int hacl_pg_scale_step(struct hacl_prog *p, int node, int a, int b, aclError *rc);
/* The model's precision: p->bf16, p->amx, p->channel_concats
 * (prog_conv_choice.c). */
void hacl_pg_precision_setup(struct hacl_prog *p, int precision);
/* Squeeze-and-excitation products folded into the next convolution's
 * weights at run time (prog_scale.c). */
void hacl_pg_defer_se_products(struct hacl_prog *p);
int hacl_pg_se_source(const struct hacl_prog *p, int conv, int *factors);
int hacl_pg_se_weights(struct hacl_prog *p, int b, const dnnl_memory_desc_t *w_plain, const float *w, void *owned,
                       const dnnl_memory_desc_t *wmd, aclError *rc);
/* prog_norm.c */
int hacl_pg_layernorm_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_softmax_step(struct hacl_prog *p, int node, aclError *rc);

/* ---- prog_exec.c ---- */

/* The per-step profile table, slowest first, on stderr. */
void hacl_pg_print_profile(const struct hacl_prog *p);

/* ---- prog_pass.c: our own in-place passes over a primitive's output ---- */
/* Whether activation a of an output of `elements` elements (bfloat16 when
 * bf16) runs as our own pass after the primitive (which then leaves it
 * out) on this CPU. */
int hacl_pg_pass_for(const struct act *a, int64_t elements, int bf16);
/* Appends the pass of activation a over buffer b; the step, or -1. */
int hacl_pg_pass_step(struct hacl_prog *p, int b, const struct act *a, aclError *rc);
/* Runs step st's pass over ptr (its buffer's bytes), on the team. */
void hacl_pg_run_pass(const struct pstep *st, void *ptr);

/* ---- prog_shuffle.c ---- */
/* Concat node `node` when it starts a channel shuffle (Concat, Reshape,
 * Transpose, Reshape): the two halves interleaved into the shuffle's
 * output; 1, 0 (not one), or -1 with *rc. */
int hacl_pg_shuffle_step(struct hacl_prog *p, int node, aclError *rc);
int hacl_pg_transpose_step(struct hacl_prog *p, int node, aclError *rc);

/* ---- how a convolution's implementation and layouts are chosen
 * (prog_conv_choice.c) ---- */
/* The tile size of a Winograd primitive's transformed weights (4: F(2x2,
 * 3x3), 6: F(4x4, 3x3)), or 0 when its weights are not Winograd's. */
int hacl_pg_wino_alpha(const_dnnl_primitive_desc_t pd);
/* The Winograd convolution of descriptor cd with no post-op but sum (when
 * sum), except F(4x4, 3x3) on maps under 196 pixels: *pd and 1, or 0. */
int hacl_pg_wino_without_act(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd, int sum, int64_t pixels);
/* F(2x2, 3x3) pd replaced by an F(4x4, 3x3) implementation of cd (with
 * attributes a): 1, or 0 where there is none or pd is no F(2x2). */
int hacl_pg_wino_prefer_f4(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd, const_dnnl_primitive_attr_t a);
/* Whether pd's implementation name contains what. */
int hacl_pg_impl_says(const_dnnl_primitive_desc_t pd, const char *what);
/* Re-makes convolution cd0 in float32, replacing *pd when a kernel other
 * than the reference one serves it (out_fixed: keep cd0's output). */
void hacl_pg_conv_in_f32(dnnl_primitive_desc_t *pd, const dnnl_convolution_desc_t *cd0, const_dnnl_primitive_attr_t a,
                         int out_fixed);
/* The 16-channel blocked layout's tag for md's dims when md has that
 * layout, else 0. */
dnnl_format_tag_t hacl_pg_blocked16(const dnnl_memory_desc_t *md);
/* A convolution whose input t comes blocked takes that layout (and its
 * output the same) where a non-reference kernel serves it. */
void hacl_pg_follow_input_layout(struct hacl_prog *p, int t, dnnl_primitive_desc_t *pd,
                                 const dnnl_convolution_desc_t *cd0, const_dnnl_primitive_attr_t a, int out_fixed);

#endif
