// Whole models from tools/hacl-modelgen through the public API: the tiny
// network end to end (batch consistency, float16 input, caller memory), and
// ResNet-50 v1.5 loaded, described and sized (its execution with the
// reference kernels takes seconds: HOSTACL_SLOW_TESTS=1 runs it).
#include <math.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include <algorithm>
#include <iterator>
#include <memory>
#include <random>

#include "acl/hacl_model.h"
#include "test_util.h"

static std::string Generate(const std::string &args)
{
    std::string path = MakeTempFile("", ".om");
    // The generator leaves its message tree to process exit on purpose.
    std::string cmd = "ASAN_OPTIONS=detect_leaks=0 " + std::string(HACL_MODELGEN) + " " + args + " -o " + path +
                      " 2>/dev/null";
    EXPECT_EQ(system(cmd.c_str()), 0) << cmd;
    return path;
}

static std::string Slurp(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Runs a loaded model on host input; returns the first output.
static std::vector<float> Execute(uint32_t id, const void *input, size_t in_bytes)
{
    aclmdlDesc *d = aclmdlCreateDesc();
    EXPECT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    std::vector<float> r;
    {
        Io io(d);
        io.SetInput(0, input, in_bytes);
        EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
        r = io.Output(0);
    }
    aclmdlDestroyDesc(d);
    return r;
}

static std::vector<float> Image(size_t n, unsigned seed)
{
    std::vector<float> v(n);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(((i + seed) * 2654435761u) % 1000) / 500.0f - 1.0f;
    return v;
}

TEST(ModelGen, IsDeterministic)
{
    std::string a = Generate("tiny"), b = Generate("tiny"), c = Generate("tiny --seed 7");
    EXPECT_EQ(Slurp(a), Slurp(b));
    EXPECT_NE(Slurp(a), Slurp(c));
    unlink(a.c_str());
    unlink(b.c_str());
    unlink(c.c_str());
}

class Zoo : public DeviceTest {};

TEST_F(Zoo, TinyResNetRunsAndBatchesConsistently)
{
    std::string p1 = Generate("tiny"), p2 = Generate("tiny -b 2");
    uint32_t id1, id2;
    ASSERT_EQ(aclmdlLoadFromFile(p1.c_str(), &id1), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclmdlLoadFromFile(p2.c_str(), &id2), ACL_SUCCESS) << TakeErrMsg();
    const size_t img = 3 * 32 * 32;
    std::vector<float> a = Image(img, 1), b = Image(img, 2), ab(a);
    ab.insert(ab.end(), b.begin(), b.end());
    std::vector<float> ya = Execute(id1, a.data(), img * 4), yb = Execute(id1, b.data(), img * 4);
    std::vector<float> yab = Execute(id2, ab.data(), 2 * img * 4);
    ASSERT_EQ(ya.size(), 10u);
    ASSERT_EQ(yab.size(), 20u);
    bool differ = false;
    for (int i = 0; i < 10; i++) {
        EXPECT_TRUE(std::isfinite(ya[i]));
        EXPECT_NEAR(yab[i], ya[i], 1e-4f * (1 + fabsf(ya[i])));
        EXPECT_NEAR(yab[10 + i], yb[i], 1e-4f * (1 + fabsf(yb[i])));
        differ |= ya[i] != yb[i];
    }
    EXPECT_TRUE(differ) << "different images must give different logits";
    EXPECT_EQ(aclmdlUnload(id1), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(id2), ACL_SUCCESS);
    unlink(p1.c_str());
    unlink(p2.c_str());
}

TEST_F(Zoo, TinyResNetWithFloat16InputMatchesFloat32)
{
    std::string p32 = Generate("tiny"), p16 = Generate("tiny --fp16-input");
    uint32_t i32, i16;
    ASSERT_EQ(aclmdlLoadFromFile(p32.c_str(), &i32), ACL_SUCCESS);
    ASSERT_EQ(aclmdlLoadFromFile(p16.c_str(), &i16), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, i16), ACL_SUCCESS);
    EXPECT_EQ(aclmdlGetInputDataType(d, 0), ACL_FLOAT16);
    aclmdlDestroyDesc(d);
    const size_t img = 3 * 32 * 32;
    std::vector<float> x = Image(img, 3);
    std::vector<aclFloat16> h(img);
    for (size_t i = 0; i < img; i++) {
        h[i] = aclFloatToFloat16(x[i]);
        x[i] = aclFloat16ToFloat(h[i]); // the same values for both models
    }
    std::vector<float> y32 = Execute(i32, x.data(), img * 4), y16 = Execute(i16, h.data(), img * 2);
    for (int i = 0; i < 10; i++)
        EXPECT_FLOAT_EQ(y16[i], y32[i]);
    EXPECT_EQ(aclmdlUnload(i32), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(i16), ACL_SUCCESS);
    unlink(p32.c_str());
    unlink(p16.c_str());
}

TEST_F(Zoo, ResNet50LoadsWithTheSamplesCallsAndDescribesItself)
{
    std::string path = Generate("resnet50 --fp16-input");
    size_t work = 0, weight = 0;
    {
        // 25 557 032 trainable parameters; the batch norms (53 120 scales
        // and shifts, as many running statistics) fold into the 26 560
        // biases of their convolutions: 25 530 472 floats, plus what
        // oneDNN's blocked weight layouts pad (well under 1%). Without
        // Winograd, whose 3x3 weights are stored transformed (larger).
        ScopedEnv direct("HOSTACL_WINOGRAD", "0");
        ASSERT_EQ(aclmdlQuerySize(path.c_str(), &work, &weight), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_GE(weight, 25530472u * 4);
        EXPECT_LT(weight, 25530472u * 4 / 100 * 101);
    }
    size_t direct_weight = weight;
    ASSERT_EQ(aclmdlQuerySize(path.c_str(), &work, &weight), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_GT(weight, direct_weight); // the transformed 3x3 weights
    EXPECT_LT(weight, direct_weight * 2);
    EXPECT_GT(work, 3u << 20);     // at least the largest activation (64x112x112 floats)
    void *wk, *wt;
    ASSERT_EQ(aclrtMalloc(&wk, work, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&wt, weight, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    uint32_t id;
    ASSERT_EQ(aclmdlLoadFromFileWithMem(path.c_str(), &id, wk, work, wt, weight), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(d, 0), 3u * 224 * 224 * 2);
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(d, 0), 1000u * 4);
    EXPECT_STREQ(aclmdlGetOutputNameByIndex(d, 0), "logits");
    if (getenv("HOSTACL_SLOW_TESTS")) {
        std::vector<aclFloat16> h(3 * 224 * 224);
        std::vector<float> x = Image(h.size(), 4);
        for (size_t i = 0; i < h.size(); i++)
            h[i] = aclFloatToFloat16(x[i]);
        std::vector<float> y = Execute(id, h.data(), h.size() * 2);
        for (float v : y)
            ASSERT_TRUE(std::isfinite(v));
    }
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(wk), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(wt), ACL_SUCCESS);
    unlink(path.c_str());
}

// ---- precision modes and config handles ----

// Loads a model through a config handle, optionally with a precision mode.
static uint32_t LoadWithConfig(const std::string &path, const char *mode)
{
    aclmdlConfigHandle *cfg = aclmdlCreateConfigHandle();
    EXPECT_NE(cfg, nullptr);
    size_t type = ACL_MDL_LOAD_FROM_FILE;
    const char *p = path.c_str();
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_PATH_PTR, &p, sizeof p), ACL_SUCCESS);
    if (mode) {
        EXPECT_EQ(aclmdlSetConfigOpt(cfg, HACL_MDL_PRECISION_MODE_PTR, &mode, sizeof mode), ACL_SUCCESS);
    }
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlDestroyConfigHandle(cfg), ACL_SUCCESS);
    return id;
}

TEST_F(Zoo, ConfigHandlesCheckTheirOptions)
{
    aclmdlConfigHandle *cfg = aclmdlCreateConfigHandle();
    ASSERT_NE(cfg, nullptr);
    uint32_t id;
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_ERROR_INVALID_PARAM); // no load type
    EXPECT_NE(TakeErrMsg().find("ACL_MDL_LOAD_TYPE_SIZET"), std::string::npos);
    size_t type = 9;
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, 4), ACL_ERROR_INVALID_PARAM); // wrong size
    type = ACL_MDL_LOAD_FROM_FILE;
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_SUCCESS);
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_ERROR_INVALID_PARAM); // no path
    EXPECT_NE(TakeErrMsg().find("ACL_MDL_PATH_PTR"), std::string::npos);
    const char *bad = "fastest";
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, HACL_MDL_PRECISION_MODE_PTR, &bad, sizeof bad), ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("allow_bf16"), std::string::npos);
    int32_t prio = 1; // an AscendCL option without effect here is accepted
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_PRIORITY_INT32, &prio, sizeof prio), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, (aclmdlConfigAttr)12345, &prio, sizeof prio), ACL_ERROR_INVALID_PARAM);
    type = ACL_MDL_LOAD_FROM_MEM_WITH_Q;
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_SUCCESS);
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_ERROR_FEATURE_UNSUPPORTED);
    type = ACL_MDL_LOAD_FROM_MEM;
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_SUCCESS);
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_ERROR_INVALID_PARAM); // no memory given
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlDestroyConfigHandle(cfg), ACL_SUCCESS);
    EXPECT_EQ(aclmdlDestroyConfigHandle(cfg), ACL_ERROR_INVALID_RESOURCE_HANDLE); // stale
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    EXPECT_EQ(aclmdlDestroyConfigHandle(nullptr), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
    // A memory load with work and weight memory through the handle.
    std::string path = Generate("tiny");
    std::ifstream f(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    size_t work = 0, weight = 0;
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS);
    void *wk = nullptr, *wt = nullptr;
    ASSERT_EQ(aclrtMalloc(&wk, work ? work : 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&wt, weight, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    cfg = aclmdlCreateConfigHandle();
    type = ACL_MDL_LOAD_FROM_MEM_WITH_MEM;
    const void *mem = bytes.data();
    size_t len = bytes.size();
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_MEM_ADDR_PTR, &mem, sizeof mem), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_MEM_SIZET, &len, sizeof len), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_WORKSPACE_ADDR_PTR, &wk, sizeof wk), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_WORKSPACE_SIZET, &work, sizeof work), ACL_SUCCESS);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_WEIGHT_ADDR_PTR, &wt, sizeof wt), ACL_SUCCESS);
    size_t small = weight - 1;
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_WEIGHT_SIZET, &small, sizeof small), ACL_SUCCESS);
    EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_ERROR_INVALID_PARAM); // weights too small
    EXPECT_NE(TakeErrMsg().find("smaller than"), std::string::npos);
    EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_WEIGHT_SIZET, &weight, sizeof weight), ACL_SUCCESS);
    ASSERT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlDestroyConfigHandle(cfg), ACL_SUCCESS); // the model does not need the handle
    std::vector<float> x = Image(3 * 32 * 32, 5);
    std::vector<float> y = Execute(id, x.data(), x.size() * 4);
    uint32_t plain = 0;
    ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &plain), ACL_SUCCESS);
    std::vector<float> y2 = Execute(plain, x.data(), x.size() * 4);
    for (size_t i = 0; i < y.size(); i++)
        EXPECT_FLOAT_EQ(y[i], y2[i]);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(plain), ACL_SUCCESS);
    aclrtFree(wk);
    aclrtFree(wt);
    unlink(path.c_str());
}

// allow_bf16 on ResNet-50 (generated weights) against force_fp32, over 96
// generated images (12 executions of batch 8): logits within 3% relative
// (L2) error of float32 and top-1 agreement of at least 97%. On a CPU
// without bfloat16 the mode falls back to float32 and the test still holds.
TEST_F(Zoo, Bf16PrecisionKeepsResNet50Accurate)
{
    // The measure: 100 generated inputs (25 batches of 4).
    std::string path = Generate("resnet50 -b 4");
    uint32_t f32 = LoadWithConfig(path, "force_fp32"), b16 = LoadWithConfig(path, "allow_bf16");
    const size_t img = 3 * 224 * 224, batch = 4;
    int agree = 0, total = 0;
    double worst = 0;
    for (int e = 0; e < 25; e++) {
        std::vector<float> x(img * batch);
        std::mt19937 rng(100 + e);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (auto &v : x)
            v = nd(rng);
        std::vector<float> a = Execute(f32, x.data(), x.size() * 4), b = Execute(b16, x.data(), x.size() * 4);
        ASSERT_EQ(a.size(), 1000 * batch);
        for (size_t k = 0; k < batch; k++) {
            double num = 0, den = 0;
            size_t ia = 0, ib = 0;
            for (size_t c = 0; c < 1000; c++) {
                double d = a[k * 1000 + c] - b[k * 1000 + c];
                num += d * d;
                den += (double)a[k * 1000 + c] * a[k * 1000 + c];
                ia = a[k * 1000 + c] > a[k * 1000 + ia] ? c : ia;
                ib = b[k * 1000 + c] > b[k * 1000 + ib] ? c : ib;
            }
            worst = std::max(worst, sqrt(num / den));
            agree += ia == ib;
            total++;
        }
    }
    RecordProperty("worst_relative_error", std::to_string(worst));
    RecordProperty("top1_agreement", std::to_string(agree) + "/" + std::to_string(total));
    EXPECT_EQ(total, 100);
    EXPECT_LT(worst, 0.03);
    EXPECT_GE(agree * 100, total * 97);
    EXPECT_EQ(aclmdlUnload(f32), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(b16), ACL_SUCCESS);
    unlink(path.c_str());
}

// Executions wait for the compute thread with their stream parked: with a
// single device worker, another stream's copy runs while one stream still
// has executions queued (a worker held through each execution's wait would
// serve that stream's whole batch first).
TEST(ComputeThread, QueuedExecutionsHoldNoWorker)
{
    ScopedEnv w("HOSTACL_WORKER_THREADS", "1");
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    std::string path = Generate("tiny");
    uint32_t id;
    ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    size_t in_bytes = aclmdlGetInputSizeByIndex(d, 0), out_bytes = aclmdlGetOutputSizeByIndex(d, 0);
    {
        Io io(d);
        void *scratch;
        ASSERT_EQ(aclrtMalloc(&scratch, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        std::vector<float> x = Image(in_bytes / 4, 3);
        ASSERT_EQ(aclrtMemcpy(io.dev[0], in_bytes, x.data(), in_bytes, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
        aclrtStream busy, other;
        ASSERT_EQ(aclrtCreateStream(&busy), ACL_SUCCESS);
        ASSERT_EQ(aclrtCreateStream(&other), ACL_SUCCESS);
        const int n = 200;
        for (int i = 0; i < n; i++)
            ASSERT_EQ(aclmdlExecuteAsync(id, io.in, io.out, busy), ACL_SUCCESS);
        ASSERT_EQ(aclrtMemsetAsync(scratch, 64, 7, 64, other), ACL_SUCCESS);
        ASSERT_EQ(aclrtSynchronizeStream(other), ACL_SUCCESS);
        aclrtStreamStatus st;
        ASSERT_EQ(aclrtStreamQuery(busy, &st), ACL_SUCCESS);
        EXPECT_EQ(st, ACL_STREAM_STATUS_NOT_READY) << "the copy waited for all " << n << " executions";
        ASSERT_EQ(aclrtSynchronizeStream(busy), ACL_SUCCESS) << TakeErrMsg();
        std::vector<float> y = Execute(id, x.data(), in_bytes), z(out_bytes / 4);
        ASSERT_EQ(aclrtMemcpy(z.data(), out_bytes, io.dev[1], out_bytes, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
        EXPECT_EQ(y, z);
        EXPECT_EQ(aclrtDestroyStream(busy), ACL_SUCCESS);
        EXPECT_EQ(aclrtDestroyStream(other), ACL_SUCCESS);
        EXPECT_EQ(aclrtFree(scratch), ACL_SUCCESS);
    }
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    unlink(path.c_str());
}

// A forced stream destroy with executions queued and waiting for the
// compute thread: the one computing finishes (its buffers stay in use until
// it has), the others are dropped; unloading right after is clean.
TEST(ComputeThread, ForcedDestroyWithExecutionsInFlight)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    std::string path = Generate("tiny");
    uint32_t id;
    ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    size_t in_bytes = aclmdlGetInputSizeByIndex(d, 0);
    for (int round = 0; round < 20; round++) {
        std::vector<aclrtStream> ss(3);
        {
            // Destroyed after the streams: nothing runs on the buffers then.
            std::vector<std::unique_ptr<Io>> ios;
            for (auto &s : ss) {
                ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
                ios.emplace_back(new Io(d));
                ASSERT_EQ(aclrtMemset(ios.back()->dev[0], in_bytes, 0, in_bytes), ACL_SUCCESS);
                for (int i = 0; i < 10; i++)
                    ASSERT_EQ(aclmdlExecuteAsync(id, ios.back()->in, ios.back()->out, s), ACL_SUCCESS);
            }
            EXPECT_EQ(aclrtDestroyStreamForce(ss[0]), ACL_SUCCESS);
            EXPECT_EQ(aclrtDestroyStream(ss[1]), ACL_SUCCESS); // drains
            EXPECT_EQ(aclrtDestroyStreamForce(ss[2]), ACL_SUCCESS);
        }
        TakeErrMsg();
    }
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    unlink(path.c_str());
}
