/*
 * hostacl: tensor data transfer (TDT) channels.
 *
 * A channel is a named, bounded first-in first-out queue of datasets on a
 * device. A sender puts a dataset in (its items' descriptions and bytes are
 * copied, so the sender's buffers are free again when the call returns); a
 * receiver takes the oldest one out into a dataset of its own, whose items
 * then belong to that dataset. Both wait, fail at once, or wait a bounded
 * time when the channel is full or empty. On hostacl the two ends live in
 * one process (any threads).
 */
#ifndef HOSTACL_ACL_ACL_TDT_H
#define HOSTACL_ACL_ACL_TDT_H

#include "acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an item carries. */
typedef enum acltdtTensorType {
    ACL_TENSOR_DATA_UNDEFINED = -1,
    ACL_TENSOR_DATA_TENSOR,          /* a tensor */
    ACL_TENSOR_DATA_END_OF_SEQUENCE, /* the end of the stream of tensors */
    ACL_TENSOR_DATA_ABNORMAL,        /* the sender failed */
    ACL_TENSOR_DATA_SLICE_TENSOR,    /* one slice of a larger tensor */
    ACL_TENSOR_DATA_END_TENSOR       /* the last slice */
} acltdtTensorType;

typedef struct acltdtDataItem acltdtDataItem;
typedef struct acltdtDataset acltdtDataset;
typedef struct acltdtChannelHandle acltdtChannelHandle;

/* ---- items: one tensor's type, shape, element type and bytes ---- */
ACL_FUNC_VISIBILITY acltdtTensorType acltdtGetTensorTypeFromItem(const acltdtDataItem *dataItem);
ACL_FUNC_VISIBILITY aclDataType acltdtGetDataTypeFromItem(const acltdtDataItem *dataItem);
ACL_FUNC_VISIBILITY void *acltdtGetDataAddrFromItem(const acltdtDataItem *dataItem);
ACL_FUNC_VISIBILITY size_t acltdtGetDataSizeFromItem(const acltdtDataItem *dataItem);
ACL_FUNC_VISIBILITY size_t acltdtGetDimNumFromItem(const acltdtDataItem *dataItem);
/* Slicing of a sliced tensor (0 and 0 for a whole one). */
ACL_FUNC_VISIBILITY aclError acltdtGetSliceInfoFromItem(const acltdtDataItem *dataItem, size_t *sliceNum,
                                                        size_t *sliceId);
/* Copies the dims out; dimNum must be at least the item's. */
ACL_FUNC_VISIBILITY aclError acltdtGetDimsFromItem(const acltdtDataItem *dataItem, int64_t *dims, size_t dimNum);
/* An item over the caller's data (not copied until it is sent); NULL on
 * failure. */
ACL_FUNC_VISIBILITY acltdtDataItem *acltdtCreateDataItem(acltdtTensorType tdtType, const int64_t *dims,
                                                         size_t dimNum, aclDataType dataType, void *data,
                                                         size_t size);
ACL_FUNC_VISIBILITY aclError acltdtDestroyDataItem(acltdtDataItem *dataItem);

/* ---- datasets: an ordered list of items ---- */
ACL_FUNC_VISIBILITY acltdtDataset *acltdtCreateDataset(void);
/* Destroys the dataset and the items a receive put in it; items the
 * application added stay the application's. */
ACL_FUNC_VISIBILITY aclError acltdtDestroyDataset(acltdtDataset *dataset);
ACL_FUNC_VISIBILITY acltdtDataItem *acltdtGetDataItem(const acltdtDataset *dataset, size_t index);
ACL_FUNC_VISIBILITY aclError acltdtAddDataItem(acltdtDataset *dataset, acltdtDataItem *dataItem);
ACL_FUNC_VISIBILITY size_t acltdtGetDatasetSize(const acltdtDataset *dataset);
/* The channel a received dataset came from; "" otherwise. */
ACL_FUNC_VISIBILITY const char *acltdtGetDatasetName(const acltdtDataset *dataset);

/* ---- channels ---- */
/* Wakes every thread waiting in a send or receive on the channel; later
 * sends and receives fail until it is destroyed. */
ACL_FUNC_VISIBILITY aclError acltdtStopChannel(acltdtChannelHandle *handle);
/* A channel of the default capacity; NULL on failure. */
ACL_FUNC_VISIBILITY acltdtChannelHandle *acltdtCreateChannel(uint32_t deviceId, const char *name);
/* A channel holding at most capacity datasets (2..8192). */
ACL_FUNC_VISIBILITY acltdtChannelHandle *acltdtCreateChannelWithCapacity(uint32_t deviceId, const char *name,
                                                                         size_t capacity);
ACL_FUNC_VISIBILITY aclError acltdtDestroyChannel(acltdtChannelHandle *handle);
/* Drops every dataset waiting in the channel. */
ACL_FUNC_VISIBILITY aclError acltdtCleanChannel(acltdtChannelHandle *handle);
/* timeout in milliseconds: -1 waits while the channel is full, 0 fails at
 * once (ACL_ERROR_RT_QUEUE_FULL), more waits that long at most. */
ACL_FUNC_VISIBILITY aclError acltdtSendTensor(const acltdtChannelHandle *handle, const acltdtDataset *dataset,
                                              int32_t timeout);
/* Likewise while it is empty (ACL_ERROR_RT_QUEUE_EMPTY). */
ACL_FUNC_VISIBILITY aclError acltdtReceiveTensor(const acltdtChannelHandle *handle, acltdtDataset *dataset,
                                                 int32_t timeout);
/* The number of datasets waiting in the channel. */
ACL_FUNC_VISIBILITY aclError acltdtQueryChannelSize(const acltdtChannelHandle *handle, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* HOSTACL_ACL_ACL_TDT_H */
