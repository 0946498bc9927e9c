/*
 * hostacl internal: the memory plan. Intermediate buffers of a program get
 * fixed offsets in one work buffer; buffers alive at the same time never
 * overlap, others share space (greedy first fit, largest first).
 *
 * Thread: any (no shared state).
 */
#ifndef HOSTACL_MODEL_PLAN_H
#define HOSTACL_MODEL_PLAN_H

#include "onnx.h"

/* Bytes of a tensor with a static shape. */
size_t hacl_tensor_bytes(const struct hacl_tensor *t);

/* A block of memory alive from step `first` to step `last` (inclusive). */
struct hacl_live {
    int first, last;
    size_t bytes;
    size_t offset; /* set by hacl_plan_intervals */
    int id;        /* the caller's */
};
/* Places the blocks in one buffer, 64-byte aligned, blocks alive at the same
 * time never overlapping; *peak gets the buffer's size. 0 or BAD_ALLOC. */
aclError hacl_plan_intervals(struct hacl_live *iv, size_t n, size_t *peak);

#endif
