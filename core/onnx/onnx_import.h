// ONNX import: an .onnx file (opset 11-18) as a POQ Studio network, with its weights when the file
// holds them. The operators and how each maps onto a layer kind are listed in kOnnxOperators
// (onnx_import.cpp) and in the README ("Your own network").
#pragma once

#include "data/model_file.h"
#include "graph/network_io.h"
#include "graph/network_spec.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poq {

inline constexpr int kMinOnnxOpset = 11;
inline constexpr int kMaxOnnxOpset = 18;

// inputShape replaces the input's C, H, W (for models whose input has symbolic dimensions other
// than the batch).
using OnnxImportOptions = NetworkLoadOptions;

struct OnnxImport {
    NetworkSpec spec;
    // The layers' parameters under POQ Studio's names ("<layer>.weight", ".bias", ".gamma", ...);
    // empty when the model is structure only.
    ModelFile weights;
    // Why the weights are missing ("" when present): external data files that are absent.
    std::string structureOnly;
    // One line per layer whose channels the width multiplier does not scale as usual, with the reason.
    std::vector<std::string> widthNotes;
};

// `directory` is where external data files are looked for (the model's folder). Throws InputError
// "SOURCE: node 'NAME' (OpType): ..." naming the node for every defect.
OnnxImport importOnnx(std::string_view bytes, const std::string& sourceName, const std::string& directory,
                      const OnnxImportOptions& options = {});
OnnxImport loadOnnxFile(const std::string& path, const OnnxImportOptions& options = {});

// The supported operators, comma-separated (for messages and --help).
std::string supportedOnnxOperators();

} // namespace poq
