// The format table.
#include "formats/number_format.h"

#include "formats/quantize.h"

#include <array>

namespace poq {

namespace {

using F = NumberFormat;
using C = ComputeClass;
constexpr FormatFamily kF = FormatFamily::Float;
constexpr FormatFamily kI = FormatFamily::Int;

const std::array<FormatInfo, kNumberFormatCount> kFormats = {{
    {F::FP32, "fp32", 32, kF, 8, 23, C::FP32, quantizeFp32},
    {F::BF16, "bf16", 16, kF, 8, 7, C::BF16, quantizeBf16},
    {F::FP16, "fp16", 16, kF, 5, 10, C::FP16, quantizeFp16},
    {F::FP8E4M3, "fp8e4m3", 8, kF, 4, 3, C::FP8, quantizeFp8E4M3},
    {F::FP8E5M2, "fp8e5m2", 8, kF, 5, 2, C::FP8, quantizeFp8E5M2},
    {F::INT2, "int2", 2, kI, 0, 0, C::INT2, quantizeInt<2>},
    {F::INT3, "int3", 3, kI, 0, 0, C::INT4, quantizeInt<3>},
    {F::INT4, "int4", 4, kI, 0, 0, C::INT4, quantizeInt<4>},
    {F::INT5, "int5", 5, kI, 0, 0, C::INT8, quantizeInt<5>},
    {F::INT6, "int6", 6, kI, 0, 0, C::INT8, quantizeInt<6>},
    {F::INT7, "int7", 7, kI, 0, 0, C::INT8, quantizeInt<7>},
    {F::INT8, "int8", 8, kI, 0, 0, C::INT8, quantizeInt<8>},
    {F::INT9, "int9", 9, kI, 0, 0, C::INT16, quantizeInt<9>},
    {F::INT10, "int10", 10, kI, 0, 0, C::INT16, quantizeInt<10>},
    {F::INT11, "int11", 11, kI, 0, 0, C::INT16, quantizeInt<11>},
    {F::INT12, "int12", 12, kI, 0, 0, C::INT16, quantizeInt<12>},
    {F::INT13, "int13", 13, kI, 0, 0, C::INT16, quantizeInt<13>},
    {F::INT14, "int14", 14, kI, 0, 0, C::INT16, quantizeInt<14>},
    {F::INT15, "int15", 15, kI, 0, 0, C::INT16, quantizeInt<15>},
    {F::INT16, "int16", 16, kI, 0, 0, C::INT16, quantizeInt<16>},
}};

const std::array<ComputeClassInfo, kComputeClassCount> kClasses = {{
    {C::FP32, "fp32"}, {C::BF16, "bf16"}, {C::FP16, "fp16"}, {C::FP8, "fp8"},
    {C::INT16, "int16"}, {C::INT8, "int8"}, {C::INT4, "int4"}, {C::INT2, "int2"},
}};

} // namespace

const FormatInfo& formatInfo(NumberFormat f) { return kFormats[static_cast<int>(f)]; }

std::span<const FormatInfo> allFormats() { return kFormats; }

const FormatInfo* findFormat(const std::string& name)
{
    std::string n = name;
    if (n == "fp8")
        n = "fp8e4m3";
    else if (n == "float32")
        n = "fp32";
    else if (n == "float16")
        n = "fp16";
    else if (n == "bfloat16")
        n = "bf16";
    for (const FormatInfo& f : kFormats)
        if (n == f.name)
            return &f;
    return nullptr;
}

std::span<const ComputeClassInfo> allComputeClasses() { return kClasses; }

const ComputeClassInfo& computeClassInfo(ComputeClass c) { return kClasses[static_cast<int>(c)]; }

} // namespace poq
