// Accuracy results cached on disk, keyed by a content hash of everything that decides them
// (graph, strategy, weights, dataset, calibration, image count), so known points show instantly.
// Folder: $POQ_CACHE_DIR, else $XDG_CACHE_HOME/poq-studio/eval, else ~/.cache/poq-studio/eval; then,
// read-only, resources/models/eval (the built-in experiment's results, written by
// tools/train-experiment.sh).
#pragma once

#include "engine/inference.h"
#include "graph/network_spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace poq {

class ContentHash {
public:
    void add(std::string_view bytes);
    void add(const void* data, size_t size) { add(std::string_view(static_cast<const char*>(data), size)); }
    std::string hex() const;

private:
    uint64_t m_a = 1469598103934665603ull; // two independent FNV-1a lanes -> 128 bits
    uint64_t m_b = 1099511628211ull * 31;
};

// Part of every key: raise it when a change to the engine changes results, so old entries die.
inline constexpr const char* kEngineRevision = "engine-4"; // 4: unsigned after pooling/reshape of non-negative tensors

// The cache key of one evaluation: network, width, strategy, calibration method, image count, the
// model file's bytes, the test set's contents and the contents of the calibration images (the first
// calibrationImages images of `calibrationSet`, which may hold only those).
std::string evalCacheKey(const NetworkSpec& network, double width, const std::string& strategy, Calibration calibration,
                         int64_t calibrationImages, int64_t limit, const std::string& modelBytes, const Dataset& test,
                         const Dataset& calibrationSet);

std::string evalCacheFolder();
std::optional<EvalResult> loadCachedEval(const std::string& key);
// Best effort: a cache that cannot be written is skipped silently (it only saves time).
void storeCachedEval(const std::string& key, const EvalResult& result);

} // namespace poq
