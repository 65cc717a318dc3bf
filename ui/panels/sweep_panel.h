// Left panel, below the network: which widths and strategies to sweep, the mapping objective and
// the accuracy source (none, or an imported CSV). GUI thread only.
#pragma once

#include "explore/sweep.h"
#include "hw/layer_cost.h"

#include <QWidget>

#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QLineEdit;
class QListWidget;
class QLabel;

namespace poq::ui {

class SweepPanel : public QWidget {
    Q_OBJECT
public:
    explicit SweepPanel(QWidget* parent = nullptr);

    std::vector<double> widths() const;
    std::vector<std::string> strategies() const;
    Objective objective() const;
    const std::optional<AccuracyTable>& accuracy() const { return m_accuracy; }
    bool measured() const { return m_measured; }
    // Measured accuracy: the trained models of the resources, evaluated on the test set.
    void setMeasured(bool on);
    QString accuracyFile() const { return m_accuracyFile; }

    // Checks exactly these (adding custom entries as needed); false with a message on bad values.
    bool setWidths(const std::vector<double>& widths, QString* error = nullptr);
    bool setStrategies(const std::vector<std::string>& strategies, QString* error = nullptr);
    void setObjective(Objective o);
    // Loads an accuracy CSV; on error nothing changes. An empty path selects "none".
    bool setAccuracyFile(const QString& path, QString* error);
    bool addWidth(const QString& text, QString* error);
    bool addStrategy(const QString& text, QString* error);
    QListWidget* widthList() const { return m_widths; }
    QListWidget* strategyList() const { return m_strategies; }

signals:
    void changed();
    void failed(const QString& message);

private:
    QListWidget* m_widths;
    QListWidget* m_strategies;
    QLineEdit* m_customWidth;
    QLineEdit* m_customStrategy;
    QComboBox* m_objective;
    QLabel* m_accuracyLabel;
    std::optional<AccuracyTable> m_accuracy;
    QString m_accuracyFile;
    bool m_measured = false;
};

} // namespace poq::ui
