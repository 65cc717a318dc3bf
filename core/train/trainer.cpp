// The training loop.
#include "train/trainer.h"

#include "engine/batch_norm_fold.h"

#include "data/model_file.h"
#include "train/train_layers.h"
#include "graph/width.h"
#include "util/error.h"
#include "util/memory_check.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <emmintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

namespace poq {

namespace {

uint64_t mix(uint64_t x) // splitmix64: per-image random numbers from (seed, epoch, index)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

} // namespace

std::string TrainOptions::recipe() const
{
    std::ostringstream s;
    s << (strategy == "fp32" ? std::string() : "quantization-aware (LSQ) " + strategy + ", ") << "sgd momentum " << momentum << ", weight decay " << weightDecay << ", lr " << learningRate << " cosine, warm-up "
      << warmupEpochs << " epoch(s), batch " << batch << ", " << epochs << " epochs"
      << (augment ? ", random crop (pad 2) + horizontal flip" : "") << (limit > 0 ? ", first " + std::to_string(limit) + " images" : "");
    return s.str();
}

uint64_t trainingMemoryBytes(const Graph& graph, int batch)
{
    uint64_t elements = 0;
    for (const Tensor& t : graph.tensors())
        elements = saturatingAdd(elements, uint64_t(t.shape.elements()));
    const uint64_t threads = uint64_t(std::max(1, tbb::this_task_arena::max_concurrency()));
    const uint64_t activations = saturatingMul(saturatingMul(elements, uint64_t(std::max(batch, 1))), 4 * sizeof(float));
    const uint64_t params = saturatingMul(uint64_t(graph.totalParams()), (4 + threads) * sizeof(float));
    return saturatingAdd(activations, params);
}

Trainer::Trainer(const Graph& graph, const NetworkWeights& initial, const TrainOptions& options,
                 const NetworkPrecision* qat)
    : m_graph(graph), m_options(options), m_weights(initial)
{
    if (options.epochs < 1 || options.batch < 1 || !(options.learningRate > 0))
        throw InputError("training: epochs, batch and learning rate must be positive");
    checkMemoryFits(trainingMemoryBytes(graph, options.batch),
                    "training " + graph.name() + " at width " + widthText(graph.width()) + " with batch "
                        + std::to_string(options.batch),
                    "a smaller --batch, width or network");
    m_frozenBn.assign(m_graph.layers().size(), 0);
    if (qat) {
        m_qat = *qat;
        prepareQat();
    }
    for (const auto& [name, v] : m_weights.tensors)
        m_velocity.tensors[name].assign(v.size(), 0.0f);
}

namespace {


struct IntRange {
    float qn = 0, qp = 0;
};

IntRange rangeOf(NumberFormat f, bool isUnsigned)
{
    const int b = formatInfo(f).bits;
    return isUnsigned ? IntRange{0.0f, float((1 << b) - 1)} : IntRange{float((1 << (b - 1)) - 1), float((1 << (b - 1)) - 1)};
}

bool isInt(NumberFormat f) { return formatInfo(f).family == FormatFamily::Int; }

// Round half to even for |v| < 2^22 (always true after clamping to an integer grid of at most 16
// bits): adding 1.5 x 2^23 leaves no fraction bits. Plain float arithmetic, so loops vectorise.
inline float roundEven(float v)
{
    constexpr float kMagic = 12582912.0f;
    return (v + kMagic) - kMagic;
}

// LSQ loops run over fixed chunks in parallel; sums are formed per chunk in a fixed order and then
// added in chunk order, so results do not depend on the number of threads.
constexpr size_t kLsqChunk = size_t(1) << 14;

// LSQ fake quantization of values with step s; `keep` (when given) receives the inputs for the
// backward pass.
void lsqForward(std::vector<float>& v, std::vector<float>* keep, float s, IntRange r)
{
    const float inv = 1.0f / s;
    if (keep)
        keep->resize(v.size());
    float* p = v.data();
    float* k = keep ? keep->data() : nullptr;
    tbb::parallel_for(size_t(0), (v.size() + kLsqChunk - 1) / kLsqChunk, [&](size_t c) {
        const size_t e = std::min(v.size(), (c + 1) * kLsqChunk);
        for (size_t j = c * kLsqChunk; j < e; ++j) {
            if (k)
                k[j] = p[j];
            p[j] = roundEven(std::clamp(p[j] * inv, -r.qn, r.qp)) * s;
        }
    });
}

// One chunk of lsqBackward, branch-free: inside the range d = round(v) - v and the gradient passes;
// outside (v <= -Qn or v >= Qp) d is the clipped level and the gradient stops. v = x / s by division
// and exact double products, summed in eight interleaved lanes (SSE2, the x86-64 baseline) and then
// pairwise: a fixed order.
double lsqBackwardChunk(const float* pre, size_t n, float s, IntRange r, float* grad)
{
    const float qn = -r.qn, qp = r.qp;
    const float* __restrict x = pre;
    float* __restrict g = grad;
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    const __m128 vs = _mm_set1_ps(s), vqn = _mm_set1_ps(qn), vqp = _mm_set1_ps(qp);
    const __m128 magic = _mm_set1_ps(12582912.0f), one = _mm_set1_ps(1.0f);
    __m128d acc[4] = {_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd()};
    for (; j + 8 <= n; j += 8)
        for (int h = 0; h < 2; ++h) {
            const __m128 v = _mm_div_ps(_mm_loadu_ps(x + j + 4 * h), vs);
            const __m128 inside = _mm_and_ps(_mm_and_ps(_mm_cmpgt_ps(v, vqn), _mm_cmplt_ps(v, vqp)), one);
            const __m128 rounded = _mm_sub_ps(_mm_add_ps(v, magic), magic);
            const __m128 d = _mm_sub_ps(_mm_min_ps(_mm_max_ps(rounded, vqn), vqp), _mm_mul_ps(inside, v));
            const __m128 gr = _mm_loadu_ps(g + j + 4 * h);
            acc[2 * h] = _mm_add_pd(acc[2 * h], _mm_mul_pd(_mm_cvtps_pd(gr), _mm_cvtps_pd(d)));
            acc[2 * h + 1] = _mm_add_pd(acc[2 * h + 1], _mm_mul_pd(_mm_cvtps_pd(_mm_movehl_ps(gr, gr)),
                                                                   _mm_cvtps_pd(_mm_movehl_ps(d, d))));
            _mm_storeu_ps(g + j + 4 * h, _mm_mul_ps(gr, inside));
        }
    for (int k = 0; k < 4; ++k)
        _mm_storeu_pd(lane + 2 * k, acc[k]);
    for (size_t q = 0; j < n; ++j, ++q) {
        const float v = x[j] / s;
        const float inside = (v > qn) & (v < qp) ? 1.0f : 0.0f;
        const float d = std::min(std::max(roundEven(v), qn), qp) - inside * v;
        lane[q] += double(g[j]) * double(d);
        g[j] *= inside;
    }
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Straight-through gradient for the inputs and the LSQ gradient of the step (Esser et al. 2020, eq. 3).
double lsqBackward(const float* pre, size_t n, float s, IntRange r, float* grad)
{
    const size_t chunks = (n + kLsqChunk - 1) / kLsqChunk;
    if (chunks <= 1)
        return lsqBackwardChunk(pre, n, s, r, grad);
    std::vector<double> part(chunks);
    tbb::parallel_for(size_t(0), chunks, [&](size_t c) {
        const size_t b = c * kLsqChunk;
        part[c] = lsqBackwardChunk(pre + b, std::min(kLsqChunk, n - b), s, r, grad + b);
    });
    double ds = 0;
    for (double p : part)
        ds += p;
    return ds;
}

// The initial LSQ step of values v[0], v[stride], ...: among 100 clipping ranges up to max |v|, the one
// with the least squared quantization error. A better start than the LSQ paper's 2<|v|>/sqrt(Qp)
// when training begins from a trained fp32 model, above all at 2 bits.
float mseStep(const float* v, size_t n, size_t stride, IntRange r)
{
    float maxAbs = 0;
    for (size_t j = 0; j < n; j += stride)
        maxAbs = std::max(maxAbs, std::fabs(v[j]));
    if (maxAbs == 0)
        return 1e-8f;
    const float top = std::max(r.qn, r.qp);
    double best = -1;
    float bestStep = maxAbs / top;
    for (int c = 1; c <= 100; ++c) {
        const float s = maxAbs * float(c) / 100.0f / top, inv = 1.0f / s;
        double err = 0;
        for (size_t j = 0; j < n; j += stride) {
            const float d = v[j] - roundEven(std::clamp(v[j] * inv, -r.qn, r.qp)) * s;
            err += double(d) * d;
        }
        if (best < 0 || err < best) {
            best = err;
            bestStep = s;
        }
    }
    return std::max(1e-8f, bestStep);
}

} // namespace

void Trainer::prepareQat()
{
    const auto& layers = m_graph.layers();
    // Fold batch-norm into the convolution (statistics of the trained fp32 model) and freeze it as a
    // bias: the weights trained here are then exactly the weights the engine quantizes.
    for (size_t i = 0; i < layers.size(); ++i) {
        const int target = batchNormFoldTarget(m_graph, int(i));
        if (target < 0)
            continue;
        const Layer& l = layers[i];
        const Layer& p = layers[size_t(target)];
        std::vector<float> scale, shift;
        batchNormAffine(m_weights, l.name, scale, shift);
        std::vector<float> none;
        foldAffine(m_weights.at(p.name + ".weight"), m_weights.has(p.name + ".bias") ? m_weights.at(p.name + ".bias") : none,
                   scale, {});
        // The batch-norm keeps only the shift: gamma 1, mean 0, var 1 - eps (scale exactly 1).
        m_weights.at(l.name + ".beta") = shift;
        std::fill(m_weights.at(l.name + ".gamma").begin(), m_weights.at(l.name + ".gamma").end(), 1.0f);
        std::fill(m_weights.at(l.name + ".mean").begin(), m_weights.at(l.name + ".mean").end(), 0.0f);
        std::fill(m_weights.at(l.name + ".var").begin(), m_weights.at(l.name + ".var").end(), 1.0f - kBatchNormEps);
        m_frozenBn[i] = 1;
    }
    // Step sizes: per output channel for integer weights, per tensor for integer activations.
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (!l.loopNest || !isInt(m_qat->layers[i].weight))
            continue;
        const IntRange r = rangeOf(m_qat->layers[i].weight, false);
        const auto& w = m_weights.at(l.name + ".weight");
        const size_t K = size_t(l.outShape.c), per = w.size() / K;
        std::vector<float> step(K);
        for (size_t k = 0; k < K; ++k)
            step[k] = mseStep(w.data() + k * per, per, 1, r);
        m_weights.tensors["quant." + l.name + ".wstep"] = step;
    }
    m_tq = tensorQuantization(m_graph, *m_qat);
    for (size_t t = 0; t < m_tq.size(); ++t)
        if (m_tq[t].quantized && isInt(m_tq[t].format))
            m_weights.tensors["quant." + m_graph.tensor(int(t)).name + ".astep"] = {0.0f}; // set on the first batch
}

double Trainer::step(const std::vector<float>& images, const std::vector<uint8_t>& labels, int batch, int* correct,
                     bool update, double lr, NetworkWeights* gradientsOut)
{
    const auto& layers = m_graph.layers();
    const size_t nt = m_graph.tensors().size();
    // Buffers live across steps: no allocation (and no page faults) after the first step.
    std::vector<std::vector<float>>& act = m_act;
    std::vector<std::vector<float>>& grad = m_grad;
    act.resize(nt);
    grad.resize(nt);
    for (std::vector<float>& v : grad)
        v.clear(); // empty = no gradient yet; the capacity stays
    const int in = m_graph.inputTensors()[0];
    act[in] = images;
    std::vector<train::BatchNormState> bn(layers.size());
    // Quantization-aware training: LSQ fake quantization of integer weights and stored activations.
    std::vector<std::vector<float>>& pre = m_pre; // inputs of the activation quantizers
    std::vector<std::vector<float>>& wq = m_wq;   // fake-quantized weights
    pre.resize(nt);
    wq.resize(layers.size());
    std::vector<char> hasPre(nt, 0), hasWq(layers.size(), 0);
    const std::vector<TensorQuant>& tq = m_tq;
    auto actStep = [&](int t) -> float* {
        if (!m_qat || !tq[t].quantized || !isInt(tq[t].format))
            return nullptr;
        return &m_weights.at("quant." + m_graph.tensor(t).name + ".astep")[0];
    };
    auto quantizeActivation = [&](int t) {
        float* step = actStep(t);
        if (!step)
            return;
        const IntRange r = rangeOf(tq[t].format, tq[t].isUnsigned);
        if (*step == 0.0f) // initialisation from the first batch
            *step = mseStep(act[t].data(), act[t].size(), std::max<size_t>(1, act[t].size() >> 16), r);
        hasPre[size_t(t)] = 1;
        lsqForward(act[t], &pre[t], *step, r);
    };
    quantizeActivation(in);
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        std::vector<float>& y = act[l.output];
        y.resize(size_t(batch) * l.outShape.elements()); // every kind writes all of its output
        const float* x = act[l.inputs[0]].data();
        if (l.loopNest) {
            const float* b = m_weights.has(l.name + ".bias") ? m_weights.at(l.name + ".bias").data() : nullptr;
            const float* w = m_weights.at(l.name + ".weight").data();
            if (m_qat && isInt(m_qat->layers[i].weight)) {
                wq[i] = m_weights.at(l.name + ".weight");
                hasWq[i] = 1;
                const std::vector<float>& steps = m_weights.at("quant." + l.name + ".wstep");
                const size_t per = wq[i].size() / steps.size();
                const IntRange r = rangeOf(m_qat->layers[i].weight, false);
                tbb::parallel_for(size_t(0), steps.size(), [&](size_t k) {
                    for (size_t j = 0; j < per; ++j)
                        wq[i][k * per + j] = roundEven(std::clamp(wq[i][k * per + j] / steps[k], -r.qn, r.qp)) * steps[k];
                });
                w = wq[i].data();
            }
            train::macForward(l, batch, x, w, b, y.data());
        } else if (l.kind == LayerKind::BatchNorm && m_frozenBn[i]) {
            const auto& gm = m_weights.at(l.name + ".gamma");
            const auto& bt = m_weights.at(l.name + ".beta");
            const auto& mn = m_weights.at(l.name + ".mean");
            const auto& vr = m_weights.at(l.name + ".var");
            const size_t hw = size_t(l.outShape.h) * l.outShape.w, C = size_t(l.outShape.c);
            for (int n = 0; n < batch; ++n)
                for (size_t c = 0; c < C; ++c) {
                    const float a = gm[c] / std::sqrt(vr[c] + kBatchNormEps), b0 = bt[c] - mn[c] * a;
                    const float* p = x + (size_t(n) * C + c) * hw;
                    float* q = y.data() + (size_t(n) * C + c) * hw;
                    for (size_t j = 0; j < hw; ++j)
                        q[j] = p[j] * a + b0;
                }
        } else if (l.kind == LayerKind::BatchNorm) {
            train::batchNormForward(l, batch, x, m_weights.at(l.name + ".gamma").data(), m_weights.at(l.name + ".beta").data(),
                                    y.data(), bn[i], update ? m_weights.at(l.name + ".mean").data() : nullptr,
                                    update ? m_weights.at(l.name + ".var").data() : nullptr, 0.1f);
        } else {
            std::vector<const float*> ins;
            for (int t : l.inputs)
                ins.push_back(act[t].data());
            train::plainForward(l, batch, ins, y.data());
        }
        quantizeActivation(l.output);
    }
    const int out = m_graph.outputTensors()[0];
    const int classes = m_graph.tensor(out).shape.c;
    grad[out].assign(act[out].size(), 0.0f);
    const double loss = train::softmaxCrossEntropy(batch, classes, act[out].data(), labels.data(), grad[out].data(), correct);

    NetworkWeights& g = m_gradients;
    for (const auto& [name, v] : m_weights.tensors)
        g.tensors[name].assign(v.size(), 0.0f);
    for (int i = static_cast<int>(layers.size()) - 1; i >= 0; --i) {
        const Layer& l = layers[i];
        std::vector<float>& dy = grad[l.output];
        if (dy.empty())
            continue; // no path to the loss
        if (hasPre[size_t(l.output)]) { // through the activation quantizer (STE) to its input
            const int t = l.output;
            const IntRange r = rangeOf(tq[t].format, tq[t].isUnsigned);
            const double ds = lsqBackward(pre[t].data(), pre[t].size(), *actStep(t), r, dy.data());
            g.at("quant." + m_graph.tensor(t).name + ".astep")[0] +=
                float(ds / std::sqrt(double(l.outShape.elements()) * r.qp));
        }
        std::vector<float*> din;
        for (int t : l.inputs) {
            if (t == in) {
                din.push_back(nullptr);
                continue;
            }
            if (grad[t].empty())
                grad[t].assign(act[t].size(), 0.0f);
            din.push_back(grad[t].data());
        }
        const float* x = act[l.inputs[0]].data();
        if (l.loopNest) {
            float* db = g.has(l.name + ".bias") ? g.at(l.name + ".bias").data() : nullptr;
            const bool quantized = hasWq[i] != 0;
            train::macBackward(l, batch, x, quantized ? wq[i].data() : m_weights.at(l.name + ".weight").data(), dy.data(),
                               din[0], g.at(l.name + ".weight").data(), db);
            if (quantized) { // dL/dWq -> dL/dW (STE) and dL/dstep per output channel
                const std::vector<float>& w = m_weights.at(l.name + ".weight");
                const std::vector<float>& steps = m_weights.at("quant." + l.name + ".wstep");
                std::vector<float>& gw = g.at(l.name + ".weight");
                std::vector<float>& gs = g.at("quant." + l.name + ".wstep");
                const size_t per = w.size() / steps.size();
                const IntRange r = rangeOf(m_qat->layers[i].weight, false);
                tbb::parallel_for(size_t(0), steps.size(), [&](size_t k) { // channels are independent
                    const double ds = lsqBackwardChunk(w.data() + k * per, per, steps[k], r, gw.data() + k * per);
                    gs[k] += float(ds / std::sqrt(double(per) * r.qp));
                });
            }
        } else if (l.kind == LayerKind::BatchNorm && m_frozenBn[i]) {
            if (din[0]) {
                const auto& gm = m_weights.at(l.name + ".gamma");
                const auto& vr = m_weights.at(l.name + ".var");
                const size_t hw = size_t(l.outShape.h) * l.outShape.w, C = size_t(l.outShape.c);
                auto& gb = g.at(l.name + ".beta");
                tbb::parallel_for(size_t(0), C, [&](size_t c) { // channels are independent
                    const float a = gm[c] / std::sqrt(vr[c] + kBatchNormEps);
                    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0}; // the beta gradient in a fixed order
                    for (int n = 0; n < batch; ++n) {
                        const float* gr = dy.data() + (size_t(n) * C + c) * hw;
                        float* d = din[0] + (size_t(n) * C + c) * hw;
                        size_t j = 0;
                        for (; j + 8 <= hw; j += 8)
                            for (size_t q = 0; q < 8; ++q) {
                                d[j + q] += gr[j + q] * a;
                                lane[q] += gr[j + q];
                            }
                        for (size_t q = 0; j < hw; ++j, ++q) {
                            d[j] += gr[j] * a;
                            lane[q] += gr[j];
                        }
                    }
                    gb[c] += ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
                });
            }
        } else if (l.kind == LayerKind::BatchNorm) {
            train::batchNormBackward(l, batch, x, m_weights.at(l.name + ".gamma").data(), bn[i], dy.data(), din[0],
                                     g.at(l.name + ".gamma").data(), g.at(l.name + ".beta").data());
        } else {
            std::vector<const float*> ins;
            for (int t : l.inputs)
                ins.push_back(act[t].data());
            train::plainBackward(l, batch, ins, act[l.output].data(), dy.data(), din);
        }
    }
    if (gradientsOut)
        *gradientsOut = g;
    if (update) {
        const float mu = float(m_options.momentum), wd = float(m_options.weightDecay), rate = float(lr);
        for (auto& [name, w] : m_weights.tensors) {
            if (name.size() > 5 && (name.compare(name.size() - 5, 5, ".mean") == 0 || name.compare(name.size() - 4, 4, ".var") == 0))
                continue; // statistics, not parameters
            std::vector<float>& v = m_velocity.at(name);
            const std::vector<float>& gr = g.at(name);
            const float decay = isWeightName(name) ? wd : 0.0f;
            for (size_t j = 0; j < w.size(); ++j) {
                v[j] = mu * v[j] + gr[j] + decay * w[j];
                w[j] -= rate * v[j];
            }
            if (name.rfind("quant.", 0) == 0)
                for (float& x : w)
                    x = std::max(x, 1e-8f); // step sizes stay positive
        }
    }
    return loss;
}

double Trainer::lossAndGradients(const std::vector<float>& images, const std::vector<uint8_t>& labels, int batch,
                                 NetworkWeights& gradients)
{
    return step(images, labels, batch, nullptr, false, 0.0, &gradients);
}

bool Trainer::trainEpoch(const Dataset& train, int epoch, EpochStats& stats, const ProgressFn& progress,
                         const CancelToken* cancel)
{
    const auto start = std::chrono::steady_clock::now();
    const Shape inShape = m_graph.tensor(m_graph.inputTensors()[0]).shape;
    if (train.channels != inShape.c || train.height != inShape.h || train.width != inShape.w)
        throw InputError("dataset: " + train.name + " images do not fit " + m_graph.name() + " (" + inShape.str() + ")");
    const int64_t n = m_options.limit > 0 ? std::min(m_options.limit, train.size()) : train.size();
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(mix(m_options.seed ^ mix(uint64_t(epoch)))));
    const Normalization norm = normalizationFor(train);
    const int64_t steps = n / m_options.batch; // the last partial batch is dropped
    const int64_t totalSteps = steps * m_options.epochs;
    const double warm = m_options.warmupEpochs * double(steps);
    stats = {};
    stats.epoch = epoch;
    const int C = inShape.c, H = inShape.h, W = inShape.w;
    std::vector<float> images(size_t(m_options.batch) * C * H * W);
    std::vector<uint8_t> labels(size_t(m_options.batch));
    int64_t correctAll = 0;
    double lossSum = 0;
    for (int64_t s = 0; s < steps; ++s) {
        if (cancel && cancel->cancelled())
            return false;
        for (int b = 0; b < m_options.batch; ++b) {
            const int64_t idx = order[size_t(s * m_options.batch + b)];
            labels[b] = train.labels[size_t(idx)];
            const uint64_t r = mix(m_options.seed * 1000003ull + uint64_t(epoch) * 7919ull + uint64_t(idx));
            const int dy = m_options.augment ? int(r % 5) - 2 : 0, dx = m_options.augment ? int((r >> 8) % 5) - 2 : 0;
            const bool flip = m_options.augment && ((r >> 16) & 1);
            for (int c = 0; c < C; ++c) {
                const float zero = (0.0f - norm.mean[c]) / norm.std[c];
                for (int y = 0; y < H; ++y)
                    for (int x = 0; x < W; ++x) {
                        const int sy = y + dy, sx0 = x + dx, sx = flip ? W - 1 - sx0 : sx0;
                        float v = zero;
                        if (sy >= 0 && sy < H && sx0 >= 0 && sx0 < W)
                            v = (train.image(idx)[(size_t(c) * H + sy) * W + sx] / 255.0f - norm.mean[c]) / norm.std[c];
                        images[((size_t(b) * C + c) * H + y) * W + x] = v;
                    }
            }
        }
        const double t = double(int64_t(epoch) * steps + s);
        const double lr = t < warm ? m_options.learningRate * (t + 1) / warm
                                   : 0.5 * m_options.learningRate * (1 + std::cos(M_PI * (t - warm) / std::max(1.0, double(totalSteps) - warm)));
        int correct = 0;
        lossSum += step(images, labels, m_options.batch, &correct, true, lr, nullptr);
        correctAll += correct;
        if (progress)
            progress(double(s + 1) / double(steps));
    }
    stats.images = steps * m_options.batch;
    stats.loss = steps ? lossSum / double(steps) : 0;
    stats.trainAccuracy = stats.images ? double(correctAll) / double(stats.images) : 0;
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m_completedEpochs = epoch + 1;
    return true;
}

void Trainer::saveCheckpoint(const std::string& path) const
{
    ModelFile m = weightsToModel(m_graph, m_weights, {{"network", m_graph.name()},
                                                      {"width", std::to_string(m_graph.width())},
                                                      {"epochs.completed", std::to_string(m_completedEpochs)},
                                                      {"recipe", m_options.recipe()},
                                                      {"seed", std::to_string(m_options.seed)}});
    for (const auto& [name, v] : m_velocity.tensors)
        m.tensors.push_back({"opt." + name, {int64_t(v.size())}, v});
    saveModelFile(m, path);
}

void Trainer::loadCheckpoint(const std::string& path)
{
    const ModelFile m = loadModelFile(path);
    auto meta = [&](const char* key) {
        const auto it = m.metadata.find(key);
        if (it == m.metadata.end())
            throw InputError(path + ": not a checkpoint (metadata '" + key + "' missing)");
        return it->second;
    };
    if (meta("network") != m_graph.name() || meta("width") != std::to_string(m_graph.width()))
        throw InputError(path + ": checkpoint of " + meta("network") + " at width " + meta("width") + ", not of "
                         + m_graph.name() + " at width " + std::to_string(m_graph.width()));
    if (meta("recipe") != m_options.recipe() || meta("seed") != std::to_string(m_options.seed))
        throw InputError(path + ": checkpoint was made with another recipe or seed (" + meta("recipe") + ")");
    ModelFile weightsOnly, velocity;
    for (const ModelTensor& t : m.tensors)
        (t.name.rfind("opt.", 0) == 0 ? velocity : weightsOnly).tensors.push_back(t);
    NetworkWeights loaded = weightsFromModel(m_graph, weightsOnly, path);
    for (const auto& [name, v] : m_weights.tensors)
        if (!loaded.has(name) || loaded.at(name).size() != v.size())
            throw InputError(path + ": tensor '" + name + "' is missing or has the wrong size");
    for (auto& [name, v] : m_velocity.tensors) {
        const ModelTensor* t = velocity.find("opt." + name);
        if (!t || t->values.size() != v.size())
            throw InputError(path + ": optimizer state for '" + name + "' is missing or has the wrong shape");
        v = t->values;
    }
    m_weights = std::move(loaded);
    int done = -1;
    try {
        done = std::stoi(meta("epochs.completed"));
    } catch (const std::logic_error&) {
    }
    if (done < 0 || done > m_options.epochs)
        throw InputError(path + ": epochs.completed out of range");
    m_completedEpochs = done;
}

} // namespace poq
