// MainWindow: docks, menus, status bar, remembered layout.
#include "main_window.h"

#include "graph/network_io.h"
#include "panels/layer_table_panel.h"
#include "panels/network_panel.h"
#include "plots/frontier_plot.h"
#include "ui_resources.h"
#include "util/version.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace poq::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_networkPanel(new NetworkPanel), m_layerPanel(new LayerTablePanel), m_plot(new FrontierPlot)
{
    setWindowTitle(QStringLiteral("POQ Studio"));
    setWindowIcon(appIcon());
    setCentralWidget(m_plot);

    auto* networkDock = new QDockWidget(tr("Network"), this);
    networkDock->setObjectName(QStringLiteral("networkDock"));
    networkDock->setWidget(m_networkPanel);
    addDockWidget(Qt::LeftDockWidgetArea, networkDock);

    auto* layerDock = new QDockWidget(tr("Layers"), this);
    layerDock->setObjectName(QStringLiteral("layerDock"));
    layerDock->setWidget(m_layerPanel);
    addDockWidget(Qt::BottomDockWidgetArea, layerDock);

    createMenus();
    m_viewMenu->addAction(networkDock->toggleViewAction());
    m_viewMenu->addAction(layerDock->toggleViewAction());

    connect(m_networkPanel, &NetworkPanel::graphChanged, m_layerPanel, &LayerTablePanel::setGraph);
    connect(m_networkPanel, &NetworkPanel::failed, this, [this](const QString& m) { statusBar()->showMessage(m); });
    connect(m_networkPanel, &NetworkPanel::graphChanged, this, [this](std::shared_ptr<const Graph> g) {
        if (g)
            statusBar()->showMessage(tr("%1 at width %2").arg(QString::fromStdString(g->name())).arg(g->width()));
    });
    m_layerPanel->setGraph(m_networkPanel->currentGraph());
    statusBar()->showMessage(tr("Ready"));
    resize(1200, 800);
    restoreSettings();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Network…"), QKeySequence::Open, this, &MainWindow::onOpenNetwork);
    file->addAction(tr("&Save Network As…"), QKeySequence::SaveAs, this, &MainWindow::onSaveNetwork);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("Reset Plot &View"), QKeySequence(Qt::CTRL | Qt::Key_0), m_plot, &FrontierPlot::resetView);

    m_viewMenu = menuBar()->addMenu(tr("&View"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About POQ Studio"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

bool MainWindow::openNetworkFile(const QString& path, QString* error)
{
    QString message;
    if (!m_networkPanel->addNetworkFile(path, &message)) {
        statusBar()->showMessage(message);
        if (error)
            *error = message;
        return false;
    }
    statusBar()->showMessage(tr("Opened %1").arg(path));
    return true;
}

bool MainWindow::saveNetworkFile(const QString& path, QString* error)
{
    const NetworkSpec* spec = m_networkPanel->currentSpec();
    try {
        if (!spec)
            throw std::runtime_error("no network selected");
        poq::saveNetworkFile(*spec, path.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        statusBar()->showMessage(QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path));
    return true;
}

void MainWindow::onOpenNetwork()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Network"), QString(),
                                                      tr("POQ networks (*.json);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !openNetworkFile(path, &error))
        QMessageBox::warning(this, tr("Cannot open network"), error);
}

void MainWindow::onSaveNetwork()
{
    const QString suggested = m_networkPanel->currentNetworkName().section(' ', 0, 0) + QStringLiteral(".json");
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Network As"), suggested,
                                                      tr("POQ networks (*.json)"));
    QString error;
    if (!path.isEmpty() && !saveNetworkFile(path, &error))
        QMessageBox::warning(this, tr("Cannot save network"), error);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About POQ Studio"),
                       tr("<h3>POQ Studio %1</h3>"
                          "<p>Pareto-optimal quantization: compare number formats fairly by sweeping each over "
                          "a width multiplier and costing every point with a detailed processor energy model.</p>"
                          "<p>Methodology: De Putter, Eissa, Corporaal, IEEE Access 13, 2025.</p>")
                           .arg(QString::fromUtf8(kVersion)));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace poq::ui
