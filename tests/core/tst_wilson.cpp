// The 95 % Wilson score interval: published values, its invariants, and bad counts.
#include "util/error.h"
#include "util/wilson.h"

#include <QtTest>

using namespace poq;

class TestWilson : public QObject {
    Q_OBJECT
private slots:
    void knownValues_data();
    void knownValues();
    void containsEstimateAndTightens();
    void badCounts_data();
    void badCounts();
};

void TestWilson::knownValues_data()
{
    QTest::addColumn<qint64>("correct");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    // Four-decimal values as any statistics package prints them (e.g. R's binom.confint, "wilson").
    QTest::newRow("0 of 10") << qint64(0) << qint64(10) << 0.0 << 0.2775;
    QTest::newRow("5 of 10") << qint64(5) << qint64(10) << 0.2366 << 0.7634;
    QTest::newRow("10 of 10") << qint64(10) << qint64(10) << 0.7225 << 1.0;
    QTest::newRow("8000 of 10000") << qint64(8000) << qint64(10000) << 0.7921 << 0.8078;
    QTest::newRow("1 of 1") << qint64(1) << qint64(1) << 0.2065 << 1.0;
    QTest::newRow("nothing seen") << qint64(0) << qint64(0) << 0.0 << 1.0;
}

void TestWilson::knownValues()
{
    QFETCH(qint64, correct);
    QFETCH(qint64, total);
    QFETCH(double, lo);
    QFETCH(double, hi);
    const Interval ci = wilsonInterval95(correct, total);
    QVERIFY2(std::abs(ci.lo - lo) < 1e-4, qPrintable(QString::number(ci.lo, 'f', 6)));
    QVERIFY2(std::abs(ci.hi - hi) < 1e-4, qPrintable(QString::number(ci.hi, 'f', 6)));
    if (correct == 0)
        QCOMPARE(ci.lo, 0.0);
    if (correct == total)
        QCOMPARE(ci.hi, 1.0);
}

void TestWilson::containsEstimateAndTightens()
{
    // Progressive evaluation: at a fixed accuracy, more images give a narrower interval around it.
    double width = 1.0;
    for (qint64 total : {10, 100, 1000, 10000, 100000, 1000000}) {
        const qint64 correct = total * 9 / 10;
        const Interval ci = wilsonInterval95(correct, total);
        QVERIFY(ci.lo >= 0.0 && ci.lo < 0.9 && 0.9 < ci.hi && ci.hi <= 1.0);
        QVERIFY(ci.hi - ci.lo < width);
        width = ci.hi - ci.lo;
    }
    QVERIFY(width < 0.002);
}

void TestWilson::badCounts_data()
{
    QTest::addColumn<qint64>("correct");
    QTest::addColumn<qint64>("total");
    QTest::newRow("more correct than total") << qint64(11) << qint64(10);
    QTest::newRow("negative correct") << qint64(-1) << qint64(10);
    QTest::newRow("negative total") << qint64(0) << qint64(-1);
}

void TestWilson::badCounts()
{
    QFETCH(qint64, correct);
    QFETCH(qint64, total);
    QVERIFY_THROWS_EXCEPTION(InputError, wilsonInterval95(correct, total));
}

QTEST_APPLESS_MAIN(TestWilson)
#include "tst_wilson.moc"
