/*
 * hostacl internal: running a validated, shape-inferred graph once.
 *
 * Each run has its own temporaries, so one model may run on several threads
 * (streams) at once. Outputs produced by a node are written straight into
 * the caller's buffers.
 *
 * Thread: any.
 */
#ifndef HOSTACL_MODEL_EXEC_H
#define HOSTACL_MODEL_EXEC_H

#include "onnx.h"

/* Bytes of a tensor with a static shape. */
size_t hacl_tensor_bytes(const struct hacl_tensor *t);

/* Assigns every intermediate tensor an offset in one work buffer, reusing
 * space between tensors whose lifetimes do not overlap; sets work_bytes.
 * 0, or ACL_ERROR_BAD_ALLOC. */
aclError hacl_plan_memory(struct hacl_graph *g);

/* inputs[i] / outputs[i]: memory of model input / output i, of at least
 * hacl_tensor_bytes of that tensor, aligned to its element size. work: at
 * least g->work_bytes, 64-byte aligned, or NULL to allocate one. */
aclError hacl_graph_run(const struct hacl_graph *g, void *const *inputs, void *const *outputs, void *work,
                        char *why, size_t whylen);

#endif
