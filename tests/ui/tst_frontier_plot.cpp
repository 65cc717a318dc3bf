// The shared frontier plot offscreen: one scatter per strategy, frontier step line, dimmed points,
// energy-only sweeps, and export to every format without partial files.
#include "plots/frontier_plot.h"
#include "plots/unit_ticker.h"

#include "explore/pareto.h"

#include <qcustomplot.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace poq;
using namespace poq::ui;

namespace {

DesignPoint point(const char* strategy, double width, double energyPj, std::optional<double> accuracy)
{
    DesignPoint p;
    p.network = "net";
    p.strategy = strategy;
    p.width = width;
    p.energyPj = energyPj;
    p.accuracy = accuracy;
    p.bops = energyPj;
    return p;
}

const std::vector<DesignPoint> kPoints = {point("fp16", 0.5, 4e8, 0.6), point("fp16", 1.0, 8e8, 0.7),
                                          point("int8", 0.5, 1e8, 0.59), point("int8", 1.0, 2e8, 0.69),
                                          point("int4", 1.0, 3e8, 0.5)};

} // namespace

class TestFrontierPlot : public QObject {
    Q_OBJECT
private slots:
    void scatterAndFrontier();
    void energyOnly();
    void exportFormats_data();
    void exportFormats();
    void readableLogTicks();
    void unmeasuredHollowAndOverlaps();
};

void TestFrontierPlot::scatterAndFrontier()
{
    FrontierPlot plot;
    plot.setPoints(kPoints);
    QCOMPARE(plot.strategyCount(), 3);
    QCOMPARE(plot.frontierSize(), int(paretoFrontier(kPoints).size()));
    QCOMPARE(plot.plot()->graphCount(), 3 * 2 + 1); // on/off frontier per strategy + the step line
    QCPGraph* step = plot.plot()->graph(plot.plot()->graphCount() - 1);
    QCOMPARE(step->lineStyle(), QCPGraph::lsStepLeft);
    QCOMPARE(step->name(), QString("Pareto frontier"));
    QVERIFY(plot.plot()->legend->visible());
    QVERIFY(plot.isEnergyAxisLog());
    // int4 at 3e8 / 50 % is dominated: drawn in the dimmed graph of its strategy.
    QCOMPARE(plot.plot()->graph(5)->dataCount(), 1);
    QCOMPARE(plot.plot()->graph(4)->dataCount(), 0);
    plot.setPoints(kPoints, CostAxis::Bops);
    QVERIFY(plot.plot()->xAxis->label().contains("Bit operations"));
}

void TestFrontierPlot::energyOnly()
{
    std::vector<DesignPoint> pts = kPoints;
    for (DesignPoint& p : pts)
        p.accuracy.reset();
    FrontierPlot plot;
    plot.setPoints(pts);
    QCOMPARE(plot.frontierSize(), 0);
    QVERIFY(plot.plot()->yAxis->label().contains("Width multiplier"));
    QCOMPARE(plot.title(), QString("Width vs energy per inference (no accuracy source)"));
    plot.setPoints(kPoints, CostAxis::Edp);
    QCOMPARE(plot.title(), QString("Accuracy vs energy-delay product"));
    plot.setPoints(kPoints, CostAxis::Macs);
    QCOMPARE(plot.title(), QString("Accuracy vs MACs (proxy)"));
    plot.setPoints({});
    QCOMPARE(plot.strategyCount(), 0);
}

void TestFrontierPlot::exportFormats_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("ok");
    QTest::newRow("svg") << "f.svg" << true;
    QTest::newRow("png") << "f.png" << true;
    QTest::newRow("pdf") << "f.pdf" << true;
    QTest::newRow("gif") << "f.gif" << false;
    QTest::newRow("missing folder") << "missing/f.png" << false;
}

void TestFrontierPlot::exportFormats()
{
    QFETCH(QString, name);
    QFETCH(bool, ok);
    QTemporaryDir dir;
    FrontierPlot plot;
    plot.setPoints(kPoints);
    QString error;
    const QString path = dir.filePath(name);
    QCOMPARE(plot.exportTo(path, 800, 500, &error), ok);
    QCOMPARE(QFileInfo::exists(path), ok);
    QVERIFY(!QFileInfo::exists(path + ".part"));
    if (!ok)
        QVERIFY(error.startsWith("out: "));
    else
        QVERIFY(QFileInfo(path).size() > 1000);
}

void TestFrontierPlot::readableLogTicks()
{
    // 1, 2, 5 x 10^n over a few decades; decades only beyond four; no duplicates; inside the range.
    QCOMPARE(logTicks(1e6, 1e8), (QVector<double>{1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8}));
    QCOMPARE(logTicks(3e6, 4e7), (QVector<double>{5e6, 1e7, 2e7}));
    QCOMPARE(logTicks(1e3, 1e9), (QVector<double>{1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}));
    QVERIFY(logTicks(1e-3, 1e20).size() <= 12);
    QVERIFY(logTicks(0, 10).isEmpty());
    QVERIFY(logTicks(5, 5).isEmpty());
    for (double lo = 1.3e5; lo < 1e9; lo *= 3.7) {
        const QVector<double> t = logTicks(lo, lo * 57);
        for (int i = 1; i < t.size(); ++i)
            QVERIFY(t[i] > t[i - 1]);
        QVERIFY(t.size() >= 2);
    }
    // The energy axis labels its ticks in units a person reads.
    FrontierPlot plot;
    plot.setPoints(kPoints);
    plot.plot()->replot();
    const QVector<QString> labels = plot.plot()->xAxis->tickVectorLabels();
    QVERIFY(!labels.isEmpty());
    for (const QString& l : labels)
        QVERIFY2(l.endsWith("J") && !l.contains("10^"), qPrintable(l));
}

void TestFrontierPlot::unmeasuredHollowAndOverlaps()
{
    std::vector<DesignPoint> pts = kPoints;
    pts.push_back(point("int8", 0.6, 1.5e8, std::nullopt)); // not trained at 0.6
    pts.push_back(point("fp16", 0.6, 5e8, std::nullopt));
    pts.push_back(point("int4", 1.0, 3e8, 0.5));            // the same place as another int4 point
    pts.back().strategy = "int4+res8";
    FrontierPlot plot;
    plot.resize(800, 600);
    plot.setPoints(pts);
    QCOMPARE(plot.unmeasuredIndices(), (std::vector<int>{5, 6}));
    plot.plot()->replot();
    // Hovering where two points coincide lists both.
    const QPointF at(plot.plot()->xAxis->coordToPixel(3e8), plot.plot()->yAxis->coordToPixel(50.0));
    const std::vector<int> under = plot.pointsAt(at, 1.0);
    QCOMPARE(int(under.size()), 2);
    const QString text = plot.pointsText(under);
    QVERIFY(text.contains("int4 at width 1") && text.contains("int4+res8 at width 1"));
    QVERIFY(plot.pointText(2).contains("energy 100 µJ"));
    // The hollow points sit below every measured one.
    QVERIFY(plot.plot()->yAxis->range().lower < 50.0);
    // Linear and logarithmic cost axes, both labelled in units.
    QVERIFY(plot.isEnergyAxisLog());
    plot.setLogCostAxis(false);
    QVERIFY(!plot.isEnergyAxisLog());
    plot.plot()->replot();
    for (const QString& l : plot.plot()->xAxis->tickVectorLabels())
        QVERIFY2(l.endsWith("J"), qPrintable(l));
    QCOMPARE(plot.unmeasuredIndices().size(), size_t(2));
    // Width labels never overlap: of two coinciding points one is labelled; the legend sits beside
    // the axes, not over the data.
    plot.setLogCostAxis(true);
    QVERIFY(plot.widthLabelCount() < int(pts.size()) - 2);
    QVERIFY(plot.widthLabelCount() >= 3);
    QVERIFY(plot.plot()->legend->layout() != plot.plot()->axisRect()->insetLayout());
}

QTEST_MAIN(TestFrontierPlot)
#include "tst_frontier_plot.moc"
