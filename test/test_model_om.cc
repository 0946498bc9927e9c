// Offline models: hostacl's .om container, the conversion options atc
// records (input shapes, float16 inputs, chosen and typed outputs), and
// gears (--dynamic_batch_size, --dynamic_image_size, --dynamic_dims) with
// their aclmdl calls and exact error codes (api-facts-atc.md §4).
#include <gtest/gtest.h>

#include <stdio.h>
#include <unistd.h>

#include "om_util.h"

namespace {

// out = in * 2 over a [N,3,H,W] float input (dims may be symbolic: -1).
onnxb::Model Doubler(std::vector<int64_t> dims)
{
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, dims}};
    m.outputs = {{"y", onnxb::FLOAT, dims}};
    m.inits = {{"two", onnxb::FLOAT, {}, onnxb::Floats({2.0f})}};
    m.nodes = {{"Mul", {"x", "two"}, {"y"}, "double"}};
    return m;
}

std::vector<float> Ramp(size_t n, float start = 0)
{
    std::vector<float> v(n);
    for (size_t i = 0; i < n; i++)
        v[i] = start + (float)i;
    return v;
}

} // namespace

TEST_F(DeviceTest, ContainerLoadsLikeItsOnnxAndPlainOnnxStillLoads)
{
    std::string onnx = onnxb::Serialize(Doubler({1, 3, 2, 2}));
    for (const std::string &bytes : {onnx, Om(onnx, "soc_version=Ascend310\nframework=5\n")}) {
        Loaded l(bytes);
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        auto p = l.AddAll();
        auto x = Ramp(12);
        memcpy(p[0], x.data(), 48);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(((float *)p[1])[11], 22.0f);
        size_t work = 0, weight = 0;
        EXPECT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS);
    }
    // by file too, whatever its name
    std::string path = "/tmp/hacl_om_test_" + std::to_string(getpid()) + ".om";
    std::string bytes = Om(onnx, "framework=5\n");
    FILE *f = fopen(path.c_str(), "wb");
    ASSERT_TRUE(f);
    fwrite(bytes.data(), 1, bytes.size(), f);
    fclose(f);
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    unlink(path.c_str());
}

TEST_F(DeviceTest, DamagedContainersAreRefusedWithTheirReason)
{
    std::string onnx = onnxb::Serialize(Doubler({1, 3, 2, 2}));
    std::string good = Om(onnx, "framework=5\n");
    struct Case {
        std::string bytes, why;
    } cases[] = {
        {good.substr(0, 12), "no container header"},
        {good.substr(0, good.size() - 100), "claims"},
        {Om(onnx, "", "", 2), "version 2"},
        {Om(onnx, "framework=5\n").replace(16, 4, "WHAT"), "unknown type"},
        {std::string("HACLOM\r\n\1\0\0\0\0\0\0\0", 16), "no ONNX section"},
        {std::string("IMOD") + std::string(60, '\0'), "Huawei's ATC"},
    };
    for (auto &c : cases) {
        uint32_t id = 0;
        EXPECT_EQ(aclmdlLoadFromMem(c.bytes.data(), c.bytes.size(), &id), ACL_ERROR_DESERIALIZE_MODEL) << c.why;
        std::string m = TakeErrMsg();
        EXPECT_NE(m.find(c.why), std::string::npos) << m;
    }
}

TEST_F(DeviceTest, InputShapeFixesTheInputAndBadShapesNameTheProblem)
{
    std::string onnx = onnxb::Serialize(Doubler({-1, 3, -1, -1}));
    Loaded l(Om(onnx, "input_shape=x:2,3,5,7\n"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(l.InDims(0), (std::vector<int64_t>{2, 3, 5, 7}));
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 2u * 3 * 5 * 7 * 4);
    EXPECT_EQ(l.OutDims(0), (std::vector<int64_t>{2, 3, 5, 7}));
    struct Case {
        std::string opts, why;
    } cases[] = {
        {"input_shape=nosuch:1,3,4,4\n", "not a model input"},
        {"input_shape=x:1,3,4\n", "3 dims"},
        {"input_shape=x:1,3,a,4\n", "not positive integers"},
        {"input_shape=x:-1,3,4,4\n", "needs --dynamic_batch_size"},
        {"input_shape=x:1,3,4,4;x:1,3,4,4\n", "twice"},
        {"input_format=NWHC\n", "--input_format"},
        {"input_shape=x:-1,3,4,4\ndynamic_batch_size=1\n", "2 to 100"},
        {"input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2,1\n", "repeats"},
        {"input_shape=x:1,-1,4,4\ndynamic_batch_size=1,2\n", "only the batch"},
        {"dynamic_batch_size=1,2\n", "need --input_shape"},
        {"input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2\ndynamic_dims=1;2\n", "only one of"},
        {"input_shape=x:-1,3,4,4\ndynamic_dims=1;2\n", "input_format=ND"},
        {"out_nodes=nosuch:0\n", "names no node output"},
        {"output_type=FP8\n", "--output_type"},
        {"input_fp16_nodes=nosuch\n", "not a model input"},
    };
    for (auto &c : cases) {
        uint32_t id = 0;
        std::string b = Om(onnx, c.opts);
        EXPECT_EQ(aclmdlLoadFromMem(b.data(), b.size(), &id), ACL_ERROR_PARSE_MODEL) << c.opts;
        std::string m = TakeErrMsg();
        EXPECT_NE(m.find(c.why), std::string::npos) << c.opts << " -> " << m;
    }
}

TEST_F(DeviceTest, Float16InputsOutputTypesAndOutNodes)
{
    onnxb::Model m = Doubler({1, 2});
    m.nodes.push_back({"Relu", {"y"}, {"z"}, "relu"});
    m.outputs = {{"z", onnxb::FLOAT, {1, 2}}};
    std::string onnx = onnxb::Serialize(m);
    {
        Loaded l(Om(onnx, "input_fp16_nodes=x\noutput_type=FP16\n"));
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclmdlGetInputDataType(l.desc, 0), ACL_FLOAT16);
        EXPECT_EQ(aclmdlGetOutputDataType(l.desc, 0), ACL_FLOAT16);
        EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 4u);
        EXPECT_EQ(std::string(aclmdlGetInputNameByIndex(l.desc, 0)), "x");
        EXPECT_EQ(std::string(aclmdlGetOutputNameByIndex(l.desc, 0)), "z");
        auto p = l.AddAll();
        uint16_t in[2] = {aclFloatToFloat16(1.5f), aclFloatToFloat16(-3.0f)};
        memcpy(p[0], in, 4);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclFloat16ToFloat(((uint16_t *)p[1])[0]), 3.0f);
        EXPECT_EQ(aclFloat16ToFloat(((uint16_t *)p[1])[1]), 0.0f);
    }
    {
        // two outputs chosen by node:index, the first typed per output
        Loaded l(Om(onnx, "out_nodes=double:0;relu:0\noutput_type=double:0:FP16\n"));
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        ASSERT_EQ(aclmdlGetNumOutputs(l.desc), 2u);
        EXPECT_EQ(aclmdlGetOutputDataType(l.desc, 0), ACL_FLOAT16);
        EXPECT_EQ(aclmdlGetOutputDataType(l.desc, 1), ACL_FLOAT);
        auto p = l.AddAll();
        float in[2] = {1.5f, -3.0f};
        memcpy(p[0], in, 8);
        ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
        EXPECT_EQ(aclFloat16ToFloat(((uint16_t *)p[1])[1]), -6.0f);
        EXPECT_EQ(((float *)p[2])[1], 0.0f);
    }
}

TEST_F(DeviceTest, DynamicBatchGearsDescribeRunAndChooseAsDocumented)
{
    std::string onnx = onnxb::Serialize(Doubler({1, 3, 4, 4}));
    Loaded l(Om(onnx, "input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2,4,8\n"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    // descriptions: -1 where the gear decides, sizes of the largest gear,
    // the shape input last (INT32 [1], ND)
    ASSERT_EQ(aclmdlGetNumInputs(l.desc), 2u);
    EXPECT_EQ(l.InDims(0), (std::vector<int64_t>{-1, 3, 4, 4}));
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 8u * 48 * 4);
    EXPECT_EQ(std::string(aclmdlGetInputNameByIndex(l.desc, 1)), ACL_DYNAMIC_TENSOR_NAME);
    EXPECT_EQ(aclmdlGetInputDataType(l.desc, 1), ACL_INT32);
    EXPECT_EQ(aclmdlGetInputFormat(l.desc, 1), ACL_FORMAT_ND);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 1), 4u);
    EXPECT_EQ(l.OutDims(0), (std::vector<int64_t>{8, 3, 4, 4}));
    EXPECT_EQ(l.OutDims(0, true), (std::vector<int64_t>{8, 3, 4, 4})); // none set: the largest
    size_t idx = 0;
    EXPECT_EQ(aclmdlGetInputIndexByName(l.desc, ACL_DYNAMIC_TENSOR_NAME, &idx), ACL_SUCCESS);
    EXPECT_EQ(idx, 1u);
    aclmdlBatch b;
    ASSERT_EQ(aclmdlGetDynamicBatch(l.desc, &b), ACL_SUCCESS);
    ASSERT_EQ(b.batchCount, 4u);
    EXPECT_EQ(b.batch[3], 8u);
    aclmdlHW hw;
    ASSERT_EQ(aclmdlGetDynamicHW(l.desc, (size_t)-1, &hw), ACL_SUCCESS);
    EXPECT_EQ(hw.hwCount, 0u);
    size_t gears = 9;
    EXPECT_EQ(aclmdlGetInputDynamicGearCount(l.desc, (size_t)-1, &gears), ACL_SUCCESS);
    EXPECT_EQ(gears, 0u);

    // a batch of 2 in a buffer sized for 2, as applications pass it
    void *x = l.Add(false, 2 * 48 * 4);
    uint32_t *shape = (uint32_t *)l.Add(false, 4);
    float *y = (float *)l.Add(true, aclmdlGetOutputSizeByIndex(l.desc, 0));
    auto in = Ramp(96, 1);
    memcpy(x, in.data(), in.size() * 4);
    ASSERT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 2), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(*shape, 2u); // the gear's value in the shape input
    EXPECT_EQ(l.OutDims(0, true), (std::vector<int64_t>{2, 3, 4, 4}));
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    for (int i = 0; i < 96; i++)
        ASSERT_EQ(y[i], 2 * in[i]) << i;
    EXPECT_EQ(y[96], 0.0f); // past the gear: untouched

    // errors, exact codes
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 3), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    EXPECT_NE(TakeErrMsg().find("1; 2; 4; 8"), std::string::npos);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 0), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id, nullptr, 1, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 0, 2), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id + 1000, l.in, 1, 2), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlSetDynamicHWSize(l.id, l.in, 1, 4, 4), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    aclmdlIODims dd = {};
    dd.dimCount = 4;
    EXPECT_EQ(aclmdlSetInputDynamicDims(l.id, l.in, 1, &dd), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    dd.dimCount = 0;
    EXPECT_EQ(aclmdlSetInputDynamicDims(l.id, l.in, 1, &dd), ACL_ERROR_INVALID_PARAM);
    // a gear of 4 needs 4 images in the input buffer
    ASSERT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 4), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_ERROR_MODEL_INPUT_NOT_MATCH);
    TakeErrMsg();
}

TEST_F(DeviceTest, ShapeBufferTooSmallAndDefaultGear)
{
    std::string onnx = onnxb::Serialize(Doubler({1, 3, 4, 4}));
    Loaded l(Om(onnx, "input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2\n"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    float *x = (float *)l.Add(false, 2 * 48 * 4);
    l.Add(false, 2); // smaller than one int32
    float *y = (float *)l.Add(true, 2 * 48 * 4);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 1), ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID);
    TakeErrMsg();
    // ... and an execution with it fails before it runs
    EXPECT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_ERROR_MODEL_INPUT_NOT_MATCH);
    TakeErrMsg();
    // no gear chosen: the largest runs
    Loaded k(Om(onnx, "input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2\n"));
    auto p = k.AddAll();
    x = (float *)p[0];
    y = (float *)p[2];
    x[95] = 5;
    ASSERT_EQ(aclmdlExecute(k.id, k.in, k.out), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(y[95], 10.0f);
}

TEST_F(DeviceTest, DynamicImageSizeGears)
{
    std::string onnx = onnxb::Serialize(Doubler({1, 3, 8, 8}));
    Loaded l(Om(onnx, "input_shape=x:1,3,-1,-1\ndynamic_image_size=4,6;8,8;2,3\n"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(l.InDims(0), (std::vector<int64_t>{1, 3, -1, -1}));
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 0), 3u * 64 * 4);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 1), 8u);
    aclmdlHW hw;
    ASSERT_EQ(aclmdlGetDynamicHW(l.desc, (size_t)-1, &hw), ACL_SUCCESS);
    ASSERT_EQ(hw.hwCount, 3u);
    EXPECT_EQ(hw.hw[0][0], 4u);
    EXPECT_EQ(hw.hw[0][1], 6u);
    aclmdlBatch b;
    ASSERT_EQ(aclmdlGetDynamicBatch(l.desc, &b), ACL_SUCCESS);
    EXPECT_EQ(b.batchCount, 0u);
    auto p = l.AddAll();
    ASSERT_EQ(aclmdlSetDynamicHWSize(l.id, l.in, 1, 2, 3), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(((uint32_t *)p[1])[0], 2u); // 8 bytes for two values: 32-bit ones
    EXPECT_EQ(((uint32_t *)p[1])[1], 3u);
    EXPECT_EQ(l.OutDims(0, true), (std::vector<int64_t>{1, 3, 2, 3}));
    auto in = Ramp(18);
    memcpy(p[0], in.data(), 18 * 4);
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(((float *)p[2])[17], 34.0f);
    EXPECT_EQ(aclmdlSetDynamicHWSize(l.id, l.in, 1, 3, 2), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    EXPECT_EQ(aclmdlSetDynamicBatchSize(l.id, l.in, 1, 1), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    TakeErrMsg();
}

TEST_F(DeviceTest, DynamicDimsGearsAcrossTwoInputs)
{
    onnxb::Model m;
    m.inputs = {{"a", onnxb::FLOAT, {-1, -1}}, {"b", onnxb::FLOAT, {2, -1}}};
    m.outputs = {{"ra", onnxb::FLOAT, {-1, -1}}, {"rb", onnxb::FLOAT, {2, -1}}};
    m.nodes = {{"Relu", {"a"}, {"ra"}, "r1"}, {"Neg", {"b"}, {"rb"}, "r2"}};
    std::string onnx = onnxb::Serialize(m);
    Loaded l(Om(onnx, "input_format=ND\ninput_shape=a:-1,-1;b:2,-1\ndynamic_dims=1,2,3;2,4,5\n"));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    size_t n = 0;
    ASSERT_EQ(aclmdlGetInputDynamicGearCount(l.desc, (size_t)-1, &n), ACL_SUCCESS);
    ASSERT_EQ(n, 2u);
    EXPECT_EQ(aclmdlGetInputDynamicGearCount(l.desc, 0, &n), ACL_ERROR_INVALID_PARAM);
    aclmdlIODims g[2];
    EXPECT_EQ(aclmdlGetInputDynamicDims(l.desc, (size_t)-1, g, 1), ACL_ERROR_INVALID_PARAM);
    ASSERT_EQ(aclmdlGetInputDynamicDims(l.desc, (size_t)-1, g, 2), ACL_SUCCESS);
    ASSERT_EQ(g[1].dimCount, 4u); // a's two dims then b's two
    EXPECT_EQ(g[1].dims[0], 2);
    EXPECT_EQ(g[1].dims[1], 4);
    EXPECT_EQ(g[1].dims[2], 2);
    EXPECT_EQ(g[1].dims[3], 5);
    EXPECT_EQ(l.InDims(1), (std::vector<int64_t>{2, -1}));
    EXPECT_EQ(aclmdlGetInputFormat(l.desc, 0), ACL_FORMAT_ND);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(l.desc, 2), 12u); // INT32 [3]
    auto p = l.AddAll();
    aclmdlIODims want = {};
    want.dimCount = 4;
    int64_t gear0[4] = {1, 2, 2, 3};
    memcpy(want.dims, gear0, sizeof gear0);
    ASSERT_EQ(aclmdlSetInputDynamicDims(l.id, l.in, 2, &want), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(((uint32_t *)p[2])[2], 3u);
    float a[2] = {-1, 2}, b[6] = {1, 2, 3, 4, 5, 6};
    memcpy(p[0], a, sizeof a);
    memcpy(p[1], b, sizeof b);
    ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(((float *)p[3])[0], 0.0f);
    EXPECT_EQ(((float *)p[4])[5], -6.0f);
    EXPECT_EQ(l.OutDims(1, true), (std::vector<int64_t>{2, 3}));
    want.dims[2] = 3; // a static position that differs
    EXPECT_EQ(aclmdlSetInputDynamicDims(l.id, l.in, 2, &want), ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID);
    want.dims[2] = 2;
    want.dims[3] = 4; // no such gear
    EXPECT_EQ(aclmdlSetInputDynamicDims(l.id, l.in, 2, &want), ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID);
    want.dimCount = 3;
    EXPECT_EQ(aclmdlSetInputDynamicDims(l.id, l.in, 2, &want), ACL_ERROR_GE_DYNAMIC_INPUT_LENGTH_INVALID);
    TakeErrMsg();
}

TEST_F(StreamTest, GearsRunAsynchronouslyPerDataset)
{
    // two datasets with different gears queued on one stream each run
    // their own gear
    std::string onnx = onnxb::Serialize(Doubler({1, 3, 4, 4}));
    Loaded a(Om(onnx, "input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2\n"));
    ASSERT_EQ(a.rc, ACL_SUCCESS) << TakeErrMsg();
    auto pa = a.AddAll();
    aclmdlDataset *in2 = aclmdlCreateDataset(), *out2 = aclmdlCreateDataset();
    std::vector<aclDataBuffer *> bufs;
    std::vector<void *> mem;
    for (int k = 0; k < 3; k++) {
        void *p = nullptr;
        size_t sz = k == 1 ? 4 : 2 * 48 * 4;
        ASSERT_EQ(aclrtMallocHost(&p, sz), ACL_SUCCESS);
        memset(p, 0, sz);
        mem.push_back(p);
        bufs.push_back(aclCreateDataBuffer(p, sz));
        aclmdlAddDatasetBuffer(k == 2 ? out2 : in2, bufs.back());
    }
    for (int i = 0; i < 96; i++)
        ((float *)pa[0])[i] = ((float *)mem[0])[i] = 1;
    ASSERT_EQ(aclmdlSetDynamicBatchSize(a.id, a.in, 1, 1), ACL_SUCCESS);
    ASSERT_EQ(aclmdlSetDynamicBatchSize(a.id, in2, 1, 2), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(a.id, a.in, a.out, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclmdlExecuteAsync(a.id, in2, out2, stream_), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclrtSynchronizeStream(stream_), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(((float *)pa[2])[47], 2.0f);
    EXPECT_EQ(((float *)pa[2])[48], 0.0f); // gear 1: one image
    EXPECT_EQ(((float *)mem[2])[95], 2.0f);  // gear 2: both
    aclmdlDestroyDataset(in2);
    aclmdlDestroyDataset(out2);
    for (auto *b : bufs)
        aclDestroyDataBuffer(b);
    for (void *p : mem)
        aclrtFreeHost(p);
}

// The same with a weight large enough to be read in place from the file:
// every set of values decodes the model again from the bytes kept for it.
TEST_F(DeviceTest, ShapesDecidedByInputValuesKeepTheirWeightsBytes)
{
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, {2, 256}}, {"shape", onnxb::INT64, {2}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    std::vector<float> w(512);
    for (size_t i = 0; i < w.size(); i++)
        w[i] = (float)i * 0.5f;
    m.inits = {{"w", onnxb::FLOAT, {2, 256}, onnxb::Floats(w)}};
    m.nodes = {{"Add", {"x", "w"}, {"s"}, "add"}, {"Reshape", {"s", "shape"}, {"y"}, "reshape"}};
    for (bool from_file : {true, false}) {
        SCOPED_TRACE(from_file ? "from a file" : "from memory");
        Loaded l(onnxb::Serialize(m), from_file);
        ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
        float *x = (float *)l.Add(false, 2048);
        int64_t *shape = (int64_t *)l.Add(false, 16);
        float *y = (float *)l.Add(true, 2048);
        for (int i = 0; i < 512; i++)
            x[i] = (float)(i % 7);
        int64_t shapes[3][2] = {{4, 128}, {512, 1}, {2, -1}};
        for (int round = 0; round < 2; round++)
            for (auto &sh : shapes) {
                memcpy(shape, sh, 16);
                ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
                for (int i = 0; i < 512; i++)
                    ASSERT_EQ(y[i], (float)(i % 7) + w[i]) << i;
            }
    }
}

TEST_F(DeviceTest, ShapesDecidedByInputValuesCompileOncePerValue)
{
    // y = Reshape(x, shape) + 1 with the shape a model input, as the ONNX
    // node tests feed it
    onnxb::Model m;
    m.inputs = {{"x", onnxb::FLOAT, {2, 6}}, {"shape", onnxb::INT64, {2}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    m.inits = {{"one", onnxb::FLOAT, {}, onnxb::Floats({1.0f})}};
    m.nodes = {{"Reshape", {"x", "shape"}, {"r"}, "reshape"}, {"Add", {"r", "one"}, {"y"}, "add"}};
    Loaded l(onnxb::Serialize(m));
    ASSERT_EQ(l.rc, ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(l.desc, 0), 0u); // known per execution
    float *x = (float *)l.Add(false, 48);
    int64_t *shape = (int64_t *)l.Add(false, 16);
    float *y = (float *)l.Add(true, 48);
    auto in = Ramp(12);
    memcpy(x, in.data(), 48);
    for (int round = 0; round < 2; round++) {
        int64_t shapes[3][2] = {{3, 4}, {12, 1}, {4, -1}};
        for (auto &sh : shapes) {
            memcpy(shape, sh, 16);
            ASSERT_EQ(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS) << TakeErrMsg();
            for (int i = 0; i < 12; i++)
                ASSERT_EQ(y[i], in[i] + 1) << i;
        }
    }
    // a shape that does not fit: the execution fails, naming the node
    int64_t bad[2] = {5, 5};
    memcpy(shape, bad, 16);
    EXPECT_NE(aclmdlExecute(l.id, l.in, l.out), ACL_SUCCESS);
    EXPECT_NE(TakeErrMsg().find("reshape"), std::string::npos);
    // caller memory needs a size known at load
    size_t work = 0, weight = 0;
    std::string b = onnxb::Serialize(m);
    EXPECT_EQ(aclmdlQuerySizeFromMem(b.data(), b.size(), &work, &weight), ACL_ERROR_OP_UNSUPPORTED_DYNAMIC);
    TakeErrMsg();
}
