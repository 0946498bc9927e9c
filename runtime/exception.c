/*
 * Exception callbacks: when a task fails on a stream (a kernel's trap, a
 * copy refused when it runs, an execution's failure), the registered
 * callbacks are called with the failure's description, on the thread that
 * ran the task, after the failure is recorded and with no runtime lock
 * held. aclrtSetExceptionInfoCallback keeps one callback (NULL clears it);
 * aclrtExceptionInfoCallbackRegister adds any number (the same function
 * once). The description lives for the call.
 *
 * aclrtGetThreadLastTaskId: the id (the stream's sequence number) of the
 * last task the calling thread launched.
 *
 * Thread: any.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "device/trace.h"
#include "runtime.h"

#define MAX_CALLBACKS 16

struct rtExceptionInfo {
    uint32_t task_id, stream_id, thread_id, device_id, code;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static aclrtExceptionInfoCallback single;               /* aclrtSetExceptionInfoCallback's */
static aclrtExceptionInfoCallback registered[MAX_CALLBACKS];
static unsigned nregistered;
static _Atomic int any; /* a callback is set */
static _Thread_local uint32_t last_task;

static void update_any_locked(void)
{
    atomic_store(&any, single != NULL || nregistered > 0);
}

/* callback's slot in registered, or nregistered when it has none. */
static unsigned find_locked(aclrtExceptionInfoCallback callback)
{
    unsigned i = 0;
    while (i < nregistered && registered[i] != callback)
        i++;
    return i;
}

ACL_FUNC_VISIBILITY aclError aclrtSetExceptionInfoCallback(aclrtExceptionInfoCallback callback)
{
    pthread_mutex_lock(&lock);
    single = callback;
    update_any_locked();
    pthread_mutex_unlock(&lock);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtExceptionInfoCallbackRegister(aclrtExceptionInfoCallback callback)
{
    if (!callback)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "callback must not be NULL");
    aclError rc = ACL_SUCCESS;
    pthread_mutex_lock(&lock);
    if (find_locked(callback) == nregistered) {
        if (nregistered == MAX_CALLBACKS)
            rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "at most %d exception callbacks", MAX_CALLBACKS);
        else
            registered[nregistered++] = callback;
    }
    update_any_locked();
    pthread_mutex_unlock(&lock);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclrtExceptionInfoCallbackUnregister(aclrtExceptionInfoCallback callback)
{
    if (!callback)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "callback must not be NULL");
    pthread_mutex_lock(&lock);
    unsigned i = find_locked(callback);
    if (i < nregistered)
        registered[i] = registered[--nregistered];
    update_any_locked();
    pthread_mutex_unlock(&lock);
    return ACL_SUCCESS;
}

void hacl_exception_report(struct hacl_stream *s, uint64_t seq, aclError code)
{
    if (!atomic_load_explicit(&any, memory_order_relaxed))
        return;
    aclrtExceptionInfoCallback call[MAX_CALLBACKS + 1];
    unsigned n = 0;
    pthread_mutex_lock(&lock);
    if (single)
        call[n++] = single;
    for (unsigned i = 0; i < nregistered; i++)
        if (registered[i] != single)
            call[n++] = registered[i];
    pthread_mutex_unlock(&lock);
    struct rtExceptionInfo info = {(uint32_t)seq, (uint32_t)s->id, (uint32_t)syscall(SYS_gettid),
                                   (uint32_t)s->dev->id, (uint32_t)code};
    for (unsigned i = 0; i < n; i++)
        call[i](&info);
}

void hacl_exception_note_launch(uint64_t seq)
{
    last_task = (uint32_t)seq;
}

ACL_FUNC_VISIBILITY aclError aclrtGetThreadLastTaskId(uint32_t *taskId)
{
    if (!taskId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "taskId must not be NULL");
    *taskId = last_task;
    return ACL_SUCCESS;
}

/* The getters answer UINT32_MAX for a NULL description. */
#define GETTER(name, field)                                                 \
    ACL_FUNC_VISIBILITY uint32_t name(const aclrtExceptionInfo *info)       \
    {                                                                       \
        return info ? info->field : UINT32_MAX;                             \
    }
GETTER(aclrtGetTaskIdFromExceptionInfo, task_id)
GETTER(aclrtGetStreamIdFromExceptionInfo, stream_id)
GETTER(aclrtGetThreadIdFromExceptionInfo, thread_id)
GETTER(aclrtGetDeviceIdFromExceptionInfo, device_id)
GETTER(aclrtGetErrorCodeFromExceptionInfo, code)

/* No task here has kernel arguments in device memory or a function
 * handle: NULL and 0. */
ACL_FUNC_VISIBILITY aclError aclrtGetArgsFromExceptionInfo(const aclrtExceptionInfo *info, void **devArgsPtr,
                                                           uint32_t *devArgsLen)
{
    if (!info || !devArgsPtr || !devArgsLen)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "info, devArgsPtr and devArgsLen must not be NULL");
    *devArgsPtr = NULL;
    *devArgsLen = 0;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclrtGetFuncHandleFromExceptionInfo(const aclrtExceptionInfo *info, aclrtFuncHandle *func)
{
    if (!info || !func)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "info and func must not be NULL");
    *func = NULL;
    return ACL_SUCCESS;
}
