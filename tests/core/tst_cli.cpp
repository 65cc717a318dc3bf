// The `poq` command line as a user runs it: help, version, exit codes, tables and JSON.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void exitCodes_data();
    void exitCodes();
    void networksJson();
    void infoTable();
    void infoJson();
    void infoOfNetworkFile();
    void hwList();
    void hwShowJson();
    void energyJson();
    void energyTableAndCsv();
    void energySetChangesDram();
    void sweepCompareAndPlot();
    void sweepEnergyOnly();

private:
    struct Result {
        int code;
        QString out;
        QString err;
    };
    static Result poq(const QStringList& args);
};

TestCli::Result TestCli::poq(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(POQ_CLI_PATH), args);
    if (!p.waitForFinished(60000))
        return {-1, {}, QStringLiteral("timed out")};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

void TestCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("text"); // expected in stdout (code 0) or as the one stderr line
    QTest::newRow("help") << QStringList{"--help"} << 0 << "networks";
    QTest::newRow("version") << QStringList{"--version"} << 0 << "poq 0.1.0";
    QTest::newRow("info help") << QStringList{"info", "--help"} << 0 << "--width";
    QTest::newRow("unknown command") << QStringList{"frobnicate"} << 2 << "poq: unknown command 'frobnicate' (allowed: networks, info";
    QTest::newRow("no command") << QStringList{} << 2 << "poq:";
    QTest::newRow("unknown network") << QStringList{"info", "nope"} << 2 << "network: 'nope' is neither a built-in network";
    QTest::newRow("width too large") << QStringList{"info", "resnet18", "--width", "5"} << 2 << "width: must be in 0.1..4, got 5";
    QTest::newRow("width not a number") << QStringList{"info", "resnet18", "--width", "wide"} << 2 << "--width";
    QTest::newRow("unknown option") << QStringList{"networks", "--fast"} << 2 << "--fast";
    QTest::newRow("unknown strategy") << QStringList{"energy", "resnet20", "--strategy", "int42"} << 2
                                      << "strategy: 'int42': unknown format 'int42'";
    QTest::newRow("missing strategy") << QStringList{"energy", "resnet20"} << 2 << "--strategy";
    QTest::newRow("unknown hw") << QStringList{"energy", "resnet20", "--strategy", "int8", "--hw", "tpu9"} << 2
                                << "hardware: 'tpu9' is neither a preset";
    QTest::newRow("unknown hw key") << QStringList{"energy", "resnet20", "--strategy", "int8", "--set", "sram.speed=3"}
                                    << 2 << "unknown hardware key 'sram.speed'";
    QTest::newRow("hw key out of range") << QStringList{"energy", "resnet20", "--strategy", "int8", "--set", "sram.sizeBytes=0"}
                                         << 2 << "sram.sizeBytes: must be an integer in 1..";
    QTest::newRow("zero bandwidth") << QStringList{"energy", "resnet20", "--strategy", "int8", "--set", "dram.bandwidthBitsPerCycle=0"}
                                    << 2 << "dram.bandwidthBitsPerCycle: must be an integer in 1..";
    QTest::newRow("register file too small") << QStringList{"energy", "resnet20", "--strategy", "fp32", "--set", "rf.sizeBytes=4"}
                                             << 2 << "rf.sizeBytes: 4 B cannot hold one weight, one input and one partial sum";
    QTest::newRow("bad objective") << QStringList{"energy", "resnet20", "--strategy", "int8", "--objective", "speed"}
                                   << 2 << "objective: must be one of energy, latency, edp";
    QTest::newRow("unknown preset") << QStringList{"hw", "nope"} << 2 << "hardware: 'nope' is neither a preset";
    QTest::newRow("sweep empty widths") << QStringList{"sweep", "resnet20", "--widths", "", "--strategies", "int8", "--out", "/tmp/x.csv"}
                                        << 2 << "widths: the list is empty";
    QTest::newRow("sweep unknown strategy") << QStringList{"sweep", "resnet20", "--widths", "1", "--strategies", "int8,fp7", "--out", "/tmp/x.csv"}
                                            << 2 << "strategy: 'fp7': unknown format";
    QTest::newRow("sweep unwritable out") << QStringList{"sweep", "resnet20", "--widths", "1", "--strategies", "int8", "--out", "/nonexistent/dir/s.csv"}
                                          << 2 << "--out: cannot write '/nonexistent/dir/s.csv'";
    QTest::newRow("sweep measured") << QStringList{"sweep", "resnet20", "--widths", "1", "--strategies", "int8", "--accuracy", "measured", "--out", "/tmp/x.csv"}
                                    << 2 << "accuracy: no trained model for any point of resnet20";
    QTest::newRow("sweep duplicate accuracy") << QStringList{"sweep", "mobilenetv2", "--widths", "0.5", "--strategies", "int8", "--accuracy", POQ_TEST_DATA_DIR "/explore/duplicate.csv", "--out", "/tmp/x.csv"}
                                              << 2 << "duplicate.csv:3: duplicate of line 2";
    QTest::newRow("compare missing file") << QStringList{"compare", "/nonexistent.csv", "--baseline", "fp16", "--candidate", "int8"}
                                          << 2 << "/nonexistent.csv: file not found";
    QTest::newRow("compare bad csv") << QStringList{"compare", POQ_TEST_DATA_DIR "/explore/accuracy.csv", "--baseline", "fp16", "--candidate", "int8"}
                                     << 2 << "missing column 'energy_pj'";
    QTest::newRow("plot bad axis") << QStringList{"plot", POQ_TEST_DATA_DIR "/explore/accuracy.csv", "--out", "/tmp/p.svg", "--x", "watts"}
                                   << 2 << "x: must be one of energy, latency, edp, macs, bops, size";
    QTest::newRow("train negative warm-up") << QStringList{"train", "cnn-fmnist", "--warmup", "-1", "--out", "/tmp/m.safetensors"}
                                            << 2 << "--warmup";
    QTest::newRow("train QAT without --from") << QStringList{"train", "cnn-fmnist", "--strategy", "int4", "--out", "/tmp/m.safetensors"}
                                              << 2 << "--from: quantization-aware training of int4 starts from a trained fp32 model";
    QTest::newRow("bad network file") << QStringList{"info", POQ_TEST_DATA_DIR "/networks/cycle.json"} << 2
                                      << "connections form a cycle";
    QTest::newRow("sweep session missing") << QStringList{"sweep", "--session", "/nonexistent.poq.json", "--out", "/tmp/x.csv"}
                                           << 2 << "/nonexistent.poq.json: file not found";
    QTest::newRow("sweep session not a session") << QStringList{"sweep", "--session", POQ_TEST_DATA_DIR "/hardware/four-levels.json", "--out", "/tmp/x.csv"}
                                                 << 2 << "not a POQ Studio session";
    QTest::newRow("sweep session with widths") << QStringList{"sweep", "--session", "/tmp/s.poq.json", "--widths", "1", "--out", "/tmp/x.csv"}
                                               << 2 << "--widths excludes --session";
    QTest::newRow("sweep without out") << QStringList{"sweep", "cnn-fmnist", "--widths", "1", "--strategies", "int8"}
                                       << 2 << "--out: required (a .csv or .json file), or --json to print the points";
    QTest::newRow("sweep without widths") << QStringList{"sweep", "cnn-fmnist", "--strategies", "int8", "--out", "/tmp/x.csv"}
                                          << 2 << "NETWORK, --widths and --strategies: required";
    QTest::newRow("sweep json") << QStringList{"sweep", "cnn-fmnist", "--widths", "1", "--strategies", "int8", "--json"}
                                << 0 << "\"strategy\": \"int8\"";
}

void TestCli::exitCodes()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, text);
    const Result r = poq(args);
    QCOMPARE(r.code, code);
    if (code == 0) {
        QVERIFY2(r.out.contains(text), qPrintable(r.out));
    } else {
        QVERIFY2(r.err.contains(text), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1); // one line
        QVERIFY(r.out.isEmpty());
    }
}

void TestCli::networksJson()
{
    const Result r = poq({"networks", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonArray nets = QJsonDocument::fromJson(r.out.toUtf8()).array();
    QVERIFY(nets.size() >= 7);
    bool sawResnet18 = false;
    for (const QJsonValue& v : nets) {
        const QJsonObject o = v.toObject();
        for (const char* key : {"name", "input", "macs", "params", "description"})
            QVERIFY2(o.contains(key), key);
        if (o["name"].toString() == "resnet18") {
            sawResnet18 = true;
            QCOMPARE(o["params"].toInteger(), 11689512);
            QCOMPARE(o["input"].toArray(), (QJsonArray{3, 224, 224}));
        }
    }
    QVERIFY(sawResnet18);
    const Result table = poq({"networks"});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.contains("mobilenetv2-fmnist"));
    QVERIFY(table.out.contains("11,689,512"));
}

void TestCli::infoTable()
{
    const Result r = poq({"info", "mobilenetv2", "--width", "0.5"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("mobilenetv2 at width 0.5, input 3x224x224"));
    QVERIFY(r.out.contains("block1.dw"));
    QVERIFY(r.out.contains("1280x7x7")); // head keeps 1280 below width 1
    QVERIFY(r.out.contains("10 skip connections"));
}

void TestCli::infoJson()
{
    const Result r = poq({"info", "resnet20", "--width", "2", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o["network"].toString(), QString("resnet20"));
    QCOMPARE(o["width"].toDouble(), 2.0);
    QCOMPARE(o["input"].toArray(), (QJsonArray{3, 32, 32}));
    const QJsonArray layers = o["layers"].toArray();
    QVERIFY(layers.size() > 20);
    qint64 macs = 0, params = 0;
    int residual = 0;
    for (const QJsonValue& v : layers) {
        const QJsonObject l = v.toObject();
        for (const char* key : {"name", "kind", "outputShape", "macs", "params", "residual"})
            QVERIFY2(l.contains(key), key);
        macs += l["macs"].toInteger();
        params += l["params"].toInteger();
        residual += l["residual"].toBool() ? 1 : 0;
    }
    QCOMPARE(o["total"].toObject()["macs"].toInteger(), macs);
    QCOMPARE(o["total"].toObject()["params"].toInteger(), params);
    QVERIFY(residual >= 9);
    QCOMPARE(layers.first().toObject()["outputShape"].toArray(), (QJsonArray{32, 32, 32}));
}

void TestCli::infoOfNetworkFile()
{
    const Result r = poq({"info", POQ_RESOURCE_DIR "/networks/tiny-residual.json", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o["network"].toString(), QString("tiny-residual"));
}

void TestCli::hwList()
{
    const Result r = poq({"hw"});
    QCOMPARE(r.code, 0);
    for (const char* preset : {"edge-npu", "simd", "eyeriss"})
        QVERIFY(r.out.contains(preset));
}

void TestCli::hwShowJson()
{
    const Result r = poq({"hw", "edge-npu", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonArray params = QJsonDocument::fromJson(r.out.toUtf8()).object()["parameters"].toArray();
    QVERIFY(params.size() > 30);
    bool sawSram = false;
    for (const QJsonValue& v : params) {
        const QJsonObject p = v.toObject();
        for (const char* key : {"key", "unit", "value", "default", "min", "max", "source"})
            QVERIFY2(p.contains(key), key);
        if (p["key"].toString() == "sram.sizeBytes") {
            sawSram = true;
            QCOMPARE(p["value"].toDouble(), 262144.0);
        }
    }
    QVERIFY(sawSram);
}

void TestCli::energyJson()
{
    const Result r = poq({"energy", "mobilenetv2", "--width", "0.5", "--strategy", "int4+res8", "--json"});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o["network"].toString(), QString("mobilenetv2"));
    QCOMPARE(o["strategy"].toString(), QString("int4+res8"));
    QCOMPARE(o["hardware"].toString(), QString("edge-npu"));
    const QJsonArray layers = o["layers"].toArray();
    double sum = 0;
    for (const QJsonValue& v : layers) {
        const QJsonObject l = v.toObject();
        for (const char* key : {"energyPj", "macPj", "rfPj", "sramPj", "dramPj", "otherPj", "dramBits", "latencyCycles"})
            QVERIFY2(l.contains(key), key);
        if (l["kind"].toString() == "Conv2d")
            QVERIFY(l["mapping"].toString().contains("spatial"));
        sum += l["energyPj"].toDouble();
    }
    const QJsonObject total = o["total"].toObject();
    QVERIFY(std::fabs(total["energyPj"].toDouble() - sum) < 1e-6 * sum);
    QVERIFY(total["dramBits"].toDouble() > 0);
}

void TestCli::energyTableAndCsv()
{
    const Result table = poq({"energy", "resnet20", "--strategy", "int8", "--hw", "eyeriss", "--objective", "edp"});
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.contains("hardware eyeriss, objective edp"));
    QVERIFY(table.out.contains("layer1.0.conv1"));
    QVERIFY(table.out.contains("uJ per inference"));
    const Result csv = poq({"energy", "resnet20", "--strategy", "int8", "--csv"});
    QCOMPARE(csv.code, 0);
    const QStringList lines = csv.out.trimmed().split('\n');
    QVERIFY(lines[0].startsWith("layer,kind,energy_pj,mac_pj,rf_pj,sram_pj,dram_pj,other_pj,dram_bits"));
    QVERIFY(lines.last().startsWith("total,"));
}

void TestCli::energySetChangesDram()
{
    auto total = [](const QStringList& extra) {
        const Result r = poq(QStringList{"energy", "resnet20", "--strategy", "int8", "--json"} + extra);
        return QJsonDocument::fromJson(r.out.toUtf8()).object()["total"].toObject();
    };
    const QJsonObject base = total({});
    const QJsonObject cheap = total({"--set", "dram.readPjPerBit=10", "--set", "dram.writePjPerBit=10"});
    QVERIFY(cheap["dramPj"].toDouble() < base["dramPj"].toDouble());
    QVERIFY(cheap["macPj"].toDouble() == base["macPj"].toDouble());
}

void TestCli::sweepCompareAndPlot()
{
    QTemporaryDir dir;
    const QString csv = dir.filePath("s.csv");
    const Result sweep = poq({"sweep", "mobilenetv2", "--widths", "0.35,0.5,0.75,1.0,1.4", "--strategies",
                              "fp16,int8,int4,int4+res8", "--accuracy", POQ_TEST_DATA_DIR "/explore/accuracy.csv", "--out", csv});
    QCOMPARE(sweep.code, 0);
    QVERIFY2(sweep.out.contains("20 design points") && sweep.out.contains("20 with accuracy"), qPrintable(sweep.out));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 21);
    QVERIFY(lines[0].startsWith("network,width,strategy,accuracy,accuracy_lo,accuracy_hi,energy_pj,mac_pj,rf_pj,sram_pj,"
                                "dram_pj,other_pj,latency_cycles,macs,bops,weight_bits,pareto"));

    const Result cmp = poq({"compare", csv, "--baseline", "fp16", "--candidate", "int8", "--json", "--at-accuracy", "0.7"});
    QCOMPARE(cmp.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(cmp.out.toUtf8()).object();
    QVERIFY(o["maxEnergyRatio"].toDouble() > 1.5); // int8 is cheaper at equal accuracy
    QVERIFY(o["maxAccuracyGain"].toDouble() > 0);
    QVERIFY(o["energyRatioAtAccuracy"].toDouble() > 1);
    QVERIFY(o["optimalRanges"].toArray().size() >= 2);
    QCOMPARE(o["proxies"].toArray().size(), 3);
    const Result text = poq({"compare", csv, "--baseline", "int4", "--candidate", "int4+res8"});
    QCOMPARE(text.code, 0);
    QVERIFY(text.out.contains("iso-accuracy"));
    QVERIFY(text.out.contains("Proxy bops"));

    for (const char* ext : {"svg", "png", "pdf"}) {
        const QString out = dir.filePath(QString("s.") + ext);
        const Result plot = poq({"plot", csv, "--out", out, "--x", ext[0] == 'p' && ext[1] == 'd' ? "bops" : "energy"});
        QCOMPARE(plot.code, 0);
        QVERIFY(QFileInfo(out).size() > 1000);
    }
    QFile svg(dir.filePath("s.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray s = svg.readAll();
    QVERIFY(s.contains("<svg") && s.contains("int4+res8"));
    const Result bad = poq({"plot", csv, "--out", dir.filePath("s.gif")});
    QCOMPARE(bad.code, 2);
    QVERIFY(bad.err.contains("extension must be .svg, .png or .pdf"));
    QVERIFY(!QFileInfo::exists(dir.filePath("s.gif")) && !QFileInfo::exists(dir.filePath("s.gif.part")));
}

void TestCli::sweepEnergyOnly()
{
    QTemporaryDir dir;
    const QString csv = dir.filePath("e.csv");
    const Result r = poq({"sweep", "resnet20", "--widths", "0.5,1", "--strategies", "int8,fp16", "--hw", "eyeriss", "--out", csv});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("4 design points on eyeriss, 0 with accuracy, 0 on"));
    const Result cmp = poq({"compare", csv, "--baseline", "fp16", "--candidate", "int8"});
    QCOMPARE(cmp.code, 2);
    QVERIFY(cmp.err.contains("baseline: strategy 'fp16' has no design point with an accuracy"));
    QCOMPARE(poq({"plot", csv, "--out", dir.filePath("e.png")}).code, 0);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
