// `poq networks [--json]`: the built-in zoo with input shape, MACs and parameters at width 1.0.
#include "cli/cli.h"

#include "graph/graph.h"
#include "graph/zoo.h"
#include "util/text_table.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace poq::cli {

void addNetworksCommand(CLI::App& app)
{
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("networks", "List the built-in networks (name, input, MACs, parameters)");
    sub->add_flag("--json", *json, "Print JSON instead of a table");
    sub->callback([json] {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        TextTable table({"name", "input", "MACs", "params", "description"}, {false, false, true, true, false});
        for (const ZooEntry& e : zoo()) {
            const NetworkSpec spec = e.build();
            const Graph g = Graph::build(spec, 1.0);
            const Shape in = spec.inputs.at(0).shape;
            out.push_back({{"name", e.name},
                           {"input", {in.c, in.h, in.w}},
                           {"macs", g.totalMacs()},
                           {"params", g.totalParams()},
                           {"description", e.description},
                           {"reference", e.reference}});
            table.addRow({e.name, in.str(), humanCount(double(g.totalMacs())), withThousands(g.totalParams()),
                          e.description});
        }
        if (*json)
            std::cout << out.dump(2) << "\n";
        else
            std::cout << table.str();
    });
}

} // namespace poq::cli
