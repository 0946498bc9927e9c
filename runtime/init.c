/*
 * Initialisation, finalisation and version queries.
 *
 * aclInit counts references (each call adds one, even the repeated call that
 * returns ACL_ERROR_REPEAT_INITIALIZE); aclFinalizeReference drops one and
 * tears down at zero; aclFinalize tears down at once. Teardown destroys every
 * context, frees every device and host allocation and destroys the device
 * arenas, so a process can initialise again afterwards.
 *
 * Thread: any; everything here runs under hacl_rt.lock. Calling other
 * entry points concurrently with aclFinalize is the application's error (as
 * upstream); handles from before finalize are refused afterwards.
 */
#include <stdint.h>
#include <stdlib.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "device/trace.h"
#include "mdlri.h"
#include "runtime.h"

struct hacl_runtime hacl_rt = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .report_lock = PTHREAD_MUTEX_INITIALIZER,
    .reporters = {&hacl_rt.reporters, &hacl_rt.reporters},
};

aclError hacl_rt_require_init(const char *api)
{
    if (atomic_load_explicit(&hacl_rt.initialized, memory_order_acquire))
        return ACL_SUCCESS;
    return hacl_err(ACL_ERROR_UNINITIALIZE, api, "call aclInit first");
}

struct hacl_rtdev *hacl_rt_device(const char *api, int32_t id, aclError *rc)
{
    *rc = hacl_rt_require_init(api);
    if (*rc != ACL_SUCCESS)
        return NULL;
    if (id < 0 || (uint32_t)id >= hacl_rt.cfg.device_count || !hacl_rt.devices[id]) {
        *rc = hacl_err(ACL_ERROR_RT_INVALID_DEVICEID, api, "device id %d is out of range (this process has %u device%s)",
                       (int)id, hacl_rt.cfg.device_count, hacl_rt.cfg.device_count == 1 ? "" : "s");
        return NULL;
    }
    return hacl_rt.devices[id];
}

#define MAX_HOOKS 8
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*hooks[MAX_HOOKS])(void);
static unsigned nhooks;

int hacl_rt_on_finalize(void (*fn)(void))
{
    int rc = 0;
    pthread_mutex_lock(&hooks_lock);
    unsigned i = 0;
    while (i < nhooks && hooks[i] != fn)
        i++;
    if (i == nhooks) {
        if (nhooks < MAX_HOOKS)
            hooks[nhooks++] = fn;
        else
            rc = -1;
    }
    pthread_mutex_unlock(&hooks_lock);
    return rc;
}

static void run_finalize_hooks(void)
{
    pthread_mutex_lock(&hooks_lock);
    unsigned n = nhooks;
    void (*copy[MAX_HOOKS])(void);
    for (unsigned i = 0; i < n; i++)
        copy[i] = hooks[i];
    pthread_mutex_unlock(&hooks_lock);
    while (n > 0)
        copy[--n]();
}

static void free_host_allocations(void)
{
    struct hacl_memreg_entry e;
    while (hacl_memreg_pop(&hacl_rt.host_mem, &e) == 0)
        hacl_free((void *)e.base);
}

/* Caller holds hacl_rt.lock. */
static void teardown_locked(void)
{
    atomic_store_explicit(&hacl_rt.initialized, 0, memory_order_release);
    run_finalize_hooks();
    hacl_mdlri_finalize();
    hacl_ipc_mem_finalize();
    hacl_vmm_finalize();
    for (uint32_t i = 0; i < HACL_MAX_DEVICES; i++) {
        struct hacl_rtdev *dev = hacl_rt.devices[i];
        if (!dev)
            continue;
        hacl_device_release_contexts(dev);
        hacl_report_stop_hostfn(dev);
        if (dev->hw)
            dev->hw->ops->destroy(dev->hw);
        pthread_mutex_destroy(&dev->lock);
        hacl_free(dev);
        hacl_rt.devices[i] = NULL;
    }
    hacl_report_release_all();
    hacl_peer_reset();
    free_host_allocations();
    hacl_memreg_fini(&hacl_rt.host_mem);
    hacl_compute_stop();
    hacl_rt.init_refs = 0;
    hacl_err_set_process_mode(0);
}

ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&hacl_rt.lock);
    if (atomic_load(&hacl_rt.initialized)) {
        hacl_rt.init_refs++;
        rc = HACL_ERR(ACL_ERROR_REPEAT_INITIALIZE, "already initialised; the first configuration stays in force");
        goto out;
    }
    hacl_log_reload_level();
    struct hacl_config cfg;
    rc = hacl_config_load((configPath && *configPath) ? configPath : NULL, &cfg);
    if (rc != ACL_SUCCESS)
        goto out;

    hacl_memreg_init(&hacl_rt.host_mem, 0);
    hacl_rt.cfg = cfg;
    struct hacl_device_config dcfg = {cfg.device_memory, cfg.compute_threads, cfg.worker_threads};
    for (uint32_t i = 0; i < cfg.device_count; i++) {
        struct hacl_rtdev *dev = hacl_calloc(1, sizeof *dev);
        if (dev) {
            dev->id = (int32_t)i;
            dev->sat_mode = ACL_RT_OVERFLOW_MODE_INFNAN; /* IEEE results, as the CPU computes them */
            pthread_mutex_init(&dev->lock, NULL);
            hacl_queue_init(&dev->contexts);
            hacl_rt.devices[i] = dev;
            dev->hw = hacl_cpu_device_create((int32_t)i, &dcfg);
        }
        if (!dev || !dev->hw) {
            teardown_locked();
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating device %u", i);
            goto out;
        }
    }
    hacl_err_set_process_mode(cfg.err_msg_process);
    hacl_sched_set_spin_us(cfg.spin_us);
    hacl_compute_configure(cfg.compute_threads);
    hacl_rt.init_refs = 1;
    atomic_store_explicit(&hacl_rt.initialized, 1, memory_order_release);
    if ((rc = hacl_prof_at_init(&cfg)) != ACL_SUCCESS)
        hacl_log(ACL_WARNING, "profiling could not start; the runtime runs without it");
    rc = ACL_SUCCESS;
    hacl_log(ACL_INFO, "initialised: %u device(s), %zu bytes of memory each (%s arena), %u compute and %u worker threads",
             cfg.device_count, cfg.device_memory, hacl_arena_backend(), cfg.compute_threads, cfg.worker_threads);
out:
    pthread_mutex_unlock(&hacl_rt.lock);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclFinalize(void)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&hacl_rt.lock);
    if (!atomic_load(&hacl_rt.initialized))
        rc = HACL_ERR(ACL_ERROR_REPEAT_FINALIZE, "not initialised (never, or already finalised)");
    else
        teardown_locked();
    pthread_mutex_unlock(&hacl_rt.lock);
    if (rc == ACL_SUCCESS)
        hacl_prof_at_finalize();
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclFinalizeReference(uint64_t *refCount)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&hacl_rt.lock);
    if (!atomic_load(&hacl_rt.initialized)) {
        rc = HACL_ERR(ACL_ERROR_REPEAT_FINALIZE, "not initialised (never, or already finalised)");
        goto out;
    }
    int last = --hacl_rt.init_refs == 0;
    if (last)
        teardown_locked();
    if (refCount)
        *refCount = hacl_rt.init_refs;
    pthread_mutex_unlock(&hacl_rt.lock);
    if (last)
        hacl_prof_at_finalize();
    return rc;
out:
    pthread_mutex_unlock(&hacl_rt.lock);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion, int32_t *patchVersion)
{
    if (!majorVersion || !minorVersion || !patchVersion)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "majorVersion, minorVersion and patchVersion must not be NULL");
    *majorVersion = ACL_MAJOR_VERSION;
    *minorVersion = ACL_MINOR_VERSION;
    *patchVersion = ACL_PATCH_VERSION;
    return ACL_SUCCESS;
}

/* Answers at any time: CANN's own build helpers call it without aclInit
 * to learn SOC_VERSION. */
ACL_FUNC_VISIBILITY const char *aclrtGetSocName(void)
{
    return "HostCPU";
}

ACL_FUNC_VISIBILITY aclError aclrtGetRunMode(aclrtRunMode *runMode)
{
    if (!runMode)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "runMode must not be NULL");
    *runMode = ACL_HOST;
    return ACL_SUCCESS;
}
