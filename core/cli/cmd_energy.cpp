// `poq energy NETWORK --width W --strategy S [--hw PRESET|FILE] [--set KEY=VALUE]...
//  [--objective energy|latency|edp] [--json|--csv]`: per-layer energy with the searched mappings.
#include "cli/cli.h"
#include "cli/network_argument.h"
#include "util/display_text.h"
#include "cli/options.h"
#include "graph/width.h"

#include "formats/precision.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "hw/network_cost.h"
#include "util/error.h"
#include "util/text_table.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace poq::cli {

namespace {

struct EnergyOptions {
    NetworkArgument network;
    double width = 1.0;
    std::string strategy;
    std::string hw = kDefaultPreset;
    std::vector<std::string> sets;
    std::vector<std::string> fuse;
    std::string objective = "energy";
    bool json = false;
    bool csv = false;
};

std::string fixed(double v, int decimals = 1)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

nlohmann::ordered_json energyJson(const LayerEnergy& e, bool withMapping)
{
    nlohmann::ordered_json j;
    j["name"] = e.name;
    j["kind"] = kindInfo(e.kind).name;
    j["energyPj"] = e.energyPj();
    j["macPj"] = e.macPj;
    j["rfPj"] = e.rfPj;
    j["sramPj"] = e.sramPj;
    j["dramPj"] = e.dramPj;
    j["otherPj"] = e.otherPj();
    j["eltwisePj"] = e.eltwisePj;
    j["staticPj"] = e.staticPj;
    j["weightPj"] = e.operandPj[0];
    j["inputPj"] = e.operandPj[1];
    j["outputPj"] = e.operandPj[2];
    j["dramBits"] = e.dramBits;
    j["latencyCycles"] = e.latencyCycles;
    j["macs"] = e.macs;
    if (withMapping) {
        j["utilization"] = e.utilization;
        j["mapping"] = e.mapping;
    }
    if (!e.outputTensor.empty()) // where the tensor this layer stores lives (the memory plan)
        j["output"] = {{"tensor", e.outputTensor},
                       {"bits", e.outputBits},
                       {"home", e.outputInLineBuffer ? "line buffer" : e.outputOnChip ? "on chip" : "dram"},
                       {"dramBits", e.outputSpillBits}};
    return j;
}

void runEnergy(const EnergyOptions& o)
{
    if (o.json && o.csv)
        throw InputError("--json and --csv: choose one");
    const Objective objective = parseObjective(o.objective);
    const Graph g = Graph::build(o.network.load(), o.width);
    const QuantStrategy s = QuantStrategy::parse(o.strategy);
    Hardware hw = loadHardware(o.hw);
    for (const std::string& set : o.sets)
        applySetting(hw, set);
    CostOptions options;
    options.objective = objective;
    options.fuse = o.fuse;
    const NetworkCost cost = costNetwork(g, assignPrecision(g, s), hw, options);

    if (o.json) {
        nlohmann::ordered_json out;
        out["network"] = g.name();
        out["width"] = g.width();
        out["strategy"] = s.name;
        out["hardware"] = hw.name;
        out["objective"] = objectiveName(objective);
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const LayerEnergy& e : cost.layers)
            layers.push_back(energyJson(e, e.mac));
        out["layers"] = layers;
        nlohmann::ordered_json total = energyJson(cost.total, false);
        total.erase("name");
        total.erase("kind");
        total["bops"] = cost.bops;
        total["weightBits"] = cost.weightBits;
        total["batch"] = cost.batch;
        total["batchLatencyCycles"] = cost.batchLatencyCycles;
        out["total"] = total;
        out["plan"] = {{"weightsResident", cost.plan.weightsResident},
                       {"weightsReason", cost.plan.weightsReason},
                       {"imagesPerWeightLoad", cost.plan.imagesPerWeightLoad},
                       {"tileFraction", cost.plan.tileFraction},
                       {"planBits", cost.plan.planBits},
                       {"exact", cost.plan.exact}};
        nlohmann::ordered_json chains = nlohmann::ordered_json::array();
        for (const FusedGroup& fg : cost.plan.groups)
            chains.push_back({{"layers", fg.name},
                              {"bands", fg.chain.bands},
                              {"lineBufferBits", fg.lineBits},
                              {"weightBits", fg.weightBits},
                              {"weights", cost.plan.weightsResident ? "resident" : fg.weightsHeld ? "held" : "fetched per band"}});
        out["plan"]["fusion"] = fusionModeName(FusionMode(int(hw.fusion)));
        out["plan"]["fusedChains"] = chains;
        std::cout << out.dump(2) << "\n";
        return;
    }
    if (o.csv) {
        std::cout << "layer,kind,energy_pj,mac_pj,rf_pj,sram_pj,dram_pj,other_pj,dram_bits,latency_cycles,macs,mapping\n";
        auto row = [](const LayerEnergy& e, const char* kind) {
            std::cout << e.name << "," << kind << "," << e.energyPj() << "," << e.macPj << "," << e.rfPj << ","
                      << e.sramPj << "," << e.dramPj << "," << e.otherPj() << "," << e.dramBits << ","
                      << e.latencyCycles << "," << e.macs << ",\"" << e.mapping << "\"\n";
        };
        for (const LayerEnergy& e : cost.layers)
            row(e, kindInfo(e.kind).name);
        row(cost.total, "");
        return;
    }
    std::cout << escapeControls(g.name()) << " at width " << g.width() << ", strategy " << s.name << ", hardware " << hw.name
              << ", objective " << objectiveName(objective) << " (energies in nJ)\n";
    TextTable table({"layer", "kind", "energy", "MAC", "RF", "SRAM", "DRAM", "other", "DRAM kbit", "cycles", "output",
                     "mapping"},
                    {false, false, true, true, true, true, true, true, true, true, false, false});
    auto nj = [](double pj) { return fixed(pj / 1000.0, 2); };
    for (const LayerEnergy& e : cost.layers) {
        if (e.fused && e.energyPj() == 0)
            continue;
        table.addRow({e.name, kindInfo(e.kind).name, nj(e.energyPj()), nj(e.macPj), nj(e.rfPj), nj(e.sramPj),
                      nj(e.dramPj), nj(e.otherPj()), fixed(e.dramBits / 1000.0, 1), fixed(e.latencyCycles, 0),
                      e.outputTensor.empty()     ? ""
                      : e.outputInLineBuffer     ? "line buffer"
                      : e.outputOnChip           ? "on chip"
                                                 : "dram",
                      e.mapping});
    }
    const LayerEnergy& t = cost.total;
    table.addSeparator();
    table.addRow({"total", "", nj(t.energyPj()), nj(t.macPj), nj(t.rfPj), nj(t.sramPj), nj(t.dramPj), nj(t.otherPj()),
                  fixed(t.dramBits / 1000.0, 1), fixed(t.latencyCycles, 0), "", ""});
    std::cout << table.str() << "Total " << fixed(t.energyPj() / 1e6, 3) << " uJ per inference, "
              << fixed(t.latencyCycles / hw.clockMhz, 1) << " us at " << hw.clockMhz << " MHz; DRAM "
              << fixed(100.0 * t.dramPj / t.energyPj(), 1) << " % of energy; " << humanCount(double(cost.macs))
              << " MACs, " << humanCount(cost.bops) << " BOPs, " << humanCount(cost.weightBits / 8) << "B of weights\n"
              << "Weights resident: " << cost.plan.weightsReason << "\n";
    if (hw.fusion != 0 || !o.fuse.empty()) {
        std::cout << "Fusion " << (o.fuse.empty() ? fusionModeName(FusionMode(int(hw.fusion))) : "as --fuse names") << ": " << cost.plan.groups.size() << " fused chain(s)"
                  << (cost.plan.groups.empty() ? " (none beats running the layers one by one)" : "") << "\n";
        for (size_t k = 0; k < cost.plan.groups.size(); ++k) {
            const FusedGroup& fg = cost.plan.groups[k];
            std::cout << "  chain " << k + 1 << ": " << escapeControls(fg.name) << " (" << fg.chain.bands << " bands, "
                      << humanCount(fg.lineBits) << "bit of line buffers, " << humanCount(fg.weightBits) << "bit of weights "
                      << (cost.plan.weightsResident ? "resident" : fg.weightsHeld ? "held" : "fetched per band") << ")\n";
        }
    }
    if (cost.batch > 1)
        std::cout << "Batch " << cost.batch << ": " << cost.plan.imagesPerWeightLoad << " images per weight load; "
                  << fixed(t.latencyCycles / hw.clockMhz, 1) << " us per image, "
                  << fixed(cost.batchLatencyCycles / hw.clockMhz, 1) << " us per batch (energies per image)\n";
}

} // namespace

void addEnergyCommand(CLI::App& app)
{
    auto o = std::make_shared<EnergyOptions>();
    CLI::App* sub = app.add_subcommand("energy", "Per-layer energy of a network under a strategy on a hardware model");
    addNetworkArgument(sub, o->network);
    addRangedOption(sub, "--width", o->width, kMinWidth, kMaxWidth, "Width multiplier")->capture_default_str();
    sub->add_option("--strategy", o->strategy, "Quantization strategy, e.g. fp16, int8, int4+res8")->required();
    sub->add_option("--hw", o->hw, "Hardware preset (see `poq hw`) or hardware JSON file")->capture_default_str();
    sub->add_option("--set", o->sets, "Override a hardware parameter, KEY=VALUE (repeatable; keys: poq hw PRESET)");
    sub->add_option("--objective", o->objective, "Mapping objective: energy, latency or edp")->capture_default_str();
    sub->add_option("--fuse", o->fuse,
                    "Fuse the chain of convolutions FIRST:LAST (repeatable), whether or not it pays; network.fusion "
                    "chooses chains itself");
    sub->add_flag("--json", o->json, "Print JSON");
    sub->add_flag("--csv", o->csv, "Print CSV");
    sub->callback([o] { runEnergy(*o); });
}

} // namespace poq::cli
