// Network-level costing: fusion, tensor residency, per-layer costs and totals.
#include "hw/network_cost.h"

#include "hw/hw_params.h"
#include "util/display_text.h"
#include "util/error.h"

#include <algorithm>

namespace poq {

namespace {

bool fusable(LayerKind k) { return k == LayerKind::BatchNorm || k == LayerKind::ReLU || k == LayerKind::ReLU6 || k == LayerKind::Flatten; }

// A layer is fused when it is BN/activation/flatten and its input comes from a single-consumer
// producer (a MAC layer or another fused layer), so the producer applies it on the way out.
std::vector<char> fusedLayers(const Graph& g)
{
    const auto& layers = g.layers();
    std::vector<char> fused(layers.size(), 0);
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (!fusable(l.kind) || l.inputs.size() != 1)
            continue;
        const Tensor& in = g.tensor(l.inputs[0]);
        if (in.producer < 0 || in.consumers.size() != 1)
            continue;
        const Layer& prod = layers[in.producer];
        fused[i] = l.kind == LayerKind::Flatten || prod.loopNest.has_value() || fused[in.producer]
                   || l.kind != LayerKind::BatchNorm;
    }
    return fused;
}

// The tensor a layer's output ends up in after its fused successors (the one stored in memory).
std::vector<int> storedTensor(const Graph& g, const std::vector<char>& fused)
{
    const auto& layers = g.layers();
    std::vector<int> stored(g.tensors().size());
    for (size_t t = 0; t < stored.size(); ++t)
        stored[t] = static_cast<int>(t);
    for (int i = static_cast<int>(layers.size()) - 1; i >= 0; --i) {
        const Layer& l = layers[i];
        const Tensor& out = g.tensor(l.output);
        if (out.consumers.size() == 1 && fused[out.consumers[0]])
            stored[l.output] = stored[layers[out.consumers[0]].output];
    }
    return stored;
}

// Residency in the last on-chip level: a stored tensor stays on chip when it fits beside every
// other stored tensor alive during its lifetime (as if those stayed too). Deciding each tensor on
// its own keeps the rule monotone: more capacity or narrower formats never evict a tensor.
// Inputs and outputs of the network live in DRAM.
std::vector<char> residency(const Graph& g, const NetworkPrecision& prec, const std::vector<int>& stored,
                            double budgetBits)
{
    const int n = static_cast<int>(g.layers().size());
    std::vector<char> onChip(g.tensors().size(), 0);
    if (budgetBits <= 0)
        return onChip;
    struct Life { int t, first, last; double bits; };
    std::vector<Life> lives;
    std::vector<double> alive(n, 0.0);
    for (int i = 0; i < n; ++i) {
        const int t = g.layers()[i].output;
        const Tensor& tensor = g.tensor(t);
        if (stored[t] != t || tensor.consumers.empty())
            continue;
        const double bits = double(tensor.shape.elements()) * formatInfo(prec.tensors[t]).bits;
        lives.push_back({t, i, tensor.consumers.back(), bits});
        for (int k = i; k <= tensor.consumers.back(); ++k)
            alive[k] += bits;
    }
    for (const Life& l : lives) {
        bool fits = true;
        for (int k = l.first; k <= l.last && fits; ++k)
            fits = alive[k] <= budgetBits;
        onChip[l.t] = fits;
    }
    return onChip;
}

void addInto(LayerEnergy& sum, const LayerEnergy& e)
{
    sum.macPj += e.macPj;
    sum.rfPj += e.rfPj;
    sum.sramPj += e.sramPj;
    sum.dramPj += e.dramPj;
    sum.eltwisePj += e.eltwisePj;
    sum.staticPj += e.staticPj;
    for (int x = 0; x < kOperandCount; ++x)
        sum.operandPj[x] += e.operandPj[x];
    sum.dramBits += e.dramBits;
    sum.latencyCycles += e.latencyCycles;
    sum.macs += e.macs;
}

void checkRegisterFile(const Hardware& hw, const Layer& l, const LayerProblem& p)
{
    const double need = p.wBits + p.iBits + p.accBits;
    if (hw.levels[0].sizeBytes * 8 < need)
        throw InputError(hw.levels[0].name + ".sizeBytes: " + std::to_string(int64_t(hw.levels[0].sizeBytes))
                         + " B cannot hold one weight, one input and one partial sum of layer '" + l.name + "' (needs "
                         + std::to_string(int64_t((need + 7) / 8)) + " B)");
}

// Element-wise layer that streams its inputs from and its output to their home level.
LayerEnergy streamLayer(const Graph& g, const Layer& l, const NetworkPrecision& prec, const std::vector<int>& stored,
                        const std::vector<char>& onChip, const Hardware& hw)
{
    LayerEnergy e;
    const int top = static_cast<int>(hw.levels.size()) - 1, chip = top - 1;
    std::vector<double> bitsAt(hw.levels.size(), 0.0);
    for (int in : l.inputs) {
        const int t = stored[in];
        const double bits = double(g.tensor(t).shape.elements()) * formatInfo(prec.tensors[t]).bits;
        const int level = onChip[t] ? chip : top;
        bitsAt[level] += bits;
        (level == top ? e.dramPj : e.sramPj) += bits * hw.readPj(level);
        e.operandPj[1] += bits * hw.readPj(level);
    }
    const int out = stored[l.output];
    const double outBits = double(g.tensor(out).shape.elements()) * formatInfo(prec.tensors[out]).bits;
    const int outLevel = onChip[out] ? chip : top;
    bitsAt[outLevel] += outBits;
    (outLevel == top ? e.dramPj : e.sramPj) += outBits * hw.writePj(outLevel);
    e.operandPj[2] += outBits * hw.writePj(outLevel);
    e.dramBits = bitsAt[top];
    const ComputeClass cls = formatInfo(prec.layers[&l - g.layers().data()].output).computeClass;
    e.eltwisePj = double(l.elementwiseOps) * hw.eltwisePj[static_cast<int>(cls)];
    double latency = double(l.elementwiseOps) / hw.pes();
    for (size_t k = 0; k < bitsAt.size(); ++k)
        latency = std::max(latency, bitsAt[k] / hw.levels[k].bandwidthBitsPerCycle);
    e.latencyCycles = latency;
    e.staticPj = staticEnergyPj(hw, latency);
    e.outputOnChip = onChip[out];
    return e;
}

} // namespace

NetworkCost costNetwork(const Graph& g, const NetworkPrecision& prec, const Hardware& hw, const CostOptions& options,
                        MappingCache* cache)
{
    validateHardware(hw);
    MappingCache local;
    if (!cache)
        cache = &local;
    const auto& layers = g.layers();
    const std::vector<char> fused = fusedLayers(g);
    const std::vector<int> stored = storedTensor(g, fused);
    const int chip = hw.lastOnChipLevel();
    const double tileFraction = hw.keepOnChip != 0 ? 0.5 : 1.0;
    const double budget = hw.keepOnChip != 0 ? hw.levels[chip].sizeBytes * 8 * (1.0 - tileFraction) : 0.0;
    const std::vector<char> onChip = residency(g, prec, stored, budget);

    NetworkCost net;
    net.total.name = "total";
    net.layers.resize(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        const LayerPrecision& lp = prec.layers[i];
        LayerEnergy& e = net.layers[i];
        if (l.loopNest) {
            LayerProblem p = problemFromLoopNest(*l.loopNest);
            const int in = stored[l.inputs[0]], out = stored[l.output];
            p.wBits = lp.weightBits();
            p.iBits = formatInfo(prec.tensors[in]).bits;
            p.oBits = formatInfo(prec.tensors[out]).bits;
            p.accBits = lp.accumulatorBits;
            // Mixed operands (8-bit inputs into a 4-bit layer): packing and energy by the wider one.
            p.wFormat = lp.weight;
            p.iFormat = prec.tensors[in];
            p.macClass = macClassOf(p.wFormat, p.iFormat);
            p.inputResident = onChip[in];
            p.outputResident = onChip[out];
            p.tileFraction = tileFraction;
            checkRegisterFile(hw, l, p);
            LayerCost c;
            if (options.pinned) {
                c = evaluateMapping(p, hw, (*options.pinned).at(i).rawMapping);
            } else {
                // One path for every caller (poq energy, poq sweep, the window): the mapping space.
                c = cache->find(p, hw, options.objective);
            }
            if (!c.feasible)
                throw InputError(hw.levels[0].name + ".sizeBytes: no mapping of layer '" + echo(l.name) + "' fits the memory levels");
            e.mac = true;
            e.macPj = c.macPj;
            e.rfPj = c.rfPj;
            e.sramPj = c.sramPj;
            e.dramPj = c.dramPj;
            e.staticPj = c.staticPj;
            e.operandPj = c.operandPj;
            e.dramBits = c.dramBits();
            e.latencyCycles = c.latencyCycles;
            e.utilization = c.utilization;
            e.macs = c.macs;
            e.mapping = c.mapping.text(hw);
            e.rawMapping = c.mapping;
            e.problem = p;
            e.outputOnChip = onChip[out];
            e.eltwisePj = double(l.elementwiseOps) * hw.eltwisePj[static_cast<int>(formatInfo(lp.output).computeClass)];
            net.bops += double(c.macs) * p.wBits * p.iBits;
            net.weightBits += double(l.params) * p.wBits;
        } else if (fused[i]) {
            e.fused = true;
            if (l.kind != LayerKind::BatchNorm) // batch-norm folds into the convolution's weights
                e.eltwisePj = double(l.elementwiseOps)
                              * hw.eltwisePj[static_cast<int>(formatInfo(lp.output).computeClass)];
        } else {
            e = streamLayer(g, l, prec, stored, onChip, hw);
        }
        e.name = l.name;
        e.kind = l.kind;
        addInto(net.total, e);
    }
    net.macs = g.totalMacs();
    net.total.macs = net.macs;
    return net;
}

const char* objectiveName(Objective o)
{
    switch (o) {
    case Objective::Energy: return "energy";
    case Objective::Latency: return "latency";
    case Objective::Edp: return "edp";
    }
    return "energy";
}

Objective parseObjective(const std::string& name)
{
    for (Objective o : {Objective::Energy, Objective::Latency, Objective::Edp})
        if (name == objectiveName(o))
            return o;
    throw InputError("objective: must be one of energy, latency, edp, got '" + echo(name) + "'");
}

} // namespace poq
