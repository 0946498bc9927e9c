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
    // Non-empty: the data lives in this file (relative to the model's
    // folder) at external_offset, and raw is not stored in the model.
    std::string external = "";
    int64_t external_offset = 0;
    int64_t external_length = -1; // -1: no length entry
};

struct Attr {
    std::string name;
    enum Kind { INT, INTS, FLOAT, STRING, STRINGS } kind = INT;
    int64_t i = 0;
    std::vector<int64_t> ints;
    float f = 0;
    std::string s;
    std::vector<std::string> strs;
    static Attr Int(const std::string &n, int64_t v) { Attr a; a.name = n; a.kind = INT; a.i = v; return a; }
    static Attr Ints(const std::string &n, std::vector<int64_t> v) { Attr a; a.name = n; a.kind = INTS; a.ints = v; return a; }
    static Attr Float(const std::string &n, float v) { Attr a; a.name = n; a.kind = FLOAT; a.f = v; return a; }
    static Attr Str(const std::string &n, const std::string &v) { Attr a; a.name = n; a.kind = STRING; a.s = v; return a; }
    static Attr Strs(const std::string &n, std::vector<std::string> v) { Attr a; a.name = n; a.kind = STRINGS; a.strs = v; return a; }
};

struct Node {
    std::string op;
    std::vector<std::string> inputs, outputs;
    std::string name;
    std::vector<Attr> attrs = {};
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
