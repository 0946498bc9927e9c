/*
 * acl.rt: sharing between processes (IPC memory keys, IPC event handles,
 * notifies), virtual memory, labels and the event calls with flags.
 * (Stream control and exception callbacks: rt_ctl.c; acl.mdl's ri_*:
 * mdl_ri.c.)
 *
 * Structs are dicts: a location {"id": int, "type": int}; a physical
 * memory property {"handleType", "allocationType", "memAttr", "location"};
 * an access description {"flags", "location"}. Keys are str, an IPC event
 * handle is 64 bytes, a fabric shareable handle 128 bytes.
 */
#include <string.h>

#include "binding.h"

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}

#define RET_OF_HANDLE HPY_RET_OF_HANDLE_NOGIL
#define RET_OF_2HANDLES HPY_RET_OF_2HANDLES_NOGIL

static int dict_u32(PyObject *d, const char *key, uint32_t *out)
{
    PyObject *v = PyDict_GetItemString(d, key);
    if (!v) {
        PyErr_Format(PyExc_ValueError, "the dict needs \"%s\"", key);
        return -1;
    }
    return hpy_u32(v, out) ? 0 : -1;
}

static int location_of(PyObject *d, aclrtMemLocation *loc)
{
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "a location is a dict {\"id\": int, \"type\": int}");
        return -1;
    }
    uint32_t type;
    if (dict_u32(d, "id", &loc->id) || dict_u32(d, "type", &type))
        return -1;
    loc->type = (aclrtMemLocationType)type;
    return 0;
}

static PyObject *location_dict(const aclrtMemLocation *loc)
{
    return Py_BuildValue("{s:I,s:i}", "id", loc->id, "type", (int)loc->type);
}

/* "O&" converter: a property dict into an aclrtPhysicalMemProp. */
static int prop_of(PyObject *d, void *out)
{
    aclrtPhysicalMemProp *p = out;
    memset(p, 0, sizeof *p);
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "prop is a dict (handleType, allocationType, memAttr, location)");
        return 0;
    }
    uint32_t ht, at, ma;
    PyObject *loc = PyDict_GetItemString(d, "location");
    if (dict_u32(d, "handleType", &ht) || dict_u32(d, "allocationType", &at) || dict_u32(d, "memAttr", &ma))
        return 0;
    if (!loc) {
        PyErr_SetString(PyExc_ValueError, "prop needs \"location\"");
        return 0;
    }
    if (location_of(loc, &p->location))
        return 0;
    p->handleType = (aclrtMemHandleType)ht;
    p->allocationType = (aclrtMemAllocationType)at;
    p->memAttr = (aclrtMemAttr)ma;
    return 1;
}

/* ---- IPC memory ---- */

static PyObject *py_ipc_mem_get_export_key(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    size_t size;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, "O&O&|O&:ipc_mem_get_export_key", hpy_addr, &p, hpy_size, &size, hpy_u64, &flags))
        return NULL;
    char key[128] = "";
    aclError rc = aclrtIpcMemGetExportKey(p, size, key, sizeof key, flags);
    return Py_BuildValue("(si)", key, (int)rc);
}

static PyObject *py_ipc_mem_import_by_key(PyObject *self, PyObject *args)
{
    (void)self;
    const char *key;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, "s|O&:ipc_mem_import_by_key", &key, hpy_u64, &flags))
        return NULL;
    void *p = NULL;
    aclError rc = aclrtIpcMemImportByKey(&p, key, flags);
    return hpy_addr_ret(p, rc);
}

static PyObject *py_ipc_mem_close(PyObject *self, PyObject *args)
{
    (void)self;
    const char *key;
    if (!PyArg_ParseTuple(args, "s:ipc_mem_close", &key))
        return NULL;
    return hpy_ret(aclrtIpcMemClose(key));
}

/* A list of pids as an int32 array (at most 64). */
static int pids_of(PyObject *list, int32_t *pids, size_t *n)
{
    PyObject *seq = PySequence_Fast(list, "pids must be a list of ints");
    if (!seq)
        return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    if (len > 64) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "at most 64 pids");
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++)
        if (!hpy_i32(PySequence_Fast_GET_ITEM(seq, i), &pids[i])) {
            Py_DECREF(seq);
            return -1;
        }
    *n = (size_t)len;
    Py_DECREF(seq);
    return 0;
}

static PyObject *py_ipc_mem_set_import_pid(PyObject *self, PyObject *args)
{
    (void)self;
    const char *key;
    PyObject *list;
    int32_t pids[64];
    size_t n;
    if (!PyArg_ParseTuple(args, "sO:ipc_mem_set_import_pid", &key, &list) || pids_of(list, pids, &n))
        return NULL;
    return hpy_ret(aclrtIpcMemSetImportPid(key, pids, n));
}

static PyObject *py_ipc_mem_set_attr(PyObject *self, PyObject *args)
{
    (void)self;
    const char *key;
    uint32_t type;
    uint64_t attr;
    if (!PyArg_ParseTuple(args, "sO&O&:ipc_mem_set_attr", &key, hpy_u32, &type, hpy_u64, &attr))
        return NULL;
    return hpy_ret(aclrtIpcMemSetAttr(key, (aclrtIpcMemAttrType)type, attr));
}

static PyObject *py_device_get_bare_tgid(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    int32_t pid = 0;
    aclError rc = aclrtDeviceGetBareTgid(&pid);
    return Py_BuildValue("(ii)", (int)pid, (int)rc);
}

/* ---- IPC events ---- */

static PyObject *py_ipc_get_event_handle(PyObject *self, PyObject *args)
{
    (void)self;
    void *e;
    if (!PyArg_ParseTuple(args, "O&:ipc_get_event_handle", hpy_addr, &e))
        return NULL;
    aclrtIpcEventHandle h;
    memset(&h, 0, sizeof h);
    aclError rc = aclrtIpcGetEventHandle(e, &h);
    return Py_BuildValue("(y#i)", h.reserved, (Py_ssize_t)sizeof h.reserved, (int)rc);
}

static PyObject *py_ipc_open_event_handle(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer b;
    if (!PyArg_ParseTuple(args, "y*:ipc_open_event_handle", &b))
        return NULL;
    aclrtIpcEventHandle h;
    memset(&h, 0, sizeof h);
    memcpy(h.reserved, b.buf, (size_t)b.len < sizeof h.reserved ? (size_t)b.len : sizeof h.reserved);
    PyBuffer_Release(&b);
    aclrtEvent e = NULL;
    aclError rc = aclrtIpcOpenEventHandle(h, &e);
    return hpy_addr_ret(e, rc);
}

static PyObject *py_record_event_with_flag(PyObject *self, PyObject *args)
{
    (void)self;
    void *e, *s;
    uint32_t flag;
    if (!PyArg_ParseTuple(args, "O&O&O&:record_event_with_flag", hpy_addr, &e, hpy_addr, &s, hpy_u32, &flag))
        return NULL;
    return hpy_ret(aclrtRecordEventWithFlag(e, s, flag));
}

static PyObject *py_stream_wait_event_with_flag(PyObject *self, PyObject *args)
{
    (void)self;
    void *s, *e;
    uint32_t timeout, flag;
    if (!PyArg_ParseTuple(args, "O&O&O&O&:stream_wait_event_with_flag", hpy_addr, &s, hpy_addr, &e, hpy_u32, &timeout,
                          hpy_u32, &flag))
        return NULL;
    return hpy_ret(aclrtStreamWaitEventWithFlag(s, e, timeout, flag));
}

/* ---- notifies ---- */

static PyObject *py_create_notify(PyObject *self, PyObject *args)
{
    (void)self;
    uint64_t flag = 0;
    if (!PyArg_ParseTuple(args, "|O&:create_notify", hpy_u64, &flag))
        return NULL;
    aclrtNotify n = NULL;
    aclError rc = aclrtCreateNotify(&n, flag);
    return hpy_addr_ret(n, rc);
}

RET_OF_HANDLE(destroy_notify, aclrtDestroyNotify)
RET_OF_2HANDLES(record_notify, aclrtRecordNotify)

static PyObject *py_wait_and_reset_notify(PyObject *self, PyObject *args)
{
    (void)self;
    void *n, *s;
    uint32_t timeout = 0;
    if (!PyArg_ParseTuple(args, "O&O&|O&:wait_and_reset_notify", hpy_addr, &n, hpy_addr, &s, hpy_u32, &timeout))
        return NULL;
    return hpy_ret(aclrtWaitAndResetNotify(n, s, timeout));
}

static PyObject *py_get_notify_id(PyObject *self, PyObject *args)
{
    (void)self;
    void *n;
    if (!PyArg_ParseTuple(args, "O&:get_notify_id", hpy_addr, &n))
        return NULL;
    uint32_t id = 0;
    aclError rc = aclrtGetNotifyId(n, &id);
    return hpy_u64_ret(id, rc);
}

static PyObject *py_notify_get_export_key(PyObject *self, PyObject *args)
{
    (void)self;
    void *n;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, "O&|O&:notify_get_export_key", hpy_addr, &n, hpy_u64, &flags))
        return NULL;
    char key[128] = "";
    aclError rc = aclrtNotifyGetExportKey(n, key, sizeof key, flags);
    return Py_BuildValue("(si)", key, (int)rc);
}

static PyObject *py_notify_import_by_key(PyObject *self, PyObject *args)
{
    (void)self;
    const char *key;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, "s|O&:notify_import_by_key", &key, hpy_u64, &flags))
        return NULL;
    aclrtNotify n = NULL;
    aclError rc = aclrtNotifyImportByKey(&n, key, flags);
    return hpy_addr_ret(n, rc);
}

static PyObject *py_notify_set_import_pid(PyObject *self, PyObject *args)
{
    (void)self;
    void *n;
    PyObject *list;
    int32_t pids[64];
    size_t k;
    if (!PyArg_ParseTuple(args, "O&O:notify_set_import_pid", hpy_addr, &n, &list) || pids_of(list, pids, &k))
        return NULL;
    return hpy_ret(aclrtNotifySetImportPid(n, pids, k));
}

/* ---- virtual memory ---- */

static PyObject *py_mem_get_allocation_granularity(PyObject *self, PyObject *args)
{
    (void)self;
    aclrtPhysicalMemProp p;
    uint32_t option;
    if (!PyArg_ParseTuple(args, "O&O&:mem_get_allocation_granularity", prop_of, &p, hpy_u32, &option))
        return NULL;
    size_t g = 0;
    aclError rc = aclrtMemGetAllocationGranularity(&p, (aclrtMemGranularityOptions)option, &g);
    return hpy_u64_ret(g, rc);
}

static PyObject *py_malloc_physical(PyObject *self, PyObject *args)
{
    (void)self;
    size_t size;
    aclrtPhysicalMemProp p;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, "O&O&|O&:malloc_physical", hpy_size, &size, prop_of, &p, hpy_u64, &flags))
        return NULL;
    aclrtDrvMemHandle h = NULL;
    aclError rc = aclrtMallocPhysical(&h, size, &p, flags);
    return hpy_addr_ret(h, rc);
}

RET_OF_HANDLE(free_physical, aclrtFreePhysical)
RET_OF_HANDLE(release_mem_address, aclrtReleaseMemAddress)
RET_OF_HANDLE(unmap_mem, aclrtUnmapMem)

static PyObject *reserve(PyObject *args, const char *fmt,
                         aclError (*call)(void **, size_t, size_t, void *, uint64_t))
{
    size_t size, alignment = 0;
    void *expect = NULL;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, fmt, hpy_size, &size, hpy_size, &alignment, hpy_addr, &expect, hpy_u64, &flags))
        return NULL;
    void *p = NULL;
    aclError rc = call(&p, size, alignment, expect, flags);
    return hpy_addr_ret(p, rc);
}

static PyObject *py_reserve_mem_address(PyObject *self, PyObject *args)
{
    (void)self;
    return reserve(args, "O&|O&O&O&:reserve_mem_address", aclrtReserveMemAddress);
}

static PyObject *py_reserve_mem_address_no_uc_memory(PyObject *self, PyObject *args)
{
    (void)self;
    return reserve(args, "O&|O&O&O&:reserve_mem_address_no_uc_memory", aclrtReserveMemAddressNoUCMemory);
}

static PyObject *py_map_mem(PyObject *self, PyObject *args)
{
    (void)self;
    void *va, *h;
    size_t size, offset;
    uint64_t flags = 0;
    if (!PyArg_ParseTuple(args, "O&O&O&O&|O&:map_mem", hpy_addr, &va, hpy_size, &size, hpy_size, &offset, hpy_addr,
                          &h, hpy_u64, &flags))
        return NULL;
    return hpy_ret(aclrtMapMem(va, size, offset, h, flags));
}

static PyObject *py_mem_set_access(PyObject *self, PyObject *args)
{
    (void)self;
    void *va;
    size_t size;
    PyObject *list;
    if (!PyArg_ParseTuple(args, "O&O&O:mem_set_access", hpy_addr, &va, hpy_size, &size, &list))
        return NULL;
    PyObject *seq = PySequence_Fast(list, "desc must be a list of dicts {\"flags\", \"location\"}");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    aclrtMemAccessDesc *d = n > 0 ? PyMem_Calloc((size_t)n, sizeof *d) : NULL;
    int ok = n > 0 ? d != NULL : 1;
    for (Py_ssize_t i = 0; ok && i < n; i++) {
        PyObject *e = PySequence_Fast_GET_ITEM(seq, i), *loc = PyDict_Check(e) ? PyDict_GetItemString(e, "location") : NULL;
        uint32_t flags;
        ok = loc && dict_u32(e, "flags", &flags) == 0 && location_of(loc, &d[i].location) == 0;
        if (ok)
            d[i].flags = (aclrtMemAccessFlags)flags;
        else if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "each access description is a dict {\"flags\", \"location\"}");
    }
    Py_DECREF(seq);
    PyObject *r = ok ? hpy_ret(aclrtMemSetAccess(va, size, d, (size_t)n)) : NULL;
    PyMem_Free(d);
    return r;
}

static PyObject *py_mem_get_access(PyObject *self, PyObject *args)
{
    (void)self;
    void *va;
    if (!PyArg_ParseTuple(args, "O&:mem_get_access", hpy_addr, &va))
        return NULL;
    aclrtMemLocation loc = {0, ACL_MEM_LOCATION_TYPE_HOST};
    uint64_t flag = 0;
    aclError rc = aclrtMemGetAccess(va, &loc, &flag);
    return Py_BuildValue("(NKi)", location_dict(&loc), (unsigned long long)flag, (int)rc);
}

static PyObject *py_mem_retain_allocation_handle(PyObject *self, PyObject *args)
{
    (void)self;
    void *va;
    if (!PyArg_ParseTuple(args, "O&:mem_retain_allocation_handle", hpy_addr, &va))
        return NULL;
    aclrtDrvMemHandle h = NULL;
    aclError rc = aclrtMemRetainAllocationHandle(va, &h);
    return hpy_addr_ret(h, rc);
}

static PyObject *py_mem_get_allocation_properties_from_handle(PyObject *self, PyObject *args)
{
    (void)self;
    void *h;
    if (!PyArg_ParseTuple(args, "O&:mem_get_allocation_properties_from_handle", hpy_addr, &h))
        return NULL;
    aclrtPhysicalMemProp p;
    memset(&p, 0, sizeof p);
    aclError rc = aclrtMemGetAllocationPropertiesFromHandle(h, &p);
    return Py_BuildValue("({s:i,s:i,s:i,s:N}i)", "handleType", (int)p.handleType, "allocationType",
                         (int)p.allocationType, "memAttr", (int)p.memAttr, "location", location_dict(&p.location),
                         (int)rc);
}

static PyObject *py_mem_get_address_range(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    if (!PyArg_ParseTuple(args, "O&:mem_get_address_range", hpy_addr, &p))
        return NULL;
    void *base = NULL;
    size_t size = 0;
    aclError rc = aclrtMemGetAddressRange(p, &base, &size);
    return Py_BuildValue("(NKi)", hpy_addr_obj(base), (unsigned long long)size, (int)rc);
}

static PyObject *py_mem_export_to_shareable_handle(PyObject *self, PyObject *args)
{
    (void)self;
    void *h;
    uint32_t type = ACL_MEM_HANDLE_TYPE_NONE;
    uint64_t flags = 0, out = 0;
    if (!PyArg_ParseTuple(args, "O&|O&O&:mem_export_to_shareable_handle", hpy_addr, &h, hpy_u32, &type, hpy_u64,
                          &flags))
        return NULL;
    aclError rc = aclrtMemExportToShareableHandle(h, (aclrtMemHandleType)type, flags, &out);
    return hpy_u64_ret(out, rc);
}

static PyObject *py_mem_import_from_shareable_handle(PyObject *self, PyObject *args)
{
    (void)self;
    uint64_t sh;
    int32_t dev;
    if (!PyArg_ParseTuple(args, "O&O&:mem_import_from_shareable_handle", hpy_u64, &sh, hpy_i32, &dev))
        return NULL;
    aclrtDrvMemHandle h = NULL;
    aclError rc = aclrtMemImportFromShareableHandle(sh, dev, &h);
    return hpy_addr_ret(h, rc);
}

static PyObject *py_mem_set_pid_to_shareable_handle(PyObject *self, PyObject *args)
{
    (void)self;
    uint64_t sh;
    PyObject *list;
    int32_t pids[64];
    size_t n;
    if (!PyArg_ParseTuple(args, "O&O:mem_set_pid_to_shareable_handle", hpy_u64, &sh, &list) || pids_of(list, pids, &n))
        return NULL;
    return hpy_ret(aclrtMemSetPidToShareableHandle(sh, pids, n));
}

/* V2: a DEFAULT handle is an int, a FABRIC one 128 bytes. */
static int v2_handle(PyObject *o, uint32_t type, aclrtMemFabricHandle *fab)
{
    memset(fab, 0, sizeof *fab);
    if (type == ACL_MEM_SHARE_HANDLE_TYPE_FABRIC && PyBytes_Check(o)) {
        Py_ssize_t n = PyBytes_GET_SIZE(o);
        memcpy(fab->data, PyBytes_AS_STRING(o), (size_t)n < sizeof fab->data ? (size_t)n : sizeof fab->data);
        return 0;
    }
    uint64_t v;
    if (!hpy_u64(o, &v))
        return -1;
    memcpy(fab->data, &v, sizeof v);
    return 0;
}

static PyObject *py_mem_export_to_shareable_handle_v2(PyObject *self, PyObject *args)
{
    (void)self;
    void *h;
    uint64_t flags;
    uint32_t type;
    if (!PyArg_ParseTuple(args, "O&O&O&:mem_export_to_shareable_handle_v2", hpy_addr, &h, hpy_u64, &flags, hpy_u32,
                          &type))
        return NULL;
    aclrtMemFabricHandle fab;
    memset(&fab, 0, sizeof fab);
    aclError rc = aclrtMemExportToShareableHandleV2(h, flags, (aclrtMemSharedHandleType)type, &fab);
    if (type == ACL_MEM_SHARE_HANDLE_TYPE_FABRIC)
        return Py_BuildValue("(y#i)", (const char *)fab.data, (Py_ssize_t)sizeof fab.data, (int)rc);
    uint64_t v;
    memcpy(&v, fab.data, sizeof v);
    return hpy_u64_ret(v, rc);
}

static PyObject *py_mem_import_from_shareable_handle_v2(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o;
    uint32_t type;
    uint64_t flags = 0;
    aclrtMemFabricHandle fab;
    if (!PyArg_ParseTuple(args, "OO&|O&:mem_import_from_shareable_handle_v2", &o, hpy_u32, &type, hpy_u64, &flags) ||
        v2_handle(o, type, &fab))
        return NULL;
    aclrtDrvMemHandle h = NULL;
    aclError rc = aclrtMemImportFromShareableHandleV2(&fab, (aclrtMemSharedHandleType)type, flags, &h);
    return hpy_addr_ret(h, rc);
}

static PyObject *py_mem_set_pid_to_shareable_handle_v2(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *o, *list;
    uint32_t type;
    int32_t pids[64];
    size_t n;
    aclrtMemFabricHandle fab;
    if (!PyArg_ParseTuple(args, "OO&O:mem_set_pid_to_shareable_handle_v2", &o, hpy_u32, &type, &list) ||
        v2_handle(o, type, &fab) || pids_of(list, pids, &n))
        return NULL;
    return hpy_ret(aclrtMemSetPidToShareableHandleV2(&fab, (aclrtMemSharedHandleType)type, pids, n));
}

/* ---- labels ---- */

static PyObject *py_create_label(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    aclrtLabel l = NULL;
    aclError rc = aclrtCreateLabel(&l);
    return hpy_addr_ret(l, rc);
}

RET_OF_HANDLE(destroy_label, aclrtDestroyLabel)
RET_OF_HANDLE(destroy_label_list, aclrtDestroyLabelList)
RET_OF_2HANDLES(set_label, aclrtSetLabel)

static PyObject *py_create_label_list(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *list;
    if (!PyArg_ParseTuple(args, "O:create_label_list", &list))
        return NULL;
    PyObject *seq = PySequence_Fast(list, "labels must be a list of label handles");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    aclrtLabel *v = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof *v);
    int ok = v != NULL;
    for (Py_ssize_t i = 0; ok && i < n; i++)
        ok = hpy_addr(PySequence_Fast_GET_ITEM(seq, i), &v[i]);
    Py_DECREF(seq);
    PyObject *r = NULL;
    if (ok) {
        aclrtLabelList l = NULL;
        aclError rc = aclrtCreateLabelList(v, (size_t)n, &l);
        r = hpy_addr_ret(l, rc);
    } else if (!PyErr_Occurred()) {
        PyErr_NoMemory();
    }
    PyMem_Free(v);
    return r;
}

static PyObject *py_switch_label_by_index(PyObject *self, PyObject *args)
{
    (void)self;
    void *p, *list, *s;
    uint32_t max;
    if (!PyArg_ParseTuple(args, "O&O&O&O&:switch_label_by_index", hpy_addr, &p, hpy_u32, &max, hpy_addr, &list,
                          hpy_addr, &s))
        return NULL;
    return hpy_ret(aclrtSwitchLabelByIndex(p, max, list, s));
}

PyMethodDef hpy_rt_share_methods[] = {
    ARGS(ipc_mem_get_export_key),
    ARGS(ipc_mem_import_by_key),
    ARGS(ipc_mem_close),
    ARGS(ipc_mem_set_import_pid),
    ARGS(ipc_mem_set_attr),
    {"device_get_bare_tgid", py_device_get_bare_tgid, METH_NOARGS, NULL},
    ARGS(ipc_get_event_handle),
    ARGS(ipc_open_event_handle),
    ARGS(record_event_with_flag),
    ARGS(stream_wait_event_with_flag),
    ARGS(create_notify),
    ARGS(destroy_notify),
    ARGS(record_notify),
    ARGS(wait_and_reset_notify),
    ARGS(get_notify_id),
    ARGS(notify_get_export_key),
    ARGS(notify_import_by_key),
    ARGS(notify_set_import_pid),
    ARGS(mem_get_allocation_granularity),
    ARGS(malloc_physical),
    ARGS(free_physical),
    ARGS(reserve_mem_address),
    ARGS(reserve_mem_address_no_uc_memory),
    ARGS(release_mem_address),
    ARGS(map_mem),
    ARGS(unmap_mem),
    ARGS(mem_set_access),
    ARGS(mem_get_access),
    ARGS(mem_retain_allocation_handle),
    ARGS(mem_get_allocation_properties_from_handle),
    ARGS(mem_get_address_range),
    ARGS(mem_export_to_shareable_handle),
    ARGS(mem_import_from_shareable_handle),
    ARGS(mem_set_pid_to_shareable_handle),
    ARGS(mem_export_to_shareable_handle_v2),
    ARGS(mem_import_from_shareable_handle_v2),
    ARGS(mem_set_pid_to_shareable_handle_v2),
    {"create_label", py_create_label, METH_NOARGS, NULL},
    ARGS(destroy_label),
    ARGS(create_label_list),
    ARGS(destroy_label_list),
    ARGS(set_label),
    ARGS(switch_label_by_index),
    {NULL, NULL, 0, NULL},
};
