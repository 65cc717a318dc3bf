// HardSwish: x * clamp(x / 6 + 1/2, 0, 1), MobileNetV3's activation.
#include "graph/layers/kinds.h"

namespace poq::layers {

const KindInfo kHardSwish = {LayerKind::HardSwish, "HardSwish", "x times the hard sigmoid of x",
                             1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::Signed};

} // namespace poq::layers
