// Hardware JSON: {"format":"poq-hardware","version":1,"name","description",
// "levels":[{"name","scope":"pe"|"shared"|"offchip"}],"spatialPairs":[["C","K"],...],
// "parameters":{KEY: VALUE}}. Parameters left out take their row default.
#include "hw/hardware_io.h"

#include "hw/hw_params.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/display_text.h"
#include "util/input_file.h"
#include "util/json_text.h"
#include "util/resources.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>

namespace poq {

namespace {

using json = nlohmann::ordered_json;

const char* scopeName(LevelScope s)
{
    return s == LevelScope::PerPE ? "pe" : s == LevelScope::Shared ? "shared" : "offchip";
}

LevelScope parseScope(const json& j, const std::string& where)
{
    if (j.is_string()) {
        const std::string s = j.get<std::string>();
        if (s == "pe")
            return LevelScope::PerPE;
        if (s == "shared")
            return LevelScope::Shared;
        if (s == "offchip")
            return LevelScope::OffChip;
    }
    throw InputError(where + ": scope: must be one of pe, shared, offchip");
}

Dim parseDim(const json& j, const std::string& where)
{
    const int d = j.is_string() ? dimFromName(j.get<std::string>()) : -1;
    if (d < 0)
        throw InputError(where + ": must name loop dimensions K, C, G, OY, OX, FY or FX");
    return static_cast<Dim>(d);
}

} // namespace

int dimFromName(const std::string& name)
{
    for (int d = 0; d < kDimCount; ++d)
        if (name == kDimNames[d])
            return d;
    return -1;
}

std::vector<std::string> hardwarePresets()
{
    std::vector<std::string> names;
    const std::string dir = resourcePath("hardware");
    std::error_code ec;
    if (dir.empty() || !std::filesystem::is_directory(dir, ec))
        return names;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".json")
            names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

Hardware parseHardwareJson(const std::string& contents, const std::string& src)
{
    const json doc = parseOrderedJson(contents, src);
    if (!doc.is_object())
        throw InputError(src + ": a hardware file must hold a JSON object");
    if (auto f = doc.find("format"); f != doc.end() && (!f->is_string() || *f != "poq-hardware"))
        throw InputError(src + ": format: expected \"poq-hardware\"");
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        static const char* const kKeys[] = {"format", "version", "name", "description", "levels", "spatialPairs",
                                            "parameters"};
        if (std::none_of(std::begin(kKeys), std::end(kKeys), [&](const char* k) { return it.key() == k; }))
            throw InputError(src + ": unknown field '" + echo(it.key()) + "'");
    }
    Hardware hw = defaultHardware();
    if (auto n = doc.find("name"); n != doc.end() && n->is_string())
        hw.name = n->get<std::string>();
    if (auto d = doc.find("description"); d != doc.end() && d->is_string())
        hw.description = d->get<std::string>();
    if (auto levels = doc.find("levels"); levels != doc.end()) {
        if (!levels->is_array())
            throw InputError(src + ": levels: must be an array of {\"name\", \"scope\"}");
        hw.levels.clear();
        for (const json& l : *levels) {
            if (!l.is_object() || !l.contains("name") || !l["name"].is_string())
                throw InputError(src + ": levels: each level needs a \"name\" and a \"scope\"");
            const std::string name = l["name"].get<std::string>();
            if (name.empty() || name.find('.') != std::string::npos)
                throw InputError(src + ": levels: name '" + echo(name) + "' must be non-empty without dots");
            hw.levels.push_back({name, parseScope(l.value("scope", json()), src + ": level '" + name + "'")});
        }
        // Fresh levels take their scope's defaults.
        for (const HwParam& p : hardwareParameters(hw))
            if (p.scope == ParamScope::PerLevel)
                setParam(hw, p.key, p.defaultValue);
    }
    if (auto pairs = doc.find("spatialPairs"); pairs != doc.end()) {
        if (!pairs->is_array())
            throw InputError(src + ": spatialPairs: must be an array of [rowDim, colDim]");
        hw.spatialPairs.clear();
        for (const json& p : *pairs) {
            if (!p.is_array() || p.size() != 2)
                throw InputError(src + ": spatialPairs: each entry must be [rowDim, colDim]");
            hw.spatialPairs.emplace_back(parseDim(p[0], src + ": spatialPairs"), parseDim(p[1], src + ": spatialPairs"));
        }
    }
    if (auto params = doc.find("parameters"); params != doc.end()) {
        if (!params->is_object())
            throw InputError(src + ": parameters: must be an object of KEY: number");
        for (auto it = params->begin(); it != params->end(); ++it) {
            if (!it->is_number())
                throw InputError(src + ": " + echo(it.key()) + ": must be a number, got " + it->type_name());
            try {
                setParam(hw, it.key(), it->get<double>());
            } catch (const InputError& e) {
                throw InputError(src + ": " + e.what());
            }
        }
    }
    // A file's stated buffer energies hold at its own buffer sizes unless it names another size.
    for (MemoryLevel& l : hw.levels) {
        const auto params = doc.find("parameters");
        if (l.scope == LevelScope::Shared
            && (params == doc.end() || !params->is_object() || !params->contains(l.name + ".energyAtBytes")))
            l.energyAtBytes = l.sizeBytes;
    }
    try {
        validateHardware(hw);
    } catch (const InputError& e) {
        throw InputError(src + ": " + e.what());
    }
    return hw;
}

std::string hardwareToJson(const Hardware& hw)
{
    json doc;
    doc["format"] = "poq-hardware";
    doc["version"] = 1;
    doc["name"] = hw.name;
    doc["description"] = hw.description;
    json levels = json::array();
    for (const MemoryLevel& l : hw.levels)
        levels.push_back({{"name", l.name}, {"scope", scopeName(l.scope)}});
    doc["levels"] = levels;
    json pairs = json::array();
    for (const auto& [r, c] : hw.spatialPairs)
        pairs.push_back({kDimNames[static_cast<int>(r)], kDimNames[static_cast<int>(c)]});
    doc["spatialPairs"] = pairs;
    json params = json::object();
    for (const HwParam& p : hardwareParameters(hw))
        params[p.key] = paramValue(hw, p);
    doc["parameters"] = params;
    return doc.dump(1) + "\n";
}

void saveHardwareFile(const Hardware& hw, const std::string& path) { writeFileAtomically(path, hardwareToJson(hw)); }

Hardware loadHardware(const std::string& presetOrPath)
{
    std::error_code ec;
    const std::vector<std::string> presets = hardwarePresets();
    const bool preset = std::find(presets.begin(), presets.end(), presetOrPath) != presets.end();
    // An existing path is a file, whatever it is (a directory or FIFO is refused by the reader).
    if (std::filesystem::exists(std::filesystem::symlink_status(presetOrPath, ec)) && (!preset || presetOrPath.find('/') != std::string::npos))
        return parseHardwareJson(readInputFile(presetOrPath, InputFileKind::HardwareJson), presetOrPath);
    if (preset) {
        const std::string path = resourcePath("hardware/" + presetOrPath + ".json");
        return parseHardwareJson(readInputFile(path, InputFileKind::HardwareJson), path);
    }
    std::string names;
    for (const std::string& n : presets)
        names += (names.empty() ? "" : ", ") + n;
    throw InputError("hardware: '" + echo(presetOrPath) + "' is neither a preset (" + (names.empty() ? "none found" : names)
                     + ") nor a readable hardware file");
}

void applySetting(Hardware& hw, const std::string& assignment)
{
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError("--set: expected KEY=VALUE, got '" + echo(assignment) + "'");
    const std::string key = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    double value = 0;
    const char* first = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        throw InputError("--set " + echo(key) + ": value '" + echo(text) + "' is out of range (beyond double precision)");
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        // A choice parameter also takes the name of its value (network.fusion=auto).
        for (const HwParam& p : hardwareParameters(hw))
            if (p.key == key && !p.choices.empty()) {
                if (const double v = choiceValue(p, text); v >= 0) {
                    setParam(hw, key, v);
                    validateHardware(hw);
                    return;
                }
                std::string names;
                for (size_t i = 0; i < p.choices.size(); ++i)
                    names += (i ? ", " : "") + p.choices[i];
                throw InputError(key + ": must be one of " + names + " (0.." + std::to_string(p.choices.size() - 1)
                                 + "), got '" + echo(text) + "'");
            }
        throw InputError("--set " + echo(key) + ": value '" + echo(text) + "' is not a number");
    }
    setParam(hw, key, value);
    validateHardware(hw);
}

} // namespace poq
