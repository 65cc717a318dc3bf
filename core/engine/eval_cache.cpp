// The evaluation cache.
#include "engine/eval_cache.h"

#include "util/resources.h"

#include "graph/network_io.h"
#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace poq {

void ContentHash::add(std::string_view bytes)
{
    for (unsigned char c : bytes) {
        m_a = (m_a ^ c) * 1099511628211ull;
        m_b = (m_b ^ (c + 0x9e)) * 0x100000001b3ull + 0x7f4a7c15ull;
    }
    const uint64_t n = bytes.size();
    m_a = (m_a ^ n) * 1099511628211ull;
}

std::string ContentHash::hex() const
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", (unsigned long long)m_a, (unsigned long long)m_b);
    return buf;
}

std::string evalCacheKey(const NetworkSpec& network, double width, const std::string& strategy, Calibration calibration,
                         int64_t calibrationImages, int64_t limit, const std::string& modelBytes, const Dataset& test,
                         const Dataset& calibrationSet)
{
    ContentHash key;
    key.add(kEngineRevision);
    key.add(networkToJson(network));
    key.add(std::to_string(width) + "|" + strategy + "|" + calibrationName(calibration) + "|"
            + std::to_string(calibrationImages) + "|" + std::to_string(limit) + "|" + test.name);
    key.add(modelBytes);
    key.add(test.pixels.data(), test.pixels.size());
    key.add(test.labels.data(), test.labels.size());
    // The calibration images decide every integer scale (the cache once returned one folder's int8
    // accuracy for another folder with the same test set and other training images).
    const int64_t used = std::clamp<int64_t>(calibrationImages, 0, calibrationSet.size());
    key.add(calibrationSet.name + "|calibration|" + std::to_string(used));
    key.add(calibrationSet.pixels.data(), size_t(used * calibrationSet.imageSizeBytes()));
    return key.hex();
}

std::string evalCacheFolder()
{
    if (const char* d = std::getenv("POQ_CACHE_DIR"); d && *d)
        return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return std::string(x) + "/poq-studio/eval";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.cache/poq-studio/eval";
    return {};
}

namespace {

std::optional<EvalResult> readResult(const std::string& file)
{
    try {
        const auto j = parseJson(readInputFile(file, InputFileKind::CacheEntry), file);
        EvalResult r;
        r.images = j.at("images").get<int64_t>();
        r.correct = j.at("correct").get<int64_t>();
        r.low = j.at("low").get<double>();
        r.high = j.at("high").get<double>();
        if (r.images <= 0 || r.correct < 0 || r.correct > r.images)
            return std::nullopt;
        return r;
    } catch (const std::exception&) {
        return std::nullopt; // missing or damaged: evaluate again
    }
}

} // namespace

std::optional<EvalResult> loadCachedEval(const std::string& key)
{
    if (const std::string folder = evalCacheFolder(); !folder.empty())
        if (auto r = readResult(folder + "/" + key + ".json"))
            return r;
    // Results shipped with the built-in experiment's models (same key: same model bytes and test set).
    if (const std::string shipped = resourcePath("models/eval"); !shipped.empty())
        return readResult(shipped + "/" + key + ".json");
    return std::nullopt;
}

void storeCachedEval(const std::string& key, const EvalResult& r)
{
    const std::string folder = evalCacheFolder();
    if (folder.empty() || r.cancelled)
        return;
    try {
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        nlohmann::json j = {{"images", r.images}, {"correct", r.correct}, {"low", r.low}, {"high", r.high}};
        writeFileAtomically(folder + "/" + key + ".json", j.dump() + "\n");
    } catch (const std::exception&) {
    }
}

} // namespace poq
