// Loading ONNX models through the aclmdl API, the model description calls,
// and every kind of bad model and bad argument.
#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fstream>
#include <memory>
#include <random>
#include <set>

#include "onnx_builder.h"
#include "test_util.h"

using onnxb::Model;

// X[N,3,4,4] -> Conv(W, B) -> Relu -> Y[N,2,4,4], plus a second output Z = Relu(X).
static Model SmallModel()
{
    Model m;
    m.inputs = {{"images", onnxb::FLOAT, {-1, 3, 4, 4}}};
    m.outputs = {{"logits", onnxb::FLOAT, {1, 2, 4, 4}}, {"relu_in", onnxb::FLOAT, {1, 3, 4, 4}}};
    m.inits = {{"w", onnxb::FLOAT, {2, 3, 1, 1}, onnxb::Floats({1, 2, 3, 4, 5, 6})},
               {"b", onnxb::FLOAT, {2}, onnxb::Floats({0.5f, -0.5f})}};
    // Listed out of order on purpose: loading orders the nodes.
    m.nodes = {{"Relu", {"conv_out"}, {"logits"}, "relu"},
               {"Conv", {"images", "w", "b"}, {"conv_out"}, "conv"},
               {"Relu", {"images"}, {"relu_in"}, "relu2"}};
    return m;
}


class ModelTest : public DeviceTest {};

TEST_F(ModelTest, OnnxFileNamedOmLoadsAndDescribesItself)
{
    // The upstream sample loads ../model/resnet50.om: the name does not matter.
    std::string path = MakeTempFile(onnxb::Serialize(SmallModel()), ".om");
    uint32_t id = 0;
    ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS) << TakeErrMsg();
    unlink(path.c_str());
    EXPECT_GT(id, 0u);
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_NE(d, nullptr);
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    EXPECT_EQ(aclmdlGetNumInputs(d), 1u);
    EXPECT_EQ(aclmdlGetNumOutputs(d), 2u);
    EXPECT_STREQ(aclmdlGetInputNameByIndex(d, 0), "images");
    EXPECT_STREQ(aclmdlGetOutputNameByIndex(d, 0), "logits");
    EXPECT_STREQ(aclmdlGetOutputNameByIndex(d, 1), "relu_in");
    EXPECT_EQ(aclmdlGetInputSizeByIndex(d, 0), 1u * 3 * 4 * 4 * 4); // symbolic batch -> 1
    EXPECT_EQ(aclmdlGetOutputSizeByIndex(d, 0), 2u * 4 * 4 * 4);
    EXPECT_EQ(aclmdlGetInputDataType(d, 0), ACL_FLOAT);
    EXPECT_EQ(aclmdlGetOutputDataType(d, 1), ACL_FLOAT);
    EXPECT_EQ(aclmdlGetInputFormat(d, 0), ACL_FORMAT_NCHW);
    aclmdlIODims dims;
    ASSERT_EQ(aclmdlGetInputDims(d, 0, &dims), ACL_SUCCESS);
    EXPECT_STREQ(dims.name, "images");
    ASSERT_EQ(dims.dimCount, 4u);
    EXPECT_EQ(dims.dims[0], 1);
    EXPECT_EQ(dims.dims[1], 3);
    ASSERT_EQ(aclmdlGetInputDimsV2(d, 0, &dims), ACL_SUCCESS);
    ASSERT_EQ(aclmdlGetOutputDims(d, 0, &dims), ACL_SUCCESS);
    EXPECT_EQ(dims.dims[1], 2);
    ASSERT_EQ(aclmdlGetCurOutputDims(d, 1, &dims), ACL_SUCCESS);
    EXPECT_EQ(dims.dims[1], 3);
    size_t idx = 99;
    EXPECT_EQ(aclmdlGetInputIndexByName(d, "images", &idx), ACL_SUCCESS);
    EXPECT_EQ(idx, 0u);
    EXPECT_EQ(aclmdlGetOutputIndexByName(d, "relu_in", &idx), ACL_SUCCESS);
    EXPECT_EQ(idx, 1u);
    EXPECT_EQ(aclmdlGetOutputIndexByName(d, "nope", &idx), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetInputDims(d, 1, &dims), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlGetInputSizeByIndex(d, 5), 0u);
    EXPECT_EQ(aclmdlGetInputDataType(d, 5), ACL_DT_UNDEFINED);
    EXPECT_EQ(aclmdlGetInputDims(d, 0, nullptr), ACL_ERROR_INVALID_PARAM);
    // A description keeps the model readable after unload; the id is gone.
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_STREQ(aclmdlGetInputNameByIndex(d, 0), "images");
    EXPECT_EQ(aclmdlUnload(id), ACL_ERROR_INVALID_MODEL_ID);
    aclmdlDesc *d2 = aclmdlCreateDesc();
    EXPECT_EQ(aclmdlGetDesc(d2, id), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlGetNumInputs(d2), 0u); // empty description
    EXPECT_EQ(aclmdlDestroyDesc(d2), ACL_SUCCESS);
    EXPECT_EQ(aclmdlDestroyDesc(d), ACL_SUCCESS);
    EXPECT_EQ(aclmdlDestroyDesc(d), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    TakeErrMsg();
}

TEST_F(ModelTest, LoadFromMemoryAndIdsAreNotReused)
{
    std::string bytes = onnxb::Serialize(SmallModel());
    uint32_t a = 0, b = 0;
    ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &a), ACL_SUCCESS) << TakeErrMsg();
    ASSERT_EQ(aclmdlUnload(a), ACL_SUCCESS);
    ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &b), ACL_SUCCESS);
    EXPECT_NE(a, b);
    EXPECT_EQ(aclmdlUnload(b), ACL_SUCCESS);
}

TEST_F(ModelTest, LoadArgumentErrors)
{
    uint32_t id;
    std::string bytes = onnxb::Serialize(SmallModel());
    EXPECT_EQ(aclmdlLoadFromFile(nullptr, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromFile("/tmp/x", nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromFile("/nonexistent/model.onnx", &id), ACL_ERROR_READ_MODEL_FAILURE);
    EXPECT_NE(TakeErrMsg().find("/nonexistent/model.onnx"), std::string::npos);
    EXPECT_EQ(aclmdlLoadFromFile("/tmp", &id), ACL_ERROR_READ_MODEL_FAILURE);
    std::string empty = MakeTempFile("", ".onnx");
    EXPECT_EQ(aclmdlLoadFromFile(empty.c_str(), &id), ACL_ERROR_MODEL_SIZE_INVALID);
    unlink(empty.c_str());
    EXPECT_EQ(aclmdlLoadFromMem(nullptr, 10, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), 0, &id), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlUnload(12345), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlGetDesc(nullptr, 1), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlDestroyDesc(nullptr), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(AclTest, LoadNeedsACurrentContext)
{
    std::string bytes = onnxb::Serialize(SmallModel());
    uint32_t id;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_ERROR_RT_CONTEXT_NULL);
}

// Each bad model gets a code and a message naming the problem.
struct BadCase {
    const char *what;
    aclError code;
    const char *message;
};

static void ExpectRefused(const std::string &bytes, const BadCase &c)
{
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), c.code) << c.what;
    std::string m = TakeErrMsg();
    EXPECT_NE(m.find(c.message), std::string::npos) << c.what << ": " << m;
}

TEST_F(ModelTest, BadModelsAreRefusedWithAReason)
{
    std::string good = onnxb::Serialize(SmallModel());
    ExpectRefused(good.substr(0, good.size() / 2), {"truncated", ACL_ERROR_DESERIALIZE_MODEL, "not an ONNX model"});
    std::mt19937 rng(7);
    std::string noise(4096, '\0');
    for (auto &ch : noise)
        ch = static_cast<char>(rng());
    ExpectRefused(noise, {"random bytes", ACL_ERROR_DESERIALIZE_MODEL, "not an ONNX model"});
    // A valid protobuf of another message: its fields clash with ModelProto's.
    ExpectRefused(onnxb::SerializeTensorOnly(), {"a tensor, not a model", ACL_ERROR_DESERIALIZE_MODEL, "not an ONNX model"});

    Model m = SmallModel();
    m.has_graph = false;
    ExpectRefused(onnxb::Serialize(m), {"a ModelProto without a graph", ACL_ERROR_PARSE_MODEL, "no graph"});

    m = SmallModel();
    m.has_ir = false;
    ExpectRefused(onnxb::Serialize(m), {"no ir_version", ACL_ERROR_PARSE_MODEL, "ir_version"});

    m = SmallModel();
    m.inits.erase(m.inits.begin()); // "w" missing
    ExpectRefused(onnxb::Serialize(m), {"missing initializer", ACL_ERROR_PARSE_MODEL, "reads 'w'"});

    m = SmallModel();
    m.inits[1].raw = onnxb::Floats({0.5f}); // b needs 2 floats
    ExpectRefused(onnxb::Serialize(m), {"short data", ACL_ERROR_PARSE_MODEL, "initializer 'b' holds 4 bytes"});

    m = SmallModel();
    m.inits[1].dims = {-2};
    ExpectRefused(onnxb::Serialize(m), {"negative dim", ACL_ERROR_PARSE_MODEL, "negative dim"});

    m = SmallModel();
    m.inits[1].dims = {INT64_C(1) << 40, INT64_C(1) << 40};
    ExpectRefused(onnxb::Serialize(m), {"overflowing dims", ACL_ERROR_PARSE_MODEL, "overflows"});

    m = SmallModel();
    m.inputs[0].dims = {1, 0, 4, 4};
    ExpectRefused(onnxb::Serialize(m), {"zero input dim", ACL_ERROR_PARSE_MODEL, "zero dim"});

    m = SmallModel();
    m.inputs[0].no_shape = true;
    ExpectRefused(onnxb::Serialize(m), {"input without shape", ACL_ERROR_PARSE_MODEL, "no shape"});

    m = SmallModel();
    m.nodes.push_back({"Relu", {"logits"}, {"conv_out"}, "again"}); // redefines conv_out
    ExpectRefused(onnxb::Serialize(m), {"defined twice", ACL_ERROR_PARSE_MODEL, "already defined"});

    m = SmallModel();
    m.nodes = {{"Relu", {"b2"}, {"a2"}, "n1"}, {"Relu", {"a2"}, {"b2"}, "n2"}, {"Relu", {"images"}, {"logits"}, "n3"},
               {"Relu", {"images"}, {"relu_in"}, "n4"}};
    ExpectRefused(onnxb::Serialize(m), {"cycle", ACL_ERROR_PARSE_MODEL, "cycle"});

    m = SmallModel();
    m.outputs.push_back({"ghost", onnxb::FLOAT, {1}});
    ExpectRefused(onnxb::Serialize(m), {"output nobody makes", ACL_ERROR_PARSE_MODEL, "'ghost' is produced by no node"});

    m = SmallModel();
    m.outputs.clear();
    ExpectRefused(onnxb::Serialize(m), {"no outputs", ACL_ERROR_PARSE_MODEL, "no outputs"});

    m = SmallModel();
    m.inputs[0].type = onnxb::STRING;
    ExpectRefused(onnxb::Serialize(m), {"string input", ACL_ERROR_UNSUPPORTED_DATA_TYPE, "data type 8"});

    m = SmallModel();
    m.inits.push_back({"w", onnxb::FLOAT, {1}, onnxb::Floats({1})});
    ExpectRefused(onnxb::Serialize(m), {"initializer twice", ACL_ERROR_PARSE_MODEL, "defined twice"});

    m = SmallModel();
    m.nodes[0].op = "";
    ExpectRefused(onnxb::Serialize(m), {"node without op", ACL_ERROR_PARSE_MODEL, "no op_type"});
}

TEST_F(ModelTest, RandomCorruptionsNeverCrash)
{
    std::string good = onnxb::Serialize(SmallModel());
    std::mt19937 rng(1234);
    int loaded = 0;
    for (int i = 0; i < 2000; i++) {
        std::string b = good;
        int flips = 1 + static_cast<int>(rng() % 8);
        for (int f = 0; f < flips; f++)
            b[rng() % b.size()] = static_cast<char>(rng());
        if (rng() % 4 == 0)
            b.resize(rng() % b.size() + 1);
        uint32_t id;
        if (aclmdlLoadFromMem(b.data(), b.size(), &id) == ACL_SUCCESS) {
            loaded++;
            aclmdlDesc *d = aclmdlCreateDesc();
            ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
            for (size_t k = 0; k < aclmdlGetNumInputs(d); k++)
                (void)aclmdlGetInputSizeByIndex(d, k);
            aclmdlDestroyDesc(d);
            ASSERT_EQ(aclmdlUnload(id), ACL_SUCCESS);
        }
        TakeErrMsg();
    }
    RecordProperty("loaded", loaded);
    // Flips in names and values leave a valid model: the loop must have met
    // some, or it only ever exercised the parser's first check.
    EXPECT_GT(loaded, 0);
    EXPECT_LT(loaded, 2000);
}

TEST(ModelFinalize, FinalizeUnloadsModels)
{
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    std::string bytes = onnxb::Serialize(SmallModel());
    uint32_t id;
    ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS);
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS); // the model is released (ASan checks for leaks)
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(id), ACL_ERROR_INVALID_MODEL_ID);
    TakeErrMsg();
    ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
}

// ---- execution ----


static uint32_t LoadModel(const Model &m, aclmdlDesc **desc)
{
    std::string bytes = onnxb::Serialize(m);
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
    *desc = aclmdlCreateDesc();
    EXPECT_EQ(aclmdlGetDesc(*desc, id), ACL_SUCCESS);
    return id;
}

static void Put(void *dev, const std::vector<float> &v)
{
    ASSERT_EQ(aclrtMemcpy(dev, v.size() * 4, v.data(), v.size() * 4, ACL_MEMCPY_HOST_TO_DEVICE), ACL_SUCCESS);
}

static std::vector<float> Get(void *dev, size_t n)
{
    std::vector<float> v(n);
    EXPECT_EQ(aclrtMemcpy(v.data(), n * 4, dev, n * 4, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    return v;
}

// The small model by hand: logits = relu(conv1x1(x) + b), relu_in = relu(x).
static void Expected(const std::vector<float> &x, std::vector<float> &logits, std::vector<float> &relu)
{
    const float w[2][3] = {{1, 2, 3}, {4, 5, 6}}, b[2] = {0.5f, -0.5f};
    logits.assign(32, 0);
    relu.assign(48, 0);
    for (int p = 0; p < 16; p++)
        for (int m = 0; m < 2; m++) {
            float acc = b[m];
            for (int c = 0; c < 3; c++)
                acc += w[m][c] * x[c * 16 + p];
            logits[m * 16 + p] = acc > 0 ? acc : 0;
        }
    for (int i = 0; i < 48; i++)
        relu[i] = x[i] > 0 ? x[i] : 0;
}

static std::vector<float> Sample(int seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> x(48);
    for (auto &v : x)
        v = u(rng);
    return x;
}

TEST_F(ModelTest, ExecuteComputesTheModel)
{
    aclmdlDesc *d;
    uint32_t id = LoadModel(SmallModel(), &d);
    Io io(d);
    std::vector<float> x = Sample(1), want_logits, want_relu;
    Expected(x, want_logits, want_relu);
    Put(io.dev[0], x);
    ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
    std::vector<float> logits = Get(io.dev[1], 32), relu = Get(io.dev[2], 48);
    for (int i = 0; i < 32; i++)
        EXPECT_NEAR(logits[i], want_logits[i], 1e-5) << i;
    for (int i = 0; i < 48; i++)
        EXPECT_EQ(relu[i], want_relu[i]) << i;
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

static void CheckOutputs(const std::vector<float> &x, void *logits_dev)
{
    std::vector<float> want_logits, want_relu;
    Expected(x, want_logits, want_relu);
    std::vector<float> logits = Get(logits_dev, 32);
    for (int i = 0; i < 32; i++)
        ASSERT_NEAR(logits[i], want_logits[i], 1e-5) << i;
}

TEST_F(ModelTest, ExecuteAsyncIsOrderedWithCallbacksAndRunsOnManyStreams)
{
    aclmdlDesc *d;
    uint32_t id = LoadModel(SmallModel(), &d);
    aclrtContext ctx;
    ASSERT_EQ(aclrtGetCurrentContext(&ctx), ACL_SUCCESS);
    ReportThread rt(ctx);
    const int nstreams = 4, per = 25;
    std::vector<aclrtStream> ss(nstreams);
    std::vector<std::unique_ptr<Io>> ios;
    std::vector<std::vector<float>> xs;
    std::atomic<int> checked{0};
    struct Arg {
        std::vector<float> *x;
        void *logits;
        std::atomic<int> *checked;
    };
    std::vector<Arg> args(nstreams * per);
    for (int s = 0; s < nstreams; s++) {
        ASSERT_EQ(aclrtCreateStream(&ss[s]), ACL_SUCCESS);
        ASSERT_EQ(aclrtSubscribeReport(rt.id(), ss[s]), ACL_SUCCESS);
    }
    for (int k = 0; k < nstreams * per; k++) {
        ios.emplace_back(new Io(d));
        xs.push_back(Sample(100 + k));
    }
    for (int k = 0; k < nstreams * per; k++) {
        aclrtStream s = ss[k % nstreams];
        // The input is copied on the stream, then the model runs, then a
        // callback checks the output: all in stream order.
        ASSERT_EQ(aclrtMemcpyAsync(ios[k]->dev[0], 192, xs[k].data(), 192, ACL_MEMCPY_HOST_TO_DEVICE, s),
                  ACL_SUCCESS);
        ASSERT_EQ(aclmdlExecuteAsync(id, ios[k]->in, ios[k]->out, s), ACL_SUCCESS) << TakeErrMsg();
        args[k] = {&xs[k], ios[k]->dev[1], &checked};
        ASSERT_EQ(aclrtLaunchCallback(
                      [](void *p) {
                          Arg *a = static_cast<Arg *>(p);
                          CheckOutputs(*a->x, a->logits);
                          (*a->checked)++;
                      },
                      &args[k], ACL_CALLBACK_BLOCK, s),
                  ACL_SUCCESS);
    }
    for (auto s : ss)
        ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(checked.load(), nstreams * per);
    for (auto s : ss) {
        EXPECT_EQ(aclrtUnSubscribeReport(rt.id(), s), ACL_SUCCESS);
        EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    }
    ios.clear();
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(ModelTest, ExecuteRejectsBadDatasets)
{
    aclmdlDesc *d;
    uint32_t id = LoadModel(SmallModel(), &d);
    Io io(d);
    EXPECT_EQ(aclmdlExecute(id, nullptr, io.out), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlExecute(id, io.in, nullptr), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlExecute(id + 1000, io.in, io.out), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclmdlExecute(id, io.out, io.in), ACL_ERROR_MODEL_INPUT_NOT_MATCH); // swapped: wrong counts
    aclmdlDataset *empty = aclmdlCreateDataset();
    EXPECT_EQ(aclmdlExecute(id, io.in, empty), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH);
    // Wrong input size, too small an output.
    aclDataBuffer *in0 = aclmdlGetDatasetBuffer(io.in, 0);
    ASSERT_EQ(aclUpdateDataBuffer(in0, io.dev[0], 100), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_ERROR_MODEL_INPUT_NOT_MATCH);
    EXPECT_NE(TakeErrMsg().find("input 0 'images' needs 192 bytes"), std::string::npos);
    ASSERT_EQ(aclUpdateDataBuffer(in0, io.dev[0], 192), ACL_SUCCESS);
    aclDataBuffer *out0 = aclmdlGetDatasetBuffer(io.out, 0);
    ASSERT_EQ(aclUpdateDataBuffer(out0, io.dev[1], 64), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH);
    // A size that lies about the allocation.
    ASSERT_EQ(aclUpdateDataBuffer(out0, static_cast<char *>(io.dev[1]) + 64, 128), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_ERROR_RT_PARAM_INVALID);
    ASSERT_EQ(aclUpdateDataBuffer(out0, static_cast<char *>(io.dev[1]) + 2, 128), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_ERROR_MEMORY_ADDRESS_UNALIGNED);
    ASSERT_EQ(aclUpdateDataBuffer(out0, io.dev[1], 128), ACL_SUCCESS);
    EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
    // Async validation is the same, at enqueue.
    EXPECT_EQ(aclmdlExecuteAsync(id, io.in, empty, nullptr), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH);
    int junk;
    EXPECT_EQ(aclmdlExecuteAsync(id, io.in, io.out, &junk), ACL_ERROR_INVALID_RESOURCE_HANDLE);
    aclmdlDestroyDataset(empty);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    TakeErrMsg();
}

TEST_F(ModelTest, BuffersFreedBeforeAQueuedExecutionFailItAtSynchronize)
{
    aclmdlDesc *d;
    uint32_t id = LoadModel(SmallModel(), &d);
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    Io io(d);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(s, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(id, io.in, io.out, s), ACL_SUCCESS);
    ASSERT_EQ(aclrtFree(io.dev[1]), ACL_SUCCESS);
    io.dev[1] = nullptr;
    gate.open = true;
    EXPECT_EQ(aclrtSynchronizeStream(s), ACL_ERROR_RT_MODEL_EXECUTE);
    std::string m = TakeErrMsg();
    EXPECT_NE(m.find("freed before the execution ran"), std::string::npos) << m;
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

TEST_F(ModelTest, UnloadWithQueuedExecutionsLetsThemFinish)
{
    aclmdlDesc *d;
    uint32_t id = LoadModel(SmallModel(), &d);
    aclrtStream s;
    ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    Io io(d);
    std::vector<float> x = Sample(5);
    Put(io.dev[0], x);
    Gate gate;
    ASSERT_EQ(aclrtLaunchHostFunc(s, Gate::Wait, &gate), ACL_SUCCESS);
    ASSERT_EQ(aclmdlExecuteAsync(id, io.in, io.out, s), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS); // the queued execution holds the model
    gate.open = true;
    ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    CheckOutputs(x, io.dev[1]);
    EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_ERROR_INVALID_MODEL_ID);
    EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    aclmdlDestroyDesc(d);
    TakeErrMsg();
}

TEST_F(ModelTest, UnsupportedOperatorsAndShapeMismatchesAreRefusedAtLoad)
{
    Model m = SmallModel();
    m.nodes[2].op = "NoSuchOperator";
    ExpectRefused(onnxb::Serialize(m), {"unknown op", ACL_ERROR_OP_NOT_FOUND, "NoSuchOperator is not supported"});
    m = SmallModel();
    m.outputs[0].dims = {1, 5, 4, 4};
    ExpectRefused(onnxb::Serialize(m), {"declared shape", ACL_ERROR_PARSE_MODEL, "declared with dim 1 = 5"});
    // An initializer listed as a model output must be declared as it is
    // (found by the fuzzer: the declaration used to replace its shape).
    m = SmallModel();
    m.outputs.push_back({"w", onnxb::FLOAT, {1, 3, 4, 4}});
    ExpectRefused(onnxb::Serialize(m), {"initializer output", ACL_ERROR_PARSE_MODEL, "initializer declared with"});
    m = SmallModel();
    m.inits[0].dims = {2, 4, 1, 1};
    m.inits[0].raw = onnxb::Floats({1, 2, 3, 4, 5, 6, 7, 8});
    ExpectRefused(onnxb::Serialize(m), {"conv channels", ACL_ERROR_PARSE_MODEL, "do not fit"});
}

// ---- sizes and caller memory ----

static size_t Align64(size_t n) { return (n + 63) / 64 * 64; }

TEST_F(ModelTest, QuerySizeReportsWeightsAndAPlanThatReusesMemory)
{
    // The reference executor (HOSTACL_KERNELS=reference) keeps every tensor
    // and every weight as it is, so the figures can be worked out by hand.
    ScopedEnv ref("HOSTACL_KERNELS", "reference");
    // SmallModel: weights w (24 bytes) and b (8 bytes), each 64-aligned; one
    // intermediate (conv_out, 128 bytes); outputs live in the caller's buffers.
    std::string bytes = onnxb::Serialize(SmallModel());
    size_t work = 0, weight = 0;
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(weight, Align64(24) + Align64(8));
    EXPECT_EQ(work, 128u);
    std::string path = MakeTempFile(bytes, ".om");
    size_t work2 = 0, weight2 = 0;
    ASSERT_EQ(aclmdlQuerySize(path.c_str(), &work2, &weight2), ACL_SUCCESS);
    unlink(path.c_str());
    EXPECT_EQ(work2, work);
    EXPECT_EQ(weight2, weight);
    // A chain of five Relus over 1000 floats: four intermediates, but only
    // two are ever alive at once.
    Model chain;
    chain.inputs = {{"x", onnxb::FLOAT, {1000}}};
    chain.outputs = {{"y", onnxb::FLOAT, {1000}}};
    chain.nodes = {{"Relu", {"x"}, {"a"}, "r1"}, {"Relu", {"a"}, {"b"}, "r2"}, {"Relu", {"b"}, {"c"}, "r3"},
                   {"Relu", {"c"}, {"d"}, "r4"}, {"Relu", {"d"}, {"y"}, "r5"}};
    bytes = onnxb::Serialize(chain);
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS);
    EXPECT_EQ(work, 2 * Align64(4000));
    EXPECT_EQ(weight, 0u);
    // And it still computes.
    aclmdlDesc *d;
    uint32_t id = LoadModel(chain, &d);
    Io io(d);
    std::vector<float> x(1000);
    for (int i = 0; i < 1000; i++)
        x[i] = (float)(i % 7) - 3.0f;
    Put(io.dev[0], x);
    ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS);
    std::vector<float> y = Get(io.dev[1], 1000);
    for (int i = 0; i < 1000; i++)
        ASSERT_EQ(y[i], x[i] > 0 ? x[i] : 0);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclmdlQuerySize("/nonexistent.onnx", &work, &weight), ACL_ERROR_READ_MODEL_FAILURE);
    EXPECT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), nullptr, &weight), ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlQuerySizeFromMem(bytes.data(), 0, &work, &weight), ACL_ERROR_INVALID_PARAM);
    TakeErrMsg();
}

TEST_F(ModelTest, LoadWithMemUsesTheCallersMemory)
{
    // The reference executor (HOSTACL_KERNELS=reference) keeps every tensor
    // and every weight as it is, so the figures can be worked out by hand.
    ScopedEnv ref("HOSTACL_KERNELS", "reference");
    std::string bytes = onnxb::Serialize(SmallModel());
    size_t work = 0, weight = 0;
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS);
    void *wk, *wt;
    ASSERT_EQ(aclrtMalloc(&wk, work, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&wt, weight, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, wk, work - 1, wt, weight),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_NE(TakeErrMsg().find("smaller than"), std::string::npos);
    EXPECT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, wk, work, wt, weight - 1),
              ACL_ERROR_INVALID_PARAM);
    EXPECT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, wk, work, wt, weight + 4096),
              ACL_SUCCESS); // a size that is too generous is fine (the caller's claim)...
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    ASSERT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, wk, work, wt, weight), ACL_SUCCESS);
    // The weights now live in the caller's memory, 64-byte aligned.
    std::vector<float> w = Get(wt, 6), b = Get(static_cast<char *>(wt) + 64, 2);
    EXPECT_EQ(w, std::vector<float>({1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(b, std::vector<float>({0.5f, -0.5f}));
    // Executions (several streams at once) share the caller's work memory
    // safely and compute the right thing.
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    std::vector<aclrtStream> ss(3);
    std::vector<std::unique_ptr<Io>> ios;
    std::vector<std::vector<float>> xs;
    for (int k = 0; k < 12; k++) {
        ios.emplace_back(new Io(d));
        xs.push_back(Sample(300 + k));
        Put(ios[k]->dev[0], xs[k]);
    }
    for (auto &s : ss)
        ASSERT_EQ(aclrtCreateStream(&s), ACL_SUCCESS);
    for (int k = 0; k < 12; k++)
        ASSERT_EQ(aclmdlExecuteAsync(id, ios[k]->in, ios[k]->out, ss[k % 3]), ACL_SUCCESS);
    for (auto s : ss)
        ASSERT_EQ(aclrtSynchronizeStream(s), ACL_SUCCESS);
    for (int k = 0; k < 12; k++)
        CheckOutputs(xs[k], ios[k]->dev[1]);
    for (auto s : ss)
        EXPECT_EQ(aclrtDestroyStream(s), ACL_SUCCESS);
    ios.clear();
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    // Work memory that runs past its allocation, or is not aligned.
    EXPECT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, static_cast<char *>(wk) + 64, work, wt,
                                       weight),
              ACL_ERROR_RT_PARAM_INVALID);
    EXPECT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, static_cast<char *>(wk) + 4, work, wt,
                                       weight),
              ACL_ERROR_MEMORY_ADDRESS_UNALIGNED);
    // NULL work and weight memory: the runtime provides its own.
    ASSERT_EQ(aclmdlLoadFromMemWithMem(bytes.data(), bytes.size(), &id, nullptr, 0, nullptr, 0), ACL_SUCCESS);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    // From a file, the way the ResNet-50 sample does it.
    std::string path = MakeTempFile(bytes, ".om");
    ASSERT_EQ(aclmdlLoadFromFileWithMem(path.c_str(), &id, wk, work, wt, weight), ACL_SUCCESS);
    unlink(path.c_str());
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(wk), ACL_SUCCESS);
    EXPECT_EQ(aclrtFree(wt), ACL_SUCCESS);
    TakeErrMsg();
}

// ---- external data ----

// Weights in a side file next to the model load (and compute the same as
// inline weights); paths that leave the model's folder, missing files, short
// files and in-memory loads (no folder to look in) are refused.
TEST_F(ModelTest, ExternalDataLoadsFromTheModelsFolderOnly)
{
    char dir_tmpl[] = "/tmp/hostacl-ext-XXXXXX";
    ASSERT_NE(mkdtemp(dir_tmpl), nullptr);
    std::string dir = dir_tmpl;
    // w (24 bytes) at offset 8 of weights.bin, b (8 bytes) at offset 32.
    std::string side = std::string(8, 'x') + onnxb::Floats({1, 2, 3, 4, 5, 6}) + onnxb::Floats({0.5f, -0.5f});
    std::ofstream(dir + "/weights.bin", std::ios::binary) << side;
    Model m = SmallModel();
    m.inits[0].external = "weights.bin";
    m.inits[0].external_offset = 8;
    m.inits[0].external_length = 24;
    m.inits[1].external = "weights.bin";
    m.inits[1].external_offset = 32;
    std::string path = dir + "/model.onnx";
    std::ofstream(path, std::ios::binary) << onnxb::Serialize(m);
    uint32_t id = 0;
    ASSERT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *d = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
    {
        Io io(d);
        std::vector<float> x = Sample(3), want_logits, want_relu;
        Expected(x, want_logits, want_relu);
        Put(io.dev[0], x);
        ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
        std::vector<float> logits = Get(io.dev[1], 32);
        for (int i = 0; i < 32; i++)
            EXPECT_NEAR(logits[i], want_logits[i], 1e-5) << i;
    }
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    size_t work = 0, weight = 0;
    EXPECT_EQ(aclmdlQuerySize(path.c_str(), &work, &weight), ACL_SUCCESS) << TakeErrMsg();

    std::string bytes = onnxb::Serialize(m);
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_ERROR_PARSE_MODEL);
    EXPECT_NE(TakeErrMsg().find("load the model from its file"), std::string::npos);

    struct Bad {
        const char *location;
        int64_t offset, length;
        aclError code;
        const char *message;
    } bad[] = {{"../etc/passwd", 0, -1, ACL_ERROR_PARSE_MODEL, "inside the model's folder"},
               {"/etc/passwd", 0, -1, ACL_ERROR_PARSE_MODEL, "inside the model's folder"},
               {"missing.bin", 0, -1, ACL_ERROR_READ_MODEL_FAILURE, "cannot be found"},
               {"weights.bin", 30, -1, ACL_ERROR_READ_MODEL_FAILURE, "cannot read 24 bytes"},
               {"weights.bin", 8, 20, ACL_ERROR_PARSE_MODEL, "holding its 24 bytes"},
               {"weights.bin", -4, -1, ACL_ERROR_PARSE_MODEL, "inside the model's folder"}};
    for (const Bad &b : bad) {
        Model mb = m;
        mb.inits[0].external = b.location;
        mb.inits[0].external_offset = b.offset;
        mb.inits[0].external_length = b.length;
        std::ofstream(path, std::ios::binary | std::ios::trunc) << onnxb::Serialize(mb);
        EXPECT_EQ(aclmdlLoadFromFile(path.c_str(), &id), b.code) << b.location;
        std::string msg = TakeErrMsg();
        EXPECT_NE(msg.find(b.message), std::string::npos) << b.location << ": " << msg;
    }
    // A symbolic link pointing out of the folder is refused too.
    ASSERT_EQ(symlink("/etc/hostname", (dir + "/link.bin").c_str()), 0);
    Model ml = m;
    ml.inits[0].external = "link.bin";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << onnxb::Serialize(ml);
    EXPECT_EQ(aclmdlLoadFromFile(path.c_str(), &id), ACL_ERROR_READ_MODEL_FAILURE);
    EXPECT_NE(TakeErrMsg().find("outside the model's folder"), std::string::npos);
    unlink((dir + "/link.bin").c_str());
    unlink((dir + "/weights.bin").c_str());
    unlink(path.c_str());
    rmdir(dir.c_str());
}

// Empty tensors with huge other dims (found by the fuzzer: constant folding
// looped over 2^40 rows of nothing): loading and running cost nothing.
TEST_F(ModelTest, EmptyConstantsWithHugeDimsCostNothing)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {2}}};
    m.outputs = {{"y", onnxb::FLOAT, {2}}, {"shape", onnxb::INT64, {2}}};
    m.inits = {{"a", onnxb::FLOAT, {int64_t(1) << 40, 0}, ""}, {"b", onnxb::FLOAT, {int64_t(1) << 40, 0}, ""}};
    m.nodes = {{"Concat", {"a", "b"}, {"c"}, "concat", {onnxb::Attr::Int("axis", 1)}},
               {"Shape", {"c"}, {"shape"}, "shape"},
               {"Relu", {"x"}, {"y"}, "relu"}};
    aclmdlDesc *d;
    uint32_t id = LoadModel(m, &d);
    Io io(d);
    Put(io.dev[0], {-1.0f, 2.0f});
    ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_EQ(Get(io.dev[1], 2), std::vector<float>({0.0f, 2.0f}));
    int64_t shape[2] = {0, 0};
    ASSERT_EQ(aclrtMemcpy(shape, sizeof shape, io.dev[2], sizeof shape, ACL_MEMCPY_DEVICE_TO_HOST), ACL_SUCCESS);
    EXPECT_EQ(shape[0], int64_t(1) << 40);
    EXPECT_EQ(shape[1], 0);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

// An LRN window of 2^62 channels (found by the fuzzer: the loop walked the
// whole window) is clipped to the channels there are.
TEST_F(ModelTest, HugeLrnWindowIsClippedToTheChannels)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 3, 1, 1}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 3, 1, 1}}};
    m.nodes = {{"LRN", {"x"}, {"y"}, "lrn", {onnxb::Attr::Int("size", int64_t(1) << 62)}}};
    aclmdlDesc *d;
    uint32_t id = LoadModel(m, &d);
    Io io(d);
    Put(io.dev[0], {1.0f, 2.0f, 3.0f});
    ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
    std::vector<float> y = Get(io.dev[1], 3);
    for (int i = 0; i < 3; i++)
        EXPECT_NEAR(y[i], (float)(i + 1), 1e-3); // alpha / size is ~0: y = x / bias^beta = x
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

// A long chain (listed last node first) loads and runs: ordering, fusion
// lookups and the memory plan scale with the graph, not its square (a
// quadratic step made a 100k-node model a multi-hour load).
TEST_F(ModelTest, LongChainsLoadAndRun)
{
    const char *env = getenv("HACL_TEST_CHAIN");
    const int n = env ? atoi(env) : 100000;
    Model m;
    m.inputs = {{"t0", onnxb::FLOAT, {1, 4}}};
    m.outputs = {{"t" + std::to_string(n), onnxb::FLOAT, {1, 4}}};
    m.inits = {{"one", onnxb::FLOAT, {1}, onnxb::Floats({1.0f})}};
    for (int k = n; k >= 1; k--)
        m.nodes.push_back({k % 2 ? "Add" : "Relu",
                           k % 2 ? std::vector<std::string>{"t" + std::to_string(k - 1), "one"}
                                 : std::vector<std::string>{"t" + std::to_string(k - 1)},
                           {"t" + std::to_string(k)}, "n" + std::to_string(k)});
    aclmdlDesc *d;
    uint32_t id = LoadModel(m, &d);
    Io io(d);
    Put(io.dev[0], {-5.0f, 0.0f, 2.5f, -0.5f});
    ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
    // Add 1 then Relu, n/2 times (n even): after the first pair every value
    // is positive and only grows.
    std::vector<float> x = {-5.0f, 0.0f, 2.5f, -0.5f}, want(4);
    for (int i = 0; i < 4; i++) {
        float v = x[i];
        for (int k = 1; k <= n; k++)
            v = k % 2 ? v + 1.0f : (v > 0 ? v : 0);
        want[i] = v;
    }
    EXPECT_EQ(Get(io.dev[1], 4), want);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}

// The threads named after the compute thread ("hacl-compute": it and the
// OpenMP threads it starts), by thread id.
static std::set<long> ComputeThreads()
{
    std::set<long> ids;
    if (DIR *d = opendir("/proc/self/task")) {
        while (struct dirent *e = readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
            std::string name;
            std::getline(comm, name);
            if (name.rfind("hacl-compute", 0) == 0)
                ids.insert(atol(e->d_name));
        }
        closedir(d);
    }
    return ids;
}

// A squeeze-and-excitation block after a grouped convolution, a pooling
// and a product, and a 1x1 convolution of a row-major 1x1 picture (a model
// input): the kinds of step a one-thread run swaps for twins made on one
// thread (the last gets weights in a layout of its own there, as oneDNN's
// one-thread kernels for it want another).
static Model ExcitationModel()
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 64, 56, 56}}, {"z", onnxb::FLOAT, {1, 104, 1, 1}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 32, 28, 28}}, {"y2", onnxb::FLOAT, {1, 104, 1, 1}}};
    auto weights = [](size_t n, unsigned seed) {
        std::vector<float> w(n);
        for (size_t i = 0; i < n; i++)
            w[i] = (float)((i * 2654435761u + seed * 40503u) % 2001) / 8000.0f - 0.125f;
        return w;
    };
    m.inits = {{"w1", onnxb::FLOAT, {64, 8, 3, 3}, onnxb::Floats(weights(64 * 8 * 9, 1))},
               {"w2", onnxb::FLOAT, {16, 64, 1, 1}, onnxb::Floats(weights(16 * 64, 2))},
               {"w3", onnxb::FLOAT, {64, 16, 1, 1}, onnxb::Floats(weights(64 * 16, 3))},
               {"w4", onnxb::FLOAT, {32, 64, 1, 1}, onnxb::Floats(weights(32 * 64, 4))},
               {"w5", onnxb::FLOAT, {26, 104, 1, 1}, onnxb::Floats(weights(26 * 104, 5))},
               {"b5", onnxb::FLOAT, {26}, onnxb::Floats(weights(26, 6))},
               {"w6", onnxb::FLOAT, {104, 26, 1, 1}, onnxb::Floats(weights(26 * 104, 7))}};
    m.nodes = {{"Conv", {"x", "w1"}, {"c1"}, "grouped", {onnxb::Attr::Ints("pads", {1, 1, 1, 1}), onnxb::Attr::Int("group", 8)}},
               {"Relu", {"c1"}, {"r1"}, "r1"},
               {"GlobalAveragePool", {"r1"}, {"g"}, "squeeze"},
               {"Conv", {"g", "w2"}, {"c2"}, "reduce"},
               {"Relu", {"c2"}, {"r2"}, "r2"},
               {"Conv", {"r2", "w3"}, {"c3"}, "expand"},
               {"Sigmoid", {"c3"}, {"s"}, "gate"},
               {"Mul", {"r1", "s"}, {"e"}, "excite"},
               {"MaxPool", {"e"}, {"p"}, "pool", {onnxb::Attr::Ints("kernel_shape", {2, 2}), onnxb::Attr::Ints("strides", {2, 2})}},
               {"Conv", {"p", "w4"}, {"y"}, "project"},
               {"Conv", {"z", "w5", "b5"}, {"c5"}, "small"},
               {"Relu", {"c5"}, {"r5"}, "r5"},
               {"Conv", {"r5", "w6"}, {"c6"}, "small2"},
               {"Sigmoid", {"c6"}, {"y2"}, "gate2"}};
    return m;
}

static const size_t kExciteIn[2] = {64 * 56 * 56, 104}, kExciteOut[2] = {32 * 28 * 28, 104};

// Loads the model above under HOSTACL_ADAPTIVE_THREADS=mode with a team of
// two, runs it `runs` times on the inputs x and returns both outputs, one
// after the other; cpu_per_wall: the process's CPU time over the wall time
// of the runs after the first.
static std::vector<float> RunWithWidth(const char *mode, const std::vector<float> &x, int runs,
                                       double *cpu_per_wall)
{
    ScopedEnv team("HOSTACL_COMPUTE_THREADS", "2");
    ScopedEnv width("HOSTACL_ADAPTIVE_THREADS", mode);
    EXPECT_EQ(aclInit(nullptr), ACL_SUCCESS);
    EXPECT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    aclmdlDesc *d = nullptr;
    uint32_t id = LoadModel(ExcitationModel(), &d);
    void *dev[4] = {};
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    for (int i = 0; i < 4; i++) {
        size_t n = (i < 2 ? kExciteIn[i] : kExciteOut[i - 2]) * 4;
        EXPECT_EQ(aclrtMalloc(&dev[i], n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
        aclmdlAddDatasetBuffer(i < 2 ? in : out, aclCreateDataBuffer(dev[i], n));
    }
    Put(dev[0], std::vector<float>(x.begin(), x.begin() + kExciteIn[0]));
    Put(dev[1], std::vector<float>(x.begin() + kExciteIn[0], x.end()));
    EXPECT_EQ(aclmdlExecute(id, in, out), ACL_SUCCESS) << TakeErrMsg();
    usleep(300000); // OpenMP's idle threads stop spinning
    auto clock = [](clockid_t c) {
        timespec ts;
        clock_gettime(c, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
    };
    double cpu0 = clock(CLOCK_PROCESS_CPUTIME_ID), wall0 = clock(CLOCK_MONOTONIC);
    for (int i = 1; i < runs; i++)
        EXPECT_EQ(aclmdlExecute(id, in, out), ACL_SUCCESS) << TakeErrMsg();
    if (cpu_per_wall)
        *cpu_per_wall = (clock(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / (clock(CLOCK_MONOTONIC) - wall0);
    std::vector<float> y = Get(dev[2], kExciteOut[0]), y2 = Get(dev[3], kExciteOut[1]);
    y.insert(y.end(), y2.begin(), y2.end());
    for (int i = 0; i < 2; i++) {
        aclDestroyDataBuffer(aclmdlGetDatasetBuffer(in, i));
        aclDestroyDataBuffer(aclmdlGetDatasetBuffer(out, i));
    }
    aclmdlDestroyDataset(in);
    aclmdlDestroyDataset(out);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    for (void *p : dev)
        aclrtFree(p);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
    return y;
}

// A run on one thread (what a busy machine gets, docs/semantics.md) computes
// what the full team computes.
TEST(ComputeThreads, OneThreadRunsAgreeWithTheTeam)
{
    std::vector<float> x(kExciteIn[0] + kExciteIn[1]);
    for (size_t i = 0; i < x.size(); i++)
        x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    std::vector<float> team = RunWithWidth("0", x, 2, nullptr);
    std::vector<float> one = RunWithWidth("one", x, 2, nullptr);
    ASSERT_EQ(team.size(), one.size());
    double worst = 0;
    size_t nonzero = 0;
    for (size_t i = 0; i < team.size(); i++) {
        worst = std::max(worst, (double)std::fabs(team[i] - one[i]) / (1.0 + std::fabs(team[i])));
        nonzero += team[i] != 0;
    }
    EXPECT_LT(worst, 1e-5);
    EXPECT_GT(nonzero, team.size() / 2);
}

// ...and really uses one thread: every primitive that fixed its thread
// count at creation has a twin made for one (one such step left would wake
// the team's other thread, which then spins between regions).
TEST(ComputeThreads, OneThreadRunsKeepTheOtherThreadAsleep)
{
    std::vector<float> x(kExciteIn[0] + kExciteIn[1], 0.25f);
    double team = 0, one = 0;
    RunWithWidth("0", x, 40, &team);
    RunWithWidth("one", x, 40, &one);
    EXPECT_LT(one, 1.3) << "CPU per wall second, one thread";
    // the team, where two cores are free, uses both (not asserted: a busy
    // machine may not give them)
    RecordProperty("team_cpu_per_wall", std::to_string(team));
}

// In bfloat16, twins are made on a thread of their own while runs go on
// on the full team (they took 430 ms, which stalled a run): with a trial of
// one thread asked for at once (HOSTACL_ADAPTIVE_THREADS=trial), the trial
// runs once they are made, and every run computes what the team computes;
// a model unloaded while its twins are being made stops their thread.
TEST(ComputeThreads, TwinsAreMadeAsideWhileTheTeamRuns)
{
    std::ifstream cpu("/proc/cpuinfo");
    std::string text((std::istreambuf_iterator<char>(cpu)), std::istreambuf_iterator<char>());
    if (text.find("avx512_bf16") == std::string::npos)
        GTEST_SKIP() << "no bfloat16 on this CPU: float32 twins are made at once";
    ScopedEnv bf16("HOSTACL_PRECISION_MODE", "allow_bf16");
    std::vector<float> x(kExciteIn[0] + kExciteIn[1]);
    for (size_t i = 0; i < x.size(); i++)
        x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    std::vector<float> team = RunWithWidth("0", x, 2, nullptr);
    std::vector<float> tried;
    std::string profile;
    {
        ScopedEnv prof("HOSTACL_PROFILE", "1");
        testing::internal::CaptureStderr();
        tried = RunWithWidth("trial", x, 150, nullptr);
        profile = testing::internal::GetCapturedStderr();
        RunWithWidth("trial", x, 1, nullptr); /* unloaded at once */
    }
    ASSERT_EQ(team.size(), tried.size());
    for (size_t i = 0; i < team.size(); i++)
        ASSERT_NEAR(tried[i], team[i], 1e-5 * (1.0 + std::fabs(team[i]))) << i;
    unsigned long long one = 0, all = 0;
    size_t at = profile.find("runs on one thread");
    ASSERT_NE(at, std::string::npos) << profile;
    size_t line = profile.rfind("hostacl profile: ", at);
    ASSERT_EQ(sscanf(profile.c_str() + line, "hostacl profile: %llu of %llu", &one, &all), 2) << profile;
    EXPECT_GE(one, 2u); /* the trial */
    EXPECT_EQ(all, 150u);
}

// In float32, twins (10-20 ms for a zoo model) are made at once by the run
// whose trial asks for them: trials come when another process holds a
// core, and the team's runs meanwhile waited at their barriers for 100 ms
// and more each. With a trial asked for at the first run, the first two
// runs are that trial, on one thread.
TEST(ComputeThreads, FloatTwinsAreMadeAtOnce)
{
    std::vector<float> x(kExciteIn[0] + kExciteIn[1]);
    for (size_t i = 0; i < x.size(); i++)
        x[i] = (float)((i * 7919) % 1000) / 500.0f - 1.0f;
    std::string profile;
    {
        ScopedEnv prof("HOSTACL_PROFILE", "1");
        testing::internal::CaptureStderr();
        RunWithWidth("trial", x, 2, nullptr);
        profile = testing::internal::GetCapturedStderr();
    }
    unsigned long long one = 0, all = 0;
    size_t at = profile.find("runs on one thread");
    ASSERT_NE(at, std::string::npos) << profile;
    size_t line = profile.rfind("hostacl profile: ", at);
    ASSERT_EQ(sscanf(profile.c_str() + line, "hostacl profile: %llu of %llu", &one, &all), 2) << profile;
    EXPECT_EQ(all, 2u);
    EXPECT_EQ(one, 2u);
}

// HOSTACL_COMPUTE_THREADS=1 runs a model on one thread: oneDNN fixes some
// primitives' thread counts when they are made, and they are made on the
// loading thread, so that thread must use the compute team too (it used
// OpenMP's default, one thread per core, and the model ran on two).
TEST(ComputeThreads, OneMeansOneEvenForPrimitivesMadeAtLoad)
{
    ScopedEnv env("HOSTACL_COMPUTE_THREADS", "1");
    std::set<long> before = ComputeThreads();
    ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
    ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 64, 56, 56}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 64, 56, 56}}};
    std::vector<float> w(64 * 64 * 9, 0.01f);
    m.inits = {{"w", onnxb::FLOAT, {64, 64, 3, 3}, onnxb::Floats(w)}};
    m.nodes = {{"Conv", {"x", "w"}, {"c"}, "conv", {onnxb::Attr::Ints("pads", {1, 1, 1, 1})}},
               {"Relu", {"c"}, {"y"}, "relu"}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t id;
    ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
    void *x, *y;
    size_t n = 64 * 56 * 56 * 4;
    ASSERT_EQ(aclrtMalloc(&x, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMalloc(&y, n, ACL_MEM_MALLOC_HUGE_FIRST), ACL_SUCCESS);
    ASSERT_EQ(aclrtMemset(x, n, 0, n), ACL_SUCCESS);
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    aclmdlAddDatasetBuffer(in, aclCreateDataBuffer(x, n));
    aclmdlAddDatasetBuffer(out, aclCreateDataBuffer(y, n));
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(aclmdlExecute(id, in, out), ACL_SUCCESS) << TakeErrMsg();
    std::set<long> after = ComputeThreads();
    size_t fresh = 0;
    for (long t : after)
        fresh += before.count(t) == 0;
    EXPECT_EQ(fresh, 1u) << "threads computing the model";
    aclDestroyDataBuffer(aclmdlGetDatasetBuffer(in, 0));
    aclDestroyDataBuffer(aclmdlGetDatasetBuffer(out, 0));
    aclmdlDestroyDataset(in);
    aclmdlDestroyDataset(out);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    aclrtFree(x);
    aclrtFree(y);
    EXPECT_EQ(aclrtResetDevice(0), ACL_SUCCESS);
    EXPECT_EQ(aclFinalize(), ACL_SUCCESS);
}

namespace {

// A process's resident memory in KiB ("VmRSS" / "VmHWM" of /proc/self/status).
long StatusKb(const char *field)
{
    std::ifstream f("/proc/self/status");
    std::string line;
    size_t n = strlen(field);
    while (std::getline(f, line))
        if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
            return atol(line.c_str() + n + 1);
    return -1;
}

// Six 2048 x 2048 linear layers (96 MiB of weights) on one row, with the
// weights to check against.
Model LinearChain(std::vector<std::vector<float>> &ws)
{
    const int64_t K = 2048, L = 6;
    std::mt19937 g(7);
    std::uniform_real_distribution<float> d(-1.0f / 45, 1.0f / 45);
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, K}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, K}}};
    std::string prev = "x";
    for (int64_t l = 0; l < L; l++) {
        std::vector<float> w((size_t)(K * K));
        for (auto &v : w)
            v = d(g);
        ws.push_back(w);
        std::string wn = "w" + std::to_string(l), out = l + 1 == L ? "y" : "h" + std::to_string(l);
        m.inits.push_back({wn, onnxb::FLOAT, {K, K}, onnxb::Floats(w)});
        m.nodes.push_back({"MatMul", {prev, wn}, {out}, "mm" + std::to_string(l)});
        prev = out;
    }
    return m;
}

} // namespace

// A model file's weights are read in place (the decoder copies only the
// rest) and each one's pages go as soon as it is placed: loading holds
// about the file once, not the file and its decoded copy (twice it).
TEST_F(ModelTest, LoadingHoldsTheFileOnceNotTwice)
{
    std::vector<std::vector<float>> ws;
    std::string bytes = onnxb::Serialize(LinearChain(ws));
    TempFile file(bytes, ".onnx");
    double file_mb = (double)bytes.size() / 1048576;
    {
        std::ofstream reset("/proc/self/clear_refs");
        reset << "5"; // the high-water mark restarts from the current size
    }
    long base = StatusKb("VmRSS"), hwm0 = StatusKb("VmHWM");
    if (base < 0 || hwm0 < 0 || hwm0 > base + 1024)
        GTEST_SKIP() << "this kernel does not let a process reset its peak memory";
    uint32_t id = 0;
    ASSERT_EQ(aclmdlLoadFromFile(file.path(), &id), ACL_SUCCESS) << TakeErrMsg();
    double grew_mb = (double)(StatusKb("VmHWM") - base) / 1024;
#if defined(__SANITIZE_THREAD__)
    (void)grew_mb; // ThreadSanitizer's shadow memory grows with every byte touched
    (void)file_mb;
#else
    EXPECT_LT(grew_mb, 1.5 * file_mb) << "peak growth while loading a " << file_mb << " MiB file";
#endif

    // and the weights read in place are the right ones, from a file and from memory
    std::vector<double> ref(2048);
    std::vector<float> x(2048);
    for (size_t i = 0; i < x.size(); i++)
        x[i] = (float)((int)(i % 17) - 8) / 8.0f;
    std::vector<double> h(x.begin(), x.end());
    for (const auto &w : ws) {
        std::fill(ref.begin(), ref.end(), 0.0);
        for (size_t k = 0; k < 2048; k++)
            for (size_t n = 0; n < 2048; n++)
                ref[n] += h[k] * w[k * 2048 + n];
        h = ref;
    }
    uint32_t mem_id = 0;
    ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &mem_id), ACL_SUCCESS) << TakeErrMsg();
    for (uint32_t mid : {id, mem_id}) {
        aclmdlDesc *d = aclmdlCreateDesc();
        ASSERT_EQ(aclmdlGetDesc(d, mid), ACL_SUCCESS);
        {
            Io io(d);
            io.SetInput(0, x.data(), x.size() * 4);
            io.PoisonOutputs();
            ASSERT_EQ(aclmdlExecute(mid, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
            std::vector<float> y = io.Output(0);
            double worst = 0;
            for (size_t n = 0; n < y.size(); n++)
                worst = std::max(worst, std::fabs(y[n] - ref[n]) / std::max(1e-2, std::fabs(ref[n])));
            EXPECT_LT(worst, 1e-3) << "model " << mid;
        }
        aclmdlDestroyDesc(d);
        EXPECT_EQ(aclmdlUnload(mid), ACL_SUCCESS);
    }
}

// A convolution with no BatchNormalization to fold into its weights has
// them converted to its layout straight from the model's bytes: loading
// faults in about the file and the placed weights, not a third copy in
// between (s3d: 17 ms of its 124 ms load were that copy's fresh pages).
// Two 2048 -> 2048 1x1 convolutions (32 MiB of weights) on a 2x2 map; the
// outputs are checked against the weights.
TEST_F(ModelTest, ConvolutionWeightsArePlacedWithoutACopy)
{
    const int64_t C = 2048, L = 2, P = 4; /* channels, layers, pixels */
    std::mt19937 g(11);
    std::uniform_real_distribution<float> d(-1.0f / 45, 1.0f / 45);
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, 2, 2}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, C, 2, 2}}};
    std::vector<std::vector<float>> ws;
    std::string prev = "x";
    for (int64_t l = 0; l < L; l++) {
        std::vector<float> w((size_t)(C * C));
        for (auto &v : w)
            v = d(g);
        ws.push_back(w);
        std::string wn = "w" + std::to_string(l), out = l + 1 == L ? "y" : "h" + std::to_string(l);
        m.inits.push_back({wn, onnxb::FLOAT, {C, C, 1, 1}, onnxb::Floats(w)});
        m.nodes.push_back({"Conv", {prev, wn}, {out}, "conv" + std::to_string(l)});
        prev = out;
    }
    std::string bytes = onnxb::Serialize(m);
    TempFile file(bytes, ".onnx");
    double file_pages = (double)bytes.size() / 4096;
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    uint32_t id = 0;
    ASSERT_EQ(aclmdlLoadFromFile(file.path(), &id), ACL_SUCCESS) << TakeErrMsg();
    getrusage(RUSAGE_SELF, &r1);
    double faults = (double)(r1.ru_minflt - r0.ru_minflt);
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    (void)faults; // shadow memory faults in with every byte touched
    (void)file_pages;
#else
    EXPECT_LT(faults, 2.5 * file_pages) << "pages faulted in while loading a " << file_pages << "-page file";
#endif
    std::vector<float> x((size_t)(C * P));
    for (size_t i = 0; i < x.size(); i++)
        x[i] = (float)((int)(i % 17) - 8) / 8.0f;
    std::vector<double> h(x.begin(), x.end()), next(x.size());
    for (const auto &w : ws) {
        for (int64_t o = 0; o < C; o++)
            for (int64_t q = 0; q < P; q++) {
                double s = 0;
                for (int64_t i = 0; i < C; i++)
                    s += (double)w[(size_t)(o * C + i)] * h[(size_t)(i * P + q)];
                next[(size_t)(o * P + q)] = s;
            }
        h = next;
    }
    aclmdlDesc *desc = aclmdlCreateDesc();
    ASSERT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
    {
        Io io(desc);
        io.SetInput(0, x.data(), x.size() * 4);
        io.PoisonOutputs();
        ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
        std::vector<float> y = io.Output(0);
        ASSERT_EQ(y.size(), h.size());
        for (size_t i = 0; i < y.size(); i++)
            ASSERT_NEAR(y[i], h[i], 1e-3 * std::max(1e-2, std::fabs(h[i]))) << i;
    }
    aclmdlDestroyDesc(desc);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
}
