// `poq export NETWORK --width W [--model FILE] --out FILE.onnx`: the width-scaled network as ONNX,
// with a model's weights (or a seeded initialization), for training or deployment elsewhere.
#include "cli/cli.h"
#include "cli/network_argument.h"
#include "cli/options.h"

#include "data/model_file.h"
#include "engine/weights.h"
#include "graph/width.h"
#include "onnx/onnx_export.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace poq::cli {

namespace {

struct ExportOptions {
    NetworkArgument network;
    double width = 1.0;
    std::string model;
    std::string out;
};

void runExport(const ExportOptions& o)
{
    if (!isOnnxPath(o.out))
        throw InputError("--out: must end in .onnx, got '" + o.out + "'");
    checkWritableDestination(o.out, "--out");
    const Graph g = Graph::build(o.network.load(), o.width);
    NetworkWeights w;
    if (o.model.empty()) {
        w = initialWeights(g, 0);
    } else {
        w = weightsFromModel(g, loadModelFile(o.model), o.model);
        for (const auto& [name, values] : w.tensors)
            if (name.rfind("quant.", 0) == 0)
                throw InputError("--model: " + o.model + " is quantization-aware (it holds '" + name
                                 + "'); its quantized (QDQ) export is not built yet, export its fp32 model");
    }
    saveOnnxFile(g, w, o.out);
    std::printf("wrote %s: %s at width %s, %zu layers, %s weights (ONNX opset %d)\n", o.out.c_str(), g.name().c_str(),
                widthText(o.width).c_str(), g.layers().size(),
                o.model.empty() ? "seeded initial (untrained)" : ("the model's"), kOnnxExportOpset);
}

} // namespace

void addExportCommand(CLI::App& app)
{
    auto o = std::make_shared<ExportOptions>();
    CLI::App* sub = app.add_subcommand("export", "Write a network at one width as ONNX (with a model's weights)");
    addNetworkArgument(sub, o->network);
    addRangedOption(sub, "--width", o->width, kMinWidth, kMaxWidth, "Width multiplier")->capture_default_str();
    sub->add_option("--model", o->model,
                    "Model file (safetensors, fp32) whose weights to write; default: a seeded initialization");
    sub->add_option("--out", o->out, "ONNX file to write (.onnx)")->required();
    sub->callback([o] { runExport(*o); });
}

} // namespace poq::cli
