// One formatter for the quantities a person reads: energy (pJ -> nJ -> µJ -> mJ -> J), cycles and
// time, memory (B, KiB, MiB, GiB), bits (bit, kbit, Mbit) and counts (k, M, G, T), with three
// significant digits. Plot axes, tooltips, the breakdown, the hardware panel and the status bar all
// format through it, so a value reads the same everywhere.
#pragma once

#include <string>

namespace poq {

enum class Quantity {
    Energy,       // value in pJ
    EnergyDelay,  // pJ x cycles
    Cycles,       // clock cycles
    Bytes,        // binary prefixes
    Bits,         // decimal prefixes
    Count,        // decimal prefixes, no unit
};

// "386 µJ", "1.23 mJ", "870 pJ", "256 KiB", "4.00 GiB", "330 kbit", "301 M": the prefix that puts the
// mantissa in [1, 1000), three significant digits; negative values keep their sign; 0 reads "0 pJ".
std::string formatQuantity(double value, Quantity q);

// Cycles as time at a clock: "2.28 ms" (the clock in MHz).
std::string formatDuration(double cycles, double clockMhz);

// The unit a base value of q is written in ("pJ", "cycles", "B", "bit", "").
const char* baseUnit(Quantity q);

} // namespace poq
