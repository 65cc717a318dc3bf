// One sweep specification and the one function that runs it: what `poq sweep`, the window's sweep
// and a session all describe (network, widths, strategies, hardware, objective, accuracy source).
#pragma once

#include "explore/sweep.h"
#include "graph/network_spec.h"
#include "hw/hardware.h"
#include "hw/mapper.h"
#include "util/cancel.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace poq {

struct SweepSpec {
    NetworkSpec network;
    std::vector<double> widths;
    std::vector<std::string> strategies;
    Hardware hardware;
    Objective objective = Objective::Energy;
    std::optional<AccuracyTable> accuracy; // imported accuracies (a CSV)
    bool measured = false;                 // or: evaluate the trained models on the test set
};

struct SweepOutcome {
    std::vector<DesignPoint> points;
    bool cancelled = false;
    std::vector<std::string> unmeasured; // measured: points without a trained model ("strategy@width")
    std::vector<std::string> unmatched;  // imported: rows that match no point ("FILE:LINE: ...")
};

// Costs every point, then fills accuracies by the spec's source and marks the frontier. Throws
// InputError on invalid input (a damaged model or dataset).
SweepOutcome runSweep(const SweepSpec& spec, MappingCache& cache, const std::function<void(double)>& progress = {},
                      const CancelToken* cancel = nullptr);

} // namespace poq
