// The fast exact schedule search (see mapper.h for why it is exact).
#include "hw/mapper.h"

#include "hw/hw_params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>

namespace poq {

namespace {

std::vector<int> divisorsOf(int n)
{
    std::vector<int> d;
    for (int i = 1; i <= n; ++i)
        if (n % i == 0)
            d.push_back(i);
    return d;
}

struct SearchContext {
    const LayerProblem& p;
    const Hardware& hw;
    Objective objective;
    DimArray spatial{};
    DimArray R{};
    int L = 0;
    SearchStats* stats = nullptr;
    LayerCost best;
    // Every capacity decision taken: the largest tile that fit and the smallest that did not, per
    // level (bits). Any capacity between the two takes the same decisions.
    std::array<double, kMaxLevels> fitMax{};
    std::array<double, kMaxLevels> misfitMin = filled(std::numeric_limits<double>::infinity());

    static std::array<double, kMaxLevels> filled(double v)
    {
        std::array<double, kMaxLevels> a;
        a.fill(v);
        return a;
    }
};

// Bits of the worst-case tile of level l whose cumulative counts are `c`.
double tileBits(const SearchContext& s, int l, const DimArray& c)
{
    std::array<double, kDimCount> e;
    for (int d = 0; d < kDimCount; ++d)
        e[d] = std::min<double>(double(c[d]) * (l == 0 ? 1 : s.spatial[d]), s.p.bounds[d]);
    return tileBitsOf(s.p, e);
}

double capacityBits(const Hardware& hw, const LayerProblem& p, int l)
{
    const double cap = hw.levels[l].sizeBytes * 8;
    return l == int(hw.levels.size()) - 2 ? cap * p.tileFraction : cap;
}

// The one capacity test of the search; it records the decision (see SearchContext).
bool fits(SearchContext& s, int l, double bits)
{
    if (bits <= capacityBits(s.hw, s.p, l)) {
        s.fitMax[l] = std::max(s.fitMax[l], bits);
        return true;
    }
    s.misfitMin[l] = std::min(s.misfitMin[l], bits);
    return false;
}

// Tiles of level l dividing `upper` that fit and cannot grow in any dim (maximal antichain).
// Tile bits grow with every extent, so a dim's smallest proper multiple is the only bump to test,
// and the feasible values of a dim form a prefix of its ascending divisors.
std::vector<DimArray> maximalTiles(SearchContext& s, int l, const DimArray& upper)
{
    std::vector<DimArray> out;
    if (fits(s, l, tileBits(s, l, upper)))
        return {upper};
    DimArray c{1, 1, 1, 1, 1, 1, 1};
    if (!fits(s, l, tileBits(s, l, c)))
        return out;
    std::array<std::vector<int>, kDimCount> divs;
    std::array<int, kDimCount> dimOrder{}; // most divisors last: the leaf dim is enumerated cheaply
    for (int d = 0; d < kDimCount; ++d) {
        divs[d] = divisorsOf(upper[d]);
        dimOrder[d] = d;
    }
    std::stable_sort(dimOrder.begin(), dimOrder.end(), [&](int a, int b) { return divs[a].size() < divs[b].size(); });
    auto smallestMultiple = [&](int d, int v) {
        for (int m : divs[d])
            if (m > v && m % v == 0)
                return m;
        return 0;
    };
    auto fitsWith = [&](int d, int v) {
        DimArray b = c;
        b[d] = v;
        return fits(s, l, tileBits(s, l, b));
    };
    std::function<void(int)> rec = [&](int k) {
        const int d = dimOrder[k];
        if (k == kDimCount - 1) {
            // Feasible values of the leaf dim: a prefix; keep those whose next multiple misfits.
            size_t n = 0;
            while (n < divs[d].size() && fitsWith(d, divs[d][n]))
                ++n;
            for (size_t i = 0; i < n; ++i) {
                const int v = divs[d][i];
                const int m = smallestMultiple(d, v);
                if (m != 0 && m <= divs[d][n - 1])
                    continue; // the leaf dim can grow
                c[d] = v;
                bool grows = false;
                for (int e = 0; e < kDimCount && !grows; ++e) {
                    if (e == d)
                        continue;
                    const int me = smallestMultiple(e, c[e]);
                    grows = me != 0 && fitsWith(e, me);
                }
                if (!grows)
                    out.push_back(c);
            }
            c[d] = 1;
            return;
        }
        for (int v : divs[d]) { // ascending: the tile only grows, so stop at the first misfit
            c[d] = v;
            if (!fits(s, l, tileBits(s, l, c)))
                break;
            rec(k + 1);
        }
        c[d] = 1;
    };
    rec(0);
    return out;
}

// Loop order at one level: the dims irrelevant to `stationary` innermost, then the rest.
std::array<int8_t, kDimCount> stationaryOrder(int stationary)
{
    std::array<int8_t, kDimCount> order{};
    int n = 0;
    for (int d = 0; d < kDimCount; ++d)
        if (!kRelevant[stationary][d])
            order[n++] = static_cast<int8_t>(d);
    for (int d = 0; d < kDimCount; ++d)
        if (kRelevant[stationary][d])
            order[n++] = static_cast<int8_t>(d);
    return order;
}

void consider(SearchContext& s, const Mapping& m)
{
    LayerCost c = evaluateMapping(s.p, s.hw, m);
    if (s.stats)
        ++s.stats->evaluated;
    if (betterCost(c, s.best, s.objective))
        s.best = c;
}

// A lower bound prunes only when it is clearly above the best (ties are decided by betterCost).
bool clearlyWorse(double bound, const LayerCost& best, Objective objective)
{
    const double b = best.objective(objective);
    return best.feasible && bound > b + 1e-12 * std::fabs(b);
}

// Every stationarity choice per level for one tiling: the loop orders that can matter.
void considerTiling(SearchContext& s, Mapping& m)
{
    const TilingCost t = tilingCost(s.p, s.hw, m);
    if (!t.feasible)
        return;
    const int L = s.L;
    int combos = 1;
    for (int l = 1; l < L; ++l)
        combos *= kOperandCount;
    std::array<std::array<double, kOperandCount>, kMaxLevels> runs{};
    if (s.best.feasible) {
        // Lower bound: every operand stationary at once (unreachable; costs fall as runs grow).
        for (int l = 1; l < L; ++l)
            for (int x = 0; x < kOperandCount; ++x) {
                double run = 1;
                for (int d = 0; d < kDimCount; ++d)
                    if (!kRelevant[x][d])
                        run *= m.bounds[l][d];
                runs[l - 1][x] = run;
            }
        if (s.stats)
            ++s.stats->evaluated;
        if (clearlyWorse(costWithRuns(s.p, s.hw, t, runs).objective(s.objective), s.best, s.objective))
            return;
    }
    for (int k = 0; k < combos; ++k) {
        int code = k;
        for (int l = 1; l < L; ++l) {
            m.order[l] = stationaryOrder(code % kOperandCount);
            code /= kOperandCount;
        }
        stationaryRuns(m, runs);
        LayerCost c = costWithRuns(s.p, s.hw, t, runs);
        if (s.stats)
            ++s.stats->evaluated;
        c.mapping = m;
        if (betterCost(c, s.best, s.objective))
            s.best = c;
    }
}

void searchChains(SearchContext& s, int pair)
{
    const int L = s.L;
    std::array<DimArray, kMaxLevels> cum{};
    cum[L - 1] = s.R;
    Mapping m;
    m.pair = pair;
    m.levels = L;
    m.spatial = s.spatial;
    std::function<void(int)> rec = [&](int l) {
        if (l < 0) {
            for (int lv = 0; lv < L; ++lv)
                for (int d = 0; d < kDimCount; ++d)
                    m.bounds[lv][d] = cum[lv][d] / (lv > 0 ? cum[lv - 1][d] : 1);
            considerTiling(s, m);
            return;
        }
        for (const DimArray& t : maximalTiles(s, l, cum[l + 1])) {
            cum[l] = t;
            rec(l - 1);
        }
    };
    // Top on-chip tiles in order of a lower bound (their exact top-boundary traffic with every
    // operand stationary, nothing charged below): once a bound reaches the best cost, stop.
    const int top = L - 2;
    std::vector<std::pair<double, DimArray>> tops;
    for (const DimArray& t : maximalTiles(s, top, cum[L - 1])) {
        Mapping probe = m;
        for (int lv = 0; lv < L; ++lv)
            for (int d = 0; d < kDimCount; ++d)
                probe.bounds[lv][d] = lv < top ? 1 : lv == top ? t[d] : cum[L - 1][d] / t[d];
        TilingCost tc = tilingCost(s.p, s.hw, probe);
        tc.feasible = true; // lower levels are not chosen yet
        std::array<std::array<double, kOperandCount>, kMaxLevels> runs{};
        for (int lv = 0; lv + 1 < L; ++lv)
            for (int x = 0; x < kOperandCount; ++x) {
                double run = 1;
                for (int d = 0; d < kDimCount; ++d)
                    if (!kRelevant[x][d])
                        run *= probe.bounds[lv + 1][d];
                runs[lv][x] = run;
            }
        tops.emplace_back(costWithRuns(s.p, s.hw, tc, runs, top).objective(s.objective), t);
    }
    std::stable_sort(tops.begin(), tops.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [bound, t] : tops) {
        if (clearlyWorse(bound, s.best, s.objective))
            break;
        cum[top] = t;
        rec(top - 1);
    }
}

} // namespace

LayerCost searchMapping(const LayerProblem& p, const Hardware& hw, Objective objective, SearchStats* stats)
{
    SearchContext s{p, hw, objective, {}, {}, 0, nullptr, {}};
    s.L = static_cast<int>(hw.levels.size());
    s.stats = stats;
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair) {
        s.spatial = spatialFactors(p, hw, pair);
        for (int d = 0; d < kDimCount; ++d)
            s.R[d] = (p.bounds[d] + s.spatial[d] - 1) / s.spatial[d];
        searchChains(s, pair);
    }
    return s.best;
}

LayerCost searchMappingExhaustive(const LayerProblem& p, const Hardware& hw, Objective objective, SearchStats* stats)
{
    SearchContext s{p, hw, objective, {}, {}, 0, nullptr, {}};
    s.L = static_cast<int>(hw.levels.size());
    s.stats = stats;
    const int L = s.L;
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair) {
        s.spatial = spatialFactors(p, hw, pair);
        for (int d = 0; d < kDimCount; ++d)
            s.R[d] = (p.bounds[d] + s.spatial[d] - 1) / s.spatial[d];
        Mapping m;
        m.pair = pair;
        m.levels = L;
        m.spatial = s.spatial;
        for (int l = 0; l < L; ++l) {
            m.bounds[l] = DimArray{1, 1, 1, 1, 1, 1, 1};
            m.order[l] = {0, 1, 2, 3, 4, 5, 6};
        }
        // Every order of the loops with bound > 1 at each level above the PEs.
        std::function<void(int)> orders = [&](int l) {
            if (l == L) {
                consider(s, m);
                return;
            }
            std::vector<int8_t> live, dead;
            for (int d = 0; d < kDimCount; ++d)
                (m.bounds[l][d] > 1 ? live : dead).push_back(static_cast<int8_t>(d));
            do {
                int n = 0;
                for (int8_t d : live)
                    m.order[l][n++] = d;
                for (int8_t d : dead)
                    m.order[l][n++] = d;
                orders(l + 1);
            } while (std::next_permutation(live.begin(), live.end()));
        };
        // Every factorisation of each dim's iteration count over the levels.
        std::function<void(int, int, int)> tiles = [&](int d, int l, int left) {
            if (d == kDimCount) {
                if (tilingCost(s.p, s.hw, m).feasible)
                    orders(1);
                return;
            }
            if (l == L - 1) {
                m.bounds[l][d] = left;
                tiles(d + 1, 0, d + 1 < kDimCount ? s.R[d + 1] : 1);
                return;
            }
            for (int f : divisorsOf(left)) {
                m.bounds[l][d] = f;
                tiles(d, l + 1, left / f);
            }
            m.bounds[l][d] = 1;
        };
        tiles(0, 0, s.R[0]);
    }
    return s.best;
}

namespace {

using Counts = std::array<double, MappingSpace::kComponents>;

Counts countsOf(const LayerCost& c)
{
    Counts v{};
    for (int l = 0; l < c.levels; ++l) {
        v[2 * l] = c.readBits[l];
        v[2 * l + 1] = c.writeBits[l];
    }
    v[2 * kMaxLevels] = c.hopBits;
    v[2 * kMaxLevels + 1] = (c.readBits[0] + c.writeBits[0]) / c.activePes;
    v[2 * kMaxLevels + 2] = c.iterations;
    return v;
}

bool dominates(const Counts& a, const Counts& b) // a <= b everywhere
{
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] > b[i])
            return false;
    return true;
}

void insertCandidate(MappingSpace& space, const Mapping& m, const Counts& v, double activePes)
{
    for (const auto& c : space.candidates)
        if (dominates(c.counts, v))
            return;
    std::erase_if(space.candidates, [&](const MappingSpace::Candidate& c) { return dominates(v, c.counts); });
    space.candidates.push_back({m, v, activePes});
}

} // namespace

namespace {

// A partial mapping below some level: the tiles of the levels up to l, the stationary operand of
// the loops up to level l+1, and the counts of the boundaries up to l.
struct Part {
    Counts v{};
    std::array<DimArray, kMaxLevels> cum{};
    std::array<int8_t, kMaxLevels> stationary{};
};

void insertPart(std::vector<Part>& set, Part&& part)
{
    for (const Part& q : set)
        if (dominates(q.v, part.v))
            return;
    std::erase_if(set, [&](const Part& q) { return dominates(part.v, q.v); });
    set.push_back(std::move(part));
}

struct SpaceBuilder {
    const LayerProblem& p;
    SearchContext& s;
    std::array<double, kOperandCount> copies{};
    double outputs = 0;
    double activePes = 1;
    int64_t enumerated = 0;

    // Counts depend on the boundaries additively, and boundary l only on the tiles of levels l and
    // l+1 and the loop order at l+1: Pareto sets can be built level by level, bottom up.
    std::vector<Part> below(int l, const DimArray& upper)
    {
        std::vector<Part> out;
        const int L = s.L;
        for (const DimArray& c : maximalTiles(s, l, upper)) {
            double all = 0;
            std::array<double, kOperandCount> moved{};
            levelTile(p, s.R, c, all, moved);
            DimArray bounds{};
            for (int d = 0; d < kDimCount; ++d)
                bounds[d] = upper[d] / c[d];
            const std::vector<Part> lower = l == 0 ? std::vector<Part>(1) : below(l - 1, c);
            if (l == 0) // register fills depend on the per-PE tile (overlapping input windows)
                copies = deliveryCopies(p, s.spatial, s.R, c);
            for (int sigma = 0; sigma < kOperandCount; ++sigma) {
                std::array<double, kOperandCount> runs{};
                levelRuns(bounds, stationaryOrder(sigma), runs);
                LevelBits rd{}, wr{};
                double hop = 0;
                addBoundaryTraffic(p, L, l, all, moved, copies, outputs, runs, rd, wr, hop);
                Counts f{};
                for (int lv = l; lv <= l + 1; ++lv)
                    for (int x = 0; x < kOperandCount; ++x) {
                        f[2 * lv] += rd[x][lv];
                        f[2 * lv + 1] += wr[x][lv];
                    }
                f[2 * kMaxLevels] = hop;
                if (l == 0)
                    f[2 * kMaxLevels + 1] = (f[0] + f[1]) / activePes;
                ++enumerated;
                for (const Part& q : lower) {
                    Part n = q;
                    for (size_t i = 0; i < n.v.size(); ++i)
                        n.v[i] += f[i];
                    n.cum[l] = c;
                    n.stationary[l + 1] = static_cast<int8_t>(sigma);
                    insertPart(out, std::move(n));
                }
            }
        }
        return out;
    }
};

} // namespace

AccessCounts MappingSpace::Candidate::accessCounts(int levels, const LayerProblem& p) const
{
    AccessCounts a;
    a.levels = levels;
    for (int l = 0; l < levels; ++l) {
        a.readBits[l] = counts[2 * l];
        a.writeBits[l] = counts[2 * l + 1];
    }
    a.hopBits = counts[2 * kMaxLevels];
    a.iterations = counts[2 * kMaxLevels + 2];
    a.activePes = activePes;
    a.macs = double(p.macs());
    return a;
}

MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw)
{
    MappingSpace space;
    const int L = static_cast<int>(hw.levels.size());
    space.levels = L;
    SearchContext s{p, hw, Objective::Energy, {}, {}, L, nullptr, {}};
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair) {
        s.spatial = spatialFactors(p, hw, pair);
        for (int d = 0; d < kDimCount; ++d)
            s.R[d] = (p.bounds[d] + s.spatial[d] - 1) / s.spatial[d];
        // Per-pair constants: active PEs, iterations, per-MAC register reads.
        SpaceBuilder b{p, s};
        Mapping m;
        m.pair = pair;
        m.levels = L;
        m.spatial = s.spatial;
        double iterations = 1;
        for (int d = 0; d < kDimCount; ++d) {
            iterations *= s.R[d];
            b.activePes *= s.spatial[d];
        }
        b.outputs = double(p.bounds[0]) * p.bounds[2] * p.bounds[3] * p.bounds[4];
        const double rfReads = double(p.macs()) * (p.wBits + p.iBits);
        for (Part& part : b.below(L - 2, s.R)) {
            part.v[0] += rfReads;
            part.v[2 * kMaxLevels + 1] += rfReads / b.activePes;
            part.v[2 * kMaxLevels + 2] = iterations;
            part.cum[L - 1] = s.R;
            for (int l = 0; l < L; ++l)
                for (int d = 0; d < kDimCount; ++d)
                    m.bounds[l][d] = part.cum[l][d] / (l > 0 ? part.cum[l - 1][d] : 1);
            for (int l = 1; l < L; ++l)
                m.order[l] = stationaryOrder(part.stationary[l]);
            insertCandidate(space, m, part.v, b.activePes);
        }
        space.enumerated += b.enumerated;
    }
    for (int l = 0; l + 1 < L; ++l) {
        space.fitMaxBits[l] = s.fitMax[l];
        space.misfitMinBits[l] = s.misfitMin[l];
    }
    return space;
}

bool MappingSpace::validFor(const Hardware& hw, const LayerProblem& p) const
{
    if (int(hw.levels.size()) != levels)
        return false;
    for (int l = 0; l + 1 < levels; ++l) {
        const double cap = capacityBits(hw, p, l);
        if (cap < fitMaxBits[l] || cap >= misfitMinBits[l])
            return false;
    }
    return true;
}

LayerCost bestInSpace(const MappingSpace& space, const LayerProblem& p, const Hardware& hw, Objective objective)
{
    const MappingSpace::Candidate* best = nullptr;
    double bestEnergy = 0, bestLatency = 0;
    for (const auto& c : space.candidates) {
        const AccessPrice price = priceAccesses(c.accessCounts(space.levels, p), hw, p);
        const double energy = price.energyPj(), latency = price.latencyCycles;
        if (!best || betterCost(energy, latency, c.mapping, bestEnergy, bestLatency, best->mapping, objective)) {
            best = &c;
            bestEnergy = energy;
            bestLatency = latency;
        }
    }
    if (!best) {
        LayerCost none;
        none.levels = space.levels;
        return none;
    }
    return evaluateMapping(p, hw, best->mapping);
}

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
                  int(p.inputResident), int(p.outputResident)})
        mix(v);
    mix(static_cast<int64_t>(p.tileFraction * 1024));
    return h;
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
            for (const auto& candidate : it->second)
                if (candidate->validFor(hw, p))
                    space = candidate;
    }
    if (!space) {
        space = std::make_shared<const MappingSpace>(buildMappingSpace(p, hw));
        std::lock_guard lock(m_mutex);
        if (structure == m_structure) {
            auto& spaces = m_map[p];
            if (spaces.size() == kSpacesPerProblem)
                spaces.erase(spaces.begin()); // the oldest
            spaces.push_back(space);
        }
    }
    return bestInSpace(*space, p, hw, objective);
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
