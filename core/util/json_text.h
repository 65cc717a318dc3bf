// The one way POQ Studio turns user-supplied JSON text into a document: nesting is bounded before
// the DOM is built (nlohmann's recursive copies overflow the stack on deep input), and every error of
// the JSON library becomes one InputError naming the source and the byte, without echoing the input.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace poq {

// Far deeper than any POQ Studio file (network files nest 4 levels, sessions 5).
inline constexpr int kMaxJsonDepth = 64;

// Throws InputError "SOURCE: JSON nested deeper than 64 levels (at byte N)" when arrays and objects
// nest deeper than maxDepth. Linear in the text, no allocation.
void checkJsonDepth(std::string_view text, const std::string& sourceName, int maxDepth = kMaxJsonDepth);

// Depth check, then parse. Errors: "SOURCE: malformed JSON at byte N", "SOURCE: number out of range
// at byte N (beyond double precision)", and the depth error above.
nlohmann::json parseJson(std::string_view text, const std::string& sourceName,
                         const nlohmann::json::parser_callback_t& callback = nullptr);
nlohmann::ordered_json parseOrderedJson(std::string_view text, const std::string& sourceName);

} // namespace poq
