// Bottom panel: the per-layer table of the current network. GUI thread only.
#pragma once

#include "graph/graph.h"
#include "hw/network_cost.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTableView;
class QSortFilterProxyModel;

namespace poq::ui {

class LayerTableModel;

class LayerTablePanel : public QWidget {
    Q_OBJECT
public:
    explicit LayerTablePanel(QWidget* parent = nullptr);
    void setGraph(std::shared_ptr<const Graph> graph); // the Width box's network, structure only
    // A selected design point: its graph with energy, DRAM traffic and mapping per layer.
    void setCostedGraph(std::shared_ptr<const Graph> graph, const NetworkCost& cost, const QString& what);
    QString caption() const;
    LayerTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }

private:
    LayerTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLabel* m_caption;
};

} // namespace poq::ui
