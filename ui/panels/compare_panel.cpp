// ComparePanel: strategy pickers and the two headline numbers.
#include "panels/compare_panel.h"

#include "explore/pareto.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>

#include <algorithm>

namespace poq::ui {

ComparePanel::ComparePanel(QWidget* parent)
    : QWidget(parent), m_baseline(new QComboBox(this)), m_candidate(new QComboBox(this)), m_result(new QLabel(this))
{
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* form = new QFormLayout(this);
    form->addRow(tr("&Baseline"), m_baseline);
    form->addRow(tr("&Candidate"), m_candidate);
    form->addRow(m_result);
    connect(m_baseline, &QComboBox::currentTextChanged, this, &ComparePanel::update);
    connect(m_candidate, &QComboBox::currentTextChanged, this, &ComparePanel::update);
    update();
}

void ComparePanel::setPoints(const std::vector<DesignPoint>& points)
{
    m_points = points;
    QStringList names;
    for (const DesignPoint& p : points)
        if (!names.contains(QString::fromStdString(p.strategy)))
            names << QString::fromStdString(p.strategy);
    const QString b = m_baseline->currentText(), c = m_candidate->currentText();
    const QSignalBlocker bb(m_baseline), bc(m_candidate);
    m_baseline->clear();
    m_candidate->clear();
    m_baseline->addItems(names);
    m_candidate->addItems(names);
    // Keep the user's choice; otherwise the widest format as baseline and int8 (else the next one)
    // as candidate: the comparison the POQ method is about.
    m_baseline->setCurrentIndex(std::max(0, int(names.indexOf(b))));
    int ci = names.contains(c)         ? int(names.indexOf(c))
             : names.contains("int8") ? int(names.indexOf("int8"))
                                      : std::min(1, int(names.size()) - 1);
    if (ci == m_baseline->currentIndex() && names.size() > 1)
        ci = (ci + 1) % int(names.size());
    m_candidate->setCurrentIndex(ci);
    update();
}

QString ComparePanel::resultText() const { return m_result->text(); }

void ComparePanel::update()
{
    const std::string b = m_baseline->currentText().toStdString(), c = m_candidate->currentText().toStdString();
    if (b.empty() || c.empty() || b == c) {
        m_result->setText(tr("Pick two different strategies of the sweep."));
        return;
    }
    try {
        const Comparison r = compareStrategies(m_points, b, c);
        QString text;
        text += r.accuracyOverlap
                    ? tr("<b>%1x</b> less energy at equal accuracy (maximum, at %2 %)<br>")
                          .arg(r.maxEnergyRatio, 0, 'f', 2).arg(100 * r.maxEnergyRatioAt, 0, 'f', 1)
                    : tr("No shared accuracy range.<br>");
        text += r.energyOverlap ? tr("<b>%1</b> points of accuracy at equal energy (maximum, at %2 µJ)")
                                      .arg(100 * r.maxAccuracyGain, 0, 'f', 2)
                                      .arg(r.maxAccuracyGainAt / 1e6, 0, 'g', 4)
                                : tr("No shared energy range.");
        m_result->setText(text);
    } catch (const std::exception& e) {
        m_result->setText(tr("Needs accuracies: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
    }
}

} // namespace poq::ui
