/*
 * hostacl's Python binding (`import acl`): what its files share.
 *
 * The module follows pyACL's conventions (../shared facts): handles and
 * addresses are Python ints; a C function that returns only an aclError
 * returns that code; one with out-parameters returns a tuple of them with
 * the code last; one that returns a value returns it alone; structs become
 * dicts. Wrong Python types raise TypeError, impossible values (negative
 * sizes, unmapped host addresses) ValueError; everything the C API can
 * judge is left to it, so its error codes and aclGetRecentErrMsg() reach
 * the application unchanged.
 *
 * Files: module.c (the module and its submodules), base.c (acl.*), rt.c
 * and rt_mem.c (acl.rt), mdl.c (acl.mdl), report.c (callbacks, report
 * threads, acl.util threads), util.c (acl.util memory helpers), hacl.c
 * (acl.hacl: hostacl's own pipeline and pool).
 *
 * Threads: every call that can block releases the GIL; C callbacks into
 * Python take it (PyGILState) and hold it only while Python runs.
 */
#ifndef HOSTACL_PYTHON_BINDING_H
#define HOSTACL_PYTHON_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "acl/acl.h"

/* ---- arguments ("O&" converters) ---- */

/* A Python int that is an address or a handle (0 for NULL). Refuses
 * anything else with TypeError, negative or too large values with
 * ValueError. */
int hpy_addr(PyObject *o, void *out /* void ** */);
/* A Python int that is a size: 0 or more (size_t). */
int hpy_size(PyObject *o, void *out /* size_t * */);
/* Any int for a 32-bit signed C parameter (int32_t), range-checked. */
int hpy_i32(PyObject *o, void *out /* int32_t * */);
/* Any int for a 32/64-bit unsigned C parameter, range-checked. */
int hpy_u32(PyObject *o, void *out /* uint32_t * */);
int hpy_u64(PyObject *o, void *out /* uint64_t * */);

/* ---- wrappers of one shape ----
 * f(handle) -> ret and f(handle, handle) -> ret, the GIL released (the
 * call may wait). */
#define HPY_RET_OF_HANDLE_NOGIL(pyname, call)                              \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        void *h;                                                           \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &h))          \
            return NULL;                                                   \
        aclError rc;                                                       \
        Py_BEGIN_ALLOW_THREADS                                             \
        rc = call(h);                                                      \
        Py_END_ALLOW_THREADS                                               \
        return hpy_ret(rc);                                                \
    }
#define HPY_RET_OF_2HANDLES_NOGIL(pyname, call)                            \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        void *a, *b;                                                       \
        if (!PyArg_ParseTuple(args, "O&O&:" #pyname, hpy_addr, &a, hpy_addr, &b)) \
            return NULL;                                                   \
        aclError rc;                                                       \
        Py_BEGIN_ALLOW_THREADS                                             \
        rc = call(a, b);                                                   \
        Py_END_ALLOW_THREADS                                               \
        return hpy_ret(rc);                                                \
    }

/* ---- results ---- */

PyObject *hpy_ret(aclError ret);                           /* ret */
PyObject *hpy_addr_ret(const void *p, aclError ret);       /* (address, ret) */
PyObject *hpy_u64_ret(unsigned long long v, aclError ret); /* (int, ret) */
PyObject *hpy_addr_obj(const void *p);                     /* address */

/* ---- host memory ----
 * 0 when every page of [p, p + n) can be read by this process (asked of the
 * kernel: process_vm_readv, or mincore where that call is filtered), else
 * -1 with ValueError set: an address made up in Python must not crash the
 * process. (The C API checks device memory itself; host pointers it cannot.
 * A read-only mapping given as a destination is not caught: made-up ints
 * land there far less often than in holes.) */
int hpy_check_mapped(const void *p, size_t n, const char *what);

/* ---- submodules: each file adds its functions ---- */
extern PyMethodDef hpy_base_methods[];
extern PyMethodDef hpy_rt_methods[];
extern PyMethodDef hpy_rt_mem_methods[];
extern PyMethodDef hpy_report_methods[]; /* acl.rt: callbacks and report threads */
extern PyMethodDef hpy_mdl_methods[];
extern PyMethodDef hpy_mdl_aipp_methods[]; /* acl.mdl: AIPP and gear queries */
/* An aclmdlIODims as pyACL's dict ({} when rc is not success). */
PyObject *hpy_dims_dict(const aclmdlIODims *d, aclError rc);
/* acl.media: the DVPP calls (python/media_*.c, written by tools/gen/gen_media.py) */
extern PyMethodDef hpy_media_objects_methods[];
extern PyMethodDef hpy_media_configs_methods[];
extern PyMethodDef hpy_media_ops_methods[];
extern PyMethodDef hpy_media_vdec_methods[];
extern PyMethodDef hpy_media_venc_methods[];
extern PyMethodDef hpy_util_methods[];
extern PyMethodDef hpy_util_thread_methods[];
extern PyMethodDef hpy_hacl_methods[];
extern PyMethodDef hpy_rt_sys_methods[];
extern PyMethodDef hpy_base_sys_methods[];
extern PyMethodDef hpy_sys_methods[];
extern PyMethodDef hpy_rt_task_methods[];
extern PyMethodDef hpy_rt_share_methods[]; /* acl.rt: IPC, notifies, virtual memory, labels */
extern PyMethodDef hpy_rt_ctl_methods[];   /* acl.rt: stream control, exception callbacks */
extern PyMethodDef hpy_mdl_ri_methods[];   /* acl.mdl: model runtime instances */ 

/* Python callbacks still queued (report.c) are released when their stream
 * is destroyed by force or the runtime finalised, since they will not run:
 * take a mark before the destroying call, cancel with it after. */
uint64_t hpy_callbacks_mark(void);
void hpy_callbacks_cancel_stream(void *stream, uint64_t mark);
void hpy_callbacks_cancel_all(uint64_t mark);

#endif
