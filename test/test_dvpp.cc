// DVPP (libacl_dvpp) through the public API: JPEG decoding against
// libjpeg-turbo's own YUV output, PNG against libpng, resizing against a
// float reference, crop-and-paste, JPEG encoding round trips, batches, and
// bad input with its exact codes.
#define ENABLE_DVPP_INTERFACE
#include <gtest/gtest.h>
#include <math.h>
#include <png.h>
#include <string.h>
#include <turbojpeg.h>

#include <string>
#include <vector>

#include "acl/ops/acl_dvpp.h"
#include "test_util.h"

namespace {

uint32_t Align(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

// An RGB test picture: gradients and a checker pattern.
std::vector<uint8_t> Rgb(int w, int h)
{
    std::vector<uint8_t> v((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = &v[((size_t)y * w + x) * 3];
            p[0] = (uint8_t)(255 * x / (w - 1));
            p[1] = (uint8_t)(255 * y / (h - 1));
            p[2] = (uint8_t)(((x / 8 + y / 8) % 2) * 180 + 30);
        }
    return v;
}

std::string Jpeg(int w, int h, int samp, int flags = 0, int quality = 90)
{
    auto rgb = Rgb(w, h);
    tjhandle t = tjInitCompress();
    unsigned char *buf = nullptr;
    unsigned long len = 0;
    int pf = samp == TJSAMP_GRAY ? TJPF_RGB : TJPF_RGB;
    EXPECT_EQ(tjCompress2(t, rgb.data(), w, 0, h, pf, &buf, &len, samp, quality, flags), 0);
    std::string s((const char *)buf, len);
    tjFree(buf);
    tjDestroy(t);
    return s;
}

// libjpeg-turbo's own planes of a JPEG.
struct Planes {
    std::vector<uint8_t> y, u, v;
    int w, h, yw, cw, ch, samp; /* yw: the luma plane's width (padded to the sampling) */
};
Planes Decode(const std::string &jpeg)
{
    Planes p;
    tjhandle t = tjInitDecompress();
    int cs;
    tjDecompressHeader3(t, (const unsigned char *)jpeg.data(), jpeg.size(), &p.w, &p.h, &p.samp, &cs);
    p.cw = p.samp == TJSAMP_GRAY ? 0 : tjPlaneWidth(1, p.w, p.samp);
    p.ch = p.samp == TJSAMP_GRAY ? 0 : tjPlaneHeight(1, p.h, p.samp);
    p.yw = tjPlaneWidth(0, p.w, p.samp);
    p.y.resize((size_t)p.yw * tjPlaneHeight(0, p.h, p.samp));
    p.u.resize((size_t)p.cw * p.ch);
    p.v.resize((size_t)p.cw * p.ch);
    unsigned char *planes[3] = {p.y.data(), p.u.data(), p.v.data()};
    int strides[3] = {p.yw, p.cw, p.cw};
    EXPECT_EQ(tjDecompressToYUVPlanes(t, (const unsigned char *)jpeg.data(), jpeg.size(), planes, p.w, strides, p.h,
                                      0),
              0);
    tjDestroy(t);
    return p;
}

class Dvpp : public StreamTest {
protected:
    void SetUp() override
    {
        StreamTest::SetUp();
        ch_ = acldvppCreateChannelDesc();
        ASSERT_NE(ch_, nullptr);
        ASSERT_EQ(acldvppCreateChannel(ch_), ACL_SUCCESS) << TakeErrMsg();
    }
    void TearDown() override
    {
        EXPECT_EQ(acldvppDestroyChannel(ch_), ACL_SUCCESS);
        EXPECT_EQ(acldvppDestroyChannelDesc(ch_), ACL_SUCCESS);
        for (void *p : mem_)
            acldvppFree(p);
        for (auto *d : descs_)
            acldvppDestroyPicDesc(d);
        StreamTest::TearDown();
    }
    void *Dev(size_t n, const void *src = nullptr)
    {
        void *p = nullptr;
        EXPECT_EQ(acldvppMalloc(&p, n), ACL_SUCCESS);
        if (src)
            EXPECT_EQ(aclrtMemcpy(p, n, src, n, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        else
            EXPECT_EQ(aclrtMemset(p, n, 0, n), ACL_SUCCESS);
        mem_.push_back(p);
        return p;
    }
    acldvppPicDesc *Pic(void *data, uint32_t size, acldvppPixelFormat f, uint32_t w = 0, uint32_t h = 0,
                        uint32_t ws = 0, uint32_t hs = 0)
    {
        acldvppPicDesc *d = acldvppCreatePicDesc();
        acldvppSetPicDescData(d, data);
        acldvppSetPicDescSize(d, size);
        acldvppSetPicDescFormat(d, f);
        acldvppSetPicDescWidth(d, w);
        acldvppSetPicDescHeight(d, h);
        acldvppSetPicDescWidthStride(d, ws);
        acldvppSetPicDescHeightStride(d, hs);
        descs_.push_back(d);
        return d;
    }
    aclError Sync() { return aclrtSynchronizeStream(stream_); }
    acldvppChannelDesc *ch_ = nullptr;
    std::vector<void *> mem_;
    std::vector<acldvppPicDesc *> descs_;
};

} // namespace

TEST_F(Dvpp, JpegInfoAndPredictedSizes)
{
    std::string j = Jpeg(99, 61, TJSAMP_420);
    uint32_t w = 0, h = 0;
    int32_t c = 0;
    acldvppJpegFormat f;
    ASSERT_EQ(acldvppJpegGetImageInfoV2(j.data(), j.size(), &w, &h, &c, &f), ACL_SUCCESS);
    EXPECT_EQ(w, 99u);
    EXPECT_EQ(h, 61u);
    EXPECT_EQ(c, 3);
    EXPECT_EQ(f, ACL_JPEG_CSS_420);
    EXPECT_EQ(acldvppJpegGetImageInfo(j.data(), j.size(), nullptr, nullptr, nullptr), ACL_SUCCESS);
    std::string g = Jpeg(40, 40, TJSAMP_GRAY);
    ASSERT_EQ(acldvppJpegGetImageInfoV2(g.data(), g.size(), &w, &h, &c, &f), ACL_SUCCESS);
    EXPECT_EQ(c, 1);
    EXPECT_EQ(f, ACL_JPEG_CSS_GRAY);
    uint32_t size = 0;
    ASSERT_EQ(acldvppJpegPredictDecSize(j.data(), j.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 128u * 64 * 3 / 2);
    ASSERT_EQ(acldvppJpegPredictDecSize(j.data(), j.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_444, &size), ACL_SUCCESS);
    EXPECT_EQ(size, 128u * 64 * 3);
    EXPECT_EQ(acldvppJpegPredictDecSize(j.data(), j.size(), PIXEL_FORMAT_RGB_888, &size), ACL_ERROR_FORMAT_NOT_MATCH);
    std::string tiny = Jpeg(16, 16, TJSAMP_420);
    EXPECT_EQ(acldvppJpegPredictDecSize(tiny.data(), tiny.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, &size),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppJpegGetImageInfo("not a jpeg", 10, &w, &h, &c), ACL_ERROR_FAILURE);
    EXPECT_EQ(acldvppJpegGetImageInfo(nullptr, 10, &w, &h, &c), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

// Decoding equals libjpeg-turbo's own planes, for every sampling, baseline
// and progressive; the description comes back with the picture's geometry.
TEST_F(Dvpp, JpegDecodeEqualsLibjpegTurbosYuv)
{
    struct Case {
        int samp, flags, w, h;
    } cases[] = {{TJSAMP_420, 0, 200, 100}, {TJSAMP_420, TJFLAG_PROGRESSIVE, 97, 65}, {TJSAMP_422, 0, 64, 48},
                 {TJSAMP_444, 0, 64, 48},   {TJSAMP_GRAY, 0, 64, 40}};
    for (auto &c : cases) {
        SCOPED_TRACE(testing::Message() << "sampling " << c.samp << " flags " << c.flags);
        std::string j = Jpeg(c.w, c.h, c.samp, c.flags);
        Planes ref = Decode(j);
        void *in = Dev(j.size(), j.data());
        uint32_t size = 0;
        ASSERT_EQ(acldvppJpegPredictDecSize(j.data(), j.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, &size), ACL_SUCCESS);
        void *out = Dev(size);
        acldvppPicDesc *d = Pic(out, size, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
        ASSERT_EQ(acldvppJpegDecodeAsync(ch_, in, j.size(), d, stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(Sync(), ACL_SUCCESS) << TakeErrMsg();
        uint32_t w = (uint32_t)c.w & ~1u, h = (uint32_t)c.h & ~1u, ws = Align(c.w, 128), hs = Align(c.h, 16);
        EXPECT_EQ(acldvppGetPicDescWidth(d), w);
        EXPECT_EQ(acldvppGetPicDescHeight(d), h);
        EXPECT_EQ(acldvppGetPicDescWidthStride(d), ws);
        EXPECT_EQ(acldvppGetPicDescHeightStride(d), hs);
        EXPECT_EQ(acldvppGetPicDescRetCode(d), 0u);
        std::vector<uint8_t> got(size);
        ASSERT_EQ(aclrtMemcpy(got.data(), size, out, size, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++)
                ASSERT_EQ(got[(size_t)y * ws + x], ref.y[(size_t)y * ref.yw + x]) << x << "," << y;
        const uint8_t *uv = got.data() + (size_t)ws * hs;
        for (uint32_t y = 0; y < h / 2; y++)
            for (uint32_t x = 0; x < w / 2; x++) {
                int u = 128, v = 128;
                if (c.samp == TJSAMP_420) {
                    u = ref.u[(size_t)y * ref.cw + x], v = ref.v[(size_t)y * ref.cw + x];
                } else if (c.samp != TJSAMP_GRAY) { /* averaged over the 2 x 2 block */
                    int sx = c.samp == TJSAMP_444 ? 2 : 1, sy = 2, su = 0, sv = 0;
                    for (int dy = 0; dy < sy; dy++)
                        for (int dx = 0; dx < sx; dx++) {
                            su += ref.u[(size_t)(y * sy + dy) * ref.cw + x * sx + dx];
                            sv += ref.v[(size_t)(y * sy + dy) * ref.cw + x * sx + dx];
                        }
                    u = (su + sx * sy / 2) / (sx * sy), v = (sv + sx * sy / 2) / (sx * sy);
                }
                ASSERT_EQ(uv[(size_t)y * ws + 2 * x], u) << x << "," << y;
                ASSERT_EQ(uv[(size_t)y * ws + 2 * x + 1], v) << x << "," << y;
            }
    }
}

TEST_F(Dvpp, JpegDecodeBadInputFailsTheTaskOrTheCall)
{
    std::string j = Jpeg(64, 64, TJSAMP_420);
    void *out = Dev(128 * 64 * 3 / 2);
    // truncated: the task fails, the stream reports it, the picture says so
    std::string cut = j.substr(0, j.size() / 3);
    void *in = Dev(cut.size(), cut.data());
    acldvppPicDesc *d = Pic(out, 128 * 64 * 3 / 2, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
    ASSERT_EQ(acldvppJpegDecodeAsync(ch_, in, cut.size(), d, stream_), ACL_SUCCESS);
    EXPECT_NE(Sync(), ACL_SUCCESS);
    EXPECT_NE(acldvppGetPicDescRetCode(d), 0u);
    TakeErrMsg();
    // garbage; a header that lies about its size (60000 x 60000)
    std::string junk(300, 'x');
    void *jin = Dev(junk.size(), junk.data());
    ASSERT_EQ(acldvppJpegDecodeAsync(ch_, jin, junk.size(), d, stream_), ACL_SUCCESS);
    EXPECT_NE(Sync(), ACL_SUCCESS);
    std::string big = j;
    for (size_t i = 0; i + 8 < big.size(); i++)
        if ((uint8_t)big[i] == 0xFF && (uint8_t)big[i + 1] == 0xC0) { /* SOF0: height, width at +5, +7 */
            big[i + 5] = (char)0xEA, big[i + 6] = (char)0x60, big[i + 7] = (char)0xEA, big[i + 8] = (char)0x60;
            break;
        }
    void *bin = Dev(big.size(), big.data());
    ASSERT_EQ(acldvppJpegDecodeAsync(ch_, bin, big.size(), d, stream_), ACL_SUCCESS);
    EXPECT_NE(Sync(), ACL_SUCCESS);
    // the output buffer too small for the picture
    void *good = Dev(j.size(), j.data());
    void *small = Dev(100);
    acldvppPicDesc *s = Pic(small, 100, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
    ASSERT_EQ(acldvppJpegDecodeAsync(ch_, good, j.size(), s, stream_), ACL_SUCCESS);
    EXPECT_NE(Sync(), ACL_SUCCESS);
    EXPECT_EQ(acldvppGetPicDescRetCode(s), (uint32_t)ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    // refused at the call: NULLs, host memory, a format JPEG decoding does not write
    std::vector<uint8_t> host(j.begin(), j.end());
    EXPECT_EQ(acldvppJpegDecodeAsync(ch_, host.data(), host.size(), d, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppJpegDecodeAsync(nullptr, good, j.size(), d, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppJpegDecodeAsync(ch_, good, 0, d, stream_), ACL_ERROR_INVALID_PARAM);
    acldvppPicDesc *rgb = Pic(out, 128 * 64 * 3 / 2, PIXEL_FORMAT_RGB_888);
    EXPECT_EQ(acldvppJpegDecodeAsync(ch_, good, j.size(), rgb, stream_), ACL_ERROR_FORMAT_NOT_MATCH);
    // a destroyed description is refused, not used
    acldvppPicDesc *gone = acldvppCreatePicDesc();
    acldvppDestroyPicDesc(gone);
    EXPECT_EQ(acldvppJpegDecodeAsync(ch_, good, j.size(), gone, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppSetPicDescWidth(gone, 3), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppGetPicDescWidth(gone), 0u);
    EXPECT_EQ(Sync(), ACL_SUCCESS);
    TakeErrMsg();
}

// Bilinear resize (OpenCV's half-pixel centres) within 1 of a float reference.
TEST_F(Dvpp, ResizeMatchesAFloatReference)
{
    const uint32_t W = 64, H = 48, OW = 30, OH = 20;
    std::vector<uint8_t> nv(W * H * 3 / 2);
    for (size_t i = 0; i < nv.size(); i++)
        nv[i] = (uint8_t)((i * 37 + (i / W) * 11) % 251);
    void *in = Dev(nv.size(), nv.data());
    uint32_t ows = Align(OW, 16), ohs = Align(OH, 2), osize = ows * ohs * 3 / 2;
    void *out = Dev(osize);
    acldvppPicDesc *di = Pic(in, nv.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, W, H);
    acldvppPicDesc *dout = Pic(out, osize, PIXEL_FORMAT_YUV_SEMIPLANAR_420, OW, OH, ows, ohs);
    acldvppResizeConfig *rc = acldvppCreateResizeConfig();
    ASSERT_EQ(acldvppSetResizeConfigInterpolation(rc, 1), ACL_SUCCESS);
    EXPECT_EQ(acldvppGetResizeConfigInterpolation(rc), 1u);
    EXPECT_EQ(acldvppSetResizeConfigInterpolation(rc, 5), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(acldvppVpcResizeAsync(ch_, di, dout, rc, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(Sync(), ACL_SUCCESS) << TakeErrMsg();
    std::vector<uint8_t> got(osize);
    aclrtMemcpy(got.data(), osize, out, osize, ACL_MEMCPY_DEVICE_TO_HOST);
    auto ref = [&](const uint8_t *p, size_t stride, int ch, int c, int sw, int sh, int dw, int dh, int x, int y) {
        double fx = (x + 0.5) * sw / dw - 0.5, fy = (y + 0.5) * sh / dh - 0.5;
        fx = fx < 0 ? 0 : fx, fy = fy < 0 ? 0 : fy;
        int x0 = (int)fx, y0 = (int)fy, x1 = x0 + 1 < sw ? x0 + 1 : sw - 1, y1 = y0 + 1 < sh ? y0 + 1 : sh - 1;
        double ax = fx - x0, ay = fy - y0;
        auto at = [&](int xx, int yy) { return (double)p[(size_t)yy * stride + xx * ch + c]; };
        return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x1, y0)) + ay * ((1 - ax) * at(x0, y1) + ax * at(x1, y1));
    };
    for (uint32_t y = 0; y < OH; y++)
        for (uint32_t x = 0; x < OW; x++)
            ASSERT_NEAR(got[y * ows + x], ref(nv.data(), W, 1, 0, W, H, OW, OH, x, y), 1.0) << x << "," << y;
    for (uint32_t y = 0; y < OH / 2; y++)
        for (uint32_t x = 0; x < OW / 2; x++)
            for (int c = 0; c < 2; c++)
                ASSERT_NEAR(got[ows * ohs + y * ows + 2 * x + c],
                            ref(nv.data() + W * H, W, 2, c, W / 2, H / 2, OW / 2, OH / 2, x, y), 1.0);
    acldvppDestroyResizeConfig(rc);
}

TEST_F(Dvpp, CropAndPasteLeavesTheRestOfTheCanvas)
{
    const uint32_t W = 64, H = 32;
    std::vector<uint8_t> nv(W * H * 3 / 2, 200);
    void *in = Dev(nv.size(), nv.data());
    std::vector<uint8_t> canvas(W * H * 3 / 2, 7);
    void *out = Dev(canvas.size(), canvas.data());
    acldvppPicDesc *di = Pic(in, nv.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, W, H);
    acldvppPicDesc *dout = Pic(out, canvas.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, W, H);
    acldvppRoiConfig *crop = acldvppCreateRoiConfig(0, 31, 0, 15), *paste = acldvppCreateRoiConfig(16, 31, 8, 15);
    ASSERT_EQ(acldvppVpcCropAndPasteAsync(ch_, di, dout, crop, paste, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(Sync(), ACL_SUCCESS) << TakeErrMsg();
    std::vector<uint8_t> got(canvas.size());
    aclrtMemcpy(got.data(), got.size(), out, got.size(), ACL_MEMCPY_DEVICE_TO_HOST);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            bool inside = x >= 16 && x <= 31 && y >= 8 && y <= 15;
            ASSERT_EQ(got[y * W + x], inside ? 200 : 7) << x << "," << y;
        }
    // a crop outside the picture, a paste outside the canvas
    acldvppRoiConfig *outside = acldvppCreateRoiConfig(60, 80, 0, 15);
    EXPECT_EQ(acldvppVpcCropAndPasteAsync(ch_, di, dout, outside, paste, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppVpcCropAndPasteAsync(ch_, di, dout, crop, outside, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppCreateRoiConfig(70000, 1, 1, 1), nullptr);
    TakeErrMsg();
    acldvppDestroyRoiConfig(crop);
    acldvppDestroyRoiConfig(paste);
    acldvppDestroyRoiConfig(outside);
}

TEST_F(Dvpp, VpcReadsOtherFormatsAndRefusesBadOnes)
{
    // packed RGB in, NV12 out: a grey picture stays grey (Y = 128, U = V = 128)
    const uint32_t W = 32, H = 16;
    std::vector<uint8_t> rgb(W * 3 * H, 128);
    void *in = Dev(rgb.size(), rgb.data());
    void *out = Dev(W * H * 3 / 2);
    acldvppPicDesc *di = Pic(in, rgb.size(), PIXEL_FORMAT_RGB_888, W, H, W * 3, H);
    acldvppPicDesc *dout = Pic(out, W * H * 3 / 2, PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, W, H);
    acldvppResizeConfig *rc = acldvppCreateResizeConfig();
    ASSERT_EQ(acldvppVpcResizeAsync(ch_, di, dout, rc, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(Sync(), ACL_SUCCESS);
    std::vector<uint8_t> got(W * H * 3 / 2);
    aclrtMemcpy(got.data(), got.size(), out, got.size(), ACL_MEMCPY_DEVICE_TO_HOST);
    for (uint8_t b : got)
        ASSERT_NEAR(b, 128, 1);
    // an RGB output (Ascend 310 writes NV12/NV21 only), a stride too small,
    // a size below the strides', a picture too small, host memory
    acldvppPicDesc *rgbout = Pic(out, W * H * 3 / 2, PIXEL_FORMAT_RGB_888, W, H, W * 3, H);
    EXPECT_EQ(acldvppVpcResizeAsync(ch_, di, rgbout, rc, stream_), ACL_ERROR_FORMAT_NOT_MATCH);
    acldvppPicDesc *narrow = Pic(in, rgb.size(), PIXEL_FORMAT_RGB_888, W, H, W, H);
    EXPECT_EQ(acldvppVpcResizeAsync(ch_, narrow, dout, rc, stream_), ACL_ERROR_INVALID_PARAM);
    acldvppPicDesc *short_ = Pic(out, 100, PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, W, H);
    EXPECT_EQ(acldvppVpcResizeAsync(ch_, di, short_, rc, stream_), ACL_ERROR_INVALID_PARAM);
    acldvppPicDesc *tiny = Pic(out, W * H * 3 / 2, PIXEL_FORMAT_YUV_SEMIPLANAR_420, 8, 4, W, H);
    EXPECT_EQ(acldvppVpcResizeAsync(ch_, di, tiny, rc, stream_), ACL_ERROR_INVALID_PARAM);
    std::vector<uint8_t> host(rgb);
    acldvppPicDesc *hostpic = Pic(host.data(), host.size(), PIXEL_FORMAT_RGB_888, W, H, W * 3, H);
    EXPECT_EQ(acldvppVpcResizeAsync(ch_, hostpic, dout, rc, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppVpcResizeAsync(ch_, di, dout, nullptr, stream_), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    acldvppDestroyResizeConfig(rc);
}

TEST_F(Dvpp, BatchCropResizeOneOutputPerCrop)
{
    const uint32_t W = 64, H = 32;
    acldvppBatchPicDesc *src = acldvppCreateBatchPicDesc(2), *dst = acldvppCreateBatchPicDesc(3);
    ASSERT_NE(src, nullptr);
    EXPECT_EQ(acldvppCreateBatchPicDesc(0), nullptr);
    EXPECT_EQ(acldvppGetPicDesc(src, 2), nullptr);
    for (uint32_t i = 0; i < 2; i++) {
        std::vector<uint8_t> nv(W * H * 3 / 2, (uint8_t)(50 + 100 * i));
        acldvppPicDesc *p = acldvppGetPicDesc(src, i);
        acldvppSetPicDescData(p, Dev(nv.size(), nv.data()));
        acldvppSetPicDescSize(p, nv.size());
        acldvppSetPicDescFormat(p, PIXEL_FORMAT_YUV_SEMIPLANAR_420);
        acldvppSetPicDescWidth(p, W), acldvppSetPicDescHeight(p, H);
        acldvppSetPicDescWidthStride(p, W), acldvppSetPicDescHeightStride(p, H);
    }
    for (uint32_t i = 0; i < 3; i++) {
        acldvppPicDesc *p = acldvppGetPicDesc(dst, i);
        acldvppSetPicDescData(p, Dev(16 * 16 * 3 / 2));
        acldvppSetPicDescSize(p, 16 * 16 * 3 / 2);
        acldvppSetPicDescFormat(p, PIXEL_FORMAT_YVU_SEMIPLANAR_420);
        acldvppSetPicDescWidth(p, 16), acldvppSetPicDescHeight(p, 16);
        acldvppSetPicDescWidthStride(p, 16), acldvppSetPicDescHeightStride(p, 16);
    }
    uint32_t roiNums[2] = {1, 2};
    acldvppRoiConfig *crops[3] = {acldvppCreateRoiConfig(0, 15, 0, 15), acldvppCreateRoiConfig(10, 41, 0, 31),
                                  acldvppCreateRoiConfig(2, 63, 2, 31)};
    acldvppResizeConfig *rc = acldvppCreateResizeConfig();
    ASSERT_EQ(acldvppVpcBatchCropResizeAsync(ch_, src, roiNums, 2, dst, crops, rc, stream_), ACL_SUCCESS)
        << TakeErrMsg();
    ASSERT_EQ(Sync(), ACL_SUCCESS) << TakeErrMsg();
    for (uint32_t i = 0; i < 3; i++) {
        uint8_t y0 = 0;
        aclrtMemcpy(&y0, 1, acldvppGetPicDescData(acldvppGetPicDesc(dst, i)), 1, ACL_MEMCPY_DEVICE_TO_HOST);
        EXPECT_EQ(y0, i == 0 ? 50 : 150) << i;
    }
    uint32_t tooMany[2] = {2, 2};
    EXPECT_EQ(acldvppVpcBatchCropResizeAsync(ch_, src, tooMany, 2, dst, crops, rc, stream_), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppVpcBatchCropResizeAsync(ch_, src, roiNums, 3, dst, crops, rc, stream_), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    for (auto *c : crops)
        acldvppDestroyRoiConfig(c);
    acldvppDestroyResizeConfig(rc);
    EXPECT_EQ(acldvppDestroyBatchPicDesc(src), ACL_SUCCESS);
    EXPECT_EQ(acldvppDestroyBatchPicDesc(dst), ACL_SUCCESS);
}

TEST_F(Dvpp, JpegEncodeRoundTrips)
{
    const uint32_t W = 96, H = 64, WS = Align(W, 16);
    std::string j = Jpeg(W, H, TJSAMP_420, 0, 100);
    Planes ref = Decode(j);
    std::vector<uint8_t> nv(WS * H * 3 / 2, 0);
    for (uint32_t y = 0; y < H; y++)
        memcpy(&nv[y * WS], &ref.y[y * ref.yw], W);
    for (uint32_t y = 0; y < H / 2; y++)
        for (uint32_t x = 0; x < W / 2; x++)
            nv[WS * H + y * WS + 2 * x] = ref.u[y * ref.cw + x], nv[WS * H + y * WS + 2 * x + 1] = ref.v[y * ref.cw + x];
    void *in = Dev(nv.size(), nv.data());
    acldvppPicDesc *d = Pic(in, nv.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, WS, H);
    acldvppJpegeConfig *cfg = acldvppCreateJpegeConfig();
    ASSERT_EQ(acldvppSetJpegeConfigLevel(cfg, 100), ACL_SUCCESS);
    EXPECT_EQ(acldvppGetJpegeConfigLevel(cfg), 100u);
    uint32_t size = 0;
    ASSERT_EQ(acldvppJpegPredictEncSize(d, cfg, &size), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(size % (2u << 20), 0u);
    void *out = Dev(size);
    uint32_t len = size;
    ASSERT_EQ(acldvppJpegEncodeAsync(ch_, d, out, &len, cfg, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(Sync(), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_GT(len, 100u);
    ASSERT_LT(len, size);
    std::string enc(len, '\0');
    aclrtMemcpy(&enc[0], len, out, len, ACL_MEMCPY_DEVICE_TO_HOST);
    Planes back = Decode(enc);
    ASSERT_EQ(back.w, (int)W);
    double err = 0;
    for (size_t i = 0; i < back.y.size() && i < ref.y.size(); i++)
        err += fabs((double)back.y[i] - ref.y[i]);
    EXPECT_LT(err / back.y.size(), 2.0);
    // odd width, a stride that is not a multiple of 16, no capacity
    acldvppPicDesc *odd = Pic(in, nv.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, W - 1, H, WS, H);
    EXPECT_EQ(acldvppJpegPredictEncSize(odd, cfg, &size), ACL_ERROR_INVALID_PARAM);
    acldvppPicDesc *bad = Pic(in, nv.size(), PIXEL_FORMAT_YUV_SEMIPLANAR_420, W, H, W + 8, H);
    EXPECT_EQ(acldvppJpegEncodeAsync(ch_, bad, out, &len, cfg, stream_), ACL_ERROR_INVALID_PARAM);
    uint32_t zero = 0;
    EXPECT_EQ(acldvppJpegEncodeAsync(ch_, d, out, &zero, cfg, stream_), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    acldvppDestroyJpegeConfig(cfg);
}

TEST_F(Dvpp, PngDecodeEqualsLibpng)
{
    for (int alpha = 0; alpha < 2; alpha++) {
        const uint32_t W = 40, H = 33;
        png_image img;
        memset(&img, 0, sizeof img);
        img.version = PNG_IMAGE_VERSION;
        img.width = W, img.height = H, img.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
        int bpp = alpha ? 4 : 3;
        std::vector<uint8_t> px(W * H * bpp);
        for (size_t i = 0; i < px.size(); i++)
            px[i] = (uint8_t)(i * 7 % 256);
        png_alloc_size_t len = 0;
        ASSERT_TRUE(png_image_write_get_memory_size(img, len, 0, px.data(), 0, nullptr));
        std::string png(len, '\0');
        ASSERT_TRUE(png_image_write_to_memory(&img, &png[0], &len, 0, px.data(), 0, nullptr));
        png.resize(len);
        uint32_t w, h, size;
        int32_t c;
        ASSERT_EQ(acldvppPngGetImageInfo(png.data(), png.size(), &w, &h, &c), ACL_SUCCESS);
        EXPECT_EQ(w, W);
        EXPECT_EQ(c, bpp);
        ASSERT_EQ(acldvppPngPredictDecSize(png.data(), png.size(), PIXEL_FORMAT_UNKNOWN, &size), ACL_SUCCESS);
        EXPECT_EQ(size, Align(W, 128) * bpp * Align(H, 16));
        void *in = Dev(png.size(), png.data()), *out = Dev(size);
        acldvppPicDesc *d = Pic(out, size, PIXEL_FORMAT_UNKNOWN);
        ASSERT_EQ(acldvppPngDecodeAsync(ch_, in, png.size(), d, stream_), ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(Sync(), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(acldvppGetPicDescFormat(d), alpha ? PIXEL_FORMAT_RGBA_8888 : PIXEL_FORMAT_RGB_888);
        uint32_t ws = acldvppGetPicDescWidthStride(d);
        EXPECT_EQ(ws, Align(W, 128) * bpp);
        std::vector<uint8_t> got(size);
        aclrtMemcpy(got.data(), size, out, size, ACL_MEMCPY_DEVICE_TO_HOST);
        for (uint32_t y = 0; y < H; y++)
            ASSERT_EQ(memcmp(&got[y * ws], &px[y * W * bpp], W * bpp), 0) << y;
    }
    std::string junk(40, 'p');
    uint32_t w, h;
    int32_t c;
    EXPECT_EQ(acldvppPngGetImageInfo(junk.data(), junk.size(), &w, &h, &c), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppPngGetImageInfo(junk.data(), 20, &w, &h, &c), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(Dvpp, DescriptorsAndChannelsFollowTheDocumentedDefaults)
{
    acldvppPicDesc *p = acldvppCreatePicDesc();
    EXPECT_EQ(acldvppGetPicDescFormat(p), PIXEL_FORMAT_YUV_400);
    EXPECT_EQ(acldvppGetPicDescData(p), nullptr);
    EXPECT_EQ(acldvppSetPicDescData(p, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppSetPicDescWidth(nullptr, 3), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppGetPicDescWidth(nullptr), 0u);
    EXPECT_EQ(acldvppDestroyPicDesc(p), ACL_SUCCESS);
    EXPECT_EQ(acldvppDestroyPicDesc(p), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppDestroyPicDesc(nullptr), ACL_SUCCESS);
    acldvppChannelDesc *a = acldvppCreateChannelDesc(), *b = acldvppCreateChannelDesc();
    EXPECT_LT(acldvppGetChannelDescChannelId(a), acldvppGetChannelDescChannelId(b));
    uint32_t mode = 0;
    size_t got = 0;
    ASSERT_EQ(acldvppGetChannelDescParam(a, ACL_DVPP_MODE_UINT32, 4, &got, &mode), ACL_SUCCESS);
    EXPECT_EQ(mode, 15u);
    EXPECT_EQ(acldvppSetChannelDescMode(a, 16), ACL_ERROR_INVALID_PARAM);
    uint32_t csc = 9;
    EXPECT_EQ(acldvppSetChannelDescParam(a, ACL_DVPP_CSC_MATRIX_UINT32, 4, &csc), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(acldvppDestroyChannel(a), ACL_ERROR_INVALID_PARAM); // never created
    acldvppDestroyChannelDesc(a);
    acldvppDestroyChannelDesc(b);
    void *m = nullptr;
    EXPECT_EQ(acldvppMalloc(&m, 0), ACL_SUCCESS); // a 32-byte block
    EXPECT_EQ(acldvppFree(m), ACL_SUCCESS);
    EXPECT_EQ(acldvppFree(m), ACL_ERROR_INVALID_PARAM);
    void *rt = nullptr;
    aclrtMalloc(&rt, 64, ACL_MEM_MALLOC_HUGE_FIRST);
    EXPECT_EQ(acldvppFree(rt), ACL_ERROR_INVALID_PARAM); // not DVPP memory
    aclrtFree(rt);
    EXPECT_EQ(acldvppMalloc(nullptr, 8), ACL_ERROR_INVALID_PARAM);
    // video: declared, refused with a message
    EXPECT_EQ(aclvdecCreateChannelDesc(), nullptr);
    EXPECT_EQ(aclvencCreateChannel(nullptr), ACL_ERROR_FEATURE_UNSUPPORTED);
    EXPECT_NE(TakeErrMsg().find("aclvencCreateChannel"), std::string::npos);
}
