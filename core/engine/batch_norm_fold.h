// The batch-norm fold, in one place: the engine folds a batch-norm into the MAC layer before it
// (y = scale * (W x + b) + shift), and quantization-aware training folds it the same way before
// it learns the weights the engine will quantize.
#pragma once

#include "engine/weights.h"
#include "graph/graph.h"

#include <vector>

namespace poq {

inline constexpr float kBatchNormEps = 1e-5f;

// The MAC layer a batch-norm layer folds into (its producer, read by it alone), or -1. Only kinds
// whose descriptor says foldsIntoConv fold.
int batchNormFoldTarget(const Graph& graph, int layer);

// Per channel: scale = gamma / sqrt(var + eps), shift = beta - mean * scale.
void batchNormAffine(const NetworkWeights& weights, const std::string& layerName, std::vector<float>& scale,
                     std::vector<float>& shift);

// W[k][...] *= scale[k] and bias[k] = bias[k] * scale[k] + shift[k] (an empty bias starts at 0;
// pass shift empty to scale the bias only).
void foldAffine(std::vector<float>& weight, std::vector<float>& bias, const std::vector<float>& scale,
                const std::vector<float>& shift);

} // namespace poq
