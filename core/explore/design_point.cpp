// The cost-axis table.
#include "explore/design_point.h"

#include "util/error.h"

#include <array>

namespace poq {

namespace {

const std::array<CostAxisInfo, 6> kAxes = {{
    {CostAxis::Energy, "energy", "Energy per inference", false, Quantity::Energy,
     [](const DesignPoint& p) { return p.energyPj; }},
    {CostAxis::Latency, "latency", "Latency", false, Quantity::Cycles, [](const DesignPoint& p) { return p.latencyCycles; }},
    {CostAxis::Edp, "edp", "Energy-delay product", false, Quantity::EnergyDelay, [](const DesignPoint& p) { return p.edp(); }},
    {CostAxis::Macs, "macs", "MACs (proxy)", true, Quantity::Count, [](const DesignPoint& p) { return double(p.macs); }},
    {CostAxis::Bops, "bops", "Bit operations, MACs x w bits x a bits (proxy)", true, Quantity::Count,
     [](const DesignPoint& p) { return p.bops; }},
    {CostAxis::Size, "size", "Model size (proxy)", true, Quantity::Bits, [](const DesignPoint& p) { return p.weightBits; }},
}};

} // namespace

std::span<const CostAxisInfo> allCostAxes() { return kAxes; }

const CostAxisInfo& costAxisInfo(CostAxis a) { return kAxes[static_cast<int>(a)]; }

CostAxis parseCostAxis(const std::string& name)
{
    std::string allowed;
    for (const CostAxisInfo& a : kAxes) {
        if (name == a.name)
            return a.id;
        allowed += (allowed.empty() ? "" : ", ") + std::string(a.name);
    }
    throw InputError("x: must be one of " + allowed + ", got '" + name + "'");
}

} // namespace poq
