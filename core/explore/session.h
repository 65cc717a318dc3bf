// Session files: what the user picked (network, widths, strategies, hardware, objective, accuracy
// source) and the view (cost axis, selection, compare pair), as JSON. The window saves and opens
// them; `poq sweep --session` runs the sweep one describes. Loading validates everything.
#pragma once

#include "explore/sweep_run.h"
#include "hw/hardware.h"
#include "hw/layer_cost.h"
#include "hw/network_cost.h"

#include <string>
#include <utility>
#include <vector>

namespace poq {

struct Session {
    std::string network; // zoo name, or a network file path
    bool networkIsFile = false;
    double width = 1.0; // the layer table's width
    std::vector<double> widths;
    std::vector<std::string> strategies;
    Hardware hardware;
    Objective objective = Objective::Energy;
    std::string accuracyFile; // empty: none; "measured": the trained models; else a CSV path
    // The view: cost axis, selected points (strategy, width) and the compare pair (optional fields).
    CostAxis costAxis = CostAxis::Energy;
    std::vector<std::pair<std::string, double>> selection;
    std::string compareBaseline, compareCandidate;
};

std::string sessionToJson(const Session& s);
// Throws InputError naming the file and field.
Session sessionFromJson(const std::string& json, const std::string& sourceName);
// The sweep a session describes (network file and accuracy CSV read now; throws InputError).
SweepSpec sweepSpecOf(const Session& s);

} // namespace poq
