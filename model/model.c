/*
 * Models: aclmdlLoadFromFile / aclmdlLoadFromMem, aclmdlUnload and the
 * model description calls.
 *
 * A loaded model is a validated graph (onnx.c) under a model id; ids start
 * at 1 and are never reused within a process, so a stale id is refused. The
 * model's format is recognised from its bytes: an ONNX file called
 * resnet50.om loads. Loading needs a current context, as upstream.
 *
 * Thread: any; the model table has its own lock, models are immutable once
 * loaded and referenced while in use.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "model.h"
#include "onnx.h"
#include "runtime/runtime.h"

#define MAX_MODEL_FILE ((size_t)2 << 30) /* protobuf's own limit */

struct hacl_model {
    uint32_t id;
    _Atomic unsigned refs;
    struct hacl_graph *graph;
    struct hacl_context *ctx;
};

struct aclmdlDesc {
    struct hacl_obj hdr;
    struct hacl_model *model; /* referenced while the description holds it */
};

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hacl_model **table;
static size_t table_cap;
static uint32_t next_id = 1;

static void model_put(struct hacl_model *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        hacl_graph_free(m->graph);
        hacl_obj_put(&m->ctx->hdr);
        hacl_free(m);
    }
}

static struct hacl_model *model_get(uint32_t id)
{
    struct hacl_model *m = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < table_cap; i++)
        if (table[i] && table[i]->id == id) {
            m = table[i];
            atomic_fetch_add(&m->refs, 1);
            break;
        }
    pthread_mutex_unlock(&table_lock);
    return m;
}

void hacl_model_release_all(void)
{
    pthread_mutex_lock(&table_lock);
    struct hacl_model **t = table;
    size_t n = table_cap;
    table = NULL;
    table_cap = 0;
    pthread_mutex_unlock(&table_lock);
    for (size_t i = 0; i < n; i++)
        model_put(t[i]);
    hacl_free(t);
}

static aclError register_model(const char *api, struct hacl_graph *g, struct hacl_context *ctx, uint32_t *id)
{
    struct hacl_model *m = hacl_calloc(1, sizeof *m);
    if (!m) {
        hacl_graph_free(g);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
    }
    atomic_init(&m->refs, 1);
    m->graph = g;
    hacl_obj_ref(&ctx->hdr);
    m->ctx = ctx;
    pthread_mutex_lock(&table_lock);
    size_t slot = table_cap;
    for (size_t i = 0; i < table_cap; i++)
        if (!table[i]) {
            slot = i;
            break;
        }
    if (slot == table_cap) {
        size_t ncap = table_cap ? table_cap * 2 : 16;
        struct hacl_model **nt = hacl_realloc(table, ncap * sizeof *nt);
        if (!nt) {
            pthread_mutex_unlock(&table_lock);
            model_put(m);
            return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
        }
        memset(nt + table_cap, 0, (ncap - table_cap) * sizeof *nt);
        table = nt;
        table_cap = ncap;
    }
    m->id = next_id++;
    table[slot] = m;
    pthread_mutex_unlock(&table_lock);
    *id = m->id;
    return ACL_SUCCESS;
}

static aclError load_bytes(const char *api, const void *bytes, size_t len, uint32_t *modelId, const char *origin)
{
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx)
        return rc;
    struct hacl_graph *g = NULL;
    char why[512];
    rc = hacl_onnx_parse(bytes, len, &g, why, sizeof why);
    if (rc != ACL_SUCCESS)
        rc = hacl_err(rc, api, "%s: %s", origin, why);
    else
        rc = register_model(api, g, ctx, modelId);
    hacl_obj_put(&ctx->hdr);
    return rc;
}

/* Reads a whole file: ACL_SUCCESS with a buffer to hacl_free, or an error. */
static aclError read_file(const char *api, const char *path, void **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hacl_err(ACL_ERROR_READ_MODEL_FAILURE, api, "cannot open model file %s: %s", path, strerror(errno));
    struct stat st;
    aclError rc = ACL_SUCCESS;
    char *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = hacl_err(ACL_ERROR_READ_MODEL_FAILURE, api, "model file %s is not a regular file", path);
        goto out;
    }
    if (st.st_size == 0 || (size_t)st.st_size > MAX_MODEL_FILE) {
        rc = hacl_err(ACL_ERROR_MODEL_SIZE_INVALID, api, "model file %s has %lld bytes (1 byte to 2 GiB accepted)",
                      path, (long long)st.st_size);
        goto out;
    }
    size_t n = (size_t)st.st_size, got = 0;
    buf = hacl_malloc(n);
    if (!buf) {
        rc = hacl_err(ACL_ERROR_BAD_ALLOC, api, "no memory to read model file %s", path);
        goto out;
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != n) {
        rc = hacl_err(ACL_ERROR_READ_MODEL_FAILURE, api, "cannot read model file %s", path);
        hacl_free(buf);
        buf = NULL;
        goto out;
    }
    *out = buf;
    *len = n;
out:
    close(fd);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromFile(const char *modelPath, uint32_t *modelId)
{
    if (!modelPath || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelPath and modelId must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    void *bytes = NULL;
    size_t len = 0;
    if ((rc = read_file(__func__, modelPath, &bytes, &len)) != ACL_SUCCESS)
        return rc;
    /* The decoded model copies what it keeps, so the file buffer goes now. */
    rc = load_bytes(__func__, bytes, len, modelId, modelPath);
    hacl_free(bytes);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromMem(const void *model, size_t modelSize, uint32_t *modelId)
{
    if (!model || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "model and modelId must not be NULL");
    if (modelSize == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelSize must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    return load_bytes(__func__, model, modelSize, modelId, "model in memory");
}

ACL_FUNC_VISIBILITY aclError aclmdlUnload(uint32_t modelId)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_model *m = NULL;
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < table_cap; i++)
        if (table[i] && table[i]->id == modelId) {
            m = table[i];
            table[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&table_lock);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    model_put(m); /* descriptions still holding it keep it alive */
    return ACL_SUCCESS;
}

/* ---- descriptions ---- */

static void desc_release(struct hacl_obj *o)
{
    aclmdlDesc *d = (aclmdlDesc *)o;
    model_put(d->model);
    hacl_free(d);
}

ACL_FUNC_VISIBILITY aclmdlDesc *aclmdlCreateDesc(void)
{
    aclmdlDesc *d = hacl_calloc(1, sizeof *d);
    if (!d) {
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a model description");
        return NULL;
    }
    hacl_obj_init(&d->hdr, HACL_KIND_MODEL_DESC, desc_release);
    if (hacl_handle_register(&d->hdr) != ACL_SUCCESS) {
        hacl_free(d);
        HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory creating a model description");
        return NULL;
    }
    return d;
}

ACL_FUNC_VISIBILITY aclError aclmdlDestroyDesc(aclmdlDesc *modelDesc)
{
    if (!modelDesc)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelDesc must not be NULL");
    aclmdlDesc *d = (aclmdlDesc *)hacl_handle_get(modelDesc, HACL_KIND_MODEL_DESC);
    if (!d)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live model description", (void *)modelDesc);
    if (hacl_handle_unregister(&d->hdr))
        hacl_obj_put(&d->hdr);
    hacl_obj_put(&d->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDesc(aclmdlDesc *modelDesc, uint32_t modelId)
{
    if (!modelDesc)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelDesc must not be NULL");
    aclmdlDesc *d = (aclmdlDesc *)hacl_handle_get(modelDesc, HACL_KIND_MODEL_DESC);
    if (!d)
        return HACL_ERR(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live model description", (void *)modelDesc);
    struct hacl_model *m = model_get(modelId);
    aclError rc = ACL_SUCCESS;
    if (!m) {
        rc = HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    } else {
        struct hacl_model *old = d->model;
        d->model = m;
        model_put(old);
    }
    hacl_obj_put(&d->hdr);
    return rc;
}

/* The model behind a description (not referenced: the caller holds the
 * description's reference through `hold`), or NULL with an error recorded. */
static struct hacl_graph *desc_graph(const char *api, const aclmdlDesc *modelDesc, aclmdlDesc **hold)
{
    aclmdlDesc *d = (aclmdlDesc *)hacl_handle_get(modelDesc, HACL_KIND_MODEL_DESC);
    if (!d) {
        hacl_err(modelDesc ? ACL_ERROR_INVALID_RESOURCE_HANDLE : ACL_ERROR_INVALID_PARAM, api,
                 "%p is not a live model description", (const void *)modelDesc);
        return NULL;
    }
    if (!d->model) {
        hacl_err(ACL_ERROR_INVALID_PARAM, api, "the model description is empty: call aclmdlGetDesc first");
        hacl_obj_put(&d->hdr);
        return NULL;
    }
    *hold = d;
    return d->model->graph;
}

/* The tensor of input (is_out 0) or output (1) `index`, or NULL. */
static const struct hacl_tensor *io_tensor(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index,
                                           aclmdlDesc **hold)
{
    struct hacl_graph *g = desc_graph(api, modelDesc, hold);
    if (!g)
        return NULL;
    size_t n = is_out ? g->noutputs : g->ninputs;
    if (index >= n) {
        hacl_err(ACL_ERROR_INVALID_PARAM, api, "index %zu is outside the model's %zu %s", index, n,
                 is_out ? "outputs" : "inputs");
        hacl_obj_put(&(*hold)->hdr);
        return NULL;
    }
    return &g->tensors[is_out ? g->outputs[index] : g->inputs[index]];
}

static size_t io_count(const char *api, aclmdlDesc *modelDesc, int is_out)
{
    aclmdlDesc *hold;
    struct hacl_graph *g = desc_graph(api, modelDesc, &hold);
    if (!g)
        return 0;
    size_t n = is_out ? g->noutputs : g->ninputs;
    hacl_obj_put(&hold->hdr);
    return n;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetNumInputs(aclmdlDesc *modelDesc)
{
    return io_count(__func__, modelDesc, 0);
}

ACL_FUNC_VISIBILITY size_t aclmdlGetNumOutputs(aclmdlDesc *modelDesc)
{
    return io_count(__func__, modelDesc, 1);
}

static size_t io_size(const char *api, aclmdlDesc *modelDesc, int is_out, size_t index)
{
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return 0;
    int64_t n = hacl_tensor_elements(t);
    size_t es = hacl_onnx_type_size(t->onnx_type);
    hacl_obj_put(&hold->hdr);
    return n < 0 ? 0 : (size_t)n * es;
}

ACL_FUNC_VISIBILITY size_t aclmdlGetInputSizeByIndex(aclmdlDesc *modelDesc, size_t index)
{
    return io_size(__func__, modelDesc, 0, index);
}

ACL_FUNC_VISIBILITY size_t aclmdlGetOutputSizeByIndex(aclmdlDesc *modelDesc, size_t index)
{
    return io_size(__func__, modelDesc, 1, index);
}

static aclError io_dims(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index, aclmdlIODims *dims)
{
    if (!dims)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dims must not be NULL");
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return ACL_ERROR_INVALID_PARAM;
    memset(dims, 0, sizeof *dims);
    snprintf(dims->name, sizeof dims->name, "%s", t->name);
    dims->dimCount = t->rank < 0 ? 0 : (size_t)t->rank;
    for (int i = 0; i < t->rank; i++)
        dims->dims[i] = t->dims[i];
    hacl_obj_put(&hold->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 0, index, dims);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDimsV2(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 0, index, dims);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 1, index, dims);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetCurOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 1, index, dims);
}

static const char *io_name(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index)
{
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return "";
    const char *n = t->name; /* lives as long as the model, which the description holds */
    hacl_obj_put(&hold->hdr);
    return n;
}

ACL_FUNC_VISIBILITY const char *aclmdlGetInputNameByIndex(const aclmdlDesc *modelDesc, size_t index)
{
    return io_name(__func__, modelDesc, 0, index);
}

ACL_FUNC_VISIBILITY const char *aclmdlGetOutputNameByIndex(const aclmdlDesc *modelDesc, size_t index)
{
    return io_name(__func__, modelDesc, 1, index);
}

static aclDataType io_type(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index)
{
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return ACL_DT_UNDEFINED;
    aclDataType dt = hacl_onnx_to_acl_type(t->onnx_type);
    hacl_obj_put(&hold->hdr);
    return dt;
}

ACL_FUNC_VISIBILITY aclDataType aclmdlGetInputDataType(const aclmdlDesc *modelDesc, size_t index)
{
    return io_type(__func__, modelDesc, 0, index);
}

ACL_FUNC_VISIBILITY aclDataType aclmdlGetOutputDataType(const aclmdlDesc *modelDesc, size_t index)
{
    return io_type(__func__, modelDesc, 1, index);
}

/* ONNX tensors are NCHW for rank 4 and ND otherwise. */
static aclFormat io_format(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index)
{
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return ACL_FORMAT_UNDEFINED;
    aclFormat f = t->rank == 4 ? ACL_FORMAT_NCHW : ACL_FORMAT_ND;
    hacl_obj_put(&hold->hdr);
    return f;
}

ACL_FUNC_VISIBILITY aclFormat aclmdlGetInputFormat(const aclmdlDesc *modelDesc, size_t index)
{
    return io_format(__func__, modelDesc, 0, index);
}

ACL_FUNC_VISIBILITY aclFormat aclmdlGetOutputFormat(const aclmdlDesc *modelDesc, size_t index)
{
    return io_format(__func__, modelDesc, 1, index);
}

static aclError index_by_name(const char *api, const aclmdlDesc *modelDesc, int is_out, const char *name,
                              size_t *index)
{
    if (!name || !index)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "name and index must not be NULL");
    aclmdlDesc *hold;
    struct hacl_graph *g = desc_graph(api, modelDesc, &hold);
    if (!g)
        return ACL_ERROR_INVALID_PARAM;
    size_t n = is_out ? g->noutputs : g->ninputs, i = 0;
    while (i < n && strcmp(g->tensors[is_out ? g->outputs[i] : g->inputs[i]].name, name) != 0)
        i++;
    hacl_obj_put(&hold->hdr);
    if (i == n)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "the model has no %s named '%s'", is_out ? "output" : "input",
                        name);
    *index = i;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputIndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index)
{
    return index_by_name(__func__, modelDesc, 0, name, index);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetOutputIndexByName(const aclmdlDesc *modelDesc, const char *name, size_t *index)
{
    return index_by_name(__func__, modelDesc, 1, name, index);
}
