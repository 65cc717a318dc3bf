// LayerTablePanel: a sortable table view over LayerTableModel.
#include "panels/layer_table_panel.h"

#include "models/layer_table_model.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace poq::ui {

LayerTablePanel::LayerTablePanel(QWidget* parent)
    : QWidget(parent), m_model(new LayerTableModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this)), m_caption(new QLabel(this))
{
    m_caption->setWordWrap(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // file order until the user sorts
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->setDefaultSectionSize(20);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_caption);
    layout->addWidget(m_view);
}

void LayerTablePanel::setGraph(std::shared_ptr<const Graph> graph)
{
    if (graph)
        m_caption->setText(tr("%1 at width %2 (the Width box): click a point in the plot for its energy, DRAM traffic "
                              "and mapping per layer")
                               .arg(QString::fromStdString(graph->name()))
                               .arg(graph->width()));
    m_model->setGraph(std::move(graph));
    m_view->resizeColumnsToContents();
}

void LayerTablePanel::setCostedGraph(std::shared_ptr<const Graph> graph, const NetworkCost& cost, const QString& what)
{
    m_caption->setText(tr("%1: energy, DRAM traffic and mapping per layer (layers numbered as in the breakdown)").arg(what));
    m_model->setCostedGraph(std::move(graph), cost);
    m_view->resizeColumnsToContents();
    m_view->setColumnWidth(LayerTableModel::Mapping, std::min(m_view->columnWidth(LayerTableModel::Mapping), 600));
}

QString LayerTablePanel::caption() const { return m_caption->text(); }

} // namespace poq::ui
