// The on-chip memory planner: an exact sweep over the steps of the network (see memory_plan.h).
#include "hw/memory_plan.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace poq {

namespace {

bool fitsLife(const PlanItem& it, const std::vector<double>& used, const std::vector<double>& budget)
{
    for (int s = it.first; s <= it.last; ++s)
        if (used[s] + it.bits > budget[s])
            return false;
    return true;
}

bool valid(const PlanItem& it, size_t steps)
{
    return it.first >= 0 && it.first <= it.last && size_t(it.last) < steps && it.bits >= 0 && it.value > 0;
}

double sumValue(const std::vector<PlanItem>& items, const std::vector<char>& on)
{
    double v = 0;
    for (size_t i = 0; i < items.size(); ++i)
        if (on[i])
            v += items[i].value;
    return v;
}

} // namespace

bool planFits(const std::vector<PlanItem>& items, const std::vector<char>& onChip, const std::vector<double>& budget)
{
    std::vector<double> used(budget.size(), 0.0);
    for (size_t i = 0; i < items.size(); ++i)
        if (onChip[i])
            for (int s = items[i].first; s <= items[i].last; ++s)
                used[s] += items[i].bits;
    for (size_t s = 0; s < budget.size(); ++s)
        if (used[s] > budget[s])
            return false;
    return true;
}

MemoryPlan legacyPlan(const std::vector<PlanItem>& items, const std::vector<double>& budget)
{
    std::vector<double> alive(budget.size(), 0.0);
    for (const PlanItem& it : items)
        if (valid(it, budget.size()))
            for (int s = it.first; s <= it.last; ++s)
                alive[s] += it.bits;
    MemoryPlan plan;
    plan.onChip.assign(items.size(), 0);
    for (size_t i = 0; i < items.size(); ++i) {
        const PlanItem& it = items[i];
        if (!valid(it, budget.size()))
            continue;
        bool fits = true;
        for (int s = it.first; s <= it.last && fits; ++s)
            fits = alive[s] <= budget[s];
        plan.onChip[i] = fits;
    }
    plan.value = sumValue(items, plan.onChip);
    return plan;
}

MemoryPlan greedyPlan(const std::vector<PlanItem>& items, const std::vector<double>& budget)
{
    MemoryPlan plan = legacyPlan(items, budget);
    plan.exact = false;
    std::vector<double> used(budget.size(), 0.0);
    for (size_t i = 0; i < items.size(); ++i)
        if (plan.onChip[i])
            for (int s = items[i].first; s <= items[i].last; ++s)
                used[s] += items[i].bits;
    std::vector<size_t> order(items.size());
    std::iota(order.begin(), order.end(), size_t(0));
    auto density = [&](size_t i) { return items[i].bits > 0 ? items[i].value / items[i].bits : INFINITY; };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return density(a) > density(b); });
    for (size_t i : order) {
        if (plan.onChip[i] || !valid(items[i], budget.size()) || !fitsLife(items[i], used, budget))
            continue;
        plan.onChip[i] = 1;
        for (int s = items[i].first; s <= items[i].last; ++s)
            used[s] += items[i].bits;
    }
    plan.value = sumValue(items, plan.onChip);
    return plan;
}

MemoryPlan planMemory(const std::vector<PlanItem>& items, const std::vector<double>& budget, std::size_t stateLimit)
{
    const size_t steps = budget.size();
    const size_t words = (items.size() + 63) / 64;
    struct Entry {
        double value = 0, bits = 0, aliveBits = 0;
        std::vector<uint64_t> chosen;
    };
    // Same alive set: the same future. Keep the larger value, then fewer bits, then the smaller set.
    auto better = [](const Entry& a, const Entry& b) {
        const double tol = 1e-12 * std::max(std::fabs(a.value), std::fabs(b.value));
        if (a.value > b.value + tol || a.value < b.value - tol)
            return a.value > b.value;
        if (a.bits != b.bits)
            return a.bits < b.bits;
        return a.chosen < b.chosen;
    };
    using States = std::map<std::vector<int>, Entry>;
    auto put = [&](States& states, std::vector<int>&& key, Entry&& e) {
        auto [it, inserted] = states.try_emplace(std::move(key), std::move(e));
        if (!inserted && better(e, it->second))
            it->second = std::move(e);
    };
    std::vector<std::vector<int>> starting(steps);
    for (size_t i = 0; i < items.size(); ++i)
        if (valid(items[i], steps))
            starting[items[i].first].push_back(int(i));

    States states;
    states.emplace(std::vector<int>{}, Entry{0, 0, 0, std::vector<uint64_t>(words, 0)});
    for (size_t s = 0; s < steps; ++s) {
        States next;
        for (auto& [key, e] : states) { // items whose life ended before s leave
            std::vector<int> kept;
            double alive = 0;
            for (int i : key)
                if (size_t(items[i].last) >= s) {
                    kept.push_back(i);
                    alive += items[i].bits;
                }
            Entry moved = std::move(e);
            moved.aliveBits = alive;
            put(next, std::move(kept), std::move(moved));
        }
        for (int i : starting[s]) { // each item starting at s: off, or on where it fits
            States grown;
            for (auto& [key, e] : next) {
                if (e.aliveBits + items[i].bits <= budget[s]) {
                    std::vector<int> k2 = key;
                    k2.insert(std::upper_bound(k2.begin(), k2.end(), i), i);
                    Entry on = e;
                    on.value += items[i].value;
                    on.bits += items[i].bits;
                    on.aliveBits += items[i].bits;
                    on.chosen[size_t(i) / 64] |= uint64_t(1) << (size_t(i) % 64);
                    put(grown, std::move(k2), std::move(on));
                }
                std::vector<int> k1 = key;
                put(grown, std::move(k1), std::move(e));
            }
            next = std::move(grown);
            if (next.size() > stateLimit)
                return greedyPlan(items, budget);
        }
        std::erase_if(next, [&](const auto& kv) { return kv.second.aliveBits > budget[s]; });
        states = std::move(next);
    }
    MemoryPlan plan;
    plan.onChip.assign(items.size(), 0);
    const Entry* best = nullptr;
    for (const auto& [key, e] : states)
        if (!best || better(e, *best))
            best = &e;
    if (best)
        for (size_t i = 0; i < items.size(); ++i)
            plan.onChip[i] = char(best->chosen[i / 64] >> (i % 64) & 1);
    plan.value = sumValue(items, plan.onChip);
    plan.exact = true;
    return plan;
}

} // namespace poq
