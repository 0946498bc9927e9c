/*
 * Activation patterns the compiler fuses into the step that produces their
 * input (see prog_impl.h, struct act): single activation nodes as oneDNN
 * eltwise algorithms, and the multi-node forms exporters write: SiLU
 * (x * Sigmoid(x)), HardSwish (x * HardSigmoid(x)), GELU
 * (x * (1 + Erf(x / sqrt 2)) * 0.5). Matching reads the per-tensor reader
 * index built at compile time, so it costs nothing per node in long graphs.
 */
#include <math.h>
#include <string.h>

#include "prog_impl.h"

/* x * gate(x) written as two nodes: t read by exactly a gate node of type
 * `gate` and a Mul of t and the gate's output, which nothing else reads.
 * The Mul's index, or -1; *gn gets the gate node. */
static int gated_mul(struct hacl_prog *p, int t, const char *gate, int *gn)
{
    const struct hacl_graph *g = p->g;
    if (t < 0 || p->ncons[t] != 2 || p->is_out[t])
        return -1;
    for (int k = 0; k < 2; k++) {
        int a = p->cons[p->cons_off[t] + k], m = p->cons[p->cons_off[t] + 1 - k];
        const struct hacl_node *an = &g->nodes[a], *mn = &g->nodes[m];
        if (p->absorbed[a] || p->absorbed[m] || strcmp(an->op, gate) != 0 || strcmp(mn->op, "Mul") != 0 ||
            an->ninputs != 1 || an->noutputs != 1 || mn->ninputs != 2)
            continue;
        int s = an->outputs[0];
        if (s < 0 || p->ncons[s] != 1 || p->is_out[s] || p->reader[s] != m)
            continue;
        if (!((mn->inputs[0] == t && mn->inputs[1] == s) || (mn->inputs[0] == s && mn->inputs[1] == t)))
            continue;
        if (!hacl_pg_same_shape(&g->tensors[mn->outputs[0]], &g->tensors[t]))
            continue;
        *gn = a;
        return m;
    }
    return -1;
}

int hacl_pg_act_of(struct hacl_prog *p, int node, struct act *a)
{
    static const char *const names[] = {"Relu", "LeakyRelu", "Clip",     "Sigmoid",
                                        "Tanh", "Elu",       "HardSwish", "HardSigmoid"};
    const struct hacl_graph *g = p->g;
    const struct hacl_node *n = &g->nodes[node];
    size_t k = 0;
    while (k < sizeof names / sizeof names[0] && strcmp(n->op, names[k]) != 0)
        k++;
    if (k == sizeof names / sizeof names[0] || n->noutputs < 1 || n->outputs[0] < 0)
        return 0;
    a->node = node;
    a->node2 = -1;
    a->nmore = 0;
    a->out = n->outputs[0];
    a->alpha = a->beta = 0;
    a->clip01 = 0;
    switch (k) {
    case 0: a->alg = dnnl_eltwise_relu; break;
    case 1: a->alg = dnnl_eltwise_relu, a->alpha = hacl_attr_float(n, "alpha", 0.01f); break;
    case 2: {
        float lo = hacl_attr_float(n, "min", -INFINITY), hi = hacl_attr_float(n, "max", INFINITY);
        for (size_t i = 1; i < 3 && i < n->ninputs; i++) {
            if (n->inputs[i] < 0)
                continue;
            if (!hacl_pg_is_const_f32(g, n, i) || g->tensors[n->inputs[i]].bytes != sizeof(float))
                return 0;
            float v = *(const float *)g->tensors[n->inputs[i]].data;
            *(i == 1 ? &lo : &hi) = v;
        }
        a->alg = dnnl_eltwise_clip_v2, a->alpha = lo, a->beta = hi;
        break;
    }
    case 3: a->alg = dnnl_eltwise_logistic; break;
    case 4: a->alg = dnnl_eltwise_tanh; break;
    case 5: a->alg = dnnl_eltwise_elu, a->alpha = hacl_attr_float(n, "alpha", 1.0f); break;
    case 6: a->alg = dnnl_eltwise_hardswish; break;
    default: /* HardSigmoid: alpha x + beta, clipped to [0, 1] */
        a->alg = dnnl_eltwise_linear, a->alpha = hacl_attr_float(n, "alpha", 0.2f);
        a->beta = hacl_attr_float(n, "beta", 0.5f), a->clip01 = 1;
        break;
    }
    return 1;
}

void hacl_pg_append_act(dnnl_post_ops_t po, const struct act *a)
{
    dnnl_post_ops_append_eltwise(po, 1.0f, a->alg, a->alpha, a->beta);
    if (a->clip01)
        dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip_v2, 0.0f, 1.0f);
}

/* A constant float32 scalar input i of n, or NAN. */
static float scalar_input(const struct hacl_graph *g, const struct hacl_node *n, size_t i)
{
    if (i >= n->ninputs || !hacl_pg_is_const_f32(g, n, i) || hacl_tensor_elements(&g->tensors[n->inputs[i]]) != 1)
        return NAN;
    return *(const float *)g->tensors[n->inputs[i]].data;
}

/* GELU as torch exports it: x * (1 + Erf(x / sqrt 2)) * 0.5. */
static int gelu_pattern(struct hacl_prog *p, int t, struct act *a)
{
    const struct hacl_graph *g = p->g;
    if (t < 0 || p->ncons[t] != 2 || p->is_out[t])
        return 0;
    int dv = -1, m1 = -1;
    for (int k = 0; k < 2; k++) {
        int c = p->cons[p->cons_off[t] + k];
        if (!strcmp(g->nodes[c].op, "Div") && g->nodes[c].inputs[0] == t)
            dv = c;
        else if (!strcmp(g->nodes[c].op, "Mul"))
            m1 = c;
    }
    if (dv < 0 || m1 < 0 || fabsf(scalar_input(g, &g->nodes[dv], 1) - 1.41421356f) > 1e-5f)
        return 0;
    int er = hacl_pg_sole_reader(p, g->nodes[dv].outputs[0], "Erf");
    int ad = er >= 0 ? hacl_pg_sole_reader(p, g->nodes[er].outputs[0], "Add") : -1;
    if (ad < 0)
        return 0;
    const struct hacl_node *an = &g->nodes[ad];
    size_t one = an->inputs[0] == g->nodes[er].outputs[0] ? 1 : 0;
    if (scalar_input(g, an, one) != 1.0f || p->ncons[an->outputs[0]] != 1 || p->reader[an->outputs[0]] != m1)
        return 0;
    const struct hacl_node *mn = &g->nodes[m1];
    if (!((mn->inputs[0] == t && mn->inputs[1] == an->outputs[0]) ||
          (mn->inputs[1] == t && mn->inputs[0] == an->outputs[0])))
        return 0;
    int m2 = hacl_pg_sole_reader(p, mn->outputs[0], "Mul");
    if (m2 < 0)
        return 0;
    const struct hacl_node *hn = &g->nodes[m2];
    if (scalar_input(g, hn, hn->inputs[0] == mn->outputs[0] ? 1 : 0) != 0.5f ||
        !hacl_pg_same_shape(&g->tensors[hn->outputs[0]], &g->tensors[t]))
        return 0;
    a->node = dv, a->node2 = m1, a->more[0] = er, a->more[1] = ad, a->more[2] = m2, a->nmore = 3;
    a->out = hn->outputs[0];
    a->alg = dnnl_eltwise_gelu_erf, a->alpha = a->beta = 0, a->clip01 = 0;
    return 1;
}

void hacl_pg_absorb_act(struct hacl_prog *p, const struct act *a)
{
    int all[5] = {a->node, a->node2, a->nmore > 0 ? a->more[0] : -1, a->nmore > 1 ? a->more[1] : -1,
                  a->nmore > 2 ? a->more[2] : -1};
    for (int k = 0; k < 5; k++)
        if (all[k] >= 0 && !p->absorbed[all[k]]) {
            p->absorbed[all[k]] = 1;
            hacl_pg_consumed(p, all[k]);
        }
}

int hacl_pg_find_act(struct hacl_prog *p, int t, struct act *a)
{
    const struct hacl_graph *g = p->g;
    a->nmore = 0;
    if (gelu_pattern(p, t, a))
        return 1;
    /* SiLU (x * Sigmoid(x)) and HardSwish (x * HardSigmoid(x), alpha 1/6,
     * beta 1/2), as exporters write them */
    int gate, m = gated_mul(p, t, "Sigmoid", &gate);
    if (m >= 0) {
        a->node = gate, a->node2 = m, a->out = g->nodes[m].outputs[0];
        a->alg = dnnl_eltwise_swish, a->alpha = 1.0f, a->beta = 0, a->clip01 = 0;
        return 1;
    }
    m = gated_mul(p, t, "HardSigmoid", &gate);
    if (m >= 0 && fabsf(hacl_attr_float(&g->nodes[gate], "alpha", 0.2f) - 1.0f / 6) < 1e-7f &&
        hacl_attr_float(&g->nodes[gate], "beta", 0.5f) == 0.5f) {
        a->node = gate, a->node2 = m, a->out = g->nodes[m].outputs[0];
        a->alg = dnnl_eltwise_hardswish, a->alpha = a->beta = 0, a->clip01 = 0;
        return 1;
    }
    if (t < 0 || p->ncons[t] != 1 || p->is_out[t] || p->absorbed[p->reader[t]])
        return 0;
    return hacl_pg_act_of(p, p->reader[t], a);
}

