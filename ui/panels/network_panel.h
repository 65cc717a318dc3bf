// Left panel: pick a network (zoo or file) and a width; shows its size. Emits the built graph.
// GUI thread only; building a graph takes milliseconds, so it runs inline.
#pragma once

#include "graph/graph.h"
#include "graph/network_spec.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace poq::ui {

class NetworkPanel : public QWidget {
    Q_OBJECT
public:
    explicit NetworkPanel(QWidget* parent = nullptr);

    // Loads a network file and selects it. Returns false with a one-line message on bad input;
    // the current selection is then unchanged.
    bool addNetworkFile(const QString& path, QString* error);
    bool selectNetwork(const QString& name); // false when no such entry
    void setWidth(double width);

    QString currentNetworkName() const;
    double width() const;
    const NetworkSpec* currentSpec() const;
    std::shared_ptr<const Graph> currentGraph() const { return m_graph; }
    QComboBox* networkCombo() const { return m_network; }
    QDoubleSpinBox* widthSpin() const { return m_width; }

signals:
    void graphChanged(std::shared_ptr<const poq::Graph> graph);
    void failed(const QString& message);

private:
    void rebuild();
    void showSummary();

    std::vector<NetworkSpec> m_specs; // combo index -> spec
    std::shared_ptr<const Graph> m_graph;
    QComboBox* m_network;
    QDoubleSpinBox* m_width;
    QLabel* m_summary;
    QLabel* m_description;
};

} // namespace poq::ui
