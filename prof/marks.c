/*
 * Marks and ranges (msproftx) and steps (acl/acl_prof.h).
 *
 * A stamp carries a message; aclprofMark puts it on the calling thread's
 * row as an instant, aclprofPush/aclprofPop make nested slices of the
 * calling thread, aclprofRangeStart/Stop an asynchronous range that may
 * stop on another thread, aclprofMarkEx a mark on the host and, in stream
 * order, on the stream (an arrow joins them). Steps are ranges numbered in
 * creation order.
 *
 * When no recording takes marks, every call still checks its arguments
 * and succeeds without recording: marks left in production code cost a
 * branch (docs/semantics.md, "Profiling").
 */
#include <stdio.h>
#include <string.h>

#include "acl/acl_prof.h"
#include "device/alloc.h"
#include "device/trace.h"
#include "prof_impl.h"
#include "runtime/runtime.h"

#define MAX_MSG 128 /* messages are shorter */
#define MAX_DEPTH 256

struct stamp {
    struct hacl_obj hdr;
    char msg[MAX_MSG];
};

struct aclprofStepInfo {
    struct hacl_obj hdr;
    uint32_t index;
    int started, ended;
    unsigned gen; /* the recording its start went to */
};

static _Atomic uint32_t next_range = 1, next_step;

/* Push/pop: the calling thread's open slices. */
struct open_slice {
    const char *name;
    uint64_t t0;
    unsigned gen;
};
static __thread struct open_slice stack[MAX_DEPTH];
static __thread unsigned depth;

static void obj_free(struct hacl_obj *o) { hacl_free(o); }

MSVP_PROF_API void *aclprofCreateStamp(void)
{
    struct stamp *s = hacl_calloc(1, sizeof *s);
    if (!s) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory for a stamp");
        return NULL;
    }
    hacl_obj_init(&s->hdr, HACL_KIND_PROF_STAMP, obj_free);
    if (hacl_handle_register(&s->hdr) != ACL_SUCCESS) {
        hacl_free(s);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory to register a stamp");
        return NULL;
    }
    return s;
}

static struct stamp *stamp_get(const char *api, const void *h, aclError *rc)
{
    return (struct stamp *)hacl_handle_checked(api, h, HACL_KIND_PROF_STAMP, "stamp (aclprofCreateStamp)", rc);
}

MSVP_PROF_API void aclprofDestroyStamp(void *stamp)
{
    aclError rc;
    struct stamp *s = stamp_get(__func__, stamp, &rc);
    if (!s)
        return;
    if (hacl_handle_unregister(&s->hdr))
        hacl_obj_put(&s->hdr);
    hacl_obj_put(&s->hdr);
}

MSVP_PROF_API aclError aclprofSetStampTraceMessage(void *stamp, const char *msg, uint32_t msgLen)
{
    if (!msg)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "msg must not be NULL");
    if (msgLen >= MAX_MSG)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "msgLen %u must be less than %d", msgLen, MAX_MSG);
    aclError rc;
    struct stamp *s = stamp_get(__func__, stamp, &rc);
    if (!s)
        return rc;
    size_t n = strnlen(msg, msgLen);
    memcpy(s->msg, msg, n);
    s->msg[n] = '\0';
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

/* The stamp's message, interned for the recording (or NULL when no
 * recording takes marks). */
static const char *stamp_name(const struct stamp *s)
{
    if (!hacl_tracing_of(HACL_TRACE_MARKS))
        return NULL;
    return hacl_trace_intern(s->msg[0] ? s->msg : "(stamp)");
}

MSVP_PROF_API aclError aclprofMark(void *stamp)
{
    aclError rc;
    struct stamp *s = stamp_get(__func__, stamp, &rc);
    if (!s)
        return rc;
    const char *name = stamp_name(s);
    if (name)
        hacl_trace_instant(hacl_trace_self_pid(), hacl_trace_self(), name, "msproftx", hacl_trace_now());
    hacl_obj_put(&s->hdr);
    return ACL_SUCCESS;
}

static aclError push_named(const char *api, const char *name)
{
    if (depth == MAX_DEPTH)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "more than %d nested ranges on this thread", MAX_DEPTH);
    stack[depth++] = (struct open_slice){name, hacl_trace_now(), hacl_trace_generation()};
    return ACL_SUCCESS;
}

static aclError pop_named(const char *api)
{
    if (depth == 0)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "no range of this thread is open (push first)");
    struct open_slice o = stack[--depth];
    if (o.name && hacl_tracing_of(HACL_TRACE_MARKS) && hacl_trace_generation() == o.gen)
        hacl_trace_slice(hacl_trace_self_pid(), hacl_trace_self(), o.name, "msproftx", o.t0, hacl_trace_now(), NULL,
                         0);
    return ACL_SUCCESS;
}

MSVP_PROF_API aclError aclprofPush(void *stamp)
{
    aclError rc;
    struct stamp *s = stamp_get(__func__, stamp, &rc);
    if (!s)
        return rc;
    rc = push_named(__func__, stamp_name(s));
    hacl_obj_put(&s->hdr);
    return rc;
}

MSVP_PROF_API aclError aclprofPop(void) { return pop_named(__func__); }

/* Open cross-thread ranges: id -> name (a small table; ranges are few). */
#define MAX_RANGES 4096
static pthread_mutex_t range_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    uint32_t id;
    const char *name;
    unsigned gen;
} ranges[MAX_RANGES];

MSVP_PROF_API aclError aclprofRangeStart(void *stamp, uint32_t *rangeId)
{
    if (!rangeId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "rangeId must not be NULL");
    aclError rc;
    struct stamp *s = stamp_get(__func__, stamp, &rc);
    if (!s)
        return rc;
    const char *name = stamp_name(s);
    hacl_obj_put(&s->hdr);
    uint32_t id = atomic_fetch_add(&next_range, 1);
    if (id == 0)
        id = atomic_fetch_add(&next_range, 1);
    pthread_mutex_lock(&range_lock);
    size_t slot = MAX_RANGES;
    for (size_t i = 0; i < MAX_RANGES && slot == MAX_RANGES; i++)
        if (!ranges[i].id)
            slot = i;
    if (slot == MAX_RANGES) {
        pthread_mutex_unlock(&range_lock);
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "%d ranges are open; stop some first", MAX_RANGES);
    }
    ranges[slot].id = id;
    ranges[slot].name = name;
    ranges[slot].gen = hacl_trace_generation();
    if (name)
        hacl_trace_async(HACL_TRACE_HOST, id, name, "msproftx", hacl_trace_now(), 1);
    pthread_mutex_unlock(&range_lock);
    *rangeId = id;
    return ACL_SUCCESS;
}

MSVP_PROF_API aclError aclprofRangeStop(uint32_t rangeId)
{
    pthread_mutex_lock(&range_lock);
    for (size_t i = 0; i < MAX_RANGES; i++) {
        if (rangeId && ranges[i].id == rangeId) {
            /* its name was interned for the recording that saw it begin:
             * only that recording gets the end */
            if (ranges[i].name && hacl_tracing_of(HACL_TRACE_MARKS) && hacl_trace_generation() == ranges[i].gen)
                hacl_trace_async(HACL_TRACE_HOST, rangeId, ranges[i].name, "msproftx", hacl_trace_now(), 0);
            ranges[i].id = 0;
            pthread_mutex_unlock(&range_lock);
            return ACL_SUCCESS;
        }
    }
    pthread_mutex_unlock(&range_lock);
    return HACL_ERR(ACL_ERROR_INVALID_PARAM, "range %u is not open (aclprofRangeStart)", rangeId);
}

MSVP_PROF_API uint64_t aclprofStr2Id(const char *message)
{
    if (!message)
        return 0;
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a: the same string, the same id, in every process */
    for (const unsigned char *p = (const unsigned char *)message; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h ? h : 1;
}

MSVP_PROF_API aclError aclprofRangePushEx(aclprofEventAttributes *attr)
{
    if (!attr)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "attr must not be NULL");
    if (attr->version < 1 || attr->size < sizeof(aclprofEventAttributes))
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "attr has version %u and size %u (version >= 1, size >= %zu)",
                        attr->version, attr->size, sizeof(aclprofEventAttributes));
    if (attr->messageType != ACL_PROF_MESSAGE_TYPE_TENSOR_INFO)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "messageType %u is not ACL_PROF_MESSAGE_TYPE_TENSOR_INFO",
                        attr->messageType);
    const aclprofTensorInfo *ti = attr->message.tensorInfo;
    if (!ti)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "message.tensorInfo must not be NULL");
    if (ti->tensorNum && !ti->tensors)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "tensorInfo lists %u tensors but tensors is NULL", ti->tensorNum);
    for (uint32_t i = 0; i < ti->tensorNum; i++)
        if (ti->tensors[i].shapeDim > ACL_PROF_TENSOR_DATA_SHAPE_LEN)
            return HACL_ERR(ACL_ERROR_INVALID_PARAM, "tensor %u has %u dimensions (at most %d)", i,
                            ti->tensors[i].shapeDim, ACL_PROF_TENSOR_DATA_SHAPE_LEN);
    const char *name = NULL;
    if (hacl_tracing_of(HACL_TRACE_MARKS)) { /* "op <name id> (<n> tensors: d0xd1..., ...)" */
        char label[256];
        int k = snprintf(label, sizeof label, "op %016llx (%u tensors", (unsigned long long)ti->opNameId,
                         ti->tensorNum);
        for (uint32_t i = 0; i < ti->tensorNum && k > 0 && (size_t)k < sizeof label - 32; i++) {
            k += snprintf(label + k, sizeof label - (size_t)k, i ? ", " : ": ");
            for (uint32_t d = 0; d < ti->tensors[i].shapeDim && (size_t)k < sizeof label - 16; d++)
                k += snprintf(label + k, sizeof label - (size_t)k, d ? "x%u" : "%u", ti->tensors[i].shape[d]);
        }
        if (k > 0 && (size_t)k < sizeof label - 2)
            snprintf(label + k, sizeof label - (size_t)k, ")");
        name = hacl_trace_intern(label);
    }
    return push_named(__func__, name);
}

MSVP_PROF_API aclError aclprofRangePop(void) { return pop_named(__func__); }

/* ---- aclprofMarkEx: a mark in stream order ---- */

struct mark_task {
    struct hacl_task hdr;
    const char *name; /* interned, NULL when not recording */
    unsigned gen;
};

static enum hacl_task_result mark_run(struct hacl_task *t)
{
    struct mark_task *m = (struct mark_task *)t;
    if (m->name && hacl_trace_generation() == m->gen && hacl_tracing_of(HACL_TRACE_MARKS))
        hacl_trace_instant(t->q->trace_pid, t->q->trace_tid, m->name, "msproftx", hacl_trace_now());
    return HACL_TASK_DONE;
}

static const struct hacl_task_ops mark_ops = {
    .what = "msproftx mark", .flags = HACL_TASK_INLINE, .run = mark_run, .capture = hacl_task_capture_plain};

MSVP_PROF_API aclError aclprofMarkEx(const char *msg, size_t msgLen, aclrtStream stream)
{
    if (!msg)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "msg must not be NULL");
    if (msgLen < 1 || msgLen >= MAX_MSG || strnlen(msg, msgLen) != msgLen)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "msgLen %zu must be msg's length, 1 to %d", msgLen, MAX_MSG - 1);
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_stream *s = hacl_stream_get(__func__, stream, &rc);
    if (!s)
        return rc;
    struct mark_task *m = HACL_STREAM_TASK(__func__, s, struct mark_task, &mark_ops, &rc);
    if (m) {
        if (hacl_tracing_of(HACL_TRACE_MARKS)) {
            char text[MAX_MSG];
            memcpy(text, msg, msgLen);
            text[msgLen] = '\0';
            m->gen = hacl_trace_generation();
            m->name = hacl_trace_intern(text);
            hacl_trace_instant(hacl_trace_self_pid(), hacl_trace_self(), m->name, "msproftx", hacl_trace_now());
        }
        rc = hacl_stream_submit(__func__, s, &m->hdr);
    }
    hacl_obj_put(&s->hdr);
    return rc;
}

/* ---- steps ---- */

MSVP_PROF_API aclprofStepInfo *aclprofCreateStepInfo(void)
{
    struct aclprofStepInfo *st = hacl_calloc(1, sizeof *st);
    if (!st) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory for a step");
        return NULL;
    }
    st->index = atomic_fetch_add(&next_step, 1);
    hacl_obj_init(&st->hdr, HACL_KIND_PROF_STEP_INFO, obj_free);
    if (hacl_handle_register(&st->hdr) != ACL_SUCCESS) {
        hacl_free(st);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "no memory to register a step");
        return NULL;
    }
    return st;
}

static uint64_t step_range_id(uint32_t index) { return 0x5354455000000000ull | index; /* "STEP" */ }

/* The step's range on the timeline ("step N"): begins (1) or ends (0). */
static void step_range(uint32_t index, int begin)
{
    char name[32];
    snprintf(name, sizeof name, "step %u", index);
    hacl_trace_async(HACL_TRACE_HOST, step_range_id(index), hacl_trace_intern(name), "step", hacl_trace_now(), begin);
}

/* The step's range ends (once) on the timeline. Caller holds the step. */
static void step_end(struct aclprofStepInfo *st)
{
    if (st->started == 1 && hacl_tracing_of(HACL_TRACE_MARKS) && hacl_trace_generation() == st->gen)
        step_range(st->index, 0);
    st->started = 2; /* ended on the timeline, or never begun there */
}

MSVP_PROF_API void aclprofDestroyStepInfo(aclprofStepInfo *stepinfo)
{
    aclError rc;
    struct aclprofStepInfo *st = (struct aclprofStepInfo *)hacl_handle_checked(
        __func__, stepinfo, HACL_KIND_PROF_STEP_INFO, "step (aclprofCreateStepInfo)", &rc);
    if (!st)
        return;
    if (st->started == 1)
        step_end(st);
    if (hacl_handle_unregister(&st->hdr))
        hacl_obj_put(&st->hdr);
    hacl_obj_put(&st->hdr);
}

MSVP_PROF_API aclError aclprofGetStepTimestamp(aclprofStepInfo *stepInfo, aclprofStepTag tag, aclrtStream stream)
{
    if (tag != ACL_STEP_START && tag != ACL_STEP_END)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "tag %d is not ACL_STEP_START or ACL_STEP_END", (int)tag);
    aclError rc;
    struct aclprofStepInfo *st = (struct aclprofStepInfo *)hacl_handle_checked(
        __func__, stepInfo, HACL_KIND_PROF_STEP_INFO, "step (aclprofCreateStepInfo)", &rc);
    if (!st)
        return rc;
    (void)stream; /* the step's time is taken on the host when called, as upstream takes it at launch */
    rc = ACL_SUCCESS;
    if (tag == ACL_STEP_START && (st->started || st->ended)) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "step %u has already started", st->index);
    } else if (tag == ACL_STEP_END && st->ended) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "step %u has already ended", st->index);
    } else if (tag == ACL_STEP_START) {
        st->started = 2;
        if (hacl_tracing_of(HACL_TRACE_MARKS)) {
            step_range(st->index, 1);
            st->started = 1;
            st->gen = hacl_trace_generation();
        }
    } else {
        st->ended = 1;
        step_end(st);
    }
    hacl_obj_put(&st->hdr);
    return rc;
}
