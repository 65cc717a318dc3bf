// `poq info NETWORK [--width W] [--json]`: the per-layer table of a network at one width.
#include "cli/cli.h"
#include "cli/network_argument.h"
#include "util/display_text.h"
#include "cli/options.h"
#include "graph/width.h"

#include "graph/graph.h"
#include "graph/zoo.h"
#include "onnx/onnx_import.h"
#include "util/text_table.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace poq::cli {

namespace {

struct InfoOptions {
    NetworkArgument network;
    double width = 1.0;
    bool json = false;
};

nlohmann::ordered_json shapeJson(const Shape& s) { return {s.c, s.h, s.w}; }

void runInfo(const InfoOptions& o)
{
    std::optional<OnnxImport> onnx; // imported once: the network and the notes of its width rules
    if (o.network.isOnnxFile())
        onnx = loadOnnxFile(o.network.network, o.network.options());
    const NetworkSpec spec = onnx ? onnx->spec : o.network.load();
    const Graph g = Graph::build(spec, o.width);
    if (o.json) {
        nlohmann::ordered_json out;
        out["network"] = g.name();
        out["width"] = g.width();
        out["input"] = shapeJson(g.tensor(g.inputTensors().at(0)).shape);
        nlohmann::ordered_json layers = nlohmann::ordered_json::array();
        for (const Layer& l : g.layers())
            layers.push_back({{"name", l.name},
                              {"kind", kindInfo(l.kind).name},
                              {"outputShape", shapeJson(l.outShape)},
                              {"macs", l.macs},
                              {"params", l.params},
                              {"residual", l.residual}});
        out["layers"] = layers;
        out["total"] = {{"macs", g.totalMacs()}, {"params", g.totalParams()}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::ostringstream head;
    head << escapeControls(g.name()) << " at width " << g.width() << ", input "
         << g.tensor(g.inputTensors().at(0)).shape.str() << "\n";
    TextTable table({"#", "name", "kind", "output", "MACs", "params", "residual"},
                    {true, false, false, false, true, true, false});
    int i = 0;
    for (const Layer& l : g.layers())
        table.addRow({std::to_string(++i), l.name, kindInfo(l.kind).name, l.outShape.str(),
                      withThousands(l.macs), withThousands(l.params), l.residual ? "yes" : ""});
    table.addSeparator();
    table.addRow({"", "total", "", "", withThousands(g.totalMacs()), withThousands(g.totalParams()), ""});
    // How the width multiplier treats the layers it does not simply scale.
    std::vector<std::string> notes;
    if (onnx) {
        notes = onnx->widthNotes;
    } else {
        for (const Layer& l : g.layers())
            if (kindInfo(l.kind).hasAttr(Attr::Scaling)) {
                const auto scaling = ChannelScaling(l.attrs.get(Attr::Scaling));
                if (scaling == ChannelScaling::Fixed)
                    notes.push_back("'" + l.name + "': " + std::to_string(l.outShape.c) + " channels held fixed");
                else if (scaling == ChannelScaling::WidthAtLeastOne)
                    notes.push_back("'" + l.name + "': " + std::to_string(l.outShape.c)
                                    + " channels scaled only above width 1");
            }
    }
    for (const std::string& n : notes)
        head << "width multiplier: " << escapeControls(n) << "\n";
    std::cout << head.str() << table.str() << "MACs " << humanCount(double(g.totalMacs())) << ", parameters "
              << humanCount(double(g.totalParams())) << ", " << g.residualEdges().size() << " skip connections\n";
}

} // namespace

void addInfoCommand(CLI::App& app)
{
    auto o = std::make_shared<InfoOptions>();
    CLI::App* sub = app.add_subcommand("info", "Per-layer table of a network: shapes, MACs, parameters");
    addNetworkArgument(sub, o->network);
    addRangedOption(sub, "--width", o->width, kMinWidth, kMaxWidth, "Width multiplier")->capture_default_str();
    sub->add_flag("--json", o->json, "Print JSON instead of a table");
    sub->callback([o] { runInfo(*o); });
}

} // namespace poq::cli
