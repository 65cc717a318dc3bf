// The registry of layer kinds: one line per kind, in LayerKind order.
#include "graph/layer.h"

#include "graph/layers/kinds.h"

#include <algorithm>
#include <cstdint>
#include <array>

namespace poq {

int64_t LoopNest::macs() const
{
    __int128 product = 1;
    for (int d : {G, K, C, OY, OX, FY, FX}) {
        product *= d;
        if (product > INT64_MAX)
            return INT64_MAX;
    }
    return int64_t(product);
}


namespace {

const std::array<const KindInfo*, kLayerKindCount> kKinds = {
    &layers::kConv2d,  &layers::kDense,   &layers::kBatchNorm, &layers::kReLU,
    &layers::kReLU6,   &layers::kAdd,     &layers::kMaxPool,   &layers::kAvgPool,
    &layers::kGlobalAvgPool, &layers::kFlatten, &layers::kSigmoid, &layers::kHardSigmoid,
    &layers::kHardSwish, &layers::kMul, &layers::kConcat,
};

} // namespace

bool KindInfo::hasAttr(Attr a) const { return std::find(attrs.begin(), attrs.end(), a) != attrs.end(); }

const KindInfo& kindInfo(LayerKind kind) { return *kKinds[static_cast<int>(kind)]; }

std::span<const KindInfo* const> allKinds() { return kKinds; }

const KindInfo* findKind(const std::string& name)
{
    for (const KindInfo* k : kKinds)
        if (name == k->name)
            return k;
    return nullptr;
}

} // namespace poq

namespace poq {

bool outputNonNegative(const Layer& layer, const std::vector<char>& nonNegative)
{
    switch (kindInfo(layer.kind).outputSign) {
    case OutputSign::Signed:
        return false;
    case OutputSign::NonNegative:
        return true;
    case OutputSign::AsInputs:
        for (int t : layer.inputs)
            if (t < 0 || size_t(t) >= nonNegative.size() || !nonNegative[size_t(t)])
                return false;
        return !layer.inputs.empty();
    }
    return false;
}

bool runsInPlace(const Layer& layer)
{
    const KindInfo& k = kindInfo(layer.kind);
    if (k.elementwise)
        return true;
    // A reshape of a 1 x 1 map keeps the layout: the same floats in the same order.
    return k.reshapeOnly && !layer.inShapes.empty() && layer.inShapes[0].h * layer.inShapes[0].w == 1;
}

} // namespace poq
