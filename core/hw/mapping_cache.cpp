// The mapping cache: spaces by layer problem for one array structure, ranged spaces for slider
// drags (MappingCache::warm), and the structural keys of a hardware description (see mapper.h).
#include "hw/mapper.h"

#include "hw/hw_params.h"

#include <tbb/parallel_for.h>

#include <atomic>
#include <cmath>
#include <cstdio>

namespace poq {

namespace {

std::string hardwareKey(const Hardware& hw, bool withCapacities)
{
    std::string key;
    for (const MemoryLevel& l : hw.levels)
        key += l.name + ":" + std::to_string(int(l.scope)) + "|";
    for (const auto& [r, c] : hw.spatialPairs)
        key += std::to_string(int(r)) + std::to_string(int(c)) + "|";
    char buf[32];
    for (double v : structuralValues(hw, withCapacities)) {
        std::snprintf(buf, sizeof buf, "%.17g|", v);
        key += buf;
    }
    return key;
}

} // namespace

std::string arrayKey(const Hardware& hw) { return hardwareKey(hw, false); } // capacities: MappingSpace::validFor

std::string structuralKey(const Hardware& hw) { return hardwareKey(hw, true); }

size_t MappingCache::Hash::operator()(const LayerProblem& p) const
{
    size_t h = 1469598103934665603ull;
    auto mix = [&](int64_t v) { h = (h ^ static_cast<size_t>(v)) * 1099511628211ull; };
    for (int b : p.bounds)
        mix(b);
    for (int v : {p.strideY, p.strideX, p.dilationY, p.dilationX, p.IY, p.IX, p.wBits, p.iBits, p.oBits, p.accBits,
                  static_cast<int>(p.macClass), static_cast<int>(p.wFormat), static_cast<int>(p.iFormat),
                  int(p.inputResident), int(p.outputResident), int(p.weightResident), p.batch})
        mix(v);
    return h; // not the tile share: spaces check the capacity it leaves (MappingSpace::validFor)
}

bool MappingCache::SameLayer::operator()(const LayerProblem& a, const LayerProblem& b) const
{
    LayerProblem c = b;
    c.tileFraction = a.tileFraction;
    return a == c;
}

LayerCost MappingCache::find(const LayerProblem& p, const Hardware& hw, Objective objective)
{
    const std::string structure = arrayKey(hw);
    std::shared_ptr<const MappingSpace> space;
    {
        std::lock_guard lock(m_mutex);
        if (structure != m_structure) {
            m_map.clear();
            m_structure = structure;
        }
        if (auto it = m_map.find(p); it != m_map.end())
            for (const auto& candidate : it->second) // the smallest valid space scans fastest
                if (candidate->validFor(hw, p) && (!space || candidate->candidates.size() < space->candidates.size()))
                    space = candidate;
    }
    if (!space) {
        space = std::make_shared<const MappingSpace>(buildMappingSpace(p, hw));
        keep(p, structure, space);
    }
    return bestInSpace(*space, p, hw, objective);
}

void MappingCache::keep(const LayerProblem& p, const std::string& structure, std::shared_ptr<const MappingSpace> space)
{
    std::lock_guard lock(m_mutex);
    if (structure != m_structure)
        return;
    auto& spaces = m_map[p];
    if (spaces.size() == kSpacesPerProblem)
        spaces.erase(spaces.begin()); // the oldest
    spaces.push_back(std::move(space));
}

int MappingCache::warm(const Hardware& hw, const CancelToken* cancel)
{
    const std::string structure = arrayKey(hw);
    std::vector<std::pair<LayerProblem, std::vector<std::shared_ptr<const MappingSpace>>>> entries;
    {
        std::lock_guard lock(m_mutex);
        if (structure != m_structure)
            return 0;
        entries.assign(m_map.begin(), m_map.end());
    }
    std::atomic<int> built{0};
    const int L = int(hw.levels.size());
    // One space per level that ranges, the others in the interval of the space serving hw; the
    // last on-chip level always ranges over every tile share the network plan can leave it (half
    // the level to all of it), which moves when other capacities do.
    for (int level = 0; level + 1 < L; ++level)
        tbb::parallel_for(size_t(0), entries.size(), [&](size_t i) {
            if (cancel && cancel->cancelled())
                return;
            const LayerProblem& p = entries[i].first;
            const MappingSpace* now = nullptr;
            for (const auto& s : entries[i].second)
                if (s->validFor(hw, p))
                    now = s.get();
            if (!now)
                return;
            CapacityRange range;
            for (int l = 0; l + 1 < L; ++l) {
                const double full = hw.levels[l].sizeBytes * 8, shares = l + 2 == L ? 0.5 : 1.0;
                range.lo[l] = l == level ? full * shares / kRangeSpan : shares < 1 ? full * shares : now->fitMaxBits[l];
                range.hi[l] = l == level ? full * kRangeSpan : shares < 1 ? full : std::nextafter(now->misfitMinBits[l], 0.0);
            }
            for (const auto& s : entries[i].second) {
                bool covers = s->ranged;
                for (int l = 0; l + 1 < L && covers; ++l)
                    covers = s->fitMaxBits[l] <= range.lo[l] && s->misfitMinBits[l] > range.hi[l];
                if (covers)
                    return; // warm already
            }
            keep(p, structure, std::make_shared<const MappingSpace>(buildMappingSpace(p, hw, range)));
            ++built;
        });
    return built;
}

size_t MappingCache::spaces() const
{
    std::lock_guard lock(m_mutex);
    size_t n = 0;
    for (const auto& [p, v] : m_map)
        n += v.size();
    return n;
}

size_t MappingCache::size() const
{
    std::lock_guard lock(m_mutex);
    return m_map.size();
}

} // namespace poq
