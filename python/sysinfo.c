/*
 * acl.* and acl.rt: last errors, device error detail, versions and
 * capabilities (runtime/sysinfo.c says what a CPU answers).
 */
#include "binding.h"

static PyObject *py_peek_at_last_error(PyObject *self, PyObject *args)
{
    (void)self;
    int level = ACL_RT_THREAD_LEVEL;
    if (!PyArg_ParseTuple(args, "|i:peek_at_last_error", &level))
        return NULL;
    return hpy_ret(aclrtPeekAtLastError((aclrtLastErrLevel)level));
}

static PyObject *py_get_last_error(PyObject *self, PyObject *args)
{
    (void)self;
    int level = ACL_RT_THREAD_LEVEL;
    if (!PyArg_ParseTuple(args, "|i:get_last_error", &level))
        return NULL;
    return hpy_ret(aclrtGetLastError((aclrtLastErrLevel)level));
}

static PyObject *error_info_dict(const aclrtErrorInfo *e)
{
    return Py_BuildValue("{s:i,s:i,s:i}", "errorType", (int)e->errorType, "tryRepair", (int)e->tryRepair,
                         "hasDetail", (int)e->hasDetail);
}

static PyObject *py_get_error_verbose(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t dev;
    if (!PyArg_ParseTuple(args, "O&:get_error_verbose", hpy_i32, &dev))
        return NULL;
    aclrtErrorInfo info;
    memset(&info, 0, sizeof info);
    aclError rc = aclrtGetErrorVerbose(dev, &info);
    return Py_BuildValue("(Ni)", error_info_dict(&info), (int)rc);
}

static PyObject *py_repair_error(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t dev;
    PyObject *d;
    if (!PyArg_ParseTuple(args, "O&O!:repair_error", hpy_i32, &dev, &PyDict_Type, &d))
        return NULL;
    aclrtErrorInfo info;
    memset(&info, 0, sizeof info);
    PyObject *t = PyDict_GetItemString(d, "errorType");
    if (t) {
        long v = PyLong_AsLong(t);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        info.errorType = (aclrtErrorType)v;
    }
    return hpy_ret(aclrtRepairError(dev, &info));
}

static PyObject *version(PyObject *args, int as_str)
{
    const char *name;
    if (!PyArg_ParseTuple(args, as_str ? "s:get_version_str" : "s:get_version_num", &name))
        return NULL;
    char pkg[256];
    snprintf(pkg, sizeof pkg, "%s", name);
    if (as_str) {
        char v[ACL_PKG_VERSION_MAX_SIZE] = {0};
        aclError rc = aclsysGetVersionStr(pkg, v);
        return Py_BuildValue("(si)", v, (int)rc);
    }
    int32_t n = 0;
    aclError rc = aclsysGetVersionNum(pkg, &n);
    return Py_BuildValue("(ii)", (int)n, (int)rc);
}

static PyObject *py_get_version_str(PyObject *self, PyObject *args)
{
    (void)self;
    return version(args, 1);
}

static PyObject *py_get_version_num(PyObject *self, PyObject *args)
{
    (void)self;
    return version(args, 0);
}

static PyObject *py_get_cann_attribute_list(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    const aclCannAttr *list = NULL;
    size_t n = 0;
    aclError rc = aclGetCannAttributeList(&list, &n);
    PyObject *out = PyList_New((Py_ssize_t)(rc == ACL_SUCCESS ? n : 0));
    for (size_t i = 0; out && rc == ACL_SUCCESS && i < n; i++)
        PyList_SET_ITEM(out, (Py_ssize_t)i, PyLong_FromLong((long)list[i]));
    return out ? Py_BuildValue("(Ni)", out, (int)rc) : NULL;
}

static PyObject *py_get_cann_attribute(PyObject *self, PyObject *args)
{
    (void)self;
    int attr;
    if (!PyArg_ParseTuple(args, "i:get_cann_attribute", &attr))
        return NULL;
    int32_t v = 0;
    aclError rc = aclGetCannAttribute((aclCannAttr)attr, &v);
    return Py_BuildValue("(ii)", (int)v, (int)rc);
}

static PyObject *py_get_device_capability(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t dev;
    int feature;
    if (!PyArg_ParseTuple(args, "O&i:get_device_capability", hpy_i32, &dev, &feature))
        return NULL;
    int32_t v = 0;
    aclError rc = aclrtGetDeviceCapability(dev, (aclrtDevFeatureType)feature, &v);
    return Py_BuildValue("(ii)", (int)v, (int)rc);
}

static PyObject *py_check_arch_compatibility(PyObject *self, PyObject *args)
{
    (void)self;
    const char *soc;
    if (!PyArg_ParseTuple(args, "s:check_arch_compatibility", &soc))
        return NULL;
    int32_t ok = 0;
    aclError rc = aclrtCheckArchCompatibility(soc, &ok);
    return Py_BuildValue("(ii)", (int)ok, (int)rc);
}

static PyObject *py_device_can_access_peer(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t a, b;
    if (!PyArg_ParseTuple(args, "O&O&:device_can_access_peer", hpy_i32, &a, hpy_i32, &b))
        return NULL;
    int32_t can = 0;
    aclError rc = aclrtDeviceCanAccessPeer(&can, a, b);
    return Py_BuildValue("(ii)", (int)can, (int)rc);
}

static PyObject *py_device_enable_peer_access(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t peer;
    uint32_t flags = 0;
    if (!PyArg_ParseTuple(args, "O&|O&:device_enable_peer_access", hpy_i32, &peer, hpy_u32, &flags))
        return NULL;
    return hpy_ret(aclrtDeviceEnablePeerAccess(peer, flags));
}

static PyObject *py_device_disable_peer_access(PyObject *self, PyObject *args)
{
    (void)self;
    int32_t peer;
    if (!PyArg_ParseTuple(args, "O&:device_disable_peer_access", hpy_i32, &peer))
        return NULL;
    return hpy_ret(aclrtDeviceDisablePeerAccess(peer));
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define NOARGS(name) {#name, py_##name, METH_NOARGS, NULL}
/* acl.rt */
PyMethodDef hpy_rt_sys_methods[] = {
    ARGS(device_can_access_peer), ARGS(device_enable_peer_access), ARGS(device_disable_peer_access),
    ARGS(peek_at_last_error), ARGS(get_last_error),          ARGS(get_error_verbose),
    ARGS(repair_error),       ARGS(get_device_capability),   ARGS(check_arch_compatibility),
    {NULL, NULL, 0, NULL},
};
/* acl (aclGetCann*) */
PyMethodDef hpy_base_sys_methods[] = {
    NOARGS(get_cann_attribute_list),
    ARGS(get_cann_attribute),
    {NULL, NULL, 0, NULL},
};
/* acl.sys (aclsys*) */
PyMethodDef hpy_sys_methods[] = {
    ARGS(get_version_str),
    ARGS(get_version_num),
    {NULL, NULL, 0, NULL},
};
