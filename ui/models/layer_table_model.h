// Table model of a Graph's layers (the GUI twin of `poq info`). GUI thread only.
#pragma once

#include "graph/graph.h"

#include <QAbstractTableModel>

#include <memory>

namespace poq::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, Output, Macs, Params, Residual, ColumnCount };

    explicit LayerTableModel(QObject* parent = nullptr);
    void setGraph(std::shared_ptr<const Graph> graph);
    const Graph* graph() const { return m_graph.get(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::shared_ptr<const Graph> m_graph;
};

} // namespace poq::ui
