// Session files: what the user picked (network, widths, strategies, hardware, objective, accuracy
// source), as JSON. Loading validates everything before anything is applied.
#pragma once

#include "explore/design_point.h"
#include "hw/hardware.h"
#include "hw/layer_cost.h"

#include <QString>

#include <string>
#include <vector>

namespace poq::ui {

struct Session {
    QString network;       // zoo name, or a network file path
    bool networkIsFile = false;
    double width = 1.0;    // the layer table's width
    std::vector<double> widths;
    std::vector<std::string> strategies;
    Hardware hardware;
    Objective objective = Objective::Energy;
    QString accuracyFile;  // empty: none; "measured": the trained models
    // The view: cost axis, selected points (strategy, width) and the compare pair (optional fields).
    CostAxis costAxis = CostAxis::Energy;
    std::vector<std::pair<std::string, double>> selection;
    std::string compareBaseline, compareCandidate;
};

QByteArray sessionToJson(const Session& s);
// Throws InputError naming the file and field.
Session sessionFromJson(const QByteArray& json, const QString& sourceName);

} // namespace poq::ui
