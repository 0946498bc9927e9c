// Offline models for tests: hostacl's container written from the format
// docs/semantics.md documents (independently of the library's writer), and
// a loaded model with its description and host-side dataset helpers.
#ifndef HOSTACL_TEST_OM_UTIL_H
#define HOSTACL_TEST_OM_UTIL_H

#include <stdint.h>
#include <string.h>

#include <string>
#include <vector>

#include "acl/acl.h"
#include "onnx_builder.h"
#include "test_util.h"

// The container: magic, version 1, sections (tag, zero, length, payload
// padded to 8). Empty opts / aipp: no such section.
inline std::string Om(const std::string &onnx, const std::string &opts, const std::string &aipp = "",
                      uint32_t version = 1)
{
    std::string o = "HACLOM\r\n";
    auto u32 = [&](uint32_t v) {
        for (int i = 0; i < 4; i++)
            o.push_back((char)(v >> (8 * i)));
    };
    auto u64 = [&](uint64_t v) {
        u32((uint32_t)v);
        u32((uint32_t)(v >> 32));
    };
    std::vector<std::pair<std::string, std::string>> secs;
    if (!opts.empty())
        secs.push_back({"OPTS", opts});
    if (!aipp.empty())
        secs.push_back({"AIPP", aipp});
    secs.push_back({"ONNX", onnx});
    u32(version);
    u32((uint32_t)secs.size());
    for (auto &s : secs) {
        o += s.first;
        u32(0);
        u64(s.second.size());
        o += s.second;
        while (o.size() % 8)
            o.push_back('\0');
    }
    return o;
}

// One input, one output: out = Identity(in).
inline onnxb::Model IdentityModel(std::vector<int64_t> dims, int type = onnxb::FLOAT)
{
    onnxb::Model m;
    m.inputs = {{"img", type, dims}};
    m.outputs = {{"out", type, dims}};
    m.nodes = {{"Identity", {"img"}, {"out"}, "id"}};
    return m;
}

// A loaded model, its description, and datasets whose buffers are host
// memory from aclrtMallocHost (sized as the description says, or as asked).
struct Loaded {
    uint32_t id = 0;
    aclError rc = ACL_SUCCESS;
    aclmdlDesc *desc = nullptr;
    aclmdlDataset *in = nullptr, *out = nullptr;
    std::vector<void *> mem;
    std::vector<aclDataBuffer *> bufs;
    // from_file: through a temporary file and aclmdlLoadFromFile
    explicit Loaded(const std::string &bytes, bool from_file = false)
    {
        if (from_file) {
            std::string path = MakeTempFile(bytes, ".onnx");
            rc = aclmdlLoadFromFile(path.c_str(), &id);
            unlink(path.c_str());
        } else {
            rc = aclmdlLoadFromMem(bytes.data(), bytes.size(), &id);
        }
        if (rc != ACL_SUCCESS)
            return;
        desc = aclmdlCreateDesc();
        EXPECT_EQ(aclmdlGetDesc(desc, id), ACL_SUCCESS);
        in = aclmdlCreateDataset();
        out = aclmdlCreateDataset();
    }
    ~Loaded()
    {
        if (in)
            aclmdlDestroyDataset(in);
        if (out)
            aclmdlDestroyDataset(out);
        for (auto *b : bufs)
            aclDestroyDataBuffer(b);
        for (void *p : mem)
            aclrtFreeHost(p);
        if (desc)
            aclmdlDestroyDesc(desc);
        if (id)
            aclmdlUnload(id);
    }
    void *Add(bool output, size_t size)
    {
        void *p = nullptr;
        EXPECT_EQ(aclrtMallocHost(&p, size ? size : 1), ACL_SUCCESS);
        memset(p, 0, size ? size : 1);
        aclDataBuffer *b = aclCreateDataBuffer(p, size);
        EXPECT_EQ(aclmdlAddDatasetBuffer(output ? out : in, b), ACL_SUCCESS);
        mem.push_back(p);
        bufs.push_back(b);
        return p;
    }
    // Buffers for every input and output at their described sizes.
    std::vector<void *> AddAll()
    {
        std::vector<void *> v;
        for (size_t i = 0; i < aclmdlGetNumInputs(desc); i++)
            v.push_back(Add(false, aclmdlGetInputSizeByIndex(desc, i)));
        for (size_t i = 0; i < aclmdlGetNumOutputs(desc); i++)
            v.push_back(Add(true, aclmdlGetOutputSizeByIndex(desc, i)));
        return v;
    }
    std::vector<int64_t> InDims(size_t i, bool v2 = false)
    {
        aclmdlIODims d;
        EXPECT_EQ((v2 ? aclmdlGetInputDimsV2 : aclmdlGetInputDims)(desc, i, &d), ACL_SUCCESS);
        return std::vector<int64_t>(d.dims, d.dims + d.dimCount);
    }
    std::vector<int64_t> OutDims(size_t i, bool cur = false)
    {
        aclmdlIODims d;
        EXPECT_EQ((cur ? aclmdlGetCurOutputDims : aclmdlGetOutputDims)(desc, i, &d), ACL_SUCCESS);
        return std::vector<int64_t>(d.dims, d.dims + d.dimCount);
    }
};

#endif
