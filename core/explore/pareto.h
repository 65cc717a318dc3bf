// Pareto frontiers (maximize accuracy, minimize a cost) and the comparisons the POQ method reads
// off them: iso-accuracy energy ratios, iso-energy accuracy gains, which strategy is optimal where,
// and how far a proxy cost's frontier strays from the energy frontier.
#pragma once

#include "explore/design_point.h"

#include <string>
#include <vector>

namespace poq {

// Indices of the points on the frontier, sorted by cost (ties by index). A point is on it when no
// other point has cost <= and accuracy >= with one of them strict; equal points are all kept.
// Points without accuracy are never on it. O(n log n); independent of input order.
std::vector<int> paretoFrontier(const std::vector<DesignPoint>& points, CostAxis axis = CostAxis::Energy);
// The O(n^2) definition, for tests.
std::vector<int> paretoFrontierReference(const std::vector<DesignPoint>& points, CostAxis axis = CostAxis::Energy);

// One strategy's frontier as (log10 cost, accuracy) pairs, cost ascending, accuracy strictly rising.
struct Frontier {
    std::vector<double> logCost;
    std::vector<double> accuracy;
    bool empty() const { return logCost.empty(); }
};
Frontier strategyFrontier(const std::vector<DesignPoint>& points, const std::string& strategy, CostAxis axis = CostAxis::Energy);

struct Comparison {
    std::string baseline, candidate;
    bool accuracyOverlap = false;   // the two frontiers share an accuracy range
    double overlapLo = 0, overlapHi = 0;
    double maxEnergyRatio = 0;      // baseline energy / candidate energy at equal accuracy (max over overlap)
    double maxEnergyRatioAt = 0;    // ... at this accuracy
    bool energyOverlap = false;
    double energyLo = 0, energyHi = 0; // pJ
    double maxAccuracyGain = 0;     // candidate - baseline accuracy at equal energy (max over overlap)
    double maxAccuracyGainAt = 0;   // ... at this energy (pJ)
};

// Frontiers are interpolated linearly in log-energy. Throws InputError when a strategy has no
// point with accuracy.
Comparison compareStrategies(const std::vector<DesignPoint>& points, const std::string& baseline,
                             const std::string& candidate);
// Ratio / gain at one accuracy or energy; nullopt outside the overlap.
std::optional<double> energyRatioAt(const Frontier& baseline, const Frontier& candidate, double accuracy);
std::optional<double> accuracyGainAt(const Frontier& baseline, const Frontier& candidate, double energyPj);

// Accuracy ranges of the overall frontier in which one strategy is Pareto-optimal.
struct OptimalRange {
    std::string strategy;
    double accuracyLo = 0, accuracyHi = 0;
};
std::vector<OptimalRange> optimalRanges(const std::vector<DesignPoint>& points, CostAxis axis = CostAxis::Energy);

// How a proxy frontier disagrees with the energy frontier.
struct ProxyReport {
    CostAxis proxy = CostAxis::Bops;
    std::vector<int> pickedButRejected; // on the proxy frontier, not on the energy frontier
    std::vector<int> missed;            // on the energy frontier, not on the proxy frontier
    double rankCorrelation = 0;         // Spearman, proxy cost vs energy, over all points
};
ProxyReport proxyReport(const std::vector<DesignPoint>& points, CostAxis proxy);

} // namespace poq
