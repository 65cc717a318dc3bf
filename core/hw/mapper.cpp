// The fast exact schedule search (see mapper.h for why it is exact); the cache of its spaces is
// mapping_cache.cpp.
#include "hw/mapper.h"

#include "hw/hw_params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <unordered_map>
#include <tuple>

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

// The components a space's counts use (the levels it has; needs only of levels with a range).
struct Components {
    std::array<int8_t, MappingSpace::kComponents> index{};
    int n = 0;
};

bool dominates(const Counts& a, const Counts& b, const Components& used) // a <= b in every used component
{
    for (int i = 0; i < used.n; ++i)
        if (a[used.index[i]] > b[used.index[i]])
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
// A window along Y (X) slides with overlap only when the filter has more than one tap along it;
// otherwise the choice of the input's first relevant loop there changes nothing and is not offered.
using Orders = std::vector<std::array<int8_t, kDimCount>>;
void canonicalOrders(const DimArray& bounds, bool slideY, bool slideX, Orders& out)
{
    out.clear();
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
    auto slides = [&](D d) { return (d == D::OY || d == D::FY) ? slideY : (d == D::OX || d == D::FX) ? slideX : false; };
    // Weights stay while output positions run; the input slides along the first of them.
    if (live(D::OX))
        make({D::OX, D::OY});
    if (live(D::OY) && (slideY || !live(D::OX)))
        make({D::OY, D::OX});
    if (live(D::K)) { // inputs stay while output channels run; then the input's first relevant loop
        bool plain = false;
        for (D d : {D::OY, D::OX, D::FY, D::FX, D::C, D::G})
            if (live(d) && (slides(d) || !plain)) {
                make({D::K, d});
                plain = plain || !slides(d);
            }
        if (!plain && out.empty())
            make({D::K});
    }
    // Partial sums stay while reductions run; the input slides along the first if it is a tap.
    bool plainReduction = false;
    for (D f : {D::FY, D::FX, D::C})
        if (live(f) && (slides(f) || !plainReduction)) {
            make({f, D::C, D::FY, D::FX});
            plainReduction = plainReduction || !slides(f);
        }
    if (out.empty())
        make({});
}

enum class TileRule : int8_t { Fixed, Any, Max };

struct Builder {
    Builder(const LayerProblem& problem, const Hardware& hardware, MappingSpace& out)
        : p(problem), hw(hardware), space(out), L(int(hardware.levels.size()))
    {
    }
    const LayerProblem& p;
    const Hardware& hw;
    MappingSpace& space;
    int L = 0;
    int pair = 0;
    DimArray spatial{}, R{};
    Bypass bypass{};
    double activePes = 1, iterations = 1;

    // Every capacity decision taken: the largest tile that fit and the smallest that did not, per
    // level (bits). Any capacity between the two takes the same decisions.
    std::array<double, kMaxLevels> fitMax{};
    std::array<double, kMaxLevels> misfitMin = [] {
        std::array<double, kMaxLevels> a;
        a.fill(std::numeric_limits<double>::infinity());
        return a;
    }();

    std::map<int, std::vector<int>> divisorMemo;
    const std::vector<int>& divisors(int n)
    {
        auto it = divisorMemo.find(n);
        if (it == divisorMemo.end())
            it = divisorMemo.emplace(n, divisorsOf(n)).first;
        return it->second;
    }

    // Ranged: capacities range over capLo..capHi per level (see buildMappingSpace with a range).
    bool ranged = false;
    std::array<double, kMaxLevels> capLo{}, capHi{};

    // The one feasibility test (narrow: it records the decision; ranged: fits somewhere in range).
    bool fits(int l, const DimArray& c)
    {
        const double bits = levelTileBits(p, l, c, spatial, bypass[l]);
        if (ranged)
            return bits <= capHi[l];
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
    // The growth test behind every pruning: does `g`, grown from tile `t`, fit levels lo..hi? A
    // ranged build asks it at the smallest capacity of the range at which t fits, where growths fit
    // least, so it prunes t only where every capacity of the range would.
    bool growthFits(int lo, int hi, const DimArray& g, const DimArray& t)
    {
        if (!ranged)
            return fitsLevels(lo, hi, g);
        for (int l = lo; l <= hi; ++l)
            if (levelTileBits(p, l, g, spatial, bypass[l])
                > std::max(levelTileBits(p, l, t, spatial, bypass[l]), capLo[l]))
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
        std::array<const std::vector<int>*, kDimCount> divp{};
        for (int d = 0; d < kDimCount; ++d)
            divp[d] = &divisors(upper[d]); // Fixed dims never read theirs
        auto divs = [&](int d) -> const std::vector<int>& { return *divp[d]; };
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
            for (int v : divs(d))
                if (v > c[d] && v % c[d] == 0)
                    return v;
            return 0;
        };
        // Dims in enumeration order: Fixed ones skipped, the Max dim with the most divisors last
        // (its maximal values are read off the prefix of values that fit).
        std::array<int, kDimCount> dims{};
        int nd = 0, leafDim = -1;
        for (int d = 0; d < kDimCount; ++d)
            if (rule[d] == TileRule::Max && (leafDim < 0 || divs(d).size() > divs(leafDim).size()))
                leafDim = d;
        for (int d = 0; d < kDimCount; ++d)
            if (rule[d] != TileRule::Fixed && d != leafDim)
                dims[nd++] = d;
        auto maximal = [&](int skip) { // no Max dim (but `skip`) can grow to its next multiple
            for (int e = 0; e < kDimCount; ++e) {
                if (rule[e] != TileRule::Max || e == skip)
                    continue;
                const int v = nextMultiple(e);
                if (v == 0)
                    continue;
                const DimArray t = c;
                c[e] = v;
                const bool grows = growthFits(lo, hi, c, t);
                c[e] = t[e];
                if (grows)
                    return false;
            }
            return true;
        };
        std::function<void(int)> rec = [&](int k) {
            if (k == nd) {
                if (leafDim < 0) {
                    if (maximal(-1))
                        out.push_back(c);
                    return;
                }
                const int d = leafDim;
                size_t n = 1; // c[d] = 1 fits (checked by the caller)
                while (n < divs(d).size()) {
                    c[d] = divs(d)[n];
                    if (!fitsLevels(lo, hi, c))
                        break;
                    ++n;
                }
                for (size_t i = 0; i < n; ++i) {
                    c[d] = divs(d)[i];
                    const int m = nextMultiple(d);
                    if (m != 0 && m <= divs(d)[n - 1]) { // the leaf dim can grow (narrow: it fits)
                        if (!ranged)
                            continue;
                        DimArray g = c;
                        g[d] = m;
                        if (growthFits(lo, hi, g, c))
                            continue;
                    }
                    if (maximal(d))
                        out.push_back(c);
                }
                c[d] = 1;
                return;
            }
            const int d = dims[k];
            for (int v : divs(d)) { // ascending: the tile only grows, so stop at the first misfit
                c[d] = v;
                if (v > 1 && (!fitsLevels(lo, hi, c) || ((tiedMask >> d & 1) && !tiedFits())))
                    break;
                rec(k + 1);
            }
            c[d] = 1;
        };
        rec(0);
    }

    // A boundary whose operands do not all meet a relevant loop among the loops chosen so far
    // waits for the loops above (its traffic then depends on them).
    struct Pending {
        int8_t boundary = 0;
        int8_t count = 0;
        DimArray cum{};
        std::array<Loop, kMaxLoops> loops{}; // above the boundary, innermost first
        bool operator==(const Pending& o) const
        {
            if (boundary != o.boundary || count != o.count || cum != o.cum)
                return false;
            for (int i = 0; i < count; ++i)
                if (loops[i].dim != o.loops[i].dim || loops[i].bound != o.loops[i].bound)
                    return false;
            return true;
        }
    };
    // The levels up to some k chosen (tiles, and loop orders up to level k+1): the counts of their
    // resolved boundaries and the boundaries still pending.
    struct Part {
        Counts v{};
        std::array<DimArray, kMaxLevels> cum{};
        std::array<std::array<int8_t, kDimCount>, kMaxLevels> order{};
        std::vector<Pending> pending;
    };
    using PartSet = std::vector<Part>;

    // Pareto insertion: a part is dropped when another with the same pending boundaries (whose
    // traffic is then the same for any loops above) has counts no larger.
    Components used;
    void setRange(const CapacityRange* range)
    {
        ranged = range != nullptr;
        used.n = 0;
        for (int l = 0; l < L; ++l) {
            used.index[used.n++] = int8_t(2 * l);
            used.index[used.n++] = int8_t(2 * l + 1);
        }
        for (int c = 2 * kMaxLevels; c < MappingSpace::kNeed; ++c)
            used.index[used.n++] = int8_t(c);
        if (!range)
            return;
        capLo = range->lo;
        capHi = range->hi;
        for (int l = 0; l + 1 < L; ++l)
            if (capLo[l] < capHi[l])
                used.index[used.n++] = int8_t(MappingSpace::kNeed + l);
    }
    void insert(PartSet& set, Part&& part) const
    {
        for (const Part& q : set)
            if (q.pending == part.pending && dominates(q.v, part.v, used))
                return;
        std::erase_if(set, [&](const Part& q) { return q.pending == part.pending && dominates(part.v, q.v, used); });
        set.push_back(std::move(part));
    }

    static bool determined(const Loop* loops, int n)
    {
        for (int x = 0; x < kOperandCount; ++x) {
            bool found = false;
            for (int i = 0; i < n && !found; ++i)
                found = relevantLoop(x, loops[i].dim);
            if (!found)
                return false;
        }
        return true;
    }

    void addTraffic(Counts& v, int boundary, const DimArray& cumK, const Loop* loops, int n)
    {
        LevelBits rd{}, wr{};
        double hop = 0;
        addBoundaryTraffic(p, L, boundary, R, spatial, cumK, aboveBoundary(loops, n), bypass, rd, wr, hop);
        for (int l = 0; l < L; ++l)
            for (int x = 0; x < kOperandCount; ++x) {
                v[2 * l] += rd[x][l];
                v[2 * l + 1] += wr[x][l];
            }
        v[2 * kMaxLevels] += hop;
    }

    // Boundary `b` (tile cumK) with these loops above it known so far: resolved into v, or pending.
    void account(Part& part, int b, const DimArray& cumK, const Loop* loops, int n, bool top)
    {
        if (top || determined(loops, n)) {
            addTraffic(part.v, b, cumK, loops, n);
            return;
        }
        Pending pd;
        pd.boundary = int8_t(b);
        pd.count = int8_t(n);
        pd.cum = cumK;
        std::copy(loops, loops + n, pd.loops.begin());
        part.pending.push_back(pd);
    }

    // A level-0 tile that shares dims with the levels 1..parentHi above it (those are transparent
    // to an operand) need not be considered when a shared dim can grow in all of them at once: the
    // factor then moves from above every boundary to below it, which never raises a count.
    bool jointlyGrows(const DimArray& t0, const DimArray& upper, uint8_t fixedMask, const DimArray& grand, int parentHi)
    {
        for (int d = 0; d < kDimCount; ++d) {
            if (!(fixedMask >> d & 1))
                continue;
            int v = 0;
            for (int m = upper[d] * 2; m <= grand[d] && v == 0; m += upper[d])
                if (grand[d] % m == 0)
                    v = m;
            if (v == 0)
                continue;
            DimArray a = upper, b = t0;
            a[d] = b[d] = v;
            if (growthFits(1, parentHi, a, upper) && growthFits(0, 0, b, t0))
                return true;
        }
        return false;
    }

    const std::shared_ptr<const PartSet> bottom = std::make_shared<const PartSet>(1); // nothing below level 0
    using MemoKey = std::tuple<int, DimArray, uint8_t, DimArray, int>;
    struct MemoHash {
        size_t operator()(const MemoKey& k) const
        {
            size_t h = 1469598103934665603ull;
            auto mix = [&](int64_t v) { h = (h ^ static_cast<size_t>(v)) * 1099511628211ull; };
            mix(std::get<0>(k));
            for (int v : std::get<1>(k))
                mix(v);
            mix(std::get<2>(k));
            for (int v : std::get<3>(k))
                mix(v);
            mix(std::get<4>(k));
            return h;
        }
    };
    std::unordered_map<MemoKey, std::shared_ptr<const PartSet>, MemoHash> memo;

    // Every part choosing the tile of level k (and of the empty levels below it that share it),
    // the loop order of level k+1 and everything below, under the level-(k+1) tile `upper`
    // (fixedMask: dims tied to it). top: level k+1 is the outermost, nothing is left pending.
    // grand, parentHi: the tile above `upper` and the highest level sharing `upper` (for the tied
    // dims of a level-0 tile, see below).
    std::shared_ptr<const PartSet> parts(int k, const DimArray& upper, uint8_t fixedMask, bool top,
                                         const DimArray& grand = {}, int parentHi = 0)
    {
        const auto key = std::make_tuple(k, upper, fixedMask, fixedMask && k == 0 ? grand : DimArray{}, parentHi);
        if (auto it = memo.find(key); it != memo.end())
            return it->second;
        auto out = std::make_shared<PartSet>();
        std::vector<DimArray> found;
        Orders orders;
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
                    if (lo == 0 && fixedMask && jointlyGrows(t, upper, fixedMask, grand, parentHi))
                        continue;
                    DimArray bounds{};
                    for (int d = 0; d < kDimCount; ++d)
                        bounds[d] = upper[d] / t[d];
                    const std::shared_ptr<const PartSet> lower =
                        lo > 0 ? parts(lo - 1, t, tied, false, upper, k) : bottom;
                    canonicalOrders(bounds, p.bounds[int(Dim::FY)] > 1, p.bounds[int(Dim::FX)] > 1, orders);
                    for (const auto& order : orders) {
                        std::array<Loop, kDimCount + 1> own{};
                        const int n = top ? topLevelLoops(p, bounds, order, own.data())
                                          : levelLoops(bounds, order, own.data());
                        ++space.enumerated;
                        Part here;
                        for (int l = lo; l <= k; ++l)
                            here.cum[l] = t;
                        if (ranged) // a level whose capacity is one value needs no record: every tile fits it
                            for (int l = lo; l <= k; ++l)
                                if (capLo[l] < capHi[l])
                                    here.v[MappingSpace::kNeed + l] = levelTileBits(p, l, t, spatial, bypass[l]);
                        here.order[k + 1] = order;
                        for (int l = lo + 1; l <= k; ++l)
                            here.order[l] = {0, 1, 2, 3, 4, 5, 6};
                        for (int b = k; b >= lo; --b) // the empty levels add no loops above
                            account(here, b, t, own.data(), n, top);
                        for (const Part& q : *lower) {
                            if (q.pending.empty() && here.pending.empty()) { // the usual case: test first, build after
                                Counts v = here.v;
                                for (size_t i = 0; i < v.size(); ++i)
                                    v[i] += q.v[i];
                                bool beaten = false;
                                for (const Part& o : *out)
                                    if (o.pending.empty() && dominates(o.v, v, used)) {
                                        beaten = true;
                                        break;
                                    }
                                if (beaten)
                                    continue;
                            }
                            Part part = here;
                            for (size_t i = 0; i < part.v.size(); ++i)
                                part.v[i] += q.v[i];
                            for (int l = 0; l < lo; ++l) {
                                part.cum[l] = q.cum[l];
                                part.order[l + 1] = q.order[l + 1];
                            }
                            for (const Pending& pd : q.pending) { // the loops of level k+1 go above
                                std::array<Loop, kMaxLoops> loops = pd.loops;
                                std::copy(own.begin(), own.begin() + n, loops.begin() + pd.count);
                                account(part, pd.boundary, pd.cum, loops.data(), pd.count + n, top);
                            }
                            insert(*out, std::move(part));
                        }
                    }
                }
            }
        }
        memo.emplace(key, out);
        return out;
    }

    void build()
    {
        memo.clear();
        const std::shared_ptr<const PartSet> all = parts(L - 2, R, 0, true);
        const double rfReads = double(p.macs()) * (p.wBits + p.iBits); // every MAC reads its operands
        for (const Part& part : *all) {
            Counts v = part.v;
            v[0] += rfReads;
            v[2 * kMaxLevels + 1] = (v[0] + v[1]) / activePes;
            v[2 * kMaxLevels + 2] = iterations;
            bool beaten = false;
            for (const auto& c : space.candidates)
                beaten = beaten || dominates(c.counts, v, used);
            if (beaten)
                continue;
            std::erase_if(space.candidates, [&](const MappingSpace::Candidate& c) { return dominates(v, c.counts, used); });
            Mapping m;
            m.pair = pair;
            m.levels = L;
            m.spatial = spatial;
            m.bypass = bypass;
            DimArray full = R;
            for (int l = 0; l < L; ++l) {
                const DimArray& c = l == L - 1 ? full : part.cum[l];
                for (int d = 0; d < kDimCount; ++d)
                    m.bounds[l][d] = c[d] / (l > 0 ? part.cum[l - 1][d] : 1);
                m.order[l] = l == 0 ? std::array<int8_t, kDimCount>{0, 1, 2, 3, 4, 5, 6} : part.order[l];
            }
            space.candidates.push_back({m, v, activePes});
        }
    }
};

} // namespace

namespace {

MappingSpace buildSpace(const LayerProblem& p, const Hardware& hw, const CapacityRange* range)
{
    MappingSpace space;
    const int L = static_cast<int>(hw.levels.size());
    space.levels = L;
    Builder b(p, hw, space);
    b.setRange(range);
    space.ranged = range != nullptr;
    const std::vector<Bypass> bypasses = bypassChoices(hw, p);
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair)
        for (const Bypass& bypass : bypasses) {
            b.pair = pair;
            b.bypass = bypass;
            b.spatial = spatialFactors(p, hw, pair);
            b.activePes = b.iterations = 1;
            for (int d = 0; d < kDimCount; ++d) {
                b.R[d] = (p.bounds[d] + b.spatial[d] - 1) / b.spatial[d];
                b.activePes *= b.spatial[d];
                b.iterations *= b.R[d];
            }
            b.build();
        }
    for (int l = 0; l + 1 < L; ++l) {
        space.fitMaxBits[l] = range ? range->lo[l] : b.fitMax[l];
        space.misfitMinBits[l] = range ? std::nextafter(range->hi[l], std::numeric_limits<double>::infinity())
                                       : b.misfitMin[l];
    }
    return space;
}

} // namespace

MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw) { return buildSpace(p, hw, nullptr); }

MappingSpace buildMappingSpace(const LayerProblem& p, const Hardware& hw, const CapacityRange& range)
{
    return buildSpace(p, hw, &range);
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
    const std::vector<Bypass> bypasses = bypassChoices(hw, p);
    for (int pair = 0; pair < static_cast<int>(hw.spatialPairs.size()); ++pair)
        for (const Bypass& bypass : bypasses) {
            const DimArray spatial = spatialFactors(p, hw, pair);
            DimArray R{};
            for (int d = 0; d < kDimCount; ++d)
                R[d] = (p.bounds[d] + spatial[d] - 1) / spatial[d];
            Mapping m;
            m.pair = pair;
            m.levels = L;
            m.spatial = spatial;
            m.bypass = bypass;
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
                        if (levelTileBits(p, lv, cum[lv], spatial, bypass[lv]) > capacityBits(hw, p, lv))
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
    std::array<double, kMaxLevels> capacity{};
    for (int l = 0; l + 1 < space.levels; ++l)
        capacity[l] = capacityBits(hw, p, l);
    for (const auto& c : space.candidates) {
        bool fits = true; // ranged spaces: the candidate's needs (0 in other spaces)
        for (int l = 0; l + 1 < space.levels && fits; ++l)
            fits = c.counts[MappingSpace::kNeed + l] <= capacity[l];
        if (!fits)
            continue;
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

} // namespace poq
