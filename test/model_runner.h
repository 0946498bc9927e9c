// Runs a model built with onnx_builder.h through the public API: load from
// memory, one execution (or more) on host input bytes, every output back as
// floats, everything released. Shared by the operator and fusion tests.
#ifndef HOSTACL_TEST_MODEL_RUNNER_H
#define HOSTACL_TEST_MODEL_RUNNER_H

#include <string.h>

#include <string>
#include <vector>

#include "onnx_builder.h"
#include "test_util.h"

struct RunOptions {
    bool host_memory = false;    // buffers from aclrtMallocHost instead of aclrtMalloc
    int executions = 1;          // later ones must not depend on what earlier ones left behind
    bool poison_outputs = false; // outputs start as NaN: every element must be written
};

// Every output of the last execution; empty if the model did not load.
inline std::vector<std::vector<float>> RunModel(const onnxb::Model &m, const std::vector<std::string> &inputs,
                                                RunOptions o = RunOptions())
{
    std::string bytes = onnxb::Serialize(m);
    uint32_t id = 0;
    aclError rc = aclmdlLoadFromMem(bytes.data(), bytes.size(), &id);
    EXPECT_EQ(rc, ACL_SUCCESS) << TakeErrMsg();
    if (rc != ACL_SUCCESS)
        return {};
    aclmdlDesc *d = aclmdlCreateDesc();
    aclmdlGetDesc(d, id);
    aclmdlDataset *in = aclmdlCreateDataset(), *out = aclmdlCreateDataset();
    std::vector<void *> mem;
    std::vector<aclDataBuffer *> bufs;
    auto alloc = [&](size_t sz) {
        void *p = nullptr;
        EXPECT_EQ(o.host_memory ? aclrtMallocHost(&p, sz) : aclrtMalloc(&p, sz, ACL_MEM_MALLOC_HUGE_FIRST),
                  ACL_SUCCESS);
        mem.push_back(p);
        return p;
    };
    for (size_t i = 0; i < aclmdlGetNumInputs(d); i++) {
        EXPECT_EQ(inputs[i].size(), aclmdlGetInputSizeByIndex(d, i));
        void *p = alloc(inputs[i].size());
        if (o.host_memory)
            memcpy(p, inputs[i].data(), inputs[i].size());
        else
            aclrtMemcpy(p, inputs[i].size(), inputs[i].data(), inputs[i].size(), ACL_MEMCPY_HOST_TO_DEVICE);
        bufs.push_back(aclCreateDataBuffer(p, inputs[i].size()));
        aclmdlAddDatasetBuffer(in, bufs.back());
    }
    for (size_t i = 0; i < aclmdlGetNumOutputs(d); i++) {
        size_t sz = aclmdlGetOutputSizeByIndex(d, i);
        void *p = alloc(sz);
        if (o.poison_outputs && o.host_memory)
            memset(p, 0xff, sz);
        else if (o.poison_outputs)
            aclrtMemset(p, sz, 0xff, sz);
        bufs.push_back(aclCreateDataBuffer(p, sz));
        aclmdlAddDatasetBuffer(out, bufs.back());
    }
    for (int k = 0; k < o.executions; k++)
        EXPECT_EQ(aclmdlExecute(id, in, out), ACL_SUCCESS) << TakeErrMsg();
    std::vector<std::vector<float>> r;
    size_t nin = aclmdlGetNumInputs(d);
    for (size_t i = 0; i < aclmdlGetNumOutputs(d); i++) {
        size_t sz = aclmdlGetOutputSizeByIndex(d, i);
        std::vector<float> v(sz / 4);
        if (o.host_memory)
            memcpy(v.data(), mem[nin + i], sz);
        else
            aclrtMemcpy(v.data(), sz, mem[nin + i], sz, ACL_MEMCPY_DEVICE_TO_HOST);
        r.push_back(v);
    }
    aclmdlDestroyDataset(in);
    aclmdlDestroyDataset(out);
    for (auto *b : bufs)
        aclDestroyDataBuffer(b);
    for (void *p : mem)
        o.host_memory ? aclrtFreeHost(p) : aclrtFree(p);
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    return r;
}

#endif
