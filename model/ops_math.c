/*
 * Element-wise operators for every numeric type the exporters emit:
 * unary math and activations, Cast, Clip, binary arithmetic with numpy
 * broadcasting (Add, Sub, Mul, Div, Pow, Mod, PRelu), comparisons and logic
 * (bool results), variadic Max/Min/Sum/Mean and Where.
 *
 * float32 runs in float32 loops (the hot path of real models: residual
 * adds, squeeze-and-excitation scales, GELU and LayerNorm decompositions);
 * other floating types compute in double and round once; integer types
 * compute in int64 (shape arithmetic folded at load), with integer
 * division by zero and INT64_MIN / -1 reported as bad data, not trapped.
 *
 * Thread: any; kernels keep no state.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "kernel_impl.h"

/* ---- broadcasting ---- */

aclError hacl_bcast_shape(const struct hacl_tensor *const *ins, int n, int *rank, int64_t *dims)
{
    int r = 0;
    for (int k = 0; k < n; k++)
        r = ins[k]->rank > r ? ins[k]->rank : r;
    for (int i = 0; i < r; i++) {
        int64_t d = 1;
        for (int k = 0; k < n; k++) {
            int ik = i - (r - ins[k]->rank);
            int64_t v = ik >= 0 ? ins[k]->dims[ik] : 1;
            if (v != 1 && d != 1 && v != d)
                return ACL_ERROR_PARSE_MODEL;
            d = v == 1 ? d : v;
        }
        dims[i] = d;
    }
    *rank = r;
    return ACL_SUCCESS;
}

void hacl_bcast_init(struct hacl_bcast *b, const struct hacl_tensor *out, const struct hacl_tensor *const *ins, int n)
{
    b->r = out->rank;
    b->n = n;
    for (int i = 0; i < b->r; i++)
        b->dims[i] = out->dims[i];
    for (int k = 0; k < n; k++) {
        int64_t acc = 1;
        for (int i = b->r - 1; i >= 0; i--) {
            int ik = i - (b->r - ins[k]->rank);
            int64_t d = ik >= 0 ? ins[k]->dims[ik] : 1;
            b->st[k][i] = d == 1 ? 0 : acc;
            acc *= d;
        }
    }
}

void hacl_bcast_walk(const struct hacl_bcast *b, hacl_bcast_row_fn row, void *ctx)
{
    int64_t off[HACL_BCAST_MAX_IN] = {0}, inner[HACL_BCAST_MAX_IN], idx[HACL_MAX_RANK] = {0};
    int r = b->r;
    int64_t len = r ? b->dims[r - 1] : 1, rows = 1;
    for (int i = 0; i < r - 1; i++)
        rows *= b->dims[i];
    if (len == 0 || rows == 0)
        return;
    for (int k = 0; k < b->n; k++)
        inner[k] = r ? b->st[k][r - 1] : 0;
    for (int64_t row_i = 0; row_i < rows; row_i++) {
        row(ctx, off, row_i * len, len, inner);
        for (int i = r - 2; i >= 0; i--) { /* advance the outer multi-index */
            idx[i]++;
            for (int k = 0; k < b->n; k++)
                off[k] += b->st[k][i];
            if (idx[i] < b->dims[i])
                break;
            for (int k = 0; k < b->n; k++)
                off[k] -= b->st[k][i] * idx[i];
            idx[i] = 0;
        }
    }
}

/* ---- shape inference ---- */

static aclError infer_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 3, why, whylen);
    if (rc == ACL_SUCCESS && !is_numeric_type(IN(n, 0)->onnx_type))
        rc = why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s): element type %d is not supported",
                      n->name, n->op, IN(n, 0)->onnx_type);
    if (rc == ACL_SUCCESS)
        set_out(OUT(n, 0), IN(n, 0)->onnx_type, IN(n, 0)->rank, IN(n, 0)->dims);
    return rc;
}

static aclError infer_float_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_same(g, n, why, whylen);
    if (rc == ACL_SUCCESS && !is_float_type(IN(n, 0)->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) computes floating types only",
                        n->name, n->op);
    return rc;
}

/* Signed numbers: floats and signed integers. */
static aclError infer_signed_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_same(g, n, why, whylen);
    int t = rc == ACL_SUCCESS ? IN(n, 0)->onnx_type : 0;
    if (rc == ACL_SUCCESS && t == BOOL)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) does not take bool", n->name,
                        n->op);
    return rc;
}

static aclError infer_bool_same(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_same(g, n, why, whylen);
    if (rc == ACL_SUCCESS && IN(n, 0)->onnx_type != BOOL)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) takes bool", n->name, n->op);
    return rc;
}

/* IsNaN, IsInf: float in, bool out. */
static aclError infer_float_test(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_float_same(g, n, why, whylen);
    if (rc == ACL_SUCCESS)
        OUT(n, 0)->onnx_type = BOOL;
    return rc;
}

/* ---- unary ---- */

/* A float32 loop, and a double loop for the other floating types. */
#define UNARY_F(fname, expr)                                                                   \
    static void fname(const struct hacl_kernel_args *args)                                     \
    {                                                                                          \
        const struct hacl_graph *g = args->g;                                                  \
        const struct hacl_node *n = args->node;                                                \
        float alpha = hacl_attr_float(n, "alpha", unary_alpha(n)), beta = unary_beta(n);       \
        (void)alpha, (void)beta;                                                               \
        int t = IN(n, 0)->onnx_type;                                                           \
        size_t count = numel(IN(n, 0));                                                        \
        const void *xp = args->bufs[n->inputs[0]];                                             \
        void *yp = args->bufs[n->outputs[0]];                                                  \
        if (t == F32) {                                                                        \
            const float *x = xp;                                                               \
            float *y = yp;                                                                     \
            for (size_t i = 0; i < count; i++) {                                               \
                float v = x[i];                                                                \
                y[i] = (float)(expr);                                                          \
            }                                                                                  \
        } else {                                                                               \
            for (size_t i = 0; i < count; i++) {                                               \
                double v = load_f(t, xp, i);                                                   \
                store_f(t, yp, i, (double)(expr));                                             \
            }                                                                                  \
        }                                                                                      \
    }

/* Attribute defaults of the activations that have them. */
static float unary_alpha(const struct hacl_node *n)
{
    const char *op = n->op;
    if (!strcmp(op, "LeakyRelu"))
        return 0.01f;
    if (!strcmp(op, "HardSigmoid"))
        return 0.2f;
    if (!strcmp(op, "Selu"))
        return 1.67326319217681884765625f;
    if (!strcmp(op, "ThresholdedRelu"))
        return 1.0f;
    return 1.0f; /* Elu, Celu */
}

static float unary_beta(const struct hacl_node *n)
{
    if (!strcmp(n->op, "HardSigmoid"))
        return hacl_attr_float(n, "beta", 0.5f);
    if (!strcmp(n->op, "Selu"))
        return hacl_attr_float(n, "gamma", 1.05070102214813232421875f);
    if (!strcmp(n->op, "Shrink"))
        return hacl_attr_float(n, "bias", 0.0f);
    return 0;
}

static double sigmoid(double v)
{
    return v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v));
}

static double gelu(const struct hacl_node *n, double v);

UNARY_F(run_relu, v > 0 ? v : 0 * v)
UNARY_F(run_sigmoid, t == F32 ? 1.0f / (1.0f + expf(-v)) : sigmoid(v))
UNARY_F(run_tanh, tanh(v))
UNARY_F(run_exp, exp(v))
UNARY_F(run_log, log(v))
UNARY_F(run_sqrt, sqrt(v))
UNARY_F(run_reciprocal, 1.0 / v)
UNARY_F(run_floor, floor(v))
UNARY_F(run_ceil, ceil(v))
UNARY_F(run_round, nearbyint(v))
UNARY_F(run_erf, erf(v))
UNARY_F(run_sin, sin(v))
UNARY_F(run_cos, cos(v))
UNARY_F(run_tan, tan(v))
UNARY_F(run_asin, asin(v))
UNARY_F(run_acos, acos(v))
UNARY_F(run_atan, atan(v))
UNARY_F(run_sinh, sinh(v))
UNARY_F(run_cosh, cosh(v))
UNARY_F(run_asinh, asinh(v))
UNARY_F(run_acosh, acosh(v))
UNARY_F(run_atanh, atanh(v))
UNARY_F(run_softplus, v > 0 ? v + log1p(exp(-v)) : log1p(exp(v)))
UNARY_F(run_softsign, v / (1.0 + fabs(v)))
UNARY_F(run_hardswish, v * fmax(0.0, fmin(1.0, v / 6.0 + 0.5)))
UNARY_F(run_mish, v * tanh(v > 0 ? v + log1p(exp(-v)) : log1p(exp(v))))
UNARY_F(run_leakyrelu, v >= 0 ? v : alpha * v)
UNARY_F(run_elu, v >= 0 ? v : alpha * (exp(v) - 1.0))
UNARY_F(run_celu, fmax(0.0, v) + fmin(0.0, alpha * (exp(v / alpha) - 1.0)))
UNARY_F(run_thresholdedrelu, v > alpha ? v : 0)
UNARY_F(run_hardsigmoid, fmax(0.0, fmin(1.0, alpha * v + beta)))
UNARY_F(run_selu, v > 0 ? beta * v : beta * (alpha * exp(v) - alpha))
UNARY_F(run_gelu, gelu(n, v))

static double gelu(const struct hacl_node *n, double v)
{
    const Onnx__AttributeProto *a = attr(n, "approximate");
    if (a && a->has_s && a->s.len == 4 && !strncmp((const char *)a->s.data, "tanh", 4))
        return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    return 0.5 * v * (1.0 + erf(v * 0.7071067811865476));
}

/* Abs, Neg, Sign: floats and integers. */
static void run_signed_unary(const struct hacl_kernel_args *a, int op)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int t = IN(n, 0)->onnx_type;
    size_t count = numel(IN(n, 0));
    const void *x = a->bufs[n->inputs[0]];
    void *y = a->bufs[n->outputs[0]];
    for (size_t i = 0; i < count; i++) {
        if (is_float_type(t)) {
            double v = load_f(t, x, i);
            store_f(t, y, i, op == 0 ? fabs(v) : op == 1 ? -v : (double)((v > 0) - (v < 0)));
        } else {
            int64_t v = load_i(t, x, i);
            /* negation in unsigned arithmetic: INT64_MIN stays itself */
            int64_t neg = (int64_t)(0 - (uint64_t)v);
            store_i(t, y, i, op == 0 ? (v < 0 ? neg : v) : op == 1 ? neg : (int64_t)((v > 0) - (v < 0)));
        }
    }
}

static void run_abs(const struct hacl_kernel_args *a) { run_signed_unary(a, 0); }
static void run_neg(const struct hacl_kernel_args *a) { run_signed_unary(a, 1); }
static void run_sign(const struct hacl_kernel_args *a) { run_signed_unary(a, 2); }

static void run_not(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const uint8_t *x = a->bufs[n->inputs[0]];
    uint8_t *y = a->bufs[n->outputs[0]];
    for (size_t i = 0, c = numel(IN(n, 0)); i < c; i++)
        y[i] = !x[i];
}

static void run_float_test(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int t = IN(n, 0)->onnx_type, isnan_op = !strcmp(n->op, "IsNaN");
    int pos = (int)hacl_attr_int(n, "detect_positive", 1), neg = (int)hacl_attr_int(n, "detect_negative", 1);
    const void *x = a->bufs[n->inputs[0]];
    uint8_t *y = a->bufs[n->outputs[0]];
    for (size_t i = 0, c = numel(IN(n, 0)); i < c; i++) {
        double v = load_f(t, x, i);
        y[i] = isnan_op ? isnan(v) : isinf(v) && ((v > 0 && pos) || (v < 0 && neg));
    }
}

static void run_shrink(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int t = IN(n, 0)->onnx_type;
    double lambd = hacl_attr_float(n, "lambd", 0.5f), bias = hacl_attr_float(n, "bias", 0.0f);
    const void *x = a->bufs[n->inputs[0]];
    void *y = a->bufs[n->outputs[0]];
    for (size_t i = 0, c = numel(IN(n, 0)); i < c; i++) {
        double v = load_f(t, x, i);
        store_f(t, y, i, v < -lambd ? v + bias : v > lambd ? v - bias : 0);
    }
}

static void run_copy(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    size_t bytes = numel(IN(n, 0)) * hacl_onnx_type_size(IN(n, 0)->onnx_type);
    if (a->bufs[n->outputs[0]] != a->bufs[n->inputs[0]] && bytes)
        memcpy(a->bufs[n->outputs[0]], a->bufs[n->inputs[0]], bytes);
}

/* ---- Clip ---- */

static aclError infer_clip(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = infer_signed_same(g, n, why, whylen);
    for (size_t i = 1; rc == ACL_SUCCESS && i < 3; i++)
        if (has_input(n, i) && (IN(n, i)->onnx_type != IN(n, 0)->onnx_type || hacl_tensor_elements(IN(n, i)) != 1))
            rc = FAIL("node '%s' (Clip): min and max must be one value of the input's type", n->name);
    return rc;
}

static void run_clip(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int t = IN(n, 0)->onnx_type;
    size_t c = numel(IN(n, 0));
    const void *x = a->bufs[n->inputs[0]];
    void *y = a->bufs[n->outputs[0]];
    if (is_float_type(t)) {
        double lo = has_input(n, 1) ? load_f(t, a->bufs[n->inputs[1]], 0) : hacl_attr_float(n, "min", -INFINITY);
        double hi = has_input(n, 2) ? load_f(t, a->bufs[n->inputs[2]], 0) : hacl_attr_float(n, "max", INFINITY);
        if (t == F32) {
            const float *xf = x;
            float *yf = y, l = (float)lo, h = (float)hi;
            for (size_t i = 0; i < c; i++)
                yf[i] = xf[i] < l ? l : (xf[i] > h ? h : xf[i]);
        } else {
            for (size_t i = 0; i < c; i++) {
                double v = load_f(t, x, i);
                store_f(t, y, i, v < lo ? lo : v > hi ? hi : v);
            }
        }
        return;
    }
    int64_t lo = has_input(n, 1) ? load_i(t, a->bufs[n->inputs[1]], 0) : INT64_MIN;
    int64_t hi = has_input(n, 2) ? load_i(t, a->bufs[n->inputs[2]], 0) : INT64_MAX;
    for (size_t i = 0; i < c; i++) {
        int64_t v = load_i(t, x, i);
        store_i(t, y, i, v < lo ? lo : v > hi ? hi : v);
    }
}

/* ---- Cast, CastLike ---- */

static aclError infer_cast(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    int like = !strcmp(n->op, "CastLike");
    aclError rc = need_inputs(n, like ? 2 : 1, like ? 2 : 1, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_known(g, n, 0, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    if (like && !has_input(n, 1))
        return FAIL("node '%s' (CastLike) lacks its target_type input", n->name);
    int to = like ? IN(n, 1)->onnx_type : (int)hacl_attr_int(n, "to", 0), from = IN(n, 0)->onnx_type;
    if (!is_numeric_type(from) || !is_numeric_type(to))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (%s): casts from type %d to %d are not supported (numbers and bool are)", n->name,
                        n->op, from, to);
    set_out(OUT(n, 0), to, IN(n, 0)->rank, IN(n, 0)->dims);
    return ACL_SUCCESS;
}

static void run_cast(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    int from = IN(n, 0)->onnx_type, to = OUT(n, 0)->onnx_type;
    size_t c = numel(IN(n, 0));
    void *y = a->bufs[n->outputs[0]];
    const void *x = a->bufs[n->inputs[0]];
    if (from == to) {
        if (x != y && c)
            memcpy(y, x, c * hacl_onnx_type_size(from));
    } else if (from == F16 && to == F32) {
        for (size_t i = 0; i < c; i++)
            ((float *)y)[i] = aclFloat16ToFloat(((const aclFloat16 *)x)[i]);
    } else if (from == F32 && to == F16) {
        for (size_t i = 0; i < c; i++)
            ((aclFloat16 *)y)[i] = aclFloatToFloat16(((const float *)x)[i]);
    } else if (is_float_type(from) || is_float_type(to)) {
        for (size_t i = 0; i < c; i++)
            store_f(to, y, i, load_f(from, x, i));
    } else {
        for (size_t i = 0; i < c; i++)
            store_i(to, y, i, load_i(from, x, i));
    }
}

/* ---- binary, variadic and Where, with broadcasting ---- */

enum bop { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MOD, B_PRELU, B_MAX, B_MIN, B_SUM, B_MEAN, B_EQ, B_LT, B_GT, B_LE,
           B_GE, B_AND, B_OR, B_XOR, B_BITAND, B_BITOR, B_BITXOR };

struct bop_info {
    const char *name;
    enum bop op;
    int result; /* 0: the inputs' type; BOOL: bool */
};

static const struct bop_info bops[] = {
    {"Add", B_ADD, 0}, {"Sub", B_SUB, 0}, {"Mul", B_MUL, 0}, {"Div", B_DIV, 0}, {"Pow", B_POW, 0},
    {"Mod", B_MOD, 0}, {"PRelu", B_PRELU, 0}, {"Max", B_MAX, 0}, {"Min", B_MIN, 0}, {"Sum", B_SUM, 0},
    {"Mean", B_MEAN, 0}, {"Equal", B_EQ, BOOL}, {"Less", B_LT, BOOL}, {"Greater", B_GT, BOOL},
    {"LessOrEqual", B_LE, BOOL}, {"GreaterOrEqual", B_GE, BOOL}, {"And", B_AND, BOOL}, {"Or", B_OR, BOOL},
    {"Xor", B_XOR, BOOL}, {"BitwiseAnd", B_BITAND, 0}, {"BitwiseOr", B_BITOR, 0}, {"BitwiseXor", B_BITXOR, 0},
};

static const struct bop_info *bop_of(const char *name)
{
    for (size_t i = 0; i < sizeof bops / sizeof bops[0]; i++)
        if (!strcmp(bops[i].name, name))
            return &bops[i];
    return NULL;
}

static aclError infer_nary(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    const struct bop_info *bi = bop_of(n->op);
    int variadic = bi->op == B_MAX || bi->op == B_MIN || bi->op == B_SUM || bi->op == B_MEAN;
    aclError rc = need_inputs(n, variadic ? 1 : 2, variadic ? HACL_BCAST_MAX_IN : 2, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen)
                             : FAIL("node '%s' (%s) lacks input %zu", n->name, n->op, i);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *ins[HACL_BCAST_MAX_IN];
    int t = IN(n, 0)->onnx_type;
    for (size_t i = 0; i < n->ninputs; i++) {
        ins[i] = IN(n, i);
        /* Pow's exponent may have its own type; the others share one. */
        if (!is_numeric_type(ins[i]->onnx_type) || (bi->op != B_POW && ins[i]->onnx_type != t))
            return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                            "node '%s' (%s): input types %d and %d are not supported together", n->name, n->op, t,
                            ins[i]->onnx_type);
    }
    int logic = bi->op == B_AND || bi->op == B_OR || bi->op == B_XOR;
    int bits = bi->op == B_BITAND || bi->op == B_BITOR || bi->op == B_BITXOR;
    if ((logic && t != BOOL) || (bits && is_float_type(t)) || (!logic && !bits && bi->result != BOOL && t == BOOL))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) does not take type %d", n->name,
                        n->op, t);
    if (bi->op == B_MOD && is_float_type(t) && hacl_attr_int(n, "fmod", 0) != 1)
        return FAIL("node '%s' (Mod): floating inputs need fmod = 1", n->name);
    int r;
    int64_t d[HACL_MAX_RANK];
    if (hacl_bcast_shape(ins, (int)n->ninputs, &r, d) != ACL_SUCCESS)
        return FAIL("node '%s' (%s): the input shapes do not broadcast", n->name, n->op);
    if (bi->op == B_PRELU && hacl_tensor_elements(ins[0]) != hacl_tensor_elements(ins[1]) &&
        (r != ins[0]->rank || memcmp(d, ins[0]->dims, sizeof(int64_t) * (size_t)r)))
        return FAIL("node '%s' (PRelu): the slope must broadcast to the input's shape", n->name);
    set_out(OUT(n, 0), bi->result ? bi->result : t, r, d);
    return ACL_SUCCESS;
}

struct nary_ctx {
    const struct hacl_kernel_args *a;
    enum bop op;
    int t, to, nin, fmod;
    const void *in[HACL_BCAST_MAX_IN];
    int type[HACL_BCAST_MAX_IN];
    void *out;
};

/* float32 rows of the common two-input operators. */
#define F32_ROW(expr)                                                                                  \
    do {                                                                                               \
        if (sx == 1 && sy == 1)                                                                        \
            for (int64_t i = 0; i < len; i++) {                                                        \
                float u = x[i], v = y[i];                                                              \
                z[i] = (expr);                                                                         \
            }                                                                                          \
        else if (sy == 0) {                                                                            \
            float v = y[0];                                                                            \
            for (int64_t i = 0; i < len; i++) {                                                        \
                float u = x[i * sx];                                                                   \
                z[i] = (expr);                                                                         \
            }                                                                                          \
        } else                                                                                         \
            for (int64_t i = 0; i < len; i++) {                                                        \
                float u = x[i * sx], v = y[i * sy];                                                    \
                z[i] = (expr);                                                                         \
            }                                                                                          \
    } while (0)

static int f32_row(struct nary_ctx *c, const int64_t *off, int64_t out_off, int64_t len, const int64_t *st)
{
    const float *x = (const float *)c->in[0] + off[0], *y = (const float *)c->in[1] + off[1];
    float *z = (float *)c->out + out_off;
    int64_t sx = st[0], sy = st[1];
    switch (c->op) {
    case B_ADD: F32_ROW(u + v); return 1;
    case B_SUB: F32_ROW(u - v); return 1;
    case B_MUL: F32_ROW(u * v); return 1;
    case B_DIV: F32_ROW(u / v); return 1;
    case B_PRELU: F32_ROW(u < 0 ? u * v : u); return 1;
    case B_MAX: F32_ROW(u != u || v != v ? u + v : u > v ? u : v); return 1;
    case B_MIN: F32_ROW(u != u || v != v ? u + v : u < v ? u : v); return 1;
    case B_SUM: F32_ROW(u + v); return 1;
    default: return 0;
    }
}

static double fold_f(enum bop op, double u, double v, int fmod_mode)
{
    switch (op) {
    case B_ADD: case B_SUM: case B_MEAN: return u + v;
    case B_SUB: return u - v;
    case B_MUL: return u * v;
    case B_DIV: return u / v;
    case B_POW: return pow(u, v);
    case B_MOD: {
        double m = fmod(u, v);
        return fmod_mode || m == 0 || (m < 0) == (v < 0) ? m : m + v;
    }
    case B_PRELU: return u < 0 ? u * v : u;
    case B_MAX: return u != u || v != v ? NAN : u > v ? u : v;
    case B_MIN: return u != u || v != v ? NAN : u < v ? u : v;
    case B_EQ: return u == v;
    case B_LT: return u < v;
    case B_GT: return u > v;
    case B_LE: return u <= v;
    case B_GE: return u >= v;
    default: return 0;
    }
}

/* int64 arithmetic; *bad is set for a division that would trap. Sums and
 * products wrap (computed unsigned), as the narrower types would. */
static int64_t fold_i(enum bop op, int64_t u, int64_t v, int fmod_mode, const char **bad)
{
    switch (op) {
    case B_ADD: case B_SUM: case B_MEAN: return (int64_t)((uint64_t)u + (uint64_t)v);
    case B_SUB: return (int64_t)((uint64_t)u - (uint64_t)v);
    case B_MUL: return (int64_t)((uint64_t)u * (uint64_t)v);
    case B_DIV:
    case B_MOD:
        if (v == 0 || (u == INT64_MIN && v == -1)) {
            *bad = "an integer division by zero (or of the smallest value by -1)";
            return 0;
        }
        if (op == B_DIV)
            return u / v;
        {
            int64_t m = u % v;
            return fmod_mode || m == 0 || (m < 0) == (v < 0) ? m : m + v;
        }
    case B_POW: {
        if (v < 0)
            return u == 1 ? 1 : u == -1 ? (v % 2 ? -1 : 1) : 0;
        uint64_t r = 1, b = (uint64_t)u;
        for (int64_t e = v; e > 0; e >>= 1, b *= b)
            if (e & 1)
                r *= b;
        return (int64_t)r;
    }
    case B_PRELU: return u < 0 ? (int64_t)((uint64_t)u * (uint64_t)v) : u;
    case B_MAX: return u > v ? u : v;
    case B_MIN: return u < v ? u : v;
    case B_EQ: return u == v;
    case B_LT: return u < v;
    case B_GT: return u > v;
    case B_LE: return u <= v;
    case B_GE: return u >= v;
    case B_AND: return u && v;
    case B_OR: return u || v;
    case B_XOR: return !u != !v;
    case B_BITAND: return u & v;
    case B_BITOR: return u | v;
    case B_BITXOR: return u ^ v;
    default: return 0;
    }
}

static void nary_row(void *ctx, const int64_t *off, int64_t out_off, int64_t len, const int64_t *st)
{
    struct nary_ctx *c = ctx;
    if (c->t == F32 && c->to == F32 && c->nin == 2 && f32_row(c, off, out_off, len, st))
        return;
    int floats = is_float_type(c->t) || (c->op == B_POW && is_float_type(c->type[1]));
    for (int64_t i = 0; i < len; i++) {
        if (floats) {
            double acc = load_f(c->type[0], c->in[0], (size_t)(off[0] + i * st[0]));
            for (int k = 1; k < c->nin; k++)
                acc = fold_f(c->op, acc, load_f(c->type[k], c->in[k], (size_t)(off[k] + i * st[k])), c->fmod);
            if (c->op == B_MEAN)
                acc /= c->nin;
            store_f(c->to, c->out, (size_t)(out_off + i), acc);
        } else {
            const char *bad = NULL;
            int64_t acc = load_i(c->type[0], c->in[0], (size_t)(off[0] + i * st[0]));
            for (int k = 1; k < c->nin; k++)
                acc = fold_i(c->op, acc, load_i(c->type[k], c->in[k], (size_t)(off[k] + i * st[k])), c->fmod, &bad);
            if (c->op == B_MEAN)
                acc /= c->nin;
            if (bad)
                *c->a->error = bad;
            store_i(c->to, c->out, (size_t)(out_off + i), acc);
        }
    }
}

static void run_nary(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct nary_ctx c = {a, bop_of(n->op)->op, IN(n, 0)->onnx_type, OUT(n, 0)->onnx_type, (int)n->ninputs,
                         (int)hacl_attr_int(n, "fmod", 0), {0}, {0}, a->bufs[n->outputs[0]]};
    const struct hacl_tensor *ins[HACL_BCAST_MAX_IN];
    for (int k = 0; k < c.nin; k++) {
        ins[k] = IN(n, k);
        c.in[k] = a->bufs[n->inputs[k]];
        c.type[k] = ins[k]->onnx_type;
    }
    struct hacl_bcast b;
    hacl_bcast_init(&b, OUT(n, 0), ins, c.nin);
    hacl_bcast_walk(&b, nary_row, &c);
}

static aclError infer_where(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 3, 3, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < 3; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen) : FAIL("node '%s' (Where) lacks input %zu", n->name, i);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *ins[3] = {IN(n, 0), IN(n, 1), IN(n, 2)};
    if (ins[0]->onnx_type != BOOL || ins[1]->onnx_type != ins[2]->onnx_type || !is_numeric_type(ins[1]->onnx_type))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (Where) needs a bool condition and two values of one numeric type", n->name);
    int r;
    int64_t d[HACL_MAX_RANK];
    if (hacl_bcast_shape(ins, 3, &r, d) != ACL_SUCCESS)
        return FAIL("node '%s' (Where): the input shapes do not broadcast", n->name);
    set_out(OUT(n, 0), ins[1]->onnx_type, r, d);
    return ACL_SUCCESS;
}

struct where_ctx {
    const uint8_t *c;
    const char *x, *y;
    char *out;
    size_t es;
};

static void where_row(void *ctx, const int64_t *off, int64_t out_off, int64_t len, const int64_t *st)
{
    struct where_ctx *w = ctx;
    for (int64_t i = 0; i < len; i++) {
        int pick = w->c[off[0] + i * st[0]] != 0;
        const char *src = pick ? w->x + (size_t)(off[1] + i * st[1]) * w->es : w->y + (size_t)(off[2] + i * st[2]) * w->es;
        memcpy(w->out + (size_t)(out_off + i) * w->es, src, w->es);
    }
}

static void run_where(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *ins[3] = {IN(n, 0), IN(n, 1), IN(n, 2)};
    struct where_ctx w = {a->bufs[n->inputs[0]], a->bufs[n->inputs[1]], a->bufs[n->inputs[2]], a->bufs[n->outputs[0]],
                          hacl_onnx_type_size(ins[1]->onnx_type)};
    struct hacl_bcast b;
    hacl_bcast_init(&b, OUT(n, 0), ins, 3);
    hacl_bcast_walk(&b, where_row, &w);
}

/* Dropout is the identity at inference, and in training mode with a ratio
 * of 0 (torchvision's swin_t exports its attention dropout so); its mask is
 * then all true. Training mode with a non-zero ratio is refused: it would
 * need random numbers. */
static aclError infer_dropout(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    int training = hacl_attr_int(n, "is_test", 1) == 0;
    if (has_input(n, 2)) {
        const struct hacl_tensor *tm = IN(n, 2);
        if (!tm->is_const || tm->onnx_type != BOOL || numel(tm) != 1)
            return UNSUPPORTED("node '%s' (Dropout): training_mode must be a constant bool", n->name);
        training = *(const uint8_t *)tm->data != 0;
    }
    if (training) {
        const struct hacl_tensor *r = has_input(n, 1) ? IN(n, 1) : NULL;
        double ratio = r && r->is_const && numel(r) == 1 && is_float_type(r->onnx_type) ? load_f(r->onnx_type, r->data, 0)
                                                                                          : hacl_attr_float(n, "ratio", 0.5f);
        if ((r && !r->is_const) || ratio != 0)
            return UNSUPPORTED("node '%s' (Dropout): training mode with a non-zero ratio is not supported (inference "
                               "only)", n->name);
    }
    aclError rc = infer_same(g, n, why, whylen);
    if (rc == ACL_SUCCESS && n->noutputs > 1 && n->outputs[1] >= 0)
        set_out(OUT(n, 1), BOOL, IN(n, 0)->rank, IN(n, 0)->dims);
    return rc;
}

static void run_dropout(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    run_copy(a);
    if (n->noutputs > 1 && n->outputs[1] >= 0)
        memset(a->bufs[n->outputs[1]], 1, numel(IN(n, 0)));
}

const struct hacl_op hacl_math_ops[] = {
    {"Identity", infer_same, run_copy, NULL},
    {"Dropout", infer_dropout, run_dropout, NULL},
    {"Relu", infer_signed_same, run_relu, NULL},
    {"LeakyRelu", infer_float_same, run_leakyrelu, NULL},
    {"PRelu", infer_nary, run_nary, NULL},
    {"Elu", infer_float_same, run_elu, NULL},
    {"Celu", infer_float_same, run_celu, NULL},
    {"Selu", infer_float_same, run_selu, NULL},
    {"ThresholdedRelu", infer_float_same, run_thresholdedrelu, NULL},
    {"HardSigmoid", infer_float_same, run_hardsigmoid, NULL},
    {"HardSwish", infer_float_same, run_hardswish, NULL},
    {"Mish", infer_float_same, run_mish, NULL},
    {"Gelu", infer_float_same, run_gelu, NULL},
    {"Shrink", infer_signed_same, run_shrink, NULL},
    {"Abs", infer_same, run_abs, NULL},
    {"Neg", infer_signed_same, run_neg, NULL},
    {"Sign", infer_same, run_sign, NULL},
    {"Exp", infer_float_same, run_exp, NULL},
    {"Log", infer_float_same, run_log, NULL},
    {"Sqrt", infer_float_same, run_sqrt, NULL},
    {"Reciprocal", infer_float_same, run_reciprocal, NULL},
    {"Floor", infer_float_same, run_floor, NULL},
    {"Ceil", infer_float_same, run_ceil, NULL},
    {"Round", infer_float_same, run_round, NULL},
    {"Erf", infer_float_same, run_erf, NULL},
    {"Sin", infer_float_same, run_sin, NULL},
    {"Cos", infer_float_same, run_cos, NULL},
    {"Tan", infer_float_same, run_tan, NULL},
    {"Asin", infer_float_same, run_asin, NULL},
    {"Acos", infer_float_same, run_acos, NULL},
    {"Atan", infer_float_same, run_atan, NULL},
    {"Sinh", infer_float_same, run_sinh, NULL},
    {"Cosh", infer_float_same, run_cosh, NULL},
    {"Asinh", infer_float_same, run_asinh, NULL},
    {"Acosh", infer_float_same, run_acosh, NULL},
    {"Atanh", infer_float_same, run_atanh, NULL},
    {"Softplus", infer_float_same, run_softplus, NULL},
    {"Softsign", infer_float_same, run_softsign, NULL},
    {"Sigmoid", infer_float_same, run_sigmoid, NULL},
    {"Tanh", infer_float_same, run_tanh, NULL},
    {"Not", infer_bool_same, run_not, NULL},
    {"IsNaN", infer_float_test, run_float_test, NULL},
    {"IsInf", infer_float_test, run_float_test, NULL},
    {"Clip", infer_clip, run_clip, NULL},
    {"Cast", infer_cast, run_cast, NULL},
    {"CastLike", infer_cast, run_cast, NULL},
    {"Add", infer_nary, run_nary, NULL},
    {"Sub", infer_nary, run_nary, NULL},
    {"Mul", infer_nary, run_nary, NULL},
    {"Div", infer_nary, run_nary, NULL},
    {"Pow", infer_nary, run_nary, NULL},
    {"Mod", infer_nary, run_nary, NULL},
    {"Max", infer_nary, run_nary, NULL},
    {"Min", infer_nary, run_nary, NULL},
    {"Sum", infer_nary, run_nary, NULL},
    {"Mean", infer_nary, run_nary, NULL},
    {"Equal", infer_nary, run_nary, NULL},
    {"Less", infer_nary, run_nary, NULL},
    {"Greater", infer_nary, run_nary, NULL},
    {"LessOrEqual", infer_nary, run_nary, NULL},
    {"GreaterOrEqual", infer_nary, run_nary, NULL},
    {"And", infer_nary, run_nary, NULL},
    {"Or", infer_nary, run_nary, NULL},
    {"Xor", infer_nary, run_nary, NULL},
    {"BitwiseAnd", infer_nary, run_nary, NULL},
    {"BitwiseOr", infer_nary, run_nary, NULL},
    {"BitwiseXor", infer_nary, run_nary, NULL},
    {"Where", infer_where, run_where, NULL},
};
const size_t hacl_math_nops = sizeof hacl_math_ops / sizeof hacl_math_ops[0];
