// Session JSON: {"format":"poq-session","version":1,...}; the hardware is embedded in full.
#include "explore/session.h"

#include "graph/network_io.h"
#include "graph/zoo.h"

#include "formats/strategy.h"
#include "graph/width.h"
#include "hw/hardware_io.h"
#include "hw/network_cost.h"
#include "explore/sweep.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/json_text.h"

#include <nlohmann/json.hpp>

namespace poq {

using json = nlohmann::ordered_json;

std::string sessionToJson(const Session& s)
{
    json j;
    j["format"] = "poq-session";
    j["version"] = 1;
    j["network"] = s.networkIsFile ? json{{"file", s.network}} : json(s.network);
    j["width"] = s.width;
    j["widths"] = s.widths;
    j["strategies"] = s.strategies;
    j["objective"] = objectiveName(s.objective);
    j["accuracy"] = s.accuracyFile.empty() ? json() : json(s.accuracyFile);
    j["hardware"] = json::parse(hardwareToJson(s.hardware));
    j["costAxis"] = costAxisInfo(s.costAxis).name;
    json selection = json::array();
    for (const auto& [strategy, width] : s.selection)
        selection.push_back({{"strategy", strategy}, {"width", width}});
    j["selection"] = selection;
    if (!s.compareBaseline.empty() || !s.compareCandidate.empty())
        j["compare"] = {{"baseline", s.compareBaseline}, {"candidate", s.compareCandidate}};
    return j.dump(1) + "\n";
}

Session sessionFromJson(const std::string& bytes, const std::string& src)
{
    const json j = parseOrderedJson(bytes, src);
    // find, not value(): value() throws the library's type error when "format" is not a string.
    const auto format = j.is_object() ? j.find("format") : j.end();
    if (format == j.end() || !format->is_string() || *format != "poq-session")
        throw InputError(src + ": not a POQ Studio session (format must be \"poq-session\")");
    Session s;
    try {
        const json& net = j.at("network");
        if (net.is_string()) {
            s.network = net.get<std::string>();
        } else {
            s.network = net.at("file").get<std::string>();
            s.networkIsFile = true;
        }
        s.width = j.value("width", 1.0);
        checkWidth(s.width);
        if (j.at("widths").size() > kMaxListItems || j.at("strategies").size() > kMaxListItems)
            throw InputError("widths, strategies: more than " + std::to_string(kMaxListItems) + " values");
        s.widths = j.at("widths").get<std::vector<double>>();
        for (double w : s.widths)
            checkWidth(w);
        s.strategies = j.at("strategies").get<std::vector<std::string>>();
        for (std::string& name : s.strategies)
            name = QuantStrategy::parse(name).name;
        s.objective = parseObjective(j.value("objective", std::string("energy")));
        if (j.contains("accuracy") && j["accuracy"].is_string())
            s.accuracyFile = j["accuracy"].get<std::string>();
        s.hardware = parseHardwareJson(j.at("hardware").dump(), src + ": hardware");
        if (const auto a = j.find("costAxis"); a != j.end())
            s.costAxis = parseCostAxis(a->get<std::string>());
        if (const auto sel = j.find("selection"); sel != j.end()) {
            if (!sel->is_array() || sel->size() > 2)
                throw InputError("selection: at most two points, each {\"strategy\", \"width\"}");
            for (const json& p : *sel) {
                const std::string strategy = QuantStrategy::parse(p.at("strategy").get<std::string>()).name;
                const double width = p.at("width").get<double>();
                checkWidth(width);
                s.selection.emplace_back(strategy, width);
            }
        }
        if (const auto c = j.find("compare"); c != j.end()) {
            s.compareBaseline = c->at("baseline").get<std::string>();
            s.compareCandidate = c->at("candidate").get<std::string>();
            for (std::string* name : {&s.compareBaseline, &s.compareCandidate})
                if (!name->empty())
                    *name = QuantStrategy::parse(*name).name;
        }
    } catch (const InputError& e) {
        const std::string what = e.what();
        throw InputError(what.rfind(src, 0) == 0 ? what : src + ": " + what);
    } catch (const json::exception& e) {
        // The library's message names the field's type, never the (unbounded) value.
        throw InputError(src + ": " + messageLine(e.what(), 200));
    }
    return s;
}

} // namespace poq

namespace poq {

SweepSpec sweepSpecOf(const Session& s)
{
    SweepSpec spec;
    if (s.networkIsFile) {
        spec.network = loadNetworkFile(s.network);
    } else {
        const ZooEntry* z = findZoo(s.network);
        if (!z)
            throw InputError("network: unknown network '" + echo(s.network) + "' (poq zoo lists them)");
        spec.network = z->build();
    }
    spec.widths = s.widths;
    spec.strategies = s.strategies;
    spec.hardware = s.hardware;
    spec.objective = s.objective;
    spec.measured = s.accuracyFile == "measured";
    if (!spec.measured && !s.accuracyFile.empty())
        spec.accuracy = AccuracyTable::loadCsv(s.accuracyFile);
    return spec;
}

} // namespace poq
