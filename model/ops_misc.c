/*
 * Operators of their own kind: BitShift, Det, ReverseSequence, the signal
 * windows (HannWindow, HammingWindow, BlackmanWindow), TfIdfVectorizer on
 * integer tokens; Compress, NonMaxSuppression and Unique, whose output shapes
 * depend on the data, are computed only when that data is constant
 * (Compress) or refused with that reason.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include "device/alloc.h"
#include "kernel_impl.h"

static aclError infer_same_int(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 2, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *ins[2] = {IN(n, 0), IN(n, 1)};
    int t = ins[0]->onnx_type;
    if ((t != U8 && t != U16 && t != U32 && t != U64) || ins[1]->onnx_type != t)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (BitShift) takes unsigned integers",
                        n->name);
    int r;
    int64_t d[HACL_MAX_RANK];
    if (hacl_bcast_shape(ins, 2, &r, d) != ACL_SUCCESS)
        return FAIL("node '%s' (BitShift): shapes do not broadcast", n->name);
    set_out(OUT(n, 0), t, r, d);
    return ACL_SUCCESS;
}

struct shift_ctx {
    int t, left;
    const void *x, *y;
    void *z;
};

static void shift_row(void *ctx, const int64_t *off, int64_t out_off, int64_t len, const int64_t *st)
{
    struct shift_ctx *c = ctx;
    unsigned bits = (unsigned)hacl_onnx_type_size(c->t) * 8;
    for (int64_t i = 0; i < len; i++) {
        uint64_t v = (uint64_t)load_i(c->t, c->x, (size_t)(off[0] + i * st[0]));
        uint64_t s = (uint64_t)load_i(c->t, c->y, (size_t)(off[1] + i * st[1]));
        uint64_t r = s >= bits ? 0 : c->left ? v << s : v >> s;
        store_i(c->t, c->z, (size_t)(out_off + i), (int64_t)r);
    }
}

static void run_bitshift(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const Onnx__AttributeProto *d = attr(n, "direction");
    struct shift_ctx c = {IN(n, 0)->onnx_type, d && d->has_s && d->s.len == 4 && !strncmp((const char *)d->s.data, "LEFT", 4),
                          a->bufs[n->inputs[0]], a->bufs[n->inputs[1]], a->bufs[n->outputs[0]]};
    const struct hacl_tensor *ins[2] = {IN(n, 0), IN(n, 1)};
    struct hacl_bcast b;
    hacl_bcast_init(&b, OUT(n, 0), ins, 2);
    hacl_bcast_walk(&b, shift_row, &c);
}

/* ---- Det ---- */

static aclError infer_det(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if (!is_float_type(x->onnx_type) || x->rank < 2 || x->dims[x->rank - 1] != x->dims[x->rank - 2] ||
        x->dims[x->rank - 1] > 4096)
        return FAIL("node '%s' (Det) needs floating square matrices", n->name);
    set_out(OUT(n, 0), x->onnx_type, x->rank - 2, x->dims);
    return ACL_SUCCESS;
}

static void run_det(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t k = x->dims[x->rank - 1];
    size_t mats = numel(OUT(n, 0)), sz = (size_t)(k * k);
    double *m = hacl_malloc((sz ? sz : 1) * sizeof *m);
    if (!m) {
        *a->error = "out of memory in Det";
        return;
    }
    for (size_t b = 0; b < mats; b++) {
        for (size_t i = 0; i < sz; i++)
            m[i] = load_f(x->onnx_type, a->bufs[n->inputs[0]], b * sz + i);
        double det = 1;
        for (int64_t c = 0; c < k && det != 0; c++) { /* Gaussian elimination, partial pivoting */
            int64_t p = c;
            for (int64_t r = c + 1; r < k; r++)
                if (fabs(m[r * k + c]) > fabs(m[p * k + c]))
                    p = r;
            if (m[p * k + c] == 0) {
                det = 0;
                break;
            }
            if (p != c) {
                for (int64_t j = 0; j < k; j++) {
                    double t = m[c * k + j];
                    m[c * k + j] = m[p * k + j];
                    m[p * k + j] = t;
                }
                det = -det;
            }
            det *= m[c * k + c];
            for (int64_t r = c + 1; r < k; r++) {
                double f = m[r * k + c] / m[c * k + c];
                for (int64_t j = c; j < k; j++)
                    m[r * k + j] -= f * m[c * k + j];
            }
        }
        store_f(x->onnx_type, a->bufs[n->outputs[0]], b, det);
    }
    hacl_free(m);
}

/* ---- ReverseSequence ---- */

static aclError infer_revseq(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 2, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *l = IN(n, 1);
    int64_t ta = hacl_attr_int(n, "time_axis", 0), ba = hacl_attr_int(n, "batch_axis", 1);
    if (x->rank < 2 || (ta != 0 && ta != 1) || (ba != 0 && ba != 1) || ta == ba || l->rank != 1 ||
        l->dims[0] != x->dims[ba] || l->onnx_type != I64)
        return FAIL("node '%s' (ReverseSequence): axes or sequence_lens do not fit", n->name);
    set_out(OUT(n, 0), x->onnx_type, x->rank, x->dims);
    return ACL_SUCCESS;
}

static void run_revseq(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t ta = hacl_attr_int(n, "time_axis", 0), ba = 1 - ta;
    int64_t T = x->dims[ta], Bn = x->dims[ba];
    size_t inner = numel(x) / (size_t)(T * Bn), es = hacl_onnx_type_size(x->onnx_type);
    const int64_t *lens = a->bufs[n->inputs[1]];
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    for (int64_t b = 0; b < Bn; b++) {
        int64_t len = lens[b] < 0 ? 0 : lens[b] > T ? T : lens[b];
        for (int64_t t = 0; t < T; t++) {
            int64_t from = t < len ? len - 1 - t : t;
            size_t to_i = (size_t)(ta == 0 ? t * Bn + b : b * T + t), fr_i = (size_t)(ta == 0 ? from * Bn + b : b * T + from);
            memcpy(y + to_i * inner * es, src + fr_i * inner * es, inner * es);
        }
    }
}

/* ---- signal windows ---- */

static aclError infer_window(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *s = IN(n, 0);
    if (!s->is_const || numel(s) != 1)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                        "node '%s' (%s): the size is computed at run time; hostacl needs it constant", n->name, n->op);
    int64_t len = load_i(s->onnx_type, s->data, 0);
    int t = (int)hacl_attr_int(n, "output_datatype", F32);
    if (len < 0 || len > ((int64_t)1 << 26) || !is_numeric_type(t))
        return FAIL("node '%s' (%s): size or output type out of range", n->name, n->op);
    set_out(OUT(n, 0), t, 1, &len);
    return ACL_SUCCESS;
}

static void run_window(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *o = OUT(n, 0);
    int64_t len = o->dims[0];
    double N = hacl_attr_int(n, "periodic", 1) ? (double)len : (double)(len - 1);
    int hann = !strcmp(n->op, "HannWindow"), hamming = !strcmp(n->op, "HammingWindow");
    for (int64_t i = 0; i < len; i++) {
        double x = 2 * M_PI * (double)i / N, v;
        if (hann)
            v = 0.5 - 0.5 * cos(x);
        else if (hamming)
            v = 25.0 / 46.0 - (21.0 / 46.0) * cos(x);
        else
            v = 0.42 - 0.5 * cos(x) + 0.08 * cos(2 * x);
        store_f(o->onnx_type, a->bufs[n->outputs[0]], (size_t)i, v);
    }
}

/* ---- Compress, NonMaxSuppression, Unique ---- */

static aclError infer_compress(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_present(g, n, 2, 2, 2, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0), *c = IN(n, 1);
    if (!c->is_const)
        return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                        "node '%s' (Compress): the condition is computed at run time and the output's shape depends "
                        "on the data; hostacl needs it constant",
                        n->name);
    if (c->onnx_type != BOOL || c->rank != 1)
        return FAIL("node '%s' (Compress) needs a bool vector", n->name);
    const Onnx__AttributeProto *ax = attr(n, "axis");
    int64_t axis = ax ? hacl_attr_int(n, "axis", 0) : -1;
    if (axis < 0 && ax)
        axis += x->rank;
    if (ax && (axis < 0 || axis >= x->rank))
        return FAIL("node '%s' (Compress): axis out of range", n->name);
    int64_t span = ax ? x->dims[axis] : hacl_tensor_elements(x), kept = 0;
    for (int64_t i = 0; i < c->dims[0] && i < span; i++)
        kept += ((const uint8_t *)c->data)[i] != 0;
    if (ax) {
        int64_t d[HACL_MAX_RANK];
        memcpy(d, x->dims, sizeof(int64_t) * (size_t)x->rank);
        d[axis] = kept;
        set_out(OUT(n, 0), x->onnx_type, x->rank, d);
    } else {
        set_out(OUT(n, 0), x->onnx_type, 1, &kept);
    }
    return ACL_SUCCESS;
}

static void run_compress(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *x = IN(n, 0), *c = IN(n, 1);
    const Onnx__AttributeProto *ax = attr(n, "axis");
    int64_t axis = ax ? hacl_attr_int(n, "axis", 0) : -1;
    if (axis < 0 && ax)
        axis += x->rank;
    size_t es = hacl_onnx_type_size(x->onnx_type), outer = 1, inner = 1, span = numel(x);
    if (ax) {
        for (int i = 0; i < axis; i++)
            outer *= (size_t)x->dims[i];
        for (int i = (int)axis + 1; i < x->rank; i++)
            inner *= (size_t)x->dims[i];
        span = (size_t)x->dims[axis];
    }
    const uint8_t *cond = a->bufs[n->inputs[1]];
    const char *src = a->bufs[n->inputs[0]];
    char *y = a->bufs[n->outputs[0]];
    size_t at = 0, limit = (size_t)c->dims[0];
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < span && i < limit; i++)
            if (cond[i]) {
                memcpy(y + at * inner * es, src + (o * span + i) * inner * es, inner * es);
                at++;
            }
}

/* ---- TfIdfVectorizer (integer tokens) ---- */

struct tfidf {
    int64_t min_n, max_n, skips, width, pool_len, nngrams;
    int mode; /* 0 TF, 1 IDF, 2 TFIDF */
    const int64_t *counts, *indexes, *pool;
    size_t ncounts;
    const float *weights;
};

static aclError tfidf_params(struct hacl_graph *g, const struct hacl_node *n, struct tfidf *t, char *why, size_t whylen)
{
    (void)g;
    const Onnx__AttributeProto *c = attr(n, "ngram_counts"), *ix = attr(n, "ngram_indexes"),
                               *pool = attr(n, "pool_int64s"), *w = attr(n, "weights"), *m = attr(n, "mode");
    if (attr(n, "pool_strings"))
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (TfIdfVectorizer): string pools are not supported", n->name);
    if (!c || !ix || !pool || !m || !m->has_s)
        return FAIL("node '%s' (TfIdfVectorizer) needs ngram_counts, ngram_indexes, pool_int64s and mode", n->name);
    t->min_n = hacl_attr_int(n, "min_gram_length", 1);
    t->max_n = hacl_attr_int(n, "max_gram_length", 1);
    t->skips = hacl_attr_int(n, "max_skip_count", 0);
    t->mode = m->s.len == 2 && !strncmp((const char *)m->s.data, "TF", 2) ? 0
            : m->s.len == 3 && !strncmp((const char *)m->s.data, "IDF", 3) ? 1
            : m->s.len == 5 && !strncmp((const char *)m->s.data, "TFIDF", 5) ? 2 : -1;
    t->counts = c->ints, t->ncounts = c->n_ints, t->indexes = ix->ints, t->pool = pool->ints;
    t->pool_len = (int64_t)pool->n_ints, t->nngrams = (int64_t)ix->n_ints;
    t->weights = w && w->n_floats ? w->floats : NULL;
    if (t->mode < 0 || t->min_n < 1 || t->max_n < t->min_n || t->max_n > 64 || t->skips < 0 || t->skips > 1024 ||
        (int64_t)t->ncounts < t->max_n || (t->weights && (int64_t)w->n_floats != t->nngrams))
        return FAIL("node '%s' (TfIdfVectorizer): attributes out of range", n->name);
    /* the n-grams the pool holds must be the indexes' count */
    int64_t total = 0, width = 0;
    for (size_t k = 0; k < t->ncounts; k++) {
        int64_t start = t->counts[k], end = k + 1 < t->ncounts ? t->counts[k + 1] : t->pool_len;
        if (start < 0 || end < start || end > t->pool_len || (end - start) % (int64_t)(k + 1))
            return FAIL("node '%s' (TfIdfVectorizer): ngram_counts do not fit the pool", n->name);
        total += (end - start) / (int64_t)(k + 1);
    }
    if (total != t->nngrams)
        return FAIL("node '%s' (TfIdfVectorizer): ngram_indexes and the pool disagree", n->name);
    for (int64_t i = 0; i < t->nngrams; i++) {
        if (t->indexes[i] < 0 || t->indexes[i] > ((int64_t)1 << 24))
            return FAIL("node '%s' (TfIdfVectorizer): an ngram index is out of range", n->name);
        width = t->indexes[i] + 1 > width ? t->indexes[i] + 1 : width;
    }
    t->width = width;
    return ACL_SUCCESS;
}

static aclError infer_tfidf(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_first(g, n, 1, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *x = IN(n, 0);
    if ((x->onnx_type != I64 && x->onnx_type != I32) || x->rank < 1 || x->rank > 2)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (TfIdfVectorizer) takes int32/int64 tokens of rank 1 or 2", n->name);
    struct tfidf t;
    if ((rc = tfidf_params(g, n, &t, why, whylen)) != ACL_SUCCESS)
        return rc;
    int64_t d[2] = {x->dims[0], t.width};
    set_out(OUT(n, 0), F32, x->rank, x->rank == 1 ? &t.width : d);
    return ACL_SUCCESS;
}

static void run_tfidf(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct tfidf t;
    char why[8];
    if (tfidf_params((struct hacl_graph *)g, n, &t, why, sizeof why) != ACL_SUCCESS)
        return;
    const struct hacl_tensor *x = IN(n, 0);
    int64_t rows = x->rank == 2 ? x->dims[0] : 1, len = x->dims[x->rank - 1];
    float *y = a->bufs[n->outputs[0]];
    memset(y, 0, (size_t)(rows * t.width) * sizeof *y);
    for (int64_t r = 0; r < rows; r++) {
        float *out = y + r * t.width;
        for (int64_t L = t.min_n; L <= t.max_n; L++) {
            int64_t start = t.counts[L - 1], end = (size_t)L < t.ncounts ? t.counts[L] : t.pool_len;
            int64_t first = 0; /* n-grams before this length */
            for (int64_t k = 0; k < L - 1; k++) {
                int64_t e = (size_t)(k + 1) < t.ncounts ? t.counts[k + 1] : t.pool_len;
                first += (e - t.counts[k]) / (k + 1);
            }
            /* 1-grams are counted once whatever the skips */
            for (int64_t skip = 0; skip <= (L == 1 ? 0 : t.skips); skip++)
                for (int64_t i = 0; i + (L - 1) * (skip + 1) < len; i++)
                    for (int64_t q = 0; q < (end - start) / L; q++) {
                        int match = 1;
                        for (int64_t k = 0; k < L && match; k++)
                            match = load_i(x->onnx_type, a->bufs[n->inputs[0]], (size_t)(r * len + i + k * (skip + 1))) ==
                                    t.pool[start + q * L + k];
                        if (match)
                            out[t.indexes[first + q]] += 1;
                    }
        }
        for (int64_t i = 0; i < t.nngrams; i++) {
            float *v = &out[t.indexes[i]], w = t.weights ? t.weights[i] : 1.0f;
            if (t.mode == 1)
                *v = *v > 0 ? w : 0;
            else if (t.mode == 2)
                *v *= w;
        }
    }
}

static aclError infer_data_shaped(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    (void)g;
    return why_fail(why, whylen, ACL_ERROR_OP_UNSUPPORTED_DYNAMIC,
                    "node '%s' (%s): its output's shape depends on the data (computed at run time); hostacl plans "
                    "static shapes",
                    n->name, n->op);
}

static void run_nothing(const struct hacl_kernel_args *a)
{
    (void)a;
}

const struct hacl_op hacl_misc_ops[] = {
    {"BitShift", infer_same_int, run_bitshift, NULL},
    {"Det", infer_det, run_det, NULL},
    {"ReverseSequence", infer_revseq, run_revseq, NULL},
    {"HannWindow", infer_window, run_window, NULL},
    {"HammingWindow", infer_window, run_window, NULL},
    {"BlackmanWindow", infer_window, run_window, NULL},
    {"Compress", infer_compress, run_compress, NULL},
    {"NonMaxSuppression", infer_data_shaped, run_nothing, NULL},
    {"Unique", infer_data_shaped, run_nothing, NULL},
    {"TfIdfVectorizer", infer_tfidf, run_tfidf, NULL},
};
const size_t hacl_misc_nops = sizeof hacl_misc_ops / sizeof hacl_misc_ops[0];
