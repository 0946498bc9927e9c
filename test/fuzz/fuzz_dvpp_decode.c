/*
 * libFuzzer target: arbitrary bytes as a JPEG and as a PNG through the
 * header queries, the size predictions and the asynchronous decoders
 * (into an output sized by the prediction, and into one too small), then
 * a resize of whatever came out. Nothing may crash, hang, overflow or
 * leak; bad data may only fail a call or the task with an error.
 *
 * Build: cmake --preset fuzz && cmake --build --preset fuzz
 * Run:   build-fuzz/test/fuzz/fuzz_dvpp_decode test/fuzz/dvpp_corpus -max_total_time=1800
 */
#define ENABLE_DVPP_INTERFACE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static aclrtStream stream;
static acldvppChannelDesc *channel;

static void setup(void)
{
    if (channel)
        return;
    aclInit(NULL);
    aclrtSetDevice(0);
    aclrtCreateStream(&stream);
    channel = acldvppCreateChannelDesc();
    acldvppCreateChannel(channel);
}

static void decode(int png, void *dev, uint32_t size, uint32_t out_size, acldvppPixelFormat f)
{
    void *out = NULL;
    if (acldvppMalloc(&out, out_size) != ACL_SUCCESS)
        return;
    acldvppPicDesc *d = acldvppCreatePicDesc();
    acldvppSetPicDescData(d, out);
    acldvppSetPicDescSize(d, out_size);
    acldvppSetPicDescFormat(d, f);
    aclError rc = png ? acldvppPngDecodeAsync(channel, dev, size, d, stream)
                      : acldvppJpegDecodeAsync(channel, dev, size, d, stream);
    if (rc == ACL_SUCCESS && aclrtSynchronizeStream(stream) == ACL_SUCCESS && !png &&
        acldvppGetPicDescWidth(d) >= 10 && acldvppGetPicDescHeight(d) >= 6) {
        /* resize what was decoded */
        void *small = NULL;
        if (acldvppMalloc(&small, 32 * 16 * 3 / 2) == ACL_SUCCESS) {
            acldvppPicDesc *o = acldvppCreatePicDesc();
            acldvppSetPicDescData(o, small);
            acldvppSetPicDescSize(o, 32 * 16 * 3 / 2);
            acldvppSetPicDescFormat(o, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
            acldvppSetPicDescWidth(o, 32);
            acldvppSetPicDescHeight(o, 16);
            acldvppSetPicDescWidthStride(o, 32);
            acldvppSetPicDescHeightStride(o, 16);
            acldvppResizeConfig *rc2 = acldvppCreateResizeConfig();
            if (acldvppVpcResizeAsync(channel, d, o, rc2, stream) == ACL_SUCCESS)
                aclrtSynchronizeStream(stream);
            acldvppDestroyResizeConfig(rc2);
            acldvppDestroyPicDesc(o);
            acldvppFree(small);
        }
    }
    acldvppDestroyPicDesc(d);
    acldvppFree(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size == 0 || size > (1u << 22))
        return 0;
    uint32_t w, h, pred = 0;
    int32_t c;
    acldvppJpegFormat jf;
    int png = size > 8 && data[1] == 'P';
    void *dev = NULL;
    if (acldvppMalloc(&dev, size) != ACL_SUCCESS)
        return 0;
    memcpy(dev, data, size); /* device memory is host memory on hostacl */
    if (!png) {
        acldvppJpegGetImageInfoV2(data, (uint32_t)size, &w, &h, &c, &jf);
        static const acldvppPixelFormat fs[] = {PIXEL_FORMAT_YUV_SEMIPLANAR_420, PIXEL_FORMAT_YVU_SEMIPLANAR_422,
                                                PIXEL_FORMAT_YUV_SEMIPLANAR_444, PIXEL_FORMAT_UNKNOWN};
        acldvppPixelFormat f = fs[size % 4];
        if (acldvppJpegPredictDecSize(data, (uint32_t)size, f, &pred) == ACL_SUCCESS && pred <= (64u << 20)) {
            decode(0, dev, (uint32_t)size, pred, f);
            decode(0, dev, (uint32_t)size, pred / 3 + 1, f);
        }
    } else {
        acldvppPngGetImageInfo(data, (uint32_t)size, &w, &h, &c);
        if (acldvppPngPredictDecSize(data, (uint32_t)size, PIXEL_FORMAT_UNKNOWN, &pred) == ACL_SUCCESS &&
            pred <= (64u << 20)) {
            decode(1, dev, (uint32_t)size, pred, PIXEL_FORMAT_UNKNOWN);
            decode(1, dev, (uint32_t)size, pred / 3 + 1, PIXEL_FORMAT_RGB_888);
        }
    }
    acldvppFree(dev);
    aclGetRecentErrMsg();
    return 0;
}
