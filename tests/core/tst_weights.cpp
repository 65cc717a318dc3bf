// Weights against the graph: model files checked tensor by tensor, integer weight codes (packed below
// 8 bits) rebuilt exactly, damaged codes refused, and the retraining script kept in step with the
// built-in experiment.
#include "data/dataset.h"
#include "engine/inference.h"
#include "engine/measure.h"
#include "engine/weights.h"
#include "graph/zoo.h"
#include "util/error.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace poq;

class TestWeights : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void modelFileMismatch();
    void integerWeightCodes_data();
    void integerWeightCodes();
    void badIntegerWeightCodes();
    void retrainScriptMatchesExperiment();

private:
    Dataset m_train, m_test;
};

void TestWeights::initTestCase()
{
    m_train = loadDataset("fashion-mnist", Split::Train);
    m_test = loadDataset("fashion-mnist", Split::Test);
}

void TestWeights::modelFileMismatch()
{
    const Graph g = Graph::build(findZoo("cnn-fmnist")->build(), 1.0);
    ModelFile m = weightsToModel(g, initialWeights(g, 1), {});
    ModelFile wrongShape = m;
    wrongShape.tensors[0].shape = {8, 1, 3, 3};
    wrongShape.tensors[0].values.resize(72);
    try {
        weightsFromModel(g, wrongShape, "m.safetensors");
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).startsWith("m.safetensors: tensor 'conv1.weight' has shape [8,1,3,3], the network needs [16,1,3,3]"), e.what());
    }
    ModelFile missing = m;
    missing.tensors.erase(missing.tensors.begin() + 1);
    QVERIFY_THROWS_EXCEPTION(InputError, weightsFromModel(g, missing, "m.safetensors"));
    const Graph wider = Graph::build(findZoo("cnn-fmnist")->build(), 2.0);
    QVERIFY_THROWS_EXCEPTION(InputError, weightsFromModel(wider, m, "m.safetensors"));
}

namespace {

// Weights with a learned-looking step per output channel for every layer with integer weights.
NetworkWeights withWeightSteps(const Graph& g, const NetworkPrecision& p, uint64_t seed)
{
    NetworkWeights w = initialWeights(g, seed);
    // Batch-norm frozen as quantization-aware training leaves it: folding scales by exactly 1.
    for (auto& [name, v] : w.tensors)
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".var") == 0)
            std::fill(v.begin(), v.end(), 1.0f - 1e-5f);
    std::mt19937 rng{uint32_t(seed)};
    for (size_t i = 0; i < g.layers().size(); ++i) {
        const Layer& l = g.layers()[i];
        if (!l.loopNest || formatInfo(p.layers[i].weight).family != FormatFamily::Int)
            continue;
        const std::vector<float>& wt = w.at(l.name + ".weight");
        const size_t K = size_t(l.outShape.c), per = wt.size() / K;
        std::vector<float> step(K);
        for (size_t k = 0; k < K; ++k) {
            float m = 0;
            for (size_t j = 0; j < per; ++j)
                m = std::max(m, std::fabs(wt[k * per + j]));
            // Steps from 0.5x to 1.5x the max-abs step: some codes clip, some channels use few levels.
            step[k] = m / float((1 << (p.layers[i].weightBits() - 1)) - 1) * (0.5f + float(rng() % 1000) / 1000.0f);
        }
        w.tensors["quant." + l.name + ".wstep"] = step;
    }
    return w;
}

} // namespace

void TestWeights::integerWeightCodes_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<QStringList>("suffixes"); // code tensors the file must hold
    QTest::newRow("int8") << "int8" << QStringList{"int8"};
    QTest::newRow("int4 (first and last int8)") << "int4+res8" << QStringList{"int4", "int8"};
    QTest::newRow("int3") << "int3" << QStringList{"int3", "int8"};
    QTest::newRow("int2") << "int2+res8" << QStringList{"int2", "int8"};
    QTest::newRow("fp16: float weights") << "fp16" << QStringList{};
}

void TestWeights::integerWeightCodes()
{
    QFETCH(QString, strategy);
    QFETCH(QStringList, suffixes);
    const Graph g = Graph::build(findZoo("mobilenetv2-fmnist")->build(), 0.5);
    const NetworkPrecision p = assignPrecision(g, QuantStrategy::parse(strategy.toStdString()));
    const NetworkWeights w = withWeightSteps(g, p, 11);
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.safetensors").toStdString();
    saveModelFile(weightsToModel(g, w, {{"strategy", strategy.toStdString()}}, &p), path);
    const ModelFile file = loadModelFile(path);
    QSet<QString> seen;
    for (const ModelTensor& t : file.tensors) {
        const QString name = QString::fromStdString(t.name);
        if (name.contains(".weight.int"))
            seen.insert(name.section(".int", -1).prepend("int"));
        QVERIFY2(!(name.endsWith(".weight") && t.dtype != TensorDtype::F32), t.name.c_str());
    }
    QCOMPARE(seen, QSet<QString>(suffixes.begin(), suffixes.end()));
    const NetworkWeights back = weightsFromModel(g, file, path);
    // Reference: each rebuilt weight is step x the half-to-even rounding of w / step, clipped.
    for (size_t i = 0; i < g.layers().size(); ++i) {
        const Layer& l = g.layers()[i];
        if (!l.loopNest)
            continue;
        const std::string name = l.name + ".weight";
        const std::vector<float>& a = w.at(name);
        const std::vector<float>& b = back.at(name);
        QCOMPARE(a.size(), b.size());
        if (formatInfo(p.layers[i].weight).family != FormatFamily::Int) {
            QVERIFY(a == b);
            continue;
        }
        const std::vector<float>& step = w.at("quant." + l.name + ".wstep");
        const float qmax = float((1 << (p.layers[i].weightBits() - 1)) - 1);
        const size_t per = a.size() / step.size();
        for (size_t j = 0; j < a.size(); ++j) {
            const float s = step[j / per];
            QCOMPARE(b[j], std::nearbyint(std::clamp(a[j] / s, -qmax, qmax)) * s);
        }
    }
    // The engine, which quantizes with the learned steps, gives the same logits either way.
    InferenceEngine fromFloats(g, w, p), fromCodes(g, back, p);
    for (InferenceEngine* e : {&fromFloats, &fromCodes}) {
        e->setNormalization(normalizationFor(m_test));
        e->calibrate(m_train, 16);
    }
    std::vector<float> one, two;
    fromFloats.forward(m_test, 0, 16, one);
    fromCodes.forward(m_test, 0, 16, two);
    QVERIFY(one == two);
}

void TestWeights::badIntegerWeightCodes()
{
    const Graph g = Graph::build(findZoo("mobilenetv2-fmnist")->build(), 0.5);
    const NetworkPrecision p = assignPrecision(g, QuantStrategy::parse("int4+res8"));
    const ModelFile good = weightsToModel(g, withWeightSteps(g, p, 5), {}, &p);
    auto find = [](ModelFile& m, const char* suffix) {
        for (ModelTensor& t : m.tensors)
            if (QString::fromStdString(t.name).endsWith(suffix))
                return &t;
        return static_cast<ModelTensor*>(nullptr);
    };
    auto expectError = [&](const ModelFile& m, const QString& text) {
        try {
            weightsFromModel(g, m, "m.safetensors");
            QFAIL("accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(text), e.what());
        }
    };
    ModelFile outOfRange = good; // -8 is a 4-bit pattern, but not a symmetric int4 code
    find(outOfRange, ".int4")->bytes[0] = 0x88;
    expectError(outOfRange, "lies outside -7..7");
    ModelFile shortCodes = good;
    find(shortCodes, ".int4")->bytes.pop_back();
    find(shortCodes, ".int4")->shape[0] -= 1;
    expectError(shortCodes, "must be U8 with shape");
    ModelFile noSteps = good;
    const std::string codes = find(noSteps, ".int4")->name;
    const std::string layer = codes.substr(0, codes.find(".weight"));
    noSteps.tensors.erase(std::remove_if(noSteps.tensors.begin(), noSteps.tensors.end(),
                                         [&](const ModelTensor& t) { return t.name == "quant." + layer + ".wstep"; }),
                          noSteps.tensors.end());
    expectError(noSteps, "step sizes, one per output channel");
    ModelFile wrongType = good;
    find(wrongType, ".int8")->dtype = TensorDtype::U8;
    expectError(wrongType, "must be I8 with shape");
    ModelFile hugeSteps = good; // every step finite, code x step beyond float range
    for (ModelTensor& t : hugeSteps.tensors)
        if (QString::fromStdString(t.name).endsWith(".wstep"))
            std::fill(t.values.begin(), t.values.end(), 3e38f);
    expectError(hugeSteps, "times its step size is not a finite number");
}

// tools/train-experiment.sh is shell; its defaults must be the experiment the window opens on.
void TestWeights::retrainScriptMatchesExperiment()
{
    QFile f(POQ_RESOURCE_DIR "/../tools/train-experiment.sh");
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString script = QString::fromUtf8(f.readAll());
    auto defaultOf = [&](const QString& var) {
        const QRegularExpressionMatch m = QRegularExpression(var + "=\\$\\{" + var + ":-\"?([^\"}]*)\"?\\}").match(script);
        return m.hasMatch() ? m.captured(1).split(' ', Qt::SkipEmptyParts) : QStringList{"<missing>"};
    };
    const Experiment& e = builtinExperiment();
    QCOMPARE(defaultOf("NET"), QStringList{QString::fromStdString(e.network)});
    QStringList widths, qat, all;
    for (double w : e.widths)
        widths << QString::number(w);
    for (const std::string& q : e.qatStrategies)
        qat << QString::fromStdString(q);
    for (const std::string& q : e.strategies)
        all << QString::fromStdString(q);
    QCOMPARE(defaultOf("WIDTHS"), widths);
    QCOMPARE(defaultOf("QAT_STRATEGIES"), qat);
    const QRegularExpressionMatch measured = QRegularExpression("list (fp32[^$]*)\\$QAT_STRATEGIES").match(script);
    QVERIFY(measured.hasMatch());
    QCOMPARE(measured.captured(1).split(' ', Qt::SkipEmptyParts) + qat, all);
    // Every QAT strategy is an integer strategy below 8 bits, every other one is measured post-training.
    for (const std::string& q : e.qatStrategies) {
        const QuantStrategy st = QuantStrategy::parse(q);
        QVERIFY(formatInfo(st.compute).family == FormatFamily::Int && formatInfo(st.compute).bits < 8);
    }
}

QTEST_APPLESS_MAIN(TestWeights)
#include "tst_weights.moc"
