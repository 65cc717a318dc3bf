// Schedule search: the mapping of minimum cost (energy, latency or EDP) of one MAC layer.
//
// Mapping space, per spatial pair of the hardware: a tile size per dimension per memory level
// (divisors of the dimension's iteration count) and a loop order per level. The search is exact
// over that space; it visits only
//  - per level, tiles that are maximal under the level's capacity (a larger tile never costs more:
//    it lowers the fills at its own boundary and lengthens the stationary run below), and
//  - per level, loop orders that put all loops irrelevant to one operand innermost (each loop is
//    irrelevant to at most one operand, so only the innermost irrelevant run matters).
// searchMappingExhaustive() enumerates every tiling and every loop order of the same space; tests
// check that both find the same cost.
#pragma once

#include "hw/layer_cost.h"

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
    static constexpr int kComponents = 2 * kMaxLevels + 3;
    // counts: reads and writes per level, array-network bits, register bits per PE, iterations.
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
    std::array<double, kMaxLevels> fitMaxBits{}, misfitMinBits{};
    bool validFor(const Hardware& hw, const LayerProblem& p) const;
};

MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw);
// The best candidate for this hardware and objective, costed in full (feasible = false when empty).
LayerCost bestInSpace(const MappingSpace& space, const LayerProblem& p, const Hardware& hw, Objective objective);

// What of a hardware description shapes mapping spaces: levels and capacities, the array, spatial
// pairs (every parameter whose row says it reshapes the space).
std::string structuralKey(const Hardware& hw);
// The same without the capacities, which mapping spaces check themselves (MappingSpace::validFor).
std::string arrayKey(const Hardware& hw);

// Thread-safe memo of mapping spaces by layer problem, for one array structure at a time: a sweep
// meets the same layer many times, and a slider move that keeps the structure reuses them all. Each
// problem keeps the last few spaces built for it with the capacity intervals they serve, so a
// capacity slider rebuilds only the layers whose decisions the new capacity changes, and moving
// back reuses what was built.
class MappingCache {
public:
    LayerCost find(const LayerProblem& p, const Hardware& hw, Objective objective);
    size_t size() const;   // layer problems
    size_t spaces() const; // mapping spaces built and kept (a few per problem)

private:
    struct Hash {
        size_t operator()(const LayerProblem& p) const;
    };
    mutable std::mutex m_mutex;
    static constexpr size_t kSpacesPerProblem = 4;
    std::unordered_map<LayerProblem, std::vector<std::shared_ptr<const MappingSpace>>, Hash> m_map;
    std::string m_structure;
};

} // namespace poq
