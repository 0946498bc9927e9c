/*
 * Linear algebra: MatMul with numpy semantics (rank-1 operands, broadcast
 * batch dims) and Einsum (one or two operands, ellipsis, implicit and
 * explicit outputs, repeated labels for diagonals). float32 products
 * accumulate in float32 like the optimised runtimes; other types in double
 * or int64.
 *
 * Thread: any; kernels keep no state.
 */
#include <math.h>
#include <stdint.h>

#include <dnnl.h>
#include <stdlib.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "kernel_impl.h"

float hacl_dot_f32(const float *a, const float *b, int64_t n)
{
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (int64_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* ---- MatMul ---- */

struct mm {
    int64_t M, K, N, batch;
    int r; /* batch rank of the output */
    int64_t bdims[HACL_MAX_RANK], ast[HACL_MAX_RANK], bst[HACL_MAX_RANK]; /* per batch dim: A and B strides in matrices */
};

static aclError mm_shape(const struct hacl_tensor *A, const struct hacl_tensor *B, struct mm *m, int64_t *od, int *orank)
{
    if (A->rank < 1 || B->rank < 1)
        return ACL_ERROR_PARSE_MODEL;
    int64_t M = A->rank == 1 ? 1 : A->dims[A->rank - 2], K = A->dims[A->rank - 1];
    int64_t K2 = B->rank == 1 ? B->dims[0] : B->dims[B->rank - 2], N = B->rank == 1 ? 1 : B->dims[B->rank - 1];
    if (K != K2)
        return ACL_ERROR_PARSE_MODEL;
    int ra = A->rank > 2 ? A->rank - 2 : 0, rb = B->rank > 2 ? B->rank - 2 : 0;
    int r = ra > rb ? ra : rb;
    int64_t sa = 1, sb = 1;
    m->batch = 1;
    for (int i = r - 1; i >= 0; i--) {
        int ia = i - (r - ra), ib = i - (r - rb);
        int64_t da = ia >= 0 ? A->dims[ia] : 1, db = ib >= 0 ? B->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return ACL_ERROR_PARSE_MODEL;
        m->bdims[i] = da == 1 ? db : da;
        m->ast[i] = da == 1 ? 0 : sa;
        m->bst[i] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
        m->batch *= m->bdims[i];
    }
    m->M = M, m->K = K, m->N = N, m->r = r;
    int k = 0;
    for (int i = 0; i < r; i++)
        od[k++] = m->bdims[i];
    if (A->rank > 1)
        od[k++] = M;
    if (B->rank > 1)
        od[k++] = N;
    *orank = k;
    return ACL_SUCCESS;
}

static aclError infer_matmul(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 2, 2, why, whylen);
    if (rc == ACL_SUCCESS && !has_input(n, 1))
        rc = FAIL("node '%s' (MatMul) lacks its second input", n->name);
    if (rc == ACL_SUCCESS)
        rc = need_known(g, n, 0, why, whylen);
    if (rc == ACL_SUCCESS)
        rc = need_known(g, n, 1, why, whylen);
    if (rc != ACL_SUCCESS)
        return rc;
    const struct hacl_tensor *A = IN(n, 0), *B = IN(n, 1);
    int t = A->onnx_type;
    if (B->onnx_type != t || !is_numeric_type(t) || t == BOOL)
        return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE,
                        "node '%s' (MatMul) multiplies two numeric operands of one type", n->name);
    struct mm m;
    int64_t d[HACL_MAX_RANK];
    int r;
    if (mm_shape(A, B, &m, d, &r) != ACL_SUCCESS)
        return FAIL("node '%s' (MatMul): shapes of '%s' and '%s' do not multiply", n->name, A->name, B->name);
    set_out(OUT(n, 0), t, r, d);
    return ACL_SUCCESS;
}

static void run_matmul(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    const struct hacl_tensor *A = IN(n, 0), *B = IN(n, 1);
    struct mm m;
    int64_t d[HACL_MAX_RANK];
    int r;
    if (mm_shape(A, B, &m, d, &r) != ACL_SUCCESS)
        return;
    int t = A->onnx_type;
    const void *x = a->bufs[n->inputs[0]], *w = a->bufs[n->inputs[1]];
    void *y = a->bufs[n->outputs[0]];
    size_t asz = (size_t)(m.M * m.K), bsz = (size_t)(m.K * m.N), ysz = (size_t)(m.M * m.N);
    int64_t idx[HACL_MAX_RANK] = {0}, ao = 0, bo = 0;
    for (int64_t b = 0; b < m.batch; b++) {
        if (t == F32) {
            const float *xa = (const float *)x + (size_t)ao * asz, *wb = (const float *)w + (size_t)bo * bsz;
            float *yb = (float *)y + (size_t)b * ysz;
            for (int64_t i = 0; i < m.M; i++) {
                float *row = yb + i * m.N;
                for (int64_t j = 0; j < m.N; j++)
                    row[j] = 0;
                for (int64_t k = 0; k < m.K; k++) {
                    float v = xa[i * m.K + k];
                    const float *wr = wb + k * m.N;
                    for (int64_t j = 0; j < m.N; j++)
                        row[j] += v * wr[j];
                }
            }
        } else {
            for (int64_t i = 0; i < m.M; i++)
                for (int64_t j = 0; j < m.N; j++) {
                    size_t at = (size_t)b * ysz + (size_t)(i * m.N + j);
                    if (is_float_type(t)) {
                        double acc = 0;
                        for (int64_t k = 0; k < m.K; k++)
                            acc += load_f(t, x, (size_t)ao * asz + (size_t)(i * m.K + k)) *
                                   load_f(t, w, (size_t)bo * bsz + (size_t)(k * m.N + j));
                        store_f(t, y, at, acc);
                    } else {
                        int64_t acc = 0;
                        for (int64_t k = 0; k < m.K; k++)
                            acc += load_i(t, x, (size_t)ao * asz + (size_t)(i * m.K + k)) *
                                   load_i(t, w, (size_t)bo * bsz + (size_t)(k * m.N + j));
                        store_i(t, y, at, acc);
                    }
                }
        }
        for (int i = m.r - 1; i >= 0; i--) {
            idx[i]++;
            ao += m.ast[i];
            bo += m.bst[i];
            if (idx[i] < m.bdims[i])
                break;
            ao -= m.ast[i] * idx[i];
            bo -= m.bst[i] * idx[i];
            idx[i] = 0;
        }
    }
}

/* ---- Einsum ---- */

#define EIN_MAX 16 /* distinct labels */

struct einsum {
    int nops;
    int nl;                    /* labels in use */
    int64_t size[EIN_MAX];     /* per label */
    int oplab[2][HACL_MAX_RANK]; /* per operand axis: label */
    int outlab[HACL_MAX_RANK];
    int orank;
};

/* Parses one operand's term (letters and at most one "...") into labels;
 * ellipsis dims become labels 52.. (shared across terms, aligned right). */
static int ein_term(const char *s, size_t len, int rank, int *labels, int *ell_rank, int *map, int *nl)
{
    int k = 0, letters = 0, ell = -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (ell >= 0 || i + 2 >= len + 0 || s[i + 1] != '.' || s[i + 2] != '.')
                return -1;
            ell = letters;
            i += 2;
        } else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) {
            letters++;
        } else if (s[i] != ' ') {
            return -1;
        }
    }
    int er = ell >= 0 ? rank - letters : 0;
    if (er < 0 || (ell < 0 && letters != rank))
        return -1;
    if (ell >= 0 && *ell_rank >= 0 && *ell_rank != er && er != 0 && *ell_rank != 0)
        return -1;
    if (ell >= 0 && er > *ell_rank)
        *ell_rank = er;
    for (size_t i = 0; i < len; i++) {
        int code;
        if (s[i] == ' ')
            continue;
        if (s[i] == '.') {
            for (int e = 0; e < er; e++) {
                code = 52 + (HACL_MAX_RANK - er) + e;
                if (code >= 64)
                    return -1;
                if (map[code] < 0) {
                    if (*nl >= EIN_MAX)
                        return -1;
                    map[code] = (*nl)++;
                }
                labels[k++] = map[code];
            }
            i += 2;
            continue;
        }
        code = s[i] >= 'a' ? s[i] - 'a' : 26 + s[i] - 'A';
        if (map[code] < 0) {
            if (*nl >= EIN_MAX)
                return -1;
            map[code] = (*nl)++;
        }
        labels[k++] = map[code];
    }
    return k == rank ? 0 : -1;
}

static aclError ein_parse(struct hacl_graph *g, const struct hacl_node *n, struct einsum *e, char *why, size_t whylen)
{
    const Onnx__AttributeProto *eq = attr(n, "equation");
    if (!eq || !eq->has_s || eq->s.len > 256)
        return FAIL("node '%s' (Einsum) needs an equation", n->name);
    char s[260];
    memcpy(s, eq->s.data, eq->s.len);
    s[eq->s.len] = 0;
    e->nops = (int)n->ninputs;
    if (e->nops < 1 || e->nops > 2)
        return UNSUPPORTED("node '%s' (Einsum): %d operands (hostacl takes one or two)", n->name, e->nops);
    int map[64];
    for (int i = 0; i < 64; i++)
        map[i] = -1;
    e->nl = 0;
    char *arrow = strstr(s, "->");
    size_t lhs_len = arrow ? (size_t)(arrow - s) : strlen(s);
    int ell_rank = -1;
    size_t start = 0;
    for (int k = 0; k < e->nops; k++) {
        size_t end = start;
        while (end < lhs_len && s[end] != ',')
            end++;
        if ((k < e->nops - 1) != (end < lhs_len))
            return FAIL("node '%s' (Einsum): the equation does not have %d operands", n->name, e->nops);
        const struct hacl_tensor *t = IN(n, k);
        if (ein_term(s + start, end - start, t->rank, e->oplab[k], &ell_rank, map, &e->nl) != 0)
            return FAIL("node '%s' (Einsum): term %d does not fit its operand", n->name, k);
        for (int i = 0; i < t->rank; i++) {
            int l = e->oplab[k][i];
            int64_t d = t->dims[i];
            /* labels of one size; ellipsis dims may broadcast from 1 */
            if (e->size[l] == 0 || e->size[l] == 1)
                e->size[l] = d > e->size[l] ? d : (e->size[l] ? e->size[l] : d);
            else if (d != e->size[l] && d != 1)
                return FAIL("node '%s' (Einsum): label sizes disagree", n->name);
        }
        start = end + 1;
    }
    e->orank = 0;
    if (arrow) {
        int dummy = ell_rank < 0 ? 0 : ell_rank;
        const char *o = arrow + 2;
        for (size_t i = 0; o[i]; i++) {
            if (o[i] == '.') {
                for (int k = 0; k < dummy; k++)
                    e->outlab[e->orank++] = map[52 + (HACL_MAX_RANK - dummy) + k];
                i += 2;
            } else if (o[i] != ' ') {
                int code = o[i] >= 'a' && o[i] <= 'z' ? o[i] - 'a' : o[i] >= 'A' && o[i] <= 'Z' ? 26 + o[i] - 'A' : -1;
                if (code < 0 || map[code] < 0 || e->orank >= HACL_MAX_RANK)
                    return FAIL("node '%s' (Einsum): the output names an unknown label", n->name);
                e->outlab[e->orank++] = map[code];
            }
        }
    } else {
        /* implicit: ellipsis dims, then labels seen once, alphabetically */
        for (int c = 52; c < 64; c++)
            if (map[c] >= 0)
                e->outlab[e->orank++] = map[c];
        for (int c = 0; c < 52; c++) {
            if (map[c] < 0)
                continue;
            int count = 0;
            for (int k = 0; k < e->nops; k++)
                for (int i = 0; i < IN(n, k)->rank; i++)
                    count += e->oplab[k][i] == map[c];
            if (count == 1 && e->orank < HACL_MAX_RANK)
                e->outlab[e->orank++] = map[c];
        }
    }
    return ACL_SUCCESS;
}

static aclError infer_einsum(struct hacl_graph *g, const struct hacl_node *n, char *why, size_t whylen)
{
    aclError rc = need_inputs(n, 1, 2, why, whylen);
    for (size_t i = 0; rc == ACL_SUCCESS && i < n->ninputs; i++)
        rc = has_input(n, i) ? need_known(g, n, i, why, whylen) : FAIL("node '%s' lacks input %zu", n->name, i);
    if (rc != ACL_SUCCESS)
        return rc;
    int t = IN(n, 0)->onnx_type;
    for (size_t i = 0; i < n->ninputs; i++)
        if (IN(n, i)->onnx_type != t || !is_numeric_type(t) || t == BOOL)
            return why_fail(why, whylen, ACL_ERROR_UNSUPPORTED_DATA_TYPE, "node '%s' (Einsum) takes numbers of one type",
                            n->name);
    struct einsum e;
    memset(&e, 0, sizeof e);
    if ((rc = ein_parse(g, n, &e, why, whylen)) != ACL_SUCCESS)
        return rc;
    int64_t d[HACL_MAX_RANK], work = 1;
    for (int i = 0; i < e.orank; i++)
        d[i] = e.size[e.outlab[i]];
    for (int l = 0; l < e.nl; l++)
        if (e.size[l] && work <= ((int64_t)1 << 40) / e.size[l])
            work *= e.size[l];
        else if (e.size[l])
            return UNSUPPORTED("node '%s' (Einsum): too much work", n->name);
    set_out(OUT(n, 0), t, e.orank, d);
    return ACL_SUCCESS;
}

/* Gathers x (row-major, dims xd, rank xr) into dst in the order of the
 * labels `order` (labels absent from x are size 1): dst[i...] =
 * x[...] with strides taken per label. */
static void gather_by_labels(const float *x, const int64_t *xst_by_label, const int *order, int n,
                             const int64_t *size, float *dst)
{
    int64_t idx[EIN_MAX] = {0}, off = 0, total = 1;
    for (int k = 0; k < n; k++)
        total *= size[order[k]];
    for (int64_t e = 0; e < total; e++) {
        dst[e] = x[off];
        for (int k = n - 1; k >= 0; k--) {
            int l = order[k];
            idx[k]++;
            off += xst_by_label[l];
            if (idx[k] < size[l])
                break;
            off -= xst_by_label[l] * idx[k];
            idx[k] = 0;
        }
    }
}

/* c[b] = a[b] (M x K) times b[b] (K x N), row-major, for every b: rows of
 * c updated along contiguous N, built for AVX-512/AVX2 (maxvit's window
 * attention: 49 x 32 by 32 x 49, thousands of times per image). */
HACL_ROW_CLONES static void batched_product(const float *pa, const float *pb, float *pc, int64_t B, int64_t M,
                                            int64_t K, int64_t N)
{
    for (int64_t b = 0; b < B; b++)
        for (int64_t i = 0; i < M; i++) {
            float *row = pc + (b * M + i) * N;
            for (int64_t j = 0; j < N; j++)
                row[j] = 0;
            for (int64_t k = 0; k < K; k++) {
                float v = pa[(b * M + i) * K + k];
                const float *br = pb + (b * K + k) * N;
#pragma omp simd
                for (int64_t j = 0; j < N; j++)
                    row[j] += v * br[j];
            }
        }
}

/* 1 when an operand's (or the output's) labels are exactly ord. */
static int same_order(const int *lab, int rank, const int *ord, int n)
{
    if (rank != n)
        return 0;
    for (int i = 0; i < n; i++)
        if (lab[i] != ord[i])
            return 0;
    return 1;
}

/* Batched products [B, M, K] x [B, K, N] (each operand maybe transposed
 * per batch), part `part` of `parts` runs of batches. */
struct ein_mm {
    char ta, tb;
    int64_t M, N, K, B;
    const float *A, *Bm;
    float *C;
    int parts;
    _Atomic int failed;
};

static void ein_mm_part(void *arg, int part)
{
    struct ein_mm *j = arg;
    int64_t M = j->M, N = j->N, K = j->K, b0 = j->B * part / j->parts, b1 = j->B * (part + 1) / j->parts;
    for (int64_t b = b0; b < b1; b++)
        if (dnnl_sgemm(j->ta, j->tb, M, N, K, 1.0f, j->A + b * M * K, j->ta == 'T' ? M : K, j->Bm + b * K * N,
                       j->tb == 'T' ? K : N, 0.0f, j->C + b * M * N, N) != dnnl_success) {
            if (j->ta == 'T' || j->tb == 'T') /* the loop reads untransposed operands only */
                j->failed = 1;
            else
                batched_product(j->A + b * M * K, j->Bm + b * K * N, j->C + b * M * N, 1, M, K, N);
        }
}

/* float32 Einsum of two operands that is a batched matrix product (every
 * label in both operands and the output, in both operands only, or in one
 * operand and the output; none repeated): operands gathered into [batch,
 * M, K] and [batch, K, N], multiplied with float32 accumulation, the
 * result scattered into the output's order. maxvit's attention spent 1.4 s
 * per image in the element-wise Einsum. 1: done, 0: not such a product. */
static int einsum_as_matmul(const struct hacl_kernel_args *a, const struct einsum *e)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    if (e->nops != 2 || IN(n, 0)->onnx_type != F32)
        return 0;
    int inA[EIN_MAX] = {0}, inB[EIN_MAX] = {0}, inO[EIN_MAX] = {0};
    for (int i = 0; i < IN(n, 0)->rank; i++)
        if (inA[e->oplab[0][i]]++)
            return 0;
    for (int i = 0; i < IN(n, 1)->rank; i++)
        if (inB[e->oplab[1][i]]++)
            return 0;
    for (int i = 0; i < e->orank; i++)
        if (inO[e->outlab[i]]++)
            return 0;
    int bat[EIN_MAX], mm[EIN_MAX], kk[EIN_MAX], nn[EIN_MAX], nb = 0, nm = 0, nk = 0, nnn = 0;
    int64_t B = 1, M = 1, K = 1, N = 1;
    for (int l = 0; l < e->nl; l++) {
        if (inA[l] && inB[l] && inO[l])
            bat[nb++] = l, B *= e->size[l];
        else if (inA[l] && inB[l])
            kk[nk++] = l, K *= e->size[l];
        else if (inA[l] && inO[l])
            mm[nm++] = l, M *= e->size[l];
        else if (inB[l] && inO[l])
            nn[nnn++] = l, N *= e->size[l];
        else
            return 0; /* summed in one operand only */
    }
    /* each operand's element stride per label (broadcast dims of 1: 0) */
    int64_t sa[EIN_MAX] = {0}, sb[EIN_MAX] = {0}, so[EIN_MAX] = {0};
    for (int k = 0; k < 2; k++) {
        const struct hacl_tensor *x = IN(n, k);
        int64_t s = 1;
        for (int i = x->rank - 1; i >= 0; i--) {
            if (x->dims[i] != 1)
                (k ? sb : sa)[e->oplab[k][i]] = s;
            s *= x->dims[i];
        }
    }
    int64_t s = 1;
    for (int i = e->orank - 1; i >= 0; i--) {
        so[e->outlab[i]] = s;
        s *= e->size[e->outlab[i]];
    }
    int orda[EIN_MAX], ordb[EIN_MAX], ordc[EIN_MAX], na = 0, nbb = 0, nc = 0;
    int ordat[EIN_MAX], ordbt[EIN_MAX], nat = 0, nbt = 0; /* the transposed orders */
    for (int i = 0; i < nb; i++)
        orda[na++] = bat[i], ordb[nbb++] = bat[i], ordc[nc++] = bat[i], ordat[nat++] = bat[i], ordbt[nbt++] = bat[i];
    for (int i = 0; i < nm; i++)
        orda[na++] = mm[i], ordc[nc++] = mm[i];
    for (int i = 0; i < nk; i++)
        orda[na++] = kk[i], ordb[nbb++] = kk[i], ordat[nat++] = kk[i];
    for (int i = 0; i < nm; i++)
        ordat[nat++] = mm[i];
    for (int i = 0; i < nnn; i++)
        ordb[nbb++] = nn[i], ordc[nc++] = nn[i], ordbt[nbt++] = nn[i];
    for (int i = 0; i < nk; i++)
        ordbt[nbt++] = kk[i];
    /* operands already in a product's order (maybe transposed) are read in
     * place, and an output in [batch, M, N] order is written in place:
     * attention's einsums need no gathering at all */
    const struct hacl_tensor *XA = IN(n, 0), *XB = IN(n, 1);
    int dense = hacl_tensor_elements(XA) == B * M * K && hacl_tensor_elements(XB) == B * K * N;
    char ta = dense && same_order(e->oplab[0], XA->rank, orda, na)    ? 'N'
              : dense && same_order(e->oplab[0], XA->rank, ordat, nat) ? 'T'
                                                                      : 0;
    char tb = dense && same_order(e->oplab[1], XB->rank, ordb, nbb)   ? 'N'
              : dense && same_order(e->oplab[1], XB->rank, ordbt, nbt) ? 'T'
                                                                      : 0;
    int direct_out = same_order(e->outlab, e->orank, ordc, nc);
    float *pa = hacl_malloc((size_t)((ta ? 0 : B * M * K) + (tb ? 0 : B * K * N) + (direct_out ? 0 : B * M * N) + 1) *
                            sizeof *pa);
    if (!pa) {
        *a->error = "out of memory in Einsum";
        return 1;
    }
    float *pb = pa + (ta ? 0 : B * M * K), *pc = pb + (tb ? 0 : B * K * N);
    const float *A = ta ? a->bufs[n->inputs[0]] : pa, *Bm = tb ? a->bufs[n->inputs[1]] : pb;
    if (!ta)
        gather_by_labels(a->bufs[n->inputs[0]], sa, orda, na, e->size, pa);
    if (!tb)
        gather_by_labels(a->bufs[n->inputs[1]], sb, ordb, nbb, e->size, pb);
    if (direct_out)
        pc = a->bufs[n->outputs[0]];
    /* one oneDNN sgemm per batch (1.7x the vectorised loops on maxvit's
     * 49 x 32 x 49 products), the batches shared out over the team in
     * runs, each sgemm on its own thread: split one by one, maxvit's
     * 128-batch products spent most of their time waking the team */
    struct ein_mm job = {ta ? ta : 'N', tb ? tb : 'N', M, N, K, B, A, Bm, pc, 0, 0};
    job.parts = hacl_compute_parts(B, B * M * N * K);
    hacl_compute_parallel(ein_mm_part, &job, job.parts);
    if (job.failed) {
        hacl_free(pa);
        *a->error = "oneDNN's sgemm failed in Einsum";
        return 1;
    }
    if (direct_out) {
        hacl_free(pa);
        return 1;
    }
    /* [batch, M, N] into the output's label order: the output is a
     * permutation of exactly these labels */
    float *y = a->bufs[n->outputs[0]];
    int64_t idx[EIN_MAX] = {0}, off = 0;
    for (int64_t q = 0; q < B * M * N; q++) {
        y[off] = pc[q];
        for (int k = nc - 1; k >= 0; k--) {
            int l = ordc[k];
            idx[k]++;
            off += so[l];
            if (idx[k] < e->size[l])
                break;
            off -= so[l] * idx[k];
            idx[k] = 0;
        }
    }
    hacl_free(pa);
    return 1;
}

static void run_einsum(const struct hacl_kernel_args *a)
{
    const struct hacl_graph *g = a->g;
    const struct hacl_node *n = a->node;
    struct einsum e;
    memset(&e, 0, sizeof e);
    char why[8];
    if (ein_parse((struct hacl_graph *)g, n, &e, why, sizeof why) != ACL_SUCCESS)
        return;
    if (einsum_as_matmul(a, &e))
        return;
    int t = IN(n, 0)->onnx_type;
    /* Strides of each label in each operand (summed when a label repeats:
     * a diagonal) and in the output; broadcast dims (size 1) stride 0. */
    int64_t st[3][EIN_MAX];
    memset(st, 0, sizeof st);
    for (int k = 0; k < e.nops; k++) {
        const struct hacl_tensor *x = IN(n, k);
        int64_t s = 1;
        for (int i = x->rank - 1; i >= 0; i--) {
            if (x->dims[i] != 1)
                st[k][e.oplab[k][i]] += s;
            s *= x->dims[i];
        }
    }
    int64_t s = 1;
    for (int i = e.orank - 1; i >= 0; i--) {
        st[2][e.outlab[i]] += s;
        s *= e.size[e.outlab[i]];
    }
    size_t total = numel(OUT(n, 0));
    void *y = a->bufs[n->outputs[0]];
    for (size_t i = 0; i < total; i++)
        store_f(t, y, i, 0);
    /* Every combination of label values, added into its output element. */
    int64_t idx[EIN_MAX] = {0}, off[3] = {0, 0, 0};
    int fl = is_float_type(t);
    for (int l = 0; l < e.nl; l++)
        if (e.size[l] == 0)
            return;
    for (;;) {
        if (fl) {
            double v = load_f(t, a->bufs[n->inputs[0]], (size_t)off[0]);
            if (e.nops == 2)
                v *= load_f(t, a->bufs[n->inputs[1]], (size_t)off[1]);
            store_f(t, y, (size_t)off[2], load_f(t, y, (size_t)off[2]) + v);
        } else {
            int64_t v = load_i(t, a->bufs[n->inputs[0]], (size_t)off[0]);
            if (e.nops == 2)
                v *= load_i(t, a->bufs[n->inputs[1]], (size_t)off[1]);
            store_i(t, y, (size_t)off[2], load_i(t, y, (size_t)off[2]) + v);
        }
        int l = e.nl - 1;
        for (; l >= 0; l--) {
            idx[l]++;
            for (int k = 0; k < 3; k++)
                off[k] += st[k][l];
            if (idx[l] < e.size[l])
                break;
            for (int k = 0; k < 3; k++)
                off[k] -= st[k][l] * idx[l];
            idx[l] = 0;
        }
        if (l < 0)
            break;
    }
}

const struct hacl_op hacl_linalg_ops[] = {
    {"MatMul", infer_matmul, run_matmul, NULL},
    {"Einsum", infer_einsum, run_einsum, NULL},
};
const size_t hacl_linalg_nops = sizeof hacl_linalg_ops / sizeof hacl_linalg_ops[0];
