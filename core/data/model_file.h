// Trained-model files in the safetensors layout: an 8-byte little-endian header length N, N bytes of
// JSON header ({"__metadata__": {...}, name: {"dtype", "shape", "data_offsets"}}), then raw tensors.
// Layout: https://github.com/huggingface/safetensors ("Format"). Tensors are F32, I8 or U8 (integer
// weights are stored as their codes; see engine/weights.h for the packing of 4- and 2-bit codes).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poq {

// Files with a longer JSON header are refused as damaged (a real header is a few kB).
inline constexpr uint64_t kMaxModelHeaderBytes = 100'000'000;

enum class TensorDtype { F32, I8, U8 };
const char* dtypeName(TensorDtype d); // the safetensors spelling: "F32", "I8", "U8"

struct ModelTensor {
    ModelTensor() = default;
    ModelTensor(std::string n, std::vector<int64_t> s, std::vector<float> v) // an F32 tensor
        : name(std::move(n)), shape(std::move(s)), values(std::move(v)) {}

    std::string name;
    std::vector<int64_t> shape;   // empty: a scalar (one value)
    std::vector<float> values;    // F32: row-major; size is the product of shape
    TensorDtype dtype = TensorDtype::F32;
    std::vector<uint8_t> bytes;   // I8 (two's complement) and U8: one byte per element, row-major
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
// The same from the bytes of a file; `sourceName` starts every error message.
ModelFile parseModelFile(std::string_view bytes, const std::string& sourceName);

} // namespace poq
