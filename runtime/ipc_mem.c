/*
 * Device memory shared between processes by key: aclrtIpcMemGetExportKey,
 * aclrtIpcMemSetImportPid, aclrtIpcMemImportByKey, aclrtIpcMemClose.
 *
 * Exporting moves the allocation into shared memory where it is: its pages
 * are copied into a memfd which is then mapped over the same addresses, so
 * the exporter's pointer stays valid and sees what importers write. Only an
 * allocation that owns whole pages can move (16 KiB or more, which the
 * device allocator gives pages of its own); a smaller one is refused. Work
 * queued on the device before the export runs first, so nothing writes the
 * old pages while they move; work queued meanwhile from other threads must
 * not write the allocation (as on Ascend, export before sharing work). aclrtFree of an exported allocation closes its keys
 * and puts private memory back before the allocator reuses the range.
 *
 * Importing maps the memfd at a new address, registered as device memory of
 * the importer's current device (aclrtFree refuses it; aclrtIpcMemClose
 * unmaps it). The mapping outlives the exporter: memory is released when
 * the last process lets go of it.
 *
 * Thread: any. Locks: mem_lock is a leaf but for the registry's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "ipc.h"
#include "memory.h"
#include "runtime.h"

struct exported { /* an allocation moved into a memfd */
    struct exported *next;
    void *base;
    size_t bytes;
    int fd;
    uint32_t slots[16]; /* its published keys */
    unsigned nslots;
};

struct imported {
    struct imported *next;
    void *addr;
    size_t map_bytes;
    struct hacl_device *dev;
    char key[HACL_IPC_KEY_LEN];
};

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct exported *exports;
static struct imported *imports;
static _Atomic int nexports;

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Moves [base, base+bytes) into a new memfd: its descriptor, or -1. */
static int move_to_memfd(void *base, size_t bytes)
{
    int fd = memfd_create("hacl-ipc-mem", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    void *tmp = MAP_FAILED;
    if (ftruncate(fd, (off_t)bytes) == 0)
        tmp = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (tmp != MAP_FAILED) {
        memcpy(tmp, base, bytes);
        munmap(tmp, bytes);
        if (mmap(base, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED)
            return fd;
    }
    close(fd);
    return -1;
}

ACL_FUNC_VISIBILITY aclError aclrtIpcMemGetExportKey(void *devPtr, size_t size, char *key, size_t len, uint64_t flags)
{
    if (!devPtr || !key)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "devPtr and key must not be NULL");
    if (flags & ~ACL_RT_IPC_MEM_EXPORT_FLAG_DISABLE_PID_VALIDATION)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags %#llx has bits that are not ACL_RT_IPC_MEM_EXPORT_FLAG_*",
                        (unsigned long long)flags);
    if (len < HACL_IPC_KEY_LEN)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "len %zu is too short for a key (%d bytes)", len, HACL_IPC_KEY_LEN);
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(devPtr, &pi);
    if (pi.where != HACL_PTR_DEVICE || pi.alloc.base != (uintptr_t)devPtr || (pi.alloc.flags & HACL_MEM_MAPPED))
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "devPtr %p is not the start of an allocation from aclrtMalloc", devPtr);
    if (size == 0 || size > pi.alloc.size)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "size %zu must be 1..%zu (the allocation's size)", size,
                        pi.alloc.size);
    size_t pg = page_size(), usable = hacl_device_block_bytes(pi.alloc.real); /* whole pages (device.h) */
    if (pg != HACL_DEVICE_PAGE || (uintptr_t)devPtr % pg || pi.alloc.real < HACL_DEVICE_LARGE_BLOCK)
        return HACL_ERR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                        "allocation %p (%zu bytes) shares its pages with others: allocations of %zu bytes or more "
                        "can be shared between processes",
                        devPtr, pi.alloc.size, HACL_DEVICE_LARGE_BLOCK - 64);
    pthread_mutex_lock(&mem_lock);
    struct exported *x = exports;
    while (x && x->base != devPtr)
        x = x->next;
    if (!x) {
        /* work already queued on the device (a kernel writing it) finishes
         * first, so nothing writes the old pages while they move */
        pthread_mutex_unlock(&mem_lock);
        hacl_device_drain(hacl_rt.devices[pi.dev->id]);
        pthread_mutex_lock(&mem_lock);
        for (x = exports; x && x->base != devPtr;)
            x = x->next;
    }
    if (!x) {
        x = hacl_calloc(1, sizeof *x);
        int fd = x ? move_to_memfd(devPtr, usable) : -1;
        if (fd < 0) {
            hacl_free(x);
            pthread_mutex_unlock(&mem_lock);
            return HACL_ERR(ACL_ERROR_RT_IPC_ERROR, "cannot move %p into shared memory: %s", devPtr, strerror(errno));
        }
        *x = (struct exported){.next = exports, .base = devPtr, .bytes = usable, .fd = fd};
        exports = x;
        atomic_fetch_add(&nexports, 1);
    }
    uint32_t slot;
    if (x->nslots == sizeof x->slots / sizeof x->slots[0])
        rc = HACL_ERR(ACL_ERROR_RT_IPC_ERROR, "allocation %p already has %u open keys", devPtr, x->nslots);
    else
        rc = hacl_ipc_slot_take(__func__, HACL_IPC_MEM, x->fd, 0, size, &slot);
    if (rc == ACL_SUCCESS) {
        x->slots[x->nslots++] = slot;
        struct hacl_ipc_ref ref;
        hacl_ipc_publish(slot, (flags & ACL_RT_IPC_MEM_EXPORT_FLAG_DISABLE_PID_VALIDATION) != 0, &ref);
        hacl_ipc_format_key(&ref, key, len);
    }
    pthread_mutex_unlock(&mem_lock);
    return rc;
}

static aclError parse(const char *api, const char *key, struct hacl_ipc_ref *ref)
{
    if (!key)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "key must not be NULL");
    if (hacl_ipc_parse_key(key, ref) != 0)
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api, "\"%.40s\" is not a key from aclrtIpcMemGetExportKey", key);
    return hacl_rt_require_init(api);
}

ACL_FUNC_VISIBILITY aclError aclrtIpcMemSetImportPid(const char *key, int32_t *pid, size_t num)
{
    struct hacl_ipc_ref ref;
    aclError rc = parse(__func__, key, &ref);
    return rc == ACL_SUCCESS ? hacl_ipc_allow(__func__, &ref, pid, num) : rc;
}

ACL_FUNC_VISIBILITY aclError aclrtIpcMemSetAttr(const char *key, aclrtIpcMemAttrType type, uint64_t attr)
{
    struct hacl_ipc_ref ref;
    aclError rc = parse(__func__, key, &ref);
    if (rc != ACL_SUCCESS)
        return rc;
    if (type != ACL_RT_IPC_MEM_ATTR_ACCESS_LINK)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "type %d is not an aclrtIpcMemAttrType", (int)type);
    if (attr > ACL_RT_IPC_MEM_ATTR_ACCESS_LINK_UB_MULTI_PORT_PATH)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "attr %llu is not an ACL_RT_IPC_MEM_ATTR_ACCESS_LINK_* value",
                        (unsigned long long)attr);
    return ACL_SUCCESS; /* one host: every link is the same memory */
}

ACL_FUNC_VISIBILITY aclError aclrtIpcMemImportByKey(void **devPtr, const char *key, uint64_t flags)
{
    if (!devPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
    if (flags & ~ACL_RT_IPC_MEM_IMPORT_FLAG_ENABLE_PEER_ACCESS)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags %#llx has bits that are not ACL_RT_IPC_MEM_IMPORT_FLAG_*",
                        (unsigned long long)flags);
    struct hacl_ipc_ref ref;
    aclError rc = parse(__func__, key, &ref);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    struct hacl_device *dev = ctx->dev->hw;
    hacl_obj_put(&ctx->hdr);
    struct hacl_ipc_slot *s;
    int fd = -1;
    if ((rc = hacl_ipc_import(__func__, &ref, HACL_IPC_MEM, &s, &fd)) != ACL_SUCCESS)
        return rc;
    size_t size = s->size, pg = page_size(), map_bytes = (size + pg - 1) / pg * pg;
    struct stat st;
    void *addr = MAP_FAILED;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size >= map_bytes)
        addr = mmap(NULL, map_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    struct imported *im = addr != MAP_FAILED ? hacl_calloc(1, sizeof *im) : NULL;
    if (!im || hacl_memreg_add_mapped(&dev->mem, (uintptr_t)addr, size) != 0) {
        if (addr != MAP_FAILED)
            munmap(addr, map_bytes);
        hacl_free(im);
        return HACL_ERR(ACL_ERROR_RT_IPC_ERROR, "cannot map the memory of key %s", key);
    }
    *im = (struct imported){.addr = addr, .map_bytes = map_bytes, .dev = dev};
    snprintf(im->key, sizeof im->key, "%s", key);
    pthread_mutex_lock(&mem_lock);
    im->next = imports;
    imports = im;
    pthread_mutex_unlock(&mem_lock);
    *devPtr = addr;
    return ACL_SUCCESS;
}

/* New work refuses the range at once; work already queued (a kernel still
 * reading it) runs before it goes. */
static void unmap_import(struct imported *im)
{
    struct hacl_memreg_entry e;
    hacl_memreg_remove(&im->dev->mem, (uintptr_t)im->addr, &e);
    if (hacl_rt.devices[im->dev->id])
        hacl_device_drain(hacl_rt.devices[im->dev->id]);
    munmap(im->addr, im->map_bytes);
    hacl_free(im);
}

/* Frees the published slot `slot` of x. Caller holds mem_lock. */
static void drop_slot_locked(struct exported *x, unsigned i)
{
    hacl_ipc_slot_free(x->slots[i]);
    x->slots[i] = x->slots[--x->nslots];
}

ACL_FUNC_VISIBILITY aclError aclrtIpcMemClose(const char *key)
{
    struct hacl_ipc_ref ref;
    aclError rc = parse(__func__, key, &ref);
    if (rc != ACL_SUCCESS)
        return rc;
    pthread_mutex_lock(&mem_lock);
    struct imported **pp = &imports;
    while (*pp && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    struct imported *im = *pp;
    if (im)
        *pp = im->next;
    int closed = 0;
    if (!im && ref.pid == (int32_t)getpid())
        for (struct exported *x = exports; x && !closed; x = x->next)
            for (unsigned i = 0; i < x->nslots && !closed; i++)
                if (x->slots[i] == ref.slot && atomic_load(&hacl_ipc_slot_at(ref.slot)->nonce) == ref.nonce) {
                    drop_slot_locked(x, i);
                    closed = 1;
                }
    pthread_mutex_unlock(&mem_lock);
    if (im) {
        unmap_import(im);
        return ACL_SUCCESS;
    }
    if (closed)
        return ACL_SUCCESS;
    return HACL_ERR(ACL_ERROR_INVALID_PARAM, "key %s is neither imported nor exported (and open) by this process", key);
}

void hacl_ipc_mem_before_free(void *devPtr)
{
    if (atomic_load_explicit(&nexports, memory_order_relaxed) == 0)
        return;
    pthread_mutex_lock(&mem_lock);
    struct exported **pp = &exports;
    while (*pp && (*pp)->base != devPtr)
        pp = &(*pp)->next;
    struct exported *x = *pp;
    if (x) {
        *pp = x->next;
        atomic_fetch_sub(&nexports, 1);
        while (x->nslots)
            drop_slot_locked(x, 0);
    }
    pthread_mutex_unlock(&mem_lock);
    if (!x)
        return;
    /* private memory again before the allocator hands the range out */
    (void)mmap(x->base, x->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    close(x->fd);
    hacl_free(x);
}

void hacl_ipc_mem_finalize(void)
{
    pthread_mutex_lock(&mem_lock);
    struct imported *im = imports;
    struct exported *x = exports;
    imports = NULL;
    exports = NULL;
    atomic_store(&nexports, 0);
    pthread_mutex_unlock(&mem_lock);
    while (im) {
        struct imported *next = im->next;
        unmap_import(im);
        im = next;
    }
    while (x) {
        struct exported *next = x->next;
        while (x->nslots) {
            hacl_ipc_slot_free(x->slots[--x->nslots]);
        }
        (void)mmap(x->base, x->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        close(x->fd);
        hacl_free(x);
        x = next;
    }
}
