// Layer kinds and concrete layers. A layer kind is one LayerKind value plus one KindInfo descriptor
// (defined in layers/<kind>.cpp); nothing outside the descriptors switches on the kind.
#pragma once

#include "graph/attributes.h"
#include "graph/shape.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace poq {

enum class LayerKind {
    Conv2d,
    Dense,
    BatchNorm,
    ReLU,
    ReLU6,
    Add,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    Flatten,
    Sigmoid,
    HardSigmoid,
    HardSwish,
    Mul,
    Concat,
};
inline constexpr int kLayerKindCount = 15;

// Every count (MACs, parameters, element-wise operations, tensor elements), per layer and per
// network, stays at or below 2^53 so that it is exact in a double (the energy model computes in
// doubles); Graph::build refuses larger networks.
inline constexpr int64_t kMaxCount = int64_t(1) << 53;

// The 7-D loop nest of a MAC layer, as the energy model sees it:
// for g < G, k < K, c < C, oy < OY, ox < OX, fy < FY, fx < FX:
//   O[g][k][oy][ox] += W[g][k][c][fy][fx] * I[g][c][oy*strideY + fy*dilationY - padY][...]
struct LoopNest {
    int K = 1;  // output channels per group
    int C = 1;  // input channels per group
    int G = 1;  // groups (depthwise: G = channels, K = C = 1)
    int OY = 1;
    int OX = 1;
    int FY = 1;
    int FX = 1;
    int strideY = 1;
    int strideX = 1;
    int dilationY = 1;
    int dilationX = 1;
    int IY = 1; // input height and width (unpadded)
    int IX = 1;

    // Exact up to kMaxCount; larger products (which Graph::build refuses) saturate at INT64_MAX
    // instead of overflowing.
    int64_t macs() const;
    bool operator==(const LoopNest&) const = default;
};

// A layer with concrete shapes, as it appears in a Graph at one width.
struct Layer {
    std::string name;
    LayerKind kind = LayerKind::ReLU;
    AttrValues attrs;          // resolved at this width: OutChannels and Groups are concrete
    std::vector<int> inputs;   // tensor ids
    int output = -1;           // tensor id
    std::vector<Shape> inShapes;
    Shape outShape;
    int64_t macs = 0;
    int64_t params = 0;
    int64_t elementwiseOps = 0; // non-MAC arithmetic per image (activations, adds, pooling, BN)
    std::optional<LoopNest> loopNest; // set for MAC layers (Conv2d, Dense)
    bool residual = false;     // output is a residual tensor (an Add's input or output)
};

// The sign of a kind's output, which decides whether an integer format stores it unsigned (a full
// extra bit of resolution for non-negative tensors).
enum class OutputSign {
    Signed,      // any sign
    NonNegative, // never negative (ReLU, ReLU6)
    AsInputs,    // non-negative exactly when every input is (pooling, reshapes, sums)
};

// The descriptor of one layer kind. Functions get the layer with inShapes set; resolveChannels
// fills the width-dependent attributes, inferShape checks them and returns the output shape.
// Both throw InputError with a message naming the field (the caller adds the layer name).
struct KindInfo {
    LayerKind kind;
    const char* name;        // JSON and CLI name, e.g. "Conv2d"
    const char* description;
    int minInputs;
    int maxInputs;           // -1: any number
    std::span<const Attr> attrs;
    void (*resolveChannels)(Layer& layer, double width); // nullptr: nothing to resolve
    Shape (*inferShape)(const Layer& layer);
    int64_t (*macs)(const Layer& layer);
    int64_t (*params)(const Layer& layer);
    int64_t (*elementwiseOps)(const Layer& layer);
    std::optional<LoopNest> (*loopNest)(const Layer& layer); // nullptr: not a MAC layer
    bool joinsResidual;      // an Add: its inputs and output are residual tensors
    // How the engine, the trainer and the energy model treat the kind (they read these flags and
    // never test the kind itself):
    bool fusesIntoProducer = false; // applied by its single producer on the way out (no tensor stored)
    bool foldsIntoConv = false;     // folded into the preceding MAC layer's weights (batch-norm);
                                    // elsewhere it runs on its own, so it fuses only after a MAC layer
    bool elementwise = false;       // keeps its input's shape and works element by element (in place)
    bool reshapeOnly = false;       // changes only the shape (in place where the layout is unchanged)
    OutputSign outputSign = OutputSign::Signed;
    // An activation that clamps to [lo, hi] (ReLU: [0, inf), ReLU6: [0, 6]); the engine applies it
    // in the producing convolution's epilogue. nullptr: not a clamp.
    bool (*clampRange)(const Layer& layer, float& lo, float& hi) = nullptr;

    bool hasAttr(Attr a) const;
};

const KindInfo& kindInfo(LayerKind kind);
// Whether a layer's output is non-negative, from its kind's OutputSign and its inputs' (tensor ids;
// `nonNegative` holds the answer for tensors already decided, in graph order).
bool outputNonNegative(const Layer& layer, const std::vector<char>& nonNegative);
// Whether the layer may write its output over its input (same shape, same layout).
bool runsInPlace(const Layer& layer);
std::span<const KindInfo* const> allKinds();
// nullptr when no kind has this name.
const KindInfo* findKind(const std::string& name);

} // namespace poq
