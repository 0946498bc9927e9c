/*
 * Float overflow modes and status (aclrtSetDeviceSatMode ...
 * aclrtResetOverflowStatus).
 *
 * A device has a mode that streams created on it afterwards take:
 * INFNAN (the default: results are what IEEE arithmetic gives) or
 * SATURATION (infinities in results become the type's largest finite value
 * of the same sign, NaNs become 0). A stream's overflow switch makes work
 * launched on it afterwards report non-finite results: the device's status
 * word becomes 1 until aclrtResetOverflowStatus. On hostacl "results" are
 * the outputs of model executions and of aclrtReduceAsync on float types;
 * the status is read before saturation, so a saturated overflow is still
 * seen. Intermediate values inside a model are IEEE whatever the mode.
 *
 * Thread: any.
 */
#include <math.h>
#include <string.h>

#include "memory.h"
#include "runtime.h"

#define STATUS_BYTES 64

/* Scans (and with HACL_FLOAT_SATURATE clamps) n elements of a float type;
 * returns 1 when any was infinite or NaN. Other types are left alone. */
int hacl_float_fix(void *p, size_t n, aclDataType type, unsigned flags)
{
    int sat = (flags & HACL_FLOAT_SATURATE) != 0, seen = 0;
    if (type == ACL_FLOAT16 || type == ACL_BF16) {
        /* exponent all ones: infinity (mantissa 0) or NaN */
        uint16_t expo = type == ACL_FLOAT16 ? 0x7c00 : 0x7f80, big = type == ACL_FLOAT16 ? 0x7bff : 0x7f7f;
        uint16_t *h = p;
        for (size_t i = 0; i < n; i++) {
            if ((h[i] & expo) != expo)
                continue;
            seen = 1;
            if (sat)
                h[i] = (h[i] & (uint16_t)~expo & 0x7fff) ? 0 : (uint16_t)((h[i] & 0x8000) | big);
        }
    } else if (type == ACL_FLOAT) {
        float *f = p;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(f[i]))
                continue;
            seen = 1;
            if (sat)
                f[i] = isnan(f[i]) ? 0.0f : copysignf(3.40282347e+38f, f[i]);
        }
    } else if (type == ACL_DOUBLE) {
        double *d = p;
        for (size_t i = 0; i < n; i++) {
            if (isfinite(d[i]))
                continue;
            seen = 1;
            if (sat)
                d[i] = isnan(d[i]) ? 0.0 : copysign(1.7976931348623157e+308, d[i]);
        }
    }
    return seen;
}

unsigned hacl_stream_float_flags(struct hacl_stream *s)
{
    return (atomic_load(&s->overflow_switch) ? HACL_FLOAT_DETECT : 0u) | (s->saturate ? HACL_FLOAT_SATURATE : 0u);
}

void hacl_overflow_note(struct hacl_rtdev *dev)
{
    atomic_store(&dev->overflow, 1u);
}

/* The current device (from the current context). */
static struct hacl_rtdev *current_dev(const char *api, aclError *rc)
{
    if ((*rc = hacl_rt_require_init(api)) != ACL_SUCCESS)
        return NULL;
    struct hacl_context *ctx = hacl_context_current(api, rc);
    if (!ctx)
        return NULL;
    struct hacl_rtdev *dev = ctx->dev;
    hacl_obj_put(&ctx->hdr);
    return dev;
}

ACL_FUNC_VISIBILITY aclError aclrtSetDeviceSatMode(aclrtFloatOverflowMode mode)
{
    if (mode != ACL_RT_OVERFLOW_MODE_SATURATION && mode != ACL_RT_OVERFLOW_MODE_INFNAN)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "mode %d is not SATURATION (0) or INFNAN (1)", (int)mode);
    aclError rc;
    struct hacl_rtdev *dev = current_dev(__func__, &rc);
    if (dev)
        atomic_store(&dev->sat_mode, (int)mode);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceSatMode(aclrtFloatOverflowMode *mode)
{
    if (!mode)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "mode must not be NULL");
    aclError rc;
    struct hacl_rtdev *dev = current_dev(__func__, &rc);
    if (dev)
        *mode = (aclrtFloatOverflowMode)atomic_load(&dev->sat_mode);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtSetStreamOverflowSwitch(aclrtStream stream, uint32_t flag)
{
    if (flag > 1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag must be 0 (off) or 1 (on), not %u", flag);
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    atomic_store(&s->overflow_switch, flag);
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetStreamOverflowSwitch(aclrtStream stream, uint32_t *flag)
{
    if (!flag)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    *flag = atomic_load(&s->overflow_switch);
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

/* ---- the status tasks ---- */

struct status_task {
    struct hacl_task hdr;
    void *out; /* NULL: reset */
};

static enum hacl_task_result status_run(struct hacl_task *t)
{
    struct status_task *st = (struct status_task *)t;
    struct hacl_rtdev *dev = hacl_task_stream(t)->dev;
    if (!st->out) {
        atomic_store(&dev->overflow, 0u);
        return HACL_TASK_DONE;
    }
    struct hacl_ptrinfo pi;
    hacl_mem_classify(st->out, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(st->out, STATUS_BYTES, &pi)) {
        hacl_task_fail(t, ACL_ERROR_RT_PARAM_INVALID, "the overflow status buffer %p was freed before the task ran",
                       st->out);
        return HACL_TASK_DONE;
    }
    uint32_t word[STATUS_BYTES / 4] = {atomic_load(&dev->overflow)};
    memcpy(st->out, word, sizeof word);
    hacl_value_recheck();
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops status_ops = {
    .what = "overflow status", .run = status_run, .capture = hacl_task_capture_plain};

static aclError queue_status(const char *api, void *out, aclrtStream stream)
{
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (!s)
        return rc;
    struct status_task *st = HACL_STREAM_TASK(api, s, struct status_task, &status_ops, &rc);
    if (st) {
        st->out = out;
        rc = hacl_stream_submit(api, s, &st->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtGetOverflowStatus(void *outputAddr, size_t outputSize, aclrtStream stream)
{
    if (!outputAddr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "outputAddr must not be NULL");
    if (outputSize < STATUS_BYTES)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "outputSize is %zu; the status takes %d bytes", outputSize,
                        STATUS_BYTES);
    struct hacl_ptrinfo pi;
    hacl_mem_classify(outputAddr, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(outputAddr, STATUS_BYTES, &pi))
        return HACL_ERR(ACL_ERROR_RT_PARAM_INVALID, "%p is not %d bytes of device memory", outputAddr, STATUS_BYTES);
    return queue_status(__func__, outputAddr, stream);
}

ACL_FUNC_VISIBILITY aclError aclrtResetOverflowStatus(aclrtStream stream)
{
    return queue_status(__func__, NULL, stream);
}
