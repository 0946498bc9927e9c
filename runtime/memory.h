/*
 * hostacl internal: pointer classification and copy validation, shared by
 * the synchronous memory calls and the stream tasks that copy and set.
 *
 * Thread: any.
 */
#ifndef HOSTACL_RUNTIME_MEMORY_H
#define HOSTACL_RUNTIME_MEMORY_H

#include "acl/acl_rt.h"
#include "device/memreg.h"

struct hacl_device;

/* HANDLE: the address of a live runtime object (a stream, a dataset...):
 * never memory to copy to or from. */
enum hacl_ptr_where { HACL_PTR_UNKNOWN_HOST, HACL_PTR_RUNTIME_HOST, HACL_PTR_DEVICE, HACL_PTR_HANDLE };

struct hacl_ptrinfo {
    enum hacl_ptr_where where;
    struct hacl_device *dev; /* HACL_PTR_DEVICE only */
    struct hacl_memreg_entry alloc;
};

void hacl_mem_classify(const void *p, struct hacl_ptrinfo *pi);
/* 1 when [p, p+len) lies inside the usable part of the allocation pi
 * describes, or pi is unknown host memory (which cannot be checked). */
int hacl_mem_range_ok(const void *p, size_t len, const struct hacl_ptrinfo *pi);
/* Validates a copy of dstLen/srcLen bytes with the given kind. */
aclError hacl_mem_check_copy(const char *api, void *dst, size_t dstLen, const void *src, size_t srcLen,
                             aclrtMemcpyKind kind, struct hacl_ptrinfo *dpi, struct hacl_ptrinfo *spi);
/* Refuses access the range's aclrtMemSetAccess does not allow. */
aclError hacl_mem_check_access(const char *api, const char *what, const void *p, const struct hacl_ptrinfo *pi,
                               int write);
/* Validates a memset of count bytes (including init and NULL checks). */
aclError hacl_mem_check_set(const char *api, void *devPtr, size_t maxCount, size_t count);

#endif
