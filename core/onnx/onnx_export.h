// ONNX export: a network at one width, with its weights, as an .onnx file (opset 14) that the
// importer, PyTorch and ONNX Runtime read. Floating-point only: the quantized (QDQ) form is not
// written yet.
#pragma once

#include "engine/weights.h"
#include "graph/graph.h"

#include <string>

namespace poq {

inline constexpr int kOnnxExportOpset = 14;

// The model's bytes. Batch-norm layers stay BatchNormalization nodes (epsilon 1e-5, POQ Studio's),
// so importing the file gives back the same weights bit for bit.
std::string exportOnnx(const Graph& graph, const NetworkWeights& weights);

// Writes atomically.
void saveOnnxFile(const Graph& graph, const NetworkWeights& weights, const std::string& path);

} // namespace poq
