// Inference: plan (fold, quantize weights), calibration, per-image forward, evaluation.
#include "engine/inference.h"

#include "engine/fake_quant.h"
#include "engine/kernels.h"
#include "util/error.h"
#include "util/wilson.h"

#include <tbb/parallel_for.h>
#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cmath>

namespace poq {

namespace {

constexpr float kBnEps = 1e-5f;

bool fusableConsumer(LayerKind k)
{
    return k == LayerKind::BatchNorm || k == LayerKind::ReLU || k == LayerKind::ReLU6 || k == LayerKind::Flatten;
}

// Layers that keep their input's shape and work element by element, so they may run in place.
bool inPlace(const Layer& l)
{
    const bool flatVector = l.kind == LayerKind::Flatten && l.inShapes[0].h * l.inShapes[0].w == 1;
    return flatVector || l.kind == LayerKind::Add || (fusableConsumer(l.kind) && l.kind != LayerKind::Flatten);
}

int intMax(int bits, bool isUnsigned) { return isUnsigned ? (1 << bits) - 1 : (1 << (bits - 1)) - 1; }

} // namespace

const char* calibrationName(Calibration c)
{
    return c == Calibration::MinMax ? "minmax" : c == Calibration::Percentile ? "percentile" : "mse";
}

Calibration parseCalibration(const std::string& name)
{
    for (Calibration c : {Calibration::MinMax, Calibration::Percentile, Calibration::Mse})
        if (name == calibrationName(c))
            return c;
    throw InputError("calibration: must be one of minmax, percentile, mse, got '" + name + "'");
}

Normalization normalizationFor(const Dataset& d)
{
    Normalization n;
    if (d.name == "cifar-10") {
        n.mean = {0.4914f, 0.4822f, 0.4465f};
        n.std = {0.2470f, 0.2435f, 0.2616f};
    } else { // Fashion-MNIST training-set statistics
        n.mean = {0.2860f, 0.2860f, 0.2860f};
        n.std = {0.3530f, 0.3530f, 0.3530f};
    }
    return n;
}

namespace {

struct Workspace {
    std::vector<std::vector<float>> buffers;
    std::vector<float> scratch;
};

} // namespace

struct InferenceEngine::Workspaces : tbb::enumerable_thread_specific<Workspace> {};

InferenceEngine::InferenceEngine(const Graph& graph, const NetworkWeights& weights, const NetworkPrecision& precision)
    : m_graph(graph), m_precision(precision), m_spaces(std::make_shared<Workspaces>())
{
    const auto& layers = m_graph.layers();
    const size_t n = layers.size();
    m_weight.resize(n);
    m_bias.resize(n);
    m_identity.assign(n, 0);
    m_bnScale.resize(n);
    m_bnShift.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const Layer& l = layers[i];
        if (l.loopNest) {
            m_weight[i] = weights.at(l.name + ".weight");
            if (weights.has(l.name + ".bias"))
                m_bias[i] = weights.at(l.name + ".bias");
        }
        if (l.kind == LayerKind::BatchNorm) {
            const auto& g = weights.at(l.name + ".gamma");
            const auto& b = weights.at(l.name + ".beta");
            const auto& m = weights.at(l.name + ".mean");
            const auto& v = weights.at(l.name + ".var");
            std::vector<float> scale(g.size()), shift(g.size());
            for (size_t c = 0; c < g.size(); ++c) {
                scale[c] = g[c] / std::sqrt(v[c] + kBnEps);
                shift[c] = b[c] - m[c] * scale[c];
            }
            const Tensor& in = m_graph.tensor(l.inputs[0]);
            const bool fold = in.producer >= 0 && in.consumers.size() == 1 && layers[in.producer].loopNest
                              && !m_identity[in.producer];
            if (fold) { // y = scale * (W x + b) + shift
                const int p = in.producer;
                std::vector<float>& w = m_weight[p];
                const size_t per = w.size() / scale.size();
                for (size_t k = 0; k < scale.size(); ++k)
                    for (size_t j = 0; j < per; ++j)
                        w[k * per + j] *= scale[k];
                std::vector<float>& bias = m_bias[p];
                if (bias.empty())
                    bias.assign(scale.size(), 0.0f);
                for (size_t k = 0; k < scale.size(); ++k)
                    bias[k] = bias[k] * scale[k] + shift[k];
                m_identity[i] = 1;
            } else {
                m_bnScale[i] = std::move(scale);
                m_bnShift[i] = std::move(shift);
            }
        }
    }
    // Weights: quantized once, integers symmetric per output channel.
    for (size_t i = 0; i < n; ++i) {
        if (!layers[i].loopNest)
            continue;
        const FormatInfo& f = formatInfo(m_precision.layers[i].weight);
        std::vector<float>& w = m_weight[i];
        const size_t channels = size_t(layers[i].outShape.c), per = w.size() / channels;
        const std::string stepKey = "quant." + layers[i].name + ".wstep";
        const std::vector<float>* learned = weights.has(stepKey) ? &weights.at(stepKey) : nullptr;
        for (size_t k = 0; k < channels; ++k) {
            float maxAbs = 0;
            for (size_t j = 0; j < per; ++j)
                maxAbs = std::max(maxAbs, std::fabs(w[k * per + j]));
            float scale = f.family == FormatFamily::Int ? maxAbs / float(intMax(f.bits, false)) : 1.0f;
            if (learned && f.family == FormatFamily::Int && k < learned->size() && (*learned)[k] > 0)
                scale = (*learned)[k];
            for (size_t j = 0; j < per; ++j)
                w[k * per + j] = f.quantize(w[k * per + j], scale, false);
        }
    }
    m_quant = tensorQuantization(m_graph, m_precision);
    m_soleReader.assign(m_graph.tensors().size(), 0);
    for (size_t t = 0; t < m_soleReader.size(); ++t) {
        const std::vector<int>& readers = m_graph.tensor(int(t)).consumers;
        if (readers.size() != 1)
            continue;
        const std::vector<int>& ins = m_graph.layers()[size_t(readers[0])].inputs;
        m_soleReader[t] = std::count(ins.begin(), ins.end(), int(t)) == 1;
    }
    for (int t : m_graph.outputTensors())
        m_soleReader[size_t(t)] = 0;
    for (size_t t = 0; t < m_quant.size(); ++t) // step sizes learned by quantization-aware training
        if (const std::string key = "quant." + m_graph.tensor(int(t)).name + ".astep";
            weights.has(key) && weights.at(key).at(0) > 0) {
            m_quant[t].scale = weights.at(key).at(0);
            m_quant[t].learned = true;
        }
}

std::vector<TensorQuant> tensorQuantization(const Graph& graph, const NetworkPrecision& precision)
{
    const auto& layers = graph.layers();
    std::vector<TensorQuant> out(graph.tensors().size());
    for (size_t t = 0; t < out.size(); ++t) {
        const Tensor& tensor = graph.tensor(int(t));
        TensorQuant& q = out[t];
        q.format = precision.tensors[t];
        q.quantized = !(tensor.consumers.size() == 1 && fusableConsumer(layers[tensor.consumers[0]].kind));
        const LayerKind producer = tensor.producer >= 0 ? layers[tensor.producer].kind : LayerKind::Add;
        q.isUnsigned = producer == LayerKind::ReLU || producer == LayerKind::ReLU6;
    }
    return out;
}

int InferenceEngine::classes() const { return m_graph.tensor(m_graph.outputTensors().at(0)).shape.c; }

void InferenceEngine::quantizeTensor(int t, std::vector<float>& v) const
{
    const TensorQuant& q = m_quant[t];
    if (!q.quantized || q.format == NumberFormat::FP32)
        return;
    const FormatInfo& f = formatInfo(q.format);
    if (f.family == FormatFamily::Int) {
        if (q.scale > 0) // not calibrated yet: calibration runs with float activations
            fakeQuantizeInt(v.data(), v.size(), f.bits, q.scale, q.isUnsigned);
        return;
    }
    fakeQuantizeFloat(v.data(), v.size(), q.format);
}

void InferenceEngine::normalizeImage(const Dataset& data, int64_t index, std::vector<float>& out) const
{
    const Shape in = m_graph.tensor(m_graph.inputTensors()[0]).shape;
    const int hw = data.height * data.width;
    out.resize(size_t(in.elements()));
    const uint8_t* px = data.image(index);
    for (int c = 0; c < in.c; ++c)
        for (int i = 0; i < hw; ++i)
            out[size_t(c) * hw + i] = (float(px[size_t(c) * hw + i]) / 255.0f - m_norm.mean[c]) / m_norm.std[c];
}

// A layer on `batch` images held in CNHW order (channel-major: [C][batch][H][W]). Element-wise layers
// whose input has no other reader take over the input's buffer and work in place.
void InferenceEngine::runLayer(int i, int batch, std::vector<std::vector<float>>& buf, std::vector<float>& scratch) const
{
    const Layer& l = m_graph.layers()[i];
    const size_t n = size_t(l.outShape.elements()) * size_t(batch);
    const int in0 = l.inputs[0];
    std::vector<float>& y = buf[l.output];
    const bool elementwise = inPlace(l);
    if (elementwise && m_soleReader[size_t(in0)]) {
        std::swap(buf[in0], y); // y now holds the input; the old output buffer becomes the input's spare
    } else if (elementwise) {
        y.assign(buf[in0].begin(), buf[in0].end());
    } else {
        y.resize(n);
    }
    const std::vector<float>& x = buf[in0]; // only for the layers that are not element-wise
    const float* bias = m_bias[i].empty() ? nullptr : m_bias[i].data();
    switch (l.kind) {
    case LayerKind::Conv2d:
        kernels::conv2d(kernels::convShape(l), batch, x.data(), m_weight[i].data(), bias, y.data(), scratch);
        break;
    case LayerKind::Dense: // the input is [features][batch]: from global pooling or a flatten
        kernels::dense(l.inShapes[0].c, l.outShape.c, batch, x.data(), m_weight[i].data(), bias, y.data());
        break;
    case LayerKind::BatchNorm:
        if (!m_identity[i]) {
            const size_t block = size_t(l.outShape.h) * l.outShape.w * size_t(batch);
            for (size_t c = 0; c < size_t(l.outShape.c); ++c) {
                const float sc = m_bnScale[i][c], sh = m_bnShift[i][c];
                float* v = y.data() + c * block;
                for (size_t j = 0; j < block; ++j)
                    v[j] = v[j] * sc + sh;
            }
        }
        break;
    case LayerKind::ReLU:
        for (float& v : y)
            v = std::max(v, 0.0f);
        break;
    case LayerKind::ReLU6:
        for (float& v : y)
            v = std::min(std::max(v, 0.0f), 6.0f);
        break;
    case LayerKind::Add:
        for (size_t k = 1; k < l.inputs.size(); ++k) {
            const float* z = buf[l.inputs[k]].data();
            float* v = y.data();
            for (size_t j = 0; j < n; ++j)
                v[j] += z[j];
        }
        break;
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: {
        kernels::ConvShape s = kernels::convShape(l); // pooling is per plane: C x batch planes
        s.C *= batch;
        s.K *= batch;
        (l.kind == LayerKind::MaxPool ? kernels::maxPool : kernels::avgPool)(s, x.data(), y.data());
        break;
    }
    case LayerKind::GlobalAvgPool: // [C][batch][HW] -> [C][batch]
        kernels::globalAvgPool(l.inShapes[0].c * batch, l.inShapes[0].h * l.inShapes[0].w, x.data(), y.data());
        break;
    case LayerKind::Flatten: {
        if (l.inShapes[0].h * l.inShapes[0].w == 1)
            break; // [C][batch] already is [features][batch]
        // [C][batch][HW] -> [C x HW][batch]
        const size_t hw = size_t(l.inShapes[0].h) * l.inShapes[0].w;
        for (size_t c = 0; c < size_t(l.inShapes[0].c); ++c)
            for (size_t b = 0; b < size_t(batch); ++b)
                for (size_t j = 0; j < hw; ++j)
                    y[(c * hw + j) * size_t(batch) + b] = x[(c * size_t(batch) + b) * hw + j];
        break;
    }
    }
    quantizeTensor(l.output, y);
}

namespace {

// Images per batch of the forward pass: wide enough that GEMMs amortise packing the weights, small
// enough that a batch's activations stay in the caches. Batches start at fixed offsets, so every
// image is computed the same way whatever the number of threads.
constexpr int64_t kBatch = 16;

} // namespace

std::vector<float> InferenceEngine::forwardImage(const float* image) const
{
    Workspace ws;
    ws.buffers.resize(m_graph.tensors().size());
    const int in = m_graph.inputTensors()[0];
    ws.buffers[in].assign(image, image + m_graph.tensor(in).shape.elements());
    quantizeTensor(in, ws.buffers[in]);
    for (int i = 0; i < static_cast<int>(m_graph.layers().size()); ++i)
        runLayer(i, 1, ws.buffers, ws.scratch);
    return ws.buffers[m_graph.outputTensors()[0]];
}

void InferenceEngine::forward(const Dataset& data, int64_t first, int64_t count, std::vector<float>& out) const
{
    const Shape in = m_graph.tensor(m_graph.inputTensors()[0]).shape;
    if (data.channels != in.c || data.height != in.h || data.width != in.w)
        throw InputError("dataset: " + data.name + " images are " + std::to_string(data.channels) + "x"
                         + std::to_string(data.height) + "x" + std::to_string(data.width) + ", " + m_graph.name()
                         + " expects " + in.str());
    const int k = classes();
    out.resize(size_t(count) * k);
    const int outT = m_graph.outputTensors()[0];
    const size_t outPlane = size_t(m_graph.tensor(outT).shape.h) * m_graph.tensor(outT).shape.w;
    tbb::parallel_for(int64_t(0), (count + kBatch - 1) / kBatch, [&](int64_t slice) {
        // A thread runs one batch at a time (GEMMs are single-threaded), so its buffers are its own;
        // keeping them between calls saves allocating and faulting in pages for every chunk.
        Workspace& ws = m_spaces->local();
        ws.buffers.resize(m_graph.tensors().size());
        const int inT = m_graph.inputTensors()[0];
        const int64_t j0 = slice * kBatch;
        const int batch = int(std::min(kBatch, count - j0));
        const size_t plane = size_t(in.h) * in.w;
        std::vector<float>& x = ws.buffers[inT];
        x.resize(size_t(in.elements()) * batch);
        for (int b = 0; b < batch; ++b) { // CHW image -> its planes of the CNHW batch
            normalizeImage(data, first + j0 + b, ws.scratch);
            for (int c = 0; c < in.c; ++c)
                std::copy_n(ws.scratch.data() + c * plane, plane, x.data() + (size_t(c) * batch + b) * plane);
        }
        quantizeTensor(inT, x);
        for (int i = 0; i < static_cast<int>(m_graph.layers().size()); ++i)
            runLayer(i, batch, ws.buffers, ws.scratch);
        const std::vector<float>& y = ws.buffers[outT];
        for (int b = 0; b < batch; ++b) // [C][batch][HW] -> per image C x HW
            for (size_t e = 0; e < size_t(k); ++e)
                out[size_t(j0 + b) * k + e] = y[((e / outPlane) * size_t(batch) + b) * outPlane + e % outPlane];
    });
}

void InferenceEngine::calibrate(const Dataset& data, int64_t images, Calibration method)
{
    images = std::min(images, data.size());
    const size_t nt = m_graph.tensors().size();
    // Float activations while measuring: clear the scales (learned ones stay), keep float formats.
    for (TensorQuant& q : m_quant)
        if (!q.learned)
            q.scale = 0;
    std::vector<std::vector<float>> samples(nt); // |x| samples per integer tensor
    std::vector<float> maxAbs(nt, 0.0f);
    constexpr size_t kMaxSamples = 1 << 16;
    Workspace ws;
    ws.buffers.resize(nt);
    for (int64_t n = 0; n < images; ++n) {
        const int inT = m_graph.inputTensors()[0];
        normalizeImage(data, n, ws.buffers[inT]);
        for (int i = -1; i < static_cast<int>(m_graph.layers().size()); ++i) {
            if (i >= 0)
                runLayer(i, 1, ws.buffers, ws.scratch);
            const int t = i < 0 ? inT : m_graph.layers()[i].output;
            if (!m_quant[t].quantized || formatInfo(m_quant[t].format).family != FormatFamily::Int)
                continue;
            const std::vector<float>& v = ws.buffers[t];
            const size_t stride = std::max<size_t>(1, v.size() * size_t(images) / kMaxSamples);
            for (size_t j = 0; j < v.size(); ++j) {
                const float a = std::fabs(v[j]);
                maxAbs[t] = std::max(maxAbs[t], a);
                if ((j + size_t(n) * v.size()) % stride == 0)
                    samples[t].push_back(a);
            }
        }
    }
    for (size_t t = 0; t < nt; ++t) {
        TensorQuant& q = m_quant[t];
        if (!q.quantized || formatInfo(q.format).family != FormatFamily::Int || q.learned)
            continue;
        const int qmax = intMax(formatInfo(q.format).bits, q.isUnsigned);
        float range = maxAbs[t];
        std::vector<float>& s = samples[t];
        if (method == Calibration::Percentile && !s.empty()) {
            const size_t k = std::min(s.size() - 1, size_t(double(s.size()) * 0.9999));
            std::nth_element(s.begin(), s.begin() + long(k), s.end());
            range = s[k];
        } else if (method == Calibration::Mse && !s.empty()) {
            // The clipping range among 100 candidates that minimises the squared quantization error.
            double best = -1;
            const FormatInfo& f = formatInfo(q.format);
            for (int c = 1; c <= 100; ++c) {
                const float r = maxAbs[t] * float(c) / 100.0f, sc = r / float(qmax);
                double err = 0;
                for (float a : s) {
                    const double d = double(a) - f.quantize(a, sc, true);
                    err += d * d;
                }
                if (best < 0 || err < best) {
                    best = err;
                    range = r;
                }
            }
        }
        q.scale = range > 0 ? range / float(qmax) : 1.0f;
    }
}

EvalResult evaluate(const InferenceEngine& engine, const Dataset& data, int64_t limit,
                    const std::function<void(const EvalResult&)>& partial, const CancelToken* cancel)
{
    const int64_t total = limit > 0 ? std::min(limit, data.size()) : data.size();
    const int k = engine.classes();
    EvalResult r;
    std::vector<float> logits;
    // Chunks grow so that a first estimate comes quickly and cancel stays responsive.
    for (int64_t first = 0, chunk = 256; first < total; first += chunk, chunk = std::min<int64_t>(chunk * 2, 2048)) {
        if (cancel && cancel->cancelled()) {
            r.cancelled = true;
            break;
        }
        const int64_t n = std::min(chunk, total - first);
        engine.forward(data, first, n, logits);
        for (int64_t j = 0; j < n; ++j) {
            const float* row = logits.data() + j * k;
            const int pred = int(std::max_element(row, row + k) - row);
            r.correct += pred == data.labels[size_t(first + j)] ? 1 : 0;
        }
        r.images += n;
        const Interval ci = wilsonInterval95(r.correct, r.images);
        r.low = ci.lo;
        r.high = ci.hi;
        if (partial)
            partial(r);
    }
    return r;
}

} // namespace poq
