#include "onnx_builder.h"

#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

namespace onnxb {

namespace {

// Every allocation of one Serialize call, freed when it returns.
struct Arena {
    std::vector<void *> blocks;
    ~Arena()
    {
        for (void *b : blocks)
            free(b);
    }
    void *Alloc(size_t n)
    {
        void *p = calloc(1, n ? n : 1);
        blocks.push_back(p);
        return p;
    }
    template <typename T> T *Make() { return static_cast<T *>(Alloc(sizeof(T))); }
    template <typename T> T *Array(size_t n) { return static_cast<T *>(Alloc(sizeof(T) * (n + 1))); }
};

thread_local Arena *arena;

char *Dup(const std::string &s)
{
    char *p = static_cast<char *>(arena->Alloc(s.size() + 1));
    memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

Onnx__ValueInfoProto *MakeValue(const Value &v)
{
    auto *vi = arena->Make<Onnx__ValueInfoProto>();
    onnx__value_info_proto__init(vi);
    vi->name = Dup(v.name);
    auto *tp = arena->Make<Onnx__TypeProto>();
    onnx__type_proto__init(tp);
    auto *tt = arena->Make<Onnx__TypeProto__Tensor>();
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = v.type;
    if (!v.no_shape) {
        auto *shape = arena->Make<Onnx__TensorShapeProto>();
        onnx__tensor_shape_proto__init(shape);
        shape->n_dim = v.dims.size();
        shape->dim = arena->Array<Onnx__TensorShapeProto__Dimension *>(v.dims.size());
        for (size_t i = 0; i < v.dims.size(); i++) {
            auto *d = arena->Make<Onnx__TensorShapeProto__Dimension>();
            onnx__tensor_shape_proto__dimension__init(d);
            if (v.dims[i] >= 0) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                d->dim_value = v.dims[i];
            } else {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                d->dim_param = Dup("batch");
            }
            shape->dim[i] = d;
        }
        tt->shape = shape;
    }
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    return vi;
}

Onnx__TensorProto *MakeInit(const Init &in)
{
    auto *t = arena->Make<Onnx__TensorProto>();
    onnx__tensor_proto__init(t);
    t->name = Dup(in.name);
    t->has_data_type = 1;
    t->data_type = in.type;
    t->n_dims = in.dims.size();
    t->dims = arena->Array<int64_t>(in.dims.size());
    for (size_t i = 0; i < in.dims.size(); i++)
        t->dims[i] = in.dims[i];
    if (!in.external.empty()) {
        // Data in a side file: location, offset and length entries.
        t->has_data_location = 1;
        t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
        std::vector<std::pair<std::string, std::string>> kv = {{"location", in.external},
                                                               {"offset", std::to_string(in.external_offset)}};
        if (in.external_length >= 0)
            kv.push_back({"length", std::to_string(in.external_length)});
        t->n_external_data = kv.size();
        t->external_data = arena->Array<Onnx__StringStringEntryProto *>(kv.size());
        for (size_t i = 0; i < kv.size(); i++) {
            auto *e = arena->Make<Onnx__StringStringEntryProto>();
            onnx__string_string_entry_proto__init(e);
            e->key = Dup(kv[i].first);
            e->value = Dup(kv[i].second);
            t->external_data[i] = e;
        }
        return t;
    }
    t->has_raw_data = 1;
    t->raw_data.len = in.raw.size();
    t->raw_data.data = static_cast<uint8_t *>(arena->Alloc(in.raw.size())); // binary: not a C string
    memcpy(t->raw_data.data, in.raw.data(), in.raw.size());
    return t;
}

char **Strings(const std::vector<std::string> &v)
{
    char **out = arena->Array<char *>(v.size());
    for (size_t i = 0; i < v.size(); i++)
        out[i] = Dup(v[i]);
    return out;
}

} // namespace

std::string Serialize(const Model &m)
{
    Arena a;
    arena = &a;
    Onnx__ModelProto mp;
    onnx__model_proto__init(&mp);
    if (m.has_ir) {
        mp.has_ir_version = 1;
        mp.ir_version = m.ir_version;
    }
    auto *opset = arena->Make<Onnx__OperatorSetIdProto>();
    onnx__operator_set_id_proto__init(opset);
    opset->domain = Dup("");
    opset->has_version = 1;
    opset->version = 13;
    mp.n_opset_import = 1;
    mp.opset_import = arena->Array<Onnx__OperatorSetIdProto *>(1);
    mp.opset_import[0] = opset;
    if (m.has_graph) {
        auto *g = arena->Make<Onnx__GraphProto>();
        onnx__graph_proto__init(g);
        g->name = Dup("test");
        g->n_input = m.inputs.size();
        g->input = arena->Array<Onnx__ValueInfoProto *>(m.inputs.size());
        for (size_t i = 0; i < m.inputs.size(); i++)
            g->input[i] = MakeValue(m.inputs[i]);
        g->n_output = m.outputs.size();
        g->output = arena->Array<Onnx__ValueInfoProto *>(m.outputs.size());
        for (size_t i = 0; i < m.outputs.size(); i++)
            g->output[i] = MakeValue(m.outputs[i]);
        g->n_initializer = m.inits.size();
        g->initializer = arena->Array<Onnx__TensorProto *>(m.inits.size());
        for (size_t i = 0; i < m.inits.size(); i++)
            g->initializer[i] = MakeInit(m.inits[i]);
        g->n_node = m.nodes.size();
        g->node = arena->Array<Onnx__NodeProto *>(m.nodes.size());
        for (size_t i = 0; i < m.nodes.size(); i++) {
            auto *n = arena->Make<Onnx__NodeProto>();
            onnx__node_proto__init(n);
            n->op_type = Dup(m.nodes[i].op);
            n->name = Dup(m.nodes[i].name.empty() ? m.nodes[i].op + std::to_string(i) : m.nodes[i].name);
            n->n_input = m.nodes[i].inputs.size();
            n->input = Strings(m.nodes[i].inputs);
            n->n_output = m.nodes[i].outputs.size();
            n->output = Strings(m.nodes[i].outputs);
            const auto &attrs = m.nodes[i].attrs;
            n->n_attribute = attrs.size();
            n->attribute = arena->Array<Onnx__AttributeProto *>(attrs.size());
            for (size_t k = 0; k < attrs.size(); k++) {
                auto *a = arena->Make<Onnx__AttributeProto>();
                onnx__attribute_proto__init(a);
                a->name = Dup(attrs[k].name);
                a->has_type = 1;
                switch (attrs[k].kind) {
                case Attr::INT:
                    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
                    a->has_i = 1;
                    a->i = attrs[k].i;
                    break;
                case Attr::INTS:
                    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
                    a->n_ints = attrs[k].ints.size();
                    a->ints = arena->Array<int64_t>(attrs[k].ints.size());
                    for (size_t j = 0; j < attrs[k].ints.size(); j++)
                        a->ints[j] = attrs[k].ints[j];
                    break;
                case Attr::FLOAT:
                    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
                    a->has_f = 1;
                    a->f = attrs[k].f;
                    break;
                case Attr::STRING:
                    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
                    a->has_s = 1;
                    a->s.len = attrs[k].s.size();
                    a->s.data = reinterpret_cast<uint8_t *>(Dup(attrs[k].s));
                    break;
                case Attr::STRINGS:
                    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
                    a->n_strings = attrs[k].strs.size();
                    a->strings = arena->Array<ProtobufCBinaryData>(attrs[k].strs.size());
                    for (size_t j = 0; j < attrs[k].strs.size(); j++) {
                        a->strings[j].len = attrs[k].strs[j].size();
                        a->strings[j].data = reinterpret_cast<uint8_t *>(Dup(attrs[k].strs[j]));
                    }
                    break;
                }
                n->attribute[k] = a;
            }
            g->node[i] = n;
        }
        mp.graph = g;
    }
    std::string out(onnx__model_proto__get_packed_size(&mp), '\0');
    onnx__model_proto__pack(&mp, reinterpret_cast<uint8_t *>(&out[0]));
    return out;
}

std::string SerializeTensorOnly()
{
    Arena a;
    arena = &a;
    Init in{"t", FLOAT, {2}, Floats({1.0f, 2.0f})};
    Onnx__TensorProto *t = MakeInit(in);
    std::string out(onnx__tensor_proto__get_packed_size(t), '\0');
    onnx__tensor_proto__pack(t, reinterpret_cast<uint8_t *>(&out[0]));
    return out;
}

std::string Floats(const std::vector<float> &v)
{
    return std::string(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(float));
}

} // namespace onnxb
