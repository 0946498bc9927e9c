/*
 * Virtual memory: reserved address ranges, physical memory, and mappings
 * of the one into the other, shareable between processes.
 *
 * A reservation is address space only: mmap(PROT_NONE, MAP_NORESERVE).
 * Physical memory is a memfd of the requested size (pages appear when
 * touched), counted in its device's budget from aclrtMallocPhysical until
 * the handle is freed and its last mapping is gone. aclrtMapMem maps the
 * memfd over part of a reservation (MAP_FIXED) and registers the range as
 * device memory of the physical memory's device, so every copy, fill and
 * model call takes pointers into it; aclrtUnmapMem puts PROT_NONE address
 * space back. aclrtMemSetAccess is recorded on the range and enforced by
 * the runtime's copies and fills (device memory is not the host's to touch
 * directly on Ascend either).
 *
 * Shareable handles publish the memfd in the sharing registry (ipc.h): the
 * 64-bit handle names (pid, slot, nonce); an importer gets a handle of its
 * own over the same memfd.
 *
 * Thread: any. Locks: vmm_lock, then a device's memreg lock.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "ipc.h"
#include "memory.h"
#include "runtime.h"

#define GRANULARITY ((size_t)2 << 20) /* what Ascend devices use */

struct hacl_phys {
    struct hacl_obj hdr;
    int fd;
    size_t size;
    aclrtPhysicalMemProp prop;
    struct hacl_device *dev;
    int counted;   /* reserved in dev's budget (not for imported memory) */
    int64_t slot;  /* exported: its registry slot; -1: not */
    struct hacl_phys *next, **prev; /* in the list of handles not yet freed (vmm_lock) */
};

struct mapping {
    struct mapping *next;
    uintptr_t addr;
    size_t size;
    struct hacl_phys *phys; /* referenced */
    uint64_t access;        /* ACL_RT_MEM_ACCESS_FLAGS_* */
};

struct reservation {
    struct reservation *next;
    uintptr_t base;
    size_t size;
    struct mapping *maps;
};

static pthread_mutex_t vmm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct reservation *reservations;
static struct hacl_phys *handles;

static void phys_release(struct hacl_obj *o)
{
    struct hacl_phys *p = (struct hacl_phys *)o;
    if (p->slot >= 0)
        hacl_ipc_slot_free((uint32_t)p->slot);
    close(p->fd);
    if (p->counted)
        hacl_memreg_unreserve(&p->dev->mem, p->size);
    hacl_free(p);
}

static struct hacl_phys *phys_get(const char *api, aclrtDrvMemHandle h, aclError *rc)
{
    if (!h) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "handle must not be NULL");
        return NULL;
    }
    if ((*rc = hacl_rt_require_init(api)) != ACL_SUCCESS)
        return NULL;
    struct hacl_phys *p = (struct hacl_phys *)hacl_handle_get(h, HACL_KIND_PHYS_MEM);
    if (!p)
        *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p is not a live physical memory handle", h);
    return p;
}

/* The device a location names, or NULL with the error recorded. */
static struct hacl_device *location_device(const char *api, const aclrtMemLocation *loc, aclError *rc)
{
    if (loc->type != ACL_MEM_LOCATION_TYPE_DEVICE) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api,
                       "location type %d: only ACL_MEM_LOCATION_TYPE_DEVICE is supported", (int)loc->type);
        return NULL;
    }
    if (loc->id >= hacl_rt.cfg.device_count || !hacl_rt.devices[loc->id]) {
        *rc = hacl_err(ACL_ERROR_RT_INVALID_DEVICEID, api, "device %u does not exist (%u devices)", loc->id,
                       hacl_rt.cfg.device_count);
        return NULL;
    }
    *rc = ACL_SUCCESS;
    return hacl_rt.devices[loc->id]->hw;
}

static aclError check_prop(const char *api, const aclrtPhysicalMemProp *prop, struct hacl_device **dev)
{
    if (!prop)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "prop must not be NULL");
    if (prop->handleType != ACL_MEM_HANDLE_TYPE_NONE && prop->handleType != ACL_MEM_HANDLE_TYPE_POSIX)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "handleType %d is not an aclrtMemHandleType", (int)prop->handleType);
    if (prop->allocationType != ACL_MEM_ALLOCATION_TYPE_PINNED)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "allocationType %d is not ACL_MEM_ALLOCATION_TYPE_PINNED",
                        (int)prop->allocationType);
    if ((unsigned)prop->memAttr > ACL_MEM_P2P_HUGE1G)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "memAttr %d is not an aclrtMemAttr", (int)prop->memAttr);
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    *dev = location_device(api, &prop->location, &rc);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMemGetAllocationGranularity(aclrtPhysicalMemProp *prop,
                                                              aclrtMemGranularityOptions option, size_t *granularity)
{
    if (!granularity)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "granularity must not be NULL");
    if (option != ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM && option != ACL_RT_MEM_ALLOC_GRANULARITY_RECOMMENDED)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "option %d is not an aclrtMemGranularityOptions", (int)option);
    struct hacl_device *dev;
    aclError rc = check_prop(__func__, prop, &dev);
    if (rc == ACL_SUCCESS)
        *granularity = GRANULARITY;
    return rc;
}

static aclError phys_new(const char *api, int fd, size_t size, const aclrtPhysicalMemProp *prop,
                         struct hacl_device *dev, int counted, aclrtDrvMemHandle *handle)
{
    struct hacl_phys *p = hacl_calloc(1, sizeof *p);
    if (!p) {
        close(fd);
        if (counted)
            hacl_memreg_unreserve(&dev->mem, size);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    }
    hacl_obj_init(&p->hdr, HACL_KIND_PHYS_MEM, phys_release);
    *p = (struct hacl_phys){.hdr = p->hdr, .fd = fd, .size = size, .prop = *prop, .dev = dev, .counted = counted, .slot = -1};
    if (hacl_handle_register(&p->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&p->hdr);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    }
    pthread_mutex_lock(&vmm_lock);
    p->next = handles;
    p->prev = &handles;
    if (handles)
        handles->prev = &p->next;
    handles = p;
    pthread_mutex_unlock(&vmm_lock);
    *handle = p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMallocPhysical(aclrtDrvMemHandle *handle, size_t size,
                                                 const aclrtPhysicalMemProp *prop, uint64_t flags)
{
    HACL_TRACE_API_CALL();
    if (!handle)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "handle must not be NULL");
    if (flags != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags is reserved and must be 0");
    struct hacl_device *dev;
    aclError rc = check_prop(__func__, prop, &dev);
    if (rc != ACL_SUCCESS)
        return rc;
    if (size == 0 || size % GRANULARITY)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "size %zu must be a positive multiple of the granularity (%zu)", size,
                        GRANULARITY);
    if (hacl_memreg_reserve(&dev->mem, size) != 0)
        return HACL_ERR(ACL_ERROR_RT_MEMORY_ALLOCATION, "device %d has no %zu bytes left in its budget", (int)dev->id,
                        size);
    int fd = memfd_create("hacl-phys", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        hacl_memreg_unreserve(&dev->mem, size);
        return HACL_ERR(ACL_ERROR_RT_MEMORY_ALLOCATION, "cannot create %zu bytes of physical memory: %s", size,
                        strerror(e));
    }
    return phys_new(__func__, fd, size, prop, dev, 1, handle);
}

ACL_FUNC_VISIBILITY aclError aclrtFreePhysical(aclrtDrvMemHandle handle)
{
    HACL_TRACE_API_CALL();
    aclError rc;
    struct hacl_phys *p = phys_get(__func__, handle, &rc);
    if (!p)
        return rc;
    if (hacl_handle_unregister(&p->hdr)) {
        pthread_mutex_lock(&vmm_lock);
        *p->prev = p->next;
        if (p->next)
            p->next->prev = p->prev;
        pthread_mutex_unlock(&vmm_lock);
        hacl_obj_put(&p->hdr); /* the memory stays while mappings hold it */
    } else
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p was freed concurrently", handle);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMemGetAllocationPropertiesFromHandle(aclrtDrvMemHandle handle,
                                                                       aclrtPhysicalMemProp *prop)
{
    if (!prop)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "prop must not be NULL");
    aclError rc;
    struct hacl_phys *p = phys_get(__func__, handle, &rc);
    if (!p)
        return rc;
    *prop = p->prop;
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

/* ---- address space ---- */

static aclError reserve(const char *api, void **virPtr, size_t size, size_t alignment, void *expectPtr,
                        uint64_t flags)
{
    if (!virPtr)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "virPtr must not be NULL");
    if (flags != 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "flags is reserved and must be 0");
    if (size == 0 || size % GRANULARITY)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "size %zu must be a positive multiple of the granularity (%zu)",
                        size, GRANULARITY);
    if (alignment & (alignment - 1))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "alignment %zu must be 0 or a power of two", alignment);
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    size_t align = alignment > GRANULARITY ? alignment : GRANULARITY;
    size_t span = size + align;
    char *m = mmap(expectPtr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return hacl_err(ACL_ERROR_RT_MEMORY_ALLOCATION, api, "cannot reserve %zu bytes of address space: %s", size,
                        strerror(errno));
    char *base = (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1));
    if (base > m)
        munmap(m, (size_t)(base - m));
    if (base + size < m + span)
        munmap(base + size, (size_t)(m + span - (base + size)));
    struct reservation *r = hacl_calloc(1, sizeof *r);
    if (!r) {
        munmap(base, size);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    }
    r->base = (uintptr_t)base;
    r->size = size;
    pthread_mutex_lock(&vmm_lock);
    r->next = reservations;
    reservations = r;
    pthread_mutex_unlock(&vmm_lock);
    *virPtr = base;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtReserveMemAddress(void **virPtr, size_t size, size_t alignment, void *expectPtr,
                                                    uint64_t flags)
{
    HACL_TRACE_API_CALL();
    return reserve(__func__, virPtr, size, alignment, expectPtr, flags);
}

ACL_FUNC_VISIBILITY aclError aclrtReserveMemAddressNoUCMemory(void **virPtr, size_t size, size_t alignment,
                                                              void *expectPtr, uint64_t flags)
{
    return reserve(__func__, virPtr, size, alignment, expectPtr, flags);
}

/* The reservation holding [p, p+len). Caller holds vmm_lock. */
static struct reservation *reservation_of_locked(uintptr_t p, size_t len)
{
    for (struct reservation *r = reservations; r; r = r->next)
        if (p >= r->base && p - r->base < r->size && len <= r->size - (p - r->base))
            return r;
    return NULL;
}

ACL_FUNC_VISIBILITY aclError aclrtReleaseMemAddress(void *virPtr)
{
    HACL_TRACE_API_CALL();
    if (!virPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "virPtr must not be NULL");
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&vmm_lock);
    struct reservation **pp = &reservations;
    while (*pp && (*pp)->base != (uintptr_t)virPtr)
        pp = &(*pp)->next;
    struct reservation *r = *pp;
    if (!r)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not the start of a range from aclrtReserveMemAddress", virPtr);
    else if (r->maps)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the range at %p still has mappings: aclrtUnmapMem them first", virPtr);
    else
        *pp = r->next;
    pthread_mutex_unlock(&vmm_lock);
    if (rc == ACL_SUCCESS) {
        munmap((void *)r->base, r->size);
        hacl_free(r);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMapMem(void *virPtr, size_t size, size_t offset, aclrtDrvMemHandle handle,
                                         uint64_t flags)
{
    HACL_TRACE_API_CALL();
    if (!virPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "virPtr must not be NULL");
    if (flags != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags is reserved and must be 0");
    aclError rc;
    struct hacl_phys *p = phys_get(__func__, handle, &rc);
    if (!p)
        return rc;
    uintptr_t a = (uintptr_t)virPtr;
    if (size == 0 || size % GRANULARITY || offset % GRANULARITY || a % GRANULARITY)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM,
                      "virPtr %p, size %zu and offset %zu must be multiples of the granularity (%zu), size positive",
                      virPtr, size, offset, GRANULARITY);
    else if (offset > p->size || size > p->size - offset)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "offset %zu + size %zu run past the physical memory's %zu bytes", offset,
                      size, p->size);
    struct mapping *m = NULL;
    if (rc == ACL_SUCCESS) {
        pthread_mutex_lock(&vmm_lock);
        struct reservation *r = reservation_of_locked(a, size);
        if (!r)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "[%p, +%zu) is not inside one reserved range", virPtr, size);
        for (struct mapping *o = r ? r->maps : NULL; o && rc == ACL_SUCCESS; o = o->next)
            if (a < o->addr + o->size && o->addr < a + size)
                rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "[%p, +%zu) overlaps the mapping at %#lx", virPtr, size,
                              (unsigned long)o->addr);
        if (rc == ACL_SUCCESS && !(m = hacl_calloc(1, sizeof *m)))
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
        if (rc == ACL_SUCCESS &&
            mmap(virPtr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, p->fd, (off_t)offset) == MAP_FAILED)
            rc = HACL_ERR(ACL_ERROR_RT_MEMORY_ALLOCATION, "cannot map the physical memory: %s", strerror(errno));
        if (rc == ACL_SUCCESS && hacl_memreg_add_mapped(&p->dev->mem, a, size) != 0) {
            (void)mmap(virPtr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
        }
        if (rc == ACL_SUCCESS) {
            *m = (struct mapping){.next = r->maps, .addr = a, .size = size, .phys = p,
                                  .access = ACL_RT_MEM_ACCESS_FLAGS_READWRITE};
            r->maps = m;
            p = NULL; /* the mapping's reference */
        } else {
            hacl_free(m);
        }
        pthread_mutex_unlock(&vmm_lock);
    }
    if (p)
        hacl_obj_put(&p->hdr);
    return rc;
}

/* Takes the mapping starting at a off its reservation. Caller holds vmm_lock. */
static struct mapping *take_mapping_locked(uintptr_t a)
{
    for (struct reservation *r = reservations; r; r = r->next)
        for (struct mapping **mp = &r->maps; *mp; mp = &(*mp)->next)
            if ((*mp)->addr == a) {
                struct mapping *m = *mp;
                *mp = m->next;
                return m;
            }
    return NULL;
}

/* New work refuses the range at once; work already queued runs before it
 * goes (aclrtUnmapMem asks no synchronisation of the application). */
static void unmap(struct mapping *m)
{
    struct hacl_memreg_entry e;
    hacl_memreg_remove(&m->phys->dev->mem, m->addr, &e);
    if (hacl_rt.devices[m->phys->dev->id])
        hacl_device_drain(hacl_rt.devices[m->phys->dev->id]);
    (void)mmap((void *)m->addr, m->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    hacl_obj_put(&m->phys->hdr);
    hacl_free(m);
}

ACL_FUNC_VISIBILITY aclError aclrtUnmapMem(void *virPtr)
{
    HACL_TRACE_API_CALL();
    if (!virPtr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "virPtr must not be NULL");
    pthread_mutex_lock(&vmm_lock);
    struct mapping *m = take_mapping_locked((uintptr_t)virPtr);
    pthread_mutex_unlock(&vmm_lock);
    if (m)
        unmap(m); /* still reserved: nothing else is mapped there meanwhile */
    return m ? ACL_SUCCESS : HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not the start of a mapping from aclrtMapMem", virPtr);
}

/* The mapping holding p. Caller holds vmm_lock. */
static struct mapping *mapping_of_locked(uintptr_t p)
{
    for (struct reservation *r = reservations; r; r = r->next)
        for (struct mapping *m = r->maps; m; m = m->next)
            if (p >= m->addr && p - m->addr < m->size)
                return m;
    return NULL;
}

ACL_FUNC_VISIBILITY aclError aclrtMemSetAccess(void *virPtr, size_t size, aclrtMemAccessDesc *desc, size_t count)
{
    if (!virPtr || !desc || count == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "virPtr and desc must not be NULL, count positive");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    for (size_t i = 0; i < count; i++) {
        if (desc[i].flags != ACL_RT_MEM_ACCESS_FLAGS_NONE && desc[i].flags != ACL_RT_MEM_ACCESS_FLAGS_READ &&
            desc[i].flags != ACL_RT_MEM_ACCESS_FLAGS_READWRITE)
            return HACL_ERR(ACL_ERROR_INVALID_PARAM, "desc[%zu].flags %d is not an aclrtMemAccessFlags", i,
                            (int)desc[i].flags);
        if (!location_device(__func__, &desc[i].location, &rc))
            return rc;
    }
    pthread_mutex_lock(&vmm_lock);
    /* every byte of the range must be mapped */
    uintptr_t a = (uintptr_t)virPtr, end = a + size;
    for (uintptr_t p = a; p < end && rc == ACL_SUCCESS;) {
        struct mapping *m = mapping_of_locked(p);
        if (!m)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "%#lx in [%p, +%zu) is not mapped", (unsigned long)p, virPtr, size);
        else
            p = m->addr + m->size;
    }
    for (uintptr_t p = a; p < end && rc == ACL_SUCCESS;) {
        struct mapping *m = mapping_of_locked(p);
        uint64_t f = m->access;
        for (size_t i = 0; i < count; i++)
            if (desc[i].location.id == (uint32_t)m->phys->dev->id)
                f = desc[i].flags;
        m->access = f;
        hacl_memreg_set_flags(&m->phys->dev->mem, m->addr,
                              HACL_MEM_MAPPED | (f == ACL_RT_MEM_ACCESS_FLAGS_NONE   ? HACL_MEM_NOACCESS
                                                 : f == ACL_RT_MEM_ACCESS_FLAGS_READ ? HACL_MEM_READONLY
                                                                                     : 0));
        p = m->addr + m->size;
    }
    pthread_mutex_unlock(&vmm_lock);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMemGetAccess(void *virPtr, aclrtMemLocation *location, uint64_t *flag)
{
    if (!virPtr || !location || !flag)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "virPtr, location and flag must not be NULL");
    pthread_mutex_lock(&vmm_lock);
    struct mapping *m = mapping_of_locked((uintptr_t)virPtr);
    if (m) {
        location->type = ACL_MEM_LOCATION_TYPE_DEVICE;
        location->id = (uint32_t)m->phys->dev->id;
        *flag = m->access;
    }
    pthread_mutex_unlock(&vmm_lock);
    return m ? ACL_SUCCESS : HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not mapped memory", virPtr);
}

ACL_FUNC_VISIBILITY aclError aclrtMemRetainAllocationHandle(void *virPtr, aclrtDrvMemHandle *handle)
{
    if (!virPtr || !handle)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "virPtr and handle must not be NULL");
    pthread_mutex_lock(&vmm_lock);
    struct mapping *m = mapping_of_locked((uintptr_t)virPtr);
    struct hacl_phys *p = m ? m->phys : NULL;
    int live = p && hacl_handle_is_live(p);
    if (live)
        *handle = p;
    pthread_mutex_unlock(&vmm_lock);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not mapped memory", virPtr);
    return live ? ACL_SUCCESS
                : HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "the physical memory mapped at %p was already freed",
                           virPtr);
}

ACL_FUNC_VISIBILITY aclError aclrtMemGetAddressRange(void *ptr, void **pbase, size_t *psize)
{
    if (!ptr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "ptr must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(ptr, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(ptr, 1, &pi))
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not device memory", ptr);
    if (pbase)
        *pbase = (void *)pi.alloc.base;
    if (psize)
        *psize = pi.alloc.size;
    return ACL_SUCCESS;
}

/* ---- sharing ---- */

static aclError export_phys(const char *api, aclrtDrvMemHandle handle, uint64_t flags, uint64_t *out)
{
    if (flags & ~ACL_RT_VMM_EXPORT_FLAG_DISABLE_PID_VALIDATION)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "flags %#llx has bits that are not ACL_RT_VMM_EXPORT_FLAG_*",
                        (unsigned long long)flags);
    aclError rc;
    struct hacl_phys *p = phys_get(api, handle, &rc);
    if (!p)
        return rc;
    if (!p->counted) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "handle %p was imported: only its creator exports it", handle);
    } else {
        pthread_mutex_lock(&vmm_lock);
        uint32_t slot = 0;
        if (p->slot < 0 && (rc = hacl_ipc_slot_take(api, HACL_IPC_PHYS, p->fd, 0, p->size, &slot)) == ACL_SUCCESS)
            p->slot = slot;
        if (rc == ACL_SUCCESS) {
            struct hacl_ipc_ref ref;
            hacl_ipc_publish((uint32_t)p->slot, (flags & ACL_RT_VMM_EXPORT_FLAG_DISABLE_PID_VALIDATION) != 0, &ref);
            *out = hacl_ipc_pack(&ref);
        }
        pthread_mutex_unlock(&vmm_lock);
    }
    hacl_obj_put(&p->hdr);
    return rc;
}

static aclError import_phys(const char *api, uint64_t shareable, int32_t deviceId, aclrtDrvMemHandle *handle)
{
    if (!handle)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "handle must not be NULL");
    struct hacl_ipc_ref ref;
    if (hacl_ipc_unpack(shareable, &ref) != 0)
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api, "%#llx is not a shareable handle", (unsigned long long)shareable);
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    aclrtMemLocation loc = {.id = (uint32_t)deviceId, .type = ACL_MEM_LOCATION_TYPE_DEVICE};
    if (deviceId < 0)
        return hacl_err(ACL_ERROR_RT_INVALID_DEVICEID, api, "device %d does not exist", (int)deviceId);
    struct hacl_device *dev = location_device(api, &loc, &rc);
    if (!dev)
        return rc;
    struct hacl_ipc_slot *s;
    int fd = -1;
    if ((rc = hacl_ipc_import(api, &ref, HACL_IPC_PHYS, &s, &fd)) != ACL_SUCCESS)
        return rc;
    struct stat st;
    size_t size = s->size;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < size) {
        close(fd);
        return hacl_err(ACL_ERROR_RT_IPC_ERROR, api, "the shared physical memory is smaller than its record says");
    }
    aclrtPhysicalMemProp prop = {.handleType = ACL_MEM_HANDLE_TYPE_NONE,
                                 .allocationType = ACL_MEM_ALLOCATION_TYPE_PINNED,
                                 .memAttr = ACL_HBM_MEM_NORMAL,
                                 .location = loc};
    return phys_new(api, fd, size, &prop, dev, 0, handle);
}

ACL_FUNC_VISIBILITY aclError aclrtMemExportToShareableHandle(aclrtDrvMemHandle handle, aclrtMemHandleType handleType,
                                                             uint64_t flags, uint64_t *shareableHandle)
{
    if (!shareableHandle)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "shareableHandle must not be NULL");
    if (handleType != ACL_MEM_HANDLE_TYPE_NONE && handleType != ACL_MEM_HANDLE_TYPE_POSIX)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "handleType %d is not an aclrtMemHandleType", (int)handleType);
    return export_phys(__func__, handle, flags, shareableHandle);
}

ACL_FUNC_VISIBILITY aclError aclrtMemImportFromShareableHandle(uint64_t shareableHandle, int32_t deviceId,
                                                               aclrtDrvMemHandle *handle)
{
    return import_phys(__func__, shareableHandle, deviceId, handle);
}

ACL_FUNC_VISIBILITY aclError aclrtMemSetPidToShareableHandle(uint64_t shareableHandle, int32_t *pid, size_t pidNum)
{
    struct hacl_ipc_ref ref;
    if (hacl_ipc_unpack(shareableHandle, &ref) != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%#llx is not a shareable handle", (unsigned long long)shareableHandle);
    aclError rc = hacl_rt_require_init(__func__);
    return rc == ACL_SUCCESS ? hacl_ipc_allow(__func__, &ref, pid, pidNum) : rc;
}

/* The V2 forms: a DEFAULT handle is the uint64_t the pointer points at; a
 * FABRIC one (another server on Ascend; this host here) carries the same
 * value in its first 8 bytes, the rest zero. */
static aclError v2_value(const char *api, const void *shareable, aclrtMemSharedHandleType type, uint64_t *v)
{
    if (!shareable)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "shareableHandle must not be NULL");
    if (type != ACL_MEM_SHARE_HANDLE_TYPE_DEFAULT && type != ACL_MEM_SHARE_HANDLE_TYPE_FABRIC)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "shareType %d is not an aclrtMemSharedHandleType", (int)type);
    memcpy(v, shareable, sizeof *v);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtMemExportToShareableHandleV2(aclrtDrvMemHandle handle, uint64_t flags,
                                                               aclrtMemSharedHandleType shareType,
                                                               void *shareableHandle)
{
    uint64_t v = 0;
    aclError rc = v2_value(__func__, shareableHandle, shareType, &v);
    if (rc == ACL_SUCCESS)
        rc = export_phys(__func__, handle, flags, &v);
    if (rc == ACL_SUCCESS) {
        if (shareType == ACL_MEM_SHARE_HANDLE_TYPE_FABRIC)
            memset(shareableHandle, 0, sizeof(aclrtMemFabricHandle));
        memcpy(shareableHandle, &v, sizeof v);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtMemImportFromShareableHandleV2(void *shareableHandle,
                                                                 aclrtMemSharedHandleType shareType, uint64_t flags,
                                                                 aclrtDrvMemHandle *handle)
{
    if (flags != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flags is reserved and must be 0");
    uint64_t v = 0;
    aclError rc = v2_value(__func__, shareableHandle, shareType, &v);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc); /* V2 names no device: the caller's */
    if (!ctx)
        return rc;
    int32_t dev = (int32_t)ctx->dev->id;
    hacl_obj_put(&ctx->hdr);
    return import_phys(__func__, v, dev, handle);
}

ACL_FUNC_VISIBILITY aclError aclrtMemSetPidToShareableHandleV2(void *shareableHandle, aclrtMemSharedHandleType shareType,
                                                               int32_t *pid, size_t pidNum)
{
    uint64_t v = 0;
    aclError rc = v2_value(__func__, shareableHandle, shareType, &v);
    return rc == ACL_SUCCESS ? aclrtMemSetPidToShareableHandle(v, pid, pidNum) : rc;
}

void hacl_vmm_finalize(void)
{
    pthread_mutex_lock(&vmm_lock);
    struct reservation *r = reservations;
    reservations = NULL;
    struct hacl_phys *p = handles;
    handles = NULL;
    pthread_mutex_unlock(&vmm_lock);
    while (r) {
        struct reservation *next = r->next;
        while (r->maps) {
            struct mapping *m = r->maps;
            r->maps = m->next;
            unmap(m);
        }
        munmap((void *)r->base, r->size);
        hacl_free(r);
        r = next;
    }
    while (p) { /* handles never freed */
        struct hacl_phys *next = p->next;
        if (hacl_handle_unregister(&p->hdr))
            hacl_obj_put(&p->hdr);
        p = next;
    }
}
