// MaxPool: sliding-window maximum; also holds the pooling shape rule shared with AvgPool.
#include "graph/layers/pooling.h"

namespace poq::layers {

Shape poolShape(const Layer& layer)
{
    const Shape in = layer.inShapes.at(0);
    const auto k = layer.attrs.pair(Attr::Kernel), s = layer.attrs.pair(Attr::Stride),
               p = layer.attrs.pair(Attr::Padding), e = layer.attrs.pair(Attr::PaddingEnd);
    return {in.c, slidingOutput(in.h, k[0], s[0], p[0], e[0], 1, "height"),
            slidingOutput(in.w, k[1], s[1], p[1], e[1], 1, "width")};
}

int64_t poolOps(const Layer& layer)
{
    const auto k = layer.attrs.pair(Attr::Kernel);
    return layer.outShape.elements() * k[0] * k[1];
}

const KindInfo kMaxPool = {LayerKind::MaxPool, "MaxPool", "sliding-window maximum",
                           1, 1, kPoolAttrs, nullptr, poolShape, zero, zero, poolOps, nullptr, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ false,
    OutputSign::AsInputs};

} // namespace poq::layers
