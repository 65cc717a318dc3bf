// Shared shape rule of MaxPool and AvgPool (sliding windows without channel change).
#pragma once

#include "graph/layers/kinds.h"

namespace poq::layers {

inline constexpr Attr kPoolAttrs[] = {Attr::Kernel, Attr::Stride, Attr::Padding, Attr::PaddingEnd};

Shape poolShape(const Layer& layer);
int64_t poolOps(const Layer& layer);

} // namespace poq::layers
