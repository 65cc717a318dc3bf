// Axis tickers that label values through the one unit formatter (util/units.h): a log ticker with
// readable 1, 2, 5 x 10^n ticks (only 1 x 10^n when the range spans many decades) and a linear
// ticker, both labelled "386 µJ", "2.0 M" instead of "10^7" or "1·10^6". GUI thread only.
#pragma once

#include "util/units.h"

#include <qcustomplot.h>

namespace poq::ui {

class UnitLogTicker : public QCPAxisTicker {
public:
    explicit UnitLogTicker(Quantity q) : m_quantity(q) {}
    void setQuantity(Quantity q) { m_quantity = q; }

protected:
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override;
    QVector<double> createSubTickVector(int subTickCount, const QVector<double>& ticks) override;
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;

private:
    Quantity m_quantity;
};

class UnitTicker : public QCPAxisTicker {
public:
    explicit UnitTicker(Quantity q) : m_quantity(q) {}

protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;

private:
    Quantity m_quantity;
};

// The ticks a log axis over [lo, hi] shows (exposed for tests): 1, 2, 5 x 10^n inside the range,
// thinned to 1 x 10^n beyond four decades and to every other decade beyond twelve; never duplicates.
QVector<double> logTicks(double lo, double hi);

} // namespace poq::ui
