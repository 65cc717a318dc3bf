// CSV reading and the sweep file format.
#include "explore/csv.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "util/atomic_file.h"
#include "graph/layer.h"
#include "graph/width.h"
#include "util/display_text.h"
#include "util/error.h"
#include "util/input_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace poq {

int CsvTable::column(const std::string& name) const
{
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name)
            return static_cast<int>(i);
    return -1;
}

CsvTable parseCsvText(const std::string& input, const std::string& src)
{
    // Spreadsheets write a UTF-8 byte-order mark and old Macs end lines with CR alone: accept both.
    const std::string_view text = std::string_view(input).substr(input.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0);
    CsvTable t;
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false, any = false;
    int line = 1, rowLine = 1;
    auto endRow = [&] {
        cells.push_back(cell);
        cell.clear();
        const bool blank = cells.size() == 1 && cells[0].empty();
        if (!blank) {
            if (t.header.empty()) {
                for (size_t a = 0; a < cells.size(); ++a)
                    for (size_t b = 0; b < a; ++b)
                        if (!cells[a].empty() && cells[a] == cells[b])
                            throw InputError(src + ":" + std::to_string(rowLine) + ": column '" + echo(cells[a])
                                             + "' named twice (columns " + std::to_string(b + 1) + " and "
                                             + std::to_string(a + 1) + ")");
                t.header = cells;
            }
            else if (cells.size() != t.header.size())
                throw InputError(src + ":" + std::to_string(rowLine) + ": expected " + std::to_string(t.header.size())
                                 + " cells, got " + std::to_string(cells.size()));
            else
                t.rows.push_back({rowLine, cells});
        }
        cells.clear();
        any = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (!any) {
            rowLine = line;
            any = true;
        }
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                if (ch == '\n' || (ch == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')))
                    ++line;
                cell += ch;
            }
        } else if (ch == '"' && cell.empty()) {
            quoted = true;
        } else if (ch == ',') {
            cells.push_back(cell);
            cell.clear();
        } else if (ch == '\n' || (ch == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
            ++line; // LF, CR LF (the CR is skipped below) or a lone CR ends the row
            endRow();
        } else if (ch != '\r') {
            cell += ch;
        }
    }
    if (quoted)
        throw InputError(src + ":" + std::to_string(rowLine) + ": unterminated quote");
    if (any)
        endRow();
    if (t.header.empty())
        throw InputError(src + ": empty file (expected a header line)");
    return t;
}

std::optional<double> parseCsvNumber(const std::string& text)
{
    size_t b = 0, e = text.size();
    while (b < e && text[b] == ' ')
        ++b;
    while (e > b && text[e - 1] == ' ')
        --e;
    if (b == e)
        return std::nullopt;
    double v = 0;
    const char* first = text.data() + b + (text[b] == '+' ? 1 : 0);
    const auto [ptr, ec] = std::from_chars(first, text.data() + e, v);
    if (ec != std::errc() || ptr != text.data() + e || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::string formatCsvNumber(double v)
{
    char buf[64];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, ptr) : std::to_string(v);
}

std::string sweepToCsv(const std::vector<DesignPoint>& points)
{
    std::string out = std::string(kSweepColumns) + "\n";
    auto opt = [](const std::optional<double>& v) { return v ? formatCsvNumber(*v) : std::string(); };
    // Quoted when it holds a comma, a quote or a line break: LF, and CR, which ends a row on its own.
    auto cell = [](const std::string& text) {
        if (text.find_first_of(",\"\n\r") == std::string::npos)
            return text;
        std::string q = "\"";
        for (char c : text)
            q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    for (const DesignPoint& p : points) {
        out += cell(p.network) + "," + formatCsvNumber(p.width) + "," + cell(p.strategy) + "," + opt(p.accuracy) + ","
               + opt(p.accuracyLo) + "," + opt(p.accuracyHi) + "," + formatCsvNumber(p.energyPj) + "," + formatCsvNumber(p.macPj) + ","
               + formatCsvNumber(p.rfPj) + "," + formatCsvNumber(p.sramPj) + "," + formatCsvNumber(p.dramPj) + ","
               + formatCsvNumber(p.otherPj) + "," + formatCsvNumber(p.latencyCycles) + "," + std::to_string(p.macs) + ","
               + formatCsvNumber(p.bops) + "," + formatCsvNumber(p.weightBits) + "," + (p.pareto ? "1" : "0") + ","
               + formatCsvNumber(p.edp()) + "\n";
    }
    return out;
}

void writeSweepCsv(const std::vector<DesignPoint>& points, const std::string& path)
{
    writeFileAtomically(path, sweepToCsv(points));
}

std::string sweepToJson(const std::vector<DesignPoint>& points)
{
    using json = nlohmann::ordered_json;
    auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(); };
    json j = json::array();
    for (const DesignPoint& p : points)
        j.push_back({{"network", p.network}, {"width", p.width}, {"strategy", p.strategy}, {"accuracy", opt(p.accuracy)},
                     {"accuracyLo", opt(p.accuracyLo)}, {"accuracyHi", opt(p.accuracyHi)}, {"energyPj", p.energyPj},
                     {"macPj", p.macPj}, {"rfPj", p.rfPj}, {"sramPj", p.sramPj}, {"dramPj", p.dramPj},
                     {"otherPj", p.otherPj}, {"latencyCycles", p.latencyCycles}, {"macs", p.macs}, {"bops", p.bops},
                     {"weightBits", p.weightBits}, {"pareto", p.pareto}, {"edp", p.edp()}});
    return j.dump(1) + "\n";
}

void writeSweepFile(const std::vector<DesignPoint>& points, const std::string& path)
{
    const bool asJson = path.size() >= 5 && std::equal(path.end() - 5, path.end(), ".json", [](char a, char b) {
                            return std::tolower(static_cast<unsigned char>(a)) == b;
                        });
    writeFileAtomically(path, asJson ? sweepToJson(points) : sweepToCsv(points));
}

std::vector<DesignPoint> readSweepCsv(const std::string& path) { return parseSweepCsv(readInputFile(path, InputFileKind::SweepCsv), path); }

std::vector<DesignPoint> parseSweepCsv(const std::string& text, const std::string& src)
{
    const CsvTable t = parseCsvText(text, src);
    static const char* const kRequired[] = {"network", "width", "strategy", "accuracy", "energy_pj", "latency_cycles",
                                            "macs", "bops", "weight_bits"};
    for (const char* c : kRequired)
        if (t.column(c) < 0)
            throw InputError(src + ":1: missing column '" + c + "' (a sweep file from poq sweep has " + kSweepColumns + ")");
    std::vector<DesignPoint> out;
    for (const CsvRow& row : t.rows) {
        const std::string where = src + ":" + std::to_string(row.line);
        auto num = [&](const char* name, bool required) -> std::optional<double> {
            const int c = t.column(name);
            if (c < 0 || row.cells[c].empty()) {
                if (required)
                    throw InputError(where + ": " + name + ": missing");
                return std::nullopt;
            }
            const auto v = parseCsvNumber(row.cells[c]);
            if (!v)
                throw InputError(where + ": " + name + ": '" + echo(row.cells[c]) + "' is not a number");
            if (*v < 0)
                throw InputError(where + ": " + name + ": must not be negative, got " + formatCsvNumber(*v));
            return v;
        };
        DesignPoint p;
        p.network = row.cells[t.column("network")];
        p.width = *num("width", true);
        try {
            checkWidth(p.width);
        } catch (const InputError& e) {
            throw InputError(where + ": " + e.what());
        }
        p.strategy = row.cells[t.column("strategy")];
        p.accuracy = num("accuracy", false);
        p.accuracyLo = num("accuracy_lo", false);
        p.accuracyHi = num("accuracy_hi", false);
        if (p.accuracy && !(*p.accuracy >= 0 && *p.accuracy <= 1))
            throw InputError(where + ": accuracy: must be a fraction in 0..1, got " + formatCsvNumber(*p.accuracy));
        p.energyPj = *num("energy_pj", true);
        if (!(p.energyPj > 0))
            throw InputError(where + ": energy_pj: must be positive");
        p.macPj = num("mac_pj", false).value_or(0);
        p.rfPj = num("rf_pj", false).value_or(0);
        p.sramPj = num("sram_pj", false).value_or(0);
        p.dramPj = num("dram_pj", false).value_or(0);
        p.otherPj = num("other_pj", false).value_or(0);
        p.latencyCycles = *num("latency_cycles", true);
        const double macs = *num("macs", true);
        if (macs > double(kMaxCount) || macs != std::floor(macs))
            throw InputError(where + ": macs: must be a whole number up to 2^53, got " + formatCsvNumber(macs));
        p.macs = static_cast<int64_t>(macs);
        p.bops = *num("bops", true);
        p.weightBits = *num("weight_bits", true);
        p.pareto = num("pareto", false).value_or(0) != 0;
        out.push_back(p);
    }
    return out;
}

} // namespace poq
