/*
 * hostacl extension: a preallocated pool of model input/output datasets.
 *
 * AscendCL has no such API; the ResNet-50 asynchronous sample writes one by
 * hand. A pool holds N (input, output) dataset pairs for one loaded model,
 * with device buffers sized from the model description and allocated once
 * at creation. Acquiring and releasing a pair never allocates, is
 * thread-safe, and may happen on different threads: acquire on the
 * submitting thread, release from a callback on a report thread.
 *
 * Names carry the hacl prefix: they are hostacl's own.
 */
#ifndef HOSTACL_ACL_HACL_MEMPOOL_H
#define HOSTACL_ACL_HACL_MEMPOOL_H

#include <stdint.h>

#include "acl/acl.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct haclMempool haclMempool;

/* One pair of the pool. The datasets and their buffers stay valid, and
 * belong to the holder, from acquire until release. */
typedef struct haclMempoolPair {
    aclmdlDataset *input;
    aclmdlDataset *output;
    uint32_t index; /* 0 .. count-1, stable for the pool's lifetime */
} haclMempoolPair;

/* Creates `count` pairs for the loaded model `modelId` (device memory of the
 * current context's device). */
ACL_FUNC_VISIBILITY aclError haclMempoolCreate(uint32_t modelId, uint32_t count, haclMempool **pool);

/* Takes a free pair: timeoutMs -1 waits forever, 0 only tries, > 0 waits that
 * many milliseconds; ACL_ERROR_RT_QUEUE_EMPTY (207013) when none came free. */
ACL_FUNC_VISIBILITY aclError haclMempoolAcquire(haclMempool *pool, int32_t timeoutMs, haclMempoolPair **pair);

/* Returns a pair taken from this pool (a pair released twice, or of another
 * pool, is refused). */
ACL_FUNC_VISIBILITY aclError haclMempoolRelease(haclMempool *pool, haclMempoolPair *pair);

/* Pairs in the pool and how many are free now. */
ACL_FUNC_VISIBILITY aclError haclMempoolGetInfo(haclMempool *pool, uint32_t *count, uint32_t *available);

/* Waits up to timeoutMs (-1 forever, 0 not at all) for every pair to be
 * back, then frees everything. If pairs are still out when the time is up,
 * the pool is left intact and ACL_ERROR_RELATIVE_RESOURCE_NOT_CLEARED
 * (148051) is returned, so a late release never touches freed memory. */
ACL_FUNC_VISIBILITY aclError haclMempoolDestroy(haclMempool *pool, int32_t timeoutMs);

#ifdef __cplusplus
}
#endif

#endif
