// See fake_quant.h. The bodies live in fake_quant_impl.inc, built for each instruction set with the
// kernels; this picks the one the kernels use.
#include "engine/fake_quant.h"

#include "engine/kernels.h" // usingAvx2

namespace poq {

namespace kernels::generic {
void fakeQuantizeInt(float*, size_t, int, float, bool);
void fakeQuantizeFloat(float*, size_t, NumberFormat);
} // namespace kernels::generic
namespace kernels::avx2 {
void fakeQuantizeInt(float*, size_t, int, float, bool);
void fakeQuantizeFloat(float*, size_t, NumberFormat);
} // namespace kernels::avx2

void fakeQuantizeInt(float* v, size_t n, int bits, float scale, bool isUnsigned)
{
    kernels::usingAvx2() ? kernels::avx2::fakeQuantizeInt(v, n, bits, scale, isUnsigned)
                         : kernels::generic::fakeQuantizeInt(v, n, bits, scale, isUnsigned);
}

void fakeQuantizeFloat(float* v, size_t n, NumberFormat format)
{
    kernels::usingAvx2() ? kernels::avx2::fakeQuantizeFloat(v, n, format) : kernels::generic::fakeQuantizeFloat(v, n, format);
}

} // namespace poq
