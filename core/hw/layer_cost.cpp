// The layer cost model. Access counts follow the Timeloop/ZigZag view: a tile at level l is
// (re)filled once per iteration of the loops above it, except that it stays resident across the
// run of loops irrelevant to it that come first above it, across as many levels as that run spans
// (stationarity), and an input tile stepped along a window dimension keeps the overlap (sliding
// window). Partial sums travel at accumulator width, final outputs at output width (reduction
// happens in the PEs' accumulators). Average tile extents make ragged tiles exact for weights and
// outputs.
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

double tileBitsOf(const LayerProblem& p, const std::array<double, kDimCount>& e, uint8_t skip)
{
    double bits = 0;
    for (int x = 0; x < kOperandCount; ++x)
        if (!(skip >> x & 1))
            bits += tileSize(p, Operand(x), e) * bitsOf(p, Operand(x));
    return bits;
}

std::vector<Bypass> bypassChoices(const Hardware& hw, const LayerProblem& p)
{
    const int L = int(hw.levels.size());
    std::vector<std::pair<int, int>> open; // (level, operand) pairs that may skip
    for (int l = 1; l + 1 < L; ++l)
        for (int x = 0; x < kOperandCount; ++x) {
            const bool resident = l == L - 2 && ((x == int(Operand::I) && p.inputResident)
                                                 || (x == int(Operand::O) && p.outputResident)
                                                 || (x == int(Operand::W) && p.weightResident));
            if (hw.levels[l].scope == LevelScope::Shared && hw.levels[l].mayBypass[x] != 0 && !resident)
                open.emplace_back(l, x);
        }
    std::vector<Bypass> out;
    for (uint32_t subset = 0; subset < (1u << open.size()); ++subset) {
        Bypass b{};
        for (size_t i = 0; i < open.size(); ++i)
            if (subset >> i & 1)
                b[open[i].first] = uint8_t(b[open[i].first] | (1 << open[i].second));
        out.push_back(b);
    }
    return out;
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
    return std::tie(a.pair, a.spatial, a.bounds, a.order, a.bypass)
           < std::tie(b.pair, b.spatial, b.bounds, b.order, b.bypass);
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

double levelTileBits(const LayerProblem& p, int l, const DimArray& cum, const DimArray& spatial, uint8_t skip)
{
    Ext e;
    for (int d = 0; d < kDimCount; ++d)
        e[d] = std::min<double>(double(cum[d]) * (l == 0 ? 1 : spatial[d]), p.bounds[d]);
    return tileBitsOf(p, e, skip);
}

double capacityBits(const Hardware& hw, const LayerProblem& p, int l)
{
    const double cap = hw.levels[l].sizeBytes * 8;
    return l == int(hw.levels.size()) - 2 ? cap * p.tileFraction : cap;
}

int levelLoops(const DimArray& bounds, const std::array<int8_t, kDimCount>& order, Loop* out)
{
    int n = 0;
    for (int i = 0; i < kDimCount; ++i)
        if (bounds[order[i]] > 1)
            out[n++] = {order[i], bounds[order[i]]};
    return n;
}

int topLevelLoops(const LayerProblem& p, const DimArray& bounds, const std::array<int8_t, kDimCount>& order, Loop* out)
{
    int n = 0;
    if (p.batch > 1)
        out[n++] = {int8_t(kBatchLoop), p.batch};
    return n + levelLoops(bounds, order, out + n);
}

AboveBoundary aboveBoundary(const Loop* loops, int count)
{
    AboveBoundary a;
    for (int x = 0; x < kOperandCount; ++x) {
        double run = 1;
        for (int i = 0; i < count; ++i) {
            if (relevantLoop(x, loops[i].dim)) {
                if (x == int(Operand::I)) {
                    const Dim d = Dim(loops[i].dim);
                    if (d == Dim::OY || d == Dim::OX || d == Dim::FY || d == Dim::FX) {
                        a.slideDim = loops[i].dim;
                        a.slideBound = loops[i].bound;
                    }
                }
                break;
            }
            run *= loops[i].bound;
        }
        a.run[x] = run;
    }
    return a;
}

namespace {

// Inputs a tile of extents `e` touches over a sweep of `b` steps of the loop over `dim` (OY, OX,
// FY or FX; `array`: the array-wide tile, whose extent along `dim` is one step). The array-wide
// tile, and a PE's tile when `dim` is not spread over PEs, covers b adjacent blocks along the axis:
// the window of b times its extent, exactly as one larger tile. A PE's tile whose `dim` is spread
// over PEs covers b blocks one array step apart: a contiguous window overlaps the next block by
// what it is longer than the step; gapped windows (strides or dilations skipping positions) are
// counted without overlap, an upper bound.
double sweptInputs(const LayerProblem& p, const Ext& e, const Ext& array, bool spread, int dim, int b)
{
    using D = Dim;
    auto at = [&](const Ext& x, D d) { return x[static_cast<int>(d)]; };
    const bool alongY = D(dim) == D::OY || D(dim) == D::FY;
    const bool alongOutputs = D(dim) == D::OY || D(dim) == D::OX;
    auto axis = [&](D out, D taps, int stride, int dilation, int size) {
        const double o = at(e, out), f = at(e, taps);
        if (!spread)
            return alongOutputs ? window(o * b, f, stride, dilation, size) : window(o, f * b, stride, dilation, size);
        const double w = window(o, f, stride, dilation, size);
        const double span = o <= 1 ? o * f : (o - 1) * stride + (f - 1) * dilation + 1;
        if (w >= size)
            return w;
        if (w < span) // gapped
            return std::min(b * w, double(size));
        const double step = alongOutputs ? at(array, out) * stride : at(array, taps) * dilation;
        return std::min({b * w, w + (b - 1) * step, double(size)});
    };
    const double wy = alongY ? axis(D::OY, D::FY, p.strideY, p.dilationY, p.IY)
                             : window(at(e, D::OY), at(e, D::FY), p.strideY, p.dilationY, p.IY);
    const double wx = !alongY ? axis(D::OX, D::FX, p.strideX, p.dilationX, p.IX)
                              : window(at(e, D::OX), at(e, D::FX), p.strideX, p.dilationX, p.IX);
    return at(e, D::C) * at(e, D::G) * wy * wx;
}

} // namespace

void addBoundaryTraffic(const LayerProblem& p, int L, int k, const DimArray& R, const DimArray& spatial,
                        const DimArray& cum, const AboveBoundary& above, const Bypass& bypass, LevelBits& rd,
                        LevelBits& wr, double& hopBits)
{
    // The level operand x comes from (or, for outputs, goes to) across boundary k.
    auto source = [&](int x) {
        int s = k + 1;
        while (s < L - 1 && (bypass[s] >> x & 1))
            ++s;
        return s;
    };
    Ext e, pe; // the array-wide tile (the union over the PEs) and one PE's, average extents
    double all = 1, pes = 1;
    for (int d = 0; d < kDimCount; ++d) {
        e[d] = double(p.bounds[d]) * cum[d] / R[d];
        pe[d] = e[d] / spatial[d];
        all *= double(R[d]) / cum[d];
        pes *= spatial[d];
    }
    const bool top = k == L - 2;
    for (int x = 0; x < 2; ++x) { // weights and inputs flow down
        if ((top && ((x == 1 && p.inputResident) || (x == 0 && p.weightResident))) || (bypass[k] >> x & 1))
            continue;
        const int from = source(x);
        double fills = all / above.run[x];
        double parent = 0, child = 0; // elements read from level k+1 and written into level k per fill
        if (x == 1 && above.slideDim >= 0) {
            fills /= above.slideBound;
            const int d = above.slideDim, b = above.slideBound;
            parent = sweptInputs(p, e, e, false, d, b);
            child = k == 0 ? sweptInputs(p, pe, e, spatial[d] > 1, d, b) * pes : parent;
        } else {
            parent = tileSize(p, Operand(x), e);
            child = k == 0 ? tileSize(p, Operand(x), pe) * pes : parent;
        }
        const double bits = bitsOf(p, Operand(x));
        rd[x][from] += fills * parent * bits;
        wr[x][k] += fills * child * bits;
        if (k == 0)
            hopBits += fills * child * bits;
    }
    if ((top && p.outputResident) || (bypass[k] >> 2 & 1))
        return;
    const int to = source(2);
    const double outputs = double(p.bounds[0]) * p.bounds[2] * p.bounds[3] * p.bounds[4];
    const double updates = all / above.run[2] * tileSize(p, Operand::O, e);
    const double partial = std::max(0.0, updates - outputs);
    const double upBits = outputs * p.oBits + partial * p.accBits;
    wr[2][to] += upBits;
    rd[2][to] += partial * p.accBits;
    wr[2][k] += partial * p.accBits;
    rd[2][k] += upBits; // read out of the lower level (level 0: the PEs' output registers)
    if (k == 0)
        hopBits += upBits + partial * p.accBits;
}

LayerCost evaluateMapping(const LayerProblem& p, const Hardware& hw, const Mapping& m)
{
    const int L = m.levels;
    LayerCost c;
    c.levels = L;
    c.macs = p.macs();
    c.mapping = m;
    std::array<DimArray, kMaxLevels> cum{};
    for (int l = 0; l < L; ++l)
        for (int d = 0; d < kDimCount; ++d)
            cum[l][d] = m.bounds[l][d] * (l > 0 ? cum[l - 1][d] : 1);
    const DimArray& R = cum[L - 1];
    for (int l = 0; l + 1 < L; ++l)
        if (levelTileBits(p, l, cum[l], m.spatial, m.bypass[l]) > capacityBits(hw, p, l))
            return c;
    c.feasible = true;
    LevelBits rd{}, wr{};
    double hopBits = 0;
    std::array<Loop, kMaxLoops> above{};
    int n = 0; // the loops above boundary k, innermost first: level k+1's, then the rest
    for (int k = L - 2; k >= 0; --k) {
        std::array<Loop, kDimCount + 1> own{};
        const int mine = k + 1 == L - 1 ? topLevelLoops(p, m.bounds[k + 1], m.order[k + 1], own.data())
                                        : levelLoops(m.bounds[k + 1], m.order[k + 1], own.data());
        std::move_backward(above.begin(), above.begin() + n, above.begin() + n + mine);
        std::copy(own.begin(), own.begin() + mine, above.begin());
        n += mine;
        addBoundaryTraffic(p, L, k, R, m.spatial, cum[k], aboveBoundary(above.data(), n), m.bypass, rd, wr,
                           hopBits);
    }
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
    c.iterations = 1;
    for (int d = 0; d < kDimCount; ++d) {
        c.iterations *= R[d];
        c.activePes *= m.spatial[d];
    }
    const AccessPrice price = priceAccesses(c.counts(), hw, p);
    // The operand split (for the report) prices each operand's bits with the same per-bit energies.
    for (int x = 0; x < kOperandCount; ++x) {
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
    c.utilization = macs / (c.iterations * hw.rows * hw.cols);
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
        std::string skips;
        for (int x = 0; x < kOperandCount; ++x)
            if (bypass[l] >> x & 1)
                skips += kOperandNames[x];
        out += hw.levels[l].name + (skips.empty() ? "" : " (" + skips + " skips)") + ": " + (loops.empty() ? "-" : loops)
               + " | ";
    }
    const auto [r, cdim] = hw.spatialPairs.at(pair);
    out += "spatial " + std::string(kDimNames[int(r)]) + std::to_string(spatial[int(r)]) + " x "
           + kDimNames[int(cdim)] + std::to_string(spatial[int(cdim)]);
    return out;
}

} // namespace poq
