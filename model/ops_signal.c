/*
 * Signal processing: DFT (any axis, forward and inverse, onesided,
 * dft_length), STFT (frames, window, onesided) and MelWeightMatrix. The
 * transforms are direct O(n^2) sums in double: exact enough for the
 * feature extraction of audio models, and simple.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

static aclError const_scalar(struct hacl_graph *g, const struct hacl_node *n, size_t i, double *v, char *why,
                             size_t whylen)
{
    if (!has_input(n, i) || !IN(n, i)->is_const || numel(IN(n, i)) != 1)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                        "node '%s' (%s): input %zu is computed at run time; hostacl needs it constant", n->name, n->op, i);
    *v = load_f(IN(n, i)->onnx_type, IN(n, i)->data, 0);
    return ACL_SUCCESS;
}

/* ---- DFT ---- */

struct dft {
    int64_t axis, len, out_len; /* the transformed axis, its input and output lengths */
    int inverse, onesided, complex_in;
};

static aclError dft_params(struct hacl_graph *g, const struct hacl_node *n, struct dft *d, char *why, size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    if (x->rank < 3 || (x->dims[x->rank - 1] != 1 && x->dims[x->rank - 1] != 2))
        return FAIL("node '%s' (DFT): the input needs rank 3 or more and a last dim of 1 or 2", n->name);
    d->axis = hacl_attr_int(n, "axis", 1);
    if (d->axis < 0)
        d->axis += x->rank;
    if (d->axis < 1 || d->axis >= x->rank - 1)
        return FAIL("node '%s' (DFT): axis out of range", n->name);
    d->inverse = hacl_attr_int(n, "inverse", 0) != 0;
    d->onesided = hacl_attr_int(n, "onesided", 0) != 0;
    d->complex_in = x->dims[x->rank - 1] == 2;
    double L = (double)x->dims[d->axis];
    if (has_input(n, 1) && hacl_tensor_elements(IN(n, 1)) != 0) {
        aclError rc = const_scalar(g, n, 1, &L, why, whylen);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    if (!(L >= 1 && L <= (1 << 20)))
        return FAIL("node '%s' (DFT): dft_length out of range", n->name);
    d->len = (int64_t)L;
    d->out_len = d->onesided ? d->len / 2 + 1 : d->len;
    return ACL_SUCCESS;
}

static aclError infer_dft(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 3, why, whylen);
    if (rc == ACL_SUCCESS && !is_float_type(IN(n, 0)->onnx_type))
        rc = why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (DFT) takes floats", n->name);
    if (rc == ACL_SUCCESS && has_input(n, 2))
        rc = UNSUPPORTED("node '%s' (DFT): the axis input (opset 20) is not supported", n->name);
    struct dft d;
    if (rc == ACL_SUCCESS)
        rc = dft_params(g, n, &d, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t dims[HACL_MAX_RANK];
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)x->rank);
    dims[d.axis] = d.out_len;
    dims[x->rank - 1] = 2;
    set_out(OUT(n, 0), x->onnx_type, x->rank, dims);
    return ACL_SUCCESS;
}

/* One transform: in (count samples at stride `in_st` complex values, real
 * when cplx is 0), out (out_len bins at stride out_st). */
static void transform(int t, const void *x, size_t in_base, int64_t in_st, int64_t count, int cplx, void *y,
                      size_t out_base, int64_t out_st, int64_t len, int64_t out_len, int inverse, const double *win)
{
    double sign = inverse ? 1 : -1;
    for (int64_t k = 0; k < out_len; k++) {
        double re = 0, im = 0;
        for (int64_t j = 0; j < count && j < len; j++) {
            size_t at = in_base + (size_t)(j * in_st) * (cplx ? 2 : 1);
            double xr = load_f(t, x, at), xi = cplx ? load_f(t, x, at + 1) : 0;
            if (win)
                xr *= win[j], xi *= win[j];
            double ang = sign * 2 * M_PI * (double)((k * j) % len) / (double)len;
            re += xr * cos(ang) - xi * sin(ang);
            im += xr * sin(ang) + xi * cos(ang);
        }
        if (inverse)
            re /= (double)len, im /= (double)len;
        size_t o = out_base + (size_t)(k * out_st) * 2;
        store_f(t, y, o, re);
        store_f(t, y, o + 1, im);
    }
}

static void run_dft(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct dft d;
    char why[8];
    if (dft_params((struct hacl_graph *)g, n, &d, why, sizeof why) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *x = IN(n, 0);
    size_t outer = 1, inner = 1;
    for (int i = 0; i < d.axis; i++)
        outer *= (size_t)x->dims[i];
    for (int i = (int)d.axis + 1; i < x->rank - 1; i++)
        inner *= (size_t)x->dims[i];
    int64_t n_in = x->dims[d.axis];
    int c = d.complex_in ? 2 : 1;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++)
            transform(x->onnx_type, a->bufs[n->inputs[0]], (o * (size_t)n_in * inner + i) * (size_t)c,
                      (int64_t)inner, n_in, d.complex_in, a->bufs[n->outputs[0]],
                      (o * (size_t)d.out_len * inner + i) * 2, (int64_t)inner, d.len, d.out_len, d.inverse, NULL);
}

/* ---- STFT ---- */

struct stft {
    int64_t step, frame, frames, bins;
    int onesided, complex_in;
};

static aclError stft_params(struct hacl_graph *g, const struct hacl_node *n, struct stft *s, char *why, size_t whylen)
{
    const struct hacl_tensor *x = IN(n, 0);
    if (x->rank != 3 || (x->dims[2] != 1 && x->dims[2] != 2))
        return FAIL("node '%s' (STFT): the signal must be batch x length x 1 or 2", n->name);
    double step;
    aclError rc = const_scalar(g, n, 1, &step, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t frame = -1;
    if (has_input(n, 2)) {
        const struct hacl_tensor *w = IN(n, 2);
        if (w->rank != 1 || !is_float_type(w->onnx_type))
            return FAIL("node '%s' (STFT): the window must be a float vector", n->name);
        frame = w->dims[0];
    }
    if (has_input(n, 3)) {
        double fl;
        if ((rc = const_scalar(g, n, 3, &fl, why, whylen)) != ACL_SUCCESS)
            return rc;
        if (frame >= 0 && (int64_t)fl != frame)
            return FAIL("node '%s' (STFT): frame_length differs from the window's", n->name);
        frame = (int64_t)fl;
    }
    if (frame < 1 || frame > x->dims[1] || !(step >= 1) || step > 1e9)
        return FAIL("node '%s' (STFT): frame_length and frame_step must fit the signal", n->name);
    s->step = (int64_t)step;
    s->frame = frame;
    s->frames = (x->dims[1] - frame) / s->step + 1;
    s->onesided = hacl_attr_int(n, "onesided", 1) != 0;
    s->complex_in = x->dims[2] == 2;
    s->bins = s->onesided ? frame / 2 + 1 : frame;
    return ACL_SUCCESS;
}

static aclError infer_stft(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 4, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        if (has_input(n, i))
            rc = need_known(g, n, i, why, whylen);
    if (rc == ACL_SUCCESS && !is_float_type(IN(n, 0)->onnx_type))
        rc = why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (STFT) takes floats", n->name);
    struct stft s;
    if (rc == ACL_SUCCESS)
        rc = stft_params(g, n, &s, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int64_t d[4] = {IN(n, 0)->dims[0], s.frames, s.bins, 2};
    set_out(OUT(n, 0), IN(n, 0)->onnx_type, 4, d);
    return ACL_SUCCESS;
}

static void run_stft(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct stft s;
    char why[8];
    if (stft_params((struct hacl_graph *)g, n, &s, why, sizeof why) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *x = IN(n, 0);
    double *win = NULL;
    if (has_input(n, 2)) {
        win = hacl_malloc((size_t)s.frame * sizeof *win);
        if (!win) {
            *a->error = "out of memory in STFT";
            return;
        }
        for (int64_t k = 0; k < s.frame; k++)
            win[k] = load_f(IN(n, 2)->onnx_type, a->bufs[n->inputs[2]], (size_t)k);
    }
    int c = s.complex_in ? 2 : 1;
    for (int64_t b = 0; b < x->dims[0]; b++)
        for (int64_t f = 0; f < s.frames; f++)
            transform(x->onnx_type, a->bufs[n->inputs[0]], (size_t)((b * x->dims[1] + f * s.step) * c), 1, s.frame,
                      s.complex_in, a->bufs[n->outputs[0]], (size_t)((b * s.frames + f) * s.bins * 2), 1, s.frame,
                      s.bins, 0, win);
    hacl_free(win);
}

/* ---- MelWeightMatrix ---- */

struct mel {
    int64_t mels, dft, rate;
    double lo, hi;
};

static aclError mel_params(struct hacl_graph *g, const struct hacl_node *n, struct mel *m, char *why, size_t whylen)
{
    double v[5];
    for (size_t i = 0; i < 5; i++) {
        aclError rc = const_scalar(g, n, i, &v[i], why, whylen);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    m->mels = (int64_t)v[0], m->dft = (int64_t)v[1], m->rate = (int64_t)v[2], m->lo = v[3], m->hi = v[4];
    if (m->mels < 1 || m->mels > 4096 || m->dft < 1 || m->dft > (1 << 20) || m->rate < 1 || !(m->lo >= 0) ||
        !(m->hi > m->lo) || m->hi > 1e7)
        return FAIL("node '%s' (MelWeightMatrix): parameters out of range", n->name);
    return ACL_SUCCESS;
}

static aclError infer_mel(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 5, 5, why, whylen);
    struct mel m;
    if (rc == ACL_SUCCESS)
        rc = mel_params(g, n, &m, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    int t = (int)hacl_attr_int(n, "output_datatype", F32);
    if (!is_numeric_type(t))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (MelWeightMatrix): type %d", n->name, t);
    int64_t d[2] = {m.dft / 2 + 1, m.mels};
    set_out(OUT(n, 0), t, 2, d);
    return ACL_SUCCESS;
}

static void run_mel(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct mel m;
    char why[8];
    if (mel_params((struct hacl_graph *)g, n, &m, why, sizeof why) != ACL_SUCCESS)
        return;
    int t = OUT(n, 0)->onnx_type;
    int64_t bins = m.dft / 2 + 1;
    void *y = a->bufs[n->outputs[0]];
    for (size_t i = 0, c = numel(OUT(n, 0)); i < c; i++)
        store_f(t, y, i, 0);
    int64_t *edge = hacl_malloc((size_t)(m.mels + 2) * sizeof *edge);
    if (!edge) {
        *a->error = "out of memory in MelWeightMatrix";
        return;
    }
    /* mel-spaced edges (the step divides the range by the edge count, as
     * ONNX's reference does), mapped to DFT bins */
    double lo = 2595 * log10(1 + m.lo / 700), hi = 2595 * log10(1 + m.hi / 700), step = (hi - lo) / (double)(m.mels + 2);
    for (int64_t i = 0; i < m.mels + 2; i++) {
        double hz = 700 * (pow(10, ((double)i * step + lo) / 2595) - 1);
        edge[i] = (int64_t)floor((double)(m.dft + 1) * hz / (double)m.rate);
    }
    for (int64_t i = 0; i < m.mels; i++) {
        int64_t l = edge[i], c = edge[i + 1], r = edge[i + 2];
        if (c - l == 0) {
            if (c >= 0 && c < bins)
                store_f(t, y, (size_t)(c * m.mels + i), 1);
        } else {
            for (int64_t j = l; j <= c; j++)
                if (j >= 0 && j < bins)
                    store_f(t, y, (size_t)(j * m.mels + i), (double)(j - l) / (double)(c - l));
        }
        if (r - c > 0)
            for (int64_t j = c; j < r; j++)
                if (j >= 0 && j < bins)
                    store_f(t, y, (size_t)(j * m.mels + i), (double)(r - j) / (double)(r - c));
    }
    hacl_free(edge);
}

const struct hacl_op hacl_signal_ops[] = {
    {"DFT", infer_dft, run_dft, NULL},
    {"STFT", infer_stft, run_stft, NULL},
    {"MelWeightMatrix", infer_mel, run_mel, NULL},
};
const size_t hacl_signal_nops = sizeof hacl_signal_ops / sizeof hacl_signal_ops[0];
