// ONNX import: torchvision's exports against the zoo and published counts, the width multiplier on
// imported graphs against torchvision's own width 0.5, logits against PyTorch's, and every kind of
// bad file refused with one line naming the node. Files: tools/make-onnx-test-models.py.
#include "engine/inference.h"
#include "engine/weights.h"
#include "formats/strategy.h"
#include "graph/graph.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "onnx/onnx_export.h"
#include "onnx/onnx_import.h"
#include "util/display_text.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace poq;

namespace {

std::string onnxFile(const char* name) { return std::string(POQ_TEST_DATA_DIR) + "/onnx/" + name; }

// The MAC layers of a graph in order: loop nests (shapes, strides, groups).
std::vector<LoopNest> macLayers(const Graph& g)
{
    std::vector<LoopNest> out;
    for (const Layer& l : g.layers())
        if (l.loopNest)
            out.push_back(*l.loopNest);
    return out;
}

int64_t weightParams(const Graph& g) // convolution and dense weights, no biases or batch-norm
{
    int64_t n = 0;
    for (const Layer& l : g.layers())
        if (l.loopNest)
            n += l.loopNest->macs() / (int64_t(l.loopNest->OY) * l.loopNest->OX);
    return n;
}

struct CliResult {
    int code;
    QString out, err;
};

CliResult runCli(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(POQ_CLI_PATH), args);
    p.waitForFinished(120000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestOnnx : public QObject {
    Q_OBJECT
private slots:
    void torchvisionExports_data();
    void torchvisionExports();
    void widthOfImportEqualsTorchvisionWidth_data();
    void widthOfImportEqualsTorchvisionWidth();
    void widthNotesNameTheFixedLayers();
    void logitsMatchPyTorch_data();
    void logitsMatchPyTorch();
    void structureOnlyModelsHaveNoWeights();
    void badFilesNameTheNode_data();
    void badFilesNameTheNode();
    void namesMustBeUtf8_data();
    void namesMustBeUtf8();
    void inputShapeOption();
    void cliAcceptsOnnxEverywhere();
    void jsonRoundTripKeepsTheNetwork();
    void exportReimportsBitIdentical();
    void exportKeepsEveryKind();
    void exportRefusesBadInput();
};

void TestOnnx::torchvisionExports_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("zoo");     // the zoo's network with the same MAC layers ("" if none)
    QTest::addColumn<double>("megaMacs"); // torchvision's published multiply-accumulates (M)
    QTest::addColumn<int>("skips");       // residual Adds
    QTest::newRow("mobilenet_v2") << "mobilenet_v2.onnx" << "mobilenetv2" << 300.8 << 10;
    QTest::newRow("resnet18") << "resnet18.onnx" << "resnet18" << 1814.0 << 8;
    QTest::newRow("resnet50") << "resnet50.onnx" << "resnet50" << 4089.0 << 16;
    QTest::newRow("mobilenet_v3_small") << "mobilenet_v3_small.onnx" << "" << 56.5 << 6;
    QTest::newRow("mobilenet_v3_large") << "mobilenet_v3_large.onnx" << "" << 216.6 << 10;
    QTest::newRow("efficientnet_b0") << "efficientnet_b0.onnx" << "" << 385.8 << 9;
}

void TestOnnx::torchvisionExports()
{
    QFETCH(QString, file);
    QFETCH(QString, zoo);
    QFETCH(double, megaMacs);
    QFETCH(int, skips);
    const Graph g = Graph::build(loadNetworkFile(onnxFile(file.toUtf8().constData())), 1.0);
    QVERIFY2(std::fabs(double(g.totalMacs()) / 1e6 - megaMacs) <= 0.001 * megaMacs,
             qPrintable(QString::number(double(g.totalMacs()) / 1e6)));
    int adds = 0;
    for (const Layer& l : g.layers())
        adds += l.kind == LayerKind::Add;
    QCOMPARE(adds, skips);
    if (zoo.isEmpty())
        return;
    // PyTorch folds batch-norm into the convolutions when it exports, so the layer lists differ, but
    // every MAC layer is the same, in the same order, and so are the totals.
    const Graph z = Graph::build(resolveNetwork(zoo.toStdString()), 1.0);
    QCOMPARE(g.totalMacs(), z.totalMacs());
    QVERIFY(macLayers(g) == macLayers(z));
    QCOMPARE(weightParams(g), weightParams(z));
}

void TestOnnx::widthOfImportEqualsTorchvisionWidth_data()
{
    QTest::addColumn<double>("width");
    for (double w : {0.35, 0.5, 0.75, 1.4})
        QTest::newRow(qPrintable(QString::number(w))) << w;
}

void TestOnnx::widthOfImportEqualsTorchvisionWidth()
{
    QFETCH(double, width);
    const NetworkSpec full = loadNetworkFile(onnxFile("mobilenet_v2.onnx"));
    const Graph scaled = Graph::build(full, width);
    // The zoo's MobileNetV2 follows torchvision's mobilenet_v2(width_mult) rules.
    const Graph zoo = Graph::build(resolveNetwork("mobilenetv2"), width);
    QVERIFY(macLayers(scaled) == macLayers(zoo));
    QCOMPARE(scaled.totalMacs(), zoo.totalMacs());
    if (width != 0.5)
        return;
    // torchvision's own width 0.5 export: exactly the same layers, shapes, MACs and parameters.
    const Graph tv = Graph::build(loadNetworkFile(onnxFile("mobilenet_v2_w0.5.onnx")), 1.0);
    QCOMPARE(scaled.layers().size(), tv.layers().size());
    for (size_t i = 0; i < tv.layers().size(); ++i) {
        QCOMPARE(scaled.layers()[i].outShape, tv.layers()[i].outShape);
        QCOMPARE(scaled.layers()[i].macs, tv.layers()[i].macs);
        QCOMPARE(scaled.layers()[i].params, tv.layers()[i].params);
    }
    QCOMPARE(scaled.totalParams(), tv.totalParams());
    QCOMPARE(scaled.totalParams(), int64_t(1959408));
}

void TestOnnx::widthNotesNameTheFixedLayers()
{
    const OnnxImport m = loadOnnxFile(onnxFile("mobilenet_v2.onnx"));
    QCOMPARE(int(m.widthNotes.size()), 2);
    QVERIFY(m.widthNotes[0].find("1280 channels scaled only above width 1") != std::string::npos);
    QVERIFY(m.widthNotes[1].find("1000 channels held fixed (the network output)") != std::string::npos);
    // ResNet's stage outputs are tied by the Adds: every block scales together, nothing else is held.
    const OnnxImport r = loadOnnxFile(onnxFile("resnet50.onnx"));
    QCOMPARE(int(r.widthNotes.size()), 1);
    const Graph half = Graph::build(r.spec, 0.5);
    QCOMPARE(half.layers().front().outShape.c, 32);
    // Squeeze-and-excitation gates tie the expansion to the gate's channels (Mul): consistent widths.
    for (const char* f : {"mobilenet_v3_small.onnx", "mobilenet_v3_large.onnx", "efficientnet_b0.onnx"}) {
        const OnnxImport s = loadOnnxFile(onnxFile(f));
        for (const std::string& n : s.widthNotes)
            QVERIFY2(n.find("every layer held fixed") == std::string::npos, n.c_str());
        for (double w : {0.25, 0.5, 2.0})
            QVERIFY(Graph::build(s.spec, w).totalMacs() > 0);
    }
}

void TestOnnx::logitsMatchPyTorch_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("conv, batch-norm, pools, residual, dense") << "small_cnn";
    QTest::newRow("gates, concat, SiLU, hard swish") << "small_blocks";
    QTest::newRow("asymmetric padding, batch-norm epsilon 1e-3") << "asymmetric_pads";
}

void TestOnnx::logitsMatchPyTorch()
{
    QFETCH(QString, name);
    const std::string base = onnxFile(name.toUtf8().constData());
    const OnnxImport m = loadOnnxFile(base + ".onnx");
    QVERIFY(m.structureOnly.empty());
    const Graph g = Graph::build(m.spec, 1.0);
    const NetworkWeights w = weightsFromModel(g, m.weights, base + ".onnx");
    std::ifstream f(base + ".ref.json");
    const nlohmann::json ref = nlohmann::json::parse(f);
    const std::vector<float> input = ref["input"].get<std::vector<float>>();
    const auto logits = ref["logits"].get<std::vector<std::vector<float>>>();
    const size_t per = input.size() / logits.size();
    for (bool fused : {true, false}) {
        InferenceEngine engine(g, w, assignPrecision(g, QuantStrategy::parse("fp32")));
        for (size_t i = 0; i < logits.size(); ++i) {
            const std::vector<float> y = engine.forwardImage(input.data() + i * per, fused);
            QCOMPARE(y.size(), logits[i].size());
            for (size_t k = 0; k < y.size(); ++k)
                QVERIFY2(std::fabs(y[k] - logits[i][k]) <= 1e-4f * (1 + std::fabs(logits[i][k])),
                         qPrintable(QString("image %1 logit %2: %3 vs PyTorch %4").arg(i).arg(k).arg(y[k]).arg(logits[i][k])));
        }
    }
}

void TestOnnx::structureOnlyModelsHaveNoWeights()
{
    const OnnxImport m = loadOnnxFile(onnxFile("resnet18.onnx"));
    QVERIFY(m.structureOnly.find("resnet18.weights") != std::string::npos);
    QVERIFY(m.weights.tensors.empty());
    const CliResult r = runCli({"eval", QString::fromStdString(onnxFile("resnet18.onnx")), "--strategy", "fp32"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("structure only") && r.err.contains("absent"), qPrintable(r.err));
}

void TestOnnx::badFilesNameTheNode_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QStringList>("mentions");
    QTest::newRow("not protobuf") << "bad_not_protobuf.onnx" << QStringList{"not an ONNX model"};
    QTest::newRow("truncated") << "bad_truncated.onnx" << QStringList{"bad_truncated.onnx:"};
    QTest::newRow("unsupported op") << "bad_unsupported_op.onnx"
                                    << QStringList{"node 'odd' (Softsign)", "supported are", "HardSwish"};
    QTest::newRow("symbolic dims") << "bad_symbolic_dims.onnx" << QStringList{"input 'x'", "'h'", "--input-shape"};
    QTest::newRow("missing initializer") << "bad_missing_initializer.onnx"
                                         << QStringList{"node 'conv' (Conv)", "'w'", "no initializer"};
    QTest::newRow("cycle") << "bad_cycle.onnx" << QStringList{"cycle"};
    QTest::newRow("add shapes") << "bad_add_shapes.onnx" << QStringList{"node 'join' (Add)", "shapes differ"};
    QTest::newRow("qdq scales") << "bad_qdq_scales.onnx" << QStringList{"node 'quant' (QuantizeLinear)", "scale"};
    QTest::newRow("opset") << "bad_opset.onnx" << QStringList{"opset", "7", "11..18"};
}

void TestOnnx::badFilesNameTheNode()
{
    QFETCH(QString, file);
    QFETCH(QStringList, mentions);
    const std::string path = onnxFile(file.toUtf8().constData());
    QString message;
    try {
        loadNetworkFile(path);
        QFAIL("accepted a bad file");
    } catch (const InputError& e) {
        message = QString::fromUtf8(e.what());
    }
    QVERIFY2(!message.contains('\n'), qPrintable(message));
    QVERIFY2(message.startsWith(QString::fromStdString(path)), qPrintable(message));
    for (const QString& m : mentions)
        QVERIFY2(message.contains(m), qPrintable(message + " lacks " + m));
    // The command line: one line on stderr, exit 2.
    const CliResult r = runCli({"info", QString::fromStdString(path)});
    QCOMPARE(r.code, 2);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY(r.out.isEmpty());
}

void TestOnnx::namesMustBeUtf8_data()
{
    QTest::addColumn<QByteArray>("name"); // replaces the 4 bytes of the node name "relu"
    QTest::addColumn<bool>("valid");
    QTest::newRow("ascii") << QByteArray("r_lu") << true;
    QTest::newRow("two-byte") << QByteArray("r\xc3\xa9u") << true;
    QTest::newRow("four-byte") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::newRow("stray continuation") << QByteArray("re\x80u") << false;
    QTest::newRow("overlong") << QByteArray("r\xc0\xafu") << false;
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80u") << false;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::newRow("truncated sequence") << QByteArray("rel\xe2") << false;
}

void TestOnnx::namesMustBeUtf8()
{
    QFETCH(QByteArray, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidUtf8(std::string_view(name.constData(), size_t(name.size()))), valid);
    QFile f(QString::fromStdString(onnxFile("asymmetric_pads.onnx")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray bytes = f.readAll();
    QCOMPARE(bytes.count("relu"), 1);
    bytes.replace("relu", name);
    try {
        const OnnxImport m = importOnnx(std::string(bytes.constData(), size_t(bytes.size())), "u.onnx", "");
        QVERIFY(valid);
        QVERIFY(!networkToJson(m.spec).empty()); // JSON needs UTF-8: the names that were accepted serialize
    } catch (const InputError& e) {
        QVERIFY2(!valid, e.what());
        QVERIFY(QString::fromUtf8(e.what()).contains("not valid UTF-8"));
    }
}

void TestOnnx::inputShapeOption()
{
    const std::string path = onnxFile("bad_symbolic_dims.onnx");
    OnnxImportOptions o;
    o.inputShape = Shape{3, 16, 12};
    const Graph g = Graph::build(loadOnnxFile(path, o).spec, 1.0);
    QCOMPARE(g.layers().back().outShape, (Shape{8, 16, 12}));
    const CliResult r = runCli({"info", QString::fromStdString(path), "--input-shape", "3,16,12"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("8x16x12"));
    const CliResult bad = runCli({"info", QString::fromStdString(path), "--input-shape", "3,0,12"});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("--input-shape"), qPrintable(bad.err));
}

void TestOnnx::cliAcceptsOnnxEverywhere()
{
    const QString file = QString::fromStdString(onnxFile("mobilenet_v3_small.onnx"));
    const CliResult info = runCli({"info", file, "--width", "0.5"});
    QCOMPARE(info.code, 0);
    QVERIFY2(info.out.contains("held fixed"), qPrintable(info.out));
    const CliResult energy = runCli({"energy", file, "--strategy", "int8"});
    QCOMPARE(energy.code, 0);
    QVERIFY(energy.out.contains("uJ per inference"));
    const CliResult sweep = runCli({"sweep", file, "--strategies", "fp16,int8", "--widths", "0.5,1", "--hw", "simd", "--json"});
    QCOMPARE(sweep.code, 0);
    QCOMPARE(sweep.out.count("\"strategy\""), 4);
    const CliResult eval = runCli({"eval", QString::fromStdString(onnxFile("small_cnn.onnx")), "--strategy", "int8",
                                   "--limit", "200"});
    QCOMPARE(eval.code, 0); // random weights: any accuracy, but it runs on the ONNX file's own weights
    QVERIFY2(eval.out.contains("top-1"), qPrintable(eval.out + eval.err));
}

void TestOnnx::jsonRoundTripKeepsTheNetwork()
{
    const NetworkSpec spec = loadNetworkFile(onnxFile("efficientnet_b0.onnx"));
    const NetworkSpec back = parseNetworkJson(networkToJson(spec));
    QCOMPARE(back.layers.size(), spec.layers.size());
    QVERIFY(back.layers == spec.layers);
    for (double w : {0.5, 1.0})
        QCOMPARE(Graph::build(back, w).totalMacs(), Graph::build(spec, w).totalMacs());
}

// The built-in experiment's fp32 model, exported and imported again: the same weights, bit for bit,
// so the engine's logits are identical (fp32 and int8).
void TestOnnx::exportReimportsBitIdentical()
{
    const Graph g = Graph::build(resolveNetwork("mobilenetv2-fmnist"), 0.5);
    const std::string modelPath = POQ_RESOURCE_DIR "/models/mobilenetv2-fmnist_w0.5_fp32.safetensors";
    const NetworkWeights w = weightsFromModel(g, loadModelFile(modelPath), modelPath);
    const OnnxImport back = importOnnx(exportOnnx(g, w), "m.onnx", "");
    QVERIFY(back.structureOnly.empty());
    const Graph h = Graph::build(back.spec, 1.0);
    QCOMPARE(h.totalMacs(), g.totalMacs());
    QCOMPARE(h.totalParams(), g.totalParams());
    const NetworkWeights v = weightsFromModel(h, back.weights, "m.onnx");
    for (const auto& [name, values] : w.tensors)
        QVERIFY2(v.has(name) && v.at(name) == values, name.c_str());
    QRandomGenerator rng(3);
    std::vector<float> image(28 * 28);
    for (const char* strategy : {"fp32", "int8"}) {
        InferenceEngine a(g, w, assignPrecision(g, QuantStrategy::parse(strategy)));
        InferenceEngine b(h, v, assignPrecision(h, QuantStrategy::parse(strategy)));
        for (int i = 0; i < 8; ++i) {
            for (float& x : image)
                x = float(rng.generateDouble() * 2 - 1);
            QVERIFY(a.forwardImage(image.data()) == b.forwardImage(image.data()));
        }
    }
}

void TestOnnx::exportKeepsEveryKind()
{
    for (const char* f : {"small_blocks.onnx", "small_cnn.onnx", "asymmetric_pads.onnx"}) {
        const OnnxImport m = loadOnnxFile(onnxFile(f));
        const Graph g = Graph::build(m.spec, 1.0);
        const NetworkWeights w = weightsFromModel(g, m.weights, f);
        const OnnxImport back = importOnnx(exportOnnx(g, w), f, "");
        QVERIFY(back.spec.layers == m.spec.layers); // kinds, attributes (paddingEnd too) and connections
        const Graph h = Graph::build(back.spec, 1.0);
        const NetworkWeights v = weightsFromModel(h, back.weights, f);
        QVERIFY(v.tensors == w.tensors);
    }
}

void TestOnnx::exportRefusesBadInput()
{
    QTemporaryDir dir;
    const CliResult txt = runCli({"export", "cnn-fmnist", "--out", dir.filePath("m.txt")});
    QCOMPARE(txt.code, 2);
    QVERIFY(txt.err.contains("--out: must end in .onnx"));
    const CliResult qat = runCli({"export", "mobilenetv2-fmnist", "--width", "0.5", "--model",
                                  POQ_RESOURCE_DIR "/models/mobilenetv2-fmnist_w0.5_int4+res8.safetensors", "--out",
                                  dir.filePath("m.onnx")});
    QCOMPARE(qat.code, 2);
    QVERIFY2(qat.err.contains("quantization-aware"), qPrintable(qat.err));
    QVERIFY(!QFile::exists(dir.filePath("m.onnx"))); // nothing written
    const CliResult mismatch = runCli({"export", "cnn-fmnist", "--model",
                                       POQ_RESOURCE_DIR "/models/mobilenetv2-fmnist_w0.5_fp32.safetensors", "--out",
                                       dir.filePath("m.onnx")});
    QCOMPARE(mismatch.code, 2);
    const CliResult ok = runCli({"export", "cnn-fmnist", "--width", "0.25", "--out", dir.filePath("c.onnx")});
    QCOMPARE(ok.code, 0);
    QCOMPARE(Graph::build(loadNetworkFile(dir.filePath("c.onnx").toStdString()), 1.0).totalMacs(),
             Graph::build(resolveNetwork("cnn-fmnist"), 0.25).totalMacs());
}

QTEST_GUILESS_MAIN(TestOnnx)
#include "tst_onnx.moc"
