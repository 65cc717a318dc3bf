// Measured accuracy for design points: the trained model of each (network, width, strategy) from
// resources/models, evaluated on the dataset's test split with the on-disk cache. Accuracy does not
// depend on hardware, so results are also kept in memory for the rest of the process.
#pragma once

#include "explore/design_point.h"
#include "graph/network_spec.h"
#include "util/cancel.h"

#include <optional>
#include <string>
#include <vector>

namespace poq {

// The built-in experiment: the network, widths and strategies whose trained models ship in
// resources/models (retrained by tools/train-experiment.sh, which a test keeps in step with this).
// The window opens on it; its QAT strategies are the integer ones below 8 bits.
struct Experiment {
    std::string network;
    std::vector<double> widths;
    std::vector<std::string> strategies;    // everything measured
    std::vector<std::string> qatStrategies; // those with their own quantization-aware model
};
const Experiment& builtinExperiment();

// resources/models/<network>_w<width>_<strategy>.safetensors, else the fp32 model of that width
// (post-training quantization); nullopt when neither exists.
std::optional<std::string> findTrainedModel(const std::string& network, double width, const std::string& strategy);

// Fills accuracy, accuracyLo, accuracyHi of every point that has a trained model; returns the
// points without one ("strategy@width"). Throws InputError on a damaged model or dataset.
// `progress` gets the fraction of the points done (within a point, of its test images).
std::vector<std::string> measureAccuracies(std::vector<DesignPoint>& points, const NetworkSpec& network,
                                           const std::string& dataset = "fashion-mnist",
                                           const CancelToken* cancel = nullptr, const ProgressFn& progress = {});

} // namespace poq
