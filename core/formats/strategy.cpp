// Strategy name parsing.
#include "formats/strategy.h"

#include "util/display_text.h"
#include "util/error.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace poq {

namespace {

constexpr const char* kBuiltin[] = {"fp32", "bf16", "fp16", "fp8", "int8", "int4", "int4+res8", "int4+res16",
                                    "int2", "int2+res8"};

std::string allowedFormats()
{
    std::string s;
    for (const FormatInfo& f : allFormats())
        s += (s.empty() ? "" : ", ") + std::string(f.name);
    return s;
}

const FormatInfo& parseFormat(const std::string& text, const std::string& whole)
{
    if (const FormatInfo* f = findFormat(text))
        return *f;
    throw InputError("strategy: '" + echo(whole) + "': unknown format '" + echo(text) + "' (formats: " + allowedFormats()
                     + "; options: +resN, +flN)");
}

// "8" -> int8 (integer compute) or fp8/fp16/fp32 (float compute); otherwise a format name.
const FormatInfo& parseOption(const std::string& text, const FormatInfo& compute, const std::string& whole)
{
    const bool digits = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
    if (!digits)
        return parseFormat(text, whole);
    const std::string name = (compute.family == FormatFamily::Int ? "int" : "fp") + text;
    return parseFormat(name, whole);
}

int parseAccumulator(const std::string& digits, const std::string& whole)
{
    int bits = 0;
    for (char c : digits) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || bits > 1000)
            throw InputError("strategy: '" + echo(whole) + "': accumulator: '+acc" + echo(digits)
                             + "' must give a bit count, e.g. +acc24");
        bits = bits * 10 + (c - '0');
    }
    if (digits.empty())
        throw InputError("strategy: '" + echo(whole) + "': accumulator: '+acc' must give a bit count, e.g. +acc24");
    return bits;
}

// The widest product any layer forms: first/last layers (their format squared), inner layers
// (compute x compute, or compute x residual where a residual tensor feeds a convolution).
void checkAccumulator(const QuantStrategy& s, const std::string& whole)
{
    const FormatInfo& c = formatInfo(s.compute);
    const int acc = s.accumulatorBits;
    const std::string where = "strategy: '" + echo(whole) + "': accumulator: ";
    if (c.family == FormatFamily::Float) {
        const int widest = std::max({c.bits, formatInfo(s.firstLast).bits, formatInfo(s.residual).bits});
        if (acc != 16 && acc != 32)
            throw InputError(where + std::to_string(acc) + " bits: float accumulators are fp16 (+acc16) or fp32 (+acc32)");
        if (acc < widest)
            throw InputError(where + "fp16 cannot accumulate " + std::to_string(widest) + "-bit operands (use +acc32)");
        return;
    }
    const int product = std::max({2 * c.bits, 2 * formatInfo(s.firstLast).bits, c.bits + formatInfo(s.residual).bits});
    if (acc < product || acc > 32)
        throw InputError(where + std::to_string(acc) + " bits is " + (acc > 32 ? "wider than 32" : "narrower than the "
                         + std::to_string(product) + "-bit products this strategy forms")
                         + " (allowed: " + std::to_string(product) + "..32)");
}

} // namespace

QuantStrategy QuantStrategy::parse(const std::string& name)
{
    std::vector<std::string> parts;
    std::stringstream ss(name);
    for (std::string p; std::getline(ss, p, '+');)
        parts.push_back(p);
    if (parts.empty() || parts[0].empty())
        throw InputError("strategy: empty name (e.g. int8, int4+res8, fp16)");
    const FormatInfo& compute = parseFormat(parts[0], name);
    QuantStrategy s;
    s.compute = compute.id;
    s.residual = compute.id;
    const bool narrowInt = compute.family == FormatFamily::Int && compute.bits < 8;
    s.firstLast = narrowInt ? NumberFormat::INT8 : compute.id;
    s.accumulatorBits = 32;
    bool sawRes = false, sawFl = false, sawAcc = false;
    for (size_t i = 1; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        if (p.rfind("res", 0) == 0 && !sawRes) {
            s.residual = parseOption(p.substr(3), compute, name).id;
            sawRes = true;
        } else if (p.rfind("fl", 0) == 0 && !sawFl) {
            s.firstLast = parseOption(p.substr(2), compute, name).id;
            sawFl = true;
        } else if (p.rfind("acc", 0) == 0 && !sawAcc) {
            s.accumulatorBits = parseAccumulator(p.substr(3), name);
            sawAcc = true;
        } else {
            throw InputError("strategy: '" + echo(name) + "': unknown option '+" + echo(p)
                             + "' (allowed: +resN, +flN, +accN)");
        }
    }
    checkAccumulator(s, name);
    // Canonical name: defaults left out.
    s.name = formatInfo(s.compute).name;
    if (s.name == "fp8e4m3")
        s.name = "fp8";
    if (s.residual != s.compute)
        s.name += std::string("+res") + (formatInfo(s.residual).family == FormatFamily::Int
                                              ? std::to_string(formatInfo(s.residual).bits)
                                              : std::string(formatInfo(s.residual).name));
    const NumberFormat defaultFl = narrowInt ? NumberFormat::INT8 : compute.id;
    if (s.firstLast != defaultFl)
        s.name += std::string("+fl") + (formatInfo(s.firstLast).family == FormatFamily::Int
                                            ? std::to_string(formatInfo(s.firstLast).bits)
                                            : std::string(formatInfo(s.firstLast).name));
    if (s.accumulatorBits != 32)
        s.name += "+acc" + std::to_string(s.accumulatorBits);
    return s;
}

std::span<const char* const> builtinStrategies() { return kBuiltin; }

} // namespace poq
