// Fast fake quantization of a whole tensor onto an integer grid, equal to the reference
// quantizeInt (formats/quantize.h) element for element: the quotient is taken in double like the
// reference, clamped to the integer range, then rounded half to even with the 1.5 x 2^52 trick,
// which compiles to plain SSE2 vector code (no libm call per element).
#pragma once

#include <cstddef>

namespace poq {

void fakeQuantizeInt(float* values, size_t count, int bits, float scale, bool isUnsigned);

} // namespace poq
