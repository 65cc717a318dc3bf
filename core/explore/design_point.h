// A design point: one (network, width, strategy) on one hardware, with its accuracy (when known)
// and costs. Cost axes (energy, latency, EDP and the proxies MACs, BOPs, model size) are one table.
#pragma once

#include "util/units.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace poq {

struct DesignPoint {
    std::string network;
    double width = 1.0;
    std::string strategy;
    std::optional<double> accuracy;   // top-1, fraction 0..1
    std::optional<double> accuracyLo; // 95 % interval
    std::optional<double> accuracyHi;
    double energyPj = 0, macPj = 0, rfPj = 0, sramPj = 0, dramPj = 0, otherPj = 0;
    double latencyCycles = 0;
    int64_t macs = 0;
    double bops = 0;
    double weightBits = 0;
    bool pareto = false; // on the accuracy-vs-energy frontier

    double edp() const { return energyPj * latencyCycles; }
};

enum class CostAxis { Energy, Latency, Edp, Macs, Bops, Size };

struct CostAxisInfo {
    CostAxis id;
    const char* name;  // CLI: --x energy
    const char* label; // axis title
    bool proxy;        // a stand-in for energy (MACs, BOPs, size)
    Quantity quantity; // how its values read (units.h)
    double (*value)(const DesignPoint&);
};

std::span<const CostAxisInfo> allCostAxes();
const CostAxisInfo& costAxisInfo(CostAxis a);
CostAxis parseCostAxis(const std::string& name); // throws InputError

} // namespace poq
