// Hardware parameters as descriptor rows. The row table (hw_params.cpp) is the one place that names
// a parameter; sliders, JSON files, `--set`, `poq hw` and validation all iterate over it.
#pragma once

#include "hw/hardware.h"

#include <string>
#include <vector>

namespace poq {

enum class ParamScope { Global, PerClass, PerLevel };

// One concrete parameter of one hardware description (rows expanded per compute class / level).
struct HwParam {
    std::string key;    // JSON key, e.g. "sram.sizeBytes", "mac.int8.pj", "array.rows"
    std::string label;
    std::string unit;
    std::string group;  // "Array", "Formats", or the level name ("rf", "sram", ...)
    std::string source; // paper, datasheet, or "assumption: ..."
    double defaultValue = 0;
    double min = 0;
    double max = 0;
    double step = 0;    // 1 for integer-valued parameters
    bool logScale = false;
    bool reshapesSpace = false; // changing it changes which mappings exist (structuralKey, MappingCache)
    ParamScope scope = ParamScope::Global;
    int index = 0;      // compute class or level index
    int row = 0;        // index of the descriptor row
    std::vector<std::string> choices; // a choice: the names of the values 0, 1, ... (empty otherwise)
};

// Every parameter of `hw`, in display order (array, formats, then each level innermost first).
std::vector<HwParam> hardwareParameters(const Hardware& hw);

double paramValue(const Hardware& hw, const HwParam& p);

// The values of every parameter whose row reshapes the mapping space, in row order (cheap: no
// descriptors are built; the mapping cache calls it for every layer it looks up).
// withCapacities = false leaves out the per-level rows (capacities).
std::vector<double> structuralValues(const Hardware& hw, bool withCapacities = true);
// The value a name stands for in a choice parameter ("network.fusion" "auto" -> 2), or -1.
double choiceValue(const HwParam& p, const std::string& name);
// Sets a parameter by JSON key; throws InputError "KEY: must be in MIN..MAX, got V" or
// "unknown hardware key 'KEY' (see poq hw)".
void setParam(Hardware& hw, const std::string& key, double value);
double getParam(const Hardware& hw, const std::string& key);

// Throws InputError naming the first out-of-range parameter or inconsistent level list.
void validateHardware(const Hardware& hw);

// At most kMaxLevels (layer_cost.h: the cost model's fixed arrays) memory levels and this many
// spatial pairs (every ordered pair of the 7 loop dimensions).
inline constexpr size_t kMaxSpatialPairs = 42;

// A hardware description with every parameter at its row default and the given levels.
Hardware defaultHardware();

} // namespace poq
