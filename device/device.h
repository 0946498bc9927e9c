/*
 * hostacl internal: simulated devices.
 *
 * The runtime reaches a device only through its ops table, the way PoCL's
 * drivers are reached; the CPU device (cpu.c) is the first implementation.
 * A device owns its memory (a private arena plus an allocation registry with
 * a fixed budget) and, once streams land, its scheduler and workers.
 *
 * The device knows no runtime types: contexts, report threads and the
 * aclrtSetDevice count live in the runtime's per-device state
 * (struct hacl_rtdev, runtime/runtime.h, where the whole lock order is
 * written down).
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

struct hacl_device_config {
    size_t mem_budget;        /* bytes of device memory */
    unsigned compute_threads; /* threads an operator may use */
    unsigned worker_threads;  /* scheduler workers running stream tasks */
};

/* The device's driver table. Contract of every op, as a driver's would be:
 * who may call it, and which locks must not be held. "Any thread" means
 * any thread of the process, concurrently with the other ops, unless
 * stated otherwise; no op calls back into the runtime or runs user code. */
struct hacl_device_ops {
    const char *name;
    /* Device memory: size is the caller's request. Returns ACL_SUCCESS,
     * ACL_ERROR_RT_MEMORY_ALLOCATION (budget or host exhausted) or
     * ACL_ERROR_BAD_ALLOC (bookkeeping). Any thread; takes the device's
     * memory registry lock (a leaf): the caller may hold any runtime lock. */
    aclError (*mem_alloc)(struct hacl_device *dev, size_t size, void **out);
    /* ACL_SUCCESS, or ACL_ERROR_RT_MEMORY_FREE when ptr is not the start of a
     * live allocation of this device. Any thread; as mem_alloc. */
    aclError (*mem_free)(struct hacl_device *dev, void *ptr);
    /* 0 and *out when p lies in an allocation of this device, else -1.
     * Any thread, including scheduler workers inside a task; as mem_alloc. */
    int (*mem_lookup)(struct hacl_device *dev, const void *p, struct hacl_memreg_entry *out);
    /* Free and total bytes of the budget. Any thread; as mem_alloc. */
    void (*mem_info)(struct hacl_device *dev, size_t *free_bytes, size_t *total_bytes);
    /* The device's scheduler, its workers started on first use (NULL: no
     * threads). Any thread; takes dev->lock: the caller must not hold a
     * queue lock or the scheduler's lock. */
    struct hacl_sched *(*scheduler)(struct hacl_device *dev);
    /* Stops and joins the scheduler's workers. Every queue must be idle
     * (nothing queued, nothing deferred); never from a worker. */
    void (*stop)(struct hacl_device *dev);
    /* Stops the workers, frees every allocation and the device itself. One
     * thread, once, after the runtime has released every stream. */
    void (*destroy)(struct hacl_device *dev);
};

struct hacl_device {
    int32_t id;
    const struct hacl_device_ops *ops;
    struct hacl_device_config cfg;
    struct hacl_memreg mem;
    struct hacl_arena *arena;
    pthread_mutex_t lock;     /* guards sched's creation and stop */
    struct hacl_sched *sched; /* created by ops->scheduler on first use */
};

/* The real size reserved for a request: rounded up to 32 bytes plus 32, as
 * AscendCL documents; 0 when that overflows. */
size_t hacl_device_real_size(size_t size);
/* What the arena holds for a block of `real` bytes: blocks from
 * HACL_DEVICE_LARGE_BLOCK up start on a page and fill whole pages, so no
 * other block shares them (IPC export moves them into shared memory). */
#define HACL_DEVICE_LARGE_BLOCK ((size_t)16 << 10)
#define HACL_DEVICE_PAGE ((size_t)4096)
size_t hacl_device_block_bytes(size_t real);

/* Creates the CPU device: NULL when out of memory. */
struct hacl_device *hacl_cpu_device_create(int32_t id, const struct hacl_device_config *cfg);

#ifdef __cplusplus
}
#endif

#endif
