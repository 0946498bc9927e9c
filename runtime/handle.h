/*
 * hostacl internal: checked handles.
 *
 * AscendCL handles are void pointers, so the compiler cannot tell a context
 * from a stream. Every object handed to the application starts with a
 * struct hacl_obj and is entered in a process-wide registry of live handles.
 * A public call first looks the pointer up (hacl_handle_get): a pointer that
 * was never a handle, was destroyed, or is of another kind is refused without
 * being dereferenced. A successful lookup takes a reference, so an object
 * cannot be freed under a call that is using it; destroy unregisters it and
 * drops the registry's reference, and the last reference frees it.
 *
 * Thread: any. Locks: the registry mutex is a leaf (nothing else is taken
 * while holding it; the release function runs after it is dropped).
 */
#ifndef HOSTACL_RUNTIME_HANDLE_H
#define HOSTACL_RUNTIME_HANDLE_H

#include <stdint.h>

#include "acl/acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

enum hacl_kind {
    HACL_KIND_CONTEXT = 1,
    HACL_KIND_STREAM,
    HACL_KIND_EVENT,
    HACL_KIND_DATABUF,
    HACL_KIND_TENSOR_DESC,
    HACL_KIND_DATASET,
    HACL_KIND_MODEL_DESC,
    HACL_KIND_CONFIG,
    HACL_KIND_MEMPOOL,
    HACL_KIND_MDL_CONFIG,
    HACL_KIND_PIPELINE,
    HACL_KIND_PIPELINE_REQUEST,
    HACL_KIND_ALLOCATOR_DESC,
    HACL_KIND_TDT_ITEM,
    HACL_KIND_TDT_DATASET,
    HACL_KIND_TDT_CHANNEL,
    HACL_KIND_TDT_BUF,
    HACL_KIND_TDT_QATTR,
    HACL_KIND_TDT_ROUTE,
    HACL_KIND_TDT_ROUTE_LIST,
    HACL_KIND_TDT_ROUTE_QUERY,
    HACL_KIND_AIPP,
    HACL_KIND_PROF_CONFIG,
    HACL_KIND_PROF_SUBSCRIBE_CONFIG,
    HACL_KIND_PROF_STEP_INFO,
    HACL_KIND_PROF_STAMP,
    HACL_KIND_MDLRI,
    HACL_KIND_LABEL,
    HACL_KIND_LABEL_LIST,
    HACL_KIND_PHYS_MEM,
    HACL_KIND_NOTIFY,
};

/* C++ test code may include this header but never touches refs directly;
 * _Atomic unsigned has the layout of unsigned on every target we build for. */
#ifdef __cplusplus
#define HACL_ATOMIC_UINT unsigned
#else
#define HACL_ATOMIC_UINT _Atomic unsigned
#endif

#define HACL_OBJ_MAGIC 0x4841434cu /* "HACL" */

struct hacl_obj {
    uint32_t magic;
    uint32_t kind;
    uint64_t serial; /* unique per process: tells a new object at an old address */
    HACL_ATOMIC_UINT refs;
    void (*release)(struct hacl_obj *obj);
};

/* Sets up the header with one reference (the registry's, once registered). */
void hacl_obj_init(struct hacl_obj *obj, enum hacl_kind kind, void (*release)(struct hacl_obj *));
void hacl_obj_ref(struct hacl_obj *obj);
/* Drops a reference; the last one calls obj->release. */
void hacl_obj_put(struct hacl_obj *obj);

/* Enters obj in the live registry: ACL_SUCCESS or ACL_ERROR_BAD_ALLOC. */
aclError hacl_handle_register(struct hacl_obj *obj);
/* Removes obj from the registry (idempotent); returns 1 if it was live. The
 * caller then drops the registry's reference with hacl_obj_put. */
int hacl_handle_unregister(struct hacl_obj *obj);
/* Looks h up: a referenced object of that kind, or NULL. */
struct hacl_obj *hacl_handle_get(const void *h, enum hacl_kind kind);
/* hacl_handle_get for a public call: a NULL h is ACL_ERROR_INVALID_PARAM
 * ("the <what> must not be NULL"), a pointer that is not a live handle of
 * that kind ACL_ERROR_INVALID_RESOURCE_HANDLE ("<h> is not a live <what>"),
 * both recorded for api in *rc. */
struct hacl_obj *hacl_handle_checked(const char *api, const void *h, enum hacl_kind kind, const char *what,
                                     aclError *rc);
/* Like hacl_handle_get, and also requires the serial to match. */
struct hacl_obj *hacl_handle_get_serial(const void *h, enum hacl_kind kind, uint64_t serial);
/* Number of live handles (tests, leak checks). */
/* 1 when p is a live handle of any kind (a caller passing a handle where
 * memory belongs is refused instead of having the object overwritten). */
int hacl_handle_is_live(const void *p);
size_t hacl_handle_count(void);

#ifdef __cplusplus
}
#endif

#endif
