// HardSigmoid: clamp(x / 6 + 1/2, 0, 1), PyTorch's definition (ONNX HardSigmoid with alpha = 1/6,
// beta = 1/2), MobileNetV3's gate.
#include "graph/layers/kinds.h"

namespace poq::layers {

const KindInfo kHardSigmoid = {LayerKind::HardSigmoid, "HardSigmoid", "piecewise-linear sigmoid clamp(x/6 + 1/2, 0, 1)",
                               1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::NonNegative};

} // namespace poq::layers
