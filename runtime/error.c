/*
 * Errors and logs (see error.h).
 *
 * Messages accumulate newest-first in a bounded per-thread buffer until
 * aclGetRecentErrMsg() hands them out and clears them, as AscendCL documents.
 * The returned pointer refers to a second per-thread buffer, so it stays valid
 * until the same thread calls aclGetRecentErrMsg() again. When the buffer is
 * full the oldest messages are dropped, never the newest.
 *
 * Log lines go to stderr, one write per line, so lines of different threads
 * never interleave.
 */
#include "error.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "acl/acl.h"

struct err_entry {
    aclError code;
    const char *name;
    const char *text;
};

#define E(name, text) {name, #name, text}
static const struct err_entry err_table[] = {
    E(ACL_SUCCESS, "success"),
    E(ACL_ERROR_INVALID_PARAM, "invalid parameter"),
    E(ACL_ERROR_UNINITIALIZE, "aclInit has not been called"),
    E(ACL_ERROR_REPEAT_INITIALIZE, "aclInit was already called"),
    E(ACL_ERROR_INVALID_FILE, "file cannot be read"),
    E(ACL_ERROR_WRITE_FILE, "file cannot be written"),
    E(ACL_ERROR_INVALID_FILE_SIZE, "file size is invalid"),
    E(ACL_ERROR_PARSE_FILE, "file cannot be parsed"),
    E(ACL_ERROR_FILE_MISSING_ATTR, "file lacks a required attribute"),
    E(ACL_ERROR_FILE_ATTR_INVALID, "file attribute is invalid"),
    E(ACL_ERROR_INVALID_DUMP_CONFIG, "invalid dump configuration"),
    E(ACL_ERROR_INVALID_PROFILING_CONFIG, "invalid profiling configuration"),
    E(ACL_ERROR_PROF_ALREADY_RUN, "profiling is already running"),
    E(ACL_ERROR_PROF_NOT_RUN, "profiling is not running"),
    E(ACL_ERROR_PROF_REPEAT_SUBSCRIBE, "the model is already subscribed"),
    E(ACL_ERROR_PROF_API_CONFLICT, "profiling interfaces are mixed"),
    E(ACL_ERROR_PROFILING_FAILURE, "profiling failed"),
    E(ACL_ERROR_PROF_MODULES_UNSUPPORTED, "profiling module not supported"),
    E(ACL_ERROR_INVALID_MODEL_ID, "invalid model id"),
    E(ACL_ERROR_DESERIALIZE_MODEL, "model cannot be deserialised"),
    E(ACL_ERROR_PARSE_MODEL, "model cannot be parsed"),
    E(ACL_ERROR_READ_MODEL_FAILURE, "model cannot be read"),
    E(ACL_ERROR_MODEL_SIZE_INVALID, "model size is invalid"),
    E(ACL_ERROR_MODEL_MISSING_ATTR, "model lacks a required attribute"),
    E(ACL_ERROR_MODEL_INPUT_NOT_MATCH, "model input does not match"),
    E(ACL_ERROR_MODEL_OUTPUT_NOT_MATCH, "model output does not match"),
    E(ACL_ERROR_MODEL_NOT_DYNAMIC, "model is not dynamic"),
    E(ACL_ERROR_OP_TYPE_NOT_MATCH, "operator type does not match"),
    E(ACL_ERROR_OP_INPUT_NOT_MATCH, "operator input does not match"),
    E(ACL_ERROR_OP_OUTPUT_NOT_MATCH, "operator output does not match"),
    E(ACL_ERROR_OP_ATTR_NOT_MATCH, "operator attribute does not match"),
    E(ACL_ERROR_OP_NOT_FOUND, "operator not found"),
    E(ACL_ERROR_OP_LOAD_FAILED, "operator failed to load"),
    E(ACL_ERROR_UNSUPPORTED_DATA_TYPE, "unsupported data type"),
    E(ACL_ERROR_OP_UNSUPPORTED_DYNAMIC, "operator needs static shapes"),
    E(ACL_ERROR_FORMAT_NOT_MATCH, "format does not match"),
    E(ACL_ERROR_INVALID_QUEUE_ID, "invalid queue id"),
    E(ACL_ERROR_REPEAT_SUBSCRIBE, "already subscribed"),
    E(ACL_ERROR_STREAM_NOT_SUBSCRIBE, "stream is not subscribed"),
    E(ACL_ERROR_THREAD_NOT_SUBSCRIBE, "thread is not subscribed"),
    E(ACL_ERROR_WAIT_CALLBACK_TIMEOUT, "waiting for a callback timed out"),
    E(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize was already called"),
    E(ACL_ERROR_BAD_ALLOC, "out of host memory"),
    E(ACL_ERROR_API_NOT_SUPPORT, "API not supported"),
    E(ACL_ERROR_INVALID_DEVICE, "invalid device"),
    E(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, "memory address is not aligned"),
    E(ACL_ERROR_RESOURCE_NOT_MATCH, "resources do not match"),
    E(ACL_ERROR_INVALID_RESOURCE_HANDLE, "invalid or destroyed handle"),
    E(ACL_ERROR_FEATURE_UNSUPPORTED, "feature not supported by hostacl yet"),
    E(ACL_ERROR_STORAGE_OVER_LIMIT, "storage over limit"),
    E(ACL_ERROR_INTERNAL_ERROR, "internal error"),
    E(ACL_ERROR_FAILURE, "failure"),
    E(ACL_ERROR_RT_FAILURE, "runtime failure"),
    E(ACL_ERROR_RT_PARAM_INVALID, "runtime parameter invalid"),
    E(ACL_ERROR_RT_INVALID_DEVICEID, "invalid device id"),
    E(ACL_ERROR_RT_CONTEXT_NULL, "no current context on this thread"),
    E(ACL_ERROR_RT_STREAM_CONTEXT, "stream does not belong to the current context"),
    E(ACL_ERROR_RT_MODEL_CONTEXT, "model does not belong to the current context"),
    E(ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID, "event has no valid timestamp"),
    E(ACL_ERROR_RT_EVENT_TIMESTAMP_REVERSAL, "end event precedes start event"),
    E(ACL_ERROR_RT_ADDR_UNALIGNED, "address is not aligned"),
    E(ACL_ERROR_RT_STREAM_SUBSCRIBE, "stream subscription error"),
    E(ACL_ERROR_RT_THREAD_SUBSCRIBE, "thread subscription error"),
    E(ACL_ERROR_RT_STREAM_NO_CB_REG, "stream has no report thread subscribed"),
    E(ACL_ERROR_RT_INVALID_MEMORY_TYPE, "invalid memory type"),
    E(ACL_ERROR_RT_INVALID_HANDLE, "invalid handle"),
    E(ACL_ERROR_RT_INVALID_MALLOC_TYPE, "invalid allocation policy"),
    E(ACL_ERROR_RT_WAIT_TIMEOUT, "wait timed out"),
    E(ACL_ERROR_RT_TASK_TIMEOUT, "task timed out"),
    E(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "feature not supported"),
    E(ACL_ERROR_RT_MEMORY_ALLOCATION, "device memory allocation failed"),
    E(ACL_ERROR_RT_QUEUE_EMPTY, "queue is empty"),
    E(ACL_ERROR_RT_QUEUE_FULL, "queue is full"),
    E(ACL_ERROR_RT_MEMORY_FREE, "memory is not a live allocation"),
    E(ACL_ERROR_RT_NO_DEVICE, "no device"),
    E(ACL_ERROR_RT_RESOURCE_ALLOC_FAIL, "resource allocation failed"),
    E(ACL_ERROR_RT_NO_EVENT_RESOURCE, "no event resource"),
    E(ACL_ERROR_RT_NO_STREAM_RESOURCE, "no stream resource"),
    E(ACL_ERROR_RT_OVER_LIMIT, "over limit"),
    E(ACL_ERROR_RT_DEVICE_OOM, "device out of memory"),
    E(ACL_ERROR_RT_INTERNAL_ERROR, "runtime internal error"),
    E(ACL_ERROR_RT_STREAM_NOT_COMPLETE, "stream not complete"),
    E(ACL_ERROR_RT_EVENT_NOT_COMPLETE, "event not complete"),
    E(ACL_ERROR_RT_CONTEXT_RELEASE_ERROR, "context release error"),
    E(ACL_ERROR_RT_MODEL_EXECUTE, "model execution failed"),
    E(ACL_ERROR_RT_REPORT_TIMEOUT, "no callback arrived before the timeout"),
    E(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "stream synchronisation timed out"),
    E(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, "event synchronisation timed out"),
    E(ACL_ERROR_RT_STREAM_MODEL, "stream is not in (or is closed by) a model runtime instance"),
    E(ACL_ERROR_RT_MODEL_CAPTURED, "model runtime instance is still capturing or being built"),
    E(ACL_ERROR_RT_STREAM_CAPTURED, "stream is already recording"),
    E(ACL_ERROR_RT_STREAM_NOT_CAPTURED, "stream is not capturing"),
    E(ACL_ERROR_RT_CAPTURE_MODE_NOT_SUPPORT, "not allowed by an active capture's mode"),
    E(ACL_ERROR_RT_STREAM_CAPTURE_WRONG_THREAD, "capture must end on the thread that began it"),
    E(ACL_ERROR_RT_STREAM_CAPTURE_INVALIDATED, "capture was invalidated"),
    E(ACL_ERROR_RT_TASK_TYPE_NOT_SUPPORT, "task type not supported here"),
    E(ACL_ERROR_RT_IPC_ERROR, "inter-process sharing failed"),
    E(ACL_ERROR_RT_NO_PERMISSION, "no permission"),
    E(ACL_ERROR_RT_NO_NOTIFY_RESOURCE, "no notify resource"),
    E(ACL_ERROR_RT_AICORE_TRAP_EXCEPTION, "a kernel trapped"),
    E(ACL_ERROR_RT_STREAM_ABORT, "the stream was aborted"),
};
#undef E

static const struct err_entry *err_find(aclError code)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (err_table[i].code == code)
            return &err_table[i];
    return NULL;
}

const char *hacl_err_name(aclError code)
{
    const struct err_entry *e = err_find(code);
    return e ? e->name : "UNKNOWN";
}

const char *hacl_err_text(aclError code)
{
    const struct err_entry *e = err_find(code);
    return e ? e->text : "unknown error";
}

unsigned hacl_err_table_size(void) { return (unsigned)(sizeof err_table / sizeof err_table[0]); }
aclError hacl_err_table_code(unsigned i) { return err_table[i].code; }

/* ---- message stores ---- */

#define MSG_CAP 4096

struct msg_store {
    char pending[MSG_CAP]; /* newest first, '\n' between messages */
    size_t len;
    char handed[MSG_CAP]; /* what the last aclGetRecentErrMsg returned */
};

static _Thread_local struct msg_store tls_store;
/* The code of this thread's last failed call (aclrtGetLastError). */
static _Thread_local aclError tls_last;
static struct msg_store proc_store;
static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int process_mode;

void hacl_err_set_process_mode(int process_wide)
{
    atomic_store(&process_mode, process_wide ? 1 : 0);
}

/* Puts msg in front of what is pending, dropping the oldest text that no
 * longer fits (cut at a message boundary). */
static void store_push(struct msg_store *s, const char *msg)
{
    size_t m = strnlen(msg, MSG_CAP - 2);
    size_t keep = s->len;
    if (m + 1 + keep > MSG_CAP - 1) {
        keep = MSG_CAP - 1 > m + 1 ? MSG_CAP - 1 - (m + 1) : 0;
        while (keep > 0 && s->pending[keep] != '\n')
            keep--;
    }
    memmove(s->pending + m + (keep ? 1 : 0), s->pending, keep);
    memcpy(s->pending, msg, m);
    if (keep)
        s->pending[m] = '\n';
    s->len = m + (keep ? 1 + keep : 0);
    s->pending[s->len] = '\0';
}

static const char *store_take(struct msg_store *s)
{
    if (s->len == 0)
        return NULL;
    memcpy(s->handed, s->pending, s->len + 1);
    s->len = 0;
    s->pending[0] = '\0';
    return s->handed;
}

static aclError record(aclError code, aclLogLevel level, const char *api, const char *fmt, va_list ap)
{
    char detail[1024];
    vsnprintf(detail, sizeof detail, fmt, ap);

    char msg[1400];
    snprintf(msg, sizeof msg, "%s: %s (%s %d)", api ? api : "hostacl", detail, hacl_err_name(code), code);
    tls_last = code;
    if (atomic_load(&process_mode)) {
        pthread_mutex_lock(&proc_lock);
        store_push(&proc_store, msg);
        pthread_mutex_unlock(&proc_lock);
    } else {
        store_push(&tls_store, msg);
    }
    hacl_log(level, "%s", msg);
    return code;
}

aclError hacl_err(aclError code, const char *api, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(code, ACL_ERROR, api, fmt, ap);
    va_end(ap);
    return code;
}

aclError hacl_err_quiet(aclError code, const char *api, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(code, ACL_DEBUG, api, fmt, ap);
    va_end(ap);
    return code;
}

ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void)
{
    /* Both stores are read: the mode may have changed since a message was
     * recorded, and a message must never be lost by such a switch. */
    if (atomic_load(&process_mode)) {
        pthread_mutex_lock(&proc_lock);
        if (tls_store.len)
            store_push(&proc_store, tls_store.pending), tls_store.len = 0;
        const char *r = store_take(&proc_store);
        if (r) {
            memcpy(tls_store.handed, r, strlen(r) + 1);
            r = tls_store.handed;
        }
        pthread_mutex_unlock(&proc_lock);
        return r;
    }
    return store_take(&tls_store);
}

/* One record per thread: the messages (aclGetRecentErrMsg takes them) and
 * the last code (aclrtGetLastError takes it, Peek only reads it). The two
 * are cleared independently, so a program may read both in any order. */
ACL_FUNC_VISIBILITY aclError aclrtPeekAtLastError(aclrtLastErrLevel level)
{
    if (level != ACL_RT_THREAD_LEVEL)
        return ACL_ERROR_INVALID_PARAM; /* not recorded: it would replace the error asked for */
    return tls_last;
}

ACL_FUNC_VISIBILITY aclError aclrtGetLastError(aclrtLastErrLevel level)
{
    if (level != ACL_RT_THREAD_LEVEL)
        return ACL_ERROR_INVALID_PARAM;
    aclError code = tls_last;
    tls_last = ACL_SUCCESS;
    return code;
}

/* ---- logs ---- */

/* -1 means "not read yet". 4 (or anything above 3) silences everything. */
static atomic_int log_threshold = -1;

static int parse_level(const char *s)
{
    if (!s || !*s)
        return ACL_ERROR;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 0 || v > 4)
        return ACL_ERROR;
    return (int)v;
}

void hacl_log_reload_level(void)
{
    atomic_store(&log_threshold, parse_level(getenv("ASCEND_GLOBAL_LOG_LEVEL")));
}

int hacl_log_enabled(aclLogLevel level)
{
    int t = atomic_load_explicit(&log_threshold, memory_order_relaxed);
    if (t < 0) {
        hacl_log_reload_level();
        t = atomic_load(&log_threshold);
    }
    return (int)level >= t && (int)level <= ACL_ERROR;
}

static const char *level_name(aclLogLevel l)
{
    switch (l) {
    case ACL_DEBUG: return "DEBUG";
    case ACL_INFO: return "INFO";
    case ACL_WARNING: return "WARNING";
    default: return "ERROR";
    }
}

/* One line: [LEVEL] MODULE(pid,comm):date time.us tid [file:line] func: text */
static void log_line(aclLogLevel level, const char *module, const char *func, const char *file,
                     unsigned line, const char *fmt, va_list ap)
{
    char buf[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    int n = snprintf(buf, sizeof buf, "[%s] %s(%d,%s):%04d-%02d-%02d-%02d:%02d:%02d.%06ld %ld ",
                     level_name(level), module, (int)getpid(), program_invocation_short_name,
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000, (long)syscall(SYS_gettid));
    if (file && n >= 0 && (size_t)n < sizeof buf) {
        const char *base = strrchr(file, '/');
        n += snprintf(buf + n, sizeof buf - (size_t)n, "[%s:%u] ", base ? base + 1 : file, line);
    }
    if (func && n >= 0 && (size_t)n < sizeof buf)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%s: ", func);
    if (n >= 0 && (size_t)n < sizeof buf)
        n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf - 1)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
    (void)w;
}

void hacl_log(aclLogLevel level, const char *fmt, ...)
{
    if (!hacl_log_enabled(level))
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line(level, "HOSTACL", NULL, NULL, 0, fmt, ap);
    va_end(ap);
}

ACL_FUNC_VISIBILITY void aclAppLog(aclLogLevel logLevel, const char *func, const char *file, uint32_t line,
                                   const char *fmt, ...)
{
    if (!fmt || !hacl_log_enabled(logLevel))
        return;
    va_list ap;
    va_start(ap, fmt);
    log_line(logLevel, "APP", func, file, line, fmt, ap);
    va_end(ap);
}
