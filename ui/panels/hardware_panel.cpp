// HardwarePanel: sliders built from the hardware parameter rows.
#include "panels/hardware_panel.h"

#include "hw/hardware_io.h"
#include "hw/hw_params.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace poq::ui {

namespace {
constexpr int kSteps = 1000; // log rows: 1.4 % per step over six decades

// A spin box that keeps what is typed: values are shown with up to 7 significant digits instead
// of a fixed number of decimals (which rounded 0.05625 pJ/bit to 0.0563), and arrow steps are
// a tenth of the value's decade on log rows.
class ValueSpinBox : public QDoubleSpinBox {
public:
    explicit ValueSpinBox(bool integer)
    {
        setDecimals(integer ? 0 : 9);
    }
    QString textFromValue(double v) const override
    {
        return decimals() == 0 ? locale().toString(v, 'f', 0) : locale().toString(v, 'g', 7);
    }
    double valueFromText(const QString& text) const override
    {
        QString t = text;
        if (!suffix().isEmpty() && t.endsWith(suffix()))
            t.chop(suffix().size());
        return locale().toDouble(t.trimmed());
    }
    QValidator::State validate(QString& text, int&) const override
    {
        QString t = text;
        if (!suffix().isEmpty() && t.endsWith(suffix()))
            t.chop(suffix().size());
        t = t.trimmed();
        if (t.isEmpty() || t == "-" || t.endsWith('e') || t.endsWith('E') || t.endsWith(locale().decimalPoint()))
            return QValidator::Intermediate;
        bool ok = false;
        locale().toDouble(t, &ok);
        return ok ? QValidator::Acceptable : QValidator::Invalid;
    }
};
}

HardwarePanel::HardwarePanel(QWidget* parent) : QWidget(parent), m_preset(new QComboBox(this)), m_modified(new QLabel(this))
{
    for (const std::string& p : hardwarePresets())
        m_preset->addItem(QString::fromStdString(p));
    auto* resetAll = new QPushButton(tr("Reset all"), this);
    resetAll->setToolTip(tr("Every parameter back to the preset's value"));
    auto* top = new QHBoxLayout;
    auto* presetLabel = new QLabel(tr("&Preset"), this);
    presetLabel->setBuddy(m_preset);
    top->addWidget(presetLabel);
    top->addWidget(m_preset, 1);
    top->addWidget(resetAll);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    // Rows shrink to the panel (labels wrap, sliders narrow): no horizontal scrolling at 1280 px.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_rowsHost = new QWidget;
    m_rowsLayout = new QVBoxLayout(m_rowsHost);
    m_rowsLayout->setContentsMargins(2, 2, 2, 2);
    scroll->setWidget(m_rowsHost);

    auto* load = new QPushButton(tr("Load…"), this);
    load->setToolTip(tr("Load a hardware JSON file (the files `poq --hw` reads)"));
    auto* save = new QPushButton(tr("Save…"), this);
    save->setToolTip(tr("Save this hardware as a JSON file for `poq --hw`"));
    auto* files = new QHBoxLayout;
    files->addWidget(m_modified, 1);
    files->addWidget(load);
    files->addWidget(save);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(files);
    layout->addWidget(scroll, 1);
    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load hardware"), m_lastDir, tr("Hardware (*.json)"));
        if (path.isEmpty())
            return;
        m_lastDir = QFileInfo(path).absolutePath();
        QString error;
        if (!loadHardware(path, &error))
            m_modified->setText(error);
    });
    connect(save, &QPushButton::clicked, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save hardware"),
                                                    m_lastDir + "/" + QString::fromStdString(m_hw.name) + ".json",
                                                    tr("Hardware (*.json)"));
        if (path.isEmpty())
            return;
        if (QFileInfo(path).suffix().isEmpty())
            path += ".json";
        m_lastDir = QFileInfo(path).absolutePath();
        QString error;
        if (!saveHardwareFile(path, &error))
            m_modified->setText(error);
    });

    connect(resetAll, &QPushButton::clicked, this, &HardwarePanel::resetAll);
    connect(m_preset, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        QString error;
        if (!m_updating && !name.isEmpty() && QString::fromStdString(m_hw.name) != name)
            loadHardware(name, &error);
    });
    const int def = m_preset->findText(QString::fromUtf8(kDefaultPreset));
    QString error;
    loadHardware(def >= 0 ? m_preset->itemText(def) : m_preset->itemText(0), &error);
}

bool HardwarePanel::loadHardware(const QString& presetOrPath, QString* error)
{
    try {
        setHardware(poq::loadHardware(presetOrPath.toStdString()));
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

void HardwarePanel::restoreHardware(const Hardware& hw)
{
    bool samePreset = hw.name == m_preset0.name && hw.levels.size() == m_preset0.levels.size();
    for (size_t l = 0; samePreset && l < hw.levels.size(); ++l)
        samePreset = hw.levels[l].name == m_preset0.levels[l].name;
    if (!samePreset) {
        setHardware(hw);
        return;
    }
    m_hw = hw;
    rebuildRows();
    emit hardwareChanged(m_hw);
}

void HardwarePanel::setHardware(const Hardware& hw)
{
    m_hw = hw;
    m_preset0 = hw;
    m_updating = true;
    const QString name = QString::fromStdString(hw.name);
    if (m_preset->findText(name) < 0)
        m_preset->addItem(name);
    m_preset->setCurrentText(name);
    m_updating = false;
    rebuildRows();
    emit hardwareChanged(m_hw);
}

int HardwarePanel::toSlider(const Row& r, double v) const
{
    if (r.pow2)
        return int(std::lround(std::log2(std::max(v, 1.0))));
    if (r.log) {
        const double lo = std::log(std::max(r.min, 1e-12)), hi = std::log(r.max);
        return int(std::lround((std::log(std::max(v, 1e-12)) - lo) / (hi - lo) * kSteps));
    }
    return int(std::lround((v - r.min) / (r.max - r.min) * kSteps));
}

double HardwarePanel::fromSlider(const Row& r, int pos) const
{
    if (r.pow2)
        return std::ldexp(1.0, pos);
    const double t = double(pos) / kSteps;
    if (r.log) {
        const double lo = std::log(std::max(r.min, 1e-12)), hi = std::log(r.max);
        return std::exp(lo + t * (hi - lo));
    }
    return r.min + t * (r.max - r.min);
}

void HardwarePanel::rebuildRows()
{
    while (QLayoutItem* item = m_rowsLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_rows.clear();
    std::map<std::string, QGridLayout*> groups;
    std::vector<std::string> order;
    for (const HwParam& p : hardwareParameters(m_hw)) {
        if (!groups.count(p.group)) {
            auto* box = new QGroupBox(QString::fromStdString(p.group), m_rowsHost);
            box->setCheckable(false);
            groups[p.group] = new QGridLayout(box);
            groups[p.group]->setColumnStretch(1, 1);
            m_rowsLayout->addWidget(box);
        }
        QGridLayout* grid = groups[p.group];
        const int r = grid->rowCount();
        Row row;
        row.min = p.min;
        row.max = p.max;
        row.log = p.logScale && p.min > 0;
        row.presetValue = getParam(m_preset0, p.key); // resets go back to the preset as loaded
        const double current = paramValue(m_hw, p);
        const QString key = QString::fromStdString(p.key);
        const QString tip = tr("%1 (%2)\nDefault %3 %4, range %5..%6\nSource: %7")
                                .arg(QString::fromStdString(p.label), key).arg(p.defaultValue)
                                .arg(QString::fromStdString(p.unit)).arg(p.min).arg(p.max)
                                .arg(QString::fromStdString(p.source));
        const QString name = p.scope == ParamScope::PerClass ? key.section('.', 1, 1) + " " + QString::fromStdString(p.label).toLower()
                                                               : QString::fromStdString(p.label);
        auto* label = new QLabel(name);
        label->setToolTip(tip);
        label->setWordWrap(true);
        label->setMinimumWidth(60);
        row.label = label;
        row.name = name;
        auto* reset = new QToolButton;
        reset->setText(QStringLiteral("↺"));
        reset->setToolTip(tr("Reset to %1").arg(row.presetValue));
        const std::string k = p.key;
        connect(reset, &QToolButton::clicked, this, [this, k] { applyValue(k, m_rows.at(k).presetValue); });
        if (p.unit == "0/1" || !p.choices.empty()) {
            // On/off parameters as check boxes, choices as a list of their names.
            grid->addWidget(label, r, 0);
            if (p.unit == "0/1") {
                row.check = new QCheckBox(tr("on"));
                row.check->setObjectName(key);
                row.check->setToolTip(tip);
                row.check->setChecked(current >= 1);
                grid->addWidget(row.check, r, 1, 1, 2);
                connect(row.check, &QCheckBox::toggled, this, [this, k](bool on) {
                    if (!m_updating)
                        applyValue(k, on ? 1 : 0);
                });
            } else {
                row.choice = new QComboBox;
                row.choice->setObjectName(key);
                row.choice->setToolTip(tip);
                for (const std::string& c : p.choices)
                    row.choice->addItem(QString::fromStdString(c));
                row.choice->setCurrentIndex(int(current));
                grid->addWidget(row.choice, r, 1, 1, 2);
                connect(row.choice, &QComboBox::currentIndexChanged, this, [this, k](int i) {
                    if (!m_updating && i >= 0)
                        applyValue(k, i);
                });
            }
            grid->addWidget(reset, r, 3);
            m_rows[p.key] = row;
            continue;
        }
        row.slider = new QSlider(Qt::Horizontal);
        row.pow2 = p.unit == "B" && p.min >= 1;
        if (row.pow2) // a typed value between powers of two stays: the slider shows the nearest
            row.slider->setRange(int(std::ceil(std::log2(p.min))), int(std::floor(std::log2(p.max))));
        else
            row.slider->setRange(0, kSteps);
        row.slider->setToolTip(tip);
        row.slider->setObjectName(key);
        row.slider->setMinimumWidth(40);
        row.spin = new ValueSpinBox(p.step >= 1);
        row.spin->setMaximumWidth(150);
        row.spin->setRange(p.min, p.max);
        if (row.log && p.step < 1)
            row.spin->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
        else
            row.spin->setSingleStep(p.step >= 1 ? 1 : std::max(p.step, row.presetValue / 20));
        row.spin->setSuffix(" " + QString::fromStdString(p.unit));
        row.spin->setToolTip(tip);
        row.spin->setKeyboardTracking(false);
        grid->addWidget(label, r, 0);
        grid->addWidget(row.slider, r, 1);
        grid->addWidget(row.spin, r, 2);
        grid->addWidget(reset, r, 3);
        m_rows[p.key] = row;
        row.slider->setValue(toSlider(row, current));
        row.spin->setValue(current);
        connect(row.slider, &QSlider::valueChanged, this, [this, k](int pos) {
            if (m_updating)
                return;
            const Row& rr = m_rows.at(k);
            double v = fromSlider(rr, pos);
            if (rr.spin->decimals() == 0)
                v = std::round(v);
            applyValue(k, v);
        });
        connect(row.spin, &QDoubleSpinBox::valueChanged, this, [this, k](double v) {
            if (!m_updating)
                applyValue(k, v);
        });
    }
    m_rowsLayout->addStretch(1);
    // The panel never gets narrower than its rows: a squeezed dock would cut the spin boxes off
    // (there is no horizontal scrolling).
    if (auto* scroll = qobject_cast<QScrollArea*>(m_rowsHost->parentWidget() ? m_rowsHost->parentWidget()->parentWidget() : nullptr))
        scroll->setMinimumWidth(m_rowsHost->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width()
                                + 2 * scroll->frameWidth());
    markModified();
}

void HardwarePanel::showValue(Row& r, double value)
{
    m_updating = true;
    if (r.slider)
        r.slider->setValue(toSlider(r, value));
    if (r.spin)
        r.spin->setValue(value);
    if (r.check)
        r.check->setChecked(value >= 1);
    if (r.choice)
        r.choice->setCurrentIndex(int(value));
    m_updating = false;
}

QStringList HardwarePanel::modifiedKeys() const
{
    QStringList keys;
    for (const HwParam& p : hardwareParameters(m_hw))
        if (paramValue(m_hw, p) != getParam(m_preset0, p.key))
            keys << QString::fromStdString(p.key);
    return keys;
}

QString HardwarePanel::presetText() const { return m_modified->text(); }

void HardwarePanel::markModified()
{
    const QStringList keys = modifiedKeys();
    for (auto& [key, row] : m_rows) {
        const bool edited = keys.contains(QString::fromStdString(key));
        if (row.label)
            row.label->setText(edited ? QStringLiteral("● ") + row.name : row.name);
    }
    const QString name = QString::fromStdString(m_hw.name);
    QString text = name;
    if (keys.size() == 1)
        text = tr("%1 (modified: 1 parameter)").arg(name);
    else if (keys.size() > 1)
        text = tr("%1 (modified: %2 parameters)").arg(name).arg(keys.size());
    m_modified->setText(text);
    m_modified->setToolTip(keys.isEmpty() ? tr("Every parameter at the preset's value") : keys.join("\n"));
}

bool HardwarePanel::saveHardwareFile(const QString& path, QString* error)
{
    try {
        poq::saveHardwareFile(m_hw, path.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

void HardwarePanel::applyValue(const std::string& key, double value)
{
    Hardware next = m_hw;
    try {
        setParam(next, key, value);
        validateHardware(next);
    } catch (const std::exception&) {
        // Out of range (only reachable through rounding at the ends): keep the current value.
        value = getParam(m_hw, key);
        next = m_hw;
    }
    m_hw = next;
    showValue(m_rows.at(key), value);
    markModified();
    emit hardwareChanged(m_hw);
}

bool HardwarePanel::setValue(const QString& key, double value, QString* error)
{
    Hardware next = m_hw;
    try {
        setParam(next, key.toStdString(), value);
        validateHardware(next);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    applyValue(key.toStdString(), value);
    return true;
}

void HardwarePanel::resetAll()
{
    m_hw = m_preset0;
    rebuildRows();
    emit hardwareChanged(m_hw);
}

QSlider* HardwarePanel::slider(const QString& key) const
{
    const auto it = m_rows.find(key.toStdString());
    return it == m_rows.end() ? nullptr : it->second.slider;
}

QDoubleSpinBox* HardwarePanel::spinBox(const QString& key) const
{
    const auto it = m_rows.find(key.toStdString());
    return it == m_rows.end() ? nullptr : it->second.spin;
}

QCheckBox* HardwarePanel::checkBox(const QString& key) const
{
    const auto it = m_rows.find(key.toStdString());
    return it == m_rows.end() ? nullptr : it->second.check;
}

QComboBox* HardwarePanel::choiceBox(const QString& key) const
{
    const auto it = m_rows.find(key.toStdString());
    return it == m_rows.end() ? nullptr : it->second.choice;
}

} // namespace poq::ui
