// The one unit formatter: prefixes, rounding at the prefix boundaries, signs and odd values.
#include "util/units.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace poq;

class TestUnits : public QObject {
    Q_OBJECT
private slots:
    void format_data();
    void format();
    void duration();
};

void TestUnits::format_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("quantity");
    QTest::addColumn<QString>("text");
    const int E = int(Quantity::Energy), C = int(Quantity::Cycles), B = int(Quantity::Bytes), b = int(Quantity::Bits),
              N = int(Quantity::Count), D = int(Quantity::EnergyDelay);
    QTest::newRow("0 pJ") << 0.0 << E << "0 pJ";
    QTest::newRow("870 pJ") << 870.0 << E << "870 pJ";
    QTest::newRow("386412.35 uJ") << 386412.35e6 << E << "386 mJ";
    QTest::newRow("2706 uJ") << 2706425480.0 << E << "2.71 mJ";
    QTest::newRow("12.97 uJ") << 12968000.0 << E << "13.0 µJ";
    QTest::newRow("999.7 nJ rounds up") << 999700.0 << E << "1.00 µJ";
    QTest::newRow("0.5 pJ") << 0.5 << E << "500 fJ";
    QTest::newRow("negative") << -2500.0 << E << "-2.50 nJ";
    QTest::newRow("4 GiB") << 4294967296.0 << B << "4.00 GiB";
    QTest::newRow("256 KiB") << 262144.0 << B << "256 KiB";
    QTest::newRow("92.2 kB of weights") << 92216.0 << B << "90.1 KiB";
    QTest::newRow("330 kbit") << 329728.0 << b << "330 kbit";
    QTest::newRow("2.28 M cycles") << 2275950.0 << C << "2.28 M cycles";
    QTest::newRow("301 M MACs") << 300774272.0 << N << "301 M";
    QTest::newRow("count below 1000") << 42.0 << N << "42.0";
    QTest::newRow("EDP") << 6.16e15 << D << "6.16 kJ·cycle";
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << E << "n/a";
    QTest::newRow("inf") << std::numeric_limits<double>::infinity() << E << "inf";
    QTest::newRow("beyond the prefixes") << 5e15 << E << "5000 J";
}

void TestUnits::format()
{
    QFETCH(double, value);
    QFETCH(int, quantity);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(formatQuantity(value, Quantity(quantity))), text);
}

void TestUnits::duration()
{
    QCOMPARE(QString::fromStdString(formatDuration(2275950, 1000)), QString("2.28 ms"));
    QCOMPARE(QString::fromStdString(formatDuration(200, 200)), QString("1.00 µs"));
    QCOMPARE(QString::fromStdString(formatDuration(5, 0)), QString("0 ns"));
}

QTEST_APPLESS_MAIN(TestUnits)
#include "tst_units.moc"
