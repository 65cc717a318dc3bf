// NetworkPanel: network and width selection with a live size summary.
#include "panels/network_panel.h"

#include "graph/network_io.h"
#include "graph/width.h"
#include "graph/zoo.h"
#include "util/error.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace poq::ui {

NetworkPanel::NetworkPanel(QWidget* parent)
    : QWidget(parent), m_network(new QComboBox(this)), m_width(new QDoubleSpinBox(this)),
      m_summary(new QLabel(this)), m_description(new QLabel(this))
{
    for (const ZooEntry& e : zoo()) {
        m_specs.push_back(e.build());
        m_network->addItem(QString::fromUtf8(e.name));
        m_network->setItemData(m_network->count() - 1, QString::fromUtf8(e.description), Qt::ToolTipRole);
    }
    m_width->setRange(kMinWidth, kMaxWidth);
    m_width->setSingleStep(0.05);
    m_width->setDecimals(2);
    m_width->setValue(1.0);
    m_width->setToolTip(tr("Width multiplier: channel counts become the nearest multiple of 8 of c x w "
                           "(%1 to %2)").arg(kMinWidth).arg(kMaxWidth));
    m_network->setToolTip(tr("The network to study: a built-in one, or one opened with File > Open Network"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_description->setWordWrap(true);
    m_description->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->addRow(tr("&Network"), m_network);
    form->addRow(tr("&Width"), m_width);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(m_description);
    layout->addStretch(1);

    connect(m_network, &QComboBox::currentIndexChanged, this, &NetworkPanel::rebuild);
    connect(m_width, &QDoubleSpinBox::valueChanged, this, &NetworkPanel::rebuild);
    const int def = m_network->findText(QString::fromUtf8(kDefaultNetwork));
    m_network->setCurrentIndex(def >= 0 ? def : 0);
    rebuild();
}

bool NetworkPanel::addNetworkFile(const QString& path, QString* error)
{
    try {
        NetworkSpec spec = loadNetworkFile(path.toStdString());
        const QString label = QStringLiteral("%1 (%2)").arg(QString::fromStdString(spec.name),
                                                            QFileInfo(path).fileName());
        m_specs.push_back(std::move(spec));
        m_network->addItem(label);
        m_network->setItemData(m_network->count() - 1, path, Qt::ToolTipRole);
        m_network->setCurrentIndex(m_network->count() - 1);
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

bool NetworkPanel::selectNetwork(const QString& name)
{
    const int i = m_network->findText(name);
    if (i < 0)
        return false;
    m_network->setCurrentIndex(i);
    return true;
}

void NetworkPanel::setWidth(double width) { m_width->setValue(width); }

QString NetworkPanel::currentNetworkName() const { return m_network->currentText(); }

double NetworkPanel::width() const { return m_width->value(); }

const NetworkSpec* NetworkPanel::currentSpec() const
{
    const int i = m_network->currentIndex();
    return (i >= 0 && i < static_cast<int>(m_specs.size())) ? &m_specs[i] : nullptr;
}

void NetworkPanel::rebuild()
{
    const NetworkSpec* spec = currentSpec();
    if (!spec)
        return;
    try {
        m_graph = std::make_shared<const Graph>(Graph::build(*spec, m_width->value()));
    } catch (const std::exception& e) {
        // A file network may be valid at width 1.0 but not at another width (e.g. groups).
        m_graph.reset();
        m_summary->setText(tr("<b>Not valid at this width:</b> %1").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
        emit failed(QString::fromStdString(e.what()));
        emit graphChanged(nullptr);
        return;
    }
    showSummary();
    emit graphChanged(m_graph);
}

void NetworkPanel::showSummary()
{
    const QLocale locale;
    const Graph& g = *m_graph;
    const Shape in = g.tensor(g.inputTensors().at(0)).shape;
    int macLayers = 0;
    for (const Layer& l : g.layers())
        macLayers += l.loopNest ? 1 : 0;
    m_summary->setText(tr("<table>"
                          "<tr><td>Input</td><td align=right>%1</td></tr>"
                          "<tr><td>MACs</td><td align=right>%2</td></tr>"
                          "<tr><td>Parameters</td><td align=right>%3</td></tr>"
                          "<tr><td>Layers</td><td align=right>%4 (%5 with MACs)</td></tr>"
                          "<tr><td>Skip connections</td><td align=right>%6</td></tr></table>")
                           .arg(QString::fromStdString(in.str()), locale.toString(qlonglong(g.totalMacs())),
                                locale.toString(qlonglong(g.totalParams())))
                           .arg(g.layers().size())
                           .arg(macLayers)
                           .arg(g.residualEdges().size()));
    const NetworkSpec* spec = currentSpec();
    m_description->setText(QStringLiteral("%1<br><i>%2</i>")
                               .arg(QString::fromStdString(spec->description).toHtmlEscaped(),
                                    QString::fromStdString(spec->reference).toHtmlEscaped()));
}

} // namespace poq::ui
