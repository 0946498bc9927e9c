/*
 * aclrtReduceAsync: dst[i] = op(dst[i], src[i]) over `count` bytes of one
 * element type, as a stream task (upstream does it with the copy engine).
 * SUM, MAX and MIN as named; EQUAL, which AscendCL does not describe,
 * stores src into dst (docs/semantics.md). Types: int8, int16, int32,
 * uint32, float16, float32, bfloat16; half-precision values are computed in
 * float32 and rounded to nearest even when stored.
 *
 * Both buffers must be device memory of the stream's device, checked when
 * queued and again when the task runs.
 *
 * Thread: any.
 */
#include <string.h>

#include "device/half.h"
#include "memory.h"
#include "runtime.h"

struct reduce_task {
    struct hacl_task hdr;
    void *dst;
    const void *src;
    uint64_t count;
    aclrtReduceKind kind;
    aclDataType type;
    unsigned float_flags; /* the stream's overflow settings at launch */
};
_Static_assert(sizeof(struct reduce_task) <= HACL_TASK_SLOT, "a reduce task fits in a node");

static size_t elem_size(aclDataType t)
{
    switch (t) {
    case ACL_INT8: return 1;
    case ACL_INT16: case ACL_FLOAT16: case ACL_BF16: return 2;
    case ACL_INT32: case ACL_UINT32: case ACL_FLOAT: return 4;
    default: return 0;
    }
}

static double op(aclrtReduceKind k, double a, double b)
{
    switch (k) {
    case ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM: return a + b;
    case ACL_RT_MEMCPY_SDMA_AUTOMATIC_MAX: return a > b ? a : b;
    case ACL_RT_MEMCPY_SDMA_AUTOMATIC_MIN: return a < b ? a : b;
    default: return b; /* EQUAL */
    }
}

/* Integers wrap as the hardware's adders do (two's complement). */
#define INT_LOOP(T, UT)                                                                            \
    for (size_t i = 0; i < n; i++) {                                                               \
        T a = ((T *)r->dst)[i], b = ((const T *)r->src)[i];                                        \
        T v = r->kind == ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM ? (T)(UT)((UT)a + (UT)b)                 \
              : r->kind == ACL_RT_MEMCPY_SDMA_AUTOMATIC_MAX ? (a > b ? a : b)                      \
              : r->kind == ACL_RT_MEMCPY_SDMA_AUTOMATIC_MIN ? (a < b ? a : b)                      \
                                                            : b;                                   \
        ((T *)r->dst)[i] = v;                                                                      \
    }

static void reduce(const struct reduce_task *r)
{
    size_t n = (size_t)(r->count / elem_size(r->type));
    switch (r->type) {
    case ACL_INT8: INT_LOOP(int8_t, uint8_t) break;
    case ACL_INT16: INT_LOOP(int16_t, uint16_t) break;
    case ACL_INT32: INT_LOOP(int32_t, uint32_t) break;
    case ACL_UINT32: INT_LOOP(uint32_t, uint32_t) break;
    case ACL_FLOAT:
        for (size_t i = 0; i < n; i++)
            ((float *)r->dst)[i] = (float)op(r->kind, ((float *)r->dst)[i], ((const float *)r->src)[i]);
        break;
    case ACL_FLOAT16:
        for (size_t i = 0; i < n; i++) {
            uint16_t *d = (uint16_t *)r->dst + i, s = ((const uint16_t *)r->src)[i];
            *d = hacl_float_to_half((float)op(r->kind, hacl_half_to_float(*d), hacl_half_to_float(s)));
        }
        break;
    case ACL_BF16:
        for (size_t i = 0; i < n; i++) {
            uint16_t *d = (uint16_t *)r->dst + i, s = ((const uint16_t *)r->src)[i];
            *d = hacl_float_to_bf16((float)op(r->kind, hacl_bf16_to_float(*d), hacl_bf16_to_float(s)));
        }
        break;
    default: break;
    }
}

/* Both ranges are device memory of dev. */
static aclError check_buffers(const char *api, const void *dst, const void *src, uint64_t count,
                              const struct hacl_rtdev *dev)
{
    const void *ptrs[2] = {dst, src};
    for (int k = 0; k < 2; k++) {
        struct hacl_ptrinfo pi;
        hacl_mem_classify(ptrs[k], &pi);
        if (pi.where != HACL_PTR_DEVICE || pi.dev != dev->hw)
            return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%s %p is not device memory of the stream's device %d",
                            k ? "src" : "dst", ptrs[k], (int)dev->id);
        if (!hacl_mem_range_ok(ptrs[k], (size_t)count, &pi))
            return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%llu bytes at %s %p run past their allocation",
                            (unsigned long long)count, k ? "src" : "dst", ptrs[k]);
    }
    return ACL_SUCCESS;
}

static enum hacl_task_result reduce_run(struct hacl_task *t)
{
    struct reduce_task *r = (struct reduce_task *)t;
    if (check_buffers("aclrtReduceAsync", r->dst, r->src, r->count, hacl_task_stream(t)->dev) != ACL_SUCCESS) {
        const char *why = aclGetRecentErrMsg();
        hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "%s", why ? why : "buffers no longer valid");
        return HACL_TASK_DONE;
    }
    reduce(r);
    if (r->float_flags &&
        hacl_float_fix(r->dst, r->count / elem_size(r->type), r->type, r->float_flags) &&
        (r->float_flags & HACL_FLOAT_DETECT))
        hacl_overflow_note(hacl_task_stream(t)->dev);
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops reduce_ops = {
    .what = "reduce", .flags = HACL_TASK_WORK, .run = reduce_run, .capture = hacl_task_capture_plain};

ACL_FUNC_VISIBILITY aclError aclrtReduceAsync(void *dst, const void *src, uint64_t count, aclrtReduceKind kind,
                                              aclDataType type, aclrtStream stream, void *reserve)
{
    if (!dst || !src)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dst and src must not be NULL");
    if (reserve)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "reserve must be NULL");
    if (kind < ACL_RT_MEMCPY_SDMA_AUTOMATIC_SUM || kind > ACL_RT_MEMCPY_SDMA_AUTOMATIC_EQUAL)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "kind %d is not an aclrtReduceKind", (int)kind);
    size_t es = elem_size(type);
    if (!es)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM,
                        "type %d is not supported (int8, int16, int32, uint32, float16, float32, bfloat16)", (int)type);
    if (count == 0 || count % es)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "count %llu bytes is not a positive multiple of the element size %zu",
                        (unsigned long long)count, es);
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    rc = check_buffers(__func__, dst, src, count, s->dev);
    struct reduce_task *r = rc == ACL_SUCCESS ? HACL_STREAM_TASK(__func__, s, struct reduce_task, &reduce_ops, &rc)
                                              : NULL;
    if (r) {
        r->dst = dst;
        r->src = src;
        r->count = count;
        r->kind = kind;
        r->type = type;
        r->float_flags = hacl_stream_float_flags(s);
        rc = hacl_stream_submit(__func__, s, &r->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}
