/*
 * Stream configuration handles (aclrtCreateStreamConfigHandle ...
 * aclrtCreateStreamV2), stream queries (id, flags, priority), the current
 * context's default stream and the compute resources of the calling thread.
 *
 * A configuration handle is a plain struct the application may read; the
 * runtime keeps a list of the live ones so a stale pointer is refused.
 *
 * Thread: any. Locks: cfg_lock is a leaf.
 */
#include <string.h>

#include "device/alloc.h"
#include "runtime.h"

/* ---- configuration handles ---- */

struct cfg {
    aclrtStreamConfigHandle pub; /* first: the handle is its address */
    struct cfg *next;
};

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cfg *cfgs;

/* Runs fn on the live handle h under the lock; 0, or -1 when h is not one. */
static int with_cfg(const aclrtStreamConfigHandle *h, void (*fn)(struct cfg *, void *), void *arg)
{
    int found = -1;
    pthread_mutex_lock(&cfg_lock);
    for (struct cfg *c = cfgs; c; c = c->next)
        if (&c->pub == h) {
            if (fn)
                fn(c, arg);
            found = 0;
            break;
        }
    pthread_mutex_unlock(&cfg_lock);
    return found;
}

ACL_FUNC_VISIBILITY aclrtStreamConfigHandle *aclrtCreateStreamConfigHandle(void)
{
    struct cfg *c = hacl_calloc(1, sizeof *c);
    if (!c) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a stream config handle");
        return NULL;
    }
    pthread_mutex_lock(&cfg_lock);
    c->next = cfgs;
    cfgs = c;
    pthread_mutex_unlock(&cfg_lock);
    return &c->pub;
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyStreamConfigHandle(aclrtStreamConfigHandle *handle)
{
    if (!handle)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "handle must not be NULL");
    struct cfg *gone = NULL;
    pthread_mutex_lock(&cfg_lock);
    for (struct cfg **pp = &cfgs; *pp; pp = &(*pp)->next)
        if (&(*pp)->pub == handle) {
            gone = *pp;
            *pp = gone->next;
            break;
        }
    pthread_mutex_unlock(&cfg_lock);
    if (!gone)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live stream config handle", (void *)handle);
    hacl_free(gone);
    return ACL_SUCCESS;
}

struct set_arg {
    aclrtStreamConfigAttr attr;
    uint64_t value;
};

static void set_field(struct cfg *c, void *p)
{
    struct set_arg *a = p;
    switch (a->attr) {
    case ACL_RT_STREAM_WORK_ADDR_PTR: c->pub.workptr = (void *)(uintptr_t)a->value; break;
    case ACL_RT_STREAM_WORK_SIZE: c->pub.workSize = (size_t)a->value; break;
    case ACL_RT_STREAM_FLAG: c->pub.flag = (size_t)a->value; break;
    case ACL_RT_STREAM_PRIORITY: c->pub.priority = (uint32_t)a->value; break;
    }
}

/* Values are 4 or 8 bytes (uint32_t or size_t / a pointer). */
ACL_FUNC_VISIBILITY aclError aclrtSetStreamConfigOpt(aclrtStreamConfigHandle *handle, aclrtStreamConfigAttr attr,
                                                     const void *attrValue, size_t valueSize)
{
    if (!handle || !attrValue)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "handle and attrValue must not be NULL");
    if ((unsigned)attr > ACL_RT_STREAM_PRIORITY)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "attr %d is not an aclrtStreamConfigAttr", (int)attr);
    struct set_arg a = {attr, 0};
    if (valueSize == sizeof(uint32_t)) {
        uint32_t v;
        memcpy(&v, attrValue, sizeof v);
        a.value = v;
    } else if (valueSize == sizeof(uint64_t)) {
        memcpy(&a.value, attrValue, sizeof a.value);
    } else {
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "valueSize %zu: attribute values are 4 or 8 bytes", valueSize);
    }
    if (attr == ACL_RT_STREAM_PRIORITY && a.value > 7)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "priority %llu is out of range 0..7", (unsigned long long)a.value);
    if (with_cfg(handle, set_field, &a) != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live stream config handle", (void *)handle);
    return ACL_SUCCESS;
}

static void copy_cfg(struct cfg *c, void *out)
{
    memcpy(out, &c->pub, sizeof c->pub);
}

/* The work memory options are accepted and not used: executions on a
 * stream take their work memory from their model (docs/semantics.md). */
ACL_FUNC_VISIBILITY aclError aclrtCreateStreamV2(aclrtStream *stream, const aclrtStreamConfigHandle *handle)
{
    aclrtStreamConfigHandle k;
    memset(&k, 0, sizeof k);
    if (handle && with_cfg(handle, copy_cfg, &k) != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live stream config handle", (const void *)handle);
    if (k.flag > UINT32_MAX)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag %#zx has bits that are not ACL_STREAM_* flags", k.flag);
    return hacl_stream_create_public(__func__, stream, k.priority, (uint32_t)k.flag);
}

/* ---- stream queries ---- */

static aclError query(const char *api, aclrtStream stream, const void *out, struct hacl_stream **s)
{
    *s = NULL;
    if (!out)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the output must not be NULL");
    aclError rc;
    *s = hacl_stream_get(api, stream, &rc);
    return *s ? ACL_SUCCESS : rc;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamGetId(aclrtStream stream, int32_t *streamId)
{
    struct hacl_stream *s = NULL;
    aclError rc = query(__func__, stream, streamId, &s);
    if (rc == ACL_SUCCESS) {
        *streamId = s->id;
        hacl_obj_put(&s->hdr);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamGetFlags(aclrtStream stream, uint32_t *flags)
{
    struct hacl_stream *s = NULL;
    aclError rc = query(__func__, stream, flags, &s);
    if (rc == ACL_SUCCESS) {
        *flags = s->flags;
        hacl_obj_put(&s->hdr);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtStreamGetPriority(aclrtStream stream, uint32_t *priority)
{
    struct hacl_stream *s = NULL;
    aclError rc = query(__func__, stream, priority, &s);
    if (rc == ACL_SUCCESS) {
        *priority = s->priority;
        hacl_obj_put(&s->hdr);
    }
    return rc;
}

/* The current context's default stream (created on first use, as any use
 * of the NULL stream does); it goes with its context. */
ACL_FUNC_VISIBILITY aclError aclrtCtxGetCurrentDefaultStream(aclrtStream *stream)
{
    if (!stream)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "stream must not be NULL");
    aclError rc;
    struct hacl_stream *s = hacl_stream_get(__func__, NULL, &rc);
    if (!s)
        return rc;
    *stream = s;
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

/* Cube and vector cores of an NPU map to the threads one operator may use
 * on this device (the compute_threads setting). */
ACL_FUNC_VISIBILITY aclError aclrtGetResInCurrentThread(aclrtDevResLimitType type, uint32_t *value)
{
    if (!value)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "value must not be NULL");
    if (type != ACL_RT_DEV_RES_CUBE_CORE && type != ACL_RT_DEV_RES_VECTOR_CORE)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "type %d is not an aclrtDevResLimitType", (int)type);
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(__func__, &rc);
    if (!ctx)
        return rc;
    uint32_t limit = atomic_load(&ctx->dev->res_limit[type]);
    *value = limit ? limit : ctx->dev->hw->cfg.compute_threads;
    hacl_obj_put(&ctx->hdr);
    return ACL_SUCCESS;
}
