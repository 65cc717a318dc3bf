// ReLU6: min(max(x, 0), 6), MobileNet's bounded activation.
#include "graph/layers/kinds.h"

namespace poq::layers {

const KindInfo kReLU6 = {LayerKind::ReLU6, "ReLU6", "rectified linear unit clipped at 6",
                         1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false};

} // namespace poq::layers
