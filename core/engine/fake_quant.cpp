// See fake_quant.h.
#include "engine/fake_quant.h"

namespace poq {

void fakeQuantizeInt(float* v, size_t n, int bits, float scale, bool isUnsigned)
{
    if (!(scale > 0.0f)) {
        for (size_t i = 0; i < n; ++i)
            v[i] = 0.0f;
        return;
    }
    const double lo = isUnsigned ? 0.0 : -double((1 << (bits - 1)) - 1);
    const double hi = isUnsigned ? double((1 << bits) - 1) : double((1 << (bits - 1)) - 1);
    const double s = scale;
    constexpr double kMagic = 6755399441055744.0; // 1.5 x 2^52: adding it rounds to an integer, ties to even
    for (size_t i = 0; i < n; ++i) {
        double q = double(v[i]) / s;
        q = q == q ? q : 0.0; // NaN -> 0, as the reference
        q = q < lo ? lo : q;
        q = q > hi ? hi : q;
        q = (q + kMagic) - kMagic;
        v[i] = float(q * s);
    }
}

} // namespace poq
