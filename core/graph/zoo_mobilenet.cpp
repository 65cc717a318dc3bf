// MobileNetV1 and MobileNetV2 (ImageNet and the Fashion-MNIST variant of the built-in experiment).
#include "graph/spec_builder.h"
#include "graph/zoo.h"

#include <vector>

namespace poq::zoo_builders {

namespace {

using Act = SpecBuilder::Act;

struct BlockSetting {
    int expand; // t
    int channels; // c
    int repeats;  // n
    int stride;   // s
};

// Inverted residual block (Sandler et al. 2018, Table 1): 1x1 expand -> 3x3 depthwise -> 1x1 linear
// projection; a residual Add when the stride is 1 and the channel count is unchanged.
std::string invertedResidual(SpecBuilder& b, const std::string& name, const std::string& from, int inChannels,
                             const BlockSetting& s, int stride)
{
    std::string t = from;
    if (s.expand != 1)
        t = b.convBn(name + ".expand", t, {.kernel = 1, .expand = s.expand}, Act::ReLU6);
    t = b.convBn(name + ".dw", t, {.kernel = 3, .stride = stride, .depthwise = true}, Act::ReLU6);
    t = b.convBn(name + ".project", t, {.outChannels = s.channels, .kernel = 1}, Act::None);
    if (stride == 1 && inChannels == s.channels)
        t = b.add(name + ".add", from, t);
    return t;
}

NetworkSpec mobileNetV2Like(SpecBuilder b, Shape input, int stemChannels, int stemStride,
                            const std::vector<BlockSetting>& settings, int lastChannels, int classes)
{
    std::string t = b.input("input", input);
    t = b.convBn("stem", t, {.outChannels = stemChannels, .kernel = 3, .stride = stemStride}, Act::ReLU6);
    int channels = stemChannels;
    int block = 0;
    for (const BlockSetting& s : settings)
        for (int i = 0; i < s.repeats; ++i) {
            t = invertedResidual(b, "block" + std::to_string(++block), t, channels, s, i == 0 ? s.stride : 1);
            channels = s.channels;
        }
    t = b.convBn("head", t, {.outChannels = lastChannels, .kernel = 1, .scaling = ChannelScaling::WidthAtLeastOne},
                 Act::ReLU6);
    t = b.globalAvgPool("pool", t);
    t = b.flatten("flatten", t);
    b.dense("classifier", t, classes, true, ChannelScaling::Fixed);
    return b.take();
}

} // namespace

NetworkSpec mobileNetV2()
{
    const ZooEntry* e = findZoo("mobilenetv2");
    return mobileNetV2Like(SpecBuilder(e->name, e->description, e->reference), {3, 224, 224}, 32, 2,
                           {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}},
                           1280, 1000);
}

// Sized for training every (strategy, width) point on a 2-core machine: expansion 4 instead of 6,
// 7 blocks instead of 17, feature maps 28 -> 14 -> 7 -> 4.
NetworkSpec mobileNetV2Fmnist()
{
    const ZooEntry* e = findZoo("mobilenetv2-fmnist");
    return mobileNetV2Like(SpecBuilder(e->name, e->description, e->reference), {1, 28, 28}, 16, 1,
                           {{1, 16, 1, 1}, {4, 24, 2, 2}, {4, 32, 2, 2}, {4, 64, 2, 2}}, 256, 10);
}

NetworkSpec mobileNetV1()
{
    const ZooEntry* e = findZoo("mobilenetv1");
    SpecBuilder b(e->name, e->description, e->reference);
    std::string t = b.input("input", {3, 224, 224});
    t = b.convBn("stem", t, {.outChannels = 32, .kernel = 3, .stride = 2}, Act::ReLU);
    const int channels[] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    const int strides[] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    for (int i = 0; i < 13; ++i) {
        const std::string name = "block" + std::to_string(i + 1);
        t = b.convBn(name + ".dw", t, {.kernel = 3, .stride = strides[i], .depthwise = true}, Act::ReLU);
        t = b.convBn(name + ".pw", t, {.outChannels = channels[i], .kernel = 1}, Act::ReLU);
    }
    t = b.globalAvgPool("pool", t);
    t = b.flatten("flatten", t);
    b.dense("classifier", t, 1000, true, ChannelScaling::Fixed);
    return b.take();
}

} // namespace poq::zoo_builders
