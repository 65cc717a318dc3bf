// Unit tickers: tick positions for log axes, labels through formatQuantity.
#include "plots/unit_ticker.h"

#include <cmath>

namespace poq::ui {

QVector<double> logTicks(double lo, double hi)
{
    QVector<double> ticks;
    if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi))
        return ticks;
    const int first = int(std::floor(std::log10(lo))), last = int(std::ceil(std::log10(hi)));
    const int decades = last - first;
    const int every = decades > 12 ? 2 : 1;
    const bool fine = decades <= 4;
    for (int e = first; e <= last; ++e) {
        if (e % every != 0)
            continue;
        const double base = std::pow(10.0, e);
        for (double m : {1.0, 2.0, 5.0}) {
            if (m != 1.0 && !fine)
                continue;
            const double t = m * base;
            if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9))
                ticks << t;
        }
    }
    return ticks;
}

QVector<double> UnitLogTicker::createTickVector(double, const QCPRange& range) { return logTicks(range.lower, range.upper); }

QVector<double> UnitLogTicker::createSubTickVector(int, const QVector<double>&) { return {}; }

namespace {

// Ticks sit on round values: "1 mJ", "50 µJ", "2.5 M" rather than "1.00 mJ".
QString compact(double value, Quantity q)
{
    QString s = QString::fromStdString(formatQuantity(value, q));
    const int space = s.indexOf(' ');
    QString number = space < 0 ? s : s.left(space);
    if (number.contains('.')) {
        while (number.endsWith('0'))
            number.chop(1);
        if (number.endsWith('.'))
            number.chop(1);
    }
    return space < 0 ? number : number + s.mid(space);
}

} // namespace

QString UnitLogTicker::getTickLabel(double tick, const QLocale&, QChar, int) { return compact(tick, m_quantity); }

QString UnitTicker::getTickLabel(double tick, const QLocale&, QChar, int) { return compact(tick, m_quantity); }

} // namespace poq::ui
