// Tensor shape of one image (batch excluded): channels x height x width. Flat tensors are C x 1 x 1.
#pragma once

#include <cstdint>
#include <string>

namespace poq {

struct Shape {
    int c = 0;
    int h = 1;
    int w = 1;

    int64_t elements() const { return int64_t(c) * h * w; }
    bool operator==(const Shape&) const = default;
    // "32x112x112"
    std::string str() const { return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w); }
};

} // namespace poq
