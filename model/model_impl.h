/*
 * hostacl internal: a loaded model, shared by the model files (model.c:
 * loading and the model table; model_desc.c: descriptions; model_exec.c:
 * executions). Not for use outside model/model*.c.
 *
 * Thread: a model is immutable once loaded and referenced while in use;
 * its pool of execution contexts and its caller-supplied work memory have
 * their own lock.
 */
#ifndef HOSTACL_MODEL_MODEL_IMPL_H
#define HOSTACL_MODEL_MODEL_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "convert.h"
#include "model.h"
#include "onnx.h"
#include "prog.h"
#include "runtime/runtime.h"

struct hacl_model {
    uint32_t id;
    _Atomic unsigned refs;
    /* A model converted with gears has one compiled model per gear (not
     * in the table; ngears of them) and shows the largest gear's graph
     * and program (borrowed: freed with that gear). */
    struct hacl_graph *graph;
    struct hacl_prog *prog;
    int borrowed;
    struct hacl_model **gears;
    size_t ngears;
    struct hacl_model *weights_owner; /* the gear whose weight memory this one uses (referenced) */
    struct hacl_conv conv;          /* the container's options (empty for ONNX) */
    struct hacl_in_info *in_info;   /* one per input of graph */
    _Atomic size_t cur_gear;        /* the gear a Set* call chose last */
    /* Shapes decided by input values (value_plans.c): which inputs
     * (value_mask, nvalues of them), and one compiled model per set of
     * values, made from the ONNX bytes kept here. */
    unsigned char *value_mask;
    size_t nvalues;
    struct hacl_variant *variants;
    size_t nvariants;
    struct hacl_model *cur_variant; /* the one the last execution took (referenced) */
    pthread_mutex_t variant_lock;
    struct hacl_onnx_src *src; /* the model's bytes, decoded again per set of values */
    char *dir;
    int precision;
    struct hacl_context *ctx;
    /* Work memory the application supplied (WithMem loads): executions
     * using it take turns on its one context. NULL: executions take an
     * execution context (own work memory) from the pool, created on
     * demand: as many as ever ran at once. */
    void *work;
    struct hacl_exec_ctx *work_ctx;
    pthread_mutex_t work_lock;
    struct hacl_exec_ctx **pool;
    size_t npool, cappool;
    /* the context over the work memory a stream's user allocator gave last
     * (under work_lock) */
    struct hacl_exec_ctx *alloc_ctx;
    void *alloc_addr;
};

struct aclmdlDesc {
    struct hacl_obj hdr;
    struct hacl_model *model; /* referenced while the description holds it */
};

/* The loaded model with that id, referenced; NULL if none. */
struct hacl_model *hacl_model_get(uint32_t id);
/* Drops a reference; the last one frees the model. */
void hacl_model_put(struct hacl_model *m);
struct hacl_variant {
    uint8_t *key; /* the value inputs' bytes, one after another */
    size_t keylen;
    struct hacl_model *m;
};
/* The model inputs whose values decide shapes (value_plans.c): mask[i]
 * for input i; how many. */
size_t hacl_value_inputs(const struct hacl_graph *g, unsigned char *mask);
/* Makes the graph read constants holding key instead of those inputs. */
aclError hacl_value_bind(struct hacl_graph *g, const unsigned char *mask, const uint8_t *key);
/* Compiles m again with its value inputs bound to key (model.c): a model
 * not in the table, or NULL with why. */
struct hacl_model *hacl_model_compile_values(struct hacl_model *m, const uint8_t *key, aclError *rc, char *why,
                                             size_t whylen);
/* The compiled model for the values input brings (referenced), compiling
 * it the first time; NULL with the error recorded for api. */
struct hacl_model *hacl_value_variant(const char *api, struct hacl_model *m, const aclmdlDataset *input,
                                      aclError *rc);

/* The input's description after conversion. */
static inline const struct hacl_in_info *hacl_model_in(const struct hacl_model *m, size_t i)
{
    return &m->in_info[i];
}

#endif
