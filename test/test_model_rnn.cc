// Recurrent operators: the fast path (float32, default activations, an
// RNN's Relu) and the general path agree. A huge clip changes no value but
// sends the same node down the general path, so each model is compared with
// its twin, across cells (RNN, GRU with and without linear_before_reset,
// LSTM), directions, layouts, biases, initial states, hidden sizes (the
// recurrent product's 128-column blocks, 16-column strips and single
// columns) and R as a constant (transposed once when the model is compiled)
// or as a model input (transposed on every run).
#include <cmath>
#include <random>

#include "onnx_builder.h"
#include "test_util.h"

using onnxb::Attr;
using onnxb::Model;

namespace {

struct Case {
    const char *op;
    int dirs, layout, lbr;
    bool bias, init;
    int64_t hidden = 6;
    bool relu = false, r_input = false;
};

std::vector<float> Random(size_t n, std::mt19937 &g, float scale)
{
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (auto &x : v)
        x = d(g);
    return v;
}

// Runs the cell once; every output (Y, Y_h and, for LSTM, Y_c) concatenated.
std::vector<float> RunCell(const Case &c, bool general)
{
    const int64_t T = 7, B = 3, I = 5, H = c.hidden;
    int G = !strcmp(c.op, "LSTM") ? 4 : !strcmp(c.op, "GRU") ? 3 : 1;
    std::mt19937 g(42);
    Model m;
    std::vector<int64_t> xd = c.layout ? std::vector<int64_t>{B, T, I} : std::vector<int64_t>{T, B, I};
    std::vector<int64_t> hd = c.layout ? std::vector<int64_t>{B, c.dirs, H} : std::vector<int64_t>{c.dirs, B, H};
    std::vector<int64_t> yd = c.layout ? std::vector<int64_t>{B, T, c.dirs, H} : std::vector<int64_t>{T, c.dirs, B, H};
    m.inputs = {{"x", onnxb::FLOAT, xd}};
    m.inits.push_back({"w", onnxb::FLOAT, {c.dirs, G * H, I}, onnxb::Floats(Random((size_t)(c.dirs * G * H * I), g, 0.5f))});
    std::vector<float> r = Random((size_t)(c.dirs * G * H * H), g, 0.5f);
    if (c.r_input)
        m.inputs.push_back({"r", onnxb::FLOAT, {c.dirs, G * H, H}});
    else
        m.inits.push_back({"r", onnxb::FLOAT, {c.dirs, G * H, H}, onnxb::Floats(r)});
    std::vector<std::string> ins = {"x", "w", "r"};
    if (c.bias || c.init) {
        ins.push_back(c.bias ? "b" : "");
        if (c.bias)
            m.inits.push_back({"b", onnxb::FLOAT, {c.dirs, 2 * G * H}, onnxb::Floats(Random((size_t)(c.dirs * 2 * G * H), g, 0.3f))});
    }
    if (c.init) {
        ins.push_back("");
        ins.push_back("h0");
        m.inits.push_back({"h0", onnxb::FLOAT, hd, onnxb::Floats(Random((size_t)(c.dirs * B * H), g, 0.8f))});
        if (G == 4) {
            ins.push_back("c0");
            m.inits.push_back({"c0", onnxb::FLOAT, hd, onnxb::Floats(Random((size_t)(c.dirs * B * H), g, 0.8f))});
        }
    }
    std::vector<std::string> outs = {"y", "yh"};
    m.outputs = {{"y", onnxb::FLOAT, yd}, {"yh", onnxb::FLOAT, hd}};
    if (G == 4) {
        outs.push_back("yc");
        m.outputs.push_back({"yc", onnxb::FLOAT, hd});
    }
    std::vector<Attr> attrs = {Attr::Int("hidden_size", H), Attr::Int("layout", c.layout)};
    if (c.dirs == 2)
        attrs.push_back(Attr::Str("direction", "bidirectional"));
    if (G == 3)
        attrs.push_back(Attr::Int("linear_before_reset", c.lbr));
    if (general)
        attrs.push_back(Attr::Float("clip", 1e30f));
    if (c.relu)
        attrs.push_back(Attr::Strs("activations", std::vector<std::string>((size_t)c.dirs, "Relu")));
    m.nodes = {{c.op, ins, outs, "cell", attrs}};
    std::string bytes = onnxb::Serialize(m);
    uint32_t id = 0;
    EXPECT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << TakeErrMsg();
    aclmdlDesc *desc = aclmdlCreateDesc();
    EXPECT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
    std::vector<float> all;
    {
        Io io(desc);
        std::vector<float> x = Random((size_t)(T * B * I), g, 1.5f);
        io.SetInput(0, x.data(), x.size() * 4);
        if (c.r_input)
            io.SetInput(1, r.data(), r.size() * 4);
        io.PoisonOutputs();
        EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
        for (size_t o = 0; o < outs.size(); o++) {
            std::vector<float> v = io.Output(o);
            all.insert(all.end(), v.begin(), v.end());
        }
    }
    aclmdlDestroyDesc(desc);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    return all;
}

} // namespace

using Recurrent = DeviceTest;

TEST_F(Recurrent, FastPathAgreesWithTheGeneralOne)
{
    const Case cases[] = {
        {"RNN", 1, 0, 0, false, false}, {"RNN", 2, 1, 0, true, true},   {"GRU", 1, 0, 0, true, false},
        {"GRU", 2, 0, 1, true, true},   {"GRU", 2, 1, 0, true, true},   {"GRU", 1, 1, 1, false, true},
        {"LSTM", 1, 0, 0, false, false}, {"LSTM", 2, 0, 0, true, true}, {"LSTM", 2, 1, 0, true, true},
        {"RNN", 2, 0, 0, true, true, 40, true},  {"RNN", 1, 1, 0, true, false, 6, true},
        {"GRU", 2, 0, 1, true, true, 40},        {"GRU", 1, 0, 0, true, true, 40, false, true},
        {"LSTM", 2, 0, 0, true, true, 40},       {"LSTM", 1, 1, 0, true, true, 40, false, true},
        {"LSTM", 2, 0, 0, true, true, 6, false, true},
    };
    for (const Case &c : cases) {
        std::vector<float> fast = RunCell(c, false), general = RunCell(c, true);
        ASSERT_EQ(fast.size(), general.size());
        double worst = 0;
        for (size_t i = 0; i < fast.size(); i++) {
            ASSERT_FALSE(std::isnan(fast[i])) << c.op << " element " << i << " was not written";
            // relative beyond 1: a Relu recurrence's states grow
            worst = std::max(worst, std::fabs(fast[i] - general[i]) / std::max(1.0, std::fabs((double)general[i])));
        }
        // float32 sums in both; a Relu chain carries their rounding on unsquashed
        EXPECT_LT(worst, c.relu ? 1e-5 : 2e-6) << c.op << " dirs " << c.dirs << " layout " << c.layout << " lbr " << c.lbr << " hidden "
                               << c.hidden << " relu " << c.relu << " r_input " << c.r_input;
    }
}
