// Strategy name parsing.
#include "formats/strategy.h"

#include "util/display_text.h"
#include "util/error.h"

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
    bool sawRes = false, sawFl = false;
    for (size_t i = 1; i < parts.size(); ++i) {
        const std::string& p = parts[i];
        if (p.rfind("res", 0) == 0 && !sawRes) {
            s.residual = parseOption(p.substr(3), compute, name).id;
            sawRes = true;
        } else if (p.rfind("fl", 0) == 0 && !sawFl) {
            s.firstLast = parseOption(p.substr(2), compute, name).id;
            sawFl = true;
        } else {
            throw InputError("strategy: '" + echo(name) + "': unknown option '+" + echo(p) + "' (allowed: +resN, +flN)");
        }
    }
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
    return s;
}

std::span<const char* const> builtinStrategies() { return kBuiltin; }

} // namespace poq
