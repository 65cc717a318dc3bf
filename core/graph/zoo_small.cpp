// The plain CNN baseline for Fashion-MNIST.
#include "graph/spec_builder.h"
#include "graph/zoo.h"

namespace poq::zoo_builders {

NetworkSpec cnnFmnist()
{
    using Act = SpecBuilder::Act;
    const ZooEntry* e = findZoo("cnn-fmnist");
    SpecBuilder b(e->name, e->description, e->reference);
    std::string t = b.input("input", {1, 28, 28});
    t = b.convBn("conv1", t, {.outChannels = 16, .kernel = 3}, Act::ReLU);
    t = b.maxPool("pool1", t, 2, 2);
    t = b.convBn("conv2", t, {.outChannels = 32, .kernel = 3}, Act::ReLU);
    t = b.maxPool("pool2", t, 2, 2);
    t = b.convBn("conv3", t, {.outChannels = 64, .kernel = 3}, Act::ReLU);
    t = b.globalAvgPool("pool", t);
    t = b.flatten("flatten", t);
    b.dense("classifier", t, 10, true, ChannelScaling::Fixed);
    return b.take();
}

} // namespace poq::zoo_builders
