// BatchNorm: per-channel scale and shift (learnable gamma and beta; running statistics are not
// parameters). Folded into the preceding convolution at inference time by the engine.
#include "graph/layers/kinds.h"

namespace poq::layers {

namespace {

int64_t params(const Layer& layer) { return 2 * int64_t(layer.outShape.c); }
int64_t elementwise(const Layer& layer) { return 2 * layer.outShape.elements(); }

} // namespace

const KindInfo kBatchNorm = {LayerKind::BatchNorm, "BatchNorm", "batch normalization (per-channel scale and shift)",
                             1, 1, {}, nullptr, sameAsInput, zero, params, elementwise, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ true, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::Signed};

} // namespace poq::layers
