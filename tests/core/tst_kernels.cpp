// The engine's kernels against naive references on many shapes: convolutions (grouped, depthwise with
// large planes and batches, pointwise, general), dense layers, the epilogue bit for bit against its
// steps one by one (also across GEMM column blocks), and the fast fake quantizers against the reference
// quantizers of every format.
#include "engine/fake_quant.h"
#include "engine/kernels.h"
#include "formats/number_format.h"

#include "test_helpers.h"

#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

using namespace poq;
using poq::test::close;
using poq::test::randomVector;

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    void convMatchesNaive();
    void denseMatchesNaive();
    void depthwiseMatchesNaive_data();
    void depthwiseMatchesNaive();
    void epilogueEqualsSeparateSteps_data();
    void epilogueEqualsSeparateSteps();
    void fakeQuantMatchesReference();
    void fakeQuantFloatMatchesReference();
};

void TestKernels::convMatchesNaive()
{
    QRandomGenerator rng(11);
    std::vector<float> scratch;
    for (int trial = 0; trial < 300; ++trial) {
        kernels::ConvShape s;
        const int kind = trial % 4; // grouped, depthwise, pointwise, general
        s.groups = kind == 0 ? rng.bounded(1, 4) : 1;
        s.C = s.groups * rng.bounded(1, 6);
        s.K = s.groups * rng.bounded(1, 6);
        if (kind == 1) {
            s.C = s.K = s.groups = rng.bounded(2, 9);
        }
        s.H = rng.bounded(1, 12);
        s.W = rng.bounded(1, 12);
        s.FY = kind == 2 ? 1 : rng.bounded(1, 4);
        s.FX = kind == 2 ? 1 : rng.bounded(1, 4);
        s.strideY = kind == 2 ? 1 : rng.bounded(1, 3);
        s.strideX = kind == 2 ? 1 : rng.bounded(1, 3);
        s.padY = kind == 2 ? 0 : rng.bounded(0, 2);
        s.padX = kind == 2 ? 0 : rng.bounded(0, 2);
        s.dilY = kind == 3 || kind == 1 ? rng.bounded(1, 3) : 1;
        s.dilX = kind == 3 || kind == 1 ? rng.bounded(1, 3) : 1;
        const int spanY = s.dilY * (s.FY - 1) + 1, spanX = s.dilX * (s.FX - 1) + 1;
        if (s.H + 2 * s.padY < spanY || s.W + 2 * s.padX < spanX)
            continue;
        s.OH = (s.H + 2 * s.padY - spanY) / s.strideY + 1;
        s.OW = (s.W + 2 * s.padX - spanX) / s.strideX + 1;
        const auto in = randomVector(rng, size_t(s.C) * s.H * s.W);
        const auto w = randomVector(rng, size_t(s.K) * (s.C / s.groups) * s.FY * s.FX);
        const auto b = randomVector(rng, size_t(s.K));
        std::vector<float> fast(size_t(s.K) * s.OH * s.OW), slow(fast.size());
        kernels::conv2d(s, in.data(), w.data(), trial % 2 ? b.data() : nullptr, fast.data(), scratch);
        kernels::conv2dNaive(s, in.data(), w.data(), trial % 2 ? b.data() : nullptr, slow.data());
        QVERIFY2(close(fast, slow, 1e-4), qPrintable(QString("trial %1 kind %2").arg(trial).arg(kind)));

        // A batch in CNHW order: each image's planes equal the naive result for that image alone.
        const int batch = 1 + trial % 5;
        const size_t inPlane = size_t(s.H) * s.W, outPlane = size_t(s.OH) * s.OW;
        std::vector<float> images = randomVector(rng, size_t(s.C) * inPlane * batch), cnhw(images.size());
        for (int n = 0; n < batch; ++n)
            for (int c = 0; c < s.C; ++c)
                std::copy_n(images.data() + (size_t(n) * s.C + c) * inPlane, inPlane,
                            cnhw.data() + (size_t(c) * batch + n) * inPlane);
        std::vector<float> batched(size_t(s.K) * outPlane * batch), one(size_t(s.K) * outPlane);
        kernels::conv2d(s, batch, cnhw.data(), w.data(), trial % 2 ? b.data() : nullptr, batched.data(), scratch);
        for (int n = 0; n < batch; ++n) {
            kernels::conv2dNaive(s, images.data() + size_t(n) * s.C * inPlane, w.data(), trial % 2 ? b.data() : nullptr,
                                 one.data());
            std::vector<float> got(one.size());
            for (int k = 0; k < s.K; ++k)
                std::copy_n(batched.data() + (size_t(k) * batch + n) * outPlane, outPlane, got.data() + size_t(k) * outPlane);
            QVERIFY2(close(got, one, 1e-4), qPrintable(QString("trial %1 kind %2 image %3 of %4").arg(trial).arg(kind).arg(n).arg(batch)));
        }
    }
}

namespace {

// A batch of random images in CNHW order, and the same images one after another (CHW each).
struct Images {
    std::vector<float> cnhw, chw;
};
Images randomImages(QRandomGenerator& rng, int channels, int planeSize, int batch)
{
    Images im;
    im.chw = randomVector(rng, size_t(channels) * planeSize * batch);
    im.cnhw.resize(im.chw.size());
    for (int n = 0; n < batch; ++n)
        for (int c = 0; c < channels; ++c)
            std::copy_n(im.chw.data() + (size_t(n) * channels + c) * planeSize, planeSize,
                        im.cnhw.data() + (size_t(c) * batch + n) * planeSize);
    return im;
}

kernels::ConvShape depthwiseShape(int channels, int size, int stride, int pad, int kernel, int dilation)
{
    kernels::ConvShape s;
    s.C = s.K = s.groups = channels;
    s.H = s.W = size;
    s.FY = s.FX = kernel;
    s.strideY = s.strideX = stride;
    s.padY = s.padX = pad;
    s.dilY = s.dilX = dilation;
    s.OH = s.OW = (size + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
    return s;
}

} // namespace

// Larger planes and batches than convMatchesNaive: the depthwise kernel stacks a few planes at a time,
// and stride 2 splits planes into quarters (odd and even sizes and paddings).
void TestKernels::depthwiseMatchesNaive_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("pad");
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("dilation");
    QTest::addColumn<int>("batch");
    QTest::newRow("28 s1 3x3, 3 stacks") << 28 << 1 << 1 << 3 << 1 << 9;
    QTest::newRow("41 s1 3x3 odd") << 41 << 1 << 1 << 3 << 1 << 5;
    QTest::newRow("8 s1 3x3") << 8 << 1 << 1 << 3 << 1 << 3;
    QTest::newRow("9 s1 3x3") << 9 << 1 << 1 << 3 << 1 << 2;
    QTest::newRow("14 s1 3x3, last register overlaps") << 14 << 1 << 1 << 3 << 1 << 5;
    QTest::newRow("7 s1 3x3, registers span rows") << 7 << 1 << 1 << 3 << 1 << 4;
    QTest::newRow("3 s1 3x3, one register per plane") << 3 << 1 << 1 << 3 << 1 << 3;
    QTest::newRow("2 s1 3x3 (padded planes)") << 2 << 1 << 1 << 3 << 1 << 5;
    QTest::newRow("28 s2 3x3") << 28 << 2 << 1 << 3 << 1 << 7;
    QTest::newRow("29 s2 3x3 odd") << 29 << 2 << 1 << 3 << 1 << 4;
    QTest::newRow("30 s2 3x3 pad 0") << 30 << 2 << 0 << 3 << 1 << 3;
    QTest::newRow("15 s2 3x3 pad 2") << 15 << 2 << 2 << 3 << 1 << 5;
    QTest::newRow("4 s1 3x3 batch 16") << 4 << 1 << 1 << 3 << 1 << 16;
    QTest::newRow("7 s2 3x3 batch 16") << 7 << 2 << 1 << 3 << 1 << 16;
    QTest::newRow("20 s2 5x5") << 20 << 2 << 2 << 5 << 1 << 3;
    QTest::newRow("20 s1 3x3 dilated") << 20 << 1 << 2 << 3 << 2 << 3;
    QTest::newRow("20 s2 3x3 dilated") << 20 << 2 << 2 << 3 << 2 << 3;
    QTest::newRow("24 s3 3x3") << 24 << 3 << 1 << 3 << 1 << 2;
}

void TestKernels::depthwiseMatchesNaive()
{
    QFETCH(int, size);
    QFETCH(int, stride);
    QFETCH(int, pad);
    QFETCH(int, kernel);
    QFETCH(int, dilation);
    QFETCH(int, batch);
    QRandomGenerator rng(uint32_t(size * 131 + stride * 7 + batch));
    const kernels::ConvShape s = depthwiseShape(6, size, stride, pad, kernel, dilation);
    const int inPlane = s.H * s.W, outPlane = s.OH * s.OW;
    const Images im = randomImages(rng, s.C, inPlane, batch);
    const auto w = randomVector(rng, size_t(s.C) * s.FY * s.FX), b = randomVector(rng, size_t(s.C));
    std::vector<float> batched(size_t(s.C) * outPlane * batch), one(size_t(s.C) * outPlane), scratch;
    kernels::conv2d(s, batch, im.cnhw.data(), w.data(), b.data(), batched.data(), scratch);
    for (int n = 0; n < batch; ++n) {
        kernels::conv2dNaive(s, im.chw.data() + size_t(n) * s.C * inPlane, w.data(), b.data(), one.data());
        for (int c = 0; c < s.C; ++c)
            for (int i = 0; i < outPlane; ++i) {
                const float got = batched[(size_t(c) * batch + n) * outPlane + i], want = one[size_t(c) * outPlane + i];
                QVERIFY2(std::fabs(got - want) <= 1e-4 * (1 + std::fabs(want)),
                         qPrintable(QString("image %1 channel %2 output %3: %4, naive %5").arg(n).arg(c).arg(i).arg(got).arg(want)));
            }
    }
}

// The sums of a convolution as the AVX2 build's fused GEMM forms them: for each output, one FMA chain
// over (input channel, fy, fx) in order starting from zero, padding read as zeros. CNHW layouts.
std::vector<float> sequentialFmaConv(const kernels::ConvShape& s, int batch, const std::vector<float>& in,
                                     const std::vector<float>& w)
{
    const int cg = s.C / s.groups, kg = s.K / s.groups;
    std::vector<float> out(size_t(s.K) * batch * s.OH * s.OW);
    for (int k = 0; k < s.K; ++k) {
        const int g = k / kg;
        for (int b = 0; b < batch; ++b)
            for (int oy = 0; oy < s.OH; ++oy)
                for (int ox = 0; ox < s.OW; ++ox) {
                    float acc = 0.0f;
                    for (int c = 0; c < cg; ++c)
                        for (int fy = 0; fy < s.FY; ++fy)
                            for (int fx = 0; fx < s.FX; ++fx) {
                                const int iy = oy * s.strideY + fy * s.dilY - s.padY, ix = ox * s.strideX + fx * s.dilX - s.padX;
                                const bool inside = iy >= 0 && iy < s.H && ix >= 0 && ix < s.W;
                                const float x = inside ? in[((size_t(g * cg + c) * batch + b) * s.H + iy) * s.W + ix] : 0.0f;
                                acc = std::fma(w[((size_t(k) * cg + c) * s.FY + fy) * s.FX + fx], x, acc);
                            }
                    out[((size_t(k) * batch + b) * s.OH + oy) * s.OW + ox] = acc;
                }
    }
    return out;
}

// A convolution's epilogue (bias, ReLU6, quantization, residual add, quantization of the sum) gives the
// same bits as the steps one after another. The AVX2 build computes GEMM convolutions with integer or
// no quantization in its fused kernel (tiles, column blocks, depth chunks, masked last columns), whose
// sums are checked against sequentialFmaConv; elsewhere the steps start from the plain convolution.
void TestKernels::epilogueEqualsSeparateSteps_data()
{
    QTest::addColumn<int>("kind"); // 0 pointwise, 1 depthwise stride 1, 2 depthwise stride 2, 3 general 3x3, 4 dense
    QTest::addColumn<int>("depth"); // input channels (GEMM kinds)
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("groups");
    QTest::addColumn<int>("quant"); // 0 none, 1 integer grids, 2 bf16 then int8
    for (const int q : {0, 1, 2}) { // quantization would hide a wrong last bit: rows without it
        const QString tag = q == 0 ? ", float" : q == 1 ? ", int" : ", bf16";
        QTest::newRow(qPrintable("pointwise, column blocks" + tag)) << 0 << 96 << 96 << 28 << 3 << 1 << q;
        QTest::newRow(qPrintable("pointwise, odd blocks" + tag)) << 0 << 96 << 40 << 28 << 3 << 1 << q;
        QTest::newRow(qPrintable("pointwise, wide" + tag)) << 0 << 96 << 700 << 7 << 16 << 1 << q;
        QTest::newRow(qPrintable("pointwise, one block" + tag)) << 0 << 96 << 24 << 4 << 2 << 1 << q;
        QTest::newRow(qPrintable("pointwise, deep (3 chunks)" + tag)) << 0 << 600 << 21 << 4 << 5 << 1 << q;
        QTest::newRow(qPrintable("pointwise, 7 outputs, 75 columns" + tag)) << 0 << 13 << 7 << 5 << 3 << 1 << q;
        QTest::newRow(qPrintable("pointwise, 2 groups" + tag)) << 0 << 48 << 30 << 6 << 3 << 2 << q;
        QTest::newRow(qPrintable("depthwise s1" + tag)) << 1 << 12 << 12 << 14 << 5 << 12 << q;
        QTest::newRow(qPrintable("depthwise s2" + tag)) << 2 << 12 << 12 << 14 << 5 << 12 << q;
        QTest::newRow(qPrintable("general 3x3" + tag)) << 3 << 16 << 24 << 20 << 4 << 1 << q;
        QTest::newRow(qPrintable("dense" + tag)) << 4 << 50 << 64 << 1 << 9 << 1 << q;
    }
}

void TestKernels::epilogueEqualsSeparateSteps()
{
    QFETCH(int, kind);
    QFETCH(int, depth);
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(int, batch);
    QFETCH(int, groups);
    QFETCH(int, quant);
    QRandomGenerator rng(uint32_t(kind * 1000 + channels + depth));
    kernels::ConvShape s;
    const bool depthwise = kind == 1 || kind == 2;
    if (depthwise) {
        s = depthwiseShape(channels, size, kind == 1 ? 1 : 2, 1, 3, 1);
    } else {
        s.C = depth;
        s.K = channels;
        s.groups = groups;
        s.H = s.W = s.OH = s.OW = size;
        if (kind == 3) {
            s.FY = s.FX = 3;
            s.padY = s.padX = 1;
        }
    }
    const size_t outSize = size_t(s.K) * s.OH * s.OW * batch;
    const auto in = randomVector(rng, size_t(s.C) * s.H * s.W * batch);
    const auto w = randomVector(rng, size_t(s.K) * (s.C / s.groups) * s.FY * s.FX);
    const auto bias = randomVector(rng, size_t(s.K));
    auto addend = randomVector(rng, outSize);
    for (float& v : addend)
        v *= 3;
    addend[5] = std::nanf(""); // non-finite residuals take the same path through both
    addend[17] = std::numeric_limits<float>::infinity();
    addend[outSize - 1] = -std::numeric_limits<float>::infinity();
    kernels::Epilogue ep;
    ep.bias = bias.data();
    ep.clamp = true;
    ep.lo = 0;
    ep.hi = 6;
    ep.addend = addend.data();
    if (quant == 1)
        ep.quant = {kernels::Quantizer::Kind::Int, 4, 0.37f, true, NumberFormat::FP32};
    if (quant == 2)
        ep.quant = {kernels::Quantizer::Kind::Float, 16, 0, false, NumberFormat::BF16};
    if (quant != 0)
        ep.sumQuant = {kernels::Quantizer::Kind::Int, 8, 0.05f, false, NumberFormat::FP32};
    std::vector<float> fused(outSize), steps(outSize), scratch;
    const size_t plane = size_t(s.OH) * s.OW * batch; // one output channel of the batch (CNHW)
    if (kind == 4) {
        kernels::dense(s.C, s.K, batch, in.data(), w.data(), ep, fused.data());
        kernels::dense(s.C, s.K, batch, in.data(), w.data(), nullptr, steps.data());
    } else {
        kernels::conv2d(s, batch, in.data(), w.data(), ep, fused.data(), scratch);
        // Weights packed once beforehand (as the engine does) give the same result.
        const std::vector<float> packed = kernels::packConvWeights(s, w.data());
        QCOMPARE(packed.empty(), !kernels::usingAvx2() || depthwise);
        std::vector<float> prepacked(outSize);
        kernels::conv2d(s, batch, in.data(), w.data(), ep, prepacked.data(), scratch, packed.empty() ? nullptr : packed.data());
        QVERIFY(std::memcmp(fused.data(), prepacked.data(), outSize * sizeof(float)) == 0);
        if (kernels::usingAvx2() && !depthwise && quant != 2)
            steps = sequentialFmaConv(s, batch, in, w);
        else // depthwise sums the bias first; the GEMM kernels add it to the product
            kernels::conv2d(s, batch, in.data(), w.data(), depthwise ? bias.data() : nullptr, steps.data(), scratch);
    }
    for (size_t k = 0; k < size_t(s.K); ++k) {
        float* v = steps.data() + k * plane;
        for (size_t j = 0; j < plane; ++j) {
            if (!depthwise)
                v[j] += bias[k];
            v[j] = std::min(std::max(v[j], 0.0f), 6.0f);
        }
    }
    if (quant == 1)
        fakeQuantizeInt(steps.data(), outSize, 4, 0.37f, true);
    if (quant == 2)
        fakeQuantizeFloat(steps.data(), outSize, NumberFormat::BF16);
    for (size_t j = 0; j < outSize; ++j)
        steps[j] += addend[j];
    if (quant != 0)
        fakeQuantizeInt(steps.data(), outSize, 8, 0.05f, false);
    size_t firstDiff = 0;
    while (firstDiff < outSize && std::memcmp(&fused[firstDiff], &steps[firstDiff], sizeof(float)) == 0)
        ++firstDiff;
    QVERIFY2(firstDiff == outSize, qPrintable(QString("output %1: fused %2, steps %3")
                                                  .arg(firstDiff)
                                                  .arg(double(firstDiff < outSize ? fused[firstDiff] : 0), 0, 'g', 9)
                                                  .arg(double(firstDiff < outSize ? steps[firstDiff] : 0), 0, 'g', 9)));
    QVERIFY(std::count(fused.begin(), fused.end(), 0.0f) < long(outSize)); // not trivially zero
}

void TestKernels::denseMatchesNaive()
{
    QRandomGenerator rng(3);
    for (int trial = 0; trial < 50; ++trial) {
        const int in = rng.bounded(1, 300), out = rng.bounded(1, 40);
        const auto x = randomVector(rng, size_t(in)), w = randomVector(rng, size_t(in) * out), b = randomVector(rng, size_t(out));
        std::vector<float> fast(out), slow(out);
        kernels::dense(in, out, x.data(), w.data(), b.data(), fast.data());
        kernels::denseNaive(in, out, x.data(), w.data(), b.data(), slow.data());
        QVERIFY(close(fast, slow, 1e-4));
        // A batch: in[I][batch] -> out[O][batch], column n equal to the naive result for image n.
        const int batch = 2 + trial % 7;
        const auto xs = randomVector(rng, size_t(in) * batch);
        std::vector<float> ys(size_t(out) * batch), col(static_cast<size_t>(in)), ref(static_cast<size_t>(out)),
            got(static_cast<size_t>(out));
        kernels::dense(in, out, batch, xs.data(), w.data(), trial % 2 ? b.data() : nullptr, ys.data());
        for (int n = 0; n < batch; ++n) {
            for (int i = 0; i < in; ++i)
                col[size_t(i)] = xs[size_t(i) * batch + n];
            kernels::denseNaive(in, out, col.data(), w.data(), trial % 2 ? b.data() : nullptr, ref.data());
            for (int o = 0; o < out; ++o)
                got[size_t(o)] = ys[size_t(o) * batch + n];
            QVERIFY(close(got, ref, 1e-4));
        }
    }
}

void TestKernels::fakeQuantMatchesReference()
{
    // The vectorised tensor quantizer against the reference quantizer of every integer format,
    // on random values, exact ties, out-of-range values and NaN.
    QRandomGenerator rng(17);
    for (const FormatInfo& f : allFormats()) {
        if (f.family != FormatFamily::Int)
            continue;
        // Random scales, and scales with short mantissas on whose half-steps many values fall exactly.
        std::vector<float> scales = {float(0.001 + rng.generateDouble()), float(1e-4 * rng.generateDouble()), 0.375f,
                                     0.046875f, 3.0f, 1e-20f, 1e20f};
        for (int i = 0; i < 40; ++i) // 12-bit mantissas: x.5 steps are exact, and 1 / scale is rarely exact
            scales.push_back(std::ldexp(float(rng.bounded(2048, 4096)), rng.bounded(-30, 0)));
        for (const float scale : scales)
            for (bool isUnsigned : {false, true}) {
                std::vector<float> v;
                for (int i = 0; i < (scale == scales[0] ? 20000 : 500); ++i)
                    v.push_back(float((rng.generateDouble() * 2 - 1) * scale * (1 << f.bits)));
                for (int k = -300; k <= 300; ++k) {
                    v.push_back(float((k + 0.5) * double(scale))); // ties (exact for the short scales)
                    v.push_back(float(k * double(scale)));
                    v.push_back(float(k * double(scale) / 3)); // a related grid
                    v.push_back(std::nextafter(float((k + 0.5) * double(scale)), 0.0f));
                    v.push_back(std::nextafter(float((k + 0.5) * double(scale)), 1e30f));
                }
                for (const float special : {std::nanf(""), -std::nanf(""), 1e30f, -1e30f, std::numeric_limits<float>::infinity(),
                                            -std::numeric_limits<float>::infinity(), 0.0f, -0.0f, 1e-45f, -1e-45f,
                                            std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()})
                    v.push_back(special);
                std::vector<float> fast = v;
                fakeQuantizeInt(fast.data(), fast.size(), f.bits, scale, isUnsigned);
                // Equal values, and a zero is always +0 (the reference may give -0): so the two builds
                // of the fast quantizer (division, and multiply with an exact remainder) agree bit for bit.
                for (size_t i = 0; i < v.size(); ++i) {
                    const float want = f.quantize(v[i], scale, isUnsigned);
                    if (fast[i] == want && !(fast[i] == 0.0f && std::signbit(fast[i])))
                        continue;
                    QFAIL(qPrintable(QString("%1 unsigned %2 scale %3: %4 -> %5, reference %6")
                                         .arg(f.name).arg(isUnsigned).arg(double(scale), 0, 'g', 9)
                                         .arg(double(v[i]), 0, 'g', 9).arg(double(fast[i]), 0, 'g', 9).arg(double(want), 0, 'g', 9)));
                }
            }
    }
}

void TestKernels::fakeQuantFloatMatchesReference()
{
    // Every float format: random bit patterns (all exponents, subnormals, infinities, NaN), each
    // representable value of the target and the floats just beside the midpoints between neighbours.
    QRandomGenerator rng(23);
    for (const FormatInfo& f : allFormats()) {
        if (f.family != FormatFamily::Float || f.id == NumberFormat::FP32)
            continue;
        std::vector<float> v;
        for (int i = 0; i < 400000; ++i)
            v.push_back(std::bit_cast<float>(rng.generate()));
        for (int i = 0; i < 200000; ++i) // magnitudes around the format's range
            v.push_back(float((rng.generateDouble() * 2 - 1) * std::ldexp(1.0, rng.bounded(-30, 20))));
        const uint32_t step = 1u << (23 - f.mantissaBits);
        for (int e = -150; e <= 130; ++e)
            for (uint32_t k = 0; k < 8; ++k) {
                const float grid = std::ldexp(1.0f + float(k) / 8.0f, e);
                const uint32_t b = std::bit_cast<uint32_t>(grid);
                for (uint32_t d : {0u, step / 2 - 1, step / 2, step / 2 + 1, step / 2 + step})
                    for (float sgn : {1.0f, -1.0f})
                        v.push_back(sgn * std::bit_cast<float>(b + d));
            }
        for (float s : {0.0f, -0.0f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                        std::numeric_limits<float>::max(), std::numeric_limits<float>::denorm_min(), 448.0f, 464.0f,
                        65504.0f, 65519.99f, 65520.0f, 57344.0f, 61440.0f})
            v.push_back(s);
        std::vector<float> fast = v;
        fakeQuantizeFloat(fast.data(), fast.size(), f.id);
        int bad = 0;
        for (size_t i = 0; i < v.size() && bad < 5; ++i) {
            const float ref = f.quantize(v[i], 1.0f, false);
            const bool same = std::isnan(ref) ? std::isnan(fast[i]) : std::bit_cast<uint32_t>(ref) == std::bit_cast<uint32_t>(fast[i]);
            if (!same) {
                ++bad;
                qWarning("%s: %.9g -> %.9g, reference %.9g", f.name, double(v[i]), double(fast[i]), double(ref));
            }
        }
        QVERIFY2(bad == 0, f.name);
    }
}
QTEST_APPLESS_MAIN(TestKernels)
#include "tst_kernels.moc"
