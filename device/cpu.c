/*
 * The CPU device: the simulated accelerator hostacl runs everything on.
 *
 * Memory: allocations are 64-byte aligned blocks from the device's private
 * arena, each reserving round_up(size, 32) + 32 bytes of the device budget
 * (the documented AscendCL rule), and each recorded in the device's registry
 * so the runtime can check pointers, ranges and frees.
 *
 * Thread: any (memory ops); the registry serialises them.
 */
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "device.h"
#include "trace.h"

#define DEVMEM_ALIGN 64

size_t hacl_device_block_bytes(size_t real)
{
    if (real < HACL_DEVICE_LARGE_BLOCK)
        return real;
    return real > SIZE_MAX - HACL_DEVICE_PAGE ? 0 : (real + HACL_DEVICE_PAGE - 1) & ~(HACL_DEVICE_PAGE - 1);
}

size_t hacl_device_real_size(size_t size)
{
    if (size > SIZE_MAX - 64)
        return 0;
    return ((size + 31) & ~(size_t)31) + 32;
}

static aclError cpu_mem_alloc(struct hacl_device *dev, size_t size, void **out)
{
    size_t real = hacl_device_real_size(size), held = hacl_device_block_bytes(real);
    if (real == 0 || held == 0 || hacl_memreg_reserve(&dev->mem, real) != 0)
        return ACL_ERROR_RT_MEMORY_ALLOCATION;
    /* larger blocks hold whole pages of their own: they can be moved into
     * shared memory when exported to another process (runtime/ipc_mem.c) */
    void *p = hacl_arena_alloc(dev->arena, held, real >= HACL_DEVICE_LARGE_BLOCK ? HACL_DEVICE_PAGE : DEVMEM_ALIGN);
    if (!p) {
        hacl_memreg_unreserve(&dev->mem, real);
        return ACL_ERROR_RT_MEMORY_ALLOCATION;
    }
    if (hacl_memreg_add(&dev->mem, (uintptr_t)p, size, real) != 0) {
        hacl_arena_free(dev->arena, p);
        hacl_memreg_unreserve(&dev->mem, real);
        return ACL_ERROR_BAD_ALLOC;
    }
    *out = p;
    return ACL_SUCCESS;
}

static aclError cpu_mem_free(struct hacl_device *dev, void *ptr)
{
    struct hacl_memreg_entry e;
    if (hacl_memreg_find(&dev->mem, (uintptr_t)ptr, &e) == 0 && (e.flags & HACL_MEM_MAPPED))
        return ACL_ERROR_RT_MEMORY_FREE; /* its mapper releases it */
    if (hacl_memreg_remove(&dev->mem, (uintptr_t)ptr, &e) != 0)
        return ACL_ERROR_RT_MEMORY_FREE;
    hacl_arena_free(dev->arena, ptr);
    hacl_memreg_unreserve(&dev->mem, e.real);
    return ACL_SUCCESS;
}

static int cpu_mem_lookup(struct hacl_device *dev, const void *p, struct hacl_memreg_entry *out)
{
    return hacl_memreg_find(&dev->mem, (uintptr_t)p, out);
}

static void cpu_mem_info(struct hacl_device *dev, size_t *free_bytes, size_t *total_bytes)
{
    size_t used, budget;
    hacl_memreg_usage(&dev->mem, &used, &budget, NULL);
    *free_bytes = budget - used;
    *total_bytes = budget;
}

static struct hacl_sched *cpu_scheduler(struct hacl_device *dev)
{
    pthread_mutex_lock(&dev->lock);
    if (!dev->sched)
        dev->sched = hacl_sched_create(dev->cfg.worker_threads, dev->id);
    struct hacl_sched *s = dev->sched;
    pthread_mutex_unlock(&dev->lock);
    return s;
}

static void cpu_stop(struct hacl_device *dev)
{
    pthread_mutex_lock(&dev->lock);
    struct hacl_sched *s = dev->sched;
    dev->sched = NULL;
    pthread_mutex_unlock(&dev->lock);
    hacl_sched_destroy(s);
}

static void cpu_destroy(struct hacl_device *dev)
{
    cpu_stop(dev);
    struct hacl_memreg_entry e;
    while (hacl_memreg_pop(&dev->mem, &e) == 0) {
        if (e.flags & HACL_MEM_MAPPED)
            continue; /* its mapper has let go of it by now */
        hacl_arena_free(dev->arena, (void *)e.base);
        hacl_memreg_unreserve(&dev->mem, e.real);
    }
    hacl_arena_destroy(dev->arena);
    hacl_memreg_fini(&dev->mem);
    pthread_mutex_destroy(&dev->lock);
    hacl_free(dev);
}

static const struct hacl_device_ops cpu_ops = {
    .name = "cpu",
    .mem_alloc = cpu_mem_alloc,
    .mem_free = cpu_mem_free,
    .mem_lookup = cpu_mem_lookup,
    .mem_info = cpu_mem_info,
    .scheduler = cpu_scheduler,
    .stop = cpu_stop,
    .destroy = cpu_destroy,
};

struct hacl_device *hacl_cpu_device_create(int32_t id, const struct hacl_device_config *cfg)
{
    struct hacl_device *dev = hacl_calloc(1, sizeof *dev);
    if (!dev)
        return NULL;
    dev->arena = hacl_arena_create();
    if (!dev->arena) {
        hacl_free(dev);
        return NULL;
    }
    dev->id = id;
    dev->ops = &cpu_ops;
    dev->cfg = *cfg;
    hacl_memreg_init(&dev->mem, cfg->mem_budget);
    dev->mem.trace_pid = HACL_TRACE_DEVICE(id);
    pthread_mutex_init(&dev->lock, NULL);
    return dev;
}
