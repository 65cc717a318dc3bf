// Atomic file writes: the data goes to a temporary file in the target's folder, is flushed, and is
// renamed over the target, so a crash or a full disk never leaves a half-written file behind.
#pragma once

#include <string>
#include <string_view>

namespace poq {

// Throws InputError naming the path when the file cannot be written. The temporary file is
// "<path>.tmp-XXXXXX" beside the target; temporaries of the same target left by a writer that was
// killed (older than a minute, so a concurrent writer's file is left alone) are removed first.
void writeFileAtomically(const std::string& path, std::string_view contents);

// Checks, before any long work, that `path` can be written: its folder exists and is writable and
// the path is not a folder. Throws InputError "OPTION: cannot write 'PATH' (...)".
void checkWritableDestination(const std::string& path, const std::string& option);

// Removes "<path>.tmp-*" files older than minAgeSeconds; returns how many were removed.
int removeStaleTemporaries(const std::string& path, int minAgeSeconds = 60);

// Reading is in util/input_file.h (bounded, regular files only).

} // namespace poq
