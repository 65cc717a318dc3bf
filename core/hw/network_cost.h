// Network-level energy: every layer of a graph under a strategy on one hardware description.
// MAC layers get a searched mapping; batch-norm folds into the preceding convolution, activations
// fuse into their producer; other element-wise layers stream from and to memory. Tensors stay in the
// last on-chip level while they fit (hardware option), else they cost DRAM writes and reads;
// skip (residual) tensors are held from producer to Add at the residual precision.
#pragma once

#include "formats/precision.h"
#include "graph/graph.h"
#include "hw/mapper.h"

#include <string>
#include <vector>

namespace poq {

struct LayerEnergy {
    std::string name;
    LayerKind kind = LayerKind::ReLU;
    bool mac = false;      // has a searched mapping
    bool fused = false;    // folded or fused into its producer (no memory traffic of its own)
    double macPj = 0, rfPj = 0, sramPj = 0, dramPj = 0, eltwisePj = 0, staticPj = 0;
    std::array<double, kOperandCount> operandPj{}; // memory energy by operand W, I, O
    double dramBits = 0;
    double latencyCycles = 0;
    double utilization = 0;
    int64_t macs = 0;
    std::string mapping;   // readable mapping (MAC layers)
    Mapping rawMapping;    // to re-cost with the mapping pinned
    LayerProblem problem;  // MAC layers: the problem as costed (bits, residency, tile share)
    bool outputOnChip = false;

    double energyPj() const { return macPj + rfPj + sramPj + dramPj + eltwisePj + staticPj; }
    double otherPj() const { return eltwisePj + staticPj; }
};

struct NetworkCost {
    std::vector<LayerEnergy> layers; // one per graph layer, same order
    LayerEnergy total;               // sums (name "total")
    int64_t macs = 0;
    double bops = 0;                 // sum of MACs x weight bits x input bits
    double weightBits = 0;           // model size in bits (MAC layers' parameters at weight precision)
};

struct CostOptions {
    Objective objective = Objective::Energy;
    // Re-cost with these mappings (one per layer, from a previous NetworkCost) instead of searching.
    const std::vector<LayerEnergy>* pinned = nullptr;
};

// Throws InputError when the hardware is invalid or a register file cannot hold one weight, one
// input and one partial sum. Mappings come from mapping spaces (mapper.h), through `cache` when given
// (it memoizes them across calls and threads) or a cache local to the call: every caller takes the
// same path and gets the same mapping for the same point.
NetworkCost costNetwork(const Graph& graph, const NetworkPrecision& precision, const Hardware& hw,
                        const CostOptions& options = {}, MappingCache* cache = nullptr);

// Objective names for the CLI and GUI.
const char* objectiveName(Objective o);
Objective parseObjective(const std::string& name); // throws InputError

} // namespace poq
