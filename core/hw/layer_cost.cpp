// The layer cost model. Access counts follow the Timeloop/ZigZag view: a tile at level l is
// (re)filled once per iteration of the loops above it, except that it stays resident across the
// innermost run of loops at level l+1 that are irrelevant to it (stationarity; reuse is credited
// within the adjacent level only). Partial sums travel at accumulator width, final outputs at
// output width (reduction happens in the PEs' accumulators). Average tile extents make ragged
// tiles exact for weights and outputs.
#include "hw/layer_cost.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace poq {

namespace {

using Ext = std::array<double, kDimCount>;

// Input positions one tile touches along one axis: the window span, or outputs x filter taps when
// the stride skips positions (windows that do not overlap), and never more than the input.
double window(double outExtent, double filterExtent, int stride, int dilation, int inputSize)
{
    // Average extents below one output (ragged spatial tiles) scale one output's taps.
    if (outExtent <= 1)
        return std::min(outExtent * filterExtent, double(inputSize));
    const double span = (outExtent - 1) * stride + (filterExtent - 1) * dilation + 1;
    return std::min({span, outExtent * filterExtent, double(inputSize)});
}

double tileSize(const LayerProblem& p, Operand x, const Ext& e)
{
    using D = Dim;
    auto at = [&](D d) { return e[static_cast<int>(d)]; };
    switch (x) {
    case Operand::W: return at(D::K) * at(D::C) * at(D::G) * at(D::FY) * at(D::FX);
    case Operand::I:
        return at(D::C) * at(D::G) * window(at(D::OY), at(D::FY), p.strideY, p.dilationY, p.IY)
               * window(at(D::OX), at(D::FX), p.strideX, p.dilationX, p.IX);
    case Operand::O: return at(D::K) * at(D::G) * at(D::OY) * at(D::OX);
    }
    return 0;
}

int bitsOf(const LayerProblem& p, Operand x)
{
    return x == Operand::W ? p.wBits : x == Operand::I ? p.iBits : p.accBits;
}

} // namespace

double tileBitsOf(const LayerProblem& p, const std::array<double, kDimCount>& e)
{
    double bits = 0;
    for (int x = 0; x < kOperandCount; ++x)
        bits += tileSize(p, Operand(x), e) * bitsOf(p, Operand(x));
    return bits;
}

int64_t LayerProblem::macs() const
{
    int64_t n = 1;
    for (int b : bounds)
        n *= b;
    return n;
}

LayerProblem problemFromLoopNest(const LoopNest& n)
{
    LayerProblem p;
    p.bounds = loopBounds(n);
    p.strideY = n.strideY;
    p.strideX = n.strideX;
    p.dilationY = n.dilationY;
    p.dilationX = n.dilationX;
    p.IY = n.IY;
    p.IX = n.IX;
    return p;
}

DimArray spatialFactors(const LayerProblem& p, const Hardware& hw, int pair)
{
    DimArray s{1, 1, 1, 1, 1, 1, 1};
    const auto [rowDim, colDim] = hw.spatialPairs.at(pair);
    auto unroll = [&](Dim d, int side) {
        const int D = p.bounds[static_cast<int>(d)];
        const int passes = (D + side - 1) / side;
        s[static_cast<int>(d)] = (D + passes - 1) / passes;
    };
    unroll(rowDim, int(hw.rows));
    if (colDim != rowDim)
        unroll(colDim, int(hw.cols));
    return s;
}

double objectiveValue(double energyPj, double latencyCycles, Objective objective)
{
    switch (objective) {
    case Objective::Energy: return energyPj;
    case Objective::Latency: return latencyCycles;
    case Objective::Edp: return energyPj * latencyCycles;
    }
    return energyPj;
}

double LayerCost::objective(Objective o) const { return objectiveValue(energyPj(), latencyCycles, o); }

AccessCounts LayerCost::counts() const
{
    AccessCounts a;
    a.levels = levels;
    a.readBits = readBits;
    a.writeBits = writeBits;
    a.hopBits = hopBits;
    a.iterations = iterations;
    a.activePes = activePes;
    a.macs = double(macs);
    return a;
}

double AccessPrice::energyPj() const
{
    double e = macPj + hopPj + staticPj;
    for (double v : levelPj)
        e += v;
    return e;
}

double staticEnergyPj(const Hardware& hw, double latencyCycles)
{
    return hw.staticMw * latencyCycles * 1000.0 / hw.clockMhz; // mW x cycles / MHz = nJ -> x1000 pJ
}

ComputeClass macClassOf(NumberFormat weight, NumberFormat input)
{
    return formatInfo(formatInfo(input).bits > formatInfo(weight).bits ? input : weight).computeClass;
}

double macEnergyPj(const Hardware& hw, const LayerProblem& p)
{
    const FormatInfo& w = formatInfo(p.wFormat);
    const FormatInfo& i = formatInfo(p.iFormat);
    const FormatInfo& wide = i.bits > w.bits ? i : w;
    const bool isFloat = wide.family == FormatFamily::Float;
    auto width = [&](const FormatInfo& f) { return double(isFloat ? f.mantissaBits + 1 : f.bits); };
    const double scale = width(w) * width(i) / (width(wide) * width(wide));
    const double add = isFloat ? hw.floatAddPjPerBit : hw.intAddPjPerBit;
    const double multiplier = std::max(0.0, hw.macPj[static_cast<int>(p.macClass)] - 32 * add);
    return multiplier * scale + p.accBits * add;
}

AccessPrice priceAccesses(const AccessCounts& c, const Hardware& hw, const LayerProblem& p)
{
    AccessPrice a;
    const int cls = static_cast<int>(p.macClass);
    a.macPj = c.macs * macEnergyPj(hw, p);
    a.hopPj = c.hopBits * hw.hopPjPerBit;
    a.computeCycles = c.iterations / hw.macsPerCycle[cls];
    double latency = a.computeCycles;
    for (int l = 0; l < c.levels; ++l) {
        a.levelPj[l] = c.readBits[l] * hw.readPj(l) + c.writeBits[l] * hw.writePj(l);
        double bw = hw.levels[l].bandwidthBitsPerCycle;
        if (l == 0)
            bw *= c.activePes; // a register file per PE, each with its own ports
        latency = std::max(latency, (c.readBits[l] + c.writeBits[l]) / bw);
    }
    a.latencyCycles = latency;
    a.staticPj = staticEnergyPj(hw, latency);
    return a;
}

bool mappingBefore(const Mapping& a, const Mapping& b)
{
    return std::tie(a.pair, a.spatial, a.bounds, a.order) < std::tie(b.pair, b.spatial, b.bounds, b.order);
}

bool betterCost(double energyA, double latencyA, const Mapping& a, double energyB, double latencyB, const Mapping& b,
                Objective objective)
{
    // -1: x is clearly lower, 1: clearly higher, 0: equal within rounding.
    auto compare = [](double x, double y) {
        const double tol = 1e-12 * std::max(std::fabs(x), std::fabs(y));
        return x < y - tol ? -1 : x > y + tol ? 1 : 0;
    };
    for (int c : {compare(objectiveValue(energyA, latencyA, objective), objectiveValue(energyB, latencyB, objective)),
                  compare(energyA, energyB), compare(latencyA, latencyB)})
        if (c != 0)
            return c < 0;
    return mappingBefore(a, b);
}

bool betterCost(const LayerCost& a, const LayerCost& b, Objective objective)
{
    if (a.feasible != b.feasible)
        return a.feasible;
    return a.feasible
           && betterCost(a.energyPj(), a.latencyCycles, a.mapping, b.energyPj(), b.latencyCycles, b.mapping, objective);
}

void levelTile(const LayerProblem& p, const DimArray& R, const DimArray& cum, double& all,
               std::array<double, kOperandCount>& moved)
{
    Ext e; // average extent of the array-wide tile (level 0: the union over the PEs)
    all = 1;
    for (int d = 0; d < kDimCount; ++d) {
        e[d] = double(p.bounds[d]) * cum[d] / R[d];
        all *= double(R[d]) / cum[d];
    }
    for (int x = 0; x < kOperandCount; ++x)
        moved[x] = tileSize(p, Operand(x), e) * (x == 2 ? 1 : bitsOf(p, Operand(x)));
}

void addBoundaryTraffic(const LayerProblem& p, int L, int l, double all, const std::array<double, kOperandCount>& movedBits,
                        const std::array<double, kOperandCount>& copies, double outputs,
                        const std::array<double, kOperandCount>& runs, LevelBits& rd, LevelBits& wr, double& hopBits)
{
    const bool top = l == L - 2;
    for (int x = 0; x < 2; ++x) { // weights and inputs flow down
        if (x == 1 && top && p.inputResident)
            continue;
        const double moved = all / runs[x] * movedBits[x];
        rd[x][l + 1] += moved;
        const double written = l == 0 ? moved * copies[x] : moved;
        wr[x][l] += written;
        if (l == 0)
            hopBits += written;
    }
    if (top && p.outputResident)
        return;
    const double updates = all / runs[2] * movedBits[2];
    const double partial = std::max(0.0, updates - outputs);
    const double upBits = outputs * p.oBits + partial * p.accBits;
    wr[2][l + 1] += upBits;
    rd[2][l + 1] += partial * p.accBits;
    wr[2][l] += partial * p.accBits;
    rd[2][l] += upBits; // read out of the lower level (level 0: the PEs' output registers)
    if (l == 0)
        hopBits += upBits + partial * p.accBits;
}

std::array<double, kOperandCount> deliveryCopies(const LayerProblem& p, const DimArray& spatial, const DimArray& R,
                                                 const DimArray& cum0)
{
    Ext pe, all; // the average per-PE tile and the array-wide union
    double pes = 1;
    for (int d = 0; d < kDimCount; ++d) {
        all[d] = double(p.bounds[d]) * cum0[d] / R[d];
        pe[d] = all[d] / spatial[d];
        pes *= spatial[d];
    }
    std::array<double, kOperandCount> copies{};
    for (int x = 0; x < kOperandCount; ++x) {
        const double unionSize = tileSize(p, Operand(x), all);
        copies[x] = unionSize > 0 ? tileSize(p, Operand(x), pe) * pes / unionSize : 1;
    }
    return copies;
}

TilingCost tilingCost(const LayerProblem& p, const Hardware& hw, const Mapping& m)
{
    const int L = m.levels;
    TilingCost t;
    t.levels = L;
    std::array<DimArray, kMaxLevels> cum{};
    for (int l = 0; l < L; ++l)
        for (int d = 0; d < kDimCount; ++d)
            cum[l][d] = m.bounds[l][d] * (l > 0 ? cum[l - 1][d] : 1);
    const DimArray& R = cum[L - 1];
    for (int s : m.spatial)
        t.activePes *= s;

    // Capacity: the worst-case tile (capped at the layer) of every level below DRAM.
    for (int l = 0; l + 1 < L; ++l) {
        Ext e;
        for (int d = 0; d < kDimCount; ++d)
            e[d] = std::min<double>(double(cum[l][d]) * (l == 0 ? 1 : m.spatial[d]), p.bounds[d]);
        const double bits = tileBitsOf(p, e);
        double capacity = hw.levels[l].sizeBytes * 8;
        if (l == L - 2)
            capacity *= p.tileFraction;
        if (bits > capacity)
            return t;
    }
    t.feasible = true;
    Ext full;
    for (int d = 0; d < kDimCount; ++d)
        full[d] = p.bounds[d];
    t.outputs = tileSize(p, Operand::O, full);
    t.iterations = 1;
    for (int d = 0; d < kDimCount; ++d)
        t.iterations *= R[d];
    for (int l = 0; l + 1 < L; ++l)
        levelTile(p, R, cum[l], t.all[l], t.moved[l]);
    t.copies = deliveryCopies(p, m.spatial, R, cum[0]);
    return t;
}

void levelRuns(const DimArray& bounds, const std::array<int8_t, kDimCount>& order, std::array<double, kOperandCount>& runs)
{
    for (int x = 0; x < kOperandCount; ++x) {
        double run = 1;
        for (int i = 0; i < kDimCount; ++i) {
            const int d = order[i];
            const int b = bounds[d];
            if (b == 1)
                continue;
            if (kRelevant[x][d])
                break;
            run *= b;
        }
        runs[x] = run;
    }
}

void stationaryRuns(const Mapping& m, std::array<std::array<double, kOperandCount>, kMaxLevels>& runs)
{
    for (int l = 0; l + 1 < m.levels; ++l)
        levelRuns(m.bounds[l + 1], m.order[l + 1], runs[l]);
}

LayerCost costWithRuns(const LayerProblem& p, const Hardware& hw, const TilingCost& t,
                       const std::array<std::array<double, kOperandCount>, kMaxLevels>& runs, int firstBoundary,
                       bool operandSplit)
{
    const int L = t.levels;
    LayerCost c;
    c.levels = L;
    c.macs = p.macs();
    if (!t.feasible)
        return c;
    c.feasible = true;
    LevelBits rd{}, wr{};
    double hopBits = 0;
    for (int l = firstBoundary; l + 1 < L; ++l)
        addBoundaryTraffic(p, L, l, t.all[l], t.moved[l], t.copies, t.outputs, runs[l], rd, wr, hopBits);
    // Every MAC reads a weight and an input from its PE's register file; the running sum lives in
    // the MAC unit's accumulator (its add is part of the MAC energy).
    const double macs = double(c.macs);
    rd[0][0] += macs * p.wBits;
    rd[1][0] += macs * p.iBits;

    for (int l = 0; l < L; ++l)
        for (int x = 0; x < kOperandCount; ++x) {
            c.readBits[l] += rd[x][l];
            c.writeBits[l] += wr[x][l];
        }
    c.hopBits = hopBits;
    c.iterations = t.iterations;
    c.activePes = t.activePes;
    const AccessPrice price = priceAccesses(c.counts(), hw, p);
    // The operand split (for the report) prices each operand's bits with the same per-bit energies.
    for (int x = 0; x < kOperandCount && operandSplit; ++x) {
        AccessCounts only;
        only.levels = L;
        for (int l = 0; l < L; ++l) {
            only.readBits[l] = rd[x][l];
            only.writeBits[l] = wr[x][l];
        }
        const AccessPrice px = priceAccesses(only, hw, p);
        for (int l = 0; l < L; ++l)
            c.operandPj[x] += px.levelPj[l];
        c.operandReadBits[x] = only.readBits;
        c.operandWriteBits[x] = only.writeBits;
    }
    c.macPj = price.macPj;
    c.rfPj = price.levelPj[0];
    c.dramPj = price.levelPj[L - 1];
    for (int l = 1; l + 1 < L; ++l)
        c.sramPj += price.levelPj[l];
    c.sramPj += price.hopPj;
    c.staticPj = price.staticPj;
    c.computeCycles = price.computeCycles;
    c.latencyCycles = price.latencyCycles;
    c.utilization = macs / (t.iterations * hw.rows * hw.cols);
    return c;
}

LayerCost evaluateMapping(const LayerProblem& p, const Hardware& hw, const Mapping& m)
{
    const TilingCost t = tilingCost(p, hw, m);
    std::array<std::array<double, kOperandCount>, kMaxLevels> runs{};
    stationaryRuns(m, runs);
    LayerCost c = costWithRuns(p, hw, t, runs, 0, true);
    c.mapping = m;
    return c;
}

std::string Mapping::text(const Hardware& hw) const
{
    std::string out;
    for (int l = levels - 1; l >= 0; --l) {
        std::string loops;
        for (int i = kDimCount - 1; i >= 0; --i) { // outermost first
            const int d = l == 0 ? kDimCount - 1 - i : order[l][i];
            if (bounds[l][d] > 1)
                loops += (loops.empty() ? "" : " ") + std::string(kDimNames[d]) + std::to_string(bounds[l][d]);
        }
        out += hw.levels[l].name + ": " + (loops.empty() ? "-" : loops) + " | ";
    }
    const auto [r, cdim] = hw.spatialPairs.at(pair);
    out += "spatial " + std::string(kDimNames[int(r)]) + std::to_string(spatial[int(r)]) + " x "
           + kDimNames[int(cdim)] + std::to_string(spatial[int(cdim)]);
    return out;
}

} // namespace poq
