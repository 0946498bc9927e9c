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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "plan.h"
#include "kernels.h"
#include "model.h"
#include "onnx.h"
#include "prog.h"
#include "runtime/memory.h"
#include "runtime/runtime.h"

#define MAX_MODEL_FILE ((size_t)2 << 30) /* protobuf's own limit */

struct hacl_model {
    uint32_t id;
    _Atomic unsigned refs;
    struct hacl_graph *graph;
    struct hacl_prog *prog;
    struct hacl_context *ctx;
    /* Work memory the application supplied (WithMem loads): executions
     * using it take turns on its one context. NULL: executions take an
     * execution context (own work memory) from the pool, created on
     * demand: as many as ever ran at once. */
    void *work;
    struct hacl_exec_ctx *work_ctx;
    pthread_mutex_t work_lock;
    struct hacl_exec_ctx **pool;
    size_t npool, cappool;
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
        pthread_mutex_destroy(&m->work_lock);
        hacl_exec_ctx_free(m->work_ctx);
        for (size_t i = 0; i < m->npool; i++)
            hacl_exec_ctx_free(m->pool[i]);
        hacl_free(m->pool);
        hacl_prog_free(m->prog);
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

static aclError register_model(const char *api, struct hacl_graph *g, struct hacl_prog *prog,
                               struct hacl_context *ctx, void *work, uint32_t *id)
{
    struct hacl_model *m = hacl_calloc(1, sizeof *m);
    if (!m) {
        hacl_prog_free(prog);
        hacl_graph_free(g);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
    }
    atomic_init(&m->refs, 1);
    pthread_mutex_init(&m->work_lock, NULL);
    m->work = work;
    m->graph = g;
    m->prog = prog;
    hacl_obj_ref(&ctx->hdr);
    m->ctx = ctx;
    if (work && hacl_exec_ctx_create(prog, work, &m->work_ctx) != ACL_SUCCESS) {
        model_put(m);
        return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory loading a model");
    }
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

/* HOSTACL_KERNELS=reference runs every operator with the C kernels. */
static int reference_kernels(void)
{
    const char *k = getenv("HOSTACL_KERNELS");
    return k && strcmp(k, "reference") == 0;
}

/* Decodes, validates, infers shapes and compiles (memory planned). */
static aclError prepare(const char *api, const void *bytes, size_t len, const char *origin, int from_file,
                        int precision, struct hacl_graph **out, struct hacl_prog **prog)
{
    if (precision < 0)
        precision = hacl_rt.cfg.precision;
    struct hacl_graph *g = NULL;
    char why[512];
    /* External data is read from the model file's folder. */
    char *dir = NULL;
    if (from_file) {
        dir = hacl_strdup(origin);
        if (!dir)
            return hacl_err(ACL_ERROR_BAD_ALLOC, api, "out of memory");
        char *slash = strrchr(dir, '/');
        if (!slash)
            strcpy(dir, ".");
        else if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
    }
    aclError rc = hacl_onnx_parse(bytes, len, dir, &g, why, sizeof why);
    hacl_free(dir);
    /* A file's bytes are ours: the decoded model copied what it keeps, so
     * they go now rather than after compiling (a lower peak). */
    if (from_file)
        hacl_free((void *)bytes);
    if (rc == ACL_SUCCESS)
        rc = hacl_infer_shapes(g, why, sizeof why);
    if (rc == ACL_SUCCESS)
        rc = hacl_prog_build(g, reference_kernels(), precision, prog, why, sizeof why);
    if (rc != ACL_SUCCESS) {
        hacl_graph_free(g);
        return hacl_err(rc, api, "%s: %s", origin, why);
    }
    *out = g;
    return ACL_SUCCESS;
}

/* Caller memory for a WithMem load must be large enough and, when it is
 * runtime memory, lie inside its allocation. */
static aclError check_user_mem(const char *api, const char *what, void *p, size_t size, size_t need)
{
    if (!p)
        return ACL_SUCCESS;
    if (size < need)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "%s memory of %zu bytes is smaller than the %zu the model needs",
                        what, size, need);
    if ((uintptr_t)p % 64)
        return hacl_err(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, api, "%s memory %p is not 64-byte aligned", what, p);
    struct hacl_ptrinfo pi;
    hacl_mem_classify(p, &pi);
    if (!hacl_mem_range_ok(p, need, &pi))
        return hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%s memory [%p, +%zu) runs past its allocation", what, p,
                        need);
    return ACL_SUCCESS;
}

struct place_job {
    struct hacl_prog *prog;
    void *weights;
    aclError rc;
};

static void place_on_compute(void *arg)
{
    struct place_job *j = arg;
    j->rc = hacl_prog_place_weights(j->prog, j->weights);
}

/* Weight conversions run oneDNN primitives: on the compute thread. */
static aclError place_weights(struct hacl_prog *prog, void *weights)
{
    struct place_job j = {prog, weights, ACL_SUCCESS};
    hacl_compute_run(place_on_compute, &j);
    return j.rc;
}

static aclError load_bytes(const char *api, const void *bytes, size_t len, uint32_t *modelId, const char *origin,
                           int from_file, int precision,
                           void *work, size_t work_size, void *weights, size_t weight_size)
{
    aclError rc;
    struct hacl_context *ctx = hacl_context_current(api, &rc);
    if (!ctx) {
        if (from_file)
            hacl_free((void *)bytes);
        return rc;
    }
    struct hacl_graph *g = NULL;
    struct hacl_prog *prog = NULL;
    rc = prepare(api, bytes, len, origin, from_file, precision, &g, &prog);
    if (rc != ACL_SUCCESS) {
        hacl_obj_put(&ctx->hdr);
        return rc;
    }
    size_t work_bytes = hacl_prog_work_bytes(prog);
    rc = check_user_mem(api, "work", work, work_size, work_bytes);
    if (rc == ACL_SUCCESS)
        rc = check_user_mem(api, "weight", weights, weight_size, hacl_prog_weight_bytes(prog));
    /* The weights (prepared: reordered, BatchNormalization folded) go to the
     * caller's memory, or to memory of the model's own. */
    if (rc == ACL_SUCCESS && (rc = place_weights(prog, weights)) != ACL_SUCCESS)
        rc = hacl_err(rc, api, "%s: out of memory preparing %zu bytes of weights", origin,
                      hacl_prog_weight_bytes(prog));
    /* Every weight now lives in the weight memory: the decoded copies go,
     * and constants the kernels read point there. */
    if (rc == ACL_SUCCESS) {
        hacl_graph_release_weights(g);
        hacl_prog_bind_constants(prog);
    }
    if (rc == ACL_SUCCESS)
        rc = register_model(api, g, prog, ctx, work_bytes ? work : NULL, modelId);
    else {
        hacl_prog_free(prog);
        hacl_graph_free(g);
    }
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

aclError hacl_model_load_file(const char *api, const char *path, int precision, void *work, size_t work_size,
                              void *weights, size_t weight_size, uint32_t *id)
{
    void *bytes = NULL;
    size_t len = 0;
    aclError rc = read_file(api, path, &bytes, &len);
    if (rc != ACL_SUCCESS)
        return rc;
    return load_bytes(api, bytes, len, id, path, 1, precision, work, work_size, weights, weight_size);
}

aclError hacl_model_load_mem(const char *api, const void *model, size_t size, int precision, void *work,
                             size_t work_size, void *weights, size_t weight_size, uint32_t *id)
{
    return load_bytes(api, model, size, id, "model in memory", 0, precision, work, work_size, weights, weight_size);
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
    /* load_bytes frees the file's bytes once decoded. */
    return load_bytes(__func__, bytes, len, modelId, modelPath, 1, -1, NULL, 0, NULL, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromFileWithMem(const char *modelPath, uint32_t *modelId, void *workPtr,
                                                       size_t workSize, void *weightPtr, size_t weightSize)
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
    return load_bytes(__func__, bytes, len, modelId, modelPath, 1, -1, workPtr, workSize, weightPtr, weightSize);
}

ACL_FUNC_VISIBILITY aclError aclmdlLoadFromMemWithMem(const void *model, size_t modelSize, uint32_t *modelId,
                                                      void *workPtr, size_t workSize, void *weightPtr,
                                                      size_t weightSize)
{
    if (!model || !modelId)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "model and modelId must not be NULL");
    if (modelSize == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelSize must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    return load_bytes(__func__, model, modelSize, modelId, "model in memory", 0, -1, workPtr, workSize, weightPtr,
                      weightSize);
}

static aclError query(const char *api, const void *bytes, size_t len, const char *origin, int from_file, size_t *workSize,
                      size_t *weightSize)
{
    struct hacl_graph *g = NULL;
    struct hacl_prog *prog = NULL;
    aclError rc = prepare(api, bytes, len, origin, from_file, -1, &g, &prog);
    if (rc == ACL_SUCCESS) {
        *workSize = hacl_prog_work_bytes(prog);
        *weightSize = hacl_prog_weight_bytes(prog);
        hacl_prog_free(prog);
        hacl_graph_free(g);
    }
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlQuerySize(const char *fileName, size_t *workSize, size_t *weightSize)
{
    if (!fileName || !workSize || !weightSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "fileName, workSize and weightSize must not be NULL");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    void *bytes = NULL;
    size_t len = 0;
    if ((rc = read_file(__func__, fileName, &bytes, &len)) != ACL_SUCCESS)
        return rc;
    return query(__func__, bytes, len, fileName, 1, workSize, weightSize);
}

ACL_FUNC_VISIBILITY aclError aclmdlQuerySizeFromMem(const void *model, size_t modelSize, size_t *workSize,
                                                    size_t *weightSize)
{
    if (!model || !workSize || !weightSize)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "model, workSize and weightSize must not be NULL");
    if (modelSize == 0)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "modelSize must be greater than 0");
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    return query(__func__, model, modelSize, "model in memory", 0, workSize, weightSize);
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
    return load_bytes(__func__, model, modelSize, modelId, "model in memory", 0, -1, NULL, 0, NULL, 0);
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

/* ---- execution ---- */

/* Checks the datasets against the model and collects the buffer addresses
 * (inputs first, then outputs) into ptrs. */
static aclError check_datasets(const char *api, const struct hacl_graph *g, const aclmdlDataset *input,
                               const aclmdlDataset *output, void **ptrs)
{
    if (!input || !output)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "input and output datasets must not be NULL");
    for (int side = 0; side < 2; side++) {
        const aclmdlDataset *h = side ? output : input;
        aclmdlDataset *ds = hacl_dataset_get(h);
        if (!ds)
            return hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "the %s dataset %p is not a live dataset",
                            side ? "output" : "input", (const void *)h);
        size_t want = side ? g->noutputs : g->ninputs;
        aclError rc = ACL_SUCCESS;
        if (ds->count != want)
            rc = hacl_err(side ? ACL_ERROR_MODEL_OUTPUT_NOT_MATCH : ACL_ERROR_MODEL_INPUT_NOT_MATCH, api,
                          "the %s dataset has %zu buffers; the model has %zu %s", side ? "output" : "input", ds->count,
                          want, side ? "outputs" : "inputs");
        for (size_t i = 0; rc == ACL_SUCCESS && i < want; i++) {
            const struct hacl_tensor *t = &g->tensors[side ? g->outputs[i] : g->inputs[i]];
            size_t need = hacl_tensor_bytes(t), es = hacl_onnx_type_size(t->onnx_type);
            aclDataBuffer *b = hacl_databuf_get(ds->buffers[i]);
            if (!b) {
                rc = hacl_err(ACL_ERROR_INVALID_RESOURCE_HANDLE, api, "%s buffer %zu is not a live data buffer",
                              side ? "output" : "input", i);
                break;
            }
            void *data = b->data;
            size_t size = b->size;
            hacl_obj_put(&b->hdr);
            if (!data || (side ? size < need : size != need)) {
                rc = hacl_err(side ? ACL_ERROR_MODEL_OUTPUT_NOT_MATCH : ACL_ERROR_MODEL_INPUT_NOT_MATCH, api,
                              "%s %zu '%s' needs %s%zu bytes; its buffer has %zu at %p", side ? "output" : "input", i,
                              t->name, side ? "at least " : "", need, size, data);
                break;
            }
            if (es > 1 && ((uintptr_t)data % es) != 0) {
                rc = hacl_err(ACL_ERROR_MEMORY_ADDRESS_UNALIGNED, api, "%s %zu '%s': %p is not aligned to %zu bytes",
                              side ? "output" : "input", i, t->name, data, es);
                break;
            }
            struct hacl_ptrinfo pi;
            hacl_mem_classify(data, &pi);
            if (!hacl_mem_range_ok(data, need, &pi)) {
                rc = hacl_err(ACL_ERROR_RT_PARAM_INVALID, api, "%s %zu '%s': %zu bytes at %p run past their allocation",
                              side ? "output" : "input", i, t->name, need, data);
                break;
            }
            ptrs[(side ? g->ninputs : 0) + i] = data;
        }
        hacl_obj_put(&ds->hdr);
        if (rc != ACL_SUCCESS)
            return rc;
    }
    return ACL_SUCCESS;
}

/* One execution on the compute thread: in the caller's work memory (one
 * at a time) or in a context from the model's pool. */
static aclError compute_model(struct hacl_model *m, void **ptrs, char *why, size_t whylen)
{
    const struct hacl_graph *g = m->graph;
    struct hacl_exec_ctx *c = NULL;
    aclError rc;
    /* Executions compute one at a time, so one context serves every
     * stream and its work memory stays warm in the caches (measured: 4
     * streams lost 7% to 1 stream when each waiting execution held a
     * context of its own). */
    pthread_mutex_lock(&m->work_lock);
    if (m->work_ctx)
        c = m->work_ctx; /* the lock stays held: one execution at a time */
    else if (m->npool)
        c = m->pool[--m->npool];
    if (!m->work_ctx)
        pthread_mutex_unlock(&m->work_lock);
    if (!c && (rc = hacl_exec_ctx_create(m->prog, NULL, &c)) != ACL_SUCCESS) {
        snprintf(why, whylen, "out of memory for an execution context (%zu bytes of work memory)",
                 hacl_prog_work_bytes(m->prog));
        return rc;
    }
    rc = hacl_prog_run(m->prog, c, ptrs, ptrs + g->ninputs, why, whylen);
    if (m->work_ctx) {
        pthread_mutex_unlock(&m->work_lock);
        return rc;
    }
    pthread_mutex_lock(&m->work_lock);
    if (m->npool == m->cappool) {
        size_t ncap = m->cappool ? 2 * m->cappool : 4;
        struct hacl_exec_ctx **np = hacl_realloc(m->pool, ncap * sizeof *np);
        if (np) {
            m->pool = np;
            m->cappool = ncap;
        }
    }
    if (m->npool < m->cappool) {
        m->pool[m->npool++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&m->work_lock);
    hacl_exec_ctx_free(c);
    return rc;
}

struct run_job {
    struct hacl_model *m;
    void **ptrs;
    char *why;
    size_t whylen;
    aclError rc;
};

static void run_on_compute(void *arg)
{
    struct run_job *j = arg;
    j->rc = compute_model(j->m, j->ptrs, j->why, j->whylen);
}

/* A synchronous execution: the caller waits for the compute thread. */
static aclError run_model(struct hacl_model *m, void **ptrs, char *why, size_t whylen)
{
    struct run_job j = {m, ptrs, why, whylen, ACL_SUCCESS};
    hacl_compute_run(run_on_compute, &j);
    return j.rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlExecute(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_model *m = model_get(modelId);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    const struct hacl_graph *g = m->graph;
    void **ptrs = hacl_calloc(g->ninputs + g->noutputs + 1, sizeof *ptrs);
    if (!ptrs) {
        model_put(m);
        return HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    }
    rc = check_datasets(__func__, g, input, output, ptrs);
    if (rc == ACL_SUCCESS) {
        char why[256];
        rc = run_model(m, ptrs, why, sizeof why);
        if (rc != ACL_SUCCESS)
            rc = HACL_ERR(rc, "model %u: %s", modelId, why);
    }
    hacl_free(ptrs);
    model_put(m);
    return rc;
}

/* Buffers that were runtime memory when the execution was queued must
 * still be when it runs (an application may free them in between). */
static aclError recheck_buffers(const struct hacl_graph *g, void **ptrs, char *why, size_t whylen)
{
    for (size_t i = 0; i < g->ninputs + g->noutputs; i++) {
        int was_runtime = (int)(uintptr_t)ptrs[g->ninputs + g->noutputs + 1 + i];
        if (!was_runtime)
            continue;
        const struct hacl_tensor *t = &g->tensors[i < g->ninputs ? g->inputs[i] : g->outputs[i - g->ninputs]];
        size_t need = hacl_tensor_bytes(t);
        struct hacl_ptrinfo pi;
        hacl_mem_classify(ptrs[i], &pi);
        if (pi.where == HACL_PTR_UNKNOWN_HOST || !hacl_mem_range_ok(ptrs[i], need, &pi)) {
            snprintf(why, whylen, "the buffer of %s '%s' was freed before the execution ran",
                     i < g->ninputs ? "input" : "output", t->name);
            return ACL_ERROR_RT_PARAM_INVALID;
        }
    }
    return ACL_SUCCESS;
}

/* An asynchronous execution waits for its compute turn without holding a
 * device worker: the task hands its job to the compute thread and parks its
 * stream; the job's end unparks it and the task completes. The job is
 * allocated with the execution (no allocation when it runs). */
struct exec_job {
    struct hacl_compute_job cj; /* first: the job is the struct */
    struct hacl_squeue *q;
    struct hacl_task *t;
    aclError rc;
    char why[256];
    /* buffer addresses, a NULL, then one flag per buffer: was it runtime
     * memory when queued */
    void *ptrs[];
};

/* Task layout: p[0] the model (referenced), p[1] the exec_job. */
static void exec_drop(struct hacl_squeue *q, struct hacl_task *t)
{
    (void)q;
    hacl_free(t->p[1]);
    model_put(t->p[0]);
}

static void exec_compute(struct hacl_compute_job *cj)
{
    struct exec_job *e = (struct exec_job *)cj;
    e->rc = compute_model(e->t->p[0], e->ptrs, e->why, sizeof e->why);
}

static void exec_computed(struct hacl_compute_job *cj)
{
    struct exec_job *e = (struct exec_job *)cj;
    /* Once the flag is up the task may complete and the stream go: the
     * job's own stream reference keeps the queue alive through unpark. */
    struct hacl_stream *s = hacl_stream_of(e->q);
    atomic_store(&e->t->flag, 1);
    hacl_squeue_unpark(&s->q);
    hacl_obj_put(&s->hdr);
}

static enum hacl_task_result exec_run(struct hacl_squeue *q, struct hacl_task *t)
{
    struct hacl_model *m = t->p[0];
    struct exec_job *e = t->p[1];
    if (t->state == 0) {
        aclError rc = recheck_buffers(m->graph, e->ptrs, e->why, sizeof e->why);
        if (rc != ACL_SUCCESS) {
            hacl_squeue_fail(q, t, ACL_ERROR_RT_MODEL_EXECUTE, "model %u: %s", m->id, e->why);
            exec_drop(q, t);
            return HACL_TASK_DONE;
        }
        e->cj.fn = exec_compute;
        e->cj.done = exec_computed;
        e->q = q;
        e->t = t;
        t->state = 1;
        atomic_store(&t->flag, 0);
        hacl_obj_ref(&hacl_stream_of(q)->hdr);
        hacl_compute_submit(&e->cj);
        return HACL_TASK_PARK;
    }
    /* Run again: after the job's end, or to see a discard (the job must
     * end first either way: it uses the task's buffers). */
    if (!atomic_load(&t->flag))
        return HACL_TASK_PARK;
    if (e->rc != ACL_SUCCESS)
        hacl_squeue_fail(q, t, ACL_ERROR_RT_MODEL_EXECUTE, "model %u: %s", m->id, e->why);
    exec_drop(q, t);
    return HACL_TASK_DONE;
}

ACL_FUNC_VISIBILITY aclError aclmdlExecuteAsync(uint32_t modelId, const aclmdlDataset *input, aclmdlDataset *output,
                                                aclrtStream stream)
{
    aclError rc = hacl_rt_require_init(__func__);
    if (rc != ACL_SUCCESS)
        return rc;
    struct hacl_model *m = model_get(modelId);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    const struct hacl_graph *g = m->graph;
    size_t nb = g->ninputs + g->noutputs;
    struct exec_job *e = hacl_calloc(1, sizeof *e + (2 * nb + 1) * sizeof(void *));
    void **ptrs = e ? e->ptrs : NULL;
    struct hacl_stream *s = NULL;
    if (!e)
        rc = HACL_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    if (rc == ACL_SUCCESS)
        rc = check_datasets(__func__, g, input, output, ptrs);
    for (size_t i = 0; rc == ACL_SUCCESS && i < nb; i++) {
        struct hacl_ptrinfo pi;
        hacl_mem_classify(ptrs[i], &pi);
        ptrs[nb + 1 + i] = (void *)(uintptr_t)(pi.where != HACL_PTR_UNKNOWN_HOST);
    }
    if (rc == ACL_SUCCESS)
        s = hacl_stream_get(__func__, stream, &rc);
    struct hacl_task *t = s ? hacl_stream_task(__func__, s, &rc) : NULL;
    if (t) {
        t->run = exec_run;
        t->drop = exec_drop;
        t->what = "model execute";
        t->is_work = 1;
        t->p[0] = m; /* the references pass to the task */
        t->p[1] = e;
        m = NULL;
        e = NULL;
        rc = hacl_stream_submit(__func__, s, t);
    }
    if (s)
        hacl_obj_put(&s->hdr);
    hacl_free(e);
    model_put(m);
    return rc;
}
