/*
 * Memory: aclrtMalloc(Cached), aclrtFree, aclrtMallocHost, aclrtFreeHost,
 * aclrtMemcpy, aclrtMemcpy2d, aclrtMemset, aclrtMemFlush/Invalidate and
 * aclrtGetMemInfo.
 *
 * Every pointer is classified before memory is touched: device memory (found
 * in some device's registry), runtime host memory (aclrtMallocHost), or
 * unknown host memory (the application's own). A copy whose kind does not
 * match its pointers, a range running past an allocation, a double free or a
 * free of the wrong kind of memory returns an error and touches nothing.
 * Unknown host memory cannot be checked and is trusted, as on any runtime.
 *
 * Thread: any. Locks: only the registries' leaf locks, inside lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "device/alloc.h"
#include "memory.h"
#include "device/trace.h"
#include "mdlri.h"
#include "runtime.h"

#define HOST_ALIGN 64

void hacl_mem_classify(const void *p, struct hacl_ptrinfo *pi)
{
    memset(pi, 0, sizeof *pi);
    pi->where = HACL_PTR_UNKNOWN_HOST;
    for (uint32_t i = 0; i < hacl_rt.cfg.device_count; i++) {
        struct hacl_device *dev = hacl_rt.devices[i] ? hacl_rt.devices[i]->hw : NULL;
        if (dev && dev->ops->mem_lookup(dev, p, &pi->alloc) == 0) {
            pi->where = HACL_PTR_DEVICE;
            pi->dev = dev;
            return;
        }
    }
    if (hacl_memreg_find(&hacl_rt.host_mem, (uintptr_t)p, &pi->alloc) == 0)
        pi->where = HACL_PTR_RUNTIME_HOST;
    else if (hacl_handle_is_live(p))
        pi->where = HACL_PTR_HANDLE; /* alloc stays empty: no range fits */
}

int hacl_mem_range_ok(const void *p, size_t len, const struct hacl_ptrinfo *pi)
{
    if (pi->where == HACL_PTR_UNKNOWN_HOST)
        return 1;
    size_t off = (size_t)((uintptr_t)p - pi->alloc.base);
    return off <= pi->alloc.size && len <= pi->alloc.size - off;
}

/* Checks that [p, p+len) lies inside the usable part of p's allocation. */
static aclError check_range(const char *api, const char *what, const void *p, size_t len,
                            const struct hacl_ptrinfo *pi)
{
    size_t off = (size_t)((uintptr_t)p - pi->alloc.base);
    if (!hacl_mem_range_ok(p, len, pi))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                        "%s range [%p, +%zu) runs past its %s allocation of %zu bytes at %#lx (offset %zu)", what, p,
                        len, pi->where == HACL_PTR_DEVICE ? "device" : "host", pi->alloc.size,
                        (unsigned long)pi->alloc.base, off);
    return ACL_SUCCESS;
}

static const char *where_name(enum hacl_ptr_where w)
{
    switch (w) {
    case HACL_PTR_DEVICE: return "device memory";
    case HACL_PTR_RUNTIME_HOST: return "host memory from aclrtMallocHost";
    case HACL_PTR_HANDLE: return "a runtime object's handle, not memory";
    default: return "host memory";
    }
}

aclError hacl_mem_check_copy(const char *api, void *dst, size_t dstLen, const void *src, size_t srcLen,
                             aclrtMemcpyKind kind, struct hacl_ptrinfo *dpi, struct hacl_ptrinfo *spi)
{
    if ((unsigned)kind > ACL_MEMCPY_INTER_DEVICE_TO_DEVICE)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "kind %d is not an aclrtMemcpyKind", (int)kind);
    hacl_mem_classify(dst, dpi);
    hacl_mem_classify(src, spi);
    if (dpi->where == HACL_PTR_HANDLE || spi->where == HACL_PTR_HANDLE)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the %s %p is %s",
                        dpi->where == HACL_PTR_HANDLE ? "destination" : "source",
                        dpi->where == HACL_PTR_HANDLE ? (const void *)dst : src, where_name(HACL_PTR_HANDLE));
    int dst_dev = dpi->where == HACL_PTR_DEVICE, src_dev = spi->where == HACL_PTR_DEVICE;
    /* The four plain kinds are corrected from where the pointers are, as
     * the platform's runtime does when it can tell (docs/semantics.md):
     * AclLite, for one, copies model outputs into new'd host memory with
     * ACL_MEMCPY_HOST_TO_HOST when it runs on the host. Except where the
     * kind says device memory and the pointer is memory the runtime does
     * not know: a freed or foreign pointer, refused below. */
    int claims_dst_dev = kind == ACL_MEMCPY_HOST_TO_DEVICE || kind == ACL_MEMCPY_DEVICE_TO_DEVICE;
    int claims_src_dev = kind == ACL_MEMCPY_DEVICE_TO_HOST || kind == ACL_MEMCPY_DEVICE_TO_DEVICE;
    if (kind <= ACL_MEMCPY_DEVICE_TO_DEVICE && !(claims_dst_dev && dpi->where == HACL_PTR_UNKNOWN_HOST) &&
        !(claims_src_dev && spi->where == HACL_PTR_UNKNOWN_HOST))
        kind = dst_dev && src_dev ? ACL_MEMCPY_DEVICE_TO_DEVICE
               : dst_dev          ? ACL_MEMCPY_HOST_TO_DEVICE
               : src_dev          ? ACL_MEMCPY_DEVICE_TO_HOST
                                  : ACL_MEMCPY_HOST_TO_HOST;
    int want_dst = -1, want_src = -1; /* -1: either */
    switch (kind) {
    case ACL_MEMCPY_HOST_TO_HOST: want_dst = 0, want_src = 0; break;
    case ACL_MEMCPY_HOST_TO_DEVICE:
    case ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE: want_dst = 1, want_src = 0; break;
    case ACL_MEMCPY_DEVICE_TO_HOST: want_dst = 0, want_src = 1; break;
    case ACL_MEMCPY_DEVICE_TO_DEVICE:
    case ACL_MEMCPY_INNER_DEVICE_TO_DEVICE:
    case ACL_MEMCPY_INTER_DEVICE_TO_DEVICE: want_dst = 1, want_src = 1; break;
    default: break;
    }
    if ((want_dst >= 0 && want_dst != dst_dev) || (want_src >= 0 && want_src != src_dev))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                        "copy kind %d does not match its pointers: destination %p is %s, source %p is %s", (int)kind,
                        dst, where_name(dpi->where), src, where_name(spi->where));
    if (dst_dev && src_dev && dpi->dev != spi->dev && (kind == ACL_MEMCPY_DEVICE_TO_DEVICE || kind == ACL_MEMCPY_DEFAULT) &&
        !hacl_peer_enabled(dpi->dev->id, spi->dev->id))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                        "a copy from device %d to device %d needs peer access between them: call "
                        "aclrtDeviceEnablePeerAccess first",
                        (int)spi->dev->id, (int)dpi->dev->id);
    if (kind == ACL_MEMCPY_INNER_DEVICE_TO_DEVICE && dpi->dev != spi->dev)
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                        "ACL_MEMCPY_INNER_DEVICE_TO_DEVICE needs both pointers on one device (destination on %d, "
                        "source on %d)",
                        (int)dpi->dev->id, (int)spi->dev->id);
    aclError rc = check_range(api, "destination", dst, dstLen, dpi);
    if (rc == ACL_SUCCESS)
        rc = check_range(api, "source", src, srcLen, spi);
    if (rc == ACL_SUCCESS)
        rc = hacl_mem_check_access(api, "destination", dst, dpi, 1);
    if (rc == ACL_SUCCESS)
        rc = hacl_mem_check_access(api, "source", src, spi, 0);
    return rc;
}

aclError hacl_mem_check_access(const char *api, const char *what, const void *p, const struct hacl_ptrinfo *pi,
                               int write)
{
    if (pi->where != HACL_PTR_DEVICE)
        return ACL_SUCCESS;
    unsigned f = pi->alloc.flags;
    if ((f & HACL_MEM_NOACCESS) || (write && (f & HACL_MEM_READONLY)))
        return hacl_err(ACL_ERROR_RT_NO_PERMISSION, api,
                        "the %s %p is mapped virtual memory whose access (aclrtMemSetAccess) allows no %s", what, p,
                        write ? "writes" : "reads");
    return ACL_SUCCESS;
}

static aclError device_malloc(const char *api, void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    if (!devPtr)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "devPtr must not be NULL");
    if (size == 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "size must be greater than 0");
    unsigned flags = ACL_MEM_TYPE_LOW_BAND_WIDTH | ACL_MEM_TYPE_HIGH_BAND_WIDTH | ACL_MEM_ACCESS_USER_SPACE_READONLY;
    if (((unsigned)policy & ~flags) > ACL_MEM_MALLOC_HUGE1G_ONLY_P2P)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "policy %#x is not an aclrtMemMallocPolicy", (unsigned)policy);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx)
        return rc;
    struct hacl_device *dev = ctx->dev->hw;
    rc = dev->ops->mem_alloc(dev, size, devPtr);
    if (rc == ACL_ERROR_RT_MEMORY_ALLOCATION) {
        size_t fr, tot;
        dev->ops->mem_info(dev, &fr, &tot);
        rc = hacl_err(rc, api, "device %d cannot allocate %zu bytes (%zu reserved with padding): %zu of %zu bytes free",
                      (int)dev->id, size, hacl_device_real_size(size), fr, tot);
    } else if (rc != ACL_SUCCESS) {
        rc = hacl_err(rc, api, "out of host memory recording a device allocation");
    }
    hacl_obj_put(&ctx->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    HACL_TRACE_API_CALL();
    return device_malloc(__func__, devPtr, size, policy);
}

ACL_FUNC_VISIBILITY aclError aclrtMallocCached(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    HACL_TRACE_API_CALL();
    return device_malloc(__func__, devPtr, size, policy);
}

ACL_FUNC_VISIBILITY aclError aclrtFree(void *devPtr)
{
    HACL_TRACE_API_CALL();
    if (!devPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    hacl_ipc_mem_before_free(devPtr);
    for (uint32_t i = 0; i < hacl_rt.cfg.device_count; i++) {
        struct hacl_device *dev = hacl_rt.devices[i] ? hacl_rt.devices[i]->hw : NULL;
        if (dev && dev->ops->mem_free(dev, devPtr) == ACL_SUCCESS)
            return ACL_SUCCESS;
    }
    struct hacl_ptrinfo pi;
    hacl_mem_classify(devPtr, &pi);
    if (pi.where == HACL_PTR_RUNTIME_HOST)
        return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE, "%p is host memory from aclrtMallocHost: free it with aclrtFreeHost",
                        devPtr);
    if (pi.where == HACL_PTR_DEVICE && (pi.alloc.flags & HACL_MEM_MAPPED))
        return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE,
                        "%p is mapped memory (aclrtMapMem or an IPC import): release it with aclrtUnmapMem or "
                        "aclrtIpcMemClose",
                        devPtr);
    if (pi.where == HACL_PTR_DEVICE)
        return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE, "%p points inside the device allocation at %#lx, not at its start",
                        devPtr, (unsigned long)pi.alloc.base);
    return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE,
                    "%p is not live device memory (already freed, or not from aclrtMalloc)", devPtr);
}

ACL_FUNC_VISIBILITY aclError aclrtMallocHost(void **hostPtr, size_t size)
{
    HACL_TRACE_API_CALL();
    if (!hostPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "hostPtr must not be NULL");
    if (size == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "size must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    void *p = hacl_malloc_aligned(HOST_ALIGN, size);
    if (!p)
        return HACL_ERR(ACL_ERROR_RT_MEMORY_ALLOCATION, "cannot allocate %zu bytes of host memory", size);
    if (hacl_memreg_add(&hacl_rt.host_mem, (uintptr_t)p, size, size) != 0) {
        hacl_free(p);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of host memory recording a host allocation");
    }
    *hostPtr = p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtFreeHost(void *hostPtr)
{
    HACL_TRACE_API_CALL();
    if (!hostPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "hostPtr must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_memreg_entry e;
    if (hacl_memreg_remove(&hacl_rt.host_mem, (uintptr_t)hostPtr, &e) == 0) {
        hacl_free(hostPtr);
        return ACL_SUCCESS;
    }
    struct hacl_ptrinfo pi;
    hacl_mem_classify(hostPtr, &pi);
    if (pi.where == HACL_PTR_DEVICE)
        return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE, "%p is device memory: free it with aclrtFree", hostPtr);
    if (pi.where == HACL_PTR_RUNTIME_HOST)
        return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE, "%p points inside the host allocation at %#lx, not at its start",
                        hostPtr, (unsigned long)pi.alloc.base);
    return HACL_ERR(ACL_ERROR_RT_MEMORY_FREE,
                    "%p is not live host memory from aclrtMallocHost (already freed, or from another allocator)",
                    hostPtr);
}

/* Checks shared by the copy calls, before any pointer is classified. */
static aclError copy_args(const char *api, const void *dst, size_t destMax, const void *src, size_t count,
                          aclrtMemcpyKind kind)
{
    if (!dst || !src)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dst and src must not be NULL");
    if (count > destMax)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "count %zu is larger than destMax %zu", count, destMax);
    aclError rc = hacl_rt_require_init(api);
    if (rc == ACL_SUCCESS && (unsigned)kind > ACL_MEMCPY_INTER_DEVICE_TO_DEVICE)
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "kind %d is not an aclrtMemcpyKind", (int)kind);
    return rc;
}

static size_t span_2d(size_t pitch, size_t width, size_t height);

static aclError copy2d_args(const char *api, const void *dst, size_t dpitch, const void *src, size_t spitch,
                            size_t width, size_t height, aclrtMemcpyKind kind)
{
    if (!dst || !src)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dst and src must not be NULL");
    if (width == 0 || height == 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api,
                        "width and height must be greater than 0 (width %zu, height %zu)", width, height);
    if (width > dpitch || width > spitch)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "width %zu is larger than dpitch %zu or spitch %zu", width,
                        dpitch, spitch);
    if (span_2d(dpitch, width, height) == 0 || span_2d(spitch, width, height) == 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the 2-D region overflows the address space");
    return copy_args(api, dst, SIZE_MAX, src, 0, kind);
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count,
                                         aclrtMemcpyKind kind)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_mdlri_check_unsafe(__func__);
    if (rc == ACL_SUCCESS)
        rc = copy_args(__func__, dst, destMax, src, count, kind);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_ptrinfo dpi, spi;
    rc = hacl_mem_check_copy(__func__, dst, count, src, count, kind, &dpi, &spi);
    if (rc != ACL_SUCCESS || count == 0)
        return rc;
    int g = hacl_value_write_begin(); /* a value wait may watch these bytes */
    memmove(dst, src, count);
    hacl_value_write_end(g);
    return ACL_SUCCESS;
}

/* Bytes a 2-D region spans: pitch * (height - 1) + width, or 0 on overflow. */
static size_t span_2d(size_t pitch, size_t width, size_t height)
{
    if (height == 0 || width == 0)
        return 0;
    if (pitch != 0 && height - 1 > (SIZE_MAX - width) / pitch)
        return 0;
    return pitch * (height - 1) + width;
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpy2d(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                                           size_t height, aclrtMemcpyKind kind)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_mdlri_check_unsafe(__func__);
    if (rc == ACL_SUCCESS)
        rc = copy2d_args(__func__, dst, dpitch, src, spitch, width, height, kind);
    if (rc != ACL_SUCCESS)
        return rc;
    size_t dlen = span_2d(dpitch, width, height), slen = span_2d(spitch, width, height);
    struct hacl_ptrinfo dpi, spi;
    rc = hacl_mem_check_copy(__func__, dst, dlen, src, slen, kind, &dpi, &spi);
    if (rc != ACL_SUCCESS)
        return rc;
    int g = hacl_value_write_begin();
    for (size_t r = 0; r < height; r++)
        memmove((char *)dst + r * dpitch, (const char *)src + r * spitch, width);
    hacl_value_write_end(g);
    return ACL_SUCCESS;
}

aclError hacl_mem_check_set(const char *api, void *devPtr, size_t maxCount, size_t count)
{
    if (!devPtr)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "devPtr must not be NULL");
    if (count > maxCount)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "count %zu is larger than maxCount %zu", count, maxCount);
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(devPtr, &pi);
    if (pi.where == HACL_PTR_UNKNOWN_HOST || pi.where == HACL_PTR_HANDLE)
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                        "%p is not memory from aclrtMalloc or aclrtMallocHost", devPtr);
    aclError rc2 = check_range(api, "target", devPtr, count, &pi);
    return rc2 == ACL_SUCCESS ? hacl_mem_check_access(api, "target", devPtr, &pi, 1) : rc2;
}

/* 1 when [p, p+n) lies in writable mappings of this process, by
 * /proc/self/maps (the fallback where process_vm_writev is filtered). */
static int range_writable(uintptr_t p, size_t n)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    uintptr_t want = p, end = p + n;
    char line[512];
    while (want < end && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo <= want && want < hi && perms[1] == 'w')
            want = hi; /* mappings are listed in address order */
    }
    fclose(f);
    return want >= end;
}

/* Host memory the runtime did not allocate: AscendCL leaves a memset of it
 * undefined, and Ascend's own samples clear stack structs with it. It is
 * written through the kernel (process_vm_writev on this process), so a
 * range that is not writable memory is an error, never a crash; where
 * seccomp filters that call, the range is checked against
 * /proc/self/maps first. 1 when written, 0 when it is not writable. */
static int write_host_bytes(void *dst, int value, size_t count)
{
    unsigned char buf[4096];
    memset(buf, value, sizeof buf);
    for (size_t done = 0; done < count;) {
        size_t n = count - done < sizeof buf ? count - done : sizeof buf;
        struct iovec local = {buf, n}, remote = {(char *)dst + done, n};
        ssize_t w = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
        if (w <= 0) {
            if (errno == EFAULT || done > 0 || !range_writable((uintptr_t)dst, count))
                return 0;
            memset(dst, value, count); /* the call is filtered; the range is writable */
            return 1;
        }
        done += (size_t)w;
    }
    return 1;
}

ACL_FUNC_VISIBILITY aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_mdlri_check_unsafe(__func__);
    if (rc == ACL_SUCCESS && devPtr && count <= maxCount && hacl_rt_require_init(__func__) == ACL_SUCCESS) {
        struct hacl_ptrinfo pi;
        hacl_mem_classify(devPtr, &pi);
        if (pi.where == HACL_PTR_UNKNOWN_HOST) {
            if (count && !write_host_bytes(devPtr, value, count))
                return HACL_ERR(ACL_ERROR_RT_PARAM_INVALID, "[%p, +%zu) is not writable memory of this process",
                                devPtr, count);
            return ACL_SUCCESS;
        }
    }
    if (rc == ACL_SUCCESS)
        rc = hacl_mem_check_set(__func__, devPtr, maxCount, count);
    if (rc != ACL_SUCCESS)
        return rc;
    int g = hacl_value_write_begin();
    memset(devPtr, (unsigned char)value, count);
    hacl_value_write_end(g);
    return ACL_SUCCESS;
}

static aclError check_device_range(const char *api, void *devPtr, size_t size)
{
    if (!devPtr || size == 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "devPtr must not be NULL and size must be greater than 0");
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(devPtr, &pi);
    if (pi.where != HACL_PTR_DEVICE)
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%p is not device memory", devPtr);
    return check_range(api, "cache", devPtr, size, &pi);
}

/* Device memory is host memory here: there is no cache to flush. */
ACL_FUNC_VISIBILITY aclError aclrtMemFlush(void *devPtr, size_t size)
{
    return check_device_range(__func__, devPtr, size);
}

ACL_FUNC_VISIBILITY aclError aclrtMemInvalidate(void *devPtr, size_t size)
{
    return check_device_range(__func__, devPtr, size);
}

ACL_FUNC_VISIBILITY aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total)
{
    if (!free || !total)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "free and total must not be NULL");
    if ((unsigned)attr > ACL_HBM_MEM_P2P_HUGE1G)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "attr %d is not an aclrtMemAttr", (int)attr);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    ctx->dev->hw->ops->mem_info(ctx->dev->hw, free, total);
    hacl_obj_put(&ctx->hdr);
    return ACL_SUCCESS;
}

/* ---- stream tasks: copies and memsets ----
 *
 * Validated when queued, exactly as the synchronous forms, and checked
 * again when they run: a buffer freed in between fails the task (reported
 * by aclrtSynchronizeStream) instead of corrupting memory. A copy may be
 * large: these run on workers, never inline. */

struct copy_task {
    struct hacl_task hdr;
    void *dst;
    const void *src;
    aclrtMemcpyKind kind;
    size_t width, height, dpitch, spitch;
};
_Static_assert(sizeof(struct copy_task) <= HACL_TASK_SLOT, "a copy task fits in a node");

struct set_task {
    struct hacl_task hdr;
    void *dst;
    size_t count;
    unsigned char value;
};

static enum hacl_task_result copy_run(struct hacl_task *t)
{
    struct copy_task *c = (struct copy_task *)t;
    size_t dlen = c->height ? c->dpitch * (c->height - 1) + c->width : 0;
    size_t slen = c->height ? c->spitch * (c->height - 1) + c->width : 0;
    struct hacl_ptrinfo dpi, spi;
    if (hacl_mem_check_copy("aclrtMemcpyAsync", c->dst, dlen, c->src, slen, c->kind, &dpi, &spi) != ACL_SUCCESS) {
        const char *why = aclGetRecentErrMsg();
        hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "%s", why ? why : "buffers no longer valid");
        return HACL_TASK_DONE;
    }
    int g = hacl_value_write_begin();
    for (size_t r = 0; r < c->height; r++)
        memmove((char *)c->dst + r * c->dpitch, (const char *)c->src + r * c->spitch, c->width);
    hacl_value_write_end(g);
    return HACL_TASK_DONE;
}

static enum hacl_task_result set_run(struct hacl_task *t)
{
    struct set_task *st = (struct set_task *)t;
    if (hacl_mem_check_set("aclrtMemsetAsync", st->dst, st->count, st->count) != ACL_SUCCESS) {
        const char *why = aclGetRecentErrMsg();
        hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "%s", why ? why : "buffer no longer valid");
        return HACL_TASK_DONE;
    }
    int g = hacl_value_write_begin();
    memset(st->dst, st->value, st->count);
    hacl_value_write_end(g);
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops copy_ops = {
    .what = "memcpy", .flags = HACL_TASK_WORK, .run = copy_run, .capture = hacl_task_capture_plain};
static const struct hacl_task_ops copy2d_ops = {
    .what = "memcpy2d", .flags = HACL_TASK_WORK, .run = copy_run, .capture = hacl_task_capture_plain};
static const struct hacl_task_ops set_ops = {
    .what = "memset", .flags = HACL_TASK_WORK, .run = set_run, .capture = hacl_task_capture_plain};

static aclError queue_copy(const char *api, void *dst, const void *src, size_t width, size_t height, size_t dp,
                           size_t sp, aclrtMemcpyKind kind, aclrtStream stream)
{
    if (kind == ACL_MEMCPY_HOST_TO_HOST)
        return hacl_err(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, api,
                        "host-to-host copies cannot be queued on a stream; use aclrtMemcpy");
    size_t dlen = dp * (height - 1) + width, slen = sp * (height - 1) + width;
    struct hacl_ptrinfo dpi, spi;
    aclError rc = hacl_mem_check_copy(api, dst, dlen, src, slen, kind, &dpi, &spi);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (!s)
        return rc;
    struct copy_task *c = HACL_STREAM_TASK(api, s, struct copy_task, height > 1 ? &copy2d_ops : &copy_ops, &rc);
    if (c) {
        c->dst = dst;
        c->src = src;
        c->kind = kind;
        c->width = width;
        c->height = height;
        c->dpitch = dp;
        c->spitch = sp;
        c->hdr.trace_bytes = (uint64_t)width * (uint64_t)height;
        rc = hacl_stream_submit(api, s, &c->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpyAsync(void *dst, size_t destMax, const void *src, size_t count,
                                              aclrtMemcpyKind kind, aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc = copy_args(__func__, dst, destMax, src, count, kind);
    if (rc != ACL_SUCCESS)
        return rc;
    if (count == 0) /* still ordered: an empty task keeps the stream's sequence honest */
        return queue_copy(__func__, dst, src, 0, 1, 0, 0, kind, stream);
    return queue_copy(__func__, dst, src, count, 1, count, count, kind, stream);
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpy2dAsync(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                                                size_t height, aclrtMemcpyKind kind, aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc = copy2d_args(__func__, dst, dpitch, src, spitch, width, height, kind);
    if (rc != ACL_SUCCESS)
        return rc;
    return queue_copy(__func__, dst, src, width, height, dpitch, spitch, kind, stream);
}

ACL_FUNC_VISIBILITY aclError aclrtMemsetAsync(void *devPtr, size_t maxCount, int32_t value, size_t count,
                                              aclrtStream stream)
{
    HACL_TRACE_API_CALL();
    aclError rc = hacl_mem_check_set(__func__, devPtr, maxCount, count);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    struct set_task *st = HACL_STREAM_TASK(__func__, s, struct set_task, &set_ops, &rc);
    if (st) {
        st->dst = devPtr;
        st->count = count;
        st->value = (unsigned char)value;
        st->hdr.trace_bytes = count;
        rc = hacl_stream_submit(__func__, s, &st->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}
