/*
 * hostacl internal: operators. Each entry infers its outputs' element types
 * and shapes at load time (static shapes only) and computes them at run time.
 *
 * These are plain C loops over float32 (with Cast for float16 edges); they
 * define the semantics and are the fallback. oneDNN primitives will replace
 * the heavy ones (Conv, Gemm, pooling) without changing this interface.
 *
 * Thread: any; kernels keep no state.
 */
#ifndef HOSTACL_MODEL_KERNELS_H
#define HOSTACL_MODEL_KERNELS_H

#include "onnx.h"

struct hacl_kernel_args {
    const struct hacl_graph *g;
    const struct hacl_node *node;
    void **bufs; /* one per graph tensor: its memory for this execution */
    /* A kernel that meets bad data at run time (an index out of range)
     * stores a message here; the execution then fails with it. */
    const char **error;
    /* what the op's prepare made for this node when the program was
     * compiled, or NULL (constant folding; nothing prepared) */
    const void *prepared;
};

struct hacl_op {
    const char *name;
    /* Sets the output tensors' types and shapes; 0, or an aclError with why. */
    aclError (*infer)(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen);
    void (*run)(const struct hacl_kernel_args *a);
    /* Optional: read-only data derived from the node's constant inputs
     * once per compiled program (a weight rearranged for the kernel),
     * owned by the program and freed with hacl_free; NULL when there is
     * nothing to prepare or memory is short (run must then do without). */
    void *(*prepare)(const struct hacl_graph *g, const struct hacl_node *n);
};

/* Attributes of a node (dflt / -1 when absent; hacl_attr_ints copies up to
 * max values and returns how many the attribute has). */
int64_t hacl_attr_int(const struct hacl_node *n, const char *name, int64_t dflt);
float hacl_attr_float(const struct hacl_node *n, const char *name, float dflt);
int hacl_attr_ints(const struct hacl_node *n, const char *name, int64_t *out, int max);

/* The window of a Conv or pooling node over 1 to 3 spatial dims, pads
 * resolved (auto_pad, ceil_mode): input n x c x in[], m output channels
 * (Conv; pooling: m = c), kernel, output extents, strides, dilations. */
struct hacl_conv_geom {
    int sp; /* spatial dims, 1 to 3; entries past sp are 1 (pads 0) */
    int64_t n, c, m, group;
    int64_t in[3], k[3], out[3], s[3], d[3];
    int64_t pb[3], pe[3]; /* padding at the beginning and end of each dim */
};
aclError hacl_conv_geometry(struct hacl_graph *g, const struct hacl_node *n, struct hacl_conv_geom *cg, char *why,
                            size_t whylen);
aclError hacl_pool_geometry(struct hacl_graph *g, const struct hacl_node *n, struct hacl_conv_geom *cg, char *why,
                            size_t whylen);

/* A float Resize oneDNN's linear resampling computes exactly (linear,
 * half_pixel or pytorch_half_pixel, batch and channels kept, scales that
 * are the sizes' ratios) (ops_resize.c). */
int hacl_resize_is_linear_half_pixel(struct hacl_graph *g, const struct hacl_node *n);
/* AveragePool counts padding (count_include_pad, or absorbed zeros). */
int hacl_pool_counts_pad(const struct hacl_node *n);
/* After shape inference: Pad nodes of spatial zeros merged into the Conv
 * or AveragePool reading them (ops_window.c). */
void hacl_graph_absorb_pads(struct hacl_graph *g);

/* Operator families, one table per file: data movement (ops_tensor.c),
 * element-wise math (ops_math.c), reductions (ops_reduce.c), generating and
 * indexing (ops_index.c), MatMul and Einsum (ops_linalg.c), normalisations
 * (ops_norm.c), convolution and pooling (ops_window.c), Resize (ops_resize.c),
 * RNN, GRU and LSTM (ops_rnn.c), losses (ops_loss.c), quantisation (ops_quant.c),
 * sampling (ops_sample.c), signal processing (ops_signal.c), the others
 * (ops_misc.c). */
extern const struct hacl_op hacl_tensor_ops[];
extern const size_t hacl_tensor_nops;
extern const struct hacl_op hacl_math_ops[];
extern const size_t hacl_math_nops;
/* Output `out` of Slice or Split node n is one contiguous run of its
 * row-major input's bytes starting at *byte_offset (1), or not (0). */
int hacl_slice_is_view(struct hacl_graph *g, const struct hacl_node *n, size_t out, size_t *byte_offset);

extern const struct hacl_op hacl_reduce_ops[];
extern const size_t hacl_reduce_nops;
extern const struct hacl_op hacl_index_ops[];
extern const size_t hacl_index_nops;
extern const struct hacl_op hacl_linalg_ops[];
extern const size_t hacl_linalg_nops;
extern const struct hacl_op hacl_norm_ops[];
extern const size_t hacl_norm_nops;
extern const struct hacl_op hacl_window_ops[];
extern const size_t hacl_window_nops;
extern const struct hacl_op hacl_resize_ops[];
extern const size_t hacl_resize_nops;
extern const struct hacl_op hacl_rnn_ops[];
extern const size_t hacl_rnn_nops;
extern const struct hacl_op hacl_loss_ops[];
extern const size_t hacl_loss_nops;
extern const struct hacl_op hacl_quant_ops[];
extern const size_t hacl_quant_nops;
extern const struct hacl_op hacl_misc_ops[];
extern const size_t hacl_misc_nops;
extern const struct hacl_op hacl_sample_ops[];
extern const size_t hacl_sample_nops;
/* AIPP, inserted by conversions (aipp.c) */
extern const struct hacl_op hacl_aipp_ops[];
extern const size_t hacl_aipp_nops;
extern const struct hacl_op hacl_signal_ops[];
extern const size_t hacl_signal_nops;

/* Numpy broadcasting of up to HACL_BCAST_MAX_IN inputs (ops_math.c). */
#define HACL_BCAST_MAX_IN 16
struct hacl_bcast {
    int r, n;
    int64_t dims[HACL_MAX_RANK];
    int64_t st[HACL_BCAST_MAX_IN][HACL_MAX_RANK]; /* element strides; 0 where broadcast */
};
/* The broadcast shape of ins: ACL_SUCCESS, or ACL_ERROR_PARSE_MODEL. */
aclError hacl_bcast_shape(const struct hacl_tensor *const *ins, int n, int *rank, int64_t *dims);
void hacl_bcast_init(struct hacl_bcast *b, const struct hacl_tensor *out, const struct hacl_tensor *const *ins, int n);
/* Calls row once per innermost row of the output: off[k] is input k's
 * element offset at the row's start, out_off the output's, len the row's
 * length and st[k] input k's stride along it (0 or 1). */
typedef void (*hacl_bcast_row_fn)(void *ctx, const int64_t *off, int64_t out_off, int64_t len, const int64_t *st);
void hacl_bcast_walk(const struct hacl_bcast *b, hacl_bcast_row_fn row, void *ctx);

/* Reads a constant int64 or int32 vector of at most max values: the count,
 * or -1 if t is not one. */
int hacl_const_ints(const struct hacl_tensor *t, int64_t *out, int max);

/* ConvTranspose with 1 to 3 spatial dims (unused ones are 1): output size
 * and the padding removed at the start of each dim (output_shape and
 * auto_pad resolved). */
struct hacl_deconv_geom {
    int sp;
    int64_t n, c, m, group;
    int64_t in[3], k[3], out[3], s[3], d[3], pb[3];
};
aclError hacl_deconv_geometry(struct hacl_graph *g, const struct hacl_node *n, struct hacl_deconv_geom *dg, char *why,
                              size_t whylen);

/* The operator named op_type, or NULL. */
const struct hacl_op *hacl_op_find(const char *op_type);
/* Nodes with more output elements than this are not folded at load. */
#define HACL_FOLD_MAX_ELEMENTS ((int64_t)1 << 26)
/* ... and convolutions, products and the like with more than this. */
#define HACL_FOLD_HEAVY_MAX_ELEMENTS ((int64_t)1 << 20)

/* Infers every node's outputs in order: 0, or an error naming the node.
 * Nodes whose inputs are all constants (and Shape, whose output depends
 * only on static shapes) are computed here, once: their outputs become
 * constants the graph owns and the node is marked folded. */
aclError hacl_infer_shapes(struct hacl_graph *g, char *why, size_t whylen);

#endif
