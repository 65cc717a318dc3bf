// The hardware template: a spatial MAC array, per-compute-class MAC energy, packing and
// element-wise energy, and an ordered list of memory levels (innermost first: a register file per
// PE, one or more shared on-chip buffers, DRAM). Every number a user can change is a parameter row
// (hw_params.cpp): JSON key, label, unit, range, scale, source.
#pragma once

#include "formats/number_format.h"
#include "hw/dims.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace poq {

enum class LevelScope { PerPE, Shared, OffChip };

struct MemoryLevel {
    std::string name;      // JSON key prefix: "rf", "sram", "dram", ...
    LevelScope scope = LevelScope::Shared;
    double sizeBytes = 0;  // per PE for PerPE levels
    double readPjPerBit = 0;
    double writePjPerBit = 0;
    double bandwidthBitsPerCycle = 0; // per PE for PerPE levels
    double energyAtBytes = 0;  // shared levels: the size the read/write energies are stated for
    // 1: the operand (W, I, O) may skip this level (shared levels only): the mapping search then
    // also tries moving it straight between the levels below and above.
    std::array<double, kOperandCount> mayBypass{};
};

struct Hardware {
    std::string name;
    std::string description;
    double rows = 16;
    double cols = 16;
    double clockMhz = 1000;
    double staticMw = 0;
    double hopPjPerBit = 0; // moving one bit between a PE and the first shared level
    std::array<double, kComputeClassCount> macPj{};        // energy per MAC incl. a 32-bit accumulation
    double intAddPjPerBit = 0;   // integer accumulator adder, per bit of width
    double floatAddPjPerBit = 0; // float accumulator adder, per bit of width
    std::array<double, kComputeClassCount> macsPerCycle{}; // MACs one PE does per cycle (packing)
    std::array<double, kComputeClassCount> eltwisePj{};    // one element-wise op (add, activation, requantize)
    std::vector<MemoryLevel> levels;                        // innermost first
    std::vector<std::pair<Dim, Dim>> spatialPairs;          // (dim on rows, dim on cols)
    double sramFromSize = 1;   // 1: shared levels' pJ/bit scale with sqrt(size / energyAtBytes)
    double keepOnChip = 1;     // 1: half the last on-chip level holds planned tensors between layers
    double batch = 1;          // images per weight load (network level)
    double weightsResident = 1; // 1: weights that fit beside the planned activations stay on chip
    double fusion = 0;         // network.fusion: 0 none, 1 blocks, 2 auto (fusion.h)

    int pes() const { return int(rows) * int(cols); }
    int lastOnChipLevel() const { return static_cast<int>(levels.size()) - 2; }
    // Per-bit energies after the optional size rule.
    double sizeScale(const MemoryLevel& l) const;
    double readPj(int level) const;
    double writePj(int level) const;
};

} // namespace poq
