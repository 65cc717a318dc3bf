// Plain-text table rendering for the CLI.
#include "util/text_table.h"

#include "util/display_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace poq {

TextTable::TextTable(std::vector<std::string> header, std::vector<bool> rightAligned)
    : m_header(std::move(header)), m_right(std::move(rightAligned))
{
    m_right.resize(m_header.size(), false);
}

void TextTable::addRow(std::vector<std::string> cells)
{
    cells.resize(m_header.size());
    for (std::string& c : cells)
        c = escapeControls(c); // names come from users' files
    m_rows.push_back(std::move(cells));
}

void TextTable::addSeparator() { m_rows.emplace_back(); }

std::string TextTable::str() const
{
    std::vector<size_t> widths(m_header.size());
    for (size_t i = 0; i < m_header.size(); ++i)
        widths[i] = m_header[i].size();
    for (const auto& row : m_rows)
        for (size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (size_t i = 0; i < cells.size(); ++i) {
            const std::string pad(widths[i] - cells[i].size(), ' ');
            out += m_right[i] ? pad + cells[i] : cells[i] + pad;
            if (i + 1 < cells.size())
                out += "  ";
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out + "\n";
    };
    size_t total = 0;
    for (size_t w : widths)
        total += w + 2;
    const std::string rule(total > 2 ? total - 2 : 0, '-');
    std::string out = line(m_header) + rule + "\n";
    for (const auto& row : m_rows)
        out += row.empty() ? rule + "\n" : line(row);
    return out;
}

std::string withThousands(int64_t value)
{
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    int n = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++n) {
        if (n > 0 && n % 3 == 0)
            out.push_back(',');
        out.push_back(*it);
    }
    if (value < 0)
        out.push_back('-');
    std::reverse(out.begin(), out.end());
    return out;
}

std::string humanCount(double value)
{
    static const char* suffix[] = {"", " k", " M", " G", " T", " P"};
    int i = 0;
    while (std::fabs(value) >= 1000.0 && i < 5) {
        value /= 1000.0;
        ++i;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, i == 0 ? "%.0f%s" : "%.1f%s", value, suffix[i]);
    return buf;
}

} // namespace poq
