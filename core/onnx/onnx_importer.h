// The ONNX importer's internals, shared by onnx_import.cpp (parsing, constants, node order, layers)
// and onnx_nodes.cpp (one handler per operator). Not part of the public interface (onnx_import.h).
#pragma once

#include "onnx/onnx_import.h"
#include "util/error.h"

#include <onnx/onnx_pb.h>

#include <array>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace poq::onnx_detail {

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


// The POQ Studio layer name of a node: its name without leading slashes, else its output's.
std::string layerNameFor(const onnx::NodeProto& node, size_t index);

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


} // namespace poq::onnx_detail
