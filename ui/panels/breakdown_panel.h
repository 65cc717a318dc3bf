// The per-layer energy breakdown of the selected design point as stacked bars (MAC, RF, SRAM,
// DRAM, element-wise, static; or by operand W/I/O), the mapping of a layer on hover, and a
// side-by-side comparison with a second point. GUI thread only.
#pragma once

#include "explore/design_point.h"
#include "hw/network_cost.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QCustomPlot;
class QLabel;

namespace poq::ui {

class BreakdownPanel : public QWidget {
    Q_OBJECT
public:
    explicit BreakdownPanel(QWidget* parent = nullptr);
    // First point: its per-layer bars; second point (optional): compared totals.
    void setPoints(const DesignPoint& a, const NetworkCost& costA, const DesignPoint* b = nullptr,
                   const NetworkCost* costB = nullptr);
    void clear();
    bool byOperand() const;
    void setByOperand(bool on);
    QCustomPlot* layerPlot() const { return m_layers; }
    QCustomPlot* totalPlot() const { return m_totals; }
    QString title() const;
    // The per-layer bars as .svg, .png or .pdf with the title and `caption` under them.
    bool exportTo(const QString& path, const QString& caption, QString* error);
    int barLayers() const { return static_cast<int>(m_shown.size()); }
    // The tooltip of bar k: energies, where the layer's output lives, its fused chain, its mapping.
    QString barToolTip(int k) const;
    // Fused chains as shaded brackets: per chain, the first and last bar it spans.
    const std::vector<std::pair<int, int>>& fusedBrackets() const { return m_brackets; }

private:
    void redraw();
    std::optional<std::pair<DesignPoint, NetworkCost>> m_a, m_b;
    std::vector<int> m_shown; // layer indices drawn
    std::vector<std::pair<int, int>> m_brackets;
    std::vector<int> m_pairOf; // per bar: the compared point's layer of the same name, or -1
    QCustomPlot* m_layers;
    QCustomPlot* m_totals;
    QCheckBox* m_operand;
    QLabel* m_title;
};

} // namespace poq::ui
