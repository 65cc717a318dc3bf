// Number formats: each format is one row of the format table (name, storage bits, family, float
// layout, the hardware compute class that costs it, and a reference quantize function).
// Tests and every list in the CLI and GUI iterate over the table.
#pragma once

#include <span>
#include <string>

namespace poq {

enum class NumberFormat {
    FP32, BF16, FP16, FP8E4M3, FP8E5M2,
    INT2, INT3, INT4, INT5, INT6, INT7, INT8, INT9, INT10, INT11, INT12, INT13, INT14, INT15, INT16,
};
inline constexpr int kNumberFormatCount = 20;

enum class FormatFamily { Float, Int };

// The hardware unit class that executes a format; energy per MAC, packing and element-wise energy
// are hardware parameters per class (core/hw). Narrower integers run on the next wider class.
enum class ComputeClass { FP32, BF16, FP16, FP8, INT16, INT8, INT4, INT2 };
inline constexpr int kComputeClassCount = 8;

struct FormatInfo {
    NumberFormat id;
    const char* name;      // "fp16", "int8", "fp8e4m3"
    int bits;              // storage bits
    FormatFamily family;
    int exponentBits;      // floats only
    int mantissaBits;      // floats only (explicit fraction bits)
    ComputeClass computeClass;
    // Reference quantizer: the nearest representable value (float formats: round to nearest even,
    // subnormals, the format's overflow rule; integers: round half to even of x / scale, saturate to
    // the signed or unsigned range, times scale). `scale` is ignored by float formats.
    float (*quantize)(float x, float scale, bool isUnsigned);
};

const FormatInfo& formatInfo(NumberFormat f);
std::span<const FormatInfo> allFormats();
// Accepts the table names plus the aliases "fp8" (= fp8e4m3) and "float32"/"float16"/"bfloat16".
const FormatInfo* findFormat(const std::string& name);

struct ComputeClassInfo {
    ComputeClass id;
    const char* name; // "fp32", "int8", ...: the hardware JSON key part (mac.int8.pj)
};
std::span<const ComputeClassInfo> allComputeClasses();
const ComputeClassInfo& computeClassInfo(ComputeClass c);

} // namespace poq
