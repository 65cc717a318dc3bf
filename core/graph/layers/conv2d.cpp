// Conv2d: grouped / depthwise / dilated 2-D convolution, the main MAC layer.
#include "graph/layers/kinds.h"

#include "util/error.h"

namespace poq::layers {

namespace {

constexpr Attr kAttrs[] = {Attr::OutChannels, Attr::Expand,    Attr::Kernel, Attr::Stride,
                           Attr::Padding,     Attr::Dilation,  Attr::Groups, Attr::Depthwise,
                           Attr::Bias,        Attr::Scaling,   Attr::PaddingEnd};

void resolve(Layer& layer, double width)
{
    const int in = layer.inShapes.at(0).c;
    AttrValues& a = layer.attrs;
    const bool dw = a.get(Attr::Depthwise) != 0;
    const int base = a.get(Attr::OutChannels);
    const int expand = a.get(Attr::Expand);
    if (dw && (base != 0 || expand != 0 || a.get(Attr::Groups) != 1))
        throw InputError("depthwise: excludes outChannels, expand and groups");
    if (!dw && expand != 0 && base != 0)
        throw InputError("expand: give either expand or outChannels, not both");
    if (!dw && expand == 0 && base < 1)
        throw InputError("outChannels: must be in 1..1048576, got " + std::to_string(base));
    if (dw) {
        a.set(Attr::OutChannels, in);
        a.set(Attr::Groups, in);
    } else if (expand != 0) {
        a.set(Attr::OutChannels, in * expand);
    } else {
        a.set(Attr::OutChannels, scaledChannels(base, ChannelScaling(a.get(Attr::Scaling)), width));
    }
}

Shape infer(const Layer& layer)
{
    const Shape in = layer.inShapes.at(0);
    const AttrValues& a = layer.attrs;
    const int out = a.get(Attr::OutChannels);
    const int groups = a.get(Attr::Groups);
    if (in.c % groups != 0)
        throw InputError("groups: " + std::to_string(groups) + " does not divide the "
                         + std::to_string(in.c) + " input channels");
    if (out % groups != 0)
        throw InputError("groups: " + std::to_string(groups) + " does not divide the "
                         + std::to_string(out) + " output channels");
    const auto k = a.pair(Attr::Kernel), s = a.pair(Attr::Stride), p = a.pair(Attr::Padding),
               d = a.pair(Attr::Dilation), e = a.pair(Attr::PaddingEnd);
    return {out, slidingOutput(in.h, k[0], s[0], p[0], e[0], d[0], "height"),
            slidingOutput(in.w, k[1], s[1], p[1], e[1], d[1], "width")};
}

std::optional<LoopNest> nest(const Layer& layer)
{
    const AttrValues& a = layer.attrs;
    const Shape in = layer.inShapes.at(0);
    const int g = a.get(Attr::Groups);
    LoopNest n;
    n.G = g;
    n.K = layer.outShape.c / g;
    n.C = in.c / g;
    n.OY = layer.outShape.h;
    n.OX = layer.outShape.w;
    n.FY = a.pair(Attr::Kernel)[0];
    n.FX = a.pair(Attr::Kernel)[1];
    n.strideY = a.pair(Attr::Stride)[0];
    n.strideX = a.pair(Attr::Stride)[1];
    n.dilationY = a.pair(Attr::Dilation)[0];
    n.dilationX = a.pair(Attr::Dilation)[1];
    n.IY = in.h;
    n.IX = in.w;
    return n;
}

int64_t macs(const Layer& layer) { return nest(layer)->macs(); }

int64_t params(const Layer& layer)
{
    const LoopNest n = *nest(layer);
    return int64_t(n.G) * n.K * n.C * n.FY * n.FX + (layer.attrs.get(Attr::Bias) ? layer.outShape.c : 0);
}

int64_t elementwise(const Layer& layer) { return layer.attrs.get(Attr::Bias) ? layer.outShape.elements() : 0; }

} // namespace

const KindInfo kConv2d = {LayerKind::Conv2d, "Conv2d",
                          "2-D convolution (grouped, depthwise, strided, dilated)",
                          1, 1, kAttrs, resolve, infer, macs, params, elementwise, nest, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ false,
    OutputSign::Signed};

} // namespace poq::layers
