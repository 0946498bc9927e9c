/*
 * Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (weights,
 * ignore_index, reductions none/sum/mean; the log-probabilities output).
 * Targets are checked against the class count before use.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

enum { RED_NONE, RED_SUM, RED_MEAN };

static int reduction(const struct hacl_node *n)
{
    const Onnx__AttributeProto *r = attr(n, "reduction");
    if (!r || !r->has_s)
        return RED_MEAN;
    if (r->s.len == 4 && !strncmp((const char *)r->s.data, "none", 4))
        return RED_NONE;
    if (r->s.len == 3 && !strncmp((const char *)r->s.data, "sum", 3))
        return RED_SUM;
    if (r->s.len == 4 && !strncmp((const char *)r->s.data, "mean", 4))
        return RED_MEAN;
    return -1;
}

static aclError infer_loss(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 3, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc == ACL_SUCCESS && !has_input(n, 1))
        rc = FAIL("node '%s' (%s) lacks its targets", n->name, n->op);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *tg = IN(n, 1);
    if (!is_float_type(x->onnx_type) || (tg->onnx_type != I64 && tg->onnx_type != I32) || reduction(n) < 0)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (%s): floating scores, int32/int64 targets and a known reduction", n->name, n->op);
    if (x->rank < 2 || tg->rank != x->rank - 1 || tg->dims[0] != x->dims[0])
        return FAIL("node '%s' (%s): targets must be the scores' shape without the class axis", n->name, n->op);
    for (int i = 1; i < tg->rank; i++)
        if (tg->dims[i] != x->dims[i + 1])
            return FAIL("node '%s' (%s): targets must be the scores' shape without the class axis", n->name, n->op);
    if (has_input(n, 2) && (IN(n, 2)->rank != 1 || IN(n, 2)->dims[0] != x->dims[1]))
        return FAIL("node '%s' (%s): weights need one value per class", n->name, n->op);
    if (reduction(n) == RED_NONE)
        set_out(OUT(n, 0), x->onnx_type, tg->rank, tg->dims);
    else
        set_out(OUT(n, 0), x->onnx_type, 0, NULL);
    if (n->noutputs > 1 && n->outputs[1] >= 0)
        set_out(OUT(n, 1), x->onnx_type, x->rank, x->dims);
    return ACL_SUCCESS;
}

static void run_loss(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *tg = IN(n, 1);
    int sce = !strcmp(n->op, "SoftmaxCrossEntropyLoss"), red = reduction(n), t = x->onnx_type;
    int has_ignore = attr(n, "ignore_index") != NULL;
    int64_t ignore = hacl_attr_int(n, "ignore_index", 0);
    int64_t N = x->dims[0], C = x->dims[1], D = 1;
    for (int i = 2; i < x->rank; i++)
        D *= x->dims[i];
    const void *xp = a->bufs[n->inputs[0]], *tp = a->bufs[n->inputs[1]];
    const void *wp = has_input(n, 2) ? a->bufs[n->inputs[2]] : NULL;
    void *yp = a->bufs[n->outputs[0]];
    void *lp = n->noutputs > 1 && n->outputs[1] >= 0 ? a->bufs[n->outputs[1]] : NULL;
    /* log-probabilities: the scores themselves (NLL), or log_softmax over
     * the class axis (SCE), kept in double */
    double *logp = NULL;
    if (sce) {
        logp = hacl_malloc((size_t)(N * C * D) * sizeof *logp);
        if (!logp) {
            *a->error = "out of memory in a loss";
            return;
        }
        for (int64_t b = 0; b < N; b++)
            for (int64_t d = 0; d < D; d++) {
                double mx = -INFINITY, s = 0;
                for (int64_t c = 0; c < C; c++)
                    mx = fmax(mx, load_f(t, xp, (size_t)((b * C + c) * D + d)));
                for (int64_t c = 0; c < C; c++)
                    s += exp(load_f(t, xp, (size_t)((b * C + c) * D + d)) - mx);
                for (int64_t c = 0; c < C; c++) {
                    size_t at = (size_t)((b * C + c) * D + d);
                    logp[at] = load_f(t, xp, at) - mx - log(s);
                    if (lp)
                        store_f(t, lp, at, logp[at]);
                }
            }
    }
    double total = 0, wsum = 0;
    for (int64_t b = 0; b < N; b++)
        for (int64_t d = 0; d < D; d++) {
            size_t ti = (size_t)(b * D + d);
            int64_t cls = load_i(tg->onnx_type, tp, ti);
            double l = 0, w = 0;
            if (!(has_ignore && cls == ignore)) {
                if (cls < 0 || cls >= C) {
                    *a->error = "a target class is out of range";
                    hacl_free(logp);
                    return;
                }
                size_t at = (size_t)((b * C + cls) * D + d);
                w = wp ? load_f(t, wp, (size_t)cls) : 1;
                l = -(sce ? logp[at] : load_f(t, xp, at)) * w;
            }
            if (red == RED_NONE)
                store_f(t, yp, ti, l);
            total += l;
            wsum += w;
        }
    if (red == RED_SUM)
        store_f(t, yp, 0, total);
    else if (red == RED_MEAN)
        store_f(t, yp, 0, wsum != 0 ? total / wsum : 0);
    hacl_free(logp);
}

const struct hacl_op hacl_loss_ops[] = {
    {"NegativeLogLikelihoodLoss", infer_loss, run_loss, NULL},
    {"SoftmaxCrossEntropyLoss", infer_loss, run_loss, NULL},
};
const size_t hacl_loss_nops = sizeof hacl_loss_ops / sizeof hacl_loss_ops[0];
