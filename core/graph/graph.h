// A network at one width: layers in topological order with concrete shapes, named tensors with
// their producer and consumers, and explicit residual (skip) edges.
#pragma once

#include "graph/layer.h"
#include "graph/network_spec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace poq {

struct Tensor {
    std::string name;
    Shape shape;
    int producer = -1;          // layer index; -1 for a network input
    std::vector<int> consumers; // layer indices, ascending
    bool residual = false;      // an input or the output of an Add
};

// A skip connection: a tensor held from its producer until an Add consumes it while other layers
// run in between. Its lifetime is what the energy model charges for keeping it.
struct ResidualEdge {
    int tensor = -1;
    int producer = -1; // layer index, -1 for a network input
    int add = -1;      // layer index of the Add
    int lifetimeLayers() const { return add - producer - 1; } // layers that run while it is held
};

// Resolves a layer's width-dependent attributes and fills its output shape, counts and loop nest
// from its kind's descriptor (name, kind, attrs and inShapes set). Throws InputError naming the
// field; the caller names the layer. Graph::build runs it for every layer.
void completeLayer(Layer& layer, double width);

class Graph {
public:
    // Validates the spec and builds it at `width` (kMinWidth..kMaxWidth). Throws InputError with a
    // one-line message naming the layer and field on any problem.
    static Graph build(const NetworkSpec& spec, double width = 1.0);

    const std::string& name() const { return m_name; }
    double width() const { return m_width; }
    const std::vector<Layer>& layers() const { return m_layers; }
    const std::vector<Tensor>& tensors() const { return m_tensors; }
    const std::vector<int>& inputTensors() const { return m_inputs; }
    const std::vector<int>& outputTensors() const { return m_outputs; }
    const std::vector<ResidualEdge>& residualEdges() const { return m_residualEdges; }
    const Tensor& tensor(int id) const { return m_tensors.at(id); }
    int findLayer(const std::string& name) const; // -1 when absent

    int64_t totalMacs() const { return m_totalMacs; }
    int64_t totalParams() const { return m_totalParams; }

private:
    std::string m_name;
    double m_width = 1.0;
    std::vector<Layer> m_layers;
    std::vector<Tensor> m_tensors;
    std::vector<int> m_inputs;
    std::vector<int> m_outputs;
    std::vector<ResidualEdge> m_residualEdges;
    int64_t m_totalMacs = 0;
    int64_t m_totalParams = 0;
};

} // namespace poq
