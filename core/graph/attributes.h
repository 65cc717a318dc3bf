// Layer attributes: every attribute a layer kind may carry is one row of the attribute table
// (JSON key, type, range, default). Specs, JSON files and validation all iterate over that table.
#pragma once

#include <array>
#include <span>
#include <string>

namespace poq {

enum class Attr {
    OutChannels, // output channels / features at width 1.0 (0: derived, see Depthwise and Expand)
    Expand,      // output channels = input channels x this ratio (inverted-residual expansion)
    Kernel,      // (h, w)
    Stride,      // (h, w)
    Padding,     // (h, w), zero padding on each side
    Dilation,    // (h, w)
    Groups,      // channel groups; depthwise when equal to the input channels
    Depthwise,   // groups = output channels = input channels
    Bias,        // learnable bias
    Scaling,     // how the width multiplier changes OutChannels (see ChannelScaling)
    PaddingEnd,  // (h, w), zero padding at the bottom and right when it differs from Padding (-1: same)
};
inline constexpr int kAttrCount = 11;

enum class AttrType { Int, IntPair, Bool, Choice };

// How a layer's channel count follows the width multiplier.
enum class ChannelScaling {
    Width = 0,          // makeDivisible(c * w, 8)
    Fixed = 1,          // never scaled (e.g. the classifier's class count)
    WidthAtLeastOne = 2 // makeDivisible(c * max(1, w), 8) (MobileNetV2's last 1x1 conv)
};

struct AttrInfo {
    Attr id;
    const char* key;   // JSON key
    AttrType type;
    int minValue;
    int maxValue;
    std::array<int, 2> defaultValue;
    std::span<const char* const> choices; // names of Choice values, index = stored value
    const char* help;
};

const AttrInfo& attrInfo(Attr a);
std::span<const AttrInfo> allAttrs();
// nullptr when no attribute has this JSON key.
const AttrInfo* findAttr(const std::string& key);

// The value of every attribute of one layer (pairs keep two ints; scalars use [0]).
struct AttrValues {
    std::array<std::array<int, 2>, kAttrCount> values{};

    AttrValues(); // every attribute at its default
    int get(Attr a) const { return values[static_cast<int>(a)][0]; }
    std::array<int, 2> pair(Attr a) const { return values[static_cast<int>(a)]; }
    void set(Attr a, int v) { values[static_cast<int>(a)] = {v, v}; }
    void setPair(Attr a, int h, int w) { values[static_cast<int>(a)] = {h, w}; }
    bool operator==(const AttrValues&) const = default;
};

} // namespace poq
