/*
 * hostacl internal: helpers shared by the operator files (kernels.c,
 * ops_tensor.c): attribute lookup, input checks and output typing.
 */
#ifndef HOSTACL_MODEL_KERNEL_IMPL_H
#define HOSTACL_MODEL_KERNEL_IMPL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernels.h"
#include "onnx/onnx.pb-c.h"

enum { F32 = 1, I64 = 7, F16 = 10 };

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


#endif
