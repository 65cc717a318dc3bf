// The seven loop dimensions of a MAC layer and which operand each is relevant to.
#pragma once

#include "graph/layer.h"

#include <array>
#include <string>

namespace poq {

enum class Dim { K, C, G, OY, OX, FY, FX };
inline constexpr int kDimCount = 7;

enum class Operand { W, I, O };
inline constexpr int kOperandCount = 3;

inline constexpr const char* kDimNames[kDimCount] = {"K", "C", "G", "OY", "OX", "FY", "FX"};
inline constexpr const char* kOperandNames[kOperandCount] = {"W", "I", "O"};

// relevant[operand][dim]: the operand's index depends on the dim (the input through the sliding window).
inline constexpr bool kRelevant[kOperandCount][kDimCount] = {
    // K     C      G     OY     OX     FY     FX
    {true, true, true, false, false, true, true},  // W
    {false, true, true, true, true, true, true},   // I
    {true, false, true, true, true, false, false}, // O
};

// The batch loop of the network level (LayerProblem::batch): not a dim of a layer's tiles, a loop of
// the DRAM level over the images that share each weight fetch; relevant to inputs and outputs.
inline constexpr int kBatchLoop = kDimCount;
inline constexpr bool relevantLoop(int operand, int dim)
{
    return dim == kBatchLoop ? operand != int(Operand::W) : kRelevant[operand][dim];
}

// -1 when the name is unknown.
int dimFromName(const std::string& name);

using DimArray = std::array<int, kDimCount>;

inline DimArray loopBounds(const LoopNest& n) { return {n.K, n.C, n.G, n.OY, n.OX, n.FY, n.FX}; }

} // namespace poq
