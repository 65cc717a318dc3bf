// The inference engine: fused layer chains bit for bit against the layers one by one, batch-norm
// folding, datasets that do not fit, identical results for any thread count, quantized weights on their
// grid, and a real accuracy on the Fashion-MNIST test set for weights built in code (a nearest-class-mean
// classifier). The kernels have their own test (tst_kernels).
// TBB before Qt: Qt's `emit` macro breaks TBB's headers.
#include <tbb/task_arena.h>

#include "data/dataset.h"
#include "engine/inference.h"
#include "engine/kernels.h"
#include "explore/csv.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "util/error.h"

#include "test_helpers.h"

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
using poq::test::close;
using poq::test::randomVector;

namespace {

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
    void fusedChainsGiveTheSameBits_data();
    void fusedChainsGiveTheSameBits();
    void datasetThatDoesNotFitIsRefused();
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
