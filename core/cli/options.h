// Numeric command-line options with a range: one place that refuses a value outside it (NaN and
// infinities included) with one line naming the option, the range and the value given.
#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace poq::cli {

inline std::string rangeNumber(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

// A CLI11 validator for values in lo..hi (both inclusive).
inline CLI::Validator inRange(double lo, double hi)
{
    const std::string range = rangeNumber(lo) + ".." + rangeNumber(hi);
    return CLI::Validator(
        [lo, hi, range](std::string& text) -> std::string {
            double v = 0;
            const char* first = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
            const auto [end, ec] = std::from_chars(first, text.data() + text.size(), v);
            if (ec == std::errc::result_out_of_range)
                return "must be in " + range + ", got a number beyond double range";
            if (ec != std::errc() || end != text.data() + text.size())
                return "must be a number in " + range;
            if (!(v >= lo && v <= hi)) // NaN fails both comparisons
                return "must be in " + range + ", got " + (std::isnan(v) ? std::string("NaN") : rangeNumber(v));
            return {};
        },
        "in " + range);
}

// sub->add_option(name, value, description) with the range check; --help shows the range beside
// the type ("FLOAT:in 0..1").
template <class T>
CLI::Option* addRangedOption(CLI::App* sub, const std::string& name, T& value, double lo, double hi,
                             const std::string& description)
{
    return sub->add_option(name, value, description)->check(inRange(lo, hi));
}

} // namespace poq::cli
