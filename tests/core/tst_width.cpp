// The width multiplier's rounding rule (MobileNet convention) and the allowed width range.
#include "graph/width.h"
#include "graph/graph.h"
#include "graph/zoo.h"
#include "util/error.h"

#include <QtTest>

#include <cmath>

using namespace poq;

class TestWidth : public QObject {
    Q_OBJECT
private slots:
    void makeDivisible_data();
    void makeDivisible();
    void makeDivisibleProperties();
    void widthRange_data();
    void widthRange();
    void mobileNetV2HeadKeeps1280BelowOne_data();
    void mobileNetV2HeadKeeps1280BelowOne();
    void widthOneIsTheNetworkAsWritten();
};

void TestWidth::makeDivisible_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("expected");
    QTest::newRow("32 x 0.35 = 11.2") << 11.2 << 16; // 8 would be > 10 % below
    QTest::newRow("16 x 0.35 = 5.6") << 5.6 << 8;    // minimum 8
    QTest::newRow("24 x 0.5 = 12") << 12.0 << 16;    // half rounds up
    QTest::newRow("96 x 0.75 = 72") << 72.0 << 72;
    QTest::newRow("1280 x 1.4") << 1792.0 << 1792;
    QTest::newRow("19.9") << 19.9 << 24;             // 16 is 19.6 % below
    QTest::newRow("100") << 100.0 << 104;
    QTest::newRow("3") << 3.0 << 8;
    QTest::newRow("43.9") << 43.9 << 40;             // 40 is 8.9 % below: allowed
}

void TestWidth::makeDivisible()
{
    QFETCH(double, value);
    QFETCH(int, expected);
    QCOMPARE(poq::makeDivisible(value), expected);
}

void TestWidth::makeDivisibleProperties()
{
    for (double v = 0.5; v < 5000; v *= 1.013) {
        const int r = poq::makeDivisible(v);
        QVERIFY(r % 8 == 0);
        QVERIFY(r >= 8);
        QVERIFY2(r >= 0.9 * v, qPrintable(QString::number(v)));
        QVERIFY2(r <= std::max(8.0, v + 8.0), qPrintable(QString::number(v)));
    }
}

void TestWidth::widthRange_data()
{
    QTest::addColumn<double>("width");
    QTest::addColumn<bool>("valid");
    QTest::newRow("0.1") << 0.1 << true;
    QTest::newRow("4.0") << 4.0 << true;
    QTest::newRow("1.0") << 1.0 << true;
    QTest::newRow("0.05") << 0.05 << false;
    QTest::newRow("4.5") << 4.5 << false;
    QTest::newRow("0") << 0.0 << false;
    QTest::newRow("-1") << -1.0 << false;
    QTest::newRow("nan") << std::nan("") << false;
}

void TestWidth::widthRange()
{
    QFETCH(double, width);
    QFETCH(bool, valid);
    const NetworkSpec spec = findZoo("cnn-fmnist")->build();
    if (valid) {
        QCOMPARE(Graph::build(spec, width).width(), width);
    } else {
        try {
            Graph::build(spec, width);
            QFAIL("expected an error");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).startsWith("width: must be in 0.1..4"), e.what());
        }
    }
}

void TestWidth::mobileNetV2HeadKeeps1280BelowOne_data()
{
    QTest::addColumn<double>("width");
    QTest::addColumn<int>("head");
    QTest::addColumn<int>("stem");
    QTest::newRow("0.35") << 0.35 << 1280 << 16;
    QTest::newRow("0.5") << 0.5 << 1280 << 16;
    QTest::newRow("1.0") << 1.0 << 1280 << 32;
    QTest::newRow("1.4") << 1.4 << 1792 << 48;
    QTest::newRow("2.0") << 2.0 << 2560 << 64;
}

void TestWidth::mobileNetV2HeadKeeps1280BelowOne()
{
    QFETCH(double, width);
    QFETCH(int, head);
    QFETCH(int, stem);
    const Graph g = Graph::build(findZoo("mobilenetv2")->build(), width);
    QCOMPARE(g.layers()[g.findLayer("head")].outShape.c, head);
    QCOMPARE(g.layers()[g.findLayer("stem")].outShape.c, stem);
    QCOMPARE(g.layers()[g.findLayer("classifier")].outShape.c, 1000); // fixed
}

void TestWidth::widthOneIsTheNetworkAsWritten()
{
    // A channel count that is not a multiple of 8 stays as written at width 1.0.
    const Graph g = Graph::build(findZoo("resnet20")->build(), 1.0);
    QCOMPARE(g.layers()[g.findLayer("fc")].outShape.c, 10);
    const Graph half = Graph::build(findZoo("resnet20")->build(), 0.5);
    QCOMPARE(half.layers()[half.findLayer("conv1")].outShape.c, 8);
}

QTEST_APPLESS_MAIN(TestWidth)
#include "tst_width.moc"
