// Writes the seed corpus for fuzz_model_load (run once; the output is
// committed under test/fuzz/corpus).
#include <fstream>

#include "../om_util.h"

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
    // Data movement and folding: Shape -> Gather -> Unsqueeze -> Concat ->
    // Reshape (folded at load), Pad, Slice, Resize, Split.
    auto i64 = [](std::vector<int64_t> v) { return std::string(reinterpret_cast<const char *>(v.data()), v.size() * 8); };
    Model d;
    d.inputs = {{"x", FLOAT, {1, 2, 4, 4}}};
    d.outputs = {{"y", FLOAT, {}, true}, {"z", FLOAT, {}, true}};
    d.inits = {{"pads", INT64, {8}, i64({0, 0, 1, 1, 0, 0, 1, 1})},
               {"starts", INT64, {2}, i64({1, 1})},
               {"ends", INT64, {2}, i64({5, 5})},
               {"axes", INT64, {2}, i64({2, 3})},
               {"scales", FLOAT, {4}, Floats({1, 1, 2, 2})},
               {"idx", INT64, {}, i64({1})},
               {"zero", INT64, {1}, i64({0})},
               {"minus1", INT64, {1}, i64({-1})}};
    d.nodes = {{"Pad", {"x", "pads"}, {"p"}, "pad"},
               {"Slice", {"p", "starts", "ends", "axes"}, {"s"}, "slice"},
               {"Resize", {"s", "", "scales"}, {"r"}, "resize", {Attr::Str("mode", "linear")}},
               {"Shape", {"r"}, {"sh"}, "shape"},
               {"Gather", {"sh", "idx"}, {"c"}, "gather"},
               {"Unsqueeze", {"c", "zero"}, {"cu"}, "unsq"},
               {"Concat", {"minus1", "cu"}, {"newshape"}, "concat", {Attr::Int("axis", 0)}},
               {"Reshape", {"r", "newshape"}, {"y"}, "reshape"},
               {"Split", {"r"}, {"z", "z2"}, "split", {Attr::Int("axis", 1)}}};
    std::ofstream(dir + "/data_movement.onnx", std::ios::binary) << Serialize(d);
    Model e;
    e.inputs = {{"x", FLOAT, {1, 4, 3, 3}}};
    e.outputs = {{"y", FLOAT, {}, true}};
    e.inits = {{"w", FLOAT, {4, 2, 3, 3}, Floats(std::vector<float>(72, 0.1f))}};
    e.nodes = {{"ConvTranspose", {"x", "w"}, {"t"}, "deconv", {Attr::Ints("strides", {2, 2})}},
               {"LRN", {"t"}, {"y"}, "lrn", {Attr::Int("size", 3)}}};
    std::ofstream(dir + "/deconv_lrn.onnx", std::ios::binary) << Serialize(e);
    // Integer shape arithmetic, comparisons and Where, as exporters write
    // them (folded at load), and the generating operators.
    Model f;
    f.inputs = {{"x", FLOAT, {2, 3, 4}}};
    f.outputs = {{"y", FLOAT, {}, true}, {"z", FLOAT, {}, true}};
    f.inits = {{"two", INT64, {1}, i64({2})}, {"one", INT64, {}, i64({1})}, {"start", INT64, {}, i64({0})},
               {"lim", INT64, {}, i64({4})}, {"half", FLOAT, {}, Floats({0.5f})}};
    f.nodes = {{"Shape", {"x"}, {"s"}, "shape"},
               {"Mul", {"s", "two"}, {"s2"}, "mul"},
               {"Div", {"s2", "two"}, {"s3"}, "div"},
               {"Mod", {"s3", "two"}, {"m"}, "mod"},
               {"Equal", {"m", "one"}, {"eq"}, "eq"},
               {"Where", {"eq", "s3", "s2"}, {"w"}, "where"},
               {"ConstantOfShape", {"w"}, {"c"}, "cos"},
               {"Range", {"start", "lim", "one"}, {"r"}, "range"},
               {"Cast", {"r"}, {"rf"}, "cast", {Attr::Int("to", FLOAT)}},
               {"Expand", {"rf", "s"}, {"e"}, "expand"},
               {"Add", {"x", "e"}, {"a"}, "add"},
               {"Pow", {"a", "half"}, {"p"}, "pow"},
               {"Erf", {"p"}, {"y"}, "erf"},
               {"Tile", {"x", "s"}, {"t"}, "tile"},
               {"ReduceMean", {"t"}, {"z"}, "mean", {Attr::Ints("axes", {1}), Attr::Int("keepdims", 0)}},
               {"Identity", {"c"}, {"c2"}, "id"}};
    std::ofstream(dir + "/shape_math.onnx", std::ios::binary) << Serialize(f);
    // A transformer block: MatMul with broadcasting, Softmax, LayerNorm,
    // Einsum, TopK, gathers and scatters.
    Model t;
    t.inputs = {{"x", FLOAT, {1, 4, 8}}, {"i", INT64, {1, 4, 8}}};
    t.outputs = {{"y", FLOAT, {}, true}, {"k", FLOAT, {}, true}, {"g", FLOAT, {}, true}};
    t.inits = {{"w", FLOAT, {8, 8}, Floats(std::vector<float>(64, 0.05f))},
               {"sc", FLOAT, {8}, Floats(std::vector<float>(8, 1.0f))},
               {"b", FLOAT, {8}, Floats(std::vector<float>(8, 0.0f))},
               {"kk", INT64, {1}, i64({3})}};
    t.nodes = {{"MatMul", {"x", "w"}, {"q"}, "proj"},
               {"Transpose", {"q"}, {"qt"}, "tr", {Attr::Ints("perm", {0, 2, 1})}},
               {"MatMul", {"q", "qt"}, {"att"}, "scores"},
               {"Softmax", {"att"}, {"p"}, "softmax", {Attr::Int("axis", -1)}},
               {"Einsum", {"p", "q"}, {"o"}, "einsum", {Attr::Str("equation", "bij,bjd->bid")}},
               {"LayerNormalization", {"o", "sc", "b"}, {"y"}, "ln"},
               {"TopK", {"o", "kk"}, {"k", "ki"}, "topk"},
               {"GatherElements", {"x", "i"}, {"ge"}, "ge", {Attr::Int("axis", 2)}},
               {"ScatterElements", {"ge", "i", "x"}, {"g"}, "se", {Attr::Int("axis", 2)}}};
    std::ofstream(dir + "/transformer.onnx", std::ios::binary) << Serialize(t);
    // 3-D convolution and pooling, Resize cubic, Pad wrap.
    Model v;
    v.inputs = {{"x", FLOAT, {1, 2, 4, 6, 6}}};
    v.outputs = {{"y", FLOAT, {}, true}};
    v.inits = {{"w", FLOAT, {3, 2, 3, 3, 3}, Floats(std::vector<float>(162, 0.1f))},
               {"scales", FLOAT, {5}, Floats({1, 1, 1, 1.5f, 1.5f})},
               {"pads", INT64, {10}, i64({0, 0, 1, 1, 1, 0, 0, 1, 1, 1})}};
    v.nodes = {{"Pad", {"x", "pads"}, {"p"}, "pad", {Attr::Str("mode", "wrap")}},
               {"Conv", {"p", "w"}, {"c"}, "conv3d"},
               {"MaxPool", {"c"}, {"m"}, "pool", {Attr::Ints("kernel_shape", {2, 2, 2})}},
               {"Resize", {"m", "", "scales"}, {"y"}, "resize", {Attr::Str("mode", "cubic")}}};
    std::ofstream(dir + "/conv3d_resize.onnx", std::ios::binary) << Serialize(v);
    // hostacl's .om container: gears, static AIPP with crop and padding,
    // dynamic AIPP with dynamic batch, typed and chosen outputs
    std::string id = Serialize(IdentityModel({1, 3, 6, 8}));
    std::ofstream(dir + "/om_gears.om", std::ios::binary)
        << Om(Serialize(a), "input_shape=x:-1,3,4,4\ndynamic_batch_size=1,2,4\n");
    std::ofstream(dir + "/om_aipp_static.om", std::ios::binary)
        << Om(id, "output_type=FP16\n",
              "aipp_op { aipp_mode: static input_format: YUV420SP_U8 src_image_size_w: 10 src_image_size_h: 8\n"
              " csc_switch: true rbuv_swap_switch: true crop: true load_start_pos_w: 2 load_start_pos_h: 2\n"
              " crop_size_w: 5 crop_size_h: 4 padding: true left_padding_size: 1 right_padding_size: 2\n"
              " top_padding_size: 2 mean_chn_0: 10 min_chn_1: 0.5 var_reci_chn_2: 0.1 }");
    std::ofstream(dir + "/om_aipp_dynamic.om", std::ios::binary)
        << Om(Serialize(IdentityModel({-1, 3, 6, 8})), "input_shape=img:-1,3,6,8\ndynamic_batch_size=1,2\n",
              "aipp_op { aipp_mode: dynamic max_src_image_size: 200 }");
    std::ofstream(dir + "/om_dims.om", std::ios::binary)
        << Om(Serialize(b), "input_format=ND\ninput_shape=a:-1,3;b:2,-1\ndynamic_dims=1,3;2,3\n"
                            "out_nodes=mul:0;add:0\ninput_fp16_nodes=a\n");
    // Weights large enough to be read in place from the file buffer (the
    // decoder skips their bytes), alone and shared by gears.
    Model ip;
    ip.inputs = {{"x", FLOAT, {-1, 32}}};
    ip.outputs = {{"y", FLOAT, {}, true}};
    std::vector<float> w1(32 * 32), w2(32 * 16);
    for (size_t i = 0; i < w1.size(); i++)
        w1[i] = (float)(i % 7) * 0.01f;
    for (size_t i = 0; i < w2.size(); i++)
        w2[i] = (float)(i % 5) * -0.02f;
    ip.inits = {{"w1", FLOAT, {32, 32}, Floats(w1)}, {"w2", FLOAT, {32, 16}, Floats(w2)}};
    ip.nodes = {{"MatMul", {"x", "w1"}, {"h"}, "mm1"}, {"Relu", {"h"}, {"r"}, "relu"},
               {"MatMul", {"r", "w2"}, {"y"}, "mm2"}};
    std::ofstream(dir + "/weights_in_place.onnx", std::ios::binary) << Serialize(ip);
    std::ofstream(dir + "/weights_in_place_gears.om", std::ios::binary)
        << Om(Serialize(ip), "input_shape=x:-1,32\ndynamic_batch_size=1,2,4\n");
    return 0;
}
