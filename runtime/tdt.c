/*
 * Tensor data transfer channels (acl/acl_tdt.h): items, datasets and
 * named bounded FIFO channels between threads of the process.
 *
 * Items, datasets and channels are checked handles. An item the
 * application creates points at the application's bytes; a send copies every
 * item of the dataset (description and bytes) into one message, so the
 * sender may reuse its buffers at once. A receive turns the oldest message
 * into items owned by the receiving dataset (their bytes are the runtime's,
 * freed when the dataset is destroyed or receives again). An owned item
 * cannot be destroyed on its own.
 *
 * Waits are bounded by the caller's timeout (-1 none, 0 fail at once) and
 * end early when the channel is stopped or destroyed: waiters hold a
 * reference, so the channel is freed by the last of them.
 *
 * Thread: any. Locks: chan_lock (the list of channels), a channel's lock
 * and a dataset's lock are leaves; none is held while taking another.
 */
#include <errno.h>
#include <string.h>

#include "acl/acl_tdt.h"
#include "device/alloc.h"
#include "device/clock.h"
#include "runtime.h"

#define DEFAULT_CAPACITY 1024
#define MIN_CAPACITY 2
#define MAX_CAPACITY 8192
#define MAX_DIMS 128
#define NAME_MAX_LEN 127

struct acltdtDataItem {
    struct hacl_obj hdr;
    acltdtTensorType type;
    aclDataType dtype;
    size_t ndims;
    int64_t *dims;
    void *data;
    size_t size;
    int owned; /* made by a receive: bytes and item belong to its dataset */
};

struct acltdtDataset {
    struct hacl_obj hdr;
    pthread_mutex_t lock;
    struct acltdtDataItem **items;
    size_t n, cap;
    char name[NAME_MAX_LEN + 1];
};

struct msg {
    struct msg *next;
    size_t n;
    struct acltdtDataItem *items[]; /* owned, not yet registered */
};

struct acltdtChannelHandle {
    struct hacl_obj hdr;
    pthread_mutex_t lock;
    pthread_cond_t cv; /* a message arrived or left, or the channel stopped */
    struct msg *head, *tail;
    size_t count, cap;
    int stopped;
    uint32_t dev;
    char name[NAME_MAX_LEN + 1];
    struct acltdtChannelHandle *next; /* in channels, under chan_lock */
};

static pthread_mutex_t chan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct acltdtChannelHandle *channels;

/* ---- items ---- */

static void item_free(struct acltdtDataItem *it)
{
    if (!it)
        return;
    hacl_free(it->dims);
    if (it->owned)
        hacl_free(it->data);
    hacl_free(it);
}

static void item_release(struct hacl_obj *o)
{
    item_free((struct acltdtDataItem *)o);
}

static struct acltdtDataItem *item_get(const char *api, const void *h, aclError *rc)
{
    return (struct acltdtDataItem *)hacl_handle_checked(api, h, HACL_KIND_TDT_ITEM, "TDT data item", rc);
}

/* An unregistered item; owned ones get a copy of data. */
static struct acltdtDataItem *item_new(acltdtTensorType type, const int64_t *dims, size_t ndims, aclDataType dtype,
                                       void *data, size_t size, int owned)
{
    struct acltdtDataItem *it = hacl_calloc(1, sizeof *it);
    if (!it)
        return NULL;
    hacl_obj_init(&it->hdr, HACL_KIND_TDT_ITEM, item_release);
    it->type = type, it->dtype = dtype, it->ndims = ndims, it->size = size, it->owned = owned;
    it->dims = hacl_malloc((ndims ? ndims : 1) * sizeof *it->dims);
    if (!it->dims) {
        item_free(it);
        return NULL;
    }
    if (ndims)
        memcpy(it->dims, dims, ndims * sizeof *dims);
    if (owned && size) {
        it->data = hacl_malloc(size);
        if (!it->data) {
            item_free(it);
            return NULL;
        }
        memcpy(it->data, data, size);
    } else {
        it->data = owned ? NULL : data;
    }
    return it;
}

ACL_FUNC_VISIBILITY acltdtDataItem *acltdtCreateDataItem(acltdtTensorType tdtType, const int64_t *dims,
                                                         size_t dimNum, aclDataType dataType, void *data, size_t size)
{
    if (tdtType < ACL_TENSOR_DATA_TENSOR || tdtType > ACL_TENSOR_DATA_END_TENSOR) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "tdtType %d is not an acltdtTensorType", (int)tdtType);
        return NULL;
    }
    if (dimNum > MAX_DIMS || (dimNum && !dims)) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "dims must hold dimNum (%zu, at most %d) entries", dimNum, MAX_DIMS);
        return NULL;
    }
    for (size_t i = 0; i < dimNum; i++)
        if (dims[i] < -1) {
            HACL_ERR(ACL_ERROR_INVALID_PARAM, "dims[%zu] is %lld", i, (long long)dims[i]);
            return NULL;
        }
    if (size && !data) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "data must not be NULL for %zu bytes", size);
        return NULL;
    }
    struct acltdtDataItem *it = item_new(tdtType, dims, dimNum, dataType, data, size, 0);
    if (!it || hacl_handle_register(&it->hdr) != ACL_SUCCESS) {
        item_free(it);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a TDT data item");
        return NULL;
    }
    return it;
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyDataItem(acltdtDataItem *dataItem)
{
    aclError rc;
    struct acltdtDataItem *it = item_get(__func__, dataItem, &rc);
    if (!it)
        return rc;
    if (it->owned)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "item %p belongs to the dataset it was received into: destroy "
                                               "the dataset instead",
                      (void *)dataItem);
    else if (hacl_handle_unregister(&it->hdr))
        hacl_obj_put(&it->hdr);
    hacl_obj_put(&it->hdr);
    return rc;
}

#define ITEM_GETTER(ret, name, field, bad)                              \
    ACL_FUNC_VISIBILITY ret name(const acltdtDataItem *dataItem)        \
    {                                                                   \
        aclError rc;                                                    \
        struct acltdtDataItem *it = item_get(__func__, dataItem, &rc);  \
        if (!it)                                                        \
            return bad;                                                 \
        ret v = (ret)it->field;                                         \
        hacl_obj_put(&it->hdr);                                         \
        return v;                                                       \
    }
ITEM_GETTER(acltdtTensorType, acltdtGetTensorTypeFromItem, type, ACL_TENSOR_DATA_UNDEFINED)
ITEM_GETTER(aclDataType, acltdtGetDataTypeFromItem, dtype, ACL_DT_UNDEFINED)
ITEM_GETTER(void *, acltdtGetDataAddrFromItem, data, NULL)
ITEM_GETTER(size_t, acltdtGetDataSizeFromItem, size, 0)
ITEM_GETTER(size_t, acltdtGetDimNumFromItem, ndims, 0)

ACL_FUNC_VISIBILITY aclError acltdtGetSliceInfoFromItem(const acltdtDataItem *dataItem, size_t *sliceNum,
                                                        size_t *sliceId)
{
    if (!sliceNum || !sliceId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "sliceNum and sliceId must not be NULL");
    aclError rc;
    struct acltdtDataItem *it = item_get(__func__, dataItem, &rc);
    if (!it)
        return rc;
    *sliceNum = 0; /* hostacl never slices a tensor */
    *sliceId = 0;
    hacl_obj_put(&it->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtGetDimsFromItem(const acltdtDataItem *dataItem, int64_t *dims, size_t dimNum)
{
    aclError rc;
    struct acltdtDataItem *it = item_get(__func__, dataItem, &rc);
    if (!it)
        return rc;
    if (dimNum < it->ndims || (it->ndims && !dims))
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the item has %zu dims; dims holds %zu", it->ndims, dims ? dimNum : 0);
    else if (it->ndims)
        memcpy(dims, it->dims, it->ndims * sizeof *dims);
    hacl_obj_put(&it->hdr);
    return rc;
}

/* ---- datasets ---- */

/* A dataset holds a reference on each of its items, so the application may
 * destroy its own items before the dataset. Owned (received) items are also
 * unregistered when they leave. */
static void item_leave(struct acltdtDataItem *it)
{
    if (it->owned && hacl_handle_unregister(&it->hdr))
        hacl_obj_put(&it->hdr);
    hacl_obj_put(&it->hdr);
}

/* Drops the owned items of ds (ds->lock held) and compacts the list. */
static void drop_owned(struct acltdtDataset *ds)
{
    size_t k = 0;
    for (size_t i = 0; i < ds->n; i++) {
        struct acltdtDataItem *it = ds->items[i];
        if (it->owned)
            item_leave(it);
        else
            ds->items[k++] = it;
    }
    ds->n = k;
}

static void dataset_release(struct hacl_obj *o)
{
    struct acltdtDataset *ds = (struct acltdtDataset *)o;
    for (size_t i = 0; i < ds->n; i++)
        item_leave(ds->items[i]);
    pthread_mutex_destroy(&ds->lock);
    hacl_free(ds->items);
    hacl_free(ds);
}

static struct acltdtDataset *dataset_get(const char *api, const void *h, aclError *rc)
{
    return (struct acltdtDataset *)hacl_handle_checked(api, h, HACL_KIND_TDT_DATASET, "TDT dataset", rc);
}

ACL_FUNC_VISIBILITY acltdtDataset *acltdtCreateDataset(void)
{
    struct acltdtDataset *ds = hacl_calloc(1, sizeof *ds);
    if (!ds) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a TDT dataset");
        return NULL;
    }
    hacl_obj_init(&ds->hdr, HACL_KIND_TDT_DATASET, dataset_release);
    pthread_mutex_init(&ds->lock, NULL);
    if (hacl_handle_register(&ds->hdr) != ACL_SUCCESS) {
        hacl_obj_put(&ds->hdr);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a TDT dataset");
        return NULL;
    }
    return ds;
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyDataset(acltdtDataset *dataset)
{
    aclError rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (!ds)
        return rc;
    if (hacl_handle_unregister(&ds->hdr))
        hacl_obj_put(&ds->hdr);
    hacl_obj_put(&ds->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY acltdtDataItem *acltdtGetDataItem(const acltdtDataset *dataset, size_t index)
{
    aclError rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (!ds)
        return NULL;
    pthread_mutex_lock(&ds->lock);
    struct acltdtDataItem *it = index < ds->n ? ds->items[index] : NULL;
    size_t n = ds->n;
    pthread_mutex_unlock(&ds->lock);
    if (!it)
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "index %zu is past the dataset's %zu items", index, n);
    hacl_obj_put(&ds->hdr);
    return it;
}

ACL_FUNC_VISIBILITY aclError acltdtAddDataItem(acltdtDataset *dataset, acltdtDataItem *dataItem)
{
    aclError rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (!ds)
        return rc;
    struct acltdtDataItem *it = item_get(__func__, dataItem, &rc);
    if (it && it->owned)
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "item %p belongs to another dataset", (void *)dataItem);
    if (rc == ACL_SUCCESS) {
        pthread_mutex_lock(&ds->lock);
        if (ds->n == ds->cap) {
            size_t ncap = ds->cap ? 2 * ds->cap : 4;
            struct acltdtDataItem **ni = hacl_realloc(ds->items, ncap * sizeof *ni);
            if (ni)
                ds->items = ni, ds->cap = ncap;
        }
        if (ds->n < ds->cap) {
            hacl_obj_ref(&it->hdr); /* the dataset's */
            ds->items[ds->n++] = it;
        } else
            rc = ACL_ERROR_BAD_ALLOC;
        pthread_mutex_unlock(&ds->lock);
        if (rc != ACL_SUCCESS)
            HACL_ERR(rc, "out of memory adding an item");
    }
    if (it)
        hacl_obj_put(&it->hdr);
    hacl_obj_put(&ds->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY size_t acltdtGetDatasetSize(const acltdtDataset *dataset)
{
    aclError rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (!ds)
        return 0;
    pthread_mutex_lock(&ds->lock);
    size_t n = ds->n;
    pthread_mutex_unlock(&ds->lock);
    hacl_obj_put(&ds->hdr);
    return n;
}

ACL_FUNC_VISIBILITY const char *acltdtGetDatasetName(const acltdtDataset *dataset)
{
    aclError rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (!ds)
        return NULL;
    const char *name = ds->name; /* lives as long as the dataset */
    hacl_obj_put(&ds->hdr);
    return name;
}

/* ---- channels ---- */

static void msg_free(struct msg *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        item_free(m->items[i]);
    hacl_free(m);
}

static void channel_release(struct hacl_obj *o)
{
    struct acltdtChannelHandle *c = (struct acltdtChannelHandle *)o;
    while (c->head) {
        struct msg *m = c->head;
        c->head = m->next;
        msg_free(m);
    }
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->lock);
    hacl_free(c);
}

static struct acltdtChannelHandle *channel_get(const char *api, const void *h, aclError *rc)
{
    return (struct acltdtChannelHandle *)hacl_handle_checked(api, h, HACL_KIND_TDT_CHANNEL, "TDT channel", rc);
}

static void forget_channels(void);

static acltdtChannelHandle *create_channel(const char *api, uint32_t deviceId, const char *name, size_t capacity)
{
    aclError rc;
    if (!hacl_rt_device(api, (int32_t)deviceId, &rc))
        return NULL;
    if (!name || !*name || strlen(name) > NAME_MAX_LEN) {
        hacl_err(ACL_ERROR_INVALID_PARAM, api, "name must be 1..%d characters", NAME_MAX_LEN);
        return NULL;
    }
    if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
        hacl_err(ACL_ERROR_INVALID_PARAM, api, "capacity %zu is outside %d..%d", capacity, MIN_CAPACITY,
                 MAX_CAPACITY);
        return NULL;
    }
    struct acltdtChannelHandle *c = hacl_calloc(1, sizeof *c);
    if (!c) {
        hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a channel");
        return NULL;
    }
    hacl_obj_init(&c->hdr, HACL_KIND_TDT_CHANNEL, channel_release);
    pthread_mutex_init(&c->lock, NULL);
    hacl_cond_init_monotonic(&c->cv);
    c->cap = capacity;
    c->dev = deviceId;
    strcpy(c->name, name);
    pthread_mutex_lock(&chan_lock);
    struct acltdtChannelHandle *same = channels;
    while (same && (same->dev != deviceId || strcmp(same->name, name)))
        same = same->next;
    if (!same && hacl_handle_register(&c->hdr) == ACL_SUCCESS) {
        c->next = channels;
        channels = c;
        pthread_mutex_unlock(&chan_lock);
        hacl_rt_on_finalize(forget_channels);
        return c;
    }
    pthread_mutex_unlock(&chan_lock);
    if (same)
        hacl_err(ACL_ERROR_INVALID_PARAM, api, "device %u already has a channel named '%s'", deviceId, name);
    else
        hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory creating a channel");
    hacl_obj_put(&c->hdr);
    return NULL;
}

ACL_FUNC_VISIBILITY acltdtChannelHandle *acltdtCreateChannel(uint32_t deviceId, const char *name)
{
    return create_channel(__func__, deviceId, name, DEFAULT_CAPACITY);
}

ACL_FUNC_VISIBILITY acltdtChannelHandle *acltdtCreateChannelWithCapacity(uint32_t deviceId, const char *name,
                                                                         size_t capacity)
{
    return create_channel(__func__, deviceId, name, capacity);
}

static void stop(struct acltdtChannelHandle *c)
{
    pthread_mutex_lock(&c->lock);
    c->stopped = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->lock);
}

/* Unlists, stops and unregisters c; waiters still hold references. */
static void retire(struct acltdtChannelHandle *c)
{
    pthread_mutex_lock(&chan_lock);
    for (struct acltdtChannelHandle **pp = &channels; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    pthread_mutex_unlock(&chan_lock);
    stop(c);
    if (hacl_handle_unregister(&c->hdr))
        hacl_obj_put(&c->hdr);
}

/* aclFinalize: the channels the application left. */
static void forget_channels(void)
{
    for (;;) {
        pthread_mutex_lock(&chan_lock);
        struct acltdtChannelHandle *c = channels;
        if (c)
            hacl_obj_ref(&c->hdr);
        pthread_mutex_unlock(&chan_lock);
        if (!c)
            return;
        retire(c);
        hacl_obj_put(&c->hdr);
    }
}

static void clean(struct acltdtChannelHandle *c)
{
    pthread_mutex_lock(&c->lock);
    struct msg *all = c->head;
    c->head = c->tail = NULL;
    c->count = 0;
    pthread_cond_broadcast(&c->cv); /* room for waiting senders */
    pthread_mutex_unlock(&c->lock);
    while (all) {
        struct msg *m = all;
        all = m->next;
        msg_free(m);
    }
}

/* Runs fn on the live channel behind handle. */
static aclError on_channel(const char *api, acltdtChannelHandle *handle, void (*fn)(struct acltdtChannelHandle *))
{
    aclError rc;
    struct acltdtChannelHandle *c = channel_get(api, handle, &rc);
    if (!c)
        return rc;
    fn(c);
    hacl_obj_put(&c->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acltdtStopChannel(acltdtChannelHandle *handle)
{
    return on_channel(__func__, handle, stop);
}

ACL_FUNC_VISIBILITY aclError acltdtDestroyChannel(acltdtChannelHandle *handle)
{
    return on_channel(__func__, handle, retire);
}

ACL_FUNC_VISIBILITY aclError acltdtCleanChannel(acltdtChannelHandle *handle)
{
    return on_channel(__func__, handle, clean);
}

ACL_FUNC_VISIBILITY aclError acltdtQueryChannelSize(const acltdtChannelHandle *handle, size_t *size)
{
    if (!size)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "size must not be NULL");
    aclError rc;
    struct acltdtChannelHandle *c = channel_get(__func__, handle, &rc);
    if (!c)
        return rc;
    pthread_mutex_lock(&c->lock);
    *size = c->count;
    pthread_mutex_unlock(&c->lock);
    hacl_obj_put(&c->hdr);
    return ACL_SUCCESS;
}

/* Waits (c->lock held) until ready(c) or the timeout or a stop; the code
 * to return (`full_or_empty` on timeout). */
static aclError wait_for(const char *api, struct acltdtChannelHandle *c, int32_t timeout, int sending)
{
    struct timespec deadline = hacl_deadline_us(timeout > 0 ? (uint64_t)timeout * 1000u : 0);
    for (;;) {
        if (c->stopped)
            return hacl_err(ACL_ERROR_FAILURE, api, "channel '%s' was stopped", c->name);
        if (sending ? c->count < c->cap : c->count > 0)
            return ACL_SUCCESS;
        if (timeout == 0 || (timeout > 0 && hacl_deadline_passed(&deadline)))
            return hacl_err(sending ? ACL_ERROR_RT_QUEUE_FULL : ACL_ERROR_RT_QUEUE_EMPTY, api,
                            "channel '%s' stayed %s for %d ms", c->name, sending ? "full" : "empty", (int)timeout);
        if (timeout < 0)
            pthread_cond_wait(&c->cv, &c->lock);
        else
            pthread_cond_timedwait(&c->cv, &c->lock, &deadline);
    }
}

ACL_FUNC_VISIBILITY aclError acltdtSendTensor(const acltdtChannelHandle *handle, const acltdtDataset *dataset,
                                              int32_t timeout)
{
    if (timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %d: use -1 (wait), 0 (never wait) or milliseconds",
                        (int)timeout);
    aclError rc;
    struct acltdtChannelHandle *c = channel_get(__func__, handle, &rc);
    if (!c)
        return rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (!ds) {
        hacl_obj_put(&c->hdr);
        return rc;
    }
    /* copy first: the sender's buffers are free again when this returns */
    pthread_mutex_lock(&ds->lock);
    struct msg *m = hacl_calloc(1, sizeof *m + (ds->n ? ds->n : 1) * sizeof m->items[0]);
    rc = m ? ACL_SUCCESS : ACL_ERROR_BAD_ALLOC;
    for (size_t i = 0; m && i < ds->n && rc == ACL_SUCCESS; i++) {
        const struct acltdtDataItem *it = ds->items[i];
        m->items[i] = item_new(it->type, it->dims, it->ndims, it->dtype, it->data, it->size, 1);
        if (!m->items[i])
            rc = ACL_ERROR_BAD_ALLOC;
        else
            m->n = i + 1;
    }
    size_t nitems = ds->n;
    pthread_mutex_unlock(&ds->lock);
    hacl_obj_put(&ds->hdr);
    if (rc != ACL_SUCCESS) {
        msg_free(m);
        hacl_obj_put(&c->hdr);
        return HACL_ERR(rc, "out of memory copying %zu items", nitems);
    }
    pthread_mutex_lock(&c->lock);
    rc = wait_for(__func__, c, timeout, 1);
    if (rc == ACL_SUCCESS) {
        if (c->tail)
            c->tail->next = m;
        else
            c->head = m;
        c->tail = m;
        c->count++;
        m = NULL;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->lock);
    msg_free(m);
    hacl_obj_put(&c->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError acltdtReceiveTensor(const acltdtChannelHandle *handle, acltdtDataset *dataset,
                                                 int32_t timeout)
{
    if (timeout < -1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeout %d: use -1 (wait), 0 (never wait) or milliseconds",
                        (int)timeout);
    aclError rc;
    struct acltdtChannelHandle *c = channel_get(__func__, handle, &rc);
    if (!c)
        return rc;
    struct acltdtDataset *ds = dataset_get(__func__, dataset, &rc);
    if (ds) {
        pthread_mutex_lock(&ds->lock);
        int mine = 0;
        for (size_t i = 0; i < ds->n; i++)
            mine += !ds->items[i]->owned;
        pthread_mutex_unlock(&ds->lock);
        if (mine)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "the dataset holds %d items of the application's: receive into "
                                                   "an empty dataset",
                          mine);
    }
    struct msg *m = NULL;
    if (rc == ACL_SUCCESS) {
        pthread_mutex_lock(&c->lock);
        rc = wait_for(__func__, c, timeout, 0);
        if (rc == ACL_SUCCESS) {
            m = c->head;
            c->head = m->next;
            if (!c->head)
                c->tail = NULL;
            c->count--;
            pthread_cond_broadcast(&c->cv);
        }
        pthread_mutex_unlock(&c->lock);
    }
    if (m) {
        /* the items become handles of the dataset (its earlier received
         * ones go) */
        size_t reg = 0;
        while (reg < m->n && hacl_handle_register(&m->items[reg]->hdr) == ACL_SUCCESS)
            reg++;
        pthread_mutex_lock(&ds->lock);
        drop_owned(ds);
        if (reg == m->n && ds->cap < m->n) {
            struct acltdtDataItem **ni = hacl_realloc(ds->items, (m->n ? m->n : 1) * sizeof *ni);
            if (ni)
                ds->items = ni, ds->cap = m->n;
        }
        if (reg == m->n && ds->cap >= m->n) {
            for (size_t i = 0; i < m->n; i++)
                hacl_obj_ref(&m->items[i]->hdr); /* the dataset's */
            if (m->n) /* an empty dataset may have no array yet */
                memcpy(ds->items, m->items, m->n * sizeof *ds->items);
            ds->n = m->n;
            strcpy(ds->name, c->name);
            m->n = 0; /* handed over */
        }
        pthread_mutex_unlock(&ds->lock);
        if (m->n) {
            for (size_t i = 0; i < reg; i++) /* nobody knew them yet: msg_free frees them */
                hacl_handle_unregister(&m->items[i]->hdr);
            rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory receiving %zu items (the dataset is lost)", m->n);
        }
        msg_free(m);
    }
    if (ds)
        hacl_obj_put(&ds->hdr);
    hacl_obj_put(&c->hdr);
    return rc;
}
