// See fake_quant.h.
#include "engine/fake_quant.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

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

void fakeQuantizeFloat(float* v, size_t n, NumberFormat format)
{
    const FormatInfo& f = formatInfo(format);
    if (f.family != FormatFamily::Float || f.mantissaBits >= 23)
        return;
    const int m = f.mantissaBits, minExp = 2 - (1 << (f.exponentBits - 1)), emax = (1 << (f.exponentBits - 1)) - 1;
    const uint32_t shift = uint32_t(23 - m), half = (1u << (shift - 1)) - 1u, mask = ~((1u << shift) - 1u);
    const uint32_t minNormal = uint32_t(minExp + 127) << 23; // bits of 2^minExp
    const uint32_t limit = uint32_t(emax + 127) << 23;       // bits of 2^emax
    const float magic = std::ldexp(1.0f, minExp - m + 23);  // its ulp is the subnormal quantum
    constexpr size_t kChunk = 256;
    float out[kChunk];
    for (size_t first = 0; first < n; first += kChunk) {
        const size_t len = std::min(kChunk, n - first);
        const float* x = v + first;
        uint32_t slow = 0;
        for (size_t i = 0; i < len; ++i) {
            const uint32_t u = std::bit_cast<uint32_t>(x[i]), a = u & 0x7fffffffu;
            const uint32_t normal = (a + half + ((a >> shift) & 1u)) & mask;
            const float af = std::bit_cast<float>(a);
            const uint32_t sub = std::bit_cast<uint32_t>((af + magic) - magic);
            out[i] = std::bit_cast<float>((a < minNormal ? sub : normal) | (u & 0x80000000u));
            slow |= uint32_t(a >= limit);
        }
        if (slow)
            for (size_t i = 0; i < len; ++i)
                if ((std::bit_cast<uint32_t>(x[i]) & 0x7fffffffu) >= limit)
                    out[i] = f.quantize(x[i], 1.0f, false);
        std::copy_n(out, len, v + first);
    }
}

} // namespace poq
