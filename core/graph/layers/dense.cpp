// Dense (fully connected): a MAC layer on a C x 1 x 1 input.
#include "graph/layers/kinds.h"

#include "util/error.h"

namespace poq::layers {

namespace {

constexpr Attr kAttrs[] = {Attr::OutChannels, Attr::Bias, Attr::Scaling};

void resolve(Layer& layer, double width)
{
    const int base = layer.attrs.get(Attr::OutChannels);
    if (base < 1)
        throw InputError("outChannels: must be in 1..1048576, got " + std::to_string(base));
    layer.attrs.set(Attr::OutChannels, scaledChannels(base, ChannelScaling(layer.attrs.get(Attr::Scaling)), width));
}

Shape infer(const Layer& layer)
{
    const Shape in = layer.inShapes.at(0);
    if (in.h != 1 || in.w != 1)
        throw InputError("input: must be C x 1 x 1 (add Flatten or GlobalAvgPool), got " + in.str());
    return {layer.attrs.get(Attr::OutChannels), 1, 1};
}

std::optional<LoopNest> nest(const Layer& layer)
{
    LoopNest n;
    n.K = layer.outShape.c;
    n.C = layer.inShapes.at(0).c;
    return n;
}

int64_t macs(const Layer& layer) { return int64_t(layer.inShapes.at(0).c) * layer.outShape.c; }

int64_t params(const Layer& layer)
{
    return macs(layer) + (layer.attrs.get(Attr::Bias) ? layer.outShape.c : 0);
}

int64_t elementwise(const Layer& layer) { return layer.attrs.get(Attr::Bias) ? layer.outShape.c : 0; }

} // namespace

const KindInfo kDense = {LayerKind::Dense, "Dense", "fully connected layer",
                         1, 1, kAttrs, resolve, infer, macs, params, elementwise, nest, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ false,
    OutputSign::Signed};

} // namespace poq::layers
