// ReLU6: min(max(x, 0), 6), MobileNet's bounded activation.
#include "graph/layers/kinds.h"

namespace poq::layers {

namespace {

bool clamp(const Layer&, float& lo, float& hi)
{
    lo = 0.0f;
    hi = 6.0f;
    return true;
}

} // namespace

const KindInfo kReLU6 = {LayerKind::ReLU6, "ReLU6", "rectified linear unit clipped at 6",
                         1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::NonNegative, clamp};

} // namespace poq::layers
