// FrontierPlot: axes, scatter per strategy, frontier step line, labels, export.
#include "plots/frontier_plot.h"

#include "explore/pareto.h"
#include "plots/unit_ticker.h"

#include <qcustomplot.h>

#include <QGraphicsOpacityEffect>
#include <QFileInfo>
#include <QMenu>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace poq::ui {

namespace {

const QColor kPalette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40),
                           QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
                           QColor(188, 189, 34), QColor(23, 190, 207)};
const QCPScatterStyle::ScatterShape kShapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                 QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                 QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCrossSquare,
                                                 QCPScatterStyle::ssPlusCircle, QCPScatterStyle::ssStar};

// Strategies with a fixed style, by name: each keeps its colour and marker in every plot and session.
const char* const kUsualStrategies[] = {"fp32", "fp16", "int8", "int4+res8", "bf16", "fp8", "int16", "int4",
                                        "int2+res8", "int2", "int4+res16", "int8+res16"};

} // namespace

int FrontierPlot::styleIndex(const std::string& strategy)
{
    const int usual = int(std::size(kUsualStrategies));
    for (int k = 0; k < usual; ++k)
        if (strategy == kUsualStrategies[k])
            return k;
    auto it = std::find(m_styleOrder.begin(), m_styleOrder.end(), strategy);
    if (it == m_styleOrder.end())
        it = m_styleOrder.insert(m_styleOrder.end(), strategy);
    return usual + int(it - m_styleOrder.begin());
}

QColor FrontierPlot::strategyColor(const std::string& strategy)
{
    return kPalette[styleIndex(strategy) % std::size(kPalette)];
}

int FrontierPlot::strategyShape(const std::string& strategy)
{
    return int(kShapes[styleIndex(strategy) % std::size(kShapes)]);
}

FrontierPlot::FrontierPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    m_plot->plotLayout()->insertRow(0);
    m_title = new QCPTextElement(m_plot, tr("Accuracy vs energy per inference"), QFont(font().family(), 11, QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, m_title);
    m_plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->xAxis->setTicker(QSharedPointer<UnitLogTicker>::create(Quantity::Energy));
    m_plot->xAxis->setLabel(QString::fromUtf8(costAxisInfo(CostAxis::Energy).label));
    m_plot->yAxis->setLabel(tr("Top-1 accuracy (%)"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMinimumSize(320, 240);
    m_plot->legend->setVisible(false);
    // The legend in a row under the axes, never over the data.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(2, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(6);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 2));
    // Width labels are placed again whenever the axes' pixels change (resize, zoom, pan).
    connect(m_plot, &QCustomPlot::afterLayout, this, [this] {
        if (m_legendWidth != m_plot->width())
            QTimer::singleShot(0, this, [this] {
                if (fitLegend())
                    m_plot->replot();
            });
        if (labelGeometry() != m_labelGeometry)
            QTimer::singleShot(0, this, [this] {
                if (labelGeometry() != m_labelGeometry) {
                    placeWidthLabels();
                    m_plot->replot();
                }
            });
    });
    for (QCPAxis* a : {m_plot->xAxis, m_plot->yAxis})
        connect(a, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
            QTimer::singleShot(0, this, [this] {
                if (labelGeometry() != m_labelGeometry) {
                    placeWidthLabels();
                    m_plot->replot();
                }
            });
        });

    m_emptyNote = new QCPItemText(m_plot);
    m_emptyNote->setPositionAlignment(Qt::AlignCenter);
    m_emptyNote->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyNote->position->setCoords(0.5, 0.5);
    m_emptyNote->setText(tr("No design points yet"));
    m_emptyNote->setColor(QColor(120, 120, 120));
    m_plot->xAxis->setRange(1e6, 1e10);
    m_plot->yAxis->setRange(0, 100);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* ev) {
        const std::vector<int> under = pointsAt(ev->position());
        if (!under.empty())
            QToolTip::showText(ev->globalPosition().toPoint(), pointsText(under), m_plot);
        else
            QToolTip::hideText();
    });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* ev) {
        const int i = pointAt(ev->position());
        if (i < 0)
            return;
        if (ev->button() == Qt::RightButton) {
            QMenu* menu = contextMenuFor(i);
            menu->setAttribute(Qt::WA_DeleteOnClose);
            menu->popup(ev->globalPosition().toPoint());
            return;
        }
        emit pointClicked(i, ev->modifiers() & Qt::ShiftModifier);
    });
}

QString FrontierPlot::title() const { return m_title->text(); }

QMenu* FrontierPlot::contextMenuFor(int index)
{
    auto* menu = new QMenu(this);
    if (index < 0 || index >= int(m_points.size()))
        return menu;
    const QString s = QString::fromStdString(m_points[index].strategy);
    menu->addAction(tr("Compare: use %1 as &baseline").arg(s), this, [this, s] { emit baselineRequested(s); });
    menu->addAction(tr("Compare: use %1 as &candidate").arg(s), this, [this, s] { emit candidateRequested(s); });
    return menu;
}

void FrontierPlot::setIsoAccuracy(bool valid, double accuracy, const QString& label)
{
    m_isoValid = valid;
    m_isoAccuracy = accuracy;
    m_isoLabel = label;
    redrawKeepingSelection();
}

void FrontierPlot::drawIsoLine()
{
    if (!m_isoValid || !m_anyAccuracy)
        return;
    const double y = 100 * m_isoAccuracy;
    auto* line = new QCPItemStraightLine(m_plot);
    line->point1->setCoords(1, y);
    line->point2->setCoords(2, y);
    line->setPen(QPen(QColor(120, 60, 160), 1, Qt::DotLine));
    auto* text = new QCPItemText(m_plot);
    text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    text->position->setTypeY(QCPItemPosition::ptPlotCoords);
    text->position->setCoords(0.99, y);
    // Under the line, on a light backing: the frontier's points crowd just above it.
    text->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    text->setText(tr("iso-accuracy: %1").arg(m_isoLabel));
    text->setFont(QFont(font().family(), 7));
    text->setColor(QColor(120, 60, 160));
    text->setBrush(QColor(255, 255, 255, 225));
    text->setPadding(QMargins(2, 1, 2, 1));
    text->setLayer(QStringLiteral("legend")); // above the points
}

std::vector<int> FrontierPlot::pointsAt(const QPointF& pos, double radiusPx) const
{
    const auto cost = costAxisInfo(m_axis).value;
    std::vector<std::pair<double, int>> hits;
    for (size_t i = 0; i < m_points.size(); ++i) {
        const DesignPoint& p = m_points[i];
        if (!(cost(p) > 0))
            continue;
        const double y = !m_anyAccuracy ? p.width : p.accuracy ? 100.0 * *p.accuracy : m_unmeasuredY;
        const double dx = m_plot->xAxis->coordToPixel(cost(p)) - pos.x(), dy = m_plot->yAxis->coordToPixel(y) - pos.y();
        if (dx * dx + dy * dy <= radiusPx * radiusPx)
            hits.emplace_back(dx * dx + dy * dy, int(i));
    }
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<int> out;
    for (const auto& h : hits)
        out.push_back(h.second);
    return out;
}

int FrontierPlot::pointAt(const QPointF& pos, double radiusPx) const
{
    const std::vector<int> hits = pointsAt(pos, radiusPx);
    return hits.empty() ? -1 : hits.front();
}

QString FrontierPlot::pointsText(const std::vector<int>& indices) const
{
    QStringList parts;
    for (int i : indices)
        parts << pointText(i);
    return parts.join(QStringLiteral("\n\n"));
}

void FrontierPlot::setStale(bool stale)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    if (stale) {
        auto* fade = new QGraphicsOpacityEffect(m_plot);
        fade->setOpacity(0.45);
        m_plot->setGraphicsEffect(fade); // owned by the plot; replaced or removed below
        m_plot->setToolTip(tr("Re-costing: these points are from the previous settings"));
    } else {
        m_plot->setGraphicsEffect(nullptr);
        m_plot->setToolTip(QString());
    }
}

void FrontierPlot::setLogCostAxis(bool log)
{
    m_log = log;
    redrawKeepingSelection();
}

void FrontierPlot::redrawKeepingSelection()
{
    const std::vector<int> selected = m_selected;
    setPoints(m_points, m_axis);
    setSelection(selected); // the same points: the rings stay
}

QString FrontierPlot::pointText(int index) const
{
    if (index < 0 || index >= int(m_points.size()))
        return {};
    const DesignPoint& p = m_points[index];
    QString acc = p.accuracy ? QStringLiteral("%1 %").arg(100 * *p.accuracy, 0, 'f', 2) : tr("not measured");
    if (p.accuracyLo && p.accuracyHi)
        acc += QStringLiteral(" (%1-%2)").arg(100 * *p.accuracyLo, 0, 'f', 1).arg(100 * *p.accuracyHi, 0, 'f', 1);
    auto pj = [](double v) { return QString::fromStdString(formatQuantity(v, Quantity::Energy)); };
    auto count = [](double v) { return QString::fromStdString(formatQuantity(v, Quantity::Count)); };
    const QString dram = p.energyPj > 0 ? QStringLiteral(" (%1 %)").arg(100 * p.dramPj / p.energyPj, 0, 'f', 1) : QString();
    return tr("%1 at width %2%3\naccuracy %4\nenergy %5 (MAC %6, RF %7, SRAM %8, DRAM %9%10, other %11)\n"
              "latency %12\nMACs %13, BOPs %14, weights %15")
        .arg(QString::fromStdString(p.strategy)).arg(p.width)
        .arg(p.pareto ? tr(", on the frontier") : QString(), acc)
        .arg(pj(p.energyPj), pj(p.macPj), pj(p.rfPj), pj(p.sramPj), pj(p.dramPj), dram, pj(p.otherPj))
        .arg(QString::fromStdString(formatQuantity(p.latencyCycles, Quantity::Cycles)), count(double(p.macs)), count(p.bops))
        .arg(QString::fromStdString(formatQuantity(p.weightBits / 8, Quantity::Bytes)));
}

void FrontierPlot::setSelection(const std::vector<int>& indices)
{
    const auto cost = costAxisInfo(m_axis).value;
    QCPGraph* ring = nullptr;
    for (int g = 0; g < m_plot->graphCount(); ++g)
        if (m_plot->graph(g)->name() == QLatin1String("selection"))
            ring = m_plot->graph(g);
    if (!ring) {
        ring = m_plot->addGraph();
        ring->setName(QStringLiteral("selection"));
        ring->removeFromLegend();
        ring->setLineStyle(QCPGraph::lsNone);
        ring->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2), Qt::NoBrush, 18));
    }
    ring->data()->clear();
    m_selected = indices;
    for (int i : indices)
        if (i >= 0 && i < int(m_points.size())) {
            const DesignPoint& p = m_points[i];
            ring->addData(cost(p), !m_anyAccuracy ? p.width : p.accuracy ? 100.0 * *p.accuracy : m_unmeasuredY);
        }
    m_plot->replot();
}

bool FrontierPlot::isEnergyAxisLog() const { return m_plot->xAxis->scaleType() == QCPAxis::stLogarithmic; }

void FrontierPlot::setPoints(const std::vector<DesignPoint>& points, CostAxis axis)
{
    m_unmeasured.clear();
    m_plot->clearGraphs();
    m_plot->clearItems();
    m_points = points;
    m_axis = axis;
    m_emptyNote = new QCPItemText(m_plot);
    m_emptyNote->setPositionAlignment(Qt::AlignCenter);
    m_emptyNote->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyNote->position->setCoords(0.5, 0.5);
    m_emptyNote->setColor(QColor(120, 120, 120));
    const auto cost = costAxisInfo(axis).value;
    m_plot->xAxis->setLabel(QString::fromUtf8(costAxisInfo(axis).label));
    m_plot->xAxis->setScaleType(m_log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (m_log)
        m_plot->xAxis->setTicker(QSharedPointer<UnitLogTicker>::create(costAxisInfo(axis).quantity));
    else
        m_plot->xAxis->setTicker(QSharedPointer<UnitTicker>::create(costAxisInfo(axis).quantity));
    bool anyAccuracy = false;
    for (const DesignPoint& p : points)
        anyAccuracy = anyAccuracy || p.accuracy.has_value();
    // The title from the axis descriptor's label ("Accuracy vs energy-delay product"), and no
    // accuracy in it when the y axis shows widths.
    QString axisLabel = QString::fromUtf8(costAxisInfo(axis).label);
    if (!axisLabel.isEmpty() && !axisLabel.startsWith("MACs"))
        axisLabel[0] = axisLabel[0].toLower();
    m_title->setText((anyAccuracy ? tr("Accuracy vs %1") : tr("Width vs %1 (no accuracy source)")).arg(axisLabel));
    // Without accuracies (an energy-only sweep) the y axis shows the width multiplier instead.
    auto yOf = [&](const DesignPoint& p) { return anyAccuracy ? 100.0 * p.accuracy.value_or(0) : p.width; };
    m_plot->yAxis->setLabel(anyAccuracy ? tr("Top-1 accuracy (%)") : tr("Width multiplier (no accuracy source)"));

    std::vector<std::string> order; // strategies in first-seen order
    for (const DesignPoint& p : points)
        if (std::find(order.begin(), order.end(), p.strategy) == order.end())
            order.push_back(p.strategy);
    m_anyAccuracy = anyAccuracy;
    const std::vector<int> frontier = anyAccuracy ? paretoFrontier(points, axis) : std::vector<int>{};
    m_frontierIdx = frontier;
    std::vector<char> onFrontier(points.size(), 0);
    for (int i : frontier)
        onFrontier[i] = 1;
    m_strategies = static_cast<int>(order.size());
    m_frontier = static_cast<int>(frontier.size());

    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
    bool first = true;
    std::vector<WidthLabel> labels;
    for (size_t s = 0; s < order.size(); ++s) {
        const QColor color = strategyColor(order[s]);
        QColor dim = color;
        dim.setAlpha(70);
        QCPGraph* on = m_plot->addGraph();
        QCPGraph* off = m_plot->addGraph();
        on->setName(QString::fromStdString(order[s]));
        for (QCPGraph* g : {on, off}) {
            g->setLineStyle(QCPGraph::lsNone);
            const bool isOn = g == on;
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ScatterShape(strategyShape(order[s])), isOn ? color : dim,
                                               isOn ? color.lighter(130) : dim, isOn ? 9 : 7));
            g->setPen(QPen(isOn ? color : dim));
        }
        off->removeFromLegend();
        for (size_t i = 0; i < points.size(); ++i) {
            const DesignPoint& p = points[i];
            if (p.strategy != order[s] || !(cost(p) > 0))
                continue;
            if (anyAccuracy && !p.accuracy) {
                m_unmeasured.push_back(int(i));
                continue;
            }
            const double x = cost(p), y = yOf(p);
            ((onFrontier[i] || !anyAccuracy) ? on : off)->addData(x, y);
            labels.push_back({x, y, QString::number(p.width), onFrontier[i] || !anyAccuracy ? color.darker(130) : dim,
                              bool(onFrontier[i])});
            xMin = first ? x : std::min(xMin, x);
            xMax = first ? x : std::max(xMax, x);
            yMin = first ? y : std::min(yMin, y);
            yMax = first ? y : std::max(yMax, y);
            first = false;
        }
    }
    if (!frontier.empty()) {
        QCPGraph* step = m_plot->addGraph();
        step->setName(tr("Pareto frontier"));
        step->setLineStyle(QCPGraph::lsStepLeft);
        step->setPen(QPen(QColor(40, 40, 40), 1.5, Qt::DashLine));
        for (int i : frontier)
            step->addData(cost(points[i]), yOf(points[i]));
        step->addData(xMax * 1.5, yOf(points[frontier.back()]));
    }
    // Points without a measured accuracy: hollow, on a line below the measured ones, labelled.
    std::sort(m_unmeasured.begin(), m_unmeasured.end());
    if (!first && !m_unmeasured.empty()) {
        const double pad = std::max(0.5, (yMax - yMin) * 0.08);
        m_unmeasuredY = yMin - 2 * pad;
        for (size_t s = 0; s < order.size(); ++s) {
            QCPGraph* hollow = m_plot->addGraph();
            hollow->setName(QString::fromStdString(order[s]) + tr(" (no accuracy)"));
            hollow->removeFromLegend();
            hollow->setLineStyle(QCPGraph::lsNone);
            const QColor color = strategyColor(order[s]);
            hollow->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ScatterShape(strategyShape(order[s])), color,
                                                    Qt::white, 8));
            for (int i : m_unmeasured)
                if (points[i].strategy == order[s]) {
                    hollow->addData(cost(points[i]), m_unmeasuredY);
                    xMin = std::min(xMin, cost(points[i]));
                    xMax = std::max(xMax, cost(points[i]));
                }
        }
        auto* note = new QCPItemText(m_plot);
        note->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        note->position->setTypeY(QCPItemPosition::ptPlotCoords);
        note->position->setCoords(0.01, m_unmeasuredY);
        note->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        note->setText(tr("no accuracy known (hollow)"));
        note->setFont(QFont(font().family(), 7));
        note->setColor(QColor(110, 110, 110));
        yMin = m_unmeasuredY;
    }
    drawIsoLine();
    m_emptyNote->setText(first ? tr("No design points yet") : QString());
    m_plot->legend->setVisible(!first);
    if (!first) {
        if (m_log)
            m_plot->xAxis->setRange(xMin / 1.6, xMax * 1.6);
        else
            m_plot->xAxis->setRange(0, xMax * 1.1);
        const double pad = std::max(0.5, (yMax - yMin) * 0.08);
        m_plot->yAxis->setRange(yMin - pad, yMax + pad);
    } else {
        m_plot->xAxis->setRange(1e6, 1e10);
        m_plot->yAxis->setRange(0, 100);
    }
    m_labelData = std::move(labels);
    m_labelItems.clear(); // clearItems() above removed them
    fitLegend();
    m_plot->replot();     // lays out the axes, so plot coordinates map to pixels
    placeWidthLabels();
    m_plot->replot();
}

bool FrontierPlot::fitLegend()
{
    // As many columns as whole names fit across the plot (a fixed count cut "int4+res16" short).
    m_legendWidth = m_plot->width();
    QCPLegend* legend = m_plot->legend;
    const int n = legend->itemCount();
    if (n == 0)
        return false;
    const QFontMetrics fm(legend->font());
    int widest = 0;
    for (int i = 0; i < n; ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(i)))
            widest = std::max(widest, fm.horizontalAdvance(item->plottable()->name()));
    const QMargins m = legend->item(0)->margins();
    const int column = widest + legend->iconSize().width() + legend->iconTextPadding() + m.left() + m.right()
                       + legend->columnSpacing();
    const int usable = m_plot->width() - legend->margins().left() - legend->margins().right();
    const int columns = std::clamp(usable / std::max(1, column), 1, n);
    if (columns == legend->wrap())
        return false;
    legend->setWrap(columns);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-flows the items
    return true;
}

QString FrontierPlot::labelGeometry() const
{
    const QRect r = m_plot->axisRect()->rect();
    return QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8")
        .arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height())
        .arg(m_plot->xAxis->range().lower).arg(m_plot->xAxis->range().upper)
        .arg(m_plot->yAxis->range().lower).arg(m_plot->yAxis->range().upper);
}

void FrontierPlot::placeWidthLabels()
{
    // Width labels that would overlap one already placed are left out (the tooltip still names the
    // width); frontier points are labelled first.
    for (QCPItemText* item : m_labelItems)
        m_plot->removeItem(item);
    m_labelItems.clear();
    m_labelGeometry = labelGeometry();
    std::vector<const WidthLabel*> order;
    for (const WidthLabel& l : m_labelData)
        order.push_back(&l);
    std::stable_sort(order.begin(), order.end(), [](const WidthLabel* a, const WidthLabel* b) { return a->frontier > b->frontier; });
    const QFont font7(font().family(), 7);
    const QFontMetrics metrics(font7);
    std::vector<QRectF> taken;
    m_widthLabels = 0;
    for (const WidthLabel* l : order) {
        const double px = m_plot->xAxis->coordToPixel(l->x), py = m_plot->yAxis->coordToPixel(l->y);
        const QRectF box(px + 4, py - 2 - metrics.height(), metrics.horizontalAdvance(l->text), metrics.height());
        if (std::any_of(taken.begin(), taken.end(), [&](const QRectF& r) { return r.intersects(box); }))
            continue;
        taken.push_back(box);
        auto* label = new QCPItemText(m_plot);
        label->position->setCoords(l->x, l->y);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setPadding(QMargins(4, 0, 0, 2));
        label->setText(l->text);
        label->setFont(font7);
        label->setColor(l->color);
        m_labelItems.push_back(label);
        ++m_widthLabels;
    }
}

void FrontierPlot::resetView()
{
    m_plot->rescaleAxes();
    m_plot->xAxis->scaleRange(1.3);
    m_plot->yAxis->scaleRange(1.1);
    if (m_plot->graphCount() == 0) {
        m_plot->xAxis->setRange(1e6, 1e10);
        m_plot->yAxis->setRange(0, 100);
    }
    m_plot->replot();
}

bool FrontierPlot::exportTo(const QString& path, int width, int height, QString* error, const QString& caption,
                            bool withSelection)
{
    QCPGraph* ring = nullptr;
    for (int g = 0; g < m_plot->graphCount(); ++g)
        if (m_plot->graph(g)->name() == QLatin1String("selection"))
            ring = m_plot->graph(g);
    const bool ringShown = ring && ring->visible();
    if (ring)
        ring->setVisible(withSelection);
    const bool ok = exportCustomPlot(m_plot, path, width, height, caption, error);
    if (ring)
        ring->setVisible(ringShown);
    m_plot->replot();
    return ok;
}

bool exportCustomPlot(QCustomPlot* plot, const QString& path, int width, int height, const QString& caption,
                      QString* error)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext != QLatin1String("png") && ext != QLatin1String("pdf") && ext != QLatin1String("svg")) {
        if (error)
            *error = QStringLiteral("out: the extension must be .svg, .png or .pdf, got '%1'").arg(path);
        return false;
    }
    QCPTextElement* captionRow = nullptr;
    if (!caption.isEmpty()) {
        const int row = plot->plotLayout()->rowCount();
        plot->plotLayout()->insertRow(row);
        captionRow = new QCPTextElement(plot, caption, QFont(plot->font().family(), 8));
        captionRow->setTextColor(QColor(90, 90, 90));
        plot->plotLayout()->addElement(row, 0, captionRow);
    }
    // Write to a temporary sibling and rename, so a failed export never leaves a partial file.
    const QString tmp = path + QStringLiteral(".part");
    bool ok = false;
    if (ext == QLatin1String("png")) {
        ok = plot->savePng(tmp, width, height, 2.0, -1, 96, QCP::ruDotsPerInch);
    } else if (ext == QLatin1String("pdf")) {
        ok = plot->savePdf(tmp, width, height);
    } else {
        QSvgGenerator svg;
        svg.setFileName(tmp);
        svg.setSize(QSize(width, height));
        svg.setViewBox(QRect(0, 0, width, height));
        svg.setTitle(QStringLiteral("POQ Studio"));
        svg.setDescription(caption);
        QCPPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            plot->toPainter(&painter, width, height);
            painter.end();
        }
    }
    if (captionRow) {
        plot->plotLayout()->remove(captionRow);
        plot->plotLayout()->simplify();
        plot->replot();
    }
    if (ok) {
        QFile::remove(path);
        ok = QFile::rename(tmp, path);
    }
    if (!ok) {
        QFile::remove(tmp);
        if (error)
            *error = QStringLiteral("out: cannot write '%1'").arg(path);
    }
    return ok;
}

} // namespace poq::ui
