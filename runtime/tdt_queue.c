/*
 * TDT queues and routes (acl/acl_tdt_queue.h): attributes, queues of
 * shared buffers known by id, enqueue/dequeue with AscendCL's timeouts, and
 * routes that forward what enters a source queue to its destinations.
 *
 * All queues and routes share one lock and one condition variable: queue
 * operations are short (a buffer pointer moves), and forwarding along
 * routes touches several queues at once. A buffer that enters a source
 * queue with bound routes moves on as soon as every destination has room:
 * the first destination gets the buffer itself, the others references to
 * the same data; while a destination is full the buffer waits in the source
 * (where a consumer of the source may still take it), and moves when the
 * destination drains. Routes must not form a cycle.
 *
 * Thread: any. Locks: qlock is a leaf (buffer calls made under it take only
 * the registry's lock).
 */
#include <string.h>
#include <unistd.h>

#include "acl/acl_tdt_queue.h"
#include "device/alloc.h"
#include "device/clock.h"
#include "runtime.h"
#include "tdt_buf.h"

#define DEFAULT_DEPTH 8
#define MIN_DEPTH 2
#define MAX_DEPTH 8192
#define NAME_LEN 128
#define MAX_ROUTES 4096

struct tagMemQueueAttr {
    struct hacl_obj hdr;
    char name[NAME_LEN];
    const char *name_ptr; /* what ACL_TDT_QUEUE_NAME_PTR reads back */
    uint32_t depth;
};

struct acltdtQueueRoute {
    struct hacl_obj hdr;
    uint32_t src, dst;
    int32_t status;
};

struct route_entry {
    uint32_t src, dst;
    int32_t status;
};

struct acltdtQueueRouteList {
    struct hacl_obj hdr;
    struct route_entry *r;
    size_t n, cap;
};

struct acltdtQueueRouteQueryInfo {
    struct hacl_obj hdr;
    int mode_set, src_set, dst_set;
    acltdtQueueRouteQueryMode mode;
    uint32_t src, dst;
};

struct queue {
    uint32_t id;
    char name[NAME_LEN];
    uint32_t depth;
    struct hacl_tdt_buf **ring;
    size_t head, count;
    struct queue *next;
};

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcv;
static pthread_once_t qcv_once = PTHREAD_ONCE_INIT;
static struct queue *queues;
static uint32_t next_qid = 1;
static struct route_entry routes[MAX_ROUTES];
static size_t nroutes;

static void qcv_init(void)
{
    hacl_cond_init_monotonic(&qcv);
}

/* ---- small handle objects ---- */

static void plain_release(struct hacl_obj *o)
{
    if (o->kind == HACL_KIND_TDT_ROUTE_LIST)
        hacl_free(((struct acltdtQueueRouteList *)o)->r);
    hacl_free(o);
}

static void *make(size_t size, enum hacl_kind kind, const char *api)
{
    struct hacl_obj *o = hacl_calloc(1, size);
    if (o) {
        hacl_obj_init(o, kind, plain_release);
        if (hacl_handle_register(o) == ACL_SUCCESS)
            return o;
        hacl_obj_put(o);
    }
    hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
    return NULL;
}

static void *get(const void *h, enum hacl_kind kind, const char *what, const char *api, aclError *rc)
{
    return hacl_handle_checked(api, h, kind, what, rc);
}

static aclError destroy(const void *h, enum hacl_kind kind, const char *what, const char *api)
{
    aclError rc = ACL_SUCCESS;
    struct hacl_obj *o = get(h, kind, what, api, &rc);
    if (!o)
        return rc;
    if (hacl_handle_unregister(o))
        hacl_obj_put(o);
    hacl_obj_put(o);
    return ACL_SUCCESS;
}

/* ---- attributes ---- */

ACL_FUNC_VISIBILITY acltdtQueueAttr *acltdtCreateQueueAttr(void)
{
    acltdtQueueAttr *a = make(sizeof *a, HACL_KIND_TDT_QATTR, __func__);
    if (a)
        a->depth = DEFAULT_DEPTH;
    return a;
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyQueueAttr(const acltdtQueueAttr *attr)
{
    return destroy(attr, HACL_KIND_TDT_QATTR, "queue attribute", __func__);
}

ACL_FUNC_VISIBILITY aclError acltdtSetQueueAttr(acltdtQueueAttr *attr, acltdtQueueAttrType type, size_t len,
                                                const void *param)
{
    if (!param)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "param must not be NULL");
    aclError rc = ACL_SUCCESS;
    acltdtQueueAttr *a = get(attr, HACL_KIND_TDT_QATTR, "queue attribute", __func__, &rc);
    if (!a)
        return rc;
    if (type == ACL_TDT_QUEUE_NAME_PTR && len == sizeof(const char *)) {
        const char *name;
        memcpy(&name, param, sizeof name);
        if (!name || !*name || strlen(name) >= NAME_LEN)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the queue name must be 1..%d characters", NAME_LEN - 1);
        else
            strcpy(a->name, name), a->name_ptr = a->name;
    } else if (type == ACL_TDT_QUEUE_DEPTH_UINT32 && len == sizeof(uint32_t)) {
        uint32_t d;
        memcpy(&d, param, sizeof d);
        if (d < MIN_DEPTH || d > MAX_DEPTH)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "depth %u is outside %d..%d", d, MIN_DEPTH, MAX_DEPTH);
        else
            a->depth = d;
    } else {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "attribute %d with a %zu-byte value is not one of the queue's",
                      (int)type, len);
    }
    hacl_obj_put(&a->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtGetQueueAttr(const acltdtQueueAttr *attr, acltdtQueueAttrType type, size_t len,
                                                size_t *paramRetSize, void *param)
{
    if (!param || !paramRetSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "param and paramRetSize must not be NULL");
    aclError rc = ACL_SUCCESS;
    acltdtQueueAttr *a = get(attr, HACL_KIND_TDT_QATTR, "queue attribute", __func__, &rc);
    if (!a)
        return rc;
    if (type == ACL_TDT_QUEUE_NAME_PTR && len >= sizeof(const char *)) {
        memcpy(param, &a->name_ptr, sizeof a->name_ptr);
        *paramRetSize = sizeof a->name_ptr;
    } else if (type == ACL_TDT_QUEUE_DEPTH_UINT32 && len >= sizeof(uint32_t)) {
        memcpy(param, &a->depth, sizeof a->depth);
        *paramRetSize = sizeof a->depth;
    } else {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "attribute %d does not fit %zu bytes", (int)type, len);
    }
    hacl_obj_put(&a->hdr);
    return rc;
}

/* ---- queues ---- */

static struct queue *find(uint32_t qid)
{
    struct queue *q = queues;
    while (q && q->id != qid)
        q = q->next;
    return q;
}

static void push(struct queue *q, struct hacl_tdt_buf *b)
{
    q->ring[(q->head + q->count++) % q->depth] = b;
}

static struct hacl_tdt_buf *pop(struct queue *q)
{
    struct hacl_tdt_buf *b = q->ring[q->head];
    q->head = (q->head + 1) % q->depth;
    q->count--;
    return b;
}

static void pump(struct queue *src, int depth);

/* Sources routed into dst may move on now that dst has room. */
static void pump_into(uint32_t dst, int depth)
{
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].dst == dst) {
            struct queue *s = find(routes[i].src);
            if (s)
                pump(s, depth + 1);
        }
}

/* Forwards src's buffers along its routes while every destination has
 * room (qlock held). */
static void pump(struct queue *src, int depth)
{
    if (depth > 64)
        return; /* routes are acyclic; this only bounds the recursion */
    for (;;) {
        size_t ndst = 0, room = 1;
        for (size_t i = 0; i < nroutes; i++)
            if (routes[i].src == src->id) {
                struct queue *d = find(routes[i].dst);
                ndst++;
                if (!d || d->count == d->depth)
                    room = 0;
            }
        if (!ndst || !room || !src->count)
            return;
        struct hacl_tdt_buf *b = pop(src);
        int first = 1;
        for (size_t i = 0; i < nroutes; i++)
            if (routes[i].src == src->id) {
                struct queue *d = find(routes[i].dst);
                struct hacl_tdt_buf *give = first ? b : hacl_tdt_buf_share(b);
                if (give) /* out of memory drops this copy */
                    push(d, give);
                first = 0;
                pump(d, depth + 1);
            }
        pthread_cond_broadcast(&qcv);
    }
}

static void free_queue(struct queue *q);

/* aclFinalize: the queues (and their buffers) and routes left behind. */
static void forget_queues(void)
{
    pthread_mutex_lock(&qlock);
    struct queue *all = queues;
    queues = NULL;
    nroutes = 0;
    pthread_cond_broadcast(&qcv);
    pthread_mutex_unlock(&qlock);
    while (all) {
        struct queue *q = all;
        all = q->next;
        free_queue(q);
    }
}

ACL_FUNC_VISIBILITY aclError acltdtCreateQueue(const acltdtQueueAttr *attr, uint32_t *qid)
{
    if (!qid)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "qid must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    acltdtQueueAttr *a = get(attr, HACL_KIND_TDT_QATTR, "queue attribute", __func__, &rc);
    if (!a)
        return rc;
    struct queue *q = hacl_calloc(1, sizeof *q);
    if (q)
        q->ring = hacl_calloc(a->depth, sizeof *q->ring);
    if (!q || !q->ring) {
        if (q)
            hacl_free(q);
        hacl_obj_put(&a->hdr);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a queue of depth %u", a->depth);
    }
    q->depth = a->depth;
    strcpy(q->name, a->name);
    hacl_obj_put(&a->hdr);
    pthread_once(&qcv_once, qcv_init);
    pthread_mutex_lock(&qlock);
    while (next_qid == 0 || find(next_qid))
        next_qid++;
    q->id = next_qid++;
    q->next = queues;
    queues = q;
    *qid = q->id;
    pthread_mutex_unlock(&qlock);
    hacl_rt_on_finalize(forget_queues);
    return ACL_SUCCESS;
}

/* Unlists queue qid and its routes (qlock held); NULL when there is none. */
static struct queue *unlist(uint32_t qid)
{
    struct queue **pp = &queues;
    while (*pp && (*pp)->id != qid)
        pp = &(*pp)->next;
    struct queue *q = *pp;
    if (!q)
        return NULL;
    *pp = q->next;
    size_t k = 0;
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].src != qid && routes[i].dst != qid)
            routes[k++] = routes[i];
    nroutes = k;
    pthread_cond_broadcast(&qcv); /* waiters on it see it gone */
    return q;
}

static void free_queue(struct queue *q)
{
    while (q->count)
        hacl_tdt_buf_free(pop(q));
    hacl_free(q->ring);
    hacl_free(q);
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyQueue(uint32_t qid)
{
    pthread_mutex_lock(&qlock);
    struct queue *q = unlist(qid);
    pthread_mutex_unlock(&qlock);
    if (!q)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "queue %u does not exist", qid);
    free_queue(q);
    return ACL_SUCCESS;
}

/* Waits (qlock held) until queue qid exists and can take (or give) a buffer.
 * The queue, or NULL with the error recorded. */
static struct queue *wait_queue(const char *api, uint32_t qid, int32_t timeout, int putting, aclError *rc)
{
    struct timespec deadline = hacl_deadline_us(timeout > 0 ? (uint64_t)timeout * 1000u : 0);
    for (;;) {
        struct queue *q = find(qid);
        if (!q) {
            *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "queue %u does not exist (or was destroyed)", qid);
            return NULL;
        }
        if (putting ? q->count < q->depth : q->count > 0)
            return q;
        if (timeout == 0 || (timeout > 0 && hacl_deadline_passed(&deadline))) {
            *rc = hacl_err(putting ? ACL_ERROR_RT_QUEUE_FULL : ACL_ERROR_RT_QUEUE_EMPTY, api,
                           "queue %u stayed %s for %d ms", qid, putting ? "full" : "empty", (int)timeout);
            return NULL;
        }
        if (timeout < 0)
            pthread_cond_wait(&qcv, &qlock);
        else
            pthread_cond_timedwait(&qcv, &qlock, &deadline);
    }
}

static aclError check_timeout(const char *api, int32_t timeout)
{
    if (timeout < -1)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "timeout %d: use -1 (wait), 0 (never wait) or milliseconds",
                        (int)timeout);
    pthread_once(&qcv_once, qcv_init);
    return ACL_SUCCESS;
}

/* Puts an unregistered buffer in queue qid; on failure it is not taken. */
static aclError put(const char *api, uint32_t qid, struct hacl_tdt_buf *b, int32_t timeout)
{
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&qlock);
    struct queue *q = wait_queue(api, qid, timeout, 1, &rc);
    if (q) {
        push(q, b);
        pthread_cond_broadcast(&qcv);
        pump(q, 0);
    }
    pthread_mutex_unlock(&qlock);
    return rc;
}

static struct hacl_tdt_buf *take(const char *api, uint32_t qid, int32_t timeout, aclError *rc)
{
    pthread_mutex_lock(&qlock);
    struct queue *q = wait_queue(api, qid, timeout, 0, rc);
    struct hacl_tdt_buf *b = q ? pop(q) : NULL;
    if (b) {
        pthread_cond_broadcast(&qcv);
        pump_into(qid, 0);
    }
    pthread_mutex_unlock(&qlock);
    return b;
}

ACL_FUNC_VISIBILITY aclError acltdtEnqueue(uint32_t qid, acltdtBuf buf, int32_t timeout)
{
    aclError rc = check_timeout(__func__, timeout);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_tdt_buf *b = hacl_tdt_buf_take(__func__, buf, &rc);
    if (!b)
        return rc;
    rc = put(__func__, qid, b, timeout);
    if (rc != ACL_SUCCESS) { /* still the application's */
        void *again;
        if (hacl_tdt_buf_give(__func__, b, &again) != ACL_SUCCESS)
            hacl_tdt_buf_free(b);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtDequeue(uint32_t qid, acltdtBuf *buf, int32_t timeout)
{
    if (!buf)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "buf must not be NULL");
    aclError rc = check_timeout(__func__, timeout);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_tdt_buf *b = take(__func__, qid, timeout, &rc);
    if (!b)
        return rc;
    rc = hacl_tdt_buf_give(__func__, b, buf);
    if (rc != ACL_SUCCESS)
        hacl_tdt_buf_free(b);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtEnqueueData(uint32_t qid, const void *data, size_t dataSize, const void *userData,
                                               size_t userDataSize, int32_t timeout, uint32_t rsv)
{
    if (rsv != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "rsv is reserved and must be 0");
    if ((!data && dataSize) || (!userData && userDataSize) || userDataSize > HACL_TDT_USER_BYTES)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "data and userData must not be NULL when sized; userData holds at "
                                                 "most %d bytes",
                        HACL_TDT_USER_BYTES);
    aclError rc = check_timeout(__func__, timeout);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_tdt_buf *b = hacl_tdt_buf_new(data, dataSize, userData, userDataSize);
    if (!b)
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory for %zu bytes", dataSize);
    rc = put(__func__, qid, b, timeout);
    if (rc != ACL_SUCCESS)
        hacl_tdt_buf_free(b);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtDequeueData(uint32_t qid, void *data, size_t dataSize, size_t *retDataSize,
                                               void *userData, size_t userDataSize, int32_t timeout)
{
    if (!retDataSize || (!data && dataSize) || (!userData && userDataSize) || userDataSize > HACL_TDT_USER_BYTES)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "retDataSize must not be NULL, nor data and userData when sized; "
                                                 "userData holds at most %d bytes",
                        HACL_TDT_USER_BYTES);
    aclError rc = check_timeout(__func__, timeout);
    if (rc != ACL_SUCCESS)
        return rc;
    pthread_mutex_lock(&qlock);
    struct queue *q = wait_queue(__func__, qid, timeout, 0, &rc);
    struct hacl_tdt_buf *b = NULL;
    if (q && hacl_tdt_buf_len(q->ring[q->head]) > dataSize) { /* stays queued */
        *retDataSize = hacl_tdt_buf_len(q->ring[q->head]);
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the next item holds %zu bytes; data holds %zu", *retDataSize,
                      dataSize);
    } else if (q) {
        b = pop(q);
        pthread_cond_broadcast(&qcv);
        pump_into(qid, 0);
    }
    pthread_mutex_unlock(&qlock);
    if (b) {
        *retDataSize = hacl_tdt_buf_len(b);
        hacl_tdt_buf_read(b, data, userData, userDataSize);
        hacl_tdt_buf_free(b);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtGrantQueue(uint32_t qid, int32_t pid, uint32_t permission, int32_t timeout)
{
    const uint32_t all = ACL_TDT_QUEUE_PERMISSION_MANAGE | ACL_TDT_QUEUE_PERMISSION_DEQUEUE |
                         ACL_TDT_QUEUE_PERMISSION_ENQUEUE;
    if (!permission || (permission & ~all) || timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "permission %u or timeout %d is not valid", permission, (int)timeout);
    pthread_mutex_lock(&qlock);
    int exists = find(qid) != NULL;
    pthread_mutex_unlock(&qlock);
    if (!exists)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "queue %u does not exist", qid);
    if (pid != (int32_t)getpid())
        return HACL_ERR(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "hostacl's queues live in one process; pid %d is another",
                        (int)pid);
    return ACL_SUCCESS; /* the creating process holds every permission */
}

ACL_FUNC_VISIBILITY aclError acltdtAttachQueue(uint32_t qid, int32_t timeout, uint32_t *permission)
{
    if (!permission || timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "permission must not be NULL and timeout at least -1");
    pthread_mutex_lock(&qlock);
    int exists = find(qid) != NULL;
    pthread_mutex_unlock(&qlock);
    if (!exists)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "queue %u does not exist", qid);
    *permission = ACL_TDT_QUEUE_PERMISSION_MANAGE | ACL_TDT_QUEUE_PERMISSION_DEQUEUE |
                  ACL_TDT_QUEUE_PERMISSION_ENQUEUE;
    return ACL_SUCCESS;
}

/* ---- routes ---- */

ACL_FUNC_VISIBILITY acltdtQueueRoute *acltdtCreateQueueRoute(uint32_t srcId, uint32_t dstId)
{
    acltdtQueueRoute *r = make(sizeof *r, HACL_KIND_TDT_ROUTE, __func__);
    if (r)
        r->src = srcId, r->dst = dstId, r->status = ACL_TDT_QUEUE_ROUTE_UNBIND;
    return r;
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyQueueRoute(const acltdtQueueRoute *route)
{
    return destroy(route, HACL_KIND_TDT_ROUTE, "queue route", __func__);
}

ACL_FUNC_VISIBILITY aclError acltdtGetQueueRouteParam(const acltdtQueueRoute *route, acltdtQueueRouteParamType type,
                                                      size_t len, size_t *paramRetSize, void *param)
{
    if (!param || !paramRetSize || len < 4)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "param and paramRetSize must not be NULL and len at least 4");
    aclError rc = ACL_SUCCESS;
    acltdtQueueRoute *r = get(route, HACL_KIND_TDT_ROUTE, "queue route", __func__, &rc);
    if (!r)
        return rc;
    switch (type) {
    case ACL_TDT_QUEUE_ROUTE_SRC_UINT32: memcpy(param, &r->src, 4); break;
    case ACL_TDT_QUEUE_ROUTE_DST_UINT32: memcpy(param, &r->dst, 4); break;
    case ACL_TDT_QUEUE_ROUTE_STATUS_INT32: memcpy(param, &r->status, 4); break;
    default: rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "type %d is not an acltdtQueueRouteParamType", (int)type);
    }
    if (rc == ACL_SUCCESS)
        *paramRetSize = 4;
    hacl_obj_put(&r->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY acltdtQueueRouteList *acltdtCreateQueueRouteList(void)
{
    return make(sizeof(acltdtQueueRouteList), HACL_KIND_TDT_ROUTE_LIST, __func__);
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyQueueRouteList(const acltdtQueueRouteList *routeList)
{
    return destroy(routeList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__);
}

/* Route lists are filled by one thread at a time (AscendCL: bind is not to
 * be called concurrently); qlock guards their entries anyway. */
static aclError list_append(acltdtQueueRouteList *l, uint32_t src, uint32_t dst, int32_t status)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? 2 * l->cap : 8;
        struct route_entry *nr = hacl_realloc(l->r, ncap * sizeof *nr);
        if (!nr)
            return ACL_ERROR_BAD_ALLOC;
        l->r = nr, l->cap = ncap;
    }
    l->r[l->n++] = (struct route_entry){src, dst, status};
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtAddQueueRoute(acltdtQueueRouteList *routeList, const acltdtQueueRoute *route)
{
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteList *l = get(routeList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__, &rc);
    if (!l)
        return rc;
    acltdtQueueRoute *r = get(route, HACL_KIND_TDT_ROUTE, "queue route", __func__, &rc);
    if (r) {
        pthread_mutex_lock(&qlock);
        rc = list_append(l, r->src, r->dst, r->status);
        pthread_mutex_unlock(&qlock);
        if (rc != ACL_SUCCESS)
            HACL_ERR(rc, "out of memory adding a route");
        hacl_obj_put(&r->hdr);
    }
    hacl_obj_put(&l->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtGetQueueRoute(const acltdtQueueRouteList *routeList, size_t index,
                                                 acltdtQueueRoute *route)
{
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteList *l = get(routeList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__, &rc);
    if (!l)
        return rc;
    acltdtQueueRoute *r = get(route, HACL_KIND_TDT_ROUTE, "queue route", __func__, &rc);
    if (r) {
        pthread_mutex_lock(&qlock);
        if (index < l->n)
            r->src = l->r[index].src, r->dst = l->r[index].dst, r->status = l->r[index].status;
        else
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is past the list's %zu routes", index, l->n);
        pthread_mutex_unlock(&qlock);
        hacl_obj_put(&r->hdr);
    }
    hacl_obj_put(&l->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY size_t acltdtGetQueueRouteNum(const acltdtQueueRouteList *routeList)
{
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteList *l = get(routeList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__, &rc);
    if (!l)
        return 0;
    pthread_mutex_lock(&qlock);
    size_t n = l->n;
    pthread_mutex_unlock(&qlock);
    hacl_obj_put(&l->hdr);
    return n;
}

ACL_FUNC_VISIBILITY acltdtQueueRouteQueryInfo *acltdtCreateQueueRouteQueryInfo(void)
{
    return make(sizeof(acltdtQueueRouteQueryInfo), HACL_KIND_TDT_ROUTE_QUERY, __func__);
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyQueueRouteQueryInfo(const acltdtQueueRouteQueryInfo *info)
{
    return destroy(info, HACL_KIND_TDT_ROUTE_QUERY, "route query", __func__);
}

ACL_FUNC_VISIBILITY aclError acltdtSetQueueRouteQueryInfo(acltdtQueueRouteQueryInfo *param,
                                                          acltdtQueueRouteQueryInfoParamType type, size_t len,
                                                          const void *value)
{
    if (!value || len < 4)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "value must not be NULL and len at least 4");
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteQueryInfo *q = get(param, HACL_KIND_TDT_ROUTE_QUERY, "route query", __func__, &rc);
    if (!q)
        return rc;
    uint32_t v;
    memcpy(&v, value, 4);
    if (type == ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM && v <= ACL_TDT_QUEUE_ROUTE_QUERY_SRC_AND_DST)
        q->mode = (acltdtQueueRouteQueryMode)v, q->mode_set = 1;
    else if (type == ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM && v == ACL_TDT_QUEUE_ROUTE_QUERY_ABNORMAL)
        q->mode = ACL_TDT_QUEUE_ROUTE_QUERY_ABNORMAL, q->mode_set = 1;
    else if (type == ACL_TDT_QUEUE_ROUTE_QUERY_SRC_ID_UINT32)
        q->src = v, q->src_set = 1;
    else if (type == ACL_TDT_QUEUE_ROUTE_QUERY_DST_ID_UINT32)
        q->dst = v, q->dst_set = 1;
    else
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "type %d with value %u is not a route query setting", (int)type, v);
    hacl_obj_put(&q->hdr);
    return rc;
}

/* 1 when dst reaches src along the bound routes (qlock held). */
static int reaches(uint32_t from, uint32_t to, int depth)
{
    if (from == to)
        return 1;
    if (depth > (int)MAX_ROUTES)
        return 1;
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].src == from && reaches(routes[i].dst, to, depth + 1))
            return 1;
    return 0;
}

static size_t route_index(uint32_t src, uint32_t dst)
{
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].src == src && routes[i].dst == dst)
            return i;
    return (size_t)-1;
}

ACL_FUNC_VISIBILITY aclError acltdtBindQueueRoutes(acltdtQueueRouteList *qRouteList)
{
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteList *l = get(qRouteList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__, &rc);
    if (!l)
        return rc;
    size_t failed = 0;
    pthread_mutex_lock(&qlock);
    for (size_t i = 0; i < l->n; i++) {
        struct route_entry *e = &l->r[i];
        int ok = find(e->src) && find(e->dst) && e->src != e->dst && nroutes < MAX_ROUTES &&
                 route_index(e->src, e->dst) == (size_t)-1 && !reaches(e->dst, e->src, 0);
        e->status = ok ? ACL_TDT_QUEUE_ROUTE_BIND : ACL_TDT_QUEUE_ROUTE_BIND_ABNORMAL;
        if (ok)
            routes[nroutes++] = *e;
        else
            failed++;
    }
    for (size_t i = 0; i < l->n; i++) /* what was waiting may move on now */
        if (l->r[i].status == ACL_TDT_QUEUE_ROUTE_BIND && find(l->r[i].src))
            pump(find(l->r[i].src), 0);
    pthread_mutex_unlock(&qlock);
    hacl_obj_put(&l->hdr);
    if (failed)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%zu of the routes could not be bound (a queue missing, a route "
                                                 "already bound, src = dst, or a cycle): see their status",
                        failed);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtUnbindQueueRoutes(acltdtQueueRouteList *qRouteList)
{
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteList *l = get(qRouteList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__, &rc);
    if (!l)
        return rc;
    size_t failed = 0;
    pthread_mutex_lock(&qlock);
    for (size_t i = 0; i < l->n; i++) {
        size_t k = route_index(l->r[i].src, l->r[i].dst);
        if (k == (size_t)-1) {
            failed++;
            continue;
        }
        routes[k] = routes[--nroutes];
        l->r[i].status = ACL_TDT_QUEUE_ROUTE_UNBIND;
    }
    pthread_mutex_unlock(&qlock);
    hacl_obj_put(&l->hdr);
    if (failed)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%zu of the routes were not bound", failed);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtQueryQueueRoutes(const acltdtQueueRouteQueryInfo *queryInfo,
                                                    acltdtQueueRouteList *qRouteList)
{
    aclError rc = ACL_SUCCESS;
    acltdtQueueRouteQueryInfo *q = get(queryInfo, HACL_KIND_TDT_ROUTE_QUERY, "route query", __func__, &rc);
    if (!q)
        return rc;
    acltdtQueueRouteList *l = get(qRouteList, HACL_KIND_TDT_ROUTE_LIST, "queue route list", __func__, &rc);
    if (l && !q->mode_set)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the query has no mode (ACL_TDT_QUEUE_ROUTE_QUERY_MODE_ENUM)");
    else if (l && ((q->mode != ACL_TDT_QUEUE_ROUTE_QUERY_DST && q->mode != ACL_TDT_QUEUE_ROUTE_QUERY_ABNORMAL &&
                    !q->src_set) ||
                   ((q->mode == ACL_TDT_QUEUE_ROUTE_QUERY_DST || q->mode == ACL_TDT_QUEUE_ROUTE_QUERY_SRC_AND_DST) &&
                    !q->dst_set)))
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the query's mode needs its source and/or destination id set");
    if (l && rc == ACL_SUCCESS) {
        pthread_mutex_lock(&qlock);
        l->n = 0; /* the list is replaced by the answer */
        for (size_t i = 0; i < nroutes && rc == ACL_SUCCESS; i++) {
            const struct route_entry *e = &routes[i];
            int match = q->mode == ACL_TDT_QUEUE_ROUTE_QUERY_SRC ? e->src == q->src
                        : q->mode == ACL_TDT_QUEUE_ROUTE_QUERY_DST ? e->dst == q->dst
                        : q->mode == ACL_TDT_QUEUE_ROUTE_QUERY_SRC_AND_DST ? e->src == q->src && e->dst == q->dst
                                                                            : e->status ==
                                                                                  ACL_TDT_QUEUE_ROUTE_BIND_ABNORMAL;
            if (match)
                rc = list_append(l, e->src, e->dst, e->status);
        }
        pthread_mutex_unlock(&qlock);
        if (rc != ACL_SUCCESS)
            HACL_ERR(rc, "out of memory answering the query");
    }
    if (l)
        hacl_obj_put(&l->hdr);
    hacl_obj_put(&q->hdr);
    return rc;
}
