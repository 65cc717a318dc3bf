// Design-space exploration: the Pareto frontier against its O(n^2) definition, comparisons on
// synthetic frontiers with known answers, proxies, accuracy import, sweeps, cancel and CSV files.
#include "explore/csv.h"
#include "explore/pareto.h"
#include "explore/sweep.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "util/error.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using namespace poq;

namespace {

DesignPoint point(const std::string& strategy, double width, double energyPj, std::optional<double> accuracy)
{
    DesignPoint p;
    p.network = "net";
    p.strategy = strategy;
    p.width = width;
    p.energyPj = energyPj;
    p.accuracy = accuracy;
    p.latencyCycles = energyPj / 10;
    p.macs = int64_t(energyPj / 3);
    p.bops = energyPj * 2;
    p.weightBits = energyPj / 7;
    return p;
}

} // namespace

class TestExplore : public QObject {
    Q_OBJECT
private slots:
    void frontierMatchesReference();
    void frontierTiesAndMissingAccuracy();
    void isoAccuracyAndIsoEnergyKnownAnswers();
    void noOverlapAndMissingStrategy();
    void optimalRanges();
    void proxyDisagreement();
    void accuracyCsv_data();
    void accuracyCsv();
    void sweepCostsEveryPoint();
    void sweepCancel();
    void sweepBadInput_data();
    void sweepBadInput();
    void sweepCsvRoundTrip();
    void sweepCsvErrors_data();
    void sweepCsvErrors();
};

void TestExplore::frontierMatchesReference()
{
    std::mt19937 rng(5);
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<DesignPoint> pts;
        const int n = 1 + int(rng() % 40);
        for (int i = 0; i < n; ++i) {
            // Coarse values so that ties in cost and accuracy happen often.
            const double e = double(1 + rng() % 12) * 1e6;
            std::optional<double> a;
            if (rng() % 6)
                a = double(rng() % 10) / 10.0;
            pts.push_back(point("s" + std::to_string(rng() % 3), 1.0, e, a));
        }
        for (CostAxis axis : {CostAxis::Energy, CostAxis::Bops}) {
            const std::vector<int> fast = paretoFrontier(pts, axis), slow = paretoFrontierReference(pts, axis);
            QCOMPARE(fast, slow);
            // Independent of input order: shuffle and map back.
            std::vector<int> perm(pts.size());
            std::iota(perm.begin(), perm.end(), 0);
            std::shuffle(perm.begin(), perm.end(), rng);
            std::vector<DesignPoint> shuffled;
            for (int i : perm)
                shuffled.push_back(pts[i]);
            std::vector<int> back;
            for (int i : paretoFrontier(shuffled, axis))
                back.push_back(perm[i]);
            std::sort(back.begin(), back.end());
            std::vector<int> sortedFast = fast;
            std::sort(sortedFast.begin(), sortedFast.end());
            QCOMPARE(back, sortedFast);
        }
    }
}

void TestExplore::frontierTiesAndMissingAccuracy()
{
    const std::vector<DesignPoint> pts = {point("a", 1, 100, 0.5), point("b", 1, 100, 0.5), point("c", 1, 200, 0.5),
                                          point("d", 1, 50, std::nullopt), point("e", 1, 300, 0.9)};
    QCOMPARE(paretoFrontier(pts), (std::vector<int>{0, 1, 4})); // equal points both kept; c dominated; d unknown
    QVERIFY(paretoFrontier({point("x", 1, 1, std::nullopt)}).empty());
}

void TestExplore::isoAccuracyAndIsoEnergyKnownAnswers()
{
    // The candidate reaches every accuracy at a quarter of the baseline's energy.
    const std::vector<DesignPoint> pts = {point("fp16", 0.5, 1e6, 0.5), point("fp16", 1.0, 1e7, 0.7),
                                          point("int8", 0.5, 2.5e5, 0.5), point("int8", 1.0, 2.5e6, 0.7),
                                          point("int8", 0.25, 3e5, 0.4)}; // dominated: off its frontier
    const Comparison c = compareStrategies(pts, "fp16", "int8");
    QVERIFY(c.accuracyOverlap);
    QCOMPARE(c.overlapLo, 0.5);
    QCOMPARE(c.overlapHi, 0.7);
    QVERIFY(std::fabs(c.maxEnergyRatio - 4.0) < 1e-12);
    // Accuracy is linear in log-energy with slope 0.2 per decade: the gain is 0.2 x log10(4).
    QVERIFY(c.energyOverlap);
    QVERIFY(std::fabs(c.maxAccuracyGain - 0.2 * std::log10(4.0)) < 1e-12);
    QVERIFY(std::fabs(c.energyLo - 1e6) < 1e-3 && std::fabs(c.energyHi - 2.5e6) < 1e-3);
    const Frontier b = strategyFrontier(pts, "fp16"), d = strategyFrontier(pts, "int8");
    QVERIFY(std::fabs(*energyRatioAt(b, d, 0.6) - 4.0) < 1e-12);
    QVERIFY(!energyRatioAt(b, d, 0.8));
    QVERIFY(std::fabs(*accuracyGainAt(b, d, 2e6) - 0.2 * std::log10(4.0)) < 1e-12);
    QVERIFY(!accuracyGainAt(b, d, 1e5));

    // A ratio that changes along the overlap: the maximum sits on a breakpoint.
    const std::vector<DesignPoint> bent = {point("a", 1, 1e6, 0.5), point("a", 1, 1e8, 0.9), point("b", 1, 1e6, 0.6),
                                           point("b", 1, 1e7, 0.8), point("b", 1, 1e9, 0.9)};
    const Comparison k = compareStrategies(bent, "a", "b");
    // a: log E = 6 + (acc - 0.5) / 0.2; b: 6 + (acc - 0.6) / 0.2 up to 0.8, then 10x per 0.05:
    // the ratio is 10^0.5 on 0.6..0.8 and falls to 10^-1 at 0.9.
    QVERIFY(std::fabs(k.maxEnergyRatio - std::sqrt(10.0)) < 1e-9);
    QVERIFY(k.maxEnergyRatioAt >= 0.6 - 1e-12 && k.maxEnergyRatioAt <= 0.8 + 1e-12);
    QVERIFY(std::fabs(*energyRatioAt(strategyFrontier(bent, "a"), strategyFrontier(bent, "b"), 0.9) - 0.1) < 1e-12);
}

void TestExplore::noOverlapAndMissingStrategy()
{
    const std::vector<DesignPoint> pts = {point("a", 1, 1e6, 0.5), point("a", 2, 2e6, 0.6), point("b", 1, 1e9, 0.9),
                                          point("b", 2, 2e9, 0.95)};
    const Comparison c = compareStrategies(pts, "a", "b");
    QVERIFY(!c.accuracyOverlap);
    QVERIFY(!c.energyOverlap);
    QVERIFY_THROWS_EXCEPTION(InputError, compareStrategies(pts, "a", "int4"));
}

void TestExplore::optimalRanges()
{
    const std::vector<DesignPoint> pts = {point("int4", 1, 1e6, 0.5), point("int4", 2, 2e6, 0.6),
                                          point("int8", 1, 3e6, 0.7), point("fp16", 1, 1e7, 0.75),
                                          point("fp16", 0.5, 5e6, 0.55)};
    const std::vector<OptimalRange> r = poq::optimalRanges(pts);
    QCOMPARE(int(r.size()), 3);
    QCOMPARE(r[0].strategy, std::string("int4"));
    QCOMPARE(r[0].accuracyLo, 0.5);
    QCOMPARE(r[0].accuracyHi, 0.6);
    QCOMPARE(r[1].strategy, std::string("int8"));
    QCOMPARE(r[2].strategy, std::string("fp16"));
}

void TestExplore::proxyDisagreement()
{
    // By BOPs the middle point looks cheapest, but it costs the most energy.
    std::vector<DesignPoint> pts = {point("a", 1, 1e6, 0.5), point("b", 1, 2e6, 0.6), point("c", 1, 3e6, 0.6)};
    pts[2].bops = 1; // cheapest by the proxy
    const ProxyReport r = proxyReport(pts, CostAxis::Bops);
    QCOMPARE(r.pickedButRejected, std::vector<int>{2});
    QVERIFY(r.rankCorrelation < 1.0);
    std::vector<DesignPoint> same = {point("a", 1, 1e6, 0.5), point("b", 1, 2e6, 0.6), point("c", 1, 3e6, 0.7)};
    QCOMPARE(proxyReport(same, CostAxis::Bops).rankCorrelation, 1.0);
}

void TestExplore::accuracyCsv_data()
{
    QTest::addColumn<QString>("csv");
    QTest::addColumn<QString>("error"); // empty: loads
    const QString h = "network,width,strategy,accuracy\n";
    QTest::newRow("good") << h + "net,0.5,int8,0.7\nnet,1,int4+res8,0.8\n" << "";
    QTest::newRow("intervals") << "network,width,strategy,accuracy,accuracy_lo,accuracy_hi\nnet,1,fp16,0.7,0.69,0.71\n" << "";
    QTest::newRow("bad header") << "net,width,strategy,acc\nnet,1,int8,0.7\n" << "acc.csv:1: header must name the columns";
    QTest::newRow("not a number") << h + "net,1,int8,0.7\nnet,2,int8,high\n" << "acc.csv:3: accuracy: 'high' is not a number";
    QTest::newRow("out of range") << h + "net,1,int8,71.2\n" << "acc.csv:2: accuracy: must be a fraction in 0..1, got 71.2";
    QTest::newRow("negative") << h + "net,1,int8,-0.1\n" << "acc.csv:2: accuracy: must be a fraction in 0..1";
    QTest::newRow("duplicate") << h + "net,1,int8,0.7\nnet,1.0,int8,0.71\n" << "acc.csv:3: duplicate of line 2";
    QTest::newRow("canonical duplicate") << h + "net,1,int4+res8,0.7\nnet,1,int4+res8+fl8,0.71\n" << "acc.csv:3: duplicate of line 2";
    QTest::newRow("unknown strategy") << h + "net,1,int42,0.7\n" << "acc.csv:2: strategy: 'int42'";
    QTest::newRow("short row") << h + "net,1,int8\n" << "acc.csv:2: expected 4 cells, got 3";
    QTest::newRow("empty") << "" << "acc.csv: empty file";
    QTest::newRow("bad width") << h + "net,wide,int8,0.7\n" << "acc.csv:2: width: 'wide' is not a number";
}

void TestExplore::accuracyCsv()
{
    QFETCH(QString, csv);
    QFETCH(QString, error);
    try {
        const AccuracyTable t = AccuracyTable::parseCsv(csv.toStdString(), "acc.csv");
        QVERIFY2(error.isEmpty(), "accepted");
        QVERIFY(t.find("net", 1.0, "int4+res8") || t.find("net", 1.0, "fp16"));
    } catch (const InputError& e) {
        QVERIFY2(!error.isEmpty() && QString(e.what()).contains(error), e.what());
    }
}

void TestExplore::sweepCostsEveryPoint()
{
    const Sweep sweep(findZoo("mobilenetv2-fmnist")->build(), {0.5, 1.0, 2.0}, {"fp16", "int8", "int4+res8"});
    QCOMPARE(int(sweep.size()), 9);
    MappingCache cache;
    std::vector<DesignPoint> pts;
    std::atomic<int> calls{0};
    QVERIFY(sweep.cost(loadHardware("edge-npu"), Objective::Energy, cache, pts, [&](double) { ++calls; }));
    QCOMPARE(int(pts.size()), 9);
    QCOMPARE(calls.load(), 9);
    for (const DesignPoint& p : pts) {
        QVERIFY(p.energyPj > 0 && p.latencyCycles > 0 && p.macs > 0);
        QVERIFY(std::fabs(p.macPj + p.rfPj + p.sramPj + p.dramPj + p.otherPj - p.energyPj) < 1e-6 * p.energyPj);
    }
    // Energy grows with width for one strategy; int8 beats fp16 at every width.
    QVERIFY(pts[0].energyPj < pts[3].energyPj && pts[3].energyPj < pts[6].energyPj);
    QVERIFY(pts[1].energyPj < pts[0].energyPj);
    const AccuracyTable t = AccuracyTable::parseCsv(
        "network,width,strategy,accuracy\nmobilenetv2-fmnist,0.5,int8,0.85\nmobilenetv2-fmnist,1,int8,0.88\n"
        "mobilenetv2-fmnist,1,fp16,0.881\nother,1,int8,0.5\n",
        "acc.csv");
    applyAccuracy(pts, t);
    QCOMPARE(int(std::count_if(pts.begin(), pts.end(), [](const DesignPoint& p) { return p.accuracy.has_value(); })), 3);
    const std::vector<std::string> unmatched = t.unmatched(pts);
    QCOMPARE(int(unmatched.size()), 1);
    QVERIFY(QString::fromStdString(unmatched[0]).startsWith("acc.csv:5:"));
    QVERIFY(pts[1].pareto); // int8 at 0.5: the cheapest point with an accuracy
}

void TestExplore::sweepCancel()
{
    const Sweep sweep(findZoo("resnet18")->build(), {0.5, 0.75, 1.0, 1.25, 1.5, 2.0}, {"fp32", "int8", "int4"});
    CancelToken cancel;
    MappingCache cache;
    std::vector<DesignPoint> pts = {point("keep", 1, 1, 0.5)};
    const bool finished = sweep.cost(loadHardware("simd"), Objective::Energy, cache, pts, [&](double f) {
        if (f > 0.1)
            cancel.cancel();
    }, &cancel);
    QVERIFY(!finished);
    QCOMPARE(int(pts.size()), 1); // untouched
    QCOMPARE(pts[0].strategy, std::string("keep"));
}

void TestExplore::sweepBadInput_data()
{
    QTest::addColumn<QString>("widths");
    QTest::addColumn<QString>("strategies");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty widths") << "" << "int8" << "widths: the list is empty";
    QTest::newRow("width not a number") << "0.5,big" << "int8" << "widths: 'big' is not a number";
    QTest::newRow("width out of range") << "0.5,9" << "int8" << "width: must be in 0.1..4, got 9";
    QTest::newRow("empty strategies") << "0.5" << "" << "strategies: the list is empty";
    QTest::newRow("unknown strategy") << "0.5" << "int8,fp13" << "strategy: 'fp13': unknown format";
}

void TestExplore::sweepBadInput()
{
    QFETCH(QString, widths);
    QFETCH(QString, strategies);
    QFETCH(QString, error);
    try {
        Sweep(findZoo("cnn-fmnist")->build(), parseWidthList(widths.toStdString()),
              parseNameList(strategies.toStdString(), "strategies"));
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).contains(error), e.what());
    }
}

void TestExplore::sweepCsvRoundTrip()
{
    std::vector<DesignPoint> pts = {point("int8", 0.35, 123456.789, 0.7), point("fp16", 1.4, 1e9 / 3, std::nullopt)};
    pts[0].accuracyLo = 0.69;
    pts[0].accuracyHi = 0.71;
    pts[0].pareto = true;
    pts[1].network = "with, comma";
    pts.push_back(point("int8", 0.5, 2.5, std::nullopt)); // a lone CR ends a row; cells that hold one are quoted
    pts[2].network = "carriage\rreturn";
    pts[2].strategy = "odd,\"strategy\"";
    QTemporaryDir dir;
    const std::string path = dir.filePath("s.csv").toStdString();
    writeSweepCsv(pts, path);
    const std::vector<DesignPoint> back = readSweepCsv(path);
    QCOMPARE(back.size(), pts.size());
    for (size_t i = 0; i < pts.size(); ++i) {
        QCOMPARE(back[i].network, pts[i].network);
        QCOMPARE(back[i].strategy, pts[i].strategy);
        QCOMPARE(back[i].width, pts[i].width);
        QCOMPARE(back[i].energyPj, pts[i].energyPj);
        QCOMPARE(back[i].accuracy, pts[i].accuracy);
        QCOMPARE(back[i].pareto, pts[i].pareto);
        QCOMPARE(back[i].bops, pts[i].bops);
    }
    QCOMPARE(back[0].accuracyLo, pts[0].accuracyLo);
    QVERIFY(sweepToCsv(pts).rfind(kSweepColumns, 0) == 0);
}

void TestExplore::sweepCsvErrors_data()
{
    QTest::addColumn<QString>("csv");
    QTest::addColumn<QString>("error");
    const QString h = QString(kSweepColumns) + "\n";
    QTest::newRow("missing column") << "network,width\nnet,1\n" << "s.csv:1: missing column 'strategy'";
    QTest::newRow("bad energy") << h + "net,1,int8,0.5,,,abc,1,1,1,1,1,10,5,5,5,0,1\n" << "s.csv:2: energy_pj: 'abc' is not a number";
    QTest::newRow("zero energy") << h + "net,1,int8,0.5,,,0,1,1,1,1,1,10,5,5,5,0,1\n" << "s.csv:2: energy_pj: must be positive";
    QTest::newRow("accuracy percent") << h + "net,1,int8,75,,,9,1,1,1,1,1,10,5,5,5,0,1\n" << "s.csv:2: accuracy: must be a fraction";
    QTest::newRow("unterminated quote") << h + "\"net,1,int8\n" << "s.csv:2: unterminated quote";
    QTest::newRow("ragged row") << h + "net,1,int8\n" << "s.csv:2: expected 18 cells, got 3";
}

void TestExplore::sweepCsvErrors()
{
    QFETCH(QString, csv);
    QFETCH(QString, error);
    try {
        parseSweepCsv(csv.toStdString(), "s.csv");
        QFAIL("accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).contains(error), e.what());
    }
}

QTEST_APPLESS_MAIN(TestExplore)
#include "tst_explore.moc"
