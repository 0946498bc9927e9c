/*
 * hostacl internal: a registry of memory allocations.
 *
 * Each device keeps one for its memory, and the runtime keeps one for the
 * host memory it hands out (aclrtMallocHost). It answers "which allocation
 * contains this pointer, and how big is it", so copies and frees can be
 * checked before they touch memory, and it keeps the device's budget: bytes
 * reserved against a fixed total, so aclrtGetMemInfo is exact.
 *
 * Entries sit in an array sorted by base address (binary search on lookup).
 *
 * Thread: any. Locks: reg->lock, a leaf.
 */
#ifndef HOSTACL_DEVICE_MEMREG_H
#define HOSTACL_DEVICE_MEMREG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct hacl_memreg_entry {
    uintptr_t base;
    size_t size; /* what the caller asked for: the usable range */
    size_t real; /* what was reserved against the budget */
    unsigned flags; /* HACL_MEM_* */
};

/* An entry for memory mapped by the runtime (virtual memory mappings,
 * imported IPC memory): not from the device's allocator, never freed by
 * aclrtFree, and not counted in the budget (its owner counts it). */
#define HACL_MEM_MAPPED 1u
#define HACL_MEM_READONLY 2u /* aclrtMemSetAccess: reads only */
#define HACL_MEM_NOACCESS 4u /* aclrtMemSetAccess: no access */

struct hacl_memreg {
    pthread_mutex_t lock;
    struct hacl_memreg_entry *v;
    size_t n, cap;
    size_t used;   /* sum of reserved bytes */
    size_t budget; /* 0: unlimited */
    int trace_pid; /* its timeline process for the "memory in use" counter; 0: none */
};

void hacl_memreg_init(struct hacl_memreg *reg, size_t budget);
void hacl_memreg_fini(struct hacl_memreg *reg);

/* Reserves `real` bytes of the budget: 0, or -1 when it does not fit. */
int hacl_memreg_reserve(struct hacl_memreg *reg, size_t real);
void hacl_memreg_unreserve(struct hacl_memreg *reg, size_t real);

/* Records an allocation: 0, or -1 when the index cannot grow. */
int hacl_memreg_add(struct hacl_memreg *reg, uintptr_t base, size_t size, size_t real);
/* Records a HACL_MEM_MAPPED range: 0, or -1 when the index cannot grow. */
int hacl_memreg_add_mapped(struct hacl_memreg *reg, uintptr_t base, size_t size);
/* Sets the flags of the entry starting exactly at base: 0, or -1. */
int hacl_memreg_set_flags(struct hacl_memreg *reg, uintptr_t base, unsigned flags);
/* Forgets the allocation starting exactly at base: 0 and *out, or -1. */
int hacl_memreg_remove(struct hacl_memreg *reg, uintptr_t base, struct hacl_memreg_entry *out);
/* The allocation whose reserved range [base, base+real) holds p: 0, or -1. */
int hacl_memreg_find(struct hacl_memreg *reg, uintptr_t p, struct hacl_memreg_entry *out);
/* Removes and returns the first entry (teardown): 0, or -1 when empty. */
int hacl_memreg_pop(struct hacl_memreg *reg, struct hacl_memreg_entry *out);

void hacl_memreg_usage(struct hacl_memreg *reg, size_t *used, size_t *budget, size_t *count);

#endif
