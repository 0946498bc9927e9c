/*
 * dvpp_classify: JPEG pictures -> DVPP decode -> DVPP resize -> a model
 * converted with static AIPP from NV12 -> top-5, as Ascend's DVPP samples
 * do it, but pipelined: every picture's decode, resize, execution and a
 * callback (on the application's report thread) are queued on one stream
 * without waiting, up to SLOTS pictures in flight.
 *
 *   dvpp_classify MODEL.om PICTURE.jpg ...
 *   dvpp_classify MODEL.om --synthetic N   (N pictures made here and
 *                                           encoded with acldvppJpegEncodeAsync)
 *
 * MODEL.om: from atc with an --insert_op_conf of input_format YUV420SP_U8
 * (see samples/aipp_classify/aipp_nv12.cfg); its input size is W*H*3/2.
 */
#ifndef ENABLE_DVPP_INTERFACE
#define ENABLE_DVPP_INTERFACE
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"

#define SLOTS 4

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        aclError rc_ = (call);                                                                       \
        if (rc_ != ACL_SUCCESS) {                                                                    \
            fprintf(stderr, "dvpp_classify: %s failed: %d\n%s\n", #call, rc_, aclGetRecentErrMsg()); \
            exit(1);                                                                                 \
        }                                                                                            \
    } while (0)

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

static uint32_t g_model, g_w, g_h;
static aclmdlDesc *g_desc;
static acldvppChannelDesc *g_ch;
static acldvppResizeConfig *g_resize;
static aclrtContext g_ctx;
static atomic_int g_stop, g_done, g_inflight;

/* One picture on its way: its buffers and descriptions, released by the
 * callback that prints its classes. */
struct job {
    int index;
    const char *name;
    void *jpeg, *decoded, *resized, *out;
    acldvppPicDesc *dec_desc, *in_desc, *out_desc;
    aclmdlDataset *inputs, *outputs;
    aclDataBuffer *in_buf, *out_buf;
    size_t out_size;
};

static void *report_thread(void *arg)
{
    (void)arg;
    aclrtSetCurrentContext(g_ctx);
    while (!atomic_load(&g_stop))
        aclrtProcessReport(100);
    return NULL;
}

static void on_classified(void *arg)
{
    struct job *j = arg;
    size_t n = j->out_size / sizeof(float);
    float *scores = malloc(j->out_size);
    aclrtMemcpy(scores, j->out_size, j->out, j->out_size, ACL_MEMCPY_DEVICE_TO_HOST);
    printf("%-24s", j->name);
    for (int k = 0; k < 5 && k < (int)n; k++) {
        size_t best = 0;
        for (size_t i = 1; i < n; i++)
            if (scores[i] > scores[best])
                best = i;
        printf(" %4zu:%8.4f", best, scores[best]);
        scores[best] = -1e30f;
    }
    printf("\n");
    free(scores);
    acldvppDestroyPicDesc(j->dec_desc);
    acldvppDestroyPicDesc(j->in_desc);
    acldvppDestroyPicDesc(j->out_desc);
    aclmdlDestroyDataset(j->inputs);
    aclmdlDestroyDataset(j->outputs);
    aclDestroyDataBuffer(j->in_buf);
    aclDestroyDataBuffer(j->out_buf);
    acldvppFree(j->jpeg);
    acldvppFree(j->decoded);
    acldvppFree(j->resized);
    aclrtFree(j->out);
    free(j);
    atomic_fetch_add(&g_done, 1);
    atomic_fetch_sub(&g_inflight, 1);
}

static acldvppPicDesc *pic(void *data, uint32_t size, uint32_t w, uint32_t h, uint32_t ws, uint32_t hs)
{
    acldvppPicDesc *d = acldvppCreatePicDesc();
    acldvppSetPicDescData(d, data);
    acldvppSetPicDescSize(d, size);
    acldvppSetPicDescFormat(d, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
    acldvppSetPicDescWidth(d, w);
    acldvppSetPicDescHeight(d, h);
    acldvppSetPicDescWidthStride(d, ws);
    acldvppSetPicDescHeightStride(d, hs);
    return d;
}

/* Queues one picture: decode, resize, execute, callback. */
static void classify(aclrtStream stream, int index, const char *name, const void *bytes, uint32_t len)
{
    uint32_t w, h, dec_size;
    int32_t comps;
    if (acldvppJpegGetImageInfo(bytes, len, &w, &h, &comps) != ACL_SUCCESS ||
        acldvppJpegPredictDecSize(bytes, len, PIXEL_FORMAT_YUV_SEMIPLANAR_420, &dec_size) != ACL_SUCCESS) {
        fprintf(stderr, "%s: not a JPEG DVPP decodes: %s\n", name, aclGetRecentErrMsg());
        return;
    }
    struct job *j = calloc(1, sizeof *j);
    j->index = index;
    j->name = name;
    CHECK(acldvppMalloc(&j->jpeg, len));
    CHECK(aclrtMemcpy(j->jpeg, len, bytes, len, ACL_MEMCPY_HOST_TO_DEVICE));
    CHECK(acldvppMalloc(&j->decoded, dec_size));
    /* the decoded picture's geometry, computed here as applications do */
    uint32_t dw = w & ~1u, dh = h & ~1u, dws = align_up(w, 128), dhs = align_up(h, 16);
    j->dec_desc = pic(j->decoded, dec_size, 0, 0, 0, 0);
    j->in_desc = pic(j->decoded, dec_size, dw, dh, dws, dhs);
    uint32_t rws = align_up(g_w, 16), rhs = align_up(g_h, 2), rsize = rws * rhs * 3 / 2;
    CHECK(acldvppMalloc(&j->resized, rsize));
    j->out_desc = pic(j->resized, rsize, g_w, g_h, rws, rhs);
    CHECK(acldvppJpegDecodeAsync(g_ch, j->jpeg, len, j->dec_desc, stream));
    CHECK(acldvppVpcResizeAsync(g_ch, j->in_desc, j->out_desc, g_resize, stream));
    /* the resized picture is the model's input as it is */
    j->out_size = aclmdlGetOutputSizeByIndex(g_desc, 0);
    CHECK(aclrtMalloc(&j->out, j->out_size, ACL_MEM_MALLOC_HUGE_FIRST));
    j->inputs = aclmdlCreateDataset();
    j->outputs = aclmdlCreateDataset();
    j->in_buf = aclCreateDataBuffer(j->resized, aclmdlGetInputSizeByIndex(g_desc, 0));
    j->out_buf = aclCreateDataBuffer(j->out, j->out_size);
    CHECK(aclmdlAddDatasetBuffer(j->inputs, j->in_buf));
    CHECK(aclmdlAddDatasetBuffer(j->outputs, j->out_buf));
    CHECK(aclmdlExecuteAsync(g_model, j->inputs, j->outputs, stream));
    atomic_fetch_add(&g_inflight, 1);
    CHECK(aclrtLaunchCallback(on_classified, j, ACL_CALLBACK_BLOCK, stream));
}

static char *read_file(const char *path, uint32_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (uint32_t)n;
    return b;
}

/* A synthetic 640 x 480 NV12 picture encoded with DVPP's JPEG encoder. */
static char *synthetic_jpeg(aclrtStream stream, int k, uint32_t *len)
{
    const uint32_t w = 640, h = 480, size = w * h * 3 / 2;
    unsigned char *nv = malloc(size);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            nv[y * w + x] = (unsigned char)((x * (k + 1) + y * 3 + ((x / 32 + y / 32 + k) % 2) * 90) & 255);
    for (uint32_t i = w * h; i < size; i++)
        nv[i] = (unsigned char)(96 + ((i * (k + 3)) & 63));
    void *dev, *out;
    CHECK(acldvppMalloc(&dev, size));
    CHECK(aclrtMemcpy(dev, size, nv, size, ACL_MEMCPY_HOST_TO_DEVICE));
    acldvppPicDesc *d = pic(dev, size, w, h, w, h);
    acldvppJpegeConfig *cfg = acldvppCreateJpegeConfig();
    CHECK(acldvppSetJpegeConfigLevel(cfg, 90));
    uint32_t cap;
    CHECK(acldvppJpegPredictEncSize(d, cfg, &cap));
    CHECK(acldvppMalloc(&out, cap));
    *len = cap;
    CHECK(acldvppJpegEncodeAsync(g_ch, d, out, len, cfg, stream));
    CHECK(aclrtSynchronizeStream(stream));
    char *jpeg = malloc(*len);
    CHECK(aclrtMemcpy(jpeg, *len, out, *len, ACL_MEMCPY_DEVICE_TO_HOST));
    acldvppDestroyJpegeConfig(cfg);
    acldvppDestroyPicDesc(d);
    acldvppFree(dev);
    acldvppFree(out);
    free(nv);
    return jpeg;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dvpp_classify MODEL.om PICTURE.jpg ... | MODEL.om --synthetic N\n");
        return 2;
    }
    CHECK(aclInit(NULL));
    CHECK(aclrtSetDevice(0));
    CHECK(aclrtCreateContext(&g_ctx, 0));
    aclrtStream stream;
    CHECK(aclrtCreateStream(&stream));
    pthread_t reporter;
    pthread_create(&reporter, NULL, report_thread, NULL);
    CHECK(aclrtSubscribeReport((uint64_t)reporter, stream));
    CHECK(aclmdlLoadFromFile(argv[1], &g_model));
    g_desc = aclmdlCreateDesc();
    CHECK(aclmdlGetDesc(g_desc, g_model));
    aclmdlInputAippType type;
    size_t attached;
    aclmdlIODims dims;
    CHECK(aclmdlGetAippType(g_model, 0, &type, &attached));
    CHECK(aclmdlGetInputDims(g_desc, 0, &dims));
    if (type != ACL_DATA_WITH_STATIC_AIPP || dims.dims[3] != 3 ||
        aclmdlGetInputSizeByIndex(g_desc, 0) != (size_t)(dims.dims[1] * dims.dims[2] * 3 / 2)) {
        fprintf(stderr, "dvpp_classify: %s does not take NV12 pictures through static AIPP\n", argv[1]);
        return 1;
    }
    g_h = (uint32_t)dims.dims[1], g_w = (uint32_t)dims.dims[2];
    g_ch = acldvppCreateChannelDesc();
    CHECK(acldvppCreateChannel(g_ch));
    g_resize = acldvppCreateResizeConfig();
    int synthetic = !strcmp(argv[2], "--synthetic") ? (argc > 3 ? atoi(argv[3]) : 4) : 0;
    int count = synthetic ? synthetic : argc - 2;
    char **names = calloc((size_t)count, sizeof *names);
    for (int i = 0; i < count; i++) {
        uint32_t len = 0;
        char *bytes;
        if (synthetic) {
            names[i] = malloc(32);
            snprintf(names[i], 32, "synthetic-%d.jpg", i);
            bytes = synthetic_jpeg(stream, i, &len);
        } else {
            names[i] = argv[2 + i];
            bytes = read_file(names[i], &len);
        }
        if (!bytes) {
            fprintf(stderr, "dvpp_classify: cannot read %s\n", names[i]);
            continue;
        }
        while (atomic_load(&g_inflight) >= SLOTS) /* a bounded pipeline */
            aclrtSynchronizeStreamWithTimeout(stream, 1);
        classify(stream, i, names[i], bytes, len);
        free(bytes);
    }
    CHECK(aclrtSynchronizeStream(stream));
    printf("classified %d pictures\n", atomic_load(&g_done));
    CHECK(aclrtUnSubscribeReport((uint64_t)reporter, stream));
    atomic_store(&g_stop, 1);
    pthread_join(reporter, NULL);
    for (int i = 0; synthetic && i < count; i++)
        free(names[i]);
    free(names);
    acldvppDestroyResizeConfig(g_resize);
    CHECK(acldvppDestroyChannel(g_ch));
    acldvppDestroyChannelDesc(g_ch);
    aclmdlDestroyDesc(g_desc);
    CHECK(aclmdlUnload(g_model));
    CHECK(aclrtDestroyStream(stream));
    CHECK(aclrtDestroyContext(g_ctx));
    CHECK(aclrtResetDevice(0));
    CHECK(aclFinalize());
    return atomic_load(&g_done) == count ? 0 : 1;
}
