/*
 * A program run on one thread instead of the full team, when that is
 * faster (device/width.h says when and why).
 *
 * Telling OpenMP "one thread" is not enough: many oneDNN primitives divide
 * their work for the thread count of the team they were created with, and
 * open a region of that many threads whatever the executing thread's
 * team; a single such step per run keeps the team's other thread awake
 * and spinning. So every primitive step gets a twin created on a team of
 * one, from the same operation with the memory layouts the original chose
 * spelled out, so that buffers and the memory plan serve both. Where
 * oneDNN has only its reference kernel for those layouts on one thread
 * (it happens for 1x1 convolutions on 1x1 pictures), the twin may choose
 * its own weight layout and keeps a converted copy of the weights (small:
 * it is those convolutions).
 *
 * Twins are made the first time a run wants one thread (on a quiet
 * machine, never), on a thread of their own (twins_ready); until then
 * each step keeps its primitive descriptor.
 * A step without a twin runs its original: concatenations (they size their
 * regions by the executing thread's team), and any step oneDNN will not
 * remake on one thread with the same layouts, except Winograd
 * convolutions: where oneDNN has no one-thread Winograd kernel for them
 * (2x3), a direct convolution made at compile time, with a copy of the
 * weights in its layout, is the twin (hacl_pg_width_alt).
 */
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "device/alloc.h"
#include "device/clock.h"
#include "device/compute.h"
#include "prog_impl.h"

void hacl_pg_width_setup(struct hacl_prog *p)
{
    enum hacl_width_mode mode = hacl_width_mode_from_env();
    p->width_on = !p->reference && mode != HACL_WIDTH_FIXED && hacl_compute_team_size() > 1;
    hacl_width_init(&p->width, p->width_on ? mode : HACL_WIDTH_FIXED);
    if (p->width_on && pthread_mutex_init(&p->width_lock, NULL) != 0) {
        p->width_on = 0;
        hacl_width_init(&p->width, HACL_WIDTH_FIXED);
    }
    if (p->width_on)
        hacl_width_machine_busy(); /* the first sample: the first runs get an answer */
}

int hacl_pg_width_keep(struct hacl_prog *p, int s, dnnl_primitive_desc_t pd)
{
    if (!p->width_on)
        return 0;
    p->steps[s].keep_pd = pd;
    return 1;
}

/* ---- making twins (on a team of one) ---- */

union op_desc {
    dnnl_convolution_desc_t conv;
    dnnl_inner_product_desc_t ip;
    dnnl_matmul_desc_t mm;
};

static int has_weights_kind(dnnl_primitive_kind_t k)
{
    return k == dnnl_convolution || k == dnnl_deconvolution || k == dnnl_inner_product || k == dnnl_matmul;
}

/* The operation of pd (a kind with weights) with the layouts pd chose,
 * the weights' too unless free_weights. */
static int spelled_out(const_dnnl_primitive_desc_t pd, dnnl_primitive_kind_t k, int free_weights, union op_desc *u)
{
    const void *d = NULL;
    dnnl_query_t q = k == dnnl_convolution     ? dnnl_query_convolution_d
                     : k == dnnl_deconvolution ? dnnl_query_deconvolution_d
                     : k == dnnl_inner_product ? dnnl_query_inner_product_d
                                               : dnnl_query_matmul_d;
    if (dnnl_primitive_desc_query(pd, q, 0, &d) != dnnl_success || !d)
        return -1;
    dnnl_memory_desc_t src = hacl_pg_pd_md(pd, dnnl_query_src_md);
    dnnl_memory_desc_t wei = hacl_pg_pd_md(pd, dnnl_query_weights_md);
    dnnl_memory_desc_t dst = hacl_pg_pd_md(pd, dnnl_query_dst_md);
    const dnnl_memory_desc_t *bias = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 1);
    if (free_weights)
        wei.format_kind = dnnl_format_kind_any;
    dnnl_memory_desc_t *s, *w, *b, *o;
    memset(u, 0, sizeof *u);
    if (k == dnnl_matmul) {
        u->mm = *(const dnnl_matmul_desc_t *)d;
        s = &u->mm.src_desc, w = &u->mm.weights_desc, b = &u->mm.bias_desc, o = &u->mm.dst_desc;
    } else if (k == dnnl_inner_product) {
        u->ip = *(const dnnl_inner_product_desc_t *)d;
        s = &u->ip.src_desc, w = &u->ip.weights_desc, b = &u->ip.bias_desc, o = &u->ip.dst_desc;
    } else {
        u->conv = *(const dnnl_convolution_desc_t *)d;
        s = &u->conv.src_desc, w = &u->conv.weights_desc, b = &u->conv.bias_desc, o = &u->conv.dst_desc;
    }
    *s = src, *w = wei, *o = dst;
    if (bias && b->ndims)
        *b = *bias;
    return 0;
}

/* A descriptor for what orig computes, made on this thread. */
static dnnl_primitive_desc_t recreate(const_dnnl_primitive_desc_t orig, int free_weights)
{
    dnnl_primitive_kind_t k = dnnl_undefined_primitive;
    const_dnnl_primitive_attr_t at = NULL;
    dnnl_primitive_desc_t pd = NULL;
    if (dnnl_primitive_desc_query(orig, dnnl_query_primitive_kind, 0, &k) != dnnl_success ||
        dnnl_primitive_desc_get_attr(orig, &at) != dnnl_success)
        return NULL;
    dnnl_status_t ds = dnnl_unimplemented;
    if (free_weights && !has_weights_kind(k))
        return NULL;
    if (k == dnnl_reorder) {
        dnnl_memory_desc_t src = hacl_pg_pd_md(orig, dnnl_query_src_md);
        dnnl_memory_desc_t dst = hacl_pg_pd_md(orig, dnnl_query_dst_md);
        ds = dnnl_reorder_primitive_desc_create(&pd, &src, hacl_pg_get_engine(), &dst, hacl_pg_get_engine(), at);
    } else if (has_weights_kind(k)) {
        union op_desc u; /* these were created with layouts left to oneDNN */
        if (spelled_out(orig, k, free_weights, &u) == 0)
            ds = dnnl_primitive_desc_create(&pd, &u, at, hacl_pg_get_engine(), NULL);
    } else if (k != dnnl_concat && k != dnnl_sum) {
        const_dnnl_op_desc_t d = NULL;
        if (dnnl_primitive_desc_query(orig, dnnl_query_op_d, 0, &d) == dnnl_success && d)
            ds = dnnl_primitive_desc_create(&pd, d, at, hacl_pg_get_engine(), NULL);
    }
    return ds == dnnl_success ? pd : NULL;
}

static int same_md(const_dnnl_primitive_desc_t a, const_dnnl_primitive_desc_t b, dnnl_query_t q, int i)
{
    const dnnl_memory_desc_t *x = dnnl_primitive_desc_query_md(a, q, i);
    const dnnl_memory_desc_t *y = dnnl_primitive_desc_query_md(b, q, i);
    return (!x && !y) || (x && y && dnnl_memory_desc_equal(x, y));
}

/* pd may stand in for orig: fast, the same layouts (weights' aside when
 * free_weights), within the planned scratchpad. */
static int fits(const struct hacl_prog *p, const_dnnl_primitive_desc_t pd, const_dnnl_primitive_desc_t orig,
                int free_weights)
{
    dnnl_memory_desc_t smd = hacl_pg_pd_md(pd, dnnl_query_scratchpad_md);
    if (hacl_pg_is_reference(pd) || dnnl_memory_desc_get_size(&smd) > p->scratch_bytes)
        return 0;
    for (int k = 0; k < 3; k++)
        if (!same_md(pd, orig, dnnl_query_src_md, k) || !same_md(pd, orig, dnnl_query_dst_md, k) ||
            (k != (free_weights ? 0 : 3) && !same_md(pd, orig, dnnl_query_weights_md, k)))
            return 0;
    return 1;
}

/* The weights step st reads: the buffer bound to its weights argument. */
static const struct pbuf *weights_of(const struct hacl_prog *p, const struct pstep *st)
{
    for (int k = 0; k < st->nargs; k++)
        if (st->argk[k] == DNNL_ARG_WEIGHTS && p->bufs[st->argb[k]].kind == B_WEIGHT)
            return &p->bufs[st->argb[k]];
    return NULL;
}

/* Weights in the twin's own layout, converted from the placed ones. */
static int own_weights(const struct hacl_prog *p, struct pstep *st, const_dnnl_primitive_desc_t pd)
{
    const struct pbuf *wb = weights_of(p, st);
    dnnl_memory_desc_t to = hacl_pg_pd_md(pd, dnnl_query_weights_md);
    size_t bytes = dnnl_memory_desc_get_size(&to);
    if (!wb || !bytes || !(st->one_weights = hacl_malloc_aligned(ALIGN, bytes)))
        return -1;
    if (hacl_pg_convert(&wb->md, hacl_pg_weight_ptr(p, wb), &to, st->one_weights) != ACL_SUCCESS) {
        hacl_free(st->one_weights);
        st->one_weights = NULL;
        return -1;
    }
    st->one_weights_md = to;
    return 0;
}

static void make_twin(struct hacl_prog *p, struct pstep *st)
{
    if (st->alt_pd) { /* made on one thread at compile time */
        if (dnnl_primitive_create(&st->one, st->alt_pd) == dnnl_success) {
            st->one_weights = hacl_pg_weight_ptr(p, &p->bufs[st->alt_wb1 - 1]);
            st->one_weights_md = p->bufs[st->alt_wb1 - 1].md;
            st->one_scratch_md = hacl_pg_pd_md(st->alt_pd, dnnl_query_scratchpad_md);
            st->one_has_scratch = dnnl_memory_desc_get_size(&st->one_scratch_md) > 0;
        } else {
            st->one = NULL;
        }
        return;
    }
    for (int free_weights = 0; free_weights < 2 && !st->one; free_weights++) {
        dnnl_primitive_desc_t pd = recreate(st->keep_pd, free_weights);
        if (!pd)
            continue;
        int same_weights = same_md(pd, st->keep_pd, dnnl_query_weights_md, 0);
        if (fits(p, pd, st->keep_pd, free_weights) && (same_weights || own_weights(p, st, pd) == 0)) {
            if (dnnl_primitive_create(&st->one, pd) != dnnl_success) {
                st->one = NULL;
                hacl_free(st->one_weights);
                st->one_weights = NULL;
            }
            st->one_scratch_md = hacl_pg_pd_md(pd, dnnl_query_scratchpad_md);
            st->one_has_scratch = dnnl_memory_desc_get_size(&st->one_scratch_md) > 0;
        }
        dnnl_primitive_desc_destroy(pd);
    }
}

enum { TWINS_NONE, TWINS_MAKING, TWINS_MADE };
#define TWIN_NICE 10

/* On a team of one, by one thread: the caller under width_lock, or the
 * twin thread (runs touch no twin until they are made). */
static void make_twins(struct hacl_prog *p)
{
    uint64_t t0 = hacl_now_ns();
    for (size_t s = 0; s < p->nsteps && !atomic_load_explicit(&p->twin_stop, memory_order_relaxed); s++) {
        struct pstep *st = &p->steps[s];
        if (st->keep_pd) {
            make_twin(p, st);
            dnnl_primitive_desc_destroy(st->keep_pd);
            st->keep_pd = NULL;
        }
    }
    p->twin_ns = hacl_now_ns() - t0;
    atomic_store_explicit(&p->twins, TWINS_MADE, memory_order_release);
}

static void *twin_main(void *arg)
{
    /* below the runs' threads: on a quiet machine it takes the time they
     * leave (a busy team's barriers suffer when a third thread takes one
     * of its cores); asked for on a busy machine, at their priority (at
     * nice 10 it got about a tenth of a core there) */
    struct hacl_prog *p = arg;
    if (!p->twin_urgent)
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), TWIN_NICE);
    hacl_compute_single(1);
    make_twins(arg);
    return NULL;
}

/* Whether the twins are there for a one-thread run, caller under
 * width_lock. The policy's first one-thread trial asks for them; making
 * them costs a few ms per step in bfloat16 (oneDNN generates every
 * kernel again: 430 ms for efficientnet_b1, 19 ms in float32), so in
 * bfloat16 a thread of their own makes them while runs go on on the full
 * team, and the trial waits: a run is never held up by them. In float32,
 * where no thread can start, and when one thread is forced
 * (HOSTACL_ADAPTIVE_THREADS=one: the first run), the caller makes them. */
static int twins_ready(struct hacl_prog *p)
{
    int state = atomic_load_explicit(&p->twins, memory_order_acquire);
    if (state == TWINS_MADE)
        return 1;
    /* Asked for by a trial, that is because the machine is busy or the
     * team got slower: the team's runs meanwhile wait at their barriers
     * for the thread another process displaced (mobilenet_v3_large with a
     * core taken: 100-170 ms against 7 on one thread; the first 20 runs of
     * a process 30-55% slower than on one thread). Float32 twins (10-20
     * ms) are made here at once; bfloat16 ones (hundreds of ms) on their
     * thread, at the runs' own priority when another process holds a core
     * (at nice 10 it got a tenth of one). */
    if (state == TWINS_NONE && p->width.mode == HACL_WIDTH_MEASURED && p->bf16) {
        atomic_store_explicit(&p->twins, TWINS_MAKING, memory_order_relaxed);
        p->twin_urgent = hacl_width_machine_busy();
        if (pthread_create(&p->twin_thread, NULL, twin_main, p) == 0) {
            pthread_setname_np(p->twin_thread, "hacl-twins");
            p->twin_thread_on = 1;
            return 0;
        }
    }
    if (state == TWINS_MAKING && p->twin_thread_on)
        return 0;
    hacl_compute_single(1);
    make_twins(p);
    hacl_compute_single(0);
    return 1;
}

int hacl_pg_width_alt(struct hacl_prog *p, int s, const_dnnl_primitive_desc_t pd, const dnnl_memory_desc_t *w_plain,
                      const float *w, aclError *rc)
{
    const dnnl_convolution_desc_t *cd = NULL;
    const_dnnl_primitive_attr_t a = NULL;
    if (!p->width_on || dnnl_primitive_desc_query(pd, dnnl_query_convolution_d, 0, &cd) != dnnl_success || !cd ||
        cd->alg_kind != dnnl_convolution_winograd || dnnl_primitive_desc_get_attr(pd, &a) != dnnl_success)
        return 0;
    hacl_compute_single(1);
    dnnl_primitive_desc_t one = recreate(pd, 0), alt = NULL;
    if (!one || hacl_pg_is_reference(one)) {
        /* the same operation, direct, with the layouts the original chose
         * for its activations */
        dnnl_convolution_desc_t d = *cd;
        d.alg_kind = dnnl_convolution_direct;
        d.src_desc = hacl_pg_pd_md(pd, dnnl_query_src_md);
        d.dst_desc = hacl_pg_pd_md(pd, dnnl_query_dst_md);
        d.weights_desc.format_kind = dnnl_format_kind_any;
        if (dnnl_primitive_desc_create(&alt, &d, a, hacl_pg_get_engine(), NULL) != dnnl_success)
            alt = NULL;
        if (alt && (hacl_pg_is_reference(alt) || !same_md(alt, pd, dnnl_query_src_md, 0) ||
                    !same_md(alt, pd, dnnl_query_dst_md, 0))) {
            dnnl_primitive_desc_destroy(alt);
            alt = NULL;
        }
    }
    hacl_compute_single(0);
    dnnl_primitive_desc_t room = alt ? alt : one; /* the twin's scratchpad fits the plan */
    if (room) {
        dnnl_memory_desc_t smd = hacl_pg_pd_md(room, dnnl_query_scratchpad_md);
        size_t sb = dnnl_memory_desc_get_size(&smd);
        if (sb > p->scratch_bytes)
            p->scratch_bytes = sb;
    }
    if (one)
        dnnl_primitive_desc_destroy(one);
    if (!alt)
        return 0;
    size_t bytes = dnnl_memory_desc_get_size(w_plain);
    float *copy = hacl_malloc(bytes ? bytes : 1);
    if (!copy) {
        dnnl_primitive_desc_destroy(alt);
        return hacl_pg_fail(p, rc, ACL_ERROR_BAD_ALLOC, "out of memory preparing weights");
    }
    memcpy(copy, w, bytes);
    dnnl_memory_desc_t wmd = hacl_pg_pd_md(alt, dnnl_query_weights_md);
    int wb = hacl_pg_prepared_weight(p, w_plain, copy, copy, &wmd, rc);
    if (wb < 0) {
        dnnl_primitive_desc_destroy(alt);
        return -1;
    }
    p->steps[s].alt_pd = alt;
    p->steps[s].alt_wb1 = wb + 1;
    return 0;
}

/* ---- per context: the twins' arguments ---- */

void hacl_pg_width_ctx_free(struct hacl_exec_ctx *c)
{
    for (size_t s = 0; c->one_args && s < c->nsteps; s++)
        hacl_free(c->one_args[s]);
    for (size_t m = 0; c->one_mem && m < 2 * c->nsteps; m++)
        if (c->one_mem[m])
            dnnl_memory_destroy(c->one_mem[m]);
    hacl_free(c->one_args);
    hacl_free(c->one_mem);
    c->one_args = NULL;
    c->one_mem = NULL;
}

/* Step s's twin arguments: the original's, with the twin's scratchpad
 * (where the original's is) and its own weights when it has them. */
static int twin_args(const struct hacl_prog *p, struct hacl_exec_ctx *c, size_t s)
{
    const struct pstep *st = &p->steps[s];
    dnnl_exec_arg_t *a = hacl_malloc((size_t)(st->nargs + 1) * sizeof *a);
    if (!a)
        return -1;
    c->one_args[s] = a;
    memcpy(a, c->args[s], (size_t)st->nargs * sizeof *a);
    dnnl_memory_t *wm = &c->one_mem[2 * s], *sm = &c->one_mem[2 * s + 1];
    if (st->one_weights) {
        if (dnnl_memory_create(wm, &st->one_weights_md, hacl_pg_get_engine(), st->one_weights) != dnnl_success)
            return *wm = NULL, -1;
        for (int k = 0; k < st->nargs; k++)
            if (a[k].arg == DNNL_ARG_WEIGHTS)
                a[k].memory = *wm;
    }
    if (st->one_has_scratch) {
        if (dnnl_memory_create(sm, &st->one_scratch_md, hacl_pg_get_engine(), (char *)c->work + p->plan_bytes) !=
            dnnl_success)
            return *sm = NULL, -1;
        a[st->nargs] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, *sm};
    }
    return 0;
}

static int ctx_twin_args(const struct hacl_prog *p, struct hacl_exec_ctx *c)
{
    if (c->one_args)
        return 0;
    size_t n = p->nsteps ? p->nsteps : 1;
    c->nsteps = p->nsteps;
    c->one_args = hacl_calloc(n, sizeof *c->one_args);
    c->one_mem = hacl_calloc(2 * n, sizeof *c->one_mem);
    int ok = c->one_args && c->one_mem;
    for (size_t s = 0; ok && s < p->nsteps; s++)
        if (p->steps[s].one)
            ok = twin_args(p, c, s) == 0;
    if (!ok)
        hacl_pg_width_ctx_free(c);
    return ok ? 0 : -1;
}

/* ---- runs ---- */

int hacl_pg_width_begin(struct hacl_prog *p, struct hacl_exec_ctx *c)
{
    if (!p->width_on)
        return HACL_WIDTH_FULL;
    pthread_mutex_lock(&p->width_lock);
    int w = hacl_width_next(&p->width);
    if (w == HACL_WIDTH_ONE && !twins_ready(p))
        w = HACL_WIDTH_FULL; /* the trial comes when they are */
    if (w == HACL_WIDTH_ONE) {
        hacl_compute_single(1);
        if (ctx_twin_args(p, c) != 0) {
            hacl_compute_single(0);
            w = HACL_WIDTH_FULL;
        }
    }
    pthread_mutex_unlock(&p->width_lock);
    return w;
}

void hacl_pg_width_end(struct hacl_prog *p, int width, unsigned long long ns, unsigned long long waited)
{
    if (!p->width_on)
        return;
    if (width == HACL_WIDTH_ONE)
        hacl_compute_single(0);
    if (!ns) /* a failed run says nothing about speed */
        return;
    /* a quarter of the run: our own threads (a stream worker finishing
     * the last task, the application waking) take the cores for moments */
    int waited_long = waited > ns / 4 && waited > 200000;
    pthread_mutex_lock(&p->width_lock);
    /* one run that waited can be a hiccup; two of the last four cannot */
    p->waits = (p->waits << 1 | (unsigned)waited_long) & 0xfu;
    int busy = hacl_width_machine_busy() || __builtin_popcount(p->waits) >= 2;
    hacl_width_record(&p->width, width, ns, busy);
    pthread_mutex_unlock(&p->width_lock);
}

size_t hacl_pg_width_twins(const struct hacl_prog *p, unsigned long long *one_runs, unsigned long long *runs)
{
    size_t n = 0;
    for (size_t s = 0; s < p->nsteps; s++)
        n += p->steps[s].one != NULL;
    *one_runs = p->width.runs[HACL_WIDTH_ONE];
    *runs = p->width.runs[HACL_WIDTH_ONE] + p->width.runs[HACL_WIDTH_FULL];
    return n;
}

void hacl_pg_width_free(struct hacl_prog *p)
{
    if (p->twin_thread_on) {
        atomic_store_explicit(&p->twin_stop, 1, memory_order_relaxed);
        pthread_join(p->twin_thread, NULL);
        p->twin_thread_on = 0;
    }
    for (size_t s = 0; s < p->nsteps; s++) {
        if (p->steps[s].keep_pd)
            dnnl_primitive_desc_destroy(p->steps[s].keep_pd);
        if (p->steps[s].one)
            dnnl_primitive_destroy(p->steps[s].one);
        if (p->steps[s].alt_pd)
            dnnl_primitive_desc_destroy(p->steps[s].alt_pd);
        if (!p->steps[s].alt_wb1) /* else the program's */
            hacl_free(p->steps[s].one_weights);
    }
    if (p->width_on)
        pthread_mutex_destroy(&p->width_lock);
}
