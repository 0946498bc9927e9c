/*
 * ONNX decoding and graph validation (see onnx.h).
 */
#include "onnx.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"
#include "onnx/onnx.pb-c.h"

/* protobuf-c allocates through our wrapper, so fault injection covers it. */
static void *pb_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return hacl_malloc(n);
}

static void pb_free(void *ctx, void *p)
{
    (void)ctx;
    hacl_free(p);
}

static ProtobufCAllocator pb_allocator = {pb_alloc, pb_free, NULL};

enum {
    T_FLOAT = 1, T_UINT8 = 2, T_INT8 = 3, T_UINT16 = 4, T_INT16 = 5, T_INT32 = 6, T_INT64 = 7, T_STRING = 8,
    T_BOOL = 9, T_FLOAT16 = 10, T_DOUBLE = 11, T_UINT32 = 12, T_UINT64 = 13, T_BFLOAT16 = 16
};

size_t hacl_onnx_type_size(int t)
{
    switch (t) {
    case T_UINT8: case T_INT8: case T_BOOL: return 1;
    case T_UINT16: case T_INT16: case T_FLOAT16: case T_BFLOAT16: return 2;
    case T_FLOAT: case T_INT32: case T_UINT32: return 4;
    case T_INT64: case T_DOUBLE: case T_UINT64: return 8;
    default: return 0;
    }
}

aclDataType hacl_onnx_to_acl_type(int t)
{
    switch (t) {
    case T_FLOAT: return ACL_FLOAT;
    case T_UINT8: return ACL_UINT8;
    case T_INT8: return ACL_INT8;
    case T_UINT16: return ACL_UINT16;
    case T_INT16: return ACL_INT16;
    case T_INT32: return ACL_INT32;
    case T_INT64: return ACL_INT64;
    case T_BOOL: return ACL_BOOL;
    case T_FLOAT16: return ACL_FLOAT16;
    case T_DOUBLE: return ACL_DOUBLE;
    case T_UINT32: return ACL_UINT32;
    case T_UINT64: return ACL_UINT64;
    case T_BFLOAT16: return ACL_BF16;
    default: return ACL_DT_UNDEFINED;
    }
}

int64_t hacl_tensor_elements(const struct hacl_tensor *t)
{
    if (t->rank < 0)
        return -1;
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] < 0)
            return -1;
        if (t->dims[i] != 0 && n > INT64_MAX / t->dims[i])
            return -1;
        n *= t->dims[i];
    }
    return n;
}

struct builder {
    struct hacl_graph *g;
    const char *base_dir; /* for external data; NULL: none allowed */
    char *why;
    size_t whylen;
    size_t cap;
    /* name -> tensor index: open addressing over a power-of-two table */
    int *slots;
    size_t nslots;
};

static aclError fail(struct builder *b, aclError code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, b->whylen, fmt, ap);
    va_end(ap);
    return code;
}

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static int find_tensor(struct builder *b, const char *name)
{
    size_t i = hash_str(name) & (b->nslots - 1);
    while (b->slots[i] >= 0) {
        if (strcmp(b->g->tensors[b->slots[i]].name, name) == 0)
            return b->slots[i];
        i = (i + 1) & (b->nslots - 1);
    }
    return -1;
}

/* Adds a named tensor; -1 when out of memory, -2 when the name exists. */
static int add_tensor(struct builder *b, const char *name)
{
    if (find_tensor(b, name) >= 0)
        return -2;
    struct hacl_graph *g = b->g;
    if (g->ntensors == b->cap)
        return -1; /* capacity is computed up front */
    int idx = (int)g->ntensors++;
    struct hacl_tensor *t = &g->tensors[idx];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->rank = -1;
    t->producer = -1;
    size_t i = hash_str(name) & (b->nslots - 1);
    while (b->slots[i] >= 0)
        i = (i + 1) & (b->nslots - 1);
    b->slots[i] = idx;
    return idx;
}

/* Reads [offset, offset + length) of `location` (relative to base_dir, and
 * confined to it) into memory of the tensor's own. */
static aclError read_external(const Onnx__TensorProto *tp, struct hacl_tensor *t, const char *base_dir, size_t want,
                              char *why, size_t whylen)
{
    const char *location = NULL;
    long long offset = 0, length = -1;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = tp->external_data[i];
        if (!e->key || !e->value)
            continue;
        char *end = NULL;
        if (strcmp(e->key, "location") == 0)
            location = e->value;
        else if (strcmp(e->key, "offset") == 0)
            offset = strtoll(e->value, &end, 10);
        else if (strcmp(e->key, "length") == 0)
            length = strtoll(e->value, &end, 10);
        if (end && (*end || end == e->value)) {
            snprintf(why, whylen, "initializer '%s': external_data %s '%s' is not a number", t->name, e->key, e->value);
            return ACL_ERROR_PARSE_MODEL;
        }
    }
    if (!base_dir) {
        snprintf(why, whylen,
                 "initializer '%s' keeps its data in an external file; load the model from its file so the file can be "
                 "found next to it",
                 t->name);
        return ACL_ERROR_PARSE_MODEL;
    }
    if (!location || !*location || location[0] == '/' || strstr(location, "..") || offset < 0 ||
        (length >= 0 && (size_t)length != want)) {
        snprintf(why, whylen,
                 "initializer '%s': external data location '%s' (offset %lld, length %lld) must be a file inside the "
                 "model's folder holding its %zu bytes",
                 t->name, location ? location : "", offset, length, want);
        return ACL_ERROR_PARSE_MODEL;
    }
    size_t plen = strlen(base_dir) + strlen(location) + 2;
    char *path = hacl_malloc(plen), *real = NULL, *realdir = NULL;
    aclError rc = ACL_SUCCESS;
    if (!path)
        return ACL_ERROR_BAD_ALLOC;
    snprintf(path, plen, "%s/%s", base_dir, location);
    real = realpath(path, NULL);
    realdir = realpath(base_dir, NULL);
    size_t dl = realdir ? strlen(realdir) : 0;
    if (!real || !realdir || strncmp(real, realdir, dl) != 0 || real[dl] != '/') {
        snprintf(why, whylen, "initializer '%s': external data file %s %s", t->name, path,
                 real ? "lies outside the model's folder" : "cannot be found");
        rc = ACL_ERROR_READ_MODEL_FAILURE;
        goto out;
    }
    FILE *f = fopen(real, "rb");
    void *buf = want ? hacl_malloc(want) : NULL;
    if (f && (!want || buf) && fseeko(f, (off_t)offset, SEEK_SET) == 0 && fread(buf, 1, want, f) == want) {
        t->owned = buf;
        t->data = buf;
    } else {
        hacl_free(buf);
        snprintf(why, whylen, "initializer '%s': cannot read %zu bytes at offset %lld of %s", t->name, want, offset,
                 path);
        rc = ACL_ERROR_READ_MODEL_FAILURE;
    }
    if (f)
        fclose(f);
out:
    free(real);
    free(realdir);
    hacl_free(path);
    return rc;
}

aclError hacl_onnx_tensor_view(const void *proto, struct hacl_tensor *t, const char *base_dir, char *why,
                               size_t whylen)
{
    const Onnx__TensorProto *tp = proto;
    const char *what = t->is_const ? "initializer" : "tensor";
    t->onnx_type = tp->has_data_type ? tp->data_type : 0;
    size_t es = hacl_onnx_type_size(t->onnx_type);
    if (!es) {
        snprintf(why, whylen, "%s '%s' has ONNX data type %d, which hostacl does not handle", what, t->name,
                 t->onnx_type);
        return ACL_ERROR_UNSUPPORTED_DATA_TYPE;
    }
    if (tp->n_dims > HACL_MAX_RANK) {
        snprintf(why, whylen, "%s '%s' has rank %zu; hostacl handles up to %d", what, t->name, tp->n_dims, HACL_MAX_RANK);
        return ACL_ERROR_PARSE_MODEL;
    }
    t->rank = (int)tp->n_dims;
    for (size_t i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0) {
            snprintf(why, whylen, "%s '%s' has a negative dim %lld", what, t->name, (long long)tp->dims[i]);
            return ACL_ERROR_PARSE_MODEL;
        }
        t->dims[i] = tp->dims[i];
    }
    int64_t n = hacl_tensor_elements(t);
    if (n < 0 || (uint64_t)n > SIZE_MAX / es) {
        snprintf(why, whylen, "%s '%s' has dims whose product overflows", what, t->name);
        return ACL_ERROR_PARSE_MODEL;
    }
    size_t want = (size_t)n * es;
    t->bytes = want;
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return read_external(tp, t, base_dir, want, why, whylen);
    const void *data = NULL;
    size_t have = 0;
    if (tp->has_raw_data) {
        data = tp->raw_data.data;
        have = tp->raw_data.len;
    } else if (tp->n_float_data && t->onnx_type == T_FLOAT) {
        data = tp->float_data;
        have = tp->n_float_data * sizeof(float);
    } else if (tp->n_int64_data && t->onnx_type == T_INT64) {
        data = tp->int64_data;
        have = tp->n_int64_data * sizeof(int64_t);
    } else if (tp->n_int32_data && t->onnx_type == T_INT32) {
        data = tp->int32_data;
        have = tp->n_int32_data * sizeof(int32_t);
    } else if (tp->n_double_data && t->onnx_type == T_DOUBLE) {
        data = tp->double_data;
        have = tp->n_double_data * sizeof(double);
    } else if (tp->n_int32_data || tp->n_uint64_data) {
        snprintf(why, whylen,
                 "%s '%s' stores ONNX type %d in a typed field hostacl does not read yet; use raw_data", what, t->name,
                 t->onnx_type);
        return ACL_ERROR_PARSE_MODEL;
    }
    if (have != want) {
        snprintf(why, whylen, "%s '%s' holds %zu bytes but its dims need %zu", what, t->name, have, want);
        return ACL_ERROR_PARSE_MODEL;
    }
    t->data = data;
    return ACL_SUCCESS;
}

static aclError add_initializer(struct builder *b, Onnx__TensorProto *tp)
{
    if (!tp->name || !*tp->name)
        return fail(b, ACL_ERROR_PARSE_MODEL, "an initializer has no name");
    int idx = add_tensor(b, tp->name);
    if (idx == -2)
        return fail(b, ACL_ERROR_PARSE_MODEL, "initializer '%s' is defined twice", tp->name);
    if (idx < 0)
        return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
    struct hacl_tensor *t = &b->g->tensors[idx];
    t->is_const = 1;
    t->init = tp;
    return hacl_onnx_tensor_view(tp, t, b->base_dir, b->why, b->whylen);
}

static aclError apply_value_info(struct builder *b, struct hacl_tensor *t, const Onnx__ValueInfoProto *vi,
                                 const char *what)
{
    if (!vi->type)
        return fail(b, ACL_ERROR_PARSE_MODEL, "%s '%s' has no type", what, t->name);
    if (vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !vi->type->tensor_type)
        return fail(b, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "%s '%s' is not a tensor (sequences, maps and optionals are not supported)",
                    what, t->name);
    const Onnx__TypeProto__Tensor *tt = vi->type->tensor_type;
    if (t->is_const) {
        /* An initializer listed as a model output: its data decides; a
         * declaration may only agree with it. */
        int ok = !tt->has_elem_type || tt->elem_type == t->onnx_type;
        if (ok && tt->shape) {
            ok = (int)tt->shape->n_dim == t->rank;
            for (size_t i = 0; ok && i < tt->shape->n_dim; i++)
                if (tt->shape->dim[i]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
                    ok = tt->shape->dim[i]->dim_value == t->dims[i];
        }
        return ok ? ACL_SUCCESS
                  : fail(b, ACL_ERROR_PARSE_MODEL, "%s '%s' is an initializer declared with another type or shape",
                         what, t->name);
    }
    if (tt->has_elem_type) {
        t->onnx_type = tt->elem_type;
        if (!hacl_onnx_type_size(t->onnx_type))
            return fail(b, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "%s '%s' has ONNX data type %d, which hostacl does not handle",
                        what, t->name, t->onnx_type);
    }
    if (!tt->shape)
        return ACL_SUCCESS; /* rank unknown */
    if (tt->shape->n_dim > HACL_MAX_RANK)
        return fail(b, ACL_ERROR_PARSE_MODEL, "%s '%s' has rank %zu; hostacl handles up to %d", what, t->name,
                    tt->shape->n_dim, HACL_MAX_RANK);
    t->rank = (int)tt->shape->n_dim;
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0)
                return fail(b, ACL_ERROR_PARSE_MODEL, "%s '%s' has a negative dim %lld", what, t->name,
                            (long long)d->dim_value);
            t->dims[i] = d->dim_value;
        } else {
            t->dims[i] = -1; /* symbolic or absent */
        }
    }
    return ACL_SUCCESS;
}

/* Kahn's algorithm over node indices, with each tensor's consumers indexed
 * once (linear in the graph); on a cycle names one node in it. */
static aclError order_nodes(struct builder *b, Onnx__NodeProto **protos, struct hacl_node *tmp)
{
    struct hacl_graph *g = b->g;
    size_t n = g->nnodes, nt = g->ntensors, uses = 0;
    for (size_t i = 0; i < n; i++)
        uses += tmp[i].ninputs;
    int *pending = hacl_calloc(n ? n : 1, sizeof *pending);
    int *order = hacl_calloc(n ? n : 1, sizeof *order);
    size_t *first = hacl_calloc(nt + 1, sizeof *first); /* consumers of t: cons[first[t] .. first[t + 1]) */
    int *cons = hacl_malloc((uses ? uses : 1) * sizeof *cons);
    if (!pending || !order || !first || !cons) {
        hacl_free(pending);
        hacl_free(order);
        hacl_free(first);
        hacl_free(cons);
        return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < tmp[i].ninputs; k++) {
            int t = tmp[i].inputs[k];
            if (t >= 0 && g->tensors[t].producer >= 0) {
                pending[i]++;
                first[t + 1]++;
            }
        }
    for (size_t t = 0; t < nt; t++)
        first[t + 1] += first[t];
    for (size_t i = 0; i < n; i++) /* one entry per use: a node reading t twice waits twice */
        for (size_t k = 0; k < tmp[i].ninputs; k++) {
            int t = tmp[i].inputs[k];
            if (t >= 0 && g->tensors[t].producer >= 0)
                cons[first[t]++] = (int)i;
        }
    for (size_t t = nt; t > 0; t--) /* back to the starts */
        first[t] = first[t - 1];
    first[0] = 0;
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < n; i++)
        if (!pending[i])
            order[tail++] = (int)i;
    while (head < tail) {
        int u = order[head++];
        for (size_t o = 0; o < tmp[u].noutputs; o++) {
            int t = tmp[u].outputs[o];
            if (t < 0)
                continue;
            for (size_t c = first[t]; c < first[t + 1]; c++)
                if (--pending[cons[c]] == 0)
                    order[tail++] = cons[c];
        }
    }
    hacl_free(first);
    hacl_free(cons);
    aclError rc = ACL_SUCCESS;
    if (tail != n) {
        size_t stuck = 0;
        while (stuck < n && pending[stuck] == 0)
            stuck++;
        rc = fail(b, ACL_ERROR_PARSE_MODEL, "the graph has a cycle through node '%s' (%s)",
                  protos[stuck]->name ? protos[stuck]->name : "", protos[stuck]->op_type);
    } else {
        struct hacl_node *ordered = hacl_calloc(n ? n : 1, sizeof *ordered);
        if (!ordered) {
            hacl_free(pending);
            hacl_free(order);
            return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            ordered[i] = tmp[order[i]];
        hacl_free(g->nodes);
        g->nodes = ordered;
        for (size_t i = 0; i < n; i++)
            for (size_t o = 0; o < g->nodes[i].noutputs; o++)
                if (g->nodes[i].outputs[o] >= 0)
                    g->tensors[g->nodes[i].outputs[o]].producer = (int)i;
    }
    hacl_free(pending);
    hacl_free(order);
    return rc;
}

static aclError build(struct builder *b, Onnx__ModelProto *m)
{
    struct hacl_graph *g = b->g;
    Onnx__GraphProto *gp = m->graph;
    if (!gp)
        return fail(b, ACL_ERROR_PARSE_MODEL, "the model has no graph");
    if (!m->has_ir_version)
        return fail(b, ACL_ERROR_PARSE_MODEL, "the model has no ir_version: not an ONNX model");
    g->ir_version = m->ir_version;
    for (size_t i = 0; i < m->n_opset_import; i++)
        if (!m->opset_import[i]->domain || !*m->opset_import[i]->domain)
            g->opset = m->opset_import[i]->version;

    /* Upper bound of distinct tensors: every initializer, input and node output. */
    size_t cap = gp->n_initializer + gp->n_input;
    for (size_t i = 0; i < gp->n_node; i++) {
        if (!gp->node[i]->op_type || !*gp->node[i]->op_type)
            return fail(b, ACL_ERROR_PARSE_MODEL, "node %zu has no op_type", i);
        cap += gp->node[i]->n_output;
    }
    b->cap = cap;
    b->nslots = 16;
    while (b->nslots < cap * 2)
        b->nslots *= 2;
    g->tensors = hacl_calloc(cap ? cap : 1, sizeof *g->tensors);
    b->slots = hacl_malloc(b->nslots * sizeof *b->slots);
    g->nodes = hacl_calloc(gp->n_node ? gp->n_node : 1, sizeof *g->nodes);
    g->inputs = hacl_calloc(gp->n_input ? gp->n_input : 1, sizeof *g->inputs);
    g->outputs = hacl_calloc(gp->n_output ? gp->n_output : 1, sizeof *g->outputs);
    if (!g->tensors || !b->slots || !g->nodes || !g->inputs || !g->outputs)
        return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
    memset(b->slots, 0xFF, b->nslots * sizeof *b->slots);

    aclError rc;
    for (size_t i = 0; i < gp->n_initializer; i++)
        if ((rc = add_initializer(b, gp->initializer[i])) != ACL_SUCCESS)
            return rc;
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        if (!vi->name || !*vi->name)
            return fail(b, ACL_ERROR_PARSE_MODEL, "graph input %zu has no name", i);
        if (find_tensor(b, vi->name) >= 0)
            continue; /* an initializer also listed as input (older exporters): a constant */
        int idx = add_tensor(b, vi->name);
        if (idx < 0)
            return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
        if ((rc = apply_value_info(b, &g->tensors[idx], vi, "model input")) != ACL_SUCCESS)
            return rc;
        if (!g->tensors[idx].onnx_type)
            return fail(b, ACL_ERROR_PARSE_MODEL, "model input '%s' has no element type", vi->name);
        if (g->tensors[idx].rank < 0)
            return fail(b, ACL_ERROR_PARSE_MODEL, "model input '%s' has no shape", vi->name);
        for (int d = 0; d < g->tensors[idx].rank; d++) {
            if (g->tensors[idx].dims[d] < 0)
                g->tensors[idx].dims[d] = 1; /* symbolic dims (batch) default to 1 */
            else if (g->tensors[idx].dims[d] == 0)
                return fail(b, ACL_ERROR_PARSE_MODEL, "model input '%s' has a zero dim", vi->name);
        }
        if (hacl_tensor_elements(&g->tensors[idx]) < 0)
            return fail(b, ACL_ERROR_PARSE_MODEL, "model input '%s' has dims whose product overflows", vi->name);
        g->inputs[g->ninputs++] = idx;
    }

    /* Nodes: resolve inputs (which may be defined later in the file),
     * after defining every output. */
    struct hacl_node *tmp = g->nodes;
    for (size_t i = 0; i < gp->n_node; i++) {
        Onnx__NodeProto *np = gp->node[i];
        struct hacl_node *nd = &tmp[i];
        nd->op = np->op_type;
        nd->name = np->name ? np->name : "";
        nd->proto = np;
        nd->noutputs = np->n_output;
        nd->outputs = hacl_calloc(np->n_output ? np->n_output : 1, sizeof(int));
        nd->inputs = hacl_calloc(np->n_input ? np->n_input : 1, sizeof(int));
        if (!nd->outputs || !nd->inputs)
            return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
        nd->ninputs = np->n_input;
        for (size_t o = 0; o < np->n_output; o++) {
            if (!np->output[o][0]) {
                nd->outputs[o] = -1; /* an omitted optional output */
                continue;
            }
            int idx = add_tensor(b, np->output[o]);
            if (idx == -2)
                return fail(b, ACL_ERROR_PARSE_MODEL, "node '%s' (%s) defines '%s', which is already defined", nd->name,
                            nd->op, np->output[o]);
            if (idx < 0)
                return fail(b, ACL_ERROR_BAD_ALLOC, "out of memory");
            nd->outputs[o] = idx;
            g->tensors[idx].producer = (int)i; /* provisional: fixed after ordering */
        }
    }
    g->nnodes = gp->n_node;
    for (size_t i = 0; i < gp->n_node; i++) {
        Onnx__NodeProto *np = gp->node[i];
        for (size_t k = 0; k < np->n_input; k++) {
            if (!np->input[k][0]) {
                tmp[i].inputs[k] = -1;
                continue;
            }
            int idx = find_tensor(b, np->input[k]);
            if (idx < 0)
                return fail(b, ACL_ERROR_PARSE_MODEL,
                            "node '%s' (%s) reads '%s', which is neither a model input, an initializer nor a node "
                            "output",
                            tmp[i].name, tmp[i].op, np->input[k]);
            tmp[i].inputs[k] = idx;
        }
    }
    if ((rc = order_nodes(b, gp->node, tmp)) != ACL_SUCCESS)
        return rc;

    if (gp->n_output == 0)
        return fail(b, ACL_ERROR_PARSE_MODEL, "the graph has no outputs");
    for (size_t i = 0; i < gp->n_output; i++) {
        const Onnx__ValueInfoProto *vi = gp->output[i];
        int idx = vi->name ? find_tensor(b, vi->name) : -1;
        if (idx < 0)
            return fail(b, ACL_ERROR_PARSE_MODEL, "graph output '%s' is produced by no node",
                        vi->name ? vi->name : "");
        if ((rc = apply_value_info(b, &g->tensors[idx], vi, "model output")) != ACL_SUCCESS)
            return rc;
        g->outputs[g->noutputs++] = idx;
    }
    return ACL_SUCCESS;
}

/* Puts the taken raw bytes back into the decoded initializers (read in
 * place from the file buffer); 0, or -1 when the message does not match
 * what the split saw. */
static int patch_raw(const struct hacl_onnx_src *src, Onnx__ModelProto *m)
{
    Onnx__GraphProto *gp = m->graph;
    if (!src->nraw)
        return 0;
    if (!gp || gp->n_initializer != src->nraw)
        return -1;
    for (size_t i = 0; i < src->nraw; i++) {
        Onnx__TensorProto *tp = gp->initializer[i];
        if (!src->raw[i])
            continue;
        if (!tp->has_raw_data || tp->raw_data.len != 0)
            return -1;
        if (tp->raw_data.data)
            pb_allocator.free(NULL, tp->raw_data.data);
        tp->raw_data.data = (uint8_t *)src->raw[i];
        tp->raw_data.len = src->raw_len[i];
    }
    return 0;
}

/* Whether p lies in [lo, hi): in a file buffer read in place. */
static int in_buffer(const void *p, const uint8_t *lo, const uint8_t *hi)
{
    return p && (const uint8_t *)p >= lo && (const uint8_t *)p < hi;
}

/* Forgets the initializers' pointers into the file buffer [lo, hi) (after
 * patch_raw, wholly or in part), so that freeing the decoded message frees
 * only what the decoder allocated. */
static void unborrow(Onnx__ModelProto *m, const uint8_t *lo, const uint8_t *hi)
{
    Onnx__GraphProto *gp = m ? m->graph : NULL;
    for (size_t i = 0; gp && i < gp->n_initializer; i++)
        if (in_buffer(gp->initializer[i]->raw_data.data, lo, hi)) {
            gp->initializer[i]->raw_data.data = NULL;
            gp->initializer[i]->raw_data.len = 0;
        }
}

/* Whether p lies in the file buffer g reads in place. */
static int borrowed(const struct hacl_graph *g, const void *p)
{
    return in_buffer(p, g->borrow_lo, g->borrow_hi);
}

aclError hacl_onnx_parse(const struct hacl_onnx_src *src, const char *base_dir, struct hacl_graph **out, char *why,
                         size_t whylen)
{
    why[0] = '\0';
    if (!src || !src->bytes || src->len == 0) {
        snprintf(why, whylen, "the model is empty");
        return ACL_ERROR_MODEL_SIZE_INVALID;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(&pb_allocator, src->len, src->bytes);
    if (m && patch_raw(src, m) != 0) {
        /* cannot happen for a split the scanner accepted; kept an error */
        unborrow(m, src->buf, src->buf + src->buf_len);
        onnx__model_proto__free_unpacked(m, &pb_allocator);
        snprintf(why, whylen, "internal: the model's initializers changed while it was read");
        return ACL_ERROR_DESERIALIZE_MODEL;
    }
    if (!m) {
        snprintf(why, whylen,
                 "the bytes are not an ONNX model (protobuf decoding failed); hostacl runs ONNX files, whatever "
                 "their name");
        return ACL_ERROR_DESERIALIZE_MODEL;
    }
    struct hacl_graph *g = hacl_calloc(1, sizeof *g);
    if (!g) {
        unborrow(m, src->buf, src->buf + src->buf_len);
        onnx__model_proto__free_unpacked(m, &pb_allocator);
        snprintf(why, whylen, "out of memory");
        return ACL_ERROR_BAD_ALLOC;
    }
    g->proto = m;
    if (src->nraw) {
        g->borrow_lo = src->buf;
        g->borrow_hi = src->buf + src->buf_len;
    }
    struct builder b = {g, base_dir, why, whylen, 0, NULL, 0};
    aclError rc = build(&b, m);
    hacl_free(b.slots);
    if (rc != ACL_SUCCESS) {
        hacl_graph_free(g);
        return rc;
    }
    *out = g;
    return ACL_SUCCESS;
}

/* Frees an initializer's decoded data; bytes read in place are forgotten
 * and, when the graph may, their whole pages given back. */
static void release_initializer(struct hacl_graph *g, Onnx__TensorProto *tp)
{
    if (tp->has_raw_data && borrowed(g, tp->raw_data.data)) {
        if (g->drop_borrowed)
            hacl_drop_pages(tp->raw_data.data, tp->raw_data.len);
        tp->raw_data.data = NULL;
        tp->raw_data.len = 0;
    } else if (tp->has_raw_data && tp->raw_data.data) {
        hacl_free(tp->raw_data.data);
        tp->raw_data.data = NULL;
        tp->raw_data.len = 0;
    }
    if (tp->float_data) {
        hacl_free(tp->float_data);
        tp->float_data = NULL;
        tp->n_float_data = 0;
    }
}

void hacl_graph_release_tensor(struct hacl_graph *g, int t)
{
    struct hacl_tensor *ts = &g->tensors[t];
    if (!ts->is_const)
        return;
    if (ts->owned)
        hacl_free(ts->owned);
    else if (ts->init)
        release_initializer(g, ts->init);
    ts->owned = NULL;
    ts->data = NULL;
}

void hacl_graph_release_weights(struct hacl_graph *g)
{
    for (size_t i = 0; i < g->ntensors; i++) {
        struct hacl_tensor *t = &g->tensors[i];
        if (!t->is_const)
            continue;
        hacl_free(t->owned);
        t->owned = NULL;
        t->data = NULL;
    }
    Onnx__ModelProto *m = g->proto;
    Onnx__GraphProto *gp = m ? m->graph : NULL;
    for (size_t i = 0; gp && i < gp->n_initializer; i++)
        release_initializer(g, gp->initializer[i]);
}

void hacl_graph_free(struct hacl_graph *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nnodes; i++) {
        hacl_free(g->nodes[i].inputs);
        hacl_free(g->nodes[i].outputs);
    }
    /* Nodes not yet counted (a failure mid-build) */
    if (g->proto && g->nodes) {
        Onnx__ModelProto *m = g->proto;
        if (m->graph)
            for (size_t i = g->nnodes; i < m->graph->n_node; i++) {
                hacl_free(g->nodes[i].inputs);
                hacl_free(g->nodes[i].outputs);
            }
    }
    hacl_free(g->nodes);
    for (size_t i = 0; g->tensors && i < g->ntensors; i++)
        hacl_free(g->tensors[i].owned);
    hacl_free(g->tensors);
    hacl_free(g->inputs);
    hacl_free(g->outputs);
    if (g->proto) {
        unborrow(g->proto, g->borrow_lo, g->borrow_hi);
        onnx__model_proto__free_unpacked(g->proto, &pb_allocator);
    }
    hacl_graph_free_edits(g);
    hacl_free(g);
}
