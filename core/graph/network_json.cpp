// POQ Studio's JSON network format: {"format":"poq-network","version":1,"name",...,"inputs":[...],
// "layers":[{"name","kind","inputs",<attributes>}]}. Attributes are the rows of the attribute table;
// only values that differ from the default are written, so files stay short and round-trip exactly.
#include "graph/network_io.h"

#include "graph/graph.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/json_text.h"

#include <nlohmann/json.hpp>

namespace poq {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* kFormatTag = "poq-network";
constexpr int kFormatVersion = 1;

std::string typeName(const json& j)
{
    return j.type_name();
}

int readInt(const json& j, const std::string& where)
{
    if (!j.is_number_integer())
        throw InputError(where + ": must be an integer, got " + typeName(j));
    // Unsigned first: 2^63 and above must not wrap to a negative value in the message.
    if (j.is_number_unsigned() && j.get<uint64_t>() > (uint64_t(1) << 30))
        throw InputError(where + ": value " + std::to_string(j.get<uint64_t>()) + " is out of range");
    const auto v = j.get<int64_t>();
    if (v < -(int64_t(1) << 30) || v > (int64_t(1) << 30))
        throw InputError(where + ": value " + std::to_string(v) + " is out of range");
    return static_cast<int>(v);
}

std::string readString(const json& obj, const char* key, const std::string& where, bool required)
{
    auto it = obj.find(key);
    if (it == obj.end()) {
        if (required)
            throw InputError(where + ": missing field '" + key + "'");
        return {};
    }
    if (!it->is_string())
        throw InputError(where + ": field '" + key + "' must be a string, got " + typeName(*it));
    return it->get<std::string>();
}

void readAttr(const AttrInfo& a, const json& v, AttrValues& attrs, const std::string& where)
{
    const std::string field = where + ": " + a.key;
    switch (a.type) {
    case AttrType::Int:
        attrs.set(a.id, readInt(v, field));
        return;
    case AttrType::IntPair:
        if (v.is_array()) {
            if (v.size() != 2)
                throw InputError(field + ": must be an integer or [h, w]");
            attrs.setPair(a.id, readInt(v[0], field), readInt(v[1], field));
        } else {
            attrs.set(a.id, readInt(v, field));
        }
        return;
    case AttrType::Bool:
        if (!v.is_boolean())
            throw InputError(field + ": must be true or false, got " + typeName(v));
        attrs.set(a.id, v.get<bool>() ? 1 : 0);
        return;
    case AttrType::Choice: {
        if (v.is_string())
            for (size_t i = 0; i < a.choices.size(); ++i)
                if (v.get<std::string>() == a.choices[i]) {
                    attrs.set(a.id, static_cast<int>(i));
                    return;
                }
        std::string allowed;
        for (const char* c : a.choices)
            allowed += (allowed.empty() ? "" : ", ") + std::string(c);
        throw InputError(field + ": must be one of " + allowed + ", got " + v.dump());
    }
    }
}

json writeAttr(const AttrInfo& a, const AttrValues& attrs)
{
    const auto v = attrs.pair(a.id);
    switch (a.type) {
    case AttrType::Int:
        return v[0];
    case AttrType::IntPair:
        return v[0] == v[1] ? json(v[0]) : json::array({v[0], v[1]});
    case AttrType::Bool:
        return v[0] != 0;
    case AttrType::Choice:
        return (v[0] >= 0 && v[0] < static_cast<int>(a.choices.size())) ? json(a.choices[v[0]]) : json(v[0]);
    }
    return nullptr;
}

Shape readShape(const json& j, const std::string& where)
{
    if (!j.is_array() || j.size() != 3)
        throw InputError(where + ": shape must be [channels, height, width]");
    return {readInt(j[0], where + ": shape"), readInt(j[1], where + ": shape"), readInt(j[2], where + ": shape")};
}

LayerSpec readLayer(const json& j, int index, const std::string& previous)
{
    std::string where = "layer #" + std::to_string(index + 1);
    if (!j.is_object())
        throw InputError(where + ": must be an object");
    LayerSpec l;
    l.name = readString(j, "name", where, true);
    where = "layer '" + echo(l.name) + "'";
    const std::string kindName = readString(j, "kind", where, true);
    const KindInfo* kind = findKind(kindName);
    if (!kind) {
        std::string allowed;
        for (const KindInfo* k : allKinds())
            allowed += (allowed.empty() ? "" : ", ") + std::string(k->name);
        throw InputError(where + ": kind: unknown kind '" + echo(kindName) + "' (allowed: " + allowed + ")");
    }
    l.kind = kind->kind;
    where += std::string(" (") + kind->name + ")";
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        if (key == "name" || key == "kind")
            continue;
        if (key == "inputs") {
            if (!it->is_array())
                throw InputError(where + ": inputs: must be an array of tensor names");
            for (const json& in : *it) {
                if (!in.is_string())
                    throw InputError(where + ": inputs: must be an array of tensor names");
                l.inputs.push_back(in.get<std::string>());
            }
            continue;
        }
        const AttrInfo* a = findAttr(key);
        if (!a || !kind->hasAttr(a->id)) {
            std::string allowed;
            for (Attr id : kind->attrs)
                allowed += (allowed.empty() ? "" : ", ") + std::string(attrInfo(id).key);
            throw InputError(where + ": unknown attribute '" + echo(key) + "' (allowed: inputs"
                             + (allowed.empty() ? "" : ", " + allowed) + ")");
        }
        readAttr(*a, *it, l.attrs, where);
    }
    if (!j.contains("inputs") && !previous.empty())
        l.inputs.push_back(previous); // sequential shorthand: the previous layer (or the only input)
    return l;
}

} // namespace

NetworkSpec parseNetworkJson(const std::string& contents, const std::string& sourceName)
{
    const json doc = parseOrderedJson(contents, sourceName);
    if (!doc.is_object())
        throw InputError(sourceName + ": a network file must hold a JSON object");
    if (auto f = doc.find("format"); f != doc.end() && (!f->is_string() || *f != kFormatTag))
        throw InputError(sourceName + ": format: expected \"poq-network\"");
    if (auto v = doc.find("version"); v != doc.end() && (!v->is_number_integer() || *v != kFormatVersion))
        throw InputError(sourceName + ": version: only version 1 is supported");
    static const char* const kTopKeys[] = {"format", "version", "name", "description", "reference", "inputs", "layers"};
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        bool known = false;
        for (const char* k : kTopKeys)
            known = known || it.key() == k;
        if (!known)
            throw InputError(sourceName + ": unknown field '" + echo(it.key()) + "'");
    }
    NetworkSpec spec;
    spec.name = readString(doc, "name", sourceName, true);
    spec.description = readString(doc, "description", sourceName, false);
    spec.reference = readString(doc, "reference", sourceName, false);
    const auto inputs = doc.find("inputs");
    if (inputs == doc.end() || !inputs->is_array())
        throw InputError(sourceName + ": inputs: must be an array of {\"name\", \"shape\"}");
    for (const json& in : *inputs) {
        if (!in.is_object())
            throw InputError(sourceName + ": inputs: must be an array of {\"name\", \"shape\"}");
        InputSpec is;
        is.name = readString(in, "name", "input", true);
        const auto shape = in.find("shape");
        if (shape == in.end())
            throw InputError("input '" + echo(is.name) + "': missing field 'shape'");
        is.shape = readShape(*shape, "input '" + echo(is.name) + "'");
        spec.inputs.push_back(is);
    }
    const auto layers = doc.find("layers");
    if (layers == doc.end() || !layers->is_array())
        throw InputError(sourceName + ": layers: must be an array of layer objects");
    std::string previous = spec.inputs.size() == 1 ? spec.inputs[0].name : std::string();
    for (size_t i = 0; i < layers->size(); ++i) {
        spec.layers.push_back(readLayer((*layers)[i], static_cast<int>(i), previous));
        previous = spec.layers.back().name;
    }
    Graph::build(spec, 1.0); // validates connections, shapes and ranges
    return spec;
}

std::string networkToJson(const NetworkSpec& spec)
{
    json doc = json::object();
    doc["format"] = kFormatTag;
    doc["version"] = kFormatVersion;
    doc["name"] = spec.name;
    if (!spec.description.empty())
        doc["description"] = spec.description;
    if (!spec.reference.empty())
        doc["reference"] = spec.reference;
    json inputs = json::array();
    for (const InputSpec& in : spec.inputs)
        inputs.push_back({{"name", in.name}, {"shape", {in.shape.c, in.shape.h, in.shape.w}}});
    doc["inputs"] = inputs;
    json layers = json::array();
    const AttrValues defaults;
    for (const LayerSpec& l : spec.layers) {
        json j = json::object();
        j["name"] = l.name;
        j["kind"] = kindInfo(l.kind).name;
        j["inputs"] = l.inputs;
        for (const AttrInfo& a : allAttrs())
            if (l.attrs.pair(a.id) != defaults.pair(a.id))
                j[a.key] = writeAttr(a, l.attrs);
        layers.push_back(j);
    }
    doc["layers"] = layers;
    return doc.dump(1) + "\n";
}

} // namespace poq
