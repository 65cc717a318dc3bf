// The number-format table and its reference quantizers, checked against references that share no
// code with them: every fp16, bf16 and fp8 code round-trips, fp16 rounding equals the compiler's
// _Float16 conversion, bf16 equals a bit-level rounder, fp8 equals a brute-force nearest-value
// search over codes decoded per the OCP 8-bit floating point specification (2023), and the integer
// grid keeps its half-to-even, saturation and scale rules.
#include "formats/number_format.h"
#include "formats/quantize.h"

#include <QtTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace poq;

// A format added to the enum but not counted breaks the build here, not at run time.
static_assert(static_cast<int>(NumberFormat::INT16) + 1 == kNumberFormatCount);

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kMaxFloat = std::numeric_limits<float>::max();
constexpr float kMinSubnormalFloat = std::numeric_limits<float>::denorm_min();

float fromBits(uint32_t u) { return std::bit_cast<float>(u); }
uint32_t toBits(float x) { return std::bit_cast<uint32_t>(x); }

// Equal bit for bit (-0 differs from +0), except that any NaN equals any NaN: the quantizers
// promise "NaN stays NaN", not a payload.
bool sameFloat(float a, float b) { return (std::isnan(a) && std::isnan(b)) || toBits(a) == toBits(b); }

QString show(float x)
{
    return QStringLiteral("%1 (0x%2)").arg(double(x), 0, 'g', 9).arg(toBits(x), 8, 16, QLatin1Char('0'));
}

using Quantizer = float (*)(float, float, bool);

// Compares q with `reference` on every x; returns an empty string, or the count and first mismatch.
template <class Reference>
QString mismatches(const std::vector<float>& xs, Quantizer q, Reference reference)
{
    qsizetype count = 0;
    QString first;
    for (float x : xs) {
        const float got = q(x, 1.0f, false);
        const float want = reference(x);
        if (!sameFloat(got, want) && count++ == 0)
            first = QStringLiteral("x = %1: got %2, want %3").arg(show(x), show(got), show(want));
    }
    return count == 0 ? QString() : QStringLiteral("%1 of %2 differ; first %3").arg(count).arg(xs.size()).arg(first);
}

// ---- Independent references ------------------------------------------------------------------

// The compiler's half type: _Float16 (GCC; clang 15 and later on x86), else clang's __fp16, which has
// the same conversions (from compiler-rt, see tests/CMakeLists.txt) but cannot be returned by value.
#if defined(__clang__) && !defined(__FLT16_MAX__)
using Half = __fp16;
#else
using Half = _Float16;
#endif

// The compiler's conversion (round to nearest even, subnormals, overflow to inf).
float viaFloat16(float x)
{
    const Half h = static_cast<Half>(x);
    return static_cast<float>(h);
}

// The value of a half-precision code, as the compiler reads it.
float fromHalfBits(uint16_t code)
{
    Half h;
    std::memcpy(&h, &code, sizeof h);
    return static_cast<float>(h);
}

// bf16 by integer arithmetic on the upper half: keep it, add one if the dropped half is above
// 0x8000, or exactly 0x8000 with an odd upper half. A carry out of the mantissa is the next binade
// or infinity, as in IEEE rounding.
float bf16Reference(float x)
{
    if (std::isnan(x))
        return x;
    uint32_t upper = toBits(x) >> 16;
    const uint32_t dropped = toBits(x) & 0xffffu;
    if (dropped > 0x8000u || (dropped == 0x8000u && (upper & 1u)))
        ++upper;
    return fromBits(upper << 16);
}

// A small float layout: widths, and where the specials live. IEEE-like layouts (fp16, e5m2) give the
// all-ones exponent to inf and NaN; OCP e4m3 gives only S.1111.111 to NaN and has no infinity.
struct MiniFloat {
    int exponentBits;
    int mantissaBits;
    bool ieeeSpecials; // also: values beyond the largest finite one overflow to inf instead of saturating
};
constexpr MiniFloat kFp16Layout{5, 10, true};
constexpr MiniFloat kE5M2Layout{5, 2, true};
constexpr MiniFloat kE4M3Layout{4, 3, false};

MiniFloat layoutOf(NumberFormat f)
{
    return f == NumberFormat::FP16 ? kFp16Layout : f == NumberFormat::FP8E5M2 ? kE5M2Layout : kE4M3Layout;
}

float decode(uint32_t code, MiniFloat f)
{
    const int bias = (1 << (f.exponentBits - 1)) - 1;
    const uint32_t mantissaMask = (1u << f.mantissaBits) - 1;
    const uint32_t exponentMax = (1u << f.exponentBits) - 1;
    const bool negative = (code >> (f.exponentBits + f.mantissaBits)) & 1u;
    const uint32_t e = (code >> f.mantissaBits) & exponentMax;
    const uint32_t m = code & mantissaMask;
    double v;
    if (f.ieeeSpecials && e == exponentMax)
        v = m != 0 ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
    else if (!f.ieeeSpecials && e == exponentMax && m == mantissaMask)
        v = std::numeric_limits<double>::quiet_NaN();
    else if (e == 0)
        v = std::ldexp(double(m), 1 - bias - f.mantissaBits); // subnormal: 2^(1-bias) * m / 2^mantissaBits
    else
        v = std::ldexp(double(m | (mantissaMask + 1)), int(e) - bias - f.mantissaBits);
    return static_cast<float>(negative ? -v : v);
}

struct Code {
    double value;
    uint32_t code;
};

// The non-negative finite values of a layout in ascending order, each with its code (the codes of
// adjacent values differ by one, so exactly one of a tied pair is even). IEEE-like layouts get one
// more entry: the power of two past the largest value, standing for infinity, because IEEE rounds
// as if the exponent were unbounded and then overflows.
std::vector<Code> ascendingCodes(MiniFloat f)
{
    std::vector<Code> codes;
    const uint32_t signBit = 1u << (f.exponentBits + f.mantissaBits);
    for (uint32_t c = 0; c < signBit; ++c) {
        const float v = decode(c, f);
        if (std::isfinite(v))
            codes.push_back({v, c});
    }
    if (f.ieeeSpecials)
        codes.push_back({std::ldexp(1.0, (1 << (f.exponentBits - 1))), signBit - (1u << f.mantissaBits)});
    return codes;
}

// The nearest code to x by trying them all, ties to the even code; beyond the top, the top code
// (e4m3 saturates; for IEEE-like layouts the top entry is infinity).
float nearestByBruteForce(float x, const std::vector<Code>& codes, MiniFloat f)
{
    if (std::isnan(x))
        return x;
    const double ax = std::fabs(double(x));
    const Code* best = &codes.back();
    if (ax < best->value) {
        double bestDistance = std::numeric_limits<double>::infinity();
        for (const Code& c : codes) {
            const double d = std::fabs(ax - c.value);
            if (d < bestDistance || (d == bestDistance && (c.code & 1u) == 0)) {
                best = &c;
                bestDistance = d;
            }
        }
    }
    const bool isInf = f.ieeeSpecials && best == &codes.back();
    return std::copysign(isInf ? kInf : float(best->value), x);
}

// ---- Inputs ----------------------------------------------------------------------------------

// Floats with a uniformly drawn exponent in [minExp, maxExp], random fraction and sign, so every
// binade is sampled as often as every other (uniform reals would almost all be huge).
void addRandomFloats(std::vector<float>& xs, std::mt19937& rng, int count, int minExp, int maxExp)
{
    std::uniform_int_distribution<int> exponent(minExp, maxExp);
    std::uniform_int_distribution<uint32_t> fraction(0, (1u << 23) - 1);
    for (int i = 0; i < count; ++i) {
        const float m = 1.0f + float(fraction(rng)) / float(1u << 23);
        xs.push_back((rng() & 1u ? -1.0f : 1.0f) * std::ldexp(m, exponent(rng)));
    }
}

// Raw 32-bit patterns: the full exponent range, subnormals, infinities and NaNs.
void addRandomBitPatterns(std::vector<float>& xs, std::mt19937& rng, int count)
{
    for (int i = 0; i < count; ++i)
        xs.push_back(fromBits(uint32_t(rng())));
}

// Every halfway point between adjacent codes (exact in float) and one float step either side.
void addMidpoints(std::vector<float>& xs, const std::vector<Code>& codes)
{
    for (size_t i = 0; i + 1 < codes.size(); ++i) {
        const float mid = float((codes[i].value + codes[i + 1].value) / 2);
        for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, kInf)}) {
            xs.push_back(x);
            xs.push_back(-x);
        }
    }
}

void addSpecials(std::vector<float>& xs)
{
    xs.insert(xs.end(), {0.0f, -0.0f, kInf, -kInf, kNaN, -kNaN, kMaxFloat, -kMaxFloat, kMinSubnormalFloat,
                         -kMinSubnormalFloat, std::numeric_limits<float>::min()});
}

} // namespace

class TestFormats : public QObject {
    Q_OBJECT
private slots:
    void tableIsInEnumOrder();
    void tableRows_data();
    void tableRows();
    void aliases_data();
    void aliases();
    void fp16RoundTripsEveryCode();
    void bf16RoundTripsEveryCode();
    void fp16Edges_data();
    void fp16Edges();
    void fp16MatchesFloat16Conversion();
    void bf16Edges_data();
    void bf16Edges();
    void bf16MatchesBitReference();
    void fp8RoundTripsEveryCode_data();
    void fp8RoundTripsEveryCode();
    void fp8SpecValues_data();
    void fp8SpecValues();
    void fp8Overflow_data();
    void fp8Overflow();
    void fp8MatchesBruteForce_data();
    void fp8MatchesBruteForce();
    void intRounding_data();
    void intRounding();
    void intGridProperties_data();
    void intGridProperties();
};

// ---- Table -----------------------------------------------------------------------------------

void TestFormats::tableIsInEnumOrder()
{
    QCOMPARE(int(allFormats().size()), kNumberFormatCount);
    std::set<std::string> names;
    for (int i = 0; i < kNumberFormatCount; ++i) {
        const FormatInfo& f = allFormats()[i];
        QCOMPARE(int(f.id), i);
        QVERIFY(&formatInfo(NumberFormat(i)) == &f);
        QVERIFY2(names.insert(f.name).second, f.name);
        QVERIFY2(findFormat(f.name) == &f, f.name);
        QVERIFY(f.quantize != nullptr);
    }
    QCOMPARE(int(allComputeClasses().size()), kComputeClassCount);
    for (int i = 0; i < kComputeClassCount; ++i)
        QCOMPARE(int(computeClassInfo(ComputeClass(i)).id), i);
}

void TestFormats::tableRows_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("bits");
    QTest::addColumn<bool>("isFloat");
    QTest::addColumn<int>("exponentBits");
    QTest::addColumn<int>("mantissaBits");
    QTest::newRow("fp32") << "fp32" << 32 << true << 8 << 23;
    QTest::newRow("bf16") << "bf16" << 16 << true << 8 << 7;
    QTest::newRow("fp16") << "fp16" << 16 << true << 5 << 10;
    QTest::newRow("fp8e4m3") << "fp8e4m3" << 8 << true << 4 << 3;
    QTest::newRow("fp8e5m2") << "fp8e5m2" << 8 << true << 5 << 2;
    for (int bits = 2; bits <= 16; ++bits) {
        const QString name = QStringLiteral("int%1").arg(bits);
        QTest::newRow(qPrintable(name)) << name << bits << false << 0 << 0;
    }
}

void TestFormats::tableRows()
{
    QFETCH(QString, name);
    QFETCH(int, bits);
    QFETCH(bool, isFloat);
    QFETCH(int, exponentBits);
    QFETCH(int, mantissaBits);
    const FormatInfo* f = findFormat(name.toStdString());
    QVERIFY(f != nullptr);
    QCOMPARE(f->bits, bits);
    QCOMPARE(f->family == FormatFamily::Float, isFloat);
    QCOMPARE(f->exponentBits, exponentBits);
    QCOMPARE(f->mantissaBits, mantissaBits);
    if (isFloat)
        QCOMPARE(1 + exponentBits + mantissaBits, bits); // sign, exponent, fraction fill the storage
}

void TestFormats::aliases_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected"); // empty: not found
    QTest::newRow("fp8") << "fp8" << "fp8e4m3";
    QTest::newRow("float32") << "float32" << "fp32";
    QTest::newRow("float16") << "float16" << "fp16";
    QTest::newRow("bfloat16") << "bfloat16" << "bf16";
    QTest::newRow("int1 unknown") << "int1" << "";
    QTest::newRow("int32 unknown") << "int32" << "";
    QTest::newRow("empty") << "" << "";
}

void TestFormats::aliases()
{
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const FormatInfo* f = findFormat(name.toStdString());
    if (expected.isEmpty())
        QVERIFY(f == nullptr);
    else
        QVERIFY(f != nullptr && f == findFormat(expected.toStdString()));
}

// ---- fp16 and bf16 ---------------------------------------------------------------------------

void TestFormats::fp16RoundTripsEveryCode()
{
    const Quantizer q = formatInfo(NumberFormat::FP16).quantize;
    QVERIFY(q == &quantizeFp16);
    int nans = 0, infs = 0;
    for (uint32_t code = 0; code < 0x10000u; ++code) {
        const float v = fromHalfBits(uint16_t(code));
        // The test's own decoder must agree with the compiler's before it is trusted for fp8.
        if (!sameFloat(decode(code, kFp16Layout), v))
            QFAIL(qPrintable(QStringLiteral("the test's decoder is off at code 0x%1").arg(code, 0, 16)));
        nans += std::isnan(v);
        infs += std::isinf(v);
        const float got = q(v, 1.0f, false);
        if (!sameFloat(got, v))
            QFAIL(qPrintable(QStringLiteral("code 0x%1: %2 -> %3").arg(code, 0, 16).arg(show(v), show(got))));
    }
    QCOMPARE(nans, 2 * 1023);
    QCOMPARE(infs, 2);
}

void TestFormats::bf16RoundTripsEveryCode()
{
    const Quantizer q = formatInfo(NumberFormat::BF16).quantize;
    QVERIFY(q == &quantizeBf16);
    for (uint32_t code = 0; code < 0x10000u; ++code) {
        const float v = fromBits(code << 16);
        const float got = q(v, 1.0f, false);
        if (!sameFloat(got, v))
            QFAIL(qPrintable(QStringLiteral("%1 -> %2").arg(show(v), show(got))));
    }
}

void TestFormats::fp16Edges_data()
{
    QTest::addColumn<float>("x");
    QTest::addColumn<float>("expected");
    QTest::newRow("+0") << 0.0f << 0.0f;
    QTest::newRow("-0 keeps its sign") << -0.0f << -0.0f;
    QTest::newRow("+inf") << kInf << kInf;
    QTest::newRow("-inf") << -kInf << -kInf;
    QTest::newRow("nan") << kNaN << kNaN;
    QTest::newRow("65504 largest finite") << 65504.0f << 65504.0f;
    QTest::newRow("65505") << 65505.0f << 65504.0f;
    QTest::newRow("just below 65520 -> 65504") << std::nextafter(65520.0f, 0.0f) << 65504.0f;
    QTest::newRow("65520 tie -> inf (even side)") << 65520.0f << kInf;
    QTest::newRow("just above 65520 -> inf") << std::nextafter(65520.0f, kInf) << kInf;
    QTest::newRow("-65520 -> -inf") << -65520.0f << -kInf;
    QTest::newRow("1e10 -> inf") << 1e10f << kInf;
    QTest::newRow("max float -> inf") << kMaxFloat << kInf;
    QTest::newRow("2^-14 smallest normal") << 0x1p-14f << 0x1p-14f;
    QTest::newRow("2^-24 smallest subnormal") << 0x1p-24f << 0x1p-24f;
    QTest::newRow("2^-25 tie -> +0") << 0x1p-25f << 0.0f;
    QTest::newRow("-2^-25 tie -> -0") << -0x1p-25f << -0.0f;
    QTest::newRow("just above 2^-25 -> 2^-24") << std::nextafter(0x1p-25f, 1.0f) << 0x1p-24f;
    QTest::newRow("just below 2^-25 -> 0") << std::nextafter(0x1p-25f, 0.0f) << 0.0f;
    QTest::newRow("1.5 * 2^-24 tie -> 2^-23") << 0x1.8p-24f << 0x1p-23f;
    QTest::newRow("smallest float subnormal -> 0") << kMinSubnormalFloat << 0.0f;
    QTest::newRow("1 + 2^-11 tie -> 1") << 1.0f + 0x1p-11f << 1.0f;
    QTest::newRow("1 + 3 * 2^-11 tie -> 1 + 2^-9") << 1.0f + 0x1.8p-10f << 1.0f + 0x1p-9f;
    QTest::newRow("2049 tie -> 2048") << 2049.0f << 2048.0f;
    QTest::newRow("2051 tie -> 2052") << 2051.0f << 2052.0f;
    QTest::newRow("0.1") << 0.1f << 0x1.998p-4f;
}

void TestFormats::fp16Edges()
{
    QFETCH(float, x);
    QFETCH(float, expected);
    QVERIFY2(sameFloat(viaFloat16(x), expected), "the row disagrees with the compiler's _Float16");
    const float got = quantizeFp16(x, 1.0f, false);
    QVERIFY2(sameFloat(got, expected), qPrintable(show(got)));
}

void TestFormats::fp16MatchesFloat16Conversion()
{
    std::mt19937 rng(16);
    std::vector<float> xs;
    addRandomBitPatterns(xs, rng, 1'000'000);
    addRandomFloats(xs, rng, 3'000'000, -27, 17); // fp16's range with a margin on both sides
    addMidpoints(xs, ascendingCodes(kFp16Layout));
    addSpecials(xs);
    QVERIFY(xs.size() > 4'000'000);
    const QString bad = mismatches(xs, &quantizeFp16, viaFloat16);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
}

void TestFormats::bf16Edges_data()
{
    QTest::addColumn<float>("x");
    QTest::addColumn<float>("expected");
    QTest::newRow("-0") << -0.0f << -0.0f;
    QTest::newRow("inf") << kInf << kInf;
    QTest::newRow("-inf") << -kInf << -kInf;
    QTest::newRow("1 + 2^-8 tie -> 1") << 1.0f + 0x1p-8f << 1.0f;
    QTest::newRow("1 + 3 * 2^-8 tie -> 1 + 2^-6") << 1.0f + 0x1.8p-7f << 1.0f + 0x1p-6f;
    QTest::newRow("largest bf16") << fromBits(0x7f7f0000u) << fromBits(0x7f7f0000u);
    QTest::newRow("below the top tie") << fromBits(0x7f7f7fffu) << fromBits(0x7f7f0000u);
    QTest::newRow("top tie -> inf") << fromBits(0x7f7f8000u) << kInf;
    QTest::newRow("max float -> inf") << kMaxFloat << kInf;
    QTest::newRow("-max float -> -inf") << -kMaxFloat << -kInf;
    QTest::newRow("smallest float subnormal -> 0") << kMinSubnormalFloat << 0.0f;
    QTest::newRow("subnormal tie -> 0") << fromBits(0x00008000u) << 0.0f;
    QTest::newRow("subnormal tie -> even") << fromBits(0x00018000u) << fromBits(0x00020000u);
    QTest::newRow("subnormal carries to normal") << fromBits(0x007fc000u) << fromBits(0x00800000u);
    QTest::newRow("0.1") << 0.1f << fromBits(0x3dcd0000u);
}

void TestFormats::bf16Edges()
{
    QFETCH(float, x);
    QFETCH(float, expected);
    QVERIFY2(sameFloat(bf16Reference(x), expected), "the row disagrees with the bit reference");
    const float got = quantizeBf16(x, 1.0f, false);
    QVERIFY2(sameFloat(got, expected), qPrintable(show(got)));
}

void TestFormats::bf16MatchesBitReference()
{
    std::mt19937 rng(8);
    std::vector<float> xs;
    addRandomBitPatterns(xs, rng, 2'000'000);
    addRandomFloats(xs, rng, 1'000'000, -140, 127);
    for (uint32_t upper = 0; upper < 0x10000u; ++upper) // every upper half at and beside its tie
        for (uint32_t low : {0x7fffu, 0x8000u, 0x8001u})
            xs.push_back(fromBits(upper << 16 | low));
    addSpecials(xs);
    const QString bad = mismatches(xs, &quantizeBf16, bf16Reference);
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
    // Every result, NaN included, must be storable by keeping the upper half: a NaN whose payload
    // sits only in the low half would be stored as infinity.
    for (float x : xs)
        if (const float q = quantizeBf16(x, 1.0f, false); (toBits(q) & 0xffffu) != 0)
            QFAIL(qPrintable(QStringLiteral("%1 -> %2, not a bf16 value").arg(show(x), show(q))));
}

// ---- fp8 -------------------------------------------------------------------------------------

void TestFormats::fp8RoundTripsEveryCode_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("nanCodes");
    QTest::addColumn<int>("infCodes");
    QTest::newRow("fp8e4m3") << int(NumberFormat::FP8E4M3) << 2 << 0; // only S.1111.111
    QTest::newRow("fp8e5m2") << int(NumberFormat::FP8E5M2) << 6 << 2;
}

void TestFormats::fp8RoundTripsEveryCode()
{
    QFETCH(int, format);
    QFETCH(int, nanCodes);
    QFETCH(int, infCodes);
    const FormatInfo& info = formatInfo(NumberFormat(format));
    const MiniFloat layout = layoutOf(info.id);
    QCOMPARE(info.exponentBits, layout.exponentBits);
    QCOMPARE(info.mantissaBits, layout.mantissaBits);
    QVERIFY(info.quantize == (info.id == NumberFormat::FP8E4M3 ? &quantizeFp8E4M3 : &quantizeFp8E5M2));
    int nans = 0, infs = 0;
    for (uint32_t code = 0; code < 256; ++code) {
        const float v = decode(code, layout);
        nans += std::isnan(v);
        infs += std::isinf(v);
        const float got = info.quantize(v, 1.0f, false);
        if (!sameFloat(got, v))
            QFAIL(qPrintable(QStringLiteral("code 0x%1: %2 -> %3").arg(code, 0, 16).arg(show(v), show(got))));
    }
    QCOMPARE(nans, nanCodes);
    QCOMPARE(infs, infCodes);
}

void TestFormats::fp8SpecValues_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<int>("code");
    QTest::addColumn<float>("value");
    const int e4m3 = int(NumberFormat::FP8E4M3), e5m2 = int(NumberFormat::FP8E5M2);
    QTest::newRow("e4m3 max normal S.1111.110") << e4m3 << 0x7e << 448.0f;
    QTest::newRow("e4m3 -max") << e4m3 << 0xfe << -448.0f;
    QTest::newRow("e4m3 S.1111.111 is NaN") << e4m3 << 0x7f << kNaN;
    QTest::newRow("e4m3 S.1111.000 is 256, not inf") << e4m3 << 0x78 << 256.0f;
    QTest::newRow("e4m3 one") << e4m3 << 0x38 << 1.0f;
    QTest::newRow("e4m3 min normal 2^-6") << e4m3 << 0x08 << 0x1p-6f;
    QTest::newRow("e4m3 max subnormal 7 * 2^-9") << e4m3 << 0x07 << 0x1.cp-7f;
    QTest::newRow("e4m3 min subnormal 2^-9") << e4m3 << 0x01 << 0x1p-9f;
    QTest::newRow("e4m3 -0") << e4m3 << 0x80 << -0.0f;
    QTest::newRow("e5m2 max normal 57344") << e5m2 << 0x7b << 57344.0f;
    QTest::newRow("e5m2 inf") << e5m2 << 0x7c << kInf;
    QTest::newRow("e5m2 -inf") << e5m2 << 0xfc << -kInf;
    QTest::newRow("e5m2 NaN") << e5m2 << 0x7d << kNaN;
    QTest::newRow("e5m2 one") << e5m2 << 0x3c << 1.0f;
    QTest::newRow("e5m2 min normal 2^-14") << e5m2 << 0x04 << 0x1p-14f;
    QTest::newRow("e5m2 max subnormal 3 * 2^-16") << e5m2 << 0x03 << 0x1.8p-15f;
    QTest::newRow("e5m2 min subnormal 2^-16") << e5m2 << 0x01 << 0x1p-16f;
}

void TestFormats::fp8SpecValues()
{
    QFETCH(int, format);
    QFETCH(int, code);
    QFETCH(float, value);
    const FormatInfo& info = formatInfo(NumberFormat(format));
    QVERIFY2(sameFloat(decode(uint32_t(code), layoutOf(info.id)), value), "the test's decoder is off the spec");
    const float got = info.quantize(value, 1.0f, false);
    QVERIFY2(sameFloat(got, value), qPrintable(show(got)));
}

void TestFormats::fp8Overflow_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<float>("x");
    QTest::addColumn<float>("expected");
    const int e4m3 = int(NumberFormat::FP8E4M3), e5m2 = int(NumberFormat::FP8E5M2);
    QTest::newRow("e4m3 449 -> 448") << e4m3 << 449.0f << 448.0f;
    QTest::newRow("e4m3 464 (halfway to the NaN code) -> 448") << e4m3 << 464.0f << 448.0f;
    QTest::newRow("e4m3 500 saturates") << e4m3 << 500.0f << 448.0f;
    QTest::newRow("e4m3 -500 saturates") << e4m3 << -500.0f << -448.0f;
    QTest::newRow("e4m3 1e9 saturates") << e4m3 << 1e9f << 448.0f;
    QTest::newRow("e4m3 max float saturates") << e4m3 << kMaxFloat << 448.0f;
    QTest::newRow("e4m3 inf saturates") << e4m3 << kInf << 448.0f;
    QTest::newRow("e4m3 -inf saturates") << e4m3 << -kInf << -448.0f;
    QTest::newRow("e4m3 nan") << e4m3 << kNaN << kNaN;
    QTest::newRow("e4m3 2^-10 tie -> 0") << e4m3 << 0x1p-10f << 0.0f;
    QTest::newRow("e4m3 -2^-10 tie -> -0") << e4m3 << -0x1p-10f << -0.0f;
    QTest::newRow("e4m3 3 * 2^-10 tie -> 2^-8") << e4m3 << 0x1.8p-9f << 0x1p-8f;
    QTest::newRow("e5m2 just below 61440 -> 57344") << e5m2 << std::nextafter(61440.0f, 0.0f) << 57344.0f;
    QTest::newRow("e5m2 61440 tie -> inf") << e5m2 << 61440.0f << kInf;
    QTest::newRow("e5m2 1e6 overflows") << e5m2 << 1e6f << kInf;
    QTest::newRow("e5m2 -1e6 overflows") << e5m2 << -1e6f << -kInf;
    QTest::newRow("e5m2 inf") << e5m2 << kInf << kInf;
    QTest::newRow("e5m2 nan") << e5m2 << kNaN << kNaN;
    QTest::newRow("e5m2 2^-17 tie -> 0") << e5m2 << 0x1p-17f << 0.0f;
}

void TestFormats::fp8Overflow()
{
    QFETCH(int, format);
    QFETCH(float, x);
    QFETCH(float, expected);
    const FormatInfo& info = formatInfo(NumberFormat(format));
    const float got = info.quantize(x, 1.0f, false);
    QVERIFY2(sameFloat(got, expected), qPrintable(show(got)));
}

void TestFormats::fp8MatchesBruteForce_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("fp8e4m3") << int(NumberFormat::FP8E4M3);
    QTest::newRow("fp8e5m2") << int(NumberFormat::FP8E5M2);
}

void TestFormats::fp8MatchesBruteForce()
{
    QFETCH(int, format);
    const FormatInfo& info = formatInfo(NumberFormat(format));
    const MiniFloat layout = layoutOf(info.id);
    const std::vector<Code> codes = ascendingCodes(layout);
    const int maxExp = (1 << (layout.exponentBits - 1));
    const int minExp = -maxExp - layout.mantissaBits;
    std::mt19937 rng{uint32_t(format)};
    std::vector<float> xs;
    addRandomFloats(xs, rng, 400'000, minExp - 3, maxExp + 3);
    addRandomBitPatterns(xs, rng, 20'000);
    addMidpoints(xs, codes);
    addSpecials(xs);
    const QString bad = mismatches(xs, info.quantize, [&](float x) { return nearestByBruteForce(x, codes, layout); });
    QVERIFY2(bad.isEmpty(), qPrintable(bad));
}

// ---- Integers --------------------------------------------------------------------------------

void TestFormats::intRounding_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<float>("x");
    QTest::addColumn<float>("scale");
    QTest::addColumn<bool>("isUnsigned");
    QTest::addColumn<float>("expected");
    for (int bits = 2; bits <= 16; ++bits) {
        const QString name = QStringLiteral("int%1").arg(bits);
        const float maxSigned = float((1 << (bits - 1)) - 1), maxUnsigned = float((1 << bits) - 1);
        // k is the grid index the rule gives; rows beyond a narrow format's range clamp it, so the
        // same row shows rounding on wide formats and saturation on narrow ones.
        auto row = [&](const char* what, float x, float scale, bool isUnsigned, float k) {
            const float lo = isUnsigned ? 0.0f : -maxSigned, hi = isUnsigned ? maxUnsigned : maxSigned;
            const float expected = scale > 0.0f ? std::clamp(k, lo, hi) * scale : 0.0f;
            QTest::addRow("%s %s", qPrintable(name), what) << name << x << scale << isUnsigned << expected;
        };
        row("2.5 -> 2", 2.5f, 1.0f, false, 2.0f);
        row("3.5 -> 4", 3.5f, 1.0f, false, 4.0f);
        row("-2.5 -> -2", -2.5f, 1.0f, false, -2.0f);
        row("-3.5 -> -4", -3.5f, 1.0f, false, -4.0f);
        row("0.5 -> 0", 0.5f, 1.0f, false, 0.0f);
        row("1.5 -> 2", 1.5f, 1.0f, false, 2.0f);
        row("-0.5 -> 0", -0.5f, 1.0f, false, 0.0f);
        row("2.49 -> 2", 2.49f, 1.0f, false, 2.0f);
        row("2.51 -> 3", 2.51f, 1.0f, false, 3.0f);
        row("unsigned 2.5 -> 2", 2.5f, 1.0f, true, 2.0f);
        row("unsigned 3.5 -> 4", 3.5f, 1.0f, true, 4.0f);
        row("unsigned -2.5 -> 0", -2.5f, 1.0f, true, 0.0f);
        row("max + 0.5 ties up, saturates", maxSigned + 0.5f, 1.0f, false, maxSigned);
        row("1e9 -> max", 1e9f, 1.0f, false, maxSigned);
        row("-1e9 -> -max (symmetric)", -1e9f, 1.0f, false, -maxSigned);
        row("-2^(b-1) -> -max (symmetric)", -maxSigned - 1.0f, 1.0f, false, -maxSigned);
        row("inf -> max", kInf, 1.0f, false, maxSigned);
        row("-inf -> -max", -kInf, 1.0f, false, -maxSigned);
        row("unsigned 1e9 -> 2^b - 1", 1e9f, 1.0f, true, maxUnsigned);
        row("unsigned 2^b - 0.5 ties up, saturates", maxUnsigned + 0.5f, 1.0f, true, maxUnsigned);
        row("unsigned -1e9 -> 0", -1e9f, 1.0f, true, 0.0f);
        row("unsigned inf -> 2^b - 1", kInf, 1.0f, true, maxUnsigned);
        row("scale 0.25: 0.3 -> 0.25", 0.3f, 0.25f, false, 1.0f);
        row("scale 0.125: 0.3125 ties to 0.25", 0.3125f, 0.125f, false, 2.0f);
        row("scale 0.1: 0.35 is below 3.5 steps -> 0.3", 0.35f, 0.1f, false, 3.0f);
        row("scale 1/3: 1 -> 1", 1.0f, 1.0f / 3.0f, false, 3.0f);
        row("scale 1024: 1e6 -> 977 steps", 1e6f, 1024.0f, false, 977.0f);
        row("scale 2^-20: -5 * 2^-21 ties to -2 steps", -0x1.4p-19f, 0x1p-20f, false, -2.0f);
        row("scale 0 -> 0", 5.0f, 0.0f, false, 0.0f);
        row("scale -1 -> 0", 5.0f, -1.0f, false, 0.0f);
        row("scale NaN -> 0", 5.0f, kNaN, false, 0.0f);
        row("x NaN -> 0", kNaN, 1.0f, false, 0.0f);
        row("unsigned x NaN -> 0", kNaN, 1.0f, true, 0.0f);
    }
}

void TestFormats::intRounding()
{
    QFETCH(QString, format);
    QFETCH(float, x);
    QFETCH(float, scale);
    QFETCH(bool, isUnsigned);
    QFETCH(float, expected);
    const FormatInfo* f = findFormat(format.toStdString());
    QVERIFY(f != nullptr && f->family == FormatFamily::Int);
    const float got = f->quantize(x, scale, isUnsigned);
    QVERIFY2(got == expected, qPrintable(QStringLiteral("got %1, want %2").arg(show(got), show(expected))));
}

void TestFormats::intGridProperties_data()
{
    QTest::addColumn<int>("format");
    for (const FormatInfo& f : allFormats())
        if (f.family == FormatFamily::Int)
            QTest::newRow(f.name) << int(f.id);
}

// For every x: the result is k * scale (one float rounding) with k in range; inside the range
// |x - k * scale| <= scale / 2, with k even at an exact tie; outside it k is the nearer bound.
// Distances use doubles, in which x, k * scale and their difference are exact. Inputs are random
// plus every halfway point k + 1/2 on the grid and its float neighbours, where a quotient computed
// in float can round onto the tie.
void TestFormats::intGridProperties()
{
    QFETCH(int, format);
    const FormatInfo& f = formatInfo(NumberFormat(format));
    const float scales[] = {1.0f, 0.25f, 0.1f, 0.35f, 1.0f / 3.0f, 7.3f, 1e-3f, 3e-7f, 1234.5f};
    std::mt19937 rng{uint32_t(format)};
    qsizetype checked = 0;
    for (bool isUnsigned : {false, true}) {
        const int lo = isUnsigned ? 0 : -((1 << (f.bits - 1)) - 1);
        const int hi = isUnsigned ? (1 << f.bits) - 1 : (1 << (f.bits - 1)) - 1;
        for (float scale : scales) {
            const double s = scale;
            std::vector<float> xs;
            for (int k = lo - 2; k <= hi + 1; ++k) {
                const float tie = float((k + 0.5) * s);
                xs.insert(xs.end(), {tie, std::nextafter(tie, -kInf), std::nextafter(tie, kInf)});
            }
            std::uniform_real_distribution<double> uniform((lo - 3) * s, (hi + 3) * s);
            for (int i = 0; i < 2000; ++i)
                xs.push_back(float(uniform(rng)));
            for (float x : xs) {
                const float got = f.quantize(x, scale, isUnsigned);
                const double k = std::nearbyint(got / s);
                const double error = double(x) - k * s;
                const bool onGrid = k >= lo && k <= hi && float(k * s) == got;
                const bool tieToEven = std::fabs(error) == s / 2 && std::fmod(k, 2.0) == 0;
                const bool nearest = x < lo * s   ? k == lo
                                     : x > hi * s ? k == hi
                                                  : std::fabs(error) < s / 2 || tieToEven;
                if (!onGrid || !nearest)
                    QFAIL(qPrintable(QStringLiteral("%1 x = %2, scale %3: got %4 (k = %5, |error| / scale = %6)")
                                         .arg(isUnsigned ? "unsigned" : "signed", show(x), show(scale), show(got))
                                         .arg(k)
                                         .arg(std::fabs(error) / s, 0, 'g', 17)));
            }
            checked += qsizetype(xs.size());
        }
    }
    QVERIFY(checked > 0);
}

QTEST_APPLESS_MAIN(TestFormats)
#include "tst_formats.moc"
