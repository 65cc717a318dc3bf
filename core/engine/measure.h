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

// resources/models/<network>_w<width>_<strategy>.safetensors, else the fp32 model of that width
// (post-training quantization); nullopt when neither exists.
std::optional<std::string> findTrainedModel(const std::string& network, double width, const std::string& strategy);

// Fills accuracy, accuracyLo, accuracyHi of every point that has a trained model; returns the
// points without one ("strategy@width"). Throws InputError on a damaged model or dataset.
std::vector<std::string> measureAccuracies(std::vector<DesignPoint>& points, const NetworkSpec& network,
                                           const std::string& dataset = "fashion-mnist",
                                           const CancelToken* cancel = nullptr);

} // namespace poq
