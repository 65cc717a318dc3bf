// Layer forward/backward for training.
#include "train/train_layers.h"

#include "engine/activations.h"
#include "engine/kernels.h"

#include <Eigen/Core>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace poq::train {

namespace {

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int chunks(int batch) { return (batch + kChunk - 1) / kChunk; }

// Float reductions with 8 independent partial sums: vectorisable without -ffast-math, and still in a
// fixed order (so deterministic).
float sum8(const float* __restrict p, size_t n)
{
    float a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; ++k)
            a[k] += p[j + k];
    float s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; j < n; ++j)
        s += p[j];
    return s;
}

// sum (p - m)^2
float sumSq8(const float* __restrict p, size_t n, float m)
{
    float a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; ++k)
            a[k] += (p[j + k] - m) * (p[j + k] - m);
    float s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (; j < n; ++j)
        s += (p[j] - m) * (p[j] - m);
    return s;
}

// sum8(g) and sum g * (p - m) in one pass over g, each sum with its own eight partial sums in order.
void sumAndDotCentred8(const float* __restrict g, const float* __restrict p, size_t n, float m, float& sum, float& dot)
{
    float a[8] = {0, 0, 0, 0, 0, 0, 0, 0}, b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; ++k) {
            a[k] += g[j + k];
            b[k] += g[j + k] * (p[j + k] - m);
        }
    float s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    float d = ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
    for (; j < n; ++j) {
        s += g[j];
        d += g[j] * (p[j] - m);
    }
    sum = s;
    dot = d;
}

size_t inSize(const Layer& l) { return size_t(l.inShapes[0].elements()); }
size_t outSize(const Layer& l) { return size_t(l.outShape.elements()); }

} // namespace

void macForward(const Layer& l, int batch, const float* x, const float* w, const float* b, float* y)
{
    if (l.kind == LayerKind::Dense) {
        const int in = l.inShapes[0].c, out = l.outShape.c;
        Eigen::Map<const RowMat> X(x, batch, in), W(w, out, in);
        Eigen::Map<RowMat> Y(y, batch, out);
        Y.noalias() = X * W.transpose();
        if (b)
            Y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(b, out);
        return;
    }
    const kernels::ConvShape s = kernels::convShape(l);
    tbb::parallel_for(0, batch, [&](int i) {
        thread_local std::vector<float> scratch;
        kernels::conv2d(s, x + size_t(i) * inSize(l), w, b, y + size_t(i) * outSize(l), scratch);
    });
}

void macBackward(const Layer& l, int batch, const float* x, const float* w, const float* dy, float* dx, float* dw,
                 float* db)
{
    const size_t wSize = l.kind == LayerKind::Dense ? size_t(l.outShape.c) * l.inShapes[0].c
                                                    : size_t(l.loopNest->G) * l.loopNest->K * l.loopNest->C
                                                          * l.loopNest->FY * l.loopNest->FX;
    const int K = l.outShape.c;
    if (l.kind == LayerKind::Dense) {
        const int in = l.inShapes[0].c;
        Eigen::Map<const RowMat> X(x, batch, in), W(w, K, in), DY(dy, batch, K);
        Eigen::Map<RowMat>(dw, K, in).noalias() += DY.transpose() * X;
        if (db)
            for (int i = 0; i < batch; ++i)
                for (int k = 0; k < K; ++k)
                    db[k] += dy[size_t(i) * K + k];
        if (dx)
            Eigen::Map<RowMat>(dx, batch, in).noalias() += DY * W;
        return;
    }
    const kernels::ConvShape s = kernels::convShape(l);
    const int nChunks = chunks(batch);
    // Per-chunk partial gradients, kept between calls: weight gradients of the wide layers run to
    // megabytes per chunk, and fresh allocations would be fresh pages for the kernel to fault in and zero.
    // (References: inside the parallel loop a thread_local name would be the worker's own.)
    thread_local std::vector<std::vector<float>> dwParts, dbParts;
    std::vector<std::vector<float>>& dwPart = dwParts;
    std::vector<std::vector<float>>& dbPart = dbParts;
    if (dwPart.size() < size_t(nChunks)) {
        dwPart.resize(size_t(nChunks));
        dbPart.resize(size_t(nChunks));
    }
    const int cols = s.OH * s.OW;
    tbb::parallel_for(0, nChunks, [&](int ch) {
        std::vector<float>& gw = dwPart[ch];
        std::vector<float>& gb = dbPart[ch];
        gw.assign(wSize, 0.0f);
        gb.assign(size_t(K), 0.0f);
        thread_local std::vector<float> scratch;
        for (int i = ch * kChunk; i < std::min(batch, (ch + 1) * kChunk); ++i) {
            const float* dyi = dy + size_t(i) * outSize(l);
            if (db) // (a convolution followed by batch-norm has no bias)
                for (int k = 0; k < K; ++k)
                    for (int p = 0; p < cols; ++p)
                        gb[k] += dyi[size_t(k) * cols + p];
            kernels::conv2dBackward(s, x + size_t(i) * inSize(l), w, dyi, dx ? dx + size_t(i) * inSize(l) : nullptr,
                                    gw.data(), scratch);
        }
    });
    for (int ch = 0; ch < nChunks; ++ch) { // fixed order: deterministic for any thread count
        for (size_t j = 0; j < wSize; ++j)
            dw[j] += dwPart[ch][j];
        if (db)
            for (int k = 0; k < K; ++k)
                db[k] += dbPart[ch][k];
    }
}

// Sums run in float over one image's map (vectorised) and in double across images.
void batchNormForward(const Layer& l, int batch, const float* x, const float* gamma, const float* beta, float* y,
                      BatchNormState& st, float* runningMean, float* runningVar, float momentum)
{
    const int C = l.outShape.c;
    const size_t hw = size_t(l.outShape.h) * l.outShape.w, per = size_t(C) * hw;
    const double n = double(batch) * double(hw);
    st.mean.assign(C, 0.0f);
    st.invStd.assign(C, 0.0f);
    tbb::parallel_for(0, C, [&](int c) {
        double sum = 0;
        for (int i = 0; i < batch; ++i)
            sum += sum8(x + i * per + c * hw, hw);
        const float mean = float(sum / n);
        double sq = 0; // centred second moment: no cancellation
        for (int i = 0; i < batch; ++i)
            sq += sumSq8(x + i * per + c * hw, hw, mean);
        const double var = sq / n;
        st.mean[c] = mean;
        st.invStd[c] = float(1.0 / std::sqrt(var + 1e-5));
        if (runningMean) {
            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean;
            runningVar[c] = (1 - momentum) * runningVar[c] + momentum * float(var * n / std::max(1.0, n - 1));
        }
        const float a = gamma[c] * st.invStd[c], b = beta[c] - st.mean[c] * a;
        for (int i = 0; i < batch; ++i) {
            const float* __restrict p = x + i * per + c * hw;
            float* __restrict q = y + i * per + c * hw;
            for (size_t j = 0; j < hw; ++j)
                q[j] = p[j] * a + b;
        }
    });
}

void batchNormBackward(const Layer& l, int batch, const float* x, const float* gamma, const BatchNormState& st,
                       const float* dy, float* dx, float* dgamma, float* dbeta)
{
    const int C = l.outShape.c;
    const size_t hw = size_t(l.outShape.h) * l.outShape.w, per = size_t(C) * hw;
    const double n = double(batch) * double(hw);
    tbb::parallel_for(0, C, [&](int c) {
        const float mean = st.mean[c], inv = st.invStd[c];
        double sdy = 0, sdyx = 0;
        for (int i = 0; i < batch; ++i) {
            float sum, dot;
            sumAndDotCentred8(dy + i * per + c * hw, x + i * per + c * hw, hw, mean, sum, dot);
            sdy += sum;
            sdyx += double(dot) * inv;
        }
        dgamma[c] += float(sdyx);
        dbeta[c] += float(sdy);
        if (!dx)
            return;
        const float k = gamma[c] * inv, m1 = float(sdy / n), m2 = float(sdyx / n) * inv;
        for (int i = 0; i < batch; ++i) {
            const float* __restrict p = x + i * per + c * hw;
            const float* __restrict g = dy + i * per + c * hw;
            float* __restrict d = dx + i * per + c * hw;
            for (size_t j = 0; j < hw; ++j)
                d[j] += k * (g[j] - m1 - (p[j] - mean) * m2);
        }
    });
}

void plainForward(const Layer& l, int batch, const std::vector<const float*>& in, float* y)
{
    const size_t ni = inSize(l), no = outSize(l);
    tbb::parallel_for(0, batch, [&](int i) {
        const float* x = in[0] + i * ni;
        float* o = y + i * no;
        switch (l.kind) {
        case LayerKind::ReLU:
            for (size_t j = 0; j < no; ++j)
                o[j] = std::max(x[j], 0.0f);
            break;
        case LayerKind::ReLU6:
            for (size_t j = 0; j < no; ++j)
                o[j] = std::min(std::max(x[j], 0.0f), 6.0f);
            break;
        case LayerKind::Add:
            std::memcpy(o, x, sizeof(float) * no);
            for (size_t k = 1; k < in.size(); ++k)
                for (size_t j = 0; j < no; ++j)
                    o[j] += in[k][i * no + j];
            break;
        case LayerKind::MaxPool:
            kernels::maxPool(kernels::convShape(l), x, o);
            break;
        case LayerKind::AvgPool:
            kernels::avgPool(kernels::convShape(l), x, o);
            break;
        case LayerKind::GlobalAvgPool:
            kernels::globalAvgPool(l.inShapes[0].c, l.inShapes[0].h * l.inShapes[0].w, x, o);
            break;
        case LayerKind::Flatten:
            std::memcpy(o, x, sizeof(float) * no);
            break;
        case LayerKind::Sigmoid:
            std::transform(x, x + no, o, activations::sigmoid);
            break;
        case LayerKind::HardSigmoid:
            std::transform(x, x + no, o, activations::hardSigmoid);
            break;
        case LayerKind::HardSwish:
            std::transform(x, x + no, o, activations::hardSwish);
            break;
        case LayerKind::Mul: {
            const size_t nb = size_t(l.inShapes[1].elements()), hw = no / nb; // hw = 1 unless a gate
            const float* z = in[1] + i * nb;
            for (size_t c = 0; c < nb; ++c)
                for (size_t j = 0; j < hw; ++j)
                    o[c * hw + j] = x[c * hw + j] * z[c];
            break;
        }
        case LayerKind::Concat: // per image [C][HW]: the inputs' channels one after another
            for (size_t k = 0; k < in.size(); ++k) {
                const size_t nk = size_t(l.inShapes[k].elements());
                std::memcpy(o, in[k] + i * nk, sizeof(float) * nk);
                o += nk;
            }
            break;
        case LayerKind::Conv2d:
        case LayerKind::Dense:
        case LayerKind::BatchNorm:
            break; // not plain
        }
    });
}

void plainBackward(const Layer& l, int batch, const std::vector<const float*>& in, const float* y, const float* dy,
                   const std::vector<float*>& din)
{
    const size_t ni = inSize(l), no = outSize(l);
    tbb::parallel_for(0, batch, [&](int i) {
        const float* __restrict x = in[0] + i * ni;
        const float* __restrict g = dy + i * no;
        float* __restrict d = din[0] ? din[0] + i * ni : nullptr;
        if (!d && l.inputs.size() == 1)
            return; // nothing upstream wants this gradient
        switch (l.kind) {
        case LayerKind::ReLU: // masks as 0/1 floats: branch-free, so the loops vectorise
            for (size_t j = 0; j < no; ++j)
                d[j] += float(x[j] > 0.0f) * g[j];
            break;
        case LayerKind::ReLU6:
            for (size_t j = 0; j < no; ++j)
                d[j] += float(x[j] > 0.0f) * float(x[j] < 6.0f) * g[j];
            break;
        case LayerKind::Add:
            for (size_t k = 0; k < din.size(); ++k)
                if (din[k])
                    for (size_t j = 0; j < no; ++j)
                        din[k][i * no + j] += g[j];
            break;
        case LayerKind::Flatten:
            for (size_t j = 0; j < no; ++j)
                d[j] += g[j];
            break;
        case LayerKind::Sigmoid: { // from the output: y (1 - y)
            const float* yo = y + i * no;
            for (size_t j = 0; j < no; ++j)
                d[j] += g[j] * yo[j] * (1.0f - yo[j]);
            break;
        }
        case LayerKind::HardSigmoid:
            for (size_t j = 0; j < no; ++j)
                d[j] += float(x[j] > -3.0f) * float(x[j] < 3.0f) * g[j] / 6.0f;
            break;
        case LayerKind::HardSwish: // 0 below -3, (2x + 3) / 6 between, 1 above 3 (PyTorch's choice at the ends)
            for (size_t j = 0; j < no; ++j)
                d[j] += (x[j] < -3.0f ? 0.0f : x[j] <= 3.0f ? (2.0f * x[j] + 3.0f) / 6.0f : 1.0f) * g[j];
            break;
        case LayerKind::Mul: {
            const size_t nb = size_t(l.inShapes[1].elements()), hw = no / nb;
            const float* z = in[1] + i * nb;
            float* dz = din[1] ? din[1] + i * nb : nullptr;
            for (size_t c = 0; c < nb; ++c) {
                float s = 0;
                for (size_t j = 0; j < hw; ++j) {
                    if (d)
                        d[c * hw + j] += g[c * hw + j] * z[c];
                    s += g[c * hw + j] * x[c * hw + j];
                }
                if (dz)
                    dz[c] += s;
            }
            break;
        }
        case LayerKind::Concat: {
            const float* gk = g;
            for (size_t k = 0; k < din.size(); ++k) {
                const size_t nk = size_t(l.inShapes[k].elements());
                if (din[k])
                    for (size_t j = 0; j < nk; ++j)
                        din[k][i * nk + j] += gk[j];
                gk += nk;
            }
            break;
        }
        case LayerKind::GlobalAvgPool: {
            const size_t hw = size_t(l.inShapes[0].h) * l.inShapes[0].w;
            for (int c = 0; c < l.inShapes[0].c; ++c)
                for (size_t j = 0; j < hw; ++j)
                    d[c * hw + j] += g[c] / float(hw);
            break;
        }
        case LayerKind::MaxPool:
        case LayerKind::AvgPool: {
            const kernels::ConvShape s = kernels::convShape(l);
            const float* yo = y + i * no;
            const float inv = 1.0f / float(s.FY * s.FX);
            for (int c = 0; c < s.C; ++c)
                for (int oy = 0; oy < s.OH; ++oy)
                    for (int ox = 0; ox < s.OW; ++ox) {
                        const size_t o = (size_t(c) * s.OH + oy) * s.OW + ox;
                        bool routed = false; // max: the first position holding the maximum
                        for (int fy = 0; fy < s.FY && !routed; ++fy)
                            for (int fx = 0; fx < s.FX && !routed; ++fx) {
                                const int iy = oy * s.strideY + fy - s.padY, ix = ox * s.strideX + fx - s.padX;
                                if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W)
                                    continue;
                                const size_t p = (size_t(c) * s.H + iy) * s.W + ix;
                                if (l.kind == LayerKind::AvgPool) {
                                    d[p] += g[o] * inv;
                                } else if (x[p] == yo[o]) {
                                    d[p] += g[o];
                                    routed = true;
                                }
                            }
                    }
            break;
        }
        case LayerKind::Conv2d:
        case LayerKind::Dense:
        case LayerKind::BatchNorm:
            break;
        }
    });
}

double softmaxCrossEntropy(int batch, int classes, const float* logits, const uint8_t* labels, float* dlogits,
                           int* correct)
{
    double loss = 0;
    int right = 0;
    for (int i = 0; i < batch; ++i) {
        const float* z = logits + size_t(i) * classes;
        float* d = dlogits + size_t(i) * classes;
        const float m = *std::max_element(z, z + classes);
        double sum = 0;
        for (int k = 0; k < classes; ++k)
            sum += std::exp(double(z[k] - m));
        for (int k = 0; k < classes; ++k)
            d[k] = float(std::exp(double(z[k] - m)) / sum / batch);
        d[labels[i]] -= 1.0f / float(batch);
        loss -= double(z[labels[i]] - m) - std::log(sum);
        right += int(std::max_element(z, z + classes) - z) == labels[i] ? 1 : 0;
    }
    if (correct)
        *correct = right;
    return loss / batch;
}

} // namespace poq::train
