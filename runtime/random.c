/*
 * aclrtRandomNumAsync: seeded, reproducible random numbers as a stream task.
 *
 * Generator: Philox-4x32 with 10 rounds (counter based, as Ascend's and
 * CUDA's generators are): element i of a call is drawn from the 128-bit
 * counter (C + i), keyed by the 64-bit seed, where C is the 16-byte counter
 * at randomCounterAddr (little-endian; 0 when that address is NULL). After
 * the call the counter holds C + num, so a second call continues the
 * sequence: two calls of n numbers give the numbers of one call of 2n.
 * Parameters (aclrtRandomParaInfo) are values of `size` bytes, or with
 * isAddr the address of device memory holding them, read when the task
 * runs. randomParaAddr, a device staging area on an NPU, is not needed and
 * is ignored.
 *
 * Distributions: uniform over [min, max) (floats and integers); normal
 * (Box-Muller); truncated normal: normal values outside mean +- 2 stddev
 * are drawn again (from further words of the same counter); dropout
 * bitmask: num bits packed 8 per byte (bit j of byte k is element 8k + j),
 * 1 = kept, kept with probability 1 - ratio. Half-precision results are
 * rounded to nearest even.
 *
 * Thread: any.
 */
#include <math.h>
#include <string.h>

#include "device/alloc.h"
#include "device/half.h"
#include "memory.h"
#include "runtime.h"

struct random_task {
    struct hacl_task hdr;
    const aclrtRandomNumTaskInfo *info; /* a copy owned by the task */
};
_Static_assert(sizeof(struct random_task) <= HACL_TASK_SLOT, "a random task fits in a node");

/* ---- Philox-4x32-10 ---- */

static void philox(uint32_t ctr[4], const uint32_t key_in[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3], k0 = key_in[0], k1 = key_in[1];
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

/* Four 32-bit words for element `i` (a 128-bit counter base + i), word
 * block `w` (the high counter word carries it). */
static void draw(const uint64_t base[2], uint64_t i, uint32_t w, const uint32_t key[2], uint32_t out[4])
{
    uint64_t lo = base[0] + i, hi = base[1] + (lo < base[0]);
    uint32_t ctr[4] = {(uint32_t)lo, (uint32_t)(lo >> 32), (uint32_t)hi, (uint32_t)(hi >> 32) ^ (w << 24)};
    philox(ctr, key, out);
}

static double unit(uint32_t a, uint32_t b) /* [0, 1) with 53 bits */
{
    return (double)((((uint64_t)a << 32) | b) >> 11) * 0x1.0p-53;
}

/* ---- element types ---- */

static size_t elem_size(aclDataType t)
{
    switch (t) {
    case ACL_FLOAT16: case ACL_BF16: return 2;
    case ACL_FLOAT: case ACL_INT32: case ACL_UINT32: return 4;
    case ACL_INT64: case ACL_UINT64: return 8;
    default: return 0;
    }
}

/* A parameter's raw bytes (little-endian, zero-extended to 8): the value
 * itself or, with isAddr, the device memory it points to. -1 when that
 * memory is not readable device memory. */
static int param_bytes(const aclrtRandomParaInfo *p, uint64_t *out)
{
    *out = 0;
    size_t n = p->size > 8 ? 8 : p->size;
    if (!p->isAddr) {
        memcpy(out, p->valueOrAddr, n);
        return 0;
    }
    void *addr;
    memcpy(&addr, p->valueOrAddr, sizeof addr);
    struct hacl_ptrinfo pi;
    hacl_mem_classify(addr, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(addr, n, &pi))
        return -1;
    memcpy(out, addr, n);
    return 0;
}

/* A parameter as a number of the task's type. */
static double param_value(uint64_t raw, aclDataType t)
{
    switch (t) {
    case ACL_FLOAT16: return hacl_half_to_float((uint16_t)raw);
    case ACL_BF16: return hacl_bf16_to_float((uint16_t)raw);
    case ACL_FLOAT: {
        float f;
        uint32_t b = (uint32_t)raw;
        memcpy(&f, &b, sizeof f);
        return f;
    }
    case ACL_INT32: return (double)(int32_t)(uint32_t)raw;
    case ACL_UINT32: return (double)(uint32_t)raw;
    case ACL_INT64: return (double)(int64_t)raw;
    default: return (double)raw;
    }
}

static void store(void *dst, uint64_t i, aclDataType t, double v, uint64_t ibits)
{
    switch (t) {
    case ACL_FLOAT16: ((uint16_t *)dst)[i] = hacl_float_to_half((float)v); break;
    case ACL_BF16: ((uint16_t *)dst)[i] = hacl_float_to_bf16((float)v); break;
    case ACL_FLOAT: ((float *)dst)[i] = (float)v; break;
    case ACL_INT32: case ACL_UINT32: ((uint32_t *)dst)[i] = (uint32_t)ibits; break;
    default: ((uint64_t *)dst)[i] = ibits; break;
    }
}

static int is_float(aclDataType t)
{
    return t == ACL_FLOAT || t == ACL_FLOAT16 || t == ACL_BF16;
}

/* What the task reads and writes, checked when queued and when run. */
struct plan {
    uint64_t seed, num, base[2];
    uint64_t p0, p1; /* raw parameters: min/max, mean/stddev, ratio */
    size_t out_bytes;
};

static aclError make_plan(const char *api, const aclrtRandomNumTaskInfo *ti, struct plan *pl)
{
    memset(pl, 0, sizeof *pl);
    aclrtRandomNumFuncType f = ti->randomNumFuncParaInfo.funcType;
    size_t es = elem_size(ti->dataType);
    if (f == ACL_RT_RANDOM_NUM_FUNC_TYPE_DROPOUT_BITMASK)
        es = 1; /* bits; the ratio is a float of the task's type */
    if (!es || (f != ACL_RT_RANDOM_NUM_FUNC_TYPE_DROPOUT_BITMASK && elem_size(ti->dataType) == 0))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api,
                        "dataType %d is not one of int32, int64, uint32, uint64, bfloat16, float16, float",
                        (int)ti->dataType);
    if ((unsigned)f > ACL_RT_RANDOM_NUM_FUNC_TYPE_TRUNCATED_NORMAL_DIS)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "funcType %d is not an aclrtRandomNumFuncType", (int)f);
    if ((f == ACL_RT_RANDOM_NUM_FUNC_TYPE_NORMAL_DIS || f == ACL_RT_RANDOM_NUM_FUNC_TYPE_TRUNCATED_NORMAL_DIS ||
         f == ACL_RT_RANDOM_NUM_FUNC_TYPE_DROPOUT_BITMASK) &&
        !is_float(ti->dataType))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "normal distributions and dropout take a floating dataType");
    const aclrtRandomParaInfo *a = NULL, *b = NULL;
    switch (f) {
    case ACL_RT_RANDOM_NUM_FUNC_TYPE_DROPOUT_BITMASK: a = &ti->randomNumFuncParaInfo.paramInfo.dropoutBitmaskInfo.dropoutRation; break;
    case ACL_RT_RANDOM_NUM_FUNC_TYPE_UNIFORM_DIS:
        a = &ti->randomNumFuncParaInfo.paramInfo.uniformDisInfo.min;
        b = &ti->randomNumFuncParaInfo.paramInfo.uniformDisInfo.max;
        break;
    default:
        a = &ti->randomNumFuncParaInfo.paramInfo.normalDisInfo.mean;
        b = &ti->randomNumFuncParaInfo.paramInfo.normalDisInfo.stddev;
        break;
    }
    if (param_bytes(&ti->randomSeed, &pl->seed) || param_bytes(&ti->randomNum, &pl->num) || param_bytes(a, &pl->p0) ||
        (b && param_bytes(b, &pl->p1)))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "a parameter given by address is not readable device memory");
    if (pl->num == 0 || pl->num > ((uint64_t)1 << 40))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "randomNum %llu is out of range 1..2^40",
                        (unsigned long long)pl->num);
    pl->out_bytes = f == ACL_RT_RANDOM_NUM_FUNC_TYPE_DROPOUT_BITMASK ? (size_t)((pl->num + 7) / 8)
                                                                      : (size_t)pl->num * es;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(ti->randomResultAddr, &pi);
    if (!ti->randomResultAddr || pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(ti->randomResultAddr, pl->out_bytes, &pi))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "randomResultAddr %p does not hold %zu bytes of device memory",
                        ti->randomResultAddr, pl->out_bytes);
    if (ti->randomCounterAddr) {
        hacl_mem_classify(ti->randomCounterAddr, &pi);
        if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(ti->randomCounterAddr, 16, &pi))
            return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api,
                            "randomCounterAddr %p does not hold 16 bytes of device memory", ti->randomCounterAddr);
        memcpy(pl->base, ti->randomCounterAddr, 16);
    }
    if (b && f == ACL_RT_RANDOM_NUM_FUNC_TYPE_UNIFORM_DIS &&
        !(param_value(pl->p0, ti->dataType) < param_value(pl->p1, ti->dataType)) &&
        !(ti->dataType == ACL_UINT64 || ti->dataType == ACL_INT64))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "uniform min must be below max");
    return ACL_SUCCESS;
}

static void generate(const aclrtRandomNumTaskInfo *ti, struct plan *pl)
{
    uint32_t key[2] = {(uint32_t)pl->seed, (uint32_t)(pl->seed >> 32)}, w[4];
    aclDataType t = ti->dataType;
    void *out = ti->randomResultAddr;
    switch (ti->randomNumFuncParaInfo.funcType) {
    case ACL_RT_RANDOM_NUM_FUNC_TYPE_UNIFORM_DIS:
        for (uint64_t i = 0; i < pl->num; i++) {
            draw(pl->base, i, 0, key, w);
            if (is_float(t)) {
                double lo = param_value(pl->p0, t), hi = param_value(pl->p1, t);
                double v = lo + (hi - lo) * unit(w[0], w[1]);
                store(out, i, t, v < hi ? v : lo, 0);
            } else if (t == ACL_INT32 || t == ACL_INT64) {
                int64_t lo = t == ACL_INT32 ? (int32_t)(uint32_t)pl->p0 : (int64_t)pl->p0;
                int64_t hi = t == ACL_INT32 ? (int32_t)(uint32_t)pl->p1 : (int64_t)pl->p1;
                uint64_t span = (uint64_t)hi - (uint64_t)lo, r = ((uint64_t)w[0] << 32) | w[1];
                store(out, i, t, 0, span ? (uint64_t)lo + r % span : (uint64_t)lo);
            } else {
                uint64_t lo = t == ACL_UINT32 ? (uint32_t)pl->p0 : pl->p0, hi = t == ACL_UINT32 ? (uint32_t)pl->p1 : pl->p1;
                uint64_t span = hi - lo, r = ((uint64_t)w[0] << 32) | w[1];
                store(out, i, t, 0, span ? lo + r % span : lo);
            }
        }
        break;
    case ACL_RT_RANDOM_NUM_FUNC_TYPE_NORMAL_DIS:
    case ACL_RT_RANDOM_NUM_FUNC_TYPE_TRUNCATED_NORMAL_DIS: {
        double mean = param_value(pl->p0, t), sd = param_value(pl->p1, t);
        int trunc = ti->randomNumFuncParaInfo.funcType == ACL_RT_RANDOM_NUM_FUNC_TYPE_TRUNCATED_NORMAL_DIS;
        for (uint64_t i = 0; i < pl->num; i++) {
            double z = 0;
            for (uint32_t k = 0; k < 64; k++) { /* a redraw past 2 sd is rare: 4.6% */
                draw(pl->base, i, k, key, w);
                double u1 = unit(w[0], w[1]), u2 = unit(w[2], w[3]);
                z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
                if (!trunc || fabs(z) <= 2.0)
                    break;
            }
            store(out, i, t, mean + sd * z, 0);
        }
        break;
    }
    default: { /* dropout bitmask */
        double ratio = param_value(pl->p0, t);
        memset(out, 0, pl->out_bytes);
        for (uint64_t i = 0; i < pl->num; i++) {
            draw(pl->base, i, 0, key, w);
            if (unit(w[0], w[1]) >= ratio)
                ((uint8_t *)out)[i / 8] |= (uint8_t)(1u << (i % 8));
        }
        break;
    }
    }
    if (ti->randomCounterAddr) {
        uint64_t next[2] = {pl->base[0] + pl->num, pl->base[1] + (pl->base[0] + pl->num < pl->base[0])};
        memcpy(ti->randomCounterAddr, next, 16);
    }
}

static enum hacl_task_result random_run(struct hacl_task *t)
{
    struct random_task *r = (struct random_task *)t;
    struct plan pl;
    if (make_plan("aclrtRandomNumAsync", r->info, &pl) != ACL_SUCCESS) {
        const char *why = aclGetRecentErrMsg();
        hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "%s", why ? why : "the task's memory is no longer valid");
    } else {
        generate(r->info, &pl);
    }
    hacl_free((void *)r->info);
    return HACL_TASK_DONE;
}

static void random_drop(struct hacl_task *t)
{
    hacl_free((void *)((struct random_task *)t)->info);
}

/* A replay draws the numbers the recorded call would have: same seed and
 * counter each time (docs/semantics.md). */
static aclError random_replay(struct hacl_task *t)
{
    struct random_task *r = (struct random_task *)t;
    aclrtRandomNumTaskInfo *copy = hacl_malloc(sizeof *copy);
    if (!copy)
        return ACL_ERROR_BAD_ALLOC;
    memcpy(copy, r->info, sizeof *copy);
    r->info = copy;
    return ACL_SUCCESS;
}

static const struct hacl_task_ops random_ops = {.what = "random numbers",
                                                .flags = HACL_TASK_WORK,
                                                .run = random_run,
                                                .drop = random_drop,
                                                .capture = hacl_task_capture_plain,
                                                .replay = random_replay,
                                                .forget = random_drop};

ACL_FUNC_VISIBILITY aclError aclrtRandomNumAsync(const aclrtRandomNumTaskInfo *taskInfo, const aclrtStream stream,
                                                 void *reserve)
{
    if (!taskInfo)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "taskInfo must not be NULL");
    if (reserve)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "reserve must be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct plan pl;
    if ((rc = make_plan(__func__, taskInfo, &pl)) != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    aclrtRandomNumTaskInfo *copy = hacl_malloc(sizeof *copy);
    struct random_task *r = copy ? HACL_STREAM_TASK(__func__, s, struct random_task, &random_ops, &rc) : NULL;
    if (!copy)
        rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    if (r) {
        memcpy(copy, taskInfo, sizeof *copy);
        r->info = copy;
        copy = NULL;
        rc = hacl_stream_submit(__func__, s, &r->hdr);
    }
    hacl_free(copy);
    hacl_obj_put(&s->hdr);
    return rc;
}
