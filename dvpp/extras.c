/*
 * DVPP objects of the newer image operations: border configurations,
 * lookup tables and histograms (held as data; the operations that use them,
 * histogram equalisation, borders and histograms, answer
 * ACL_ERROR_FEATURE_UNSUPPORTED as on Ascend 310, whose behaviour hostacl
 * follows).
 */
#include <stdlib.h>
#include <string.h>

#include "dvpp_impl.h"

struct acldvppBorderConfig {
    double value[4];
    acldvppBorderType type;
    uint32_t top, bottom, left, right;
};

struct acldvppLutMap {
    uint8_t data[3][256];
};

struct acldvppHist {
    uint32_t data[3][256];
    uint32_t ret;
};

static void *make(size_t size, int kind)
{
    void *p = calloc(1, size);
    if (!p || dvpp_register(p, kind) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

static aclError unmake(void *p, int kind, const char *api)
{
    if (!p)
        return ACL_SUCCESS;
    if (!dvpp_live(p, kind))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%p is not a live object of this kind", p);
    dvpp_forget(p);
    free(p);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY acldvppBorderConfig *acldvppCreateBorderConfig(void)
{
    acldvppBorderConfig *b = make(sizeof *b, K_BORDER);
    if (!b)
        DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    return b;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyBorderConfig(acldvppBorderConfig *borderConfig)
{
    return unmake(borderConfig, K_BORDER, __func__);
}

ACL_FUNC_VISIBILITY aclError acldvppSetBorderConfigValue(acldvppBorderConfig *borderConfig, uint32_t index,
                                                         double value)
{
    if (!dvpp_live(borderConfig, K_BORDER) || index >= 4)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "a live border configuration and an index below 4 are needed");
    borderConfig->value[index] = value;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppSetBorderConfigBorderType(acldvppBorderConfig *borderConfig,
                                                              acldvppBorderType borderType)
{
    if (!dvpp_live(borderConfig, K_BORDER) || (unsigned)borderType > BORDER_REFLECT_101)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "a live border configuration and a border type 0 to 3 are needed");
    borderConfig->type = borderType;
    return ACL_SUCCESS;
}

#define BORDER_SIDE(set, get, field)                                                                                 \
    ACL_FUNC_VISIBILITY aclError set(acldvppBorderConfig *borderConfig, uint32_t v)                                  \
    {                                                                                                                \
        if (!dvpp_live(borderConfig, K_BORDER) || v > 65535)                                                         \
            return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "a live border configuration and a size up to 65535 are needed"); \
        borderConfig->field = v;                                                                                     \
        return ACL_SUCCESS;                                                                                          \
    }                                                                                                                \
    ACL_FUNC_VISIBILITY uint32_t get(const acldvppBorderConfig *borderConfig)                                        \
    {                                                                                                                \
        return dvpp_live(borderConfig, K_BORDER) ? borderConfig->field : 0;                                          \
    }
BORDER_SIDE(acldvppSetBorderConfigTop, acldvppGetBorderConfigTop, top)
BORDER_SIDE(acldvppSetBorderConfigBottom, acldvppGetBorderConfigBottom, bottom)
BORDER_SIDE(acldvppSetBorderConfigLeft, acldvppGetBorderConfigLeft, left)
BORDER_SIDE(acldvppSetBorderConfigRight, acldvppGetBorderConfigRight, right)

ACL_FUNC_VISIBILITY double acldvppGetBorderConfigValue(const acldvppBorderConfig *borderConfig, uint32_t index)
{
    return dvpp_live(borderConfig, K_BORDER) && index < 4 ? borderConfig->value[index] : -1.0;
}

ACL_FUNC_VISIBILITY acldvppBorderType acldvppGetBorderConfigBorderType(const acldvppBorderConfig *borderConfig)
{
    return dvpp_live(borderConfig, K_BORDER) ? borderConfig->type : BORDER_CONSTANT;
}

ACL_FUNC_VISIBILITY acldvppLutMap *acldvppCreateLutMap(void)
{
    acldvppLutMap *m = make(sizeof *m, K_LUT);
    if (!m) {
        DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
        return NULL;
    }
    for (int d = 0; d < 3; d++)
        for (int i = 0; i < 256; i++)
            m->data[d][i] = (uint8_t)i; /* the identity */
    return m;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyLutMap(acldvppLutMap *lutMap)
{
    return unmake(lutMap, K_LUT, __func__);
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetLutMapDims(const acldvppLutMap *lutMap)
{
    return dvpp_live(lutMap, K_LUT) ? 3 : 0;
}

ACL_FUNC_VISIBILITY aclError acldvppGetLutMapData(const acldvppLutMap *lutMap, uint32_t dim, uint8_t **data,
                                                  uint32_t *len)
{
    if (!dvpp_live(lutMap, K_LUT) || dim >= 3 || !data || !len)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "a live lookup table, a dim below 3, data and len are needed");
    *data = (uint8_t *)lutMap->data[dim];
    *len = 256;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY acldvppHist *acldvppCreateHist(void)
{
    acldvppHist *h = make(sizeof *h, K_HIST);
    if (!h)
        DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    return h;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyHist(acldvppHist *hist)
{
    return unmake(hist, K_HIST, __func__);
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetHistDims(acldvppHist *hist)
{
    return dvpp_live(hist, K_HIST) ? 3 : 0;
}

ACL_FUNC_VISIBILITY aclError acldvppGetHistData(acldvppHist *hist, uint32_t dim, uint32_t **data, uint16_t *len)
{
    if (!dvpp_live(hist, K_HIST) || dim >= 3 || !data || !len)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "a live histogram, a dim below 3, data and len are needed");
    *data = hist->data[dim];
    *len = 256;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetHistRetCode(acldvppHist *hist)
{
    return dvpp_live(hist, K_HIST) ? hist->ret : (uint32_t)ACL_ERROR_INVALID_PARAM;
}

ACL_FUNC_VISIBILITY aclError acldvppClearHist(acldvppHist *hist)
{
    if (!dvpp_live(hist, K_HIST))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live histogram", (void *)hist);
    memset(hist->data, 0, sizeof hist->data);
    return ACL_SUCCESS;
}

/* Operations Ascend 310 does not have. */
static aclError not_on_310(const char *api)
{
    return haclCompanionError(ACL_ERROR_FEATURE_UNSUPPORTED, api,
                              "not available on the Ascend 310 DVPP hostacl follows (hostacl does not implement it)");
}

ACL_FUNC_VISIBILITY aclError acldvppVpcEqualizeHistAsync(const acldvppChannelDesc *channelDesc,
                                                         const acldvppPicDesc *inputDesc, acldvppPicDesc *outputDesc,
                                                         const acldvppLutMap *lutMap, aclrtStream stream)
{
    (void)channelDesc, (void)inputDesc, (void)outputDesc, (void)lutMap, (void)stream;
    return not_on_310(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcMakeBorderAsync(const acldvppChannelDesc *channelDesc,
                                                       const acldvppPicDesc *inputDesc, acldvppPicDesc *outputDesc,
                                                       const acldvppBorderConfig *borderConfig, aclrtStream stream)
{
    (void)channelDesc, (void)inputDesc, (void)outputDesc, (void)borderConfig, (void)stream;
    return not_on_310(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcCalcHistAsync(acldvppChannelDesc *channelDesc, acldvppPicDesc *srcPicDesc,
                                                     acldvppHist *hist, void *reserve, aclrtStream stream)
{
    (void)channelDesc, (void)srcPicDesc, (void)hist, (void)reserve, (void)stream;
    return not_on_310(__func__);
}

ACL_FUNC_VISIBILITY aclError acldvppVpcBatchCropResizeMakeBorderAsync(
    acldvppChannelDesc *channelDesc, acldvppBatchPicDesc *srcBatchPicDescs, uint32_t *roiNums, uint32_t size,
    acldvppBatchPicDesc *dstBatchPicDescs, acldvppRoiConfig *cropAreas[], acldvppBorderConfig *borderCfgs[],
    acldvppResizeConfig *resizeConfig, aclrtStream stream)
{
    (void)channelDesc, (void)srcBatchPicDescs, (void)roiNums, (void)size, (void)dstBatchPicDescs, (void)cropAreas;
    (void)borderCfgs, (void)resizeConfig, (void)stream;
    return not_on_310(__func__);
}
