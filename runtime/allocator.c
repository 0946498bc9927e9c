/*
 * User allocators on streams (acl_rt_allocator.h). A description is a
 * checked handle holding the application's allocator object and functions;
 * registering copies it into the stream, so the description may be
 * destroyed or changed afterwards without touching the stream. Model
 * executions read the stream's copy when they are launched
 * (hacl_stream_allocator) and use it on the compute thread.
 *
 * Thread: any. Locks: a stream's alloc_lock is a leaf.
 */
#include "device/alloc.h"
#include "runtime.h"

struct alloc_desc {
    struct hacl_obj hdr;
    pthread_mutex_t lock;
    struct hacl_stream_alloc a; /* desc unused here */
};

static void desc_release(struct hacl_obj *o)
{
    struct alloc_desc *d = (struct alloc_desc *)o;
    pthread_mutex_destroy(&d->lock);
    hacl_free(d);
}

static struct alloc_desc *desc_get(const char *api, aclrtAllocatorDesc h, aclError *rc)
{
    return (struct alloc_desc *)hacl_handle_checked(api, h, HACL_KIND_ALLOCATOR_DESC, "allocator description", rc);
}

ACL_FUNC_VISIBILITY aclrtAllocatorDesc aclrtAllocatorCreateDesc(void)
{
    struct alloc_desc *d = hacl_calloc(1, sizeof *d);
    if (!d) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating an allocator description");
        return NULL;
    }
    hacl_obj_init(&d->hdr, HACL_KIND_ALLOCATOR_DESC, desc_release);
    pthread_mutex_init(&d->lock, NULL);
    if (hacl_handle_register(&d->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&d->hdr);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating an allocator description");
        return NULL;
    }
    return d;
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorDestroyDesc(aclrtAllocatorDesc allocatorDesc)
{
    aclError rc = ACL_SUCCESS;
    struct alloc_desc *d = desc_get(__func__, allocatorDesc, &rc);
    if (!d)
        return rc;
    if (hacl_handle_unregister(&d->hdr))
        hacl_obj_put(&d->hdr); /* the registry's reference */
    hacl_obj_put(&d->hdr);
    return ACL_SUCCESS;
}

enum slot { OBJ, ALLOC, FREE, ADVISE, ADDR };

/* Stores one field of a description; functions must not be NULL. */
static aclError set_slot(const char *api, aclrtAllocatorDesc h, enum slot which, void *obj, void (*fn)(void))
{
    if (which != OBJ && !fn)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "func must not be NULL");
    if (which == OBJ && !obj)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "allocator must not be NULL");
    aclError rc = ACL_SUCCESS;
    struct alloc_desc *d = desc_get(api, h, &rc);
    if (!d)
        return rc;
    pthread_mutex_lock(&d->lock);
    switch (which) {
    case OBJ: d->a.obj = obj; break;
    case ALLOC: d->a.alloc = (aclrtAllocatorAllocFunc)fn; break;
    case FREE: d->a.free = (aclrtAllocatorFreeFunc)fn; break;
    case ADVISE: d->a.advise = (aclrtAllocatorAllocAdviseFunc)fn; break;
    case ADDR: d->a.addr = (aclrtAllocatorGetAddrFromBlockFunc)fn; break;
    }
    pthread_mutex_unlock(&d->lock);
    hacl_obj_put(&d->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorSetObjToDesc(aclrtAllocatorDesc allocatorDesc, aclrtAllocator allocator)
{
    return set_slot(__func__, allocatorDesc, OBJ, allocator, NULL);
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorSetAllocFuncToDesc(aclrtAllocatorDesc allocatorDesc,
                                                              aclrtAllocatorAllocFunc func)
{
    return set_slot(__func__, allocatorDesc, ALLOC, NULL, (void (*)(void))func);
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorSetFreeFuncToDesc(aclrtAllocatorDesc allocatorDesc,
                                                             aclrtAllocatorFreeFunc func)
{
    return set_slot(__func__, allocatorDesc, FREE, NULL, (void (*)(void))func);
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorSetAllocAdviseFuncToDesc(aclrtAllocatorDesc allocatorDesc,
                                                                    aclrtAllocatorAllocAdviseFunc func)
{
    return set_slot(__func__, allocatorDesc, ADVISE, NULL, (void (*)(void))func);
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorSetGetAddrFromBlockFuncToDesc(aclrtAllocatorDesc allocatorDesc,
                                                                         aclrtAllocatorGetAddrFromBlockFunc func)
{
    return set_slot(__func__, allocatorDesc, ADDR, NULL, (void (*)(void))func);
}

/* The stream named by h; NULL (the default stream) is refused, as
 * AscendCL documents for registration. */
static struct hacl_stream *explicit_stream(const char *api, aclrtStream h, aclError *rc)
{
    if (!h) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "stream must not be NULL");
        return NULL;
    }
    return hacl_stream_get(api, h, rc);
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorRegister(aclrtStream stream, aclrtAllocatorDesc allocatorDesc)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = explicit_stream(__func__, stream, &rc);
    if (!s)
        return rc;
    struct alloc_desc *d = desc_get(__func__, allocatorDesc, &rc);
    if (d) {
        pthread_mutex_lock(&d->lock);
        struct hacl_stream_alloc a = d->a;
        pthread_mutex_unlock(&d->lock);
        a.desc = allocatorDesc;
        if (!a.obj || !a.alloc || !a.free || !a.addr) {
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM,
                          "the description lacks %s (set the allocator object and its alloc, free and "
                          "get-address functions before registering)",
                          !a.obj ? "the allocator object" : !a.alloc ? "the alloc function"
                                                        : !a.free  ? "the free function"
                                                                   : "the get-address function");
        } else {
            pthread_mutex_lock(&s->alloc_lock);
            s->allocator = a;
            pthread_mutex_unlock(&s->alloc_lock);
        }
        hacl_obj_put(&d->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

int hacl_stream_allocator(struct hacl_stream *s, struct hacl_stream_alloc *a)
{
    pthread_mutex_lock(&s->alloc_lock);
    *a = s->allocator;
    pthread_mutex_unlock(&s->alloc_lock);
    return a->alloc != NULL;
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorGetByStream(aclrtStream stream, aclrtAllocatorDesc *allocatorDesc,
                                                       aclrtAllocator *allocator, aclrtAllocatorAllocFunc *allocFunc,
                                                       aclrtAllocatorFreeFunc *freeFunc,
                                                       aclrtAllocatorAllocAdviseFunc *allocAdviseFunc,
                                                       aclrtAllocatorGetAddrFromBlockFunc *getAddrFromBlockFunc)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = explicit_stream(__func__, stream, &rc);
    if (!s)
        return rc;
    struct hacl_stream_alloc a;
    if (!hacl_stream_allocator(s, &a)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "no allocator is registered on stream %p", stream);
    } else {
        if (allocatorDesc)
            *allocatorDesc = a.desc;
        if (allocator)
            *allocator = a.obj;
        if (allocFunc)
            *allocFunc = a.alloc;
        if (freeFunc)
            *freeFunc = a.free;
        if (allocAdviseFunc)
            *allocAdviseFunc = a.advise;
        if (getAddrFromBlockFunc)
            *getAddrFromBlockFunc = a.addr;
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtAllocatorUnregister(aclrtStream stream)
{
    /* AscendCL: unregistering from a stream that is gone, or twice, does
     * nothing and succeeds. */
    struct hacl_obj *o = hacl_handle_get(stream, HACL_KIND_STREAM);
    if (!o)
        return ACL_SUCCESS;
    struct hacl_stream *s = (struct hacl_stream *)o;
    pthread_mutex_lock(&s->alloc_lock);
    s->allocator = (struct hacl_stream_alloc){0};
    pthread_mutex_unlock(&s->alloc_lock);
    hacl_obj_put(o);
    return ACL_SUCCESS;
}
