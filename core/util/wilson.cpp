// 95 % Wilson score interval; see wilson.h for the formula and its source.
#include "util/wilson.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace poq {

namespace {
constexpr double kZ95 = 1.959963984540054; // the 97.5th percentile of the standard normal
}

Interval wilsonInterval95(int64_t correct, int64_t total)
{
    if (total < 0 || correct < 0 || correct > total)
        throw InputError("wilsonInterval95: correct " + std::to_string(correct) + " and total "
                         + std::to_string(total) + " must satisfy 0 <= correct <= total");
    if (total == 0)
        return {0.0, 1.0};
    const double n = double(total);
    const double p = double(correct) / n;
    const double z2 = kZ95 * kZ95;
    const double denominator = 1.0 + z2 / n;
    const double centre = (p + z2 / (2.0 * n)) / denominator;
    const double halfWidth = kZ95 * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;
    // At 0 and n the bounds are exactly 0 and 1; rounding must not nudge them off.
    return {correct == 0 ? 0.0 : std::max(0.0, centre - halfWidth),
            correct == total ? 1.0 : std::min(1.0, centre + halfWidth)};
}

} // namespace poq
