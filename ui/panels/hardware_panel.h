// Right panel: the hardware preset and every hardware parameter as a slider with a spin box, its
// unit, a reset to the preset value and a tooltip with the source of the default; grouped by level.
// Rows come from core's parameter table, so a new parameter appears here by itself. GUI thread only.
#pragma once

#include "hw/hardware.h"

#include <QStringList>
#include <QWidget>

#include <map>
#include <string>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QVBoxLayout;

namespace poq::ui {

class HardwarePanel : public QWidget {
    Q_OBJECT
public:
    explicit HardwarePanel(QWidget* parent = nullptr);

    const Hardware& hardware() const { return m_hw; }
    // Selects a preset by name or loads a hardware file; false with a message on bad input.
    bool loadHardware(const QString& presetOrPath, QString* error);
    // Takes a complete hardware description (e.g. from a session); resets go back to it.
    void setHardware(const Hardware& hw);
    // Takes hardware edited from the current preset (undo): resets and markers stay relative to it.
    void restoreHardware(const Hardware& hw);
    // Sets one parameter (as a slider move would); false with the range message on bad values.
    bool setValue(const QString& key, double value, QString* error = nullptr);
    void resetAll();
    QComboBox* presetCombo() const { return m_preset; }
    QSlider* slider(const QString& key) const;       // numeric rows
    QDoubleSpinBox* spinBox(const QString& key) const;
    QCheckBox* checkBox(const QString& key) const;   // on/off rows
    QComboBox* choiceBox(const QString& key) const;  // choice rows (network.fusion)
    // Parameters that differ from the preset as loaded, and the line that says so under the preset
    // ("edge-npu (modified: 2 parameters)").
    QStringList modifiedKeys() const;
    QString presetText() const;
    // Writes the hardware as a JSON file `--hw` reads (atomically); false with a message.
    bool saveHardwareFile(const QString& path, QString* error);

signals:
    void hardwareChanged(const poq::Hardware& hw);

private:
    struct Row {
        QSlider* slider = nullptr;
        QDoubleSpinBox* spin = nullptr;
        QCheckBox* check = nullptr;
        QComboBox* choice = nullptr;
        QLabel* label = nullptr;
        QString name;
        double min = 0, max = 1;
        bool log = false;
        bool pow2 = false; // capacities: the slider steps through powers of two
        double presetValue = 0;
    };
    void rebuildRows();
    void applyValue(const std::string& key, double value);
    void showValue(Row& r, double value);
    void markModified();
    int toSlider(const Row& r, double v) const;
    double fromSlider(const Row& r, int pos) const;

    Hardware m_hw;
    Hardware m_preset0; // the preset as loaded, for resets
    QComboBox* m_preset;
    QLabel* m_modified;
    QWidget* m_rowsHost;
    QVBoxLayout* m_rowsLayout;
    std::map<std::string, Row> m_rows;
    bool m_updating = false;
    QString m_lastDir; // the folder of the last hardware file loaded or saved
};

} // namespace poq::ui
