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
    bool weightResident = false; // the weights stay in the last on-chip level across inferences
    // Images of a batch that share each weight fetch from DRAM: the DRAM level runs them as its
    // innermost loop (kBatchLoop; weights stay below it, inputs and outputs are per image). Counts
    // are per image.
    int batch = 1;
    double tileFraction = 1.0;   // share of the last on-chip level that tiles may use

    int64_t macs() const;
    bool operator==(const LayerProblem&) const = default;
};

LayerProblem problemFromLoopNest(const LoopNest& nest);

inline constexpr int kMaxLevels = 6;

// Per level, the operands (bit x: Operand x) that skip it: they move straight between the nearest
// levels below and above that hold them. Only shared on-chip levels can be skipped.
using Bypass = std::array<uint8_t, kMaxLevels>;

struct Mapping {
    int pair = 0;                              // index into Hardware::spatialPairs
    int levels = 0;
    DimArray spatial{1, 1, 1, 1, 1, 1, 1};     // spatial unrolling factor per dim
    std::array<DimArray, kMaxLevels> bounds{}; // per level: loop bound per dim (level 0: inside a PE)
    std::array<std::array<int8_t, kDimCount>, kMaxLevels> order{}; // per level, innermost first (level 0 unused)
    Bypass bypass{};                           // operands that skip each level

    // e.g. "dram: K2 OY7 | sram: C4 OX14 | rf: FY3 FX3 | spatial C16 x K16" (outermost loops first);
    // a skipped level reads "buffer (W skips): ...".
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

// One loop of the nest (a dim and its bound at one level).
struct Loop {
    int8_t dim = 0;
    int bound = 1;
};
// What the loops above a level boundary (innermost first, across every level above) mean to each
// operand. A tile stays resident across the loops irrelevant to it that come before its first
// relevant loop, however many levels that run spans (run); it is refilled once per iteration of
// everything from that loop outwards. An input tile whose first relevant loop steps the window
// (OY, OX, FY or FX) keeps the overlap and fetches only the new rows or columns (slide).
struct AboveBoundary {
    std::array<double, kOperandCount> run{1, 1, 1};
    int slideDim = -1; // the input's first relevant loop when it slides the window, else -1
    int slideBound = 1;
};
AboveBoundary aboveBoundary(const Loop* loops, int count);
// The live loops (bound > 1) of one level in its order, innermost first; returns how many. The top
// level (DRAM) of a batched problem starts with the batch loop (dim kBatchLoop, bound p.batch).
int levelLoops(const DimArray& bounds, const std::array<int8_t, kDimCount>& order, Loop* out);
int topLevelLoops(const LayerProblem& p, const DimArray& bounds, const std::array<int8_t, kDimCount>& order, Loop* out);
inline constexpr int kMaxLoops = kMaxLevels * kDimCount + 1; // every level's loops and the batch loop

// The accesses one level boundary k (between levels k and k+1) adds, for the level-k tile whose
// cumulative loop counts are `cumK` (R: the whole per-PE iteration counts), given the loops above
// it. The one access-count formula of the cost model, the search and the exhaustive reference.
// Register-file fills (k = 0) count every PE's own tile: operands shared by PEs (weights along
// output positions, inputs along output channels) and the overlap of neighbouring PEs' windows
// count once per PE; the parent reads the union once (multicast).
using LevelBits = std::array<std::array<double, kMaxLevels>, kOperandCount>;
// An operand that skips level k (bypass) adds nothing at boundary k; at the boundaries below it
// the reads come from the nearest level above that holds it.
void addBoundaryTraffic(const LayerProblem& p, int levels, int k, const DimArray& R, const DimArray& spatial,
                        const DimArray& cumK, const AboveBoundary& above, const Bypass& bypass, LevelBits& rd,
                        LevelBits& wr, double& hopBits);
// Bits a tile of these extents (per dim; K C G OY OX FY FX) holds: weights and inputs at their
// width, outputs at the accumulator width, without the operands in `skip` (bit x: Operand x). The
// one tile formula of the capacity checks.
double tileBitsOf(const LayerProblem& p, const std::array<double, kDimCount>& extents, uint8_t skip = 0);
// Bits the worst-case tile of level l holds (capped at the layer): per PE at level 0, array-wide
// above; operands in `skip` bypass the level and take no room.
double levelTileBits(const LayerProblem& p, int level, const DimArray& cum, const DimArray& spatial, uint8_t skip = 0);
// Every bypass choice the hardware allows for this layer (the first: nothing skipped). A resident
// operand (inputResident, outputResident, weightResident) never skips the last on-chip level it sits in.
std::vector<Bypass> bypassChoices(const Hardware& hw, const LayerProblem& p);
// Bits level l may hold (the last on-chip level: the share tiles may use).
double capacityBits(const Hardware& hw, const LayerProblem& p, int level);

// Spatial factors of a pair: each unrolled dim gets ceil(D / ceil(D / side)) (fewest idle PEs for
// the fewest passes).
DimArray spatialFactors(const LayerProblem& p, const Hardware& hw, int pair);

} // namespace poq
