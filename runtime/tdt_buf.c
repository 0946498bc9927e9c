/*
 * TDT shared buffers (acltdtAllocBuf ... acltdtCopyBufRef).
 *
 * A buffer is a checked handle over shared memory: the bytes, their data
 * length and 96 bytes of user data, counted by references so that
 * acltdtCopyBufRef and one-to-many routes share them without copying.
 * A buffer may head a chain of further buffers, which it then owns.
 *
 * Thread: any. Locks: a buffer's lock guards its chain; the shared memory
 * is written by whoever holds the buffer (AscendCL: consumers of a shared
 * buffer must not change it in place).
 */
#include <string.h>

#include "acl/acl_tdt_queue.h"
#include "device/alloc.h"
#include "runtime.h"
#include "tdt_buf.h"

#define MAX_BUF_BYTES (1ull << 32)
#define MAX_CHAIN 128

struct mem {
    _Atomic unsigned refs;
    size_t cap, len;
    unsigned char user[HACL_TDT_USER_BYTES];
    unsigned char data[];
};

struct hacl_tdt_buf {
    struct hacl_obj hdr;
    struct mem *m;
    pthread_mutex_t lock;
    struct hacl_tdt_buf **chain; /* owned (each holds a reference) */
    size_t nchain, capchain;
    int chained; /* a member of another buffer's chain */
};

static void mem_put(struct mem *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1)
        hacl_free(m);
}

void hacl_tdt_buf_free(struct hacl_tdt_buf *b)
{
    if (b)
        hacl_obj_put(&b->hdr);
}

static void buf_destroy(struct hacl_tdt_buf *b)
{
    for (size_t i = 0; i < b->nchain; i++) {
        if (hacl_handle_unregister(&b->chain[i]->hdr))
            hacl_obj_put(&b->chain[i]->hdr);
        hacl_obj_put(&b->chain[i]->hdr);
    }
    hacl_free(b->chain);
    mem_put(b->m);
    pthread_mutex_destroy(&b->lock);
    hacl_free(b);
}

static void buf_release(struct hacl_obj *o)
{
    buf_destroy((struct hacl_tdt_buf *)o);
}

static struct hacl_tdt_buf *wrap(struct mem *m)
{
    struct hacl_tdt_buf *b = hacl_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    hacl_obj_init(&b->hdr, HACL_KIND_TDT_BUF, buf_release);
    pthread_mutex_init(&b->lock, NULL);
    b->m = m;
    return b;
}

static struct mem *mem_new(size_t n)
{
    struct mem *m = hacl_calloc(1, sizeof *m + (n ? n : 1));
    if (m) {
        atomic_init(&m->refs, 1);
        m->cap = n;
    }
    return m;
}

struct hacl_tdt_buf *hacl_tdt_buf_new(const void *data, size_t n, const void *user, size_t un)
{
    struct mem *m = mem_new(n);
    struct hacl_tdt_buf *b = m ? wrap(m) : NULL;
    if (!b) {
        mem_put(m);
        return NULL;
    }
    if (n)
        memcpy(m->data, data, n);
    m->len = n;
    if (un)
        memcpy(m->user, user, un);
    return b;
}

struct hacl_tdt_buf *hacl_tdt_buf_share(struct hacl_tdt_buf *b)
{
    atomic_fetch_add(&b->m->refs, 1);
    struct hacl_tdt_buf *s = wrap(b->m);
    if (!s)
        mem_put(b->m);
    return s;
}

size_t hacl_tdt_buf_len(const struct hacl_tdt_buf *b)
{
    return b->m->len;
}

void hacl_tdt_buf_read(const struct hacl_tdt_buf *b, void *data, void *user, size_t un)
{
    if (data && b->m->len)
        memcpy(data, b->m->data, b->m->len);
    if (user && un)
        memcpy(user, b->m->user, un);
}

static struct hacl_tdt_buf *buf_get(const char *api, const void *h, aclError *rc)
{
    struct hacl_obj *o = h ? hacl_handle_get(h, HACL_KIND_TDT_BUF) : NULL;
    if (!o)
        *rc = hacl_err(h ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                       h ? "%p is not a live TDT buffer (freed, enqueued, or never allocated)"
                         : "buf must not be NULL",
                       h);
    return (struct hacl_tdt_buf *)o;
}

struct hacl_tdt_buf *hacl_tdt_buf_take(const char *api, void *h, aclError *rc)
{
    struct hacl_tdt_buf *b = buf_get(api, h, rc);
    if (!b)
        return NULL;
    if (b->chained) {
        hacl_obj_put(&b->hdr);
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "%p belongs to another buffer's chain", h);
        return NULL;
    }
    if (!hacl_handle_unregister(&b->hdr)) { /* another thread took it first */
        hacl_obj_put(&b->hdr);
        *rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%p was freed or enqueued meanwhile", h);
        return NULL;
    }
    pthread_mutex_lock(&b->lock); /* its chain goes with it */
    for (size_t i = 0; i < b->nchain; i++)
        if (hacl_handle_unregister(&b->chain[i]->hdr))
            hacl_obj_put(&b->chain[i]->hdr);
    pthread_mutex_unlock(&b->lock);
    /* the registry's reference becomes the taker's; drop the lookup's */
    hacl_obj_put(&b->hdr);
    *rc = ACL_SUCCESS;
    return b;
}

aclError hacl_tdt_buf_give(const char *api, struct hacl_tdt_buf *b, void **out)
{
    for (size_t i = 0; i < b->nchain; i++) {
        hacl_obj_ref(&b->chain[i]->hdr); /* the registry's */
        if (hacl_handle_register(&b->chain[i]->hdr) != ACL_SUCCESS)
            hacl_obj_put(&b->chain[i]->hdr); /* stays reachable through the head only */
    }
    if (hacl_handle_register(&b->hdr) != ACL_SUCCESS)
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory handing out a buffer");
    *out = b;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtAllocBuf(size_t size, uint32_t type, acltdtBuf *buf)
{
    if (!buf)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "buf must not be NULL");
    if (type != ACL_TDT_NORMAL_MEM && type != ACL_TDT_DVPP_MEM)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "type %u is not an acltdtAllocBufType", type);
    if (size > MAX_BUF_BYTES)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "size %zu is more than a buffer holds (%llu)", size,
                        (unsigned long long)MAX_BUF_BYTES);
    struct mem *m = mem_new(size);
    struct hacl_tdt_buf *b = m ? wrap(m) : NULL;
    if (!b) {
        mem_put(m);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory for a %zu-byte buffer", size);
    }
    m->len = size;
    aclError rc = hacl_tdt_buf_give(__func__, b, buf);
    if (rc != ACL_SUCCESS)
        hacl_tdt_buf_free(b);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtFreeBuf(acltdtBuf buf)
{
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *b = hacl_tdt_buf_take(__func__, buf, &rc);
    if (b)
        hacl_obj_put(&b->hdr); /* frees it unless a call is using it */
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtGetBufData(const acltdtBuf buf, void **dataPtr, size_t *size)
{
    if (!dataPtr || !size)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataPtr and size must not be NULL");
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *b = buf_get(__func__, buf, &rc);
    if (!b)
        return rc;
    *dataPtr = b->m->data;
    *size = b->m->cap;
    hacl_obj_put(&b->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtSetBufDataLen(acltdtBuf buf, size_t len)
{
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *b = buf_get(__func__, buf, &rc);
    if (!b)
        return rc;
    if (len > b->m->cap)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "len %zu is more than the buffer's %zu bytes", len, b->m->cap);
    else
        b->m->len = len;
    hacl_obj_put(&b->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtGetBufDataLen(acltdtBuf buf, size_t *len)
{
    if (!len)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "len must not be NULL");
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *b = buf_get(__func__, buf, &rc);
    if (!b)
        return rc;
    *len = b->m->len;
    hacl_obj_put(&b->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtAppendBufChain(acltdtBuf headBuf, acltdtBuf buf)
{
    if (headBuf == buf)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "a buffer cannot chain itself");
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *h = buf_get(__func__, headBuf, &rc);
    if (!h)
        return rc;
    struct hacl_tdt_buf *b = buf_get(__func__, buf, &rc);
    if (b) {
        /* one lock at a time: the member's, then the head's */
        pthread_mutex_lock(&b->lock);
        int busy = b->chained || b->nchain;
        if (!busy)
            b->chained = 1;
        pthread_mutex_unlock(&b->lock);
        pthread_mutex_lock(&h->lock);
        if (busy || h->chained)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "only a lone buffer joins the chain of a head buffer");
        else if (h->nchain >= MAX_CHAIN)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "a chain holds at most %d buffers", MAX_CHAIN);
        if (rc == ACL_SUCCESS && h->nchain == h->capchain) {
            size_t ncap = h->capchain ? 2 * h->capchain : 4;
            struct hacl_tdt_buf **nc = hacl_realloc(h->chain, ncap * sizeof *nc);
            if (nc)
                h->chain = nc, h->capchain = ncap;
            else
                rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory growing the chain");
        }
        if (rc == ACL_SUCCESS) {
            hacl_obj_ref(&b->hdr); /* the head's */
            h->chain[h->nchain++] = b;
        }
        pthread_mutex_unlock(&h->lock);
        if (rc != ACL_SUCCESS && !busy) {
            pthread_mutex_lock(&b->lock);
            b->chained = 0;
            pthread_mutex_unlock(&b->lock);
        }
        hacl_obj_put(&b->hdr);
    }
    hacl_obj_put(&h->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtGetBufChainNum(acltdtBuf headBuf, uint32_t *num)
{
    if (!num)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "num must not be NULL");
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *h = buf_get(__func__, headBuf, &rc);
    if (!h)
        return rc;
    pthread_mutex_lock(&h->lock);
    *num = (uint32_t)h->nchain + 1; /* the head counts */
    pthread_mutex_unlock(&h->lock);
    hacl_obj_put(&h->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtGetBufFromChain(acltdtBuf headBuf, uint32_t index, acltdtBuf *buf)
{
    if (!buf)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "buf must not be NULL");
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *h = buf_get(__func__, headBuf, &rc);
    if (!h)
        return rc;
    pthread_mutex_lock(&h->lock);
    if (index == 0)
        *buf = h;
    else if (index <= h->nchain)
        *buf = h->chain[index - 1]; /* a view: the head owns it */
    else
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %u is past the chain's %zu buffers", index, h->nchain + 1);
    pthread_mutex_unlock(&h->lock);
    hacl_obj_put(&h->hdr);
    return rc;
}

static aclError user_bytes(const char *api, size_t size, size_t offset)
{
    if (offset > HACL_TDT_USER_BYTES || size > HACL_TDT_USER_BYTES - offset)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "%zu bytes at offset %zu run past the %d bytes of user data",
                        size, offset, HACL_TDT_USER_BYTES);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtGetBufUserData(const acltdtBuf buf, void *dataPtr, size_t size, size_t offset)
{
    if (!dataPtr && size)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataPtr must not be NULL");
    aclError rc = user_bytes(__func__, size, offset);
    struct hacl_tdt_buf *b = rc == ACL_SUCCESS ? buf_get(__func__, buf, &rc) : NULL;
    if (!b)
        return rc;
    if (size)
        memcpy(dataPtr, b->m->user + offset, size);
    hacl_obj_put(&b->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtSetBufUserData(acltdtBuf buf, const void *dataPtr, size_t size, size_t offset)
{
    if (!dataPtr && size)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dataPtr must not be NULL");
    aclError rc = user_bytes(__func__, size, offset);
    struct hacl_tdt_buf *b = rc == ACL_SUCCESS ? buf_get(__func__, buf, &rc) : NULL;
    if (!b)
        return rc;
    if (size)
        memcpy(b->m->user + offset, dataPtr, size);
    hacl_obj_put(&b->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtCopyBufRef(const acltdtBuf buf, acltdtBuf *newBuf)
{
    if (!newBuf)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "newBuf must not be NULL");
    aclError rc = ACL_SUCCESS;
    struct hacl_tdt_buf *b = buf_get(__func__, buf, &rc);
    if (!b)
        return rc;
    struct hacl_tdt_buf *s = hacl_tdt_buf_share(b);
    hacl_obj_put(&b->hdr);
    if (!s)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory copying a buffer reference");
    rc = hacl_tdt_buf_give(__func__, s, newBuf);
    if (rc != ACL_SUCCESS)
        hacl_tdt_buf_free(s);
    return rc;
}
