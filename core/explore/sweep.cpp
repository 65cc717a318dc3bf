// Sweeps and imported accuracies.
#include "explore/sweep.h"

#include "explore/csv.h"
#include "explore/pareto.h"
#include "graph/width.h"
#include "hw/hw_params.h"
#include "util/atomic_file.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/input_file.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <cmath>
#include <sstream>

namespace poq {

namespace {

long long widthKey(double w) { return std::llround(w * 1e6); }

std::string canonicalStrategy(const std::string& name) { return QuantStrategy::parse(name).name; }

} // namespace

AccuracyTable AccuracyTable::loadCsv(const std::string& path) { return parseCsv(readInputFile(path, InputFileKind::AccuracyCsv), path); }

AccuracyTable AccuracyTable::parseCsv(const std::string& text, const std::string& src)
{
    AccuracyTable t;
    t.m_source = src;
    const CsvTable csv = parseCsvText(text, src);
    const int network = csv.column("network"), width = csv.column("width"), strategy = csv.column("strategy"),
              accuracy = csv.column("accuracy"), lo = csv.column("accuracy_lo"), hi = csv.column("accuracy_hi");
    if (network < 0 || width < 0 || strategy < 0 || accuracy < 0)
        throw InputError(src + ":1: header must name the columns network,width,strategy,accuracy");
    for (const CsvRow& row : csv.rows) {
        const std::string where = src + ":" + std::to_string(row.line);
        auto number = [&](int col, const char* name) -> std::optional<double> {
            if (col < 0 || row.cells[col].empty())
                return std::nullopt;
            const auto v = parseCsvNumber(row.cells[col]);
            if (!v)
                throw InputError(where + ": " + name + ": '" + echo(row.cells[col]) + "' is not a number");
            return v;
        };
        Entry e;
        e.line = row.line;
        const auto acc = number(accuracy, "accuracy");
        if (!acc)
            throw InputError(where + ": accuracy: missing");
        e.accuracy = *acc;
        e.lo = number(lo, "accuracy_lo");
        e.hi = number(hi, "accuracy_hi");
        for (auto [v, name] : {std::pair{std::optional<double>(e.accuracy), "accuracy"}, {e.lo, "accuracy_lo"}, {e.hi, "accuracy_hi"}})
            if (v && !(*v >= 0.0 && *v <= 1.0))
                throw InputError(where + ": " + name + ": must be a fraction in 0..1, got " + formatCsvNumber(*v));
        const auto w = number(width, "width");
        if (!w)
            throw InputError(where + ": width: missing");
        try {
            checkWidth(*w);
        } catch (const InputError& err) {
            throw InputError(where + ": " + err.what());
        }
        std::string s;
        try {
            s = canonicalStrategy(row.cells[strategy]);
        } catch (const InputError& err) {
            throw InputError(where + ": " + err.what());
        }
        const Key key{row.cells[network], widthKey(*w), s};
        if (auto it = t.m_entries.find(key); it != t.m_entries.end())
            throw InputError(where + ": duplicate of line " + std::to_string(it->second.line) + " ("
                             + echo(row.cells[network]) + ", " + echo(row.cells[width]) + ", " + s + ")");
        t.m_entries.emplace(key, e);
    }
    return t;
}

const AccuracyTable::Entry* AccuracyTable::find(const std::string& network, double width, const std::string& strategy) const
{
    const auto it = m_entries.find(Key{network, widthKey(width), strategy});
    return it == m_entries.end() ? nullptr : &it->second;
}

std::vector<std::string> AccuracyTable::unmatched(const std::vector<DesignPoint>& points) const
{
    std::set<Key> used;
    for (const DesignPoint& p : points)
        used.insert(Key{p.network, widthKey(p.width), p.strategy});
    std::vector<std::pair<int, std::string>> out;
    for (const auto& [key, e] : m_entries)
        if (!used.count(key))
            out.emplace_back(e.line, m_source + ":" + std::to_string(e.line) + ": matches no design point of this sweep ("
                                         + "network " + echo(std::get<0>(key)) + ", width "
                                         + formatCsvNumber(double(std::get<1>(key)) / 1e6) + ", strategy "
                                         + std::get<2>(key) + ")");
    std::sort(out.begin(), out.end());
    std::vector<std::string> lines;
    for (auto& [line, text] : out)
        lines.push_back(std::move(text));
    return lines;
}

std::vector<std::string> summarizeWarnings(const std::vector<std::string>& warnings, size_t maxLines)
{
    if (warnings.size() <= maxLines)
        return warnings;
    std::vector<std::string> out(warnings.begin(), warnings.begin() + std::ptrdiff_t(maxLines - 1));
    out.push_back("... and " + std::to_string(warnings.size() - (maxLines - 1)) + " more like these");
    return out;
}

Sweep::Sweep(const NetworkSpec& network, std::vector<double> widths, const std::vector<std::string>& strategies)
{
    if (widths.empty())
        throw InputError("widths: the list is empty");
    if (strategies.empty())
        throw InputError("strategies: the list is empty");
    if (widths.size() * strategies.size() > kMaxSweepPoints)
        throw InputError("sweep: " + std::to_string(widths.size()) + " widths x " + std::to_string(strategies.size())
                         + " strategies is more than " + std::to_string(kMaxSweepPoints) + " design points");
    m_network = network.name;
    std::vector<QuantStrategy> parsed;
    for (const std::string& s : strategies)
        parsed.push_back(QuantStrategy::parse(s));
    for (double w : widths) {
        checkWidth(w);
        const Graph g = Graph::build(network, w);
        for (const QuantStrategy& s : parsed)
            m_points.push_back({w, s, g, assignPrecision(g, s)});
    }
}

bool Sweep::cost(const Hardware& hw, Objective objective, MappingCache& cache, std::vector<DesignPoint>& out,
                 const ProgressFn& progress, const CancelToken* cancel) const
{
    validateHardware(hw);
    std::vector<DesignPoint> points(m_points.size());
    std::atomic<size_t> done{0};
    std::atomic<bool> stopped{false};
    std::exception_ptr error;
    std::atomic<bool> failed{false};
    tbb::parallel_for(size_t(0), m_points.size(), [&](size_t i) {
        if (stopped || failed || (cancel && cancel->cancelled())) {
            stopped = stopped || (cancel && cancel->cancelled());
            return;
        }
        const Point& pt = m_points[i];
        DesignPoint& d = points[i];
        try {
            const NetworkCost c = costNetwork(pt.graph, pt.precision, hw, {objective}, &cache);
            d.network = m_network;
            d.width = pt.width;
            d.strategy = pt.strategy.name;
            d.energyPj = c.total.energyPj();
            d.macPj = c.total.macPj;
            d.rfPj = c.total.rfPj;
            d.sramPj = c.total.sramPj;
            d.dramPj = c.total.dramPj;
            d.otherPj = c.total.otherPj();
            d.latencyCycles = c.total.latencyCycles;
            d.macs = c.macs;
            d.bops = c.bops;
            d.weightBits = c.weightBits;
        } catch (...) {
            if (!failed.exchange(true))
                error = std::current_exception();
            return;
        }
        const size_t n = ++done;
        if (progress)
            progress(double(n) / double(m_points.size()));
    });
    if (failed)
        std::rethrow_exception(error);
    if (stopped || (cancel && cancel->cancelled()))
        return false;
    out = std::move(points);
    return true;
}

void markPareto(std::vector<DesignPoint>& points)
{
    for (DesignPoint& p : points)
        p.pareto = false;
    for (int i : paretoFrontier(points, CostAxis::Energy))
        points[i].pareto = true;
}

void applyAccuracy(std::vector<DesignPoint>& points, const AccuracyTable& table)
{
    for (DesignPoint& p : points)
        if (const AccuracyTable::Entry* e = table.find(p.network, p.width, p.strategy)) {
            p.accuracy = e->accuracy;
            p.accuracyLo = e->lo;
            p.accuracyHi = e->hi;
        }
    markPareto(points);
}

std::vector<double> parseWidthList(const std::string& text)
{
    std::vector<double> out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) {
        if (out.size() == kMaxListItems)
            throw InputError("widths: more than " + std::to_string(kMaxListItems) + " values");
        const auto v = parseCsvNumber(item);
        if (!v)
            throw InputError("widths: '" + echo(item) + "' is not a number (e.g. --widths 0.35,0.5,1.0)");
        checkWidth(*v);
        out.push_back(*v);
    }
    if (out.empty())
        throw InputError("widths: the list is empty (e.g. --widths 0.35,0.5,1.0)");
    return out;
}

std::vector<std::string> parseNameList(const std::string& text, const char* option)
{
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string item; std::getline(ss, item, ',');) {
        if (out.size() == kMaxListItems)
            throw InputError(std::string(option) + ": more than " + std::to_string(kMaxListItems) + " values");
        if (!item.empty())
            out.push_back(item);
    }
    if (out.empty())
        throw InputError(std::string(option) + ": the list is empty");
    return out;
}

} // namespace poq
