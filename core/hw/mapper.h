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
#include <mutex>
#include <unordered_map>

namespace poq {

struct SearchStats {
    int64_t evaluated = 0;
};

// Returns the best feasible mapping (feasible = false when nothing fits).
LayerCost searchMapping(const LayerProblem& p, const Hardware& hw, Objective objective, SearchStats* stats = nullptr);
LayerCost searchMappingExhaustive(const LayerProblem& p, const Hardware& hw, Objective objective,
                                  SearchStats* stats = nullptr);

// Thread-safe memo of searchMapping results for one hardware description and objective: a sweep
// meets the same layer shape and precision many times.
class MappingCache {
public:
    MappingCache(const Hardware& hw, Objective objective) : m_hw(hw), m_objective(objective) {}
    LayerCost find(const LayerProblem& p);
    const Hardware& hardware() const { return m_hw; }
    Objective objective() const { return m_objective; }
    size_t size() const;

private:
    struct Hash {
        size_t operator()(const LayerProblem& p) const;
    };
    mutable std::mutex m_mutex;
    std::unordered_map<LayerProblem, LayerCost, Hash> m_map;
    const Hardware m_hw;
    const Objective m_objective;
};

} // namespace poq
