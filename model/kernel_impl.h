/*
 * hostacl internal: helpers shared by the operator files (kernels.c,
 * ops_tensor.c): attribute lookup, input checks and output typing.
 */
#ifndef HOSTACL_MODEL_KERNEL_IMPL_H
#define HOSTACL_MODEL_KERNEL_IMPL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "acl/acl_base.h"
#include "kernels.h"
#include "onnx/onnx.pb-c.h"

/* ONNX TensorProto.DataType values the kernels name. */
enum { F32 = 1, U8 = 2, I8 = 3, U16 = 4, I16 = 5, I32 = 6, I64 = 7, BOOL = 9, F16 = 10, F64 = 11, U32 = 12,
       U64 = 13, BF16 = 16 };

/* ---- element access for kernels that serve many types ---- */

static inline int is_float_type(int t)
{
    return t == F32 || t == F16 || t == F64 || t == BF16;
}

/* Every numeric type and bool (no strings, no complex). */
static inline int is_numeric_type(int t)
{
    switch (t) {
    case F32: case U8: case I8: case U16: case I16: case I32: case I64: case BOOL: case F16: case F64: case U32:
    case U64: case BF16: return 1;
    default: return 0;
    }
}

static inline float bf16_to_float(uint16_t v)
{
    uint32_t u = (uint32_t)v << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint16_t float_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40); /* a quiet NaN */
    return (uint16_t)(u >> 16); /* truncation, as ONNX's Cast tests expect */
}

/* Element i of a tensor of type t, as a double. */
static inline double load_f(int t, const void *p, size_t i)
{
    switch (t) {
    case F32: return ((const float *)p)[i];
    case F64: return ((const double *)p)[i];
    case F16: return aclFloat16ToFloat(((const aclFloat16 *)p)[i]);
    case BF16: return bf16_to_float(((const uint16_t *)p)[i]);
    case U8: return ((const uint8_t *)p)[i];
    case I8: return ((const int8_t *)p)[i];
    case U16: return ((const uint16_t *)p)[i];
    case I16: return ((const int16_t *)p)[i];
    case I32: return ((const int32_t *)p)[i];
    case I64: return (double)((const int64_t *)p)[i];
    case U32: return ((const uint32_t *)p)[i];
    case U64: return (double)((const uint64_t *)p)[i];
    case BOOL: return ((const uint8_t *)p)[i] != 0;
    default: return 0;
    }
}

/* A double converted to int64 without undefined behaviour: NaN is 0,
 * values beyond the range saturate. */
static inline int64_t f_to_i64(double v)
{
    if (v != v)
        return 0;
    if (v >= 9.2233720368547758e18)
        return INT64_MAX;
    if (v <= -9.2233720368547758e18)
        return INT64_MIN;
    return (int64_t)v;
}

/* Element i of an integer or bool tensor as int64 (floats truncate). */
static inline int64_t load_i(int t, const void *p, size_t i)
{
    switch (t) {
    case U8: return ((const uint8_t *)p)[i];
    case I8: return ((const int8_t *)p)[i];
    case U16: return ((const uint16_t *)p)[i];
    case I16: return ((const int16_t *)p)[i];
    case I32: return ((const int32_t *)p)[i];
    case I64: return ((const int64_t *)p)[i];
    case U32: return ((const uint32_t *)p)[i];
    case U64: return (int64_t)((const uint64_t *)p)[i];
    case BOOL: return ((const uint8_t *)p)[i] != 0;
    default: return f_to_i64(load_f(t, p, i));
    }
}

static inline void store_f(int t, void *p, size_t i, double v)
{
    switch (t) {
    case F32: ((float *)p)[i] = (float)v; break;
    case F64: ((double *)p)[i] = v; break;
    case F16: ((aclFloat16 *)p)[i] = aclFloatToFloat16((float)v); break;
    case BF16: ((uint16_t *)p)[i] = float_to_bf16((float)v); break;
    case BOOL: ((uint8_t *)p)[i] = v != 0; break;
    case U8: ((uint8_t *)p)[i] = (uint8_t)f_to_i64(v); break;
    case I8: ((int8_t *)p)[i] = (int8_t)f_to_i64(v); break;
    case U16: ((uint16_t *)p)[i] = (uint16_t)f_to_i64(v); break;
    case I16: ((int16_t *)p)[i] = (int16_t)f_to_i64(v); break;
    case I32: ((int32_t *)p)[i] = (int32_t)f_to_i64(v); break;
    case I64: ((int64_t *)p)[i] = f_to_i64(v); break;
    case U32: ((uint32_t *)p)[i] = (uint32_t)f_to_i64(v); break;
    case U64: ((uint64_t *)p)[i] = (uint64_t)f_to_i64(v); break;
    default: break;
    }
}

static inline void store_i(int t, void *p, size_t i, int64_t v)
{
    switch (t) {
    case U8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case I8: ((int8_t *)p)[i] = (int8_t)v; break;
    case U16: ((uint16_t *)p)[i] = (uint16_t)v; break;
    case I16: ((int16_t *)p)[i] = (int16_t)v; break;
    case I32: ((int32_t *)p)[i] = (int32_t)v; break;
    case I64: ((int64_t *)p)[i] = v; break;
    case U32: ((uint32_t *)p)[i] = (uint32_t)v; break;
    case U64: ((uint64_t *)p)[i] = (uint64_t)v; break;
    case BOOL: ((uint8_t *)p)[i] = v != 0; break;
    default: store_f(t, p, i, (double)v); break;
    }
}

/* ---- attributes ---- */

static inline const Onnx__AttributeProto *attr(const struct hacl_node *n, const char *name)
{
    const Onnx__NodeProto *np = n->proto;
    for (size_t i = 0; i < np->n_attribute; i++)
        if (np->attribute[i]->name && strcmp(np->attribute[i]->name, name) == 0)
            return np->attribute[i];
    return NULL;
}



/* Copies up to max ints; returns how many there were (or -1 if absent). */

static inline aclError why_fail(char *why, size_t len, aclError code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return code;
}

/* Window attributes (kernel, strides, dilations, pads) of at most 2^24
 * keep every extent computed from them far from overflowing. */
#define WINDOW_ATTR_MAX ((int64_t)1 << 24)

/* A variant of a known operator that hostacl has no kernel for. */
#define UNSUPPORTED(...) why_fail(why, whylen, ACL_ERROR_OP_NOT_FOUND, __VA_ARGS__)

#define IN(n, i) (&g->tensors[(n)->inputs[i]])
#define OUT(n, i) (&g->tensors[(n)->outputs[i]])
#define FAIL(...) why_fail(why, whylen, ACL_ERROR_PARSE_MODEL, __VA_ARGS__)

static inline int has_input(const struct hacl_node *n, size_t i)
{
    return i < n->ninputs && n->inputs[i] >= 0;
}

static inline aclError need_inputs(const struct hacl_node *n, size_t lo, size_t hi, char *why, size_t whylen)
{
    if (n->ninputs < lo || n->ninputs > hi || !has_input(n, 0) || n->noutputs < 1 || n->outputs[0] < 0)
        return why_fail(why, whylen, ACL_ERROR_PARSE_MODEL, "node '%s' (%s) has %zu inputs and %zu outputs", n->name,
                        n->op, n->ninputs, n->noutputs);
    return ACL_SUCCESS;
}

static inline aclError need_known(struct hacl_graph *g, const struct hacl_node *n, size_t i, char *why, size_t whylen)
{
    const struct hacl_tensor *t = IN(n, i);
    if (hacl_tensor_elements(t) < 0)
        return FAIL("node '%s' (%s): input '%s' has no static shape", n->name, n->op, t->name);
    return ACL_SUCCESS;
}

/* At least lo and at most hi inputs, and input 0 has a static shape. */
static inline aclError need_first(struct hacl_graph *g, const struct hacl_node *n, size_t lo, size_t hi, char *why,
                                  size_t whylen)
{
    aclError rc = need_inputs(n, lo, hi, why, whylen);
    return rc == ACL_SUCCESS ? need_known(g, n, 0, why, whylen) : rc;
}

/* At least lo and at most hi inputs; the first `present` of them given and
 * of static shape. */
static inline aclError need_present(struct hacl_graph *g, const struct hacl_node *n, size_t lo, size_t hi,
                                    size_t present, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, lo, hi, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < present; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen)
                             : why_fail(why, whylen, ACL_ERROR_PARSE_MODEL, "node '%s' (%s) lacks input %zu", n->name,
                                        n->op, i);
    return rc;
}

/* Every present input has a static shape. */
static inline aclError need_known_all(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = ACL_SUCCESS;
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    return rc;
}

static inline void set_out(struct hacl_tensor *o, int type, int rank, const int64_t *dims)
{
    o->onnx_type = type;
    o->rank = rank;
    for (int i = 0; i < rank; i++)
        o->dims[i] = dims[i];
}

static inline size_t numel(const struct hacl_tensor *t)
{
    return (size_t)hacl_tensor_elements(t);
}

/* Steps a row-major multi-index to the next element: the last of the
 * first `rank` dims moves fastest, wrapping into the one before it. */
static inline void hacl_index_next(int64_t *pos, const int64_t *dims, int rank)
{
    for (int k = rank - 1; k >= 0; k--) {
        if (++pos[k] < dims[k])
            return;
        pos[k] = 0;
    }
}

/* A float32 dot product, vectorised (the sum's order is the compiler's, as
 * in every optimised runtime's) (ops_linalg.c). No per-CPU clones: their
 * ifunc resolvers run before ThreadSanitizer starts and crash it. */
float hacl_dot_f32(const float *a, const float *b, int64_t n);

/* Hot loops built for AVX-512 and AVX2 as well as the baseline, chosen at
 * load time by the CPU (the library is built for any x86-64, whose
 * baseline has neither wide vectors nor a packed 32-bit multiply). Not
 * under sanitizers: their runtimes are not up when the loader runs the
 * clones' resolvers, and TSan's crashes there. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__) &&              \
    !defined(__SANITIZE_ADDRESS__)
#define HACL_ROW_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
/* The same for loops that gain from fused multiply-adds: the x86-64-v4
 * and v3 levels (AVX-512 and AVX2, each with FMA; "avx512f" alone does
 * not enable FMA in GCC). Sums may then round differently by clone. */
#define HACL_FMA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HACL_ROW_CLONES
#define HACL_FMA_CLONES
#endif
#define dot_f32 hacl_dot_f32

static inline size_t esize(const struct hacl_tensor *t)
{
    return hacl_onnx_type_size(t->onnx_type);
}

/* Strides in elements of a row-major tensor. */
static inline void strides_of(const struct hacl_tensor *t, int64_t *st)
{
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        st[i] = s;
        s *= t->dims[i];
    }
}

/* An input that decides a shape is computed at run time. */
#define DYNAMIC(what)                                                                                           \
    why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,                                                     \
             "node '%s' (%s): %s is computed at run time; hostacl needs it constant (static shapes)", n->name, \
             n->op, what)


#endif
