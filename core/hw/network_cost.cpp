// Network-level costing: fusion, tensor residency, per-layer costs and totals.
#include "hw/network_cost.h"

#include "hw/hw_params.h"
#include "hw/memory_plan.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/text_table.h"

#include <algorithm>
#include <cmath>

namespace poq {

namespace {

// A layer is fused when it is BN/activation/flatten and its input comes from a single-consumer
// producer (a MAC layer or another fused layer), so the producer applies it on the way out.
std::vector<char> fusedLayers(const Graph& g)
{
    const auto& layers = g.layers();
    std::vector<char> fused(layers.size(), 0);
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (!kindInfo(l.kind).fusesIntoProducer || l.inputs.size() != 1)
            continue;
        const Tensor& in = g.tensor(l.inputs[0]);
        if (in.producer < 0 || in.consumers.size() != 1)
            continue;
        const Layer& prod = layers[in.producer];
        // A kind that folds into a convolution's weights fuses only behind a MAC layer (or its chain).
        fused[i] = !kindInfo(l.kind).foldsIntoConv || prod.loopNest.has_value() || fused[in.producer];
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

double tensorBits(const Graph& g, const NetworkPrecision& prec, int t)
{
    return double(g.tensor(t).shape.elements()) * formatInfo(prec.tensors[t]).bits;
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
        const double bits = tensorBits(g, prec, t);
        const int level = onChip[t] ? chip : top;
        bitsAt[level] += bits;
        (level == top ? e.dramPj : e.sramPj) += bits * hw.readPj(level);
        e.operandPj[1] += bits * hw.readPj(level);
    }
    const int out = stored[l.output];
    const double outBits = tensorBits(g, prec, out);
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

double weightBitsOf(const Graph& g, const NetworkPrecision& prec)
{
    double bits = 0;
    for (size_t i = 0; i < g.layers().size(); ++i)
        if (g.layers()[i].loopNest)
            bits += double(g.layers()[i].params) * prec.layers[i].weightBits();
    return bits;
}

std::string bitsText(double bits) { return humanCount(bits) + "bit"; }

// The plan for `images` images per weight load: the stored tensors with consumers (the network input
// and output live in DRAM) and, when the option is on, the weights as one item alive at every step.
// Values are the DRAM energy each item avoids per batch of `images`: a tensor's write and one read
// per consumer, the weights' one read (the compulsory traffic; a mapping that refetches saves more).
NetworkPlan planNetwork(const Graph& g, const NetworkPrecision& prec, const std::vector<int>& stored, const Hardware& hw,
                        int images, const std::vector<FusedGroup>& groups = {})
{
    NetworkPlan plan;
    plan.imagesPerWeightLoad = images;
    plan.tensorOnChip.assign(g.tensors().size(), 0);
    plan.lineTensor.assign(g.tensors().size(), 0);
    plan.groupOf.assign(g.layers().size(), -1);
    plan.groups = groups;
    for (size_t k = 0; k < groups.size(); ++k) {
        for (int l : groups[k].chain.layers)
            plan.groupOf[l] = int(k);
        for (int t : groups[k].chain.lineTensors)
            plan.lineTensor[t] = plan.tensorOnChip[t] = 1;
    }
    const int top = int(hw.levels.size()) - 1, chip = top - 1;
    const int n = static_cast<int>(g.layers().size());
    const double weightBits = weightBitsOf(g, prec);
    plan.tileFraction = hw.keepOnChip != 0 ? 0.5 : 1.0;
    plan.planBits = hw.levels[chip].sizeBytes * 8 * (1.0 - plan.tileFraction);
    if (hw.keepOnChip == 0) {
        plan.weightsReason = "no: network.keepOnChip is off (tiles use the whole " + hw.levels[chip].name + ")";
        plan.tileShare.assign(g.layers().size(), 1.0);
        return plan;
    }
    std::vector<PlanItem> items;
    std::vector<int> tensorOf;
    for (int i = 0; i < n; ++i) {
        const int t = g.layers()[i].output;
        const Tensor& tensor = g.tensor(t);
        if (stored[t] != t || tensor.consumers.empty() || plan.lineTensor[t])
            continue;
        const double bits = images * tensorBits(g, prec, t);
        const int last = *std::max_element(tensor.consumers.begin(), tensor.consumers.end());
        items.push_back({bits, i, last, bits * (hw.writePj(top) + tensorReaders(g, t) * hw.readPj(top))});
        tensorOf.push_back(t);
    }
    const bool weightsItem = hw.weightsResident != 0 && weightBits > 0 && n > 0;
    if (weightsItem)
        items.push_back({weightBits, 0, n - 1, weightBits * hw.readPj(top)});
    // A fused chain reserves its line buffers (and the weights it holds) while it runs.
    std::vector<double> budget(size_t(std::max(n, 0)), plan.planBits);
    for (const FusedGroup& fg : groups)
        for (int step = fg.chain.first(); step <= fg.chain.last(); ++step)
            budget[step] = std::max(0.0, budget[step] - fg.lineBits - (fg.weightsHeld ? fg.weightBits : 0.0));
    const MemoryPlan mp = planMemory(items, budget);
    plan.exact = mp.exact;
    for (size_t k = 0; k < tensorOf.size(); ++k)
        plan.tensorOnChip[tensorOf[k]] = mp.onChip[k];
    plan.weightsResident = weightsItem && mp.onChip.back();
    // Each layer's tiles take what the plan leaves free at its step (at least the tile share), in
    // sixteenths of the level so that equal layers keep meeting in the mapping cache.
    const double levelBits = hw.levels[chip].sizeBytes * 8;
    plan.tileShare.assign(size_t(n), plan.tileFraction);
    for (int step = 0; step < n; ++step) {
        double used = plan.planBits - budget[step]; // reservations of fused chains
        for (size_t k = 0; k < items.size(); ++k)
            if (mp.onChip[k] && items[k].first <= step && step <= items[k].last)
                used += items[k].bits;
        const double free = std::floor((1.0 - used / levelBits) * 16) / 16;
        plan.tileShare[step] = std::max(plan.tileFraction, std::min(1.0, free));
    }
    const std::string where = bitsText(plan.planBits) + " of " + hw.levels[chip].name + " the plan may use";
    if (hw.weightsResident == 0)
        plan.weightsReason = "no: network.weightsResident is off";
    else if (plan.weightsResident)
        plan.weightsReason = "yes: " + bitsText(weightBits) + " of weights fit beside the planned activations in the "
                             + where;
    else if (weightBits > plan.planBits)
        plan.weightsReason = "no: " + bitsText(weightBits) + " of weights exceed the " + where;
    else
        plan.weightsReason = "no: keeping activations on chip avoids more DRAM traffic than the " + bitsText(weightBits)
                             + " of weights would";
    return plan;
}

LayerCost scaled(LayerCost c, double k)
{
    for (double* v : {&c.macPj, &c.rfPj, &c.sramPj, &c.dramPj, &c.eltwisePj, &c.staticPj, &c.computeCycles,
                      &c.latencyCycles, &c.hopBits, &c.iterations})
        *v *= k;
    for (double& v : c.operandPj)
        v *= k;
    for (int l = 0; l < kMaxLevels; ++l) {
        c.readBits[l] *= k;
        c.writeBits[l] *= k;
        for (int x = 0; x < kOperandCount; ++x) {
            c.operandReadBits[x][l] *= k;
            c.operandWriteBits[x][l] *= k;
        }
    }
    c.macs = int64_t(double(c.macs) * k + 0.5);
    return c;
}

// The problem of one band of layer `k` of a fused chain: its rows per band and the input rows they
// read (halo included); the tensors inside the chain sit in line buffers on chip.
LayerProblem bandProblem(LayerProblem p, const FusedGroup& fg, int k, const LoopNest& nest)
{
    const int rows = fg.chain.rows[k];
    p.bounds[int(Dim::OY)] = rows;
    p.IY = std::min(nest.IY, (rows - 1) * nest.strideY + nest.dilationY * (nest.FY - 1) + 1);
    p.inputResident = true; // a line buffer: the chain's input (filled once) or the previous layer's rows
    if (k + 1 < int(fg.chain.layers.size()))
        p.outputResident = true;
    p.weightResident = p.weightResident || fg.weightsHeld;
    p.batch = 1;
    return p;
}

// `bits` of operand x read from DRAM and written into the last on-chip level, once.
void addFetch(LayerCost& c, Operand x, double bits, const Hardware& hw)
{
    const int top = int(hw.levels.size()) - 1, chip = top - 1, o = int(x);
    const double read = bits * hw.readPj(top), write = bits * hw.writePj(chip);
    c.dramPj += read;
    c.sramPj += write;
    c.operandPj[o] += read + write;
    c.readBits[top] += bits;
    c.writeBits[chip] += bits;
    c.operandReadBits[o][top] += bits;
    c.operandWriteBits[o][chip] += bits;
}

// A band's cost times the bands, plus (weights held, not resident across inferences) the one fetch
// of the layer's weights from DRAM into the last on-chip level per image.
LayerCost fusedCost(const LayerCost& band, const FusedGroup& fg, bool weightsResident, double weightBits,
                    double inputFetchBits, const Hardware& hw)
{
    LayerCost c = scaled(band, fg.chain.bands);
    if (inputFetchBits > 0) // the chain's input from DRAM into its line buffer, each row once
        addFetch(c, Operand::I, inputFetchBits, hw);
    if (fg.weightsHeld && !weightsResident)
        addFetch(c, Operand::W, weightBits, hw);
    return c;
}

// MAC layer i's problem under a plan: operand widths, and where its input, output and weights live.
LayerProblem macProblem(const Graph& g, const NetworkPrecision& prec, const std::vector<int>& stored, size_t i,
                        const NetworkPlan& plan)
{
    const Layer& l = g.layers()[i];
    const LayerPrecision& lp = prec.layers[i];
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
    p.inputResident = plan.tensorOnChip[in];
    p.outputResident = plan.tensorOnChip[out];
    p.weightResident = plan.weightsResident;
    p.tileFraction = plan.tileShare.empty() ? plan.tileFraction : plan.tileShare[i];
    return p;
}

// Every layer under one plan; throws InputError as costNetwork.
NetworkCost costWithPlan(const Graph& g, const NetworkPrecision& prec, const Hardware& hw, const CostOptions& options,
                         MappingCache* cache, const std::vector<char>& fused, const std::vector<int>& stored,
                         const NetworkPlan& plan)
{
    const auto& layers = g.layers();
    const std::vector<char>& onChip = plan.tensorOnChip;
    NetworkCost net;
    net.plan = plan;
    net.total.name = "total";
    net.layers.resize(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        const LayerPrecision& lp = prec.layers[i];
        LayerEnergy& e = net.layers[i];
        if (l.loopNest) {
            LayerProblem p = macProblem(g, prec, stored, i, plan);
            const int out = stored[l.output];
            checkRegisterFile(hw, l, p);
            LayerCost c;
            const int group = plan.groupOf.empty() ? -1 : plan.groupOf[i];
            int chainPos = -1; // the layer's place in its fused chain
            if (group >= 0) {
                const FusedGroup& fg = plan.groups[group];
                chainPos = int(std::find(fg.chain.layers.begin(), fg.chain.layers.end(), int(i)) - fg.chain.layers.begin());
                const int k = chainPos;
                const double inputFetch = k == 0 && !p.inputResident ? tensorBits(g, prec, stored[l.inputs[0]]) : 0.0;
                p = bandProblem(p, fg, k, *l.loopNest);
                const LayerCost band = options.pinned ? evaluateMapping(p, hw, options.pinned->layers.at(i).rawMapping)
                                                      : cache->find(p, hw, options.objective);
                if (!band.feasible)
                    throw InputError(hw.levels[0].name + ".sizeBytes: no mapping of a band of layer '" + echo(l.name)
                                     + "' fits the memory levels");
                c = fusedCost(band, fg, plan.weightsResident, double(l.params) * p.wBits, inputFetch, hw);
                c.mapping = band.mapping;
                e.fusedGroup = group;
            } else if (options.pinned) {
                const LayerEnergy& was = options.pinned->layers.at(i);
                p.batch = was.problem.batch;
                c = evaluateMapping(p, hw, was.rawMapping);
            } else {
                // One path for every caller (poq energy, poq sweep, the window): the mapping space.
                c = cache->find(p, hw, options.objective);
                // A layer may also run the batch's images one by one (weights fetched per image).
                if (!plan.weightsResident && plan.imagesPerWeightLoad > 1) {
                    LayerProblem shared = p;
                    shared.batch = plan.imagesPerWeightLoad;
                    LayerCost b = cache->find(shared, hw, options.objective);
                    if (betterCost(b, c, options.objective)) {
                        c = b;
                        p = shared;
                    }
                }
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
            if (e.fusedGroup >= 0) {
                const FusedGroup& fg = plan.groups[e.fusedGroup];
                e.mapping = "fused chain " + std::to_string(e.fusedGroup + 1) + ", " + std::to_string(fg.chain.rows[chainPos])
                            + " row(s) x " + std::to_string(fg.chain.bands) + " bands, weights "
                            + (plan.weightsResident ? "resident" : fg.weightsHeld ? "held" : "fetched per band") + " | "
                            + e.mapping;
            }
            if (p.batch > 1)
                e.mapping += " | batch " + std::to_string(p.batch) + " innermost at " + hw.levels.back().name;
            e.rawMapping = c.mapping;
            e.problem = p;
            e.outputOnChip = onChip[out];
            e.eltwisePj = double(l.elementwiseOps) * hw.eltwisePj[static_cast<int>(formatInfo(lp.output).computeClass)];
            net.bops += double(c.macs) * p.wBits * p.iBits;
            net.weightBits += double(l.params) * p.wBits;
        } else if (fused[i]) {
            e.fused = true;
            if (!kindInfo(l.kind).foldsIntoConv) // batch-norm folds into the convolution's weights
                e.eltwisePj = double(l.elementwiseOps)
                              * hw.eltwisePj[static_cast<int>(formatInfo(lp.output).computeClass)];
        } else {
            e = streamLayer(g, l, prec, stored, onChip, hw);
        }
        e.name = l.name;
        e.kind = l.kind;
        // The stored tensor this layer writes (after the activations fused into it) is reported on
        // the layer that does the work, not on the fused ones.
        const int t = stored[l.output];
        if (!e.fused && !g.tensor(t).consumers.empty()) {
            e.outputTensor = g.tensor(t).name;
            e.outputBits = tensorBits(g, prec, t);
            e.outputSpillBits = onChip[t] ? 0.0 : e.outputBits * (1 + tensorReaders(g, t));
            e.outputOnChip = onChip[t];
            e.outputInLineBuffer = !plan.lineTensor.empty() && plan.lineTensor[t];
        }
        addInto(net.total, e);
    }
    net.macs = g.totalMacs();
    net.total.macs = net.macs;
    return net;
}

// A chain as a fused group: its line buffers and weights at this precision.
FusedGroup describeChain(const Graph& g, const NetworkPrecision& prec, const std::vector<int>& stored,
                         const FusionChain& chain)
{
    FusedGroup fg;
    fg.chain = chain;
    fg.name = chainName(g, chain);
    for (size_t k = 0; k < chain.lineTensors.size(); ++k) {
        const int t = chain.lineTensors[k];
        const Shape& s = g.tensor(t).shape;
        fg.lineBits += double(chain.lineRows[k]) * s.w * s.c * formatInfo(prec.tensors[t]).bits;
    }
    const int in = stored[g.layers()[chain.first()].inputs[0]];
    const Shape& s = g.tensor(in).shape;
    fg.lineBits += double(chain.inputRows) * s.w * s.c * formatInfo(prec.tensors[in]).bits;
    for (int l : chain.layers)
        fg.weightBits += double(g.layers()[l].params) * prec.layers[l].weightBits();
    return fg;
}

// The chains worth fusing, judged against the unfused cost `none` under its plan: a chain stays
// when its layers cost less band by band (objective of their summed energy and latency) than one
// after another. Auto splits a chain into the longest runs whose line buffers and weights fit the
// plan's share of the level; blocks keep a chain whole when its line buffers fit (weights that do
// not fit beside them are fetched again for every band).
struct GroupChoice {
    std::vector<FusedGroup> worth; // chains that each cost less fused
    std::vector<FusedGroup> all;   // every chain that fits (together they may free room for more)
};

GroupChoice chooseGroups(const Graph& g, const NetworkPrecision& prec, const std::vector<int>& stored,
                                     const Hardware& hw, const CostOptions& options, MappingCache* cache,
                                     const NetworkCost& none, FusionMode mode)
{
    const NetworkPlan& base = none.plan;
    const double room = base.planBits;
    std::vector<FusionChain> pieces;
    for (const FusionChain& chain : fusionChains(g, stored, mode)) {
        if (mode == FusionMode::Blocks) {
            pieces.push_back(chain);
            continue;
        }
        std::vector<int> run;
        FusionChain best;
        bool have = false;
        for (int l : chain.layers) {
            std::vector<int> longer = run;
            longer.push_back(l);
            FusionChain c;
            if (longer.size() >= 2 && bandChain(g, stored, longer, c)) {
                const FusedGroup fg = describeChain(g, prec, stored, c);
                if (fg.lineBits + fg.weightBits <= room) {
                    run = std::move(longer);
                    best = c;
                    have = true;
                    continue;
                }
            } else if (longer.size() == 1) {
                run = std::move(longer);
                continue;
            }
            if (have)
                pieces.push_back(best);
            run = {l};
            have = false;
        }
        if (have)
            pieces.push_back(best);
    }
    GroupChoice choice;
    for (const FusionChain& chain : pieces) {
        FusedGroup fg = describeChain(g, prec, stored, chain);
        if (fg.lineBits > room)
            continue;
        fg.weightsHeld = base.weightsResident || fg.lineBits + fg.weightBits <= room;
        NetworkPlan trial = base;
        trial.groups = {fg};
        for (int l : chain.layers)
            trial.groupOf[l] = 0;
        for (int t : chain.lineTensors)
            trial.lineTensor[t] = trial.tensorOnChip[t] = 1;
        double fusedE = 0, fusedL = 0, noneE = 0, noneL = 0;
        bool feasible = true;
        for (size_t k = 0; k < chain.layers.size(); ++k) {
            const int i = chain.layers[k];
            const Layer& l = g.layers()[i];
            const LayerProblem whole = macProblem(g, prec, stored, size_t(i), trial);
            const double inputFetch = k == 0 && !whole.inputResident ? tensorBits(g, prec, stored[l.inputs[0]]) : 0.0;
            const LayerProblem p = bandProblem(whole, fg, int(k), *l.loopNest);
            const LayerCost band = cache->find(p, hw, options.objective);
            if (!band.feasible) {
                feasible = false;
                break;
            }
            const LayerCost c = fusedCost(band, fg, base.weightsResident, double(l.params) * p.wBits, inputFetch, hw);
            fusedE += c.energyPj();
            fusedL += c.latencyCycles;
            noneE += none.layers[i].energyPj() - none.layers[i].eltwisePj;
            noneL += none.layers[i].latencyCycles;
        }
        if (!feasible)
            continue;
        choice.all.push_back(fg);
        if (objectiveValue(fusedE, fusedL, options.objective) < objectiveValue(noneE, noneL, options.objective) * (1 - 1e-12))
            choice.worth.push_back(std::move(fg));
    }
    return choice;
}

} // namespace

NetworkCost costNetwork(const Graph& g, const NetworkPrecision& prec, const Hardware& hw, const CostOptions& options,
                        MappingCache* cache)
{
    validateHardware(hw);
    MappingCache local;
    if (!cache)
        cache = &local;
    const std::vector<char> fused = fusedLayers(g);
    const std::vector<int> stored = storedTensor(g, fused);
    const int batch = int(hw.batch);
    auto value = [&](const NetworkCost& c) {
        return objectiveValue(c.total.energyPj(), c.total.latencyCycles, options.objective);
    };
    // Fusion: the chains worth running band by band under an unfused plan, then the whole network
    // planned again around their line buffers; the better of the two.
    std::vector<FusedGroup> forced;
    if (!options.fuse.empty()) {
        if (hw.keepOnChip == 0)
            throw InputError("--fuse: network.keepOnChip is off, so no line buffer can stay on chip");
        const double room = planNetwork(g, prec, stored, hw, 1).planBits;
        for (const std::string& spec : options.fuse) {
            FusedGroup fg = describeChain(g, prec, stored, namedChain(g, stored, spec));
            for (const FusedGroup& other : forced)
                if (std::find_first_of(fg.chain.layers.begin(), fg.chain.layers.end(), other.chain.layers.begin(),
                                       other.chain.layers.end())
                    != fg.chain.layers.end())
                    throw InputError("--fuse '" + echo(spec) + "': overlaps the chain " + other.name);
            if (fg.lineBits > room)
                throw InputError("--fuse '" + echo(spec) + "': its line buffers need " + bitsText(fg.lineBits)
                                 + ", more than the " + bitsText(room) + " of " + hw.levels[hw.lastOnChipLevel()].name
                                 + " the plan may use");
            forced.push_back(std::move(fg));
        }
    }
    auto withFusion = [&](NetworkCost none) {
        if (forced.empty() && (hw.fusion == 0 || hw.keepOnChip == 0))
            return none;
        const int d = none.plan.imagesPerWeightLoad;
        // Per mode, the chains worth fusing one by one and all chains together (their line buffers
        // may leave room for resident weights that no single chain frees); auto also tries the
        // blocks, so it never does worse than them.
        std::vector<std::vector<FusedGroup>> sets;
        if (!forced.empty())
            sets.push_back(forced);
        for (FusionMode mode : {FusionMode::Blocks, FusionMode::Auto}) {
            if (!forced.empty() || int(mode) > int(hw.fusion))
                break;
            const GroupChoice choice = chooseGroups(g, prec, stored, hw, options, cache, none, mode);
            sets.push_back(choice.worth);
            if (choice.all.size() != choice.worth.size())
                sets.push_back(choice.all);
        }
        NetworkCost best = std::move(none);
        for (std::vector<FusedGroup> groups : sets) {
            if (groups.empty())
                continue;
            for (FusedGroup& fg : groups)
                fg.weightsHeld = false; // first: the line buffers beside resident weights, if they fit
            NetworkPlan plan = planNetwork(g, prec, stored, hw, d, groups);
            if (!plan.weightsResident) {
                // Held weights take room beside the line buffers when they are not resident anyway.
                for (FusedGroup& fg : groups)
                    fg.weightsHeld = fg.lineBits + fg.weightBits <= plan.planBits;
                plan = planNetwork(g, prec, stored, hw, d, groups);
            } else {
                for (FusedGroup& fg : plan.groups)
                    fg.weightsHeld = true;
            }
            NetworkCost c = costWithPlan(g, prec, hw, options, cache, fused, stored, plan);
            if (!forced.empty() || value(c) < value(best) * (1 - 1e-12))
                best = std::move(c);
        }
        return best;
    };
    NetworkCost best;
    if (options.pinned) {
        best = costWithPlan(g, prec, hw, options, cache, fused, stored, options.pinned->plan);
    } else {
        // The batch's images per weight load: every divisor of the batch is a schedule (a larger
        // share of the weights costs room for more images' activations), each with and without
        // fusion; the best one is taken, so a larger batch never costs more per image than any of
        // its divisors.
        bool first = true;
        for (int d = 1; d <= batch; ++d) {
            if (batch % d != 0)
                continue;
            NetworkPlan plan = planNetwork(g, prec, stored, hw, d);
            if (plan.weightsResident && d > 1)
                continue; // resident weights: nothing to share, d = 1 holds the same with less room
            NetworkCost c = withFusion(costWithPlan(g, prec, hw, options, cache, fused, stored, plan));
            if (first || value(c) < value(best) * (1 - 1e-12)) {
                best = std::move(c);
                first = false;
            }
        }
    }
    best.batch = batch;
    best.batchLatencyCycles = best.total.latencyCycles * batch;
    return best;
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
