// Escaping and shortening of echoed user text (see display_text.h).
#include "util/display_text.h"

#include <cstdio>

namespace poq {

namespace {

void appendHex(std::string& out, unsigned char c)
{
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
}

// Length of the valid UTF-8 sequence starting at text[i] (1..4), or 0 when it is not valid.
size_t utf8Length(std::string_view text, size_t i)
{
    const auto b = static_cast<unsigned char>(text[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > text.size())
        return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
            return 0;
    if (n == 2 && b < 0xc2)
        return 0; // overlong
    return n;
}

} // namespace

bool isValidUtf8(std::string_view text)
{
    for (size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            ++i;
            continue;
        }
        size_t n = 0;
        unsigned char lo = 0x80, hi = 0xbf; // allowed range of the second byte
        if (b >= 0xc2 && b <= 0xdf) {
            n = 2;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 3;
            if (b == 0xe0)
                lo = 0xa0; // no overlong forms
            if (b == 0xed)
                hi = 0x9f; // no surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 4;
            if (b == 0xf0)
                lo = 0x90;
            if (b == 0xf4)
                hi = 0x8f; // at most U+10FFFF
        } else {
            return false;
        }
        if (i + n > text.size())
            return false;
        for (size_t k = 1; k < n; ++k) {
            const auto c = static_cast<unsigned char>(text[i + k]);
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xbf))
                return false;
        }
        i += n;
    }
    return true;
}

std::string escapeControls(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const size_t n = utf8Length(text, i);
        if (n == 0) {
            appendHex(out, c);
            ++i;
        } else if (n == 1) {
            if (c == '\n')
                out += "\\n";
            else if (c == '\t')
                out += "\\t";
            else if (c == '\r')
                out += "\\r";
            else if (c < 0x20 || c == 0x7f)
                appendHex(out, c);
            else
                out += char(c);
            ++i;
        } else if (n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
            appendHex(out, c); // C1 control, e.g. U+009B (CSI)
            appendHex(out, static_cast<unsigned char>(text[i + 1]));
            i += 2;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string echo(std::string_view text, size_t maxChars)
{
    if (text.size() <= maxChars)
        return escapeControls(text);
    size_t cut = maxChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80)
        --cut; // do not split a UTF-8 sequence
    return escapeControls(text.substr(0, cut)) + "...(" + std::to_string(text.size() - cut) + " more bytes)";
}

std::string messageLine(std::string_view message, size_t maxChars)
{
    std::string folded(message);
    for (char& c : folded)
        if (c == '\n')
            c = ' ';
    while (!folded.empty() && folded.back() == ' ')
        folded.pop_back();
    std::string s = escapeControls(folded);
    if (s.size() <= maxChars)
        return s;
    size_t head = maxChars / 2, tail = s.size() - maxChars / 2;
    while (head > 0 && (static_cast<unsigned char>(s[head]) & 0xc0) == 0x80)
        --head;
    while (tail < s.size() && (static_cast<unsigned char>(s[tail]) & 0xc0) == 0x80)
        ++tail;
    return s.substr(0, head) + " ...(" + std::to_string(tail - head) + " bytes cut)... " + s.substr(tail);
}

} // namespace poq
