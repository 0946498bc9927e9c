/*
 * Dynamic shapes: the gears of models converted with --dynamic_batch_size,
 * --dynamic_image_size or --dynamic_dims. Queries list the gears; the Set*
 * calls choose one for the next executions with a dataset (writing the
 * gear's values into its ascend_mbatch_shape_data buffer, as upstream) and
 * for aclmdlGetCurOutputDims. Executions without a chosen gear run the
 * largest.
 *
 * Thread: any; a dataset's choice is atomic.
 */
#include <stdio.h>
#include <string.h>

#include "model_impl.h"
#include "plan.h"
#include "runtime/runtime.h"

/* The model of a live, filled description (referenced), or NULL. */
static struct hacl_model *desc_model(const char *api, const aclmdlDesc *h, aclError *rc)
{
    aclmdlDesc *d = (aclmdlDesc *)hacl_handle_get(h, HACL_KIND_MODEL_DESC);
    if (!d) {
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "%p is not a live model description", (const void *)h);
        return NULL;
    }
    struct hacl_model *m = d->model;
    if (m)
        atomic_fetch_add(&m->refs, 1);
    hacl_obj_put(&d->hdr);
    if (!m)
        *rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the model description is empty: call aclmdlGetDesc first");
    return m;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDynamicBatch(const aclmdlDesc *modelDesc, aclmdlBatch *batch)
{
    aclError rc = ACL_SUCCESS;
    if (!batch)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "batch must not be NULL");
    struct hacl_model *m = desc_model(__func__, modelDesc, &rc);
    if (!m)
        return rc;
    memset(batch, 0, sizeof *batch);
    if (m->conv.gear_kind == HACL_GEARS_BATCH) {
        batch->batchCount = m->conv.ngears;
        for (size_t i = 0; i < m->conv.ngears; i++)
            batch->batch[i] = (uint64_t)m->conv.gears[i];
    }
    hacl_model_put(m);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetDynamicHW(const aclmdlDesc *modelDesc, size_t index, aclmdlHW *hw)
{
    (void)index; /* reserved: every input shares the gears */
    aclError rc = ACL_SUCCESS;
    if (!hw)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "hw must not be NULL");
    struct hacl_model *m = desc_model(__func__, modelDesc, &rc);
    if (!m)
        return rc;
    memset(hw, 0, sizeof *hw);
    if (m->conv.gear_kind == HACL_GEARS_HW) {
        hw->hwCount = m->conv.ngears;
        for (size_t i = 0; i < m->conv.ngears; i++) {
            hw->hw[i][0] = (uint64_t)m->conv.gears[2 * i];
            hw->hw[i][1] = (uint64_t)m->conv.gears[2 * i + 1];
        }
    }
    hacl_model_put(m);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDynamicGearCount(const aclmdlDesc *modelDesc, size_t index,
                                                            size_t *gearCount)
{
    aclError rc = ACL_SUCCESS;
    if (!gearCount)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "gearCount must not be NULL");
    if (index != (size_t)-1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "index is reserved and must be -1 (it is %zu)", index);
    struct hacl_model *m = desc_model(__func__, modelDesc, &rc);
    if (!m)
        return rc;
    *gearCount = m->conv.gear_kind == HACL_GEARS_DIMS ? m->conv.ngears : 0;
    hacl_model_put(m);
    return ACL_SUCCESS;
}

/* Gear g's shapes of every --input_shape input, one after another. */
static size_t gear_dims(const struct hacl_conv *c, size_t g, int64_t *out)
{
    size_t n = 0, used = 0;
    for (size_t s = 0; s < c->nshapes; s++)
        for (int d = 0; d < c->shapes[s].rank && n < ACL_MAX_DIM_CNT; d++) {
            int64_t v = c->shapes[s].dims[d];
            out[n++] = v == -1 && used < c->gear_len ? c->gears[g * c->gear_len + used++] : v;
        }
    return n;
}

ACL_FUNC_VISIBILITY aclError aclmdlGetInputDynamicDims(const aclmdlDesc *modelDesc, size_t index,
                                                       aclmdlIODims *dims, size_t gearCount)
{
    aclError rc = ACL_SUCCESS;
    if (!dims)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dims must not be NULL");
    if (index != (size_t)-1)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "index is reserved and must be -1 (it is %zu)", index);
    struct hacl_model *m = desc_model(__func__, modelDesc, &rc);
    if (!m)
        return rc;
    const struct hacl_conv *c = &m->conv;
    if (c->gear_kind != HACL_GEARS_DIMS) {
        rc = HACL_ERR(ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID, "the model has no --dynamic_dims gears");
    } else if (gearCount < c->ngears) {
        rc = HACL_ERR(ACL_ERROR_INVALID_PARAM, "gearCount %zu is smaller than the model's %zu gears", gearCount,
                      c->ngears);
    } else {
        for (size_t g = 0; g < c->ngears; g++) {
            memset(&dims[g], 0, sizeof dims[g]);
            dims[g].dimCount = gear_dims(c, g, dims[g].dims);
        }
    }
    hacl_model_put(m);
    return rc;
}

/* Common part of the Set* calls: the gear whose values are vals[0..k),
 * written into the dataset's buffer at index, recorded on the dataset and
 * the model. */
static aclError set_gear(const char *api, uint32_t modelId, aclmdlDataset *dataset, size_t index, int kind,
                         const int64_t *vals, size_t k)
{
    if (!dataset)
        return hacl_err(ACL_ERROR_INVALID_PARAM, api, "dataset must not be NULL");
    aclError rc = hacl_rt_require_init(api);
    if (rc != ACL_SUCCESS)
        return rc;
    for (size_t i = 0; i < k; i++)
        if (vals[i] <= 0)
            return hacl_err(ACL_ERROR_INVALID_PARAM, api, "gear values must be positive (value %zu is %lld)", i,
                            (long long)vals[i]);
    struct hacl_model *m = hacl_model_get(modelId);
    if (!m)
        return hacl_err(ACL_ERROR_INVALID_MODEL_ID, api, "model id %u is not loaded", modelId);
    aclmdlDataset *ds = hacl_dataset_get(dataset);
    const struct hacl_conv *c = &m->conv;
    size_t g = 0;
    if (!ds) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "%p is not a live dataset", (void *)dataset);
    } else if (c->gear_kind != kind) {
        static const char *const what[] = {"", "--dynamic_batch_size", "--dynamic_image_size", "--dynamic_dims"};
        rc = hacl_err(ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID, api, "model %u was not converted with %s", modelId,
                      what[kind]);
    } else if (index >= ds->count || index >= m->graph->ninputs ||
               m->in_info[index].kind != HACL_IN_GEAR_DATA) {
        rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "index %zu is not the model's %s input (input %zu)", index,
                      ACL_DYNAMIC_TENSOR_NAME, m->graph->ninputs - 1);
    } else if (kind == HACL_GEARS_DIMS && k != c->gear_len) {
        rc = hacl_err(ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID, api, "the dims give %zu dynamic values; the gears "
                                                                     "have %zu", k, c->gear_len);
    } else {
        while (g < c->ngears && memcmp(c->gears + g * c->gear_len, vals, k * sizeof *vals) != 0)
            g++;
        if (g == c->ngears) {
            char list[400] = "";
            for (size_t i = 0; i < c->ngears && strlen(list) < 360; i++) {
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s", i ? "; " : "");
                for (size_t j = 0; j < c->gear_len; j++)
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%lld", j ? "," : "",
                             (long long)c->gears[i * c->gear_len + j]);
            }
            rc = hacl_err(ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID, api, "not one of model %u's gears (%s)", modelId,
                          list);
        }
    }
    if (rc == ACL_SUCCESS) {
        aclDataBuffer *b = hacl_databuf_get(ds->buffers[index]);
        void *data = b ? b->data : NULL;
        size_t size = b ? b->size : 0;
        if (b)
            hacl_obj_put(&b->hdr);
        if (!data)
            rc = hacl_err(ACL_ERROR_INVALID_PARAM, api, "the dataset has no buffer for input %zu", index);
        else if (size < 4 * k)
            rc = hacl_err(ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID, api,
                          "the %s buffer has %zu bytes; %zu values need %zu", ACL_DYNAMIC_TENSOR_NAME, size, k, 4 * k);
        else
            for (size_t i = 0; i < k; i++) { /* 64-bit values when they fit, else 32-bit */
                if (size >= 8 * k) {
                    uint64_t v = (uint64_t)vals[i];
                    memcpy((char *)data + 8 * i, &v, 8);
                } else {
                    uint32_t v = (uint32_t)vals[i];
                    memcpy((char *)data + 4 * i, &v, 4);
                }
            }
    }
    if (rc == ACL_SUCCESS) {
        atomic_store(&ds->gear, g);
        atomic_store(&ds->gear_model, modelId);
        atomic_store(&m->cur_gear, g);
    }
    if (ds)
        hacl_obj_put(&ds->hdr);
    hacl_model_put(m);
    return rc;
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDynamicBatchSize(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                                       uint64_t batchSize)
{
    int64_t v = batchSize > INT64_MAX ? -1 : (int64_t)batchSize;
    return set_gear(__func__, modelId, dataset, index, HACL_GEARS_BATCH, &v, 1);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetDynamicHWSize(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                                    uint64_t height, uint64_t width)
{
    int64_t v[2] = {height > INT64_MAX ? -1 : (int64_t)height, width > INT64_MAX ? -1 : (int64_t)width};
    return set_gear(__func__, modelId, dataset, index, HACL_GEARS_HW, v, 2);
}

ACL_FUNC_VISIBILITY aclError aclmdlSetInputDynamicDims(uint32_t modelId, aclmdlDataset *dataset, size_t index,
                                                       const aclmdlIODims *dims)
{
    if (!dims || !dims->dimCount || dims->dimCount > ACL_MAX_DIM_CNT)
        return HACL_ERR(ACL_ERROR_INVALID_PARAM, "dims must not be NULL and must hold 1 to %d values",
                        ACL_MAX_DIM_CNT);
    struct hacl_model *m = hacl_model_get(modelId);
    if (!m)
        return HACL_ERR(ACL_ERROR_INVALID_MODEL_ID, "model id %u is not loaded", modelId);
    /* the full shapes: the static positions must match, the -1 ones pick
     * the gear */
    int64_t vals[ACL_MAX_DIM_CNT], want[ACL_MAX_DIM_CNT];
    size_t k = 0, n = 0;
    aclError rc = ACL_SUCCESS;
    const struct hacl_conv *c = &m->conv;
    for (size_t s = 0; s < c->nshapes; s++)
        for (int d = 0; d < c->shapes[s].rank && n < ACL_MAX_DIM_CNT; d++)
            want[n++] = c->shapes[s].dims[d];
    if (c->gear_kind == HACL_GEARS_DIMS && dims->dimCount != n)
        rc = HACL_ERR(ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID,
                      "dims has %zu values; the inputs of --input_shape have %zu together", dims->dimCount, n);
    for (size_t i = 0; rc == ACL_SUCCESS && c->gear_kind == HACL_GEARS_DIMS && i < n; i++) {
        if (want[i] == -1)
            vals[k++] = dims->dims[i];
        else if (want[i] != dims->dims[i])
            rc = HACL_ERR(ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID, "dims[%zu] is %lld; the model fixes it at %lld",
                          i, (long long)dims->dims[i], (long long)want[i]);
    }
    hacl_model_put(m);
    if (rc != ACL_SUCCESS)
        return rc;
    return set_gear(__func__, modelId, dataset, index, HACL_GEARS_DIMS, vals, k);
}
