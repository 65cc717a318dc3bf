// Compare two strategies of the current sweep: iso-accuracy energy ratio and iso-energy accuracy
// gain (core/explore), updated with every new result. GUI thread only.
#pragma once

#include "explore/design_point.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;

namespace poq::ui {

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparePanel(QWidget* parent = nullptr);
    void setPoints(const std::vector<DesignPoint>& points);
    QComboBox* baseline() const { return m_baseline; }
    QComboBox* candidate() const { return m_candidate; }
    QString resultText() const;

private:
    void update();
    std::vector<DesignPoint> m_points;
    QComboBox* m_baseline;
    QComboBox* m_candidate;
    QLabel* m_result;
};

} // namespace poq::ui
