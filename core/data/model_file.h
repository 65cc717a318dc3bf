// Trained-model files in the safetensors layout: an 8-byte little-endian header length N, N bytes of
// JSON header ({"__metadata__": {...}, name: {"dtype", "shape", "data_offsets"}}), then raw tensors.
// Layout: https://github.com/huggingface/safetensors ("Format"). Only F32 tensors are supported.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace poq {

// Files with a longer JSON header are refused as damaged (a real header is a few kB).
inline constexpr uint64_t kMaxModelHeaderBytes = 100'000'000;

struct ModelTensor {
    std::string name;
    std::vector<int64_t> shape; // empty: a scalar (one value)
    std::vector<float> values;  // row-major; size is the product of shape
};

// Metadata keys written by training: network, width, strategy, dataset, seed, recipe, accuracy.
struct ModelFile {
    std::map<std::string, std::string> metadata;
    std::vector<ModelTensor> tensors; // in data order

    const ModelTensor* find(const std::string& name) const; // nullptr when absent
};

// Writes atomically. Throws InputError naming the path and tensor on an inconsistent tensor
// (values that do not match the shape, a negative dimension, an empty or duplicate name).
void saveModelFile(const ModelFile& model, const std::string& path);

// Tensors come back in the order of their data (which is the saved order). Throws InputError naming
// the path and the tensor or field for every defect.
ModelFile loadModelFile(const std::string& path);

} // namespace poq
