// LayerTableModel: one row per layer, numbers right-aligned and sortable by their raw value.
#include "models/layer_table_model.h"

#include "util/units.h"

#include <QLocale>

namespace poq::ui {

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void LayerTableModel::setGraph(std::shared_ptr<const Graph> graph)
{
    beginResetModel();
    m_graph = std::move(graph);
    m_cost.reset();
    endResetModel();
}

void LayerTableModel::setCostedGraph(std::shared_ptr<const Graph> graph, const NetworkCost& cost)
{
    beginResetModel();
    m_graph = std::move(graph);
    m_cost = cost;
    if (m_cost->layers.size() != m_graph->layers().size())
        m_cost.reset(); // not this graph's cost: show the structure only
    endResetModel();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_graph ? 0 : static_cast<int>(m_graph->layers().size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_graph || !index.isValid())
        return {};
    const Layer& l = m_graph->layers().at(index.row());
    const LayerEnergy* e = m_cost ? &m_cost->layers.at(index.row()) : nullptr;
    const QLocale locale;
    if (role == Qt::DisplayRole) {
        switch (static_cast<Column>(index.column())) {
        case Name: return QString::fromStdString(l.name);
        case Kind: return QString::fromUtf8(kindInfo(l.kind).name);
        case Output: return QString::fromStdString(l.outShape.str());
        case Macs: return locale.toString(qlonglong(l.macs));
        case Params: return locale.toString(qlonglong(l.params));
        case Residual: return l.residual ? tr("yes") : QString();
        case Energy: return e ? QString::fromStdString(formatQuantity(e->energyPj(), Quantity::Energy)) : QString();
        case DramBits: return e ? QString::fromStdString(formatQuantity(e->dramBits, Quantity::Bits)) : QString();
        case Mapping: return e ? QString::fromStdString(e->fused ? std::string("(fused into its producer)") : e->mapping)
                               : QString();
        case ColumnCount: break;
        }
    } else if (role == Qt::UserRole) { // raw values for sorting and tests
        switch (static_cast<Column>(index.column())) {
        case Macs: return qlonglong(l.macs);
        case Params: return qlonglong(l.params);
        case Residual: return l.residual;
        case Energy: return e ? e->energyPj() : 0.0;
        case DramBits: return e ? e->dramBits : 0.0;
        default: return data(index, Qt::DisplayRole);
        }
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == Macs || index.column() == Params || index.column() == Energy || index.column() == DramBits)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ToolTipRole && l.loopNest) {
        const LoopNest& n = *l.loopNest;
        return tr("Loop nest: K=%1 C=%2 G=%3 OY=%4 OX=%5 FY=%6 FX=%7, stride %8x%9")
            .arg(n.K).arg(n.C).arg(n.G).arg(n.OY).arg(n.OX).arg(n.FY).arg(n.FX).arg(n.strideY).arg(n.strideX);
    }
    return {};
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (static_cast<Column>(section)) {
    case Name: return tr("Layer");
    case Kind: return tr("Kind");
    case Output: return tr("Output (CxHxW)");
    case Macs: return tr("MACs");
    case Params: return tr("Parameters");
    case Residual: return tr("Residual");
    case Energy: return tr("Energy");
    case DramBits: return tr("DRAM traffic");
    case Mapping: return tr("Mapping");
    case ColumnCount: break;
    }
    return {};
}

} // namespace poq::ui
