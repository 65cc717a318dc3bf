// The learnable parameters (and batch-norm statistics) of a graph, by name. Names and shapes come
// from the graph, so a model file is checked against the network it claims to be.
#pragma once

#include "data/model_file.h"
#include "formats/precision.h"
#include "graph/graph.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace poq {

struct ParamSpec {
    std::string name;           // "<layer>.weight", ".bias", ".gamma", ".beta", ".mean", ".var"
    std::vector<int64_t> shape;
    int layer = -1;
};

// Every tensor a graph's weights hold, in layer order.
std::vector<ParamSpec> parameterSpecs(const Graph& graph);
// True for "<layer>.weight": the tensor of a convolution's or dense layer's weights.
bool isWeightName(const std::string& param);

struct NetworkWeights {
    std::map<std::string, std::vector<float>> tensors;

    const std::vector<float>& at(const std::string& name) const;
    std::vector<float>& at(const std::string& name);
    bool has(const std::string& name) const { return tensors.count(name) != 0; }
};

// He-normal convolution and dense weights, zero biases, identity batch-norm; deterministic by seed.
NetworkWeights initialWeights(const Graph& graph, uint64_t seed);

// Checks names and shapes against the graph; throws InputError naming the first mismatch. Integer
// weight codes ("<layer>.weight.intB", see weights.cpp) are rebuilt as code x learned step.
NetworkWeights weightsFromModel(const Graph& graph, const ModelFile& model, const std::string& sourceName);
// With `integerWeights`, every layer with integer weights of 2..8 bits and a learned per-channel step
// stores its codes (packed below 8 bits) instead of float weights; the engine's result is unchanged.
ModelFile weightsToModel(const Graph& graph, const NetworkWeights& weights, std::map<std::string, std::string> metadata,
                         const NetworkPrecision* integerWeights = nullptr);

} // namespace poq
