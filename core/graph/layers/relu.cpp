// ReLU: max(x, 0).
#include "graph/layers/kinds.h"

namespace poq::layers {

const KindInfo kReLU = {LayerKind::ReLU, "ReLU", "rectified linear unit max(x, 0)",
                        1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false};

} // namespace poq::layers
