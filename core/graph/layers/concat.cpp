// Concat: stacks tensors of equal height and width along the channels.
#include "graph/layers/kinds.h"

#include "util/error.h"

namespace poq::layers {

namespace {

Shape infer(const Layer& layer)
{
    Shape out = layer.inShapes.at(0);
    for (size_t i = 1; i < layer.inShapes.size(); ++i) {
        const Shape s = layer.inShapes[i];
        if (s.h != out.h || s.w != out.w)
            throw InputError("inputs: feature maps differ (" + layer.inShapes[0].str() + " vs " + s.str()
                             + "); concatenation needs equal height and width");
        out.c += s.c;
        if (out.c > (1 << 20))
            throw InputError("inputs: more than 1048576 channels in all");
    }
    return out;
}

} // namespace

const KindInfo kConcat = {LayerKind::Concat, "Concat", "concatenation along the channels",
                          2, -1, {}, nullptr, infer, zero, zero, zero, nullptr, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ false,
    OutputSign::AsInputs};

} // namespace poq::layers
