// Width rules of imported networks: tie groups by union-find over tensors, one rule per group.
#include "onnx/onnx_width.h"

#include "graph/graph.h"
#include "graph/width.h"
#include "util/error.h"

#include <map>
#include <numeric>
#include <sstream>

namespace poq {

namespace {

struct TieGroups {
    std::vector<int> parent;
    explicit TieGroups(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    int find(int t)
    {
        while (parent[size_t(t)] != t)
            t = parent[size_t(t)] = parent[size_t(parent[size_t(t)])];
        return t;
    }
    void join(int a, int b) { parent[size_t(find(a))] = find(b); }
};

bool isDepthwise(const Layer& l) { return l.kind == LayerKind::Conv2d && l.attrs.get(Attr::Depthwise) != 0; }

} // namespace

std::vector<std::string> planOnnxWidth(NetworkSpec& spec, const std::string& outputTensor)
{
    const Graph g = Graph::build(spec, 1.0);
    const auto& layers = g.layers();
    TieGroups ties(g.tensors().size());
    std::map<int, std::string> fixedWhy; // group root -> reason
    std::vector<std::pair<int, std::string>> pendingFixed;
    for (const Layer& l : layers) {
        const bool mac = l.loopNest.has_value() && !isDepthwise(l);
        if (mac) {
            if (l.kind == LayerKind::Conv2d && l.attrs.get(Attr::Groups) > 1) {
                pendingFixed.push_back({l.output, "grouped convolution"});
                pendingFixed.push_back({l.inputs[0], "input of grouped convolution '" + l.name + "'"});
            }
            continue;
        }
        if (l.kind == LayerKind::Concat)
            continue; // its channels are the sum of its inputs'
        if (kindInfo(l.kind).reshapeOnly && l.inShapes[0].h * l.inShapes[0].w != 1)
            continue; // a flatten of a map: C x H x W features
        for (int t : l.inputs)
            ties.join(t, l.output);
    }
    for (int t : g.inputTensors())
        pendingFixed.push_back({t, "tied to the network input"});
    int outTensor = -1;
    for (size_t t = 0; t < g.tensors().size(); ++t)
        if (g.tensors()[t].name == outputTensor)
            outTensor = int(t);
    if (outTensor >= 0)
        pendingFixed.push_back({outTensor, "the network output"});
    for (const auto& [t, why] : pendingFixed)
        fixedWhy.emplace(ties.find(t), why);

    std::map<int, std::vector<int>> sources; // group -> MAC layers writing it
    std::map<int, bool> feedsDepthwise, feedsOutputLayer;
    const int outLayer = outTensor >= 0 ? g.tensor(outTensor).producer : -1;
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (l.loopNest && !isDepthwise(l))
            sources[ties.find(l.output)].push_back(int(i));
        if (isDepthwise(l))
            feedsDepthwise[ties.find(l.inputs[0])] = true;
        if (int(i) == outLayer)
            for (int t : l.inputs)
                feedsOutputLayer[ties.find(t)] = true;
    }
    std::map<std::string, size_t> specIndex;
    for (size_t i = 0; i < spec.layers.size(); ++i)
        specIndex[spec.layers[i].name] = i;
    std::vector<std::string> notes;
    for (const auto& [group, writers] : sources) {
        const auto why = fixedWhy.find(group);
        for (int w : writers) {
            const Layer& l = layers[size_t(w)];
            AttrValues& a = spec.layers[specIndex.at(l.name)].attrs;
            const bool oneByOne = l.kind == LayerKind::Conv2d && a.pair(Attr::Kernel) == std::array<int, 2>{1, 1}
                                  && a.get(Attr::Groups) == 1;
            const int in = l.inShapes[0].c, out = l.outShape.c;
            if (why != fixedWhy.end()) {
                a.set(Attr::Scaling, int(ChannelScaling::Fixed));
                notes.push_back("'" + l.name + "': " + std::to_string(out) + " channels held fixed (" + why->second + ")");
            } else if (writers.size() == 1 && oneByOne && feedsDepthwise[group] && out % in == 0 && out / in >= 2
                       && out / in <= 64) {
                a.set(Attr::OutChannels, 0);
                a.set(Attr::Expand, out / in);
                a.set(Attr::Scaling, int(ChannelScaling::Width));
            } else if (writers.size() == 1 && oneByOne && feedsOutputLayer[group]) {
                a.set(Attr::Scaling, int(ChannelScaling::WidthAtLeastOne));
                notes.push_back("'" + l.name + "': " + std::to_string(out)
                                + " channels scaled only above width 1 (the last convolution before the classifier)");
            } else {
                a.set(Attr::Scaling, int(ChannelScaling::Width));
            }
        }
    }
    // Check the rules keep tied channels equal across the width range.
    for (double w : {kMinWidth, 0.15, 0.25, 0.35, 0.5, 0.75, 1.3, 2.0, kMaxWidth}) {
        try {
            Graph::build(spec, w);
        } catch (const InputError& e) {
            for (LayerSpec& l : spec.layers)
                if (kindInfo(l.kind).hasAttr(Attr::Scaling)) {
                    if (l.attrs.get(Attr::Expand) != 0) {
                        const Layer& built = layers[size_t(g.findLayer(l.name))];
                        l.attrs.set(Attr::Expand, 0);
                        l.attrs.set(Attr::OutChannels, built.outShape.c);
                    }
                    l.attrs.set(Attr::Scaling, int(ChannelScaling::Fixed));
                }
            std::ostringstream s;
            s << "every layer held fixed: at width " << w << " the channel rules disagree (" << e.what() << ")";
            return {s.str()};
        }
    }
    return notes;
}

} // namespace poq
