// Mul: element-wise product of two tensors; the second may be C x 1 x 1 against a C x H x W first
// (a per-channel gate, as in squeeze-and-excitation), broadcast over the feature map.
#include "graph/layers/kinds.h"

#include "util/error.h"

namespace poq::layers {

namespace {

Shape infer(const Layer& layer)
{
    const Shape a = layer.inShapes.at(0), b = layer.inShapes.at(1);
    if (b != a && !(b.c == a.c && b.h == 1 && b.w == 1))
        throw InputError("inputs: shapes " + a.str() + " and " + b.str()
                         + " do not multiply (equal shapes, or the second C x 1 x 1 with the first's C)");
    return a;
}

} // namespace

const KindInfo kMul = {LayerKind::Mul, "Mul", "element-wise product (a per-channel gate when the second is C x 1 x 1)",
                       2, 2, {}, nullptr, infer, zero, zero, outputElements, nullptr, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::AsInputs};

} // namespace poq::layers
