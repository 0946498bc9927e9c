/*
 * acl.rt: devices, contexts, streams and events. Synchronising calls
 * release the GIL while they wait.
 */
#include "binding.h"

/* f(handle) -> ret, and the same with the GIL released. */
#define RET_OF_HANDLE(pyname, call)                                        \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        void *h;                                                           \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &h))          \
            return NULL;                                                   \
        return hpy_ret(call(h));                                           \
    }
#define RET_OF_HANDLE_NOGIL HPY_RET_OF_HANDLE_NOGIL
/* f(int32) -> ret, GIL released (a reset may wait for streams). */
#define RET_OF_I32_NOGIL(pyname, call)                                     \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        int32_t v;                                                         \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_i32, &v))           \
            return NULL;                                                   \
        aclError rc;                                                       \
        Py_BEGIN_ALLOW_THREADS                                             \
        rc = call(v);                                                      \
        Py_END_ALLOW_THREADS                                               \
        return hpy_ret(rc);                                                \
    }
/* f(handle, &status) -> (status, ret). */
#define STATUS_OF_HANDLE(pyname, call, type)                               \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        void *h;                                                           \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &h))          \
            return NULL;                                                   \
        type st = (type)0;                                                 \
        aclError rc = call(h, &st);                                        \
        return Py_BuildValue("(ii)", (int)st, (int)rc);                    \
    }

/* ---- devices ---- */

RET_OF_I32_NOGIL(set_device, aclrtSetDevice)
RET_OF_I32_NOGIL(reset_device, aclrtResetDevice)
RET_OF_I32_NOGIL(reset_device_force, aclrtResetDeviceForce)

static PyObject *py_get_device(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    int32_t id = 0;
    aclError rc = aclrtGetDevice(&id);
    return Py_BuildValue("(ii)", (int)id, (int)rc);
}

static PyObject *py_get_device_count(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    uint32_t n = 0;
    aclError rc = aclrtGetDeviceCount(&n);
    return Py_BuildValue("(Ii)", n, (int)rc);
}

static PyObject *py_get_run_mode(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclrtRunMode m = ACL_HOST;
    aclError rc = aclrtGetRunMode(&m);
    return Py_BuildValue("(ii)", (int)m, (int)rc);
}

static PyObject *py_get_version(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    int32_t a = 0, b = 0, c = 0;
    aclError rc = aclrtGetVersion(&a, &b, &c);
    return Py_BuildValue("(iiii)", (int)a, (int)b, (int)c, (int)rc);
}

static PyObject *py_synchronize_device(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtSynchronizeDevice();
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

/* ---- contexts ---- */

static PyObject *py_create_context(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t dev;
    if (!PyArg_ParseTuple(args, "O&:create_context", hpy_i32, &dev))
        return NULL;
    aclrtContext ctx = NULL;
    aclError rc = aclrtCreateContext(&ctx, dev);
    return hpy_addr_ret(ctx, rc);
}

RET_OF_HANDLE_NOGIL(destroy_context, aclrtDestroyContext)
RET_OF_HANDLE(set_context, aclrtSetCurrentContext)

static PyObject *py_get_context(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclrtContext ctx = NULL;
    aclError rc = aclrtGetCurrentContext(&ctx);
    return hpy_addr_ret(ctx, rc);
}

/* ---- streams ---- */

static PyObject *py_create_stream(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclrtStream s = NULL;
    aclError rc = aclrtCreateStream(&s);
    return hpy_addr_ret(s, rc);
}

static PyObject *py_create_stream_with_config(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t prio, flag;
    if (!PyArg_ParseTuple(args, "O&O&:create_stream_with_config", hpy_u32, &prio, hpy_u32, &flag))
        return NULL;
    aclrtStream s = NULL;
    aclError rc = aclrtCreateStreamWithConfig(&s, prio, flag);
    return hpy_addr_ret(s, rc);
}

RET_OF_HANDLE_NOGIL(destroy_stream, aclrtDestroyStream)

static PyObject *py_destroy_stream_force(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    if (!PyArg_ParseTuple(args, "O&:destroy_stream_force", hpy_addr, &s))
        return NULL;
    uint64_t mark = hpy_callbacks_mark();
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtDestroyStreamForce(s);
    Py_END_ALLOW_THREADS
    if (rc == ACL_SUCCESS)
        hpy_callbacks_cancel_stream(s, mark); /* what was not run never will be */
    return hpy_ret(rc);
}

RET_OF_HANDLE_NOGIL(synchronize_stream, aclrtSynchronizeStream)
STATUS_OF_HANDLE(stream_query, aclrtStreamQuery, aclrtStreamStatus)

static PyObject *py_synchronize_stream_with_timeout(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    int32_t t;
    if (!PyArg_ParseTuple(args, "O&O&:synchronize_stream_with_timeout", hpy_addr, &s, hpy_i32, &t))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtSynchronizeStreamWithTimeout(s, t);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_set_stream_failure_mode(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    uint64_t mode;
    if (!PyArg_ParseTuple(args, "O&O&:set_stream_failure_mode", hpy_addr, &s, hpy_u64, &mode))
        return NULL;
    return hpy_ret(aclrtSetStreamFailureMode(s, mode));
}

/* ---- events ---- */

static PyObject *py_create_event(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclrtEvent e = NULL;
    aclError rc = aclrtCreateEvent(&e);
    return hpy_addr_ret(e, rc);
}

static PyObject *create_event_flag(PyObject *args, const char *fmt, aclError (*create)(aclrtEvent *, uint32_t))
{
    uint32_t flag;
    if (!PyArg_ParseTuple(args, fmt, hpy_u32, &flag))
        return NULL;
    aclrtEvent e = NULL;
    aclError rc = create(&e, flag);
    return hpy_addr_ret(e, rc);
}

static PyObject *py_create_event_with_flag(PyObject *self, PyObject *args)
{
    (void)self;
    return create_event_flag(args, "O&:create_event_with_flag", aclrtCreateEventWithFlag);
}

static PyObject *py_create_event_ex_with_flag(PyObject *self, PyObject *args)
{
    (void)self;
    return create_event_flag(args, "O&:create_event_ex_with_flag", aclrtCreateEventExWithFlag);
}

RET_OF_HANDLE(destroy_event, aclrtDestroyEvent)
RET_OF_HANDLE_NOGIL(synchronize_event, aclrtSynchronizeEvent)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
STATUS_OF_HANDLE(query_event, aclrtQueryEvent, aclrtEventStatus)
#pragma GCC diagnostic pop
STATUS_OF_HANDLE(query_event_status, aclrtQueryEventStatus, aclrtEventRecordedStatus)
STATUS_OF_HANDLE(query_event_wait_status, aclrtQueryEventWaitStatus, aclrtEventWaitStatus)

static PyObject *py_synchronize_event_with_timeout(PyObject *self, PyObject *args)
{
    (void)self;
    void *e;
    int32_t t;
    if (!PyArg_ParseTuple(args, "O&O&:synchronize_event_with_timeout", hpy_addr, &e, hpy_i32, &t))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtSynchronizeEventWithTimeout(e, t);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

/* f(event, stream) -> ret; (stream, event) for stream_wait_event. */
static PyObject *two_handles(PyObject *args, const char *fmt, aclError (*call)(void *, void *))
{
    void *a, *b;
    if (!PyArg_ParseTuple(args, fmt, hpy_addr, &a, hpy_addr, &b))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = call(a, b);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static aclError record(void *e, void *s) { return aclrtRecordEvent(e, s); }
static aclError reset(void *e, void *s) { return aclrtResetEvent(e, s); }
static aclError wait_event(void *s, void *e) { return aclrtStreamWaitEvent(s, e); }

static PyObject *py_record_event(PyObject *self, PyObject *args)
{
    (void)self;
    return two_handles(args, "O&O&:record_event", record);
}

static PyObject *py_reset_event(PyObject *self, PyObject *args)
{
    (void)self;
    return two_handles(args, "O&O&:reset_event", reset);
}

static PyObject *py_stream_wait_event(PyObject *self, PyObject *args)
{
    (void)self;
    return two_handles(args, "O&O&:stream_wait_event", wait_event);
}

static PyObject *py_event_elapsed_time(PyObject *self, PyObject *args)
{
    (void)self;
    void *a, *b;
    if (!PyArg_ParseTuple(args, "O&O&:event_elapsed_time", hpy_addr, &a, hpy_addr, &b))
        return NULL;
    float ms = 0;
    aclError rc = aclrtEventElapsedTime(&ms, a, b);
    return Py_BuildValue("(fi)", ms, (int)rc);
}

/* ---- stream configuration and queries ---- */

static PyObject *py_create_stream_config_handle(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return hpy_addr_obj(aclrtCreateStreamConfigHandle());
}

RET_OF_HANDLE(destroy_stream_config_handle, aclrtDestroyStreamConfigHandle)

static PyObject *py_set_stream_config_opt(PyObject *self, PyObject *args)
{
    (void)self;
    void *h;
    int attr;
    uint64_t v;
    if (!PyArg_ParseTuple(args, "O&iO&:set_stream_config_opt", hpy_addr, &h, &attr, hpy_u64, &v))
        return NULL;
    return hpy_ret(aclrtSetStreamConfigOpt(h, (aclrtStreamConfigAttr)attr, &v, sizeof v));
}

static PyObject *py_create_stream_v2(PyObject *self, PyObject *args)
{
    (void)self;
    void *h;
    if (!PyArg_ParseTuple(args, "O&:create_stream_v2", hpy_addr, &h))
        return NULL;
    aclrtStream s = NULL;
    aclError rc = aclrtCreateStreamV2(&s, h);
    return hpy_addr_ret(s, rc);
}

#define STREAM_U32(pyname, call, type)                                      \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)            \
    {                                                                       \
        (void)self;                                                         \
        void *s;                                                            \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &s))           \
            return NULL;                                                    \
        type v = 0;                                                         \
        aclError rc = call(s, &v);                                          \
        return Py_BuildValue("(Li)", (long long)v, (int)rc);                \
    }
STREAM_U32(stream_get_id, aclrtStreamGetId, int32_t)
STREAM_U32(stream_get_flags, aclrtStreamGetFlags, uint32_t)
STREAM_U32(stream_get_priority, aclrtStreamGetPriority, uint32_t)

STREAM_U32(get_stream_overflow_switch, aclrtGetStreamOverflowSwitch, uint32_t)

static PyObject *py_set_stream_overflow_switch(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    uint32_t flag;
    if (!PyArg_ParseTuple(args, "O&O&:set_stream_overflow_switch", hpy_addr, &s, hpy_u32, &flag))
        return NULL;
    return hpy_ret(aclrtSetStreamOverflowSwitch(s, flag));
}

static PyObject *py_set_device_sat_mode(PyObject *self, PyObject *args)
{
    (void)self;
    int mode;
    if (!PyArg_ParseTuple(args, "i:set_device_sat_mode", &mode))
        return NULL;
    return hpy_ret(aclrtSetDeviceSatMode((aclrtFloatOverflowMode)mode));
}

static PyObject *py_get_device_sat_mode(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclrtFloatOverflowMode mode = ACL_RT_OVERFLOW_MODE_UNDEF;
    aclError rc = aclrtGetDeviceSatMode(&mode);
    return Py_BuildValue("(ii)", (int)mode, (int)rc);
}

static PyObject *py_get_overflow_status(PyObject *self, PyObject *args)
{
    (void)self;
    void *out, *s;
    uint64_t size;
    if (!PyArg_ParseTuple(args, "O&O&O&:get_overflow_status", hpy_addr, &out, hpy_u64, &size, hpy_addr, &s))
        return NULL;
    return hpy_ret(aclrtGetOverflowStatus(out, (size_t)size, s));
}

static PyObject *py_reset_overflow_status(PyObject *self, PyObject *args)
{
    (void)self;
    void *s;
    if (!PyArg_ParseTuple(args, "O&:reset_overflow_status", hpy_addr, &s))
        return NULL;
    return hpy_ret(aclrtResetOverflowStatus(s));
}

static PyObject *py_query_device_status(PyObject *self, PyObject *args)
{
    (void)self;
    int dev;
    if (!PyArg_ParseTuple(args, "i:query_device_status", &dev))
        return NULL;
    aclrtDeviceStatus st = ACL_RT_DEVICE_STATUS_END;
    aclError rc = aclrtQueryDeviceStatus(dev, &st);
    return Py_BuildValue("(ii)", (int)st, (int)rc);
}

static PyObject *py_device_get_stream_priority_range(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    int32_t least = 0, greatest = 0;
    aclError rc = aclrtDeviceGetStreamPriorityRange(&least, &greatest);
    return Py_BuildValue("(iii)", (int)least, (int)greatest, (int)rc);
}

static PyObject *py_get_device_res_limit(PyObject *self, PyObject *args)
{
    (void)self;
    int dev, type;
    if (!PyArg_ParseTuple(args, "ii:get_device_res_limit", &dev, &type))
        return NULL;
    uint32_t v = 0;
    aclError rc = aclrtGetDeviceResLimit(dev, (aclrtDevResLimitType)type, &v);
    return Py_BuildValue("(Ii)", v, (int)rc);
}

static PyObject *py_set_device_res_limit(PyObject *self, PyObject *args)
{
    (void)self;
    int dev, type;
    uint32_t v;
    if (!PyArg_ParseTuple(args, "iiO&:set_device_res_limit", &dev, &type, hpy_u32, &v))
        return NULL;
    return hpy_ret(aclrtSetDeviceResLimit(dev, (aclrtDevResLimitType)type, v));
}

static PyObject *py_reset_device_res_limit(PyObject *self, PyObject *args)
{
    (void)self;
    int dev;
    if (!PyArg_ParseTuple(args, "i:reset_device_res_limit", &dev))
        return NULL;
    return hpy_ret(aclrtResetDeviceResLimit(dev));
}

static PyObject *py_ctx_get_current_default_stream(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    aclrtStream s = NULL;
    aclError rc = aclrtCtxGetCurrentDefaultStream(&s);
    return hpy_addr_ret(s, rc);
}

static PyObject *py_get_res_in_current_thread(PyObject *self, PyObject *args)
{
    (void)self;
    int type;
    if (!PyArg_ParseTuple(args, "i:get_res_in_current_thread", &type))
        return NULL;
    uint32_t v = 0;
    aclError rc = aclrtGetResInCurrentThread((aclrtDevResLimitType)type, &v);
    return Py_BuildValue("(Ii)", v, (int)rc);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define NOARGS(name) {#name, py_##name, METH_NOARGS, NULL}
PyMethodDef hpy_rt_methods[] = {
    NOARGS(create_stream_config_handle),
    ARGS(destroy_stream_config_handle),
    ARGS(set_stream_config_opt),
    ARGS(create_stream_v2),
    ARGS(stream_get_id),
    ARGS(stream_get_flags),
    ARGS(stream_get_priority),
    NOARGS(ctx_get_current_default_stream),
    ARGS(get_res_in_current_thread),
    ARGS(get_stream_overflow_switch),
    ARGS(set_stream_overflow_switch),
    ARGS(set_device_sat_mode),
    NOARGS(get_device_sat_mode),
    ARGS(get_overflow_status),
    ARGS(reset_overflow_status),
    ARGS(query_device_status),
    NOARGS(device_get_stream_priority_range),
    ARGS(get_device_res_limit),
    ARGS(set_device_res_limit),
    ARGS(reset_device_res_limit),
    ARGS(set_device),
    ARGS(reset_device),
    ARGS(reset_device_force),
    NOARGS(get_device),
    NOARGS(get_device_count),
    NOARGS(get_run_mode),
    NOARGS(get_version),
    NOARGS(synchronize_device),
    ARGS(create_context),
    ARGS(destroy_context),
    ARGS(set_context),
    NOARGS(get_context),
    NOARGS(create_stream),
    ARGS(create_stream_with_config),
    ARGS(destroy_stream),
    ARGS(destroy_stream_force),
    ARGS(synchronize_stream),
    ARGS(synchronize_stream_with_timeout),
    ARGS(stream_query),
    ARGS(set_stream_failure_mode),
    NOARGS(create_event),
    ARGS(create_event_with_flag),
    ARGS(create_event_ex_with_flag),
    ARGS(destroy_event),
    ARGS(record_event),
    ARGS(reset_event),
    ARGS(stream_wait_event),
    ARGS(synchronize_event),
    ARGS(synchronize_event_with_timeout),
    ARGS(query_event),
    ARGS(query_event_status),
    ARGS(query_event_wait_status),
    ARGS(event_elapsed_time),
    {NULL, NULL, 0, NULL},
};
