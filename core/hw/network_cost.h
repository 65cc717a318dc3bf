// Network-level energy: every layer of a graph under a strategy on one hardware description.
// MAC layers get a searched mapping; batch-norm folds into the preceding convolution, activations
// fuse into their producer; other element-wise layers stream from and to memory. A memory plan
// (memory_plan.h) decides which stored tensors, and whether the weights, stay in the last on-chip
// level (network.keepOnChip, network.weightsResident); the rest cost DRAM writes and reads; skip
// (residual) tensors are held from producer to Add at the residual precision. network.batch images
// share each weight fetch (every energy and count is per image).
#pragma once

#include "formats/precision.h"
#include "graph/graph.h"
#include "hw/fusion.h"
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
    // The stored tensor this layer writes (after the layers fused into it), when it has consumers;
    // empty on fused layers.
    std::string outputTensor;
    double outputBits = 0;     // per image
    double outputSpillBits = 0; // DRAM bits it moves when not on chip: one write, a read per consumer
    Mapping rawMapping;    // to re-cost with the mapping pinned
    LayerProblem problem;  // MAC layers: the problem as costed (bits, residency, tile share)
    bool outputOnChip = false;
    int fusedGroup = -1;   // index into NetworkPlan::groups when it runs in a fused chain
    bool outputInLineBuffer = false; // its stored output lives in a fused chain's line buffer

    double energyPj() const { return macPj + rfPj + sramPj + dramPj + eltwisePj + staticPj; }
    double otherPj() const { return eltwisePj + staticPj; }
};

// A chain of layers that runs band by band (network.fusion).
struct FusedGroup {
    FusionChain chain;
    std::string name;        // "a -> b -> c"
    double lineBits = 0;     // its line buffers, per image
    double weightBits = 0;   // the chain's weights
    bool weightsHeld = false; // held on chip for all bands (else fetched again for every band)
};

// What the network level decided (the memory plan, fused chains and the batch).
struct NetworkPlan {
    std::vector<char> tensorOnChip; // per graph tensor: kept in the last on-chip level
    bool weightsResident = false;   // every weight stays on chip across inferences
    std::string weightsReason;      // "yes: ..." or "no: ..."
    int imagesPerWeightLoad = 1;    // the batch's images that share a weight fetch (a divisor of it)
    double tileFraction = 1;        // share of the last on-chip level the layers' tiles may always use
    std::vector<double> tileShare;  // per layer: the share its tiles may use (what the plan leaves free)
    double planBits = 0;            // bits of that level the plan may use
    bool exact = true;              // the plan is optimal (false: the greedy fallback was used)
    std::vector<FusedGroup> groups; // fused chains (network.fusion)
    std::vector<int> groupOf;       // per layer: index into groups, -1 outside every chain
    std::vector<char> lineTensor;   // per graph tensor: lives in a fused chain's line buffer
};

struct NetworkCost {
    std::vector<LayerEnergy> layers; // one per graph layer, same order
    LayerEnergy total;               // sums (name "total")
    int64_t macs = 0;
    double bops = 0;                 // sum of MACs x weight bits x input bits
    double weightBits = 0;           // model size in bits (MAC layers' parameters at weight precision)
    NetworkPlan plan;
    int batch = 1;                   // network.batch
    double batchLatencyCycles = 0;   // one batch (total.latencyCycles is per image)
};

struct CostOptions {
    Objective objective = Objective::Energy;
    // Re-cost with the mappings and the plan of a previous NetworkCost instead of searching.
    const NetworkCost* pinned = nullptr;
    // Chains to fuse as given, "FIRST:LAST" (poq energy --fuse), whether or not fusing them pays;
    // InputError when one cannot be fused or its line buffers do not fit.
    std::vector<std::string> fuse = {};
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
