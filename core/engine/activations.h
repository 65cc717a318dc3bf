// The smooth activations, element by element, written once for the engine and the trainer (PyTorch's
// formulas: hard sigmoid is clamp(x + 3, 0, 6) / 6).
#pragma once

#include <algorithm>
#include <cmath>

namespace poq::activations {

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
inline float hardSigmoid(float x) { return std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; }
inline float hardSwish(float x) { return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; }

} // namespace poq::activations
