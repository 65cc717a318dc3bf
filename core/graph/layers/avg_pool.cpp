// AvgPool: sliding-window mean (padding counted as zeros).
#include "graph/layers/pooling.h"

namespace poq::layers {

const KindInfo kAvgPool = {LayerKind::AvgPool, "AvgPool", "sliding-window mean",
                           1, 1, kPoolAttrs, nullptr, poolShape, zero, zero, poolOps, nullptr, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ false,
    OutputSign::AsInputs};

} // namespace poq::layers
