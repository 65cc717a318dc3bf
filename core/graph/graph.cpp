// Graph construction: validation, topological order, shape inference, tensor bookkeeping.
#include "graph/graph.h"

#include "graph/width.h"
#include "util/display_text.h"
#include "util/error.h"

#include <cstdio>
#include <functional>
#include <map>
#include <queue>
#include <unordered_map>

namespace poq {

namespace {

constexpr int kMaxDim = 1 << 16;
constexpr int kMaxChannels = 1 << 20;

[[noreturn]] void fail(const std::string& what, const std::string& message)
{
    throw InputError(what + ": " + message);
}

std::string layerLabel(const LayerSpec& l)
{
    return "layer '" + echo(l.name) + "' (" + kindInfo(l.kind).name + ")";
}

void checkInputs(const NetworkSpec& spec)
{
    if (spec.inputs.empty())
        throw InputError("inputs: a network needs at least one input");
    for (const InputSpec& in : spec.inputs) {
        const std::string label = "input '" + echo(in.name) + "'";
        if (in.name.empty())
            throw InputError("inputs: an input has an empty name");
        if (in.shape.c < 1 || in.shape.c > kMaxChannels || in.shape.h < 1 || in.shape.h > kMaxDim
            || in.shape.w < 1 || in.shape.w > kMaxDim)
            fail(label, "shape: channels must be in 1..1048576 and height, width in 1..65536, got "
                            + in.shape.str());
    }
}

void checkAttributes(const LayerSpec& l)
{
    const KindInfo& kind = kindInfo(l.kind);
    const AttrValues defaults;
    for (const AttrInfo& a : allAttrs()) {
        const auto v = l.attrs.pair(a.id);
        if (!kind.hasAttr(a.id)) {
            if (v != defaults.pair(a.id))
                fail(layerLabel(l), std::string("attribute '") + a.key + "' does not apply to " + kind.name);
            continue;
        }
        const int n = a.type == AttrType::IntPair ? 2 : 1;
        for (int i = 0; i < n; ++i)
            if (v[i] < a.minValue || v[i] > a.maxValue)
                fail(layerLabel(l), std::string(a.key) + ": must be in " + std::to_string(a.minValue) + ".."
                                        + std::to_string(a.maxValue) + ", got " + std::to_string(v[i]));
    }
    const int count = static_cast<int>(l.inputs.size());
    if (count < kind.minInputs || (kind.maxInputs >= 0 && count > kind.maxInputs)) {
        std::string allowed = kind.maxInputs < 0 ? "at least " + std::to_string(kind.minInputs)
                              : kind.minInputs == kind.maxInputs ? std::to_string(kind.minInputs)
                              : std::to_string(kind.minInputs) + ".." + std::to_string(kind.maxInputs);
        fail(layerLabel(l), "inputs: needs " + allowed + " input(s), got " + std::to_string(count));
    }
}

// Kahn's algorithm, taking ready layers in file order so a valid order in the file is kept.
std::vector<int> topologicalOrder(const NetworkSpec& spec, const std::unordered_map<std::string, int>& layerIndex)
{
    const int n = static_cast<int>(spec.layers.size());
    std::vector<int> pending(n, 0);
    std::vector<std::vector<int>> users(n);
    for (int i = 0; i < n; ++i)
        for (const std::string& in : spec.layers[i].inputs)
            if (auto it = layerIndex.find(in); it != layerIndex.end()) {
                ++pending[i];
                users[it->second].push_back(i);
            }
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (int i = 0; i < n; ++i)
        if (pending[i] == 0)
            ready.push(i);
    std::vector<int> order;
    while (!ready.empty()) {
        const int i = ready.top();
        ready.pop();
        order.push_back(i);
        for (int u : users[i])
            if (--pending[u] == 0)
                ready.push(u);
    }
    if (static_cast<int>(order.size()) != n) {
        std::string names;
        int shown = 0;
        for (int i = 0; i < n && shown < 4; ++i)
            if (pending[i] > 0) {
                names += (shown++ ? ", '" : "'") + echo(spec.layers[i].name) + "'";
            }
        for (int i = 0; i < n; ++i)
            if (pending[i] > 0)
                fail(layerLabel(spec.layers[i]), "inputs: connections form a cycle (through " + names + ")");
    }
    return order;
}

std::string countText(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

// Counts must stay exact in a double (kMaxCount = 2^53), per layer and summed over the network.
void checkCounts(const Layer& layer, int64_t totalMacs, int64_t totalParams, const LayerSpec& spec)
{
    const std::pair<const char*, int64_t> counts[] = {{"MACs", layer.macs},
                                                      {"parameters", layer.params},
                                                      {"element-wise operations", layer.elementwiseOps},
                                                      {"output elements", layer.outShape.elements()}};
    for (const auto& [what, v] : counts) {
        if (v >= 0 && v <= kMaxCount)
            continue;
        double shown = double(v);
        if (layer.loopNest && layer.macs == v) { // a saturated product: show the true count
            const LoopNest& n = *layer.loopNest;
            shown = double(n.G) * n.K * n.C * n.OY * n.OX * n.FY * n.FX;
        }
        fail(layerLabel(spec), std::string(what) + ": " + countText(shown) + " is above the limit of 2^53 ("
                                   + countText(double(kMaxCount)) + ")");
    }
    if (totalMacs > kMaxCount - layer.macs)
        fail(layerLabel(spec), "MACs: the network's total exceeds the limit of 2^53 (" + countText(double(kMaxCount)) + ")");
    if (totalParams > kMaxCount - layer.params)
        fail(layerLabel(spec),
             "parameters: the network's total exceeds the limit of 2^53 (" + countText(double(kMaxCount)) + ")");
}

} // namespace

Graph Graph::build(const NetworkSpec& spec, double width)
{
    checkWidth(width);
    checkInputs(spec);
    if (spec.layers.empty())
        throw InputError("layers: a network needs at least one layer");

    Graph g;
    g.m_name = spec.name;
    g.m_width = width;

    std::unordered_map<std::string, int> tensorIndex;
    for (const InputSpec& in : spec.inputs) {
        if (!tensorIndex.emplace(in.name, static_cast<int>(g.m_tensors.size())).second)
            throw InputError("input '" + echo(in.name) + "': name used twice");
        g.m_inputs.push_back(static_cast<int>(g.m_tensors.size()));
        g.m_tensors.push_back({in.name, in.shape, -1, {}, false});
    }
    // Every name first, then every connection: linear in the number of layers and connections, in
    // whatever order the layers are listed.
    std::unordered_map<std::string, int> layerIndex;
    layerIndex.reserve(spec.layers.size());
    for (int i = 0; i < static_cast<int>(spec.layers.size()); ++i) {
        const LayerSpec& l = spec.layers[i];
        if (l.name.empty())
            throw InputError("layer #" + std::to_string(i + 1) + ": name is empty");
        if (tensorIndex.count(l.name) || !layerIndex.emplace(l.name, i).second)
            fail(layerLabel(l), "name: used twice");
    }
    for (const LayerSpec& l : spec.layers) {
        checkAttributes(l);
        for (const std::string& in : l.inputs) {
            if (in == l.name)
                fail(layerLabel(l), "inputs: a layer cannot read its own output");
            if (!tensorIndex.count(in) && !layerIndex.count(in))
                fail(layerLabel(l), "inputs: no input or layer named '" + echo(in) + "'");
        }
    }

    for (int specIndex : topologicalOrder(spec, layerIndex)) {
        const LayerSpec& s = spec.layers[specIndex];
        Layer layer;
        layer.name = s.name;
        layer.kind = s.kind;
        layer.attrs = s.attrs;
        for (const std::string& in : s.inputs) {
            const int t = tensorIndex.at(in);
            layer.inputs.push_back(t);
            layer.inShapes.push_back(g.m_tensors[t].shape);
        }
        const int index = static_cast<int>(g.m_layers.size());
        try {
            completeLayer(layer, width);
        } catch (const InputError& e) {
            fail(layerLabel(s), e.what());
        }
        checkCounts(layer, g.m_totalMacs, g.m_totalParams, s);
        layer.output = static_cast<int>(g.m_tensors.size());
        for (int t : layer.inputs)
            g.m_tensors[t].consumers.push_back(index);
        tensorIndex[s.name] = layer.output;
        g.m_tensors.push_back({s.name, layer.outShape, index, {}, false});
        g.m_totalMacs += layer.macs;
        g.m_totalParams += layer.params;
        g.m_layers.push_back(std::move(layer));
    }

    for (int t : g.m_inputs)
        if (g.m_tensors[t].consumers.empty())
            throw InputError("input '" + echo(g.m_tensors[t].name) + "': not used by any layer");
    for (int t = 0; t < static_cast<int>(g.m_tensors.size()); ++t)
        if (g.m_tensors[t].consumers.empty())
            g.m_outputs.push_back(t);

    // Residual tensors and skip edges.
    for (int i = 0; i < static_cast<int>(g.m_layers.size()); ++i) {
        Layer& layer = g.m_layers[i];
        if (!kindInfo(layer.kind).joinsResidual)
            continue;
        g.m_tensors[layer.output].residual = true;
        for (int t : layer.inputs) {
            g.m_tensors[t].residual = true;
            const ResidualEdge edge{t, g.m_tensors[t].producer, i};
            if (edge.lifetimeLayers() > 0)
                g.m_residualEdges.push_back(edge);
        }
    }
    for (Layer& layer : g.m_layers)
        layer.residual = g.m_tensors[layer.output].residual;
    return g;
}

void completeLayer(Layer& layer, double width)
{
    const KindInfo& kind = kindInfo(layer.kind);
    if (kind.resolveChannels)
        kind.resolveChannels(layer, width);
    layer.outShape = kind.inferShape(layer);
    if (layer.outShape.c < 1 || layer.outShape.h < 1 || layer.outShape.w < 1)
        throw InputError("output: shape " + layer.outShape.str() + " is empty");
    layer.macs = kind.macs(layer);
    layer.params = kind.params(layer);
    layer.elementwiseOps = kind.elementwiseOps(layer);
    if (kind.loopNest)
        layer.loopNest = kind.loopNest(layer);
}

int Graph::findLayer(const std::string& name) const
{
    for (int i = 0; i < static_cast<int>(m_layers.size()); ++i)
        if (m_layers[i].name == name)
            return i;
    return -1;
}

} // namespace poq
