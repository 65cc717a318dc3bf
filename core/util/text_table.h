// Plain-text tables for the CLI: columns padded to their widest cell, numbers right-aligned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace poq {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> header, std::vector<bool> rightAligned = {});
    void addRow(std::vector<std::string> cells);
    void addSeparator();
    std::string str() const;

private:
    std::vector<std::string> m_header;
    std::vector<bool> m_right;
    std::vector<std::vector<std::string>> m_rows; // empty row = separator
};

// 1234567 -> "1,234,567"
std::string withThousands(int64_t value);
// 300774272 -> "300.8 M"
std::string humanCount(double value);

} // namespace poq
