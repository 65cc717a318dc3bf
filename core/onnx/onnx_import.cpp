// ONNX import: parse the protobuf (ONNX's own classes from libonnx), order the nodes, map each onto
// POQ Studio layer kinds with shapes checked node by node, then decide how the width multiplier
// scales every channel count (onnx_width.cpp). The node handlers are in onnx_nodes.cpp.
#include "onnx/onnx_import.h"

#include "graph/graph.h"
#include "onnx/onnx_importer.h"
#include "onnx/onnx_width.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/input_file.h"

#include <cstring>
#include <filesystem>
#include <limits>

namespace poq {

namespace onnx_detail {

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

} // namespace onnx_detail

using onnx_detail::Importer;
using onnx_detail::kOnnxOperators;
using onnx_detail::OpInfo;


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
