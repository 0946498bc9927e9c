/*
 * The `acl` extension module: the top level and its submodules (acl.rt,
 * acl.mdl, acl.util, acl.hacl), registered in sys.modules too so that
 * `from acl import rt` and `import acl.rt` work; and the argument and
 * result helpers every file uses (binding.h).
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "binding.h"
#include "runtime/memory.h"

/* ---- arguments ---- */

static int as_u64(PyObject *o, unsigned long long max, unsigned long long *v, const char *what)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", what, Py_TYPE(o)->tp_name);
        return 0;
    }
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (s == -1 && PyErr_Occurred())
        return 0;
    if (overflow < 0 || (!overflow && s < 0)) {
        PyErr_Format(PyExc_ValueError, "%s must not be negative", what);
        return 0;
    }
    unsigned long long u = overflow ? PyLong_AsUnsignedLongLong(o) : (unsigned long long)s;
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "%s is too large", what);
        return 0;
    }
    if (u > max) {
        PyErr_Format(PyExc_ValueError, "%s %llu is too large (at most %llu)", what, u, max);
        return 0;
    }
    *v = u;
    return 1;
}

int hpy_addr(PyObject *o, void *out)
{
    unsigned long long v;
    if (!as_u64(o, UINTPTR_MAX, &v, "an address or handle"))
        return 0;
    *(void **)out = (void *)(uintptr_t)v;
    return 1;
}

int hpy_size(PyObject *o, void *out)
{
    unsigned long long v;
    if (!as_u64(o, SIZE_MAX, &v, "a size"))
        return 0;
    *(size_t *)out = (size_t)v;
    return 1;
}

int hpy_u32(PyObject *o, void *out)
{
    unsigned long long v;
    if (!as_u64(o, UINT32_MAX, &v, "the value"))
        return 0;
    *(uint32_t *)out = (uint32_t)v;
    return 1;
}

int hpy_u64(PyObject *o, void *out)
{
    unsigned long long v;
    if (!as_u64(o, UINT64_MAX, &v, "the value"))
        return 0;
    *(uint64_t *)out = (uint64_t)v;
    return 1;
}

int hpy_i32(PyObject *o, void *out)
{
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "an int is required, not %.100s", Py_TYPE(o)->tp_name);
        return 0;
    }
    long long v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "the value does not fit a 32-bit int");
        return 0;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        PyErr_Format(PyExc_ValueError, "%lld does not fit a 32-bit int", v);
        return 0;
    }
    *(int32_t *)out = (int32_t)v;
    return 1;
}

/* ---- results ---- */

PyObject *hpy_ret(aclError ret)
{
    return PyLong_FromLong((long)ret);
}

PyObject *hpy_addr_obj(const void *p)
{
    return PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)p);
}

PyObject *hpy_addr_ret(const void *p, aclError ret)
{
    return Py_BuildValue("(Ki)", (unsigned long long)(uintptr_t)p, (int)ret);
}

PyObject *hpy_u64_ret(unsigned long long v, aclError ret)
{
    return Py_BuildValue("(Ki)", v, (int)ret);
}

/* ---- host memory ---- */

/* Whether every page of [a, end) can be read, asked of the kernel with
 * process_vm_readv on this process (one byte per page, up to 1024 pages a
 * call): 1 yes, 0 no, -1 the call is not available (a seccomp filter). */
static int pages_readable(uintptr_t a, uintptr_t end, uintptr_t page)
{
    enum { BATCH = 1024 };
    static char sink[BATCH];
    struct iovec local[BATCH], remote[BATCH];
    pid_t self = getpid();
    while (a < end) {
        size_t n = 0;
        for (; n < BATCH && a < end; n++, a = (a & ~(page - 1)) + page) {
            local[n] = (struct iovec){&sink[n], 1};
            remote[n] = (struct iovec){(void *)a, 1};
        }
        ssize_t got = process_vm_readv(self, local, n, remote, n, 0);
        if (got < 0 && (errno == ENOSYS || errno == EPERM))
            return -1;
        if (got != (ssize_t)n)
            return 0;
    }
    return 1;
}

/* The fallback: mapped at all (mincore fails with ENOMEM on a hole). */
static int pages_mapped(uintptr_t a, uintptr_t end, uintptr_t page)
{
    unsigned char vec[1024];
    a &= ~(page - 1);
    while (a < end) {
        size_t pages = (end - a + page - 1) / page;
        if (pages > sizeof vec)
            pages = sizeof vec;
        if (mincore((void *)a, pages * page, vec) != 0 && errno == ENOMEM)
            return 0;
        a += pages * page;
    }
    return 1;
}

int hpy_check_mapped(const void *p, size_t n, const char *what)
{
    if (n == 0 || !p) /* nothing to touch, or NULL: the C API's own error */
        return 0;
    /* Memory the runtime knows: the range must fit its allocation, and an
     * object's handle is never memory. */
    struct hacl_ptrinfo pi;
    hacl_mem_classify(p, &pi);
    if (pi.where == HACL_PTR_HANDLE) {
        PyErr_Format(PyExc_ValueError, "%s: %p is the handle of a runtime object, not memory", what, p);
        return -1;
    }
    if (pi.where != HACL_PTR_UNKNOWN_HOST) {
        if (!hacl_mem_range_ok(p, n, &pi)) {
            PyErr_Format(PyExc_ValueError, "%s: %zu bytes at %p run past their allocation of %zu bytes", what, n, p,
                         pi.alloc.size);
            return -1;
        }
        return 0;
    }
    uintptr_t start = (uintptr_t)p, end;
    if (__builtin_add_overflow(start, n, &end)) {
        PyErr_Format(PyExc_ValueError, "%s: %zu bytes at %p are not memory of this process", what, n, p);
        return -1;
    }
    static uintptr_t page;
    if (!page)
        page = (uintptr_t)sysconf(_SC_PAGESIZE);
    int ok = pages_readable(start, end, page);
    if (ok < 0)
        ok = pages_mapped(start, end, page);
    if (!ok) {
        PyErr_Format(PyExc_ValueError, "%s: %zu bytes at %p are not (all) accessible memory of this process", what, n,
                     p);
        return -1;
    }
    return 0;
}

/* ---- the module ---- */

struct sub {
    const char *name, *full; /* attribute of acl, and its sys.modules name */
    const char *doc;
    PyMethodDef *methods[7];
    PyModuleDef def; /* filled at import */
};

static struct sub subs[] = {
    {"rt", "acl.rt", "Runtime: devices, contexts, streams, events, memory, callbacks.",
     {hpy_rt_methods, hpy_rt_mem_methods, hpy_report_methods, hpy_rt_sys_methods, hpy_rt_task_methods,
      hpy_rt_share_methods, hpy_rt_ctl_methods}, {PyModuleDef_HEAD_INIT, .m_name = NULL}},
    {"sys", "acl.sys", "Installed package versions.", {hpy_sys_methods, NULL, NULL, NULL},
     {PyModuleDef_HEAD_INIT, .m_name = NULL}},
    {"mdl", "acl.mdl", "Models: loading, descriptions, datasets, execution.", {hpy_mdl_methods, hpy_mdl_aipp_methods, hpy_mdl_ri_methods, NULL},
     {PyModuleDef_HEAD_INIT, .m_name = NULL}},
    {"media", "acl.media", "DVPP image processing (and the video codecs' declarations).",
     {hpy_media_objects_methods, hpy_media_configs_methods, hpy_media_ops_methods, hpy_media_vdec_methods,
      hpy_media_venc_methods},
     {PyModuleDef_HEAD_INIT, .m_name = NULL}},
    {"util", "acl.util", "Memory and thread helpers for Python.", {hpy_util_methods, hpy_util_thread_methods, NULL},
     {PyModuleDef_HEAD_INIT, .m_name = NULL}},
    {"hacl", "acl.hacl", "hostacl's own extensions: dataset pools and pipelines.", {hpy_hacl_methods, NULL, NULL},
     {PyModuleDef_HEAD_INIT, .m_name = NULL}},
};

static int add_functions(PyObject *m, PyMethodDef *const *tables, size_t ntables)
{
    for (size_t t = 0; t < ntables; t++)
        if (tables[t] && PyModule_AddFunctions(m, tables[t]) != 0)
            return -1;
    return 0;
}

static struct PyModuleDef acl_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "acl",
    .m_doc = "AscendCL on the host CPU (hostacl), pyACL-compatible.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit_acl(void)
{
    PyObject *m = PyModule_Create(&acl_def);
    if (!m)
        return NULL;
    PyMethodDef *const base[] = {hpy_base_methods, hpy_base_sys_methods};
    if (add_functions(m, base, 2) != 0)
        goto fail;
    PyObject *modules = PyImport_GetModuleDict();
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        struct sub *s = &subs[i];
        s->def.m_name = s->full;
        s->def.m_doc = s->doc;
        s->def.m_size = -1;
        PyObject *sm = PyModule_Create(&s->def);
        if (!sm)
            goto fail;
        if (add_functions(sm, s->methods, 7) != 0 || PyDict_SetItemString(modules, s->full, sm) != 0 ||
            PyModule_AddObject(m, s->name, sm) != 0) {
            Py_DECREF(sm);
            goto fail;
        }
    }
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
