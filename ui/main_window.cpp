// MainWindow: docks, menus, status bar, and the request -> result -> redraw loop.
#include "main_window.h"

#include "engine/measure.h"
#include "explore/csv.h"
#include "graph/zoo.h"
#include "graph/network_io.h"
#include "panels/breakdown_panel.h"
#include "panels/compare_panel.h"
#include "panels/hardware_panel.h"
#include "panels/layer_table_panel.h"
#include "panels/network_panel.h"
#include "panels/sweep_panel.h"
#include "plots/frontier_plot.h"
#include "explore/session.h"
#include "ui_resources.h"
#include "util/atomic_file.h"
#include "util/input_file.h"
#include "util/version.h"

#include <nlohmann/json.hpp>

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace poq::ui {

namespace {

constexpr int kRecentSessions = 8;

QString lastFolder() { return QSettings().value(QStringLiteral("files/lastFolder")).toString(); }

void rememberFolder(const QString& path)
{
    QSettings().setValue(QStringLiteral("files/lastFolder"), QFileInfo(path).absolutePath());
}

} // namespace

// "plot" + "SVG (*.svg)" -> "plot.svg"; a name with an extension is kept; "a.poq" + "(*.poq.json)" ->
// "a.poq.json".
QString withDefaultExtension(const QString& path, const QString& filter)
{
    const QRegularExpression pattern(QStringLiteral("\\*(\\.[A-Za-z0-9.]+)"));
    const QRegularExpressionMatch m = pattern.match(filter);
    if (!m.hasMatch())
        return path;
    const QString ext = m.captured(1);
    const QString name = QFileInfo(path).fileName();
    if (name.endsWith(ext, Qt::CaseInsensitive))
        return path;
    if (ext.count('.') == 1 && !QFileInfo(path).suffix().isEmpty())
        return path; // the user typed an extension of their own
    return path + (name.endsWith('.') ? ext.mid(1) : ext);
}

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_networkPanel(new NetworkPanel), m_sweepPanel(new SweepPanel),
      m_hardwarePanel(new HardwarePanel), m_layerPanel(new LayerTablePanel), m_breakdownPanel(new BreakdownPanel),
      m_comparePanel(new ComparePanel), m_plot(new FrontierPlot), m_controller(new SweepController(this))
{
    setWindowTitle(QStringLiteral("POQ Studio"));
    setWindowIcon(appIcon());
    setCentralWidget(m_plot);
    createDocks();
    createMenus();
    createStatusBar();

    connect(m_networkPanel, &NetworkPanel::graphChanged, m_layerPanel, &LayerTablePanel::setGraph);
    connect(m_networkPanel->networkCombo(), &QComboBox::currentIndexChanged, this, [this] {
        markModified();
        requestSweep();
    });
    connect(m_networkPanel, &NetworkPanel::graphChanged, this, [this] { markModified(); });
    connect(m_sweepPanel, &SweepPanel::changed, this, [this] {
        markModified();
        requestSweep();
    });
    connect(m_hardwarePanel, &HardwarePanel::hardwareChanged, this, [this] {
        markModified();
        requestSweep();
    });
    for (auto* src : {static_cast<QObject*>(m_networkPanel), static_cast<QObject*>(m_sweepPanel)})
        connect(src, SIGNAL(failed(QString)), statusBar(), SLOT(showMessage(QString)));
    connect(m_controller, &SweepController::started, this, [this] {
        m_progress->setValue(0);
        m_progress->show();
        m_cancel->show();
        m_cancelAction->setEnabled(true);
        m_plot->setStale(true); // greyed until the new results arrive
    });
    connect(m_controller, &SweepController::progress, this, [this](int, double f) { m_progress->setValue(int(f * 100)); });
    connect(m_controller, &SweepController::finished, this, &MainWindow::onResult);
    connect(m_plot, &FrontierPlot::pointClicked, this, [this](int i, bool shift) { selectPoint(i, shift || m_selection.size() == 1); });
    connect(m_plot, &FrontierPlot::baselineRequested, m_comparePanel, &ComparePanel::setBaseline);
    connect(m_plot, &FrontierPlot::candidateRequested, m_comparePanel, &ComparePanel::setCandidate);
    connect(m_comparePanel, &ComparePanel::isoAccuracyChanged, m_plot, &FrontierPlot::setIsoAccuracy);

    // First run: the built-in experiment with measured accuracy when its trained models exist,
    // otherwise MobileNetV2 at 224x224 with energy only.
    const Experiment& experiment = builtinExperiment();
    if (findTrainedModel(experiment.network, 1.0, "fp32")) {
        m_networkPanel->selectNetwork(QString::fromStdString(experiment.network));
        m_sweepPanel->setWidths(experiment.widths);
        m_sweepPanel->setStrategies(experiment.strategies);
        m_sweepPanel->setMeasured(true);
    } else {
        m_networkPanel->selectNetwork(QStringLiteral("mobilenetv2"));
    }
    m_layerPanel->setGraph(m_networkPanel->currentGraph());
    setSessionPath(QString()); // untitled, unmodified: the first run is not an edit
    m_lastState = std::make_unique<Session>(currentSession());
    m_lastEdit.invalidate();
    statusBar()->showMessage(tr("Ready"));
    resize(defaultWindowSize());
    m_defaultLayout = saveState();
    checkCostAxisAction(); // the plot is drawn by the first sweep
    restoreSettings();
    requestSweep(0);
}

QSize defaultWindowSize()
{
    // Fits a 1366 x 768 screen with its panel and title bar; smaller screens get what they have.
    QSize size(1340, 700);
    if (const QScreen* screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size() - QSize(20, 40));
    return size;
}

void MainWindow::createDocks()
{
    auto dock = [this](const QString& title, const char* name, QWidget* w, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(QString::fromUtf8(name));
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(m_networkPanel);
    leftLayout->addWidget(m_sweepPanel);
    leftLayout->addStretch(1);
    // The design space scrolls when the window is short (1280 x 720 fits without cutting a dock).
    auto* leftScroll = new QScrollArea;
    leftScroll->setWidgetResizable(true);
    leftScroll->setFrameShape(QFrame::NoFrame);
    leftScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    leftScroll->setWidget(left);
    leftScroll->setMinimumWidth(left->minimumSizeHint().width() + 16);
    m_docks = {dock(tr("Design space"), "designDock", leftScroll, Qt::LeftDockWidgetArea),
               dock(tr("Hardware"), "hardwareDock", m_hardwarePanel, Qt::RightDockWidgetArea),
               dock(tr("Compare"), "compareDock", m_comparePanel, Qt::RightDockWidgetArea)};
    auto* tabs = new QTabWidget;
    tabs->addTab(m_breakdownPanel, tr("Energy breakdown"));
    tabs->addTab(m_layerPanel, tr("Layers"));
    tabs->setMinimumHeight(180); // the Details panel never collapses to a strip
    m_docks.push_back(dock(tr("Details"), "detailsDock", tabs, Qt::BottomDockWidgetArea));
    resizeDocks({m_docks.back()}, {260}, Qt::Vertical);
    resizeDocks({m_docks[0], m_docks[1]}, {300, 420}, Qt::Horizontal);
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    // File dialogs start in the last folder used and add the chosen filter's extension when the name
    // has none; an error is shown in the window's own words and the dialog is not needed again.
    auto pick = [this](bool save, const QString& title, const QString& filter, auto&& action) {
        return [=, this] {
            QString chosen;
            QString path = save ? QFileDialog::getSaveFileName(this, title, lastFolder(), filter, &chosen)
                                : QFileDialog::getOpenFileName(this, title, lastFolder(), filter, &chosen);
            if (path.isEmpty())
                return;
            if (save)
                path = withDefaultExtension(path, chosen.isEmpty() ? filter : chosen);
            rememberFolder(path);
            QString error;
            if (!action(path, &error))
                showError(title, error);
        };
    };
    file->addAction(tr("&Open Session…"), QKeySequence::Open, this, [this] {
        if (!maybeSave())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Session"), lastFolder(),
                                                          tr("POQ sessions (*.poq.json *.json)"));
        QString error;
        if (!path.isEmpty() && !openSession(path, &error))
            showError(tr("Open Session"), error);
    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] {
        m_recentMenu->clear();
        for (const QString& path : recentSessions())
            m_recentMenu->addAction(QFileInfo(path).fileName() + "  —  " + QFileInfo(path).absolutePath(), this, [this, path] {
                QString error;
                if (maybeSave() && !openSession(path, &error))
                    showError(tr("Open Session"), error);
            });
        if (m_recentMenu->isEmpty())
            m_recentMenu->addAction(tr("(no recent sessions)"))->setEnabled(false);
    });
    file->addAction(tr("&Save Session"), QKeySequence::Save, this, [this] { saveSessionInteractive(false); });
    file->addAction(tr("Save Session &As…"), QKeySequence::SaveAs, this, [this] { saveSessionInteractive(true); });
    file->addSeparator();
    file->addAction(tr("Open &Network…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    pick(false, tr("Open Network"),
                         tr("Networks (*.json *.onnx);;POQ networks (*.json);;ONNX models (*.onnx)"),
                         [this](const QString& p, QString* e) { return openNetworkFile(p, e); }));
    file->addAction(tr("Save Network &As…"), this,
                    pick(true, tr("Save Network"), tr("POQ networks (*.json)"),
                         [this](const QString& p, QString* e) { return saveNetworkFile(p, e); }));
    file->addSeparator();
    file->addAction(tr("&Export Plot…"), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                    pick(true, tr("Export Plot"), tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf)"),
                         [this](const QString& p, QString* e) { return exportPlot(p, e); }));
    file->addAction(tr("Export &Breakdown…"), this,
                    pick(true, tr("Export Breakdown"), tr("SVG (*.svg);;PNG (*.png);;PDF (*.pdf)"),
                         [this](const QString& p, QString* e) { return exportBreakdown(p, e); }));
    file->addAction(tr("Export &Data…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this,
                    pick(true, tr("Export Data"), tr("CSV (*.csv);;JSON (*.json)"),
                         [this](const QString& p, QString* e) { return exportData(p, e); }));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(tr("&Undo"), QKeySequence::Undo, this, &MainWindow::undo);
    edit->addAction(tr("&Redo"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), this, &MainWindow::redo);
    edit->addSeparator();
    edit->addAction(tr("Reset &Hardware"), m_hardwarePanel, &HardwarePanel::resetAll);
    m_cancelAction = edit->addAction(tr("&Cancel Sweep"), QKeySequence(Qt::Key_Escape), m_controller, &SweepController::cancel);
    m_cancelAction->setEnabled(false); // Esc does nothing while nothing runs

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(tr("Reset Plot &View"), QKeySequence(Qt::CTRL | Qt::Key_0), m_plot, &FrontierPlot::resetView);
    QAction* log = m_viewMenu->addAction(tr("&Logarithmic Cost Axis"));
    log->setCheckable(true);
    log->setChecked(true);
    connect(log, &QAction::toggled, m_plot, &FrontierPlot::setLogCostAxis);
    QMenu* axis = m_viewMenu->addMenu(tr("Cost &Axis"));
    m_axisActions = new QActionGroup(this);
    for (const CostAxisInfo& a : allCostAxes()) {
        QAction* act = axis->addAction(QString::fromUtf8(a.label), this, [this, id = a.id] {
            m_axis = id;
            showCostAxis();
        });
        act->setCheckable(true);
        act->setData(int(a.id));
        m_axisActions->addAction(act);
    }
    m_viewMenu->addAction(tr("Reset &Layout"), this, &MainWindow::resetLayout);
    m_viewMenu->addSeparator();
    for (QDockWidget* d : m_docks)
        m_viewMenu->addAction(d->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About POQ Studio"), this, [this] {
        QMessageBox::about(this, tr("About POQ Studio"),
                           tr("<h3>POQ Studio %1</h3><p>Pareto-optimal quantization: compare number formats fairly by "
                              "sweeping each over a width multiplier and costing every point with a detailed processor "
                              "energy model.</p><p>Methodology: De Putter, Eissa, Corporaal, IEEE Access 13, 2025.</p>")
                               .arg(QString::fromUtf8(kVersion)));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar()
{
    m_progress = new QProgressBar;
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(200);
    m_cancel = new QPushButton(tr("Cancel"));
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    m_progress->hide();
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, m_controller, &SweepController::cancel);
}

void MainWindow::requestSweep(int delayMs)
{
    const NetworkSpec* spec = m_networkPanel->currentSpec();
    const std::vector<double> widths = m_sweepPanel->widths();
    const std::vector<std::string> strategies = m_sweepPanel->strategies();
    if (!spec || widths.empty() || strategies.empty()) {
        statusBar()->showMessage(tr("Check at least one width and one strategy"));
        return;
    }
    m_controller->request({*spec, widths, strategies, m_hardwarePanel->hardware(), m_sweepPanel->objective(),
                           m_sweepPanel->accuracy(), m_sweepPanel->measured()},
                          delayMs);
}

void MainWindow::onResult(const SweepResult& r)
{
    m_progress->hide();
    m_cancel->hide();
    m_cancelAction->setEnabled(false);
    m_plot->setStale(false);
    if (r.cancelled) {
        statusBar()->showMessage(tr("Sweep cancelled"));
    } else if (!r.ok) {
        statusBar()->showMessage(r.error);
    } else {
        m_points = r.points;
        m_plot->setPoints(m_points, m_axis);
        m_comparePanel->setPoints(m_points);
        int frontier = 0;
        for (const DesignPoint& p : m_points)
            frontier += p.pareto ? 1 : 0;
        // Points drawn hollow because no accuracy is known for them: how many, at which widths.
        QString hollow;
        if (const std::vector<int>& un = m_plot->unmeasuredIndices(); !un.empty()) {
            std::vector<double> widths;
            for (int i : un)
                if (std::find(widths.begin(), widths.end(), m_points[i].width) == widths.end())
                    widths.push_back(m_points[i].width);
            std::sort(widths.begin(), widths.end());
            QStringList w;
            for (double x : widths)
                w << QString::number(x);
            hollow = tr("; %1 point(s) have no accuracy (drawn hollow): widths %2").arg(un.size()).arg(w.join(", "));
        }
        statusBar()->showMessage(tr("%1 design points costed in %2 ms on %3; %4 on the frontier%5%6")
                                     .arg(m_points.size()).arg(r.elapsedMs, 0, 'f', 0)
                                     .arg(QString::fromStdString(m_hardwarePanel->hardware().name)).arg(frontier)
                                     .arg(r.unmeasured.empty() ? QString()
                                                               : tr("; %1 without a trained model").arg(r.unmeasured.size()))
                                     .arg(hollow));
        // Imported rows that match no point are reported, never used silently.
        if (!r.unmatched.empty()) {
            QStringList lines;
            for (const std::string& line : summarizeWarnings(r.unmatched, 10))
                lines << QString::fromStdString(line);
            statusBar()->showMessage(statusBar()->currentMessage()
                                     + tr("; %1 imported accuracy row(s) match no point (hover here)").arg(r.unmatched.size()));
            statusBar()->setToolTip(lines.join("\n"));
            m_unmatched = lines;
        } else {
            statusBar()->setToolTip(QString());
            m_unmatched.clear();
        }
        // Keep the selection by identity: the same (strategy, width) wherever it now sits.
        std::vector<int> keep;
        QStringList dropped;
        for (const auto& [strategy, width] : m_selectedKeys) {
            int found = -1;
            for (size_t i = 0; i < m_points.size() && found < 0; ++i)
                if (m_points[i].strategy == strategy && m_points[i].width == width)
                    found = int(i);
            if (found >= 0)
                keep.push_back(found);
            else
                dropped << QStringLiteral("%1 @ %2").arg(QString::fromStdString(strategy)).arg(width);
        }
        m_selection.clear();
        m_selectedKeys.clear();
        m_plot->setSelection({});
        if (keep.empty())
            m_breakdownPanel->clear();
        for (size_t k = 0; k < keep.size(); ++k)
            selectPoint(keep[k], k > 0);
        if (!dropped.isEmpty())
            statusBar()->showMessage(statusBar()->currentMessage()
                                     + tr("; selection dropped: %1 is no longer in the design space").arg(dropped.join(", ")));
    }
    emit sweepFinished();
}

void MainWindow::selectPoint(int index, bool compare)
{
    if (index < 0 || index >= int(m_points.size()))
        return;
    if (!compare || m_selection.empty())
        m_selection = {index};
    else
        m_selection = {m_selection.front(), index};
    m_selectedKeys.clear();
    for (int i : m_selection)
        m_selectedKeys.emplace_back(m_points[i].strategy, m_points[i].width);
    m_plot->setSelection(m_selection);
    const auto a = m_controller->costPoint(m_points[m_selection[0]]);
    if (!a)
        return;
    if (auto graph = m_controller->graphOf(m_points[m_selection[0]]))
        m_layerPanel->setCostedGraph(std::move(graph), *a,
                                     QStringLiteral("%1 @ %2 on %3")
                                         .arg(QString::fromStdString(m_points[m_selection[0]].strategy))
                                         .arg(m_points[m_selection[0]].width)
                                         .arg(QString::fromStdString(m_hardwarePanel->hardware().name)));
    if (m_selection.size() == 2) {
        const auto b = m_controller->costPoint(m_points[m_selection[1]]);
        if (b)
            m_breakdownPanel->setPoints(m_points[m_selection[0]], *a, &m_points[m_selection[1]], &*b);
    } else {
        m_breakdownPanel->setPoints(m_points[m_selection[0]], *a);
    }
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
    m_networkFile = path;
    statusBar()->showMessage(tr("Opened %1").arg(path));
    return true;
}

bool MainWindow::saveNetworkFile(const QString& path, QString* error)
{
    try {
        if (!m_networkPanel->currentSpec())
            throw std::runtime_error("no network selected");
        poq::saveNetworkFile(*m_networkPanel->currentSpec(), path.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

QString MainWindow::exportCaption() const
{
    return tr("%1 on %2, objective %3 — POQ Studio %4")
        .arg(m_networkPanel->currentNetworkName(), QString::fromStdString(m_hardwarePanel->hardware().name),
             QString::fromUtf8(objectiveName(m_sweepPanel->objective())), QString::fromUtf8(kVersion));
}

bool MainWindow::exportPlot(const QString& path, QString* error)
{
    return m_plot->exportTo(path, std::max(640, m_plot->width()), std::max(420, m_plot->height()), error, exportCaption());
}

bool MainWindow::exportBreakdown(const QString& path, QString* error)
{
    return m_breakdownPanel->exportTo(path, exportCaption(), error);
}

bool MainWindow::exportData(const QString& path, QString* error)
{
    try {
        writeSweepFile(m_points, path.toStdString()); // the file `poq sweep --out` writes
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

Session MainWindow::currentSession() const
{
    Session s;
    s.networkIsFile = !m_networkFile.isEmpty() && m_networkPanel->currentNetworkName().contains('(');
    s.network = (s.networkIsFile ? m_networkFile : m_networkPanel->currentNetworkName()).toStdString();
    s.width = m_networkPanel->width();
    s.widths = m_sweepPanel->widths();
    s.strategies = m_sweepPanel->strategies();
    s.hardware = m_hardwarePanel->hardware();
    s.objective = m_sweepPanel->objective();
    s.accuracyFile = m_sweepPanel->measured() ? std::string("measured") : m_sweepPanel->accuracyFile().toStdString();
    s.costAxis = m_axis;
    s.selection = m_selectedKeys;
    s.compareBaseline = m_comparePanel->baseline()->currentText().toStdString();
    s.compareCandidate = m_comparePanel->candidate()->currentText().toStdString();
    return s;
}

bool MainWindow::saveSession(const QString& path, QString* error)
{
    const Session s = currentSession();
    try {
        writeFileAtomically(path.toStdString(), sessionToJson(s));
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    setSessionPath(path);
    statusBar()->showMessage(tr("Saved session %1").arg(path));
    return true;
}

bool MainWindow::saveSessionInteractive(bool saveAs)
{
    QString path = m_sessionPath;
    if (saveAs || path.isEmpty()) {
        QString chosen;
        path = QFileDialog::getSaveFileName(this, tr("Save Session"), m_sessionPath.isEmpty() ? lastFolder() : m_sessionPath,
                                            tr("POQ sessions (*.poq.json)"), &chosen);
        if (path.isEmpty())
            return false;
        path = withDefaultExtension(path, QStringLiteral("(*.poq.json)"));
        rememberFolder(path);
    }
    QString error;
    if (!saveSession(path, &error)) {
        showError(tr("Save Session"), error);
        return false;
    }
    return true;
}

void MainWindow::setSessionPath(const QString& path)
{
    m_sessionPath = path;
    if (!path.isEmpty()) {
        QStringList recent = recentSessions();
        const QString abs = QFileInfo(path).absoluteFilePath();
        recent.removeAll(abs);
        recent.prepend(abs);
        while (recent.size() > kRecentSessions)
            recent.removeLast();
        QSettings().setValue(QStringLiteral("files/recentSessions"), recent);
    }
    QString name = path.isEmpty() ? tr("Untitled") : QFileInfo(path).fileName();
    if (name.endsWith(QStringLiteral(".poq.json")))
        name.chop(9);
    setWindowTitle(tr("%1[*] — POQ Studio").arg(name));
    setWindowModified(false);
}

void MainWindow::markModified()
{
    if (m_applyingSession)
        return;
    setWindowModified(true);
    // One undo step per edit; the moves of one slider drag (closer than 500 ms) are one step.
    if (m_lastState && (!m_lastEdit.isValid() || m_lastEdit.elapsed() > 500)) {
        m_undo.push_back(*m_lastState);
        if (m_undo.size() > 100)
            m_undo.erase(m_undo.begin());
    }
    m_redo.clear();
    m_lastEdit.start();
    m_lastState = std::make_unique<Session>(currentSession());
}

QStringList MainWindow::recentSessions() const
{
    QStringList out;
    for (const QString& p : QSettings().value(QStringLiteral("files/recentSessions")).toStringList())
        if (QFileInfo::exists(p))
            out << p;
    return out;
}

bool MainWindow::maybeSave()
{
    if (!isWindowModified())
        return true;
    const int answer = m_askUnsaved ? m_askUnsaved()
                                    : QMessageBox::question(this, tr("Unsaved changes"),
                                                            tr("The session has unsaved changes. Save them first?"),
                                                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                                            QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard)
        return true;
    return saveSessionInteractive(false);
}

bool MainWindow::openSession(const QString& path, QString* error)
{
    Session s;
    try {
        s = sessionFromJson(readInputFile(path.toStdString(), InputFileKind::Session), path.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        statusBar()->showMessage(QString::fromStdString(e.what()));
        return false;
    }
    if (!applySession(s, path, error))
        return false;
    m_undo.clear();
    m_redo.clear();
    m_lastState = std::make_unique<Session>(currentSession());
    m_lastEdit.invalidate();
    setSessionPath(path);
    statusBar()->showMessage(tr("Opened session %1").arg(path));
    return true;
}

bool MainWindow::openSessionAtStart(const QString& path)
{
    QString error;
    if (openSession(path, &error))
        return true;
    m_startupError = error;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Open Session"), error, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, not blocking: the window is there behind it
    return false;
}

bool MainWindow::applySession(const Session& s, const QString& path, QString* error)
{
    QString message;
    m_applyingSession = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{m_applyingSession};
    try {
        // Check everything that can fail before changing anything.
        const QString network = QString::fromStdString(s.network), accuracy = QString::fromStdString(s.accuracyFile);
        if (!s.networkIsFile && m_networkPanel->networkCombo()->findText(network) < 0)
            throw std::runtime_error(path.toStdString() + ": network: unknown network '" + s.network + "'");
        const bool measured = s.accuracyFile == "measured";
        if (!s.accuracyFile.empty() && !measured)
            AccuracyTable::loadCsv(s.accuracyFile);
        if (s.networkIsFile)
            loadNetworkFile(s.network);
        if (s.networkIsFile ? !openNetworkFile(network, &message) : !m_networkPanel->selectNetwork(network))
            throw std::runtime_error(message.toStdString());
        m_networkPanel->setWidth(s.width);
        m_sweepPanel->setWidths(s.widths);
        m_sweepPanel->setStrategies(s.strategies);
        m_sweepPanel->setObjective(s.objective);
        if (measured)
            m_sweepPanel->setMeasured(true);
        else
            m_sweepPanel->setAccuracyFile(accuracy, &message);
        if (path.isEmpty())
            m_hardwarePanel->restoreHardware(s.hardware); // undo and redo: markers stay relative to the preset
        else
            m_hardwarePanel->setHardware(s.hardware);
        // The view: re-found by identity when the sweep the session starts finishes.
        m_axis = s.costAxis;
        showCostAxis();
        m_selectedKeys = s.selection;
        m_selection.clear();
        if (!s.compareBaseline.empty())
            m_comparePanel->setBaseline(QString::fromStdString(s.compareBaseline));
        if (!s.compareCandidate.empty())
            m_comparePanel->setCandidate(QString::fromStdString(s.compareCandidate));
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        statusBar()->showMessage(QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

void MainWindow::restoreEditState(const Session& s)
{
    QString error;
    if (!applySession(s, QString(), &error))
        statusBar()->showMessage(error);
    m_lastState = std::make_unique<Session>(currentSession());
    m_lastEdit.invalidate(); // the next edit is a step of its own
    setWindowModified(true);
    requestSweep();
}

void MainWindow::undo() { stepHistory(m_undo, m_redo, tr("Undone")); }

void MainWindow::redo() { stepHistory(m_redo, m_undo, tr("Redone")); }

void MainWindow::stepHistory(std::vector<Session>& from, std::vector<Session>& to, const QString& message)
{
    if (from.empty())
        return;
    to.push_back(currentSession());
    const Session s = from.back();
    from.pop_back();
    restoreEditState(s);
    statusBar()->showMessage(message);
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message);
    QMessageBox::warning(this, title, message);
}

void MainWindow::checkCostAxisAction()
{
    for (QAction* a : m_axisActions->actions())
        a->setChecked(a->data().toInt() == int(m_axis));
}

void MainWindow::showCostAxis()
{
    checkCostAxisAction();
    m_plot->setPoints(m_points, m_axis);
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultLayout);
    for (QDockWidget* d : m_docks)
        d->show();
    resize(defaultWindowSize());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_controller->cancel();
    event->accept();
}

} // namespace poq::ui
