// Reference quantizers of the number formats (float in, nearest representable float out).
#pragma once

#include <cmath>

namespace poq {

float quantizeFp32(float x, float scale, bool isUnsigned);
float quantizeBf16(float x, float scale, bool isUnsigned);
float quantizeFp16(float x, float scale, bool isUnsigned);
float quantizeFp8E4M3(float x, float scale, bool isUnsigned);
float quantizeFp8E5M2(float x, float scale, bool isUnsigned);

// Integer grid: round half to even of x / scale, saturate to [-(2^(b-1)-1), 2^(b-1)-1] (signed,
// symmetric) or [0, 2^b - 1] (unsigned), times scale. A non-positive scale yields 0.
// The quotient is taken in double: a float quotient can round a value just below a tie onto it
// (0.35f / 0.1f is 3.49999989 but 3.5 in float, which then went to 4). Two floats' quotient near a
// half-integer k + 1/2 (|k| < 2^17) is at least 2^-26 away from it unless exact, far above double's
// error; k * scale is exact in double and rounds once to float.
template <int Bits>
float quantizeInt(float x, float scale, bool isUnsigned)
{
    if (!(scale > 0.0f))
        return 0.0f;
    const double lo = isUnsigned ? 0.0 : -static_cast<double>((1 << (Bits - 1)) - 1);
    const double hi = isUnsigned ? static_cast<double>((1 << Bits) - 1) : static_cast<double>((1 << (Bits - 1)) - 1);
    double q = std::nearbyint(static_cast<double>(x) / scale); // default rounding mode: half to even
    if (std::isnan(q))
        q = 0.0;
    q = q < lo ? lo : (q > hi ? hi : q);
    return static_cast<float>(q * scale);
}

} // namespace poq
