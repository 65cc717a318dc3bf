// Measured accuracies for sweeps.
#include "engine/measure.h"

#include "data/dataset.h"
#include "data/model_file.h"
#include "engine/eval_cache.h"
#include "engine/inference.h"
#include "graph/zoo.h"
#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/resources.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

namespace poq {

const Experiment& builtinExperiment()
{
    static const Experiment e{kDefaultNetwork,
                              {0.25, 0.5, 0.75, 1.0, 1.5},
                              {"fp32", "bf16", "fp16", "fp8", "int8", "int4", "int4+res8", "int4+res16", "int2+res8"},
                              {"int4", "int4+res8", "int4+res16", "int2+res8"}};
    return e;
}

std::optional<std::string> findTrainedModel(const std::string& network, double width, const std::string& strategy)
{
    std::ostringstream w;
    w << width;
    for (const std::string& s : {strategy, std::string("fp32")}) {
        const std::string path = resourcePath("models/" + network + "_w" + w.str() + "_" + s + ".safetensors");
        std::error_code ec;
        if (!path.empty() && std::filesystem::is_regular_file(path, ec))
            return path;
    }
    return std::nullopt;
}

namespace {

std::mutex g_mutex;
std::map<std::string, EvalResult> g_memo;              // by model path, strategy, dataset
std::map<std::string, std::shared_ptr<const Dataset>> g_data;

constexpr int64_t kCalibrationImages = 256;

// maxImages > 0: only the first maxImages images (calibration needs 256 training images, not 60,000).
std::shared_ptr<const Dataset> dataset(const std::string& name, Split split, int64_t maxImages = 0)
{
    std::lock_guard lock(g_mutex);
    const std::string key = name + (split == Split::Train ? "|train|" : "|test|") + std::to_string(maxImages);
    auto& d = g_data[key];
    if (!d)
        d = std::make_shared<const Dataset>(loadDataset(name, split, maxImages));
    return d;
}

} // namespace

std::vector<std::string> measureAccuracies(std::vector<DesignPoint>& points, const NetworkSpec& network,
                                           const std::string& datasetName, const CancelToken* cancel,
                                           const ProgressFn& progress)
{
    std::vector<std::string> missing;
    for (size_t i = 0; i < points.size(); ++i) {
        DesignPoint& p = points[i];
        if (progress)
            progress(double(i) / double(points.size()));
        if (cancel && cancel->cancelled())
            break;
        const auto model = findTrainedModel(network.name, p.width, p.strategy);
        if (!model) {
            missing.push_back(p.strategy + "@" + std::to_string(p.width));
            continue;
        }
        std::error_code ec;
        const auto stamp = std::filesystem::last_write_time(*model, ec).time_since_epoch().count();
        const std::string memoKey = *model + "|" + std::to_string(stamp) + "|" + p.strategy + "|" + datasetName;
        std::optional<EvalResult> r;
        {
            std::lock_guard lock(g_mutex);
            if (auto it = g_memo.find(memoKey); it != g_memo.end())
                r = it->second;
        }
        if (!r) {
            const Graph g = Graph::build(network, p.width);
            const std::string bytes = readInputFile(*model, InputFileKind::Model);
            const auto test = dataset(datasetName, Split::Test);
            const auto calibrationSet = dataset(datasetName, Split::Train, kCalibrationImages);
            const std::string key = evalCacheKey(network, g.width(), p.strategy, Calibration::MinMax, kCalibrationImages,
                                                 0, bytes, *test, *calibrationSet);
            r = loadCachedEval(key);
            if (!r) {
                InferenceEngine engine(g, weightsFromModel(g, loadModelFile(*model), *model),
                                       assignPrecision(g, QuantStrategy::parse(p.strategy)));
                engine.setNormalization(normalizationFor(*test));
                engine.calibrate(*calibrationSet, kCalibrationImages);
                const double n = double(points.size()), images = double(test->size());
                r = evaluate(engine, *test, 0, [&](const EvalResult& part) {
                    if (progress && images > 0)
                        progress((double(i) + double(part.images) / images) / n);
                }, cancel);
                if (r->cancelled)
                    break;
                storeCachedEval(key, *r);
            }
            std::lock_guard lock(g_mutex);
            g_memo[memoKey] = *r;
        }
        p.accuracy = r->accuracy();
        p.accuracyLo = r->low;
        p.accuracyHi = r->high;
    }
    return missing;
}

} // namespace poq
