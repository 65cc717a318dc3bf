// Float quantizers by bit manipulation: round to nearest even into the target's exponent and
// mantissa range, with subnormals. fp16 and e5m2 overflow to infinity (IEEE-like); e4m3 has no
// infinities and saturates at 448 (OCP 8-bit floating point specification, 2023); bf16 keeps fp32's
// exponent range.
#include "formats/quantize.h"

#include <bit>
#include <cstdint>
#include <limits>

namespace poq {

namespace {

// Rounds |x| to a float with `mantissaBits` fraction bits and minimum normal exponent `minExp`
// (unbiased), to nearest even, including subnormals; no overflow handling.
float roundToGrid(float x, int mantissaBits, int minExp)
{
    if (x == 0.0f || std::isnan(x) || std::isinf(x))
        return x;
    const float ax = std::fabs(x);
    int exp = std::ilogb(ax);
    if (exp < minExp)
        exp = minExp; // subnormal range: fixed quantum
    const float quantum = std::ldexp(1.0f, exp - mantissaBits);
    const float q = std::nearbyint(ax / quantum) * quantum; // exact: power-of-two scaling
    return std::copysign(q, x);
}

} // namespace

float quantizeFp32(float x, float, bool) { return x; }

float quantizeBf16(float x, float, bool)
{
    uint32_t u = std::bit_cast<uint32_t>(x);
    // A NaN keeps its sign and becomes quiet with its low half cleared, so that storing the upper
    // half (the bf16 encoding) cannot turn a NaN with a low-half-only payload into infinity.
    if (std::isnan(x))
        return std::bit_cast<float>((u & 0xffff0000u) | 0x00400000u);
    const uint32_t lsb = (u >> 16) & 1u;
    u += 0x7fffu + lsb; // round to nearest even; overflow carries into the exponent (to inf)
    u &= 0xffff0000u;
    return std::bit_cast<float>(u);
}

float quantizeFp16(float x, float, bool)
{
    if (std::isnan(x) || std::isinf(x))
        return x;
    const float q = roundToGrid(x, 10, -14);
    // Values that round beyond the largest finite fp16 (65504) become infinity.
    if (std::fabs(q) > 65504.0f)
        return std::copysign(std::numeric_limits<float>::infinity(), x);
    return q;
}

float quantizeFp8E4M3(float x, float, bool)
{
    if (std::isnan(x))
        return x;
    if (std::isinf(x))
        return std::copysign(448.0f, x);
    const float q = roundToGrid(x, 3, -6);
    return std::fabs(q) > 448.0f ? std::copysign(448.0f, x) : q;
}

float quantizeFp8E5M2(float x, float, bool)
{
    if (std::isnan(x) || std::isinf(x))
        return x;
    const float q = roundToGrid(x, 2, -14);
    if (std::fabs(q) > 57344.0f)
        return std::copysign(std::numeric_limits<float>::infinity(), x);
    return q;
}

} // namespace poq
