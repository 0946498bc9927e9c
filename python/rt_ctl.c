/*
 * acl.rt: controlling streams and hearing of failures: event time stamps,
 * host-function threads, stream abort/stop, stream state callbacks and
 * exception callbacks (Python callables called with the GIL taken, on the
 * thread the runtime calls them from).
 */
#include "binding.h"

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define RET_OF_HANDLE HPY_RET_OF_HANDLE_NOGIL

/* ---- event time stamps, host-function threads ---- */

static PyObject *py_event_get_timestamp(PyObject *self, PyObject *args)
{
    (void)self;
    void *e;
    if (!PyArg_ParseTuple(args, "O&:event_get_timestamp", hpy_addr, &e))
        return NULL;
    uint64_t t = 0;
    aclError rc = aclrtEventGetTimestamp(e, &t);
    return hpy_u64_ret(t, rc);
}

static PyObject *host_func_sub(PyObject *args, const char *fmt, aclError (*call)(uint64_t, aclrtStream))
{
    uint64_t tid;
    void *s;
    if (!PyArg_ParseTuple(args, fmt, hpy_u64, &tid, hpy_addr, &s))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = call(tid, s);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_subscribe_host_func(PyObject *self, PyObject *args)
{
    (void)self;
    return host_func_sub(args, "O&O&:subscribe_host_func", aclrtSubscribeHostFunc);
}

static PyObject *py_unsubscribe_host_func(PyObject *self, PyObject *args)
{
    (void)self;
    return host_func_sub(args, "O&O&:unsubscribe_host_func", aclrtUnSubscribeHostFunc);
}

static PyObject *py_process_host_func(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t timeout;
    if (!PyArg_ParseTuple(args, "O&:process_host_func", hpy_i32, &timeout))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtProcessHostFunc(timeout);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

/* ---- aborting streams, stream state callbacks ---- */

RET_OF_HANDLE(stream_abort, aclrtStreamAbort)
RET_OF_HANDLE(stream_stop, aclrtStreamStop)

/* name -> (callable, args): what the C registration of that name calls. */
static PyObject *state_callbacks;

/* Runs on the thread creating or destroying a stream: the GIL is taken. */
static void state_trampoline(aclrtStream stm, aclrtStreamState state, void *arg)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *pair = arg; /* kept alive by state_callbacks while registered */
    PyObject *r = PyObject_CallFunction(PyTuple_GET_ITEM(pair, 0), "NiO", hpy_addr_obj(stm), (int)state,
                                        PyTuple_GET_ITEM(pair, 1));
    if (!r)
        PyErr_Print(); /* an exception in a callback cannot reach the caller */
    Py_XDECREF(r);
    PyGILState_Release(g);
}

static PyObject *py_reg_stream_state_callback(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    PyObject *fn, *user = Py_None;
    if (!PyArg_ParseTuple(args, "sO|O:reg_stream_state_callback", &name, &fn, &user))
        return NULL;
    if (fn != Py_None && !PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return NULL;
    }
    if (!state_callbacks && !(state_callbacks = PyDict_New()))
        return NULL;
    PyObject *pair = fn == Py_None ? NULL : Py_BuildValue("(OO)", fn, user);
    if (fn != Py_None && !pair)
        return NULL;
    aclError rc = aclrtRegStreamStateCallback(name, pair ? state_trampoline : NULL, pair);
    if (rc == ACL_SUCCESS && pair && PyDict_SetItemString(state_callbacks, name, pair) != 0) {
        (void)aclrtRegStreamStateCallback(name, NULL, NULL);
        Py_DECREF(pair);
        return NULL;
    }
    if (rc == ACL_SUCCESS && !pair && PyDict_GetItemString(state_callbacks, name))
        PyDict_DelItemString(state_callbacks, name); /* the C side no longer calls it */
    Py_XDECREF(pair); /* the dict holds it while registered */
    return hpy_ret(rc);
}

/* ---- exception callbacks ----
 * One Python callable each for set_exception_info_callback and for every
 * registered one: called with the description's address (for the getters). */

static PyObject *exception_single;    /* set_exception_info_callback's callable */
static PyObject *exception_registered; /* callable -> None (registered ones) */

static void call_exception(PyObject *fn, aclrtExceptionInfo *info)
{
    PyObject *r = PyObject_CallFunction(fn, "N", hpy_addr_obj(info));
    if (!r)
        PyErr_Print();
    Py_XDECREF(r);
}

/* The description being delivered on this thread: the getters take only
 * it (an address made up in Python must not be read). */
static _Thread_local aclrtExceptionInfo *current_info;

static int info_arg(PyObject *o, void *out)
{
    if (!hpy_addr(o, out))
        return 0;
    if (*(void **)out != current_info || !current_info) {
        PyErr_SetString(PyExc_ValueError, "not the exception description being delivered to this callback");
        return 0;
    }
    return 1;
}

static void exception_trampoline(aclrtExceptionInfo *info)
{
    PyGILState_STATE g = PyGILState_Ensure();
    aclrtExceptionInfo *outer = current_info;
    current_info = info;
    if (exception_single)
        call_exception(exception_single, info);
    if (exception_registered) {
        PyObject *keys = PyDict_Keys(exception_registered);
        for (Py_ssize_t i = 0; keys && i < PyList_GET_SIZE(keys); i++)
            call_exception(PyList_GET_ITEM(keys, i), info);
        Py_XDECREF(keys);
    }
    current_info = outer;
    PyGILState_Release(g);
}

static PyObject *py_set_exception_info_callback(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *fn;
    if (!PyArg_ParseTuple(args, "O:set_exception_info_callback", &fn))
        return NULL;
    if (fn != Py_None && !PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable or None");
        return NULL;
    }
    Py_XDECREF(exception_single);
    exception_single = fn == Py_None ? NULL : (Py_INCREF(fn), fn);
    int any = exception_single || (exception_registered && PyDict_Size(exception_registered) > 0);
    return hpy_ret(aclrtSetExceptionInfoCallback(any ? exception_trampoline : NULL));
}

static PyObject *exception_register(PyObject *args, const char *fmt, int add)
{
    PyObject *fn;
    if (!PyArg_ParseTuple(args, fmt, &fn))
        return NULL;
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "callback must be callable");
        return NULL;
    }
    if (!exception_registered && !(exception_registered = PyDict_New()))
        return NULL;
    if (add ? PyDict_SetItem(exception_registered, fn, Py_None) != 0
            : (PyDict_Contains(exception_registered, fn) == 1 && PyDict_DelItem(exception_registered, fn) != 0))
        return NULL;
    /* one C registration serves them all */
    aclError rc = PyDict_Size(exception_registered) > 0 ? aclrtExceptionInfoCallbackRegister(exception_trampoline)
                                                        : aclrtExceptionInfoCallbackUnregister(exception_trampoline);
    return hpy_ret(rc);
}

static PyObject *py_exception_info_callback_register(PyObject *self, PyObject *args)
{
    (void)self;
    return exception_register(args, "O:exception_info_callback_register", 1);
}

static PyObject *py_exception_info_callback_unregister(PyObject *self, PyObject *args)
{
    (void)self;
    return exception_register(args, "O:exception_info_callback_unregister", 0);
}

#define INFO_GETTER(pyname, call)                                          \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        void *info;                                                        \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, info_arg, &info))       \
            return NULL;                                                   \
        return PyLong_FromUnsignedLong(call((const aclrtExceptionInfo *)info)); \
    }
INFO_GETTER(get_task_id_from_exception_info, aclrtGetTaskIdFromExceptionInfo)
INFO_GETTER(get_stream_id_from_exception_info, aclrtGetStreamIdFromExceptionInfo)
INFO_GETTER(get_thread_id_from_exception_info, aclrtGetThreadIdFromExceptionInfo)
INFO_GETTER(get_device_id_from_exception_info, aclrtGetDeviceIdFromExceptionInfo)
INFO_GETTER(get_error_code_from_exception_info, aclrtGetErrorCodeFromExceptionInfo)

static PyObject *py_get_args_from_exception_info(PyObject *self, PyObject *args)
{
    (void)self;
    void *info, *p = NULL;
    uint32_t len = 0;
    if (!PyArg_ParseTuple(args, "O&:get_args_from_exception_info", info_arg, &info))
        return NULL;
    aclError rc = aclrtGetArgsFromExceptionInfo((const aclrtExceptionInfo *)info, &p, &len);
    return Py_BuildValue("(NIi)", hpy_addr_obj(p), len, (int)rc);
}

static PyObject *py_get_func_handle_from_exception_info(PyObject *self, PyObject *args)
{
    (void)self;
    void *info;
    aclrtFuncHandle f = NULL;
    if (!PyArg_ParseTuple(args, "O&:get_func_handle_from_exception_info", info_arg, &info))
        return NULL;
    aclError rc = aclrtGetFuncHandleFromExceptionInfo((const aclrtExceptionInfo *)info, &f);
    return hpy_addr_ret(f, rc);
}

static PyObject *py_get_thread_last_task_id(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    uint32_t id = 0;
    aclError rc = aclrtGetThreadLastTaskId(&id);
    return hpy_u64_ret(id, rc);
}

PyMethodDef hpy_rt_ctl_methods[] = {
    ARGS(event_get_timestamp),
    ARGS(stream_abort),
    ARGS(stream_stop),
    ARGS(reg_stream_state_callback),
    ARGS(set_exception_info_callback),
    ARGS(exception_info_callback_register),
    ARGS(exception_info_callback_unregister),
    ARGS(get_task_id_from_exception_info),
    ARGS(get_stream_id_from_exception_info),
    ARGS(get_thread_id_from_exception_info),
    ARGS(get_device_id_from_exception_info),
    ARGS(get_error_code_from_exception_info),
    ARGS(get_args_from_exception_info),
    ARGS(get_func_handle_from_exception_info),
    ARGS(subscribe_host_func),
    ARGS(unsubscribe_host_func),
    ARGS(process_host_func),
    {"get_thread_last_task_id", py_get_thread_last_task_id, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
