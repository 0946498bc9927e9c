/*
 * Model subscriptions (acl/acl_prof.h): per-operator timings of every
 * execution of a subscribed model, written as fixed-size records into the
 * application's pipe, read back with the aclprofGetOp* calls.
 *
 * The compute thread hands each execution's step times (model/, through
 * hacl_model_set_observer) to on_execution, which formats the records and
 * queues them; a writer thread writes them out in whole records of at
 * most PIPE_BUF bytes (so a reader reading multiples of the record size
 * always gets whole records) and never blocks the compute thread. A pipe
 * nobody reads holds back at most QUEUE_CAP bytes; later records are
 * dropped with a warning. aclprofModelUnSubscribe waits (up to
 * DRAIN_MS) for its records to be written, then closes the write end once
 * no subscription uses it, so the reader sees end of file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "acl/acl_prof.h"
#include "device/alloc.h"
#include "device/clock.h"
#include "model/model.h"
#include "model/prog.h"
#include "prof_impl.h"
#include "runtime/runtime.h"

#define RECORD_MAGIC 0x504f4148u /* "HAOP" */
#define QUEUE_CAP ((size_t)64 << 20)
#define DRAIN_MS 5000
#define MAX_SUBS 1024

/* One operator of one execution, as written into the pipe. */
struct op_record {
    uint32_t magic;
    uint32_t model_id;
    uint32_t flag; /* aclprofSubscribeOpFlag */
    uint32_t thread_id;
    uint64_t start_us, end_us, duration_us;
    char type[ACL_PROF_MAX_OP_TYPE_LEN];
    char name[ACL_PROF_MAX_OP_NAME_LEN];
    char thread_text[22]; /* thread_id as text, for aclprofGetOpAttriValue */
};
_Static_assert(sizeof(struct op_record) % 8 == 0, "records stay aligned back to back");
#define RECORDS_PER_WRITE (PIPE_BUF / sizeof(struct op_record))

struct aclprofSubscribeConfig {
    struct hacl_obj hdr;
    int fd;
    aclprofAicoreMetrics metrics;
};

struct sub {
    uint32_t model_id;
    int fd;
    int live;
};

/* A block of records waiting for the writer. */
struct block {
    struct block *next;
    int fd;
    size_t len, off;
    unsigned char data[];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static pthread_once_t cv_once = PTHREAD_ONCE_INIT;
static void cv_init(void) { hacl_cond_init_monotonic(&cv); }
static struct sub subs[MAX_SUBS];
static size_t nsubs; /* live ones */
static struct block *head, *tail;
static size_t queued;
static int writing_fd = -1; /* the fd of the block being written */
static int abandon_fd = -1; /* the writer is to give that fd's block up */
static int writer_running, warned_full;
static pthread_t writer;
/* ids registered without a loaded model (MsprofSetDeviceIdByGeModelIdx) */
static uint32_t known[MAX_SUBS];
static size_t nknown;

static void config_release(struct hacl_obj *o) { hacl_free(o); }

MSVP_PROF_API aclprofSubscribeConfig *aclprofCreateSubscribeConfig(int8_t timeInfoSwitch,
                                                                   aclprofAicoreMetrics aicoreMetrics, void *fd)
{
    if (timeInfoSwitch != 1) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "timeInfoSwitch must be 1 (got %d): time information is what is sent",
                 (int)timeInfoSwitch);
        return NULL;
    }
    if ((aicoreMetrics < ACL_AICORE_ARITHMETIC_UTILIZATION || aicoreMetrics > ACL_AICORE_MEMORY_ACCESS) &&
        aicoreMetrics != ACL_AICORE_NONE) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "aicoreMetrics %d is not an aclprofAicoreMetrics", (int)aicoreMetrics);
        return NULL;
    }
    if (!fd) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "fd must point at the pipe's write end");
        return NULL;
    }
    int f = *(const int *)fd;
    int fl = f >= 0 ? fcntl(f, F_GETFL) : -1;
    if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "*fd (%d) is not a descriptor open for writing", f);
        return NULL;
    }
    struct aclprofSubscribeConfig *c = hacl_calloc(1, sizeof *c);
    if (!c) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory for a subscription config");
        return NULL;
    }
    c->fd = f;
    c->metrics = aicoreMetrics;
    hacl_obj_init(&c->hdr, HACL_KIND_PROF_SUBSCRIBE_CONFIG, config_release);
    if (hacl_handle_register(&c->hdr) != ACL_SUCCESS) {
        hacl_free(c);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory to register a subscription config");
        return NULL;
    }
    return c;
}

MSVP_PROF_API aclError aclprofDestroySubscribeConfig(const aclprofSubscribeConfig *profSubscribeConfig)
{
    aclError rc;
    struct hacl_obj *o = hacl_handle_checked(__func__, profSubscribeConfig, HACL_KIND_PROF_SUBSCRIBE_CONFIG,
                                             "subscription config (aclprofCreateSubscribeConfig)", &rc);
    if (!o)
        return rc;
    if (hacl_handle_unregister(o))
        hacl_obj_put(o);
    hacl_obj_put(o);
    return ACL_SUCCESS;
}

/* ---- the writer ---- */

/* Writes all of b, or gives up when the fd breaks. Called without lock. */
static void write_block(struct block *b)
{
    while (b->off < b->len) {
        size_t n = b->len - b->off, cap = RECORDS_PER_WRITE * sizeof(struct op_record);
        if (n > cap)
            n = cap;
        struct pollfd p = {b->fd, POLLOUT, 0};
        int pr = poll(&p, 1, 100);
        if (pr == 0) { /* the reader is slow: see whether the block was abandoned */
            pthread_mutex_lock(&lock);
            int abandon = abandon_fd == b->fd;
            pthread_mutex_unlock(&lock);
            if (abandon)
                return;
            continue;
        }
        if (pr < 0 && errno == EINTR)
            continue;
        ssize_t w = pr > 0 ? write(b->fd, b->data + b->off, n) : -1;
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0) {
            hacl_log(ACL_WARNING, "profiling subscription: writing to fd %d failed (%s); its records are dropped",
                     b->fd, strerror(errno));
            return;
        }
        b->off += (size_t)w;
    }
}

static void *writer_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head && writer_running)
            pthread_cond_wait(&cv, &lock);
        if (!head)
            break;
        struct block *b = head;
        head = b->next;
        if (!head)
            tail = NULL;
        writing_fd = b->fd;
        pthread_mutex_unlock(&lock);
        write_block(b);
        pthread_mutex_lock(&lock);
        queued -= b->len;
        writing_fd = -1;
        hacl_free(b);
        pthread_cond_broadcast(&cv);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

static struct sub *find_locked(uint32_t id)
{
    for (size_t i = 0; i < MAX_SUBS; i++)
        if (subs[i].live && subs[i].model_id == id)
            return &subs[i];
    return NULL;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;
    memcpy(dst, src ? src : "", n);
    memset(dst + n, 0, cap - n);
}

/* On the compute thread, after each execution of any model. */
static void on_execution(uint32_t model_id, const struct hacl_op_time *ops, size_t n)
{
    pthread_mutex_lock(&lock);
    struct sub *s = find_locked(model_id);
    int fd = s ? s->fd : -1;
    pthread_mutex_unlock(&lock);
    if (fd < 0 || n == 0)
        return;
    struct block *b = hacl_malloc(sizeof *b + n * sizeof(struct op_record));
    if (!b)
        return;
    b->next = NULL;
    b->fd = fd;
    b->len = n * sizeof(struct op_record);
    b->off = 0;
    uint32_t tid = (uint32_t)syscall(SYS_gettid);
    for (size_t i = 0; i < n; i++) {
        struct op_record r;
        memset(&r, 0, sizeof r);
        r.magic = RECORD_MAGIC;
        r.model_id = model_id;
        r.flag = ACL_SUBSCRIBE_OP;
        r.thread_id = tid;
        uint64_t ns = ops[i].end_ns > ops[i].start_ns ? ops[i].end_ns - ops[i].start_ns : 0;
        r.start_us = ops[i].start_ns / 1000;
        r.duration_us = (ns + 999) / 1000; /* rounded up: a real operator never reads as 0 (failure) */
        r.end_us = r.start_us + r.duration_us;
        copy_text(r.type, sizeof r.type, ops[i].type && *ops[i].type ? ops[i].type : "Unknown");
        copy_text(r.name, sizeof r.name, ops[i].name && *ops[i].name ? ops[i].name : "(unnamed)");
        snprintf(r.thread_text, sizeof r.thread_text, "%u", tid);
        memcpy(b->data + i * sizeof r, &r, sizeof r);
    }
    pthread_mutex_lock(&lock);
    if (!find_locked(model_id) || queued + b->len > QUEUE_CAP) {
        if (find_locked(model_id) && !warned_full++)
            hacl_log(ACL_WARNING, "profiling subscription: %zu bytes of records are waiting for a reader; later "
                                  "records are dropped until it reads",
                     queued);
        pthread_mutex_unlock(&lock);
        hacl_free(b);
        return;
    }
    if (tail)
        tail->next = b;
    else
        head = b;
    tail = b;
    queued += b->len;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&lock);
}

/* 1 when fd has records queued or being written. Caller holds lock. */
static int fd_busy_locked(int fd)
{
    if (writing_fd == fd)
        return 1;
    for (struct block *b = head; b; b = b->next)
        if (b->fd == fd)
            return 1;
    return 0;
}

/* Ends subscription s: its records are written (or, after DRAIN_MS,
 * dropped), and its fd closed when no other subscription uses it. Caller
 * holds lock. */
static void end_locked(struct sub *s)
{
    int fd = s->fd;
    s->live = 0;
    nsubs--;
    int shared = 0;
    for (size_t i = 0; i < MAX_SUBS; i++)
        shared |= subs[i].live && subs[i].fd == fd;
    if (shared)
        return;
    uint64_t until = hacl_now_ns() + (uint64_t)DRAIN_MS * 1000000u;
    while (fd_busy_locked(fd) && hacl_now_ns() < until) {
        struct timespec d = hacl_deadline_us(20000);
        pthread_cond_timedwait(&cv, &lock, &d);
    }
    if (fd_busy_locked(fd)) { /* nobody reads: drop what is left */
        hacl_log(ACL_WARNING, "profiling subscription: records for fd %d were not read within %d ms; dropped", fd,
                 DRAIN_MS);
        struct block **p = &head;
        tail = NULL;
        while (*p) {
            if ((*p)->fd == fd) {
                struct block *b = *p;
                *p = b->next;
                queued -= b->len;
                hacl_free(b);
            } else {
                tail = *p;
                p = &(*p)->next;
            }
        }
        abandon_fd = fd; /* the writer gives up at its next poll */
        while (writing_fd == fd) {
            struct timespec d = hacl_deadline_us(20000);
            pthread_cond_timedwait(&cv, &lock, &d);
        }
        abandon_fd = -1;
    }
    close(fd);
}

static void stop_writer_locked(void)
{
    if (!writer_running || nsubs)
        return;
    writer_running = 0;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&lock);
    pthread_join(writer, NULL);
    pthread_mutex_lock(&lock);
}

static void at_finalize(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < MAX_SUBS; i++)
        if (subs[i].live)
            end_locked(&subs[i]);
    stop_writer_locked();
    pthread_mutex_unlock(&lock);
    hacl_model_set_observer(NULL);
    hacl_prof_claim(HACL_PROF_SUBSCRIBE, HACL_PROF_OFF);
}

static int known_id_locked(uint32_t id)
{
    for (size_t i = 0; i < nknown; i++)
        if (known[i] == id)
            return 1;
    return 0;
}

/* Profiling's registration of a model id with its device, made by the
 * model loader upstream (CANN's samples call it to subscribe without a
 * model): the id may then be subscribed. 0, or -1 when the table is full. */
__attribute__((visibility("default"))) int32_t MsprofSetDeviceIdByGeModelIdx(const uint32_t geModelIdx,
                                                                             const uint32_t deviceId)
{
    (void)deviceId;
    pthread_mutex_lock(&lock);
    int rc = 0;
    if (!known_id_locked(geModelIdx)) {
        if (nknown < MAX_SUBS)
            known[nknown++] = geModelIdx;
        else
            rc = -1;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

MSVP_PROF_API aclError aclprofModelSubscribe(uint32_t modelId, const aclprofSubscribeConfig *profSubscribeConfig)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct aclprofSubscribeConfig *c = (struct aclprofSubscribeConfig *)hacl_handle_checked(
        __func__, profSubscribeConfig, HACL_KIND_PROF_SUBSCRIBE_CONFIG,
        "subscription config (aclprofCreateSubscribeConfig)", &rc);
    if (!c)
        return rc == ACL_ERROR_INVALID_RESOURCE_HANDLE ? hacl_err(ACL_ERROR_INVALID_PARAM, __func__,
                                                                  "%p is not a subscription config",
                                                                  (const void *)profSubscribeConfig)
                                                       : rc;
    int was = hacl_prof_claim(HACL_PROF_OFF, HACL_PROF_SUBSCRIBE);
    if (was == HACL_PROF_CONFIG || was == HACL_PROF_API) {
        hacl_obj_put(&c->hdr);
        return was == HACL_PROF_CONFIG
                   ? HACL_ERR(ACL_ERROR_PROF_ALREADY_RUN, "profiling is driven by the aclInit configuration")
                   : HACL_ERR(ACL_ERROR_PROF_API_CONFLICT,
                              "a collection (aclprofInit .. aclprofFinalize) is in use; subscriptions cannot be "
                              "mixed with it");
    }
    pthread_once(&cv_once, cv_init);
    if (hacl_rt_on_finalize(at_finalize) != 0) {
        hacl_obj_put(&c->hdr);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "no room to register the subscription teardown");
    }
    pthread_mutex_lock(&lock);
    struct sub *free_slot = NULL;
    for (size_t i = 0; i < MAX_SUBS && !free_slot; i++)
        if (!subs[i].live)
            free_slot = &subs[i];
    if (find_locked(modelId)) {
        rc = HACL_ERR(ACL_ERROR_PROF_REPEAT_SUBSCRIBE, "model %u is already subscribed", modelId);
    } else if (!hacl_model_loaded(modelId) && !known_id_locked(modelId)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model %u is not loaded", modelId);
    } else if (!free_slot) {
        rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "%d models are subscribed already", MAX_SUBS);
    } else if (!writer_running && pthread_create(&writer, NULL, writer_main, NULL) != 0) {
        rc = HACL_ERR(ACL_ERROR_FAILURE, "cannot start the subscription writer thread");
    } else {
        writer_running = 1;
        *free_slot = (struct sub){modelId, c->fd, 1};
        nsubs++;
        warned_full = 0;
    }
    int none = nsubs == 0;
    pthread_mutex_unlock(&lock);
    if (rc == ACL_SUCCESS)
        hacl_model_set_observer(on_execution);
    else if (none)
        hacl_prof_claim(HACL_PROF_SUBSCRIBE, HACL_PROF_OFF);
    hacl_obj_put(&c->hdr);
    return rc;
}

MSVP_PROF_API aclError aclprofModelUnSubscribe(uint32_t modelId)
{
    int mode = hacl_prof_mode();
    if (mode == HACL_PROF_CONFIG)
        return HACL_ERR(ACL_ERROR_PROF_ALREADY_RUN, "profiling is driven by the aclInit configuration");
    if (mode == HACL_PROF_API)
        return HACL_ERR(ACL_ERROR_PROF_API_CONFLICT,
                        "a collection (aclprofInit .. aclprofFinalize) is in use; subscriptions cannot be mixed with it");
    pthread_mutex_lock(&lock);
    struct sub *s = find_locked(modelId);
    if (!s) {
        pthread_mutex_unlock(&lock);
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model %u is not subscribed", modelId);
    }
    end_locked(s);
    int none = nsubs == 0;
    if (none)
        stop_writer_locked();
    pthread_mutex_unlock(&lock);
    if (none) {
        hacl_model_set_observer(NULL);
        hacl_prof_claim(HACL_PROF_SUBSCRIBE, HACL_PROF_OFF);
    }
    return ACL_SUCCESS;
}

/* ---- reading records ---- */

MSVP_PROF_API aclError aclprofGetOpDescSize(size_t *opDescSize)
{
    if (!opDescSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "opDescSize must not be NULL");
    *opDescSize = sizeof(struct op_record);
    return ACL_SUCCESS;
}

/* Record index of the buffer, or NULL with the error recorded. */
static const struct op_record *record(const char *api, const void *opInfo, size_t opInfoLen, uint32_t index,
                                      aclError *rc)
{
    *rc = ACL_ERROR_INVALID_PARAM;
    if (!opInfo) {
        hacl_err(*rc, api, "opInfo must not be NULL");
        return NULL;
    }
    if (opInfoLen == 0 || opInfoLen % sizeof(struct op_record)) {
        hacl_err(*rc, api, "opInfoLen %zu is not a positive multiple of the record size %zu", opInfoLen,
                 sizeof(struct op_record));
        return NULL;
    }
    if (index >= opInfoLen / sizeof(struct op_record)) {
        hacl_err(*rc, api, "index %u is past the %zu record(s) of the buffer", index,
                 opInfoLen / sizeof(struct op_record));
        return NULL;
    }
    const struct op_record *r = (const struct op_record *)((const char *)opInfo + index * sizeof *r);
    uint32_t magic;
    memcpy(&magic, &r->magic, sizeof magic);
    if (magic != RECORD_MAGIC || r->type[sizeof r->type - 1] || r->name[sizeof r->name - 1] ||
        r->thread_text[sizeof r->thread_text - 1]) {
        hacl_err(*rc, api, "record %u is not an operator record from a subscription", index);
        return NULL;
    }
    *rc = ACL_SUCCESS;
    return r;
}

MSVP_PROF_API aclError aclprofGetOpNum(const void *opInfo, size_t opInfoLen, uint32_t *opNumber)
{
    if (!opNumber)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "opNumber must not be NULL");
    aclError rc;
    if (!record(__func__, opInfo, opInfoLen, 0, &rc))
        return rc;
    *opNumber = (uint32_t)(opInfoLen / sizeof(struct op_record));
    return ACL_SUCCESS;
}

MSVP_PROF_API aclError aclprofGetOpTypeLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opTypeLen)
{
    if (!opTypeLen)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "opTypeLen must not be NULL");
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    if (r)
        *opTypeLen = strlen(r->type) + 1;
    return rc;
}

MSVP_PROF_API aclError aclprofGetOpNameLen(const void *opInfo, size_t opInfoLen, uint32_t index, size_t *opNameLen)
{
    if (!opNameLen)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "opNameLen must not be NULL");
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    if (r)
        *opNameLen = strlen(r->name) + 1;
    return rc;
}

static aclError copy_out(const char *api, const char *src, char *dst, size_t cap)
{
    if (!dst)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the output buffer must not be NULL");
    size_t n = strlen(src) + 1;
    if (cap < n)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the output buffer holds %zu bytes; %zu are needed", cap, n);
    memcpy(dst, src, n);
    return ACL_SUCCESS;
}

MSVP_PROF_API aclError aclprofGetOpType(const void *opInfo, size_t opInfoLen, uint32_t index, char *opType,
                                        size_t opTypeLen)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? copy_out(__func__, r->type, opType, opTypeLen) : rc;
}

MSVP_PROF_API aclError aclprofGetOpName(const void *opInfo, size_t opInfoLen, uint32_t index, char *opName,
                                        size_t opNameLen)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? copy_out(__func__, r->name, opName, opNameLen) : rc;
}

MSVP_PROF_API uint64_t aclprofGetOpStart(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? r->start_us : 0;
}

MSVP_PROF_API uint64_t aclprofGetOpEnd(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? r->end_us : 0;
}

MSVP_PROF_API uint64_t aclprofGetOpDuration(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? r->duration_us : 0;
}

MSVP_PROF_API size_t aclprofGetModelId(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? r->model_id : (size_t)-1;
}

MSVP_PROF_API aclprofSubscribeOpFlag aclprofGetOpFlag(const void *opInfo, size_t opInfoLen, uint32_t index)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    return r ? (aclprofSubscribeOpFlag)r->flag : ACL_SUBSCRIBE_NONE;
}

MSVP_PROF_API const char *aclprofGetOpAttriValue(const void *opInfo, size_t opInfoLen, uint32_t index,
                                                 aclprofSubscribeOpAttri attri)
{
    aclError rc;
    const struct op_record *r = record(__func__, opInfo, opInfoLen, index, &rc);
    if (!r)
        return NULL;
    if (attri != ACL_SUBSCRIBE_ATTRI_THREADID) {
        HACL_ERR(ACL_ERROR_INVALID_PARAM, "attri %d is not ACL_SUBSCRIBE_ATTRI_THREADID", (int)attri);
        return NULL;
    }
    return r->thread_text;
}
