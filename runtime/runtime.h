/*
 * hostacl internal: the runtime anchor and its shared helpers.
 *
 * AscendCL's aclInit takes no handle, so one process-wide anchor (hacl_rt)
 * holds the initialisation state and the devices; every other object hangs
 * off a device, and aclFinalize tears all of it down.
 *
 * Lock order: hacl_rt.lock > dev->lock > leaf locks (memory registries,
 * handle registry, error store). No user code runs under any of them.
 */
#ifndef HOSTACL_RUNTIME_RUNTIME_H
#define HOSTACL_RUNTIME_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "acl/acl.h"
#include "config.h"
#include "device/device.h"
#include "device/memreg.h"
#include "error.h"
#include "handle.h"

struct hacl_runtime {
    pthread_mutex_t lock;
    atomic_int initialized;
    uint64_t init_refs;
    struct hacl_config cfg;
    struct hacl_device *devices[HACL_MAX_DEVICES];
    struct hacl_memreg host_mem; /* aclrtMallocHost allocations */
};

extern struct hacl_runtime hacl_rt;

/* ACL_SUCCESS when initialised, else records the error for `api`. */
aclError hacl_rt_require_init(const char *api);
/* The device with that id, or NULL (records ACL_ERROR_RT_INVALID_DEVICEID). */
struct hacl_device *hacl_rt_device(const char *api, int32_t id, aclError *rc);

/* ---- contexts (context.c) ---- */
struct hacl_context {
    struct hacl_obj hdr;
    struct hacl_device *dev;
    int is_default;
    struct hacl_qnode dev_link; /* in dev->contexts, under dev->lock */
};

/* The calling thread's current context, referenced; NULL with
 * ACL_ERROR_RT_CONTEXT_NULL recorded for `api` when there is none or it was
 * destroyed. Release with hacl_obj_put(&ctx->hdr). */
struct hacl_context *hacl_context_current(const char *api, aclError *rc);
void hacl_context_set_current(struct hacl_context *ctx);
/* Creates a context on dev (dev->lock held by the caller). */
aclError hacl_context_create_locked(struct hacl_device *dev, int is_default, struct hacl_context **out);
/* Unregisters and unlinks a context (dev->lock held); the last reference
 * frees it. Returns 0 when it was already destroyed. */
int hacl_context_destroy_locked(struct hacl_context *ctx);

/* Tears down every context of dev (finalize and forced reset). */
void hacl_device_release_contexts(struct hacl_device *dev);

/* ---- unimplemented entry points (unsupported.c) ---- */
aclError hacl_unsupported(const char *api);

#endif
