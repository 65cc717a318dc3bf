// SweepPanel: checkable width and strategy lists with custom entries, objective, accuracy source.
#include "panels/sweep_panel.h"

#include "formats/strategy.h"
#include "graph/width.h"
#include "hw/network_cost.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace poq::ui {

namespace {

const double kDefaultWidths[] = {0.25, 0.35, 0.5, 0.75, 1.0, 1.4};
const char* kDefaultChecked[] = {"fp32", "fp16", "int8", "int4", "int4+res8"};

QListWidgetItem* addCheckable(QListWidget* list, const QString& text, bool checked)
{
    auto* item = new QListWidgetItem(text, list);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    return item;
}

} // namespace

SweepPanel::SweepPanel(QWidget* parent)
    : QWidget(parent), m_widths(new QListWidget(this)), m_strategies(new QListWidget(this)),
      m_customWidth(new QLineEdit(this)), m_customStrategy(new QLineEdit(this)), m_objective(new QComboBox(this)),
      m_accuracyLabel(new QLabel(tr("none (energy only)"), this))
{
    for (double w : kDefaultWidths)
        addCheckable(m_widths, QString::number(w), true);
    for (const char* s : builtinStrategies())
        addCheckable(m_strategies, QString::fromUtf8(s),
                     std::find_if(std::begin(kDefaultChecked), std::end(kDefaultChecked),
                                  [&](const char* c) { return std::string(c) == s; }) != std::end(kDefaultChecked));
    m_widths->setMaximumHeight(130);
    m_strategies->setMaximumHeight(190);
    m_customWidth->setPlaceholderText(tr("add width, e.g. 0.6"));
    m_customStrategy->setPlaceholderText(tr("add strategy, e.g. int6+res8"));
    for (Objective o : {Objective::Energy, Objective::Latency, Objective::Edp})
        m_objective->addItem(QString::fromUtf8(objectiveName(o)));
    m_widths->setToolTip(tr("Width multipliers swept for every strategy (checked ones); each is a design point per strategy"));
    m_strategies->setToolTip(tr("Number formats swept over the widths, e.g. int4+res8: 4-bit layers, 8-bit residuals"));
    m_customWidth->setToolTip(tr("Type a width multiplier and press Enter to add it to the list"));
    m_customStrategy->setToolTip(tr("Type a strategy (FORMAT[+resBITS][+accBITS]) and press Enter to add it"));
    m_objective->setToolTip(tr("What the schedule search minimises for every layer: energy, latency or "
                               "energy-delay product"));
    m_accuracyLabel->setWordWrap(true);
    auto* importButton = new QPushButton(tr("Import CSV…"), this);
    auto* noneButton = new QPushButton(tr("None"), this);
    auto* measuredButton = new QPushButton(tr("Measured"), this);
    measuredButton->setToolTip(tr("Evaluate the trained models of the resources on the test set (cached)"));
    importButton->setToolTip(tr("Accuracies measured elsewhere: columns network,width,strategy,accuracy (0..1)"));
    noneButton->setToolTip(tr("No accuracies: the plot shows energy per width only"));

    auto* form = new QFormLayout;
    form->addRow(tr("Widths"), m_widths);
    form->addRow(QString(), m_customWidth);
    form->addRow(tr("Strategies"), m_strategies);
    form->addRow(QString(), m_customStrategy);
    form->addRow(tr("Objective"), m_objective);
    auto* acc = new QHBoxLayout;
    acc->addWidget(measuredButton);
    acc->addWidget(importButton);
    acc->addWidget(noneButton);
    form->addRow(tr("Accuracy"), m_accuracyLabel);
    form->addRow(QString(), acc);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);

    connect(m_widths, &QListWidget::itemChanged, this, &SweepPanel::changed);
    connect(m_strategies, &QListWidget::itemChanged, this, &SweepPanel::changed);
    connect(m_objective, &QComboBox::currentIndexChanged, this, &SweepPanel::changed);
    connect(m_customWidth, &QLineEdit::returnPressed, this, [this] {
        QString error;
        if (addWidth(m_customWidth->text(), &error))
            m_customWidth->clear();
        else
            emit failed(error);
    });
    connect(m_customStrategy, &QLineEdit::returnPressed, this, [this] {
        QString error;
        if (addStrategy(m_customStrategy->text(), &error))
            m_customStrategy->clear();
        else
            emit failed(error);
    });
    connect(importButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import accuracies"), QString(), tr("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !setAccuracyFile(path, &error))
            emit failed(error);
    });
    connect(noneButton, &QPushButton::clicked, this, [this] { setAccuracyFile(QString(), nullptr); });
    connect(measuredButton, &QPushButton::clicked, this, [this] { setMeasured(true); });
}

std::vector<double> SweepPanel::widths() const
{
    std::vector<double> out;
    for (int i = 0; i < m_widths->count(); ++i)
        if (m_widths->item(i)->checkState() == Qt::Checked)
            out.push_back(m_widths->item(i)->text().toDouble());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> SweepPanel::strategies() const
{
    std::vector<std::string> out;
    for (int i = 0; i < m_strategies->count(); ++i)
        if (m_strategies->item(i)->checkState() == Qt::Checked)
            out.push_back(m_strategies->item(i)->text().toStdString());
    return out;
}

Objective SweepPanel::objective() const { return parseObjective(m_objective->currentText().toStdString()); }

void SweepPanel::setObjective(Objective o) { m_objective->setCurrentText(QString::fromUtf8(objectiveName(o))); }

bool SweepPanel::addWidth(const QString& text, QString* error)
{
    bool ok = false;
    const double w = text.trimmed().toDouble(&ok);
    if (!ok || w < kMinWidth || w > kMaxWidth) {
        if (error)
            *error = tr("width: must be a number in %1..%2, got '%3'").arg(kMinWidth).arg(kMaxWidth).arg(text);
        return false;
    }
    for (int i = 0; i < m_widths->count(); ++i)
        if (m_widths->item(i)->text().toDouble() == w) {
            m_widths->item(i)->setCheckState(Qt::Checked);
            return true;
        }
    addCheckable(m_widths, QString::number(w), true);
    emit changed();
    return true;
}

bool SweepPanel::addStrategy(const QString& text, QString* error)
{
    std::string name;
    try {
        name = QuantStrategy::parse(text.trimmed().toStdString()).name;
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    const QString q = QString::fromStdString(name);
    for (int i = 0; i < m_strategies->count(); ++i)
        if (m_strategies->item(i)->text() == q) {
            m_strategies->item(i)->setCheckState(Qt::Checked);
            return true;
        }
    addCheckable(m_strategies, q, true);
    emit changed();
    return true;
}

bool SweepPanel::setWidths(const std::vector<double>& widths, QString* error)
{
    for (double w : widths)
        if (w < kMinWidth || w > kMaxWidth) {
            if (error)
                *error = tr("width: must be in %1..%2, got %3").arg(kMinWidth).arg(kMaxWidth).arg(w);
            return false;
        }
    const QSignalBlocker block(m_widths);
    for (int i = 0; i < m_widths->count(); ++i)
        m_widths->item(i)->setCheckState(Qt::Unchecked);
    for (double w : widths) {
        bool found = false;
        for (int i = 0; i < m_widths->count(); ++i)
            if (m_widths->item(i)->text().toDouble() == w) {
                m_widths->item(i)->setCheckState(Qt::Checked);
                found = true;
            }
        if (!found)
            addCheckable(m_widths, QString::number(w), true);
    }
    emit changed();
    return true;
}

bool SweepPanel::setStrategies(const std::vector<std::string>& strategies, QString* error)
{
    std::vector<std::string> names;
    try {
        for (const std::string& s : strategies)
            names.push_back(QuantStrategy::parse(s).name);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    const QSignalBlocker block(m_strategies);
    for (int i = 0; i < m_strategies->count(); ++i)
        m_strategies->item(i)->setCheckState(Qt::Unchecked);
    for (const std::string& n : names) {
        const QString q = QString::fromStdString(n);
        const auto found = m_strategies->findItems(q, Qt::MatchExactly);
        if (found.isEmpty())
            addCheckable(m_strategies, q, true);
        else
            found.first()->setCheckState(Qt::Checked);
    }
    emit changed();
    return true;
}

bool SweepPanel::setAccuracyFile(const QString& path, QString* error)
{
    if (path.isEmpty()) {
        m_measured = false;
        m_accuracy.reset();
        m_accuracyFile.clear();
        m_accuracyLabel->setText(tr("none (energy only)"));
        emit changed();
        return true;
    }
    try {
        m_accuracy = AccuracyTable::loadCsv(path.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    m_accuracyFile = path;
    m_measured = false;
    m_accuracyLabel->setText(tr("imported: %1").arg(path));
    m_accuracyLabel->setToolTip(path);
    emit changed();
    return true;
}

void SweepPanel::setMeasured(bool on)
{
    if (!on) {
        setAccuracyFile(QString(), nullptr);
        return;
    }
    m_measured = true;
    m_accuracy.reset();
    m_accuracyFile.clear();
    m_accuracyLabel->setText(tr("measured (trained models, test set)"));
    emit changed();
}

} // namespace poq::ui
