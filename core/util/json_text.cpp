// Bounded JSON parsing (see json_text.h).
#include "util/json_text.h"

#include "util/error.h"

namespace poq {

namespace {

[[noreturn]] void rethrow(const nlohmann::json::exception& e, const std::string& sourceName)
{
    // Messages name the byte but never quote the input, which may be huge or hold control codes.
    if (const auto* p = dynamic_cast<const nlohmann::json::parse_error*>(&e))
        throw InputError(sourceName + ": malformed JSON at byte " + std::to_string(p->byte));
    if (e.id == 406) // out_of_range.406: a number beyond double range
        throw InputError(sourceName + ": a number is out of range (beyond double precision)");
    throw InputError(sourceName + ": malformed JSON (" + std::to_string(e.id) + ")");
}

template <class Json, class... Callback>
Json parseWith(std::string_view text, const std::string& sourceName, Callback&&... callback)
{
    checkJsonDepth(text, sourceName);
    try {
        return Json::parse(text.begin(), text.end(), std::forward<Callback>(callback)...);
    } catch (const nlohmann::json::exception& e) {
        rethrow(e, sourceName);
    }
}

} // namespace

void checkJsonDepth(std::string_view text, const std::string& sourceName, int maxDepth)
{
    int depth = 0;
    bool inString = false, escaped = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth)
                throw InputError(sourceName + ": JSON nested deeper than " + std::to_string(maxDepth)
                                 + " levels (at byte " + std::to_string(i + 1) + ")");
        } else if (c == ']' || c == '}') {
            --depth; // unbalanced text is the parser's to report
        }
    }
}

nlohmann::json parseJson(std::string_view text, const std::string& sourceName,
                         const nlohmann::json::parser_callback_t& callback)
{
    return parseWith<nlohmann::json>(text, sourceName, callback);
}

nlohmann::ordered_json parseOrderedJson(std::string_view text, const std::string& sourceName)
{
    return parseWith<nlohmann::ordered_json>(text, sourceName);
}

} // namespace poq
