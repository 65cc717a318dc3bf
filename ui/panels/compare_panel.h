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
    // Picks (from the plot's context menu): keep the other side; swapping when they would be equal.
    void setBaseline(const QString& strategy);
    void setCandidate(const QString& strategy);

signals:
    // The accuracy at which the headline ratio holds (for the plot's iso-accuracy line), or none.
    void isoAccuracyChanged(bool valid, double accuracy, const QString& label);

private:
    void update();
    std::vector<DesignPoint> m_points;
    QString m_wantBaseline, m_wantCandidate; // the user's picks, kept while strategies come and go
    QComboBox* m_baseline;
    QComboBox* m_candidate;
    QLabel* m_result;
};

} // namespace poq::ui
