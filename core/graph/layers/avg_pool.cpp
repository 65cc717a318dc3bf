// AvgPool: sliding-window mean (padding counted as zeros).
#include "graph/layers/pooling.h"

namespace poq::layers {

const KindInfo kAvgPool = {LayerKind::AvgPool, "AvgPool", "sliding-window mean",
                           1, 1, kPoolAttrs, nullptr, poolShape, zero, zero, poolOps, nullptr, false};

} // namespace poq::layers
