/*
 * Device status, the stream priority range and per-device resource limits
 * (aclrtQueryDeviceStatus, aclrtDeviceGetStreamPriorityRange,
 * aclrtGet/Set/ResetDeviceResLimit).
 *
 * A simulated device is always NORMAL. Priorities run 0 (first) to 7. The
 * cube and vector "cores" of a device are its compute threads; a limit is
 * kept per device and type, answered by aclrtGetDeviceResLimit and
 * aclrtGetResInCurrentThread, and lifted by reset or aclFinalize. It does
 * not change how many threads a model's operators use (fixed when the
 * device starts).
 *
 * Thread: any.
 */
#include "runtime.h"

#define PRIORITY_LEAST 7
#define PRIORITY_GREATEST 0

ACL_FUNC_VISIBILITY aclError aclrtQueryDeviceStatus(int32_t deviceId, aclrtDeviceStatus *deviceStatus)
{
    if (!deviceStatus)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "deviceStatus must not be NULL");
    aclError rc;
    if (!hacl_rt_device(__func__, deviceId, &rc))
        return rc;
    *deviceStatus = ACL_RT_DEVICE_STATUS_NORMAL;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtDeviceGetStreamPriorityRange(int32_t *leastPriority, int32_t *greatestPriority)
{
    if (!leastPriority || !greatestPriority)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "leastPriority and greatestPriority must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    *leastPriority = PRIORITY_LEAST;
    *greatestPriority = PRIORITY_GREATEST;
    return ACL_SUCCESS;
}

static struct hacl_rtdev *limit_device(const char *api, int32_t deviceId, aclrtDevResLimitType type, aclError *rc)
{
    if (type != ACL_RT_DEV_RES_CUBE_CORE && type != ACL_RT_DEV_RES_VECTOR_CORE) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "type %d is not an aclrtDevResLimitType", (int)type);
        return NULL;
    }
    return hacl_rt_device(api, deviceId, rc);
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceResLimit(int32_t deviceId, aclrtDevResLimitType type, uint32_t *value)
{
    if (!value)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "value must not be NULL");
    aclError rc;
    struct hacl_rtdev *dev = limit_device(__func__, deviceId, type, &rc);
    if (!dev)
        return rc;
    uint32_t limit = atomic_load(&dev->res_limit[type]);
    *value = limit ? limit : dev->hw->cfg.compute_threads;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtSetDeviceResLimit(int32_t deviceId, aclrtDevResLimitType type, uint32_t value)
{
    aclError rc;
    struct hacl_rtdev *dev = limit_device(__func__, deviceId, type, &rc);
    if (!dev)
        return rc;
    unsigned cores = dev->hw->cfg.compute_threads;
    if (value == 0 || value > cores)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "value %u is outside 1..%u (the device's %s cores)", value, cores,
                        type == ACL_RT_DEV_RES_CUBE_CORE ? "cube" : "vector");
    atomic_store(&dev->res_limit[type], value);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtResetDeviceResLimit(int32_t deviceId)
{
    aclError rc;
    struct hacl_rtdev *dev = hacl_rt_device(__func__, deviceId, &rc);
    if (!dev)
        return rc;
    atomic_store(&dev->res_limit[0], 0u);
    atomic_store(&dev->res_limit[1], 0u);
    return ACL_SUCCESS;
}
