/*
 * hostacl internal: a graph compiled for execution.
 *
 * A program is the list of steps that computes a graph: oneDNN primitives
 * for the heavy operators (Conv with BatchNormalization folded into its
 * weights and a residual Add and an activation fused as post-ops, pooling,
 * Gemm as an inner product) and the reference C kernels of kernels.c for
 * everything else. Tensors between oneDNN steps keep the blocked layouts the
 * primitives choose; a reorder step converts where a consumer needs another
 * layout (the C kernels read and write plain row-major tensors, and so do
 * the model's inputs and outputs).
 *
 * Every intermediate buffer, and every primitive's scratchpad, has a fixed
 * offset in one work buffer (liveness-based plan), and every weight (the
 * reordered, folded ones and the constants the C kernels read) has a fixed
 * offset in one weight buffer: work_bytes and weight_bytes are exactly what
 * an execution context and the loaded model use.
 *
 * With reference = 1 every node runs its C kernel (the executor tests
 * compare against). With HOSTACL_PROFILE=1 in the environment at load, each
 * step's time is summed and a table (slowest first) goes to stderr when the
 * program is freed (at unload).
 *
 * Thread: a program is immutable once its weights are placed; any number
 * of contexts may run it at once, each context by one thread at a time.
 */
#ifndef HOSTACL_MODEL_PROG_H
#define HOSTACL_MODEL_PROG_H

#include "onnx.h"

struct hacl_prog;
struct hacl_exec_ctx;

/* Compiles g (shape-inferred); g must outlive the program. precision: an
 * enum hacl_precision (runtime/config.h); with HACL_PREC_ALLOW_BF16,
 * convolutions, pooling, inner products and products by constant weights
 * compute in bfloat16 with float32
 * accumulation and keep their activations in bfloat16 between them, when
 * the CPU has native bfloat16 instructions (else float32, with a warning in
 * the log). */
aclError hacl_prog_build(const struct hacl_graph *g, int reference, int precision, struct hacl_prog **out,
                         char *why, size_t whylen);
size_t hacl_prog_work_bytes(const struct hacl_prog *p);
size_t hacl_prog_weight_bytes(const struct hacl_prog *p);
/* Prepares the weights (converted to their operators' layouts) straight
 * into `weights` (64-byte aligned, weight_bytes long; the caller keeps it
 * alive) or, if NULL, into memory the program owns. Once; the decoded
 * initializers must still be there. */
aclError hacl_prog_place_weights(struct hacl_prog *p, void *weights);
/* After hacl_graph_release_weights: points every constant the program
 * reads at its copy in the weight memory. */
void hacl_prog_bind_constants(struct hacl_prog *p);
void hacl_prog_free(struct hacl_prog *p);
/* Programs of one model's gears: every placed weight buffer of p whose
 * bytes equal one of the other programs' (the same layout was chosen for
 * that operator) is read from theirs, and p's own weight memory shrinks to
 * the rest. The others must outlive p; constants are bound after. */
aclError hacl_prog_dedupe_weights(struct hacl_prog *p, struct hacl_prog *const *others, size_t n);

/* An execution context: work memory (the caller's, work_bytes long and
 * 64-byte aligned, or its own when work is NULL) and bound primitives. */
aclError hacl_exec_ctx_create(const struct hacl_prog *p, void *work, struct hacl_exec_ctx **out);
void hacl_exec_ctx_free(struct hacl_exec_ctx *c);

/* Tests: every primitive made after compile (prog_create.c) whose
 * implementation is named impl ("*": every one) fails to be made, as when
 * oneDNN cannot generate its code; NULL: none. */
void hacl_prog_fail_making(const char *impl);

/* One step of a program, as profiles and tests see it. */
struct hacl_prog_step {
    const char *node; /* the node it computes ("" when unnamed or a reorder) */
    const char *kind; /* "reorder", "conv", ... or the node's op */
    const char *impl; /* oneDNN's implementation name, or "C kernel" */
};
/* Describes up to max steps in execution order; returns how many there are. */
size_t hacl_prog_steps(const struct hacl_prog *p, struct hacl_prog_step *out, size_t max);

/* One step's times, for profiling subscriptions: the node's name and op
 * type ("TransData" for a layout change), monotonic nanoseconds. */
struct hacl_op_time {
    const char *name, *type;
    uint64_t start_ns, end_ns;
};
/* The next hacl_prog_run on this thread writes each step's times into
 * log (hacl_prog_nsteps entries), then forgets it. */
void hacl_prog_log_next_run(struct hacl_op_time *log);
size_t hacl_prog_nsteps(const struct hacl_prog *p);

/* Runs once: inputs[i] / outputs[i] as for hacl_graph_run. */
aclError hacl_prog_run(struct hacl_prog *p, struct hacl_exec_ctx *c, void *const *inputs, void *const *outputs,
                       char *why, size_t whylen);

#endif
