// Add: element-wise sum of two or more tensors of equal shape; joins a residual (skip) connection.
#include "graph/layers/kinds.h"

#include "util/error.h"

namespace poq::layers {

namespace {

Shape infer(const Layer& layer)
{
    const Shape first = layer.inShapes.at(0);
    for (size_t i = 1; i < layer.inShapes.size(); ++i)
        if (layer.inShapes[i] != first)
            throw InputError("inputs: shapes differ (" + first.str() + " vs " + layer.inShapes[i].str() + ")");
    return first;
}

int64_t elementwise(const Layer& layer)
{
    return layer.outShape.elements() * int64_t(layer.inShapes.size() - 1);
}

} // namespace

const KindInfo kAdd = {LayerKind::Add, "Add", "element-wise sum (residual connection)",
                       2, -1, {}, nullptr, infer, zero, zero, elementwise, nullptr, true,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ true, /*reshapeOnly*/ false,
    OutputSign::AsInputs};

} // namespace poq::layers
