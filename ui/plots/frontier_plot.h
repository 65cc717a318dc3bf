// The accuracy-vs-energy scatter (QCustomPlot). Later issues add design points and the Pareto
// step line; for now it shows the axes, log-scale energy and an empty-state note. GUI thread only.
#pragma once

#include <QWidget>

class QCustomPlot;
class QCPItemText;

namespace poq::ui {

class FrontierPlot : public QWidget {
    Q_OBJECT
public:
    explicit FrontierPlot(QWidget* parent = nullptr);
    QCustomPlot* plot() const { return m_plot; }
    bool isEnergyAxisLog() const;
    void resetView();

private:
    QCustomPlot* m_plot;
    QCPItemText* m_emptyNote;
};

} // namespace poq::ui
