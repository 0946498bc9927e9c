/*
 * acl.mdl: loading (every form, and config handles), descriptions with
 * dims as dicts, datasets, and execution (without the GIL). The host
 * buffers of a dataset are checked to be mapped memory before an
 * execution reads or writes them (binding.h).
 */
#include "acl/hacl_model.h"
#include "binding.h"

/* ---- loading ---- */

static PyObject *id_ret(uint32_t id, aclError rc)
{
    return Py_BuildValue("(Ii)", id, (int)rc);
}

static PyObject *py_load_from_file(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    if (!PyArg_ParseTuple(args, "s:load_from_file", &path))
        return NULL;
    uint32_t id = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlLoadFromFile(path, &id);
    Py_END_ALLOW_THREADS
    return id_ret(id, rc);
}

static PyObject *py_load_from_mem(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    size_t size;
    if (!PyArg_ParseTuple(args, "O&O&:load_from_mem", hpy_addr, &p, hpy_size, &size))
        return NULL;
    if (hpy_check_mapped(p, size, "model") != 0)
        return NULL;
    uint32_t id = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlLoadFromMem(p, size, &id);
    Py_END_ALLOW_THREADS
    return id_ret(id, rc);
}

static int check_work_weights(void *work, size_t ws, void *weights, size_t wts)
{
    return hpy_check_mapped(work, ws, "work memory") || hpy_check_mapped(weights, wts, "weight memory") ? -1 : 0;
}

static PyObject *py_load_from_file_with_mem(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    void *work, *weights;
    size_t ws, wts;
    if (!PyArg_ParseTuple(args, "sO&O&O&O&:load_from_file_with_mem", &path, hpy_addr, &work, hpy_size, &ws, hpy_addr,
                          &weights, hpy_size, &wts) ||
        check_work_weights(work, ws, weights, wts) != 0)
        return NULL;
    uint32_t id = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlLoadFromFileWithMem(path, &id, work, ws, weights, wts);
    Py_END_ALLOW_THREADS
    return id_ret(id, rc);
}

static PyObject *py_load_from_mem_with_mem(PyObject *self, PyObject *args)
{
    (void)self;
    void *model, *work, *weights;
    size_t size, ws, wts;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&O&:load_from_mem_with_mem", hpy_addr, &model, hpy_size, &size, hpy_addr,
                          &work, hpy_size, &ws, hpy_addr, &weights, hpy_size, &wts) ||
        hpy_check_mapped(model, size, "model") != 0 || check_work_weights(work, ws, weights, wts) != 0)
        return NULL;
    uint32_t id = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlLoadFromMemWithMem(model, size, &id, work, ws, weights, wts);
    Py_END_ALLOW_THREADS
    return id_ret(id, rc);
}

static PyObject *sizes_ret(size_t work, size_t weights, aclError rc)
{
    return Py_BuildValue("(nni)", (Py_ssize_t)work, (Py_ssize_t)weights, (int)rc);
}

static PyObject *py_query_size(PyObject *self, PyObject *args)
{
    (void)self;
    const char *path;
    if (!PyArg_ParseTuple(args, "s:query_size", &path))
        return NULL;
    size_t w = 0, wt = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlQuerySize(path, &w, &wt);
    Py_END_ALLOW_THREADS
    return sizes_ret(w, wt, rc);
}

static PyObject *py_query_size_from_mem(PyObject *self, PyObject *args)
{
    (void)self;
    void *p;
    size_t size;
    if (!PyArg_ParseTuple(args, "O&O&:query_size_from_mem", hpy_addr, &p, hpy_size, &size) ||
        hpy_check_mapped(p, size, "model") != 0)
        return NULL;
    size_t w = 0, wt = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlQuerySizeFromMem(p, size, &w, &wt);
    Py_END_ALLOW_THREADS
    return sizes_ret(w, wt, rc);
}

static PyObject *py_unload(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id;
    if (!PyArg_ParseTuple(args, "O&:unload", hpy_u32, &id))
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlUnload(id);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

/* ---- config handles ----
 * String options are pointers the C handle keeps: the binding keeps their
 * bytes alive in `config_strings` ({handle: {attr: bytes}}) until the
 * handle is destroyed. */

static PyObject *config_strings;

static PyObject *py_create_config_handle(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return hpy_addr_obj(aclmdlCreateConfigHandle());
}

static PyObject *py_destroy_config_handle(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *h;
    void *p;
    if (!PyArg_ParseTuple(args, "O:destroy_config_handle", &h) || !hpy_addr(h, &p))
        return NULL;
    aclError rc = aclmdlDestroyConfigHandle(p);
    if (rc == ACL_SUCCESS && config_strings && PyDict_DelItem(config_strings, h) != 0)
        PyErr_Clear(); /* it had no strings */
    return hpy_ret(rc);
}

static int keep_string(PyObject *handle, int attr, PyObject *bytes)
{
    if (!config_strings && !(config_strings = PyDict_New()))
        return -1;
    PyObject *per = PyDict_GetItemWithError(config_strings, handle);
    if (!per) {
        if (PyErr_Occurred() || !(per = PyDict_New()))
            return -1;
        int r = PyDict_SetItem(config_strings, handle, per);
        Py_DECREF(per);
        if (r != 0)
            return -1;
    }
    PyObject *key = PyLong_FromLong(attr);
    int r = key ? PyDict_SetItem(per, key, bytes) : -1;
    Py_XDECREF(key);
    return r;
}

static PyObject *py_set_config_opt(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *h, *value;
    int attr;
    void *handle;
    if (!PyArg_ParseTuple(args, "OiO:set_config_opt", &h, &attr, &value) || !hpy_addr(h, &handle))
        return NULL;
    if (PyUnicode_Check(value)) {
        PyObject *bytes = PyUnicode_AsUTF8String(value);
        if (!bytes)
            return NULL;
        const char *s = PyBytes_AS_STRING(bytes);
        aclError rc = aclmdlSetConfigOpt(handle, (aclmdlConfigAttr)attr, &s, sizeof s);
        if (rc == ACL_SUCCESS && keep_string(h, attr, bytes) != 0) {
            Py_DECREF(bytes);
            return NULL;
        }
        Py_DECREF(bytes);
        return hpy_ret(rc);
    }
    if (!PyLong_Check(value))
        return PyErr_Format(PyExc_TypeError, "attr_value must be an int or a str, not %.100s",
                            Py_TYPE(value)->tp_name);
    if (attr == ACL_MDL_PRIORITY_INT32) {
        int32_t v;
        if (!hpy_i32(value, &v))
            return NULL;
        return hpy_ret(aclmdlSetConfigOpt(handle, (aclmdlConfigAttr)attr, &v, sizeof v));
    }
    /* sizes and addresses: 8 bytes either way */
    uint64_t v;
    if (!hpy_u64(value, &v))
        return NULL;
    size_t z = (size_t)v;
    return hpy_ret(aclmdlSetConfigOpt(handle, (aclmdlConfigAttr)attr, &z, sizeof z));
}

static PyObject *py_load_with_config(PyObject *self, PyObject *args)
{
    (void)self;
    void *h;
    if (!PyArg_ParseTuple(args, "O&:load_with_config", hpy_addr, &h))
        return NULL;
    uint32_t id = 0;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = aclmdlLoadWithConfig(h, &id);
    Py_END_ALLOW_THREADS
    return id_ret(id, rc);
}

/* ---- descriptions ---- */

static PyObject *py_create_desc(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return hpy_addr_obj(aclmdlCreateDesc());
}

static PyObject *py_destroy_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    if (!PyArg_ParseTuple(args, "O&:destroy_desc", hpy_addr, &d))
        return NULL;
    return hpy_ret(aclmdlDestroyDesc(d));
}

static PyObject *py_get_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    uint32_t id;
    if (!PyArg_ParseTuple(args, "O&O&:get_desc", hpy_addr, &d, hpy_u32, &id))
        return NULL;
    return hpy_ret(aclmdlGetDesc(d, id));
}

#define DESC_COUNT(pyname, call)                                           \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)           \
    {                                                                      \
        (void)self;                                                        \
        void *d;                                                           \
        if (!PyArg_ParseTuple(args, "O&:" #pyname, hpy_addr, &d))          \
            return NULL;                                                   \
        return PyLong_FromSize_t(call(d));                                 \
    }
#define DESC_AT(pyname, call, conv)                                                    \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                       \
    {                                                                                  \
        (void)self;                                                                    \
        void *d;                                                                       \
        size_t i;                                                                      \
        if (!PyArg_ParseTuple(args, "O&O&:" #pyname, hpy_addr, &d, hpy_size, &i))      \
            return NULL;                                                               \
        return conv(call(d, i));                                                       \
    }
#define AS_LONG(x) PyLong_FromLong((long)(x))
static PyObject *as_name(const char *s)
{
    return PyUnicode_FromString(s ? s : "");
}

DESC_COUNT(get_num_inputs, aclmdlGetNumInputs)
DESC_COUNT(get_num_outputs, aclmdlGetNumOutputs)
DESC_AT(get_input_size_by_index, aclmdlGetInputSizeByIndex, PyLong_FromSize_t)
DESC_AT(get_output_size_by_index, aclmdlGetOutputSizeByIndex, PyLong_FromSize_t)
DESC_AT(get_input_name_by_index, aclmdlGetInputNameByIndex, as_name)
DESC_AT(get_output_name_by_index, aclmdlGetOutputNameByIndex, as_name)
DESC_AT(get_input_data_type, aclmdlGetInputDataType, AS_LONG)
DESC_AT(get_output_data_type, aclmdlGetOutputDataType, AS_LONG)
DESC_AT(get_input_format, aclmdlGetInputFormat, AS_LONG)
DESC_AT(get_output_format, aclmdlGetOutputFormat, AS_LONG)

/* {"name": str, "dimCount": int, "dims": [int, ...]}; {} on failure. */
PyObject *hpy_dims_dict(const aclmdlIODims *d, aclError rc)
{
    if (rc != ACL_SUCCESS)
        return PyDict_New();
    size_t n = d->dimCount > ACL_MAX_DIM_CNT ? ACL_MAX_DIM_CNT : d->dimCount;
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLongLong((long long)d->dims[i]));
    return Py_BuildValue("{s:s#,s:n,s:N}", "name", d->name, (Py_ssize_t)strnlen(d->name, sizeof d->name), "dimCount",
                         (Py_ssize_t)d->dimCount, "dims", list);
}

#define DIMS_AT(pyname, call)                                                          \
    static PyObject *py_##pyname(PyObject *self, PyObject *args)                       \
    {                                                                                  \
        (void)self;                                                                    \
        void *desc;                                                                    \
        size_t i;                                                                      \
        if (!PyArg_ParseTuple(args, "O&O&:" #pyname, hpy_addr, &desc, hpy_size, &i))   \
            return NULL;                                                               \
        aclmdlIODims d;                                                                \
        memset(&d, 0, sizeof d);                                                       \
        aclError rc = call(desc, i, &d);                                               \
        return Py_BuildValue("(Ni)", hpy_dims_dict(&d, rc), (int)rc);                      \
    }
DIMS_AT(get_input_dims, aclmdlGetInputDims)
DIMS_AT(get_input_dims_v2, aclmdlGetInputDimsV2)
DIMS_AT(get_output_dims, aclmdlGetOutputDims)
DIMS_AT(get_cur_output_dims, aclmdlGetCurOutputDims)

static PyObject *index_by_name(PyObject *args, const char *fmt, aclError (*call)(const aclmdlDesc *, const char *,
                                                                                  size_t *))
{
    void *d;
    const char *name;
    if (!PyArg_ParseTuple(args, fmt, hpy_addr, &d, &name))
        return NULL;
    size_t i = 0;
    aclError rc = call(d, name, &i);
    return Py_BuildValue("(ni)", (Py_ssize_t)i, (int)rc);
}

static PyObject *py_get_input_index_by_name(PyObject *self, PyObject *args)
{
    (void)self;
    return index_by_name(args, "O&s:get_input_index_by_name", aclmdlGetInputIndexByName);
}

static PyObject *py_get_output_index_by_name(PyObject *self, PyObject *args)
{
    (void)self;
    return index_by_name(args, "O&s:get_output_index_by_name", aclmdlGetOutputIndexByName);
}

/* ---- dynamic shapes ---- */

static PyObject *py_get_dynamic_batch(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    if (!PyArg_ParseTuple(args, "O&:get_dynamic_batch", hpy_addr, &d))
        return NULL;
    aclmdlBatch b;
    memset(&b, 0, sizeof b);
    aclError rc = aclmdlGetDynamicBatch(d, &b);
    size_t n = rc == ACL_SUCCESS && b.batchCount <= ACL_MAX_BATCH_NUM ? b.batchCount : 0;
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromUnsignedLongLong(b.batch[i]));
    return Py_BuildValue("({s:n,s:N}i)", "batchCount", (Py_ssize_t)n, "batch", list, (int)rc);
}

static PyObject *py_get_dynamic_hw(PyObject *self, PyObject *args)
{
    (void)self;
    void *d;
    size_t index;
    if (!PyArg_ParseTuple(args, "O&O&:get_dynamic_hw", hpy_addr, &d, hpy_size, &index))
        return NULL;
    aclmdlHW hw;
    memset(&hw, 0, sizeof hw);
    aclError rc = aclmdlGetDynamicHW(d, index, &hw);
    size_t n = rc == ACL_SUCCESS && hw.hwCount <= ACL_MAX_HW_NUM ? hw.hwCount : 0;
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, Py_BuildValue("[KK]", hw.hw[i][0], hw.hw[i][1]));
    return Py_BuildValue("({s:n,s:N}i)", "hwCount", (Py_ssize_t)n, "hw", list, (int)rc);
}

static PyObject *py_set_dynamic_batch_size(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id;
    void *ds;
    size_t index;
    uint64_t batch;
    if (!PyArg_ParseTuple(args, "O&O&O&O&:set_dynamic_batch_size", hpy_u32, &id, hpy_addr, &ds, hpy_size, &index,
                          hpy_u64, &batch))
        return NULL;
    return hpy_ret(aclmdlSetDynamicBatchSize(id, ds, index, batch));
}

static PyObject *py_set_dynamic_hw_size(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id;
    void *ds;
    size_t index;
    uint64_t h, w;
    if (!PyArg_ParseTuple(args, "O&O&O&O&O&:set_dynamic_hw_size", hpy_u32, &id, hpy_addr, &ds, hpy_size, &index,
                          hpy_u64, &h, hpy_u64, &w))
        return NULL;
    return hpy_ret(aclmdlSetDynamicHWSize(id, ds, index, h, w));
}

static PyObject *py_set_input_dynamic_dims(PyObject *self, PyObject *args)
{
    (void)self;
    uint32_t id;
    void *ds;
    size_t index;
    PyObject *dict;
    if (!PyArg_ParseTuple(args, "O&O&O&O!:set_input_dynamic_dims", hpy_u32, &id, hpy_addr, &ds, hpy_size, &index,
                          &PyDict_Type, &dict))
        return NULL;
    aclmdlIODims d;
    memset(&d, 0, sizeof d);
    PyObject *name = PyDict_GetItemString(dict, "name"), *dims = PyDict_GetItemString(dict, "dims");
    if (name && PyUnicode_Check(name)) {
        const char *s = PyUnicode_AsUTF8(name);
        if (!s)
            return NULL;
        snprintf(d.name, sizeof d.name, "%s", s);
    }
    if (!dims || !PyList_Check(dims))
        return PyErr_Format(PyExc_TypeError, "dims must be a dict with a list under \"dims\"");
    Py_ssize_t n = PyList_GET_SIZE(dims);
    if (n > ACL_MAX_DIM_CNT)
        return PyErr_Format(PyExc_ValueError, "%zd dims: at most %d", n, ACL_MAX_DIM_CNT);
    for (Py_ssize_t i = 0; i < n; i++) {
        d.dims[i] = PyLong_AsLongLong(PyList_GET_ITEM(dims, i));
        if (d.dims[i] == -1 && PyErr_Occurred())
            return NULL;
    }
    d.dimCount = (size_t)n;
    return hpy_ret(aclmdlSetInputDynamicDims(id, ds, index, &d));
}

/* ---- datasets ---- */

static PyObject *py_create_dataset(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    return hpy_addr_obj(aclmdlCreateDataset());
}

static PyObject *py_destroy_dataset(PyObject *self, PyObject *args)
{
    (void)self;
    void *ds;
    if (!PyArg_ParseTuple(args, "O&:destroy_dataset", hpy_addr, &ds))
        return NULL;
    return hpy_ret(aclmdlDestroyDataset(ds));
}

/* As pyACL: (dataset, ret). */
static PyObject *py_add_dataset_buffer(PyObject *self, PyObject *args)
{
    (void)self;
    void *ds, *b;
    if (!PyArg_ParseTuple(args, "O&O&:add_dataset_buffer", hpy_addr, &ds, hpy_addr, &b))
        return NULL;
    return hpy_addr_ret(ds, aclmdlAddDatasetBuffer(ds, b));
}

static PyObject *py_get_dataset_num_buffers(PyObject *self, PyObject *args)
{
    (void)self;
    void *ds;
    if (!PyArg_ParseTuple(args, "O&:get_dataset_num_buffers", hpy_addr, &ds))
        return NULL;
    return PyLong_FromSize_t(aclmdlGetDatasetNumBuffers(ds));
}

static PyObject *py_get_dataset_buffer(PyObject *self, PyObject *args)
{
    (void)self;
    void *ds;
    size_t i;
    if (!PyArg_ParseTuple(args, "O&O&:get_dataset_buffer", hpy_addr, &ds, hpy_size, &i))
        return NULL;
    return hpy_addr_obj(aclmdlGetDatasetBuffer(ds, i));
}

static PyObject *py_set_dataset_tensor_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *ds, *desc;
    size_t i;
    if (!PyArg_ParseTuple(args, "O&O&O&:set_dataset_tensor_desc", hpy_addr, &ds, hpy_addr, &desc, hpy_size, &i))
        return NULL;
    return hpy_ret(aclmdlSetDatasetTensorDesc(ds, desc, i));
}

static PyObject *py_get_dataset_tensor_desc(PyObject *self, PyObject *args)
{
    (void)self;
    void *ds;
    size_t i;
    if (!PyArg_ParseTuple(args, "O&O&:get_dataset_tensor_desc", hpy_addr, &ds, hpy_size, &i))
        return NULL;
    return hpy_addr_obj(aclmdlGetDatasetTensorDesc(ds, i));
}

/* ---- execution ---- */

/* Every buffer of ds lies in mapped memory (the C API checks the rest). */
static int check_dataset(const aclmdlDataset *ds, const char *what)
{
    size_t n = aclmdlGetDatasetNumBuffers(ds);
    for (size_t i = 0; i < n; i++) {
        aclDataBuffer *b = aclmdlGetDatasetBuffer(ds, i);
        if (b && hpy_check_mapped(aclGetDataBufferAddr(b), aclGetDataBufferSizeV2(b), what) != 0)
            return -1;
    }
    (void)aclGetRecentErrMsg(); /* lookups of a bad handle: the execution reports it */
    return 0;
}

static PyObject *run(PyObject *args, int async)
{
    uint32_t id;
    void *in, *out, *stream = NULL;
    if (async ? !PyArg_ParseTuple(args, "O&O&O&O&:execute_async", hpy_u32, &id, hpy_addr, &in, hpy_addr, &out, hpy_addr,
                                  &stream)
              : !PyArg_ParseTuple(args, "O&O&O&:execute", hpy_u32, &id, hpy_addr, &in, hpy_addr, &out))
        return NULL;
    if (check_dataset(in, "an input buffer") != 0 || check_dataset(out, "an output buffer") != 0)
        return NULL;
    aclError rc;
    Py_BEGIN_ALLOW_THREADS
    rc = async ? aclmdlExecuteAsync(id, in, out, stream) : aclmdlExecute(id, in, out);
    Py_END_ALLOW_THREADS
    return hpy_ret(rc);
}

static PyObject *py_execute(PyObject *self, PyObject *args)
{
    (void)self;
    return run(args, 0);
}

static PyObject *py_execute_async(PyObject *self, PyObject *args)
{
    (void)self;
    return run(args, 1);
}

#define ARGS(name) {#name, py_##name, METH_VARARGS, NULL}
#define NOARGS(name) {#name, py_##name, METH_NOARGS, NULL}
PyMethodDef hpy_mdl_methods[] = {
    ARGS(load_from_file),
    ARGS(load_from_mem),
    ARGS(load_from_file_with_mem),
    ARGS(load_from_mem_with_mem),
    ARGS(query_size),
    ARGS(query_size_from_mem),
    ARGS(unload),
    NOARGS(create_config_handle),
    ARGS(destroy_config_handle),
    ARGS(set_config_opt),
    ARGS(load_with_config),
    NOARGS(create_desc),
    ARGS(destroy_desc),
    ARGS(get_desc),
    ARGS(get_num_inputs),
    ARGS(get_num_outputs),
    ARGS(get_input_size_by_index),
    ARGS(get_output_size_by_index),
    ARGS(get_input_name_by_index),
    ARGS(get_output_name_by_index),
    ARGS(get_input_data_type),
    ARGS(get_output_data_type),
    ARGS(get_input_format),
    ARGS(get_output_format),
    ARGS(get_input_dims),
    ARGS(get_input_dims_v2),
    ARGS(get_output_dims),
    ARGS(get_cur_output_dims),
    ARGS(get_input_index_by_name),
    ARGS(get_output_index_by_name),
    ARGS(get_dynamic_batch),
    ARGS(get_dynamic_hw),
    ARGS(set_dynamic_batch_size),
    ARGS(set_dynamic_hw_size),
    ARGS(set_input_dynamic_dims),
    NOARGS(create_dataset),
    ARGS(destroy_dataset),
    ARGS(add_dataset_buffer),
    ARGS(get_dataset_num_buffers),
    ARGS(get_dataset_buffer),
    ARGS(set_dataset_tensor_desc),
    ARGS(get_dataset_tensor_desc),
    ARGS(execute),
    ARGS(execute_async),
    {NULL, NULL, 0, NULL},
};
