// Parameter names, shapes, initialisation and model-file conversion.
#include "engine/weights.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <set>
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

namespace {

// Integer weight codes in a model file. A layer whose weights were trained with a learned step per
// output channel ("quant.<layer>.wstep") may store the codes q = w / step instead of float weights:
// "<layer>.weight.int8" as I8 with the weight's shape, "<layer>.weight.intB" (B = 2..7) as U8 holding
// the B-bit two's-complement codes packed least significant bits first, in row-major order. The engine
// quantizes the rebuilt weights q * step with that same step, which gives q back exactly.
constexpr int kMinCodeBits = 2, kMaxCodeBits = 8;

std::string codeName(const std::string& weight, int bits) { return weight + ".int" + std::to_string(bits); }

int roundCode(float v, int qmax)
{
    const float c = std::clamp(v, float(-qmax), float(qmax));
    return int(std::nearbyint(c)); // the default rounding mode: half to even
}

std::vector<float> decodeWeights(const ModelTensor& t, int bits, const ParamSpec& p, const std::vector<float>& step,
                                 const std::string& src)
{
    const std::string where = src + ": tensor '" + t.name + "'";
    const size_t n = size_t(product(p.shape)), K = size_t(p.shape[0]);
    if (step.size() != K)
        throw InputError(where + ": needs 'quant." + p.name.substr(0, p.name.rfind('.')) + ".wstep' with " + std::to_string(K)
                         + " step sizes, one per output channel");
    const int qmax = (1 << (bits - 1)) - 1;
    std::vector<int> codes(n);
    if (bits == 8) {
        if (t.dtype != TensorDtype::I8 || t.shape != p.shape)
            throw InputError(where + ": must be I8 with shape " + shapeText(p.shape));
        for (size_t j = 0; j < n; ++j)
            codes[j] = int(int8_t(t.bytes[j]));
    } else {
        const size_t bytes = (n * size_t(bits) + 7) / 8;
        if (t.dtype != TensorDtype::U8 || t.shape != std::vector<int64_t>{int64_t(bytes)})
            throw InputError(where + ": must be U8 with shape [" + std::to_string(bytes) + "] (" + std::to_string(n)
                             + " packed " + std::to_string(bits) + "-bit codes)");
        for (size_t j = 0; j < n; ++j) {
            uint32_t v = 0;
            for (int b = 0; b < bits; ++b) {
                const size_t bit = j * size_t(bits) + size_t(b);
                v |= uint32_t((t.bytes[bit / 8] >> (bit % 8)) & 1u) << b;
            }
            codes[j] = int(v) - (v >> (bits - 1) ? (1 << bits) : 0); // sign-extend
        }
    }
    std::vector<float> w(n);
    const size_t per = n / K;
    for (size_t j = 0; j < n; ++j) {
        if (codes[j] < -qmax || codes[j] > qmax)
            throw InputError(where + ": code " + std::to_string(codes[j]) + " at element " + std::to_string(j)
                             + " lies outside -" + std::to_string(qmax) + ".." + std::to_string(qmax));
        w[j] = float(codes[j]) * step[j / per];
        if (!std::isfinite(w[j])) // a finite step can still overflow: 127 x 3e38
            throw InputError(where + ": code " + std::to_string(codes[j]) + " at element " + std::to_string(j)
                             + " times its step size is not a finite number (weights must be finite numbers)");
    }
    return w;
}

ModelTensor encodeWeights(const ParamSpec& p, const std::vector<float>& w, const std::vector<float>& step, int bits)
{
    const int qmax = (1 << (bits - 1)) - 1;
    const size_t n = w.size(), per = n / step.size();
    ModelTensor t;
    t.name = codeName(p.name, bits);
    if (bits == 8) {
        t.dtype = TensorDtype::I8;
        t.shape = p.shape;
        t.bytes.resize(n);
        for (size_t j = 0; j < n; ++j)
            t.bytes[j] = uint8_t(int8_t(roundCode(w[j] / step[j / per], qmax)));
        return t;
    }
    t.dtype = TensorDtype::U8;
    t.bytes.assign((n * size_t(bits) + 7) / 8, 0);
    t.shape = {int64_t(t.bytes.size())};
    for (size_t j = 0; j < n; ++j) {
        const uint32_t v = uint32_t(roundCode(w[j] / step[j / per], qmax)) & ((1u << bits) - 1);
        for (int b = 0; b < bits; ++b) {
            const size_t bit = j * size_t(bits) + size_t(b);
            t.bytes[bit / 8] |= uint8_t(((v >> b) & 1u) << (bit % 8));
        }
    }
    return t;
}

std::string layerOf(const std::string& param) { return param.substr(0, param.rfind('.')); }

} // namespace

bool isWeightName(const std::string& param)
{
    return param.size() > 7 && param.compare(param.size() - 7, 7, ".weight") == 0;
}

NetworkWeights weightsFromModel(const Graph& g, const ModelFile& model, const std::string& src)
{
    NetworkWeights w;
    std::set<std::string> used;
    for (const ModelTensor& t : model.tensors) {
        if (t.name.rfind("quant.", 0) == 0) { // learned quantization step sizes
            if (t.dtype != TensorDtype::F32)
                throw InputError(src + ": tensor '" + t.name + "' must be F32");
            for (float v : t.values)
                if (!(v >= 0) || !std::isfinite(v)) // 0: not learned yet (a fresh QAT checkpoint)
                    throw InputError(src + ": tensor '" + t.name + "' holds a negative or non-finite step size");
            w.tensors[t.name] = t.values;
            used.insert(t.name);
        }
    }
    for (const ParamSpec& p : parameterSpecs(g)) {
        const ModelTensor* t = model.find(p.name);
        if (!t && isWeightName(p.name)) {
            for (int bits = kMinCodeBits; bits <= kMaxCodeBits && !t; ++bits)
                if ((t = model.find(codeName(p.name, bits)))) {
                    const std::string stepName = "quant." + layerOf(p.name) + ".wstep";
                    static const std::vector<float> none;
                    w.tensors[p.name] = decodeWeights(*t, bits, p, w.has(stepName) ? w.at(stepName) : none, src);
                    used.insert(t->name);
                }
            if (t)
                continue;
        }
        if (!t)
            throw InputError(src + ": tensor '" + p.name + "' is missing (network " + g.name() + " at width "
                             + std::to_string(g.width()) + ")");
        if (t->dtype != TensorDtype::F32)
            throw InputError(src + ": tensor '" + p.name + "' must be F32, not " + dtypeName(t->dtype));
        if (t->shape != p.shape)
            throw InputError(src + ": tensor '" + p.name + "' has shape " + shapeText(t->shape) + ", the network needs "
                             + shapeText(p.shape));
        for (size_t i = 0; i < t->values.size(); ++i)
            if (!std::isfinite(t->values[i]))
                throw InputError(src + ": tensor '" + p.name + "': value " + std::to_string(i) + " is "
                                 + (std::isnan(t->values[i]) ? "NaN" : "infinite")
                                 + " (weights must be finite numbers)");
        w.tensors[p.name] = t->values;
        used.insert(p.name);
    }
    for (const ModelTensor& t : model.tensors)
        if (!used.count(t.name))
            throw InputError(src + ": tensor '" + t.name + "' belongs to no layer of " + g.name());
    return w;
}

ModelFile weightsToModel(const Graph& g, const NetworkWeights& w, std::map<std::string, std::string> metadata,
                         const NetworkPrecision* precision)
{
    ModelFile m;
    m.metadata = std::move(metadata);
    for (const ParamSpec& p : parameterSpecs(g)) {
        const std::string stepName = "quant." + layerOf(p.name) + ".wstep";
        const NumberFormat f = precision ? precision->layers[size_t(p.layer)].weight : NumberFormat::FP32;
        const int bits = formatInfo(f).bits;
        if (precision && formatInfo(f).family == FormatFamily::Int && bits >= kMinCodeBits && bits <= kMaxCodeBits
            && isWeightName(p.name) && w.has(stepName) && w.at(stepName).size() == size_t(p.shape[0]))
            m.tensors.push_back(encodeWeights(p, w.at(p.name), w.at(stepName), bits));
        else
            m.tensors.push_back({p.name, p.shape, w.at(p.name)});
    }
    for (const auto& [name, values] : w.tensors)
        if (name.rfind("quant.", 0) == 0)
            m.tensors.push_back({name, {int64_t(values.size())}, values});
    return m;
}

} // namespace poq
