// `poq compare FILE.csv --baseline S --candidate S [--at-accuracy A] [--at-energy E] [--json]`:
// iso-accuracy energy ratio, iso-energy accuracy gain, optimal ranges and proxy disagreement.
#include "cli/cli.h"
#include "cli/options.h"
#include "graph/width.h"

#include "explore/csv.h"
#include "explore/pareto.h"
#include "formats/strategy.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace poq::cli {

namespace {

struct CompareOptions {
    std::string file;
    std::string baseline;
    std::string candidate;
    double atAccuracy = -1;
    double atEnergy = -1;
    bool json = false;
};

std::string fmt(const char* f, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

nlohmann::ordered_json pointRef(const DesignPoint& p)
{
    return {{"network", p.network}, {"width", p.width}, {"strategy", p.strategy}};
}

void runCompare(const CompareOptions& o)
{
    const std::vector<DesignPoint> points = readSweepCsv(o.file);
    const std::string baseline = QuantStrategy::parse(o.baseline).name, candidate = QuantStrategy::parse(o.candidate).name;
    const Comparison c = compareStrategies(points, baseline, candidate);
    const Frontier fb = strategyFrontier(points, baseline), fc = strategyFrontier(points, candidate);
    std::optional<double> ratioAt, gainAt;
    if (o.atAccuracy >= 0) // the option's range check refuses negative values and NaN
        ratioAt = energyRatioAt(fb, fc, o.atAccuracy);
    if (o.atEnergy >= 0)
        gainAt = accuracyGainAt(fb, fc, o.atEnergy);
    const std::vector<OptimalRange> ranges = optimalRanges(points);
    std::vector<ProxyReport> proxies;
    for (const CostAxisInfo& a : allCostAxes())
        if (a.proxy)
            proxies.push_back(proxyReport(points, a.id));

    if (o.json) {
        nlohmann::ordered_json j;
        j["baseline"] = baseline;
        j["candidate"] = candidate;
        j["accuracyOverlap"] = c.accuracyOverlap ? nlohmann::ordered_json{c.overlapLo, c.overlapHi} : nlohmann::ordered_json();
        j["maxEnergyRatio"] = c.accuracyOverlap ? nlohmann::ordered_json(c.maxEnergyRatio) : nlohmann::ordered_json();
        j["maxEnergyRatioAtAccuracy"] = c.accuracyOverlap ? nlohmann::ordered_json(c.maxEnergyRatioAt) : nlohmann::ordered_json();
        j["energyOverlapPj"] = c.energyOverlap ? nlohmann::ordered_json{c.energyLo, c.energyHi} : nlohmann::ordered_json();
        j["maxAccuracyGain"] = c.energyOverlap ? nlohmann::ordered_json(c.maxAccuracyGain) : nlohmann::ordered_json();
        j["maxAccuracyGainAtEnergyPj"] = c.energyOverlap ? nlohmann::ordered_json(c.maxAccuracyGainAt) : nlohmann::ordered_json();
        if (o.atAccuracy >= 0)
            j["energyRatioAtAccuracy"] = ratioAt ? nlohmann::ordered_json(*ratioAt) : nlohmann::ordered_json();
        if (o.atEnergy >= 0)
            j["accuracyGainAtEnergy"] = gainAt ? nlohmann::ordered_json(*gainAt) : nlohmann::ordered_json();
        nlohmann::ordered_json r = nlohmann::ordered_json::array();
        for (const OptimalRange& x : ranges)
            r.push_back({{"strategy", x.strategy}, {"accuracyLo", x.accuracyLo}, {"accuracyHi", x.accuracyHi}});
        j["optimalRanges"] = r;
        nlohmann::ordered_json px = nlohmann::ordered_json::array();
        for (const ProxyReport& p : proxies) {
            nlohmann::ordered_json picked = nlohmann::ordered_json::array(), missed = nlohmann::ordered_json::array();
            for (int i : p.pickedButRejected)
                picked.push_back(pointRef(points[i]));
            for (int i : p.missed)
                missed.push_back(pointRef(points[i]));
            px.push_back({{"proxy", costAxisInfo(p.proxy).name}, {"pickedButRejected", picked}, {"missed", missed},
                          {"rankCorrelation", p.rankCorrelation}});
        }
        j["proxies"] = px;
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << "candidate " << candidate << " vs baseline " << baseline << " (" << o.file << ")\n";
    if (c.accuracyOverlap)
        std::cout << "  iso-accuracy: " << baseline << " needs up to " << fmt("%.2f", c.maxEnergyRatio) << "x the energy of "
                  << candidate << " (at " << fmt("%.1f", 100 * c.maxEnergyRatioAt) << " % accuracy; overlap "
                  << fmt("%.1f", 100 * c.overlapLo) << "-" << fmt("%.1f", 100 * c.overlapHi) << " %)\n";
    else
        std::cout << "  iso-accuracy: the frontiers share no accuracy range\n";
    if (c.energyOverlap)
        std::cout << "  iso-energy: " << candidate << " gains up to " << fmt("%+.2f", 100 * c.maxAccuracyGain)
                  << " points of accuracy (at " << fmt("%.4g", c.maxAccuracyGainAt / 1e6) << " uJ)\n";
    else
        std::cout << "  iso-energy: the frontiers share no energy range\n";
    if (ratioAt)
        std::cout << "  at " << fmt("%.1f", 100 * o.atAccuracy) << " % accuracy: energy ratio " << fmt("%.2f", *ratioAt) << "x\n";
    else if (o.atAccuracy >= 0)
        std::cout << "  at " << fmt("%.1f", 100 * o.atAccuracy) << " % accuracy: outside the overlap\n";
    if (gainAt)
        std::cout << "  at " << fmt("%.4g", o.atEnergy / 1e6) << " uJ: accuracy gain " << fmt("%+.2f", 100 * *gainAt) << " points\n";
    else if (o.atEnergy >= 0)
        std::cout << "  at " << fmt("%.4g", o.atEnergy / 1e6) << " uJ: outside the overlap\n";
    std::cout << "Pareto-optimal strategy by accuracy (energy frontier):\n";
    for (const OptimalRange& x : ranges)
        std::cout << "  " << fmt("%5.1f", 100 * x.accuracyLo) << " - " << fmt("%5.1f", 100 * x.accuracyHi) << " %  " << x.strategy << "\n";
    for (const ProxyReport& p : proxies) {
        std::cout << "Proxy " << costAxisInfo(p.proxy).name << ": rank correlation with energy "
                  << fmt("%.3f", p.rankCorrelation) << "; its frontier picks " << p.pickedButRejected.size()
                  << " point(s) the energy model rejects";
        for (size_t k = 0; k < p.pickedButRejected.size() && k < 6; ++k) {
            const DesignPoint& d = points[p.pickedButRejected[k]];
            std::cout << (k ? ", " : ": ") << d.strategy << "@" << d.width;
        }
        std::cout << "\n";
    }
}

} // namespace

void addCompareCommand(CLI::App& app)
{
    auto o = std::make_shared<CompareOptions>();
    CLI::App* sub = app.add_subcommand("compare", "Compare two strategies' frontiers in a sweep CSV");
    sub->add_option("FILE", o->file, "Sweep CSV written by poq sweep")->required();
    sub->add_option("--baseline", o->baseline, "Baseline strategy, e.g. fp16")->required();
    sub->add_option("--candidate", o->candidate, "Candidate strategy, e.g. int8")->required();
    addRangedOption(sub, "--at-accuracy", o->atAccuracy, 0, 1, "Also report the energy ratio at this accuracy (a fraction)");
    addRangedOption(sub, "--at-energy", o->atEnergy, 1e-6, 1e30, "Also report the accuracy gain at this energy (pJ)");
    sub->add_flag("--json", o->json, "Print JSON");
    sub->callback([o] { runCompare(*o); });
}

} // namespace poq::cli
