/*
 * Datasets: ordered lists of data buffers (one per model input or output)
 * with optional tensor descriptions. A dataset refers to its buffers and
 * descriptions but does not own them.
 */
#include "device/alloc.h"
#include "model.h"
#include "runtime/error.h"

static void dataset_release(struct hacl_obj *o)
{
    aclmdlDataset *ds = (aclmdlDataset *)o;
    hacl_free(ds->buffers);
    hacl_free(ds->descs);
    hacl_free(ds);
}

aclmdlDataset *hacl_dataset_get(const void *h)
{
    return (aclmdlDataset *)hacl_handle_get(h, HACL_KIND_DATASET);
}

static aclmdlDataset *dataset_get(const char *api, const void *h)
{
    aclmdlDataset *ds = hacl_dataset_get(h);
    if (!ds)
        hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api, "%p is not a live dataset", h);
    return ds;
}

ACL_FUNC_VISIBILITY aclmdlDataset *aclmdlCreateDataset(void)
{
    aclmdlDataset *ds = hacl_calloc(1, sizeof *ds);
    if (!ds) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a dataset");
        return NULL;
    }
    hacl_obj_init(&ds->hdr, HACL_KIND_DATASET, dataset_release);
    if (hacl_handle_register(&ds->hdr) != ACL_SUCCESS) {
        hacl_free(ds);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a dataset");
        return NULL;
    }
    return ds;
}

ACL_FUNC_VISIBILITY aclError aclmdlDestroyDataset(const aclmdlDataset *dataset)
{
    if (!dataset)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataset must not be NULL");
    aclmdlDataset *ds = dataset_get(__func__, dataset);
    if (!ds)
        return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    if (hacl_handle_unregister(&ds->hdr))
        hacl_obj_put(&ds->hdr);
    hacl_obj_put(&ds->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlAddDatasetBuffer(aclmdlDataset *dataset, aclDataBuffer *dataBuffer)
{
    if (!dataset || !dataBuffer)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataset and dataBuffer must not be NULL");
    aclmdlDataset *ds = dataset_get(__func__, dataset);
    if (!ds)
        return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    aclError rc = ACL_SUCCESS;
    aclDataBuffer *b = hacl_databuf_get(dataBuffer);
    if (!b) {
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live data buffer", (void *)dataBuffer);
        goto out;
    }
    hacl_obj_put(&b->hdr);
    if (ds->count == ds->cap) {
        size_t ncap = ds->cap ? ds->cap * 2 : 8;
        aclDataBuffer **nb = hacl_realloc(ds->buffers, ncap * sizeof *nb);
        if (!nb) {
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory growing a dataset");
            goto out;
        }
        ds->buffers = nb;
        aclTensorDesc **nd = hacl_realloc(ds->descs, ncap * sizeof *nd);
        if (!nd) {
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory growing a dataset");
            goto out;
        }
        ds->descs = nd;
        ds->cap = ncap;
    }
    ds->buffers[ds->count] = dataBuffer;
    ds->descs[ds->count] = NULL;
    ds->count++;
out:
    hacl_obj_put(&ds->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetDatasetNumBuffers(const aclmdlDataset *dataset)
{
    aclmdlDataset *ds = dataset_get(__func__, dataset);
    if (!ds)
        return 0;
    size_t n = ds->count;
    hacl_obj_put(&ds->hdr);
    return n;
}

ACL_FUNC_VISIBILITY aclDataBuffer *aclmdlGetDatasetBuffer(const aclmdlDataset *dataset, size_t index)
{
    aclmdlDataset *ds = dataset_get(__func__, dataset);
    if (!ds)
        return NULL;
    aclDataBuffer *b = NULL;
    if (index < ds->count)
        b = ds->buffers[index];
    else
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is outside the dataset's %zu buffers", index, ds->count);
    hacl_obj_put(&ds->hdr);
    return b;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDatasetTensorDesc(aclmdlDataset *dataset, aclTensorDesc *tensorDesc,
                                                        size_t index)
{
    if (!dataset)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataset must not be NULL");
    aclmdlDataset *ds = dataset_get(__func__, dataset);
    if (!ds)
        return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    aclError rc = ACL_SUCCESS;
    if (index >= ds->count) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is outside the dataset's %zu buffers", index, ds->count);
    } else if (tensorDesc && !hacl_handle_get(tensorDesc, HACL_KIND_TENSOR_DESC)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live tensor description", (void *)tensorDesc);
    } else {
        if (tensorDesc)
            hacl_obj_put(&tensorDesc->hdr);
        ds->descs[index] = tensorDesc;
    }
    hacl_obj_put(&ds->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclTensorDesc *aclmdlGetDatasetTensorDesc(const aclmdlDataset *dataset, size_t index)
{
    aclmdlDataset *ds = dataset_get(__func__, dataset);
    if (!ds)
        return NULL;
    aclTensorDesc *d = index < ds->count ? ds->descs[index] : NULL;
    hacl_obj_put(&ds->hdr);
    return d;
}
