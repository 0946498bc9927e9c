/*
 * What this installation is and can do: package versions, CANN attributes,
 * device capabilities, architecture compatibility and the device's
 * hardware error record. hostacl answers honestly for a host CPU: one
 * package (the runtime, also answering for "cann"), no JIT operator
 * compiler, no task-scheduler CPU features, no hardware errors.
 *
 * Thread: any.
 */
#include <stdio.h>
#include <string.h>

#include "runtime.h"

#define HACL_VERSION_MAJOR 0
#define HACL_VERSION_MINOR 1
#define HACL_VERSION_PATCH 0

/* The packages a CANN install has; hostacl is the runtime (and the whole
 * "cann" as far as applications can tell). */
static int known_package(const char *name)
{
    return strcmp(name, "runtime") == 0 || strcmp(name, "cann") == 0 || strcmp(name, "CANN") == 0;
}

static aclError check_package(const char *api, const char *name, const void *out)
{
    if (!name || !out)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "pkgName and the output must not be NULL");
    if (!known_package(name))
        return hacl_err(ACL_ERROR_INVALID_FILE, api,
                        "package '%.64s' is not installed: hostacl provides 'runtime' (also answering for 'cann')",
                        name);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclsysGetVersionStr(char *pkgName, char *versionStr)
{
    aclError rc = check_package(__func__, pkgName, versionStr);
    if (rc == ACL_SUCCESS)
        snprintf(versionStr, ACL_PKG_VERSION_MAX_SIZE, "%d.%d.%d", HACL_VERSION_MAJOR, HACL_VERSION_MINOR,
                 HACL_VERSION_PATCH);
    return rc;
}

/* major * 10^6 + minor * 10^3 + patch (0.1.0 -> 1000). */
ACL_FUNC_VISIBILITY aclError aclsysGetVersionNum(char *pkgName, int32_t *versionNum)
{
    aclError rc = check_package(__func__, pkgName, versionNum);
    if (rc == ACL_SUCCESS)
        *versionNum = HACL_VERSION_MAJOR * 1000000 + HACL_VERSION_MINOR * 1000 + HACL_VERSION_PATCH;
    return rc;
}

static const aclCannAttr cann_attrs[] = {ACL_CANN_ATTR_INF_NAN, ACL_CANN_ATTR_BF16, ACL_CANN_ATTR_JIT_COMPILE};

ACL_FUNC_VISIBILITY aclError aclGetCannAttributeList(const aclCannAttr **cannAttrList, size_t *num)
{
    if (!cannAttrList || !num)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "cannAttrList and num must not be NULL");
    *cannAttrList = cann_attrs;
    *num = sizeof cann_attrs / sizeof cann_attrs[0];
    return ACL_SUCCESS;
}

/* INF_NAN: float arithmetic keeps IEEE infinities and NaNs (1). BF16: 1 when
 * the CPU computes in bfloat16 natively (avx512_bf16), as allow_bf16 needs.
 * JIT_COMPILE: there is no operator compiler (0). */
ACL_FUNC_VISIBILITY aclError aclGetCannAttribute(aclCannAttr cannAttr, int32_t *value)
{
    if (!value)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "value must not be NULL");
    switch (cannAttr) {
    case ACL_CANN_ATTR_INF_NAN:
        *value = 1;
        return ACL_SUCCESS;
    case ACL_CANN_ATTR_BF16:
#if defined(__x86_64__) && defined(__GNUC__) && __GNUC__ >= 12
        *value = __builtin_cpu_supports("avx512bf16") ? 1 : 0;
#else
        *value = 0;
#endif
        return ACL_SUCCESS;
    case ACL_CANN_ATTR_JIT_COMPILE:
        *value = 0;
        return ACL_SUCCESS;
    default:
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "cannAttr %d is not an aclCannAttr", (int)cannAttr);
    }
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCapability(int32_t deviceId, aclrtDevFeatureType devFeatureType,
                                                      int32_t *value)
{
    if (!value)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "value must not be NULL");
    aclError rc;
    if (!hacl_rt_device(__func__, deviceId, &rc))
        return rc;
    switch (devFeatureType) {
    case ACL_FEATURE_TSCPU_TASK_UPDATE_SUPPORT_AIC_AIV: /* no task scheduler CPU, no AI cores */
    case ACL_FEATURE_SYSTEM_MEMQ_EVENT_CROSS_DEV:       /* no memory queues across devices */
        *value = 0;
        return ACL_SUCCESS;
    default:
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "devFeatureType %d is not an aclrtDevFeatureType",
                        (int)devFeatureType);
    }
}

/* Code for another SoC does not run here; code for this one ("HostCPU",
 * what aclrtGetSocName answers) does. */
ACL_FUNC_VISIBILITY aclError aclrtCheckArchCompatibility(const char *socVersion, int32_t *canCompatible)
{
    if (!socVersion || !canCompatible)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "socVersion and canCompatible must not be NULL");
    *canCompatible = strcmp(socVersion, "HostCPU") == 0 ? 1 : 0;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetErrorVerbose(int32_t deviceId, aclrtErrorInfo *errorInfo)
{
    if (!errorInfo)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "errorInfo must not be NULL");
    aclError rc;
    if (!hacl_rt_device(__func__, deviceId, &rc))
        return rc;
    memset(errorInfo, 0, sizeof *errorInfo);
    errorInfo->errorType = ACL_RT_NO_ERROR; /* a CPU device has no hardware error record */
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtRepairError(int32_t deviceId, const aclrtErrorInfo *errorInfo)
{
    if (!errorInfo)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "errorInfo must not be NULL");
    aclError rc;
    if (!hacl_rt_device(__func__, deviceId, &rc))
        return rc;
    if (errorInfo->errorType == ACL_RT_NO_ERROR)
        return ACL_SUCCESS; /* nothing to repair */
    return HACL_ERR(ACL_ERROR_FEATURE_UNSUPPORTED, "error type %d never happens on a CPU device; nothing to repair",
                    (int)errorInfo->errorType);
}
