// `poq sweep NETWORK --widths W,W,... --strategies S,S,... [--hw ...] [--set ...] [--objective ...]
//  [--accuracy none|measured|FILE.csv] --out FILE.csv`: cost every design point, write the table.
#include "cli/cli.h"

#include "explore/csv.h"
#include "explore/sweep.h"
#include "explore/sweep_run.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>

#include <unistd.h>

namespace poq::cli {

namespace {

struct SweepOptions {
    std::string network;
    std::string widths;
    std::string strategies;
    std::string hw = kDefaultPreset;
    std::vector<std::string> sets;
    std::string objective = "energy";
    std::string accuracy = "none";
    std::string out;
};

void runSweep(const SweepOptions& o)
{
    checkWritableDestination(o.out, "--out");
    // The one sweep specification the window and sessions use too.
    SweepSpec spec;
    spec.objective = parseObjective(o.objective);
    spec.network = resolveNetwork(o.network);
    spec.widths = parseWidthList(o.widths);
    spec.strategies = parseNameList(o.strategies, "strategies");
    const Sweep sweep(spec.network, spec.widths, spec.strategies); // validates before anything is costed
    spec.hardware = loadHardware(o.hw);
    for (const std::string& s : o.sets)
        applySetting(spec.hardware, s);
    spec.measured = o.accuracy == "measured";
    if (!spec.measured && o.accuracy != "none")
        spec.accuracy = AccuracyTable::loadCsv(o.accuracy);
    const Hardware& hw = spec.hardware;

    const bool tty = ::isatty(STDERR_FILENO);
    std::mutex printing;
    MappingCache cache;
    const SweepOutcome outcome = runSweep(spec, cache, [&](double f) {
        if (!tty)
            return;
        std::lock_guard lock(printing);
        std::cerr << "\rsweep: " << int(f * 100) << " % of " << sweep.size() << " points" << std::flush;
    });
    if (tty)
        std::cerr << "\r";
    const std::vector<DesignPoint>& points = outcome.points;
    if (spec.measured) {
        if (!points.empty() && outcome.unmeasured.size() == points.size())
            throw InputError("accuracy: no trained model for any point of " + sweep.network()
                             + " in the resources (models/<network>_w<width>_<strategy>.safetensors); "
                               "use none or an accuracy CSV");
        std::vector<std::string> lines;
        for (const std::string& m : outcome.unmeasured)
            lines.push_back("no trained model for " + m + "; its accuracy is left empty");
        for (const std::string& line : summarizeWarnings(lines))
            std::cerr << "poq: warning: " << line << "\n";
    }
    for (const std::string& w : summarizeWarnings(outcome.unmatched))
        std::cerr << "poq: warning: " << w << "\n";
    writeSweepCsv(points, o.out);
    int withAccuracy = 0, frontier = 0;
    for (const DesignPoint& p : points) {
        withAccuracy += p.accuracy ? 1 : 0;
        frontier += p.pareto ? 1 : 0;
    }
    std::cout << sweep.network() << ": " << points.size() << " design points on " << hw.name << ", " << withAccuracy
              << " with accuracy, " << frontier << " on the accuracy-vs-energy frontier; wrote " << o.out << "\n";
}

} // namespace

void addSweepCommand(CLI::App& app)
{
    auto o = std::make_shared<SweepOptions>();
    CLI::App* sub = app.add_subcommand("sweep", "Cost every (width, strategy) design point of a network; write CSV");
    sub->add_option("NETWORK", o->network, "Built-in network name or network JSON file")->required();
    sub->add_option("--widths", o->widths, "Comma-separated width multipliers, e.g. 0.35,0.5,0.75,1.0")->required();
    sub->add_option("--strategies", o->strategies, "Comma-separated strategies, e.g. fp16,int8,int4+res8")->required();
    sub->add_option("--hw", o->hw, "Hardware preset or hardware JSON file")->capture_default_str();
    sub->add_option("--set", o->sets, "Override a hardware parameter, KEY=VALUE (repeatable)");
    sub->add_option("--objective", o->objective, "Mapping objective: energy, latency or edp")->capture_default_str();
    sub->add_option("--accuracy", o->accuracy,
                    "Accuracy source: none, measured, or a CSV with columns network,width,strategy,accuracy (0..1)")
        ->capture_default_str();
    sub->add_option("--out", o->out, "Output CSV file")->required();
    sub->callback([o] { runSweep(*o); });
}

} // namespace poq::cli
