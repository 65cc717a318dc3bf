// ONNX export: one node (or two) per layer, weights as float initializers.
#include "onnx/onnx_export.h"

#include "engine/batch_norm_fold.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/version.h"

#include <onnx/onnx_pb.h>

namespace poq {

namespace {

class Exporter {
public:
    Exporter(const Graph& g, const NetworkWeights& w) : m_g(g), m_w(w) {}

    std::string run()
    {
        m_model.set_ir_version(8);
        m_model.set_producer_name("POQ Studio");
        m_model.set_producer_version(kVersion);
        auto* opset = m_model.add_opset_import();
        opset->set_domain("");
        opset->set_version(kOnnxExportOpset);
        m_graph = m_model.mutable_graph();
        m_graph->set_name(m_g.name());
        m_rank.assign(m_g.tensors().size(), 4);
        for (int t : m_g.inputTensors()) {
            const Tensor& in = m_g.tensor(t);
            valueInfo(m_graph->add_input(), in.name, {in.shape.c, in.shape.h, in.shape.w});
        }
        for (const Layer& l : m_g.layers())
            layer(l);
        for (int t : m_g.outputTensors()) {
            const Tensor& out = m_g.tensor(t);
            if (m_rank[size_t(t)] == 2)
                valueInfo(m_graph->add_output(), out.name, {out.shape.c});
            else
                valueInfo(m_graph->add_output(), out.name, {out.shape.c, out.shape.h, out.shape.w});
        }
        std::string bytes;
        if (!m_model.SerializeToString(&bytes))
            throw InputError("export: the model does not serialize (over 2 GiB?)");
        return bytes;
    }

private:
    void valueInfo(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims)
    {
        v->set_name(name);
        auto* t = v->mutable_type()->mutable_tensor_type();
        t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
        auto* shape = t->mutable_shape();
        shape->add_dim()->set_dim_param("batch");
        for (int64_t d : dims)
            shape->add_dim()->set_dim_value(d);
    }

    std::string init(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& values)
    {
        onnx::TensorProto* t = m_graph->add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto_DataType_FLOAT);
        for (int64_t d : dims)
            t->add_dims(d);
        t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
        return name;
    }

    onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> in,
                          const std::string& out)
    {
        onnx::NodeProto* n = m_graph->add_node();
        n->set_op_type(op);
        n->set_name(name);
        for (const std::string& i : in)
            n->add_input(i);
        n->add_output(out);
        return n;
    }

    static void ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto_AttributeType_INTS);
        for (int64_t x : v)
            a->add_ints(x);
    }
    static void scalar(onnx::NodeProto* n, const char* name, int64_t v)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto_AttributeType_INT);
        a->set_i(v);
    }
    static void real(onnx::NodeProto* n, const char* name, float v)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
        a->set_f(v);
    }

    static void window(onnx::NodeProto* n, const Layer& l)
    {
        const auto k = l.attrs.pair(Attr::Kernel), s = l.attrs.pair(Attr::Stride), p = l.attrs.pair(Attr::Padding);
        auto e = l.attrs.pair(Attr::PaddingEnd);
        for (int d = 0; d < 2; ++d)
            if (e[size_t(d)] < 0)
                e[size_t(d)] = p[size_t(d)];
        ints(n, "kernel_shape", {k[0], k[1]});
        ints(n, "strides", {s[0], s[1]});
        ints(n, "pads", {p[0], p[1], e[0], e[1]});
    }

    // A MAC layer's weights (in POQ Studio's layout, which is ONNX's) and its bias when it has one.
    void weightAndBias(const Layer& l, std::vector<int64_t> dims, std::vector<std::string>& in)
    {
        in.push_back(init(l.name + ".weight", std::move(dims), m_w.at(l.name + ".weight")));
        if (m_w.has(l.name + ".bias"))
            in.push_back(init(l.name + ".bias", {l.outShape.c}, m_w.at(l.name + ".bias")));
    }

    std::string tensorName(int t) const { return m_g.tensor(t).name; }

    void layer(const Layer& l)
    {
        const std::string out = tensorName(l.output);
        std::vector<std::string> in;
        for (int t : l.inputs)
            in.push_back(tensorName(t));
        const int rank = l.inputs.empty() ? 4 : m_rank[size_t(l.inputs[0])];
        m_rank[size_t(l.output)] = rank;
        switch (l.kind) {
        case LayerKind::Conv2d: {
            const LoopNest& k = *l.loopNest;
            weightAndBias(l, {int64_t(k.G) * k.K, k.C, k.FY, k.FX}, in);
            onnx::NodeProto* n = node("Conv", l.name, in, out);
            window(n, l);
            const auto d = l.attrs.pair(Attr::Dilation);
            ints(n, "dilations", {d[0], d[1]});
            scalar(n, "group", l.attrs.get(Attr::Groups));
            break;
        }
        case LayerKind::Dense: {
            if (rank != 2) { // a C x 1 x 1 map: flatten it first
                const std::string flat = out + ".flat";
                node("Flatten", l.name + ".flatten", {in[0]}, flat);
                in[0] = flat;
            }
            weightAndBias(l, {l.outShape.c, l.inShapes[0].c}, in);
            scalar(node("Gemm", l.name, in, out), "transB", 1);
            m_rank[size_t(l.output)] = 2;
            break;
        }
        case LayerKind::BatchNorm: {
            for (const char* s : {".gamma", ".beta", ".mean", ".var"})
                in.push_back(init(l.name + s, {l.outShape.c}, m_w.at(l.name + s)));
            real(node("BatchNormalization", l.name, in, out), "epsilon", kBatchNormEps);
            break;
        }
        case LayerKind::ReLU:
            node("Relu", l.name, in, out);
            break;
        case LayerKind::ReLU6:
            in.push_back(init(l.name + ".min", {}, {0.0f}));
            in.push_back(init(l.name + ".max", {}, {6.0f}));
            node("Clip", l.name, in, out);
            break;
        case LayerKind::Sigmoid:
            node("Sigmoid", l.name, in, out);
            break;
        case LayerKind::HardSigmoid: {
            onnx::NodeProto* n = node("HardSigmoid", l.name, in, out);
            real(n, "alpha", 1.0f / 6.0f);
            real(n, "beta", 0.5f);
            break;
        }
        case LayerKind::HardSwish:
            node("HardSwish", l.name, in, out);
            break;
        case LayerKind::Add: { // a chain of two-input Adds
            std::string acc = in[0];
            for (size_t i = 1; i < in.size(); ++i) {
                const std::string o = i + 1 == in.size() ? out : out + ".sum" + std::to_string(i);
                node("Add", i + 1 == in.size() ? l.name : l.name + ".sum" + std::to_string(i), {acc, in[i]}, o);
                acc = o;
            }
            break;
        }
        case LayerKind::Mul:
            node("Mul", l.name, in, out);
            break;
        case LayerKind::Concat:
            scalar(node("Concat", l.name, in, out), "axis", 1);
            break;
        case LayerKind::MaxPool:
            window(node("MaxPool", l.name, in, out), l);
            break;
        case LayerKind::AvgPool: {
            onnx::NodeProto* n = node("AveragePool", l.name, in, out);
            window(n, l);
            scalar(n, "count_include_pad", 1); // POQ Studio's AvgPool counts padding as zeros
            break;
        }
        case LayerKind::GlobalAvgPool:
            node("GlobalAveragePool", l.name, in, out);
            break;
        case LayerKind::Flatten:
            scalar(node("Flatten", l.name, in, out), "axis", 1);
            m_rank[size_t(l.output)] = 2;
            break;
        }
    }

    const Graph& m_g;
    const NetworkWeights& m_w;
    onnx::ModelProto m_model;
    onnx::GraphProto* m_graph = nullptr;
    std::vector<int> m_rank; // per tensor: 4 ([N, C, H, W]) or 2 ([N, F])
};

} // namespace

std::string exportOnnx(const Graph& graph, const NetworkWeights& weights)
{
    if (graph.inputTensors().size() != 1 || graph.outputTensors().size() != 1)
        throw InputError("export: ONNX export takes networks with one input and one output");
    return Exporter(graph, weights).run();
}

void saveOnnxFile(const Graph& graph, const NetworkWeights& weights, const std::string& path)
{
    writeFileAtomically(path, exportOnnx(graph, weights));
}

} // namespace poq
