// Operators, one node at a time, against values worked out by hand.
#include <math.h>

#include "model_runner.h"

using onnxb::Model;

class Ops : public DeviceTest {
protected:
    // Runs a model on host inputs (in host memory); returns output `which`.
    std::vector<float> Run(const Model &m, const std::vector<std::string> &inputs, size_t which = 0)
    {
        RunOptions o;
        o.host_memory = true;
        std::vector<std::vector<float>> r = RunModel(m, inputs, o);
        return which < r.size() ? r[which] : std::vector<float>();
    }
};

static std::string F(const std::vector<float> &v) { return onnxb::Floats(v); }

static onnxb::Node N(const char *op, std::vector<std::string> in, std::vector<std::string> out)
{
    return {op, in, out, std::string(op) + "_node"};
}

using onnxb::Attr;

TEST_F(Ops, Conv3x3ValidPaddedStridedAndGrouped)
{
    std::vector<float> x(16);
    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 1, 4, 4}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 1, 2, 2}}};
    m.inits = {{"w", onnxb::FLOAT, {1, 1, 3, 3}, F(std::vector<float>(9, 1.0f))}};
    m.nodes = {N("Conv", {"x", "w"}, {"y"})};
    // Valid 3x3 windows at (0,0),(0,1),(1,0),(1,1).
    EXPECT_EQ(Run(m, {F(x)}), std::vector<float>({45, 54, 81, 90}));
    // pad 1, stride 2: windows centred at (0,0),(0,2),(2,0),(2,2).
    m.nodes[0].attrs = {Attr::Ints("pads", {1, 1, 1, 1}), Attr::Ints("strides", {2, 2})};
    EXPECT_EQ(Run(m, {F(x)}), std::vector<float>({10, 24, 51, 90}));
    // SAME_UPPER with stride 2 pads (0,0) at the top-left and 1 at the bottom-right.
    m.nodes[0].attrs = {Attr::Str("auto_pad", "SAME_UPPER"), Attr::Ints("strides", {2, 2})};
    EXPECT_EQ(Run(m, {F(x)}), std::vector<float>({45, 39, 66, 50}));
    // Dilation 2 on a 5x5 input of ones: one 5x5-reaching window of 9 taps.
    Model d = m;
    d.inputs = {{"x", onnxb::FLOAT, {1, 1, 5, 5}}};
    d.outputs = {{"y", onnxb::FLOAT, {1, 1, 1, 1}}};
    d.nodes[0].attrs = {Attr::Ints("dilations", {2, 2})};
    EXPECT_EQ(Run(d, {F(std::vector<float>(25, 1.0f))}), std::vector<float>({9}));
    // Depthwise: 2 channels, group 2, per-channel 1x1 weights 2 and 3, bias.
    Model g;
    g.inputs = {{"x", onnxb::FLOAT, {1, 2, 1, 2}}};
    g.outputs = {{"y", onnxb::FLOAT, {1, 2, 1, 2}}};
    g.inits = {{"w", onnxb::FLOAT, {2, 1, 1, 1}, F({2, 3})}, {"b", onnxb::FLOAT, {2}, F({1, -1})}};
    g.nodes = {N("Conv", {"x", "w", "b"}, {"y"})};
    g.nodes[0].attrs = {Attr::Int("group", 2)};
    EXPECT_EQ(Run(g, {F({1, 2, 3, 4})}), std::vector<float>({3, 5, 8, 11}));
}

TEST_F(Ops, MaxAndAveragePooling)
{
    std::vector<float> x(16);
    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 1, 4, 4}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 1, 2, 2}}};
    m.nodes = {N("MaxPool", {"x"}, {"y"})};
    m.nodes[0].attrs = {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})};
    EXPECT_EQ(Run(m, {F(x)}), std::vector<float>({5, 7, 13, 15}));
    m.nodes[0].op = "AveragePool";
    EXPECT_EQ(Run(m, {F(x)}), std::vector<float>({2.5f, 4.5f, 10.5f, 12.5f}));
    // 3x3 kernel, pad 1, stride 2: the corner window sees 4 real values.
    m.nodes[0].attrs = {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("strides", {2, 2}),
                        Attr::Ints("pads", {1, 1, 1, 1})};
    std::vector<float> y = Run(m, {F(x)});
    EXPECT_FLOAT_EQ(y[0], (0 + 1 + 4 + 5) / 4.0f);
    m.nodes[0].attrs.push_back(Attr::Int("count_include_pad", 1));
    y = Run(m, {F(x)});
    EXPECT_FLOAT_EQ(y[0], (0 + 1 + 4 + 5) / 9.0f);
    m.nodes[0].op = "MaxPool";
    m.nodes[0].attrs = {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("strides", {2, 2}),
                        Attr::Ints("pads", {1, 1, 1, 1})};
    EXPECT_EQ(Run(m, {F(x)}), std::vector<float>({5, 7, 13, 15}));
    // ceil_mode: a 3x3 input, kernel 2, stride 2 gives 2x2 instead of 1x1.
    Model c;
    c.inputs = {{"x", onnxb::FLOAT, {1, 1, 3, 3}}};
    c.outputs = {{"y", onnxb::FLOAT, {1, 1, 2, 2}}};
    c.nodes = {N("MaxPool", {"x"}, {"y"})};
    c.nodes[0].attrs = {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2}), Attr::Int("ceil_mode", 1)};
    EXPECT_EQ(Run(c, {F({1, 2, 3, 4, 5, 6, 7, 8, 9})}), std::vector<float>({5, 6, 8, 9}));
}

TEST_F(Ops, GemmTransposesAndScales)
{
    Model m;
    m.inputs = {{"a", onnxb::FLOAT, {2, 2}}};
    m.outputs = {{"y", onnxb::FLOAT, {2, 2}}};
    m.inits = {{"b", onnxb::FLOAT, {2, 2}, F({1, 2, 3, 4})}, {"c", onnxb::FLOAT, {1}, F({10})}};
    m.nodes = {N("Gemm", {"a", "b", "c"}, {"y"})};
    m.nodes[0].attrs = {Attr::Int("transB", 1), Attr::Float("alpha", 2.0f), Attr::Float("beta", 0.5f)};
    // a = [[1,0],[0,1]]: y = 2 * B^T + 5 = [[7, 11], [9, 13]]
    EXPECT_EQ(Run(m, {F({1, 0, 0, 1})}), std::vector<float>({7, 11, 9, 13}));
}

TEST_F(Ops, CastFloat16InputToFloat)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT16, {4}}};
    m.outputs = {{"y", onnxb::FLOAT, {4}}};
    m.nodes = {{"Cast", {"x"}, {"y"}, "cast", {Attr::Int("to", onnxb::FLOAT)}}};
    std::vector<aclFloat16> h = {aclFloatToFloat16(1.5f), aclFloatToFloat16(-2.0f), aclFloatToFloat16(0.25f),
                                 aclFloatToFloat16(1000.0f)};
    std::string in(reinterpret_cast<char *>(h.data()), 8);
    EXPECT_EQ(Run(m, {in}), std::vector<float>({1.5f, -2.0f, 0.25f, 1000.0f}));
    m.nodes[0].attrs = {Attr::Int("to", onnxb::STRING)};
    std::string bytes = onnxb::Serialize(m);
    uint32_t id;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_ERROR_UNSUPPORTED_DATA_TYPE);
    TakeErrMsg();
}

TEST_F(Ops, ClipWithAttributes)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {4}}};
    m.outputs = {{"y", onnxb::FLOAT, {4}}};
    m.nodes = {{"Clip", {"x"}, {"y"}, "clip", {Attr::Float("min", 0.0f), Attr::Float("max", 6.0f)}}};
    EXPECT_EQ(Run(m, {F({-1, 3, 7, 6})}), std::vector<float>({0, 3, 6, 6}));
}

TEST_F(Ops, AddBroadcastsLikeNumpy)
{
    Model m;
    m.inputs = {{"a", onnxb::FLOAT, {2, 3}}, {"b", onnxb::FLOAT, {3}}};
    m.outputs = {{"c", onnxb::FLOAT, {2, 3}}};
    m.nodes = {N("Add", {"a", "b"}, {"c"})};
    std::vector<float> c = Run(m, {F({1, 2, 3, 4, 5, 6}), F({10, 20, 30})});
    std::vector<float> want = {11, 22, 33, 14, 25, 36};
    EXPECT_EQ(c, want);
    m.nodes = {N("Mul", {"a", "b"}, {"c"})};
    c = Run(m, {F({1, 2, 3, 4, 5, 6}), F({10, 20, 30})});
    want = {10, 40, 90, 40, 100, 180};
    EXPECT_EQ(c, want);
    m.nodes = {N("Sub", {"a", "b"}, {"c"})};
    EXPECT_EQ(Run(m, {F({1, 2, 3, 4, 5, 6}), F({1, 1, 1})}), std::vector<float>({0, 1, 2, 3, 4, 5}));
    m.nodes = {N("Div", {"a", "b"}, {"c"})};
    EXPECT_EQ(Run(m, {F({2, 4, 6, 8, 10, 12}), F({2, 2, 2})}), std::vector<float>({1, 2, 3, 4, 5, 6}));
}

TEST_F(Ops, BroadcastBothWays)
{
    Model m;
    m.inputs = {{"a", onnxb::FLOAT, {2, 1}}, {"b", onnxb::FLOAT, {1, 3}}};
    m.outputs = {{"c", onnxb::FLOAT, {2, 3}}};
    m.nodes = {N("Add", {"a", "b"}, {"c"})};
    EXPECT_EQ(Run(m, {F({1, 2}), F({10, 20, 30})}), std::vector<float>({11, 21, 31, 12, 22, 32}));
}

TEST_F(Ops, ActivationsAndGlobalPooling)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 2, 2, 2}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 2, 1, 1}}};
    m.nodes = {N("GlobalAveragePool", {"x"}, {"y"})};
    EXPECT_EQ(Run(m, {F({1, 2, 3, 4, -1, -2, -3, -6})}), std::vector<float>({2.5f, -3.0f}));
    m.outputs = {{"y", onnxb::FLOAT, {1, 2, 2, 2}}};
    m.nodes = {N("Relu", {"x"}, {"y"})};
    EXPECT_EQ(Run(m, {F({1, -2, 3, -4, 0, 2, -3, 6})}), std::vector<float>({1, 0, 3, 0, 0, 2, 0, 6}));
    m.nodes = {N("Sigmoid", {"x"}, {"y"})};
    std::vector<float> s = Run(m, {F({0, 0, 0, 0, 0, 0, 0, 100})});
    EXPECT_FLOAT_EQ(s[0], 0.5f);
    EXPECT_FLOAT_EQ(s[7], 1.0f);
    m.nodes = {N("Tanh", {"x"}, {"y"})};
    EXPECT_FLOAT_EQ(Run(m, {F({0, 1, 0, 0, 0, 0, 0, 0})})[1], tanhf(1.0f));
}

TEST_F(Ops, FlattenGemmSoftmaxHead)
{
    // x[1,2,1,2] -> Flatten -> Gemm with w[4,3] and bias -> Softmax.
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 2, 1, 2}}};
    m.outputs = {{"p", onnxb::FLOAT, {1, 3}}, {"z", onnxb::FLOAT, {1, 3}}};
    m.inits = {{"w", onnxb::FLOAT, {4, 3}, F({1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1})},
               {"b", onnxb::FLOAT, {3}, F({0, 0, 1})}};
    m.nodes = {N("Flatten", {"x"}, {"f"}), N("Gemm", {"f", "w", "b"}, {"z"}), N("Softmax", {"z"}, {"p"})};
    std::vector<float> z = Run(m, {F({1, 2, 3, 4})}, 1);
    EXPECT_EQ(z, std::vector<float>({5, 6, 8}));
    std::vector<float> p = Run(m, {F({1, 2, 3, 4})}, 0);
    double e5 = exp(5.0), e6 = exp(6.0), e8 = exp(8.0), sum = e5 + e6 + e8;
    EXPECT_NEAR(p[0], e5 / sum, 1e-6);
    EXPECT_NEAR(p[2], e8 / sum, 1e-6);
}

TEST_F(Ops, ReshapeWithMinusOneAndZero)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {2, 3, 4}}};
    m.outputs = {{"y", onnxb::FLOAT, {2, 12}}};
    int64_t shape[2] = {0, -1};
    m.inits = {{"s", onnxb::INT64, {2}, std::string(reinterpret_cast<char *>(shape), 16)}};
    m.nodes = {N("Reshape", {"x", "s"}, {"y"})};
    std::vector<float> x(24);
    for (int i = 0; i < 24; i++)
        x[i] = (float)i;
    EXPECT_EQ(Run(m, {F(x)}), x);
    int64_t bad[2] = {5, -1};
    m.inits[0].raw = std::string(reinterpret_cast<char *>(bad), 16);
    std::string bytes = onnxb::Serialize(m);
    uint32_t id;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_ERROR_PARSE_MODEL);
    EXPECT_NE(TakeErrMsg().find("cannot infer"), std::string::npos);
}

TEST_F(Ops, BatchNormalizationInference)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 2, 1, 2}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 2, 1, 2}}};
    m.inits = {{"s", onnxb::FLOAT, {2}, F({2, 1})}, {"b", onnxb::FLOAT, {2}, F({1, 0})},
               {"mean", onnxb::FLOAT, {2}, F({1, 0})}, {"var", onnxb::FLOAT, {2}, F({4, 1})}};
    m.nodes = {N("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"})};
    std::vector<float> y = Run(m, {F({1, 3, 2, -2})});
    // channel 0: (x-1)/sqrt(4+eps)*2+1 ; channel 1: x/sqrt(1+eps)
    EXPECT_NEAR(y[0], 1.0f, 1e-4);
    EXPECT_NEAR(y[1], 3.0f, 1e-4);
    EXPECT_NEAR(y[2], 2.0f, 1e-4);
    EXPECT_NEAR(y[3], -2.0f, 1e-4);
}

TEST_F(Ops, PoolingWithoutKernelShapeIsRefused)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 1, 2, 2}}};
    m.outputs = {{"y", onnxb::FLOAT, {1, 1, 1, 1}}};
    m.nodes = {N("MaxPool", {"x"}, {"y"})};
    std::string bytes = onnxb::Serialize(m);
    uint32_t id;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_ERROR_PARSE_MODEL);
    EXPECT_NE(TakeErrMsg().find("kernel_shape"), std::string::npos);
}

// Executes m once on host inputs; returns aclmdlExecute's result and, in
// msg, the recent error message.
static aclError ExecuteRaw(const Model &m, const std::vector<std::string> &inputs, std::string *msg)
{
    std::string bytes = onnxb::Serialize(m);
    uint32_t id = 0;
    aclError rc = aclmdlLoadFromMem(bytes.data(), bytes.size(), &id);
    if (rc != ACL_SUCCESS) {
        *msg = TakeErrMsg();
        return rc;
    }
    aclmdlDesc *d = aclmdlCreateDesc();
    aclmdlGetDesc(d, id);
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    std::vector<std::string> keep = inputs;
    for (auto &s : keep)
        aclmdlAddDatasetBuffer(in, aclCreateDataBuffer(&s[0], s.size()));
    std::vector<std::vector<char>> outs;
    for (size_t i = 0; i < aclmdlGetNumOutputs(d); i++)
        outs.emplace_back(aclmdlGetOutputSizeByIndex(d, i) + 8);
    for (auto &o : outs)
        aclmdlAddDatasetBuffer(out, aclCreateDataBuffer(o.data(), o.size() - 8));
    rc = aclmdlExecute(id, in, out);
    *msg = rc == ACL_SUCCESS ? "" : TakeErrMsg();
    for (int side = 0; side < 2; side++) {
        aclmdlDataset *ds = side ? out : in;
        for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); i++)
            aclDestroyDataBuffer(aclmdlGetDatasetBuffer(ds, i));
        aclmdlDestroyDataset(ds);
    }
    aclmdlDestroyDesc(d);
    aclmdlUnload(id);
    return rc;
}

static std::string I64(const std::vector<int64_t> &v)
{
    return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8);
}

// Indices and divisors come from data: bad ones fail the execution with a
// message, never a crash (docs/semantics.md, Operators).
TEST_F(Ops, BadDataFailsTheExecutionWithAMessage)
{
    Model g;
    g.inputs = {{"i", onnxb::INT64, {2}}};
    g.outputs = {{"y", onnxb::FLOAT, {2}}};
    g.inits = {{"d", onnxb::FLOAT, {3}, F({1, 2, 3})}};
    g.nodes = {N("Gather", {"d", "i"}, {"y"})};
    std::string msg;
    EXPECT_EQ(ExecuteRaw(g, {I64({2, -1})}, &msg), ACL_SUCCESS) << msg;
    EXPECT_EQ(ExecuteRaw(g, {I64({0, 7})}, &msg), ACL_ERROR_FAILURE);
    EXPECT_NE(msg.find("an index is out of range"), std::string::npos) << msg;
    Model dv;
    dv.inputs = {{"a", onnxb::INT64, {2}}, {"b", onnxb::INT64, {2}}};
    dv.outputs = {{"y", onnxb::INT64, {2}}};
    dv.nodes = {N("Div", {"a", "b"}, {"y"})};
    EXPECT_EQ(ExecuteRaw(dv, {I64({7, -7}), I64({2, 2})}, &msg), ACL_SUCCESS) << msg;
    EXPECT_EQ(ExecuteRaw(dv, {I64({7, 1}), I64({2, 0})}, &msg), ACL_ERROR_FAILURE);
    EXPECT_NE(msg.find("division by zero"), std::string::npos) << msg;
    EXPECT_EQ(ExecuteRaw(dv, {I64({INT64_MIN, 1}), I64({-1, 1})}, &msg), ACL_ERROR_FAILURE);
}

// Integer division truncates; Mod takes the divisor's sign unless fmod = 1.
TEST_F(Ops, IntegerArithmeticFollowsOnnx)
{
    Model m;
    m.inputs = {{"a", onnxb::INT64, {4}}, {"b", onnxb::INT64, {4}}};
    m.outputs = {{"q", onnxb::INT64, {4}}, {"r", onnxb::INT64, {4}}};
    m.nodes = {N("Div", {"a", "b"}, {"q"}), N("Mod", {"a", "b"}, {"r"})};
    RunOptions o;
    o.host_memory = true;
    auto r = RunModel(m, {I64({7, -7, 7, -7}), I64({2, 2, -2, -2})}, o);
    ASSERT_EQ(r.size(), 2u);
    std::vector<int64_t> q(4), md(4);
    memcpy(q.data(), r[0].data(), 32);
    memcpy(md.data(), r[1].data(), 32);
    EXPECT_EQ(q, std::vector<int64_t>({3, -3, -3, 3}));
    EXPECT_EQ(md, std::vector<int64_t>({1, 1, -1, -1}));
}

// torchvision's swin_t exports its attention dropout in training mode with
// ratio 0: the identity, mask all true. A non-zero ratio is refused.
TEST_F(Ops, DropoutInTrainingModeRunsOnlyWithRatioZero)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {4}}};
    m.outputs = {{"y", onnxb::FLOAT, {4}}, {"mask", 9 /* bool */, {4}}};
    m.inits = {{"ratio", onnxb::FLOAT, {}, F({0.0f})}, {"train", 9, {}, std::string("\x01", 1)}};
    m.nodes = {N("Dropout", {"x", "ratio", "train"}, {"y", "mask"})};
    RunOptions o;
    o.host_memory = true;
    auto r = RunModel(m, {F({1, -2, 3, -4})}, o);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0], std::vector<float>({1, -2, 3, -4}));
    uint32_t mask;
    memcpy(&mask, r[1].data(), 4);
    EXPECT_EQ(mask, 0x01010101u);
    m.inits[0].raw = F({0.5f});
    std::string msg;
    EXPECT_EQ(ExecuteRaw(m, {F({1, 2, 3, 4})}, &msg), ACL_ERROR_OP_NOT_FOUND);
    EXPECT_NE(msg.find("training mode"), std::string::npos) << msg;
}

// Operators whose output shape depends on the data are refused with that
// reason (hostacl plans static shapes); with constant data they fold.
TEST_F(Ops, DataShapedOperatorsFollowTheirData)
{
    // NonZero of a (small) model input: compiled for the values each
    // execution brings, so its output size is known per execution; an
    // output buffer sized from the description (0) is too small
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {4}}};
    m.outputs = {{"y", onnxb::INT64, {}, true}};
    m.nodes = {N("NonZero", {"x"}, {"y"})};
    std::string msg;
    EXPECT_EQ(ExecuteRaw(m, {F({0, 1, 0, 2})}, &msg), ACL_ERROR_MODEL_OUTPUT_NOT_MATCH);
    EXPECT_NE(msg.find("needs at least 16 bytes"), std::string::npos) << msg;
    m.inits = {{"c", onnxb::FLOAT, {4}, F({0, 1, 0, 2})}};
    m.nodes = {N("NonZero", {"c"}, {"nz"}), N("Cast", {"nz"}, {"y"})};
    m.nodes[1].attrs = {Attr::Int("to", onnxb::FLOAT)};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    EXPECT_EQ(Run(m, {F({0, 0, 0, 0})}), std::vector<float>({1, 3}));
}

// Einsum of the attention forms (computed as a batched matrix product)
// agrees with MatMul and Transpose, also with a label in a different place
// in the output and a broadcast batch label.
TEST_F(Ops, EinsumAttentionFormsAgreeWithMatMul)
{
    Model m;
    m.inputs = {{"a", onnxb::FLOAT, {2, 3, 4}}, {"b", onnxb::FLOAT, {2, 5, 4}}, {"c", onnxb::FLOAT, {1, 5, 6}}};
    m.outputs = {{"e1", onnxb::FLOAT, {2, 3, 5}}, {"m1", onnxb::FLOAT, {2, 3, 5}},
                 {"e2", onnxb::FLOAT, {2, 3, 6}}, {"m2", onnxb::FLOAT, {2, 3, 6}},
                 {"e3", onnxb::FLOAT, {2, 5, 3}}};
    m.nodes = {{"Einsum", {"a", "b"}, {"e1"}, "scores", {Attr::Str("equation", "bid,bjd->bij")}},
               {"Transpose", {"b"}, {"bt"}, "tr", {Attr::Ints("perm", {0, 2, 1})}},
               {"MatMul", {"a", "bt"}, {"m1"}, "mm1"},
               {"Einsum", {"m1", "c"}, {"e2"}, "context", {Attr::Str("equation", "bij,bjd->bid")}},
               {"MatMul", {"m1", "c"}, {"m2"}, "mm2"},
               {"Einsum", {"a", "b"}, {"e3"}, "swapped", {Attr::Str("equation", "bid,bjd->bji")}}};
    std::vector<float> av(24), bv(40), cv(30);
    for (size_t i = 0; i < av.size(); i++)
        av[i] = (float)((i * 7) % 11) / 11 - 0.5f;
    for (size_t i = 0; i < bv.size(); i++)
        bv[i] = (float)((i * 5) % 13) / 13 - 0.4f;
    for (size_t i = 0; i < cv.size(); i++)
        cv[i] = (float)((i * 3) % 7) / 7 - 0.3f;
    RunOptions o;
    o.host_memory = true;
    auto r = RunModel(m, {F(av), F(bv), F(cv)}, o);
    ASSERT_EQ(r.size(), 5u);
    for (size_t i = 0; i < r[0].size(); i++)
        EXPECT_NEAR(r[0][i], r[1][i], 1e-5) << i;
    for (size_t i = 0; i < r[2].size(); i++)
        EXPECT_NEAR(r[2][i], r[3][i], 1e-5) << i;
    for (int b = 0; b < 2; b++) /* e3[b][j][i] = e1[b][i][j] */
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 5; j++)
                EXPECT_NEAR(r[4][(b * 5 + j) * 3 + i], r[0][(b * 3 + i) * 5 + j], 1e-6);
}

// A Resize to 134 million columns (found by the fuzzer) crashed inside
// oneDNN while the model was only being sized: tensors that large stay on
// the C kernels, and sizing reports what they need.
TEST_F(Ops, HugeResizeIsSizedWithoutCrashing)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 2, 4, 4}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    m.inits = {{"sizes", onnxb::INT64, {4}, I64({1, 2, 8, (int64_t)1 << 27})}};
    m.nodes = {{"Resize", {"x", "", "", "sizes"}, {"r"}, "resize", {Attr::Str("mode", "linear")}},
               {"Relu", {"r"}, {"y"}, "relu"}}; /* the resized map is an intermediate */
    std::string bytes = onnxb::Serialize(m);
    size_t work = 0, weight = 0;
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS) << TakeErrMsg();
    EXPECT_GE(work, ((size_t)1 << 27) * 2 * 8 * 4);
}

// Constant folding is for small results: a convolution over a large
// constant (the fuzzer padded one to millions of elements) is computed at
// run time, not for seconds at load, so its output is work memory.
TEST_F(Ops, LargeConstantConvolutionsAreNotFoldedAtLoad)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"x2", onnxb::FLOAT, {}, true}};
    m.inits = {{"w", onnxb::FLOAT, {3, 2, 3, 3, 3}, F(std::vector<float>(162, 0.1f))},
               {"pads", onnxb::INT64, {10}, I64({0, 0, 200000, 0, 0, 0, 0, 0, 0, 0})}};
    m.nodes = {{"Pad", {"w", "pads"}, {"p"}, "pad"},
               {"Conv", {"p", "w"}, {"c"}, "conv"},
               {"Relu", {"c"}, {"y"}, "relu"},
               {"Identity", {"x"}, {"x2"}, "id"}};
    std::string bytes = onnxb::Serialize(m);
    size_t work = 0, weight = 0;
    ASSERT_EQ(aclmdlQuerySizeFromMem(bytes.data(), bytes.size(), &work, &weight), ACL_SUCCESS) << TakeErrMsg();
    /* c: 3 x 3 x 200001 x 1 x 1 floats, computed at run time */
    EXPECT_GE(work, (size_t)3 * 3 * 200001 * 4);
}

// The final upsampling of a segmentation network (21 x 14 x 14 to
// 224 x 224, linear, half-pixel) into the model's output: the planes are
// shared out over the compute team in runs (21 planes: uneven), each
// interpolated in two passes. Every value within 1e-5 of the same
// interpolation in double precision.
TEST_F(Ops, SegmentationUpsamplingAgreesWithDoublePrecision)
{
    const int64_t C = 21, H = 14, OH = 224;
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    m.inits = {{"sizes", onnxb::INT64, {4}, I64({1, C, OH, OH})}};
    m.nodes = {{"Resize", {"x", "", "", "sizes"}, {"y"}, "up", {Attr::Str("mode", "linear")}}};
    std::vector<float> x((size_t)(C * H * H));
    for (size_t i = 0; i < x.size(); i++)
        x[i] = (float)((i * 37) % 101) / 10.0f - 5.0f;
    std::vector<float> y = Run(m, {F(x)});
    ASSERT_EQ(y.size(), (size_t)(C * OH * OH));
    auto tap = [&](int64_t o, int64_t *i0, int64_t *i1, double *w) {
        double s = ((double)o + 0.5) * (double)H / (double)OH - 0.5;
        if (s < 0)
            s = 0;
        *i0 = (int64_t)std::floor(s);
        *i1 = std::min(*i0 + 1, H - 1);
        *w = s - (double)*i0;
    };
    for (int64_t c = 0; c < C; c++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OH; ox++) {
                int64_t y0, y1, x0, x1;
                double wy, wx;
                tap(oy, &y0, &y1, &wy);
                tap(ox, &x0, &x1, &wx);
                const float *p = &x[(size_t)(c * H * H)];
                double top = p[y0 * H + x0] * (1 - wx) + p[y0 * H + x1] * wx;
                double bottom = p[y1 * H + x0] * (1 - wx) + p[y1 * H + x1] * wx;
                double want = top * (1 - wy) + bottom * wy;
                ASSERT_NEAR(y[(size_t)((c * OH + oy) * OH + ox)], want, 1e-5) << c << " " << oy << " " << ox;
            }
}
