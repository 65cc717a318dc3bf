// Network files: exact JSON round trips for every zoo network, the shipped example, atomic saves,
// and every kind of bad file (one-line error naming the layer and field, never a crash).
#include "graph/graph.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace poq;

class TestNetworkIo : public QObject {
    Q_OBJECT
private slots:
    void zooRoundTrip_data();
    void zooRoundTrip();
    void exampleFileLoads();
    void sequentialShorthand();
    void saveIsAtomicAndLeavesNoTemp();
    void badFiles_data();
    void badFiles();
    void missingFile();
};

void TestNetworkIo::zooRoundTrip_data()
{
    QTest::addColumn<QString>("network");
    for (const ZooEntry& e : zoo())
        QTest::newRow(e.name) << QString::fromUtf8(e.name);
}

void TestNetworkIo::zooRoundTrip()
{
    QFETCH(QString, network);
    const NetworkSpec spec = findZoo(network.toStdString())->build();
    const std::string text = networkToJson(spec);
    const NetworkSpec back = parseNetworkJson(text);
    QVERIFY(back == spec);
    QCOMPARE(networkToJson(back), text);

    QTemporaryDir dir;
    const std::string path = dir.filePath(network + ".json").toStdString();
    saveNetworkFile(spec, path);
    const NetworkSpec loaded = loadNetworkFile(path);
    QVERIFY(loaded == spec);
    for (double w : {0.5, 1.0, 1.4}) {
        const Graph a = Graph::build(spec, w), b = Graph::build(loaded, w);
        QCOMPARE(a.totalMacs(), b.totalMacs());
        QCOMPARE(a.totalParams(), b.totalParams());
    }
}

void TestNetworkIo::exampleFileLoads()
{
    const NetworkSpec spec = loadNetworkFile(POQ_RESOURCE_DIR "/networks/tiny-residual.json");
    QCOMPARE(spec.name, std::string("tiny-residual"));
    const Graph g = Graph::build(spec, 1.0);
    QCOMPARE(int(g.residualEdges().size()), 1);
    QCOMPARE(g.tensor(g.outputTensors()[0]).shape, (Shape{10, 1, 1}));
    QCOMPARE(g.layers()[g.findLayer("classifier")].params, 330LL);
}

void TestNetworkIo::sequentialShorthand()
{
    // Without "inputs", a layer reads the previous layer (the first reads the only input); the
    // saved file spells the connection out and loads back identical.
    const NetworkSpec spec = parseNetworkJson(R"({"name":"s","inputs":[{"name":"x","shape":[2,4,4]}],
        "layers":[{"name":"a","kind":"ReLU"},{"name":"b","kind":"ReLU6"}]})");
    QCOMPARE(spec.layers[0].inputs, std::vector<std::string>{"x"});
    QCOMPARE(spec.layers[1].inputs, std::vector<std::string>{"a"});
    QVERIFY(parseNetworkJson(networkToJson(spec)) == spec);
}

void TestNetworkIo::saveIsAtomicAndLeavesNoTemp()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("net.json");
    writeFileAtomically(path.toStdString(), "old contents");
    saveNetworkFile(findZoo("cnn-fmnist")->build(), path.toStdString());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"net.json"});
    QVERIFY(loadNetworkFile(path.toStdString()) == findZoo("cnn-fmnist")->build());
    // A folder that does not exist: an error naming the path, the old file untouched elsewhere.
    QVERIFY_THROWS_EXCEPTION(InputError, saveNetworkFile(findZoo("cnn-fmnist")->build(),
                                                         dir.filePath("missing/net.json").toStdString()));
}

void TestNetworkIo::badFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("message");
    QTest::newRow("malformed") << "malformed.json" << "malformed JSON at byte";
    QTest::newRow("empty") << "empty.json" << "malformed JSON";
    QTest::newRow("not an object") << "not-object.json" << "must hold a JSON object";
    QTest::newRow("unknown kind") << "unknown-kind.json" << "layer 'c1': kind: unknown kind 'Conv3d' (allowed: Conv2d,";
    QTest::newRow("unknown attribute") << "unknown-attribute.json" << "layer 'c1' (Conv2d): unknown attribute 'kernal'";
    QTest::newRow("attribute of another kind") << "attribute-not-for-kind.json" << "layer 'r' (ReLU): unknown attribute 'kernel' (allowed: inputs)";
    QTest::newRow("shape mismatch") << "shape-mismatch.json" << "layer 'fc' (Dense): input: must be C x 1 x 1";
    QTest::newRow("dangling input") << "dangling.json" << "layer 'c1' (ReLU): inputs: no input or layer named 'nowhere'";
    QTest::newRow("cycle") << "cycle.json" << "inputs: connections form a cycle";
    QTest::newRow("add of different shapes") << "add-shapes.json" << "layer 'join' (Add): inputs: shapes differ (8x28x28 vs 16x28x28)";
    QTest::newRow("attribute out of range") << "attribute-range.json" << "layer 'c1' (Conv2d): kernel: must be in 1..31, got 0";
    QTest::newRow("wrong type") << "wrong-type.json" << "layer 'c1' (Conv2d): outChannels: must be an integer, got string";
    QTest::newRow("duplicate name") << "duplicate-name.json" << "layer 'c1' (ReLU): name: used twice";
    QTest::newRow("kernel larger than input") << "kernel-too-big.json" << "layer 'c1' (Conv2d): kernel: height extent 31 exceeds the padded input 28";
    QTest::newRow("groups do not divide") << "groups-mismatch.json" << "layer 'g' (Conv2d): groups: 3 does not divide the 8 input channels";
    QTest::newRow("missing inputs") << "missing-inputs.json" << "inputs: must be an array";
    QTest::newRow("unknown top-level field") << "unknown-field.json" << "unknown field 'layerz'";
    QTest::newRow("depthwise conflict") << "depthwise-conflict.json" << "layer 'dw' (Conv2d): depthwise: excludes outChannels";
    QTest::newRow("unused input") << "unused-input.json" << "input 'b': not used by any layer";
    QTest::newRow("input count") << "input-count.json" << "layer 'r' (ReLU): inputs: needs 1 input(s), got 2";
    QTest::newRow("bad input shape") << "bad-input-shape.json" << "input 'input': shape: channels must be in";
    QTest::newRow("bad choice") << "bad-choice.json" << "layer 'c' (Conv2d): scaling: must be one of width, fixed, widthAtLeastOne";
    QTest::newRow("huge number") << "huge-number.json" << "outChannels: value 99999999999 is out of range";
}

void TestNetworkIo::badFiles()
{
    QFETCH(QString, file);
    QFETCH(QString, message);
    const std::string path = (QStringLiteral(POQ_TEST_DATA_DIR "/networks/") + file).toStdString();
    try {
        loadNetworkFile(path);
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.contains(message), qPrintable(what));
        QVERIFY2(what.startsWith(QString::fromStdString(path)), qPrintable(what));
        QVERIFY(!what.contains('\n'));
    }
}

void TestNetworkIo::missingFile()
{
    try {
        loadNetworkFile("/nonexistent/net.json");
        QFAIL("expected an InputError");
    } catch (const InputError& e) {
        QVERIFY(QString(e.what()).contains("/nonexistent/net.json: file not found"));
    }
    QVERIFY_THROWS_EXCEPTION(InputError, resolveNetwork("no-such-network"));
}

QTEST_APPLESS_MAIN(TestNetworkIo)
#include "tst_network_io.moc"
