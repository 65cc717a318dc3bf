// The attribute table: one row per attribute.
#include "graph/attributes.h"

#include <cstring>

namespace poq {

namespace {

constexpr const char* kScalingChoices[] = {"width", "fixed", "widthAtLeastOne"};
constexpr int kBig = 1 << 20;

const std::array<AttrInfo, kAttrCount> kAttrs = {{
    {Attr::OutChannels, "outChannels", AttrType::Int, 0, kBig, {0, 0}, {},
     "output channels (features) at width 1.0"},
    {Attr::Expand, "expand", AttrType::Int, 0, 64, {0, 0}, {},
     "output channels = input channels x expand (0: use outChannels)"},
    {Attr::Kernel, "kernel", AttrType::IntPair, 1, 31, {1, 1}, {}, "kernel size (h, w)"},
    {Attr::Stride, "stride", AttrType::IntPair, 1, 16, {1, 1}, {}, "stride (h, w)"},
    {Attr::Padding, "padding", AttrType::IntPair, 0, 31, {0, 0}, {}, "zero padding per side (h, w)"},
    {Attr::Dilation, "dilation", AttrType::IntPair, 1, 16, {1, 1}, {}, "dilation (h, w)"},
    {Attr::Groups, "groups", AttrType::Int, 1, kBig, {1, 1}, {}, "channel groups"},
    {Attr::Depthwise, "depthwise", AttrType::Bool, 0, 1, {0, 0}, {},
     "depthwise: groups = output channels = input channels"},
    {Attr::Bias, "bias", AttrType::Bool, 0, 1, {0, 0}, {}, "learnable bias"},
    {Attr::Scaling, "scaling", AttrType::Choice, 0, 2, {0, 0}, kScalingChoices,
     "how the width multiplier scales outChannels"},
    {Attr::PaddingEnd, "paddingEnd", AttrType::IntPair, -1, 31, {-1, -1}, {},
     "zero padding at the bottom and right (h, w) when not equal to padding (-1: equal)"},
}};

} // namespace

const AttrInfo& attrInfo(Attr a) { return kAttrs[static_cast<int>(a)]; }

std::span<const AttrInfo> allAttrs() { return kAttrs; }

const AttrInfo* findAttr(const std::string& key)
{
    for (const AttrInfo& info : kAttrs)
        if (key == info.key)
            return &info;
    return nullptr;
}

AttrValues::AttrValues()
{
    for (const AttrInfo& info : kAttrs)
        values[static_cast<int>(info.id)] = info.defaultValue;
}

} // namespace poq
