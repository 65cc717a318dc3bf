// The zoo table and network lookup by name or file.
#include "graph/zoo.h"

#include "graph/network_io.h"
#include "util/display_text.h"
#include "util/error.h"

#include <array>
#include <filesystem>

namespace poq {

namespace {

using namespace zoo_builders;

const std::array<ZooEntry, 7> kZoo = {{
    {"mobilenetv2", "MobileNetV2 for ImageNet (3x224x224): inverted residuals, linear bottlenecks",
     "Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018", mobileNetV2},
    {"mobilenetv1", "MobileNetV1 for ImageNet (3x224x224): depthwise-separable convolutions",
     "Howard et al., MobileNets: Efficient CNNs for Mobile Vision Applications, arXiv:1704.04861, 2017",
     mobileNetV1},
    {"resnet18", "ResNet-18 for ImageNet (3x224x224): basic residual blocks",
     "He et al., Deep Residual Learning for Image Recognition, CVPR 2016", resNet18},
    {"resnet50", "ResNet-50 for ImageNet (3x224x224): bottleneck residual blocks (stride on the 3x3)",
     "He et al., Deep Residual Learning for Image Recognition, CVPR 2016", resNet50},
    {"resnet20", "ResNet-20 for CIFAR-10 (3x32x32): 3 stages of 3 basic blocks, 1x1 projection shortcuts",
     "He et al., Deep Residual Learning for Image Recognition, CVPR 2016 (Sec. 4.2)", resNet20},
    {"mobilenetv2-fmnist",
     "MobileNetV2 for Fashion-MNIST (1x28x28): 7 inverted-residual blocks, maps 28-14-7-4, 4 residual Adds",
     "POQ Studio's built-in experiment, after Sandler et al. CVPR 2018", mobileNetV2Fmnist},
    {"cnn-fmnist", "Plain CNN for Fashion-MNIST (1x28x28): 3 conv-BN-ReLU stages and a classifier",
     "POQ Studio's built-in baseline", cnnFmnist},
}};

} // namespace

std::span<const ZooEntry> zoo() { return kZoo; }

const ZooEntry* findZoo(const std::string& name)
{
    for (const ZooEntry& e : kZoo)
        if (name == e.name)
            return &e;
    return nullptr;
}

NetworkSpec resolveNetwork(const std::string& nameOrPath, const NetworkLoadOptions& options)
{
    if (const ZooEntry* e = findZoo(nameOrPath)) {
        if (options.inputShape)
            throw InputError("--input-shape: applies to ONNX files only, not to the built-in " + nameOrPath);
        return e->build();
    }
    std::error_code ec;
    if (std::filesystem::is_regular_file(nameOrPath, ec))
        return loadNetworkFile(nameOrPath, options);
    std::string names;
    for (const ZooEntry& e : kZoo)
        names += (names.empty() ? "" : ", ") + std::string(e.name);
    throw InputError("network: '" + echo(nameOrPath) + "' is neither a built-in network (" + names
                     + ") nor a readable network file");
}

} // namespace poq
