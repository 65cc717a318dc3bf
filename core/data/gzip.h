// Reading gzip-compressed input files (datasets) with a size cap, so a corrupt or hostile file ends in
// a one-line InputError instead of a crash or an exhausted memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace poq {

// Far above any dataset file in use (Fashion-MNIST train images: 47 MB) and far below the memory of
// the machines we run on; a "gzip bomb" stops here.
inline constexpr size_t kMaxDecompressedBytes = size_t(1) << 30;

// Decompresses one or more concatenated gzip members. `sourceName` starts every error message.
// Output beyond maxBytes is refused with `overLimitMessage` (default: "decompresses to more than N bytes").
std::string gunzip(std::string_view compressed, const std::string& sourceName,
                   size_t maxBytes = kMaxDecompressedBytes, const std::string& overLimitMessage = {});

// The first prefixBytes decompressed bytes (fewer when the data is shorter or damaged; the full
// read reports the damage), inflating no more than that: headers are checked before a bomb inflates.
std::string gunzipPrefix(std::string_view compressed, size_t prefixBytes, const std::string& sourceName);

// Whether `path` names a gzip file (by its ".gz" suffix, as the datasets are named).
bool isGzipName(const std::string& path);

// The contents of `path`, decompressed when the name ends in ".gz". Throws InputError naming the path.
std::string readDataFile(const std::string& path, size_t maxBytes = kMaxDecompressedBytes);

} // namespace poq
