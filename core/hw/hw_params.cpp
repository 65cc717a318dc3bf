// The hardware parameter rows. Defaults derive from Horowitz, "Computing's energy problem",
// ISSCC 2014 (45 nm): int8 add 0.03 pJ, int8 mult 0.2 pJ, int32 add 0.1 pJ, fp16 add 0.4 / mult 1.1 pJ,
// fp32 add 0.9 / mult 3.7 pJ, 8 KB SRAM 10 pJ per 64-bit read, DRAM 1.3-2.6 nJ per 64 bits.
// Formats it does not cover scale as stated in their source: integer multipliers with bits^2,
// float multipliers with (mantissa bits + 1)^2.
#include "hw/hw_params.h"

#include "hw/layer_cost.h"

#include "util/display_text.h"
#include "util/error.h"

#include <array>
#include <cmath>
#include <sstream>

namespace poq {

namespace {

constexpr int N = kComputeClassCount;

// A per-class default, keyed by its class (not by a position in an array).
struct ClassDefault {
    ComputeClass cls;
    double value;
    const char* source;
};

struct RowInfo {
    const char* key; // Global: full key; PerClass: "mac.%.pj"; PerLevel: "%.sizeBytes"
    ParamScope scope;
    const char* label;
    const char* unit;
    double min, max, step;
    bool logScale;
    bool reshapesSpace;                 // changes which mappings exist (capacities, the array)
    std::array<double, 3> defaults;     // Global: [0]; PerLevel: [PE, Shared, OffChip]
    std::array<const char*, 3> sources; // same indexing as defaults
    std::array<ClassDefault, N> classDefaults; // PerClass rows: one per compute class, any order
    const char* choices = nullptr;      // a choice: the names of the values 0, 1, ... separated by '|'
};

constexpr const char* kHorowitz = "Horowitz, ISSCC 2014 (45 nm)";
constexpr const char* kIntScale = "assumption: Horowitz int8 multiplier scaled by bits^2, plus an int32 add";
constexpr const char* kFloatScale = "assumption: Horowitz fp16 multiplier scaled by (mantissa+1)^2, plus an fp32 add";
constexpr const char* kPack = "assumption: an int8 PE; narrower formats pack (int4 = 2 x int8), wider take longer";
constexpr const char* kIntAdd = "assumption: int8 add scaled by bits";
using CC = ComputeClass;

constexpr RowInfo kRows[] = {
    {"array.rows", ParamScope::Global, "Array rows", "PEs", 1, 256, 1, false, true, {16}, {"assumption: a 16x16 edge NPU"}, {}},
    {"array.cols", ParamScope::Global, "Array columns", "PEs", 1, 256, 1, false, true, {16}, {"assumption: a 16x16 edge NPU"}, {}},
    {"array.clockMhz", ParamScope::Global, "Clock", "MHz", 10, 5000, 10, true, false, {1000}, {"assumption"}, {}},
    {"array.staticMw", ParamScope::Global, "Static power", "mW", 0, 10000, 1, false, false, {10}, {"assumption"}, {}},
    {"array.hopPjPerBit", ParamScope::Global, "Array network energy", "pJ/bit", 0, 100, 0.001, false, false, {0.0},
     {"assumption: folded into the buffer energy (Eyeriss-like arrays set it to 2x a MAC per word)"}, {}},
    {"memory.energyFromSize", ParamScope::Global, "Buffer energy grows with size", "0/1", 0, 1, 1, false, false, {1},
     {"CACTI-like rule: a shared level's stated pJ/bit x sqrt(size / LEVEL.energyAtBytes), as Horowitz, ISSCC 2014: "
      "8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ per 64-bit read; 0 keeps the stated energies at any size"}, {}},
    {"network.keepOnChip", ParamScope::Global, "Keep tensors on chip", "0/1", 0, 1, 1, false, false, {1},
     {"assumption: outputs that fit stay in the last on-chip level for their consumers"}, {}},
    {"network.batch", ParamScope::Global, "Batch (images per weight load)", "images", 1, 4096, 1, true, false, {1},
     {"assumption: one image per inference; larger batches share each weight fetch from DRAM"}, {}},
    {"network.weightsResident", ParamScope::Global, "Weights stay on chip", "0/1", 0, 1, 1, false, false, {1},
     {"assumption: when every weight fits beside the planned activations it is loaded once and stays"}, {}},
    {"network.fusion", ParamScope::Global, "Layer fusion", "choice", 0, 2, 1, false, false, {0},
     {"none: every layer's output goes to its home; blocks: residual and inverted-residual blocks run band by "
      "band (Waeijen et al., ConvFusion, IEEE Access 2021; Mei et al., DeFiNES, HPCA 2023); auto: any chain of "
      "convolutions whose line buffers and weights fit"}, {}, "none|blocks|auto"},
    {"mac.intAddPjPerBit", ParamScope::Global, "Integer accumulator add", "pJ/bit", 0, 1, 0.0001, false, false,
     {0.003125}, {"Horowitz, ISSCC 2014: int32 add 0.1 pJ, linear in the width (assumption)"}, {}},
    {"mac.floatAddPjPerBit", ParamScope::Global, "Float accumulator add", "pJ/bit", 0, 1, 0.0001, false, false,
     {0.028125}, {"Horowitz, ISSCC 2014: fp32 add 0.9 pJ, linear in the width (assumption; fp16 add: 0.4)"}, {}},
    {"mac.%.pj", ParamScope::PerClass, "Energy per MAC", "pJ", 0.0001, 100, 0.001, true, false, {}, {},
     {{{CC::FP32, 4.6, kHorowitz},
       {CC::BF16, 1.48, kFloatScale},
       {CC::FP16, 2.0, "Horowitz, ISSCC 2014: fp16 mult 1.1 + fp32 add 0.9"},
       {CC::FP8, 1.045, kFloatScale},
       {CC::INT16, 0.9, kIntScale},
       {CC::INT8, 0.3, "Horowitz, ISSCC 2014: int8 mult 0.2 + int32 add 0.1"},
       {CC::INT4, 0.15, kIntScale},
       {CC::INT2, 0.1125, kIntScale}}}},
    {"mac.%.perCycle", ParamScope::PerClass, "MACs per PE per cycle", "MAC/cycle", 0.0625, 16, 0.0625, true, false, {}, {},
     {{{CC::FP32, 0.25, kPack},
       {CC::BF16, 0.5, kPack},
       {CC::FP16, 0.5, kPack},
       {CC::FP8, 1, kPack},
       {CC::INT16, 0.5, kPack},
       {CC::INT8, 1, kPack},
       {CC::INT4, 2, kPack},
       {CC::INT2, 4, kPack}}}},
    {"eltwise.%.pj", ParamScope::PerClass, "Element-wise op energy", "pJ", 0.0001, 100, 0.001, true, false, {}, {},
     {{{CC::FP32, 0.9, "Horowitz, ISSCC 2014: fp32 add"},
       {CC::BF16, 0.3, "assumption: between fp8 and fp16 adds"},
       {CC::FP16, 0.4, "Horowitz, ISSCC 2014: fp16 add"},
       {CC::FP8, 0.2, "assumption: half an fp16 add"},
       {CC::INT16, 0.05, kIntAdd},
       {CC::INT8, 0.03, "Horowitz, ISSCC 2014: int8 add"},
       {CC::INT4, 0.015, kIntAdd},
       {CC::INT2, 0.0075, kIntAdd}}}},
    {"%.sizeBytes", ParamScope::PerLevel, "Capacity", "B", 1, 1099511627776.0, 1, true, true, {64, 262144, 4294967296.0},
     {"assumption: a small register file per PE", "assumption: 256 KiB on-chip buffer", "assumption: 4 GiB DRAM"}, {}},
    {"%.readPjPerBit", ParamScope::PerLevel, "Read energy", "pJ/bit", 0.001, 1000, 0.001, true, false, {0.0375, 0.884, 20},
     {"assumption: one int8 MAC's energy per 8-bit word (Eyeriss's RF = 1x MAC)",
      "Horowitz, ISSCC 2014: 8 KB SRAM 10 pJ/64 bit, x sqrt(256 KiB / 8 KiB)",
      "Horowitz, ISSCC 2014: DRAM 1.3-2.6 nJ per 64 bits"}, {}},
    {"%.writePjPerBit", ParamScope::PerLevel, "Write energy", "pJ/bit", 0.001, 1000, 0.001, true, false, {0.0375, 0.884, 20},
     {"assumption: equal to the read energy", "assumption: equal to the read energy",
      "assumption: equal to the read energy"}, {}},
    {"%.bandwidthBitsPerCycle", ParamScope::PerLevel, "Bandwidth", "bit/cycle", 1, 1048576, 1, true, false, {128, 1024, 64},
     {"assumption: per PE", "assumption", "assumption: 8 GB/s at 1 GHz"}, {}},
    {"%.energyAtBytes", ParamScope::PerLevel, "Size the energies are stated for", "B", 1, 1099511627776.0, 1, true, false,
     {64, 262144, 4294967296.0},
     {"", "the capacity the read and write energies hold at (a preset's own size unless it says otherwise)", ""}, {}},
    // Bypass rows exist for shared levels only (a PE's register file feeds its MAC; DRAM holds all).
    {"%.bypassW", ParamScope::PerLevel, "Weights may skip", "0/1", 0, 1, 1, false, true, {0, 0, 0},
     {"", "assumption: off unless the preset says (Timeloop's Eyeriss: weights skip the global buffer)", ""}, {}},
    {"%.bypassI", ParamScope::PerLevel, "Inputs may skip", "0/1", 0, 1, 1, false, true, {0, 0, 0},
     {"", "assumption: off unless the preset says", ""}, {}},
    {"%.bypassO", ParamScope::PerLevel, "Outputs may skip", "0/1", 0, 1, 1, false, true, {0, 0, 0},
     {"", "assumption: off unless the preset says", ""}, {}},
};

constexpr int kSizeRow = 15;       // "%.sizeBytes": the capacities (left out of arrayKey)
constexpr int kEnergyAtRow = 19;   // "%.energyAtBytes": shared levels only
constexpr int kFirstBypassRow = 20; // "%.bypassW", then I and O
// Shared levels have every row; the register file and DRAM neither skip nor scale with size.
bool levelHasRow(LevelScope scope, int row) { return row < kEnergyAtRow || scope == LevelScope::Shared; }

// Every per-class row names every compute class exactly once.
constexpr bool classDefaultsComplete()
{
    for (const RowInfo& r : kRows) {
        if (r.scope != ParamScope::PerClass)
            continue;
        for (int c = 0; c < N; ++c) {
            int found = 0;
            for (const ClassDefault& d : r.classDefaults)
                found += static_cast<int>(d.cls) == c ? 1 : 0;
            if (found != 1)
                return false;
        }
    }
    return true;
}
static_assert(classDefaultsComplete(), "a per-class row misses a compute class or names one twice");

const ClassDefault& classDefault(const RowInfo& row, ComputeClass cls)
{
    for (const ClassDefault& d : row.classDefaults)
        if (d.cls == cls)
            return d;
    return row.classDefaults[0]; // unreachable: classDefaultsComplete()
}

constexpr int kRowCount = sizeof(kRows) / sizeof(kRows[0]);

int scopeIndex(LevelScope s) { return s == LevelScope::PerPE ? 0 : s == LevelScope::Shared ? 1 : 2; }

std::string expandKey(const char* pattern, const std::string& part)
{
    std::string k = pattern;
    const auto pos = k.find('%');
    if (pos != std::string::npos)
        k.replace(pos, 1, part);
    return k;
}

double& ref(Hardware& hw, int row, int index)
{
    switch (row) {
    case 0: return hw.rows;
    case 1: return hw.cols;
    case 2: return hw.clockMhz;
    case 3: return hw.staticMw;
    case 4: return hw.hopPjPerBit;
    case 5: return hw.sramFromSize;
    case 6: return hw.keepOnChip;
    case 7: return hw.batch;
    case 8: return hw.weightsResident;
    case 9: return hw.fusion;
    case 10: return hw.intAddPjPerBit;
    case 11: return hw.floatAddPjPerBit;
    case 12: return hw.macPj[index];
    case 13: return hw.macsPerCycle[index];
    case 14: return hw.eltwisePj[index];
    case 15: return hw.levels[index].sizeBytes;
    case 16: return hw.levels[index].readPjPerBit;
    case 17: return hw.levels[index].writePjPerBit;
    case 18: return hw.levels[index].bandwidthBitsPerCycle;
    case kEnergyAtRow: return hw.levels[index].energyAtBytes;
    default: return hw.levels[index].mayBypass[row - kFirstBypassRow];
    }
}

std::vector<std::string> splitChoices(const char* choices)
{
    std::vector<std::string> out;
    if (!choices)
        return out;
    std::string all = choices;
    for (size_t start = 0;;) {
        const size_t bar = all.find('|', start);
        out.push_back(all.substr(start, bar - start));
        if (bar == std::string::npos)
            return out;
        start = bar + 1;
    }
}

std::string number(double v)
{
    std::ostringstream ss;
    ss.precision(12);
    ss << v;
    return ss.str();
}

} // namespace

double Hardware::sizeScale(const MemoryLevel& l) const
{
    if (sramFromSize == 0 || l.scope != LevelScope::Shared)
        return 1;
    return std::sqrt(l.sizeBytes / l.energyAtBytes);
}

double Hardware::readPj(int level) const
{
    const MemoryLevel& l = levels[level];
    return l.readPjPerBit * sizeScale(l);
}

double Hardware::writePj(int level) const
{
    const MemoryLevel& l = levels[level];
    return l.writePjPerBit * sizeScale(l);
}

std::vector<HwParam> hardwareParameters(const Hardware& hw)
{
    static_assert(kRowCount == 23, "update ref() when adding a row");
    std::vector<HwParam> out;
    for (int r = 0; r < kRowCount; ++r) {
        const RowInfo& row = kRows[r];
        auto add = [&](const std::string& key, const std::string& group, int index, double value, const char* source) {
            out.push_back({key, row.label, row.unit, group, source, value, row.min, row.max, row.step, row.logScale,
                           row.reshapesSpace, row.scope, index, r, splitChoices(row.choices)});
        };
        switch (row.scope) {
        case ParamScope::Global:
            add(row.key, std::string(row.key).substr(0, std::string(row.key).find('.')), 0, row.defaults[0],
                row.sources[0]);
            break;
        case ParamScope::PerClass:
            for (const ComputeClassInfo& c : allComputeClasses()) {
                const ClassDefault& d = classDefault(row, c.id);
                add(expandKey(row.key, c.name), "formats", static_cast<int>(c.id), d.value, d.source);
            }
            break;
        case ParamScope::PerLevel:
            break; // below, grouped by level
        }
    }
    for (int l = 0; l < static_cast<int>(hw.levels.size()); ++l)
        for (int r = 0; r < kRowCount; ++r) {
            const RowInfo& row = kRows[r];
            if (row.scope != ParamScope::PerLevel || !levelHasRow(hw.levels[l].scope, r))
                continue;
            const int s = scopeIndex(hw.levels[l].scope);
            out.push_back({expandKey(row.key, hw.levels[l].name), row.label, row.unit, hw.levels[l].name,
                           row.sources[s], row.defaults[s], row.min, row.max, row.step, row.logScale,
                           row.reshapesSpace, ParamScope::PerLevel, l, r});
        }
    return out;
}

double paramValue(const Hardware& hw, const HwParam& p) { return ref(const_cast<Hardware&>(hw), p.row, p.index); }

std::vector<double> structuralValues(const Hardware& hw, bool withCapacities)
{
    std::vector<double> out;
    Hardware& h = const_cast<Hardware&>(hw); // ref() is read only here
    for (int r = 0; r < kRowCount; ++r) {
        const RowInfo& row = kRows[r];
        if (!row.reshapesSpace || (!withCapacities && r == kSizeRow))
            continue;
        const int n = row.scope == ParamScope::Global ? 1 : row.scope == ParamScope::PerClass ? N : int(hw.levels.size());
        for (int i = 0; i < n; ++i)
            if (row.scope != ParamScope::PerLevel || levelHasRow(hw.levels[i].scope, r))
                out.push_back(ref(h, r, i));
    }
    return out;
}

namespace {

const HwParam* findParam(const std::vector<HwParam>& params, const std::string& key)
{
    for (const HwParam& p : params)
        if (p.key == key)
            return &p;
    return nullptr;
}

void checkRange(const HwParam& p, double value)
{
    if (!p.choices.empty()) {
        if (!std::isfinite(value) || value < 0 || value >= double(p.choices.size()) || value != std::floor(value)) {
            std::string names;
            for (size_t i = 0; i < p.choices.size(); ++i)
                names += (i ? ", " : "") + p.choices[i];
            throw InputError(p.key + ": must be one of " + names + " (0.." + std::to_string(p.choices.size() - 1)
                             + "), got " + number(value));
        }
        return;
    }
    const bool integral = p.step == 1;
    if (!std::isfinite(value) || value < p.min || value > p.max || (integral && value != std::floor(value)))
        throw InputError(p.key + ": must be " + (integral ? "an integer " : "") + "in " + number(p.min) + ".."
                         + number(p.max) + " " + p.unit + ", got " + number(value));
}

} // namespace

double choiceValue(const HwParam& p, const std::string& name)
{
    for (size_t i = 0; i < p.choices.size(); ++i)
        if (p.choices[i] == name)
            return double(i);
    return -1;
}

void setParam(Hardware& hw, const std::string& key, double value)
{
    const std::vector<HwParam> params = hardwareParameters(hw);
    const HwParam* p = findParam(params, key);
    if (!p) {
        for (const MemoryLevel& l : hw.levels)
            for (int r = kFirstBypassRow; r < kRowCount; ++r)
                if (key == expandKey(kRows[r].key, l.name))
                    throw InputError(key + ": only a shared on-chip level can be skipped; '" + echo(l.name) + "' is "
                                     + (l.scope == LevelScope::PerPE ? "the register file of every PE" : "off chip"));
        throw InputError("unknown hardware key '" + echo(key) + "' (see poq hw " + (hw.name.empty() ? "PRESET" : hw.name)
                         + " for the keys)");
    }
    checkRange(*p, value);
    ref(hw, p->row, p->index) = value;
}

double getParam(const Hardware& hw, const std::string& key)
{
    const std::vector<HwParam> params = hardwareParameters(hw);
    const HwParam* p = findParam(params, key);
    if (!p)
        throw InputError("unknown hardware key '" + echo(key) + "'");
    return paramValue(hw, *p);
}

void validateHardware(const Hardware& hw)
{
    if (hw.levels.size() < 3)
        throw InputError("levels: need at least a per-PE register file, one on-chip buffer and DRAM");
    if (hw.levels.size() > size_t(kMaxLevels)) // the cost model's arrays hold kMaxLevels
        throw InputError("levels: at most " + std::to_string(kMaxLevels) + " memory levels, got "
                         + std::to_string(hw.levels.size()));
    if (hw.levels.front().scope != LevelScope::PerPE)
        throw InputError("levels: the first (innermost) level must be per PE (scope \"pe\")");
    if (hw.levels.back().scope != LevelScope::OffChip)
        throw InputError("levels: the last level must be off chip (scope \"offchip\")");
    for (size_t i = 1; i + 1 < hw.levels.size(); ++i)
        if (hw.levels[i].scope != LevelScope::Shared)
            throw InputError("levels: '" + echo(hw.levels[i].name) + "' between the register file and DRAM must be shared");
    for (size_t i = 0; i < hw.levels.size(); ++i)
        for (size_t j = i + 1; j < hw.levels.size(); ++j)
            if (hw.levels[i].name == hw.levels[j].name)
                throw InputError("levels: name '" + echo(hw.levels[i].name) + "' used twice");
    if (hw.spatialPairs.empty())
        throw InputError("spatialPairs: need at least one pair of loop dimensions");
    if (hw.spatialPairs.size() > kMaxSpatialPairs)
        throw InputError("spatialPairs: at most " + std::to_string(kMaxSpatialPairs) + " pairs, got "
                         + std::to_string(hw.spatialPairs.size()));
    for (const HwParam& p : hardwareParameters(hw))
        checkRange(p, paramValue(hw, p));
}

Hardware defaultHardware()
{
    Hardware hw;
    hw.name = "custom";
    hw.levels = {{"rf", LevelScope::PerPE}, {"sram", LevelScope::Shared}, {"dram", LevelScope::OffChip}};
    hw.spatialPairs = {{Dim::C, Dim::K}, {Dim::OX, Dim::K}, {Dim::OX, Dim::G}};
    for (const HwParam& p : hardwareParameters(hw))
        ref(hw, p.row, p.index) = p.defaultValue;
    return hw;
}

} // namespace poq
