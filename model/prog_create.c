/*
 * A program's primitives made on two threads.
 *
 * oneDNN generates a primitive's machine code when the primitive is made:
 * 1-3 ms for most convolutions, 5-33 ms for some of AMX's bfloat16 ones
 * (S3D: 100 ms of its 180 ms load). Compiling picks every step's
 * descriptor on the loading thread without making anything; then the
 * loading thread and one helper make the primitives side by side.
 *
 * Making one can fail (oneDNN could not generate the code: a 1-D bfloat16
 * convolution with a fused GELU did). Convolutions of that kind (1-D, or
 * bfloat16 with an activation other than ReLU fused) are still tried as
 * they are chosen (hacl_pg_creatable_now), so the compiler picks another
 * implementation, layout or precision for them; a primitive that fails
 * here fails the load (ACL_ERROR_BAD_ALLOC, "oneDNN could not create a
 * primitive"), as it did before for every kind but convolutions.
 *
 * HOSTACL_LOAD_THREADS=1 makes each primitive on the loading thread as its
 * step is chosen.
 */
#include "prog_impl.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device/compute.h"

static _Thread_local int later;
static _Atomic(const char *) fail_impl; /* tests: hacl_prog_fail_making */

void hacl_prog_fail_making(const char *impl)
{
    atomic_store(&fail_impl, impl);
}

static dnnl_status_t make(dnnl_primitive_t *prim, const_dnnl_primitive_desc_t pd)
{
    const char *f = atomic_load(&fail_impl), *impl = NULL;
    if (f && dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success && impl &&
        (!strcmp(f, "*") || !strcmp(impl, f)))
        return dnnl_runtime_error;
    return dnnl_primitive_create(prim, pd);
}

int hacl_pg_creating_later(void)
{
    return later;
}

void hacl_pg_create_begin(struct hacl_prog *p)
{
    const char *e = getenv("HOSTACL_LOAD_THREADS");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = e && *e ? atoi(e) : 2;
    p->create_later = !p->reference && threads > 1 && cores > 1;
    later = p->create_later;
}

void hacl_pg_create_end(struct hacl_prog *p)
{
    (void)p;
    later = 0;
}

dnnl_primitive_desc_t hacl_pg_creatable(dnnl_primitive_desc_t pd, const_dnnl_op_desc_t desc,
                                        const_dnnl_primitive_attr_t attr)
{
    if (hacl_pg_creating_later())
        return pd; /* tried when it is made (hacl_pg_create_pending) */
    return hacl_pg_creatable_now(pd, desc, attr);
}

dnnl_primitive_desc_t hacl_pg_creatable_now(dnnl_primitive_desc_t pd, const_dnnl_op_desc_t desc,
                                            const_dnnl_primitive_attr_t attr)
{
    dnnl_primitive_t probe = NULL;
    if (dnnl_primitive_create(&probe, pd) == dnnl_success) {
        dnnl_primitive_destroy(probe); /* the real one comes from oneDNN's primitive cache */
        return pd;
    }
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_desc_iterator_t it = NULL;
    if (dnnl_primitive_desc_iterator_create(&it, desc, attr, hacl_pg_get_engine(), NULL) != dnnl_success)
        return NULL;
    dnnl_primitive_desc_t found = NULL;
    /* the first implementation was the one that failed */
    while (!found && dnnl_primitive_desc_iterator_next(it) == dnnl_success) {
        dnnl_primitive_desc_t cand = dnnl_primitive_desc_iterator_fetch(it);
        if (!cand)
            continue;
        if (!hacl_pg_is_reference(cand) && dnnl_primitive_create(&probe, cand) == dnnl_success) {
            dnnl_primitive_destroy(probe);
            found = cand;
        } else {
            dnnl_primitive_desc_destroy(cand);
        }
    }
    dnnl_primitive_desc_iterator_destroy(it);
    return found;
}

struct maker {
    struct hacl_prog *p;
    atomic_size_t next;
};

static void make_some(struct maker *m)
{
    for (;;) {
        size_t s = atomic_fetch_add(&m->next, 1);
        if (s >= m->p->nsteps)
            return;
        struct pstep *st = &m->p->steps[s];
        if (st->pending && make(&st->prim, st->pending) != dnnl_success)
            st->prim = NULL;
    }
}

static void *helper(void *arg)
{
    int saved = hacl_compute_team_begin(); /* made for the team that runs it, as on the loading thread */
    make_some(arg);
    hacl_compute_team_end(saved);
    return NULL;
}

aclError hacl_pg_create_pending(struct hacl_prog *p)
{
    struct maker m = {p, 0};
    size_t n = 0;
    for (size_t s = 0; s < p->nsteps; s++)
        n += p->steps[s].pending != NULL;
    pthread_t t;
    int helped = n > 1 && pthread_create(&t, NULL, helper, &m) == 0;
    make_some(&m);
    if (helped)
        pthread_join(t, NULL);
    aclError rc = ACL_SUCCESS;
    for (size_t s = 0; s < p->nsteps; s++) {
        struct pstep *st = &p->steps[s];
        if (!st->pending)
            continue;
        if (!st->prim && rc == ACL_SUCCESS)
            hacl_pg_fail(p, &rc, ACL_ERROR_BAD_ALLOC, "oneDNN could not create a primitive");
        if (st->pending != st->keep_pd)
            dnnl_primitive_desc_destroy(st->pending);
        st->pending = NULL;
    }
    return rc;
}
