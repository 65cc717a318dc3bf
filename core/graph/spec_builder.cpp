// SpecBuilder: appends layers to a NetworkSpec.
#include "graph/spec_builder.h"

namespace poq {

SpecBuilder::SpecBuilder(std::string name, std::string description, std::string reference)
{
    m_spec.name = std::move(name);
    m_spec.description = std::move(description);
    m_spec.reference = std::move(reference);
}

std::string SpecBuilder::push(const std::string& name, LayerKind kind, AttrValues attrs, std::vector<std::string> inputs)
{
    m_spec.layers.push_back({name, kind, attrs, std::move(inputs)});
    return name;
}

std::string SpecBuilder::input(const std::string& name, Shape shape)
{
    m_spec.inputs.push_back({name, shape});
    return name;
}

std::string SpecBuilder::conv(const std::string& name, const std::string& from, const ConvOptions& o)
{
    AttrValues a;
    a.set(Attr::OutChannels, o.outChannels);
    a.set(Attr::Kernel, o.kernel);
    a.set(Attr::Stride, o.stride);
    a.set(Attr::Padding, o.padding < 0 ? o.kernel / 2 : o.padding);
    a.set(Attr::Groups, o.groups);
    a.set(Attr::Depthwise, o.depthwise ? 1 : 0);
    a.set(Attr::Expand, o.expand);
    a.set(Attr::Bias, o.bias ? 1 : 0);
    a.set(Attr::Scaling, static_cast<int>(o.scaling));
    return push(name, LayerKind::Conv2d, a, {from});
}

std::string SpecBuilder::dense(const std::string& name, const std::string& from, int outFeatures, bool bias,
                               ChannelScaling scaling)
{
    AttrValues a;
    a.set(Attr::OutChannels, outFeatures);
    a.set(Attr::Bias, bias ? 1 : 0);
    a.set(Attr::Scaling, static_cast<int>(scaling));
    return push(name, LayerKind::Dense, a, {from});
}

std::string SpecBuilder::batchNorm(const std::string& name, const std::string& from)
{
    return push(name, LayerKind::BatchNorm, {}, {from});
}

std::string SpecBuilder::relu(const std::string& name, const std::string& from)
{
    return push(name, LayerKind::ReLU, {}, {from});
}

std::string SpecBuilder::relu6(const std::string& name, const std::string& from)
{
    return push(name, LayerKind::ReLU6, {}, {from});
}

std::string SpecBuilder::add(const std::string& name, const std::string& a, const std::string& b)
{
    return push(name, LayerKind::Add, {}, {a, b});
}

std::string SpecBuilder::maxPool(const std::string& name, const std::string& from, int kernel, int stride, int padding)
{
    AttrValues a;
    a.set(Attr::Kernel, kernel);
    a.set(Attr::Stride, stride);
    a.set(Attr::Padding, padding);
    return push(name, LayerKind::MaxPool, a, {from});
}

std::string SpecBuilder::avgPool(const std::string& name, const std::string& from, int kernel, int stride, int padding)
{
    AttrValues a;
    a.set(Attr::Kernel, kernel);
    a.set(Attr::Stride, stride);
    a.set(Attr::Padding, padding);
    return push(name, LayerKind::AvgPool, a, {from});
}

std::string SpecBuilder::globalAvgPool(const std::string& name, const std::string& from)
{
    return push(name, LayerKind::GlobalAvgPool, {}, {from});
}

std::string SpecBuilder::flatten(const std::string& name, const std::string& from)
{
    return push(name, LayerKind::Flatten, {}, {from});
}

std::string SpecBuilder::convBn(const std::string& name, const std::string& from, const ConvOptions& o, Act act)
{
    std::string t = conv(name, from, o);
    t = batchNorm(name + ".bn", t);
    if (act == Act::ReLU)
        t = relu(name + ".relu", t);
    else if (act == Act::ReLU6)
        t = relu6(name + ".relu6", t);
    return t;
}

} // namespace poq
