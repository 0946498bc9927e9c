/*
 * Edits of a parsed graph made by an offline model's conversion options
 * (convert.c): new tensors, nodes inserted into the execution order, and
 * the memory they need, freed with the graph (hacl_graph_free calls
 * hacl_graph_free_edits).
 */
#include <string.h>

#include "device/alloc.h"
#include "onnx.h"
#include "onnx/onnx.pb-c.h"

/* The graph's extra memory: a list of blocks. */
struct edit_block {
    struct edit_block *next;
    max_align_t data[];
};

void *hacl_graph_alloc(struct hacl_graph *g, size_t bytes)
{
    struct edit_block *b = hacl_calloc(1, sizeof *b + bytes);
    if (!b)
        return NULL;
    b->next = g->edits;
    g->edits = b;
    return b->data;
}

void hacl_graph_free_edits(struct hacl_graph *g)
{
    struct edit_block *b = g->edits;
    while (b) {
        struct edit_block *next = b->next;
        hacl_free(b);
        b = next;
    }
    g->edits = NULL;
}

char *hacl_graph_strdup(struct hacl_graph *g, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = hacl_graph_alloc(g, n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int hacl_graph_find(const struct hacl_graph *g, const char *name)
{
    for (size_t i = 0; i < g->ntensors; i++)
        if (g->tensors[i].name && !strcmp(g->tensors[i].name, name))
            return (int)i;
    return -1;
}

int hacl_graph_add_tensor(struct hacl_graph *g, const char *name, int onnx_type)
{
    char *nm = hacl_graph_strdup(g, name);
    struct hacl_tensor *t = nm ? hacl_realloc(g->tensors, (g->ntensors + 1) * sizeof *t) : NULL;
    if (!t)
        return -1;
    g->tensors = t;
    t = &g->tensors[g->ntensors];
    memset(t, 0, sizeof *t);
    t->name = nm;
    t->onnx_type = onnx_type;
    t->rank = -1;
    t->producer = -1;
    return (int)g->ntensors++;
}

int hacl_graph_insert_node(struct hacl_graph *g, size_t pos, const char *op, const char *name, const void *proto,
                           const void *aux, const int *in, size_t nin, const int *out, size_t nout)
{
    if (pos > g->nnodes)
        return -1;
    if (!proto) { /* attribute lookups read the NodeProto: an empty one */
        Onnx__NodeProto *np = hacl_graph_alloc(g, sizeof *np);
        if (!np)
            return -1;
        onnx__node_proto__init(np);
        proto = np;
    }
    int *ins = hacl_calloc(nin ? nin : 1, sizeof *ins), *outs = hacl_calloc(nout ? nout : 1, sizeof *outs);
    char *nm = hacl_graph_strdup(g, name), *o = hacl_graph_strdup(g, op);
    struct hacl_node *nodes = ins && outs && nm && o ? hacl_realloc(g->nodes, (g->nnodes + 1) * sizeof *nodes) : NULL;
    if (!nodes) {
        hacl_free(ins);
        hacl_free(outs);
        return -1;
    }
    g->nodes = nodes;
    memmove(&nodes[pos + 1], &nodes[pos], (g->nnodes - pos) * sizeof *nodes);
    g->nnodes++;
    for (size_t i = 0; i < g->ntensors; i++)
        if (g->tensors[i].producer >= (int)pos)
            g->tensors[i].producer++;
    struct hacl_node *n = &nodes[pos];
    memset(n, 0, sizeof *n);
    n->op = o;
    n->name = nm;
    n->proto = proto;
    n->aux = aux;
    memcpy(ins, in, nin * sizeof *ins);
    memcpy(outs, out, nout * sizeof *outs);
    n->inputs = ins;
    n->ninputs = nin;
    n->outputs = outs;
    n->noutputs = nout;
    for (size_t k = 0; k < nout; k++)
        g->tensors[outs[k]].producer = (int)pos;
    return 0;
}

const void *hacl_graph_int_attr_proto(struct hacl_graph *g, const char *op, const char *attr, int64_t value)
{
    Onnx__NodeProto *np = hacl_graph_alloc(g, sizeof *np);
    Onnx__AttributeProto *a = hacl_graph_alloc(g, sizeof *a);
    Onnx__AttributeProto **list = hacl_graph_alloc(g, sizeof *list);
    char *an = hacl_graph_strdup(g, attr), *on = hacl_graph_strdup(g, op);
    if (!np || !a || !list || !an || !on)
        return NULL;
    onnx__node_proto__init(np);
    onnx__attribute_proto__init(a);
    a->name = an;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_type = 1;
    a->i = value;
    a->has_i = 1;
    list[0] = a;
    np->op_type = on;
    np->n_attribute = 1;
    np->attribute = list;
    return np;
}
