// The `poq` command line as a user runs it: help, version, exit codes, tables and JSON.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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
    QTest::newRow("bad network file") << QStringList{"info", POQ_TEST_DATA_DIR "/networks/cycle.json"} << 2
                                      << "connections form a cycle";
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

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
