/*
 * The dataset pool (see acl/hacl_mempool.h).
 *
 * All memory is taken at creation: device buffers for every input and
 * output of every pair, the datasets and data buffers, and the pair records,
 * which are linked in an intrusive free list. Acquire and release only move
 * a record on or off that list under the pool's mutex; a waiting acquirer
 * sleeps on a condition variable. Pools are checked handles, so a destroyed
 * pool is refused.
 *
 * Thread: any. Locks: pool->lock, a leaf.
 */
#include "acl/hacl_mempool.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "device/alloc.h"
#include "device/trace.h"
#include "device/clock.h"
#include "device/queue.h"
#include "runtime/runtime.h"

struct slot {
    haclMempoolPair pair; /* first: the application holds &slot->pair */
    struct hacl_qnode link;
    int out;              /* acquired and not yet released */
    void **mem;           /* device buffers: inputs then outputs */
    aclDataBuffer **bufs;
};

struct haclMempool {
    struct hacl_obj hdr;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    struct hacl_qnode free_slots;
    uint32_t count, available, nbufs;
    struct slot *slots;
    const char *trace_name; /* its occupancy counter, interned in recording trace_gen */
    unsigned trace_gen;
};

/* Pairs acquired, as a counter on the timeline. Caller holds p->lock. */
static void trace_occupancy_locked(struct haclMempool *p)
{
    unsigned gen = hacl_trace_generation();
    if (p->trace_gen != gen || !p->trace_name) {
        char name[64];
        snprintf(name, sizeof name, "mempool %p pairs in use", (void *)p);
        p->trace_name = hacl_trace_intern(name);
        p->trace_gen = gen;
    }
    hacl_trace_counter(HACL_TRACE_HOST, p->trace_name, hacl_trace_now(), (int64_t)(p->count - p->available));
}

static void free_slots(struct haclMempool *p)
{
    for (uint32_t i = 0; i < p->count; i++) {
        struct slot *s = &p->slots[i];
        if (s->pair.input)
            aclmdlDestroyDataset(s->pair.input);
        if (s->pair.output)
            aclmdlDestroyDataset(s->pair.output);
        for (uint32_t b = 0; s->bufs && b < p->nbufs; b++) {
            if (s->bufs[b])
                aclDestroyDataBuffer(s->bufs[b]);
            if (s->mem[b])
                aclrtFree(s->mem[b]);
        }
        hacl_free(s->bufs);
        hacl_free(s->mem);
    }
    hacl_free(p->slots);
}

static void pool_release(struct hacl_obj *o)
{
    struct haclMempool *p = (struct haclMempool *)o;
    free_slots(p);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->lock);
    hacl_free(p);
}

static struct haclMempool *pool_get(const char *api, const void *h, aclError *rc)
{
    struct haclMempool *p = (struct haclMempool *)hacl_handle_get(h, HACL_KIND_MEMPOOL);
    if (!p)
        *rc = hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                       "%p is not a live memory pool", h);
    return p;
}

/* Allocates and wires one pair's buffers: 0, or an error code (recorded). */
static aclError fill_slot(const char *api, struct haclMempool *p, struct slot *s, aclmdlDesc *d, size_t nin)
{
    s->mem = hacl_calloc(p->nbufs, sizeof *s->mem);
    s->bufs = hacl_calloc(p->nbufs, sizeof *s->bufs);
    s->pair.input = aclmdlCreateDataset();
    s->pair.output = aclmdlCreateDataset();
    if (!s->mem || !s->bufs || !s->pair.input || !s->pair.output)
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating the pool");
    for (uint32_t b = 0; b < p->nbufs; b++) {
        size_t sz = b < nin ? aclmdlGetInputSizeByIndex(d, b) : aclmdlGetOutputSizeByIndex(d, b - nin);
        aclError rc = aclrtMalloc(&s->mem[b], sz ? sz : 1, ACL_MEM_MALLOC_HUGE_FIRST);
        if (rc != ACL_SUCCESS)
            return rc;
        s->bufs[b] = aclCreateDataBuffer(s->mem[b], sz);
        if (!s->bufs[b])
            return ACL_ERROR_BAD_ALLOC;
        rc = aclmdlAddDatasetBuffer(b < nin ? s->pair.input : s->pair.output, s->bufs[b]);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclMempoolCreate(uint32_t modelId, uint32_t count, haclMempool **pool)
{
    if (!pool)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "pool must not be NULL");
    if (count == 0 || count > 1u << 20)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "count %u is outside 1..1048576", count);
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    aclmdlDesc *d = aclmdlCreateDesc();
    if (!d)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating the pool");
    if ((rc = aclmdlGetDesc(d, modelId)) != ACL_SUCCESS) {
        aclmdlDestroyDesc(d);
        return rc;
    }
    size_t nin = aclmdlGetNumInputs(d), nout = aclmdlGetNumOutputs(d);
    struct haclMempool *p = hacl_calloc(1, sizeof *p);
    if (!p) {
        aclmdlDestroyDesc(d);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating the pool");
    }
    hacl_obj_init(&p->hdr, HACL_KIND_MEMPOOL, pool_release);
    pthread_mutex_init(&p->lock, NULL);
    hacl_cond_init_monotonic(&p->cv);
    hacl_queue_init(&p->free_slots);
    p->nbufs = (uint32_t)(nin + nout);
    p->slots = hacl_calloc(count, sizeof *p->slots);
    if (!p->slots) {
        rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating the pool");
    } else {
        p->count = count; /* from here free_slots cleans up whatever was made */
        for (uint32_t i = 0; i < count && rc == ACL_SUCCESS; i++) {
            p->slots[i].pair.index = i;
            rc = fill_slot(__func__, p, &p->slots[i], d, nin);
            hacl_queue_push_tail(&p->free_slots, &p->slots[i].link);
        }
    }
    aclmdlDestroyDesc(d);
    if (rc == ACL_SUCCESS && hacl_handle_register(&p->hdr) != ACL_SUCCESS)
        rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating the pool");
    if (rc != ACL_SUCCESS) {
        hacl_obj_put(&p->hdr);
        return rc;
    }
    p->available = count;
    *pool = p;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclMempoolAcquire(haclMempool *pool, int32_t timeoutMs, haclMempoolPair **pair)
{
    if (!pair)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "pair must not be NULL");
    if (timeoutMs < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeoutMs %d must be -1, 0 or positive", (int)timeoutMs);
    aclError rc;
    struct haclMempool *p = pool_get(__func__, pool, &rc);
    if (!p)
        return rc;
    struct timespec deadline = hacl_deadline_us(timeoutMs > 0 ? (uint64_t)timeoutMs * 1000u : 0);
    pthread_mutex_lock(&p->lock);
    while (hacl_queue_empty(&p->free_slots) && timeoutMs != 0) {
        if (timeoutMs < 0)
            pthread_cond_wait(&p->cv, &p->lock);
        else if (pthread_cond_timedwait(&p->cv, &p->lock, &deadline) != 0 && hacl_deadline_passed(&deadline))
            break;
    }
    struct hacl_qnode *n = hacl_queue_head(&p->free_slots);
    if (n) {
        hacl_queue_remove(n);
        struct slot *s = HACL_QUEUE_DATA(n, struct slot, link);
        s->out = 1;
        p->available--;
        *pair = &s->pair;
        if (hacl_tracing_of(HACL_TRACE_MEMORY))
            trace_occupancy_locked(p);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    if (!n)
        return hacl_err_quiet(ACL_ERROR_RT_QUEUE_EMPTY, __func__, "no pair came free within %d ms", (int)timeoutMs);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclMempoolRelease(haclMempool *pool, haclMempoolPair *pair)
{
    if (!pair)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "pair must not be NULL");
    aclError rc;
    struct haclMempool *p = pool_get(__func__, pool, &rc);
    if (!p)
        return rc;
    rc = ACL_SUCCESS;
    pthread_mutex_lock(&p->lock);
    /* The pair must be one of this pool's records: compare addresses
     * without dereferencing a foreign pointer. */
    uintptr_t a = (uintptr_t)pair, lo = (uintptr_t)p->slots, hi = (uintptr_t)(p->slots + p->count);
    struct slot *s = (a >= lo && a < hi && (a - lo) % sizeof(struct slot) == 0) ? (struct slot *)pair : NULL;
    if (!s) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "pair %p does not belong to pool %p", (void *)pair, (void *)pool);
    } else if (!s->out) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "pair %u of pool %p is not acquired (released twice?)", s->pair.index,
                      (void *)pool);
    } else {
        s->out = 0;
        hacl_queue_push_tail(&p->free_slots, &s->link);
        p->available++;
        if (hacl_tracing_of(HACL_TRACE_MEMORY))
            trace_occupancy_locked(p);
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError haclMempoolGetInfo(haclMempool *pool, uint32_t *count, uint32_t *available)
{
    if (!count || !available)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "count and available must not be NULL");
    aclError rc;
    struct haclMempool *p = pool_get(__func__, pool, &rc);
    if (!p)
        return rc;
    pthread_mutex_lock(&p->lock);
    *count = p->count;
    *available = p->available;
    pthread_mutex_unlock(&p->lock);
    hacl_obj_put(&p->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError haclMempoolDestroy(haclMempool *pool, int32_t timeoutMs)
{
    if (timeoutMs < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeoutMs %d must be -1, 0 or positive", (int)timeoutMs);
    aclError rc;
    struct haclMempool *p = pool_get(__func__, pool, &rc);
    if (!p)
        return rc;
    rc = ACL_SUCCESS;
    struct timespec deadline = hacl_deadline_us(timeoutMs > 0 ? (uint64_t)timeoutMs * 1000u : 0);
    pthread_mutex_lock(&p->lock);
    while (p->available < p->count && timeoutMs != 0) {
        if (timeoutMs < 0)
            pthread_cond_wait(&p->cv, &p->lock);
        else if (pthread_cond_timedwait(&p->cv, &p->lock, &deadline) != 0 && hacl_deadline_passed(&deadline))
            break;
    }
    uint32_t out = p->count - p->available;
    pthread_mutex_unlock(&p->lock);
    if (out) {
        rc = HACL_ERR(ACL_ERROR_RELATIVE_RESOURCE_NOT_CLEARED,
                      "%u pair(s) of pool %p are still acquired; the pool stays until they are released", out,
                      (void *)pool);
    } else if (hacl_handle_unregister(&p->hdr)) {
        hacl_obj_put(&p->hdr); /* the registry's reference */
    } else {
        rc = HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "pool %p was destroyed concurrently", (void *)pool);
    }
    hacl_obj_put(&p->hdr);
    return rc;
}
