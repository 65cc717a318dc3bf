// The accuracy-vs-cost scatter (QCustomPlot): one colour and marker per strategy, width labels,
// the Pareto frontier as a step line, points off the frontier dimmed. Shared by the window and
// `poq plot` (offscreen), so figures from scripts match the GUI. GUI thread only.
#pragma once

#include "explore/design_point.h"

#include <QColor>
#include <QString>
#include <QWidget>

#include <string>
#include <vector>

class QCustomPlot;
class QMenu;
class QCPItemText;
class QCPTextElement;

namespace poq::ui {

// Writes any QCustomPlot as .svg, .png or .pdf (by extension) atomically, with an optional caption
// row under it; false with a message naming the file otherwise.
bool exportCustomPlot(QCustomPlot* plot, const QString& path, int width, int height, const QString& caption,
                      QString* error);

class FrontierPlot : public QWidget {
    Q_OBJECT
public:
    explicit FrontierPlot(QWidget* parent = nullptr);
    QCustomPlot* plot() const { return m_plot; }
    bool isEnergyAxisLog() const;
    QString title() const; // the plot's title, from the cost axis's label

    void setPoints(const std::vector<DesignPoint>& points, CostAxis axis = CostAxis::Energy);
    int strategyCount() const { return m_strategies; }
    int frontierSize() const { return m_frontier; }
    int widthLabelCount() const { return m_widthLabels; } // placed without overlapping
    // Points drawn hollow on the bottom edge because no accuracy is known for them (accuracy mode).
    const std::vector<int>& unmeasuredIndices() const { return m_unmeasured; }
    void setLogCostAxis(bool log); // linear or logarithmic cost axis (default log)
    // Stale: a re-cost is running; the plot is drawn faded so its numbers are not taken as current.
    void setStale(bool stale);
    bool isStale() const { return m_stale; }
    void resetView();

    // Writes .svg, .png or .pdf (by extension) at the given size with an optional caption line under
    // the plot; selection rings only when asked; false with a message otherwise.
    bool exportTo(const QString& path, int width, int height, QString* error, const QString& caption = {},
                  bool withSelection = false);

    // The point (index into the last setPoints) nearest to a widget position, within `radiusPx`.
    int pointAt(const QPointF& pos, double radiusPx = 10) const;
    std::vector<int> pointsAt(const QPointF& pos, double radiusPx = 10) const; // every one, nearest first
    QString pointsText(const std::vector<int>& indices) const; // the hover tooltip of several points
    QString pointText(int index) const; // every number of a point, for the hover tooltip
    void setSelection(const std::vector<int>& indices); // ringed
    // A strategy's colour and marker, fixed for the life of the plot: the usual strategies by name,
    // others in the order they first appear (toggling strategies never recolours the rest).
    QColor strategyColor(const std::string& strategy);
    int strategyShape(const std::string& strategy); // a QCPScatterStyle::ScatterShape
    const std::vector<int>& frontierIndices() const { return m_frontierIdx; }

    // The iso-accuracy line of the Compare panel's headline ratio (kept across new points).
    void setIsoAccuracy(bool valid, double accuracy, const QString& label);
    bool hasIsoAccuracyLine() const { return m_isoValid; }
    // The context menu of point `index` (right click): use its strategy as the compare baseline or
    // candidate.
    QMenu* contextMenuFor(int index);

signals:
    void pointClicked(int index, bool withShift);
    void baselineRequested(const QString& strategy);
    void candidateRequested(const QString& strategy);

private:
    QCustomPlot* m_plot;
    QCPItemText* m_emptyNote;
    QCPTextElement* m_title;
    int m_strategies = 0;
    int m_frontier = 0;
    std::vector<DesignPoint> m_points;
    std::vector<int> m_frontierIdx;
    CostAxis m_axis = CostAxis::Energy;
    bool m_anyAccuracy = false;
    bool m_log = true;
    bool m_stale = false;
    int m_legendWidth = -1; // the plot width the legend's columns were fitted to
    bool fitLegend();       // true when the column count changed
    std::vector<int> m_selected;
    bool m_isoValid = false;
    double m_isoAccuracy = 0;
    QString m_isoLabel;
    void drawIsoLine();
    std::vector<int> m_unmeasured;
    double m_unmeasuredY = 0; // where they sit
    int styleIndex(const std::string& strategy);
    struct WidthLabel {
        double x, y;
        QString text;
        QColor color;
        bool frontier;
    };
    void placeWidthLabels();
    void redrawKeepingSelection();
    QString labelGeometry() const; // the axis rect and ranges the labels were placed for
    std::vector<WidthLabel> m_labelData;
    std::vector<QCPItemText*> m_labelItems;
    QString m_labelGeometry;
    int m_widthLabels = 0;
    std::vector<std::string> m_styleOrder; // strategies not in the fixed list, as first seen
};

} // namespace poq::ui
