// Sigmoid: 1 / (1 + exp(-x)) (EfficientNet's SiLU is x * Sigmoid(x), a Sigmoid and a Mul).
#include "graph/layers/kinds.h"

namespace poq::layers {

const KindInfo kSigmoid = {LayerKind::Sigmoid, "Sigmoid", "logistic sigmoid 1 / (1 + exp(-x))",
                           1, 1, {}, nullptr, sameAsInput, zero, zero, outputElements, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::NonNegative};

} // namespace poq::layers
