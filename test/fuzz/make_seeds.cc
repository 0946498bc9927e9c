// Writes the seed corpus for fuzz_model_load (run once; the output is
// committed under test/fuzz/corpus).
#include <fstream>

#include "../onnx_builder.h"

int main(int argc, char **argv)
{
    std::string dir = argc > 1 ? argv[1] : ".";
    using namespace onnxb;
    Model a;
    a.inputs = {{"x", FLOAT, {-1, 3, 4, 4}}};
    a.outputs = {{"y", FLOAT, {1, 2, 4, 4}}};
    a.inits = {{"w", FLOAT, {2, 3, 1, 1}, Floats({1, 2, 3, 4, 5, 6})}, {"b", FLOAT, {2}, Floats({0.5f, -0.5f})}};
    a.nodes = {{"Conv", {"x", "w", "b"}, {"c"}, "conv"}, {"Relu", {"c"}, {"y"}, "relu"}};
    std::ofstream(dir + "/conv_relu.onnx", std::ios::binary) << Serialize(a);
    Model b;
    b.inputs = {{"a", FLOAT, {2, 3}}, {"b", FLOAT, {2, 3}}};
    b.outputs = {{"s", FLOAT, {2, 3}}};
    b.nodes = {{"Add", {"a", "b"}, {"t"}, "add"}, {"Mul", {"t", "t"}, {"s"}, "mul"}};
    std::ofstream(dir + "/add_mul.onnx", std::ios::binary) << Serialize(b);
    Model c;
    c.inputs = {{"x", FLOAT, {1, 8}}};
    c.outputs = {{"y", FLOAT, {1, 4}}};
    std::vector<float> w(32, 0.25f), bias(4, 1.0f);
    c.inits = {{"w", FLOAT, {8, 4}, Floats(w)}, {"bias", FLOAT, {4}, Floats(bias)}, {"shape", INT64, {2}, std::string("\x01\0\0\0\0\0\0\0\x04\0\0\0\0\0\0\0", 16)}};
    c.nodes = {{"Gemm", {"x", "w", "bias"}, {"g"}, "gemm"}, {"Reshape", {"g", "shape"}, {"y"}, "reshape"}};
    std::ofstream(dir + "/gemm_reshape.onnx", std::ios::binary) << Serialize(c);
    return 0;
}
