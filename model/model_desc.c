/*
 * Model descriptions (aclmdlCreateDesc, aclmdlGetDesc and the accessors of
 * inputs and outputs: counts, sizes, dims, names, types, formats). A
 * description references its model, so it stays valid after an unload.
 *
 * Thread: any; a description is read-only once filled.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/alloc.h"
#include "device/compute.h"
#include "plan.h"
#include "kernels.h"
#include "model_impl.h"
#include "runtime/memory.h"
#include "runtime/runtime.h"

/* ---- descriptions ---- */

static void desc_release(struct hacl_obj *o)
{
    aclmdlDesc *d = (aclmdlDesc *)o;
    hacl_model_put(d->model);
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
    struct hacl_model *m = hacl_model_get(modelId);
    aclError rc = ACL_SUCCESS;
    if (!m) {
        rc = HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    } else {
        struct hacl_model *old = d->model;
        d->model = m;
        hacl_model_put(old);
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

static void fill_dims(aclmdlIODims *dims, const char *name, int rank, const int64_t *d)
{
    memset(dims, 0, sizeof *dims);
    snprintf(dims->name, sizeof dims->name, "%s", name);
    dims->dimCount = rank < 0 ? 0 : (size_t)rank;
    for (int i = 0; i < rank; i++)
        dims->dims[i] = d[i];
}

/* v2: aclmdlGetInputDimsV2's dims (an AIPP image as stored); cur: the
 * outputs of the gear chosen last. */
static aclError io_dims(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index, aclmdlIODims *dims,
                        int v2, int cur)
{
    if (!dims)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dims must not be NULL");
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return ACL_ERROR_INVALID_PARAM;
    const struct hacl_model *m = hold->model;
    if (!is_out && m->in_info) {
        const struct hacl_in_info *in = &m->in_info[index];
        fill_dims(dims, t->name, v2 ? in->rank_v2 : in->rank, v2 ? in->dims_v2 : in->dims);
    } else if (is_out && cur && m->ngears) {
        const struct hacl_graph *g = m->gears[atomic_load(&m->cur_gear)]->graph;
        t = &g->tensors[g->outputs[index]];
        fill_dims(dims, t->name, t->rank, t->dims);
    } else if (is_out && cur && m->value_mask) {
        /* shapes decided by input values: the last execution's */
        struct hacl_model *mm = (struct hacl_model *)m;
        pthread_mutex_lock(&mm->variant_lock);
        if (mm->cur_variant) {
            const struct hacl_graph *g = mm->cur_variant->graph;
            t = &g->tensors[g->outputs[index]];
        }
        fill_dims(dims, t->name, t->rank, t->dims);
        pthread_mutex_unlock(&mm->variant_lock);
    } else {
        fill_dims(dims, t->name, t->rank, t->dims);
    }
    hacl_obj_put(&hold->hdr);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 0, index, dims, 0, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDimsV2(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 0, index, dims, 1, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 1, index, dims, 0, 0);
}

ACL_FUNC_VISIBILITY aclError aclmdlGetCurOutputDims(const aclmdlDesc *modelDesc, size_t index, aclmdlIODims *dims)
{
    return io_dims(__func__, modelDesc, 1, index, dims, 0, 1);
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

/* ONNX tensors are NCHW for rank 4 and ND otherwise, unless a conversion
 * said otherwise (--input_format, AIPP images are NHWC). */
static aclFormat io_format(const char *api, const aclmdlDesc *modelDesc, int is_out, size_t index)
{
    aclmdlDesc *hold;
    const struct hacl_tensor *t = io_tensor(api, modelDesc, is_out, index, &hold);
    if (!t)
        return ACL_FORMAT_UNDEFINED;
    aclFormat f = t->rank == 4 ? ACL_FORMAT_NCHW : ACL_FORMAT_ND;
    if (!is_out && hold->model->in_info)
        f = (aclFormat)hold->model->in_info[index].format;
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

