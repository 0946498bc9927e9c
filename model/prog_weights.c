/*
 * A program's weights: the weight buffers its steps register at compile
 * time (as they are, or with a oneDNN conversion into the layout their
 * operator wants) and their placement into the weight memory at load time,
 * where conversions write straight into place.
 */
#include "prog_impl.h"
#include "prog_wino.h"

#include <oneapi/dnnl/dnnl.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"

/* A weight buffer of layout md, placed from init; owned (or NULL) is ours
 * and freed once placed (or now, on failure). */
int hacl_pg_weight_buf(struct hacl_prog *p, const dnnl_memory_desc_t *md, const void *init, void *owned, aclError *rc)
{
    int b = hacl_pg_add_buf(p, -1, B_WEIGHT, -1, rc);
    if (b < 0) {
        hacl_free(owned);
        return -1;
    }
    struct pbuf *pb = &p->bufs[b];
    pb->md = *md;
    pb->has_md = 1;
    pb->bytes = dnnl_memory_desc_get_size(md);
    pb->owned = owned;
    pb->init = init;
    return b;
}

/* A weight buffer holding `bytes` (ours) as they are. */
int hacl_pg_owned_weight(struct hacl_prog *p, const dnnl_memory_desc_t *md, void *bytes, aclError *rc)
{
    return hacl_pg_weight_buf(p, md, bytes, bytes, rc);
}

/* A weight buffer in layout `to`, made from `data` (layout `from`) when the
 * weights are placed: the conversion writes straight into the weight
 * memory, so prepared weights are never held twice and a size query
 * converts nothing. `owned` (or NULL) is ours and freed once placed; data
 * that is not ours must live until then (decoded initializers do: they are
 * released after placement). */
int hacl_pg_prepared_weight(struct hacl_prog *p, const dnnl_memory_desc_t *from, const void *data, void *owned,
                           const dnnl_memory_desc_t *to, aclError *rc)
{
    /* Winograd weights we transform ourselves need no oneDNN conversion
     * (nor its scratchpad: a whole transformed copy of the weights). */
    if (hacl_pg_wino_ours(from, to)) {
        int b = hacl_pg_weight_buf(p, to, data, owned, rc);
        if (b >= 0)
            p->bufs[b].wino = 1;
        return b;
    }
    dnnl_primitive_desc_t pd = NULL;
    dnnl_status_t ds = hacl_pg_reorder_pd(&pd, from, to);
    if (ds != dnnl_success) {
        hacl_free(owned);
        return hacl_pg_fail(p, rc, ds == dnnl_out_of_memory ? ACL_ERROR_BAD_ALLOC : ACL_ERROR_OP_NOT_FOUND,
                    "oneDNN cannot convert weights to the layout their operator needs");
    }
    int b = hacl_pg_weight_buf(p, to, data, owned, rc);
    if (b < 0) {
        dnnl_primitive_desc_destroy(pd);
        return -1;
    }
    p->bufs[b].reorder = pd;
    dnnl_memory_desc_t smd = hacl_pg_pd_md(pd, dnnl_query_scratchpad_md);
    size_t sb = dnnl_memory_desc_get_size(&smd);
    if (sb > p->reorder_scratch)
        p->reorder_scratch = sb;
    return b;
}

/* Runs a weight conversion prepared at compile time: src -> dst. */
static aclError run_reorder(const_dnnl_primitive_desc_t pd, const void *src, void *dst, void *scratch,
                            dnnl_stream_t stream)
{
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t ms = NULL, md = NULL, mscr = NULL;
    const dnnl_memory_desc_t *from = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *to = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *smd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    int has_scratch = smd && dnnl_memory_desc_get_size(smd) > 0;
    int ok = dnnl_primitive_create(&prim, pd) == dnnl_success &&
             dnnl_memory_create(&ms, from, hacl_pg_get_engine(), (void *)src) == dnnl_success &&
             dnnl_memory_create(&md, to, hacl_pg_get_engine(), dst) == dnnl_success &&
             (!has_scratch || dnnl_memory_create(&mscr, smd, hacl_pg_get_engine(), scratch) == dnnl_success);
    if (ok) {
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_FROM, ms}, {DNNL_ARG_TO, md}, {DNNL_ARG_SCRATCHPAD, mscr}};
        ok = dnnl_primitive_execute(prim, stream, has_scratch ? 3 : 2, args) == dnnl_success &&
             dnnl_stream_wait(stream) == dnnl_success;
    }
    if (prim)
        dnnl_primitive_destroy(prim);
    if (ms)
        dnnl_memory_destroy(ms);
    if (md)
        dnnl_memory_destroy(md);
    if (mscr)
        dnnl_memory_destroy(mscr);
    return ok ? ACL_SUCCESS : ACL_ERROR_BAD_ALLOC;
}

/* A decoded constant's bytes, for finding which constant a weight buffer
 * is placed from. */
struct src_span {
    const char *lo;
    size_t bytes;
    int tensor;
};

static int span_cmp(const void *a, const void *b)
{
    const char *x = ((const struct src_span *)a)->lo, *y = ((const struct src_span *)b)->lo;
    return x < y ? -1 : x > y;
}

/* A decoded constant to release once weight buffer `after` is placed. */
struct release {
    size_t after;
    int tensor;
};

static int release_cmp(const void *a, const void *b)
{
    size_t x = ((const struct release *)a)->after, y = ((const struct release *)b)->after;
    return x < y ? -1 : x > y;
}

/* The decoded constants weight buffers are placed from, each with the
 * last buffer (in placement order) whose source lies in its bytes, in the
 * order of that buffer: *n of them. NULL when memory is short (nothing is
 * then released early). */
static struct release *release_order(const struct hacl_prog *p, size_t *n_out)
{
    const struct hacl_graph *g = p->g;
    int *last = hacl_malloc((g->ntensors ? g->ntensors : 1) * sizeof *last);
    struct src_span *sp = hacl_malloc((g->ntensors ? g->ntensors : 1) * sizeof *sp);
    if (!last || !sp) {
        hacl_free(last);
        hacl_free(sp);
        return NULL;
    }
    size_t n = 0;
    for (size_t t = 0; t < g->ntensors; t++) {
        last[t] = -1;
        const struct hacl_tensor *ts = &g->tensors[t];
        if (ts->is_const && ts->data && ts->init && !ts->owned && ts->bytes)
            sp[n++] = (struct src_span){ts->data, ts->bytes, (int)t};
    }
    qsort(sp, n, sizeof *sp, span_cmp);
    for (size_t b = 0; b < p->nbufs; b++) {
        const char *src = p->bufs[b].init;
        if (p->bufs[b].kind != B_WEIGHT || !src)
            continue;
        /* the spans starting last at or before src (constants' decoded
         * bytes are disjoint or, for aliases, start together) */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (sp[mid].lo <= src)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k-- > 0 && sp[k].lo == sp[lo - 1].lo;)
            if (src < sp[k].lo + sp[k].bytes)
                last[sp[k].tensor] = (int)b;
    }
    hacl_free(sp);
    /* the tensors with a last buffer, in the order of that buffer */
    size_t m = 0;
    for (size_t t = 0; t < g->ntensors; t++)
        m += last[t] >= 0;
    struct release *rel = hacl_malloc((m ? m : 1) * sizeof *rel);
    if (!rel) {
        hacl_free(last);
        return NULL;
    }
    m = 0;
    for (size_t t = 0; t < g->ntensors; t++)
        if (last[t] >= 0)
            rel[m++] = (struct release){(size_t)last[t], (int)t};
    hacl_free(last);
    qsort(rel, m, sizeof *rel, release_cmp);
    *n_out = m;
    return rel;
}

aclError hacl_prog_place_weights(struct hacl_prog *p, void *weights)
{
    if (p->placed)
        return ACL_SUCCESS;
    if (!weights && p->weight_bytes) {
        weights = hacl_malloc_large(p->weight_bytes);
        if (!weights)
            return ACL_ERROR_BAD_ALLOC;
        p->own_weights = 1;
    }
    p->weights = weights;
    /* One scratchpad and one stream serve every conversion. */
    void *scratch = NULL;
    dnnl_stream_t stream = NULL;
    aclError rc = ACL_SUCCESS;
    /* A decoded constant goes as soon as the last buffer placed from it is
     * (nothing reads decoded weights after placement), so the decoded
     * model and the placed weights are never both held whole. */
    size_t norder = 0, next = 0;
    struct release *order = release_order(p, &norder);
    for (size_t b = 0; b < p->nbufs && rc == ACL_SUCCESS; b++) {
        struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_WEIGHT)
            continue;
        void *dst = (char *)weights + pb->offset;
        if (pb->reorder) {
            if (!stream && dnnl_stream_create(&stream, hacl_pg_get_engine(), dnnl_stream_default_flags) != dnnl_success)
                rc = ACL_ERROR_BAD_ALLOC;
            if (rc == ACL_SUCCESS && !scratch && p->reorder_scratch &&
                !(scratch = hacl_malloc_aligned(ALIGN, p->reorder_scratch)))
                rc = ACL_ERROR_BAD_ALLOC;
            if (rc == ACL_SUCCESS)
                rc = run_reorder(pb->reorder, pb->init, dst, scratch, stream);
            dnnl_primitive_desc_destroy(pb->reorder);
            pb->reorder = NULL;
        } else if (pb->wino) {
            dnnl_memory_desc_t from;
            dnnl_memory_desc_init_by_tag(&from, 4, pb->md.dims, dnnl_f32, dnnl_oihw);
            hacl_pg_wino_weights(&from, pb->init, &pb->md, dst);
            pb->wino = 0;
        } else if (pb->bytes) {
            memcpy(dst, pb->init, pb->bytes);
        }
        hacl_free(pb->owned);
        pb->owned = NULL;
        pb->init = NULL;
        for (; order && rc == ACL_SUCCESS && next < norder && order[next].after == b; next++)
            hacl_graph_release_tensor((struct hacl_graph *)p->g, order[next].tensor);
    }
    hacl_free(order);
    hacl_free(scratch);
    if (stream)
        dnnl_stream_destroy(stream);
    if (rc != ACL_SUCCESS)
        return rc;
    p->placed = 1;
    return ACL_SUCCESS;
}

void hacl_prog_bind_constants(struct hacl_prog *p)
{
    struct hacl_graph *g = (struct hacl_graph *)p->g; /* the model's own */
    for (size_t t = 0; t < g->ntensors; t++) {
        int b = p->plainb[t];
        if (g->tensors[t].is_const && b >= 0 && p->bufs[b].kind == B_WEIGHT)
            g->tensors[t].data = hacl_pg_weight_ptr(p, &p->bufs[b]);
    }
}


aclError hacl_prog_dedupe_weights(struct hacl_prog *p, struct hacl_prog *const *others, size_t n)
{
    if (!p->placed || !p->own_weights || !p->weight_bytes)
        return ACL_SUCCESS;
    size_t keep = 0;
    for (size_t b = 0; b < p->nbufs; b++) {
        struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_WEIGHT || !pb->bytes)
            continue;
        const void *mine = hacl_pg_weight_ptr(p, pb);
        for (size_t k = 0; k < n && !pb->shared; k++) {
            const struct hacl_prog *q = others[k];
            for (size_t c = 0; q && c < q->nbufs && !pb->shared; c++) {
                const struct pbuf *qb = &q->bufs[c];
                if (qb->kind == B_WEIGHT && qb->bytes == pb->bytes &&
                    !memcmp(hacl_pg_weight_ptr(q, qb), mine, pb->bytes))
                    pb->shared = hacl_pg_weight_ptr(q, qb);
            }
        }
        if (!pb->shared)
            keep += (pb->bytes + ALIGN - 1) / ALIGN * ALIGN;
    }
    if (keep >= p->weight_bytes)
        return ACL_SUCCESS;
    /* our own memory keeps only what no other gear has */
    char *mem = keep ? hacl_malloc_large(keep) : NULL;
    if (keep && !mem) { /* keep the full copy: undo */
        for (size_t b = 0; b < p->nbufs; b++)
            p->bufs[b].shared = NULL;
        return ACL_SUCCESS;
    }
    size_t off = 0;
    for (size_t b = 0; b < p->nbufs; b++) {
        struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_WEIGHT || !pb->bytes || pb->shared)
            continue;
        memcpy(mem + off, (char *)p->weights + pb->offset, pb->bytes);
        pb->offset = off;
        off += (pb->bytes + ALIGN - 1) / ALIGN * ALIGN;
    }
    hacl_free(p->weights);
    p->weights = mem;
    p->own_weights = mem != NULL;
    p->weight_bytes = keep;
    return ACL_SUCCESS;
}

aclError hacl_pg_convert(const dnnl_memory_desc_t *from, const void *src, const dnnl_memory_desc_t *to, void *dst)
{
    dnnl_primitive_desc_t pd = NULL;
    dnnl_stream_t stream = NULL;
    void *scratch = NULL;
    if (hacl_pg_wino_ours(from, to)) {
        hacl_pg_wino_weights(from, src, to, dst);
        return ACL_SUCCESS;
    }
    if (hacl_pg_reorder_pd(&pd, from, to) != dnnl_success)
        return ACL_ERROR_OP_NOT_FOUND;
    dnnl_memory_desc_t smd = hacl_pg_pd_md(pd, dnnl_query_scratchpad_md);
    size_t sb = dnnl_memory_desc_get_size(&smd);
    aclError rc = ACL_ERROR_BAD_ALLOC;
    if (dnnl_stream_create(&stream, hacl_pg_get_engine(), dnnl_stream_default_flags) == dnnl_success &&
        (!sb || (scratch = hacl_malloc_aligned(ALIGN, sb))))
        rc = run_reorder(pd, src, dst, scratch, stream);
    hacl_free(scratch);
    if (stream)
        dnnl_stream_destroy(stream);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}
