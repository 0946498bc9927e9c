/*
 * Model configuration handles: aclmdlCreateConfigHandle, aclmdlSetConfigOpt,
 * aclmdlLoadWithConfig, aclmdlDestroyConfigHandle.
 *
 * A handle collects the load type and its arguments (path or memory, and for
 * the WithMem types work and weight memory), plus hostacl's precision mode
 * (acl/hacl_model.h). Loading checks that the type's required options are
 * present and runs the matching aclmdlLoadFrom* path. Queue-based loads and
 * AscendCL options that have no meaning on a CPU (priority, workspace
 * optimisation...) are accepted when their size is right and otherwise
 * ignored, except that the queue load types are refused as unsupported.
 */
#include <string.h>

#include "acl/hacl_model.h"
#include "device/alloc.h"
#include "device/trace.h"
#include "model.h"
#include "runtime/config.h"
#include "runtime/runtime.h"

enum { HAVE_TYPE = 1, HAVE_PATH = 2, HAVE_MEM = 4, HAVE_MEM_SIZE = 8 };

struct aclmdlConfigHandle {
    struct hacl_obj hdr;
    unsigned have;
    size_t load_type;
    const char *path; /* the caller's string, read at load */
    const void *mem;
    size_t mem_size;
    void *work, *weights;
    size_t work_size, weight_size;
    int precision; /* -1: the aclInit default */
};

static void config_release(struct hacl_obj *o)
{
    hacl_free(o);
}

static aclmdlConfigHandle *config_get(const char *api, const void *h)
{
    aclmdlConfigHandle *c = (aclmdlConfigHandle *)hacl_handle_get(h, HACL_KIND_MDL_CONFIG);
    if (!c)
        hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                 "%p is not a live model config handle", h);
    return c;
}

ACL_FUNC_VISIBILITY aclmdlConfigHandle *aclmdlCreateConfigHandle(void)
{
    aclmdlConfigHandle *c = hacl_calloc(1, sizeof *c);
    if (!c) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a model config handle");
        return NULL;
    }
    c->precision = -1;
    hacl_obj_init(&c->hdr, HACL_KIND_MDL_CONFIG, config_release);
    if (hacl_handle_register(&c->hdr) != ACL_SUCCESS) {
        hacl_free(c);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a model config handle");
        return NULL;
    }
    return c;
}

ACL_FUNC_VISIBILITY aclError aclmdlDestroyConfigHandle(aclmdlConfigHandle *handle)
{
    aclmdlConfigHandle *c = config_get(__func__, handle);
    if (!c)
        return handle ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    if (hacl_handle_unregister(&c->hdr))
        hacl_obj_put(&c->hdr);
    hacl_obj_put(&c->hdr);
    return ACL_SUCCESS;
}

/* Copies a value of exactly `want` bytes. */
static aclError take(const char *what, const void *value, size_t size, size_t want, void *out)
{
    if (!value || size != want)
        return hacl_err(ACL_ERROR_INVALID_PARAM, "aclmdlSetConfigOpt", "%s takes a value of %zu bytes (got %zu%s)",
                        what, want, size, value ? "" : " and a NULL pointer");
    memcpy(out, value, want);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetConfigOpt(aclmdlConfigHandle *handle, aclmdlConfigAttr attr,
                                                const void *attrValue, size_t valueSize)
{
    aclmdlConfigHandle *c = config_get(__func__, handle);
    if (!c)
        return handle ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    aclError rc = ACL_SUCCESS;
    const char *s = NULL;
    size_t z = 0;
    switch ((long)attr) {
    case ACL_MDL_LOAD_TYPE_SIZET:
        if ((rc = take("ACL_MDL_LOAD_TYPE_SIZET", attrValue, valueSize, sizeof(size_t), &z)) != ACL_SUCCESS)
            break;
        if (z < ACL_MDL_LOAD_FROM_FILE || z > ACL_MDL_LOAD_FROM_MEM_WITH_Q) {
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "load type %zu is not one of 1 to 6", z);
            break;
        }
        c->load_type = z;
        c->have |= HAVE_TYPE;
        break;
    case ACL_MDL_PATH_PTR:
        if ((rc = take("ACL_MDL_PATH_PTR", attrValue, valueSize, sizeof(char *), &s)) != ACL_SUCCESS)
            break;
        if (!s) {
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the model path must not be NULL");
            break;
        }
        c->path = s;
        c->have |= HAVE_PATH;
        break;
    case ACL_MDL_MEM_ADDR_PTR:
        if ((rc = take("ACL_MDL_MEM_ADDR_PTR", attrValue, valueSize, sizeof(void *), &c->mem)) == ACL_SUCCESS)
            c->have |= HAVE_MEM;
        break;
    case ACL_MDL_MEM_SIZET:
        if ((rc = take("ACL_MDL_MEM_SIZET", attrValue, valueSize, sizeof(size_t), &c->mem_size)) == ACL_SUCCESS)
            c->have |= HAVE_MEM_SIZE;
        break;
    case ACL_MDL_WORKSPACE_ADDR_PTR:
        rc = take("ACL_MDL_WORKSPACE_ADDR_PTR", attrValue, valueSize, sizeof(void *), &c->work);
        break;
    case ACL_MDL_WORKSPACE_SIZET:
        rc = take("ACL_MDL_WORKSPACE_SIZET", attrValue, valueSize, sizeof(size_t), &c->work_size);
        break;
    case ACL_MDL_WEIGHT_ADDR_PTR:
        rc = take("ACL_MDL_WEIGHT_ADDR_PTR", attrValue, valueSize, sizeof(void *), &c->weights);
        break;
    case ACL_MDL_WEIGHT_SIZET:
        rc = take("ACL_MDL_WEIGHT_SIZET", attrValue, valueSize, sizeof(size_t), &c->weight_size);
        break;
    case (long)HACL_MDL_PRECISION_MODE_PTR: {
        if ((rc = take("HACL_MDL_PRECISION_MODE_PTR", attrValue, valueSize, sizeof(char *), &s)) != ACL_SUCCESS)
            break;
        int m = hacl_precision_parse(s);
        if (m < 0) {
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM,
                          "precision mode '%s' is not force_fp32, allow_bf16 or must_keep_origin_dtype", s ? s : "(null)");
            break;
        }
        c->precision = m;
        break;
    }
    default:
        if ((unsigned long)(long)attr > (unsigned long)ACL_MDL_FIFO_SIZET)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "config attribute %ld is unknown", (long)attr);
        else if (!attrValue || !valueSize)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "config attribute %ld needs a value", (long)attr);
        /* else: an AscendCL option with no effect on a CPU */
        break;
    }
    hacl_obj_put(&c->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadWithConfig(const aclmdlConfigHandle *handle, uint32_t *modelId)
{
    HACL_TRACE_API_CALL();
    if (!modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelId must not be NULL");
    aclmdlConfigHandle *c = config_get(__func__, handle);
    if (!c)
        return handle ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM;
    aclError rc = hacl_rt_require_init(__func__);
    struct aclmdlConfigHandle k = *c; /* a snapshot: the handle may change afterwards */
    hacl_obj_put(&c->hdr);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!(k.have & HAVE_TYPE))
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "the config has no ACL_MDL_LOAD_TYPE_SIZET");
    int with_mem = k.load_type == ACL_MDL_LOAD_FROM_FILE_WITH_MEM || k.load_type == ACL_MDL_LOAD_FROM_MEM_WITH_MEM;
    void *work = with_mem ? k.work : NULL, *weights = with_mem ? k.weights : NULL;
    size_t ws = with_mem ? k.work_size : 0, wts = with_mem ? k.weight_size : 0;
    switch (k.load_type) {
    case ACL_MDL_LOAD_FROM_FILE:
    case ACL_MDL_LOAD_FROM_FILE_WITH_MEM:
        if (!(k.have & HAVE_PATH))
            return HACL_ERR(ACL_ERROR_INVALID_PARAM, "load type %zu needs ACL_MDL_PATH_PTR", k.load_type);
        return hacl_model_load_file(__func__, k.path, k.precision, work, ws, weights, wts, modelId);
    case ACL_MDL_LOAD_FROM_MEM:
    case ACL_MDL_LOAD_FROM_MEM_WITH_MEM:
        if ((k.have & (HAVE_MEM | HAVE_MEM_SIZE)) != (HAVE_MEM | HAVE_MEM_SIZE) || !k.mem || !k.mem_size)
            return HACL_ERR(ACL_ERROR_INVALID_PARAM,
                            "load type %zu needs ACL_MDL_MEM_ADDR_PTR and a non-zero ACL_MDL_MEM_SIZET", k.load_type);
        return hacl_model_load_mem(__func__, k.mem, k.mem_size, k.precision, work, ws, weights, wts, modelId);
    default:
        return HACL_ERR(ACL_ERROR_FEATURE_UNSUPPORTED, "load type %zu (from queues) is not supported by hostacl",
                        k.load_type);
    }
}
