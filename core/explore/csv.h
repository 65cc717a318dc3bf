// CSV for sweeps: a small RFC 4180 reader (quoted fields, line numbers for errors) and the sweep
// file format (DESIGN.md's column order, plus edp).
#pragma once

#include "explore/design_point.h"

#include <optional>
#include <string>
#include <vector>

namespace poq {

struct CsvRow {
    int line = 0;
    std::vector<std::string> cells;
};

struct CsvTable {
    std::vector<std::string> header;
    std::vector<CsvRow> rows;
    int column(const std::string& name) const; // -1 when absent
};

// Throws InputError "SOURCE:LINE: ..." on an unterminated quote or a row with the wrong cell count.
CsvTable parseCsvText(const std::string& text, const std::string& sourceName);
std::optional<double> parseCsvNumber(const std::string& text); // whole cell must be a finite number
std::string formatCsvNumber(double v);                          // shortest round-trip form

inline constexpr const char* kSweepColumns =
    "network,width,strategy,accuracy,accuracy_lo,accuracy_hi,energy_pj,mac_pj,rf_pj,sram_pj,dram_pj,other_pj,"
    "latency_cycles,macs,bops,weight_bits,pareto,edp";

std::string sweepToCsv(const std::vector<DesignPoint>& points);
void writeSweepCsv(const std::vector<DesignPoint>& points, const std::string& path); // atomic
// The same points as a JSON array of objects (camelCase fields, null for a missing accuracy).
std::string sweepToJson(const std::vector<DesignPoint>& points);
// JSON when the path ends in .json, else CSV; atomic.
void writeSweepFile(const std::vector<DesignPoint>& points, const std::string& path);
// Throws InputError naming the file, line and column.
std::vector<DesignPoint> readSweepCsv(const std::string& path);
std::vector<DesignPoint> parseSweepCsv(const std::string& text, const std::string& sourceName);

} // namespace poq
