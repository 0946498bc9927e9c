/*
 * Stream memory operations: aclrtValueWrite stores a 64-bit value in device
 * memory as a stream task; aclrtValueWait is a stream task that waits until
 * a 64-bit word of device memory meets a condition against a value:
 *   ACL_STREAM_WAIT_VALUE_GEQ  word >= value
 *   ACL_STREAM_WAIT_VALUE_EQ   word == value
 *   ACL_STREAM_WAIT_VALUE_AND  (word & value) != 0
 *   ACL_STREAM_WAIT_VALUE_NOR  ~(word | value) != 0
 * A wait that is not met defers (its stream holds no worker) on a list of
 * waiters. The list is checked again when a value write runs, after every
 * copy or fill the runtime makes (synchronous or queued), and by a watcher
 * thread every 200 microseconds while anyone waits, so a plain store by
 * the host is seen too. A forced destroy takes a waiting wait back.
 *
 * Thread: any. Locks: wait_lock is a leaf (taken under a queue lock only by
 * value_cancel); waiters are completed after it is released.
 */
#include <time.h>

#include "device/alloc.h"
#include "device/clock.h"
#include "memory.h"
#include "runtime.h"

#define WATCH_US 200

struct value_task {
    struct hacl_task hdr;
    volatile uint64_t *addr;
    uint64_t value;
    uint32_t flag;
    struct hacl_qnode link; /* in waiters while a wait defers */
    uint64_t deadline_ns;   /* a wait fails with ACL_ERROR_RT_WAIT_TIMEOUT after it; 0: never */
};
_Static_assert(sizeof(struct value_task) <= HACL_TASK_SLOT, "a value task fits in a node");

static pthread_mutex_t wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wait_cv = PTHREAD_COND_INITIALIZER;
static struct hacl_qnode waiters = {&waiters, &waiters};
static _Atomic unsigned nwaiters;
static pthread_t watcher;
static int watcher_started;

static int met(const struct value_task *v)
{
    uint64_t w = __atomic_load_n(v->addr, __ATOMIC_ACQUIRE);
    switch (v->flag) {
    case ACL_STREAM_WAIT_VALUE_GEQ: return w >= v->value;
    case ACL_STREAM_WAIT_VALUE_EQ: return w == v->value;
    case ACL_STREAM_WAIT_VALUE_AND: return (w & v->value) != 0;
    case HACL_VALUE_WAIT_CLEAR: { /* the word is value: this wait takes it (sets it to 0) */
        uint64_t expect = v->value;
        return __atomic_compare_exchange_n(v->addr, &expect, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    default: return ~(w | v->value) != 0; /* NOR */
    }
}

int hacl_value_write_begin(void)
{
    if (atomic_load(&nwaiters) == 0)
        return 0;
    pthread_mutex_lock(&wait_lock);
    return 1;
}

void hacl_value_write_end(int locked)
{
    if (locked)
        pthread_mutex_unlock(&wait_lock);
    hacl_value_recheck();
}

void hacl_value_recheck(void)
{
    if (atomic_load(&nwaiters) == 0)
        return;
    struct hacl_qnode done, expired;
    hacl_queue_init(&done);
    hacl_queue_init(&expired);
    uint64_t now = 0;
    pthread_mutex_lock(&wait_lock);
    struct hacl_qnode *n = waiters.next;
    while (n != &waiters) {
        struct hacl_qnode *next = n->next;
        struct value_task *v = HACL_QUEUE_DATA(n, struct value_task, link);
        int out = met(v) ? 1 : 0;
        if (!out && v->deadline_ns && (now ? now : (now = hacl_now_ns())) >= v->deadline_ns)
            out = 2;
        if (out) {
            hacl_queue_remove(n);
            hacl_queue_push_tail(out == 1 ? &done : &expired, n);
            atomic_fetch_sub(&nwaiters, 1);
        }
        n = next;
    }
    pthread_mutex_unlock(&wait_lock);
    while ((n = hacl_queue_head(&done)) != NULL) {
        hacl_queue_remove(n);
        hacl_task_complete(&HACL_QUEUE_DATA(n, struct value_task, link)->hdr, ACL_SUCCESS);
    }
    while ((n = hacl_queue_head(&expired)) != NULL) {
        hacl_queue_remove(n);
        struct hacl_task *t = &HACL_QUEUE_DATA(n, struct value_task, link)->hdr;
        hacl_task_fail(t, ACL_ERROR_RT_WAIT_TIMEOUT, "the wait's timeout passed");
        hacl_task_complete(t, ACL_ERROR_RT_WAIT_TIMEOUT);
    }
}

/* Sees stores the runtime did not make: polls while anyone waits. */
static void *watch_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&wait_lock);
    for (;;) {
        if (atomic_load(&nwaiters) == 0) {
            pthread_cond_wait(&wait_cv, &wait_lock);
            continue;
        }
        struct timespec ts = hacl_deadline_us(WATCH_US);
        pthread_cond_timedwait(&wait_cv, &wait_lock, &ts);
        pthread_mutex_unlock(&wait_lock);
        hacl_value_recheck();
        pthread_mutex_lock(&wait_lock);
    }
    return NULL;
}

static enum hacl_task_result wait_run(struct hacl_task *t)
{
    struct value_task *v = (struct value_task *)t;
    if (met(v))
        return HACL_TASK_DONE;
    if (v->deadline_ns) /* the timeout counts from here */
        v->deadline_ns += hacl_now_ns();
    pthread_mutex_lock(&wait_lock);
    if (met(v)) { /* written meanwhile */
        pthread_mutex_unlock(&wait_lock);
        return HACL_TASK_DONE;
    }
    hacl_queue_push_tail(&waiters, &v->link);
    atomic_fetch_add(&nwaiters, 1);
    if (!watcher_started && pthread_create(&watcher, NULL, watch_main, NULL) == 0) {
        pthread_detach(watcher);
        pthread_setname_np(watcher, "hacl-valuewatch");
        watcher_started = 1;
    }
    pthread_cond_signal(&wait_cv);
    pthread_mutex_unlock(&wait_lock);
    return HACL_TASK_DEFER; /* v may be completed from here on */
}

static int wait_cancel(struct hacl_task *t)
{
    struct value_task *v = (struct value_task *)t;
    pthread_mutex_lock(&wait_lock);
    int mine = !hacl_queue_empty(&v->link);
    if (mine) {
        hacl_queue_remove(&v->link);
        atomic_fetch_sub(&nwaiters, 1);
    }
    pthread_mutex_unlock(&wait_lock);
    return mine;
}

static enum hacl_task_result write_run(struct hacl_task *t)
{
    struct value_task *v = (struct value_task *)t;
    __atomic_store_n(v->addr, v->value, __ATOMIC_RELEASE);
    hacl_value_recheck();
    return HACL_TASK_DONE;
}

static aclError wait_replay(struct hacl_task *t)
{
    hacl_queue_init(&((struct value_task *)t)->link);
    return ACL_SUCCESS;
}

static const struct hacl_task_ops wait_ops = {.what = "value wait",
                                              .flags = HACL_TASK_INLINE,
                                              .run = wait_run,
                                              .cancel = wait_cancel,
                                              .capture = hacl_task_capture_plain,
                                              .replay = wait_replay};
static const struct hacl_task_ops write_ops = {.what = "value write",
                                               .flags = HACL_TASK_INLINE | HACL_TASK_WORK,
                                               .run = write_run,
                                               .capture = hacl_task_capture_plain};

static enum hacl_task_result add_run(struct hacl_task *t)
{
    struct value_task *v = (struct value_task *)t;
    __atomic_fetch_add(v->addr, v->value, __ATOMIC_RELEASE);
    hacl_value_recheck();
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops add_ops = {.what = "value add",
                                             .flags = HACL_TASK_INLINE,
                                             .run = add_run,
                                             .capture = hacl_task_capture_plain};

/* Queues a task of kind ops on s over a word the runtime owns (shared
 * memory of an IPC event or notify): no device-memory check. */
static aclError queue_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t value,
                           uint32_t flag, const struct hacl_task_ops *ops, uint64_t timeout_ns)
{
    aclError rc;
    struct value_task *v = HACL_STREAM_TASK(api, s, struct value_task, ops, &rc);
    if (!v)
        return rc;
    v->addr = addr;
    v->value = value;
    v->flag = flag;
    v->deadline_ns = timeout_ns; /* relative until the wait runs */
    hacl_queue_init(&v->link);
    return hacl_stream_submit(api, s, &v->hdr);
}

aclError hacl_value_wait_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t value,
                              uint32_t flag, uint64_t timeout_ns)
{
    return queue_word(api, s, addr, value, flag, &wait_ops, timeout_ns);
}

aclError hacl_value_add_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t delta)
{
    return queue_word(api, s, addr, delta, 0, &add_ops, 0);
}

aclError hacl_value_set_word(const char *api, struct hacl_stream *s, volatile uint64_t *addr, uint64_t value)
{
    return queue_word(api, s, addr, value, 0, &write_ops, 0);
}

static aclError queue_value(const char *api, void *devAddr, uint64_t value, uint32_t flag, aclrtStream stream,
                            const struct hacl_task_ops *ops)
{
    if (!devAddr)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "devAddr must not be NULL");
    if ((uintptr_t)devAddr % sizeof(uint64_t))
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "devAddr %p is not aligned to 8 bytes", devAddr);
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_ptrinfo pi;
    hacl_mem_classify(devAddr, &pi);
    if (pi.where != HACL_PTR_DEVICE || !hacl_mem_range_ok(devAddr, sizeof(uint64_t), &pi))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%p is not 8 bytes of device memory", devAddr);
    struct hacl_stream *s = hacl_stream_get(api, stream, &rc);
    if (!s)
        return rc;
    struct value_task *v = HACL_STREAM_TASK(api, s, struct value_task, ops, &rc);
    if (v) {
        v->addr = devAddr;
        v->value = value;
        v->flag = flag;
        hacl_queue_init(&v->link);
        rc = hacl_stream_submit(api, s, &v->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtValueWrite(void *devAddr, uint64_t value, uint32_t flag, aclrtStream stream)
{
    if (flag != 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag is reserved and must be 0 (got %u)", flag);
    return queue_value(__func__, devAddr, value, 0, stream, &write_ops);
}

ACL_FUNC_VISIBILITY aclError aclrtValueWait(void *devAddr, uint64_t value, uint32_t flag, aclrtStream stream)
{
    if (flag > ACL_STREAM_WAIT_VALUE_NOR)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "flag %u is not an ACL_STREAM_WAIT_VALUE_* mode", flag);
    return queue_value(__func__, devAddr, value, flag, stream, &wait_ops);
}
