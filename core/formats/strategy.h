// Quantization strategies: which number format each layer role uses. The same strategy drives the
// energy model's operand bit widths and the engine's fake quantization, so the two cannot disagree.
#pragma once

#include "formats/number_format.h"

#include <span>
#include <string>

namespace poq {

struct QuantStrategy {
    std::string name;              // canonical name, e.g. "int4+res8"
    NumberFormat compute;          // weights and activations of the inner layers
    NumberFormat firstLast;        // first and last MAC layers (weights and their input/output)
    NumberFormat residual;         // residual tensors (Add inputs and outputs)
    int accumulatorBits = 32;      // partial sums: intN for integers, fp16 or fp32 for floats

    // Grammar: FORMAT[+resBITS|+resFORMAT][+flBITS|+flFORMAT][+accBITS]. Integer compute: resN / flN
    // mean intN; float compute: res16 = fp16, res32 = fp32. Default first/last: int8 when the compute
    // format is an integer narrower than 8 bits, else the compute format. accN (default 32): integer
    // accumulators of N bits, at least the widest product a layer forms (weight + input bits) and at
    // most 32; float accumulators fp16 (acc16, only for formats of 16 bits or fewer) or fp32.
    // Throws InputError on bad names.
    static QuantStrategy parse(const std::string& name);
};

// The strategies of the built-in experiment and of the GUI's checklist, in display order.
std::span<const char* const> builtinStrategies();

} // namespace poq
