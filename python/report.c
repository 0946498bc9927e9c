/*
 * Python callbacks on streams (acl.rt.launch_callback, launch_host_func),
 * report threads (subscribe_report, process_report, unsubscribe_report)
 * and acl.util.start_thread / stop_thread.
 *
 * A launched callback holds references to its callable and argument in a
 * record the binding keeps in a list until the callback has run; one that
 * can never run (its stream destroyed by force, the runtime finalised) is
 * released then, so nothing leaks. The C trampoline takes the GIL only
 * around the Python call; an exception is printed with its traceback and
 * does not stop the report thread (as upstream: it is not propagated).
 */
#include <pthread.h>
#include <stdlib.h>

#include "binding.h"
#include "runtime/runtime.h"

#define PY_REPORT_SPIN_US 200

struct pycb {
    struct pycb *prev, *next; /* in `pending`, under lock */
    PyObject *fn, *arg;
    void *stream;
    uint64_t seq; /* launch order: a sweep spares launches newer than itself */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pycb pending = {&pending, &pending, NULL, NULL, NULL, 0};
static uint64_t launches; /* under lock */

static void link_cb(struct pycb *c)
{
    pthread_mutex_lock(&lock);
    c->seq = ++launches;
    c->next = &pending;
    c->prev = pending.prev;
    pending.prev->next = c;
    pending.prev = c;
    pthread_mutex_unlock(&lock);
}

/* Caller holds lock. */
static void unlink_locked(struct pycb *c)
{
    c->prev->next = c->next;
    c->next->prev = c->prev;
    c->next = c->prev = c;
}

/* Caller holds the GIL. */
static void free_cb(struct pycb *c)
{
    Py_DECREF(c->fn);
    Py_DECREF(c->arg);
    PyMem_RawFree(c);
}

/* The C callback: runs fn(arg) with the GIL, on whichever thread the
 * runtime delivers it to (a report thread in process_report, the
 * host-function thread, or a thread draining a stream). */
static void trampoline(void *p)
{
    struct pycb *c = p;
    pthread_mutex_lock(&lock);
    unlink_locked(c);
    pthread_mutex_unlock(&lock);
    if (_Py_IsFinalizing())
        return; /* the interpreter is going away: nothing may run (or be freed) */
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallOneArg(c->fn, c->arg);
    if (!r) {
        PySys_WriteStderr("acl: exception in a stream callback (ignored, as AscendCL does):\n");
        PyErr_PrintEx(0);
    }
    Py_XDECREF(r);
    free_cb(c);
    PyGILState_Release(g);
}

uint64_t hpy_callbacks_mark(void)
{
    pthread_mutex_lock(&lock);
    uint64_t m = launches;
    pthread_mutex_unlock(&lock);
    return m;
}

/* Releases the records launched up to `mark` (on `stream`, or all): a
 * stream created later at the same address is not touched. */
static void cancel_where(void *stream, int all, uint64_t mark)
{
    struct pycb gone = {&gone, &gone, NULL, NULL, NULL, 0};
    pthread_mutex_lock(&lock);
    struct pycb *c = pending.next;
    while (c != &pending) {
        struct pycb *next = c->next;
        if (c->seq <= mark && (all || c->stream == stream)) {
            unlink_locked(c);
            c->next = gone.next;
            gone.next = c;
        }
        c = next;
    }
    pthread_mutex_unlock(&lock);
    for (c = gone.next; c != &gone;) {
        struct pycb *next = c->next;
        free_cb(c);
        c = next;
    }
}

void hpy_callbacks_cancel_stream(void *stream, uint64_t mark)
{
    cancel_where(stream, 0, mark);
}

void hpy_callbacks_cancel_all(uint64_t mark)
{
    cancel_where(NULL, 1, mark);
}

static struct pycb *new_cb(PyObject *fn, PyObject *arg, void *stream)
{
    if (!PyCallable_Check(fn)) {
        PyErr_Format(PyExc_TypeError, "the callback must be callable, not %.100s", Py_TYPE(fn)->tp_name);
        return NULL;
    }
    struct pycb *c = PyMem_RawMalloc(sizeof *c);
    if (!c) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_INCREF(fn);
    Py_INCREF(arg);
    c->fn = fn;
    c->arg = arg;
    c->stream = stream;
    link_cb(c);
    return c;
}

/* A launch the runtime refused: the record goes at once. */
static void drop_cb(struct pycb *c)
{
    pthread_mutex_lock(&lock);
    unlink_locked(c);
    pthread_mutex_unlock(&lock);
    free_cb(c);
}

static PyObject *py_launch_callback(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *fn, *arg;
    int block;
    void *stream;
    if (!PyArg_ParseTuple(args, "OOiO&:launch_callback", &fn, &arg, &block, hpy_addr, &stream))
        return NULL;
    struct pycb *c = new_cb(fn, arg, stream);
    if (!c)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtLaunchCallback(trampoline, c, (aclrtCallbackBlockType)block, stream);
    Py_END_ALLOW_THREADS
    if (rc != ACL_SUCCESS)
        drop_cb(c);
    return hpy_ret(rc);
}

static PyObject *py_launch_host_func(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *fn, *arg;
    void *stream;
    if (!PyArg_ParseTuple(args, "O&OO:launch_host_func", hpy_addr, &stream, &fn, &arg))
        return NULL;
    struct pycb *c = new_cb(fn, arg, stream);
    if (!c)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclrtLaunchHostFunc(stream, trampoline, c);
    Py_END_ALLOW_THREADS
    if (rc != ACL_SUCCESS)
        drop_cb(c);
    return hpy_ret(rc);
}

static PyObject *report_call(PyObject *args, const char *fmt, aclError (*call)(uint64_t, aclrtStream))
{
    uint64_t tid;
    void *stream;
    if (!PyArg_ParseTuple(args, fmt, hpy_u64, &tid, hpy_addr, &stream))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS /* unsubscribing waits for the stream's callbacks */
    rc = call(tid, stream);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_subscribe_report(PyObject *self, PyObject *args)
{
    (void)self;
    return report_call(args, "O&O&:subscribe_report", aclrtSubscribeReport);
}

static PyObject *py_unsubscribe_report(PyObject *self, PyObject *args)
{
    (void)self;
    return report_call(args, "O&O&:unsubscribe_report", aclrtUnSubscribeReport);
}

static PyObject *py_process_report(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t timeout;
    if (!PyArg_ParseTuple(args, "O&:process_report", hpy_i32, &timeout))
        return NULL;
    /* A Python report loop needs the GIL between two calls, which can take
     * longer than the runtime's spin: spin at least PY_REPORT_SPIN_US here,
     * so a callback that arrives meanwhile finds the thread awake (measured:
     * NO_BLOCK launch -> Python callback 15.7 -> 5.1 us p50). */
    unsigned spin = hacl_sched_spin_us();
    if (spin && spin < PY_REPORT_SPIN_US)
        spin = PY_REPORT_SPIN_US;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = hacl_report_process("aclrtProcessReport", timeout, spin);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

/* ---- acl.util threads ---- */

struct pythread {
    struct pythread *next; /* in `threads`, under lock */
    pthread_t thread;
    PyObject *fn, *arg;
    int failed;
};

static struct pythread *threads;

static void *thread_main(void *p)
{
    struct pythread *t = p;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallOneArg(t->fn, t->arg);
    if (!r) {
        t->failed = 1;
        PySys_WriteStderr("acl.util.start_thread: the thread function raised:\n");
        PyErr_PrintEx(0);
    }
    Py_XDECREF(r);
    PyGILState_Release(g);
    return NULL;
}

static PyObject *py_start_thread(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *fn, *arg;
    if (!PyArg_ParseTuple(args, "OO:start_thread", &fn, &arg))
        return NULL;
    if (!PyCallable_Check(fn))
        return PyErr_Format(PyExc_TypeError, "the thread function must be callable, not %.100s",
                            Py_TYPE(fn)->tp_name);
    struct pythread *t = PyMem_RawCalloc(1, sizeof *t);
    if (!t)
        return PyErr_NoMemory();
    Py_INCREF(fn);
    Py_INCREF(arg);
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->thread, NULL, thread_main, t) != 0) {
        Py_DECREF(fn);
        Py_DECREF(arg);
        PyMem_RawFree(t);
        return Py_BuildValue("(Ki)", 0ULL, (int)ACL_ERROR_RT_RESOURCE_ALLOC_FAIL);
    }
    pthread_mutex_lock(&lock);
    t->next = threads;
    threads = t;
    pthread_mutex_unlock(&lock);
    return Py_BuildValue("(Ki)", (unsigned long long)t->thread, (int)ACL_SUCCESS);
}

static PyObject *py_stop_thread(PyObject *self, PyObject *args)
{
    (void)self;
    uint64_t tid;
    if (!PyArg_ParseTuple(args, "O&:stop_thread", hpy_u64, &tid))
        return NULL;
    pthread_mutex_lock(&lock);
    struct pythread **pp = &threads, *t = NULL;
    while (*pp && (uint64_t)(*pp)->thread != tid)
        pp = &(*pp)->next;
    if (*pp) {
        t = *pp;
        *pp = t->next;
    }
    pthread_mutex_unlock(&lock);
    if (!t)
        return hpy_ret(ACL_ERROR_INVALID_PARAM); /* not a thread of start_thread, or stopped already */
    Py_BEGIN_ALLOW_THREADS
    pthread_join(t->thread, NULL);
    Py_END_ALLOW_THREADS
    int failed = t->failed;
    Py_DECREF(t->fn);
    Py_DECREF(t->arg);
    PyMem_RawFree(t);
    if (failed)
        return PyErr_Format(PyExc_RuntimeError, "the function of thread %llu raised an exception (printed above)",
                            (unsigned long long)tid);
    return hpy_ret(ACL_SUCCESS);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
PyMethodDef hpy_report_methods[] = {
    ARGS(launch_callback), ARGS(launch_host_func), ARGS(subscribe_report),
    ARGS(unsubscribe_report), ARGS(process_report), {NULL, NULL, 0, NULL},
};
PyMethodDef hpy_util_thread_methods[] = {
    ARGS(start_thread),
    ARGS(stop_thread),
    {NULL, NULL, 0, NULL},
};
