/*
 * Contexts: aclrtCreateContext, aclrtDestroyContext, aclrtSetCurrentContext,
 * aclrtGetCurrentContext, and the per-thread current context.
 *
 * A context belongs to one device and is linked in dev->contexts under
 * dev->lock. The default context of a device exists while aclrtSetDevice
 * references are outstanding and cannot be destroyed with
 * aclrtDestroyContext. Each thread remembers its current context as a
 * (pointer, serial) pair and re-checks it against the handle registry on
 * every use, so a thread whose context was destroyed elsewhere gets
 * ACL_ERROR_RT_CONTEXT_NULL instead of a dangling pointer, even if a new
 * context happens to reuse the address.
 *
 * Thread: any.
 */
#include "device/alloc.h"
#include "device/trace.h"
#include "runtime.h"

static _Thread_local struct {
    const void *ptr;
    uint64_t serial;
} tls_current;

static void context_release(struct hacl_obj *obj)
{
    hacl_free(obj);
}

void hacl_context_set_current(struct hacl_context *ctx)
{
    tls_current.ptr = ctx;
    tls_current.serial = ctx ? ctx->hdr.serial : 0;
}

struct hacl_context *hacl_context_current(const char *api, aclError *rc)
{
    *rc = hacl_rt_require_init(api);
    if (*rc != ACL_SUCCESS)
        return NULL;
    struct hacl_obj *o = hacl_handle_get_serial(tls_current.ptr, HACL_KIND_CONTEXT, tls_current.serial);
    if (!o) {
        *rc = hacl_err(ACL_ERROR_RT_CONTEXT_NULL, api,
                       tls_current.ptr ? "the thread's current context was destroyed (device reset or context destroyed)"
                                       : "this thread has no current context: call aclrtSetDevice or aclrtCreateContext first");
        return NULL;
    }
    return (struct hacl_context *)o;
}

aclError hacl_context_create_locked(struct hacl_rtdev *dev, int is_default, struct hacl_context **out)
{
    struct hacl_context *ctx = hacl_calloc(1, sizeof *ctx);
    if (!ctx)
        return ACL_ERROR_BAD_ALLOC;
    hacl_obj_init(&ctx->hdr, HACL_KIND_CONTEXT, context_release);
    ctx->dev = dev;
    ctx->is_default = is_default;
    hacl_queue_init(&ctx->streams);
    if (hacl_handle_register(&ctx->hdr) != ACL_SUCCESS) {
        hacl_free(ctx);
        return ACL_ERROR_BAD_ALLOC;
    }
    hacl_queue_push_tail(&dev->contexts, &ctx->dev_link);
    if (is_default)
        dev->default_ctx = ctx;
    *out = ctx;
    return ACL_SUCCESS;
}

int hacl_context_detach_locked(struct hacl_context *ctx)
{
    if (!hacl_handle_unregister(&ctx->hdr))
        return 0;
    hacl_queue_remove(&ctx->dev_link);
    if (ctx->dev->default_ctx == ctx)
        ctx->dev->default_ctx = NULL;
    return 1;
}

void hacl_context_finish(struct hacl_context *ctx, int force)
{
    hacl_context_release_streams(ctx, force);
    hacl_obj_put(&ctx->hdr); /* the registry's reference */
}

void hacl_device_release_contexts(struct hacl_rtdev *dev)
{
    pthread_mutex_lock(&dev->lock);
    dev->default_ctx = NULL;
    dev->set_refs = 0;
    struct hacl_qnode *n;
    while ((n = hacl_queue_head(&dev->contexts)) != NULL) {
        struct hacl_context *ctx = HACL_QUEUE_DATA(n, struct hacl_context, dev_link);
        hacl_context_detach_locked(ctx);
        pthread_mutex_unlock(&dev->lock);
        hacl_context_finish(ctx, 0);
        pthread_mutex_lock(&dev->lock);
    }
    pthread_mutex_unlock(&dev->lock);
}

ACL_FUNC_VISIBILITY aclError aclrtCreateContext(aclrtContext *context, int32_t deviceId)
{
    HACL_TRACE_API_CALL();
    if (!context)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "context must not be NULL");
    aclError rc;
    struct hacl_rtdev *dev = hacl_rt_device(__func__, deviceId, &rc);
    if (!dev)
        return rc;
    struct hacl_context *ctx = NULL;
    pthread_mutex_lock(&dev->lock);
    rc = hacl_context_create_locked(dev, 0, &ctx);
    pthread_mutex_unlock(&dev->lock);
    if (rc != ACL_SUCCESS)
        return HACL_ERR(rc, "out of memory creating a context on device %d", (int)deviceId);
    hacl_context_set_current(ctx);
    *context = ctx;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyContext(aclrtContext context)
{
    HACL_TRACE_API_CALL();
    if (!context)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "context must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_context *ctx = (struct hacl_context *)hacl_handle_get(context, HACL_KIND_CONTEXT);
    if (!ctx)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live context (destroyed, or never created)",
                        context);
    if (ctx->is_default) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM,
                      "%p is the default context of device %d; it is released by aclrtResetDevice, not destroyed",
                      context, (int)ctx->dev->id);
        goto out;
    }
    struct hacl_rtdev *dev = ctx->dev;
    pthread_mutex_lock(&dev->lock);
    int live = hacl_context_detach_locked(ctx);
    pthread_mutex_unlock(&dev->lock);
    if (!live)
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p was destroyed concurrently", context);
    else
        hacl_context_finish(ctx, 0);
    if (tls_current.ptr == context)
        hacl_context_set_current(NULL);
out:
    hacl_obj_put(&ctx->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtSetCurrentContext(aclrtContext context)
{
    if (!context)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "context must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_context *ctx = (struct hacl_context *)hacl_handle_get(context, HACL_KIND_CONTEXT);
    if (!ctx)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live context (destroyed, or never created)",
                        context);
    hacl_context_set_current(ctx);
    hacl_obj_put(&ctx->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetCurrentContext(aclrtContext *context)
{
    if (!context)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "context must not be NULL");
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    *context = ctx;
    hacl_obj_put(&ctx->hdr);
    return ACL_SUCCESS;
}
