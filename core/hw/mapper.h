// Schedule search: the mapping of minimum cost (energy, latency or EDP) of one MAC layer.
//
// Mapping space, per spatial pair of the hardware: a tile size per dimension per memory level
// (divisors of the dimension's iteration count) and a loop order per level. Costs follow the
// global loop nest (layer_cost.h): a boundary's fills are the loops from its operand's first
// relevant loop outwards, across levels, so only these choices matter and the enumeration keeps
// exactly them:
//  - Orders. Per level, only the first loop's operand x, the run of loops irrelevant to x and the
//    input's first relevant loop (a window dim slides) change any count; every order is matched or
//    beaten by one that puts x's whole irrelevant run first with a chosen leading loop (at most
//    two for weights, five for inputs, three for outputs).
//  - Tiles. Moving a factor of a loop of level k+1 into level k never raises any count when the
//    factor keeps its place in the global nest (it is level k+1's innermost loop), or when level k
//    already has a loop relevant to every operand the dim is relevant to (then no run below
//    crosses level k for those operands). So a best mapping exists whose every tile is maximal,
//    except where level k is transparent to one operand x (all its loops irrelevant to x: its
//    tile then shares x's relevant dims with level k-1 and is maximal in the rest) or holds no loop
//    at all (it shares the tile of the level below). The builder enumerates exactly these.
// searchMappingExhaustive() enumerates every tiling and every loop order of the same space; tests
// check that both find the same cost.
#pragma once

#include "hw/layer_cost.h"
#include "util/cancel.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace poq {

struct SearchStats {
    int64_t evaluated = 0;
};

// Returns the best feasible mapping (feasible = false when nothing fits).
LayerCost searchMapping(const LayerProblem& p, const Hardware& hw, Objective objective, SearchStats* stats = nullptr);
LayerCost searchMappingExhaustive(const LayerProblem& p, const Hardware& hw, Objective objective,
                                  SearchStats* stats = nullptr);

// The mapping space of one layer reduced to what can still win: mappings whose access counts
// (bits read and written per level, array-network bits, per-PE register bits, iterations) are not
// all matched or beaten by another mapping's. Costs are non-negative combinations of these counts
// (energy) or monotone in them (latency, static energy), so the best mapping for ANY per-bit
// energies, MAC energies, packing, bandwidths, clock or static power is in the set: a slider that
// moves such a parameter re-costs by scanning it. Capacities, the array and its spatial pairs shape
// the set itself.
struct MappingSpace {
    static constexpr int kNeed = 2 * kMaxLevels + 3; // first of the per-level capacity needs
    static constexpr int kComponents = 3 * kMaxLevels + 3;
    // counts: reads and writes per level, array-network bits, register bits per PE, iterations,
    // then (spaces built for a capacity range only, else 0) the bits each on-chip level must hold.
    struct Candidate {
        Mapping mapping;
        std::array<double, kComponents> counts{};
        double activePes = 1;
        AccessCounts accessCounts(int levels, const LayerProblem& p) const;
    };
    std::vector<Candidate> candidates;
    int levels = 0;
    int64_t enumerated = 0; // tilings x loop orders costed while building
    // The space was built from capacity decisions that any capacity c with fitMaxBits[l] <= c <
    // misfitMinBits[l] (bits, at every on-chip level l) takes alike: for such capacities it is the
    // same space, so a capacity slider re-costs without searching while it stays in the interval.
    // A space built for capacity ranges (CapacityRange) serves every capacity in them: its
    // candidates carry their capacity needs, which take part in the dominance test, and
    // bestInSpace() skips those that do not fit; the interval is then the range itself.
    std::array<double, kMaxLevels> fitMaxBits{}, misfitMinBits{};
    bool ranged = false;
    bool validFor(const Hardware& hw, const LayerProblem& p) const;
};

// Capacity bits per on-chip level the space must serve, lo..hi (both ends included).
struct CapacityRange {
    std::array<double, kMaxLevels> lo{}, hi{};
};

MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw);
// The space serving every capacity of `range`: a superset of every space buildMappingSpace() would
// build for a capacity in it (a tile maximal at some capacity of the range is kept), so the best
// mapping it offers at any such capacity is the exact one.
MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw, const CapacityRange& range);
// The best candidate for this hardware and objective, costed in full (feasible = false when empty).
LayerCost bestInSpace(const MappingSpace& space, const LayerProblem& p, const Hardware& hw, Objective objective);

// What of a hardware description shapes mapping spaces: levels and capacities, the array, spatial
// pairs (every parameter whose row says it reshapes the space).
std::string structuralKey(const Hardware& hw);
// The same without the capacities, which mapping spaces check themselves (MappingSpace::validFor).
std::string arrayKey(const Hardware& hw);

// Thread-safe memo of mapping spaces by layer problem, for one array structure at a time: a sweep
// meets the same layer many times, and a slider move that keeps the structure reuses them all. Each
// problem keeps the last few spaces built for it with the capacity intervals they serve: a
// capacity slider rebuilds only the layers whose decisions the new capacity changes, moving back
// reuses what was built, and after warm() a drag within its ranges rebuilds nothing.
class MappingCache {
public:
    LayerCost find(const LayerProblem& p, const Hardware& hw, Objective objective);
    // Builds, for every layer problem met so far and every on-chip level, the space serving
    // capacities from value / kRangeSpan to value x kRangeSpan at that level (the other levels in
    // the interval of the space serving hw), so that a later drag of any capacity slider filters
    // instead of searching. Meant for idle time (the window runs it after each costing); stops
    // early when `cancel` is set. Returns the spaces built.
    int warm(const Hardware& hw, const CancelToken* cancel = nullptr);
    size_t size() const;   // layer problems
    size_t spaces() const; // mapping spaces built and kept (a few per problem)

private:
    // One entry per layer whatever share of the last on-chip level its tiles get: the spaces of an
    // entry serve every share whose capacity falls in their intervals.
    struct Hash {
        size_t operator()(const LayerProblem& p) const;
    };
    struct SameLayer {
        bool operator()(const LayerProblem& a, const LayerProblem& b) const;
    };
    mutable std::mutex m_mutex;
    static constexpr size_t kSpacesPerProblem = 6;
    static constexpr double kRangeSpan = 4; // warm(): capacities value / 4 .. value x 4
    void keep(const LayerProblem& p, const std::string& structure, std::shared_ptr<const MappingSpace> space);
    std::unordered_map<LayerProblem, std::vector<std::shared_ptr<const MappingSpace>>, Hash, SameLayer> m_map;
    std::string m_structure;
};

} // namespace poq
