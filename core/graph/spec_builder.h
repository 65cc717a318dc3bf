// A small fluent helper for writing network specs in code (the built-in zoo, tests).
// Each call appends one layer and returns its name, which is also its output tensor's name.
#pragma once

#include "graph/network_spec.h"

#include <string>

namespace poq {

struct ConvOptions {
    int outChannels = 0;
    int kernel = 3;
    int stride = 1;
    int padding = -1;     // -1: "same" for odd kernels, kernel / 2
    int groups = 1;
    bool depthwise = false;
    int expand = 0;
    bool bias = false;
    ChannelScaling scaling = ChannelScaling::Width;
};

class SpecBuilder {
public:
    SpecBuilder(std::string name, std::string description, std::string reference);

    std::string input(const std::string& name, Shape shape);
    std::string conv(const std::string& name, const std::string& from, const ConvOptions& options);
    std::string dense(const std::string& name, const std::string& from, int outFeatures, bool bias = true,
                      ChannelScaling scaling = ChannelScaling::Width);
    std::string batchNorm(const std::string& name, const std::string& from);
    std::string relu(const std::string& name, const std::string& from);
    std::string relu6(const std::string& name, const std::string& from);
    std::string add(const std::string& name, const std::string& a, const std::string& b);
    std::string maxPool(const std::string& name, const std::string& from, int kernel, int stride, int padding = 0);
    std::string avgPool(const std::string& name, const std::string& from, int kernel, int stride, int padding = 0);
    std::string globalAvgPool(const std::string& name, const std::string& from);
    std::string flatten(const std::string& name, const std::string& from);

    // conv -> BatchNorm -> (ReLU | ReLU6 | nothing); returns the last tensor.
    enum class Act { None, ReLU, ReLU6 };
    std::string convBn(const std::string& name, const std::string& from, const ConvOptions& options, Act act);

    NetworkSpec take() { return std::move(m_spec); }

private:
    std::string push(const std::string& name, LayerKind kind, AttrValues attrs, std::vector<std::string> inputs);
    NetworkSpec m_spec;
};

} // namespace poq
