// Layer fusion (depth-first execution): a chain of convolutions runs band by band, one output row
// of its last layer at a time, so the tensors between its layers live in line buffers in the last
// on-chip level and never go to DRAM (Waeijen et al., "ConvFusion", IEEE Access 9, 2021; Mei et al.,
// "DeFiNES", HPCA 2023). Halo rows are kept in line buffers, never recomputed or fetched twice: the
// chain's input comes from its home once, row by row, into a line buffer of its own.
#pragma once

#include "graph/graph.h"

#include <string>
#include <vector>

namespace poq {

enum class FusionMode { None = 0, Blocks = 1, Auto = 2 }; // network.fusion
const char* fusionModeName(FusionMode m); // "none", "blocks", "auto"

struct FusionChain {
    std::vector<int> layers;      // MAC layers, producer first (two or more)
    std::vector<int> rows;        // output rows each layer computes per band
    int bands = 0;                // bands per image: the output rows of the last layer
    std::vector<int> lineTensors; // the stored tensor between layers k and k + 1
    std::vector<int> lineRows;    // rows of it the line buffer keeps (the consumer's window per band)
    int inputRows = 0;            // rows of the chain's input its line buffer keeps (the first layer's window)
    int first() const { return layers.front(); }
    int last() const { return layers.back(); }
};

// The chain of MAC `layers` (each the single reader of the previous one's stored tensor) as bands:
// false when its rows do not tile (a layer's rows per band times the bands is not its height).
bool bandChain(const Graph& g, const std::vector<int>& stored, const std::vector<int>& layers, FusionChain& out);

// Candidate chains of `mode`. Blocks: the main path of every residual block (the convolutions from
// the block input, read twice, to the Add) and every expand 1x1 -> depthwise -> project 1x1 chain
// (either 1x1 may be absent). Auto: every maximal chain of convolutions linked by single-reader
// tensors. Chains do not overlap; `stored[t]` is the tensor t's values are stored in after fused
// element-wise layers.
std::vector<FusionChain> fusionChains(const Graph& g, const std::vector<int>& stored, FusionMode mode);

// The chain a user names, "FIRST:LAST" (poq energy --fuse): the convolutions from FIRST to LAST, each
// the single reader of the previous one's stored tensor. Throws InputError naming the layer that
// breaks the chain and why.
FusionChain namedChain(const Graph& g, const std::vector<int>& stored, const std::string& spec);

// Distinct layers that read tensor t (a layer reading it twice reads it once).
int tensorReaders(const Graph& g, int t);

// The chain's layers joined by " -> " (for mapping texts and messages).
std::string chainName(const Graph& g, const FusionChain& c);

} // namespace poq
