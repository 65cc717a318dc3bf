// Bottom panel: the per-layer table of the current network. GUI thread only.
#pragma once

#include "graph/graph.h"

#include <QWidget>

#include <memory>

class QTableView;
class QSortFilterProxyModel;

namespace poq::ui {

class LayerTableModel;

class LayerTablePanel : public QWidget {
    Q_OBJECT
public:
    explicit LayerTablePanel(QWidget* parent = nullptr);
    void setGraph(std::shared_ptr<const Graph> graph);
    LayerTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }

private:
    LayerTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
};

} // namespace poq::ui
