// AIPP: static (the --insert_op_conf file atc records) and dynamic
// (aclmdlCreateAIPP ... aclmdlSetInputAIPP), checked against a reference
// written here from the documented arithmetic (api-facts-atc.md §2.4):
//   YUV: v_i = clamp((sum_j M[i][j] (s_j - in_bias_j)) >> 8)
//   RGB: v_i = clamp(((sum_j M[i][j] s_j) >> 8) + out_bias_i)
//   out  = (v_i - mean_i - min_i) * var_reci_i, padding = padding_value.
#include <gtest/gtest.h>

#include <math.h>

#include "om_util.h"

namespace {

struct Ref {
    int format = ACL_YUV420SP_U8;
    int w = 8, h = 6; // source
    bool csc = false, rbuv = false, ax = false;
    int m[9] = {0}, in_bias[3] = {0, 0, 0}, out_bias[3] = {0, 0, 0};
    bool crop = false;
    int cx = 0, cy = 0, cw = 0, ch = 0;
    bool pad = false;
    int pt = 0, pb = 0, pl = 0, pr = 0;
    float pad_value = 0;
    int mean[4] = {0, 0, 0, 0};
    float min[4] = {0, 0, 0, 0}, var[4] = {1, 1, 1, 1};
};

float Half(float v)
{
    return aclFloat16ToFloat(aclFloatToFloat16(v));
}

// The model input (c channels, NCHW or NHWC) AIPP makes from src.
std::vector<float> Reference(const Ref &r, const std::vector<uint8_t> &src, int c, bool nhwc)
{
    int cw = r.crop ? r.cw : r.w, ch = r.crop ? r.ch : r.h;
    int ow = cw + (r.pad ? r.pl + r.pr : 0), oh = ch + (r.pad ? r.pt + r.pb : 0);
    std::vector<float> out((size_t)c * ow * oh);
    bool yuv = r.format == ACL_YUV420SP_U8 || r.format == ACL_YUV400_U8 || r.format == ACL_YUV422SP_U8 ||
               r.format == ACL_YUYV_U8 || r.format == ACL_AYUV444_U8;
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            int sx = x - (r.pad ? r.pl : 0), sy = y - (r.pad ? r.pt : 0);
            bool padded = sx < 0 || sy < 0 || sx >= cw || sy >= ch;
            int s[4] = {0, 0, 0, 0};
            if (!padded) {
                sx += r.crop ? r.cx : 0;
                sy += r.crop ? r.cy : 0;
                if (r.format == ACL_YUV420SP_U8 || r.format == ACL_YUV422SP_U8) {
                    s[0] = src[sy * r.w + sx];
                    int row = r.format == ACL_YUV420SP_U8 ? sy / 2 : sy;
                    const uint8_t *uv = &src[r.w * r.h + row * r.w + (sx / 2) * 2];
                    s[1] = uv[0];
                    s[2] = uv[1];
                } else if (r.format == ACL_YUYV_U8) {
                    const uint8_t *p = &src[(sy * r.w + (sx / 2) * 2) * 2]; /* Y0 U Y1 V */
                    s[0] = p[(sx % 2) * 2];
                    s[1] = p[1];
                    s[2] = p[3];
                } else if (r.format == ACL_RGB888_U8) {
                    for (int k = 0; k < 3; k++)
                        s[k] = src[(sy * r.w + sx) * 3 + k];
                } else if (r.format == ACL_XRGB8888_U8 || r.format == ACL_ARGB8888_U8 ||
                           r.format == ACL_AYUV444_U8) {
                    const uint8_t *p = &src[(sy * r.w + sx) * 4];
                    for (int k = 0; k < 3; k++)
                        s[k] = p[(r.ax ? 1 : 0) + k];
                    s[3] = p[r.ax ? 0 : 3];
                } else { // YUV400
                    s[0] = s[1] = s[2] = src[sy * r.w + sx];
                }
                if (r.rbuv && r.format != ACL_YUV400_U8) {
                    if (yuv)
                        std::swap(s[1], s[2]);
                    else
                        std::swap(s[0], s[2]);
                }
                if (r.csc) {
                    int v[3];
                    for (int i = 0; i < 3; i++) {
                        int acc = 0;
                        for (int j = 0; j < 3; j++)
                            acc += r.m[3 * i + j] * (yuv ? s[j] - r.in_bias[j] : s[j]);
                        acc = (acc >> 8) + (yuv ? 0 : r.out_bias[i]);
                        v[i] = acc < 0 ? 0 : acc > 255 ? 255 : acc;
                    }
                    s[0] = v[0], s[1] = v[1], s[2] = v[2];
                }
            }
            for (int k = 0; k < c; k++) {
                float v = padded ? r.pad_value
                                 : ((float)s[c == 1 ? 0 : k] - (float)r.mean[k] - Half(r.min[k])) * Half(r.var[k]);
                out[nhwc ? ((size_t)y * ow + x) * c + k : ((size_t)k * oh + y) * ow + x] = v;
            }
        }
    return out;
}

std::vector<uint8_t> Pattern(size_t n, unsigned seed)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = (uint8_t)(seed >> 16);
    }
    return v;
}

void ExpectNear(const float *got, const std::vector<float> &want)
{
    for (size_t i = 0; i < want.size(); i++)
        ASSERT_NEAR(got[i], want[i], 1e-5f * (1 + fabsf(want[i]))) << "element " << i;
}

const char *const kJpegCsc = "csc_switch: true\n matrix_r0c0: 256 matrix_r0c1: 0 matrix_r0c2: 359\n"
                             " matrix_r1c0: 256 matrix_r1c1: -88 matrix_r1c2: -183\n"
                             " matrix_r2c0: 256 matrix_r2c1: 454 matrix_r2c2: 0\n"
                             " input_bias_0: 0 input_bias_1: 128 input_bias_2: 128\n";

void JpegCsc(Ref &r)
{
    int m[9] = {256, 0, 359, 256, -88, -183, 256, 454, 0};
    memcpy(r.m, m, sizeof m);
    r.csc = true;
    r.in_bias[0] = 0, r.in_bias[1] = 128, r.in_bias[2] = 128;
}

} // namespace

TEST_F(DeviceTest, StaticAippYuv420spToNormalisedRgb)
{
    std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 6, 8}));
    std::string cfg = std::string("# NV12 to RGB\naipp_op {\n aipp_mode: static\n related_input_rank: 0\n"
                                  " input_format: YUV420SP_U8\n src_image_size_w: 8\n src_image_size_h: 6\n") +
                      kJpegCsc +
                      " mean_chn_0: 124 mean_chn_1: 117 mean_chn_2: 104\n min_chn_0: 0.5\n"
                      " var_reci_chn_0: 0.0171247538316637 var_reci_chn_1: 0.0175070028011204\n"
                      " var_reci_chn_2: 0.0174291938997821\n}\n";
    Loaded l(Om(onnx, "framework=5\n", cfg));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    // the image input as upstream reports it
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 8u * 6 * 3 / 2);
    EXPECT_EQ(aclmdlGetInputDataType(l.desc, 0), ACL_UINT8);
    EXPECT_EQ(aclmdlGetInputFormat(l.desc, 0), ACL_FORMAT_NHWC);
    EXPECT_EQ(l.InDims(0), (std::vector<int64_t>{1, 6, 8, 3}));
    EXPECT_EQ(l.InDims(0, true), (std::vector<int64_t>{1, 9, 8, 1}));
    EXPECT_EQ(std::string(aclmdlGetInputNameByIndex(l.desc, 0)), "img");
    aclmdlInputAippType t;
    size_t att = 0;
    ASSERT_EQ(aclmdlGetAippType(l.id, 0, &t, &att), ACL_SUCCESS);
    EXPECT_EQ(t, ACL_DATA_WITH_STATIC_AIPP);
    EXPECT_EQ(att, (size_t)ACL_INVALID_NODE_INDEX);
    EXPECT_EQ(aclmdlGetAippType(l.id, 1, &t, &att), ACL_ERROR_INVALID_PARAM);
    static aclAippInfo info; // large: off the stack
    ASSERT_EQ(aclmdlGetFirstAippInfo(l.id, 0, &info), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(info.inputFormat, ACL_YUV420SP_U8);
    EXPECT_EQ(info.srcImageSizeW, 8);
    EXPECT_EQ(info.cscSwitch, 1);
    EXPECT_EQ(info.matrixR0C2, 359);
    EXPECT_EQ(info.inputBias1, 128);
    EXPECT_EQ(info.meanChn2, 104);
    EXPECT_FLOAT_EQ(info.varReciChn0, Half(0.0171247538316637f));
    EXPECT_EQ(info.srcDatatype, ACL_FLOAT);
    EXPECT_EQ(info.srcDimNum, 4u);
    EXPECT_EQ(info.shapeCount, 1u);
    EXPECT_EQ(info.outDims[0].srcDims.dims[1], 3);
    EXPECT_EQ(info.outDims[0].srcSize, 3u * 6 * 8 * 4);

    auto p = l.AddAll();
    auto img = Pattern(72, 7);
    memcpy(p[0], img.data(), 72);
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    Ref r;
    JpegCsc(r);
    r.mean[0] = 124, r.mean[1] = 117, r.mean[2] = 104;
    r.min[0] = 0.5f;
    r.var[0] = 0.0171247538316637f, r.var[1] = 0.0175070028011204f, r.var[2] = 0.0174291938997821f;
    ExpectNear((float *)p[1], Reference(r, img, 3, false));
}

TEST_F(DeviceTest, StaticAippNv21OddCropAndPadding)
{
    // NV21 (YUV420SP + swap), a 5-wide crop at an even start (the odd
    // last pixel), padded to the model's 8 x 6
    std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 6, 8}));
    std::string cfg = std::string("aipp_op { aipp_mode: static input_format: YUV420SP_U8 src_image_size_w: 10\n"
                                  " src_image_size_h: 8 rbuv_swap_switch: true crop: true load_start_pos_w: 2\n"
                                  " load_start_pos_h: 2 crop_size_w: 5 crop_size_h: 4 padding: true\n"
                                  " left_padding_size: 1 right_padding_size: 2 top_padding_size: 2\n"
                                  " bottom_padding_size: 0 padding_value: 7\n") +
                      kJpegCsc + " var_reci_chn_2: 0.5 }";
    Loaded l(Om(onnx, "", cfg));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    auto p = l.AddAll();
    auto img = Pattern(120, 21);
    memcpy(p[0], img.data(), 120);
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    Ref r;
    JpegCsc(r);
    r.w = 10, r.h = 8, r.rbuv = true;
    r.crop = true, r.cx = 2, r.cy = 2, r.cw = 5, r.ch = 4;
    r.pad = true, r.pl = 1, r.pr = 2, r.pt = 2, r.pb = 0, r.pad_value = 7;
    r.var[2] = 0.5f;
    ExpectNear((float *)p[1], Reference(r, img, 3, false));
}

TEST_F(DeviceTest, StaticAippBgrCropPaddingIntoNhwc)
{
    // BGR data (RGB888 + swap), cropped 4x3 at (2,1), padded 1/1/2/2 to the
    // model's 8x5, NHWC model input
    std::string onnx = onnxb::Serialize(IdentityModel({1, 5, 8, 3}));
    std::string cfg = "aipp_op {\n aipp_mode: static\n input_format: RGB888_U8\n src_image_size_w: 10\n"
                      " src_image_size_h: 7\n rbuv_swap_switch: true\n crop: true\n load_start_pos_w: 2\n"
                      " load_start_pos_h: 1\n crop_size_w: 4\n crop_size_h: 3\n padding: true\n"
                      " top_padding_size: 1\n bottom_padding_size: 1\n left_padding_size: 2\n"
                      " right_padding_size: 2\n padding_value: -1.5\n var_reci_chn_1: 2\n}\n";
    Loaded l(Om(onnx, "input_format=NHWC\n", cfg));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 10u * 7 * 3);
    EXPECT_EQ(l.InDims(0), (std::vector<int64_t>{1, 7, 10, 3}));
    auto p = l.AddAll();
    auto img = Pattern(210, 3);
    memcpy(p[0], img.data(), img.size());
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    Ref r;
    r.format = ACL_RGB888_U8, r.w = 10, r.h = 7, r.rbuv = true;
    r.crop = true, r.cx = 2, r.cy = 1, r.cw = 4, r.ch = 3;
    r.pad = true, r.pt = 1, r.pb = 1, r.pl = 2, r.pr = 2, r.pad_value = -1.5f;
    r.var[1] = 2;
    ExpectNear((float *)p[1], Reference(r, img, 3, true));
}

TEST_F(DeviceTest, StaticAippXrgbGreyAndDefaultMatrix)
{
    {
        // XRGB (alpha first: ax_swap) to a 4-channel model: channel 3 is X
        std::string onnx = onnxb::Serialize(IdentityModel({1, 4, 3, 4}));
        Loaded l(Om(onnx, "", "aipp_op { aipp_mode: static input_format: XRGB8888_U8 ax_swap_switch: true }"));
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(l.InDims(0), (std::vector<int64_t>{1, 3, 4, 4}));
        auto p = l.AddAll();
        auto img = Pattern(48, 11);
        memcpy(p[0], img.data(), 48);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        Ref r;
        r.format = ACL_XRGB8888_U8, r.w = 4, r.h = 3, r.ax = true;
        ExpectNear((float *)p[1], Reference(r, img, 4, false));
    }
    {
        // grey into one channel
        std::string onnx = onnxb::Serialize(IdentityModel({1, 1, 2, 4}));
        Loaded l(Om(onnx, "", "aipp_op { aipp_mode: static input_format: YUV400_U8 mean_chn_0: 10 }"));
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 8u);
        auto p = l.AddAll();
        auto img = Pattern(8, 5);
        memcpy(p[0], img.data(), 8);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        for (int i = 0; i < 8; i++)
            EXPECT_EQ(((float *)p[1])[i], (float)img[i] - 10) << i;
    }
    {
        // csc_switch without a matrix: ATC's BT.601 narrow YUV to BGR
        std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 2, 2}));
        Loaded l(Om(onnx, "", "aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: true }"));
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        auto p = l.AddAll();
        std::vector<uint8_t> img = {16, 235, 81, 145, 90, 240};
        memcpy(p[0], img.data(), 6);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        Ref r;
        r.w = 2, r.h = 2, r.csc = true;
        int m[9] = {298, 516, 0, 298, -100, -208, 298, 0, 409};
        memcpy(r.m, m, sizeof m);
        r.in_bias[0] = 16, r.in_bias[1] = 128, r.in_bias[2] = 128;
        ExpectNear((float *)p[1], Reference(r, img, 3, false));
        EXPECT_EQ(((float *)p[1])[0], 0.0f);   // Y=16: black
        EXPECT_EQ(((float *)p[1])[1], 178.0f); // (298*219 + 516*(90-128)) >> 8
    }
}

TEST_F(DeviceTest, StaticAippEveryOtherFormat)
{
    // YUV422SP and YUYV with colour conversion, ARGB and AYUV (alpha
    // last: no ax swap) into a 4-channel model, each against the reference
    struct Case {
        const char *name;
        int format, c;
        size_t bytes;
        bool csc;
    } cases[] = {{"YUV422SP_U8", ACL_YUV422SP_U8, 3, 8 * 6 * 2, true},
                 {"YUYV_U8", ACL_YUYV_U8, 3, 8 * 6 * 2, true},
                 {"ARGB8888_U8", ACL_ARGB8888_U8, 4, 8 * 6 * 4, false},
                 {"AYUV444_U8", ACL_AYUV444_U8, 4, 8 * 6 * 4, true},
                 {"RGB888_U8", ACL_RGB888_U8, 1, 8 * 6 * 3, false}};
    for (auto &c : cases) {
        std::string onnx = onnxb::Serialize(IdentityModel({1, c.c, 6, 8}));
        std::string cfg = std::string("aipp_op { aipp_mode: static input_format: ") + c.name +
                          " mean_chn_0: 3 min_chn_1: 1.5 var_reci_chn_2: 0.25\n" + (c.csc ? kJpegCsc : "") + "}";
        Loaded l(Om(onnx, "", cfg));
        ASSERT_EQ(l.rc, ACL_SUCCESS) << c.name << ": " << TakeErrMsg();
        EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), c.bytes) << c.name;
        auto p = l.AddAll();
        auto img = Pattern(c.bytes, 33);
        memcpy(p[0], img.data(), c.bytes);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        Ref r;
        r.format = c.format;
        if (c.csc)
            JpegCsc(r);
        r.mean[0] = 3, r.min[1] = 1.5f, r.var[2] = 0.25f;
        SCOPED_TRACE(c.name);
        ExpectNear((float *)p[1], Reference(r, img, c.c, false));
    }
}

TEST_F(DeviceTest, StaticAippIntoAFloat16Input)
{
    std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 2, 4}, onnxb::FLOAT16));
    Loaded l(Om(onnx, "", "aipp_op { aipp_mode: static input_format: RGB888_U8 var_reci_chn_0: 0.1 }"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlGetOutputDataType(l.desc, 0), ACL_FLOAT16);
    auto p = l.AddAll();
    auto img = Pattern(24, 4);
    memcpy(p[0], img.data(), 24);
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    Ref r;
    r.format = ACL_RGB888_U8, r.w = 4, r.h = 2, r.var[0] = 0.1f;
    auto want = Reference(r, img, 3, false);
    for (size_t i = 0; i < want.size(); i++)
        EXPECT_EQ(aclFloat16ToFloat(((uint16_t *)p[1])[i]), Half(want[i])) << i;
}

TEST_F(DeviceTest, AippConfigurationErrorsNameTheLine)
{
    std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 6, 8}));
    struct Case {
        std::string cfg, why;
    } cases[] = {
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 rotation_angle: 90 }", "unknown field 'rotation_angle'"},
        {"aipp_op {\n aipp_mode: static\n input_format: YUV420SP_U8\n mean_chn_0: 300 }", "line 4"},
        {"aipp_op { input_format: YUV420SP_U8 }", "no aipp_mode"},
        {"aipp_op { aipp_mode: static }", "needs input_format"},
        {"aipp_op { aipp_mode: dynamic }", "max_src_image_size"},
        {"aipp_op { aipp_mode: static input_format: RAW10 }", "not supported"},
        {"aipp_op { aipp_mode: static input_format: BGR }", "not an AIPP input format"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 src_image_size_w: 10 src_image_size_h: 6 }",
         "10 x 6"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 crop: true load_start_pos_w: 1 crop_size_w: 4 "
         "src_image_size_w: 8 src_image_size_h: 6 }",
         "even load_start_pos"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 csc_switch: maybe }", "true or false"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 matrix_r0c0: 1 matrix_r0c0: 2 }", "twice"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 related_input_rank: 3 }", "related_input_rank 3"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 ", "not closed"},
        {"aipp_op { aipp_mode: static input_format: YUV400_U8 csc_switch: true }", "grey"},
        {"aipp_op { aipp_mode: static input_format: YUV420SP_U8 }\naipp_op { aipp_mode: static input_format: "
         "YUV420SP_U8 }",
         "two aipp_op blocks"},
        {"hello", "where an aipp_op block should start"},
    };
    for (auto &c : cases) {
        uint32_t id = 0;
        std::string b = Om(onnx, "", c.cfg);
        EXPECT_EQ(aclmdlLoadFromMem(b.data(), b.size(), &id), ACL_ERROR_PARSE_MODEL) << c.cfg;
        std::string m = TakeErrMsg();
        EXPECT_NE(m.find(c.why), std::string::npos) << c.cfg << " -> " << m;
    }
    // AIPP on an input that is not a 4-D image
    std::string flat = onnxb::Serialize(IdentityModel({1, 48}));
    std::string b = Om(flat, "", "aipp_op { aipp_mode: static input_format: RGB888_U8 }");
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMem(b.data(), b.size(), &id), ACL_ERROR_PARSE_MODEL);
    EXPECT_NE(TakeErrMsg().find("not a 4-D float tensor"), std::string::npos);
}

TEST_F(DeviceTest, DynamicAippAsTheSamplesDriveIt)
{
    std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 6, 8}));
    Loaded l(Om(onnx, "", "aipp_op { aipp_mode: dynamic related_input_rank: 0 max_src_image_size: 200 }"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclmdlGetNumInputs(l.desc), 2u);
    size_t ai = 0;
    ASSERT_EQ(aclmdlGetInputIndexByName(l.desc, ACL_DYNAMIC_AIPP_NAME, &ai), ACL_SUCCESS);
    EXPECT_EQ(ai, 1u);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 200u);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 1), 160u);
    size_t sz = 0;
    EXPECT_EQ(aclmdlGetAippDataSize(1, &sz), ACL_SUCCESS);
    EXPECT_EQ(sz, 160u);
    EXPECT_EQ(aclmdlGetAippDataSize(0, &sz), ACL_ERROR_INVALID_PARAM);
    aclmdlInputAippType t;
    size_t att = 0;
    ASSERT_EQ(aclmdlGetAippType(l.id, 0, &t, &att), ACL_SUCCESS);
    EXPECT_EQ(t, ACL_DATA_WITH_DYNAMIC_AIPP);
    EXPECT_EQ(att, 1u);
    ASSERT_EQ(aclmdlGetAippType(l.id, 1, &t, &att), ACL_SUCCESS);
    EXPECT_EQ(t, ACL_DYNAMIC_AIPP_NODE);

    // the image buffer holds just the picture (72 bytes < 200)
    uint8_t *img = (uint8_t *)l.Add(false, 72);
    uint8_t *params = (uint8_t *)l.Add(false, 160);
    float *out = (float *)l.Add(true, aclmdlGetOutputSizeByIndex(l.desc, 0));
    auto pic = Pattern(72, 9);
    memcpy(img, pic.data(), 72);
    // parameters never set: the execution fails, saying so
    EXPECT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("aclmdlSetInputAIPP"), std::string::npos);

    EXPECT_EQ(aclmdlCreateAIPP(0), nullptr);
    TakeErrMsg();
    aclmdlAIPP *a = aclmdlCreateAIPP(1);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(aclmdlSetAIPPInputFormat(a, ACL_YUV420SP_U8), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPCscParams(a, 1, 256, 0, 359, 256, -88, -183, 256, 454, 0, 0, 0, 0, 0, 128, 128),
              ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPRbuvSwapSwitch(a, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPAxSwapSwitch(a, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPSrcImageSize(a, 8, 6), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPScfParams(a, 0, 0, 0, 0, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPCropParams(a, 0, 0, 0, 0, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPPaddingParams(a, 0, 0, 0, 0, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPDtcPixelMean(a, 10, 20, 30, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPDtcPixelMin(a, 0.5f, 0, 0, 0, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPPixelVarReci(a, 1 / 255.0f, 1 / 255.0f, 1 / 255.0f, 1.0f, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPPixelVarReci(a, 1, 1, 1, 1, 1), ACL_ERROR_INVALID_PARAM); // batch index 1 of 1
    EXPECT_EQ(aclmdlSetAIPPDtcPixelMean(a, 300, 0, 0, 0, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPPaddingParams(a, 1, 40, 0, 0, 0, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPInputFormat(nullptr, ACL_YUV420SP_U8), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    // the wrong input, then the right one
    EXPECT_EQ(aclmdlSetInputAIPP(l.id, l.in, 0, a), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetAIPPByInputIndex(l.id, l.in, 1, a), ACL_ERROR_FAILURE);
    ASSERT_EQ(aclmdlSetInputAIPP(l.id, l.in, 1, a), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    Ref r;
    JpegCsc(r);
    r.mean[0] = 10, r.mean[1] = 20, r.mean[2] = 30, r.min[0] = 0.5f;
    r.var[0] = r.var[1] = r.var[2] = 1 / 255.0f;
    ExpectNear(out, Reference(r, pic, 3, false));

    // by the image's index, with a crop that yields the model's size
    EXPECT_EQ(aclmdlSetAIPPSrcImageSize(a, 10, 8), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPCropParams(a, 1, 2, 2, 8, 6, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetAIPPByInputIndex(l.id, l.in, 0, a), ACL_SUCCESS) << TakeErrMsg();
    // ... which now needs a 120-byte picture: the 72-byte buffer is refused
    EXPECT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_ERROR_MODEL_INPUT_NOT_MATCH);
    TakeErrMsg();
    // a crop the model's size does not fit; too large a source
    EXPECT_EQ(aclmdlSetAIPPCropParams(a, 1, 2, 2, 6, 6, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetInputAIPP(l.id, l.in, 1, a), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("model input is 8 x 6"), std::string::npos);
    EXPECT_EQ(aclmdlSetAIPPSrcImageSize(a, 20, 20), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetInputAIPP(l.id, l.in, 1, a), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("max_src_image_size"), std::string::npos);
    EXPECT_EQ(aclmdlDestroyAIPP(a), ACL_SUCCESS);
    EXPECT_EQ(aclmdlDestroyAIPP(a), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    // an object of the wrong batch; a parameter buffer too small
    aclmdlAIPP *two = aclmdlCreateAIPP(2);
    aclmdlSetAIPPInputFormat(two, ACL_RGB888_U8);
    aclmdlSetAIPPSrcImageSize(two, 8, 6);
    EXPECT_EQ(aclmdlSetInputAIPP(l.id, l.in, 1, two), ACL_ERROR_INVALID_PARAM);
    aclmdlDestroyAIPP(two);
    aclmdlAIPP *one = aclmdlCreateAIPP(1);
    aclmdlSetAIPPInputFormat(one, ACL_RGB888_U8);
    aclmdlSetAIPPSrcImageSize(one, 8, 6);
    aclmdlDataset *small = aclmdlCreateDataset();
    void *p0 = nullptr, *p1 = nullptr;
    aclrtMallocHost(&p0, 200);
    aclrtMallocHost(&p1, 100);
    aclDataBuffer *b0 = aclCreateDataBuffer(p0, 200), *b1 = aclCreateDataBuffer(p1, 100);
    aclmdlAddDatasetBuffer(small, b0);
    aclmdlAddDatasetBuffer(small, b1);
    EXPECT_EQ(aclmdlSetInputAIPP(l.id, small, 1, one), ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID);
    TakeErrMsg();
    aclmdlDestroyDataset(small);
    aclDestroyDataBuffer(b0);
    aclDestroyDataBuffer(b1);
    aclrtFreeHost(p0);
    aclrtFreeHost(p1);
    aclmdlDestroyAIPP(one);
    (void)params;
}

TEST_F(DeviceTest, AippWithDynamicBatchUsesEachGearsImages)
{
    std::string onnx = onnxb::Serialize(IdentityModel({1, 3, 2, 4}));
    Loaded l(Om(onnx, "input_shape=img:-1,3,2,4\ndynamic_batch_size=1,3\n",
                "aipp_op { aipp_mode: static input_format: RGB888_U8 }"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 3u * 24);
    auto p = l.AddAll();
    auto img = Pattern(72, 1);
    memcpy(p[0], img.data(), 72);
    ASSERT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 3), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    Ref r;
    r.format = ACL_RGB888_U8, r.w = 4, r.h = 2;
    for (int b = 0; b < 3; b++) {
        std::vector<uint8_t> one(img.begin() + 24 * b, img.begin() + 24 * (b + 1));
        ExpectNear((float *)p[2] + 24 * b, Reference(r, one, 3, false));
    }
    static aclAippInfo info;
    ASSERT_EQ(aclmdlGetFirstAippInfo(l.id, 0, &info), ACL_SUCCESS);
    EXPECT_EQ(info.shapeCount, 2u);
    EXPECT_EQ(info.outDims[1].srcDims.dims[0], 3);
    EXPECT_EQ(aclmdlGetFirstAippInfo(l.id, 1, &info), ACL_ERROR_GE_AIPP_NOT_EXIST);
    TakeErrMsg();
}
