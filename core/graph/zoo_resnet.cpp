// ResNet-18, ResNet-50 (ImageNet, torchvision layout) and ResNet-20 (CIFAR-10).
#include "graph/spec_builder.h"
#include "graph/zoo.h"

namespace poq::zoo_builders {

namespace {

using Act = SpecBuilder::Act;

// Shortcut: identity, or a 1x1 projection with batch norm when the shape changes.
std::string shortcut(SpecBuilder& b, const std::string& name, const std::string& from, int inChannels,
                     int outChannels, int stride)
{
    if (stride == 1 && inChannels == outChannels)
        return from;
    return b.convBn(name + ".downsample", from, {.outChannels = outChannels, .kernel = 1, .stride = stride},
                    Act::None);
}

std::string basicBlock(SpecBuilder& b, const std::string& name, const std::string& from, int in, int out, int stride)
{
    std::string t = b.convBn(name + ".conv1", from, {.outChannels = out, .kernel = 3, .stride = stride}, Act::ReLU);
    t = b.convBn(name + ".conv2", t, {.outChannels = out, .kernel = 3}, Act::None);
    const std::string skip = shortcut(b, name, from, in, out, stride);
    t = b.add(name + ".add", t, skip);
    return b.relu(name + ".relu", t);
}

std::string bottleneck(SpecBuilder& b, const std::string& name, const std::string& from, int in, int mid, int stride)
{
    const int out = mid * 4;
    std::string t = b.convBn(name + ".conv1", from, {.outChannels = mid, .kernel = 1}, Act::ReLU);
    t = b.convBn(name + ".conv2", t, {.outChannels = mid, .kernel = 3, .stride = stride}, Act::ReLU);
    t = b.convBn(name + ".conv3", t, {.outChannels = out, .kernel = 1}, Act::None);
    const std::string skip = shortcut(b, name, from, in, out, stride);
    t = b.add(name + ".add", t, skip);
    return b.relu(name + ".relu", t);
}

NetworkSpec imagenetResNet(const char* zooName, bool useBottleneck, const int (&blocks)[4])
{
    const ZooEntry* e = findZoo(zooName);
    SpecBuilder b(e->name, e->description, e->reference);
    std::string t = b.input("input", {3, 224, 224});
    t = b.convBn("conv1", t, {.outChannels = 64, .kernel = 7, .stride = 2}, Act::ReLU);
    t = b.maxPool("maxpool", t, 3, 2, 1);
    int channels = 64;
    for (int stage = 0; stage < 4; ++stage) {
        const int mid = 64 << stage;
        for (int i = 0; i < blocks[stage]; ++i) {
            const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
            const int stride = (i == 0 && stage > 0) ? 2 : 1;
            if (useBottleneck) {
                t = bottleneck(b, name, t, channels, mid, stride);
                channels = mid * 4;
            } else {
                t = basicBlock(b, name, t, channels, mid, stride);
                channels = mid;
            }
        }
    }
    t = b.globalAvgPool("pool", t);
    t = b.flatten("flatten", t);
    b.dense("fc", t, 1000, true, ChannelScaling::Fixed);
    return b.take();
}

} // namespace

NetworkSpec resNet18() { return imagenetResNet("resnet18", false, {2, 2, 2, 2}); }

NetworkSpec resNet50() { return imagenetResNet("resnet50", true, {3, 4, 6, 3}); }

NetworkSpec resNet20()
{
    const ZooEntry* e = findZoo("resnet20");
    SpecBuilder b(e->name, e->description, e->reference);
    std::string t = b.input("input", {3, 32, 32});
    t = b.convBn("conv1", t, {.outChannels = 16, .kernel = 3}, Act::ReLU);
    int channels = 16;
    for (int stage = 0; stage < 3; ++stage) {
        const int out = 16 << stage;
        for (int i = 0; i < 3; ++i) {
            const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
            t = basicBlock(b, name, t, channels, out, (i == 0 && stage > 0) ? 2 : 1);
            channels = out;
        }
    }
    t = b.globalAvgPool("pool", t);
    t = b.flatten("flatten", t);
    b.dense("fc", t, 10, true, ChannelScaling::Fixed);
    return b.take();
}

} // namespace poq::zoo_builders
