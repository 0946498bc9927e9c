/*
 * Running a graph (see exec.h).
 */
#include "exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"
#include "kernels.h"

size_t hacl_tensor_bytes(const struct hacl_tensor *t)
{
    int64_t n = hacl_tensor_elements(t);
    return n < 0 ? 0 : (size_t)n * hacl_onnx_type_size(t->onnx_type);
}

#define PLAN_ALIGN 64

struct interval {
    int tensor;
    int first, last; /* node indices */
    size_t bytes;
};

static int by_size_desc(const void *a, const void *b)
{
    const struct interval *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->first - y->first;
}

aclError hacl_plan_memory(struct hacl_graph *g)
{
    /* Which tensors are model outputs: those go to the caller's buffers. */
    unsigned char *is_out = hacl_calloc(g->ntensors ? g->ntensors : 1, 1);
    struct interval *iv = hacl_calloc(g->ntensors ? g->ntensors : 1, sizeof *iv);
    int *placed = hacl_calloc(g->ntensors ? g->ntensors : 1, sizeof *placed);
    if (!is_out || !iv || !placed) {
        hacl_free(is_out);
        hacl_free(iv);
        hacl_free(placed);
        return ACL_ERROR_BAD_ALLOC;
    }
    for (size_t i = 0; i < g->noutputs; i++)
        is_out[g->outputs[i]] = 1;
    size_t n = 0;
    for (size_t t = 0; t < g->ntensors; t++) {
        struct hacl_tensor *ts = &g->tensors[t];
        ts->planned = 0;
        if (ts->producer < 0 || is_out[t])
            continue;
        iv[n] = (struct interval){(int)t, ts->producer, ts->producer, hacl_tensor_bytes(ts)};
        n++;
    }
    /* Last use: the latest node reading the tensor. */
    for (size_t k = 0; k < n; k++)
        for (size_t i = (size_t)iv[k].first + 1; i < g->nnodes; i++)
            for (size_t j = 0; j < g->nodes[i].ninputs; j++)
                if (g->nodes[i].inputs[j] == iv[k].tensor)
                    iv[k].last = (int)i;
    qsort(iv, n, sizeof *iv, by_size_desc);
    /* Greedy first fit, largest first, against tensors already placed whose
     * lifetimes overlap. */
    size_t peak = 0, nplaced = 0;
    for (size_t k = 0; k < n; k++) {
        size_t off = 0;
        for (;;) {
            size_t bumped = off;
            for (size_t p = 0; p < nplaced; p++) {
                const struct interval *o = &iv[placed[p]];
                const struct hacl_tensor *ot = &g->tensors[o->tensor];
                if (o->last < iv[k].first || iv[k].last < o->first)
                    continue; /* not alive at the same time */
                size_t oend = ot->offset + ((o->bytes + PLAN_ALIGN - 1) & ~(size_t)(PLAN_ALIGN - 1));
                if (off < oend && ot->offset < off + iv[k].bytes)
                    bumped = oend > bumped ? oend : bumped;
            }
            if (bumped == off)
                break;
            off = bumped;
        }
        struct hacl_tensor *t = &g->tensors[iv[k].tensor];
        t->offset = off;
        t->planned = 1;
        size_t end = off + ((iv[k].bytes + PLAN_ALIGN - 1) & ~(size_t)(PLAN_ALIGN - 1));
        peak = end > peak ? end : peak;
        placed[nplaced++] = (int)k;
    }
    g->work_bytes = peak;
    hacl_free(is_out);
    hacl_free(iv);
    hacl_free(placed);
    return ACL_SUCCESS;
}

aclError hacl_graph_run(const struct hacl_graph *g, void *const *inputs, void *const *outputs, void *work,
                        char *why, size_t whylen)
{
    void **bufs = hacl_calloc(g->ntensors, sizeof *bufs);
    if (!bufs) {
        snprintf(why, whylen, "out of host memory for the execution's bookkeeping");
        return ACL_ERROR_BAD_ALLOC;
    }
    aclError rc = ACL_SUCCESS;
    for (size_t i = 0; i < g->ntensors; i++)
        if (g->tensors[i].is_const)
            bufs[i] = (void *)g->tensors[i].data;
    for (size_t i = 0; i < g->ninputs; i++)
        bufs[g->inputs[i]] = inputs[i];
    /* A node output that is a model output is computed in place (the first
     * time it is listed; a repeat is copied at the end). */
    for (size_t i = 0; i < g->noutputs; i++) {
        int t = g->outputs[i];
        if (g->tensors[t].producer >= 0 && !bufs[t])
            bufs[t] = outputs[i];
    }
    void *own_work = NULL;
    if (!work && g->work_bytes) {
        work = own_work = hacl_malloc_aligned(PLAN_ALIGN, g->work_bytes);
        if (!work) {
            snprintf(why, whylen, "out of host memory for the %zu-byte work buffer", g->work_bytes);
            rc = ACL_ERROR_BAD_ALLOC;
        }
    }
    /* Every other node output lives in the planned work buffer. */
    for (size_t i = 0; i < g->ntensors && rc == ACL_SUCCESS; i++)
        if (!bufs[i] && g->tensors[i].planned)
            bufs[i] = (char *)work + g->tensors[i].offset;
    for (size_t i = 0; i < g->nnodes && rc == ACL_SUCCESS; i++) {
        const struct hacl_node *n = &g->nodes[i];
        struct hacl_kernel_args a = {g, n, bufs};
        hacl_op_find(n->op)->run(&a);
    }
    if (rc == ACL_SUCCESS)
        for (size_t i = 0; i < g->noutputs; i++) {
            int t = g->outputs[i];
            if (bufs[t] != outputs[i]) /* a model input or constant, or listed twice */
                memmove(outputs[i], bufs[t], hacl_tensor_bytes(&g->tensors[t]));
        }
    hacl_free(own_work);
    hacl_free(bufs);
    return rc;
}
