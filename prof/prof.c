/*
 * Collections (acl/acl_prof.h): aclprofInit, configs, aclprofStart/Stop,
 * aclprofSetConfig, aclprofFinalize.
 *
 * A collection records on the timeline recorder (device/trace.h) from the
 * first aclprofStart to the aclprofStop that leaves no device started, then
 * writes the trace in msprof's layout under the folder of aclprofInit (or
 * ACL_PROF_PATH). The recorder is process-wide, so devices started by
 * another config join the running recording (their data-type flags added).
 * Errors follow AscendCL's profiling manager: the mode of the process
 * decides (runtime/profiling.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "device/alloc.h"
#include "device/trace.h"
#include "prof_impl.h"
#include "runtime/runtime.h"

#define MAX_PATH_LEN 4096
#define MAX_SETTING_LEN 256

struct aclprofConfig {
    struct hacl_obj hdr;
    uint32_t ndev;
    uint32_t dev[HACL_MAX_DEVICES];
    aclprofAicoreMetrics metrics;
    uint64_t types;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *out_dir;          /* aclprofInit's folder, or ACL_PROF_PATH's */
static uint64_t started_devs;  /* bit per device being collected */
static uint64_t started_types; /* the union of their data-type flags */
static uint64_t storage_limit; /* bytes; 0: the recorder's default */
static int recording;

static void config_release(struct hacl_obj *o) { hacl_free(o); }

static const uint64_t KNOWN_TYPES = ACL_PROF_ACL_API | ACL_PROF_TASK_TIME | ACL_PROF_AICORE_METRICS | ACL_PROF_AICPU |
                                    ACL_PROF_L2CACHE | ACL_PROF_HCCL_TRACE | ACL_PROF_TRAINING_TRACE |
                                    ACL_PROF_MSPROFTX | ACL_PROF_RUNTIME_API | ACL_PROF_GE_API_L0 |
                                    ACL_PROF_TASK_TIME_L0 | ACL_PROF_TASK_MEMORY | ACL_PROF_GE_API_L1 |
                                    ACL_PROF_TASK_TIME_L2 | ACL_PROF_OP_ATTR | ACL_PROF_TASK_TIME_L3 |
                                    ACL_PROF_API_STATS | ACL_PROF_AICORE_SHAPE;
static const uint64_t HARDWARE_TYPES = ACL_PROF_AICORE_METRICS | ACL_PROF_AICPU | ACL_PROF_L2CACHE |
                                       ACL_PROF_HCCL_TRACE | ACL_PROF_TRAINING_TRACE | ACL_PROF_AICORE_SHAPE;

/* What the recorder records for these data-type flags. */
static unsigned recorder_flags(uint64_t types)
{
    unsigned w = HACL_TRACE_TASKS;
    if (types & (ACL_PROF_TASK_TIME | ACL_PROF_TASK_TIME_L2 | ACL_PROF_TASK_TIME_L3 | ACL_PROF_OP_ATTR))
        w |= HACL_TRACE_OPS;
    if (types & (ACL_PROF_ACL_API | ACL_PROF_RUNTIME_API | ACL_PROF_GE_API_L0 | ACL_PROF_GE_API_L1 |
                 ACL_PROF_API_STATS))
        w |= HACL_TRACE_API;
    if (types & ACL_PROF_MSPROFTX)
        w |= HACL_TRACE_MARKS;
    if (types & ACL_PROF_TASK_MEMORY)
        w |= HACL_TRACE_MEMORY;
    return w;
}

/* The mode's verdict for collection calls (AscendCL's order of checks). */
static aclError collection_mode(const char *api)
{
    switch (hacl_prof_mode()) {
    case HACL_PROF_API:
        return ACL_SUCCESS;
    case HACL_PROF_CONFIG:
        return hacl_err(ACL_ERROR_PROF_ALREADY_RUN, api, "profiling is driven by the aclInit configuration");
    case HACL_PROF_OFF:
        return hacl_err(ACL_ERROR_PROF_NOT_RUN, api, "aclprofInit has not been called");
    default:
        return hacl_err(ACL_ERROR_PROF_API_CONFLICT, api,
                        "model subscriptions are in use; collections cannot be mixed with them");
    }
}

/* Stops the recording and writes it. Caller holds lock. */
static aclError stop_recording_locked(const char *api)
{
    if (!recording)
        return ACL_SUCCESS;
    recording = 0;
    return hacl_prof_record_stop(api);
}

/* aclFinalize ends a collection still going (its trace is written). */
/* Ends the collection session: writes what is recording, forgets the
 * folder and started devices, and gives the mode back. */
static aclError end_session(const char *api)
{
    pthread_mutex_lock(&lock);
    aclError rc = stop_recording_locked(api);
    started_devs = started_types = 0;
    hacl_free(out_dir);
    out_dir = NULL;
    pthread_mutex_unlock(&lock);
    hacl_prof_claim(HACL_PROF_API, HACL_PROF_OFF);
    return rc;
}

static void at_finalize(void)
{
    if (hacl_prof_mode() == HACL_PROF_API)
        (void)end_session("aclFinalize");
}

MSVP_PROF_API aclError aclprofInit(const char *profilerResultPath, size_t length)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!profilerResultPath)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "profilerResultPath must not be NULL");
    if (length == 0 || length > MAX_PATH_LEN || strnlen(profilerResultPath, length + 1) != length)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM,
                        "length %zu must be the path's length (1 to %d bytes, without the terminating zero)", length,
                        MAX_PATH_LEN);
    if (hacl_rt_on_finalize(at_finalize) != 0)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "no room to register the profiling teardown");
    char *dir = hacl_strdup(profilerResultPath);
    if (!dir)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory for the path");
    int was = hacl_prof_claim(HACL_PROF_OFF, HACL_PROF_API);
    if (was != HACL_PROF_OFF) {
        hacl_free(dir);
        if (was == HACL_PROF_CONFIG)
            return HACL_ERR(ACL_ERROR_PROF_ALREADY_RUN, "profiling is driven by the aclInit configuration");
        if (was == HACL_PROF_API)
            return HACL_ERR(ACL_ERROR_REPEAT_INITIALIZE, "aclprofInit was already called (aclprofFinalize first)");
        return HACL_ERR(ACL_ERROR_PROF_API_CONFLICT,
                        "model subscriptions are in use; collections cannot be mixed with them");
    }
    pthread_mutex_lock(&lock);
    hacl_free(out_dir);
    out_dir = dir;
    started_devs = started_types = storage_limit = 0;
    pthread_mutex_unlock(&lock);
    return ACL_SUCCESS;
}

MSVP_PROF_API aclError aclprofFinalize(void)
{
    aclError rc = collection_mode(__func__);
    return rc == ACL_SUCCESS ? end_session(__func__) : rc;
}

MSVP_PROF_API aclprofConfig *aclprofCreateConfig(uint32_t *deviceIdList, uint32_t deviceNums,
                                                 aclprofAicoreMetrics aicoreMetrics,
                                                 const aclprofAicoreEvents *aicoreEvents, uint64_t dataTypeConfig)
{
    if (!deviceIdList || deviceNums == 0 || deviceNums > HACL_MAX_DEVICES) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "deviceIdList must list 1 to %d devices (got %u%s)", HACL_MAX_DEVICES,
                 deviceNums, deviceIdList ? "" : ", NULL list");
        return NULL;
    }
    if (aicoreEvents) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "aicoreEvents must be NULL");
        return NULL;
    }
    if ((aicoreMetrics < ACL_AICORE_ARITHMETIC_UTILIZATION || aicoreMetrics > ACL_AICORE_MEMORY_ACCESS) &&
        aicoreMetrics != ACL_AICORE_NONE) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "aicoreMetrics %d is not an aclprofAicoreMetrics", (int)aicoreMetrics);
        return NULL;
    }
    if (dataTypeConfig & ~KNOWN_TYPES) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataTypeConfig 0x%llx has unknown flags 0x%llx",
                 (unsigned long long)dataTypeConfig, (unsigned long long)(dataTypeConfig & ~KNOWN_TYPES));
        return NULL;
    }
    uint32_t count = atomic_load(&hacl_rt.initialized) ? hacl_rt.cfg.device_count : 0;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < deviceNums; i++) {
        if (deviceIdList[i] >= count) {
            HACL_ERR(ACL_ERROR_INVALID_PARAM, "device %u does not exist (%u device(s))", deviceIdList[i], count);
            return NULL;
        }
        if (seen & (1ull << deviceIdList[i])) {
            HACL_ERR(ACL_ERROR_INVALID_PARAM, "device %u is listed twice", deviceIdList[i]);
            return NULL;
        }
        seen |= 1ull << deviceIdList[i];
    }
    struct aclprofConfig *c = hacl_calloc(1, sizeof *c);
    if (!c) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory for a profiling config");
        return NULL;
    }
    c->ndev = deviceNums;
    memcpy(c->dev, deviceIdList, deviceNums * sizeof *deviceIdList);
    c->metrics = aicoreMetrics;
    c->types = dataTypeConfig;
    hacl_obj_init(&c->hdr, HACL_KIND_PROF_CONFIG, config_release);
    if (hacl_handle_register(&c->hdr) != ACL_SUCCESS) {
        hacl_free(c);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory to register a profiling config");
        return NULL;
    }
    return c;
}

static struct aclprofConfig *config_get(const char *api, const aclprofConfig *h, aclError *rc)
{
    struct hacl_obj *o = h ? hacl_handle_get(h, HACL_KIND_PROF_CONFIG) : NULL;
    if (!o)
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "%p is not a profiling config (aclprofCreateConfig)",
                       (const void *)h);
    return (struct aclprofConfig *)o;
}

MSVP_PROF_API aclError aclprofDestroyConfig(const aclprofConfig *profilerConfig)
{
    aclError rc = ACL_SUCCESS;
    struct aclprofConfig *c = config_get(__func__, profilerConfig, &rc);
    if (!c)
        return rc;
    if (hacl_handle_unregister(&c->hdr))
        hacl_obj_put(&c->hdr);
    hacl_obj_put(&c->hdr);
    return ACL_SUCCESS;
}

static uint64_t config_devs(const struct aclprofConfig *c)
{
    uint64_t m = 0;
    for (uint32_t i = 0; i < c->ndev; i++)
        m |= 1ull << c->dev[i];
    return m;
}

MSVP_PROF_API aclError aclprofStart(const aclprofConfig *profilerConfig)
{
    aclError rc = ACL_SUCCESS;
    struct aclprofConfig *c = config_get(__func__, profilerConfig, &rc);
    if (!c)
        return rc;
    if ((rc = collection_mode(__func__)) != ACL_SUCCESS)
        goto out;
    uint64_t devs = config_devs(c);
    if (c->types & HARDWARE_TYPES)
        PROF_NOTE_ONCE("profiling: hardware data types (AI Core metrics, AI CPU, L2, HCCL, training trace) "
                                "have no counterpart on a CPU and are not recorded");
    pthread_mutex_lock(&lock);
    if (started_devs & devs) {
        rc = HACL_ERR(ACL_ERROR_PROF_ALREADY_RUN, "a device of this config is already being collected (mask 0x%llx)",
                      (unsigned long long)(started_devs & devs));
    } else if (!recording) {
        rc = hacl_prof_record_start(__func__, out_dir, recorder_flags(c->types), storage_limit);
        recording = rc == ACL_SUCCESS;
    } else if (recorder_flags(c->types) & ~recorder_flags(started_types)) {
        /* the running recording takes the new config's kinds of data too */
        atomic_fetch_or(&hacl_trace_enabled, (int)recorder_flags(c->types));
    }
    if (rc == ACL_SUCCESS) {
        started_devs |= devs;
        started_types |= c->types;
    }
    pthread_mutex_unlock(&lock);
out:
    hacl_obj_put(&c->hdr);
    return rc;
}

MSVP_PROF_API aclError aclprofStop(const aclprofConfig *profilerConfig)
{
    aclError rc = ACL_SUCCESS;
    struct aclprofConfig *c = config_get(__func__, profilerConfig, &rc);
    if (!c)
        return rc;
    if ((rc = collection_mode(__func__)) != ACL_SUCCESS)
        goto out;
    uint64_t devs = config_devs(c);
    pthread_mutex_lock(&lock);
    if ((started_devs & devs) != devs) {
        rc = HACL_ERR(ACL_ERROR_PROF_NOT_RUN, "the config's devices (mask 0x%llx) are not all being collected",
                      (unsigned long long)devs);
    } else {
        started_devs &= ~devs;
        if (!started_devs) {
            started_types = 0;
            rc = stop_recording_locked(__func__);
        }
    }
    pthread_mutex_unlock(&lock);
out:
    hacl_obj_put(&c->hdr);
    return rc;
}

MSVP_PROF_API aclError aclprofSetConfig(aclprofConfigType configType, const char *config, size_t configLength)
{
    if (hacl_prof_mode() == HACL_PROF_OFF)
        return HACL_ERR(ACL_ERROR_PROF_NOT_RUN, "aclprofInit has not been called");
    if (configType <= ACL_PROF_ARGS_MIN || configType >= ACL_PROF_ARGS_MAX || configType == 2)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "configType %d is not an aclprofConfigType setting", (int)configType);
    if (!config || configLength == 0 || configLength > MAX_SETTING_LEN ||
        strnlen(config, configLength + 1) != configLength)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM,
                        "config must be text of configLength bytes (1 to %d, without the terminating zero)",
                        MAX_SETTING_LEN);
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&lock);
    if (configType == ACL_PROF_STORAGE_LIMIT) {
        char *end = NULL;
        unsigned long long mb = strtoull(config, &end, 10);
        if (end == config || strcmp(end, "MB") || mb < 200 || mb > 4294967295ull)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "ACL_PROF_STORAGE_LIMIT '%s' must be \"<n>MB\", n from 200 to "
                                                   "4294967295", config);
        else
            storage_limit = (uint64_t)mb << 20;
    } else if (configType == ACL_PROF_PATH) {
        char *dir = hacl_strdup(config);
        if (!dir) {
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory for the path");
        } else {
            hacl_free(out_dir);
            out_dir = dir;
        }
    } else if (configType == ACL_PROF_SYS_HARDWARE_MEM_FREQ || configType == ACL_PROF_SYS_IO_FREQ ||
               configType == ACL_PROF_SYS_INTERCONNECTION_FREQ || configType == ACL_PROF_DVPP_FREQ ||
               configType == ACL_PROF_HOST_SYS_USAGE_FREQ || configType == ACL_PROF_LOW_POWER_FREQ ||
               configType == ACL_PROF_SYS_CPU_FREQ) {
        char *end = NULL;
        long f = strtol(config, &end, 10);
        if (end == config || *end || f < 1 || f > 100)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "sampling frequency '%s' must be an integer from 1 to 100", config);
        else
            PROF_NOTE_ONCE("profiling: system sampling settings are accepted; hostacl samples no hardware");
    } else {
        PROF_NOTE_ONCE("profiling: setting %d is accepted; it changes nothing on a CPU", (int)configType);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}
