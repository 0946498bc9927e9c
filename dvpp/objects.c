/*
 * DVPP objects: the registry of live objects, picture memory, channels,
 * picture descriptions (single and in batches) and the configurations
 * (regions, resizing, JPEG encoding, borders, lookup tables, histograms).
 * Defaults and codes follow docs/semantics.md, "DVPP".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dvpp_impl.h"

/* ---- registry: open addressing over pointers ---- */

#define K_MEM 100 /* acldvppMalloc blocks */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot {
    const void *p;
    int kind; /* 0 empty, -1 deleted */
} *slots;
static size_t nslots, nused;

static size_t hash_ptr(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    return (size_t)v;
}

static struct slot *find(const void *p)
{
    if (!nslots)
        return NULL;
    for (size_t i = hash_ptr(p) & (nslots - 1), k = 0; k < nslots; i = (i + 1) & (nslots - 1), k++) {
        if (slots[i].kind == 0)
            return NULL;
        if (slots[i].p == p && slots[i].kind > 0)
            return &slots[i];
    }
    return NULL;
}

static int grow(void)
{
    size_t n = nslots ? nslots * 2 : 256;
    struct slot *s = calloc(n, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < nslots; i++)
        if (slots[i].kind > 0) {
            size_t j = hash_ptr(slots[i].p) & (n - 1);
            while (s[j].kind)
                j = (j + 1) & (n - 1);
            s[j] = slots[i];
        }
    free(slots);
    slots = s;
    nslots = n;
    return 0;
}

int dvpp_register(const void *p, int kind)
{
    pthread_mutex_lock(&reg_lock);
    int rc = 0;
    if ((nused + 1) * 2 > nslots)
        rc = grow();
    if (rc == 0) {
        size_t i = hash_ptr(p) & (nslots - 1);
        while (slots[i].kind > 0)
            i = (i + 1) & (nslots - 1);
        slots[i].p = p;
        slots[i].kind = kind;
        nused++;
    }
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

void dvpp_forget(const void *p)
{
    pthread_mutex_lock(&reg_lock);
    struct slot *s = find(p);
    if (s)
        s->kind = -1; /* a tombstone: probes go on past it */
    pthread_mutex_unlock(&reg_lock);
}

int dvpp_live(const void *p, int kind)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&reg_lock);
    struct slot *s = find(p);
    int live = s && s->kind == kind;
    pthread_mutex_unlock(&reg_lock);
    return live;
}

int dvpp_with_live(const void *p, int kind, void (*fn)(void *p, void *arg), void *arg)
{
    pthread_mutex_lock(&reg_lock);
    struct slot *s = p ? find(p) : NULL;
    int live = s && s->kind == kind;
    if (live)
        fn((void *)p, arg);
    pthread_mutex_unlock(&reg_lock);
    return live;
}

/* Removes p if it is a live object of that kind: 1 when it was. */
static int take(const void *p, int kind)
{
    pthread_mutex_lock(&reg_lock);
    struct slot *s = p ? find(p) : NULL;
    int live = s && s->kind == kind;
    if (live)
        s->kind = -1;
    pthread_mutex_unlock(&reg_lock);
    return live;
}

static void *create(size_t size, int kind, const char *api)
{
    void *p = calloc(1, size);
    if (!p || dvpp_register(p, kind) != 0) {
        free(p);
        haclCompanionError(ACL_ERROR_BAD_ALLOC, api, "out of memory");
        return NULL;
    }
    return p;
}

/* Destroy: NULL is accepted (as upstream); a stale pointer is refused. */
static aclError destroy(void *p, int kind, const char *api, const char *what)
{
    if (!p)
        return ACL_SUCCESS;
    if (!take(p, kind))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%p is not a live %s", p, what);
    free(p);
    return ACL_SUCCESS;
}

/* ---- memory ---- */

ACL_FUNC_VISIBILITY aclError acldvppMalloc(void **devPtr, size_t size)
{
    if (!devPtr)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
    if (size > SIZE_MAX - 64)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "size %zu is too large", size);
    /* rounded up to 32 bytes, plus 32, as DVPP allocates */
    aclError rc = aclrtMalloc(devPtr, (size + 63) / 32 * 32, ACL_MEM_MALLOC_HUGE_FIRST);
    if (rc != ACL_SUCCESS)
        return rc;
    if (dvpp_register(*devPtr, K_MEM) != 0) {
        aclrtFree(*devPtr);
        *devPtr = NULL;
        return DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
    }
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppFree(void *devPtr)
{
    if (!devPtr)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
    if (!take(devPtr, K_MEM))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p was not allocated with acldvppMalloc (or is freed)", devPtr);
    return aclrtFree(devPtr);
}

/* ---- channels ---- */

static atomic_uint_fast64_t next_channel = 1;

ACL_FUNC_VISIBILITY acldvppChannelDesc *acldvppCreateChannelDesc(void)
{
    acldvppChannelDesc *c = create(sizeof *c, K_CHANNEL, __func__);
    if (c) {
        c->id = atomic_fetch_add(&next_channel, 1);
        c->mode = DVPP_CHNMODE_VPC | DVPP_CHNMODE_JPEGD | DVPP_CHNMODE_JPEGE | DVPP_CHNMODE_PNGD;
        c->precision = ACL_YUVOUT_ALIGN_DOWN_COMPAT;
    }
    return c;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyChannelDesc(acldvppChannelDesc *channelDesc)
{
    return destroy(channelDesc, K_CHANNEL, __func__, "channel description");
}

ACL_FUNC_VISIBILITY uint64_t acldvppGetChannelDescChannelId(const acldvppChannelDesc *channelDesc)
{
    return dvpp_live(channelDesc, K_CHANNEL) ? channelDesc->id : 0;
}

static aclError channel_arg(const char *api, const acldvppChannelDesc *c)
{
    if (!c)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "channelDesc must not be NULL");
    if (!dvpp_live(c, K_CHANNEL))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%p is not a live channel description",
                                  (const void *)c);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppSetChannelDescMode(acldvppChannelDesc *channelDesc, uint32_t mode)
{
    aclError rc = channel_arg(__func__, channelDesc);
    if (rc == ACL_SUCCESS && (mode < 1 || mode > 15))
        rc = DVPP_ERR(ACL_ERROR_INVALID_PARAM, "mode %u: a combination of DVPP_CHNMODE_* flags (1 to 15)", mode);
    if (rc == ACL_SUCCESS)
        channelDesc->mode = mode;
    return rc;
}

ACL_FUNC_VISIBILITY aclError acldvppSetChannelDescParam(acldvppChannelDesc *channelDesc,
                                                        acldvppChannelDescParamType paramType, size_t length,
                                                        const void *param)
{
    aclError rc = channel_arg(__func__, channelDesc);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!param || length < sizeof(uint32_t))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "param must not be NULL and hold a uint32_t");
    uint32_t v;
    memcpy(&v, param, sizeof v);
    switch (paramType) {
    case ACL_DVPP_CSC_MATRIX_UINT32:
        if (v > ACL_DVPP_CSC_MATRIX_BT2020_NARROW)
            return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "colour matrix %u: 0 to 5", v);
        channelDesc->csc = v;
        return ACL_SUCCESS;
    case ACL_DVPP_MODE_UINT32:
        return acldvppSetChannelDescMode(channelDesc, v);
    case ACL_DVPP_JPEGD_PRECISION_MODE_ENUM:
        if (v > ACL_YUVOUT_ALIGN_DOWN_COMPAT)
            return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "JPEG decoding precision mode %u: 0 to 2", v);
        channelDesc->precision = v;
        return ACL_SUCCESS;
    default:
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "parameter type %d cannot be set", (int)paramType);
    }
}

ACL_FUNC_VISIBILITY aclError acldvppGetChannelDescParam(const acldvppChannelDesc *channelDesc,
                                                        acldvppChannelDescParamType paramType, size_t length,
                                                        size_t *paramRetSize, void *param)
{
    aclError rc = channel_arg(__func__, channelDesc);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!param || !paramRetSize)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "param and paramRetSize must not be NULL");
    uint64_t v;
    size_t n = sizeof(uint32_t);
    switch (paramType) {
    case ACL_DVPP_CSC_MATRIX_UINT32:
        v = channelDesc->csc;
        break;
    case ACL_DVPP_MODE_UINT32:
        v = channelDesc->mode;
        break;
    case ACL_DVPP_JPEGD_PRECISION_MODE_ENUM:
        v = channelDesc->precision;
        break;
    case ACL_DVPP_CHANNEL_ID_UINT64:
        v = channelDesc->id;
        n = sizeof(uint64_t);
        break;
    default:
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "parameter type %d cannot be read", (int)paramType);
    }
    if (length < n)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "length %zu: the parameter takes %zu bytes", length, n);
    if (n == sizeof(uint32_t)) {
        uint32_t v32 = (uint32_t)v;
        memcpy(param, &v32, n);
    } else {
        memcpy(param, &v, n);
    }
    *paramRetSize = n;
    return ACL_SUCCESS;
}

/* Channels need a current context (as upstream's first DVPP call probes
 * the device); creation and destruction are synchronous. */
ACL_FUNC_VISIBILITY aclError acldvppCreateChannel(acldvppChannelDesc *channelDesc)
{
    aclError rc = channel_arg(__func__, channelDesc);
    if (rc == ACL_SUCCESS)
        rc = haclCompanionRequireContext(__func__);
    if (rc == ACL_SUCCESS)
        channelDesc->created = 1;
    return rc;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyChannel(acldvppChannelDesc *channelDesc)
{
    aclError rc = channel_arg(__func__, channelDesc);
    if (rc == ACL_SUCCESS && !channelDesc->created)
        rc = DVPP_ERR(ACL_ERROR_INVALID_PARAM, "the channel was not created (acldvppCreateChannel)");
    if (rc == ACL_SUCCESS)
        channelDesc->created = 0;
    return rc;
}

/* ---- picture descriptions ---- */

ACL_FUNC_VISIBILITY acldvppPicDesc *acldvppCreatePicDesc(void)
{
    return create(sizeof(acldvppPicDesc), K_PIC, __func__);
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyPicDesc(acldvppPicDesc *picDesc)
{
    if (picDesc && dvpp_live(picDesc, K_PIC) && picDesc->owner)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p belongs to a batch: it goes with acldvppDestroyBatchPicDesc",
                        (void *)picDesc);
    return destroy(picDesc, K_PIC, __func__, "picture description");
}

static aclError pic_arg(const char *api, const acldvppPicDesc *p)
{
    if (!p)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "picDesc must not be NULL");
    if (!dvpp_live(p, K_PIC))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%p is not a live picture description",
                                  (const void *)p);
    return ACL_SUCCESS;
}

#define PIC_SETTER(name, type, field)                                                                                \
    ACL_FUNC_VISIBILITY aclError name(acldvppPicDesc *picDesc, type value)                                          \
    {                                                                                                                \
        aclError rc = pic_arg(__func__, picDesc);                                                                    \
        if (rc == ACL_SUCCESS)                                                                                       \
            picDesc->field = (uint32_t)value;                                                                        \
        return rc;                                                                                                   \
    }
PIC_SETTER(acldvppSetPicDescSize, uint32_t, size)
PIC_SETTER(acldvppSetPicDescFormat, acldvppPixelFormat, format)
PIC_SETTER(acldvppSetPicDescWidth, uint32_t, width)
PIC_SETTER(acldvppSetPicDescHeight, uint32_t, height)
PIC_SETTER(acldvppSetPicDescWidthStride, uint32_t, wstride)
PIC_SETTER(acldvppSetPicDescHeightStride, uint32_t, hstride)
PIC_SETTER(acldvppSetPicDescRetCode, uint32_t, ret)

ACL_FUNC_VISIBILITY aclError acldvppSetPicDescData(acldvppPicDesc *picDesc, void *dataDev)
{
    aclError rc = pic_arg(__func__, picDesc);
    if (rc == ACL_SUCCESS && !dataDev)
        rc = DVPP_ERR(ACL_ERROR_INVALID_PARAM, "dataDev must not be NULL");
    if (rc == ACL_SUCCESS)
        picDesc->data = dataDev;
    return rc;
}

#define PIC_GETTER(name, type, field, dflt)                                                                          \
    ACL_FUNC_VISIBILITY type name(const acldvppPicDesc *picDesc)                                                     \
    {                                                                                                                \
        return dvpp_live(picDesc, K_PIC) ? (type)picDesc->field : (dflt);                                            \
    }
PIC_GETTER(acldvppGetPicDescData, void *, data, NULL)
PIC_GETTER(acldvppGetPicDescSize, uint32_t, size, 0)
PIC_GETTER(acldvppGetPicDescFormat, acldvppPixelFormat, format, PIXEL_FORMAT_YUV_400)
PIC_GETTER(acldvppGetPicDescWidth, uint32_t, width, 0)
PIC_GETTER(acldvppGetPicDescHeight, uint32_t, height, 0)
PIC_GETTER(acldvppGetPicDescWidthStride, uint32_t, wstride, 0)
PIC_GETTER(acldvppGetPicDescHeightStride, uint32_t, hstride, 0)
PIC_GETTER(acldvppGetPicDescRetCode, uint32_t, ret, 0)

/* ---- batches: their pictures are live descriptions of their own ---- */

ACL_FUNC_VISIBILITY acldvppBatchPicDesc *acldvppCreateBatchPicDesc(uint32_t batchSize)
{
    if (batchSize < 1 || batchSize > 256) {
        DVPP_ERR(ACL_ERROR_INVALID_PARAM, "batchSize %u: 1 to 256", batchSize);
        return NULL;
    }
    acldvppBatchPicDesc *b = calloc(1, sizeof *b + batchSize * sizeof b->pics[0]);
    if (!b || dvpp_register(b, K_BATCH) != 0) {
        free(b);
        DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
        return NULL;
    }
    b->n = batchSize;
    for (uint32_t i = 0; i < batchSize; i++) {
        b->pics[i].owner = b;
        if (dvpp_register(&b->pics[i], K_PIC) != 0) {
            while (i--)
                dvpp_forget(&b->pics[i]);
            dvpp_forget(b);
            free(b);
            DVPP_ERR(ACL_ERROR_BAD_ALLOC, "out of memory");
            return NULL;
        }
    }
    return b;
}

ACL_FUNC_VISIBILITY acldvppPicDesc *acldvppGetPicDesc(acldvppBatchPicDesc *batchPicDesc, uint32_t index)
{
    if (!dvpp_live(batchPicDesc, K_BATCH)) {
        DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live batch of pictures", (void *)batchPicDesc);
        return NULL;
    }
    if (index >= batchPicDesc->n) {
        DVPP_ERR(ACL_ERROR_INVALID_PARAM, "index %u is outside the batch's %u pictures", index, batchPicDesc->n);
        return NULL;
    }
    return &batchPicDesc->pics[index];
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyBatchPicDesc(acldvppBatchPicDesc *batchPicDesc)
{
    if (!batchPicDesc)
        return ACL_SUCCESS;
    if (!take(batchPicDesc, K_BATCH))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live batch of pictures", (void *)batchPicDesc);
    for (uint32_t i = 0; i < batchPicDesc->n; i++)
        dvpp_forget(&batchPicDesc->pics[i]);
    free(batchPicDesc);
    return ACL_SUCCESS;
}

/* ---- regions ---- */

ACL_FUNC_VISIBILITY acldvppRoiConfig *acldvppCreateRoiConfig(uint32_t left, uint32_t right, uint32_t top,
                                                             uint32_t bottom)
{
    if (left > 65535 || right > 65535 || top > 65535 || bottom > 65535) {
        DVPP_ERR(ACL_ERROR_INVALID_PARAM, "region offsets lie in [0, 65535]");
        return NULL;
    }
    acldvppRoiConfig *r = create(sizeof *r, K_ROI, __func__);
    if (r)
        *r = (acldvppRoiConfig){left, right, top, bottom};
    return r;
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyRoiConfig(acldvppRoiConfig *roiConfig)
{
    return destroy(roiConfig, K_ROI, __func__, "region");
}

static aclError roi_set(const char *api, acldvppRoiConfig *c, uint32_t *field, uint32_t v)
{
    if (!c || !dvpp_live(c, K_ROI))
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "%p is not a live region", (void *)c);
    if (v > 65535)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "offset %u: 0 to 65535", v);
    *field = v;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY aclError acldvppSetRoiConfigLeft(acldvppRoiConfig *config, uint32_t left)
{
    return roi_set(__func__, config, config ? &config->left : NULL, left);
}

ACL_FUNC_VISIBILITY aclError acldvppSetRoiConfigRight(acldvppRoiConfig *config, uint32_t right)
{
    return roi_set(__func__, config, config ? &config->right : NULL, right);
}

ACL_FUNC_VISIBILITY aclError acldvppSetRoiConfigTop(acldvppRoiConfig *config, uint32_t top)
{
    return roi_set(__func__, config, config ? &config->top : NULL, top);
}

ACL_FUNC_VISIBILITY aclError acldvppSetRoiConfigBottom(acldvppRoiConfig *config, uint32_t bottom)
{
    return roi_set(__func__, config, config ? &config->bottom : NULL, bottom);
}

ACL_FUNC_VISIBILITY aclError acldvppSetRoiConfig(acldvppRoiConfig *config, uint32_t left, uint32_t right,
                                                 uint32_t top, uint32_t bottom)
{
    if (!config || !dvpp_live(config, K_ROI))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live region", (void *)config);
    if (left > 65535 || right > 65535 || top > 65535 || bottom > 65535)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "region offsets lie in [0, 65535]");
    *config = (acldvppRoiConfig){left, right, top, bottom};
    return ACL_SUCCESS;
}

/* ---- resizing and JPEG encoding configurations ---- */

ACL_FUNC_VISIBILITY acldvppResizeConfig *acldvppCreateResizeConfig(void)
{
    return create(sizeof(acldvppResizeConfig), K_RESIZE, __func__);
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyResizeConfig(acldvppResizeConfig *resizeConfig)
{
    return destroy(resizeConfig, K_RESIZE, __func__, "resize configuration");
}

ACL_FUNC_VISIBILITY aclError acldvppSetResizeConfigInterpolation(acldvppResizeConfig *resizeConfig,
                                                                 uint32_t interpolation)
{
    if (!dvpp_live(resizeConfig, K_RESIZE))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live resize configuration", (void *)resizeConfig);
    if (interpolation > 4)
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "interpolation %u: 0 to 4", interpolation);
    resizeConfig->interpolation = interpolation;
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetResizeConfigInterpolation(const acldvppResizeConfig *resizeConfig)
{
    return dvpp_live(resizeConfig, K_RESIZE) ? resizeConfig->interpolation : 0;
}

ACL_FUNC_VISIBILITY acldvppJpegeConfig *acldvppCreateJpegeConfig(void)
{
    return create(sizeof(acldvppJpegeConfig), K_JPEGE, __func__);
}

ACL_FUNC_VISIBILITY aclError acldvppDestroyJpegeConfig(acldvppJpegeConfig *jpegeConfig)
{
    return destroy(jpegeConfig, K_JPEGE, __func__, "JPEG encoding configuration");
}

ACL_FUNC_VISIBILITY aclError acldvppSetJpegeConfigLevel(acldvppJpegeConfig *jpegeConfig, uint32_t level)
{
    if (!dvpp_live(jpegeConfig, K_JPEGE))
        return DVPP_ERR(ACL_ERROR_INVALID_PARAM, "%p is not a live JPEG encoding configuration", (void *)jpegeConfig);
    jpegeConfig->level = level; /* checked when encoding */
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY uint32_t acldvppGetJpegeConfigLevel(const acldvppJpegeConfig *jpegeConfig)
{
    return dvpp_live(jpegeConfig, K_JPEGE) ? jpegeConfig->level : 0;
}

aclError dvpp_check_channel(const char *api, const acldvppChannelDesc *c)
{
    if (!c)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "channelDesc must not be NULL");
    if (!dvpp_live(c, K_CHANNEL) || !c->created)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api,
                                  "%p is not a live channel description with its channel created", (const void *)c);
    return ACL_SUCCESS;
}

aclError dvpp_check_decode(const char *api, const acldvppChannelDesc *c, const void *data, uint32_t size,
                           const acldvppPicDesc *out)
{
    aclError rc = dvpp_check_channel(api, c);
    if (rc != ACL_SUCCESS)
        return rc;
    if (!data || !size)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api, "data must not be NULL and size not 0");
    if (!out || !dvpp_live(out, K_PIC) || !out->data)
        return haclCompanionError(ACL_ERROR_INVALID_PARAM, api,
                                  "outputDesc must be a live picture description with data");
    return ACL_SUCCESS;
}

void dvpp_free_job(void *job)
{
    free(job);
}
