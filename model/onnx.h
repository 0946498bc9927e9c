/*
 * hostacl internal: ONNX models parsed into a validated graph.
 *
 * The model bytes are decoded with protobuf-c (code generated at build time
 * from Debian's onnx.proto); the decoded message stays alive with the graph,
 * whose constant tensors point into it, so weights are read once per model.
 *
 * Validation refuses, with a message naming the node or tensor: bytes that
 * are not a protobuf ModelProto, a model without a graph, tensors whose data
 * is shorter or longer than their dims say, negative or overflowing dims,
 * nodes reading names nothing defines, names defined twice, cycles, graph
 * outputs nothing produces, and tensor types hostacl does not handle.
 *
 * Thread: any (no shared state).
 */
#ifndef HOSTACL_MODEL_ONNX_H
#define HOSTACL_MODEL_ONNX_H

#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"

#define HACL_MAX_RANK 8

struct hacl_tensor {
    const char *name;
    int onnx_type; /* ONNX TensorProto.DataType */
    int rank;      /* -1: unknown */
    int64_t dims[HACL_MAX_RANK];
    int is_const;          /* an initializer: data holds its bytes */
    const void *data;
    void *owned;           /* data the graph owns (external or folded), or NULL */
    void *init;            /* the initializer (Onnx__TensorProto) data points into, or NULL */
    size_t bytes;
    int producer;          /* node index, or -1 */
    int planned;           /* lives in the work buffer at `offset` */
    size_t offset;
};

struct hacl_node {
    const char *op;
    const char *name;
    const void *proto; /* the NodeProto, for attributes */
    size_t ninputs, noutputs;
    int *inputs;       /* tensor indices, -1 for an omitted optional input */
    int *outputs;
    int folded;        /* computed at load (constant folding), or absorbed */
    /* Conv / AveragePool: zero padding of a Pad node absorbed into this
     * window (the Pad is marked folded and input 0 reads its input) */
    int absorbed_pad;
    int64_t pad_begin[3], pad_end[3];
    /* a node added by a conversion (graph_edit.c): its operator's
     * parameters, owned by the graph; NULL for the file's nodes */
    const void *aux;
};

struct hacl_graph {
    void *proto; /* the decoded ModelProto, owning names and weights */
    size_t ntensors, nnodes, ninputs, noutputs;
    struct hacl_tensor *tensors;
    struct hacl_node *nodes; /* in a valid execution order */
    int *inputs;             /* model inputs (not initializers) */
    int *outputs;
    int64_t ir_version, opset;
    void *edits; /* memory of conversions' additions (graph_edit.c) */
    /* The source's file buffer, where initializers' raw bytes may point
     * (read in place: never freed through the decoded message), and
     * whether releasing such a constant may give its pages back (the
     * buffer serves this graph alone from then on). */
    const uint8_t *borrow_lo, *borrow_hi;
    int drop_borrowed;
};

/* A model's bytes ready for decoding (onnx_split.c): the ModelProto, with
 * the graph initializers' raw bytes taken out when they could be, the
 * taken ones left in the file buffer (moved to aligned places) and
 * patched back in by hacl_onnx_parse, which then copies nothing large. */
struct hacl_onnx_src {
    const uint8_t *bytes; /* the message to decode (stripped or original) */
    size_t len;
    size_t nraw;          /* graph initializers when some were taken, else 0 */
    const uint8_t **raw;  /* per initializer, in order: its taken bytes, or NULL */
    size_t *raw_len;
    uint8_t *buf;         /* the file buffer (ours), freed with the source */
    size_t buf_len;
    uint8_t *stripped;
};
/* Takes buf (hacl_malloc'd, ours from now on, buf_len bytes) holding the
 * ONNX message [onnx, onnx + onnx_len); NULL when out of memory (buf then
 * stays the caller's). */
struct hacl_onnx_src *hacl_onnx_src_new(void *buf, size_t buf_len, const void *onnx, size_t onnx_len);
void hacl_onnx_src_free(struct hacl_onnx_src *s);

/* Decodes and validates: ACL_SUCCESS and *out, or an error code with the
 * reason in why. base_dir: the model file's folder, where initializers
 * with external data are read from (paths confined to it); NULL refuses
 * external data. */
aclError hacl_onnx_parse(const struct hacl_onnx_src *src, const char *base_dir, struct hacl_graph **out, char *why,
                         size_t whylen);
/* Fills t's type, dims, bytes and data from a TensorProto (data points
 * into the proto, or into t->owned for external data). */
aclError hacl_onnx_tensor_view(const void *tensor_proto, struct hacl_tensor *t, const char *base_dir, char *why,
                               size_t whylen);
void hacl_graph_free(struct hacl_graph *g);
/* Frees the constants' data (initializers, folded and external tensors)
 * once a compiled program holds its own copies; t->data becomes NULL. */
void hacl_graph_release_weights(struct hacl_graph *g);
/* The same for one constant tensor, once nothing will read its data. */
void hacl_graph_release_tensor(struct hacl_graph *g, int t);

/* ---- conversions' edits of a parsed graph, before shape inference
 * (graph_edit.c) ---- */
/* Zeroed memory that lives as long as the graph; NULL when out of memory. */
void *hacl_graph_alloc(struct hacl_graph *g, size_t bytes);
char *hacl_graph_strdup(struct hacl_graph *g, const char *s);
/* A new tensor (no producer, unknown shape): its index, or -1. The name is
 * copied. */
int hacl_graph_add_tensor(struct hacl_graph *g, const char *name, int onnx_type);
/* Inserts a node at position pos of the execution order (its inputs must
 * be defined before pos, its outputs read after); producers are
 * renumbered. proto: a NodeProto for attributes, or NULL; aux: the
 * operator's parameters. The strings and arrays are copied. 0, or -1. */
int hacl_graph_insert_node(struct hacl_graph *g, size_t pos, const char *op, const char *name, const void *proto,
                           const void *aux, const int *in, size_t nin, const int *out, size_t nout);
/* Frees that memory (hacl_graph_free does). */
void hacl_graph_free_edits(struct hacl_graph *g);
/* A NodeProto carrying one integer attribute (Cast's "to"), owned by g. */
const void *hacl_graph_int_attr_proto(struct hacl_graph *g, const char *op, const char *attr, int64_t value);
/* The tensor named name, or -1. */
int hacl_graph_find(const struct hacl_graph *g, const char *name);

/* Size in bytes of one element of an ONNX type (0: unsupported). */
size_t hacl_onnx_type_size(int onnx_type);
/* The aclDataType of an ONNX type (ACL_DT_UNDEFINED if none). */
aclDataType hacl_onnx_to_acl_type(int onnx_type);
/* Elements of a tensor with known dims, or -1 (unknown, or overflow). */
int64_t hacl_tensor_elements(const struct hacl_tensor *t);

#endif
