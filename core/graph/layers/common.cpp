// Helpers shared by the layer-kind descriptors.
#include "graph/layers/kinds.h"

#include "graph/width.h"
#include "util/error.h"

#include <algorithm>

namespace poq::layers {

int64_t zero(const Layer&) { return 0; }

Shape sameAsInput(const Layer& layer) { return layer.inShapes.at(0); }

int64_t outputElements(const Layer& layer) { return layer.outShape.elements(); }

int slidingOutput(int in, int kernel, int stride, int pad, int padEnd, int dilation, const char* axis)
{
    const int span = dilation * (kernel - 1) + 1;
    const int padded = in + pad + (padEnd < 0 ? pad : padEnd);
    if (padded < span)
        throw InputError(std::string("kernel: ") + axis + " extent " + std::to_string(span)
                         + " exceeds the padded input " + std::to_string(padded));
    return (padded - span) / stride + 1;
}

int scaledChannels(int base, ChannelScaling scaling, double width)
{
    switch (scaling) {
    case ChannelScaling::Fixed:
        return base;
    case ChannelScaling::Width:
        // Width 1.0 is the network as written; other widths round to multiples of 8.
        return width == 1.0 ? base : makeDivisible(base * width);
    case ChannelScaling::WidthAtLeastOne:
        return width <= 1.0 ? base : makeDivisible(base * width);
    }
    return base;
}

} // namespace poq::layers
