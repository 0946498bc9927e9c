/*
 * Running a graph (see exec.h).
 */
#include "exec.h"

#include <stdio.h>
#include <string.h>

#include "device/alloc.h"
#include "kernels.h"

size_t hacl_tensor_bytes(const struct hacl_tensor *t)
{
    int64_t n = hacl_tensor_elements(t);
    return n < 0 ? 0 : (size_t)n * hacl_onnx_type_size(t->onnx_type);
}

aclError hacl_graph_run(const struct hacl_graph *g, void *const *inputs, void *const *outputs, char *why,
                        size_t whylen)
{
    void **bufs = hacl_calloc(g->ntensors, sizeof *bufs);
    unsigned char *owned = hacl_calloc(g->ntensors, 1);
    if (!bufs || !owned) {
        hacl_free(bufs);
        hacl_free(owned);
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
    for (size_t i = 0; i < g->ntensors && rc == ACL_SUCCESS; i++) {
        if (bufs[i] || g->tensors[i].producer < 0)
            continue;
        bufs[i] = hacl_malloc(hacl_tensor_bytes(&g->tensors[i]));
        owned[i] = 1;
        if (!bufs[i]) {
            snprintf(why, whylen, "out of host memory for tensor '%s' (%zu bytes)", g->tensors[i].name,
                     hacl_tensor_bytes(&g->tensors[i]));
            rc = ACL_ERROR_BAD_ALLOC;
        }
    }
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
    for (size_t i = 0; i < g->ntensors; i++)
        if (owned[i])
            hacl_free(bufs[i]);
    hacl_free(bufs);
    hacl_free(owned);
    return rc;
}
