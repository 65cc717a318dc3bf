// ONNX import: parse the protobuf (ONNX's own classes from libonnx), order the nodes, map each onto
// POQ Studio layer kinds with shapes checked node by node, then decide how the width multiplier
// scales every channel count (onnx_width.cpp).
#include "onnx/onnx_import.h"

#include "engine/batch_norm_fold.h"
#include "graph/graph.h"
#include "graph/width.h"
#include "onnx/onnx_width.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/input_file.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>

namespace poq {

namespace {

// A constant tensor (an initializer, a Constant node, or one derived from them).
struct Const {
    std::vector<int64_t> dims;
    std::vector<double> values; // empty with `absent`: the data lives in a missing external file
    bool absent = false;
    int64_t count() const
    {
        int64_t n = 1;
        for (int64_t d : dims)
            n *= d;
        return n;
    }
};

// A tensor computed by the network: the POQ Studio tensor holding it, its shape, whether ONNX sees
// it as [N, F] (flat) or [N, C, H, W], and zero padding a Pad node left for the next layer.
struct Value {
    std::string tensor;
    Shape shape;
    bool flat = false;
    std::array<int, 4> pad{}; // top, left, bottom, right
    std::string padNode;      // the Pad node that left it
};

struct OpInfo {
    const char* op;
    const char* mapsTo;
};

const OpInfo kOnnxOperators[] = {
    {"Conv", "Conv2d (group, strides, pads incl. asymmetric, dilations, auto_pad)"},
    {"Gemm", "Dense (alpha and beta folded, transB 0 or 1)"},
    {"MatMul", "Dense (a following Add of a constant becomes its bias)"},
    {"BatchNormalization", "BatchNorm (its epsilon folded into the variance)"},
    {"Relu", "ReLU"},
    {"Clip", "ReLU6 for [0, 6], ReLU for [0, inf)"},
    {"Add", "Add (a constant: the bias of the MAC layer before)"},
    {"Mul", "Mul (equal shapes or a C x 1 x 1 gate)"},
    {"Sigmoid", "Sigmoid"},
    {"HardSigmoid", "HardSigmoid (alpha 1/6, beta 1/2 as PyTorch exports)"},
    {"HardSwish", "HardSwish"},
    {"MaxPool", "MaxPool"},
    {"AveragePool", "AvgPool"},
    {"GlobalAveragePool", "GlobalAvgPool"},
    {"ReduceMean", "GlobalAvgPool (over height and width)"},
    {"Flatten", "Flatten"},
    {"Reshape", "Flatten (only to [batch, features])"},
    {"Squeeze", "nothing (only of 1 x 1 maps)"},
    {"Unsqueeze", "nothing (only to 1 x 1 maps)"},
    {"Concat", "Concat (along the channels)"},
    {"Pad", "the padding of the next Conv or AveragePool (zeros)"},
    {"Identity", "nothing"},
    {"Dropout", "nothing (inference)"},
    {"Constant", "a constant"},
    {"Cast", "nothing (to float), or a constant"},
    {"QuantizeLinear", "quantization of a constant, or nothing between layers"},
    {"DequantizeLinear", "dequantization of a constant, or nothing between layers"},
};

std::string layerNameFor(const onnx::NodeProto& node, size_t index)
{
    std::string n = node.name().empty() ? (node.output_size() ? node.output(0) : "") : node.name();
    while (!n.empty() && n.front() == '/')
        n.erase(n.begin());
    if (n.empty())
        n = node.op_type() + "_" + std::to_string(index);
    return n;
}

class Importer {
public:
    Importer(const onnx::ModelProto& model, std::string source, std::string directory, const OnnxImportOptions& options)
        : m_model(model), m_graph(model.graph()), m_source(std::move(source)), m_dir(std::move(directory)),
          m_options(options)
    {
    }

    OnnxImport run();

private:
    [[noreturn]] void fail(const std::string& what) const { throw InputError(m_source + ": " + what); }
    [[noreturn]] void failNode(const std::string& what) const
    {
        fail("node '" + m_nodeName + "' (" + m_nodeOp + "): " + what);
    }

    void readOpset();
    void readInitializers();
    Const tensorConst(const onnx::TensorProto& t, const std::string& what);
    void readInput();
    std::vector<int> orderedNodes();
    void convert(const onnx::NodeProto& node);

    // Node helpers.
    bool hasInput(const onnx::NodeProto& n, int i) const { return n.input_size() > i && !n.input(i).empty(); }
    bool isConst(const std::string& name) const { return m_consts.count(name) != 0; }
    const Const& constant(const onnx::NodeProto& n, int i, const char* role);
    Value value(const onnx::NodeProto& n, int i, bool padAllowed = false);
    const onnx::AttributeProto* attr(const onnx::NodeProto& n, const char* name) const;
    int64_t attrInt(const onnx::NodeProto& n, const char* name, int64_t fallback) const;
    float attrFloat(const onnx::NodeProto& n, const char* name, float fallback) const;
    std::vector<int64_t> attrInts(const onnx::NodeProto& n, const char* name) const;
    void onlyFirstOutputUsed(const onnx::NodeProto& n);
    void define(const std::string& onnxName, const Value& v);
    // Appends a layer; returns its output value (shape inferred by the kind's descriptor).
    Value push(LayerKind kind, AttrValues attrs, const std::vector<Value>& inputs, bool flat);
    void addWeight(const std::string& name, std::vector<int64_t> dims, const Const& c,
                   const std::function<double(int64_t)>& at = nullptr);
    // Spatial attributes shared by Conv and the pools.
    void spatial(const onnx::NodeProto& n, const Value& x, int kh, int kw, std::array<int, 2> stride,
                 std::array<int, 2> dilation, AttrValues& a, bool ceilMode);

    void conv(const onnx::NodeProto& n);
    void gemm(const onnx::NodeProto& n);
    void matMul(const onnx::NodeProto& n);
    void batchNorm(const onnx::NodeProto& n);
    void clip(const onnx::NodeProto& n);
    void add(const onnx::NodeProto& n);
    void mul(const onnx::NodeProto& n);
    void pool(const onnx::NodeProto& n, bool max);
    void reshape(const onnx::NodeProto& n);
    void squeeze(const onnx::NodeProto& n, bool unsqueeze);
    void concat(const onnx::NodeProto& n);
    void pad(const onnx::NodeProto& n);
    void quantize(const onnx::NodeProto& n, bool quantize);
    void constantNode(const onnx::NodeProto& n);
    void unary(const onnx::NodeProto& n, LayerKind kind);

    const onnx::ModelProto& m_model;
    const onnx::GraphProto& m_graph;
    std::string m_source, m_dir;
    OnnxImportOptions m_options;
    int m_opset = 0;
    OnnxImport m_out;
    std::map<std::string, Const> m_consts;
    std::map<std::string, Value> m_values;
    std::map<std::string, int> m_readers;       // ONNX tensor -> number of reading nodes (and graph outputs)
    std::map<std::string, int> m_layerOf;       // POQ tensor -> index in spec.layers
    std::set<std::string> m_names;              // POQ tensor names in use
    std::string m_nodeName, m_nodeOp;
    size_t m_nodeIndex = 0;
    std::string m_missingData;
    std::map<std::string, std::string> m_externalFiles; // external data location -> its bytes
};

void Importer::readOpset()
{
    for (const auto& o : m_model.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx")
            m_opset = int(o.version());
    if (m_opset == 0)
        fail("opset: the model imports no version of the default ONNX operator set");
    if (m_opset < kMinOnnxOpset || m_opset > kMaxOnnxOpset)
        fail("opset: version " + std::to_string(m_opset) + " is outside the supported " + std::to_string(kMinOnnxOpset)
             + ".." + std::to_string(kMaxOnnxOpset) + " (convert it with onnx.version_converter)");
}

Const Importer::tensorConst(const onnx::TensorProto& t, const std::string& what)
{
    Const c;
    int64_t n = 1;
    for (int64_t d : t.dims()) {
        if (d < 0 || d > (int64_t(1) << 31))
            fail(what + ": dimension " + std::to_string(d) + " is out of range");
        c.dims.push_back(d);
        n *= d; // both factors <= 2^31: no overflow before the check below
        if (n > (int64_t(1) << 31))
            fail(what + ": more than 2^31 elements");
    }
    const int type = t.data_type();
    size_t width = 0;
    switch (type) {
    case onnx::TensorProto_DataType_FLOAT: width = 4; break;
    case onnx::TensorProto_DataType_DOUBLE: width = 8; break;
    case onnx::TensorProto_DataType_INT64: width = 8; break;
    case onnx::TensorProto_DataType_INT32: width = 4; break;
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_UINT8: width = 1; break;
    default:
        fail(what + ": data type " + std::to_string(type)
             + " is not supported (float, double, int64, int32, int8, uint8)");
    }
    std::string raw;
    const std::string* bytes = nullptr;
    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
        std::string location;
        int64_t offset = 0, length = -1;
        for (const auto& e : t.external_data()) {
            if (e.key() == "location")
                location = e.value();
            else if (e.key() == "offset")
                offset = std::atoll(e.value().c_str());
            else if (e.key() == "length")
                length = std::atoll(e.value().c_str());
        }
        if (location.empty() || location.find("..") != std::string::npos || location.front() == '/')
            fail(what + ": external data location '" + location + "' is not a file beside the model");
        const std::filesystem::path file = std::filesystem::path(m_dir) / location;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) {
            c.absent = true;
            if (m_missingData.empty())
                m_missingData = "its weights are external data in '" + location + "', which is absent";
            return c;
        }
        // One data file usually holds every tensor: read it once.
        auto cached = m_externalFiles.find(location);
        if (cached == m_externalFiles.end())
            cached = m_externalFiles.emplace(location, readInputFile(file.string(), InputFileKind::Model)).first;
        const std::string& all = cached->second;
        if (length < 0)
            length = int64_t(all.size()) - offset;
        if (offset < 0 || length < 0 || uint64_t(offset) + uint64_t(length) > all.size())
            fail(what + ": external data range " + std::to_string(offset) + "+" + std::to_string(length)
                 + " exceeds '" + location + "' (" + std::to_string(all.size()) + " bytes)");
        raw = all.substr(size_t(offset), size_t(length));
        bytes = &raw;
    } else if (t.has_raw_data()) {
        bytes = &t.raw_data();
    }
    if (bytes) {
        if (bytes->size() != size_t(n) * width)
            fail(what + ": " + std::to_string(bytes->size()) + " bytes of data for " + std::to_string(n)
                 + " elements of " + std::to_string(width) + " bytes");
        c.values.resize(size_t(n)); // only once the data is known to be there
        const char* p = bytes->data();
        for (int64_t i = 0; i < n; ++i, p += width) {
            switch (type) {
            case onnx::TensorProto_DataType_FLOAT: { float v; std::memcpy(&v, p, 4); c.values[size_t(i)] = v; break; }
            case onnx::TensorProto_DataType_DOUBLE: { double v; std::memcpy(&v, p, 8); c.values[size_t(i)] = v; break; }
            case onnx::TensorProto_DataType_INT64: { int64_t v; std::memcpy(&v, p, 8); c.values[size_t(i)] = double(v); break; }
            case onnx::TensorProto_DataType_INT32: { int32_t v; std::memcpy(&v, p, 4); c.values[size_t(i)] = v; break; }
            case onnx::TensorProto_DataType_INT8: c.values[size_t(i)] = double(int8_t(*p)); break;
            default: c.values[size_t(i)] = double(uint8_t(*p)); break;
            }
        }
        return c;
    }
    auto take = [&](const auto& field) {
        if (field.size() != n)
            fail(what + ": " + std::to_string(field.size()) + " values for " + std::to_string(n) + " elements");
        c.values.resize(size_t(n));
        for (int64_t i = 0; i < n; ++i)
            c.values[size_t(i)] = double(field.Get(int(i)));
    };
    switch (type) {
    case onnx::TensorProto_DataType_FLOAT: take(t.float_data()); break;
    case onnx::TensorProto_DataType_DOUBLE: take(t.double_data()); break;
    case onnx::TensorProto_DataType_INT64: take(t.int64_data()); break;
    default: take(t.int32_data()); break; // int32, int8 and uint8 are stored in int32_data
    }
    return c;
}

void Importer::readInitializers()
{
    for (const auto& t : m_graph.initializer()) {
        if (t.name().empty())
            fail("initializer: a tensor without a name");
        m_consts[t.name()] = tensorConst(t, "initializer '" + t.name() + "'");
    }
}

void Importer::readInput()
{
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const auto& in : m_graph.input())
        if (!isConst(in.name()) && m_readers.count(in.name()))
            inputs.push_back(&in);
    if (inputs.size() != 1) {
        std::string names;
        for (const auto* in : inputs)
            names += (names.empty() ? "" : ", ") + in->name();
        fail("inputs: POQ Studio networks take one image input; this graph uses " + std::to_string(inputs.size())
             + (names.empty() ? "" : " (" + names + ")"));
    }
    const onnx::ValueInfoProto& in = *inputs[0];
    if (!isValidUtf8(in.name()))
        fail("input '" + echo(in.name()) + "': name is not valid UTF-8 (ONNX names are UTF-8 text)");
    const std::string label = "input '" + in.name() + "'";
    if (!in.type().has_tensor_type() || in.type().tensor_type().elem_type() != onnx::TensorProto_DataType_FLOAT)
        fail(label + ": must be a float tensor");
    const auto& dims = in.type().tensor_type().shape().dim();
    if (dims.size() != 4 && dims.size() != 2)
        fail(label + ": rank " + std::to_string(dims.size()) + "; supported are [batch, C, H, W] and [batch, features]");
    Shape s{1, 1, 1};
    for (int i = 1; i < dims.size(); ++i) {
        const auto& d = dims.Get(i);
        int64_t v = d.has_dim_value() ? d.dim_value() : -1;
        if (m_options.inputShape)
            v = i == 1 ? m_options.inputShape->c : i == 2 ? m_options.inputShape->h : m_options.inputShape->w;
        if (v < 1 || v > (1 << 20)) {
            const std::string sym = d.has_dim_param() ? " ('" + d.dim_param() + "')" : "";
            fail(label + ": dimension " + std::to_string(i) + sym
                 + " is not a fixed size; give the input's size with --input-shape C,H,W");
        }
        (i == 1 ? s.c : i == 2 ? s.h : s.w) = int(v);
    }
    InputSpec spec{in.name(), s};
    m_out.spec.inputs.push_back(spec);
    m_names.insert(in.name());
    m_values[in.name()] = Value{in.name(), s, dims.size() == 2, {}, {}};
}

std::vector<int> Importer::orderedNodes()
{
    // Only the nodes the graph's output depends on, in an order where every input is ready.
    std::map<std::string, int> producer;
    for (int i = 0; i < m_graph.node_size(); ++i)
        for (const std::string& o : m_graph.node(i).output())
            if (!o.empty()) {
                if (producer.count(o) || isConst(o))
                    fail("node '" + m_graph.node(i).name() + "' (" + m_graph.node(i).op_type() + "): output '" + o
                         + "' is produced twice");
                producer[o] = i;
            }
    if (m_graph.output_size() != 1)
        fail("outputs: POQ Studio networks have one output (the logits); this graph has "
             + std::to_string(m_graph.output_size()));
    std::vector<char> needed(size_t(m_graph.node_size()), 0);
    std::vector<int> stack;
    auto need = [&](const std::string& t) {
        const auto it = producer.find(t);
        if (it != producer.end() && !needed[size_t(it->second)]) {
            needed[size_t(it->second)] = 1;
            stack.push_back(it->second);
        }
    };
    need(m_graph.output(0).name());
    m_readers[m_graph.output(0).name()] += 1;
    while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        for (const std::string& t : m_graph.node(i).input())
            if (!t.empty()) {
                m_readers[t] += 1;
                need(t);
            }
    }
    // Kahn's algorithm, taking ready nodes in file order.
    std::vector<int> pending(size_t(m_graph.node_size()), 0);
    std::map<std::string, std::vector<int>> readersOf;
    for (int i = 0; i < m_graph.node_size(); ++i) {
        if (!needed[size_t(i)])
            continue;
        for (const std::string& t : m_graph.node(i).input())
            if (!t.empty() && producer.count(t)) {
                ++pending[size_t(i)];
                readersOf[t].push_back(i);
            }
    }
    std::set<int> ready;
    for (int i = 0; i < m_graph.node_size(); ++i)
        if (needed[size_t(i)] && pending[size_t(i)] == 0)
            ready.insert(i);
    std::vector<int> order;
    while (!ready.empty()) {
        const int i = *ready.begin();
        ready.erase(ready.begin());
        order.push_back(i);
        for (const std::string& o : m_graph.node(i).output())
            for (int r : readersOf[o])
                if (--pending[size_t(r)] == 0)
                    ready.insert(r);
    }
    for (int i = 0; i < m_graph.node_size(); ++i)
        if (needed[size_t(i)] && pending[size_t(i)] > 0)
            fail("node '" + m_graph.node(i).name() + "' (" + m_graph.node(i).op_type()
                 + "): the graph has a cycle through this node");
    return order;
}

const onnx::AttributeProto* Importer::attr(const onnx::NodeProto& n, const char* name) const
{
    for (const auto& a : n.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t Importer::attrInt(const onnx::NodeProto& n, const char* name, int64_t fallback) const
{
    const auto* a = attr(n, name);
    return a ? a->i() : fallback;
}

float Importer::attrFloat(const onnx::NodeProto& n, const char* name, float fallback) const
{
    const auto* a = attr(n, name);
    return a ? a->f() : fallback;
}

std::vector<int64_t> Importer::attrInts(const onnx::NodeProto& n, const char* name) const
{
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

const Const& Importer::constant(const onnx::NodeProto& n, int i, const char* role)
{
    if (!hasInput(n, i))
        failNode(std::string(role) + ": missing");
    const auto it = m_consts.find(n.input(i));
    if (it == m_consts.end()) {
        if (m_values.count(n.input(i)))
            failNode(std::string(role) + " '" + n.input(i) + "': must be a constant (an initializer), not computed");
        failNode(std::string(role) + " '" + n.input(i) + "': no initializer or tensor of that name");
    }
    return it->second;
}

Value Importer::value(const onnx::NodeProto& n, int i, bool padAllowed)
{
    if (!hasInput(n, i))
        failNode("input " + std::to_string(i) + ": missing");
    const auto it = m_values.find(n.input(i));
    if (it == m_values.end()) {
        if (isConst(n.input(i)))
            failNode("input '" + n.input(i) + "': a constant where a computed tensor is expected");
        failNode("input '" + n.input(i) + "': no initializer or tensor of that name");
    }
    if (!padAllowed && it->second.pad != std::array<int, 4>{})
        failNode("input '" + n.input(i) + "': the padding of Pad node '" + it->second.padNode
                 + "' is supported only before Conv and AveragePool");
    return it->second;
}

void Importer::onlyFirstOutputUsed(const onnx::NodeProto& n)
{
    for (int i = 1; i < n.output_size(); ++i)
        if (!n.output(i).empty() && m_readers.count(n.output(i)))
            failNode("output " + std::to_string(i) + " ('" + n.output(i) + "') is used; only the first is supported");
}

void Importer::define(const std::string& onnxName, const Value& v) { m_values[onnxName] = v; }

Value Importer::push(LayerKind kind, AttrValues attrs, const std::vector<Value>& inputs, bool flat)
{
    std::string name = layerNameFor(m_graph.node(int(m_nodeIndex)), m_nodeIndex);
    if (!isValidUtf8(name))
        failNode("name: not valid UTF-8 (ONNX names are UTF-8 text)");
    for (int k = 2; m_names.count(name); ++k)
        name = layerNameFor(m_graph.node(int(m_nodeIndex)), m_nodeIndex) + "_" + std::to_string(k);
    LayerSpec spec{name, kind, attrs, {}};
    Layer layer;
    layer.name = name;
    layer.kind = kind;
    layer.attrs = attrs;
    for (const Value& v : inputs) {
        spec.inputs.push_back(v.tensor);
        layer.inShapes.push_back(v.shape);
    }
    try {
        completeLayer(layer, 1.0);
    } catch (const InputError& e) {
        failNode(e.what());
    }
    m_names.insert(name);
    m_layerOf[name] = int(m_out.spec.layers.size());
    m_out.spec.layers.push_back(std::move(spec));
    return Value{name, layer.outShape, flat, {}, {}};
}

void Importer::addWeight(const std::string& name, std::vector<int64_t> dims, const Const& c,
                         const std::function<double(int64_t)>& at)
{
    if (c.absent)
        return;
    ModelTensor t;
    t.name = name;
    t.shape = std::move(dims);
    int64_t n = 1;
    for (int64_t d : t.shape)
        n *= d;
    t.values.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i)
        t.values[size_t(i)] = float(at ? at(i) : c.values.at(size_t(i)));
    m_out.weights.tensors.push_back(std::move(t));
}

void Importer::spatial(const onnx::NodeProto& n, const Value& x, int kh, int kw, std::array<int, 2> stride,
                       std::array<int, 2> dilation, AttrValues& a, bool ceilMode)
{
    std::array<int, 4> p = x.pad; // top, left, bottom, right
    const auto pads = attrInts(n, "pads");
    const auto* autoPad = attr(n, "auto_pad");
    const std::string mode = autoPad ? autoPad->s() : "NOTSET";
    if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
        const std::array<int, 2> in = {x.shape.h, x.shape.w}, k = {kh, kw};
        for (int d = 0; d < 2; ++d) {
            const int out = (in[d] + stride[d] - 1) / stride[d];
            const int total = std::max(0, (out - 1) * stride[d] + (k[d] - 1) * dilation[d] + 1 - in[d]);
            const int small = total / 2, big = total - small;
            p[d] += mode == "SAME_UPPER" ? small : big;
            p[d + 2] += mode == "SAME_UPPER" ? big : small;
        }
    } else if (mode == "NOTSET") {
        if (!pads.empty() && pads.size() != 4)
            failNode("pads: " + std::to_string(pads.size()) + " values; 2-D layers have 4 (top, left, bottom, right)");
        for (size_t i = 0; i < pads.size(); ++i) {
            if (pads[i] < 0 || pads[i] > 31)
                failNode("pads: " + std::to_string(pads[i]) + " is outside 0..31");
            p[i] += int(pads[i]);
        }
    } else if (mode != "VALID") {
        failNode("auto_pad: '" + mode + "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    if (ceilMode) { // extra padding at the end so that the last partial window counts
        const std::array<int, 2> in = {x.shape.h, x.shape.w}, k = {kh, kw};
        for (int d = 0; d < 2; ++d) {
            const int span = (k[d] - 1) * dilation[d] + 1, room = in[d] + p[d] + p[d + 2] - span;
            if (room >= 0 && room % stride[d] != 0) {
                const int extra = stride[d] - room % stride[d];
                // PyTorch's rule: the last window must start inside the input or the top/left padding.
                if (((room + extra) / stride[d]) * stride[d] < in[d] + p[d])
                    p[d + 2] += extra;
            }
        }
    }
    for (int v : p)
        if (v > 31)
            failNode("pads: " + std::to_string(v) + " is outside 0..31");
    a.setPair(Attr::Kernel, kh, kw);
    a.setPair(Attr::Stride, stride[0], stride[1]);
    a.setPair(Attr::Padding, p[0], p[1]);
    if (p[2] != p[0] || p[3] != p[1])
        a.setPair(Attr::PaddingEnd, p[2], p[3]);
}

void Importer::conv(const onnx::NodeProto& n)
{
    const Value x = value(n, 0, true);
    if (x.flat)
        failNode("input: a flat [batch, features] tensor; Conv needs [batch, C, H, W]");
    const Const& w = constant(n, 1, "weights");
    if (w.dims.size() != 4)
        failNode("weights: rank " + std::to_string(w.dims.size()) + "; only 2-D convolutions (rank 4) are supported");
    const int64_t groups = attrInt(n, "group", 1);
    const int out = int(w.dims[0]), perGroup = int(w.dims[1]), kh = int(w.dims[2]), kw = int(w.dims[3]);
    if (groups < 1 || groups > x.shape.c || int64_t(perGroup) * groups != x.shape.c)
        failNode("group: " + std::to_string(groups) + " groups of " + std::to_string(perGroup)
                 + " channels do not match the input's " + std::to_string(x.shape.c));
    const auto ks = attrInts(n, "kernel_shape");
    if (!ks.empty() && (ks.size() != 2 || ks[0] != kh || ks[1] != kw))
        failNode("kernel_shape: does not match the weights' " + std::to_string(kh) + " x " + std::to_string(kw));
    auto pairOf = [&](const char* name) {
        const auto v = attrInts(n, name);
        if (v.empty())
            return std::array<int, 2>{1, 1};
        if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > 16 || v[1] > 16)
            failNode(std::string(name) + ": must be two values in 1..16");
        return std::array<int, 2>{int(v[0]), int(v[1])};
    };
    const auto stride = pairOf("strides"), dilation = pairOf("dilations");
    AttrValues a;
    spatial(n, x, kh, kw, stride, dilation, a, false);
    a.setPair(Attr::Dilation, dilation[0], dilation[1]);
    if (groups == x.shape.c && out == x.shape.c && perGroup == 1 && groups > 1) {
        a.set(Attr::Depthwise, 1);
    } else {
        a.set(Attr::OutChannels, out);
        a.set(Attr::Groups, int(groups));
    }
    const bool bias = hasInput(n, 2);
    a.set(Attr::Bias, bias ? 1 : 0);
    const Value y = push(LayerKind::Conv2d, a, {x}, false);
    addWeight(y.tensor + ".weight", w.dims, w);
    if (bias) {
        const Const& b = constant(n, 2, "bias");
        if (b.count() != out)
            failNode("bias: " + std::to_string(b.count()) + " values for " + std::to_string(out) + " output channels");
        addWeight(y.tensor + ".bias", {out}, b);
    }
    define(n.output(0), y);
}

void Importer::gemm(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    if (x.shape.h != 1 || x.shape.w != 1)
        failNode("input: " + x.shape.str() + "; Gemm needs [batch, features]");
    if (attrInt(n, "transA", 0) != 0)
        failNode("transA: only 0 is supported");
    const bool transB = attrInt(n, "transB", 0) != 0;
    const double alpha = attrFloat(n, "alpha", 1.0f), beta = attrFloat(n, "beta", 1.0f);
    const Const& w = constant(n, 1, "weights");
    if (w.dims.size() != 2)
        failNode("weights: rank " + std::to_string(w.dims.size()) + "; Gemm's B has rank 2");
    const int64_t rows = transB ? w.dims[0] : w.dims[1], cols = transB ? w.dims[1] : w.dims[0];
    if (cols != x.shape.c)
        failNode("weights: " + std::to_string(cols) + " inputs for " + std::to_string(x.shape.c) + " features");
    AttrValues a;
    a.set(Attr::OutChannels, int(rows));
    const bool bias = hasInput(n, 2);
    a.set(Attr::Bias, bias ? 1 : 0);
    const Value y = push(LayerKind::Dense, a, {x}, true);
    addWeight(y.tensor + ".weight", {rows, cols}, w, [&](int64_t i) {
        const int64_t r = i / cols, c = i % cols;
        return alpha * w.values.at(size_t(transB ? r * cols + c : c * rows + r));
    });
    if (bias) {
        const Const& b = constant(n, 2, "bias");
        if (b.count() != rows && b.count() != 1)
            failNode("bias: " + std::to_string(b.count()) + " values for " + std::to_string(rows) + " outputs");
        addWeight(y.tensor + ".bias", {rows}, b,
                  [&](int64_t i) { return beta * b.values.at(b.count() == 1 ? 0 : size_t(i)); });
    }
    define(n.output(0), y);
}

void Importer::matMul(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    if (x.shape.h != 1 || x.shape.w != 1)
        failNode("input: " + x.shape.str() + "; MatMul is supported on [batch, features] only");
    const Const& w = constant(n, 1, "weights");
    if (w.dims.size() != 2 || w.dims[0] != x.shape.c)
        failNode("weights: must be [" + std::to_string(x.shape.c) + ", outputs]");
    const int64_t rows = w.dims[1], cols = w.dims[0];
    AttrValues a;
    a.set(Attr::OutChannels, int(rows));
    const Value y = push(LayerKind::Dense, a, {x}, true);
    addWeight(y.tensor + ".weight", {rows, cols}, w,
              [&](int64_t i) { return w.values.at(size_t((i % cols) * rows + i / cols)); });
    define(n.output(0), y);
}

void Importer::batchNorm(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    if (attrInt(n, "training_mode", 0) != 0)
        failNode("training_mode: only inference (0) is supported");
    onlyFirstOutputUsed(n);
    const double eps = attrFloat(n, "epsilon", 1e-5f);
    const char* roles[] = {"scale", "bias", "mean", "var"};
    const char* names[] = {".gamma", ".beta", ".mean", ".var"};
    std::array<const Const*, 4> p{};
    for (int i = 0; i < 4; ++i) {
        p[size_t(i)] = &constant(n, i + 1, roles[i]);
        if (p[size_t(i)]->count() != x.shape.c)
            failNode(std::string(roles[i]) + ": " + std::to_string(p[size_t(i)]->count()) + " values for "
                     + std::to_string(x.shape.c) + " channels");
    }
    const Value y = push(LayerKind::BatchNorm, {}, {x}, x.flat);
    for (int i = 0; i < 3; ++i)
        addWeight(y.tensor + names[i], {x.shape.c}, *p[size_t(i)]);
    // POQ Studio normalizes with kBatchNormEps; the model's own epsilon moves into the variance.
    addWeight(y.tensor + ".var", {x.shape.c}, *p[3],
              [&](int64_t i) { return std::max(0.0, p[3]->values.at(size_t(i)) + eps - double(kBatchNormEps)); });
    define(n.output(0), y);
}

void Importer::clip(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    // Opset 11 and later (the supported range) give the bounds as inputs.
    double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
    for (int i = 1; i <= 2; ++i)
        if (hasInput(n, i)) {
            const Const& c = constant(n, i, i == 1 ? "min" : "max");
            if (c.count() != 1 || c.values.empty())
                failNode(std::string(i == 1 ? "min" : "max") + ": must be one constant value");
            (i == 1 ? lo : hi) = c.values[0];
        }
    if (hi >= double(std::numeric_limits<float>::max()))
        hi = std::numeric_limits<double>::infinity();
    LayerKind kind;
    if (lo == 0 && hi == 6)
        kind = LayerKind::ReLU6;
    else if (lo == 0 && std::isinf(hi))
        kind = LayerKind::ReLU;
    else
        failNode("bounds [" + std::to_string(lo) + ", " + std::to_string(hi)
                 + "]: supported are [0, 6] (ReLU6) and [0, inf) (ReLU)");
    define(n.output(0), push(kind, {}, {x}, x.flat));
}

void Importer::unary(const onnx::NodeProto& n, LayerKind kind)
{
    const Value x = value(n, 0);
    if (kind == LayerKind::HardSigmoid) {
        const float alpha = attrFloat(n, "alpha", 0.2f), beta = attrFloat(n, "beta", 0.5f);
        if (std::fabs(alpha - 1.0f / 6.0f) > 1e-6f || beta != 0.5f)
            failNode("alpha " + std::to_string(alpha) + ", beta " + std::to_string(beta)
                     + ": supported is PyTorch's hard sigmoid (alpha 1/6, beta 1/2)");
    }
    define(n.output(0), push(kind, {}, {x}, x.flat));
}

void Importer::add(const onnx::NodeProto& n)
{
    if (n.input_size() != 2)
        failNode("inputs: " + std::to_string(n.input_size()) + "; Add takes two");
    const bool c0 = isConst(n.input(0)), c1 = isConst(n.input(1));
    if (c0 && c1)
        failNode("inputs: both constant");
    if (!c0 && !c1) {
        const Value a = value(n, 0), b = value(n, 1);
        define(n.output(0), push(LayerKind::Add, {}, {a, b}, a.flat));
        return;
    }
    // A constant: the bias of the MAC layer that produced the other input (MatMul + Add, Conv + Add).
    const int vi = c0 ? 1 : 0;
    const Value x = value(n, vi);
    const Const& b = constant(n, 1 - vi, "bias");
    const auto it = m_layerOf.find(x.tensor);
    LayerSpec* layer = it == m_layerOf.end() ? nullptr : &m_out.spec.layers[size_t(it->second)];
    const bool macLayer = layer && (layer->kind == LayerKind::Dense || layer->kind == LayerKind::Conv2d);
    if (!macLayer || layer->attrs.get(Attr::Bias) || m_readers[n.input(vi)] != 1
        || (b.count() != x.shape.c && b.count() != 1))
        failNode("a constant added to '" + n.input(vi)
                 + "': supported only as the bias of the MatMul, Gemm or Conv that computes it");
    layer->attrs.set(Attr::Bias, 1);
    addWeight(x.tensor + ".bias", {x.shape.c}, b, [&](int64_t i) { return b.values.at(b.count() == 1 ? 0 : size_t(i)); });
    define(n.output(0), x);
}

void Importer::mul(const onnx::NodeProto& n)
{
    if (n.input_size() != 2)
        failNode("inputs: " + std::to_string(n.input_size()) + "; Mul takes two");
    if (isConst(n.input(0)) || isConst(n.input(1)))
        failNode("a constant factor: supported are products of two computed tensors (gates, SiLU, HardSwish)");
    Value a = value(n, 0), b = value(n, 1);
    if (a.shape.elements() < b.shape.elements())
        std::swap(a, b); // the full-size tensor first, the gate second
    define(n.output(0), push(LayerKind::Mul, {}, {a, b}, a.flat));
}

void Importer::pool(const onnx::NodeProto& n, bool max)
{
    const Value x = value(n, 0, !max);
    if (x.flat)
        failNode("input: a flat tensor; pooling needs [batch, C, H, W]");
    onlyFirstOutputUsed(n);
    const auto k = attrInts(n, "kernel_shape");
    if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > 31 || k[1] > 31)
        failNode("kernel_shape: must be two values in 1..31");
    const auto s = attrInts(n, "strides");
    std::array<int, 2> stride{1, 1};
    if (!s.empty()) {
        if (s.size() != 2 || s[0] < 1 || s[1] < 1 || s[0] > 16 || s[1] > 16)
            failNode("strides: must be two values in 1..16");
        stride = {int(s[0]), int(s[1])};
    }
    for (int64_t d : attrInts(n, "dilations"))
        if (d != 1)
            failNode("dilations: only 1 is supported for pooling");
    const bool ceil = attrInt(n, "ceil_mode", 0) != 0;
    if (ceil && !max)
        failNode("ceil_mode: 1 is supported for MaxPool only");
    AttrValues a;
    spatial(n, x, int(k[0]), int(k[1]), stride, {1, 1}, a, ceil);
    if (!max) {
        const auto own = attrInts(n, "pads");
        const bool ownPads = std::any_of(own.begin(), own.end(), [](int64_t v) { return v != 0; })
                             || (attr(n, "auto_pad") && attr(n, "auto_pad")->s().rfind("SAME", 0) == 0);
        if (ownPads && attrInt(n, "count_include_pad", 0) == 0)
            failNode("count_include_pad: 0 with padding (POQ Studio's AvgPool counts padding as zeros)");
    }
    define(n.output(0), push(max ? LayerKind::MaxPool : LayerKind::AvgPool, a, {x}, false));
}

void Importer::reshape(const onnx::NodeProto& n)
{
    const Value x = value(n, 0);
    std::vector<int64_t> shape;
    for (double v : constant(n, 1, "shape").values)
        shape.push_back(int64_t(v));
    const int64_t features = x.shape.elements();
    const bool flattens = shape.size() == 2 && (shape[0] == 1 || shape[0] == -1 || shape[0] == 0)
                          && (shape[1] == features || (shape[1] == -1 && shape[0] != -1));
    if (!flattens)
        failNode("shape: only a reshape to [batch, " + std::to_string(features) + "] (a flatten) is supported");
    if (x.flat) {
        define(n.output(0), x);
        return;
    }
    define(n.output(0), push(LayerKind::Flatten, {}, {x}, true));
}

void Importer::squeeze(const onnx::NodeProto& n, bool unsqueeze)
{
    const Value x = value(n, 0);
    std::vector<int64_t> axes = attrInts(n, "axes");
    if (m_opset >= 13 && hasInput(n, 1))
        for (double v : constant(n, 1, "axes").values)
            axes.push_back(int64_t(v));
    std::sort(axes.begin(), axes.end());
    const bool spatialAxes = axes == std::vector<int64_t>{2, 3} || axes == std::vector<int64_t>{-2, -1};
    const bool ok = x.shape.h == 1 && x.shape.w == 1 && (unsqueeze ? x.flat : !x.flat)
                    && (spatialAxes || (!unsqueeze && axes.empty()));
    if (!ok)
        failNode(std::string(unsqueeze ? "Unsqueeze" : "Squeeze")
                 + ": supported only between [batch, C, 1, 1] and [batch, C] (axes 2 and 3)");
    Value y = x;
    y.flat = !unsqueeze;
    define(n.output(0), y);
}

void Importer::concat(const onnx::NodeProto& n)
{
    std::vector<Value> in;
    for (int i = 0; i < n.input_size(); ++i)
        in.push_back(value(n, i));
    if (in.empty())
        failNode("inputs: none");
    const int64_t axis = attrInt(n, "axis", 1);
    const bool channels = axis == 1 || (in[0].flat ? axis == -1 : axis == -3);
    if (!channels)
        failNode("axis: " + std::to_string(axis) + "; only concatenation along the channels (axis 1) is supported");
    if (in.size() == 1) {
        define(n.output(0), in[0]);
        return;
    }
    define(n.output(0), push(LayerKind::Concat, {}, in, in[0].flat));
}

void Importer::pad(const onnx::NodeProto& n)
{
    Value x = value(n, 0, true);
    const auto* m = attr(n, "mode");
    if (m && m->s() != "constant")
        failNode("mode: '" + m->s() + "'; only constant (zero) padding is supported");
    std::vector<int64_t> pads; // opset 11 and later: pads and the value are inputs
    for (double v : constant(n, 1, "pads").values)
        pads.push_back(int64_t(v));
    if (hasInput(n, 2)) {
        const Const& v = constant(n, 2, "constant_value");
        if (!v.values.empty() && v.values[0] != 0)
            failNode("constant_value: only zero padding is supported");
    }
    if (hasInput(n, 3))
        failNode("axes: not supported");
    if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5] || x.flat)
        failNode("pads: only padding of height and width of a [batch, C, H, W] tensor is supported");
    const int order[4] = {2, 3, 6, 7}; // top, left, bottom, right
    for (int i = 0; i < 4; ++i) {
        if (pads[size_t(order[i])] < 0 || pads[size_t(order[i])] > 31)
            failNode("pads: " + std::to_string(pads[size_t(order[i])]) + " is outside 0..31");
        x.pad[size_t(i)] += int(pads[size_t(order[i])]);
    }
    x.padNode = m_nodeName;
    define(n.output(0), x);
}

void Importer::quantize(const onnx::NodeProto& n, bool q)
{
    if (!hasInput(n, 1) || !isConst(n.input(1)))
        failNode("scale: must be a constant (an initializer); computed scales are not supported");
    if (hasInput(n, 2) && !isConst(n.input(2)))
        failNode("zero point: must be a constant (an initializer)");
    const Const& scale = m_consts.at(n.input(1));
    const Const* zero = hasInput(n, 2) ? &m_consts.at(n.input(2)) : nullptr;
    if (isConst(n.input(0))) { // a quantized weight: apply the rounding, keep floats
        const Const& x = m_consts.at(n.input(0));
        Const y = x;
        if (!x.absent) {
            if (scale.values.empty() || (zero && zero->values.empty()))
                failNode("scale: absent data");
            const int64_t per = scale.count() > 1 && !x.dims.empty() ? x.count() / x.dims[0] : x.count();
            for (int64_t i = 0; i < x.count(); ++i) {
                const size_t ch = scale.count() > 1 ? size_t(i / per) : 0;
                if (ch >= scale.values.size())
                    failNode("scale: fewer values than channels");
                const double s = scale.values[ch], z = zero ? zero->values.at(std::min(ch, zero->values.size() - 1)) : 0;
                if (!(s > 0))
                    failNode("scale: must be positive");
                double& v = y.values[size_t(i)];
                v = q ? std::nearbyint(v / s) + z : (v - z) * s;
            }
        }
        m_consts[n.output(0)] = y;
        return;
    }
    define(n.output(0), value(n, 0)); // between layers: the engine quantizes stored tensors itself
}

void Importer::constantNode(const onnx::NodeProto& n)
{
    Const c;
    if (const auto* v = attr(n, "value")) {
        c = tensorConst(v->t(), "node '" + m_nodeName + "' (Constant)");
    } else if (const auto* f = attr(n, "value_float")) {
        c.values = {f->f()};
    } else if (const auto* i = attr(n, "value_int")) {
        c.values = {double(i->i())};
    } else if (const auto* fs = attr(n, "value_floats")) {
        c.dims = {fs->floats_size()};
        c.values.assign(fs->floats().begin(), fs->floats().end());
    } else if (const auto* is = attr(n, "value_ints")) {
        c.dims = {is->ints_size()};
        for (int64_t v : is->ints())
            c.values.push_back(double(v));
    } else {
        failNode("value: no supported value attribute");
    }
    m_consts[n.output(0)] = c;
}

void Importer::convert(const onnx::NodeProto& n)
{
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        failNode("domain '" + n.domain() + "' is not supported; supported operators (default domain): "
                 + supportedOnnxOperators());
    if (n.output_size() < 1 || n.output(0).empty())
        failNode("no output");
    const std::string& op = n.op_type();
    // Constants flow through Identity, Dropout and Cast without becoming layers.
    if ((op == "Identity" || op == "Dropout" || op == "Cast") && hasInput(n, 0) && isConst(n.input(0))) {
        m_consts[n.output(0)] = m_consts.at(n.input(0));
        return;
    }
    if (op == "Conv") conv(n);
    else if (op == "Gemm") gemm(n);
    else if (op == "MatMul") matMul(n);
    else if (op == "BatchNormalization") batchNorm(n);
    else if (op == "Relu") unary(n, LayerKind::ReLU);
    else if (op == "Clip") clip(n);
    else if (op == "Sigmoid") unary(n, LayerKind::Sigmoid);
    else if (op == "HardSigmoid") unary(n, LayerKind::HardSigmoid);
    else if (op == "HardSwish") unary(n, LayerKind::HardSwish);
    else if (op == "Add") add(n);
    else if (op == "Mul") mul(n);
    else if (op == "MaxPool") pool(n, true);
    else if (op == "AveragePool") pool(n, false);
    else if (op == "GlobalAveragePool" || op == "ReduceMean") {
        const Value x = value(n, 0);
        if (op == "ReduceMean") {
            std::vector<int64_t> axes = attrInts(n, "axes");
            if (m_opset >= 18 && hasInput(n, 1))
                for (double v : constant(n, 1, "axes").values)
                    axes.push_back(int64_t(v));
            std::sort(axes.begin(), axes.end());
            if (x.flat || !(axes == std::vector<int64_t>{2, 3} || axes == std::vector<int64_t>{-2, -1}))
                failNode("axes: only the mean over height and width (axes 2 and 3) is supported");
            define(n.output(0), push(LayerKind::GlobalAvgPool, {}, {x}, attrInt(n, "keepdims", 1) == 0));
        } else {
            define(n.output(0), push(LayerKind::GlobalAvgPool, {}, {x}, false));
        }
    } else if (op == "Flatten") {
        const Value x = value(n, 0);
        if (attrInt(n, "axis", 1) != 1)
            failNode("axis: only 1 (keep the batch) is supported");
        define(n.output(0), x.flat ? x : push(LayerKind::Flatten, {}, {x}, true));
    } else if (op == "Reshape") reshape(n);
    else if (op == "Squeeze") squeeze(n, false);
    else if (op == "Unsqueeze") squeeze(n, true);
    else if (op == "Concat") concat(n);
    else if (op == "Pad") pad(n);
    else if (op == "Identity" || op == "Dropout") {
        onlyFirstOutputUsed(n);
        define(n.output(0), value(n, 0, true));
    } else if (op == "Cast") {
        if (attrInt(n, "to", 1) != onnx::TensorProto_DataType_FLOAT)
            failNode("to: only casts to float are supported on computed tensors");
        define(n.output(0), value(n, 0, true));
    } else if (op == "Constant") constantNode(n);
    else if (op == "QuantizeLinear") quantize(n, true);
    else if (op == "DequantizeLinear") quantize(n, false);
    else
        failNode("operator not supported; supported are " + supportedOnnxOperators());
}

OnnxImport Importer::run()
{
    readOpset();
    readInitializers();
    const std::vector<int> order = orderedNodes();
    readInput();
    for (int i : order) {
        const onnx::NodeProto& n = m_graph.node(i);
        m_nodeIndex = size_t(i);
        m_nodeName = n.name().empty() ? layerNameFor(n, size_t(i)) : n.name();
        m_nodeOp = n.op_type();
        convert(n);
    }
    const std::string& outName = m_graph.output(0).name();
    const auto it = m_values.find(outName);
    if (it == m_values.end() || !m_layerOf.count(it->second.tensor))
        fail("output '" + outName + "': not computed by any supported layer");
    if (it->second.pad != std::array<int, 4>{})
        fail("output '" + outName + "': ends in a Pad");
    NetworkSpec& spec = m_out.spec;
    const std::filesystem::path p(m_source);
    spec.name = p.stem().string();
    std::string producer = m_model.producer_name();
    if (!m_model.producer_version().empty())
        producer += " " + m_model.producer_version();
    // Free text from the file: controls and bytes that are not UTF-8 escaped (JSON needs UTF-8).
    spec.name = escapeControls(spec.name);
    spec.description = escapeControls("imported from " + p.filename().string() + " (ONNX opset "
                                      + std::to_string(m_opset) + (producer.empty() ? "" : ", " + producer) + ")");
    spec.reference = escapeControls(m_model.doc_string().substr(0, 200));
    m_out.structureOnly = m_missingData;
    if (!m_missingData.empty())
        m_out.weights.tensors.clear();
    m_out.weights.metadata["network"] = spec.name;
    m_out.weights.metadata["source"] = "onnx";
    // Check the whole network as every loader does.
    try {
        m_out.widthNotes = planOnnxWidth(spec, it->second.tensor);
        Graph::build(spec, 1.0);
    } catch (const InputError& e) {
        fail(e.what());
    }
    return std::move(m_out);
}

} // namespace

std::string supportedOnnxOperators()
{
    std::string s;
    for (const OpInfo& o : kOnnxOperators)
        s += (s.empty() ? "" : ", ") + std::string(o.op);
    return s;
}

OnnxImport importOnnx(std::string_view bytes, const std::string& sourceName, const std::string& directory,
                      const OnnxImportOptions& options)
{
    GOOGLE_PROTOBUF_VERIFY_VERSION;
    onnx::ModelProto model;
    if (bytes.size() > size_t(std::numeric_limits<int>::max()) || !model.ParseFromArray(bytes.data(), int(bytes.size())))
        throw InputError(sourceName + ": not an ONNX model (the protobuf does not parse: damaged, truncated or another format)");
    if (!model.has_graph())
        throw InputError(sourceName + ": not an ONNX model (no graph)");
    Importer importer(model, sourceName, directory, options);
    return importer.run();
}

OnnxImport loadOnnxFile(const std::string& path, const OnnxImportOptions& options)
{
    const std::string bytes = readInputFile(path, InputFileKind::OnnxModel);
    return importOnnx(bytes, path, std::filesystem::path(path).parent_path().string(), options);
}

} // namespace poq
