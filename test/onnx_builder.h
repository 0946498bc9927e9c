// Builds small ONNX models in memory for tests, over the protobuf-c code
// generated from onnx.proto.
#ifndef HOSTACL_TEST_ONNX_BUILDER_H
#define HOSTACL_TEST_ONNX_BUILDER_H

#include <stdint.h>

#include <string>
#include <vector>

namespace onnxb {

enum Type { FLOAT = 1, UINT8 = 2, INT64 = 7, STRING = 8, FLOAT16 = 10 };

struct Value {
    std::string name;
    int type = FLOAT;
    std::vector<int64_t> dims; // -1: a symbolic dim
    bool no_shape = false;
};

struct Init {
    std::string name;
    int type = FLOAT;
    std::vector<int64_t> dims;
    std::string raw; // raw_data bytes
};

struct Node {
    std::string op;
    std::vector<std::string> inputs, outputs;
    std::string name;
};

struct Model {
    std::vector<Value> inputs, outputs;
    std::vector<Init> inits;
    std::vector<Node> nodes;
    int64_t ir_version = 8;
    bool has_graph = true;
    bool has_ir = true;
};

// Serialised ModelProto bytes.
std::string Serialize(const Model &m);
// Bytes of a serialised TensorProto (a valid protobuf that is not a model).
std::string SerializeTensorOnly();

// A float tensor's raw bytes.
std::string Floats(const std::vector<float> &v);

} // namespace onnxb

#endif
