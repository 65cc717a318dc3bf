// Text from users (names, keys, cells) shown back in messages and tables: control characters are
// escaped (a layer named "\e]0;x\a" must not retitle the terminal) and echoes are shortened (a
// 100,000-character --set key is not printed whole).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace poq {

// Escapes C0 controls, DEL and C1 controls (U+0080..U+009F) as \n, \t, \r or \xNN; invalid UTF-8
// bytes also become \xNN. Everything else, printable UTF-8 included, is kept.
std::string escapeControls(std::string_view text);

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points above
// U+10FFFF), as JSON needs it.
bool isValidUtf8(std::string_view text);

// escapeControls, shortened to about maxChars: "first part...(12345 more bytes)".
inline constexpr size_t kMaxEchoChars = 80;
std::string echo(std::string_view text, size_t maxChars = kMaxEchoChars);

// A whole message line for a terminal: controls escaped, newlines folded into spaces, at most
// maxChars (the middle is cut so that both the start and the end remain).
std::string messageLine(std::string_view message, size_t maxChars = 2000);

} // namespace poq
