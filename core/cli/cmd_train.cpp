// `poq train NETWORK --width W --strategy S [--dataset ...] [--epochs N] [--seed N] [--batch N] [--lr X]
//  [--limit N] [--checkpoint FILE] --out FILE`: trains on the training split, prints per-epoch loss and
// test accuracy, checkpoints every epoch (an interrupted run resumes from it), writes the model.
#include "cli/cli.h"
#include "cli/network_argument.h"
#include "cli/options.h"
#include "graph/width.h"

#include "data/dataset.h"
#include "data/model_file.h"
#include "engine/inference.h"
#include "graph/zoo.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/memory_check.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace poq::cli {

namespace {

struct TrainCliOptions {
    NetworkArgument network;
    double width = 1.0;
    std::string strategy = "fp32";
    std::string dataset = "fashion-mnist";
    TrainOptions train;
    double warmup = -1; // auto
    std::string out;
    std::string checkpoint;
    std::string from;
};

void runTrain(const TrainCliOptions& o)
{
    // Everything that can be refused is refused before a dataset is read or an epoch runs.
    checkWritableDestination(o.out, "--out");
    const std::string checkpoint = o.checkpoint.empty() ? o.out + ".checkpoint" : o.checkpoint;
    checkWritableDestination(checkpoint, o.checkpoint.empty() ? "--out" : "--checkpoint");
    const Graph g = Graph::build(o.network.load(), o.width);
    checkMemoryFits(trainingMemoryBytes(g, o.train.batch),
                    "training " + g.name() + " at width " + widthText(o.width) + " with batch "
                        + std::to_string(o.train.batch),
                    "a smaller --batch, width or network");
    const QuantStrategy s = QuantStrategy::parse(o.strategy);
    const bool qat = formatInfo(s.compute).family == FormatFamily::Int;
    if (qat && o.from.empty())
        throw InputError("--from: quantization-aware training of " + s.name + " starts from a trained fp32 model of the "
                         "same width (give --from FILE)");
    if (o.train.epochs < 1 || o.train.epochs > 1000)
        throw InputError("--epochs: must be in 1..1000");
    if (o.train.batch < 1 || o.train.batch > 4096)
        throw InputError("--batch: must be in 1..4096");
    if (!(o.train.learningRate > 0 && o.train.learningRate < 10))
        throw InputError("--lr: must be in 0..10 (exclusive)");
    const Dataset train = loadDataset(o.dataset, Split::Train);
    const Dataset test = loadDataset(o.dataset, Split::Test);
    TrainOptions options = o.train;
    // Warm-up ramps a fresh network; fine-tuning from a trained model starts at the peak and decays.
    options.warmupEpochs = o.warmup >= 0 ? o.warmup : o.from.empty() ? 1.0 : 0.0;
    options.strategy = s.name;
    const NetworkPrecision precision = assignPrecision(g, s);
    const NetworkWeights start = o.from.empty() ? initialWeights(g, o.train.seed)
                                                : weightsFromModel(g, loadModelFile(o.from), o.from);
    Trainer trainer(g, start, options, qat ? &precision : nullptr);
    std::error_code ec;
    if (std::filesystem::exists(checkpoint, ec)) {
        trainer.loadCheckpoint(checkpoint);
        std::printf("resuming from %s after epoch %d\n", checkpoint.c_str(), trainer.completedEpochs());
    }
    EvalResult last;
    for (int epoch = trainer.completedEpochs(); epoch < o.train.epochs; ++epoch) {
        EpochStats st;
        trainer.trainEpoch(train, epoch, st);
        trainer.saveCheckpoint(checkpoint);
        InferenceEngine engine(g, trainer.weights(), qat ? precision : assignPrecision(g, QuantStrategy::parse("fp32")));
        engine.setNormalization(normalizationFor(test));
        last = evaluate(engine, test, 0);
        std::printf("epoch %d/%d: loss %.4f, train accuracy %.2f %%, test accuracy %.2f %% (%s), %.0f images/s\n",
                    epoch + 1, o.train.epochs, st.loss, 100 * st.trainAccuracy, 100 * last.accuracy(),
                    qat ? s.name.c_str() : "fp32", double(st.images) / st.seconds);
        std::fflush(stdout);
    }
    InferenceEngine engine(g, trainer.weights(), assignPrecision(g, s));
    engine.setNormalization(normalizationFor(test));
    engine.calibrate(train, 256);
    const EvalResult r = evaluate(engine, test, 0);
    char acc[32];
    std::snprintf(acc, sizeof acc, "%.4f", r.accuracy());
    saveModelFile(weightsToModel(g, trainer.weights(),
                                 {{"network", g.name()}, {"width", std::to_string(o.width)}, {"strategy", s.name},
                                  {"dataset", test.name}, {"seed", std::to_string(o.train.seed)},
                                  {"recipe", options.recipe()}, {"accuracy", acc}},
                                 qat ? &precision : nullptr),
                  o.out);
    std::filesystem::remove(checkpoint, ec);
    std::printf("wrote %s: %s test accuracy %.2f %% (95 %% interval %.2f-%.2f %%)\n", o.out.c_str(), s.name.c_str(),
                100 * r.accuracy(), 100 * r.low, 100 * r.high);
}

} // namespace

void addTrainCommand(CLI::App& app)
{
    auto o = std::make_shared<TrainCliOptions>();
    CLI::App* sub = app.add_subcommand("train", "Train a network (fp32, or quantization-aware for integer strategies; float formats are applied after)");
    addNetworkArgument(sub, o->network);
    addRangedOption(sub, "--width", o->width, kMinWidth, kMaxWidth, "Width multiplier")->capture_default_str();
    sub->add_option("--strategy", o->strategy, "Strategy of the written model: fp32, bf16, fp16, fp8, or an integer strategy (QAT, needs --from)")->capture_default_str();
    sub->add_option("--dataset", o->dataset, "fashion-mnist, or a folder with Fashion-MNIST or CIFAR-10 files")
        ->capture_default_str();
    addRangedOption(sub, "--epochs", o->train.epochs, 1, 1000, "Epochs")->capture_default_str();
    addRangedOption(sub, "--seed", o->train.seed, 0, 9007199254740992.0, "Random seed (weights, order, augmentation)")
        ->capture_default_str();
    addRangedOption(sub, "--batch", o->train.batch, 1, 4096, "Batch size")->capture_default_str();
    addRangedOption(sub, "--lr", o->train.learningRate, 1e-9, 10, "Peak learning rate")->capture_default_str();
    addRangedOption(sub, "--warmup", o->warmup, 0, 1000,
                    "Warm-up epochs of the learning rate (default: 1 from scratch, 0 with --from)");
    addRangedOption(sub, "--limit", o->train.limit, 0, 1e9, "Train on the first N images only (0: all)")
        ->capture_default_str();
    sub->add_option("--from", o->from, "Start from this model (required for integer strategies: quantization-aware training)");
    sub->add_option("--checkpoint", o->checkpoint, "Checkpoint file (default: OUT.checkpoint); resumes when present");
    sub->add_option("--out", o->out, "Model file to write (safetensors)")->required();
    sub->callback([o] { runTrain(*o); });
}

} // namespace poq::cli
