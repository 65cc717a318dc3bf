// Fusion candidates: which chains of convolutions can run band by band.
#include "hw/fusion.h"

#include "util/display_text.h"
#include "util/error.h"

#include <algorithm>

namespace poq {

namespace {

bool isMac(const Layer& l) { return l.loopNest.has_value(); }

// The MAC layer whose stored output is tensor t (through fused batch-norms and activations), or -1.
int producerMac(const Graph& g, const std::vector<int>& stored, int t)
{
    int p = g.tensor(t).producer;
    while (p >= 0 && !isMac(g.layers()[p])) {
        const Layer& l = g.layers()[p];
        const KindInfo& k = kindInfo(l.kind); // batch-norms and activations the MAC layer applies
        const bool passes = k.fusesIntoProducer && !k.reshapeOnly;
        if (!passes || l.inputs.size() != 1 || tensorReaders(g, l.inputs[0]) != 1)
            return -1;
        p = g.tensor(l.inputs[0]).producer;
    }
    return p >= 0 && stored[g.layers()[p].output] == t ? p : -1;
}

// The MAC layer that alone reads layer m's stored output as its input, or -1.
int nextMac(const Graph& g, const std::vector<int>& stored, int m)
{
    const int t = stored[g.layers()[m].output];
    if (tensorReaders(g, t) != 1)
        return -1;
    const int c = g.tensor(t).consumers.front();
    const Layer& l = g.layers()[c];
    return isMac(l) && l.inputs.size() == 1 && l.inputs[0] == t ? c : -1;
}

bool pointwise(const Layer& l) { return isMac(l) && l.loopNest->FY == 1 && l.loopNest->FX == 1 && l.loopNest->G == 1; }
bool depthwise(const Layer& l) { return isMac(l) && l.loopNest->G > 1 && l.loopNest->K == 1 && l.loopNest->C == 1; }

} // namespace

int tensorReaders(const Graph& g, int t)
{
    std::vector<int> c = g.tensor(t).consumers;
    std::sort(c.begin(), c.end());
    return int(std::unique(c.begin(), c.end()) - c.begin());
}

const char* fusionModeName(FusionMode m)
{
    switch (m) {
    case FusionMode::None: return "none";
    case FusionMode::Blocks: return "blocks";
    case FusionMode::Auto: return "auto";
    }
    return "none";
}

bool bandChain(const Graph& g, const std::vector<int>& stored, const std::vector<int>& layers, FusionChain& out)
{
    const int n = int(layers.size());
    if (n < 2)
        return false;
    out = {};
    out.layers = layers;
    out.rows.assign(n, 1);
    const LoopNest& lastNest = *g.layers()[layers.back()].loopNest;
    out.bands = lastNest.OY;
    if (out.bands < 2)
        return false; // one band is the whole tensor: nothing to fuse
    for (int k = n - 2; k >= 0; --k) {
        const LoopNest& consumer = *g.layers()[layers[k + 1]].loopNest;
        const LoopNest& nest = *g.layers()[layers[k]].loopNest;
        out.rows[k] = out.rows[k + 1] * consumer.strideY;
        if (int64_t(out.rows[k]) * out.bands != nest.OY || consumer.IY != nest.OY)
            return false;
    }
    const LoopNest& head = *g.layers()[layers.front()].loopNest;
    out.inputRows = std::min(head.IY, (out.rows[0] - 1) * head.strideY + head.dilationY * (head.FY - 1) + 1);
    for (int k = 0; k + 1 < n; ++k) {
        const LoopNest& consumer = *g.layers()[layers[k + 1]].loopNest;
        const int window = (out.rows[k + 1] - 1) * consumer.strideY + consumer.dilationY * (consumer.FY - 1) + 1;
        out.lineTensors.push_back(stored[g.layers()[layers[k]].output]);
        out.lineRows.push_back(std::min(window, g.layers()[layers[k]].loopNest->OY));
    }
    return true;
}

std::vector<FusionChain> fusionChains(const Graph& g, const std::vector<int>& stored, FusionMode mode)
{
    std::vector<FusionChain> chains;
    if (mode == FusionMode::None)
        return chains;
    const auto& layers = g.layers();
    std::vector<char> used(layers.size(), 0);
    auto take = [&](const std::vector<int>& ls) {
        for (int l : ls)
            if (used[l])
                return;
        FusionChain c;
        if (!bandChain(g, stored, ls, c))
            return;
        for (int l : ls)
            used[l] = 1;
        chains.push_back(std::move(c));
    };
    if (mode == FusionMode::Auto) {
        for (int i = 0; i < int(layers.size()); ++i) {
            if (!isMac(layers[i]) || used[i])
                continue;
            const int before = producerMac(g, stored, layers[i].inputs[0]);
            if (before >= 0 && tensorReaders(g, layers[i].inputs[0]) == 1 && !used[before])
                continue; // not the start of a chain
            // The longest prefixes that tile, one after another.
            std::vector<int> run{i};
            for (int m = nextMac(g, stored, i); m >= 0; m = nextMac(g, stored, m)) {
                std::vector<int> longer = run;
                longer.push_back(m);
                FusionChain probe;
                if (bandChain(g, stored, longer, probe)) {
                    run = std::move(longer);
                    continue;
                }
                take(run);
                run = {m};
            }
            take(run);
        }
        return chains;
    }
    // Blocks, first the main paths of residual blocks: back from an Add to the tensor read twice.
    for (int a = 0; a < int(layers.size()); ++a) {
        if (!kindInfo(layers[a].kind).joinsResidual)
            continue;
        for (int u : layers[a].inputs) {
            std::vector<int> path;
            bool reached = false;
            for (int m = producerMac(g, stored, u); m >= 0;) {
                path.insert(path.begin(), m);
                const int in = layers[m].inputs[0];
                if (tensorReaders(g, in) >= 2) {
                    reached = true;
                    break;
                }
                m = producerMac(g, stored, in);
            }
            if (reached)
                take(path);
        }
    }
    // Then expand -> depthwise -> project chains outside residual blocks.
    for (int d = 0; d < int(layers.size()); ++d) {
        if (!depthwise(layers[d]) || used[d])
            continue;
        std::vector<int> path{d};
        const int in = layers[d].inputs[0];
        const int e = producerMac(g, stored, in);
        if (e >= 0 && tensorReaders(g, in) == 1 && pointwise(layers[e]))
            path.insert(path.begin(), e);
        const int p = nextMac(g, stored, d);
        if (p >= 0 && pointwise(layers[p]))
            path.push_back(p);
        take(path);
    }
    std::sort(chains.begin(), chains.end(), [](const FusionChain& a, const FusionChain& b) { return a.first() < b.first(); });
    return chains;
}

FusionChain namedChain(const Graph& g, const std::vector<int>& stored, const std::string& spec)
{
    const std::string where = "--fuse '" + echo(spec) + "': ";
    const auto colon = spec.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
        throw InputError(where + "expected FIRST:LAST, two layer names");
    const std::string firstName = spec.substr(0, colon), lastName = spec.substr(colon + 1);
    const int first = g.findLayer(firstName), last = g.findLayer(lastName);
    for (const auto& [name, index] : {std::pair{firstName, first}, std::pair{lastName, last}}) {
        if (index < 0)
            throw InputError(where + "no layer '" + echo(name) + "' in " + echo(g.name()));
        if (!isMac(g.layers()[index]))
            throw InputError(where + "'" + echo(name) + "' is a " + kindInfo(g.layers()[index].kind).name
                             + " layer; a fused chain runs convolutions");
    }
    if (last <= first)
        throw InputError(where + "'" + echo(lastName) + "' must come after '" + echo(firstName) + "'");
    std::vector<int> layers{first};
    for (int m = first; m != last;) {
        const int t = stored[g.layers()[m].output];
        const int next = nextMac(g, stored, m);
        if (next < 0) {
            const int r = tensorReaders(g, t);
            throw InputError(where + "the output of '" + echo(g.layers()[m].name) + "' is read by "
                             + (r == 1 ? "layer '" + echo(g.layers()[g.tensor(t).consumers.front()].name) + "' ("
                                             + kindInfo(g.layers()[g.tensor(t).consumers.front()].kind).name
                                             + "), not a convolution"
                                       : std::to_string(r) + " layers (a chain's tensors have one reader)")
                             + ", so the chain cannot reach '" + echo(lastName) + "'");
        }
        if (next > last)
            throw InputError(where + "'" + echo(lastName) + "' does not follow '" + echo(firstName) + "' in a chain");
        layers.push_back(next);
        m = next;
    }
    FusionChain chain;
    if (layers.size() < 2)
        throw InputError(where + "a fused chain needs two or more layers");
    if (!bandChain(g, stored, layers, chain))
        throw InputError(where + "the layers do not run in bands of output rows ('" + echo(lastName)
                         + "' has one output row, or a layer's height is not its rows per band times the bands)");
    return chain;
}

std::string chainName(const Graph& g, const FusionChain& c)
{
    std::string s;
    for (int l : c.layers)
        s += (s.empty() ? "" : " -> ") + g.layers()[l].name;
    return s;
}

} // namespace poq
