// ReLU: max(x, 0).
#include "graph/layers/kinds.h"

#include <limits>

namespace poq::layers {

namespace {

bool clamp(const Layer&, float& lo, float& hi)
{
    lo = 0.0f;
    hi = std::numeric_limits<float>::infinity();
    return true;
}

} // namespace

const KindInfo kReLU = {LayerKind::ReLU, "ReLU", "rectified linear unit max(x, 0)",
                        1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::NonNegative, clamp};

} // namespace poq::layers
