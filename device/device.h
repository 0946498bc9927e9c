/*
 * hostacl internal: simulated devices.
 *
 * The runtime reaches a device only through its ops table, the way PoCL's
 * drivers are reached; the CPU device (cpu.c) is the first implementation.
 * A device owns its memory (a private arena plus an allocation registry with
 * a fixed budget) and, once streams land, its scheduler and workers.
 *
 * The fields under "runtime state" belong to runtime/device.c and
 * runtime/context.c and are guarded by dev->lock.
 *
 * Lock order (whole runtime): hacl_rt.lock > dev->lock > memreg / handle
 * registry locks (leaves). No user code runs under any of them.
 */
#ifndef HOSTACL_DEVICE_DEVICE_H
#define HOSTACL_DEVICE_DEVICE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"
#include "alloc.h"
#include "memreg.h"
#include "queue.h"
#include "scheduler.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hacl_device;
struct hacl_context;
struct hacl_reporter;

struct hacl_device_config {
    size_t mem_budget;        /* bytes of device memory */
    unsigned compute_threads; /* threads an operator may use */
    unsigned worker_threads;  /* scheduler workers running stream tasks */
};

struct hacl_device_ops {
    const char *name;
    /* Device memory: size is the caller's request. Return ACL_SUCCESS,
     * ACL_ERROR_RT_MEMORY_ALLOCATION (budget or host exhausted) or
     * ACL_ERROR_BAD_ALLOC (bookkeeping). */
    aclError (*mem_alloc)(struct hacl_device *dev, size_t size, void **out);
    /* ACL_SUCCESS, or ACL_ERROR_RT_MEMORY_FREE when ptr is not the start of a
     * live allocation of this device. */
    aclError (*mem_free)(struct hacl_device *dev, void *ptr);
    /* 0 and *out when p lies in an allocation of this device, else -1. */
    int (*mem_lookup)(struct hacl_device *dev, const void *p, struct hacl_memreg_entry *out);
    void (*mem_info)(struct hacl_device *dev, size_t *free_bytes, size_t *total_bytes);
    /* The device's scheduler, started on first use (NULL: no threads). */
    struct hacl_sched *(*scheduler)(struct hacl_device *dev);
    /* Stops the scheduler's workers (every queue must be idle). */
    void (*stop)(struct hacl_device *dev);
    /* Frees every allocation and the device itself. */
    void (*destroy)(struct hacl_device *dev);
};

struct hacl_device {
    int32_t id;
    const struct hacl_device_ops *ops;
    struct hacl_device_config cfg;
    struct hacl_memreg mem;
    struct hacl_arena *arena;
    struct hacl_sched *sched; /* created by ops->scheduler under dev->lock */

    /* runtime state, guarded by lock */
    pthread_mutex_t lock;
    uint64_t set_refs;               /* aclrtSetDevice count not yet reset */
    struct hacl_context *default_ctx; /* exists while set_refs > 0 */
    struct hacl_qnode contexts;       /* every live context of the device */
    struct hacl_reporter *hostfn;     /* runs aclrtLaunchHostFunc functions */
};

/* The real size reserved for a request: rounded up to 32 bytes plus 32, as
 * AscendCL documents; 0 when that overflows. */
size_t hacl_device_real_size(size_t size);

/* Creates the CPU device: NULL when out of memory. */
struct hacl_device *hacl_cpu_device_create(int32_t id, const struct hacl_device_config *cfg);

#ifdef __cplusplus
}
#endif

#endif
