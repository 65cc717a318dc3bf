// Table model of a Graph's layers (the GUI twin of `poq info`). GUI thread only.
#pragma once

#include "graph/graph.h"
#include "hw/network_cost.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>

namespace poq::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Kind, Output, Macs, Params, Residual, Energy, DramBits, Mapping, ColumnCount };

    explicit LayerTableModel(QObject* parent = nullptr);
    void setGraph(std::shared_ptr<const Graph> graph); // structure only: the cost columns stay empty
    // The graph of a design point with its costs per layer (energy, DRAM bits, mapping).
    void setCostedGraph(std::shared_ptr<const Graph> graph, const NetworkCost& cost);
    bool hasCost() const { return m_cost.has_value(); }
    const Graph* graph() const { return m_graph.get(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::shared_ptr<const Graph> m_graph;
    std::optional<NetworkCost> m_cost;
};

} // namespace poq::ui
