// GlobalAvgPool: mean over each channel's whole feature map, C x H x W -> C x 1 x 1.
#include "graph/layers/kinds.h"

namespace poq::layers {

namespace {

Shape infer(const Layer& layer) { return {layer.inShapes.at(0).c, 1, 1}; }
int64_t ops(const Layer& layer) { return layer.inShapes.at(0).elements(); }

} // namespace

const KindInfo kGlobalAvgPool = {LayerKind::GlobalAvgPool, "GlobalAvgPool", "mean over each feature map",
                                 1, 1, {}, nullptr, infer, zero, zero, ops, nullptr, false,
    /*fusesIntoProducer*/ false, /*foldsIntoConv*/ false, /*elementwise*/ false, /*reshapeOnly*/ false,
    OutputSign::AsInputs};

} // namespace poq::layers
