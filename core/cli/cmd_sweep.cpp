// `poq sweep NETWORK --widths W,W,... --strategies S,S,... [--hw ...] [--set ...] [--objective ...]
//  [--accuracy none|measured|FILE.csv] --out FILE.csv|FILE.json`, or `poq sweep --session
//  FILE.poq.json [--set ...] --out ...`: cost every design point, write the table (or `--json`).
#include "cli/cli.h"
#include "cli/network_argument.h"

#include "explore/csv.h"
#include "explore/session.h"
#include "explore/sweep.h"
#include "explore/sweep_run.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/input_file.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>

#include <unistd.h>

namespace poq::cli {

namespace {

struct SweepOptions {
    NetworkArgument network;
    std::string widths;
    std::string strategies;
    std::string hw = kDefaultPreset;
    std::vector<std::string> sets;
    std::string objective = "energy";
    std::string accuracy = "none";
    std::string session;
    std::string out;
    bool json = false;
    bool listsGiven = false; // NETWORK, --widths and --strategies (an empty list is their own error)
};

void runSweep(const SweepOptions& o)
{
    if (o.out.empty() && !o.json)
        throw InputError("--out: required (a .csv or .json file), or --json to print the points");
    if (!o.out.empty())
        checkWritableDestination(o.out, "--out");
    // The one sweep specification the window and sessions use too.
    SweepSpec spec;
    if (!o.session.empty()) { // what the window's session file describes, exactly
        if (!o.network.network.empty())
            throw InputError("NETWORK: not with --session (the session names its network)");
        spec = sweepSpecOf(sessionFromJson(readInputFile(o.session, InputFileKind::Session), o.session));
    } else {
        if (!o.listsGiven)
            throw InputError("NETWORK, --widths and --strategies: required (or --session FILE.poq.json)");
        spec.objective = parseObjective(o.objective);
        spec.network = o.network.load();
        spec.widths = parseWidthList(o.widths);
        spec.strategies = parseNameList(o.strategies, "strategies");
        spec.hardware = loadHardware(o.hw);
        spec.measured = o.accuracy == "measured";
        if (!spec.measured && o.accuracy != "none")
            spec.accuracy = AccuracyTable::loadCsv(o.accuracy);
    }
    const Sweep sweep(spec.network, spec.widths, spec.strategies); // validates before anything is costed
    for (const std::string& s : o.sets)
        applySetting(spec.hardware, s);
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
    if (o.json)
        std::cout << sweepToJson(points);
    if (o.out.empty())
        return;
    writeSweepFile(points, o.out);
    int withAccuracy = 0, frontier = 0;
    for (const DesignPoint& p : points) {
        withAccuracy += p.accuracy ? 1 : 0;
        frontier += p.pareto ? 1 : 0;
    }
    (o.json ? std::cerr : std::cout) << sweep.network() << ": " << points.size() << " design points on " << hw.name << ", " << withAccuracy
              << " with accuracy, " << frontier << " on the accuracy-vs-energy frontier; wrote " << o.out << "\n";
}

} // namespace

void addSweepCommand(CLI::App& app)
{
    auto o = std::make_shared<SweepOptions>();
    CLI::App* sub = app.add_subcommand("sweep", "Cost every (width, strategy) design point of a network; write CSV");
    CLI::Option* network = addNetworkArgument(sub, o->network, false);
    CLI::Option* widths = sub->add_option("--widths", o->widths, "Comma-separated width multipliers, e.g. 0.35,0.5,0.75,1.0");
    CLI::Option* strategies = sub->add_option("--strategies", o->strategies, "Comma-separated strategies, e.g. fp16,int8,int4+res8");
    CLI::Option* hw = sub->add_option("--hw", o->hw, "Hardware preset or hardware JSON file")->capture_default_str();
    sub->add_option("--set", o->sets, "Override a hardware parameter, KEY=VALUE (repeatable)");
    CLI::Option* objective = sub->add_option("--objective", o->objective, "Mapping objective: energy, latency or edp")->capture_default_str();
    CLI::Option* accuracy = sub->add_option("--accuracy", o->accuracy,
                    "Accuracy source: none, measured, or a CSV with columns network,width,strategy,accuracy (0..1)")
        ->capture_default_str();
    sub->add_option("--session", o->session,
                    "Run the sweep a window session (FILE.poq.json) describes: its network, widths, strategies, hardware, "
                    "objective and accuracy source; writes what the window's File > Export Data writes")
        ->excludes(widths)->excludes(strategies)->excludes(hw)->excludes(objective)->excludes(accuracy);
    sub->add_option("--out", o->out, "Output file: CSV, or JSON when it ends in .json");
    sub->add_flag("--json", o->json, "Print the points as JSON on standard output");
    sub->callback([o, network, widths, strategies] {
        o->listsGiven = network->count() && widths->count() && strategies->count();
        runSweep(*o);
    });
}

} // namespace poq::cli
