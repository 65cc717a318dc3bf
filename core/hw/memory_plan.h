// The on-chip memory planner of the network level: which stored tensors (and whether the weights)
// stay in the last on-chip level, so that the DRAM traffic they avoid is largest while the items on
// chip at every step fit what the step leaves free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace poq {

// One candidate: on chip from step `first` to step `last` (inclusive) it takes `bits` and saves
// `value` (pJ of DRAM traffic it would otherwise cost).
struct PlanItem {
    double bits = 0;
    int first = 0, last = 0;
    double value = 0;
};

struct MemoryPlan {
    std::vector<char> onChip; // per item
    double value = 0;         // sum of the values of the items on chip
    bool exact = true;        // false: the state limit was hit and the greedy plan was used
};

// Maximises the value of the items on chip subject to: at every step s, the bits of the items on
// chip alive at s are at most budget[s]. Exact: a sweep over the steps whose states are the sets of
// items alive and on chip (items alive at one time are few in a layer graph: a chain and its skips);
// when a step would hold more than `stateLimit` states it falls back to greedyPlan, which is never
// worse than legacyPlan. Ties: fewer bits on chip, then the lexicographically smaller choice.
MemoryPlan planMemory(const std::vector<PlanItem>& items, const std::vector<double>& budget,
                      std::size_t stateLimit = std::size_t(1) << 16);

// The rule of earlier versions: an item stays when the bits of *all* items alive at each step of
// its life fit the budget (as if every one stayed). Feasible, monotone, often poor.
MemoryPlan legacyPlan(const std::vector<PlanItem>& items, const std::vector<double>& budget);

// legacyPlan, then every other item that still fits, by value per bit (largest first).
MemoryPlan greedyPlan(const std::vector<PlanItem>& items, const std::vector<double>& budget);

// True when the chosen items fit the budget at every step.
bool planFits(const std::vector<PlanItem>& items, const std::vector<char>& onChip, const std::vector<double>& budget);

} // namespace poq
