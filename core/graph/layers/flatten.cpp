// Flatten: C x H x W -> (C*H*W) x 1 x 1, no arithmetic.
#include "graph/layers/kinds.h"

#include "util/error.h"

namespace poq::layers {

namespace {

Shape infer(const Layer& layer)
{
    const int64_t n = layer.inShapes.at(0).elements();
    if (n > (int64_t(1) << 30))
        throw InputError("input: too many elements to flatten (" + std::to_string(n) + ")");
    return {static_cast<int>(n), 1, 1};
}

} // namespace

const KindInfo kFlatten = {LayerKind::Flatten, "Flatten", "reshape to a flat vector",
                           1, 1, {}, nullptr, infer, zero, zero, zero, nullptr, false,
    /*fusesIntoProducer*/ true, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ true,
    OutputSign::AsInputs};

} // namespace poq::layers
