// Inference: plan (fold, quantize weights, chains of fused layers, buffer slots), calibration, batched
// forward, evaluation.
#include "engine/inference.h"

#include "engine/activations.h"
#include "engine/batch_norm_fold.h"

#include "engine/kernels.h"
#include "graph/width.h"
#include "util/error.h"
#include "util/memory_check.h"
#include "util/wilson.h"

#include <tbb/parallel_for.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

namespace poq {

namespace {

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

constexpr int64_t kBatch = 16; // images per slice: fixed, so that results do not depend on the thread count

struct InferenceEngine::Workspace {
    std::vector<std::vector<float>> pool; // one buffer per slot
    std::vector<float*> at;               // per tensor: its slot's data
    std::vector<float> scratch;
};

struct InferenceEngine::Workspaces : tbb::enumerable_thread_specific<Workspace> {};

uint64_t inferenceMemoryBytes(const Graph& graph)
{
    uint64_t elements = 0;
    for (const Tensor& t : graph.tensors())
        elements = saturatingAdd(elements, uint64_t(t.shape.elements()));
    const uint64_t threads = uint64_t(std::max(1, tbb::this_task_arena::max_concurrency()));
    const uint64_t workspaces = saturatingMul(saturatingMul(elements, uint64_t(kBatch) * threads), 2 * sizeof(float));
    return saturatingAdd(workspaces, saturatingMul(uint64_t(graph.totalParams()), 3 * sizeof(float)));
}

InferenceEngine::InferenceEngine(const Graph& graph, const NetworkWeights& weights, const NetworkPrecision& precision)
    : m_graph(graph), m_precision(precision), m_spaces(std::make_shared<Workspaces>())
{
    checkMemoryFits(inferenceMemoryBytes(graph), "running " + graph.name() + " at width " + widthText(graph.width()),
                    "a smaller width or network");
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
        if (kindInfo(l.kind).foldsIntoConv) {
            std::vector<float> scale, shift;
            batchNormAffine(weights, l.name, scale, shift);
            const int p = batchNormFoldTarget(m_graph, int(i));
            if (p >= 0 && !m_identity[size_t(p)]) { // y = scale * (W x + b) + shift
                foldAffine(m_weight[size_t(p)], m_bias[size_t(p)], scale, shift);
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
    m_packed.resize(n); // packed once here rather than for every batch
    for (size_t i = 0; i < n; ++i)
        if (layers[i].kind == LayerKind::Conv2d)
            m_packed[i] = kernels::packConvWeights(kernels::convShape(layers[i]), m_weight[i].data());
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
    planChains();
    m_fusedSlots = planSlots(true);
    m_layerSlots = planSlots(false);
    for (size_t t = 0; t < m_quant.size(); ++t) // step sizes learned by quantization-aware training
        if (const std::string key = "quant." + m_graph.tensor(int(t)).name + ".astep";
            weights.has(key) && weights.at(key).at(0) > 0) {
            m_quant[t].scale = weights.at(key).at(0);
            m_quant[t].learned = true;
        }
}

void InferenceEngine::planChains()
{
    const auto& layers = m_graph.layers();
    m_chain.assign(layers.size(), Chain{});
    m_inChain.assign(layers.size(), 0);
    // The single reader of tensor t, when it has one (and t is not a network output).
    auto next = [&](int t) { return m_soleReader[size_t(t)] ? m_graph.tensor(t).consumers[0] : -1; };
    for (size_t i = 0; i < layers.size(); ++i) {
        if (!layers[i].loopNest)
            continue;
        Chain& c = m_chain[i];
        c.last = int(i);
        int t = layers[i].output, j = next(t);
        std::vector<int> absorbed;
        if (j >= 0 && kindInfo(layers[j].kind).foldsIntoConv && m_identity[j]) {
            absorbed.push_back(j);
            t = layers[j].output;
            j = next(t);
        }
        float lo = 0, hi = 0;
        if (j >= 0 && kindInfo(layers[j].kind).clampRange && kindInfo(layers[j].kind).clampRange(layers[j], lo, hi)
            && lo == 0.0f) { // the epilogue clamps at 0 from below
            c.clamp = true;
            c.hi = hi;
            absorbed.push_back(j);
            t = layers[j].output;
            j = next(t);
        }
        c.quantTensor = t;
        if (j >= 0 && kindInfo(layers[j].kind).joinsResidual && layers[j].inputs.size() == 2) {
            const int other = layers[j].inputs[0] == t ? layers[j].inputs[1] : layers[j].inputs[0];
            if (other != t && m_graph.tensor(other).producer < int(i)) { // computed before the chain starts
                c.addend = other;
                c.sumTensor = layers[j].output;
                absorbed.push_back(j);
            }
        }
        for (int a : absorbed)
            m_inChain[size_t(a)] = 1;
        if (!absorbed.empty())
            c.last = absorbed.back();
    }
}

int InferenceEngine::inPlaceInput(const Layer& l) const
{
    // An Add starts from an input read by it alone; a sum's first two terms commute exactly.
    // (Only between inputs of one shape: a Mul's per-channel gate cannot hold the product.)
    const bool swapFirst = kindInfo(l.kind).elementwise && l.inputs.size() >= 2 && !m_soleReader[size_t(l.inputs[0])]
                           && m_soleReader[size_t(l.inputs[1])] && l.inShapes[0] == l.inShapes[1];
    return l.inputs[swapFirst ? 1 : 0];
}

InferenceEngine::SlotPlan InferenceEngine::planSlots(bool fused) const
{
    const auto& layers = m_graph.layers();
    const size_t nt = m_graph.tensors().size();
    SlotPlan plan;
    plan.slot.assign(nt, -1);
    std::vector<int> steps; // the layers that run, in order
    for (size_t i = 0; i < layers.size(); ++i)
        if (!(fused && m_inChain[i]))
            steps.push_back(int(i));
    auto outputOf = [&](int i) { return fused && layers[i].loopNest ? layers[m_chain[i].last].output : layers[i].output; };
    auto readsOf = [&](int i) {
        std::vector<int> r = layers[i].inputs;
        if (fused && layers[i].loopNest && m_chain[i].addend >= 0)
            r.push_back(m_chain[i].addend);
        return r;
    };
    std::vector<int> lastUse(nt, -1);
    for (size_t s = 0; s < steps.size(); ++s)
        for (int t : readsOf(steps[s]))
            lastUse[size_t(t)] = int(s);
    for (int t : m_graph.outputTensors())
        lastUse[size_t(t)] = int(steps.size());
    std::vector<int> free;
    auto take = [&](int t) {
        const size_t e = size_t(m_graph.tensor(t).shape.elements());
        int s;
        if (fused && !free.empty()) {
            s = free.back();
            free.pop_back();
        } else {
            s = int(plan.elements.size());
            plan.elements.push_back(0);
        }
        plan.elements[size_t(s)] = std::max(plan.elements[size_t(s)], e);
        plan.slot[size_t(t)] = s;
    };
    for (int t : m_graph.inputTensors())
        take(t);
    for (size_t s = 0; s < steps.size(); ++s) {
        const int i = steps[s];
        const int out = outputOf(i);
        const int from = inPlaceInput(layers[i]);
        const bool shared = runsInPlace(layers[i]) && m_soleReader[size_t(from)];
        if (shared) { // works in place; `from` dies here
            const int slot = plan.slot[size_t(from)];
            plan.slot[size_t(out)] = slot;
            plan.elements[size_t(slot)] = std::max(plan.elements[size_t(slot)], size_t(m_graph.tensor(out).shape.elements()));
        } else {
            take(out);
        }
        std::vector<int> reads = readsOf(i);
        std::sort(reads.begin(), reads.end());
        reads.erase(std::unique(reads.begin(), reads.end()), reads.end());
        for (int t : reads)
            if (lastUse[size_t(t)] == int(s) && !(shared && t == from))
                free.push_back(plan.slot[size_t(t)]);
    }
    return plan;
}

void InferenceEngine::prepare(Workspace& ws, int batch, bool fused) const
{
    const SlotPlan& plan = fused ? m_fusedSlots : m_layerSlots;
    ws.pool.resize(plan.elements.size());
    for (size_t s = 0; s < plan.elements.size(); ++s)
        if (ws.pool[s].size() < plan.elements[s] * size_t(batch))
            ws.pool[s].resize(plan.elements[s] * size_t(batch));
    ws.at.assign(plan.slot.size(), nullptr);
    for (size_t t = 0; t < plan.slot.size(); ++t)
        if (plan.slot[t] >= 0)
            ws.at[t] = ws.pool[size_t(plan.slot[t])].data();
}

kernels::Quantizer InferenceEngine::quantizer(int t) const
{
    kernels::Quantizer z;
    const TensorQuant& q = m_quant[size_t(t)];
    if (!q.quantized || q.format == NumberFormat::FP32)
        return z;
    const FormatInfo& f = formatInfo(q.format);
    if (f.family == FormatFamily::Int) {
        if (q.scale > 0) { // not calibrated yet: calibration runs with float activations
            z.kind = kernels::Quantizer::Kind::Int;
            z.bits = f.bits;
            z.scale = q.scale;
            z.isUnsigned = q.isUnsigned;
        }
        return z;
    }
    z.kind = kernels::Quantizer::Kind::Float;
    z.format = q.format;
    return z;
}

std::vector<TensorQuant> tensorQuantization(const Graph& graph, const NetworkPrecision& precision)
{
    const auto& layers = graph.layers();
    std::vector<TensorQuant> out(graph.tensors().size());
    // Non-negative tensors are stored unsigned: outputs of ReLU-like kinds, and of pooling, reshapes
    // and sums of non-negative inputs (the classifier's input after ReLU6 -> GlobalAvgPool -> Flatten
    // keeps the bit a signed format would waste). Layers are in graph order, so inputs come first.
    std::vector<char> nonNegative(graph.tensors().size(), 0);
    for (const Layer& l : layers)
        nonNegative[size_t(l.output)] = outputNonNegative(l, nonNegative) ? 1 : 0;
    for (size_t t = 0; t < out.size(); ++t) {
        const Tensor& tensor = graph.tensor(int(t));
        TensorQuant& q = out[t];
        q.format = precision.tensors[t];
        q.quantized = !(tensor.consumers.size() == 1 && kindInfo(layers[tensor.consumers[0]].kind).fusesIntoProducer);
        q.isUnsigned = nonNegative[t] != 0;
    }
    return out;
}

int InferenceEngine::classes() const { return m_graph.tensor(m_graph.outputTensors().at(0)).shape.c; }

void InferenceEngine::quantizeTensor(int t, float* v, size_t n) const { quantizer(t).apply(v, n); }

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
// whose input has no other reader work in place (the slot plan gives both tensors one slot).
// `fused`: a convolution or dense layer runs its chain (see Chain) and the chain's other layers do nothing.
void InferenceEngine::runLayer(int i, int batch, Workspace& ws, bool fused) const
{
    const Layer& l = m_graph.layers()[i];
    const size_t n = size_t(l.outShape.elements()) * size_t(batch);
    if (fused && m_inChain[size_t(i)])
        return;
    const float* bias = m_bias[i].empty() ? nullptr : m_bias[i].data();
    const float* x = ws.at[size_t(l.inputs[0])]; // only for the layers that are not element-wise
    if (l.loopNest) {
        kernels::Epilogue ep;
        ep.bias = bias;
        int out = l.output;
        if (fused) {
            const Chain& c = m_chain[size_t(i)];
            out = m_graph.layers()[size_t(c.last)].output;
            ep.clamp = c.clamp;
            ep.lo = 0.0f;
            ep.hi = c.hi;
            ep.quant = quantizer(c.quantTensor);
            if (c.addend >= 0) {
                ep.addend = ws.at[size_t(c.addend)];
                ep.sumQuant = quantizer(c.sumTensor);
            }
        } else {
            ep.quant = quantizer(out);
        }
        float* y = ws.at[size_t(out)];
        if (l.kind == LayerKind::Conv2d)
            kernels::conv2d(kernels::convShape(l), batch, x, m_weight[i].data(), ep, y, ws.scratch,
                            m_packed[i].empty() ? nullptr : m_packed[i].data());
        else // the input is [features][batch]: from global pooling or a flatten
            kernels::dense(l.inShapes[0].c, l.outShape.c, batch, x, m_weight[i].data(), ep, y);
        return;
    }
    float* y = ws.at[size_t(l.output)];
    if (runsInPlace(l)) {
        const float* from = ws.at[size_t(inPlaceInput(l))];
        if (from != y)
            std::copy_n(from, n, y);
    }
    switch (l.kind) {
    case LayerKind::Conv2d:
    case LayerKind::Dense:
        break; // above
    case LayerKind::BatchNorm:
        if (!m_identity[i]) {
            const size_t block = size_t(l.outShape.h) * l.outShape.w * size_t(batch);
            for (size_t c = 0; c < size_t(l.outShape.c); ++c) {
                const float sc = m_bnScale[i][c], sh = m_bnShift[i][c];
                float* v = y + c * block;
                for (size_t j = 0; j < block; ++j)
                    v[j] = v[j] * sc + sh;
            }
        }
        break;
    case LayerKind::ReLU:
        for (size_t j = 0; j < n; ++j)
            y[j] = std::max(y[j], 0.0f);
        break;
    case LayerKind::ReLU6:
        for (size_t j = 0; j < n; ++j)
            y[j] = std::min(std::max(y[j], 0.0f), 6.0f);
        break;
    case LayerKind::Add: {
        const int from = inPlaceInput(l);
        bool skipped = false;
        for (int t : l.inputs) {
            if (t == from && !skipped) { // y started as this input
                skipped = true;
                continue;
            }
            const float* z = ws.at[size_t(t)];
            for (size_t j = 0; j < n; ++j)
                y[j] += z[j];
        }
        break;
    }
    case LayerKind::Sigmoid:
        std::transform(y, y + n, y, activations::sigmoid);
        break;
    case LayerKind::HardSigmoid:
        std::transform(y, y + n, y, activations::hardSigmoid);
        break;
    case LayerKind::HardSwish:
        std::transform(y, y + n, y, activations::hardSwish);
        break;
    case LayerKind::Mul: {
        const int from = inPlaceInput(l);
        const int other = l.inputs[0] == from ? l.inputs[1] : l.inputs[0];
        const float* z = ws.at[size_t(other)];
        const Shape zs = m_graph.tensor(other).shape;
        if (zs == l.outShape) {
            for (size_t j = 0; j < n; ++j)
                y[j] *= z[j];
        } else { // a C x 1 x 1 gate, [C][batch], over [C][batch][HW]
            const size_t hw = size_t(l.outShape.h) * l.outShape.w, planes = size_t(l.outShape.c) * size_t(batch);
            for (size_t p = 0; p < planes; ++p)
                for (size_t j = 0; j < hw; ++j)
                    y[p * hw + j] *= z[p];
        }
        break;
    }
    case LayerKind::Concat: { // [C][batch][HW]: each input is one contiguous block of channels
        float* o = y;
        for (size_t k = 0; k < l.inputs.size(); ++k) {
            const size_t e = size_t(l.inShapes[k].elements()) * size_t(batch);
            std::copy_n(ws.at[size_t(l.inputs[k])], e, o);
            o += e;
        }
        break;
    }
    case LayerKind::MaxPool:
    case LayerKind::AvgPool: {
        kernels::ConvShape s = kernels::convShape(l); // pooling is per plane: C x batch planes
        s.C *= batch;
        s.K *= batch;
        (l.kind == LayerKind::MaxPool ? kernels::maxPool : kernels::avgPool)(s, x, y);
        break;
    }
    case LayerKind::GlobalAvgPool: // [C][batch][HW] -> [C][batch]
        kernels::globalAvgPool(l.inShapes[0].c * batch, l.inShapes[0].h * l.inShapes[0].w, x, y);
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
    quantizeTensor(l.output, y, n);
}

namespace {

// Images per batch of the forward pass: wide enough for long GEMM rows (and for Eigen, where it runs,
// to amortise packing the weights), small enough that a batch's activations stay in the caches. Batches start at fixed offsets, so every
// image is computed the same way whatever the number of threads.


} // namespace

std::vector<float> InferenceEngine::forwardImage(const float* image, bool fused) const
{
    Workspace ws;
    prepare(ws, 1, fused);
    const int in = m_graph.inputTensors()[0];
    const size_t n = size_t(m_graph.tensor(in).shape.elements());
    std::copy_n(image, n, ws.at[size_t(in)]);
    quantizeTensor(in, ws.at[size_t(in)], n);
    for (int i = 0; i < static_cast<int>(m_graph.layers().size()); ++i)
        runLayer(i, 1, ws, fused);
    const int out = m_graph.outputTensors()[0];
    const float* y = ws.at[size_t(out)];
    return std::vector<float>(y, y + m_graph.tensor(out).shape.elements());
}

void InferenceEngine::checkDataset(const Dataset& data) const
{
    const Shape in = m_graph.tensor(m_graph.inputTensors()[0]).shape;
    if (data.channels != in.c || data.height != in.h || data.width != in.w)
        throw InputError("dataset: " + data.name + " images are " + std::to_string(data.channels) + "x"
                         + std::to_string(data.height) + "x" + std::to_string(data.width) + ", " + m_graph.name()
                         + " expects " + in.str());
}

void InferenceEngine::forward(const Dataset& data, int64_t first, int64_t count, std::vector<float>& out, bool fused) const
{
    checkDataset(data);
    const Shape in = m_graph.tensor(m_graph.inputTensors()[0]).shape;
    const int k = classes();
    out.resize(size_t(count) * k);
    const int outT = m_graph.outputTensors()[0];
    const size_t outPlane = size_t(m_graph.tensor(outT).shape.h) * m_graph.tensor(outT).shape.w;
    tbb::parallel_for(int64_t(0), (count + kBatch - 1) / kBatch, [&](int64_t slice) {
        // A thread runs one batch at a time (GEMMs are single-threaded), so its buffers are its own;
        // keeping them between calls saves allocating and faulting in pages for every chunk.
        Workspace unfused; // the layer-by-layer plan needs a buffer per tensor: not kept
        Workspace& ws = fused ? m_spaces->local() : unfused;
        const int inT = m_graph.inputTensors()[0];
        const int64_t j0 = slice * kBatch;
        const int batch = int(std::min(kBatch, count - j0));
        prepare(ws, int(kBatch), fused);
        const size_t plane = size_t(in.h) * in.w;
        float* x = ws.at[size_t(inT)];
        for (int b = 0; b < batch; ++b) { // CHW image -> its planes of the CNHW batch
            normalizeImage(data, first + j0 + b, ws.scratch);
            for (int c = 0; c < in.c; ++c)
                std::copy_n(ws.scratch.data() + c * plane, plane, x + (size_t(c) * batch + b) * plane);
        }
        quantizeTensor(inT, x, size_t(in.elements()) * size_t(batch));
        for (int i = 0; i < static_cast<int>(m_graph.layers().size()); ++i)
            runLayer(i, batch, ws, fused);
        const float* y = ws.at[size_t(outT)];
        for (int b = 0; b < batch; ++b) // [C][batch][HW] -> per image C x HW
            for (size_t e = 0; e < size_t(k); ++e)
                out[size_t(j0 + b) * k + e] = y[((e / outPlane) * size_t(batch) + b) * outPlane + e % outPlane];
    });
}

void InferenceEngine::calibrate(const Dataset& data, int64_t images, Calibration method)
{
    checkDataset(data);
    if (images < 1 || images > kMaxCalibrationImages)
        throw InputError("calibration images: must be in 1.." + std::to_string(kMaxCalibrationImages) + ", got "
                         + std::to_string(images));
    if (data.size() == 0)
        throw InputError("calibration: the dataset holds no images");
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
    prepare(ws, 1, false);
    std::vector<float> image;
    for (int64_t n = 0; n < images; ++n) {
        const int inT = m_graph.inputTensors()[0];
        normalizeImage(data, n, image);
        std::copy(image.begin(), image.end(), ws.at[size_t(inT)]);
        for (int i = -1; i < static_cast<int>(m_graph.layers().size()); ++i) {
            if (i >= 0) // layer by layer: every tensor is seen before it is quantized
                runLayer(i, 1, ws, false);
            const int t = i < 0 ? inT : m_graph.layers()[i].output;
            if (!m_quant[t].quantized || formatInfo(m_quant[t].format).family != FormatFamily::Int)
                continue;
            const std::span<const float> v(ws.at[size_t(t)], size_t(m_graph.tensor(t).shape.elements()));
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
