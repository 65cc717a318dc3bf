// Layer roles to operand formats.
#include "formats/precision.h"

namespace poq {

NetworkPrecision assignPrecision(const Graph& graph, const QuantStrategy& s)
{
    const auto& layers = graph.layers();
    const auto& tensors = graph.tensors();
    const int n = static_cast<int>(layers.size());
    // Layers are in topological order: propagate "a MAC layer is upstream" forward and
    // "a MAC layer is downstream" backward.
    std::vector<char> macUpstream(tensors.size(), 0), macDownstream(n, 0);
    std::vector<char> first(n, 0), last(n, 0);
    for (int i = 0; i < n; ++i) {
        bool up = false;
        for (int t : layers[i].inputs)
            up = up || macUpstream[t];
        first[i] = layers[i].loopNest && !up;
        macUpstream[layers[i].output] = up || layers[i].loopNest.has_value();
    }
    for (int i = n - 1; i >= 0; --i) {
        bool down = false;
        for (int c : tensors[layers[i].output].consumers)
            down = down || macDownstream[c] || layers[c].loopNest.has_value();
        macDownstream[i] = down;
        last[i] = layers[i].loopNest && !down;
    }

    NetworkPrecision p;
    p.tensors.assign(tensors.size(), s.compute);
    for (int t : graph.inputTensors())
        p.tensors[t] = s.firstLast;
    for (int i = 0; i < n; ++i) {
        const int t = layers[i].output;
        if (tensors[t].residual)
            p.tensors[t] = s.residual;
        else if (!macDownstream[i] && macUpstream[t])
            p.tensors[t] = s.firstLast; // the last MAC layer's output and what follows (logits)
    }
    p.layers.resize(n);
    for (int i = 0; i < n; ++i) {
        LayerPrecision& lp = p.layers[i];
        lp.firstOrLast = first[i] || last[i];
        lp.weight = lp.firstOrLast ? s.firstLast : s.compute;
        lp.input = p.tensors[layers[i].inputs.at(0)];
        lp.output = p.tensors[layers[i].output];
        lp.compute = layers[i].loopNest ? lp.weight : lp.output;
        lp.accumulatorBits = s.accumulatorBits;
    }
    return p;
}

} // namespace poq
