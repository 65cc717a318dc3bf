// The width multiplier: channel scaling with the MobileNet rounding convention.
#pragma once

#include <string>

namespace poq {

inline constexpr double kMinWidth = 0.1;
inline constexpr double kMaxWidth = 4.0;

// Nearest multiple of `divisor` to `value`, at least `minValue`, and never more than 10 % below
// `value` (MobileNet reference implementation, Sandler et al. 2018).
int makeDivisible(double value, int divisor = 8, int minValue = 8);

// Throws InputError("width: must be in 0.1..4, got X") outside the range.
void checkWidth(double width);

// 0.5 -> "0.5", 1.0 -> "1" (as in file names and messages).
std::string widthText(double width);

} // namespace poq
