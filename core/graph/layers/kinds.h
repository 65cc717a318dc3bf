// Descriptors of the layer kinds, one per file in this folder, plus helpers they share.
#pragma once

#include "graph/layer.h"

namespace poq::layers {

extern const KindInfo kConv2d;
extern const KindInfo kDense;
extern const KindInfo kBatchNorm;
extern const KindInfo kReLU;
extern const KindInfo kReLU6;
extern const KindInfo kAdd;
extern const KindInfo kMaxPool;
extern const KindInfo kAvgPool;
extern const KindInfo kGlobalAvgPool;
extern const KindInfo kFlatten;
extern const KindInfo kSigmoid;
extern const KindInfo kHardSigmoid;
extern const KindInfo kHardSwish;
extern const KindInfo kMul;
extern const KindInfo kConcat;

// Shared helpers
int64_t zero(const Layer&);
Shape sameAsInput(const Layer& layer);
int64_t outputElements(const Layer& layer);
// Output size of a sliding window; throws InputError when the window does not fit.
// `padEnd` < 0: the same as `pad` (symmetric padding).
int slidingOutput(int in, int kernel, int stride, int pad, int padEnd, int dilation, const char* axis);
// Channel count of a layer at width w under the layer's Scaling rule.
int scaledChannels(int base, ChannelScaling scaling, double width);

} // namespace poq::layers
