// Two-operand Einsums computed as batched products (operands read in
// place, transposed in place, or gathered; outputs written in place or
// scattered) against a naive sum over every label.
#include <cmath>
#include <map>
#include <random>

#include "onnx_builder.h"
#include "test_util.h"

using onnxb::Attr;
using onnxb::Model;

namespace {

struct Term {
    std::string a, b, out;
};

Term Parse(const std::string &eq)
{
    Term t;
    size_t comma = eq.find(','), arrow = eq.find("->");
    t.a = eq.substr(0, comma);
    t.b = eq.substr(comma + 1, arrow - comma - 1);
    t.out = eq.substr(arrow + 2);
    return t;
}

std::vector<int64_t> Dims(const std::string &labels, std::map<char, int64_t> &size)
{
    std::vector<int64_t> d;
    for (char c : labels)
        d.push_back(size[c]);
    return d;
}

// The naive sum: every combination of every label.
std::vector<float> Naive(const Term &t, std::map<char, int64_t> &size, const std::vector<float> &A,
                         const std::vector<float> &B)
{
    std::string all;
    for (auto &kv : size)
        all += kv.first;
    auto offset = [&](const std::string &labels, std::map<char, int64_t> &at) {
        int64_t off = 0;
        for (char c : labels)
            off = off * size[c] + at[c];
        return off;
    };
    int64_t outn = 1;
    for (char c : t.out)
        outn *= size[c];
    std::vector<double> acc((size_t)outn, 0.0);
    std::map<char, int64_t> at;
    for (char c : all)
        at[c] = 0;
    for (;;) {
        acc[(size_t)offset(t.out, at)] += (double)A[(size_t)offset(t.a, at)] * B[(size_t)offset(t.b, at)];
        size_t k = all.size();
        while (k > 0) {
            char c = all[k - 1];
            if (++at[c] < size[c])
                break;
            at[c] = 0;
            k--;
        }
        if (k == 0)
            break;
    }
    return std::vector<float>(acc.begin(), acc.end());
}

} // namespace

using Einsum = DeviceTest;

TEST_F(Einsum, BatchedProductsAgreeWithTheNaiveSum)
{
    const char *eqs[] = {
        "bhid,bhjd->bhij", // attention scores: B read transposed, output in place
        "bhij,bhjd->bhid", // attention values: everything in place
        "ij,jk->ik",       // a plain product
        "bji,bjk->bik",    // A transposed
        "bij,bjk->bki",    // output scattered
        "ijk,ikl->jl",     // two summed labels... one batch-like summed, gathered
        "bij,jk->bik",     // B shared across the batch: gathered
    };
    std::mt19937 g(7);
    std::uniform_real_distribution<float> d(-1, 1);
    for (int big = 0; big < 2; big++)
    for (const char *eq : eqs) {
        // big: attention-sized products, their 15 batches shared out over
        // the team in runs of uneven length
        if (big && eq != eqs[0] && eq != eqs[1])
            continue;
        SCOPED_TRACE(big ? "big" : "small");
        Term t = Parse(eq);
        std::map<char, int64_t> size;
        int64_t next = 2;
        for (char c : std::string(eq))
            if (isalpha(c) && !size.count(c))
                size[c] = next++ + (c == 'j' ? 30 : 0); // one long label, vector tails included
        if (big)
            size = {{'b', 3}, {'h', 5}, {'i', 37}, {'j', 41}, {'d', 33}};
        std::vector<int64_t> da = Dims(t.a, size), db = Dims(t.b, size), dout = Dims(t.out, size);
        size_t na = 1, nb = 1;
        for (auto v : da)
            na *= (size_t)v;
        for (auto v : db)
            nb *= (size_t)v;
        std::vector<float> A(na), B(nb);
        for (auto &x : A)
            x = d(g);
        for (auto &x : B)
            x = d(g);
        Model m;
        m.inputs = {{"a", onnxb::FLOAT, da}, {"b", onnxb::FLOAT, db}};
        m.outputs = {{"y", onnxb::FLOAT, dout}};
        m.nodes = {{"Einsum", {"a", "b"}, {"y"}, "ein", {Attr::Str("equation", eq)}}};
        m.ir_version = 8;
        std::string bytes = onnxb::Serialize(m);
        uint32_t id = 0;
        ASSERT_EQ(aclmdlLoadFromMem(bytes.data(), bytes.size(), &id), ACL_SUCCESS) << eq << TakeErrMsg();
        aclmdlDesc *desc = aclmdlCreateDesc();
        ASSERT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
        {
            Io io(desc);
            io.SetInput(0, A.data(), A.size() * 4);
            io.SetInput(1, B.data(), B.size() * 4);
            io.PoisonOutputs();
            ASSERT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << eq << TakeErrMsg();
            std::vector<float> y = io.Output(0), want = Naive(t, size, A, B);
            ASSERT_EQ(y.size(), want.size()) << eq;
            for (size_t i = 0; i < y.size(); i++)
                ASSERT_NEAR(y[i], want[i], 1e-4 + 1e-4 * std::fabs(want[i])) << eq << " element " << i;
        }
        aclmdlDestroyDesc(desc);
        EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    }
}
