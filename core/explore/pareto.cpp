// Frontiers and comparisons.
#include "explore/pareto.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace poq {

std::vector<int> paretoFrontier(const std::vector<DesignPoint>& points, CostAxis axis)
{
    const auto cost = costAxisInfo(axis).value;
    std::vector<int> idx;
    for (int i = 0; i < static_cast<int>(points.size()); ++i)
        if (points[i].accuracy)
            idx.push_back(i);
    std::sort(idx.begin(), idx.end(), [&](int a, int b) {
        const double ca = cost(points[a]), cb = cost(points[b]);
        if (ca != cb)
            return ca < cb;
        if (*points[a].accuracy != *points[b].accuracy)
            return *points[a].accuracy > *points[b].accuracy;
        return a < b;
    });
    std::vector<int> out;
    bool any = false;
    double bestAcc = 0, bestCost = 0;
    for (int i : idx) {
        const double acc = *points[i].accuracy, c = cost(points[i]);
        if (!any || acc > bestAcc) {
            out.push_back(i);
            any = true;
            bestAcc = acc;
            bestCost = c;
        } else if (acc == bestAcc && c == bestCost) {
            out.push_back(i); // an equal point: neither dominates the other
        }
    }
    return out;
}

std::vector<int> paretoFrontierReference(const std::vector<DesignPoint>& points, CostAxis axis)
{
    const auto cost = costAxisInfo(axis).value;
    std::vector<int> out;
    for (int i = 0; i < static_cast<int>(points.size()); ++i) {
        if (!points[i].accuracy)
            continue;
        bool dominated = false;
        for (int j = 0; j < static_cast<int>(points.size()) && !dominated; ++j) {
            if (!points[j].accuracy)
                continue;
            const double ci = cost(points[i]), cj = cost(points[j]);
            const double ai = *points[i].accuracy, aj = *points[j].accuracy;
            dominated = cj <= ci && aj >= ai && (cj < ci || aj > ai);
        }
        if (!dominated)
            out.push_back(i);
    }
    std::sort(out.begin(), out.end(), [&](int a, int b) {
        return cost(points[a]) != cost(points[b]) ? cost(points[a]) < cost(points[b]) : a < b;
    });
    return out;
}

Frontier strategyFrontier(const std::vector<DesignPoint>& points, const std::string& strategy, CostAxis axis)
{
    std::vector<DesignPoint> mine;
    for (const DesignPoint& p : points)
        if (p.strategy == strategy && p.accuracy && costAxisInfo(axis).value(p) > 0)
            mine.push_back(p);
    Frontier f;
    for (int i : paretoFrontier(mine, axis)) {
        const double lc = std::log10(costAxisInfo(axis).value(mine[i]));
        if (!f.logCost.empty() && f.logCost.back() == lc)
            continue; // equal points
        f.logCost.push_back(lc);
        f.accuracy.push_back(*mine[i].accuracy);
    }
    return f;
}

namespace {

// Linear interpolation of y(x) on ascending xs; nullopt outside [xs.front(), xs.back()].
std::optional<double> interpolate(const std::vector<double>& xs, const std::vector<double>& ys, double x)
{
    if (xs.empty() || x < xs.front() || x > xs.back())
        return std::nullopt;
    const auto it = std::lower_bound(xs.begin(), xs.end(), x);
    const size_t i = static_cast<size_t>(it - xs.begin());
    if (xs[i] == x)
        return ys[i];
    const double t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

Frontier requireFrontier(const std::vector<DesignPoint>& points, const std::string& s, const char* role)
{
    Frontier f = strategyFrontier(points, s, CostAxis::Energy);
    if (f.empty())
        throw InputError(std::string(role) + ": strategy '" + s + "' has no design point with an accuracy");
    return f;
}

} // namespace

std::optional<double> energyRatioAt(const Frontier& baseline, const Frontier& candidate, double accuracy)
{
    const auto b = interpolate(baseline.accuracy, baseline.logCost, accuracy);
    const auto c = interpolate(candidate.accuracy, candidate.logCost, accuracy);
    if (!b || !c)
        return std::nullopt;
    return std::pow(10.0, *b - *c);
}

std::optional<double> accuracyGainAt(const Frontier& baseline, const Frontier& candidate, double energyPj)
{
    if (!(energyPj > 0))
        return std::nullopt;
    const double x = std::log10(energyPj);
    const auto b = interpolate(baseline.logCost, baseline.accuracy, x);
    const auto c = interpolate(candidate.logCost, candidate.accuracy, x);
    if (!b || !c)
        return std::nullopt;
    return *c - *b;
}

Comparison compareStrategies(const std::vector<DesignPoint>& points, const std::string& baseline,
                             const std::string& candidate)
{
    const Frontier b = requireFrontier(points, baseline, "baseline");
    const Frontier c = requireFrontier(points, candidate, "candidate");
    Comparison out;
    out.baseline = baseline;
    out.candidate = candidate;
    // Both differences are piecewise linear between the frontiers' breakpoints: their maxima lie on
    // a breakpoint or an end of the overlap.
    out.overlapLo = std::max(b.accuracy.front(), c.accuracy.front());
    out.overlapHi = std::min(b.accuracy.back(), c.accuracy.back());
    if (out.overlapLo <= out.overlapHi) {
        out.accuracyOverlap = true;
        std::vector<double> at = {out.overlapLo, out.overlapHi};
        for (const Frontier* f : {&b, &c})
            for (double a : f->accuracy)
                if (a >= out.overlapLo && a <= out.overlapHi)
                    at.push_back(a);
        bool first = true;
        for (double a : at)
            if (const auto r = energyRatioAt(b, c, a); r && (first || *r > out.maxEnergyRatio)) {
                out.maxEnergyRatio = *r;
                out.maxEnergyRatioAt = a;
                first = false;
            }
    }
    const double lo = std::max(b.logCost.front(), c.logCost.front()), hi = std::min(b.logCost.back(), c.logCost.back());
    if (lo <= hi) {
        out.energyOverlap = true;
        out.energyLo = std::pow(10.0, lo);
        out.energyHi = std::pow(10.0, hi);
        std::vector<double> at = {lo, hi};
        for (const Frontier* f : {&b, &c})
            for (double x : f->logCost)
                if (x >= lo && x <= hi)
                    at.push_back(x);
        bool first = true;
        for (double x : at) {
            const auto bb = interpolate(b.logCost, b.accuracy, x), cc = interpolate(c.logCost, c.accuracy, x);
            if (bb && cc && (first || *cc - *bb > out.maxAccuracyGain)) {
                out.maxAccuracyGain = *cc - *bb;
                out.maxAccuracyGainAt = std::pow(10.0, x);
                first = false;
            }
        }
    }
    return out;
}

std::vector<OptimalRange> optimalRanges(const std::vector<DesignPoint>& points, CostAxis axis)
{
    std::vector<OptimalRange> out;
    for (int i : paretoFrontier(points, axis)) {
        const DesignPoint& p = points[i];
        if (!out.empty() && out.back().strategy == p.strategy)
            out.back().accuracyHi = *p.accuracy;
        else
            out.push_back({p.strategy, *p.accuracy, *p.accuracy});
    }
    return out;
}

namespace {

std::vector<double> ranks(const std::vector<double>& v)
{
    std::vector<int> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](int a, int b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < idx.size();) {
        size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]])
            ++j;
        for (size_t k = i; k <= j; ++k)
            r[idx[k]] = (double(i) + double(j)) / 2.0 + 1.0; // ties share the mean rank
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y)
{
    const double n = double(x.size());
    if (n < 2)
        return 0;
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

} // namespace

ProxyReport proxyReport(const std::vector<DesignPoint>& points, CostAxis proxy)
{
    ProxyReport r;
    r.proxy = proxy;
    const std::vector<int> energy = paretoFrontier(points, CostAxis::Energy), byProxy = paretoFrontier(points, proxy);
    for (int i : byProxy)
        if (std::find(energy.begin(), energy.end(), i) == energy.end())
            r.pickedButRejected.push_back(i);
    for (int i : energy)
        if (std::find(byProxy.begin(), byProxy.end(), i) == byProxy.end())
            r.missed.push_back(i);
    std::vector<double> p, e;
    for (const DesignPoint& d : points) {
        p.push_back(costAxisInfo(proxy).value(d));
        e.push_back(d.energyPj);
    }
    r.rankCorrelation = pearson(ranks(p), ranks(e));
    return r;
}

} // namespace poq
