/*
 * hostacl internal: the model module (data buffers, tensor descriptions,
 * datasets; ONNX loading and execution as they land).
 *
 * Every object handed to the application is a checked handle (see
 * runtime/handle.h), so stale or foreign pointers are refused.
 *
 * Thread: any; objects are not locked (as upstream, an application must not
 * mutate one dataset from two threads at once), but lookups are safe.
 */
#ifndef HOSTACL_MODEL_MODEL_H
#define HOSTACL_MODEL_MODEL_H

#include "acl/acl.h"
#include "runtime/handle.h"

/* C++ tests include this header and never touch the atomics */
#ifdef __cplusplus
#define HACL_MODEL_ATOMIC(t) t
#else
#define HACL_MODEL_ATOMIC(t) _Atomic t
#endif

struct aclDataBuffer {
    struct hacl_obj hdr;
    void *data;
    size_t size;
};

struct aclTensorDesc {
    struct hacl_obj hdr;
    aclDataType dtype;
    aclFormat format;
    int num_dims; /* -1: unknown rank */
    int64_t dims[ACL_MAX_DIM_CNT];
    char *name;
};

struct aclmdlDataset {
    struct hacl_obj hdr;
    size_t count, cap;
    aclDataBuffer **buffers; /* not owned */
    aclTensorDesc **descs;   /* not owned, may be NULL */
    /* the gear aclmdlSetDynamic* chose for model gear_model (0: none) */
    HACL_MODEL_ATOMIC(uint32_t) gear_model;
    HACL_MODEL_ATOMIC(size_t) gear;
};

/* Loads for the aclmdlLoad* calls and aclmdlLoadWithConfig (api names the
 * caller in messages; precision -1: the aclInit default; work / weights may
 * be NULL). The caller has checked the arguments and initialisation. */
aclError hacl_model_load_file(const char *api, const char *path, int precision, void *work, size_t work_size,
                              void *weights, size_t weight_size, uint32_t *id);
aclError hacl_model_load_mem(const char *api, const void *model, size_t size, int precision, void *work,
                             size_t work_size, void *weights, size_t weight_size, uint32_t *id);

/* The steps of loaded model id's program (see hacl_prog_steps; valid while
 * the model stays loaded): how many there are, or -1 when id is not loaded.
 * For tests and tools. */
struct hacl_prog_step;
long hacl_model_steps(uint32_t id, struct hacl_prog_step *out, size_t max);

/* Profiling subscriptions: while fn is set, every execution of every model
 * calls fn(model id, its steps' times, how many) on the compute thread
 * once it has finished. Setting another (or NULL) returns once no call of
 * the previous one is running. */
struct hacl_op_time;
void hacl_model_set_observer(void (*fn)(uint32_t model_id, const struct hacl_op_time *ops, size_t n));
/* 1 when a model with this id is loaded. */
int hacl_model_loaded(uint32_t id);

/* Referenced lookups; NULL when h is not a live object of that kind. */
aclDataBuffer *hacl_databuf_get(const void *h);
aclmdlDataset *hacl_dataset_get(const void *h);

#endif
