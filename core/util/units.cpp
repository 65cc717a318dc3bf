// The unit formatter: pick the prefix that puts the mantissa in [1, 1000) and print three
// significant digits.
#include "util/units.h"

#include <cmath>
#include <cstdio>

namespace poq {

namespace {

struct Prefix {
    double scale;
    const char* unit;
};

std::string withPrefix(double value, const Prefix* prefixes, int n)
{
    if (!std::isfinite(value))
        return std::isnan(value) ? "n/a" : value > 0 ? "inf" : "-inf";
    const double a = std::fabs(value);
    int k = 0;
    // The largest prefix that keeps the mantissa at or above 1 (rounded to three digits); zero
    // takes the base unit.
    for (int i = 0; i < n; ++i)
        if (a == 0 ? prefixes[i].scale == 1 : a >= prefixes[i].scale * 0.9995)
            k = i;
    double m = value / prefixes[k].scale;
    if (std::fabs(m) >= 999.5 && k + 1 < n) { // 999.7 rounds to 1000: move up a prefix
        ++k;
        m = value / prefixes[k].scale;
    }
    const double am = std::fabs(m);
    const int decimals = am == 0 ? 0 : am < 9.995 ? 2 : am < 99.95 ? 1 : 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f%s%s", decimals, m, prefixes[k].unit[0] ? " " : "", prefixes[k].unit);
    return buf;
}

} // namespace

std::string formatQuantity(double value, Quantity q)
{
    static const Prefix energy[] = {{1e-3, "fJ"}, {1, "pJ"}, {1e3, "nJ"}, {1e6, "µJ"}, {1e9, "mJ"}, {1e12, "J"}};
    static const Prefix edp[] = {{1, "pJ·cycle"}, {1e3, "nJ·cycle"}, {1e6, "µJ·cycle"}, {1e9, "mJ·cycle"},
                                 {1e12, "J·cycle"}, {1e15, "kJ·cycle"}, {1e18, "MJ·cycle"}};
    static const Prefix cycles[] = {{1, "cycles"}, {1e3, "k cycles"}, {1e6, "M cycles"}, {1e9, "G cycles"},
                                    {1e12, "T cycles"}};
    static const Prefix bytes[] = {{1, "B"}, {1024, "KiB"}, {1048576, "MiB"}, {1073741824.0, "GiB"},
                                   {1099511627776.0, "TiB"}};
    static const Prefix bits[] = {{1, "bit"}, {1e3, "kbit"}, {1e6, "Mbit"}, {1e9, "Gbit"}, {1e12, "Tbit"}};
    static const Prefix count[] = {{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}, {1e15, "P"}};
    switch (q) {
    case Quantity::Energy: return withPrefix(value, energy, 6);
    case Quantity::EnergyDelay: return withPrefix(value, edp, 7);
    case Quantity::Cycles: return withPrefix(value, cycles, 5);
    case Quantity::Bytes: return withPrefix(value, bytes, 5);
    case Quantity::Bits: return withPrefix(value, bits, 5);
    case Quantity::Count: return withPrefix(value, count, 6);
    }
    return withPrefix(value, count, 6);
}

std::string formatDuration(double cycles, double clockMhz)
{
    static const Prefix time[] = {{1e-3, "ps"}, {1, "ns"}, {1e3, "µs"}, {1e6, "ms"}, {1e9, "s"}};
    return withPrefix(clockMhz > 0 ? cycles * 1e3 / clockMhz : 0.0, time, 5); // ns
}

const char* baseUnit(Quantity q)
{
    switch (q) {
    case Quantity::Energy: return "pJ";
    case Quantity::EnergyDelay: return "pJ·cycle";
    case Quantity::Cycles: return "cycles";
    case Quantity::Bytes: return "B";
    case Quantity::Bits: return "bit";
    case Quantity::Count: return "";
    }
    return "";
}

} // namespace poq
