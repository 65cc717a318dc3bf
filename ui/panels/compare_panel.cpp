// ComparePanel: strategy pickers and the two headline numbers.
#include "panels/compare_panel.h"

#include "explore/pareto.h"
#include "util/units.h"

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
    connect(m_baseline, &QComboBox::textActivated, this, [this](const QString& t) { m_wantBaseline = t; });
    connect(m_candidate, &QComboBox::textActivated, this, [this](const QString& t) { m_wantCandidate = t; });
    connect(m_baseline, &QComboBox::currentTextChanged, this, &ComparePanel::update);
    connect(m_candidate, &QComboBox::currentTextChanged, this, &ComparePanel::update);
    update();
}

void ComparePanel::setBaseline(const QString& strategy)
{
    if (strategy == m_candidate->currentText())
        setCandidate(m_baseline->currentText());
    m_wantBaseline = strategy;
    m_baseline->setCurrentText(strategy);
}

void ComparePanel::setCandidate(const QString& strategy)
{
    if (strategy == m_baseline->currentText()) {
        m_wantBaseline = m_candidate->currentText();
        m_baseline->setCurrentText(m_wantBaseline);
    }
    m_wantCandidate = strategy;
    m_candidate->setCurrentText(strategy);
}

void ComparePanel::setPoints(const std::vector<DesignPoint>& points)
{
    m_points = points;
    QStringList names;
    for (const DesignPoint& p : points)
        if (!names.contains(QString::fromStdString(p.strategy)))
            names << QString::fromStdString(p.strategy);
    // The user's picks stay put while other strategies are toggled (and come back with theirs).
    const QString b = m_wantBaseline.isEmpty() ? m_baseline->currentText() : m_wantBaseline;
    const QString c = m_wantCandidate.isEmpty() ? m_candidate->currentText() : m_wantCandidate;
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
        emit isoAccuracyChanged(false, 0, {});
        return;
    }
    const QString bq = QString::fromStdString(b).toHtmlEscaped(), cq = QString::fromStdString(c).toHtmlEscaped();
    auto pj = [](double v) { return QString::fromStdString(formatQuantity(v, Quantity::Energy)); };
    try {
        const Comparison r = compareStrategies(m_points, b, c);
        QString text;
        // Says which is which: "int8 needs 11.3x less energy than fp32 at 91.7 %; overlap 88.2–92.2 %".
        if (r.accuracyOverlap) {
            const bool less = r.maxEnergyRatio >= 1;
            text += tr("<b>%1</b> needs <b>%2x %3</b> energy than <b>%4</b> at %5 % (the largest ratio over the "
                       "accuracies both reach, %6–%7 %)<br>")
                        .arg(cq)
                        .arg(less ? r.maxEnergyRatio : 1 / r.maxEnergyRatio, 0, 'f', 2)
                        .arg(less ? tr("less") : tr("more"))
                        .arg(bq)
                        .arg(100 * r.maxEnergyRatioAt, 0, 'f', 1)
                        .arg(100 * r.overlapLo, 0, 'f', 1)
                        .arg(100 * r.overlapHi, 0, 'f', 1);
            emit isoAccuracyChanged(true, r.maxEnergyRatioAt,
                                    tr("%1 vs %2: %3x at %4 %")
                                        .arg(QString::fromStdString(c), QString::fromStdString(b))
                                        .arg(r.maxEnergyRatio, 0, 'f', 2)
                                        .arg(100 * r.maxEnergyRatioAt, 0, 'f', 1));
        } else {
            text += tr("%1 and %2 reach no accuracy in common.<br>").arg(cq, bq);
            emit isoAccuracyChanged(false, 0, {});
        }
        text += r.energyOverlap ? tr("<b>%1</b> is <b>%2%3</b> points more accurate than <b>%4</b> at %5 (the largest "
                                     "gain over the energies both span, %6–%7)")
                                      .arg(cq)
                                      .arg(r.maxAccuracyGain >= 0 ? "+" : "")
                                      .arg(100 * r.maxAccuracyGain, 0, 'f', 2)
                                      .arg(bq, pj(r.maxAccuracyGainAt), pj(r.energyLo), pj(r.energyHi))
                                : tr("%1 and %2 span no energy in common.").arg(cq, bq);
        m_result->setText(text);
    } catch (const std::exception& e) {
        m_result->setText(tr("Needs accuracies: %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        emit isoAccuracyChanged(false, 0, {});
    }
}

} // namespace poq::ui
