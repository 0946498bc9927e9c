/*
 * Execution contexts, runs and the profile of compiled programs (see
 * prog.h): a context binds a program's primitives to one work memory; a run
 * executes the steps in order on the calling thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/alloc.h"
#include "plan.h"
#include "prog_impl.h"
#include "device/trace.h"

static int by_time_desc(const void *a, const void *b)
{
    unsigned long long x = atomic_load(&(*(struct pstep *const *)a)->ns);
    unsigned long long y = atomic_load(&(*(struct pstep *const *)b)->ns);
    return x < y ? 1 : x > y ? -1 : 0;
}

/* HOSTACL_PROFILE=1: where the time went, per step, at unload. */
void hacl_pg_print_profile(const struct hacl_prog *p)
{
    struct pstep **order = hacl_calloc(p->nsteps ? p->nsteps : 1, sizeof *order);
    unsigned long long total = 0, runs = 0;
    for (size_t s = 0; s < p->nsteps; s++) {
        total += atomic_load(&p->steps[s].ns);
        runs = atomic_load(&p->steps[s].runs) > runs ? atomic_load(&p->steps[s].runs) : runs;
    }
    if (!order || !runs) {
        hacl_free(order);
        return;
    }
    for (size_t s = 0; s < p->nsteps; s++)
        order[s] = &p->steps[s];
    qsort(order, p->nsteps, sizeof *order, by_time_desc);
    size_t refs = 0, kernels = 0, passes = 0;
    for (size_t s = 0; s < p->nsteps; s++) {
        refs += p->steps[s].node < 0 && strncmp(p->steps[s].impl, "ref", 3) == 0;
        kernels += p->steps[s].node >= 0;
        passes += p->steps[s].pass != NULL;
    }
    /* the one-line summary, then a line per step */
    fprintf(stderr,
            "hostacl profile: %zu steps (%zu oneDNN, %zu reorders, %zu C kernels, %zu own passes, %zu oneDNN "
            "reference), %llu runs, %.3f ms per run\n",
            p->nsteps, p->ndnnl, p->nreorders, kernels, passes, refs, runs, (double)total / 1e6 / (double)runs);
    unsigned long long one_runs, all_runs;
    size_t twins = hacl_pg_width_twins(p, &one_runs, &all_runs);
    if (one_runs) /* device/width.h */
        fprintf(stderr,
                "hostacl profile: %llu of %llu runs on one thread (%zu of %zu oneDNN steps with a twin, made in "
                "%.1f ms)\n",
                one_runs, all_runs, twins, p->ndnnl, (double)p->twin_ns / 1e6);
    fprintf(stderr, "%10s %6s  %-10s %-24s %s\n", "ms/run", "share", "kind", "implementation", "node");
    for (size_t k = 0; k < p->nsteps; k++) {
        const struct pstep *st = order[k];
        unsigned long long ns = atomic_load(&st->ns);
        const struct hacl_node *n = st->what >= 0 ? &p->g->nodes[st->what] : NULL;
        fprintf(stderr, "%10.3f %5.1f%%  %-10s %-24s %s\n", (double)ns / 1e6 / (double)runs,
                total ? 100.0 * (double)ns / (double)total : 0.0, st->kind, st->node >= 0 ? "C kernel" : st->impl,
                n && n->name ? n->name : "");
    }
    hacl_free(order);
}

static __thread struct hacl_op_time *step_log;

void hacl_prog_log_next_run(struct hacl_op_time *log) { step_log = log; }

size_t hacl_prog_nsteps(const struct hacl_prog *p) { return p->nsteps; }

size_t hacl_prog_steps(const struct hacl_prog *p, struct hacl_prog_step *out, size_t max)
{
    for (size_t s = 0; s < p->nsteps && s < max; s++) {
        const struct pstep *st = &p->steps[s];
        const struct hacl_node *n = st->what >= 0 ? &p->g->nodes[st->what] : NULL;
        out[s].node = n && n->name ? n->name : "";
        out[s].kind = st->kind ? st->kind : "";
        out[s].impl = st->node >= 0 ? "C kernel" : st->impl;
    }
    return p->nsteps;
}

void hacl_prog_free(struct hacl_prog *p)
{
    if (!p)
        return;
    if (p->profile)
        hacl_pg_print_profile(p);
    for (size_t s = 0; s < p->nsteps; s++) /* a build that failed before making them */
        if (p->steps[s].pending && p->steps[s].pending != p->steps[s].keep_pd)
            dnnl_primitive_desc_destroy(p->steps[s].pending);
    hacl_pg_width_free(p);
    for (size_t s = 0; s < p->nsteps; s++) {
        if (p->steps[s].prim)
            dnnl_primitive_destroy(p->steps[s].prim);
        hacl_free(p->steps[s].prepared);
    }
    for (size_t b = 0; b < p->nbufs; b++) {
        hacl_free(p->bufs[b].owned);
        if (p->bufs[b].reorder)
            dnnl_primitive_desc_destroy(p->bufs[b].reorder);
    }
    if (p->own_weights)
        hacl_free(p->weights);
    hacl_free(p->steps);
    hacl_free(p->bufs);
    hacl_free(p->native);
    hacl_free(p->plainb);
    hacl_free(p->ncons);
    hacl_free(p->reader);
    hacl_free(p->cons_off);
    hacl_free(p->cons);
    hacl_free(p->reads_left);
    hacl_free(p->is_out);
    hacl_free(p->absorbed);
    hacl_free(p);
}

/* ---- execution contexts ---- */

static void *buf_ptr(const struct hacl_prog *p, const struct hacl_exec_ctx *c, const struct pbuf *pb)
{
    switch (pb->kind) {
    case B_WORK: return (char *)c->work + pb->offset;
    case B_WEIGHT: return hacl_pg_weight_ptr(p, pb);
    default: return NULL; /* set per run */
    }
}

void hacl_exec_ctx_free(struct hacl_exec_ctx *c)
{
    if (!c)
        return;
    if (c->mem)
        for (size_t b = 0; c->mem[b] != (dnnl_memory_t)-1; b++)
            if (c->mem[b])
                dnnl_memory_destroy(c->mem[b]);
    if (c->scratch)
        for (size_t s = 0; c->scratch[s] != (dnnl_memory_t)-1; s++)
            if (c->scratch[s])
                dnnl_memory_destroy(c->scratch[s]);
    if (c->args)
        for (size_t s = 0; c->args[s] != (dnnl_exec_arg_t *)-1; s++)
            hacl_free(c->args[s]);
    hacl_pg_width_ctx_free(c);
    if (c->stream)
        dnnl_stream_destroy(c->stream);
    if (c->own_work)
        hacl_free(c->work);
    hacl_free(c->mem);
    hacl_free(c->scratch);
    hacl_free(c->args);
    hacl_free(c->tptr);
    hacl_free(c);
}

aclError hacl_exec_ctx_create(const struct hacl_prog *p, void *work, struct hacl_exec_ctx **out)
{
    struct hacl_exec_ctx *c = hacl_calloc(1, sizeof *c);
    if (!c)
        return ACL_ERROR_BAD_ALLOC;
    /* Arrays end with a -1 sentinel so a half-built context frees cleanly. */
    c->mem = hacl_malloc((p->nbufs + 1) * sizeof *c->mem);
    c->scratch = hacl_malloc((p->nsteps + 1) * sizeof *c->scratch);
    c->args = hacl_malloc((p->nsteps + 1) * sizeof *c->args);
    c->tptr = hacl_calloc(p->g->ntensors ? p->g->ntensors : 1, sizeof *c->tptr);
    if (!c->mem || !c->scratch || !c->args || !c->tptr) {
        hacl_free(c->mem);
        hacl_free(c->scratch);
        hacl_free(c->args);
        c->mem = NULL, c->scratch = NULL, c->args = NULL;
        hacl_exec_ctx_free(c);
        return ACL_ERROR_BAD_ALLOC;
    }
    for (size_t b = 0; b <= p->nbufs; b++)
        c->mem[b] = b < p->nbufs ? NULL : (dnnl_memory_t)-1;
    for (size_t s = 0; s <= p->nsteps; s++) {
        c->scratch[s] = s < p->nsteps ? NULL : (dnnl_memory_t)-1;
        c->args[s] = s < p->nsteps ? NULL : (dnnl_exec_arg_t *)-1;
    }
    aclError rc = ACL_SUCCESS;
    c->work = work;
    if (!work && p->work_bytes) {
        c->work = hacl_malloc_large(p->work_bytes);
        c->own_work = 1;
        if (!c->work)
            rc = ACL_ERROR_BAD_ALLOC;
    }
    if (rc == ACL_SUCCESS && p->ndnnl &&
        dnnl_stream_create(&c->stream, hacl_pg_get_engine(), dnnl_stream_default_flags) != dnnl_success)
        rc = ACL_ERROR_BAD_ALLOC;
    for (size_t b = 0; b < p->nbufs && rc == ACL_SUCCESS; b++) {
        const struct pbuf *pb = &p->bufs[b];
        if (pb->dnnl_used &&
            dnnl_memory_create(&c->mem[b], &pb->md, hacl_pg_get_engine(), pb->kind == B_WORK || pb->kind == B_WEIGHT
                                                                      ? buf_ptr(p, c, pb)
                                                                      : DNNL_MEMORY_NONE) != dnnl_success) {
            c->mem[b] = NULL;
            rc = ACL_ERROR_BAD_ALLOC;
        }
    }
    for (size_t t = 0; t < p->g->ntensors; t++) {
        int b = p->plainb[t];
        if (b >= 0 && (p->bufs[b].kind == B_WORK || p->bufs[b].kind == B_WEIGHT))
            c->tptr[t] = buf_ptr(p, c, &p->bufs[b]);
    }
    for (size_t s = 0; s < p->nsteps && rc == ACL_SUCCESS; s++) {
        const struct pstep *st = &p->steps[s];
        if (st->node >= 0)
            continue;
        c->args[s] = hacl_malloc((size_t)(st->nargs + 1) * sizeof **c->args);
        if (!c->args[s]) {
            rc = ACL_ERROR_BAD_ALLOC;
            break;
        }
        for (int k = 0; k < st->nargs; k++)
            c->args[s][k] = (dnnl_exec_arg_t){st->argk[k], c->mem[st->argb[k]]};
        if (st->has_scratch) {
            if (dnnl_memory_create(&c->scratch[s], &st->scratch_md, hacl_pg_get_engine(),
                                   (char *)c->work + p->plan_bytes) != dnnl_success) {
                c->scratch[s] = NULL;
                rc = ACL_ERROR_BAD_ALLOC;
                break;
            }
            c->args[s][st->nargs] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, c->scratch[s]};
        }
    }
    if (rc != ACL_SUCCESS) {
        hacl_exec_ctx_free(c);
        return rc;
    }
    *out = c;
    return ACL_SUCCESS;
}

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

static aclError run_steps(struct hacl_prog *p, struct hacl_exec_ctx *c, int width, void *const *inputs,
                          void *const *outputs, char *why, size_t whylen);

/* Runs on the width the program's policy chooses (prog_width.c), timed. */
aclError hacl_prog_run(struct hacl_prog *p, struct hacl_exec_ctx *c, void *const *inputs, void *const *outputs,
                       char *why, size_t whylen)
{
    int width = hacl_pg_width_begin(p, c);
    unsigned long long t0 = p->width_on ? now_ns() : 0, w0 = p->width_on ? hacl_width_thread_waited() : 0;
    aclError rc = run_steps(p, c, width, inputs, outputs, why, whylen);
    if (p->width_on && rc == ACL_SUCCESS)
        hacl_pg_width_end(p, width, now_ns() - t0, hacl_width_thread_waited() - w0);
    else
        hacl_pg_width_end(p, width, 0, 0);
    return rc;
}

static aclError run_steps(struct hacl_prog *p, struct hacl_exec_ctx *c, int width, void *const *inputs,
                          void *const *outputs, char *why, size_t whylen)
{
    const struct hacl_graph *g = p->g;
    for (size_t b = 0; b < p->nbufs; b++) {
        const struct pbuf *pb = &p->bufs[b];
        if (pb->kind != B_INPUT && pb->kind != B_OUTPUT)
            continue;
        void *ptr = pb->kind == B_INPUT ? inputs[pb->io] : outputs[pb->io];
        c->tptr[pb->tensor] = ptr;
        if (c->mem[b] && dnnl_memory_set_data_handle(c->mem[b], ptr) != dnnl_success) {
            snprintf(why, whylen, "oneDNN refused a buffer address");
            return ACL_ERROR_FAILURE;
        }
    }
    int pending = 0;
    int trace = hacl_tracing_of(HACL_TRACE_OPS); /* each step a slice on the compute thread's row */
    uint64_t me = trace ? hacl_trace_self() : 0;
    int me_pid = trace ? hacl_trace_self_pid() : 0;
    struct hacl_op_time *log = step_log;
    step_log = NULL;
    for (size_t s = 0; s < p->nsteps; s++) {
        struct pstep *st = &p->steps[s];
        unsigned long long t0 = p->profile ? now_ns() : 0;
        uint64_t tt0 = trace ? hacl_trace_now() : 0;
        uint64_t ns0 = log ? hacl_trace_clock_ns() : 0;
        if (st->node >= 0 && st->empty) {
            /* every output is empty: nothing to compute */
        } else if (st->pass) {
            if (pending)
                dnnl_stream_wait(c->stream);
            pending = 0;
            const struct pbuf *pb = &p->bufs[st->pass_buf];
            hacl_pg_run_pass(st, pb->kind == B_WORK ? buf_ptr(p, c, pb) : c->tptr[pb->tensor]);
        } else if (st->node >= 0) {
            if (pending)
                dnnl_stream_wait(c->stream);
            pending = 0;
            const char *err = NULL;
            struct hacl_kernel_args a = {g, &g->nodes[st->node], c->tptr, &err, st->prepared};
            st->run(&a);
            if (err) {
                snprintf(why, whylen, "node '%s' (%s): %s", g->nodes[st->node].name, g->nodes[st->node].op, err);
                return ACL_ERROR_FAILURE;
            }
        } else {
            int one = width == HACL_WIDTH_ONE && st->one; /* its one-thread twin */
            dnnl_status_t ds = one ? dnnl_primitive_execute(st->one, c->stream, st->nargs + st->one_has_scratch,
                                                            c->one_args[s])
                                   : dnnl_primitive_execute(st->prim, c->stream, st->nargs + st->has_scratch,
                                                            c->args[s]);
            if (ds != dnnl_success) {
                snprintf(why, whylen, "oneDNN failed to execute a primitive (status %d)", (int)ds);
                return ACL_ERROR_FAILURE;
            }
            pending = 1;
            if (p->profile) {
                dnnl_stream_wait(c->stream);
                pending = 0;
            }
        }
        if (p->profile) {
            atomic_fetch_add(&st->ns, now_ns() - t0);
            atomic_fetch_add(&st->runs, 1);
        }
        if (log) { /* a subscriber's record: the step is finished first */
            if (pending)
                dnnl_stream_wait(c->stream);
            pending = 0;
            const struct hacl_node *n = st->what >= 0 ? &g->nodes[st->what] : NULL;
            int reorder = st->kind && !strcmp(st->kind, "reorder");
            log[s] = (struct hacl_op_time){n && n->name ? n->name : "", reorder ? "TransData" : n ? n->op : "",
                                           ns0, hacl_trace_clock_ns()};
        }
        if (trace) {
            if (pending)
                dnnl_stream_wait(c->stream);
            pending = 0;
            unsigned gen = hacl_trace_generation();
            if (st->trace_gen != gen || !st->trace_name) {
                const struct hacl_node *n = st->what >= 0 ? &g->nodes[st->what] : NULL;
                char label[200]; /* "node (kind)": copied, as the model may go before the trace is written */
                snprintf(label, sizeof label, "%s (%s)", n && n->name && *n->name ? n->name : "-",
                         st->kind ? st->kind : "step");
                st->trace_name = hacl_trace_intern(label);
                st->trace_gen = gen;
            }
            hacl_trace_slice(me_pid, me, st->trace_name, "op", tt0, hacl_trace_now(), "step", (int64_t)s);
        }
    }
    if (pending)
        dnnl_stream_wait(c->stream);
    for (size_t i = 0; i < g->noutputs; i++) {
        int t = g->outputs[i];
        size_t bytes = hacl_tensor_bytes(&g->tensors[t]);
        if (c->tptr[t] != outputs[i] && bytes) /* a model input or constant, or listed twice */
            memmove(outputs[i], c->tptr[t], bytes);
    }
    return ACL_SUCCESS;
}

