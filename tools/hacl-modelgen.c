/*
 * hacl-modelgen: writes ONNX models with deterministic pseudo-random weights,
 * so demos, tests and benchmarks have real-sized models without downloads.
 *
 *   hacl-modelgen resnet50 [-b BATCH] [--fp16-input] [--seed N] -o FILE
 *   hacl-modelgen tiny     [-b BATCH] [--fp16-input] [--seed N] -o FILE
 *
 * resnet50 is ResNet-50 v1.5 as torchvision builds it (stride on the 3x3
 * convolution of each bottleneck, blocks [3, 4, 6, 3]) exported the way
 * exporters write it: Conv, BatchNormalization and Relu nodes, MaxPool,
 * residual Add, GlobalAveragePool, Flatten and Gemm (1000 classes). Weights
 * are He-scaled from a fixed seed; batch norms are near identity, with the
 * last one of each block scaled down so activations stay finite through the
 * residual sums. tiny is the same shape of network, narrow and shallow, for
 * tests. Input "images" [B,3,H,W] (float32, or float16 followed by a Cast),
 * output "logits" [B,1000] (tiny: [B,10]).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Uniform in [-1, 1). */
static float uniform(void)
{
    return (float)((double)(next_u64() >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static void *xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s ? s : 1);
    if (!p) {
        fprintf(stderr, "hacl-modelgen: out of memory\n");
        exit(1);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = xcalloc(strlen(s) + 1, 1);
    memcpy(d, s, strlen(s));
    return d;
}

/* Growable arrays of pointers. */
struct vec {
    void **v;
    size_t n, cap;
};

static void push(struct vec *a, void *p)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 64;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
        if (!a->v) {
            fprintf(stderr, "hacl-modelgen: out of memory\n");
            exit(1);
        }
    }
    a->v[a->n++] = p;
}

static struct vec nodes, inits;
static int counter;

static const char *fresh(const char *prefix)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s_%d", prefix, counter++);
    return xstrdup(buf);
}

static Onnx__AttributeProto *attr_ints(const char *name, const int64_t *v, size_t n)
{
    Onnx__AttributeProto *a = xcalloc(1, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = xstrdup(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    a->n_ints = n;
    a->ints = xcalloc(n, sizeof(int64_t));
    memcpy(a->ints, v, n * sizeof(int64_t));
    return a;
}

static Onnx__AttributeProto *attr_int(const char *name, int64_t v)
{
    Onnx__AttributeProto *a = xcalloc(1, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = xstrdup(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = v;
    return a;
}

static Onnx__AttributeProto *attr_float(const char *name, float v)
{
    Onnx__AttributeProto *a = xcalloc(1, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = xstrdup(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    a->has_f = 1;
    a->f = v;
    return a;
}

static const char *node(const char *op, const char **in, size_t nin, Onnx__AttributeProto **attrs, size_t nattr)
{
    Onnx__NodeProto *n = xcalloc(1, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = xstrdup(op);
    n->name = (char *)fresh(op);
    n->n_input = nin;
    n->input = xcalloc(nin, sizeof(char *));
    for (size_t i = 0; i < nin; i++)
        n->input[i] = xstrdup(in[i]);
    n->n_output = 1;
    n->output = xcalloc(1, sizeof(char *));
    n->output[0] = (char *)fresh(op);
    n->n_attribute = nattr;
    n->attribute = xcalloc(nattr, sizeof *n->attribute);
    if (nattr)
        memcpy(n->attribute, attrs, nattr * sizeof *attrs);
    push(&nodes, n);
    return n->output[0];
}

/* A float initializer filled by fill(i) for each element. */
static const char *init_tensor(const char *prefix, const int64_t *dims, size_t rank, float (*fill)(size_t, void *),
                               void *ctx)
{
    Onnx__TensorProto *t = xcalloc(1, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = (char *)fresh(prefix);
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    t->n_dims = rank;
    t->dims = xcalloc(rank, sizeof(int64_t));
    size_t count = 1;
    for (size_t i = 0; i < rank; i++) {
        t->dims[i] = dims[i];
        count *= (size_t)dims[i];
    }
    float *data = xcalloc(count, sizeof(float));
    for (size_t i = 0; i < count; i++)
        data[i] = fill(i, ctx);
    t->has_raw_data = 1;
    t->raw_data.len = count * sizeof(float);
    t->raw_data.data = (uint8_t *)data;
    push(&inits, t);
    return t->name;
}

static float fill_he(size_t i, void *ctx)
{
    (void)i;
    /* Uniform with the variance of He normal: sqrt(3) * sqrt(2 / fan_in). */
    return uniform() * *(float *)ctx;
}

static float fill_const(size_t i, void *ctx)
{
    (void)i;
    return *(float *)ctx;
}

static float fill_near(size_t i, void *ctx)
{
    (void)i;
    float *c = ctx; /* centre, spread */
    return c[0] + c[1] * uniform();
}

static const char *conv(const char *x, int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad)
{
    int64_t dims[4] = {cout, cin, k, k};
    float scale = sqrtf(3.0f) * sqrtf(2.0f / (float)(cin * k * k));
    const char *w = init_tensor("conv_w", dims, 4, fill_he, &scale);
    int64_t ks[2] = {k, k}, st[2] = {stride, stride}, pads[4] = {pad, pad, pad, pad}, dil[2] = {1, 1};
    Onnx__AttributeProto *at[5] = {attr_ints("kernel_shape", ks, 2), attr_ints("strides", st, 2),
                                   attr_ints("pads", pads, 4), attr_ints("dilations", dil, 2), attr_int("group", 1)};
    const char *in[2] = {x, w};
    return node("Conv", in, 2, at, 5);
}

static const char *batchnorm(const char *x, int64_t c, float gamma)
{
    float g[2] = {gamma, gamma * 0.1f}, b[2] = {0.0f, 0.05f}, m[2] = {0.0f, 0.05f}, v[2] = {1.0f, 0.1f};
    const char *in[5] = {x, init_tensor("bn_scale", &c, 1, fill_near, g), init_tensor("bn_bias", &c, 1, fill_near, b),
                         init_tensor("bn_mean", &c, 1, fill_near, m), init_tensor("bn_var", &c, 1, fill_near, v)};
    Onnx__AttributeProto *at[1] = {attr_float("epsilon", 1e-5f)};
    return node("BatchNormalization", in, 5, at, 1);
}

static const char *relu(const char *x)
{
    return node("Relu", &x, 1, NULL, 0);
}

static const char *bottleneck(const char *x, int64_t cin, int64_t width, int64_t stride)
{
    int64_t cout = width * 4;
    const char *y = relu(batchnorm(conv(x, cin, width, 1, 1, 0), width, 1.0f));
    y = relu(batchnorm(conv(y, width, width, 3, stride, 1), width, 1.0f));
    y = batchnorm(conv(y, width, cout, 1, 1, 0), cout, 0.2f);
    const char *shortcut = x;
    if (stride != 1 || cin != cout)
        shortcut = batchnorm(conv(x, cin, cout, 1, stride, 0), cout, 1.0f);
    const char *in[2] = {y, shortcut};
    return relu(node("Add", in, 2, NULL, 0));
}

static Onnx__ValueInfoProto *value(const char *name, int type, const int64_t *dims, size_t rank)
{
    Onnx__ValueInfoProto *vi = xcalloc(1, sizeof *vi);
    onnx__value_info_proto__init(vi);
    vi->name = xstrdup(name);
    Onnx__TypeProto *tp = xcalloc(1, sizeof *tp);
    onnx__type_proto__init(tp);
    Onnx__TypeProto__Tensor *tt = xcalloc(1, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = type;
    Onnx__TensorShapeProto *shape = xcalloc(1, sizeof *shape);
    onnx__tensor_shape_proto__init(shape);
    shape->n_dim = rank;
    shape->dim = xcalloc(rank, sizeof *shape->dim);
    for (size_t i = 0; i < rank; i++) {
        Onnx__TensorShapeProto__Dimension *d = xcalloc(1, sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = dims[i];
        shape->dim[i] = d;
    }
    tt->shape = shape;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    return vi;
}

static int usage(void)
{
    fprintf(stderr, "usage: hacl-modelgen resnet50|tiny [-b BATCH] [--fp16-input] [--seed N] -o FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *kind = argv[1], *out = NULL;
    int64_t batch = 1;
    int fp16 = 0;
    uint64_t seed = 20261124;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
            batch = atoll(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--fp16-input") == 0)
            fp16 = 1;
        else
            return usage();
    }
    int big = strcmp(kind, "resnet50") == 0;
    if ((!big && strcmp(kind, "tiny") != 0) || !out || batch < 1 || batch > 1024)
        return usage();
    rng_state = seed ? seed : 1;

    const int64_t res = big ? 224 : 32, stem = big ? 64 : 8, classes = big ? 1000 : 10;
    const int blocks_big[4] = {3, 4, 6, 3}, blocks_tiny[4] = {1, 1, 1, 1};
    const int *blocks = big ? blocks_big : blocks_tiny;
    int64_t in_dims[4] = {batch, 3, res, res};
    const char *x = "images";
    if (fp16) {
        Onnx__AttributeProto *to[1] = {attr_int("to", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)};
        x = node("Cast", &x, 1, to, 1);
    }
    /* stem: 7x7/2 conv, BN, ReLU, 3x3/2 max pool */
    x = relu(batchnorm(conv(x, 3, stem, 7, 2, 3), stem, 1.0f));
    int64_t ks[2] = {3, 3}, st[2] = {2, 2}, pads[4] = {1, 1, 1, 1};
    Onnx__AttributeProto *pool_at[3] = {attr_ints("kernel_shape", ks, 2), attr_ints("strides", st, 2),
                                        attr_ints("pads", pads, 4)};
    x = node("MaxPool", &x, 1, pool_at, 3);
    int64_t cin = stem;
    for (int stage = 0; stage < 4; stage++) {
        int64_t width = stem << stage;
        for (int b = 0; b < blocks[stage]; b++) {
            x = bottleneck(x, cin, width, (stage > 0 && b == 0) ? 2 : 1);
            cin = width * 4;
        }
    }
    x = node("GlobalAveragePool", &x, 1, NULL, 0);
    Onnx__AttributeProto *flat_at[1] = {attr_int("axis", 1)};
    x = node("Flatten", &x, 1, flat_at, 1);
    int64_t wd[2] = {classes, cin};
    float fc_scale = sqrtf(3.0f) * sqrtf(1.0f / (float)cin), zero = 0.0f;
    const char *gin[3] = {x, init_tensor("fc_w", wd, 2, fill_he, &fc_scale), init_tensor("fc_b", &classes, 1,
                                                                                      fill_const, &zero)};
    Onnx__AttributeProto *gemm_at[3] = {attr_float("alpha", 1.0f), attr_float("beta", 1.0f), attr_int("transB", 1)};
    x = node("Gemm", gin, 3, gemm_at, 3);
    /* Name the last output "logits". */
    Onnx__NodeProto *last = nodes.v[nodes.n - 1];
    last->output[0] = xstrdup("logits");

    Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
    g.name = xstrdup(big ? "resnet50_v1_5" : "tiny_resnet");
    g.n_node = nodes.n;
    g.node = (Onnx__NodeProto **)nodes.v;
    g.n_initializer = inits.n;
    g.initializer = (Onnx__TensorProto **)inits.v;
    Onnx__ValueInfoProto *gi = value("images", fp16 ? ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
                                     in_dims, 4);
    int64_t out_dims[2] = {batch, classes};
    Onnx__ValueInfoProto *go = value("logits", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, out_dims, 2);
    g.n_input = 1;
    g.input = &gi;
    g.n_output = 1;
    g.output = &go;
    Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    opset.domain = xstrdup("");
    opset.has_version = 1;
    opset.version = 13;
    Onnx__OperatorSetIdProto *opsets[1] = {&opset};
    Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
    m.has_ir_version = 1;
    m.ir_version = 8;
    m.producer_name = xstrdup("hacl-modelgen");
    m.n_opset_import = 1;
    m.opset_import = opsets;
    m.graph = &g;
    size_t len = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = xcalloc(len, 1);
    onnx__model_proto__pack(&m, buf);
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "hacl-modelgen: cannot write %s\n", out);
        return 1;
    }
    fprintf(stderr, "hacl-modelgen: wrote %s (%s, batch %lld, %s input, %zu nodes, %zu initializers, %zu bytes)\n",
            out, kind, (long long)batch, fp16 ? "float16" : "float32", nodes.n, inits.n, len);
    return 0; /* the process exit releases the tree */
}
