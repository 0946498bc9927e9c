/*
 * Tensor descriptions: element type, format, shape (dims may be -1 for an
 * unknown extent; a single dim of -2 means unknown rank) and name.
 */
#include <string.h>

#include "device/alloc.h"
#include "model.h"
#include "runtime/error.h"

static void desc_release(struct hacl_obj *o)
{
    aclTensorDesc *d = (aclTensorDesc *)o;
    hacl_free(d->name);
    hacl_free(d);
}

static aclTensorDesc *desc_get(const char *api, const void *h)
{
    aclTensorDesc *d = (aclTensorDesc *)hacl_handle_get(h, HACL_KIND_TENSOR_DESC);
    if (!d)
        hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                 "%p is not a live tensor description", h);
    return d;
}

/* Checks and stores a shape: 0 or an error code. */
static aclError set_shape(const char *api, aclTensorDesc *d, int numDims, const int64_t *dims)
{
    if (numDims < 0 || numDims > ACL_MAX_DIM_CNT)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "numDims %d is outside 0..%d", numDims, ACL_MAX_DIM_CNT);
    if (numDims > 0 && !dims)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dims must not be NULL when numDims is %d", numDims);
    for (int i = 0; i < numDims; i++)
        if (dims[i] < -2 || (dims[i] == -2 && numDims != 1))
            return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dims[%d] = %lld is not a valid extent", i,
                            (long long)dims[i]);
    if (numDims == 1 && dims[0] == -2) {
        d->num_dims = -1;
        return ACL_SUCCESS;
    }
    d->num_dims = numDims;
    if (numDims)
        memcpy(d->dims, dims, sizeof(int64_t) * (size_t)numDims);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclTensorDesc *aclCreateTensorDesc(aclDataType dataType, int numDims, const int64_t *dims,
                                                       aclFormat format)
{
    aclTensorDesc *d = hacl_calloc(1, sizeof *d);
    if (!d) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a tensor description");
        return NULL;
    }
    hacl_obj_init(&d->hdr, HACL_KIND_TENSOR_DESC, desc_release);
    d->dtype = dataType;
    d->format = format;
    if (set_shape(__func__, d, numDims, dims) != ACL_SUCCESS) {
        hacl_free(d);
        return NULL;
    }
    if (hacl_handle_register(&d->hdr) != ACL_SUCCESS) {
        hacl_free(d);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a tensor description");
        return NULL;
    }
    return d;
}

ACL_FUNC_VISIBILITY void aclDestroyTensorDesc(const aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return;
    if (hacl_handle_unregister(&d->hdr))
        hacl_obj_put(&d->hdr);
    hacl_obj_put(&d->hdr);
}

ACL_FUNC_VISIBILITY aclDataType aclGetTensorDescType(const aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return ACL_DT_UNDEFINED;
    aclDataType t = d->dtype;
    hacl_obj_put(&d->hdr);
    return t;
}

ACL_FUNC_VISIBILITY aclFormat aclGetTensorDescFormat(const aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return ACL_FORMAT_UNDEFINED;
    aclFormat f = d->format;
    hacl_obj_put(&d->hdr);
    return f;
}

/* Elements, or 0 for an unknown rank or extent. */
static size_t element_count(const aclTensorDesc *d)
{
    if (d->num_dims < 0)
        return 0;
    size_t n = 1;
    for (int i = 0; i < d->num_dims; i++) {
        if (d->dims[i] < 0)
            return 0;
        if (d->dims[i] != 0 && n > SIZE_MAX / (size_t)d->dims[i])
            return 0;
        n *= (size_t)d->dims[i];
    }
    return n;
}

ACL_FUNC_VISIBILITY size_t aclGetTensorDescElementCount(const aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return 0;
    size_t n = element_count(d);
    hacl_obj_put(&d->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t aclGetTensorDescSize(const aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return 0;
    size_t n = element_count(d), es = aclDataTypeSize(d->dtype);
    hacl_obj_put(&d->hdr);
    return (es && n > SIZE_MAX / es) ? 0 : n * es;
}

ACL_FUNC_VISIBILITY size_t aclGetTensorDescNumDims(const aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return 0;
    size_t n = d->num_dims < 0 ? (size_t)ACL_UNKNOWN_RANK : (size_t)d->num_dims;
    hacl_obj_put(&d->hdr);
    return n;
}

ACL_FUNC_VISIBILITY aclError aclGetTensorDescDimV2(const aclTensorDesc *desc, size_t index, int64_t *dimSize)
{
    if (!desc || !dimSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "desc and dimSize must not be NULL");
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    aclError rc = ACL_SUCCESS;
    if (d->num_dims < 0 || index >= (size_t)d->num_dims)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is outside the %d dims", index, d->num_dims);
    else
        *dimSize = d->dims[index];
    hacl_obj_put(&d->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY void aclSetTensorDescName(aclTensorDesc *desc, const char *name)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return;
    char *copy = name ? hacl_strdup(name) : NULL;
    if (name && !copy) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory naming a tensor description");
    } else {
        hacl_free(d->name);
        d->name = copy;
    }
    hacl_obj_put(&d->hdr);
}

ACL_FUNC_VISIBILITY const char *aclGetTensorDescName(aclTensorDesc *desc)
{
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return NULL;
    const char *n = d->name ? d->name : "";
    hacl_obj_put(&d->hdr);
    return n;
}

ACL_FUNC_VISIBILITY aclError aclSetTensorFormat(aclTensorDesc *desc, aclFormat format)
{
    if (!desc)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "desc must not be NULL");
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    d->format = format;
    hacl_obj_put(&d->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclSetTensorShape(aclTensorDesc *desc, int numDims, const int64_t *dims)
{
    if (!desc)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "desc must not be NULL");
    aclTensorDesc *d = desc_get(__func__, desc);
    if (!d)
        return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    aclTensorDesc tmp = *d;
    aclError rc = set_shape(__func__, &tmp, numDims, dims);
    if (rc == ACL_SUCCESS) {
        d->num_dims = tmp.num_dims;
        memcpy(d->dims, tmp.dims, sizeof d->dims);
    }
    hacl_obj_put(&d->hdr);
    return rc;
}
