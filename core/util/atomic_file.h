// Atomic file writes: the data goes to a temporary file in the target's folder, is flushed, and is
// renamed over the target, so a crash or a full disk never leaves a half-written file behind.
#pragma once

#include <string>
#include <string_view>

namespace poq {

// Throws InputError naming the path when the file cannot be written.
void writeFileAtomically(const std::string& path, std::string_view contents);

// Reading is in util/input_file.h (bounded, regular files only).

} // namespace poq
