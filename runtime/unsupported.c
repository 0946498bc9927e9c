/*
 * Entry points whose issue has not landed yet.
 *
 * Each returns ACL_ERROR_FEATURE_UNSUPPORTED (or NULL / 0 / an UNDEFINED enum
 * where the function returns no aclError) and records a message naming the
 * function, so an application learns exactly what is missing. README.md lists
 * these; the list shrinks as issues land.
 */
#include "runtime.h"

aclError hacl_unsupported(const char *api)
{
    return hacl_err(ACL_ERROR_FEATURE_UNSUPPORTED, api, "not implemented by hostacl yet");
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDynamicBatch(const aclmdlDesc *modelDesc, aclmdlBatch *batch)
{
    (void)modelDesc;
    (void)batch;
    return hacl_unsupported(__func__);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDynamicHW(const aclmdlDesc *modelDesc, size_t index, aclmdlHW *hw)
{
    (void)modelDesc;
    (void)index;
    (void)hw;
    return hacl_unsupported(__func__);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDynamicBatchSize(uint32_t modelId, aclmdlDataset *dataset, size_t index, uint64_t batchSize)
{
    (void)modelId;
    (void)dataset;
    (void)index;
    (void)batchSize;
    return hacl_unsupported(__func__);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDynamicHWSize(uint32_t modelId, aclmdlDataset *dataset, size_t index, uint64_t height, uint64_t width)
{
    (void)modelId;
    (void)dataset;
    (void)index;
    (void)height;
    (void)width;
    return hacl_unsupported(__func__);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetInputDynamicDims(uint32_t modelId, aclmdlDataset *dataset, size_t index, const aclmdlIODims *dims)
{
    (void)modelId;
    (void)dataset;
    (void)index;
    (void)dims;
    return hacl_unsupported(__func__);
}

