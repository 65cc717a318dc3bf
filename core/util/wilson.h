// Confidence intervals for measured accuracy (a binomial proportion): accuracy is reported as
// correct / total with its 95 % Wilson score interval, which stays inside [0, 1] and behaves at 0 and n.
#pragma once

#include <cstdint>

namespace poq {

struct Interval {
    double lo = 0, hi = 0;
};

// Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22:
//   (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n),  p = correct / total, z = 1.959964.
// total == 0 gives {0, 1} (nothing known). Throws InputError unless 0 <= correct <= total.
Interval wilsonInterval95(int64_t correct, int64_t total);

} // namespace poq
