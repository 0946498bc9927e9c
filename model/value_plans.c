/*
 * Models whose shapes depend on input values: a Reshape's shape, a Pad's
 * pads, a Slice's starts, a TopK's K... fed as model inputs (ONNX allows
 * it; the backend node tests do it). hostacl plans static shapes, so such
 * a model is compiled once per distinct set of those values: the inputs
 * become constants holding the values an execution brings, shape
 * inference folds what follows from them, and the compiled model is kept,
 * keyed by the values, for the next execution that brings the same ones
 * (docs/semantics.md, "Shapes decided by input values").
 */
#include <stdio.h>
#include <string.h>

#include "device/alloc.h"
#include "model_impl.h"
#include "plan.h"
#include "runtime/memory.h"

/* The operands that decide an operator's output shape (ONNX). */
static const struct {
    const char *op;
    unsigned mask; /* bit i: input i */
} shape_operands[] = {
    {"Reshape", 1u << 1},
    {"Expand", 1u << 1},
    {"Tile", 1u << 1},
    {"Slice", 0x1eu},
    {"Pad", 0xeu},
    {"Resize", 0xeu},
    {"Upsample", 1u << 1},
    {"Squeeze", 1u << 1},
    {"Unsqueeze", 1u << 1},
    {"TopK", 1u << 1},
    {"ConstantOfShape", 1u << 0},
    {"Range", 0x7u},
    {"OneHot", 1u << 1},
    {"Split", 1u << 1},
    {"CenterCropPad", 1u << 1},
    {"Col2Im", 0x6u},
    {"DFT", 0x6u},
    {"STFT", 0xeu},
    {"MaxUnpool", 1u << 2},
    /* output shapes that follow from the data: small data is a value too */
    {"Compress", 1u << 1},
    {"NonZero", 1u << 0},
    {"BlackmanWindow", 1u << 0},
    {"HannWindow", 1u << 0},
    {"HammingWindow", 1u << 0},
    {"MelWeightMatrix", 0x1fu},
    {"ReduceSum", 1u << 1},
    {"ReduceMean", 1u << 1},
    {"ReduceMax", 1u << 1},
    {"ReduceMin", 1u << 1},
    {"ReduceProd", 1u << 1},
    {"ReduceL1", 1u << 1},
    {"ReduceL2", 1u << 1},
    {"ReduceLogSum", 1u << 1},
    {"ReduceLogSumExp", 1u << 1},
    {"ReduceSumSquare", 1u << 1},
    {"CumSum", 1u << 1},
    {"Trilu", 1u << 1},
};

/* Values larger than this are data, not shapes. */
#define MAX_VALUE_ELEMENTS 4096

static unsigned operands_of(const char *op)
{
    for (size_t i = 0; i < sizeof shape_operands / sizeof shape_operands[0]; i++)
        if (!strcmp(shape_operands[i].op, op))
            return shape_operands[i].mask;
    return 0;
}

/* Marks the model inputs tensor t is computed from (walking producers). */
static void mark_sources(const struct hacl_graph *g, int t, unsigned char *seen, unsigned char *mask, int depth)
{
    if (t < 0 || seen[t] || depth > 64)
        return;
    seen[t] = 1;
    for (size_t i = 0; i < g->ninputs; i++)
        if (g->inputs[i] == t)
            mask[i] = 1;
    int p = g->tensors[t].producer;
    if (p < 0 || (size_t)p >= g->nnodes)
        return;
    const struct hacl_node *n = &g->nodes[p];
    for (size_t k = 0; k < n->ninputs; k++)
        mark_sources(g, n->inputs[k], seen, mask, depth + 1);
}

size_t hacl_value_inputs(const struct hacl_graph *g, unsigned char *mask)
{
    unsigned char *seen = hacl_calloc(g->ntensors ? g->ntensors : 1, 1);
    if (!seen)
        return 0;
    memset(mask, 0, g->ninputs);
    for (size_t i = 0; i < g->nnodes; i++) {
        const struct hacl_node *n = &g->nodes[i];
        unsigned ops = operands_of(n->op);
        for (size_t k = 0; k < n->ninputs && k < 32; k++)
            if ((ops >> k & 1) && n->inputs[k] >= 0 && !g->tensors[n->inputs[k]].is_const)
                mark_sources(g, n->inputs[k], seen, mask, 0);
    }
    hacl_free(seen);
    size_t count = 0;
    for (size_t i = 0; i < g->ninputs; i++) {
        const struct hacl_tensor *t = &g->tensors[g->inputs[i]];
        int64_t e = hacl_tensor_elements(t);
        if (mask[i] && (e < 0 || e > MAX_VALUE_ELEMENTS))
            mask[i] = 0; /* an image reaching a shape: data-dependent, not a value */
        count += mask[i];
    }
    return count;
}

aclError hacl_value_bind(struct hacl_graph *g, const unsigned char *mask, const uint8_t *key)
{
    size_t off = 0;
    for (size_t i = 0; i < g->ninputs; i++) {
        if (!mask[i])
            continue;
        int in = g->inputs[i];
        size_t bytes = hacl_tensor_bytes(&g->tensors[in]);
        char name[300];
        snprintf(name, sizeof name, "%s:value", g->tensors[in].name);
        int c = hacl_graph_add_tensor(g, name, g->tensors[in].onnx_type);
        void *data = c >= 0 ? hacl_malloc(bytes ? bytes : 1) : NULL;
        if (!data)
            return ACL_ERROR_BAD_ALLOC;
        struct hacl_tensor *t = &g->tensors[c];
        const struct hacl_tensor *src = &g->tensors[in];
        t->rank = src->rank;
        memcpy(t->dims, src->dims, sizeof t->dims);
        memcpy(data, key + off, bytes);
        off += bytes;
        t->is_const = 1;
        t->owned = data;
        t->data = data;
        t->bytes = bytes;
        for (size_t n = 0; n < g->nnodes; n++)
            for (size_t k = 0; k < g->nodes[n].ninputs; k++)
                if (g->nodes[n].inputs[k] == in)
                    g->nodes[n].inputs[k] = c;
    }
    return ACL_SUCCESS;
}

/* Compiled variants a model keeps; past this the oldest goes (executions
 * still holding it keep it alive). */
#define MAX_VARIANTS 16

struct hacl_model *hacl_value_variant(const char *api, struct hacl_model *m, const aclmdlDataset *input,
                                      aclError *rc)
{
    const struct hacl_graph *g = m->graph;
    size_t keylen = 0;
    for (size_t i = 0; i < g->ninputs; i++)
        if (m->value_mask[i])
            keylen += hacl_tensor_bytes(&g->tensors[g->inputs[i]]);
    aclmdlDataset *ds = input ? hacl_dataset_get(input) : NULL;
    if (!ds) {
        *rc = hacl_err(input ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                       "the input dataset %p is not a live dataset", (const void *)input);
        return NULL;
    }
    uint8_t *key = hacl_malloc(keylen ? keylen : 1);
    *rc = key ? ACL_SUCCESS : hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    /* the values, read now: the buffers must hold exactly the inputs */
    size_t off = 0;
    for (size_t i = 0; *rc == ACL_SUCCESS && i < g->ninputs; i++) {
        if (!m->value_mask[i])
            continue;
        const struct hacl_tensor *t = &g->tensors[g->inputs[i]];
        size_t need = hacl_tensor_bytes(t);
        aclDataBuffer *b = i < ds->count ? hacl_databuf_get(ds->buffers[i]) : NULL;
        void *data = b ? b->data : NULL;
        size_t size = b ? b->size : 0;
        if (b)
            hacl_obj_put(&b->hdr);
        struct hacl_ptrinfo pi;
        if (data)
            hacl_mem_classify(data, &pi);
        if (!data || size != need || !hacl_mem_range_ok(data, need, &pi)) {
            *rc = hacl_err(ACL_ERROR_MODEL_INPUT_NOT_MATCH, api,
                           "input %zu '%s' decides shapes: its buffer must hold its %zu bytes (it has %zu at %p)", i,
                           t->name, need, size, data);
            break;
        }
        memcpy(key + off, data, need);
        off += need;
    }
    hacl_obj_put(&ds->hdr);
    if (*rc != ACL_SUCCESS) {
        hacl_free(key);
        return NULL;
    }
    pthread_mutex_lock(&m->variant_lock);
    struct hacl_model *v = NULL;
    for (size_t i = 0; i < m->nvariants && !v; i++)
        if (m->variants[i].keylen == keylen && !memcmp(m->variants[i].key, key, keylen))
            v = m->variants[i].m;
    if (v) {
        atomic_fetch_add(&v->refs, 2); /* the caller's and cur_variant's */
        struct hacl_model *old = m->cur_variant;
        m->cur_variant = v;
        pthread_mutex_unlock(&m->variant_lock);
        hacl_model_put(old);
        hacl_free(key);
        return v;
    }
    /* first time for these values: compile (under the lock: one compile
     * of a model at a time, and a second caller finds the first's) */
    char why[512];
    v = hacl_model_compile_values(m, key, rc, why, sizeof why);
    if (!v) {
        pthread_mutex_unlock(&m->variant_lock);
        hacl_free(key);
        *rc = hacl_err(*rc, api, "model %u with these input values: %s", m->id, why);
        return NULL;
    }
    if (m->nvariants == MAX_VARIANTS) {
        hacl_model_put(m->variants[0].m);
        hacl_free(m->variants[0].key);
        memmove(m->variants, m->variants + 1, (MAX_VARIANTS - 1) * sizeof *m->variants);
        m->nvariants--;
    }
    if (!m->variants)
        m->variants = hacl_calloc(MAX_VARIANTS, sizeof *m->variants);
    if (m->variants) {
        m->variants[m->nvariants].key = key;
        m->variants[m->nvariants].keylen = keylen;
        m->variants[m->nvariants++].m = v;
        atomic_fetch_add(&v->refs, 1);
        key = NULL;
    }
    atomic_fetch_add(&v->refs, 1);
    struct hacl_model *old = m->cur_variant;
    m->cur_variant = v;
    pthread_mutex_unlock(&m->variant_lock);
    hacl_model_put(old);
    hacl_free(key);
    return v;
}
