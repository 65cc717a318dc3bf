// Operand precisions of every layer of a graph under a strategy: the one place where layer roles
// (first/last, residual) turn into number formats, for the energy model and the engine alike.
#pragma once

#include "formats/strategy.h"
#include "graph/graph.h"

#include <vector>

namespace poq {

struct LayerPrecision {
    NumberFormat weight = NumberFormat::FP32;  // MAC layers: the weights' format
    NumberFormat compute = NumberFormat::FP32; // the format the MACs / element-wise ops run in
    NumberFormat input = NumberFormat::FP32;   // stored format of the (first) input tensor
    NumberFormat output = NumberFormat::FP32;  // stored format of the output tensor
    int accumulatorBits = 32;
    bool firstOrLast = false;

    int weightBits() const { return formatInfo(weight).bits; }
    int inputBits() const { return formatInfo(input).bits; }
    int outputBits() const { return formatInfo(output).bits; }
};

struct NetworkPrecision {
    std::vector<NumberFormat> tensors;  // stored format of every tensor, by tensor id
    std::vector<LayerPrecision> layers; // by layer index
};

// Roles: first MAC layers (no MAC layer upstream) and last MAC layers (none downstream) use the
// first/last format for weights and compute; the network input and everything after the last MAC
// layers are stored in it too. Residual tensors use the residual format; all others the compute format.
NetworkPrecision assignPrecision(const Graph& graph, const QuantStrategy& strategy);

} // namespace poq
