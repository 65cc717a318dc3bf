// `poq eval NETWORK --width W --strategy S [--model FILE] [--dataset fashion-mnist|PATH] [--limit N]
//  [--calibration minmax|percentile|mse] [--json]`: measured top-1 accuracy with a 95 % interval.
#include "cli/cli.h"
#include "cli/network_argument.h"
#include "cli/options.h"
#include "graph/width.h"

#include "data/dataset.h"
#include "data/model_file.h"
#include "engine/eval_cache.h"
#include "engine/inference.h"
#include "engine/measure.h"
#include "onnx/onnx_import.h"
#include "util/atomic_file.h"
#include "graph/zoo.h"
#include "util/error.h"
#include "util/input_file.h"
#include "util/resources.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <unistd.h>

namespace poq::cli {

namespace {

struct EvalOptions {
    NetworkArgument network;
    double width = 1.0;
    std::string strategy;
    std::string model;
    std::string dataset = "fashion-mnist";
    int64_t limit = 0;
    std::string calibration = "minmax";
    int64_t calibrationImages = 256;
    bool json = false;
    bool noCache = false;
};

std::string findModel(const std::string& network, double width, const std::string& strategy)
{
    if (const auto path = findTrainedModel(network, width, strategy))
        return *path;
    std::ostringstream w;
    w << width;
    throw InputError("model: no trained model for " + network + " at width " + w.str()
                     + " (give --model FILE, or train one with poq train)");
}

void runEval(const EvalOptions& o)
{
    if (o.limit < 0)
        throw InputError("--limit: must be 0 (all) or a positive number of images");
    if (o.calibrationImages < 1 || o.calibrationImages > kMaxCalibrationImages)
        throw InputError("--calibration-images: must be in 1.." + std::to_string(kMaxCalibrationImages) + ", got "
                         + std::to_string(o.calibrationImages));
    // An ONNX file is read and imported once: its network, its weights and the cache key's bytes.
    std::optional<OnnxImport> onnx;
    std::string onnxBytes;
    if (o.network.isOnnxFile()) {
        onnxBytes = readInputFile(o.network.network, InputFileKind::OnnxModel);
        onnx = importOnnx(onnxBytes, o.network.network,
                          std::filesystem::path(o.network.network).parent_path().string(), o.network.options());
    }
    const NetworkSpec spec = onnx ? onnx->spec : o.network.load();
    const Graph g = Graph::build(spec, o.width);
    const QuantStrategy s = QuantStrategy::parse(o.strategy);
    const Calibration calibration = parseCalibration(o.calibration);
    // An ONNX file brings its own weights (at its own width) unless --model names others.
    std::string modelPath, modelBytes;
    NetworkWeights weights;
    if (onnx && o.model.empty()) {
        modelPath = o.network.network;
        if (!onnx->structureOnly.empty())
            throw InputError(modelPath + ": structure only (" + onnx->structureOnly
                             + "); counts, energy and sweeps work, evaluation needs weights (give --model FILE)");
        if (o.width != 1.0)
            throw InputError("--width: the weights in " + modelPath + " are for width 1 (give --model FILE for width "
                             + widthText(o.width) + ")");
        modelBytes = std::move(onnxBytes);
        weights = weightsFromModel(g, onnx->weights, modelPath);
    } else {
        modelPath = o.model.empty() ? findModel(g.name(), o.width, s.name) : o.model;
        modelBytes = readInputFile(modelPath, InputFileKind::Model);
        weights = weightsFromModel(g, loadModelFile(modelPath), modelPath);
    }
    const Dataset test = loadDataset(o.dataset, Split::Test);
    const Dataset calibrationSet = loadDataset(o.dataset, Split::Train, o.calibrationImages);
    const std::string key = evalCacheKey(spec, g.width(), s.name, calibration, o.calibrationImages,
                                         o.limit, modelBytes, test, calibrationSet);
    std::optional<EvalResult> cached = o.noCache ? std::nullopt : loadCachedEval(key);
    EvalResult r;
    if (cached) {
        r = *cached;
    } else {
        InferenceEngine engine(g, weights, assignPrecision(g, s));
        engine.setNormalization(normalizationFor(test));
        engine.calibrate(calibrationSet, o.calibrationImages, calibration);
        const bool tty = !o.json && ::isatty(2);
        r = evaluate(engine, test, o.limit, [&](const EvalResult& p) {
            if (tty)
                std::fprintf(stderr, "\reval: %lld images, %.2f %%", (long long)p.images, 100 * p.accuracy());
        });
        if (tty)
            std::fprintf(stderr, "\r\033[K");
        storeCachedEval(key, r);
    }
    if (o.json) {
        nlohmann::ordered_json j;
        j["network"] = g.name();
        j["width"] = g.width();
        j["strategy"] = s.name;
        j["dataset"] = test.name;
        j["model"] = modelPath;
        j["images"] = r.images;
        j["accuracy"] = r.accuracy();
        j["low"] = r.low;
        j["high"] = r.high;
        j["cached"] = cached.has_value();
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::printf("%s at width %g, %s, on %s (%lld test images): top-1 %.2f %% (95 %% interval %.2f-%.2f %%)\n",
                g.name().c_str(), g.width(), s.name.c_str(), test.name.c_str(), (long long)r.images, 100 * r.accuracy(),
                100 * r.low, 100 * r.high);
}

} // namespace

void addEvalCommand(CLI::App& app)
{
    auto o = std::make_shared<EvalOptions>();
    CLI::App* sub = app.add_subcommand("eval", "Measure the top-1 accuracy of a quantized network on a dataset");
    addNetworkArgument(sub, o->network);
    addRangedOption(sub, "--width", o->width, kMinWidth, kMaxWidth, "Width multiplier")->capture_default_str();
    sub->add_option("--strategy", o->strategy, "Quantization strategy, e.g. fp32, int8, int4+res8")->required();
    sub->add_option("--model", o->model,
                    "Model file (safetensors); default: an ONNX NETWORK's own weights, or the trained model in the resources");
    sub->add_option("--dataset", o->dataset, "fashion-mnist, or a folder with Fashion-MNIST or CIFAR-10 files")
        ->capture_default_str();
    addRangedOption(sub, "--limit", o->limit, 0, 1e9, "Evaluate only the first N test images (0: all)")->capture_default_str();
    sub->add_option("--calibration", o->calibration, "Activation scales: minmax, percentile or mse")->capture_default_str();
    addRangedOption(sub, "--calibration-images", o->calibrationImages, 1, double(kMaxCalibrationImages),
                    "Training images used for calibration")
        ->capture_default_str();
    sub->add_flag("--json", o->json, "Print JSON");
    sub->add_flag("--no-cache", o->noCache, "Evaluate again even when the result is cached");
    sub->callback([o] { runEval(*o); });
}

} // namespace poq::cli
