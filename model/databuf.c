/*
 * Data buffers, element sizes and half-precision conversion.
 *
 * A data buffer only describes memory (pointer and size) that the
 * application owns; destroying it never frees that memory.
 */
#include <math.h>
#include <string.h>

#include "device/alloc.h"
#include "device/half.h"
#include "model.h"
#include "runtime/error.h"

static void databuf_release(struct hacl_obj *o)
{
    hacl_free(o);
}

aclDataBuffer *hacl_databuf_get(const void *h)
{
    return (aclDataBuffer *)hacl_handle_get(h, HACL_KIND_DATABUF);
}

ACL_FUNC_VISIBILITY aclDataBuffer *aclCreateDataBuffer(void *data, size_t size)
{
    if (!data && size != 0) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "data is NULL but size is %zu", size);
        return NULL;
    }
    aclDataBuffer *b = hacl_calloc(1, sizeof *b);
    if (!b) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a data buffer");
        return NULL;
    }
    hacl_obj_init(&b->hdr, HACL_KIND_DATABUF, databuf_release);
    b->data = data;
    b->size = size;
    if (hacl_handle_register(&b->hdr) != ACL_SUCCESS) {
        hacl_free(b);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a data buffer");
        return NULL;
    }
    return b;
}

ACL_FUNC_VISIBILITY aclError aclDestroyDataBuffer(const aclDataBuffer *dataBuffer)
{
    if (!dataBuffer)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataBuffer must not be NULL");
    aclDataBuffer *b = hacl_databuf_get(dataBuffer);
    if (!b)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live data buffer", (const void *)dataBuffer);
    if (hacl_handle_unregister(&b->hdr))
        hacl_obj_put(&b->hdr);
    hacl_obj_put(&b->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclUpdateDataBuffer(aclDataBuffer *dataBuffer, void *data, size_t size)
{
    if (!dataBuffer)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataBuffer must not be NULL");
    if (!data && size != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "data is NULL but size is %zu", size);
    aclDataBuffer *b = hacl_databuf_get(dataBuffer);
    if (!b)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live data buffer", (void *)dataBuffer);
    b->data = data;
    b->size = size;
    hacl_obj_put(&b->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY void *aclGetDataBufferAddr(const aclDataBuffer *dataBuffer)
{
    aclDataBuffer *b = hacl_databuf_get(dataBuffer);
    if (!b) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live data buffer", (const void *)dataBuffer);
        return NULL;
    }
    void *d = b->data;
    hacl_obj_put(&b->hdr);
    return d;
}

ACL_FUNC_VISIBILITY size_t aclGetDataBufferSizeV2(const aclDataBuffer *dataBuffer)
{
    aclDataBuffer *b = hacl_databuf_get(dataBuffer);
    if (!b) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live data buffer", (const void *)dataBuffer);
        return 0;
    }
    size_t n = b->size;
    hacl_obj_put(&b->hdr);
    return n;
}

ACL_FUNC_VISIBILITY uint32_t aclGetDataBufferSize(const aclDataBuffer *dataBuffer)
{
    size_t n = aclGetDataBufferSizeV2(dataBuffer);
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

ACL_FUNC_VISIBILITY size_t aclDataTypeSize(aclDataType dataType)
{
    switch (dataType) {
    case ACL_INT8:
    case ACL_UINT8:
    case ACL_BOOL: return 1;
    case ACL_FLOAT16:
    case ACL_BF16:
    case ACL_INT16:
    case ACL_UINT16: return 2;
    case ACL_FLOAT:
    case ACL_INT32:
    case ACL_UINT32: return 4;
    case ACL_INT64:
    case ACL_UINT64:
    case ACL_DOUBLE:
    case ACL_COMPLEX64: return 8;
    case ACL_COMPLEX128: return 16;
    default: return 0; /* undefined, strings (variable length), unknown values */
    }
}

/* IEEE 754 binary16 <-> binary32 (device/half.h). */
ACL_FUNC_VISIBILITY float aclFloat16ToFloat(aclFloat16 value)
{
    return hacl_half_to_float(value);
}

ACL_FUNC_VISIBILITY aclFloat16 aclFloatToFloat16(float value)
{
    return hacl_float_to_half(value);
}
