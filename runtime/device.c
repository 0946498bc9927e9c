/*
 * Devices: aclrtSetDevice, aclrtResetDevice(Force), aclrtGetDevice,
 * aclrtGetDeviceCount.
 *
 * aclrtSetDevice is reference counted per device across the process: the
 * first call creates the device's default context, every call makes it the
 * caller's current context, and the reset that brings the count to zero
 * destroys it (with, once streams land, its streams after their tasks ran).
 * Explicit contexts live on until destroyed or aclFinalize. Device memory
 * belongs to the process and survives resets until freed or aclFinalize.
 *
 * Thread: any; device state under dev->lock.
 */
#include "device/trace.h"
#include "runtime.h"
#include "stats.h"

int hacl_rt_sched_stats(int32_t device, struct hacl_sched_stats *out)
{
    if (!atomic_load(&hacl_rt.initialized) || device < 0 || device >= HACL_MAX_DEVICES || !hacl_rt.devices[device])
        return -1;
    struct hacl_device *hw = hacl_rt.devices[device]->hw;
    pthread_mutex_lock(&hw->lock);
    struct hacl_sched *s = hw->sched;
    pthread_mutex_unlock(&hw->lock);
    if (!s)
        return -1;
    hacl_sched_get_stats(s, out);
    return 0;
}

ACL_FUNC_VISIBILITY aclError aclrtSetDevice(int32_t deviceId)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_rtdev *dev = hacl_rt_device(__func__, deviceId, &rc);
    if (!dev)
        return rc;
    pthread_mutex_lock(&dev->lock);
    if (!dev->default_ctx) {
        struct hacl_context *ctx;
        rc = hacl_context_create_locked(dev, 1, &ctx);
        if (rc != ACL_SUCCESS) {
            pthread_mutex_unlock(&dev->lock);
            return HACL_ERR(rc, "out of memory creating the default context of device %d", (int)deviceId);
        }
    }
    dev->set_refs++;
    hacl_context_set_current(dev->default_ctx);
    pthread_mutex_unlock(&dev->lock);
    return ACL_SUCCESS;
}

static aclError reset_device(const char *api, int32_t deviceId, int force)
{
    aclError rc;
    struct hacl_rtdev *dev = hacl_rt_device(api, deviceId, &rc);
    if (!dev)
        return rc;
    pthread_mutex_lock(&dev->lock);
    if (dev->set_refs == 0) {
        pthread_mutex_unlock(&dev->lock);
        return hacl_err(ACL_ERROR_RT_INVALID_DEVICEID, api,
                        "device %d is not set (aclrtSetDevice was not called, or every call was already reset)",
                        (int)deviceId);
    }
    dev->set_refs = force ? 0 : dev->set_refs - 1;
    struct hacl_context *gone = NULL;
    if (dev->set_refs == 0 && dev->default_ctx) {
        gone = dev->default_ctx;
        hacl_context_detach_locked(gone);
    }
    pthread_mutex_unlock(&dev->lock);
    /* The default context's streams run their queued tasks first. */
    if (gone)
        hacl_context_finish(gone, 0);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtResetDevice(int32_t deviceId)
{
    HACL_TRACE_API_CALL();
    return reset_device(__func__, deviceId, 0);
}

ACL_FUNC_VISIBILITY aclError aclrtResetDeviceForce(int32_t deviceId)
{
    HACL_TRACE_API_CALL();
    return reset_device(__func__, deviceId, 1);
}

ACL_FUNC_VISIBILITY aclError aclrtGetDevice(int32_t *deviceId)
{
    if (!deviceId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "deviceId must not be NULL");
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    *deviceId = ctx->dev->id;
    hacl_obj_put(&ctx->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCount(uint32_t *count)
{
    if (!count)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "count must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    *count = hacl_rt.cfg.device_count;
    return ACL_SUCCESS;
}
