// FrontierPlot: axes, log ticker, zoom/pan interactions.
#include "plots/frontier_plot.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

namespace poq::ui {

FrontierPlot::FrontierPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    m_plot->plotLayout()->insertRow(0);
    auto* title = new QCPTextElement(m_plot, tr("Accuracy vs energy per inference"),
                                     QFont(font().family(), 11, QFont::Bold));
    m_plot->plotLayout()->addElement(0, 0, title);
    m_plot->xAxis->setLabel(tr("Energy per inference (pJ)"));
    m_plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    m_plot->xAxis->setNumberFormat(QStringLiteral("eb"));
    m_plot->xAxis->setNumberPrecision(0);
    m_plot->yAxis->setLabel(tr("Top-1 accuracy (%)"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMinimumSize(320, 240);

    m_emptyNote = new QCPItemText(m_plot);
    m_emptyNote->setPositionAlignment(Qt::AlignCenter);
    m_emptyNote->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_emptyNote->position->setCoords(0.5, 0.5);
    m_emptyNote->setText(tr("No design points yet"));
    m_emptyNote->setColor(QColor(120, 120, 120));
    resetView();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
}

bool FrontierPlot::isEnergyAxisLog() const { return m_plot->xAxis->scaleType() == QCPAxis::stLogarithmic; }

void FrontierPlot::resetView()
{
    m_plot->xAxis->setRange(1e6, 1e10);
    m_plot->yAxis->setRange(0, 100);
    m_plot->replot();
}

} // namespace poq::ui
