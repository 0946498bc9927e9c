// The compiled (oneDNN) executor against the reference C kernels
// (HOSTACL_KERNELS=reference), on graphs built to exercise every fusion and
// layout path: BatchNormalization folded into Conv, residual Adds (in place
// and copied), activations as post-ops, blocked layouts meeting C kernels,
// model outputs produced by fused nodes, pooling and Gemm variants.
#include <math.h>

#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "acl/hacl_model.h"
#include "model_runner.h"

extern "C" {
#include "model/model.h"
#include "model/prog.h"
#include "model/prog_wino.h"
}

using onnxb::Attr;
using onnxb::Model;
using onnxb::Node;

namespace {

std::string Rand(size_t n, std::mt19937 &rng, float lo = -1, float hi = 1)
{
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(n);
    for (auto &x : v)
        x = u(rng);
    return onnxb::Floats(v);
}

// Whether this CPU has AMX's bfloat16 tiles.
bool CpuHasAmx()
{
    std::ifstream cpu("/proc/cpuinfo");
    std::string text((std::istreambuf_iterator<char>(cpu)), std::istreambuf_iterator<char>());
    return text.find("amx_bf16") != std::string::npos;
}

// f rounded to bfloat16 (to nearest even), as a float.
float Bf16(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    b = (b + 0x7fff + ((b >> 16) & 1)) & 0xffff0000u;
    memcpy(&f, &b, 4);
    return f;
}

size_t Count(const std::vector<int64_t> &d)
{
    size_t n = 1;
    for (auto v : d)
        n *= (size_t)v;
    return n;
}

class Fusion : public DeviceTest {
protected:
    std::mt19937 rng{42};

    // Adds Conv weights (and bias) named after `name`.
    void ConvWeights(Model &m, const std::string &name, int64_t M, int64_t Cg, int64_t k, bool bias)
    {
        m.inits.push_back({name + "_w", onnxb::FLOAT, {M, Cg, k, k}, Rand((size_t)(M * Cg * k * k), rng)});
        if (bias)
            m.inits.push_back({name + "_b", onnxb::FLOAT, {M}, Rand((size_t)M, rng)});
    }
    // A padded 3x3 convolution (Winograd's kind) of C -> M channels on an
    // h x h map, ReLU, and a 2x2 max pool reading it inside the network.
    Model Conv3x3ReluPool(int64_t n, int64_t C, int64_t M, int64_t h)
    {
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {n, C, h, h}}};
        ConvWeights(m, "c", M, C, 3, true);
        m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Relu", {"a"}, {"y"}, "act"},
                   {"MaxPool", {"y"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})}}};
        m.outputs = {{"z", onnxb::FLOAT, {}, true}};
        return m;
    }
    void BnParams(Model &m, const std::string &name, int64_t C)
    {
        m.inits.push_back({name + "_s", onnxb::FLOAT, {C}, Rand((size_t)C, rng, 0.5f, 1.5f)});
        m.inits.push_back({name + "_o", onnxb::FLOAT, {C}, Rand((size_t)C, rng)});
        m.inits.push_back({name + "_m", onnxb::FLOAT, {C}, Rand((size_t)C, rng)});
        m.inits.push_back({name + "_v", onnxb::FLOAT, {C}, Rand((size_t)C, rng, 0.2f, 2.0f)});
    }
    Node Bn(const std::string &name, const std::string &in, const std::string &out)
    {
        return {"BatchNormalization", {in, name + "_s", name + "_o", name + "_m", name + "_v"}, {out}, name};
    }

    // Squeeze-and-excitation of map "ar" (C channels, through R): "scaled"
    // = ar * sigmoid(se2(relu(se1(mean(ar))))), node names "squeeze", "se1",
    // "se1_relu", "se2", "gate", "excite".
    void Excitation(Model &m, int64_t C, int64_t R)
    {
        ConvWeights(m, "se1", R, C, 1, true);
        ConvWeights(m, "se2", C, R, 1, true);
        std::vector<Node> se = {{"GlobalAveragePool", {"ar"}, {"sq"}, "squeeze"},
                                {"Conv", {"sq", "se1_w", "se1_b"}, {"e1"}, "se1"},
                                {"Relu", {"e1"}, {"e1r"}, "se1_relu"},
                                {"Conv", {"e1r", "se2_w", "se2_b"}, {"e2"}, "se2"},
                                {"Sigmoid", {"e2"}, {"s"}, "gate"},
                                {"Mul", {"ar", "s"}, {"scaled"}, "excite"}};
        m.nodes.insert(m.nodes.end(), se.begin(), se.end());
    }

    // Every output, after two executions (the second must not depend on
    // what the first left in the work memory), outputs poisoned with NaN
    // first so every element must be written.
    std::vector<std::vector<float>> Run(const Model &m, const std::vector<std::string> &inputs)
    {
        RunOptions o;
        o.executions = 2;
        o.poison_outputs = true;
        return RunModel(m, inputs, o);
    }

    // Loads bytes with a precision mode ("allow_bf16", "force_fp32").
    uint32_t LoadWithPrecision(const std::string &bytes, const char *mode)
    {
        aclmdlConfigHandle *cfg = aclmdlCreateConfigHandle();
        size_t type = ACL_MDL_LOAD_FROM_MEM, size = bytes.size();
        const void *addr = bytes.data();
        EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_LOAD_TYPE_SIZET, &type, sizeof type), ACL_SUCCESS);
        EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_MEM_ADDR_PTR, &addr, sizeof addr), ACL_SUCCESS);
        EXPECT_EQ(aclmdlSetConfigOpt(cfg, ACL_MDL_MEM_SIZET, &size, sizeof size), ACL_SUCCESS);
        EXPECT_EQ(aclmdlSetConfigOpt(cfg, HACL_MDL_PRECISION_MODE_PTR, &mode, sizeof mode), ACL_SUCCESS);
        uint32_t id = 0;
        EXPECT_EQ(aclmdlLoadWithConfig(cfg, &id), ACL_SUCCESS) << TakeErrMsg();
        aclmdlDestroyConfigHandle(cfg);
        return id;
    }

    // Runs a one-input model once on x (float32 bytes), unloads it and
    // returns its first output.
    std::vector<float> ExecuteAndUnload(uint32_t id, const std::string &x)
    {
        std::vector<float> y;
        aclmdlDesc *d = aclmdlCreateDesc();
        EXPECT_EQ(aclmdlGetDesc(d, id), ACL_SUCCESS);
        {
            Io io(d);
            io.SetInput(0, x.data(), x.size());
            EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
            y = io.Output(0);
        }
        aclmdlDestroyDesc(d);
        EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
        return y;
    }

    // A loaded model's compiled steps.
    std::vector<hacl_prog_step> ProgSteps(uint32_t id)
    {
        std::vector<hacl_prog_step> st(4096);
        long n = hacl_model_steps(id, st.data(), st.size());
        st.resize(n > 0 ? (size_t)n : 0);
        return st;
    }

    // Relative L2 distance of a from b (b's norm).
    static double RelL2(const std::vector<float> &a, const std::vector<float> &b)
    {
        double d = 0, r = 0;
        for (size_t i = 0; i < a.size() && i < b.size(); i++)
            d += (a[i] - b[i]) * (a[i] - b[i]), r += (double)b[i] * b[i];
        return sqrt(d / (r > 0 ? r : 1));
    }

    // The compiled program's steps: "node:kind" per step, in order.
    std::vector<std::string> Steps(const Model &m)
    {
        std::string bytes = onnxb::Serialize(m);
        uint32_t id = 0;
        EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
        std::vector<hacl_prog_step> st(4096);
        long n = hacl_model_steps(id, st.data(), st.size());
        std::vector<std::string> out;
        for (long i = 0; i < n && i < (long)st.size(); i++)
            out.push_back(std::string(st[i].node) + ":" + st[i].kind + ":" + st[i].impl);
        EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
        if (getenv("HACL_TEST_PRINT_STEPS"))
            for (const auto &x : out)
                printf("  step %s\n", x.c_str());
        return out;
    }

    // The nodes in `fused` must have no step of their own (they run inside
    // another node's step), and the nodes in `present` must have one.
    void ExpectFused(const Model &m, const std::vector<std::string> &fused, const std::vector<std::string> &present)
    {
        std::vector<std::string> steps = Steps(m);
        auto has = [&](const std::string &node) {
            for (const auto &s : steps)
                if (s.compare(0, node.size() + 1, node + ":") == 0)
                    return true;
            return false;
        };
        for (const auto &f : fused)
            EXPECT_FALSE(has(f)) << "node '" << f << "' has a step of its own: it was not fused";
        for (const auto &p : present)
            EXPECT_TRUE(has(p)) << "node '" << p << "' has no step";
    }

    // Each node's computing step (not its reorders) runs on oneDNN (or, with
    // on_dnnl false, on a C kernel).
    void ExpectOnDnnl(const Model &m, const std::vector<std::string> &nodes, bool on_dnnl = true)
    {
        std::vector<std::string> steps = Steps(m);
        for (const auto &node : nodes) {
            int found = 0;
            for (const auto &s : steps) {
                if (s.compare(0, node.size() + 1, node + ":") != 0 || s.find(":reorder:") != std::string::npos ||
                    s.find(":copy:") != std::string::npos)
                    continue;
                found++;
                EXPECT_EQ(s.find(":C kernel") == std::string::npos, on_dnnl) << s;
            }
            EXPECT_EQ(found, 1) << "node '" << node << "' should have exactly one computing step";
        }
    }

    // Runs m both ways on the same random inputs; outputs must agree.
    void Compare(const Model &m, const char *what)
    {
        SCOPED_TRACE(what);
        if (getenv("HACL_TEST_PRINT_STEPS")) {
            printf("== %s\n", what);
            Steps(m);
        }
        std::vector<std::string> inputs;
        for (const auto &v : m.inputs)
            inputs.push_back(Rand(Count(v.dims), rng));
        std::vector<std::vector<float>> fast = Run(m, inputs), ref;
        {
            ScopedEnv env("HOSTACL_KERNELS", "reference");
            ref = Run(m, inputs);
        }
        ASSERT_EQ(fast.size(), ref.size());
        ASSERT_EQ(fast.size(), m.outputs.size());
        for (size_t o = 0; o < fast.size(); o++) {
            ASSERT_EQ(fast[o].size(), ref[o].size());
            for (size_t i = 0; i < fast[o].size(); i++)
                ASSERT_NEAR(fast[o][i], ref[o][i], 1e-4 + 1e-4 * fabs(ref[o][i]))
                    << "output " << m.outputs[o].name << " element " << i;
        }
    }
};

// x -> Conv -> BN -> (+ residual) -> act -> y, in many geometries.
TEST_F(Fusion, ConvVariantsWithFoldedBatchNormAndActivations)
{
    struct Case {
        const char *what;
        int64_t C, M, H, k, group;
        std::vector<Attr> attrs;
        const char *act;
        bool bias;
    };
    const Case cases[] = {
        {"1x1", 16, 32, 8, 1, 1, {}, "Relu", false},
        {"3x3 pad 1", 16, 16, 9, 3, 1, {Attr::Ints("pads", {1, 1, 1, 1})}, "Relu", true},
        {"3x3 stride 2", 8, 16, 10, 3, 1, {Attr::Ints("strides", {2, 2}), Attr::Ints("pads", {1, 1, 1, 1})}, "Relu", false},
        {"7x7 stride 2 from 3 channels", 3, 16, 20, 7, 1,
         {Attr::Ints("strides", {2, 2}), Attr::Ints("pads", {3, 3, 3, 3})}, "Relu", false},
        {"dilated", 8, 8, 12, 3, 1, {Attr::Ints("dilations", {2, 2}), Attr::Ints("pads", {2, 2, 2, 2})}, "LeakyRelu", true},
        {"grouped", 16, 32, 8, 3, 4, {Attr::Ints("pads", {1, 1, 1, 1})}, "Sigmoid", true},
        {"depthwise", 32, 32, 8, 3, 32, {Attr::Ints("pads", {1, 1, 1, 1})}, "Tanh", false},
        {"asymmetric pads", 8, 16, 7, 3, 1, {Attr::Ints("pads", {0, 1, 2, 1})}, "Elu", true},
        {"SAME_UPPER stride 2", 8, 8, 7, 3, 1, {Attr::Str("auto_pad", "SAME_UPPER"), Attr::Ints("strides", {2, 2})},
         "Relu", false},
        {"SAME_LOWER", 8, 8, 6, 2, 1, {Attr::Str("auto_pad", "SAME_LOWER")}, "Relu", false},
        {"odd channels", 5, 7, 6, 3, 1, {}, "Relu", true},
        {"no activation", 16, 16, 5, 3, 1, {Attr::Ints("pads", {1, 1, 1, 1})}, nullptr, true},
        /* dilations past the map: taps reading only padding are dropped */
        {"dilation wider than the map", 16, 16, 6, 3, 1, {Attr::Ints("dilations", {8, 8}), Attr::Ints("pads", {8, 8, 8, 8})},
         "Relu", true},
        {"dilation reaching both edges", 8, 8, 6, 3, 1, {Attr::Ints("dilations", {4, 4}), Attr::Ints("pads", {4, 4, 4, 4})},
         "Relu", true},
        {"dead taps at one end", 8, 16, 6, 3, 1, {Attr::Ints("dilations", {4, 4}), Attr::Ints("pads", {0, 0, 8, 8})},
         nullptr, true},
        {"dead taps, stride 2", 8, 16, 7, 3, 1,
         {Attr::Ints("dilations", {8, 8}), Attr::Ints("pads", {8, 8, 8, 8}), Attr::Ints("strides", {2, 2})}, "Relu", false},
        {"dead taps in one dim", 8, 8, 6, 3, 1, {Attr::Ints("dilations", {8, 1}), Attr::Ints("pads", {8, 1, 8, 1})},
         nullptr, true},
    };
    for (const Case &c : cases) {
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {2, c.C, c.H, c.H}}};
        ConvWeights(m, "c", c.M, c.C / c.group, c.k, c.bias);
        BnParams(m, "bn", c.M);
        Node conv{"Conv", {"x", "c_w"}, {"a"}, "conv", c.attrs};
        if (c.bias)
            conv.inputs.push_back("c_b");
        if (c.group > 1)
            conv.attrs.push_back(Attr::Int("group", c.group));
        m.nodes = {conv, Bn("bn", "a", c.act ? "b" : "y")};
        if (c.act)
            m.nodes.push_back({c.act, {"b"}, {"y"}, "act"});
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, c.what);
        ExpectFused(m, c.act ? std::vector<std::string>{"bn", "act"} : std::vector<std::string>{"bn"}, {"conv"});
        ExpectOnDnnl(m, {"conv"});
    }
}

// A bottleneck block as in ResNet: three convs, residual from the input
// (whose buffer is reused in place) and a projection variant.
TEST_F(Fusion, ResidualBlocksInPlaceAndProjected)
{
    for (int projected = 0; projected < 2; projected++) {
        Model m;
        int64_t C = 32, H = 8;
        m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
        ConvWeights(m, "c1", 16, C, 1, false);
        ConvWeights(m, "c2", 16, 16, 3, false);
        ConvWeights(m, "c3", C, 16, 1, false);
        BnParams(m, "b1", 16);
        BnParams(m, "b2", 16);
        BnParams(m, "b3", C);
        m.nodes = {{"Relu", {"x"}, {"x0"}, "pre"},
                   {"Conv", {"x0", "c1_w"}, {"a1"}, "conv1"},
                   Bn("b1", "a1", "n1"),
                   {"Relu", {"n1"}, {"r1"}, "relu1"},
                   {"Conv", {"r1", "c2_w"}, {"a2"}, "conv2", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   Bn("b2", "a2", "n2"),
                   {"Relu", {"n2"}, {"r2"}, "relu2"},
                   {"Conv", {"r2", "c3_w"}, {"a3"}, "conv3"},
                   Bn("b3", "a3", "n3")};
        std::string shortcut = "x0";
        if (projected) {
            ConvWeights(m, "cp", C, C, 1, true);
            m.nodes.push_back({"Conv", {"x0", "cp_w", "cp_b"}, {"p"}, "proj"});
            shortcut = "p";
        }
        m.nodes.push_back({"Add", {"n3", shortcut}, {"s"}, "add"});
        m.nodes.push_back({"Relu", {"s"}, {"y"}, "relu3"});
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, projected ? "projected" : "identity");
        ExpectFused(m, {"b1", "relu1", "b2", "relu2", "b3", "add", "relu3"}, {"conv1", "conv2", "conv3"});
    }
}

// The residual is read again after the Add: it must be copied, not
// overwritten. The Add's output is also a model output, and so is an
// intermediate that a later conv reads (row-major for the caller).
TEST_F(Fusion, ResidualStillNeededAndIntermediateOutputs)
{
    Model m;
    int64_t C = 16, H = 6;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
    ConvWeights(m, "c0", C, C, 3, true);
    ConvWeights(m, "c1", C, C, 3, true);
    ConvWeights(m, "c2", C, C, 1, true);
    m.nodes = {{"Conv", {"x", "c0_w", "c0_b"}, {"h"}, "conv0", {Attr::Ints("pads", {1, 1, 1, 1})}},
               {"Conv", {"h", "c1_w", "c1_b"}, {"a"}, "conv1", {Attr::Ints("pads", {1, 1, 1, 1})}},
               {"Add", {"a", "h"}, {"s"}, "add"},
               {"Clip", {"s", "lo", "hi"}, {"c"}, "clip"},
               {"Conv", {"c", "c2_w", "c2_b"}, {"d"}, "conv2"},
               {"Add", {"d", "h"}, {"y"}, "add2"},
               {"Mul", {"h", "h"}, {"sq"}, "square"}};
    m.inits.push_back({"lo", onnxb::FLOAT, {}, onnxb::Floats({-0.5f})});
    m.inits.push_back({"hi", onnxb::FLOAT, {}, onnxb::Floats({0.75f})});
    m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"h", onnxb::FLOAT, {}, true}, {"c", onnxb::FLOAT, {}, true},
                 {"sq", onnxb::FLOAT, {}, true}};
    Compare(m, "residual reused");
    ExpectFused(m, {"add", "clip", "add2"}, {"conv0", "conv1", "conv2", "square"});
}

// LRASPP's head (lraspp_mobilenet_v3_large crashed here): two convolution
// branches summed, the Add fused into the second convolution so the sum
// lands in the first branch's buffer, and a C kernel (Resize, sizes from
// Shape -> Slice -> Concat) reading that sum. The buffer is shared by two
// tensors; the kernel must find the sum through its own tensor.
TEST_F(Fusion, KernelReadsAFusedSumInTheResidualsBuffer)
{
    for (int64_t M : {21, 16}) {
        Model m;
        m.inputs = {{"low", onnxb::FLOAT, {1, 8, 8, 8}}, {"high", onnxb::FLOAT, {1, 16, 4, 4}}};
        ConvWeights(m, "lo", M, 8, 1, true);
        ConvWeights(m, "hi", M, 16, 1, true);
        m.inits.push_back({"hw", onnxb::INT64, {2}, std::string("\x10\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0", 16)});
        m.inits.push_back({"s0", onnxb::INT64, {1}, std::string(8, '\0')});
        m.inits.push_back({"s2", onnxb::INT64, {1}, std::string("\x02\0\0\0\0\0\0\0", 8)});
        m.nodes = {{"Resize", {"high", "", "", "sz0"}, {"h8"}, "up0", {Attr::Str("mode", "linear")}},
                   {"Conv", {"h8", "hi_w", "hi_b"}, {"b"}, "high_cls"},
                   {"Conv", {"low", "lo_w", "lo_b"}, {"a"}, "low_cls"},
                   {"Add", {"a", "b"}, {"s"}, "sum"},
                   {"Shape", {"low"}, {"shp"}, "shape"},
                   {"Slice", {"shp", "s0", "s2"}, {"nc"}, "slice"},
                   {"Concat", {"nc", "hw"}, {"sizes"}, "concat", {Attr::Int("axis", 0)}},
                   {"Resize", {"s", "", "", "sizes"}, {"y"}, "resize",
                    {Attr::Str("mode", "linear"), Attr::Str("coordinate_transformation_mode", "half_pixel")}}};
        // the high branch is brought to 8x8 first, sizes from the low input
        m.inits.push_back({"sz0", onnxb::INT64, {4}, std::string("\x01\0\0\0\0\0\0\0\x10\0\0\0\0\0\0\0"
                                                               "\x08\0\0\0\0\0\0\0\x08\0\0\0\0\0\0\0", 32)});
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, M == 21 ? "21 classes" : "16 classes");
        ExpectFused(m, {"sum"}, {"high_cls", "low_cls", "resize"});
    }
}

// MatMul on oneDNN: linear layers on sequences (constant weights of lower
// rank, a bias Add fused), attention products of two computed operands,
// broadcast batch dims, and a bias Add that must not fuse (not a vector).
TEST_F(Fusion, MatMulVariants)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {2, 5, 8}}, {"k", onnxb::FLOAT, {1, 8, 5}}};
    m.inits.push_back({"w", onnxb::FLOAT, {8, 6}, Rand(48, rng)});
    m.inits.push_back({"b", onnxb::FLOAT, {6}, Rand(6, rng)});
    m.inits.push_back({"w4", onnxb::FLOAT, {3, 1, 6, 4}, Rand(72, rng)});
    m.inits.push_back({"full", onnxb::FLOAT, {2, 5, 6}, Rand(60, rng)});
    m.nodes = {{"MatMul", {"x", "w"}, {"h"}, "linear"},
               {"Add", {"h", "b"}, {"hb"}, "bias"},
               {"MatMul", {"x", "k"}, {"att"}, "scores"},
               {"Softmax", {"att"}, {"p"}, "softmax", {Attr::Int("axis", -1)}},
               {"MatMul", {"p", "hb"}, {"ctx"}, "context"},
               {"MatMul", {"ctx", "w4"}, {"y4"}, "batched"},
               {"MatMul", {"x", "w"}, {"h2"}, "linear2"},
               {"Add", {"h2", "full"}, {"y2"}, "not_a_bias"}};
    m.outputs = {{"y4", onnxb::FLOAT, {}, true}, {"y2", onnxb::FLOAT, {}, true}, {"hb", onnxb::FLOAT, {}, true}};
    Compare(m, "matmul");
    ExpectFused(m, {"bias"}, {"linear", "scores", "softmax", "context", "batched", "linear2", "not_a_bias"});
}

// The activation patterns of EfficientNet and MobileNetV3 fused into their
// convolutions (SiLU as x * Sigmoid(x), HardSwish as x * HardSigmoid(x) and
// as the operator, HardSigmoid alone), a squeeze-and-excitation block whose
// broadcast Mul runs in the blocked layout, and element-wise steps that are
// not fused (an activation whose input has other readers, an Add of two
// computed maps, a Sub that must keep its operand order).
TEST_F(Fusion, ActivationPatternsAndSqueezeExcitation)
{
    for (int64_t C : {32, 24}) {
        Model m;
        int64_t H = 6;
        m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
        ConvWeights(m, "c1", C, C, 3, true);
        ConvWeights(m, "dw", C, 1, 3, true);
        ConvWeights(m, "f1", 8, C, 1, true);
        ConvWeights(m, "f2", C, 8, 1, true);
        ConvWeights(m, "c3", C, C, 1, true);
        Node dw = {"Conv", {"s1", "dw_w", "dw_b"}, {"d"}, "dw", {Attr::Int("group", C), Attr::Ints("pads", {1, 1, 1, 1})}};
        m.nodes = {{"Conv", {"x", "c1_w", "c1_b"}, {"a"}, "conv1", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Sigmoid", {"a"}, {"sa"}, "sig"},
                   {"Mul", {"a", "sa"}, {"s1"}, "silu"},
                   dw,
                   {"HardSigmoid", {"d"}, {"hd"}, "hsig", {Attr::Float("alpha", 1.0f / 6), Attr::Float("beta", 0.5f)}},
                   {"Mul", {"hd", "d"}, {"h1"}, "hswish"},
                   {"GlobalAveragePool", {"h1"}, {"g"}, "gap"},
                   {"Conv", {"g", "f1_w", "f1_b"}, {"f"}, "fc1"},
                   {"Relu", {"f"}, {"fr"}, "relu"},
                   {"Conv", {"fr", "f2_w", "f2_b"}, {"e"}, "fc2"},
                   {"HardSigmoid", {"e"}, {"es"}, "gate"},
                   {"Mul", {"es", "h1"}, {"se"}, "scale"},
                   {"Conv", {"se", "c3_w", "c3_b"}, {"c"}, "conv3"},
                   {"HardSwish", {"c"}, {"ch"}, "hswish_op"},
                   {"Relu", {"a"}, {"ra"}, "relu_shared"},
                   {"Add", {"ra", "ch"}, {"sum"}, "add"},
                   {"Sub", {"e", "sum"}, {"y"}, "sub_broadcast_first"}};
        m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"se", onnxb::FLOAT, {}, true}};
        Compare(m, C == 32 ? "32 channels" : "24 channels");
        // HardSwish decomposed and whole, and the excitation's ReLU, become
        // post-ops; the SiLU on a tensor with another reader stays apart.
        ExpectFused(m, {"hsig", "hswish", "relu", "hswish_op"}, {"conv1", "sig", "silu", "relu_shared", "dw", "fc1", "conv3"});
    }
}

// A transformer block as torch.onnx writes it before opset 17: LayerNorm
// decomposed into nine nodes, a linear layer with bias, GELU as
// x * (1 + Erf(x / sqrt 2)) * 0.5, attention scores through Softmax, and
// the LayerNormalization operator itself.
TEST_F(Fusion, TransformerPatterns)
{
    Model m;
    int64_t T = 5, D = 16;
    m.inputs = {{"x", onnxb::FLOAT, {1, T, D}}};
    m.inits = {{"ax", onnxb::INT64, {1}, std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8)},
               {"two", onnxb::FLOAT, {}, onnxb::Floats({2.0f})},
               {"eps", onnxb::FLOAT, {}, onnxb::Floats({1e-5f})},
               {"g", onnxb::FLOAT, {D}, Rand((size_t)D, rng, 0.5f, 1.5f)},
               {"b", onnxb::FLOAT, {D}, Rand((size_t)D, rng)},
               {"w1", onnxb::FLOAT, {D, 2 * D}, Rand((size_t)(2 * D * D), rng)},
               {"b1", onnxb::FLOAT, {2 * D}, Rand((size_t)(2 * D), rng)},
               {"sqrt2", onnxb::FLOAT, {}, onnxb::Floats({1.4142135f})},
               {"one", onnxb::FLOAT, {}, onnxb::Floats({1.0f})},
               {"half", onnxb::FLOAT, {}, onnxb::Floats({0.5f})},
               {"w2", onnxb::FLOAT, {2 * D, D}, Rand((size_t)(2 * D * D), rng)}};
    m.nodes = {{"ReduceMean", {"x"}, {"mu"}, "mean", {Attr::Ints("axes", {-1})}},
               {"Sub", {"x", "mu"}, {"d"}, "sub"},
               {"Pow", {"d", "two"}, {"d2"}, "pow"},
               {"ReduceMean", {"d2"}, {"var"}, "var", {Attr::Ints("axes", {-1})}},
               {"Add", {"var", "eps"}, {"ve"}, "add_eps"},
               {"Sqrt", {"ve"}, {"sd"}, "sqrt"},
               {"Div", {"d", "sd"}, {"n"}, "div"},
               {"Mul", {"n", "g"}, {"ng"}, "scale"},
               {"Add", {"ng", "b"}, {"ln"}, "shift"},
               {"MatMul", {"ln", "w1"}, {"h"}, "fc1"},
               {"Add", {"h", "b1"}, {"hb"}, "fc1_bias"},
               {"Div", {"hb", "sqrt2"}, {"hd"}, "gelu_div"},
               {"Erf", {"hd"}, {"he"}, "gelu_erf"},
               {"Add", {"he", "one"}, {"h1"}, "gelu_add"},
               {"Mul", {"hb", "h1"}, {"hm"}, "gelu_mul"},
               {"Mul", {"hm", "half"}, {"gl"}, "gelu_half"},
               {"MatMul", {"gl", "w2"}, {"o"}, "fc2"},
               {"Transpose", {"o"}, {"ot"}, "tr", {Attr::Ints("perm", {0, 2, 1})}},
               {"MatMul", {"o", "ot"}, {"att"}, "scores"},
               {"Softmax", {"att"}, {"p"}, "softmax", {Attr::Int("axis", -1)}},
               {"LayerNormalization", {"o", "g", "b"}, {"y"}, "ln_op", {Attr::Int("axis", -1)}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"p", onnxb::FLOAT, {}, true}};
    Compare(m, "transformer");
    // The decomposed LayerNorm runs as one step (named after its first
    // node), the bias and the decomposed GELU as the MatMul's post-ops.
    ExpectFused(m, {"sub", "pow", "var", "add_eps", "sqrt", "div", "scale", "shift", "fc1_bias", "gelu_div", "gelu_erf",
                    "gelu_add", "gelu_mul", "gelu_half"},
                {"mean", "fc1", "fc2", "ln_op", "scores", "softmax"});
    ExpectOnDnnl(m, {"mean", "fc1", "ln_op"});
}

// Pad nodes of spatial zeros merge into the Conv or AveragePool reading
// them (avg_pool2d(padding=1) exports as Pad + AveragePool, whose zeros
// count); a Pad of another value, with other readers, or before a
// MaxPool stays a node of its own.
TEST_F(Fusion, ZeroPadsMergeIntoTheirWindow)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 16, 7, 7}}};
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    ConvWeights(m, "c", 16, 16, 3, true);
    m.inits.push_back({"p1", onnxb::INT64, {8}, i64({0, 0, 1, 1, 0, 0, 1, 1})});
    m.inits.push_back({"p2", onnxb::INT64, {8}, i64({0, 0, 2, 0, 0, 0, 1, 2})});
    m.inits.push_back({"v", onnxb::FLOAT, {}, onnxb::Floats({0.5f})});
    m.nodes = {{"Relu", {"x"}, {"r"}, "relu"},
               {"Pad", {"r", "p1"}, {"a"}, "pad_avg"},
               {"AveragePool", {"a"}, {"y1"}, "avg", {Attr::Ints("kernel_shape", {3, 3})}},
               {"Pad", {"r", "p2"}, {"b"}, "pad_conv"},
               {"Conv", {"b", "c_w", "c_b"}, {"y2"}, "conv"},
               {"Pad", {"r", "p1", "v"}, {"h"}, "pad_half"},
               {"AveragePool", {"h"}, {"y3"}, "avg_half", {Attr::Ints("kernel_shape", {3, 3})}},
               {"Pad", {"r", "p1"}, {"k"}, "pad_max"},
               {"MaxPool", {"k"}, {"y4"}, "max", {Attr::Ints("kernel_shape", {3, 3})}},
               {"Pad", {"r", "p1"}, {"t"}, "pad_twice"},
               {"AveragePool", {"t"}, {"y5"}, "avg_twice", {Attr::Ints("kernel_shape", {2, 2})}}};
    m.outputs = {{"y1", onnxb::FLOAT, {}, true}, {"y2", onnxb::FLOAT, {}, true}, {"y3", onnxb::FLOAT, {}, true},
                 {"y4", onnxb::FLOAT, {}, true}, {"y5", onnxb::FLOAT, {}, true}, {"t", onnxb::FLOAT, {}, true}};
    Compare(m, "pads");
    // Zero pads merge into the pooling or convolution after them; a pad of
    // another value, before a max pool, or read twice stays a step.
    ExpectFused(m, {"pad_avg", "pad_conv"}, {"avg", "conv", "pad_half", "pad_max", "pad_twice"});
}

// Reshape's output is a view of its input's bytes; a residual Add fused
// into a convolution must then not overwrite those bytes in place while
// the view is still to be read.
TEST_F(Fusion, ViewsKeepTheirBytesFromInPlaceResiduals)
{
    for (int64_t C : {3, 5, 16}) {
    Model m;
    int64_t H = 4;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
    ConvWeights(m, "c0", C, C, 1, true);
    ConvWeights(m, "c1", C, C, 1, true);
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    m.inits.push_back({"shape", onnxb::INT64, {2}, i64({C, H * H})});
    /* Erf runs in C: its row-major output is what the view shares and
     * what the residual would be added into */
    m.nodes = {{"Conv", {"x", "c0_w", "c0_b"}, {"h"}, "conv0"},
               {"Erf", {"h"}, {"hs"}, "erf"},
               {"Reshape", {"hs", "shape"}, {"v"}, "view"},
               {"Conv", {"x", "c1_w", "c1_b"}, {"a"}, "conv1"},
               {"Add", {"a", "hs"}, {"s"}, "residual"},
               {"Flatten", {"v"}, {"f"}, "flat", {Attr::Int("axis", 1)}},
               {"Tanh", {"f"}, {"t"}, "tanh"}};
    m.outputs = {{"s", onnxb::FLOAT, {}, true}, {"t", onnxb::FLOAT, {}, true}};
    Compare(m, "view");
    ExpectFused(m, {"view", "flat"}, {"erf", "residual", "tanh"}); /* views cost no step */
    }
}

// Concatenations of convolution outputs: in place (each producer writes
// into its slice; 16-channel blocks, and channel counts the blocks do not
// divide), through oneDNN's concat (an input read twice), and into a
// model output.
TEST_F(Fusion, ConcatInPlaceAndCopied)
{
    for (int64_t c2 : {16, 8}) {
        Model m;
        int64_t C = 16, H = 5;
        m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
        ConvWeights(m, "a", 16, C, 1, true);
        ConvWeights(m, "b", c2, C, 3, true);
        ConvWeights(m, "c", 32, C, 1, false);
        ConvWeights(m, "d", 16, 16 + c2 + 32, 1, true);
        m.nodes = {{"Conv", {"x", "a_w", "a_b"}, {"a"}, "conv_a"},
                   {"Conv", {"x", "b_w", "b_b"}, {"b"}, "conv_b", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Conv", {"x", "c_w"}, {"c"}, "conv_c"},
                   {"Relu", {"c"}, {"cr"}, "relu_c"},
                   {"Concat", {"a", "b", "cr"}, {"cat"}, "cat", {Attr::Int("axis", 1)}},
                   {"Conv", {"cat", "d_w", "d_b"}, {"y"}, "conv_d"},
                   {"Conv", {"x", "a_w", "a_b"}, {"a2"}, "conv_a2"},
                   {"Concat", {"a2", "y"}, {"z"}, "cat_out", {Attr::Int("axis", 1)}},
                   {"Sigmoid", {"a2"}, {"s"}, "second_reader"}};
        m.outputs = {{"z", onnxb::FLOAT, {}, true}, {"s", onnxb::FLOAT, {}, true}};
        Compare(m, c2 == 16 ? "blocks divide" : "blocks do not divide");
        // The producers write into their slices when the blocks divide the
        // channel offsets; the ReLU is a post-op either way.
        if (c2 == 16)
            ExpectFused(m, {"cat", "relu_c"}, {"conv_a", "conv_b", "conv_c", "conv_d", "cat_out"});
        else
            ExpectFused(m, {"relu_c"}, {"cat", "conv_d", "cat_out"});
    }
}

// ShuffleNet's block: the input split in two channel halves (views, no
// copy), one half through 1x1 / depthwise / 1x1 convolutions, the halves
// concatenated into slices of a row-major buffer, then the channel shuffle
// (Reshape, Transpose, Reshape) and a trailing ReduceMean; with Split and
// with Slice, a Slice that is not contiguous (copied), and batch 2 (halves
// not contiguous: copied). When the shuffled map is read only inside the
// network, the concatenation and the shuffle are one step per half: each
// half converted into every other channel of the output.
TEST_F(Fusion, ShuffleBlocksSplitIntoViews)
{
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    for (int variant = 0; variant < 5; variant++) {
        int64_t N = variant == 3 ? 2 : 1, C = 16, H = 6, h = C / 2;
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {N, C, H, H}}};
        ConvWeights(m, "p1", h, h, 1, true);
        ConvWeights(m, "dw", h, 1, 3, true);
        ConvWeights(m, "p2", h, h, 1, true);
        m.inits.push_back({"s0", onnxb::INT64, {1}, i64({0})});
        m.inits.push_back({"s1", onnxb::INT64, {1}, i64({h})});
        m.inits.push_back({"s2", onnxb::INT64, {1}, i64({C})});
        m.inits.push_back({"ax", onnxb::INT64, {1}, i64({1})});
        m.inits.push_back({"ax3", onnxb::INT64, {1}, i64({3})});
        m.inits.push_back({"e3", onnxb::INT64, {1}, i64({H / 2})});
        m.inits.push_back({"shape5", onnxb::INT64, {5}, i64({N, 2, h, H, H})});
        m.inits.push_back({"shape4", onnxb::INT64, {4}, i64({N, C, H, H})});
        m.inits.push_back({"raxes", onnxb::INT64, {2}, i64({2, 3})});
        std::vector<Node> split;
        if (variant == 1)
            split = {{"Slice", {"xe", "s0", "s1", "ax"}, {"x1"}, "half1"}, {"Slice", {"xe", "s1", "s2", "ax"}, {"x2"}, "half2"}};
        else
            split = {{"Split", {"xe"}, {"x1", "x2"}, "halves", {Attr::Int("axis", 1)}}};
        m.nodes = {{"Elu", {"x"}, {"xe"}, "pre"}}; /* the split reads work memory, as in a network */
        m.nodes.insert(m.nodes.end(), split.begin(), split.end());
        std::vector<Node> rest = {
            {"Conv", {"x2", "p1_w", "p1_b"}, {"a"}, "pw1"},
            {"Relu", {"a"}, {"ar"}, "relu1"},
            {"Conv", {"ar", "dw_w", "dw_b"}, {"b"}, "dw", {Attr::Int("group", h), Attr::Ints("pads", {1, 1, 1, 1})}},
            {"Conv", {"b", "p2_w", "p2_b"}, {"c"}, "pw2"},
            {"Relu", {"c"}, {"cr"}, "relu2"},
            {"Concat", {"x1", "cr"}, {"cat"}, "cat", {Attr::Int("axis", 1)}},
            {"Reshape", {"cat", "shape5"}, {"r5"}, "r5"},
            {"Transpose", {"r5"}, {"t5"}, "shuffle", {Attr::Ints("perm", {0, 2, 1, 3, 4})}},
            {"Reshape", {"t5", "shape4"}, {"y4"}, "r4"},
            {"ReduceMean", {"y4", "raxes"}, {"pool"}, "pool", {Attr::Int("keepdims", 0)}},
        };
        m.nodes.insert(m.nodes.end(), rest.begin(), rest.end());
        if (variant == 2) /* a quarter of the width: not one run of bytes */
            m.nodes.push_back({"Slice", {"y4", "s0", "e3", "ax3"}, {"q"}, "narrow"});
        m.outputs = {{"pool", onnxb::FLOAT, {}, true}, {"y4", onnxb::FLOAT, {}, true}};
        if (variant == 2)
            m.outputs.push_back({"q", onnxb::FLOAT, {}, true});
        if (variant == 4) /* the shuffled map read only inside the network */
            m.outputs = {{"pool", onnxb::FLOAT, {}, true}};
        Compare(m, variant == 0   ? "split"
                   : variant == 1 ? "slices"
                   : variant == 2 ? "narrow slice"
                   : variant == 3 ? "batch 2"
                                  : "shuffle inside");
        if (variant == 0) /* the shuffle a view of the concatenation, converted where it is read */
            ExpectFused(m, {"halves", "r5", "shuffle"}, {"pw1", "cat", "pool"});
        if (variant == 1)
            ExpectFused(m, {"half1", "half2"}, {"pw1", "cat"});
        if (variant == 2)
            ExpectFused(m, {"halves"}, {"narrow"});
        if (variant == 3)
            ExpectFused(m, {}, {"halves"});
        if (variant == 4) { /* Concat, Reshape, Transpose, Reshape: two interleaving conversions */
            ExpectFused(m, {"halves", "r5", "shuffle", "r4"}, {"cat", "pool"});
            int shuffles = 0;
            for (const auto &s : Steps(m))
                shuffles += s.compare(0, 12, "cat:shuffle:") == 0;
            EXPECT_EQ(shuffles, 2);
        }
    }
}

// DeepLabV3's atrous pyramid: blocked branches, one read twice, and a
// pooled branch broadcast back (Resize), concatenated by parts into a
// blocked output (the branch read twice converted into its slice, the
// others written there by their producers).
TEST_F(Fusion, PyramidConcatAssembledByParts)
{
    Model m;
    int64_t C = 16, H = 8;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
    ConvWeights(m, "b0", 16, C, 1, true);
    ConvWeights(m, "b1", 16, C, 3, true);
    ConvWeights(m, "b2", 32, C, 3, true);
    ConvWeights(m, "pp", 16, C, 1, true);
    ConvWeights(m, "pj", 16, 80, 1, true);
    auto f32 = [](std::vector<float> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 4); };
    m.inits.push_back({"scales", onnxb::FLOAT, {4}, f32({1, 1, (float)H, (float)H})});
    m.nodes = {{"Conv", {"x", "b0_w", "b0_b"}, {"a0"}, "br0"},
               {"Conv", {"x", "b1_w", "b1_b"}, {"a1"}, "br1", {Attr::Ints("pads", {2, 2, 2, 2}), Attr::Ints("dilations", {2, 2})}},
               {"Conv", {"x", "b2_w", "b2_b"}, {"a2"}, "br2", {Attr::Ints("pads", {3, 3, 3, 3}), Attr::Ints("dilations", {3, 3})}},
               {"GlobalAveragePool", {"x"}, {"g"}, "pool"},
               {"Conv", {"g", "pp_w", "pp_b"}, {"gp"}, "poolconv"},
               {"Resize", {"gp", "", "scales"}, {"up"}, "up", {Attr::Str("mode", "nearest")}},
               {"Concat", {"a0", "a1", "a2", "up"}, {"cat"}, "cat", {Attr::Int("axis", 1)}},
               {"Conv", {"cat", "pj_w", "pj_b"}, {"y"}, "project"},
               {"Sigmoid", {"a1"}, {"s"}, "second_reader"}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"s", onnxb::FLOAT, {}, true}};
    Compare(m, "pyramid");
}

// DenseNet's block: each layer concatenates the block input and every
// feature so far; the whole chain shares one buffer (no Concat step), each
// feature written once into its slice, with a one-input Concat first, and
// a chain whose growth the channel blocks do not divide (copied).
TEST_F(Fusion, DenseChainsShareOneBuffer)
{
    for (int64_t growth : {16, 8}) {
        Model m;
        int64_t C0 = 32, H = 6;
        m.inputs = {{"x", onnxb::FLOAT, {1, 3, H, H}}};
        ConvWeights(m, "stem", C0, 3, 3, true);
        m.nodes = {{"Conv", {"x", "stem_w", "stem_b"}, {"x0"}, "stem", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Concat", {"x0"}, {"cat0"}, "cat0", {Attr::Int("axis", 1)}}};
        std::vector<std::string> feats = {"x0"};
        std::string prev = "cat0";
        int64_t C = C0;
        for (int l = 1; l <= 3; l++) {
            std::string L = std::to_string(l);
            BnParams(m, "bn" + L, C);
            ConvWeights(m, "c" + L, growth, C, 3, true);
            m.nodes.push_back(Bn("bn" + L, prev, "n" + L));
            m.nodes.push_back({"Relu", {"n" + L}, {"r" + L}, "relu" + L});
            m.nodes.push_back({"Conv", {"r" + L, "c" + L + "_w", "c" + L + "_b"}, {"f" + L}, "conv" + L,
                               {Attr::Ints("pads", {1, 1, 1, 1})}});
            feats.push_back("f" + L);
            m.nodes.push_back({"Concat", feats, {"cat" + L}, "cat" + L, {Attr::Int("axis", 1)}});
            prev = "cat" + L;
            C += growth;
        }
        BnParams(m, "bnT", C);
        m.nodes.push_back(Bn("bnT", prev, "y"));
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, growth == 16 ? "blocks divide" : "blocks do not divide");
        if (growth == 16)
            ExpectFused(m, {"cat0", "cat1", "cat2", "cat3"}, {"conv1", "conv2", "conv3"});
        else
            ExpectFused(m, {}, {"cat2", "cat3"});
    }
}

// Squeeze-and-excitation products whose channels the blocked layouts do
// not divide (RegNet: 24, 56, 152...) still multiply on oneDNN.
TEST_F(Fusion, ExcitationProductsOfAnyWidthOnOneDnn)
{
    for (int64_t C : {24, 40, 32}) {
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {1, C, 7, 7}}};
        ConvWeights(m, "g", C, 8, 3, true);
        ConvWeights(m, "f1", 8, C, 1, true);
        ConvWeights(m, "f2", C, 8, 1, true);
        m.nodes = {{"Conv", {"x", "g_w", "g_b"}, {"a"}, "grouped", {Attr::Int("group", C / 8), Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Relu", {"a"}, {"ar"}, "relu"},
                   {"GlobalAveragePool", {"ar"}, {"p"}, "squeeze"},
                   {"Conv", {"p", "f1_w", "f1_b"}, {"q"}, "fc1"},
                   {"Relu", {"q"}, {"qr"}, "relu1"},
                   {"Conv", {"qr", "f2_w", "f2_b"}, {"e"}, "fc2"},
                   {"Sigmoid", {"e"}, {"es"}, "gate"},
                   {"Mul", {"ar", "es"}, {"y"}, "excite"}};
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, "excitation");
        ExpectOnDnnl(m, {"excite"});
    }
}

TEST_F(Fusion, PoolingVariants)
{
    struct Case {
        const char *what, *op;
        std::vector<Attr> attrs;
        int64_t H;
    };
    const Case cases[] = {
        {"max 3x3 s2 p1", "MaxPool", {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("strides", {2, 2}),
                                      Attr::Ints("pads", {1, 1, 1, 1})}, 11},
        {"max ceil", "MaxPool", {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("strides", {2, 2}),
                                 Attr::Int("ceil_mode", 1)}, 10},
        {"max dilated", "MaxPool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("dilations", {2, 2})}, 7},
        {"avg exclude pad", "AveragePool", {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("pads", {1, 1, 1, 1})}, 6},
        {"avg include pad", "AveragePool", {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("pads", {1, 1, 1, 1}),
                                            Attr::Int("count_include_pad", 1)}, 6},
        {"avg ceil include pad", "AveragePool", {Attr::Ints("kernel_shape", {3, 3}), Attr::Ints("strides", {2, 2}),
                                                 Attr::Ints("pads", {1, 1, 1, 1}), Attr::Int("ceil_mode", 1),
                                                 Attr::Int("count_include_pad", 1)}, 8},
        {"avg SAME_UPPER", "AveragePool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Str("auto_pad", "SAME_UPPER"),
                                           Attr::Ints("strides", {2, 2})}, 7},
        {"global average", "GlobalAveragePool", {}, 7},
        {"global max", "GlobalMaxPool", {}, 5},
    };
    for (const Case &c : cases) {
        // After a conv (blocked layout in) and straight from the input.
        for (int after_conv = 0; after_conv < 2; after_conv++) {
            Model m;
            m.inputs = {{"x", onnxb::FLOAT, {2, 16, c.H, c.H}}};
            std::string src = "x";
            if (after_conv) {
                ConvWeights(m, "c", 16, 16, 1, true);
                m.nodes.push_back({"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv"});
                src = "a";
            }
            m.nodes.push_back({c.op, {src}, {"p"}, "pool", c.attrs});
            m.nodes.push_back({"Sigmoid", {"p"}, {"y"}, "sig"});
            m.outputs = {{"y", onnxb::FLOAT, {}, true}};
            Compare(m, c.what);
            // ceil mode counting the padding: windows past the padded edge
            // would count differently in oneDNN; that one stays in C.
            ExpectOnDnnl(m, {"pool"}, strcmp(c.what, "avg ceil include pad") != 0);
        }
    }
}

// The classifier head: GlobalAveragePool -> Flatten -> Gemm (inner product
// when B is constant), with and without transB and bias; and a Gemm oneDNN
// does not take (alpha) staying in C.
TEST_F(Fusion, ClassifierHeads)
{
    struct Case {
        const char *what;
        std::vector<Attr> attrs;
        bool bias, bias_2d;
    };
    const Case cases[] = {{"transB with bias", {Attr::Int("transB", 1)}, true, false},
                          {"plain B with 1xN bias", {}, true, true},
                          {"no bias", {Attr::Int("transB", 1)}, false, false},
                          {"alpha", {Attr::Int("transB", 1), Attr::Float("alpha", 0.5f)}, true, false}};
    for (const Case &c : cases) {
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {3, 32, 4, 4}}};
        ConvWeights(m, "c", 32, 32, 3, true);
        bool tb = !c.attrs.empty() && c.attrs[0].name == "transB";
        m.inits.push_back({"B", onnxb::FLOAT, tb ? std::vector<int64_t>{10, 32} : std::vector<int64_t>{32, 10},
                           Rand(320, rng)});
        m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Relu", {"a"}, {"r"}, "relu"},
                   {"GlobalAveragePool", {"r"}, {"g"}, "gap"},
                   {"Flatten", {"g"}, {"f"}, "flatten"},
                   {"Gemm", {"f", "B"}, {"logits"}, "fc", c.attrs},
                   {"Softmax", {"logits"}, {"y"}, "softmax"}};
        if (c.bias) {
            m.inits.push_back({"C", onnxb::FLOAT, c.bias_2d ? std::vector<int64_t>{1, 10} : std::vector<int64_t>{10},
                               Rand(10, rng)});
            m.nodes[4].inputs.push_back("C");
        }
        m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"logits", onnxb::FLOAT, {}, true}};
        Compare(m, c.what);
        ExpectFused(m, {"relu"}, {"conv", "gap", "fc", "softmax"});
        ExpectOnDnnl(m, {"fc"}, strcmp(c.what, "alpha") != 0);
    }
}

// A Gemm by constant weights over many rows (a transformer's projection)
// runs oneDNN's matmul, whose kernels share the rows between the team
// better than the inner product's (ViT's output projection on 2 cores:
// 1.00 against 1.30 ms): with and without transB, with a bias vector. A
// matrix-vector product by weights of 12 MB or more keeps the inner
// product on row-major weights (bound by reading them).
TEST_F(Fusion, GemmByConstantWeightsRunsOnMatmul)
{
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    for (int tb = 0; tb < 2; tb++) {
        SCOPED_TRACE(tb ? "transB" : "plain B");
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {197, 96}}};
        m.inits.push_back({"B", onnxb::FLOAT, tb ? std::vector<int64_t>{64, 96} : std::vector<int64_t>{96, 64},
                           Rand(96 * 64, rng)});
        m.inits.push_back({"C", onnxb::FLOAT, {64}, Rand(64, rng)});
        m.nodes = {{"Gemm", {"x", "B", "C"}, {"y"}, "fc", {Attr::Int("transB", tb)}}};
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, "197 x 96 x 64");
        for (const auto &st : Steps(m)) {
            if (st.compare(0, 3, "fc:") == 0 && avx512) {
                EXPECT_EQ(st, "fc:Gemm:brg:avx512_core"); /* the matmul's name; the inner product's is brgemm */
            }
        }
    }
    Model big;
    big.inputs = {{"x", onnxb::FLOAT, {1, 2048}}};
    big.inits.push_back({"B", onnxb::FLOAT, {2048, 2048}, Rand(2048 * 2048, rng)});
    big.nodes = {{"Gemm", {"x", "B"}, {"y"}, "fc", {Attr::Int("transB", 1)}}};
    big.outputs = {{"y", onnxb::FLOAT, {}, true}};
    Compare(big, "1 x 2048 x 2048");
    int gemv = 0;
    for (const auto &st : Steps(big))
        gemv += st == "fc:Gemm:x64:gemm:jit"; /* the inner product on row-major weights */
    EXPECT_EQ(gemv, 1);
}

// ConvTranspose as a oneDNN deconvolution (weights input-channel major in
// ONNX), with a fused activation; variants oneDNN cannot express
// (output_padding) stay on the C kernel. All against the reference.
TEST_F(Fusion, ConvTransposeVariants)
{
    struct Case {
        const char *what;
        int64_t C, M, H, k, group;
        std::vector<Attr> attrs;
        const char *act;
    };
    const Case cases[] = {
        {"stride 2 pad 1", 16, 8, 6, 3, 1, {Attr::Ints("strides", {2, 2}), Attr::Ints("pads", {1, 1, 1, 1})}, "Relu"},
        {"4x4 stride 2", 8, 16, 5, 4, 1, {Attr::Ints("strides", {2, 2}), Attr::Ints("pads", {1, 1, 1, 1})}, nullptr},
        {"grouped", 8, 8, 5, 3, 2, {Attr::Ints("strides", {2, 2})}, "Sigmoid"},
        {"dilated", 4, 4, 5, 3, 1, {Attr::Ints("dilations", {2, 2})}, nullptr},
        {"output_padding", 4, 4, 4, 3, 1, {Attr::Ints("strides", {2, 2}), Attr::Ints("output_padding", {1, 1})}, nullptr},
        {"SAME_UPPER", 4, 6, 5, 3, 1, {Attr::Ints("strides", {2, 2}), Attr::Str("auto_pad", "SAME_UPPER")}, "Relu"},
    };
    for (const Case &c : cases) {
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {2, c.C, c.H, c.H}}};
        m.inits.push_back({"w", onnxb::FLOAT, {c.C, c.M / c.group, c.k, c.k}, Rand((size_t)(c.C * (c.M / c.group) * c.k * c.k), rng)});
        m.inits.push_back({"b", onnxb::FLOAT, {c.M}, Rand((size_t)c.M, rng)});
        Node d{"ConvTranspose", {"x", "w", "b"}, {c.act ? "t" : "y"}, "deconv", c.attrs};
        if (c.group > 1)
            d.attrs.push_back(Attr::Int("group", c.group));
        m.nodes = {d};
        if (c.act)
            m.nodes.push_back({c.act, {"t"}, {"y"}, "act"});
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        Compare(m, c.what);
        if (c.act)
            ExpectFused(m, {"act"}, {"deconv"});
        ExpectOnDnnl(m, {"deconv"}, strcmp(c.what, "output_padding") != 0);
    }
}

} // namespace

// MnasNet's narrow stretch: convolutions of 8 and 24 channels between
// blocked neighbours. Left to choose, oneDNN puts them channels-last and a
// reorder lands on each side; they follow their blocked input instead.
TEST_F(Fusion, NarrowConvolutionsFollowTheirBlockedInput)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 16, 28, 28}}};
    ConvWeights(m, "c0", 16, 16, 3, true);
    ConvWeights(m, "c1", 8, 16, 1, true);
    ConvWeights(m, "c2", 24, 8, 1, true);
    ConvWeights(m, "dw", 24, 1, 3, true);
    ConvWeights(m, "c3", 16, 24, 1, true);
    m.nodes = {{"Conv", {"x", "c0_w", "c0_b"}, {"a"}, "c0", {Attr::Ints("pads", {1, 1, 1, 1})}},
               {"Relu", {"a"}, {"ar"}, "r0"},
               {"Conv", {"ar", "c1_w", "c1_b"}, {"b"}, "c1"},
               {"Conv", {"b", "c2_w", "c2_b"}, {"c"}, "c2"},
               {"Relu", {"c"}, {"cr"}, "r2"},
               {"Conv", {"cr", "dw_w", "dw_b"}, {"d"}, "dw",
                {Attr::Int("group", 24), Attr::Ints("pads", {1, 1, 1, 1}), Attr::Ints("strides", {2, 2})}},
               {"Relu", {"d"}, {"dr"}, "r3"},
               {"Conv", {"dr", "c3_w", "c3_b"}, {"e"}, "c3"},
               {"Relu", {"e"}, {"y"}, "r4"}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    Compare(m, "narrow chain");
    int reorders = 0;
    std::vector<std::string> steps = Steps(m);
    for (const auto &s : steps)
        if (s.find(":reorder:") != std::string::npos && s.compare(0, 3, "c0:") != 0 && s.compare(0, 3, "r4:") != 0 &&
            s.compare(0, 3, "c3:") != 0)
            reorders++;
    EXPECT_EQ(reorders, 0) << "reorders between the narrow convolutions";
    for (const auto &s : steps)
        EXPECT_EQ(s.find(":ref"), std::string::npos) << s;
}

// audio_net's grouped 1-D convolution with GELU: in bfloat16 oneDNN cannot
// generate its kernel, and the next implementation (a GEMM over bfloat16
// data) was twice as slow as float32's own kernel. With allow_bf16 such a
// convolution computes in float32 on that kernel; the result agrees.
TEST_F(Fusion, ConvolutionsWithoutABfloat16KernelStayFloat32)
{
    std::ifstream cpu("/proc/cpuinfo");
    std::string text((std::istreambuf_iterator<char>(cpu)), std::istreambuf_iterator<char>());
    if (text.find("avx512_bf16") == std::string::npos)
        GTEST_SKIP() << "no bfloat16 on this CPU: allow_bf16 computes in float32 anyway";
    Model m;
    /* 6400 outputs: GELU stays oneDNN's post-op (below our pass's minimum),
     * with which oneDNN generates no bfloat16 kernel for this convolution */
    m.inputs = {{"x", onnxb::FLOAT, {1, 64, 100}}};
    m.inits = {{"w", onnxb::FLOAT, {64, 8, 3}, Rand(64 * 8 * 3, rng)},
               {"b", onnxb::FLOAT, {64}, Rand(64, rng)},
               {"sqrt2", onnxb::FLOAT, {}, onnxb::Floats({1.41421356f})},
               {"one", onnxb::FLOAT, {}, onnxb::Floats({1.0f})},
               {"half", onnxb::FLOAT, {}, onnxb::Floats({0.5f})}};
    m.nodes = {{"Conv", {"x", "w", "b"}, {"c"}, "conv", {Attr::Int("group", 8), Attr::Ints("pads", {1, 1})}},
               {"Div", {"c", "sqrt2"}, {"d"}, "div"},
               {"Erf", {"d"}, {"e"}, "erf"},
               {"Add", {"e", "one"}, {"f"}, "add"},
               {"Mul", {"c", "f"}, {"g"}, "mul"},
               {"Mul", {"g", "half"}, {"h"}, "mul2"},
               {"Relu", {"h"}, {"y"}, "relu"}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t b16 = LoadWithPrecision(bytes, "allow_bf16"), f32 = LoadWithPrecision(bytes, "force_fp32");
    std::vector<hacl_prog_step> st(64);
    long n = hacl_model_steps(b16, st.data(), st.size());
    int convs = 0;
    for (long i = 0; i < n; i++)
        if (!strcmp(st[i].node, "conv") && strcmp(st[i].kind, "reorder") != 0) {
            convs++;
            EXPECT_EQ(strstr(st[i].impl, "gemm"), nullptr) << st[i].impl;
            EXPECT_EQ(strstr(st[i].impl, "ref"), nullptr) << st[i].impl;
        }
    EXPECT_EQ(convs, 1);
    std::string x = Rand(64 * 100, rng);
    std::vector<std::vector<float>> out = {ExecuteAndUnload(b16, x), ExecuteAndUnload(f32, x)};
    ASSERT_EQ(out[0].size(), out[1].size());
    for (size_t i = 0; i < out[0].size(); i++)
        ASSERT_NEAR(out[0][i], out[1][i], 1e-4 + 1e-4 * fabs(out[1][i])) << i;
}

// A transformer's MLP under allow_bf16: the first linear layer (bias and
// GELU fused) writes bfloat16 straight for the second, whose input it is
// alone: no conversion step between them, and the result stays within
// bfloat16's error of float32.
TEST_F(Fusion, Bfloat16LinearLayersHandOverInBfloat16)
{
    std::ifstream cpu("/proc/cpuinfo");
    std::string text((std::istreambuf_iterator<char>(cpu)), std::istreambuf_iterator<char>());
    if (text.find("avx512_bf16") == std::string::npos)
        GTEST_SKIP() << "no bfloat16 on this CPU";
    const int64_t T = 20, D = 64, F = 256;
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, T, D}}};
    m.inits = {{"w1", onnxb::FLOAT, {D, F}, Rand((size_t)(D * F), rng, -0.2f, 0.2f)},
               {"b1", onnxb::FLOAT, {F}, Rand((size_t)F, rng)},
               {"w2", onnxb::FLOAT, {F, D}, Rand((size_t)(F * D), rng, -0.1f, 0.1f)},
               {"b2", onnxb::FLOAT, {D}, Rand((size_t)D, rng)},
               {"sqrt2", onnxb::FLOAT, {}, onnxb::Floats({1.41421356f})},
               {"one", onnxb::FLOAT, {}, onnxb::Floats({1.0f})},
               {"half", onnxb::FLOAT, {}, onnxb::Floats({0.5f})}};
    m.nodes = {{"MatMul", {"x", "w1"}, {"h"}, "fc1"},          {"Add", {"h", "b1"}, {"hb"}, "bias1"},
               {"Div", {"hb", "sqrt2"}, {"d"}, "gelu_div"},    {"Erf", {"d"}, {"e"}, "gelu_erf"},
               {"Add", {"e", "one"}, {"f"}, "gelu_add"},       {"Mul", {"hb", "f"}, {"g"}, "gelu_mul"},
               {"Mul", {"g", "half"}, {"a"}, "gelu_half"},     {"MatMul", {"a", "w2"}, {"o"}, "fc2"},
               {"Add", {"o", "b2"}, {"y"}, "bias2"}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t b16 = LoadWithPrecision(bytes, "allow_bf16"), f32 = LoadWithPrecision(bytes, "force_fp32");
    std::vector<hacl_prog_step> st(64);
    long n = hacl_model_steps(b16, st.data(), st.size());
    int fc1 = -1, fc2 = -1;
    for (long i = 0; i < n; i++) {
        if (!strcmp(st[i].node, "fc1") && strcmp(st[i].kind, "reorder") != 0)
            fc1 = (int)i;
        if (!strcmp(st[i].node, "fc2") && strcmp(st[i].kind, "reorder") != 0)
            fc2 = (int)i;
    }
    ASSERT_GE(fc1, 0);
    ASSERT_EQ(fc2, fc1 + 1) << "a step between the two linear layers";
    EXPECT_NE(strstr(st[fc2].impl, "bf16"), nullptr) << st[fc2].impl;
    std::string x = Rand((size_t)(T * D), rng);
    std::vector<float> yb = ExecuteAndUnload(b16, x), yf = ExecuteAndUnload(f32, x);
    ASSERT_EQ(yb.size(), yf.size());
    double num = 0, den = 0;
    for (size_t i = 0; i < yf.size(); i++) {
        num += (yb[i] - yf[i]) * (double)(yb[i] - yf[i]);
        den += (double)yf[i] * yf[i];
    }
    EXPECT_LT(sqrt(num / den), 0.02) << "relative L2 distance from float32";
}

// Global pooling written as ReduceMean over the spatial axes (MnasNet,
// ShuffleNet): a oneDNN pooling in its input's layout, no reorder of the
// feature map; with keepdims 0 the pooled values are the [N, C] output's
// bytes (24 channels: blocks padded to 32, the input converted). Axes
// given as an attribute (opset 13) or an input (opset 18), negative or not;
// other axes stay a C kernel.
TEST_F(Fusion, SpatialMeansPoolInTheirInputsLayout)
{
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    for (int variant = 0; variant < 4; variant++) {
        SCOPED_TRACE(variant);
        Model m;
        int64_t C = variant == 2 ? 24 : 32;
        m.inputs = {{"x", onnxb::FLOAT, {2, 16, 9, 9}}};
        ConvWeights(m, "c", C, 16, 3, true);
        m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Relu", {"a"}, {"ar"}, "relu"}};
        std::vector<Attr> attrs = {Attr::Int("keepdims", variant == 1 ? 1 : 0)};
        if (variant == 3) { /* the axes an input, as from opset 18 */
            m.inits.push_back({"axes", onnxb::INT64, {2}, i64({-1, 2})});
            m.nodes.push_back({"ReduceMean", {"ar", "axes"}, {"y"}, "mean", attrs});
        } else {
            attrs.push_back(Attr::Ints("axes", {2, 3}));
            m.nodes.push_back({"ReduceMean", {"ar"}, {"y"}, "mean", attrs});
        }
        m.nodes.push_back({"Relu", {"y"}, {"z"}, "after"}); /* the mean read, not a model output */
        m.outputs = {{"z", onnxb::FLOAT, {}, true}};
        Compare(m, "spatial mean");
        ExpectOnDnnl(m, {"mean"});
        for (const auto &s : Steps(m)) /* 24 channels: padded blocks, converted */
            EXPECT_TRUE(C % 16 != 0 || s.find("mean:reorder") == std::string::npos) << s;
    }
    Model m; /* the mean over channels: not a pooling */
    m.inputs = {{"x", onnxb::FLOAT, {1, 4, 5, 5}}};
    m.nodes = {{"ReduceMean", {"x"}, {"y"}, "mean", {Attr::Ints("axes", {1}), Attr::Int("keepdims", 0)}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    Compare(m, "channel mean");
    ExpectOnDnnl(m, {"mean"}, false);
}

// Primitives are made once every step is chosen, on the loading thread and
// a helper (model/prog_create.c): the same steps and values as making each
// on the loading thread as it is chosen (HOSTACL_LOAD_THREADS=1). One that
// oneDNN cannot make (its code generation fails; simulated here) fails the
// load with ACL_ERROR_BAD_ALLOC and says why, leaving nothing behind.
TEST_F(Fusion, PrimitivesAreMadeAfterCompileOnTwoThreads)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 16, 12, 12}}};
    ConvWeights(m, "c", 32, 16, 3, true);
    ConvWeights(m, "d", 32, 32, 1, true);
    ConvWeights(m, "e", 48, 32, 3, true);
    m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv", {Attr::Ints("pads", {1, 1, 1, 1}), Attr::Ints("strides", {2, 2})}},
               {"Relu", {"a"}, {"y"}, "act"},
               {"Conv", {"y", "d_w", "d_b"}, {"b"}, "conv1x1"},
               {"Conv", {"b", "e_w", "e_b"}, {"c"}, "conv3x3", {Attr::Ints("pads", {1, 1, 1, 1})}},
               {"MaxPool", {"c"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})}}};
    m.outputs = {{"z", onnxb::FLOAT, {}, true}};
    std::vector<std::string> later = Steps(m), at_once;
    {
        ScopedEnv one("HOSTACL_LOAD_THREADS", "1");
        at_once = Steps(m);
        Compare(m, "made as chosen");
    }
    EXPECT_EQ(later, at_once);
    Compare(m, "made after compile");
    std::string impl;
    for (const auto &s : later)
        if (s.compare(0, 10, "conv:Conv:") == 0)
            impl = s.substr(10);
    ASSERT_FALSE(impl.empty());
    std::string bytes = onnxb::Serialize(m);
    for (const char *fail : {impl.c_str(), "*"}) {
        SCOPED_TRACE(fail);
        hacl_prog_fail_making(fail);
        uint32_t id = 0;
        EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_ERROR_BAD_ALLOC);
        EXPECT_NE(TakeErrMsg().find("could not create a primitive"), std::string::npos);
        hacl_prog_fail_making(nullptr);
    }
    Compare(m, "nothing failing");
}

// Winograd weights are transformed by us (model/prog_wino.c: oneDNN's
// conversion takes 20-25 ns a weight, 0.24 s of ResNet-18's 0.30 s load)
// into the layouts oneDNN's kernels read. Against oneDNN's own conversion,
// for each layout this CPU's kernels pick (F(2x2, 3x3) in the layouts of
// small and large maps, F(4x4, 3x3)), channels that do not fill a block
// included: every float of the layout written, the same values. Then a
// model with such a convolution against the reference kernels.
TEST_F(Fusion, WinogradWeightsAreTransformedByUs)
{
    struct Case {
        int64_t n, c, m, h;
    };
    const Case cases[] = {{1, 64, 64, 56}, {1, 256, 256, 14}, {1, 24, 40, 20}, {1, 256, 256, 28}, {2, 72, 40, 30}};
    dnnl_engine_t eng;
    dnnl_stream_t st;
    ASSERT_EQ(dnnl_engine_create(&eng, dnnl_cpu, 0), dnnl_success);
    ASSERT_EQ(dnnl_stream_create(&st, eng, dnnl_stream_default_flags), dnnl_success);
    std::set<std::pair<int, int>> layouts; /* (alpha, format) */
    for (const Case &k : cases) {
        SCOPED_TRACE(std::to_string(k.c) + " -> " + std::to_string(k.m) + " at " + std::to_string(k.h));
        dnnl_dims_t sd = {k.n, k.c, k.h, k.h}, wd = {k.m, k.c, 3, 3}, bd = {k.m}, dd = {k.n, k.m, k.h, k.h};
        dnnl_dims_t one = {1, 1};
        dnnl_memory_desc_t smd, wmd, bmd, dmd, plain;
        dnnl_memory_desc_init_by_tag(&smd, 4, sd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&wmd, 4, wd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_a);
        dnnl_memory_desc_init_by_tag(&dmd, 4, dd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&plain, 4, wd, dnnl_f32, dnnl_oihw);
        dnnl_convolution_desc_t cd;
        dnnl_primitive_desc_t pd = nullptr;
        ASSERT_EQ(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_winograd, &smd,
                                                     &wmd, &bmd, &dmd, one, one, one),
                  dnnl_success);
        if (dnnl_primitive_desc_create(&pd, &cd, nullptr, eng, nullptr) != dnnl_success)
            continue; /* no Winograd kernel on this CPU */
        dnnl_memory_desc_t to = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        dnnl_primitive_desc_destroy(pd);
        ASSERT_TRUE(hacl_pg_wino_ours(&plain, &to)) << "format " << to.format_desc.wino_desc.wino_format;
        layouts.insert({to.format_desc.wino_desc.alpha, to.format_desc.wino_desc.wino_format});
        std::vector<float> w(k.m * k.c * 9);
        std::uniform_real_distribution<float> u(-1, 1);
        for (auto &x : w)
            x = u(rng);
        size_t n = dnnl_memory_desc_get_size(&to) / sizeof(float);
        std::vector<float> theirs(n, NAN), ours(n, NAN);
        dnnl_primitive_desc_t rpd;
        ASSERT_EQ(dnnl_reorder_primitive_desc_create(&rpd, &plain, eng, &to, eng, nullptr), dnnl_success);
        dnnl_primitive_t r;
        ASSERT_EQ(dnnl_primitive_create(&r, rpd), dnnl_success);
        dnnl_memory_t a, b;
        dnnl_memory_create(&a, &plain, eng, w.data());
        dnnl_memory_create(&b, &to, eng, theirs.data());
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, a}, {DNNL_ARG_TO, b}};
        ASSERT_EQ(dnnl_primitive_execute(r, st, 2, args), dnnl_success);
        dnnl_stream_wait(st);
        dnnl_memory_destroy(a);
        dnnl_memory_destroy(b);
        dnnl_primitive_destroy(r);
        dnnl_primitive_desc_destroy(rpd);
        hacl_pg_wino_weights(&plain, w.data(), &to, ours.data());
        for (size_t i = 0; i < n; i++)
            ASSERT_NEAR(ours[i], theirs[i], 2e-6 * (1 + fabsf(theirs[i]))) << "float " << i << " of " << n;
    }
    dnnl_stream_destroy(st);
    dnnl_engine_destroy(eng);
    if (layouts.empty())
        GTEST_SKIP() << "no Winograd convolution on this CPU";
    EXPECT_GE(layouts.size(), 3u) << "the cases should reach both F(2x2, 3x3) layouts and F(4x4, 3x3)";

    Model m = Conv3x3ReluPool(2, 24, 40, 30);
    Compare(m, "winograd convolution");
    int winograd = 0;
    for (const auto &s : Steps(m))
        winograd += s.compare(0, 5, "conv:") == 0 && s.find("wino") != std::string::npos;
    EXPECT_EQ(winograd, 1);
}

// Float32 3x3 convolutions of 64 or more channels in and out on maps from
// 64x64 run Winograd F(4x4, 3x3) (inception_v3's 80 -> 192 on 71x71 in
// half the time of F(2x2)); smaller maps keep F(2x2). Same values as the
// reference kernels either way.
TEST_F(Fusion, LargeWinogradMapsTakeFourByFourTiles)
{
    for (int64_t h : {64, 32}) {
        SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(h));
        Model m = Conv3x3ReluPool(1, 64, 64, h);
        Compare(m, "winograd convolution");
        std::string conv;
        for (const auto &s : Steps(m))
            if (s.compare(0, 5, "conv:") == 0)
                conv = s;
        if (conv.find("wino") == std::string::npos)
            GTEST_SKIP() << "no Winograd convolution on this CPU: " << conv;
        EXPECT_NE(conv.find(h == 64 ? "wino_4x3" : "wino_2x3"), std::string::npos) << conv;
    }
}

// EfficientNetV2's fused blocks: a 3x3 convolution followed by SiLU.
// Winograd takes no SiLU post-op; the convolution runs Winograd and the
// SiLU a step of its own, where a ReLU still fuses. Same values either way.
TEST_F(Fusion, WinogradConvolutionsLeaveOtherActivationsOut)
{
    for (int relu = 0; relu < 2; relu++) {
        SCOPED_TRACE(relu ? "relu" : "silu");
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {1, 32, 28, 28}}};
        ConvWeights(m, "c", 64, 32, 3, true);
        BnParams(m, "bn", 64);
        m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv", {Attr::Ints("pads", {1, 1, 1, 1})}}, Bn("bn", "a", "b")};
        if (relu)
            m.nodes.push_back({"Relu", {"b"}, {"y"}, "act"});
        else
            m.nodes.insert(m.nodes.end(), {{"Sigmoid", {"b"}, {"s"}, "act"}, {"Mul", {"b", "s"}, {"y"}, "act_mul"}});
        m.nodes.push_back({"MaxPool", {"y"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})}});
        m.outputs = {{"z", onnxb::FLOAT, {}, true}}; /* the activation read inside the network */
        Compare(m, "conv + activation");
        int winograd = 0, act_steps = 0;
        for (const auto &s : Steps(m)) {
            winograd += s.compare(0, 5, "conv:") == 0 && s.find("wino") != std::string::npos;
            act_steps += s.compare(0, 4, "act:") == 0 && s.find(":reorder:") == std::string::npos;
            act_steps += s == "conv:SiLU:pass:avx512"; /* SiLU as our pass (AVX-512 machines) */
        }
        EXPECT_EQ(winograd, 1);
        EXPECT_EQ(act_steps, relu ? 0 : 1);
    }
}

// SiLU after a convolution runs as our own pass over the convolution's
// output (model/prog_pass.c) on AVX-512 machines, to within 1e-6 of
// x * sigmoid(x) in double precision. The convolution is an identity (1x1,
// depthwise, weights 1, no bias), so the pass alone decides the values:
// the whole float range the exponential clamps (+-80), infinities, zeros,
// NaN; 24 channels (blocks padded to 32), element counts that leave a tail
// of a vector, and a map large enough to be split over the team; as the
// model's output (row-major) and inside the network (blocked, read by a
// MaxPool of one pixel). Maps under 8192 elements keep oneDNN's post-op.
TEST_F(Fusion, SiluAfterAConvolutionIsOurPass)
{
    struct Case {
        int64_t C, H, W;
        bool inner;
    };
    /* 24x19x19 = 8664 elements leave a tail of 8 as the (row-major)
     * output; 24x5x7 is below the pass's minimum (the post-op stays) */
    const Case cases[] = {{24, 19, 19, false}, {24, 19, 19, true}, {16, 64, 64, false}, {48, 33, 31, true},
                          {24, 5, 7, false}};
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    for (int isa = 2; isa >= 1; isa--)
    for (const Case &c : cases) {
        /* the AVX-512 pass, then the AVX2 one (HOSTACL_OWN_PASSES=avx2) */
        ScopedEnv which("HOSTACL_OWN_PASSES", isa == 1 ? "avx2" : "");
        const bool has = isa == 2 ? avx512 : avx2;
        const std::string impl = isa == 2 ? "conv:SiLU:pass:avx512" : "conv:SiLU:pass:avx2";
        SCOPED_TRACE(std::to_string(c.C) + "x" + std::to_string(c.H) + "x" + std::to_string(c.W) +
                     (c.inner ? " inside" : " output") + (isa == 2 ? " avx512" : " avx2"));
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {1, c.C, c.H, c.W}}};
        m.inits.push_back({"w", onnxb::FLOAT, {c.C, 1, 1, 1}, onnxb::Floats(std::vector<float>((size_t)c.C, 1.0f))});
        m.nodes = {{"Conv", {"x", "w"}, {"a"}, "conv", {Attr::Int("group", c.C)}},
                   {"Sigmoid", {"a"}, {"s"}, "sig"},
                   {"Mul", {"a", "s"}, {"y"}, "mul"}};
        if (c.inner)
            m.nodes.push_back({"MaxPool", {"y"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {1, 1})}});
        m.outputs = {{c.inner ? "z" : "y", onnxb::FLOAT, {}, true}};
        size_t n = (size_t)(c.C * c.H * c.W);
        std::vector<float> x(n);
        std::uniform_real_distribution<float> wide(-100, 100), near(-12, 12);
        for (size_t i = 0; i < n; i++)
            x[i] = i % 3 ? near(rng) : wide(rng);
        const float special[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 79.9f, -79.9f, 80.5f, -80.5f, 88.7f, -88.7f, 1e30f, -1e30f,
                                 INFINITY, -INFINITY, NAN, 0.5f, -0.5f, 15.9f, -15.9f};
        for (size_t i = 0; i < sizeof special / sizeof *special; i++)
            if (!((std::isnan(special[i]) || special[i] == -INFINITY) && c.inner)) /* a max pool's NaN is its own matter */
                x[(i * 37) % n] = special[i];
        auto y = Run(m, {onnxb::Floats(x)});
        ASSERT_EQ(y.size(), 1u);
        ASSERT_EQ(y[0].size(), n);
        for (size_t i = 0; i < n; i++) {
            double v = x[i], want = v / (1.0 + exp(-v));
            if (std::isnan(v) || v == -INFINITY) { /* -inf * Sigmoid(-inf) = -inf * 0 */
                EXPECT_TRUE(std::isnan(y[0][i])) << "element " << i;
                continue;
            }
            if (v < -80)
                want = 0; /* below the clamp: zero */
            if (std::isinf(want))
                ASSERT_EQ(y[0][i], want) << "element " << i;
            else
                ASSERT_NEAR(y[0][i], want, 1e-6 * fabs(want) + 1e-30) << "element " << i << " x " << x[i];
        }
        int passes = 0;
        for (const auto &s : Steps(m))
            passes += s == impl;
        EXPECT_EQ(passes, has && n >= 8192 ? 1 : 0);
    }
}

// The same pass on a bfloat16 map (allow_bf16 on a CPU with bfloat16):
// the convolution writes bfloat16 and the pass reads and writes it in
// place, rounding to nearest even. Each value must be SiLU of the input
// rounded to bfloat16, rounded to bfloat16 (all but a few within 1%
// exactly, the rest a unit in the last place away: our SiLU is not exact
// to the last bit of float32 at a rounding tie). Both conversions: the
// CPU's (AVX512_BF16, 32 values a step) and our integer rounding.
TEST_F(Fusion, SiluPassInBfloat16RoundsToNearestEven)
{
    std::ifstream cpu("/proc/cpuinfo");
    std::string text((std::istreambuf_iterator<char>(cpu)), std::istreambuf_iterator<char>());
    if (text.find("avx512_bf16") == std::string::npos)
        GTEST_SKIP() << "no bfloat16 on this CPU: allow_bf16 computes in float32 anyway";
    /* the CPU's conversion (AVX512_BF16), then our integer rounding */
    for (const char *conv : {"", "avx512"}) {
    SCOPED_TRACE(*conv ? "integer rounding" : "cpu conversion");
    ScopedEnv which("HOSTACL_OWN_PASSES", conv);
    const int64_t C = 48, H = 33, W = 31;
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, H, W}}};
    m.inits.push_back({"w", onnxb::FLOAT, {C, 1, 1, 1}, onnxb::Floats(std::vector<float>((size_t)C, 1.0f))});
    m.nodes = {{"Conv", {"x", "w"}, {"a"}, "conv", {Attr::Int("group", C)}},
               {"Sigmoid", {"a"}, {"s"}, "sig"},
               {"Mul", {"a", "s"}, {"y"}, "mul"},
               {"MaxPool", {"y"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {1, 1})}}};
    m.outputs = {{"z", onnxb::FLOAT, {}, true}};
    size_t n = (size_t)(C * H * W);
    std::vector<float> x(n);
    std::uniform_real_distribution<float> wide(-100, 100), near(-12, 12);
    for (size_t i = 0; i < n; i++)
        x[i] = i % 3 ? near(rng) : wide(rng);
    const float special[] = {0.0f, -0.0f, 1e30f, -1e30f, INFINITY, 79.9f, -79.9f, 88.7f, -88.7f};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        x[(i * 37) % n] = special[i];
    uint32_t id = LoadWithPrecision(onnxb::Serialize(m), "allow_bf16");
    std::vector<hacl_prog_step> st(64);
    long ns = hacl_model_steps(id, st.data(), st.size());
    int passes = 0;
    for (long i = 0; i < ns; i++)
        passes += !strcmp(st[i].node, "conv") && !strcmp(st[i].kind, "SiLU") && !strcmp(st[i].impl, "pass:avx512");
    EXPECT_EQ(passes, 1);
    std::vector<float> y = ExecuteAndUnload(id, onnxb::Floats(x));
    ASSERT_EQ(y.size(), n);
    size_t inexact = 0;
    for (size_t i = 0; i < n; i++) {
        double v = Bf16(x[i]);
        double want = v < -80 ? 0.0 : std::isinf(v) ? v : Bf16((float)(v / (1.0 + exp(-v))));
        if (std::isinf(want)) {
            ASSERT_EQ(y[i], want) << "element " << i;
            continue;
        }
        if (v < -80) {
            ASSERT_NEAR(y[i], 0.0, 1e-30) << "element " << i;
            continue;
        }
        inexact += y[i] != (float)want;
        ASSERT_NEAR(y[i], want, fabs(want) / 128 + 1e-30) << "element " << i << " x " << x[i];
    }
    EXPECT_LT(inexact, n / 100);
    }
}

// GELU after a MatMul (a transformer MLP's first layer, as exporters write
// it: x * (1 + Erf(x / sqrt 2)) * 0.5) runs as our pass over the product
// on AVX-512 machines, within 1e-6 (times |x| beyond 1) of GELU in double
// precision: the product is an identity (weights the unit matrix), so the
// pass alone decides the values. Rank 2 and rank 3 (the product then runs
// over a 2-D view); under allow_bf16 the product reads bfloat16 inputs and
// the values are GELU of those.
TEST_F(Fusion, GeluAfterAMatMulIsOurPass)
{
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f");
    const int64_t K = 96;
    std::vector<float> eye((size_t)(K * K), 0.0f);
    for (int64_t i = 0; i < K; i++)
        eye[(size_t)(i * K + i)] = 1.0f;
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    for (int isa = 2; isa >= 1; isa--)
    for (int variant = 0; variant < 3; variant++) {
        /* the AVX-512 pass, then the AVX2 one (float32 maps only) */
        ScopedEnv which("HOSTACL_OWN_PASSES", isa == 1 ? "avx2" : "");
        const bool rank3 = variant == 1, b16 = variant == 2;
        const bool has = isa == 2 ? avx512 : avx2 && !b16;
        SCOPED_TRACE(std::string(rank3 ? "rank 3" : b16 ? "allow_bf16" : "rank 2") + (isa == 2 ? " avx512" : " avx2"));
        Model m;
        std::vector<int64_t> dims = rank3 ? std::vector<int64_t>{2, 48, K} : std::vector<int64_t>{96, K};
        m.inputs = {{"x", onnxb::FLOAT, dims}};
        m.inits = {{"w", onnxb::FLOAT, {K, K}, onnxb::Floats(eye)},
                   {"sqrt2", onnxb::FLOAT, {}, onnxb::Floats({1.41421356f})},
                   {"one", onnxb::FLOAT, {}, onnxb::Floats({1.0f})},
                   {"half", onnxb::FLOAT, {}, onnxb::Floats({0.5f})}};
        m.nodes = {{"MatMul", {"x", "w"}, {"t"}, "fc"},
                   {"Div", {"t", "sqrt2"}, {"d"}, "div"},
                   {"Erf", {"d"}, {"e"}, "erf"},
                   {"Add", {"e", "one"}, {"f"}, "add"},
                   {"Mul", {"t", "f"}, {"g"}, "mul"},
                   {"Mul", {"g", "half"}, {"y"}, "mul2"}};
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        size_t n = 96 * (size_t)K;
        std::vector<float> x(n);
        std::uniform_real_distribution<float> near(-10, 10);
        for (auto &v : x)
            v = near(rng);
        const float special[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 5.65685f, -5.65685f, 6.0f, -6.0f, 1e4f, -1e4f, 0.5f};
        for (size_t i = 0; i < sizeof special / sizeof *special; i++)
            x[(i * 37) % n] = special[i];
        std::string bytes = onnxb::Serialize(m);
        uint32_t id = LoadWithPrecision(bytes, b16 ? "allow_bf16" : "force_fp32");
        std::vector<hacl_prog_step> st(64);
        long ns = hacl_model_steps(id, st.data(), st.size());
        int passes = 0;
        for (long i = 0; i < ns; i++)
            passes += !strcmp(st[i].node, "fc") && !strcmp(st[i].kind, "GELU") &&
                      !strcmp(st[i].impl, isa == 2 ? "pass:avx512" : "pass:avx2");
        EXPECT_EQ(passes, has ? 1 : 0);
        std::vector<float> y = ExecuteAndUnload(id, onnxb::Floats(x));
        ASSERT_EQ(y.size(), n);
        for (size_t i = 0; i < n; i++) {
            double v = b16 ? Bf16(x[i]) : x[i], want = 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
            ASSERT_NEAR(y[i], want, 1e-6 * std::max(1.0, fabs(v))) << "element " << i << " x " << x[i];
        }
    }
}

// Windows larger than the input they slide over, as in s3d's 3x3x3 max
// pools over two frames padded by one on each side: legal, every window
// overlaps the input, and they run on oneDNN (they took 7.5 ms each in C).
// Max and average (padding not counted) in 3-D and 2-D; same values as the
// reference kernels.
TEST_F(Fusion, PoolWindowsWiderThanTheirInputRunOnDnnl)
{
    for (int variant = 0; variant < 3; variant++) {
        SCOPED_TRACE(variant);
        Model m;
        std::vector<Attr> attrs;
        if (variant == 0) {
            m.inputs = {{"x", onnxb::FLOAT, {1, 32, 2, 7, 7}}};
            attrs = {Attr::Ints("kernel_shape", {3, 3, 3}), Attr::Ints("pads", {1, 1, 1, 1, 1, 1})};
        } else {
            m.inputs = {{"x", onnxb::FLOAT, {1, 16, 3, 2}}};
            attrs = {Attr::Ints("kernel_shape", {5, 3}), Attr::Ints("pads", {2, 1, 2, 1})};
        }
        m.nodes = {{"Elu", {"x"}, {"xe"}, "pre"}, /* the pool reads work memory, as in a network */
                   {variant == 2 ? "AveragePool" : "MaxPool", {"xe"}, {"y"}, "pool", attrs},
                   {"Relu", {"y"}, {"z"}, "after"}};
        m.outputs = {{"z", onnxb::FLOAT, {}, true}};
        Compare(m, "wide window");
        ExpectOnDnnl(m, {"pool"});
    }
}

// torch exports q, k and v taken out of a stacked projection as Gathers of
// one constant index, and Dropout with a named mask nothing reads; swin_t
// pads its maps to whole windows by nothing: all are views of their input
// (no step, no copy) when the bytes they keep are one run of it; a Gather
// along an axis with something before it is not one run and still copies,
// a Pad by something still pads, a mask that is read is still computed.
TEST_F(Fusion, OneIndexGathersUnreadDropoutMasksAndZeroPadsAreViews)
{
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    const int BOOL = 9;
    for (int variant = 0; variant < 2; variant++) {
        SCOPED_TRACE(variant);
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {3, 4, 5}}};
        m.inits = {{"i1", onnxb::INT64, {}, i64({1})},
                   {"in1", onnxb::INT64, {1}, i64({-1})},
                   {"ratio", onnxb::FLOAT, {}, onnxb::Floats({0.5f})},
                   {"train", BOOL, {}, std::string(1, '\0')},
                   {"zero_pads", onnxb::INT64, {6}, i64({0, 0, 0, 0, 0, 0})},
                   {"pads", onnxb::INT64, {6}, i64({0, 0, 1, 0, 0, 0})}};
        m.nodes = {{"Elu", {"x"}, {"xe"}, "pre"},
                   {"Gather", {"xe", "i1"}, {"g0"}, "q", {Attr::Int("axis", 0)}},
                   {"Gather", {"xe", "in1"}, {"g1"}, "k", {Attr::Int("axis", 0)}},
                   {"Gather", {"xe", "i1"}, {"g2"}, "across", {Attr::Int("axis", 1)}},
                   {"Dropout", {"g0", "ratio", "train"}, {"d", "mask"}, "drop"},
                   {"Relu", {"d"}, {"y0"}, "r0"},
                   {"Relu", {"g1"}, {"y1"}, "r1"},
                   {"Relu", {"g2"}, {"y2"}, "r2"},
                   {"Pad", {"xe", "zero_pads"}, {"p0"}, "no_pad"},
                   {"Pad", {"xe", "pads"}, {"p1"}, "pad"},
                   {"Add", {"p0", "p0"}, {"y3"}, "r3"},
                   {"Relu", {"p1"}, {"y4"}, "r4"}};
        m.outputs = {{"y0", onnxb::FLOAT, {}, true}, {"y1", onnxb::FLOAT, {}, true}, {"y2", onnxb::FLOAT, {}, true},
                     {"y3", onnxb::FLOAT, {}, true}, {"y4", onnxb::FLOAT, {}, true}};
        if (variant == 1) { /* the mask read: Dropout computes it */
            m.nodes.push_back({"Cast", {"mask"}, {"mf"}, "mask_read", {Attr::Int("to", 1)}});
            m.outputs.push_back({"mf", onnxb::FLOAT, {}, true});
        }
        Compare(m, variant ? "mask read" : "views");
        if (variant == 0)
            ExpectFused(m, {"q", "k", "drop", "no_pad"}, {"across", "r0", "r1", "pad", "r3"});
        else
            ExpectFused(m, {"q", "k", "no_pad"}, {"across", "drop", "pad"});
    }
}

// A classifier's head under allow_bf16: the spatial mean (keepdims 0) of a
// bfloat16 map pools on oneDNN into a row-major bfloat16 buffer that the
// bfloat16 linear layer reads as it is: no conversion step for the mean
// and no C kernel (mnasnet0_5 converted the map to float32 and averaged
// in C); the scores stay within bfloat16's error of float32.
TEST_F(Fusion, Bfloat16SpatialMeansPoolInBfloat16)
{
    std::ifstream cpu("/proc/cpuinfo");
    std::string text((std::istreambuf_iterator<char>(cpu)), std::istreambuf_iterator<char>());
    if (text.find("avx512_bf16") == std::string::npos)
        GTEST_SKIP() << "no bfloat16 on this CPU: allow_bf16 computes in float32 anyway";
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 32, 7, 7}}};
    ConvWeights(m, "c", 64, 32, 1, true);
    m.inits.push_back({"axes", onnxb::INT64, {2}, i64({2, 3})});
    m.inits.push_back({"fc_w", onnxb::FLOAT, {10, 64}, Rand(640, rng)});
    m.inits.push_back({"fc_b", onnxb::FLOAT, {10}, Rand(10, rng)});
    m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv"},
               {"Relu", {"a"}, {"ar"}, "relu"},
               {"ReduceMean", {"ar", "axes"}, {"pooled"}, "mean", {Attr::Int("keepdims", 0)}},
               {"Gemm", {"pooled", "fc_w", "fc_b"}, {"y"}, "fc", {Attr::Int("transB", 1)}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t b16 = LoadWithPrecision(bytes, "allow_bf16"), f32 = LoadWithPrecision(bytes, "force_fp32");
    std::vector<hacl_prog_step> st(64);
    long n = hacl_model_steps(b16, st.data(), st.size());
    int means = 0;
    for (long i = 0; i < n; i++) {
        if (strcmp(st[i].node, "mean") && strcmp(st[i].node, "fc"))
            continue;
        EXPECT_STRNE(st[i].kind, "reorder") << st[i].node;
        EXPECT_EQ(strstr(st[i].impl, "C kernel"), nullptr) << st[i].node;
        means += !strcmp(st[i].node, "mean");
    }
    EXPECT_EQ(means, 1);
    std::string x = Rand(32 * 49, rng);
    std::vector<std::vector<float>> out = {ExecuteAndUnload(b16, x), ExecuteAndUnload(f32, x)};
    ASSERT_EQ(out[0].size(), out[1].size());
    ASSERT_EQ(out[0].size(), 10u);
    for (size_t i = 0; i < out[0].size(); i++)
        ASSERT_NEAR(out[0][i], out[1][i], 0.05 + 0.02 * fabs(out[1][i])) << i;
}

// RegNetY's squeeze-and-excitation after a grouped convolution of 8
// channels per group (whose output comes in 8-channel blocks, for which
// oneDNN has no fast binary kernel): the product by the computed factors
// is one reorder into the next convolution's layout with the factors as
// run-time per-channel scales, no binary and no conversion around it.
// 48 channels (16-channel blocks) and 104 (channels-last); same values as
// the reference kernels, on the team and on one thread.
TEST_F(Fusion, ExcitationAfterGroupedConvolutionsIsOneScalingReorder)
{
    for (int64_t C : {48, 104}) {
        SCOPED_TRACE(C);
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {1, C, 14, 14}}};
        ConvWeights(m, "g", C, 8, 3, true);
        ConvWeights(m, "c", C, C, 1, true);
        m.nodes = {{"Conv", {"x", "g_w", "g_b"}, {"a"}, "grouped", {Attr::Int("group", C / 8), Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Relu", {"a"}, {"ar"}, "relu"}};
        Excitation(m, C, 12);
        m.nodes.push_back({"Conv", {"scaled", "c_w", "c_b"}, {"y"}, "project"});
        m.nodes.push_back({"MaxPool", {"y"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})}});
        m.outputs = {{"z", onnxb::FLOAT, {}, true}}; /* the projection read inside the network */
        Compare(m, "excitation");
        {
            ScopedEnv one("HOSTACL_ADAPTIVE_THREADS", "one");
            Compare(m, "excitation on one thread");
        }
        int excite = 0, converted = 0;
        for (const auto &s : Steps(m)) {
            excite += s.compare(0, 7, "excite:") == 0 && s.find(":reorder:") == std::string::npos;
            converted += s.compare(0, 15, "excite:reorder:") == 0 || s.compare(0, 16, "project:reorder:") == 0;
            if (s.compare(0, 7, "excite:") == 0) {
                EXPECT_NE(s.find(":Mul:"), std::string::npos) << s;
            }
        }
        EXPECT_EQ(excite, 1);
        EXPECT_EQ(converted, 0);
    }
}

// ConvNeXt's blocks: a depthwise convolution, a Transpose to
// channels-last, linear layers over the channels, a Transpose back and the
// residual Add. The convolution writes channels-last, so the first
// Transpose is its bytes as they are, and the second is a view of the
// linear layer's row-major output: neither is a step. Same values as the
// reference kernels.
TEST_F(Fusion, ChannelsLastRoundTripsAreViews)
{
    const int64_t C = 32, H = 14;
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
    ConvWeights(m, "dw", C, 1, 7, true);
    m.inits.push_back({"w1", onnxb::FLOAT, {C, 2 * C}, Rand((size_t)(2 * C * C), rng)});
    m.inits.push_back({"w2", onnxb::FLOAT, {2 * C, C}, Rand((size_t)(2 * C * C), rng)});
    m.nodes = {{"Elu", {"x"}, {"xe"}, "pre"},
               {"Conv", {"xe", "dw_w", "dw_b"}, {"a"}, "dw", {Attr::Int("group", C), Attr::Ints("pads", {3, 3, 3, 3})}},
               {"Transpose", {"a"}, {"t"}, "to_last", {Attr::Ints("perm", {0, 2, 3, 1})}},
               {"MatMul", {"t", "w1"}, {"h"}, "fc1"},
               {"Relu", {"h"}, {"hr"}, "act"},
               {"MatMul", {"hr", "w2"}, {"o"}, "fc2"},
               {"Transpose", {"o"}, {"ob"}, "to_first", {Attr::Ints("perm", {0, 3, 1, 2})}},
               {"Add", {"ob", "xe"}, {"r"}, "residual"},
               {"Relu", {"r"}, {"y"}, "post"}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    Compare(m, "round trip");
    ExpectFused(m, {"to_last", "to_first"}, {"dw", "fc1", "fc2", "residual"});
}

// Under allow_bf16 on a CPU with AMX, oneDNN multiplies bfloat16 on tiles
// only in the channels-last layout: an Inception-style block (branches
// concatenated along channels) keeps its convolutions on the AMX kernels
// instead of the 16-channel blocked layout other bfloat16 CPUs use for such
// graphs; a DenseNet-style block (a BatchNormalization reading the
// concatenation) computes in float32, faster there than either bfloat16
// layout (docs/semantics.md, Models).
TEST_F(Fusion, Bfloat16ConcatenationsUseTheTilesOfAnAmxCpu)
{
    if (!CpuHasAmx())
        GTEST_SKIP() << "no AMX on this CPU";
    for (int dense = 0; dense < 2; dense++) {
        SCOPED_TRACE(dense ? "BatchNormalization after the Concat" : "Conv after the Concat");
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {1, 32, 28, 28}}};
        ConvWeights(m, "a", 64, 32, 1, true);
        ConvWeights(m, "b", 64, 32, 3, true);
        ConvWeights(m, "c", 64, 128, 1, true);
        m.nodes = {{"Conv", {"x", "a_w", "a_b"}, {"ya"}, "a"},
                   {"Conv", {"x", "b_w", "b_b"}, {"yb"}, "b", {Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Concat", {"ya", "yb"}, {"cat"}, "cat", {Attr::Int("axis", 1)}}};
        std::string cin = "cat";
        if (dense) {
            BnParams(m, "bn", 128);
            m.nodes.push_back(Bn("bn", "cat", "n"));
            m.nodes.push_back({"Relu", {"n"}, {"r"}, "relu"});
            cin = "r";
        }
        m.nodes.push_back({"Conv", {cin, "c_w", "c_b"}, {"yc"}, "c"});
        m.nodes.push_back({"MaxPool", {"yc"}, {"y"}, "pool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})}});
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        std::string bytes = onnxb::Serialize(m);
        uint32_t b16 = LoadWithPrecision(bytes, "allow_bf16"), f32 = LoadWithPrecision(bytes, "force_fp32");
        int convs = 0;
        for (const hacl_prog_step &st : ProgSteps(b16))
            if (!strncmp(st.kind, "Conv", 4)) {
                convs++;
                if (dense)
                    EXPECT_EQ(strstr(st.impl, "bf16"), nullptr) << st.node << " " << st.impl;
                else
                    EXPECT_NE(strstr(st.impl, "amx"), nullptr) << st.node << " " << st.impl;
            }
        EXPECT_EQ(convs, 3);
        std::string x = Rand(32 * 28 * 28, rng);
        std::vector<float> yb = ExecuteAndUnload(b16, x), yf = ExecuteAndUnload(f32, x);
        ASSERT_EQ(yb.size(), yf.size());
        EXPECT_LT(RelL2(yb, yf), dense ? 1e-5 : 2e-2);
    }
}

// Under allow_bf16 with AMX, a video model's first layer (a 3-D
// convolution of 3 input channels) computes in float32: oneDNN's AMX
// kernels for it are 2.5-3x slower than float32's and take 12-50 ms to
// generate. The next 3-D convolution (64 input channels) and a 2-D first
// layer stay on AMX (docs/semantics.md, Models).
TEST_F(Fusion, VideoStemsComputeInFloat32OnAnAmxCpu)
{
    if (!CpuHasAmx())
        GTEST_SKIP() << "no AMX on this CPU";
    for (int video = 0; video < 2; video++) {
        SCOPED_TRACE(video ? "3-D" : "2-D");
        Model m;
        std::vector<int64_t> in = {1, 3, 4, 32, 32}, k = {3, 7, 7}, pads = {1, 3, 3, 1, 3, 3}, st = {1, 2, 2};
        std::vector<int64_t> k2 = {1, 3, 3}, pads2 = {0, 1, 1, 0, 1, 1}, pool = {1, 2, 2};
        if (!video) {
            in.erase(in.begin() + 2);
            k = {7, 7}, pads = {3, 3, 3, 3}, st = {2, 2}, k2 = {3, 3}, pads2 = {1, 1, 1, 1}, pool = {2, 2};
        }
        m.inputs = {{"x", onnxb::FLOAT, in}};
        std::vector<int64_t> w1 = {64, 3}, w2 = {64, 64};
        w1.insert(w1.end(), k.begin(), k.end());
        w2.insert(w2.end(), k2.begin(), k2.end());
        m.inits = {{"w1", onnxb::FLOAT, w1, Rand(Count(w1), rng, -0.2f, 0.2f)},
                   {"w2", onnxb::FLOAT, w2, Rand(Count(w2), rng, -0.05f, 0.05f)}};
        m.nodes = {{"Conv", {"x", "w1"}, {"a"}, "stem", {Attr::Ints("pads", pads), Attr::Ints("strides", st)}},
                   {"Relu", {"a"}, {"r"}, "relu"},
                   {"Conv", {"r", "w2"}, {"c"}, "next", {Attr::Ints("pads", pads2)}},
                   {"MaxPool", {"c"}, {"y"}, "pool", {Attr::Ints("kernel_shape", pool), Attr::Ints("strides", pool)}}};
        m.outputs = {{"y", onnxb::FLOAT, {}, true}};
        std::string bytes = onnxb::Serialize(m);
        uint32_t b16 = LoadWithPrecision(bytes, "allow_bf16"), f32 = LoadWithPrecision(bytes, "force_fp32");
        int convs = 0;
        for (const hacl_prog_step &s : ProgSteps(b16))
            if (!strncmp(s.kind, "Conv", 4)) {
                convs++;
                bool amx = strstr(s.impl, "amx") != nullptr, bf16 = strstr(s.impl, "bf16") != nullptr;
                if (video && !strcmp(s.node, "stem"))
                    EXPECT_FALSE(amx || bf16) << s.node << " " << s.impl;
                else
                    EXPECT_TRUE(amx) << s.node << " " << s.impl;
            }
        EXPECT_EQ(convs, 2);
        std::string x = Rand(Count(in), rng);
        std::vector<float> yb = ExecuteAndUnload(b16, x), yf = ExecuteAndUnload(f32, x);
        ASSERT_EQ(yb.size(), yf.size());
        EXPECT_LT(RelL2(yb, yf), 2e-2);
    }
}

// DeepLab's atrous pyramid: a 3x3 convolution dilated by 24 on a 14x14 map
// reads nothing but padding with its eight outer taps. They are dropped:
// the step runs as a 1x1 convolution, with the same result.
TEST_F(Fusion, TapsThatReadOnlyPaddingAreDropped)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 32, 14, 14}}};
    ConvWeights(m, "c", 32, 32, 3, true);
    m.nodes = {{"Conv", {"x", "c_w", "c_b"}, {"a"}, "conv", {Attr::Ints("dilations", {24, 24}), Attr::Ints("pads", {24, 24, 24, 24})}},
               {"Relu", {"a"}, {"r"}, "act"},
               {"MaxPool", {"r"}, {"y"}, "pool", {Attr::Ints("kernel_shape", {2, 2}), Attr::Ints("strides", {2, 2})}}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}};
    Compare(m, "dilation 24 on 14x14");
    std::string bytes = onnxb::Serialize(m);
    for (const char *mode : {"force_fp32", "allow_bf16"}) {
        uint32_t id = LoadWithPrecision(bytes, mode);
        int convs = 0;
        for (const hacl_prog_step &st : ProgSteps(id))
            if (!strcmp(st.node, "conv") && strcmp(st.kind, "reorder") != 0) {
                convs++;
                EXPECT_NE(strstr(st.impl, "1x1"), nullptr) << mode << " " << st.impl;
            }
        EXPECT_EQ(convs, 1);
        EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    }
}

// EfficientNet's and MobileNetV3's excitation: the map times per-channel
// factors computed from it, read by a 1x1 projection alone. Where the
// projection's weights are well under the map, the product is no step:
// the factors scale the weights (each input channel's) as they are
// converted for the convolution, every execution. Where they are not (7x7
// maps), the product stays a step. Same values as the reference kernels.
TEST_F(Fusion, ExcitationScalesTheNextConvolutionsWeights)
{
    for (int64_t H : {28, 7}) {
        SCOPED_TRACE(H);
        const int64_t C = 32, M = 32; /* 2 M > 49: the product stays at 7x7 */
        Model m;
        m.inputs = {{"x", onnxb::FLOAT, {1, C, H, H}}};
        ConvWeights(m, "dw", C, 1, 3, true);
        ConvWeights(m, "c", M, C, 1, true);
        m.nodes = {{"Conv", {"x", "dw_w", "dw_b"}, {"a"}, "dw", {Attr::Int("group", C), Attr::Ints("pads", {1, 1, 1, 1})}},
                   {"Relu", {"a"}, {"ar"}, "relu"}};
        Excitation(m, C, 8);
        m.nodes.push_back({"Conv", {"scaled", "c_w", "c_b"}, {"y"}, "project"});
        m.nodes.push_back({"MaxPool", {"y"}, {"z"}, "pool", {Attr::Ints("kernel_shape", {1, 1})}});
        m.outputs = {{"z", onnxb::FLOAT, {}, true}};
        Compare(m, "excitation");
        {
            ScopedEnv one("HOSTACL_ADAPTIVE_THREADS", "one");
            Compare(m, "excitation on one thread");
        }
        int excite = 0, scaled = 0;
        for (const auto &s : Steps(m)) {
            excite += s.compare(0, 7, "excite:") == 0;
            scaled += s.find(":Mul>weights:") != std::string::npos;
        }
        EXPECT_EQ(excite, H == 28 ? 0 : 1);
        EXPECT_EQ(scaled, H == 28 ? 1 : 0);
        /* in bfloat16 too, within its error of float32 */
        std::string bytes = onnxb::Serialize(m), x = Rand((size_t)(C * H * H), rng);
        std::vector<float> yb = ExecuteAndUnload(LoadWithPrecision(bytes, "allow_bf16"), x);
        std::vector<float> yf = ExecuteAndUnload(LoadWithPrecision(bytes, "force_fp32"), x);
        ASSERT_EQ(yb.size(), yf.size());
        EXPECT_LT(RelL2(yb, yf), 2e-2);
    }
}

// Model arithmetic flushes denormal floats to zero, results and operands
// (an Intel core takes ~100 cycles per operation on one: docs/semantics.md,
// Models); HOSTACL_DENORMALS=keep, set before the compute thread starts,
// keeps IEEE gradual underflow.
TEST_F(Fusion, DenormalsAreFlushedToZeroUnlessKept)
{
    Model m;
    m.inputs = {{"x", onnxb::FLOAT, {1, 16}}};
    m.inits = {{"k", onnxb::FLOAT, {}, onnxb::Floats({1e-20f})}, {"big", onnxb::FLOAT, {}, onnxb::Floats({1e10f})}};
    m.nodes = {{"Mul", {"x", "k"}, {"y"}, "tiny"}, {"Mul", {"x", "big"}, {"z"}, "large"}};
    m.outputs = {{"y", onnxb::FLOAT, {}, true}, {"z", onnxb::FLOAT, {}, true}};
    std::vector<float> x(16, 1.0f);
    x[0] = 1e-20f, x[1] = -3e-19f, x[2] = 1e-40f; /* x[2] itself denormal */
    std::string bytes((const char *)x.data(), x.size() * sizeof(float));
    for (int keep = 0; keep < 2; keep++) {
        SCOPED_TRACE(keep ? "kept" : "flushed");
        std::unique_ptr<ScopedEnv> env;
        if (keep) {
            /* the compute thread starts again, after aclFinalize */
            ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
            env.reset(new ScopedEnv("HOSTACL_DENORMALS", "keep"));
            ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
            ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
        }
        std::vector<std::vector<float>> out = RunModel(m, {bytes}, RunOptions());
        ASSERT_EQ(out.size(), 2u);
        float y0 = out[0][0], y1 = out[0][1], z2 = out[1][2];
        if (keep) {
            EXPECT_EQ(y0, 1e-20f * 1e-20f);
            EXPECT_EQ(y1, -3e-19f * 1e-20f);
            EXPECT_NE(z2, 0.0f);
            EXPECT_NEAR(z2, 1e-30f, 1e-35f);
        } else {
            EXPECT_EQ(y0, 0.0f);
            EXPECT_EQ(y1, 0.0f);
            EXPECT_EQ(z2, 0.0f);
        }
        EXPECT_EQ(out[0][3], 1e-20f);
        EXPECT_EQ(out[1][3], 1e10f);
        if (keep) {
            ASSERT_EQ(aclFinalize(), ACL_SUCCESS);
            env.reset();
            ASSERT_EQ(aclInit(nullptr), ACL_SUCCESS);
            ASSERT_EQ(aclrtSetDevice(0), ACL_SUCCESS);
        }
    }
}
