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

using Counts = std::array<double, MappingSpace::kComponents>;

bool dominates(const Counts& a, const Counts& b) // a <= b everywhere
{
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] > b[i])
            return false;
    return true;
}

// The dims irrelevant to each operand, as a bit mask (bit d: Dim d), and the relevant ones.
constexpr uint8_t maskOf(int x, bool relevant)
{
    uint8_t m = 0;
    for (int d = 0; d < kDimCount; ++d)
        if (kRelevant[x][d] == relevant)
            m = uint8_t(m | (1 << d));
    return m;
}

// Loop orders of one level that can matter (see mapper.h): only the first loop's operand, the run
// of loops irrelevant to it and, for inputs, the first relevant loop (when it slides the window)
// change any count, and putting a whole irrelevant run first never costs more.
std::vector<std::array<int8_t, kDimCount>> canonicalOrders(const DimArray& bounds)
{
    std::vector<std::array<int8_t, kDimCount>> out;
    auto live = [&](Dim d) { return bounds[int(d)] > 1; };
    auto make = [&](std::initializer_list<Dim> front) {
        std::array<int8_t, kDimCount> o{};
        std::array<bool, kDimCount> used{};
        int n = 0;
        for (Dim d : front)
            if (live(d) && !used[int(d)]) {
                o[n++] = int8_t(d);
                used[int(d)] = true;
            }
        for (int pass = 0; pass < 2; ++pass) // the other live dims, then the dead ones
            for (int d = 0; d < kDimCount; ++d)
                if (!used[d] && (bounds[d] > 1) == (pass == 0)) {
                    o[n++] = int8_t(d);
                    used[d] = true;
                }
        out.push_back(o);
    };
    using D = Dim;
    if (live(D::OX)) // weights stay while output positions run; the input slides along the first
        make({D::OX, D::OY});
    if (live(D::OY))
        make({D::OY, D::OX});
    if (live(D::K)) { // inputs stay while output channels run; then the input's first relevant loop
        bool plain = false;
        for (D d : {D::OY, D::OX, D::FY, D::FX})
            if (live(d))
                make({D::K, d});
        for (D d : {D::C, D::G})
            if (live(d) && !plain) {
                make({D::K, d});
                plain = true;
            }
        if (out.empty() || (!plain && !live(D::OY) && !live(D::OX) && !live(D::FY) && !live(D::FX)))
            make({D::K});
    }
    for (D f : {D::C, D::FY, D::FX}) // partial sums stay while reductions run
        if (live(f))
            make({f, D::C, D::FY, D::FX});
    if (out.empty())
        make({});
    return out;
}

enum class TileRule : int8_t { Fixed, Any, Max };

struct Builder {
    const LayerProblem& p;
    const Hardware& hw;
    MappingSpace& space;
    int L = 0;
    int pair = 0;
    DimArray spatial{}, R{};
    double activePes = 1, iterations = 1;
    std::array<DimArray, kMaxLevels> cum{};
    Mapping m;

    // Every capacity decision taken: the largest tile that fit and the smallest that did not, per
    // level (bits). Any capacity between the two takes the same decisions.
    std::array<double, kMaxLevels> fitMax{};
    std::array<double, kMaxLevels> misfitMin = [] {
        std::array<double, kMaxLevels> a;
        a.fill(std::numeric_limits<double>::infinity());
        return a;
    }();

    // The one capacity test; it records the decision.
    bool fits(int l, const DimArray& c)
    {
        const double bits = levelTileBits(p, l, c, spatial);
        if (bits <= capacityBits(hw, p, l)) {
            fitMax[l] = std::max(fitMax[l], bits);
            return true;
        }
        misfitMin[l] = std::min(misfitMin[l], bits);
        return false;
    }
    bool fitsLevels(int lo, int hi, const DimArray& c)
    {
        for (int l = lo; l <= hi; ++l)
            if (!fits(l, c))
                return false;
        return true;
    }

    // Tiles shared by levels lo..hi (hi's upper tile `upper`): Fixed dims take the upper value,
    // Any dims every divisor that fits, Max dims only values that cannot grow (to the next multiple
    // dividing the upper) without misfitting. `tiedMask` dims are shared with level lo-1 (tie >= 0),
    // so they must fit there too.
    void tiles(int lo, int hi, const DimArray& upper, const std::array<TileRule, kDimCount>& rule, int tie,
               uint8_t tiedMask, std::vector<DimArray>& out)
    {
        std::array<std::vector<int>, kDimCount> divs;
        for (int d = 0; d < kDimCount; ++d)
            divs[d] = rule[d] == TileRule::Fixed ? std::vector<int>{upper[d]} : divisorsOf(upper[d]);
        DimArray c{1, 1, 1, 1, 1, 1, 1};
        for (int d = 0; d < kDimCount; ++d)
            if (rule[d] == TileRule::Fixed)
                c[d] = upper[d];
        auto tiedFits = [&] {
            if (tie < 0)
                return true;
            DimArray t{1, 1, 1, 1, 1, 1, 1};
            for (int d = 0; d < kDimCount; ++d)
                if (tiedMask >> d & 1)
                    t[d] = c[d];
            return fits(tie, t);
        };
        if (!fitsLevels(lo, hi, c) || !tiedFits())
            return;
        auto nextMultiple = [&](int d) {
            for (int v : divs[d])
                if (v > c[d] && v % c[d] == 0)
                    return v;
            return 0;
        };
        std::function<void(int)> rec = [&](int d) {
            if (d == kDimCount) {
                for (int e = 0; e < kDimCount; ++e) {
                    if (rule[e] != TileRule::Max)
                        continue;
                    const int v = nextMultiple(e);
                    if (v == 0)
                        continue;
                    const int keep = c[e];
                    c[e] = v;
                    const bool grows = fitsLevels(lo, hi, c);
                    c[e] = keep;
                    if (grows)
                        return; // not maximal
                }
                out.push_back(c);
                return;
            }
            if (rule[d] == TileRule::Fixed) {
                rec(d + 1);
                return;
            }
            for (int v : divs[d]) { // ascending: the tile only grows, so stop at the first misfit
                c[d] = v;
                if (v > 1 && (!fitsLevels(lo, hi, c) || ((tiedMask >> d & 1) && !tiedFits())))
                    break;
                rec(d + 1);
            }
            c[d] = 1;
        };
        rec(0);
    }

    void leaf(const LevelBits& rd, const LevelBits& wr, double hop)
    {
        Counts v{};
        for (int l = 0; l < L; ++l)
            for (int x = 0; x < kOperandCount; ++x) {
                v[2 * l] += rd[x][l];
                v[2 * l + 1] += wr[x][l];
            }
        v[0] += double(p.macs()) * (p.wBits + p.iBits); // every MAC reads its operands from the RF
        v[2 * kMaxLevels] = hop;
        v[2 * kMaxLevels + 1] = (v[0] + v[1]) / activePes;
        v[2 * kMaxLevels + 2] = iterations;
        ++space.enumerated;
        for (const auto& c : space.candidates)
            if (dominates(c.counts, v))
                return;
        std::erase_if(space.candidates, [&](const MappingSpace::Candidate& c) { return dominates(v, c.counts); });
        for (int l = 0; l < L; ++l)
            for (int d = 0; d < kDimCount; ++d)
                m.bounds[l][d] = cum[l][d] / (l > 0 ? cum[l - 1][d] : 1);
        space.candidates.push_back({m, v, activePes});
    }

    // Chooses the tile of level k (and of the empty levels below it that share it), the loop order
    // of level k+1, adds the boundaries' accesses and recurses. `above`: the loops above level k+1.
    void step(int k, uint8_t fixedMask, const LevelBits& rd, const LevelBits& wr, double hop, const Loop* above,
              int aboveCount)
    {
        const DimArray upper = cum[k + 1];
        std::vector<DimArray> found;
        for (int lo = k; lo >= 0; --lo) { // levels lo+1..k hold no loops of their own
            for (int mode = -1; mode < (lo == 0 ? 0 : kOperandCount); ++mode) {
                // mode -1: tile maximal in every free dim; mode x: level lo is transparent to
                // operand x (its loops are all irrelevant to x), so its tile shares x's relevant
                // dims with level lo-1 and is maximal in the rest.
                std::array<TileRule, kDimCount> rule{};
                for (int d = 0; d < kDimCount; ++d)
                    rule[d] = (fixedMask >> d & 1) ? TileRule::Fixed
                              : (mode >= 0 && kRelevant[mode][d]) ? TileRule::Any
                                                                  : TileRule::Max;
                const uint8_t tied = mode >= 0 ? maskOf(mode, true) : 0;
                found.clear();
                tiles(lo, k, upper, rule, mode >= 0 ? lo - 1 : -1, tied, found);
                for (const DimArray& t : found) {
                    for (int l = lo; l <= k; ++l)
                        cum[l] = t;
                    DimArray bounds{};
                    for (int d = 0; d < kDimCount; ++d)
                        bounds[d] = upper[d] / t[d];
                    for (int l = lo + 1; l <= k; ++l)
                        m.order[l] = {0, 1, 2, 3, 4, 5, 6};
                    for (const auto& order : canonicalOrders(bounds)) {
                        m.order[k + 1] = order;
                        std::array<Loop, kMaxLevels * kDimCount> seq{};
                        const int own = levelLoops(bounds, order, seq.data());
                        std::copy(above, above + aboveCount, seq.begin() + own);
                        const int n = own + aboveCount;
                        const AboveBoundary ab = aboveBoundary(seq.data(), n);
                        LevelBits r = rd, w = wr;
                        double h = hop;
                        for (int j = k; j >= lo; --j) // the empty levels add no loops above
                            addBoundaryTraffic(p, L, j, R, spatial, t, ab, r, w, h);
                        if (lo == 0)
                            leaf(r, w, h);
                        else
                            step(lo - 1, tied, r, w, h, seq.data(), n);
                    }
                }
            }
        }
    }
};

} // namespace

MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw)
{
    MappingSpace space;
    const int L = static_cast<int>(hw.levels.size());
    space.levels = L;
    Builder b{p, hw, space};
    b.L = L;
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair) {
        b.pair = pair;
        b.spatial = spatialFactors(p, hw, pair);
        b.activePes = b.iterations = 1;
        for (int d = 0; d < kDimCount; ++d) {
            b.R[d] = (p.bounds[d] + b.spatial[d] - 1) / b.spatial[d];
            b.activePes *= b.spatial[d];
            b.iterations *= b.R[d];
        }
        b.cum[L - 1] = b.R;
        b.m = Mapping{};
        b.m.pair = pair;
        b.m.levels = L;
        b.m.spatial = b.spatial;
        b.m.order[0] = {0, 1, 2, 3, 4, 5, 6};
        b.step(L - 2, 0, LevelBits{}, LevelBits{}, 0, nullptr, 0);
    }
    for (int l = 0; l + 1 < L; ++l) {
        space.fitMaxBits[l] = b.fitMax[l];
        space.misfitMinBits[l] = b.misfitMin[l];
    }
    return space;
}

LayerCost searchMapping(const LayerProblem& p, const Hardware& hw, Objective objective, SearchStats* stats)
{
    const MappingSpace space = buildMappingSpace(p, hw);
    if (stats)
        stats->evaluated += space.enumerated;
    return bestInSpace(space, p, hw, objective);
}

LayerCost searchMappingExhaustive(const LayerProblem& p, const Hardware& hw, Objective objective, SearchStats* stats)
{
    LayerCost best;
    const int L = static_cast<int>(hw.levels.size());
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair) {
        const DimArray spatial = spatialFactors(p, hw, pair);
        DimArray R{};
        for (int d = 0; d < kDimCount; ++d)
            R[d] = (p.bounds[d] + spatial[d] - 1) / spatial[d];
        Mapping m;
        m.pair = pair;
        m.levels = L;
        m.spatial = spatial;
        for (int l = 0; l < L; ++l) {
            m.bounds[l] = DimArray{1, 1, 1, 1, 1, 1, 1};
            m.order[l] = {0, 1, 2, 3, 4, 5, 6};
        }
        auto consider = [&] {
            const LayerCost c = evaluateMapping(p, hw, m);
            if (stats)
                ++stats->evaluated;
            if (betterCost(c, best, objective))
                best = c;
        };
        // Every order of the loops with bound > 1 at each level above the PEs.
        std::function<void(int)> orders = [&](int l) {
            if (l == L) {
                consider();
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
                std::array<DimArray, kMaxLevels> cum{};
                for (int lv = 0; lv < L; ++lv)
                    for (int e = 0; e < kDimCount; ++e)
                        cum[lv][e] = m.bounds[lv][e] * (lv > 0 ? cum[lv - 1][e] : 1);
                for (int lv = 0; lv + 1 < L; ++lv)
                    if (levelTileBits(p, lv, cum[lv], spatial) > capacityBits(hw, p, lv))
                        return;
                orders(1);
                return;
            }
            if (l == L - 1) {
                m.bounds[l][d] = left;
                tiles(d + 1, 0, d + 1 < kDimCount ? R[d + 1] : 1);
                return;
            }
            for (int f : divisorsOf(left)) {
                m.bounds[l][d] = f;
                tiles(d, l + 1, left / f);
            }
            m.bounds[l][d] = 1;
        };
        tiles(0, 0, R[0]);
    }
    return best;
}

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
