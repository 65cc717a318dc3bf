// A sweep: every (width, strategy) point of one network costed on one hardware description, with
// accuracy from an imported table or none (measured accuracy comes with the inference engine).
// Graphs and precisions are built once; costing reuses a MappingCache, so re-costing after a
// hardware change redoes only what depends on the hardware.
#pragma once

#include "explore/design_point.h"
#include "formats/precision.h"
#include "graph/graph.h"
#include "hw/network_cost.h"
#include "util/cancel.h"

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace poq {

// Imported accuracies: CSV with header network,width,strategy,accuracy[,accuracy_lo,accuracy_hi],
// accuracies as fractions in 0..1.
class AccuracyTable {
public:
    struct Entry {
        double accuracy = 0;
        std::optional<double> lo, hi;
        int line = 0;
    };
    // Throws InputError naming the file and line: malformed rows, non-numeric or out-of-range
    // values, unknown strategies, duplicates.
    static AccuracyTable loadCsv(const std::string& path);
    static AccuracyTable parseCsv(const std::string& text, const std::string& sourceName);

    const Entry* find(const std::string& network, double width, const std::string& strategy) const;
    // "FILE:LINE: ..." for every row that matches no point (reported, never used).
    std::vector<std::string> unmatched(const std::vector<DesignPoint>& points) const;

private:
    using Key = std::tuple<std::string, long long, std::string>; // width in millionths
    std::map<Key, Entry> m_entries;
    std::string m_source;
};

class Sweep {
public:
    // Throws InputError on an empty or out-of-range width list, or an unknown strategy.
    Sweep(const NetworkSpec& network, std::vector<double> widths, const std::vector<std::string>& strategies);

    size_t size() const { return m_points.size(); }
    const std::string& network() const { return m_network; }

    // Costs every point (TBB over points). Returns false (and leaves `out` untouched) when cancelled.
    bool cost(const Hardware& hw, Objective objective, MappingCache& cache, std::vector<DesignPoint>& out,
              const ProgressFn& progress = {}, const CancelToken* cancel = nullptr) const;

private:
    struct Point {
        double width;
        QuantStrategy strategy;
        Graph graph;
        NetworkPrecision precision;
    };
    std::string m_network;
    std::vector<Point> m_points;
};

// Sets accuracies from the table (points it lacks keep none) and marks the energy frontier.
void applyAccuracy(std::vector<DesignPoint>& points, const AccuracyTable& table);
void markPareto(std::vector<DesignPoint>& points);

// Parses "0.35,0.5,1" and "fp16,int8"; throws InputError naming the option.
// Lists on the command line and in sessions hold at most kMaxListItems values, and a sweep at most
// kMaxSweepPoints design points (each holds its graph: the bound keeps memory in check).
inline constexpr size_t kMaxListItems = 100;
inline constexpr size_t kMaxSweepPoints = 2000;

// At most maxLines of `warnings`; beyond that the last line says how many more there were.
std::vector<std::string> summarizeWarnings(const std::vector<std::string>& warnings, size_t maxLines = 10);

std::vector<double> parseWidthList(const std::string& text);
std::vector<std::string> parseNameList(const std::string& text, const char* option);

} // namespace poq
