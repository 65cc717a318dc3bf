// Reading files a user names: every read is of a regular file, bounded by a limit that fits its
// format, and every failure is one InputError naming the path and the problem. The limits live here,
// in one table, so a new kind of input file is one row.
#pragma once

#include <cstddef>
#include <string>

namespace poq {

enum class InputFileKind {
    NetworkJson,  // poq-network files
    HardwareJson, // poq-hardware files (--hw)
    Session,      // poq-session files (the window, poq sweep --session)
    AccuracyCsv,  // accuracies measured elsewhere (--accuracy FILE.csv)
    SweepCsv,     // poq sweep output (poq compare, poq plot)
    Model,        // safetensors model files
    DataFile,     // dataset files as stored (IDX, CIFAR-10 batches, possibly gzipped)
    CacheEntry,   // one evaluation-cache entry
    OnnxModel,    // .onnx networks (protobuf; weights inside or in external data files)
};
inline constexpr int kInputFileKindCount = 9;

struct InputFileInfo {
    InputFileKind kind;
    const char* label; // "network file"
    size_t maxBytes;   // larger files are refused before they are read
};

const InputFileInfo& inputFileInfo(InputFileKind kind);

// The whole contents of `path`, refused (InputError "PATH: ...") when it is missing, not a regular
// file (a directory, FIFO or device: opened without blocking and never read), larger than the
// kind's limit, or unreadable.
std::string readInputFile(const std::string& path, InputFileKind kind);

// The same with an explicit limit (for callers whose limit depends on the content, e.g. a dataset
// whose header states its size).
std::string readInputFileBounded(const std::string& path, size_t maxBytes, const char* label);

// 1536 -> "1.5 KiB", 3 << 30 -> "3 GiB": sizes in messages.
std::string humanBytes(double bytes);

} // namespace poq
