// Fast fake quantization of a whole tensor onto an integer grid, equal to the reference
// quantizeInt (formats/quantize.h) element for element: the quotient is taken in double like the
// reference, clamped to the integer range, then rounded half to even with the 1.5 x 2^52 trick,
// which compiles to plain SSE2 vector code (no libm call per element).
#pragma once

#include "formats/number_format.h"

#include <cstddef>

namespace poq {

void fakeQuantizeInt(float* values, size_t count, int bits, float scale, bool isUnsigned);

// Float formats (bf16, fp16, fp8 e4m3/e5m2), equal to the format's reference quantizer bit for bit:
// rounding to nearest even by integer arithmetic on the bit pattern (normal range) or by adding and
// subtracting a power of two (the target's subnormals); magnitudes from 2^emax up, infinities and NaN
// take the reference path, so no overflow rule is duplicated here. fp32 is left as it is.
void fakeQuantizeFloat(float* values, size_t count, NumberFormat format);

} // namespace poq
