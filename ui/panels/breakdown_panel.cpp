// BreakdownPanel: stacked QCPBars per category.
#include "panels/breakdown_panel.h"

#include "plots/frontier_plot.h"
#include "plots/unit_ticker.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace poq::ui {

namespace {

struct Category {
    const char* name;
    QColor color;
    double (*value)(const LayerEnergy&);
};

const Category kByLevel[] = {
    {"MAC", QColor(76, 114, 176), [](const LayerEnergy& e) { return e.macPj; }},
    {"RF", QColor(129, 178, 154), [](const LayerEnergy& e) { return e.rfPj; }},
    {"SRAM", QColor(242, 204, 143), [](const LayerEnergy& e) { return e.sramPj; }},
    {"DRAM", QColor(224, 122, 95), [](const LayerEnergy& e) { return e.dramPj; }},
    {"element-wise", QColor(155, 135, 190), [](const LayerEnergy& e) { return e.eltwisePj; }},
    {"static", QColor(160, 160, 160), [](const LayerEnergy& e) { return e.staticPj; }},
};
const Category kByOperand[] = {
    {"weights", QColor(76, 114, 176), [](const LayerEnergy& e) { return e.operandPj[0]; }},
    {"inputs", QColor(129, 178, 154), [](const LayerEnergy& e) { return e.operandPj[1]; }},
    {"outputs", QColor(224, 122, 95), [](const LayerEnergy& e) { return e.operandPj[2]; }},
};

// One stacked bar per key; `second` draws a compared point's bars (hatched, out of the legend) beside
// the first point's, each then `width` wide.
void stack(QCustomPlot* plot, const std::vector<std::vector<double>>& values, std::span<const Category> cats,
           const QVector<double>& keys, double width = 0.8, bool second = false)
{
    if (!second)
        plot->clearPlottables();
    QCPBars* below = nullptr;
    for (size_t c = 0; c < cats.size(); ++c) {
        auto* bars = new QCPBars(plot->xAxis, plot->yAxis);
        bars->setName(QString::fromUtf8(cats[c].name));
        bars->setBrush(second ? QBrush(cats[c].color, Qt::Dense3Pattern) : QBrush(cats[c].color));
        bars->setPen(QPen(cats[c].color.darker(120)));
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setWidth(width);
        if (second)
            bars->removeFromLegend();
        QVector<double> v;
        for (const auto& row : values)
            v << row[c]; // pJ, labelled through the unit formatter
        bars->setData(keys, v, true);
        if (below)
            bars->moveAbove(below);
        below = bars;
    }
    plot->rescaleAxes();
    plot->yAxis->setRangeLower(0);
    plot->legend->setVisible(true);
    plot->replot();
}

} // namespace

BreakdownPanel::BreakdownPanel(QWidget* parent)
    : QWidget(parent), m_layers(new QCustomPlot(this)), m_totals(new QCustomPlot(this)),
      m_operand(new QCheckBox(tr("Split memory energy by operand (W / I / O)"), this)), m_title(new QLabel(this))
{
    for (QCustomPlot* p : {m_layers, m_totals}) {
        p->yAxis->setLabel(tr("Energy"));
        auto ticker = QSharedPointer<UnitTicker>::create(Quantity::Energy);
        ticker->setTickCount(4);
        p->yAxis->setTicker(ticker);
        p->yAxis->setRange(0, 1e6); // until a point is selected: 0 .. 1 µJ
        p->legend->setFont(QFont(font().family(), 8));
        p->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        p->legend->setWrap(3);
        // The legend in a row above the bars, never over them.
        p->axisRect()->insetLayout()->take(p->legend);
        p->plotLayout()->insertRow(0);
        p->plotLayout()->addElement(0, 0, p->legend);
        p->plotLayout()->setRowStretchFactor(0, 0.001);
        p->legend->setWrap(6);
        p->legend->setBorderPen(Qt::NoPen);
        p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
        p->axisRect()->setRangeZoom(Qt::Horizontal);
        p->axisRect()->setRangeDrag(Qt::Horizontal);
    }
    m_layers->xAxis->setLabel(tr("Layer number, as in the Layers tab (hover for name and mapping)"));
    m_totals->setMinimumWidth(300);
    m_layers->setMinimumHeight(120); // readable axes at 1280 x 720
    m_totals->setMinimumHeight(120);
    m_totals->setMaximumWidth(340);
    m_title->setText(tr("Click a point in the plot to see where its energy goes; click a second point to compare."));
    m_title->setWordWrap(true);
    auto* plots = new QHBoxLayout;
    plots->addWidget(m_layers, 1);
    plots->addWidget(m_totals);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(plots, 1);
    layout->addWidget(m_operand);
    connect(m_operand, &QCheckBox::toggled, this, &BreakdownPanel::redraw);
    m_layers->setMouseTracking(true);
    connect(m_layers, &QCustomPlot::mouseMove, this, [this](QMouseEvent* ev) {
        if (!m_a)
            return;
        const int k = int(std::lround(m_layers->xAxis->pixelToCoord(ev->position().x())));
        if (k < 0 || k >= int(m_shown.size()))
            return;
        QToolTip::showText(ev->globalPosition().toPoint(), barToolTip(k), m_layers);
    });
}

QString BreakdownPanel::barToolTip(int k) const
{
    if (!m_a || k < 0 || k >= int(m_shown.size()))
        return {};
    const NetworkCost& net = m_a->second;
    const LayerEnergy& e = net.layers[m_shown[k]];
    auto pj = [](double v) { return QString::fromStdString(formatQuantity(v, Quantity::Energy)); };
    auto bits = [](double v) { return QString::fromStdString(formatQuantity(v, Quantity::Bits)); };
    QString home;
    if (!e.outputTensor.empty()) {
        const QString where = e.outputInLineBuffer ? tr("in a line buffer of its fused chain")
                              : e.outputOnChip     ? tr("on chip")
                                                   : tr("in DRAM, %1 moved").arg(bits(e.outputSpillBits));
        home = tr("\nOutput %1 (%2): %3").arg(QString::fromStdString(e.outputTensor), bits(e.outputBits), where);
    }
    if (m_b && k < int(m_pairOf.size())) {
        auto label = [](const DesignPoint& p) {
            return QStringLiteral("%1 @ %2").arg(QString::fromStdString(p.strategy)).arg(p.width);
        };
        if (m_pairOf[k] < 0) {
            home += tr("\n%1: no layer of this name").arg(label(m_b->first));
        } else {
            const LayerEnergy& o = m_b->second.layers[m_pairOf[k]];
            const double d = o.energyPj() - e.energyPj();
            home += tr("\n%1 (hatched): %2 (%3%4, DRAM %5)")
                        .arg(label(m_b->first), pj(o.energyPj()), d >= 0 ? "+" : "-", pj(std::fabs(d)), pj(o.dramPj));
            if (e.energyPj() > 0 && o.energyPj() > 0)
                home += tr("; %1 x of %2").arg(o.energyPj() / e.energyPj(), 0, 'f', 2).arg(label(m_a->first));
        }
    }
    if (e.fusedGroup >= 0 && e.fusedGroup < int(net.plan.groups.size()))
        home += tr("\nFused chain %1: %2").arg(e.fusedGroup + 1).arg(QString::fromStdString(net.plan.groups[e.fusedGroup].name));
    const QString dramShare =
        e.energyPj() > 0 ? QStringLiteral(" (%1 %)").arg(100 * e.dramPj / e.energyPj(), 0, 'f', 1) : QString();
    return tr("Layer %11: %1 (%2)\n%3: MAC %4, RF %5, SRAM %6, DRAM %7%8%9\n%10")
        .arg(QString::fromStdString(e.name), QString::fromUtf8(kindInfo(e.kind).name), pj(e.energyPj()), pj(e.macPj),
             pj(e.rfPj), pj(e.sramPj), pj(e.dramPj), dramShare, home)
        .arg(e.mapping.empty() ? tr("(no mapping: element-wise)") : QString::fromStdString(e.mapping))
        .arg(m_shown[k] + 1);
}

bool BreakdownPanel::byOperand() const { return m_operand->isChecked(); }

void BreakdownPanel::setByOperand(bool on) { m_operand->setChecked(on); }

QString BreakdownPanel::title() const { return m_title->text(); }

bool BreakdownPanel::exportTo(const QString& path, const QString& caption, QString* error)
{
    if (!m_a) {
        if (error)
            *error = tr("Select a point first: there is no breakdown to export");
        return false;
    }
    return exportCustomPlot(m_layers, path, std::max(900, m_layers->width()), std::max(420, m_layers->height()),
                            m_title->text() + (caption.isEmpty() ? QString() : " — " + caption), error);
}

void BreakdownPanel::clear()
{
    m_a.reset();
    m_b.reset();
    m_shown.clear();
    m_brackets.clear();
    m_layers->clearItems();
    m_layers->clearPlottables();
    m_totals->clearPlottables();
    m_layers->replot();
    m_totals->replot();
}

void BreakdownPanel::setPoints(const DesignPoint& a, const NetworkCost& costA, const DesignPoint* b, const NetworkCost* costB)
{
    m_a = std::make_pair(a, costA);
    if (b && costB)
        m_b = std::make_pair(*b, *costB);
    else
        m_b.reset();
    redraw();
}

void BreakdownPanel::redraw()
{
    if (!m_a)
        return;
    const std::span<const Category> cats = byOperand() ? std::span<const Category>(kByOperand)
                                                       : std::span<const Category>(kByLevel);
    auto label = [](const DesignPoint& p) {
        return QStringLiteral("%1 @ %2").arg(QString::fromStdString(p.strategy)).arg(p.width);
    };
    auto pj = [](double v) { return QString::fromStdString(formatQuantity(v, Quantity::Energy)); };
    m_title->setText(tr("%1: %2 per inference%3")
                         .arg(label(m_a->first), pj(m_a->second.total.energyPj()),
                              m_b ? tr(", compared with %1: %2 (hatched bars, right of each layer)")
                                        .arg(label(m_b->first), pj(m_b->second.total.energyPj()))
                                  : QString()));
    m_shown.clear();
    std::vector<std::vector<double>> rows;
    QVector<double> keys;
    const auto& layers = m_a->second.layers;
    for (size_t i = 0; i < layers.size(); ++i) {
        if (layers[i].energyPj() <= 0 || layers[i].fused)
            continue; // fused activations and folded batch-norm belong to their producer
        std::vector<double> row;
        for (const Category& c : cats)
            row.push_back(c.value(layers[i]));
        keys << double(m_shown.size());
        m_shown.push_back(static_cast<int>(i));
        rows.push_back(row);
    }
    // A compared point: its bars beside each layer's (matched by layer name), hatched.
    m_pairOf.assign(m_shown.size(), -1);
    if (m_b) {
        const auto& other = m_b->second.layers;
        std::vector<std::vector<double>> rowsB;
        QVector<double> keysA, keysB;
        for (size_t k = 0; k < m_shown.size(); ++k) {
            keysA << double(k) - 0.21;
            for (size_t j = 0; j < other.size(); ++j)
                if (other[j].name == layers[m_shown[k]].name) {
                    m_pairOf[k] = int(j);
                    break;
                }
            std::vector<double> row;
            for (const Category& c : cats)
                row.push_back(m_pairOf[k] >= 0 ? c.value(other[m_pairOf[k]]) : 0.0);
            keysB << double(k) + 0.21;
            rowsB.push_back(row);
        }
        stack(m_layers, rows, cats, keysA, 0.4);
        stack(m_layers, rowsB, cats, keysB, 0.4, true);
    } else {
        stack(m_layers, rows, cats, keys);
    }
    // Bars are numbered by the layer's place in the network, as in the Layers tab.
    QSharedPointer<QCPAxisTickerText> layerTicks(new QCPAxisTickerText);
    const int every = std::max(1, int(m_shown.size() + 11) / 12);
    for (size_t k = 0; k < m_shown.size(); k += size_t(every))
        layerTicks->addTick(double(k), QString::number(m_shown[k] + 1));
    m_layers->xAxis->setTicker(layerTicks);
    m_layers->xAxis->setRange(-0.6, double(m_shown.size()) - 0.4);
    // Fused chains: a shaded bracket behind the bars they span, labelled with the chain's number.
    m_layers->clearItems();
    m_brackets.clear();
    for (size_t gi = 0; gi < m_a->second.plan.groups.size(); ++gi) {
        int first = -1, last = -1;
        for (size_t k = 0; k < m_shown.size(); ++k)
            if (layers[m_shown[k]].fusedGroup == int(gi)) {
                first = first < 0 ? int(k) : first;
                last = int(k);
            }
        if (first < 0)
            continue;
        m_brackets.emplace_back(first, last);
        auto* rect = new QCPItemRect(m_layers);
        for (QCPItemPosition* pos : {rect->topLeft, rect->bottomRight}) {
            pos->setTypeX(QCPItemPosition::ptPlotCoords);
            pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
        }
        rect->topLeft->setCoords(first - 0.5, 0.0);
        rect->bottomRight->setCoords(last + 0.5, 1.0);
        rect->setPen(QPen(QColor(90, 90, 140, 120)));
        rect->setBrush(QColor(90, 90, 140, 28));
        rect->setLayer("background");
        auto* text = new QCPItemText(m_layers);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords((first + last) / 2.0, 0.02);
        text->setPositionAlignment(Qt::AlignTop | Qt::AlignHCenter);
        text->setText(tr("fused %1").arg(gi + 1));
        text->setFont(QFont(font().family(), 7));
        text->setColor(QColor(70, 70, 120));
    }
    m_layers->replot();
    std::vector<std::vector<double>> totals;
    QVector<double> tkeys;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (const auto* side : {&m_a, &m_b}) {
        if (!*side)
            continue;
        std::vector<double> row;
        for (const Category& c : cats)
            row.push_back(c.value((*side)->second.total));
        ticker->addTick(double(tkeys.size()), label((*side)->first));
        tkeys << double(tkeys.size());
        totals.push_back(row);
    }
    m_totals->xAxis->setTicker(ticker);
    stack(m_totals, totals, cats, tkeys);
    // Each total carries its DRAM share above the bar.
    m_totals->clearItems();
    int side = 0;
    for (const auto* point : {&m_a, &m_b}) {
        if (!*point)
            continue;
        const LayerEnergy& t = (*point)->second.total;
        auto* share = new QCPItemText(m_totals);
        share->position->setCoords(double(side++), t.energyPj());
        share->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
        share->setText(tr("DRAM %1 %").arg(t.energyPj() > 0 ? 100 * t.dramPj / t.energyPj() : 0.0, 0, 'f', 1));
        share->setFont(QFont(font().family(), 8));
    }
    m_totals->xAxis->setRange(-0.6, double(tkeys.size()) - 0.4);
    m_totals->legend->setVisible(false);
    // Room above the tallest bar for its share label, in pixels (a short panel needs a larger share
    // of its range than a tall one).
    double tallest = 0;
    for (const auto* point : {&m_a, &m_b})
        if (*point)
            tallest = std::max(tallest, (*point)->second.total.energyPj());
    m_totals->replot(); // lays out the axis rect
    const double labelPx = QFontMetrics(QFont(font().family(), 8)).height() + 4;
    const double frac = std::min(0.5, labelPx / std::max(1, m_totals->axisRect()->height()));
    if (tallest > 0)
        m_totals->yAxis->setRange(0, tallest / (1 - frac));
    m_totals->replot();
}

} // namespace poq::ui
