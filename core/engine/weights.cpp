// Parameter names, shapes, initialisation and model-file conversion.
#include "engine/weights.h"

#include "util/error.h"

#include <cmath>
#include <random>

namespace poq {

std::vector<ParamSpec> parameterSpecs(const Graph& g)
{
    std::vector<ParamSpec> out;
    for (int i = 0; i < static_cast<int>(g.layers().size()); ++i) {
        const Layer& l = g.layers()[i];
        const std::string n = l.name;
        if (l.kind == LayerKind::Conv2d) {
            const LoopNest& k = *l.loopNest;
            out.push_back({n + ".weight", {int64_t(k.G) * k.K, k.C, k.FY, k.FX}, i});
            if (l.attrs.get(Attr::Bias))
                out.push_back({n + ".bias", {int64_t(k.G) * k.K}, i});
        } else if (l.kind == LayerKind::Dense) {
            out.push_back({n + ".weight", {l.outShape.c, l.inShapes[0].c}, i});
            if (l.attrs.get(Attr::Bias))
                out.push_back({n + ".bias", {l.outShape.c}, i});
        } else if (l.kind == LayerKind::BatchNorm) {
            for (const char* s : {".gamma", ".beta", ".mean", ".var"})
                out.push_back({n + s, {l.outShape.c}, i});
        }
    }
    return out;
}

const std::vector<float>& NetworkWeights::at(const std::string& name) const
{
    const auto it = tensors.find(name);
    if (it == tensors.end())
        throw InputError("weights: no tensor '" + name + "'");
    return it->second;
}

std::vector<float>& NetworkWeights::at(const std::string& name)
{
    const auto it = tensors.find(name);
    if (it == tensors.end())
        throw InputError("weights: no tensor '" + name + "'");
    return it->second;
}

namespace {

int64_t product(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

std::string shapeText(const std::vector<int64_t>& s)
{
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i)
        t += (i ? "," : "") + std::to_string(s[i]);
    return t + "]";
}

} // namespace

NetworkWeights initialWeights(const Graph& g, uint64_t seed)
{
    NetworkWeights w;
    std::mt19937_64 rng(seed);
    for (const ParamSpec& p : parameterSpecs(g)) {
        std::vector<float> v(static_cast<size_t>(product(p.shape)), 0.0f);
        const std::string suffix = p.name.substr(p.name.rfind('.'));
        if (suffix == ".weight") {
            const int64_t fanIn = product(p.shape) / p.shape[0];
            std::normal_distribution<float> dist(0.0f, std::sqrt(2.0f / float(fanIn)));
            for (float& x : v)
                x = dist(rng);
        } else if (suffix == ".gamma" || suffix == ".var") {
            std::fill(v.begin(), v.end(), 1.0f);
        }
        w.tensors[p.name] = std::move(v);
    }
    return w;
}

NetworkWeights weightsFromModel(const Graph& g, const ModelFile& model, const std::string& src)
{
    NetworkWeights w;
    for (const ParamSpec& p : parameterSpecs(g)) {
        const ModelTensor* t = model.find(p.name);
        if (!t)
            throw InputError(src + ": tensor '" + p.name + "' is missing (network " + g.name() + " at width "
                             + std::to_string(g.width()) + ")");
        if (t->shape != p.shape)
            throw InputError(src + ": tensor '" + p.name + "' has shape " + shapeText(t->shape) + ", the network needs "
                             + shapeText(p.shape));
        w.tensors[p.name] = t->values;
    }
    for (const ModelTensor& t : model.tensors) {
        if (t.name.rfind("quant.", 0) == 0) { // learned quantization step sizes
            for (float v : t.values)
                if (!(v >= 0) || !std::isfinite(v)) // 0: not learned yet (a fresh QAT checkpoint)
                    throw InputError(src + ": tensor '" + t.name + "' holds a negative or non-finite step size");
            w.tensors[t.name] = t.values;
        } else if (!w.has(t.name)) {
            throw InputError(src + ": tensor '" + t.name + "' belongs to no layer of " + g.name());
        }
    }
    return w;
}

ModelFile weightsToModel(const Graph& g, const NetworkWeights& w, std::map<std::string, std::string> metadata)
{
    ModelFile m;
    m.metadata = std::move(metadata);
    for (const ParamSpec& p : parameterSpecs(g))
        m.tensors.push_back({p.name, p.shape, w.at(p.name)});
    for (const auto& [name, values] : w.tensors)
        if (name.rfind("quant.", 0) == 0)
            m.tensors.push_back({name, {int64_t(values.size())}, values});
    return m;
}

} // namespace poq
