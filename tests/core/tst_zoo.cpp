// The built-in zoo: published MAC and parameter counts, builds at every width, residual structure.
#include "graph/graph.h"
#include "graph/zoo.h"

#include <QSet>
#include <QtTest>

#include <cmath>

using namespace poq;

class TestZoo : public QObject {
    Q_OBJECT
private slots:
    void publishedCounts_data();
    void publishedCounts();
    void everyNetworkBuildsAtEveryWidth_data();
    void everyNetworkBuildsAtEveryWidth();
    void residualEdges_data();
    void residualEdges();
    void fashionMnistMapsGo28To4();
    void entriesAreDocumented();
};

void TestZoo::publishedCounts_data()
{
    QTest::addColumn<QString>("network");
    QTest::addColumn<double>("width");
    QTest::addColumn<double>("macs");
    QTest::addColumn<double>("macsTolerance");
    QTest::addColumn<double>("params");
    QTest::addColumn<double>("paramsTolerance");
    // Sandler et al. 2018 (Table 6), Howard et al. 2017 (Table 8), He et al. 2016; parameters as
    // counted by the reference implementations (weights, biases, batch-norm scale and shift).
    QTest::newRow("mobilenetv2") << "mobilenetv2" << 1.0 << 300e6 << 0.02 << 3504872.0 << 0.001;
    QTest::newRow("mobilenetv2 0.35") << "mobilenetv2" << 0.35 << 59e6 << 0.02 << 1.7e6 << 0.03;
    QTest::newRow("mobilenetv1") << "mobilenetv1" << 1.0 << 569e6 << 0.02 << 4231976.0 << 0.001;
    QTest::newRow("resnet18") << "resnet18" << 1.0 << 1.82e9 << 0.02 << 11689512.0 << 0.001;
    QTest::newRow("resnet50") << "resnet50" << 1.0 << 4.09e9 << 0.02 << 25557032.0 << 0.001;
    QTest::newRow("resnet20") << "resnet20" << 1.0 << 41e6 << 0.02 << 0.27e6 << 0.03;
}

void TestZoo::publishedCounts()
{
    QFETCH(QString, network);
    QFETCH(double, width);
    QFETCH(double, macs);
    QFETCH(double, macsTolerance);
    QFETCH(double, params);
    QFETCH(double, paramsTolerance);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), width);
    const double macErr = std::fabs(double(g.totalMacs()) / macs - 1.0);
    const double paramErr = std::fabs(double(g.totalParams()) / params - 1.0);
    QVERIFY2(macErr <= macsTolerance, qPrintable(QString("MACs %1").arg(g.totalMacs())));
    QVERIFY2(paramErr <= paramsTolerance, qPrintable(QString("params %1").arg(g.totalParams())));
}

void TestZoo::everyNetworkBuildsAtEveryWidth_data()
{
    QTest::addColumn<QString>("network");
    for (const ZooEntry& e : zoo())
        QTest::newRow(e.name) << QString::fromUtf8(e.name);
}

void TestZoo::everyNetworkBuildsAtEveryWidth()
{
    QFETCH(QString, network);
    const NetworkSpec spec = findZoo(network.toStdString())->build();
    int64_t previousMacs = 0, previousParams = 0;
    for (double w : {0.1, 0.25, 0.35, 0.5, 0.75, 1.0, 1.25, 1.4, 2.0, 3.0, 4.0}) {
        const Graph g = Graph::build(spec, w);
        QVERIFY(g.totalMacs() >= previousMacs);
        QVERIFY(g.totalParams() >= previousParams);
        previousMacs = g.totalMacs();
        previousParams = g.totalParams();
        QSet<QString> names;
        for (const Layer& l : g.layers()) {
            QVERIFY(!names.contains(QString::fromStdString(l.name)));
            names.insert(QString::fromStdString(l.name));
            QVERIFY(l.outShape.elements() > 0);
            if (l.loopNest)
                QCOMPARE(l.loopNest->macs(), l.macs);
        }
        QCOMPARE(int(g.outputTensors().size()), 1);
    }
}

void TestZoo::residualEdges_data()
{
    QTest::addColumn<QString>("network");
    QTest::addColumn<int>("adds");
    QTest::newRow("mobilenetv2") << "mobilenetv2" << 10;
    QTest::newRow("mobilenetv1") << "mobilenetv1" << 0;
    QTest::newRow("resnet18") << "resnet18" << 8;
    QTest::newRow("resnet50") << "resnet50" << 16;
    QTest::newRow("resnet20") << "resnet20" << 9;
    QTest::newRow("mobilenetv2-fmnist") << "mobilenetv2-fmnist" << 4;
    QTest::newRow("cnn-fmnist") << "cnn-fmnist" << 0;
}

void TestZoo::residualEdges()
{
    QFETCH(QString, network);
    QFETCH(int, adds);
    const Graph g = Graph::build(findZoo(network.toStdString())->build(), 1.0);
    int addLayers = 0;
    for (const Layer& l : g.layers())
        addLayers += l.kind == LayerKind::Add ? 1 : 0;
    QCOMPARE(addLayers, adds);
    // Every Add has exactly one input held across other layers (the skip); it lives at least
    // through the block's main branch.
    QCOMPARE(int(g.residualEdges().size()), adds);
    for (const ResidualEdge& e : g.residualEdges()) {
        QCOMPARE(g.layers()[e.add].kind, LayerKind::Add);
        QVERIFY(e.lifetimeLayers() >= 2);
        QVERIFY(g.tensor(e.tensor).residual);
        QVERIFY(g.layers()[e.add].residual);
    }
}

void TestZoo::fashionMnistMapsGo28To4()
{
    const Graph g = Graph::build(findZoo("mobilenetv2-fmnist")->build(), 1.0);
    QList<int> sizes;
    for (const Layer& l : g.layers())
        if (l.loopNest && (sizes.isEmpty() || sizes.last() != l.outShape.h))
            sizes << l.outShape.h;
    QCOMPARE(sizes, (QList<int>{28, 14, 7, 4, 1}));
    QCOMPARE(g.tensor(g.outputTensors()[0]).shape, (Shape{10, 1, 1}));
}

void TestZoo::entriesAreDocumented()
{
    for (const ZooEntry& e : zoo()) {
        QVERIFY(QString(e.description).size() > 10);
        QVERIFY(QString(e.reference).size() > 5);
        QCOMPARE(QString(e.name), QString(e.name).toLower());
        QCOMPARE(e.build().name, std::string(e.name));
    }
    QVERIFY(findZoo(kDefaultNetwork) != nullptr);
}

QTEST_APPLESS_MAIN(TestZoo)
#include "tst_zoo.moc"
