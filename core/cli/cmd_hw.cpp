// `poq hw [PRESET|FILE] [--json]`: list the presets, or every parameter of one with its unit,
// value, default, range and source.
#include "cli/cli.h"
#include "util/display_text.h"

#include "hw/hardware_io.h"
#include "hw/hw_params.h"
#include "util/text_table.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

namespace poq::cli {

namespace {

std::string num(double v)
{
    std::ostringstream ss;
    ss << v;
    return ss.str();
}

std::string levelsText(const Hardware& hw)
{
    std::string s;
    for (const MemoryLevel& l : hw.levels) {
        const double kib = l.sizeBytes / 1024;
        s += (s.empty() ? "" : " > ") + l.name + " "
             + (l.sizeBytes < 1024 ? num(l.sizeBytes) + " B" : kib < 1024 ? num(kib) + " KiB" : num(kib / 1024) + " MiB");
    }
    return s;
}

void listPresets(bool json)
{
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    TextTable table({"preset", "array", "levels", "description"});
    for (const std::string& name : hardwarePresets()) {
        const Hardware hw = loadHardware(name);
        const std::string array = num(hw.rows) + "x" + num(hw.cols);
        out.push_back({{"name", name}, {"array", {hw.rows, hw.cols}}, {"levels", levelsText(hw)},
                       {"description", hw.description}});
        table.addRow({name, array, levelsText(hw), hw.description});
    }
    if (json)
        std::cout << out.dump(2) << "\n";
    else
        std::cout << table.str() << "Default: " << kDefaultPreset << ". `poq hw PRESET` lists its parameters.\n";
}

void showHardware(const std::string& which, bool json)
{
    const Hardware hw = loadHardware(which);
    const std::vector<HwParam> params = hardwareParameters(hw);
    if (json) {
        nlohmann::ordered_json out;
        out["name"] = hw.name;
        out["description"] = hw.description;
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const HwParam& p : params) {
            rows.push_back({{"key", p.key}, {"label", p.label}, {"group", p.group}, {"unit", p.unit},
                            {"value", paramValue(hw, p)}, {"default", p.defaultValue}, {"min", p.min},
                            {"max", p.max}, {"step", p.step}, {"log", p.logScale}, {"source", p.source}});
            if (!p.choices.empty())
                rows.back()["choices"] = p.choices;
        }
        out["parameters"] = rows;
        std::cout << out.dump(2) << "\n";
        return;
    }
    TextTable table({"key", "value", "unit", "default", "range", "source"}, {false, true, false, true, false, false});
    for (const HwParam& p : params) {
        if (!p.choices.empty()) { // a choice reads as its names
            std::string names;
            for (const std::string& c : p.choices)
                names += (names.empty() ? "" : "|") + c;
            table.addRow({p.key, p.choices.at(size_t(paramValue(hw, p))), "", p.choices.at(size_t(p.defaultValue)), names,
                          p.source});
            continue;
        }
        table.addRow({p.key, num(paramValue(hw, p)), p.unit, num(p.defaultValue),
                      num(p.min) + ".." + num(p.max) + (p.logScale ? " (log)" : ""), p.source});
    }
    std::cout << escapeControls(hw.name) << ": " << escapeControls(hw.description) << "\n" << table.str();
}

} // namespace

void addHwCommand(CLI::App& app)
{
    auto which = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("hw", "List hardware presets, or show every parameter of one");
    sub->add_option("PRESET", *which, "Preset name or hardware JSON file");
    sub->add_flag("--json", *json, "Print JSON instead of a table");
    sub->callback([which, json] {
        if (which->empty())
            listPresets(*json);
        else
            showHardware(*which, *json);
    });
}

} // namespace poq::cli
