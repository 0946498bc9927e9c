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
    std::vector<std::vector<float>> r;
    {
        Io io(d, o.host_memory);
        for (size_t i = 0; i < io.nin && i < inputs.size(); i++)
            io.SetInput(i, inputs[i].data(), inputs[i].size());
        if (o.poison_outputs)
            io.PoisonOutputs();
        for (int k = 0; k < o.executions; k++)
            EXPECT_EQ(aclmdlExecute(id, io.in, io.out), ACL_SUCCESS) << TakeErrMsg();
        for (size_t i = 0; i < aclmdlGetNumOutputs(d); i++)
            r.push_back(io.Output(i));
    }
    aclmdlDestroyDesc(d);
    EXPECT_EQ(aclmdlUnload(id), ACL_SUCCESS);
    return r;
}

#endif
