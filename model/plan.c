/*
 * The memory plan (see plan.h).
 */
#include "plan.h"

#include <stdlib.h>

#include "device/alloc.h"

size_t hacl_tensor_bytes(const struct hacl_tensor *t)
{
    int64_t n = hacl_tensor_elements(t);
    return n < 0 ? 0 : (size_t)n * hacl_onnx_type_size(t->onnx_type);
}

#define PLAN_ALIGN 64

static size_t align_up(size_t v)
{
    return (v + PLAN_ALIGN - 1) & ~(size_t)(PLAN_ALIGN - 1);
}

static int by_size_desc(const void *a, const void *b)
{
    const struct hacl_live *x = *(struct hacl_live *const *)a, *y = *(struct hacl_live *const *)b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->first - y->first;
}

aclError hacl_plan_intervals(struct hacl_live *iv, size_t n, size_t *peak_out)
{
    struct hacl_live **order = hacl_calloc(n ? n : 1, sizeof *order);
    if (!order)
        return ACL_ERROR_BAD_ALLOC;
    for (size_t k = 0; k < n; k++)
        order[k] = &iv[k];
    qsort(order, n, sizeof *order, by_size_desc);
    /* Greedy first fit, largest first, against the blocks already placed
     * whose lifetimes overlap. */
    size_t peak = 0;
    for (size_t k = 0; k < n; k++) {
        struct hacl_live *cur = order[k];
        size_t off = 0;
        for (;;) {
            size_t bumped = off;
            for (size_t p = 0; p < k; p++) {
                const struct hacl_live *o = order[p];
                if (o->last < cur->first || cur->last < o->first)
                    continue; /* not alive at the same time */
                size_t oend = o->offset + align_up(o->bytes);
                if (off < oend && o->offset < off + cur->bytes)
                    bumped = oend > bumped ? oend : bumped;
            }
            if (bumped == off)
                break;
            off = bumped;
        }
        cur->offset = off;
        size_t end = off + align_up(cur->bytes);
        peak = end > peak ? end : peak;
    }
    hacl_free(order);
    *peak_out = peak;
    return ACL_SUCCESS;
}
