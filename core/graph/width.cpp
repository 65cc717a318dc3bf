// Width multiplier rounding.
#include "graph/width.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace poq {

int makeDivisible(double value, int divisor, int minValue)
{
    int rounded = std::max(minValue, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
    if (rounded < 0.9 * value)
        rounded += divisor;
    return rounded;
}

void checkWidth(double width)
{
    if (!(width >= kMinWidth - 1e-12 && width <= kMaxWidth + 1e-12)) {
        std::ostringstream ss;
        ss << "width: must be in " << kMinWidth << ".." << kMaxWidth << ", got " << width;
        throw InputError(ss.str());
    }
}

std::string widthText(double width)
{
    std::ostringstream ss;
    ss << width;
    return ss.str();
}

} // namespace poq
