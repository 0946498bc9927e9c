/*
 * Recurrent operators: RNN, GRU and LSTM (forward, reverse and
 * bidirectional; layout 0 and 1; sequence_lens; initial states; LSTM
 * peepholes and input_forget; GRU linear_before_reset; clip; every
 * activation the specification names, with activation_alpha/beta).
 *
 * The common case (float32, the default activations or an RNN's Relu, no
 * clip, peepholes, coupled gates or short sequences) runs on a fast path: the input
 * projections of every time step as one matrix product (oneDNN's sgemm),
 * then per step the recurrent products of all batch rows and the gates in
 * float32 with vectorised exponentials. Everything else runs per batch row
 * and time step: the products in float32 rows (as the optimised runtimes
 * compute them), gates and states in double. Weights are read in ONNX's
 * gate order (RNN: one gate; GRU: z, r, h; LSTM: i, o, f, c).
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>

#include <dnnl.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "kernel_impl.h"

enum cell { C_RNN, C_GRU, C_LSTM };
enum { A_SIGMOID, A_TANH, A_RELU, A_AFFINE, A_LEAKYRELU, A_THRESHOLDEDRELU, A_SCALEDTANH, A_HARDSIGMOID, A_ELU,
       A_SOFTSIGN, A_SOFTPLUS };

struct act_fn {
    int kind;
    double alpha, beta;
};

struct rnn {
    enum cell cell;
    int gates, dirs, layout, lbr, input_forget;
    int64_t seq, batch, in, hid;
    double clip; /* 0: none */
    struct act_fn act[2][3]; /* per direction: f, g, h */
};

static int act_kind(const char *s, size_t len, int *params)
{
    static const struct {
        const char *name;
        int kind, params;
    } names[] = {{"Sigmoid", A_SIGMOID, 0},       {"Tanh", A_TANH, 0},         {"Relu", A_RELU, 0},
                 {"Affine", A_AFFINE, 2},         {"LeakyRelu", A_LEAKYRELU, 1}, {"ThresholdedRelu", A_THRESHOLDEDRELU, 1},
                 {"ScaledTanh", A_SCALEDTANH, 2}, {"HardSigmoid", A_HARDSIGMOID, 2}, {"Elu", A_ELU, 1},
                 {"Softsign", A_SOFTSIGN, 0},     {"Softplus", A_SOFTPLUS, 0}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == len && !strncasecmp(names[i].name, s, len)) {
            *params = names[i].params;
            return names[i].kind;
        }
    return -1;
}

/* Activations in float32, as the optimised runtimes compute them: a
 * recurrence applies hundreds per time step. */
static double apply(const struct act_fn *a, double vd)
{
    float v = (float)vd, al = (float)a->alpha, be = (float)a->beta;
    switch (a->kind) {
    case A_SIGMOID: return v >= 0 ? 1.0f / (1.0f + expf(-v)) : expf(v) / (1.0f + expf(v));
    case A_TANH: return tanhf(v);
    case A_RELU: return v > 0 ? v : 0;
    case A_AFFINE: return al * v + be;
    case A_LEAKYRELU: return v >= 0 ? v : al * v;
    case A_THRESHOLDEDRELU: return v > al ? v : 0;
    case A_SCALEDTANH: return al * tanhf(be * v);
    case A_HARDSIGMOID: return fmaxf(0, fminf(1, al * v + be));
    case A_ELU: return v >= 0 ? v : al * (expf(v) - 1);
    case A_SOFTSIGN: return v / (1 + fabsf(v));
    default: return v > 0 ? v + log1pf(expf(-v)) : log1pf(expf(v));
    }
}

/* Default alpha and beta of an activation named without them. */
static void act_defaults(struct act_fn *a)
{
    a->alpha = a->kind == A_LEAKYRELU ? 0.01 : a->kind == A_HARDSIGMOID ? 0.2 : 1.0;
    a->beta = a->kind == A_HARDSIGMOID ? 0.5 : a->kind == A_AFFINE ? 0.0 : 1.0;
}

static aclError rnn_params(struct hacl_graph *g, const struct hacl_node *n, struct rnn *r, char *why, size_t whylen)
{
    memset(r, 0, sizeof *r);
    r->cell = !strcmp(n->op, "LSTM") ? C_LSTM : !strcmp(n->op, "GRU") ? C_GRU : C_RNN;
    r->gates = r->cell == C_LSTM ? 4 : r->cell == C_GRU ? 3 : 1;
    const Onnx__AttributeProto *d = attr(n, "direction");
    int bidi = d && d->has_s && d->s.len == 13 && !strncmp((const char *)d->s.data, "bidirectional", 13);
    int rev = d && d->has_s && d->s.len == 7 && !strncmp((const char *)d->s.data, "reverse", 7);
    if (d && d->has_s && !bidi && !rev && !(d->s.len == 7 && !strncmp((const char *)d->s.data, "forward", 7)))
        return FAIL("node '%s' (%s): direction must be forward, reverse or bidirectional", n->name, n->op);
    r->dirs = bidi ? 2 : 1;
    r->layout = (int)hacl_attr_int(n, "layout", 0);
    r->lbr = hacl_attr_int(n, "linear_before_reset", 0) != 0;
    r->input_forget = hacl_attr_int(n, "input_forget", 0) != 0;
    r->clip = hacl_attr_float(n, "clip", 0.0f);
    const struct hacl_tensor *x = IN(n, 0), *w = IN(n, 1), *rr = IN(n, 2);
    if (x->rank != 3 || w->rank != 3 || rr->rank != 3 || r->layout < 0 || r->layout > 1 || r->clip < 0)
        return FAIL("node '%s' (%s): X, W and R must have rank 3", n->name, n->op);
    r->seq = x->dims[r->layout ? 1 : 0];
    r->batch = x->dims[r->layout ? 0 : 1];
    r->in = x->dims[2];
    r->hid = hacl_attr_int(n, "hidden_size", rr->dims[2]);
    if (w->dims[0] != r->dirs || w->dims[1] != r->gates * r->hid || w->dims[2] != r->in || rr->dims[0] != r->dirs ||
        rr->dims[1] != r->gates * r->hid || rr->dims[2] != r->hid)
        return FAIL("node '%s' (%s): W or R does not fit hidden_size %lld", n->name, n->op, (long long)r->hid);
    int64_t want[8] = {0, 0, 0, r->dirs * 2 * r->gates * r->hid, r->batch, r->dirs * r->batch * r->hid,
                       r->dirs * r->batch * r->hid, r->dirs * 3 * r->hid};
    for (size_t i = 3; i < n->ninputs && i < 8; i++)
        if (has_input(n, i) && hacl_tensor_elements(IN(n, i)) != want[i])
            return FAIL("node '%s' (%s): input %zu has %lld elements, %lld expected", n->name, n->op, i,
                        (long long)hacl_tensor_elements(IN(n, i)), (long long)want[i]);
    /* activations: f, g (and h for LSTM) per direction */
    int per = r->cell == C_LSTM ? 3 : r->cell == C_GRU ? 2 : 1;
    const Onnx__AttributeProto *acts = attr(n, "activations"), *al = attr(n, "activation_alpha"),
                               *be = attr(n, "activation_beta");
    size_t ai = 0, bi = 0;
    for (int dir = 0; dir < r->dirs; dir++)
        for (int k = 0; k < per; k++) {
            struct act_fn *a = &r->act[dir][k];
            int params = 0;
            if (acts && acts->n_strings) {
                size_t idx = (size_t)(dir * per + k);
                if (idx >= acts->n_strings)
                    return FAIL("node '%s' (%s): %d activations needed", n->name, n->op, per * r->dirs);
                a->kind = act_kind((const char *)acts->strings[idx].data, acts->strings[idx].len, &params);
                if (a->kind < 0)
                    return UNSUPPORTED("node '%s' (%s): an activation is not supported", n->name, n->op);
            } else {
                a->kind = k == 0 && r->cell != C_RNN ? A_SIGMOID : A_TANH;
            }
            act_defaults(a);
            if (params >= 1 && al && ai < al->n_floats)
                a->alpha = al->floats[ai++];
            if (params >= 2 && be && bi < be->n_floats)
                a->beta = be->floats[bi++];
        }
    return ACL_SUCCESS;
}

static aclError infer_rnn(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = ACL_SUCCESS;
    int outs = 0;
    for (size_t k = 0; k < n->noutputs; k++)
        outs += n->outputs[k] >= 0;
    if (n->ninputs < 3 || n->ninputs > 8 || !has_input(n, 0) || !outs)
        rc = FAIL("node '%s' (%s) has %zu inputs and %d outputs", n->name, n->op, n->ninputs, outs);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc == ACL_SUCCESS && (!has_input(n, 1) || !has_input(n, 2)))
        rc = FAIL("node '%s' (%s) needs W and R", n->name, n->op);
    if (rc != ACL_SUCCESS)
        return rc;
    int t = IN(n, 0)->onnx_type;
    if (!is_float_type(t))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (%s) computes floating types only",
                        n->name, n->op);
    if (has_input(n, 4) && IN(n, 4)->onnx_type != I32)
        return FAIL("node '%s' (%s): sequence_lens must be int32", n->name, n->op);
    struct rnn r;
    if ((rc = rnn_params(g, n, &r, why, whylen)) != ACL_SUCCESS)
        return rc;
    int64_t y[4] = {r.seq, r.dirs, r.batch, r.hid}, yl[4] = {r.batch, r.seq, r.dirs, r.hid};
    int64_t h[3] = {r.dirs, r.batch, r.hid}, hl[3] = {r.batch, r.dirs, r.hid};
    if (n->noutputs > 0 && n->outputs[0] >= 0)
        set_out(OUT(n, 0), t, 4, r.layout ? yl : y);
    for (size_t k = 1; k < n->noutputs && k < 3; k++)
        if (n->outputs[k] >= 0)
            set_out(OUT(n, k), t, 3, r.layout ? hl : h);
    if (n->noutputs > 3 || (n->noutputs == 3 && r.cell != C_LSTM && n->outputs[2] >= 0))
        return FAIL("node '%s' (%s) has too many outputs", n->name, n->op);
    return ACL_SUCCESS;
}

static double clipped(const struct rnn *r, double v)
{
    return r->clip > 0 ? (v < -r->clip ? -r->clip : v > r->clip ? r->clip : v) : v;
}


/* ---- the fast path ---- */

/* e^x in float32 for |x| <= 88, written to vectorise: 2^(x log2 e) split
 * into an integer power (put in the exponent bits) and a fraction whose
 * power is a degree-7 polynomial (relative error about 1e-7). */
static inline float fast_exp(float x)
{
    x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
    float t = x * 1.44269504f; /* log2(e) */
    float k = (t + 12582912.0f) - 12582912.0f; /* round to nearest (1.5 * 2^23), in vector registers */
    float f = (t - k) * 0.693147181f; /* back to a natural fraction, |f| <= ln2 / 2 */
    float p = 1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6 + f * (1.0f / 24 + f * (1.0f / 120 +
                                                                                   f * (1.0f / 720 + f / 5040))))));
    union {
        float f;
        int32_t i;
    } u = {p};
    u.i += (int32_t)k * (1 << 23);
    return u.f;
}

static inline float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }
static inline float fast_tanh(float x) { return 2.0f / (1.0f + fast_exp(-2.0f * x)) - 1.0f; }

/* Whether node n may take the fast path. */
static int fast_ok(const struct rnn *r, const struct hacl_node *n, int t, const int32_t *lens)
{
    if (t != F32 || r->clip > 0 || r->input_forget || (has_input(n, 7) && r->cell == C_LSTM) || r->hid <= 0)
        return 0;
    for (int64_t b = 0; lens && b < r->batch; b++)
        if (lens[b] != r->seq)
            return 0;
    for (int d = 0; d < r->dirs; d++) {
        const struct act_fn *a = r->act[d];
        if (r->cell == C_RNN ? a[0].kind != A_TANH && a[0].kind != A_RELU
                             : a[0].kind != A_SIGMOID || a[1].kind != A_TANH ||
                                   (r->cell == C_LSTM && a[2].kind != A_TANH))
            return 0;
    }
    return 1;
}

/* Sixteen floats, read and written at any float alignment. */
typedef float rnn_v16 __attribute__((vector_size(64), aligned(4), may_alias));

/* Accumulates rows r0 (and r1 when two) of h times columns [q, q + 16 NV)
 * of wt in NV vector registers per row, then stores them. */
#define RNN_BLOCK(NV, TWO)                                                                                             \
    do {                                                                                                               \
        rnn_v16 s0[NV], s1[NV];                                                                                        \
        _Pragma("GCC unroll 16") for (int v = 0; v < NV; v++) s0[v] = s1[v] = (rnn_v16){0};                            \
        for (int64_t i = 0; i < k; i++) {                                                                              \
            const float *w = wt + i * ld + q;                                                                          \
            float h0 = r0[i], h1 = TWO ? r1[i] : 0;                                                                    \
            _Pragma("GCC unroll 16") for (int v = 0; v < NV; v++) {                                                    \
                rnn_v16 wv = *(const rnn_v16 *)(w + 16 * v);                                                           \
                s0[v] += h0 * wv;                                                                                      \
                if (TWO)                                                                                               \
                    s1[v] += h1 * wv;                                                                                  \
            }                                                                                                          \
        }                                                                                                              \
        _Pragma("GCC unroll 16") for (int v = 0; v < NV; v++) {                                                        \
            *(rnn_v16 *)(o0 + q + 16 * v) = s0[v];                                                                     \
            if (TWO)                                                                                                   \
                *(rnn_v16 *)(o1 + q + 16 * v) = s1[v];                                                                 \
        }                                                                                                              \
    } while (0)

/* out[b][q] = sum over i of h[b][i] * wt[i][q], q < nq: wt is the weight
 * transposed (rows of ld), so products run along contiguous q, the sums
 * held in registers: 128 columns of two rows at a time, then 16-column
 * strips, then single columns. */
static inline __attribute__((always_inline)) void rows_times(const float *h, int64_t nb, const float *wt, int64_t ld,
                                                             int64_t nq, int64_t k, float *out, int64_t ldo)
{
    for (int64_t b = 0; b < nb; b += 2) {
        const float *r0 = h + b * k, *r1 = r0 + k;
        float *o0 = out + b * ldo, *o1 = o0 + ldo;
        int two = b + 1 < nb;
        int64_t q = 0;
        for (; q + 128 <= nq; q += 128)
            if (two)
                RNN_BLOCK(8, 1);
            else
                RNN_BLOCK(8, 0);
        for (; q + 16 <= nq; q += 16)
            if (two)
                RNN_BLOCK(1, 1);
            else
                RNN_BLOCK(1, 0);
        for (; q < nq; q++) {
            float s0 = 0, s1 = 0;
            for (int64_t i = 0; i < k; i++) {
                s0 += r0[i] * wt[i * ld + q];
                s1 += two ? r1[i] * wt[i * ld + q] : 0;
            }
            o0[q] = s0;
            if (two)
                o1[q] = s1;
        }
    }
}

/* R of one direction ([G*H][H]) transposed into rt ([H][G*H]). */
static void transpose_r(const float *Rd, int64_t GH, int64_t H, float *rt)
{
    for (int64_t i = 0; i < H; i++)
        for (int64_t q = 0; q < GH; q++)
            rt[i * GH + q] = Rd[q * H + i];
}

/* A constant float32 R transposed once per program for the fast path. */
static void *prepare_rnn(const struct hacl_graph *g, const struct hacl_node *n)
{
    const struct hacl_tensor *R = n->ninputs > 2 && n->inputs[2] >= 0 ? &g->tensors[n->inputs[2]] : NULL;
    if (!R || !R->is_const || !R->data || R->onnx_type != F32 || R->rank != 3 || numel(R) == 0 ||
        R->bytes < numel(R) * sizeof(float))
        return NULL;
    int64_t D = R->dims[0], GH = R->dims[1], H = R->dims[2];
    float *rt = hacl_malloc((size_t)(D * GH * H) * sizeof *rt);
    for (int64_t d = 0; rt && d < D; d++)
        transpose_r((const float *)R->data + d * GH * H, GH, H, rt + d * H * GH);
    return rt;
}

/* One direction of the fast path, in its own scratch memory. */
struct fast {
    const struct rnn *r;
    const struct hacl_node *n;
    const float *X, *W, *R, *B, *H0, *C0;
    const float *RT; /* R transposed per direction ([dirs][H][G*H], prepared), or NULL */
    float *Y, *YH, *YC;
    float *scratch; /* per direction: scratch_n floats */
    size_t scratch_n;
    _Atomic int failed;
};

HACL_FMA_CLONES static int fast_dir(const struct fast *fc, int dir)
{
    const struct rnn *r = fc->r;
    const struct hacl_node *n = fc->n;
    const float *X = fc->X, *W = fc->W, *R = fc->R, *B = fc->B, *H0 = fc->H0, *C0 = fc->C0;
    float *Y = fc->Y, *YH = fc->YH, *YC = fc->YC;
    int64_t G = r->gates, H = r->hid, T = r->seq, NB = r->batch, GH = G * H;
    size_t xw_n = (size_t)(T * NB * GH), st_n = (size_t)(NB * H);
    float *xw = fc->scratch + (size_t)dir * fc->scratch_n;
    float *h = xw + xw_n, *c = h + st_n, *hp = c + st_n, *rh = hp + st_n, *cand = rh + st_n, *tmp = cand + st_n;
    float *hr = tmp + st_n, *bias = hr + NB * GH, *rt = bias + GH;
    {
    const char *dattr = attr(n, "direction") ? (const char *)attr(n, "direction")->s.data : NULL;
    int reverse = r->dirs == 2 ? dir == 1 : dattr && attr(n, "direction")->s.len == 7 && !strncmp(dattr, "reverse", 7);
    const float *Wd = W + dir * GH * r->in, *Rd = R + dir * GH * H;
    /* every step's input projection at once: rows of X (in X's order) times W^T */
    if (dnnl_sgemm('N', 'T', T * NB, GH, r->in, 1.0f, X, r->in, Wd, r->in, 0.0f, xw, GH) != dnnl_success)
        return -1;
    for (int64_t q = 0; q < GH; q++) { /* GRU's candidate keeps its recurrent bias apart */
        int candq = r->cell == C_GRU && q >= 2 * H;
        bias[q] = B ? B[dir * 2 * GH + q] + (candq ? 0 : B[dir * 2 * GH + GH + q]) : 0;
    }
    const float *rbh = B && r->cell == C_GRU ? B + dir * 2 * GH + GH + 2 * H : NULL;
    if (fc->RT)
        rt = (float *)fc->RT + dir * H * GH; /* read only */
    else
        transpose_r(Rd, GH, H, rt);
    for (int64_t b = 0; b < NB; b++)
        for (int64_t k = 0; k < H; k++) {
            size_t si = r->layout ? (size_t)((b * r->dirs + dir) * H + k) : (size_t)((dir * NB + b) * H + k);
            h[b * H + k] = H0 ? H0[si] : 0;
            c[b * H + k] = C0 ? C0[si] : 0;
        }
    /* GRU without linear_before_reset multiplies h by the reset gate
     * before its candidate product: only z and r go through hr first */
    int64_t nrec = r->cell == C_GRU && !r->lbr ? 2 * H : GH;
    for (int64_t s = 0; s < T; s++) {
        int64_t ts = reverse ? T - 1 - s : s;
        rows_times(h, NB, rt, GH, nrec, H, hr, GH);
        for (int64_t b = 0; b < NB; b++) {
            const float *x = xw + (size_t)(r->layout ? b * T + ts : ts * NB + b) * (size_t)GH;
            float *g = hr + b * GH, *hb = h + b * H, *cb = c + b * H;
            if (r->cell == C_RNN && r->act[dir][0].kind == A_RELU) {
#pragma omp simd
                for (int64_t k = 0; k < H; k++) {
                    float v = x[k] + g[k] + bias[k];
                    hb[k] = v > 0 ? v : 0;
                }
            } else if (r->cell == C_RNN) {
#pragma omp simd
                for (int64_t k = 0; k < H; k++)
                    hb[k] = fast_tanh(x[k] + g[k] + bias[k]);
            } else if (r->cell == C_LSTM) {
#pragma omp simd
                for (int64_t k = 0; k < H; k++) {
                    float ig = fast_sigmoid(x[k] + g[k] + bias[k]);
                    float og = fast_sigmoid(x[H + k] + g[H + k] + bias[H + k]);
                    float fg = fast_sigmoid(x[2 * H + k] + g[2 * H + k] + bias[2 * H + k]);
                    float cc = fast_tanh(x[3 * H + k] + g[3 * H + k] + bias[3 * H + k]);
                    float cn = fg * cb[k] + ig * cc;
                    cb[k] = cn;
                    hb[k] = og * fast_tanh(cn);
                }
            } else {
                float *zr = tmp, *hpb = hp + b * H;
#pragma omp simd
                for (int64_t k = 0; k < H; k++) {
                    zr[k] = fast_sigmoid(x[k] + g[k] + bias[k]);
                    rh[b * H + k] = fast_sigmoid(x[H + k] + g[H + k] + bias[H + k]); /* the reset gate */
                    hpb[k] = hb[k];
                }
                if (r->lbr) {
#pragma omp simd
                    for (int64_t k = 0; k < H; k++) {
                        float cn = fast_tanh(x[2 * H + k] + bias[2 * H + k] +
                                             rh[b * H + k] * (g[2 * H + k] + (rbh ? rbh[k] : 0)));
                        hb[k] = (1 - zr[k]) * cn + zr[k] * hpb[k];
                    }
                } else {
                    for (int64_t k = 0; k < H; k++)
                        rh[b * H + k] *= hpb[k];
                    rows_times(rh + b * H, 1, rt + 2 * H, GH, H, H, cand + b * H, H);
#pragma omp simd
                    for (int64_t k = 0; k < H; k++) {
                        float cn = fast_tanh(x[2 * H + k] + bias[2 * H + k] + cand[b * H + k] + (rbh ? rbh[k] : 0));
                        hb[k] = (1 - zr[k]) * cn + zr[k] * hpb[k];
                    }
                }
            }
            if (Y) {
                float *yo = Y + (r->layout ? ((b * T + ts) * r->dirs + dir) * H : ((ts * r->dirs + dir) * NB + b) * H);
                memcpy(yo, hb, (size_t)H * sizeof *yo);
            }
        }
    }
    for (int64_t b = 0; b < NB; b++) {
        size_t si = r->layout ? (size_t)((b * r->dirs + dir) * H) : (size_t)((dir * NB + b) * H);
        if (YH)
            memcpy(YH + si, h + b * H, (size_t)H * sizeof *YH);
        if (YC)
            memcpy(YC + si, c + b * H, (size_t)H * sizeof *YC);
    }
    }
    return 0;
}

static void fast_dir_task(void *arg, int dir)
{
    struct fast *fc = arg;
    if (fast_dir(fc, dir) != 0)
        atomic_store(&fc->failed, 1);
}

/* Runs the fast path, the two directions of a bidirectional cell side by
 * side on the compute team; 0, or -1 when memory is short. */
static int run_fast(const struct rnn *r, const struct hacl_node *n, const float *X, const float *W, const float *R,
                    const float *RT, const float *B, const float *H0, const float *C0, float *Y, float *YH, float *YC)
{
    int64_t G = r->gates, H = r->hid, T = r->seq, NB = r->batch, GH = G * H;
    /* the last block holds R transposed, unless prepared */
    size_t per = (size_t)(T * NB * GH) + 6 * (size_t)(NB * H) + (size_t)(NB * GH) + (size_t)GH + (RT ? 0 : (size_t)(H * GH));
    struct fast fc = {r, n, X, W, R, B, H0, C0, RT, Y, YH, YC, hacl_malloc((size_t)r->dirs * per * sizeof(float)), per, 0};
    if (!fc.scratch)
        return -1;
    hacl_compute_parallel(fast_dir_task, &fc, r->dirs);
    hacl_free(fc.scratch);
    return atomic_load(&fc.failed) ? -1 : 0;
}

static void run_rnn(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct rnn r;
    char why[8];
    size_t whylen = sizeof why;
    if (rnn_params((struct hacl_graph *)g, n, &r, why, whylen) != ACL_SUCCESS)
        return;
    int t = IN(n, 0)->onnx_type;
    const void *X = a->bufs[n->inputs[0]], *W = a->bufs[n->inputs[1]], *R = a->bufs[n->inputs[2]];
    const void *B = has_input(n, 3) ? a->bufs[n->inputs[3]] : NULL;
    const int32_t *lens = has_input(n, 4) ? a->bufs[n->inputs[4]] : NULL;
    const void *H0 = has_input(n, 5) ? a->bufs[n->inputs[5]] : NULL, *C0 = has_input(n, 6) ? a->bufs[n->inputs[6]] : NULL;
    const void *P = has_input(n, 7) ? a->bufs[n->inputs[7]] : NULL;
    void *Y = n->noutputs > 0 && n->outputs[0] >= 0 ? a->bufs[n->outputs[0]] : NULL;
    void *YH = n->noutputs > 1 && n->outputs[1] >= 0 ? a->bufs[n->outputs[1]] : NULL;
    void *YC = n->noutputs > 2 && n->outputs[2] >= 0 ? a->bufs[n->outputs[2]] : NULL;
    if (fast_ok(&r, n, t, lens)) {
        int64_t work = r.seq * r.batch * r.gates * r.hid * r.in;
        if (work < (1 << 24)) /* a small projection: this thread alone */
            hacl_compute_narrow(1);
        int done = run_fast(&r, n, X, W, R, a->prepared, B, H0, C0, Y, YH, YC) == 0;
        if (work < (1 << 24))
            hacl_compute_narrow(0);
        if (done)
            return;
    }
    int64_t G = r.gates, Hd = r.hid;
    double *h = hacl_calloc((size_t)(Hd * 4), sizeof *h), *c = h ? h + Hd : NULL, *gate = hacl_calloc((size_t)(G * Hd), sizeof *gate);
    double *hprev = h ? h + 2 * Hd : NULL, *tmp = h ? h + 3 * Hd : NULL;
    /* The products run on float32 rows (as the optimised runtimes do):
     * float32 inputs are read in place, other types converted once. */
    size_t nx = numel(IN(n, 0)), nw = numel(IN(n, 1)), nr = numel(IN(n, 2)), nb = B ? numel(IN(n, 3)) : 0;
    float *conv = t == F32 ? NULL : hacl_malloc((nx + nw + nr + nb + 1) * sizeof *conv);
    float *hf = hacl_malloc((size_t)(Hd ? Hd : 1) * sizeof *hf);
    if (!h || !gate || !hf || (t != F32 && !conv)) {
        hacl_free(h);
        hacl_free(gate);
        hacl_free(hf);
        hacl_free(conv);
        *a->error = "out of memory in a recurrent operator";
        return;
    }
    const float *Xf = X, *Wf = W, *Rf = R, *Bf = B;
    if (conv) {
        float *q = conv;
        for (size_t i = 0; i < nx; i++)
            q[i] = (float)load_f(t, X, i);
        Xf = q, q += nx;
        for (size_t i = 0; i < nw; i++)
            q[i] = (float)load_f(t, W, i);
        Wf = q, q += nw;
        for (size_t i = 0; i < nr; i++)
            q[i] = (float)load_f(t, R, i);
        Rf = q, q += nr;
        for (size_t i = 0; i < nb; i++)
            q[i] = (float)load_f(t, B, i);
        Bf = B ? q : NULL;
    }
    if (Y)
        for (size_t i = 0, cnt = numel(OUT(n, 0)); i < cnt; i++)
            store_f(t, Y, i, 0);
    for (int dir = 0; dir < r.dirs; dir++) {
        int reverse = r.dirs == 2 ? dir == 1 : (attr(n, "direction") && attr(n, "direction")->s.len == 7 &&
                                              !strncmp((const char *)attr(n, "direction")->s.data, "reverse", 7));
        const struct act_fn *f = &r.act[dir][0], *gg = &r.act[dir][1], *hh = &r.act[dir][2];
        size_t wo = (size_t)(dir * G * Hd * r.in), ro = (size_t)(dir * G * Hd * Hd), bo = (size_t)(dir * 2 * G * Hd);
        for (int64_t b = 0; b < r.batch; b++) {
            int64_t len = lens ? lens[b] : r.seq;
            len = len < 0 ? 0 : len > r.seq ? r.seq : len;
            for (int64_t k = 0; k < Hd; k++) {
                size_t hi = r.layout ? (size_t)((b * r.dirs + dir) * Hd + k) : (size_t)((dir * r.batch + b) * Hd + k);
                h[k] = H0 ? load_f(t, H0, hi) : 0;
                c[k] = C0 ? load_f(t, C0, hi) : 0;
            }
            for (int64_t step = 0; step < len; step++) {
                int64_t ts = reverse ? len - 1 - step : step;
                size_t xo = r.layout ? (size_t)((b * r.seq + ts) * r.in) : (size_t)((ts * r.batch + b) * r.in);
                memcpy(hprev, h, (size_t)Hd * sizeof *h);
                for (int64_t i = 0; i < Hd; i++)
                    hf[i] = (float)h[i];
                /* gate pre-activations: X W^T + H R^T + biases (GRU's
                 * candidate gate takes its recurrent part below) */
                const float *xr = Xf + xo;
                for (int64_t q = 0; q < G * Hd; q++) {
                    float v = dot_f32(xr, Wf + wo + (size_t)(q * r.in), r.in), u = 0;
                    int cand = r.cell == C_GRU && q >= 2 * Hd;
                    if (!cand)
                        u = dot_f32(hf, Rf + ro + (size_t)(q * Hd), Hd);
                    double bias = Bf ? (double)Bf[bo + (size_t)q] + (cand ? 0 : (double)Bf[bo + (size_t)(G * Hd + q)]) : 0;
                    gate[q] = (double)v + (double)u + bias;
                }
                if (r.cell == C_RNN) {
                    for (int64_t k = 0; k < Hd; k++)
                        h[k] = apply(f, clipped(&r, gate[k]));
                } else if (r.cell == C_GRU) {
                    for (int64_t i = 0; i < Hd; i++) /* reset gates */
                        tmp[i] = apply(f, clipped(&r, gate[Hd + i]));
                    for (int64_t k = 0; k < Hd; k++) {
                        double z = apply(f, clipped(&r, gate[k]));
                        double rec = 0, rb = Bf ? Bf[bo + (size_t)(G * Hd + 2 * Hd + k)] : 0;
                        const float *rr = Rf + ro + (size_t)((2 * Hd + k) * Hd);
                        for (int64_t i = 0; i < Hd; i++)
                            rec += (r.lbr ? hprev[i] : tmp[i] * hprev[i]) * rr[i];
                        double cand = r.lbr ? gate[2 * Hd + k] + tmp[k] * (rec + rb) : gate[2 * Hd + k] + rec + rb;
                        h[k] = (1 - z) * apply(gg, clipped(&r, cand)) + z * hprev[k];
                    }
                } else {
                    for (int64_t k = 0; k < Hd; k++) {
                        size_t po = (size_t)(dir * 3 * Hd);
                        double pi = P ? load_f(t, P, po + (size_t)k) : 0, pf = P ? load_f(t, P, po + (size_t)(2 * Hd + k)) : 0;
                        double po_ = P ? load_f(t, P, po + (size_t)(Hd + k)) : 0;
                        double ig = apply(f, clipped(&r, gate[k] + pi * c[k]));
                        double fg = r.input_forget ? 1 - ig : apply(f, clipped(&r, gate[2 * Hd + k] + pf * c[k]));
                        double cc = apply(gg, clipped(&r, gate[3 * Hd + k]));
                        c[k] = fg * c[k] + ig * cc;
                        double og = apply(f, clipped(&r, gate[Hd + k] + po_ * c[k]));
                        h[k] = og * apply(hh, c[k]);
                    }
                }
                if (Y)
                    for (int64_t k = 0; k < Hd; k++) {
                        size_t yo = r.layout ? (size_t)(((b * r.seq + ts) * r.dirs + dir) * Hd + k)
                                             : (size_t)(((ts * r.dirs + dir) * r.batch + b) * Hd + k);
                        store_f(t, Y, yo, h[k]);
                    }
            }
            for (int64_t k = 0; k < Hd; k++) {
                size_t hi = r.layout ? (size_t)((b * r.dirs + dir) * Hd + k) : (size_t)((dir * r.batch + b) * Hd + k);
                if (YH)
                    store_f(t, YH, hi, h[k]);
                if (YC)
                    store_f(t, YC, hi, c[k]);
            }
        }
    }
    hacl_free(h);
    hacl_free(gate);
    hacl_free(hf);
    hacl_free(conv);
}

const struct hacl_op hacl_rnn_ops[] = {
    {"RNN", infer_rnn, run_rnn, prepare_rnn},
    {"GRU", infer_rnn, run_rnn, prepare_rnn},
    {"LSTM", infer_rnn, run_rnn, prepare_rnn},
};
const size_t hacl_rnn_nops = sizeof hacl_rnn_ops / sizeof hacl_rnn_ops[0];
