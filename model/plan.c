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

static int by_offset(const void *a, const void *b)
{
    const struct hacl_live *x = *(struct hacl_live *const *)a, *y = *(struct hacl_live *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Blocks living longer than this many steps are checked against every
 * block; shorter ones are found through the step they start at. */
#define SHORT_SPAN 64

/* Greedy first fit, largest first: each block goes at the lowest offset
 * where it overlaps no block already placed that is alive at the same
 * time. The placed blocks alive then are found without scanning all of
 * them (short-lived ones by start step, long-lived ones in a list), so a
 * long chain plans in linear time; the result is the plain greedy's. */
aclError hacl_plan_intervals(struct hacl_live *iv, size_t n, size_t *peak_out)
{
    int steps = 1;
    for (size_t k = 0; k < n; k++)
        if (iv[k].last + 1 > steps)
            steps = iv[k].last + 1;
    struct hacl_live **order = hacl_calloc(n ? n : 1, sizeof *order);
    struct hacl_live **longs = hacl_calloc(n ? n : 1, sizeof *longs);
    struct hacl_live **alive = hacl_calloc(n ? n : 1, sizeof *alive);
    int *head = hacl_malloc((size_t)steps * sizeof *head);
    int *next = hacl_malloc((n ? n : 1) * sizeof *next);
    if (!order || !longs || !alive || !head || !next) {
        hacl_free(order);
        hacl_free(longs);
        hacl_free(alive);
        hacl_free(head);
        hacl_free(next);
        return ACL_ERROR_BAD_ALLOC;
    }
    for (int t = 0; t < steps; t++)
        head[t] = -1;
    for (size_t k = 0; k < n; k++)
        order[k] = &iv[k];
    qsort(order, n, sizeof *order, by_size_desc);
    size_t peak = 0, nlong = 0;
    int span = 0; /* the longest short-lived block placed so far */
    for (size_t k = 0; k < n; k++) {
        struct hacl_live *cur = order[k];
        size_t nalive = 0;
        for (size_t j = 0; j < nlong; j++)
            if (!(longs[j]->last < cur->first || cur->last < longs[j]->first))
                alive[nalive++] = longs[j];
        int from = cur->first - span < 0 ? 0 : cur->first - span;
        for (int t = from; t <= cur->last && t < steps; t++)
            for (int j = head[t]; j >= 0; j = next[j])
                if (!(iv[j].last < cur->first || cur->last < iv[j].first))
                    alive[nalive++] = &iv[j];
        qsort(alive, nalive, sizeof *alive, by_offset);
        size_t off = 0;
        for (size_t j = 0; j < nalive; j++) {
            if (alive[j]->offset >= off + cur->bytes)
                break; /* the gap before it fits */
            size_t end = alive[j]->offset + align_up(alive[j]->bytes);
            off = end > off ? end : off;
        }
        cur->offset = off;
        size_t end = off + align_up(cur->bytes);
        peak = end > peak ? end : peak;
        int len = cur->last - cur->first;
        if (len > SHORT_SPAN || cur->first < 0) {
            longs[nlong++] = cur;
        } else {
            size_t idx = (size_t)(cur - iv);
            next[idx] = head[cur->first];
            head[cur->first] = (int)idx;
            span = len > span ? len : span;
        }
    }
    hacl_free(order);
    hacl_free(longs);
    hacl_free(alive);
    hacl_free(head);
    hacl_free(next);
    *peak_out = peak;
    return ACL_SUCCESS;
}
