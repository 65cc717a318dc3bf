// One MAC layer as the energy model sees it (LayerProblem), a mapping of it onto the hardware
// (Mapping), and what that mapping costs (LayerCost).
#pragma once

#include "hw/dims.h"
#include "hw/hardware.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace poq {

enum class Objective { Energy, Latency, Edp };

struct LayerProblem {
    DimArray bounds{1, 1, 1, 1, 1, 1, 1}; // K C G OY OX FY FX
    int strideY = 1, strideX = 1, dilationY = 1, dilationX = 1;
    int IY = 1, IX = 1;                    // input height and width (unpadded)
    int wBits = 8, iBits = 8, oBits = 8, accBits = 32;
    NumberFormat wFormat = NumberFormat::INT8, iFormat = NumberFormat::INT8; // the MAC's operands
    ComputeClass macClass = ComputeClass::INT8; // the wider operand's class: it sets the packing
    bool inputResident = false;  // the input already sits in the last on-chip level
    bool outputResident = false; // the output stays in the last on-chip level
    double tileFraction = 1.0;   // share of the last on-chip level that tiles may use

    int64_t macs() const;
    bool operator==(const LayerProblem&) const = default;
};

LayerProblem problemFromLoopNest(const LoopNest& nest);

inline constexpr int kMaxLevels = 6;

struct Mapping {
    int pair = 0;                              // index into Hardware::spatialPairs
    int levels = 0;
    DimArray spatial{1, 1, 1, 1, 1, 1, 1};     // spatial unrolling factor per dim
    std::array<DimArray, kMaxLevels> bounds{}; // per level: loop bound per dim (level 0: inside a PE)
    std::array<std::array<int8_t, kDimCount>, kMaxLevels> order{}; // per level, innermost first (level 0 unused)

    // e.g. "dram: K2 OY7 | sram: C4 OX14 | rf: FY3 FX3 | spatial C16 x K16" (outermost loops first)
    std::string text(const Hardware& hw) const;
};

// What one mapping's energy and latency depend on besides the hardware's prices: bits read and
// written per level (all operands), bits on the array network, temporal iterations, active PEs and
// MACs. Every cost in POQ Studio comes from priceAccesses() over these counts: the search, the
// exhaustive reference, the mapping spaces and the report.
struct AccessCounts {
    int levels = 0;
    std::array<double, kMaxLevels> readBits{}, writeBits{};
    double hopBits = 0;    // bits between the PEs and the first shared level
    double iterations = 0; // temporal iterations of the array (compute cycles x packing)
    double activePes = 1;
    double macs = 0;
};

// The priced counts: energy by component, latency (the max of compute cycles and every level's
// transfer cycles; a per-PE level's bandwidth is per PE) and static energy over that latency.
struct AccessPrice {
    double macPj = 0, hopPj = 0, staticPj = 0;
    std::array<double, kMaxLevels> levelPj{};
    double computeCycles = 0, latencyCycles = 0;
    double energyPj() const;
};
AccessPrice priceAccesses(const AccessCounts& counts, const Hardware& hw, const LayerProblem& p);

// Static energy over a latency: mW x cycles / MHz = nJ (the one place it is computed).
double staticEnergyPj(const Hardware& hw, double latencyCycles);

// Energy of one MAC of the layer's operands with its accumulator (stated rule, an assumption where
// Horowitz gives no figure): the wider operand's class gives mac.<class>.pj, which holds a multiplier
// and a 32-bit accumulation; the multiplier scales with the product of the operand widths (integers:
// bits x bits; floats: (mantissa + 1) x (mantissa + 1)) relative to the class's own square, and the
// accumulation is accBits x the family's adder energy per bit:
//   E = (mac.<wide>.pj - 32 a) x scale + accBits x a,  a = mac.intAddPjPerBit or mac.floatAddPjPerBit.
// With equal operands and 32-bit accumulators this is mac.<class>.pj itself.
double macEnergyPj(const Hardware& hw, const LayerProblem& p);
// The class of the wider of two operand formats (ties: the weight's).
ComputeClass macClassOf(NumberFormat weight, NumberFormat input);

// The one objective switch: the value a search minimizes.
double objectiveValue(double energyPj, double latencyCycles, Objective objective);

struct LayerCost;
// The one comparison of two costed mappings: by the objective; ties (within a relative 1e-12,
// rounding of the same counts summed in another order) by energy, then latency, then a fixed order
// of the mappings themselves, so every path through the search picks the same mapping.
bool betterCost(double energyA, double latencyA, const Mapping& a, double energyB, double latencyB, const Mapping& b,
                Objective objective);
bool betterCost(const LayerCost& a, const LayerCost& b, Objective objective); // infeasible loses
// The fixed order of mappings used for the last tie-break (lexicographic over pair, tiles, orders).
bool mappingBefore(const Mapping& a, const Mapping& b);

struct LayerCost {
    bool feasible = false;
    double macPj = 0, rfPj = 0, sramPj = 0, dramPj = 0, eltwisePj = 0, staticPj = 0;
    std::array<double, kOperandCount> operandPj{}; // memory energy by operand W, I, O
    std::array<double, kMaxLevels> readBits{}, writeBits{}; // per level
    // per operand and level (filled with the operand split, i.e. by evaluateMapping)
    std::array<std::array<double, kMaxLevels>, kOperandCount> operandReadBits{}, operandWriteBits{};
    int levels = 0;
    double computeCycles = 0, latencyCycles = 0, utilization = 0;
    double hopBits = 0;        // bits between the PEs and the first shared level
    double iterations = 0;     // temporal iterations of the array (compute cycles x packing)
    double activePes = 1;
    int64_t macs = 0;
    Mapping mapping;

    double energyPj() const { return macPj + rfPj + sramPj + dramPj + eltwisePj + staticPj; }
    double dramBits() const { return levels == 0 ? 0 : readBits[levels - 1] + writeBits[levels - 1]; }
    double objective(Objective o) const;
    AccessCounts counts() const; // the counts this cost was priced from
};

// Costs one mapping (the single cost model shared by the search and the exhaustive reference).
// Returns feasible = false when a tile does not fit its level.
LayerCost evaluateMapping(const LayerProblem& p, const Hardware& hw, const Mapping& m);

// The parts of a mapping's cost that do not depend on loop order, computed once per tiling; the
// search then tries loop orders through their stationary runs only.
struct TilingCost {
    bool feasible = false;
    int levels = 0;
    std::array<double, kMaxLevels> all{};                           // iterations above each level
    std::array<std::array<double, kOperandCount>, kMaxLevels> moved{}; // bits per fill, per level, operand
    std::array<double, kOperandCount> copies{};                     // RF copies per fill (multicast)
    double outputs = 0;                                             // output elements
    double iterations = 0;
    double activePes = 1;
};
TilingCost tilingCost(const LayerProblem& p, const Hardware& hw, const Mapping& m);

// The accesses one level boundary l adds, given the level-l tile (all = iterations above it,
// moved = its size per operand: bits for W and I, elements for O) and the stationary runs of the
// loops above. Shared by the full cost and the mapping-space builder.
using LevelBits = std::array<std::array<double, kMaxLevels>, kOperandCount>;
void addBoundaryTraffic(const LayerProblem& p, int levels, int l, double all, const std::array<double, kOperandCount>& moved,
                        const std::array<double, kOperandCount>& copies, double outputs,
                        const std::array<double, kOperandCount>& runs, LevelBits& rd, LevelBits& wr, double& hopBits);
// Register-file fills per fill of the array-wide level-0 tile whose per-PE cumulative counts are
// `cum0`, as a multiple of that tile's union (`moved`): every PE receives its own tile, so operands
// shared by PEs (weights along output positions, inputs along output channels) count once per PE,
// and inputs of PEs whose windows overlap (outputs spread along OY, OX or filter taps) count the
// overlap once per PE. The parent reads the union once (multicast).
std::array<double, kOperandCount> deliveryCopies(const LayerProblem& p, const DimArray& spatial, const DimArray& R,
                                                 const DimArray& cum0);
// Bits a tile of these extents (per dim; K C G OY OX FY FX) holds: weights and inputs at their
// width, outputs at the accumulator width. The one tile formula of the capacity checks.
double tileBitsOf(const LayerProblem& p, const std::array<double, kDimCount>& extents);
// all and moved of the array-wide tile whose cumulative loop counts are `cum` (R: whole dims).
void levelTile(const LayerProblem& p, const DimArray& R, const DimArray& cum, double& all,
               std::array<double, kOperandCount>& moved);
// runs[l][x]: product of the loops at level l+1 that are innermost and irrelevant to operand x.
// firstBoundary > 0 leaves out the traffic below that level boundary (a lower bound for searches).
// operandSplit fills operandPj (the report's split by operand; searches do not need it).
LayerCost costWithRuns(const LayerProblem& p, const Hardware& hw, const TilingCost& t,
                       const std::array<std::array<double, kOperandCount>, kMaxLevels>& runs, int firstBoundary = 0,
                       bool operandSplit = false);
void stationaryRuns(const Mapping& m, std::array<std::array<double, kOperandCount>, kMaxLevels>& runs);
// The runs of one level's loops (bounds, innermost-first order) for each operand.
void levelRuns(const DimArray& bounds, const std::array<int8_t, kDimCount>& order, std::array<double, kOperandCount>& runs);

// Spatial factors of a pair: each unrolled dim gets ceil(D / ceil(D / side)) (fewest idle PEs for
// the fewest passes).
DimArray spatialFactors(const LayerProblem& p, const Hardware& hw, int pair);

} // namespace poq
