// Training: gradients of every layer kind against central finite differences, a short run whose loss
// falls, identical weights for any thread count, resume equal to an uninterrupted run, and damaged
// checkpoints refused.
// TBB before Qt: Qt's `emit` macro breaks TBB's headers.
#include <tbb/task_arena.h>

#include "data/dataset.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "engine/inference.h"
#include "train/trainer.h"
#include "util/error.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace poq;

namespace {

// A tiny network that holds every layer kind the trainer supports.
const char* kAllKinds = R"({"name":"all","inputs":[{"name":"input","shape":[2,8,8]}],"layers":[
 {"name":"c1","kind":"Conv2d","outChannels":4,"kernel":3,"padding":1,"bias":true},
 {"name":"c1.bn","kind":"BatchNorm"},{"name":"c1.relu6","kind":"ReLU6"},
 {"name":"dw","kind":"Conv2d","depthwise":true,"kernel":3,"padding":1,"stride":2},
 {"name":"g","kind":"Conv2d","outChannels":4,"groups":2,"kernel":1},
 {"name":"g.relu","kind":"ReLU"},
 {"name":"skip","kind":"MaxPool","inputs":["c1.relu6"],"kernel":2,"stride":2},
 {"name":"join","kind":"Add","inputs":["g.relu","skip"]},
 {"name":"avg","kind":"AvgPool","kernel":2,"stride":2},
 {"name":"gap","kind":"GlobalAvgPool"},{"name":"flat","kind":"Flatten"},
 {"name":"fc","kind":"Dense","outChannels":3,"bias":true,"scaling":"fixed"}]})";

// The kinds of MobileNetV3 and EfficientNet: smooth activations, SiLU (x * sigmoid x), a
// squeeze-and-excitation gate broadcast over the map, and a concatenation.
const char* kGateKinds = R"({"name":"gates","inputs":[{"name":"input","shape":[2,8,8]}],"layers":[
 {"name":"c1","kind":"Conv2d","outChannels":4,"kernel":3,"padding":1,"stride":2,"bias":true},
 {"name":"hs","kind":"HardSwish"},
 {"name":"a","kind":"Conv2d","outChannels":4,"kernel":1,"bias":true},
 {"name":"a.sig","kind":"Sigmoid"},{"name":"silu","kind":"Mul","inputs":["a","a.sig"]},
 {"name":"cat","kind":"Concat","inputs":["silu","hs"]},
 {"name":"sq","kind":"GlobalAvgPool"},
 {"name":"se","kind":"Conv2d","outChannels":8,"kernel":1,"bias":true},
 {"name":"se.gate","kind":"HardSigmoid"},
 {"name":"scaled","kind":"Mul","inputs":["cat","se.gate"]},
 {"name":"gap","kind":"GlobalAvgPool"},{"name":"flat","kind":"Flatten"},
 {"name":"fc","kind":"Dense","outChannels":3,"bias":true,"scaling":"fixed"}]})";

} // namespace

class TestTrain : public QObject {
    Q_OBJECT
private slots:
    void gradientsMatchFiniteDifferences_data();
    void gradientsMatchFiniteDifferences();
    void shortRunLowersLoss();
    void sameWeightsForAnyThreadCount();
    void resumeMatchesUninterruptedRun();
    void damagedCheckpointIsRefused();
    void quantizationAwareTraining();
};

void TestTrain::gradientsMatchFiniteDifferences_data()
{
    QTest::addColumn<QString>("network");
    QTest::addColumn<int>("tensors"); // parameter tensors checked (statistics excluded)
    QTest::newRow("conv, pools, add") << QString(kAllKinds) << 8;
    QTest::newRow("gates, concat, smooth activations") << QString(kGateKinds) << 8;
}

void TestTrain::gradientsMatchFiniteDifferences()
{
    QFETCH(QString, network);
    QFETCH(int, tensors);
    const Graph g = Graph::build(parseNetworkJson(network.toStdString()));
    TrainOptions o;
    o.augment = false;
    Trainer t(g, initialWeights(g, 5), o);
    QRandomGenerator rng(9);
    for (auto& [name, v] : t.weights().tensors) // break symmetry of BN and biases
        if (name.find(".mean") == std::string::npos && name.find(".var") == std::string::npos)
            for (float& x : v)
                x += float(rng.generateDouble() * 0.2 - 0.1);
    const int batch = 4;
    std::vector<float> images(size_t(batch) * 128);
    for (float& x : images)
        x = float(rng.generateDouble() * 2 - 1);
    const std::vector<uint8_t> labels = {0, 1, 2, 1};
    NetworkWeights grad;
    t.lossAndGradients(images, labels, batch, grad);
    int checked = 0;
    for (const ParamSpec& p : parameterSpecs(g)) {
        if (p.name.find(".mean") != std::string::npos || p.name.find(".var") != std::string::npos)
            continue;
        std::vector<float>& w = t.weights().at(p.name);
        for (int k = 0; k < 4; ++k) {
            const size_t j = size_t(rng.bounded(int(w.size())));
            const float saved = w[j], eps = 2e-3f;
            NetworkWeights unused;
            w[j] = saved + eps;
            const double up = t.lossAndGradients(images, labels, batch, unused);
            w[j] = saved - eps;
            const double down = t.lossAndGradients(images, labels, batch, unused);
            w[j] = saved;
            const double numeric = (up - down) / (2 * eps), analytic = grad.at(p.name)[j];
            QVERIFY2(std::fabs(numeric - analytic) <= 3e-3 + 0.05 * std::fabs(numeric),
                     qPrintable(QString("%1[%2]: analytic %3, numeric %4").arg(QString::fromStdString(p.name)).arg(j)
                                    .arg(analytic).arg(numeric)));
            ++checked;
        }
    }
    QCOMPARE(checked, 4 * tensors); // 4 coordinates per parameter tensor
}

void TestTrain::shortRunLowersLoss()
{
    const Dataset train = loadDataset("fashion-mnist", Split::Train);
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 0.5);
    TrainOptions o;
    o.epochs = 2;
    o.batch = 64;
    o.limit = 2048;
    o.learningRate = 0.05;
    Trainer t(g, initialWeights(g, 1), o);
    EpochStats first, second;
    QVERIFY(t.trainEpoch(train, 0, first));
    QVERIFY(t.trainEpoch(train, 1, second));
    QVERIFY2(second.loss < first.loss, qPrintable(QString("%1 -> %2").arg(first.loss).arg(second.loss)));
    QVERIFY(second.trainAccuracy > 0.4); // chance is 0.1
}

void TestTrain::sameWeightsForAnyThreadCount()
{
    const Dataset train = loadDataset("fashion-mnist", Split::Train);
    const Graph g = Graph::build(findZoo("mobilenetv2-fmnist")->build(), 0.25);
    TrainOptions o;
    o.epochs = 1;
    o.batch = 32;
    o.limit = 128;
    Trainer a(g, initialWeights(g, 3), o), b(g, initialWeights(g, 3), o);
    EpochStats s;
    tbb::task_arena(1).execute([&] { a.trainEpoch(train, 0, s); });
    tbb::task_arena(2).execute([&] { b.trainEpoch(train, 0, s); });
    QVERIFY(a.weights().tensors == b.weights().tensors);
    // Quantization-aware: the LSQ sums run over fixed chunks (tensors here span several).
    o.strategy = "int4+res8";
    const NetworkPrecision p = assignPrecision(g, QuantStrategy::parse(o.strategy));
    Trainer qa(g, a.weights(), o, &p), qb(g, a.weights(), o, &p);
    tbb::task_arena(1).execute([&] { qa.trainEpoch(train, 0, s); });
    tbb::task_arena(2).execute([&] { qb.trainEpoch(train, 0, s); });
    QVERIFY(qa.weights().has("quant.input.astep"));
    QVERIFY(qa.weights().tensors == qb.weights().tensors);
}

void TestTrain::resumeMatchesUninterruptedRun()
{
    const Dataset train = loadDataset("fashion-mnist", Split::Train);
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 0.25);
    TrainOptions o;
    o.epochs = 2;
    o.batch = 32;
    o.limit = 256;
    EpochStats s;
    Trainer whole(g, initialWeights(g, 4), o);
    whole.trainEpoch(train, 0, s);
    whole.trainEpoch(train, 1, s);
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("run.checkpoint").toStdString();
    {
        Trainer first(g, initialWeights(g, 4), o);
        first.trainEpoch(train, 0, s);
        first.saveCheckpoint(ckpt);
    } // "interrupted"
    Trainer resumed(g, initialWeights(g, 99), o);
    resumed.loadCheckpoint(ckpt);
    QCOMPARE(resumed.completedEpochs(), 1);
    resumed.trainEpoch(train, 1, s);
    QVERIFY(resumed.weights().tensors == whole.weights().tensors);
}

void TestTrain::damagedCheckpointIsRefused()
{
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 0.25);
    TrainOptions o;
    Trainer t(g, initialWeights(g, 4), o);
    QTemporaryDir dir;
    const std::string ckpt = dir.filePath("c.checkpoint").toStdString();
    t.saveCheckpoint(ckpt);
    QFile f(QString::fromStdString(ckpt));
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.resize(f.size() / 2); // cut in half
    f.close();
    QVERIFY_THROWS_EXCEPTION(InputError, t.loadCheckpoint(ckpt));
    // A checkpoint of another width or recipe is refused, not loaded.
    const Graph other = Graph::build(findZoo("cnn-fmnist")->build(), 0.5);
    Trainer t2(other, initialWeights(other, 4), o);
    t2.saveCheckpoint(ckpt);
    QVERIFY_THROWS_EXCEPTION(InputError, t.loadCheckpoint(ckpt));
    TrainOptions o2 = o;
    o2.seed = 2;
    Trainer t3(g, initialWeights(g, 4), o2);
    t3.saveCheckpoint(ckpt);
    try {
        t.loadCheckpoint(ckpt);
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY(QString(e.what()).contains("another recipe or seed"));
    }
}

void TestTrain::quantizationAwareTraining()
{
    // A tiny fp32 model, then int2 QAT from it: well above chance and above post-training int2,
    // the learned step sizes travel in the model file and the engine measures what training saw.
    const Dataset train = loadDataset("fashion-mnist", Split::Train);
    const Dataset test = loadDataset("fashion-mnist", Split::Test);
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 0.5);
    TrainOptions o;
    o.epochs = 2;
    o.batch = 64;
    o.limit = 4096;
    o.learningRate = 0.05;
    Trainer fp(g, initialWeights(g, 1), o);
    EpochStats st;
    fp.trainEpoch(train, 0, st);
    fp.trainEpoch(train, 1, st);
    const QuantStrategy int2 = QuantStrategy::parse("int2");
    const NetworkPrecision prec = assignPrecision(g, int2);
    auto accuracy = [&](const NetworkWeights& w) {
        InferenceEngine e(g, w, prec);
        e.setNormalization(normalizationFor(test));
        e.calibrate(train, 128);
        return evaluate(e, test, 2000).accuracy();
    };
    const double ptq = accuracy(fp.weights());
    TrainOptions q = o;
    q.epochs = 1;
    q.learningRate = 0.01;
    q.strategy = int2.name;
    Trainer qat(g, fp.weights(), q, &prec);
    QVERIFY(qat.weights().has("quant.conv2.wstep"));
    QVERIFY(qat.trainEpoch(train, 0, st));
    const double trained = accuracy(qat.weights());
    qInfo("int2: post-training %.3f, quantization-aware %.3f", ptq, trained);
    QVERIFY(trained > 0.3);          // chance is 0.1
    QVERIFY(trained > ptq + 0.05);
    QTemporaryDir dir;
    const std::string path = dir.filePath("q.safetensors").toStdString();
    NetworkWeights back;
    try {
        saveModelFile(weightsToModel(g, qat.weights(), {}), path);
        back = weightsFromModel(g, loadModelFile(path), path);
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    QVERIFY(back.tensors == qat.weights().tensors);
    QCOMPARE(accuracy(back), trained);
    // Resuming quantization-aware training matches an uninterrupted run too.
    Trainer a(g, fp.weights(), q, &prec);
    a.trainEpoch(train, 0, st);
    const std::string ckpt = dir.filePath("q.checkpoint").toStdString();
    Trainer b(g, fp.weights(), q, &prec);
    b.saveCheckpoint(ckpt);
    Trainer c(g, fp.weights(), q, &prec);
    c.loadCheckpoint(ckpt);
    c.trainEpoch(train, 0, st);
    QVERIFY(c.weights().tensors == a.weights().tensors);
}

QTEST_APPLESS_MAIN(TestTrain)
#include "tst_train.moc"
