// The inference engine: fast kernels against naive references on many shapes, epilogues and fused
// layer chains bit for bit against the steps one by one, batch-norm folding, identical results for any
// thread count, quantized weights on their grid, and a real accuracy on the Fashion-MNIST test set for
// weights built in code (a nearest-class-mean classifier).
// TBB before Qt: Qt's `emit` macro breaks TBB's headers.
#include <tbb/task_arena.h>

#include "data/dataset.h"
#include "engine/fake_quant.h"
#include "engine/inference.h"
#include "engine/kernels.h"
#include "explore/csv.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "util/error.h"

#include <QDir>
#include <QProcess>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

using namespace poq;

namespace {

std::vector<float> randomVector(QRandomGenerator& rng, size_t n)
{
    std::vector<float> v(n);
    for (float& x : v)
        x = float(rng.generateDouble() * 2 - 1);
    return v;
}

bool close(const std::vector<float>& a, const std::vector<float>& b, double tol)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::fabs(a[i] - b[i]) > tol * (1 + std::fabs(b[i])))
            return false;
    return true;
}

// Nearest class mean on normalised pixels as one Dense layer: argmin |x - m_k|^2 = argmax m_k.x - |m_k|^2 / 2.
NetworkWeights centroidWeights(const Dataset& train)
{
    const Normalization n = normalizationFor(train);
    std::vector<double> sum(10 * 784, 0.0);
    std::vector<int> count(10, 0);
    for (int64_t i = 0; i < train.size(); ++i) {
        const int k = train.labels[i];
        ++count[k];
        for (int p = 0; p < 784; ++p)
            sum[k * 784 + p] += (train.image(i)[p] / 255.0 - n.mean[0]) / n.std[0];
    }
    NetworkWeights w;
    std::vector<float> weight(10 * 784), bias(10);
    for (int k = 0; k < 10; ++k) {
        double norm = 0;
        for (int p = 0; p < 784; ++p) {
            weight[k * 784 + p] = float(sum[k * 784 + p] / count[k]);
            norm += double(weight[k * 784 + p]) * weight[k * 784 + p];
        }
        bias[k] = float(-norm / 2);
    }
    w.tensors["classifier.weight"] = weight;
    w.tensors["classifier.bias"] = bias;
    return w;
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void convMatchesNaive();
    void denseMatchesNaive();
    void depthwiseMatchesNaive_data();
    void depthwiseMatchesNaive();
    void epilogueEqualsSeparateSteps_data();
    void epilogueEqualsSeparateSteps();
    void fusedChainsGiveTheSameBits_data();
    void fusedChainsGiveTheSameBits();
    void datasetThatDoesNotFitIsRefused();
    void fakeQuantMatchesReference();
    void fakeQuantFloatMatchesReference();
    void batchNormFoldingMatchesUnfolded();
    void sameResultsForAnyThreadCount_data();
    void sameResultsForAnyThreadCount();
    void quantizedWeightsLieOnTheirGrid();
    void realAccuracyOnFashionMnist();
    void evalCommand();
    void cancelStopsEvaluation();

private:
    Dataset m_train, m_test;
};

void TestEngine::initTestCase()
{
    m_train = loadDataset("fashion-mnist", Split::Train);
    m_test = loadDataset("fashion-mnist", Split::Test);
}

void TestEngine::convMatchesNaive()
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
void TestEngine::depthwiseMatchesNaive_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("pad");
    QTest::addColumn<int>("kernel");
    QTest::addColumn<int>("dilation");
    QTest::addColumn<int>("batch");
    QTest::newRow("28 s1 3x3, 3 stacks") << 28 << 1 << 1 << 3 << 1 << 9;
    QTest::newRow("41 s1 3x3 odd") << 41 << 1 << 1 << 3 << 1 << 5;
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

void TestEngine::depthwiseMatchesNaive()
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

// A convolution's epilogue (bias, ReLU6, int quantization, residual add, quantization of the sum)
// gives the same bits as the steps one after another, also where the GEMM runs in column blocks.
void TestEngine::epilogueEqualsSeparateSteps_data()
{
    QTest::addColumn<int>("kind"); // 0 pointwise, 1 depthwise stride 1, 2 depthwise stride 2, 3 general 3x3, 4 dense
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("batch");
    QTest::addColumn<bool>("quantized");
    for (const bool q : {false, true}) { // quantization would hide a wrong last bit: rows without it
        const QString tag = q ? ", quantized" : ", float";
        QTest::newRow(qPrintable("pointwise, column blocks" + tag)) << 0 << 96 << 28 << 3 << q;
        QTest::newRow(qPrintable("pointwise, odd blocks" + tag)) << 0 << 40 << 28 << 3 << q;
        QTest::newRow(qPrintable("pointwise, wide" + tag)) << 0 << 700 << 7 << 16 << q;
        QTest::newRow(qPrintable("pointwise, one block" + tag)) << 0 << 24 << 4 << 2 << q;
        QTest::newRow(qPrintable("depthwise s1" + tag)) << 1 << 12 << 14 << 5 << q;
        QTest::newRow(qPrintable("depthwise s2" + tag)) << 2 << 12 << 14 << 5 << q;
        QTest::newRow(qPrintable("general 3x3" + tag)) << 3 << 24 << 20 << 4 << q;
        QTest::newRow(qPrintable("dense" + tag)) << 4 << 64 << 1 << 9 << q;
    }
}

void TestEngine::epilogueEqualsSeparateSteps()
{
    QFETCH(int, kind);
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(int, batch);
    QFETCH(bool, quantized);
    QRandomGenerator rng(uint32_t(kind * 1000 + channels));
    kernels::ConvShape s;
    if (kind == 1 || kind == 2) {
        s = depthwiseShape(channels, size, kind == 1 ? 1 : 2, 1, 3, 1);
    } else {
        s.C = kind == 4 ? 50 : kind == 0 ? 96 : 16;
        s.K = channels;
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
    if (quantized) {
        ep.quant = {kernels::Quantizer::Kind::Int, 4, 0.37f, true, NumberFormat::FP32};
        ep.sumQuant = {kernels::Quantizer::Kind::Int, 8, 0.05f, false, NumberFormat::FP32};
    }
    std::vector<float> fused(outSize), steps(outSize), scratch;
    const size_t plane = size_t(s.OH) * s.OW * batch; // one output channel of the batch (CNHW)
    if (kind == 4) {
        kernels::dense(s.C, s.K, batch, in.data(), w.data(), ep, fused.data());
        kernels::dense(s.C, s.K, batch, in.data(), w.data(), nullptr, steps.data());
    } else {
        kernels::conv2d(s, batch, in.data(), w.data(), ep, fused.data(), scratch);
        // Depthwise sums the bias first; the GEMM kernels add it to the product.
        kernels::conv2d(s, batch, in.data(), w.data(), s.groups > 1 ? bias.data() : nullptr, steps.data(), scratch);
    }
    for (size_t k = 0; k < size_t(s.K); ++k) {
        float* v = steps.data() + k * plane;
        for (size_t j = 0; j < plane; ++j) {
            if (s.groups == 1)
                v[j] += bias[k];
            v[j] = std::min(std::max(v[j], 0.0f), 6.0f);
        }
    }
    if (quantized)
        fakeQuantizeInt(steps.data(), outSize, 4, 0.37f, true);
    for (size_t j = 0; j < outSize; ++j)
        steps[j] += addend[j];
    if (quantized)
        fakeQuantizeInt(steps.data(), outSize, 8, 0.05f, false);
    QVERIFY(std::memcmp(fused.data(), steps.data(), outSize * sizeof(float)) == 0);
    QVERIFY(std::count(fused.begin(), fused.end(), 0.0f) < long(outSize)); // not trivially zero
}

// The engine runs each convolution with its batch-norm, activation and residual Add as one epilogue;
// layer by layer (as calibration runs) must give the same logits bit for bit, on networks with
// residual Adds before and after activations, projection shortcuts and pooling.
void TestEngine::fusedChainsGiveTheSameBits_data()
{
    QTest::addColumn<QString>("network");
    QTest::addColumn<QString>("strategy");
    for (const char* s : {"fp32", "int8", "int4+res8", "fp8", "bf16"})
        QTest::newRow(qPrintable(QString("mobilenetv2-fmnist ") + s)) << "mobilenetv2-fmnist" << QString(s);
    for (const char* s : {"fp32", "int4+res16"})
        QTest::newRow(qPrintable(QString("resnet20 ") + s)) << "resnet20" << QString(s);
    QTest::newRow("cnn-fmnist int4") << "cnn-fmnist" << "int4";
    // Chains that must stop early: a tensor read twice, an Add whose other input comes later, a
    // three-input Add, a batch-norm after an Add (not folded), dense layers with ReLU, pooling.
    for (const char* s : {"fp32", "int8", "int4+res8", "fp8"})
        QTest::newRow(qPrintable(QString("odd shapes ") + s)) << "odd" << QString(s);
}

void TestEngine::fusedChainsGiveTheSameBits()
{
    QFETCH(QString, network);
    QFETCH(QString, strategy);
    const char* odd = R"({"name":"odd","inputs":[{"name":"input","shape":[1,28,28]}],"layers":[
     {"name":"a","kind":"Conv2d","outChannels":4,"kernel":3,"padding":1,"stride":2,"bias":true},
     {"name":"a.relu6","kind":"ReLU6"},
     {"name":"b","kind":"Conv2d","inputs":["a.relu6"],"outChannels":4,"kernel":1},
     {"name":"b.bn","kind":"BatchNorm"},
     {"name":"c","kind":"Conv2d","inputs":["a.relu6"],"outChannels":4,"kernel":3,"padding":1},
     {"name":"sum2","kind":"Add","inputs":["b.bn","c"]},
     {"name":"sum3","kind":"Add","inputs":["sum2","a.relu6","c"]},
     {"name":"sum3.bn","kind":"BatchNorm"},
     {"name":"sum3.relu","kind":"ReLU"},
     {"name":"dw","kind":"Conv2d","depthwise":true,"kernel":3,"padding":1,"stride":2},
     {"name":"dw.bn","kind":"BatchNorm"},{"name":"dw.relu","kind":"ReLU"},
     {"name":"avg","kind":"AvgPool","kernel":2,"stride":2},
     {"name":"flat","kind":"Flatten"},
     {"name":"fc1","kind":"Dense","outChannels":6,"bias":true},
     {"name":"fc1.relu","kind":"ReLU"},
     {"name":"fc2","kind":"Dense","outChannels":3,"bias":true}]})";
    const Graph g = network == "odd" ? Graph::build(parseNetworkJson(odd))
                                     : Graph::build(findZoo(network.toStdString())->build(), 0.5);
    InferenceEngine engine(g, initialWeights(g, 5), assignPrecision(g, QuantStrategy::parse(strategy.toStdString())));
    QRandomGenerator rng(9);
    const Shape in = g.tensor(g.inputTensors()[0]).shape;
    if (in.c == 1) {
        engine.setNormalization(normalizationFor(m_test));
        engine.calibrate(m_train, 8);
    }
    for (int trial = 0; trial < 3; ++trial) {
        const auto image = randomVector(rng, size_t(in.elements()));
        const std::vector<float> fused = engine.forwardImage(image.data(), true);
        const std::vector<float> layered = engine.forwardImage(image.data(), false);
        QCOMPARE(fused.size(), size_t(engine.classes()));
        QVERIFY(std::memcmp(fused.data(), layered.data(), fused.size() * sizeof(float)) == 0);
    }
    if (in.c == 1) { // batches of 16 images: GEMMs over many column blocks
        std::vector<float> fused, layered;
        engine.forward(m_test, 0, 40, fused, true);
        engine.forward(m_test, 0, 40, layered, false);
        QCOMPARE(fused.size(), size_t(40 * engine.classes()));
        QVERIFY(std::memcmp(fused.data(), layered.data(), fused.size() * sizeof(float)) == 0);
    }
}

// A dataset whose images do not fit the network: calibration and evaluation refuse it by name.
void TestEngine::datasetThatDoesNotFitIsRefused()
{
    const Graph g = Graph::build(findZoo("resnet20")->build(), 0.25); // 3x32x32 input, Fashion-MNIST is 1x28x28
    InferenceEngine engine(g, initialWeights(g, 1), assignPrecision(g, QuantStrategy::parse("int8")));
    try {
        engine.calibrate(m_train, 8);
        QFAIL("calibration accepted 1x28x28 images for a 3x32x32 network");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).contains("1x28x28") && QString(e.what()).contains("3x32x32"), e.what());
    }
    std::vector<float> out;
    QVERIFY_EXCEPTION_THROWN(engine.forward(m_test, 0, 4, out), InputError);
}

void TestEngine::denseMatchesNaive()
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

void TestEngine::fakeQuantMatchesReference()
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

void TestEngine::fakeQuantFloatMatchesReference()
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

void TestEngine::batchNormFoldingMatchesUnfolded()
{
    // conv -> BN -> ReLU, folded by the engine, against the naive unfolded computation.
    const NetworkSpec spec = parseNetworkJson(R"({"name":"bn","inputs":[{"name":"input","shape":[3,9,9]}],"layers":[
        {"name":"c","kind":"Conv2d","outChannels":5,"kernel":3,"padding":1,"stride":2},
        {"name":"c.bn","kind":"BatchNorm"},{"name":"c.relu","kind":"ReLU"},
        {"name":"pool","kind":"GlobalAvgPool"},{"name":"flat","kind":"Flatten"},
        {"name":"fc","kind":"Dense","outChannels":4,"bias":true}]})");
    const Graph g = Graph::build(spec);
    NetworkWeights w = initialWeights(g, 7);
    QRandomGenerator rng(5);
    for (const char* s : {"c.bn.gamma", "c.bn.beta", "c.bn.mean"})
        w.at(s) = randomVector(rng, 5);
    for (float& v : w.at("c.bn.var"))
        v = float(0.5 + rng.generateDouble());
    const InferenceEngine engine(g, w, assignPrecision(g, QuantStrategy::parse("fp32")));
    const auto image = randomVector(rng, 3 * 81);
    const std::vector<float> got = engine.forwardImage(image.data());

    const kernels::ConvShape cs = kernels::convShape(g.layers()[0]);
    std::vector<float> conv(5 * 25);
    kernels::conv2dNaive(cs, image.data(), w.at("c.weight").data(), nullptr, conv.data());
    std::vector<float> pooled(5, 0.0f);
    for (int c = 0; c < 5; ++c) {
        const float sc = w.at("c.bn.gamma")[c] / std::sqrt(w.at("c.bn.var")[c] + 1e-5f);
        for (int i = 0; i < 25; ++i)
            pooled[c] += std::max(0.0f, (conv[c * 25 + i] - w.at("c.bn.mean")[c]) * sc + w.at("c.bn.beta")[c]) / 25.0f;
    }
    std::vector<float> expected(4);
    kernels::denseNaive(5, 4, pooled.data(), w.at("fc.weight").data(), w.at("fc.bias").data(), expected.data());
    QVERIFY(close(got, expected, 1e-4));
}

void TestEngine::sameResultsForAnyThreadCount_data()
{
    QTest::addColumn<QString>("strategy");
    for (const char* s : {"fp32", "int8", "int4+res8", "fp8"})
        QTest::newRow(s) << QString(s);
}

void TestEngine::sameResultsForAnyThreadCount()
{
    QFETCH(QString, strategy);
    const Graph g = Graph::build(findZoo("mobilenetv2-fmnist")->build(), 0.5);
    InferenceEngine engine(g, initialWeights(g, 1), assignPrecision(g, QuantStrategy::parse(strategy.toStdString())));
    engine.setNormalization(normalizationFor(m_test));
    engine.calibrate(m_train, 32);
    std::vector<float> one, two;
    tbb::task_arena(1).execute([&] { engine.forward(m_test, 0, 48, one); });
    tbb::task_arena(2).execute([&] { engine.forward(m_test, 0, 48, two); });
    QCOMPARE(one.size(), size_t(48 * 10));
    QVERIFY(one == two); // bit-identical
    for (float v : one)
        QVERIFY(std::isfinite(v));
}

void TestEngine::quantizedWeightsLieOnTheirGrid()
{
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 1.0);
    const NetworkWeights w = initialWeights(g, 3);
    InferenceEngine engine(g, w, assignPrecision(g, QuantStrategy::parse("int4")));
    engine.setNormalization(normalizationFor(m_test));
    engine.calibrate(m_train, 16);
    // int4 activations: every stored integer tensor has a positive scale; its values are on k * scale.
    int quantized = 0;
    for (size_t t = 0; t < engine.tensorQuant().size(); ++t) {
        const TensorQuant& q = engine.tensorQuant()[t];
        if (q.quantized && formatInfo(q.format).family == FormatFamily::Int) {
            QVERIFY(q.scale > 0);
            ++quantized;
        }
    }
    QVERIFY(quantized >= 4);
    std::vector<float> image(784);
    for (int i = 0; i < 784; ++i)
        image[i] = (m_test.image(0)[i] / 255.0f - 0.286f) / 0.353f;
    const std::vector<float> logits = engine.forwardImage(image.data());
    // Logits are the int8 output of the last layer: at most 255 levels of one scale.
    const TensorQuant& out = engine.tensorQuant()[g.outputTensors()[0]];
    for (float v : logits)
        QVERIFY(std::fabs(v / out.scale - std::nearbyint(v / out.scale)) < 1e-3);
}

void TestEngine::realAccuracyOnFashionMnist()
{
    const Graph g = Graph::build(loadNetworkFile(POQ_TEST_DATA_DIR "/engine/centroid-fmnist.json"));
    const NetworkWeights w = centroidWeights(m_train);
    std::map<std::string, double> acc;
    for (const char* s : {"fp32", "fp16", "int8", "int4", "int2"}) {
        InferenceEngine engine(g, w, assignPrecision(g, QuantStrategy::parse(s)));
        engine.setNormalization(normalizationFor(m_test));
        engine.calibrate(m_train, 256);
        const EvalResult r = evaluate(engine, m_test, 0);
        QCOMPARE(r.images, 10000LL);
        QVERIFY(r.low < r.accuracy() && r.accuracy() < r.high);
        acc[s] = r.accuracy();
    }
    qInfo("nearest-class-mean accuracy: fp32 %.4f fp16 %.4f int8 %.4f int4 %.4f int2 %.4f", acc["fp32"], acc["fp16"],
          acc["int8"], acc["int4"], acc["int2"]);
    QVERIFY(acc["fp32"] > 0.6 && acc["fp32"] < 0.8); // nearest class mean on Fashion-MNIST is ~68 %
    QVERIFY(std::fabs(acc["fp16"] - acc["fp32"]) < 0.002);
    QVERIFY(std::fabs(acc["int8"] - acc["fp32"]) < 0.02);
}

void TestEngine::evalCommand()
{
    const Graph g = Graph::build(loadNetworkFile(POQ_TEST_DATA_DIR "/engine/centroid-fmnist.json"));
    QTemporaryDir dir;
    const QString model = dir.filePath("centroid.safetensors");
    saveModelFile(weightsToModel(g, centroidWeights(m_train), {{"network", "centroid-fmnist"}, {"recipe", "class means"}}),
                  model.toStdString());
    QTemporaryDir cache;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("POQ_CACHE_DIR", cache.path());
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(POQ_CLI_PATH, {"eval", POQ_TEST_DATA_DIR "/engine/centroid-fmnist.json", "--strategy", "int8", "--model", model,
                           "--limit", "2000", "--json"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const QJsonObject o = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QCOMPARE(o["images"].toInt(), 2000);
    QCOMPARE(o["dataset"].toString(), QString("fashion-mnist"));
    QVERIFY(o["accuracy"].toDouble() > 0.6);
    QVERIFY(o["low"].toDouble() < o["accuracy"].toDouble() && o["accuracy"].toDouble() < o["high"].toDouble());
    QVERIFY(!o["cached"].toBool());
    // The same evaluation again comes from the cache, with the same numbers.
    QProcess again;
    again.setProcessEnvironment(env);
    again.start(POQ_CLI_PATH, {"eval", POQ_TEST_DATA_DIR "/engine/centroid-fmnist.json", "--strategy", "int8", "--model",
                               model, "--limit", "2000", "--json"});
    QVERIFY(again.waitForFinished(60000));
    const QJsonObject o2 = QJsonDocument::fromJson(again.readAllStandardOutput()).object();
    QVERIFY(o2["cached"].toBool());
    QCOMPARE(o2["accuracy"].toDouble(), o["accuracy"].toDouble());
    // Measured accuracy in a sweep: the model found in the resources by name, width and strategy
    // (int8 and int2 fall back to post-training quantization of the fp32 model).
    QTemporaryDir res;
    QDir(res.path()).mkpath("networks");
    QDir(res.path()).mkpath("models");
    QFile::copy(model, res.filePath("models/centroid-fmnist_w1_fp32.safetensors"));
    QProcessEnvironment resEnv = env;
    resEnv.insert("POQ_RESOURCES", res.path());
    QProcess sweep;
    sweep.setProcessEnvironment(resEnv);
    const QString csv = res.filePath("s.csv");
    sweep.start(POQ_CLI_PATH, {"sweep", POQ_TEST_DATA_DIR "/engine/centroid-fmnist.json", "--widths", "1", "--strategies",
                               "fp32,int8,int2", "--accuracy", "measured", "--hw", POQ_RESOURCE_DIR "/hardware/edge-npu.json",
                               "--out", csv});
    QVERIFY(sweep.waitForFinished(120000));
    QVERIFY2(sweep.exitCode() == 0, sweep.readAllStandardError().constData());
    const std::vector<DesignPoint> points = readSweepCsv(csv.toStdString());
    QCOMPARE(int(points.size()), 3);
    for (const DesignPoint& pt : points)
        QVERIFY(pt.accuracy && *pt.accuracy > 0.3);
    QVERIFY(*points[0].accuracy > *points[2].accuracy); // fp32 beats int2
    QProcess noModel;
    noModel.start(POQ_CLI_PATH, {"eval", "mobilenetv2-fmnist", "--width", "0.6", "--strategy", "int8"}); // no model ships at 0.6
    QVERIFY(noModel.waitForFinished(60000));
    QCOMPARE(noModel.exitCode(), 2);
    QVERIFY(noModel.readAllStandardError().contains("no trained model for mobilenetv2-fmnist at width 0.6"));
}

void TestEngine::cancelStopsEvaluation()
{
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 1.0);
    InferenceEngine engine(g, initialWeights(g, 2), assignPrecision(g, QuantStrategy::parse("fp32")));
    CancelToken cancel;
    const EvalResult r = evaluate(engine, m_test, 0, [&](const EvalResult&) { cancel.cancel(); }, &cancel);
    QVERIFY(r.cancelled);
    QVERIFY(r.images > 0 && r.images < 10000);
}

QTEST_APPLESS_MAIN(TestEngine)
#include "tst_engine.moc"
