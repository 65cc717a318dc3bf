// The main window offscreen, as a user drives it: sweeps on start, sliders re-cost, toggles change
// the points, clicks fill the breakdown, exports, sessions, cancel, and bad input changing nothing.
#include "explore/csv.h"
#include "main_window.h"
#include "models/layer_table_model.h"
#include "panels/breakdown_panel.h"
#include "panels/compare_panel.h"
#include "panels/hardware_panel.h"
#include "panels/layer_table_panel.h"
#include "panels/network_panel.h"
#include "panels/sweep_panel.h"
#include "plots/frontier_plot.h"
#include "ui_resources.h"

#include "engine/measure.h"
#include "explore/pareto.h"
#include "formats/precision.h"
#include "graph/network_io.h"
#include "graph/zoo.h"
#include "hw/hardware_io.h"
#include "hw/hw_params.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QMenu>
#include <QMessageBox>
#include <QTableView>
#include <QStatusBar>
#include <QDoubleSpinBox>
#include <QListWidget>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QProcess>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QLineEdit>
#include <QtTest>

using namespace poq;
using namespace poq::ui;

namespace {

bool waitForSweep(MainWindow& /*window*/, QSignalSpy& spy)
{
    return spy.wait(60000) || !spy.isEmpty();
}

int findPoint(const MainWindow& w, const std::string& strategy, double width)
{
    for (size_t i = 0; i < w.points().size(); ++i)
        if (w.points()[i].strategy == strategy && w.points()[i].width == width)
            return static_cast<int>(i);
    return -1;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void windowMenusAndFirstSweep();
    void sliderRecostsAndMatchesCore();
    void samePointInEnergySweepAndWindow();
    void togglesChangePointsAndFrontier();
    void selectingPointsFillsBreakdown();
    void fusionShowsInBreakdown();
    void selectionAndColoursKeepIdentity();
    void hardwarePanelSwitchesAndFiles();
    void layersTabShowsSelectedPoint();
    void sessionTitleModifiedAndRecent();
    void undoRedoEdits();
    void exportsAreValidFiles();
    void sessionRoundTrip();
    void cancelReturnsToIdle();
    void badInputChangesNothing();
    void networkDrivesLayerTable();
    void firstRunShowsMeasuredExperiment();

private:
    QTemporaryDir m_noModels;
};

void TestMainWindow::initTestCase()
{
    // Most tests drive the window from its energy-only first run: resources without trained models.
    // CTest runs firstRunShowsMeasuredExperiment on its own with POQ_TEST_WITH_MODELS=1 and the real ones.
    if (qEnvironmentVariableIsEmpty("POQ_TEST_WITH_MODELS")) {
        for (const char* d : {"hardware", "networks", "icons"})
            QVERIFY(QFile::link(QStringLiteral(POQ_RESOURCE_DIR "/") + d, m_noModels.filePath(d)));
        qputenv("POQ_RESOURCES", m_noModels.path().toLocal8Bit());
    }
    QStandardPaths::setTestModeEnabled(true);
    setApplicationMetadata();
}

void TestMainWindow::windowMenusAndFirstSweep()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    w.show();
    QCOMPARE(w.windowTitle(), QString("Untitled[*] — POQ Studio"));
    QStringList titles;
    for (QAction* a : w.menuBar()->actions())
        titles << a->text().remove('&');
    QCOMPARE(titles, (QStringList{"File", "Edit", "View", "Help"}));
    QVERIFY(waitForSweep(w, spy));
    // First run: MobileNetV2 at 224x224, energy only, default widths x strategies.
    QCOMPARE(w.networkPanel()->currentNetworkName(), QString("mobilenetv2"));
    QCOMPARE(int(w.points().size()), int(w.sweepPanel()->widths().size() * w.sweepPanel()->strategies().size()));
    QVERIFY(w.frontierPlot()->isEnergyAxisLog());
    QVERIFY(w.frontierPlot()->plot()->graphCount() > 0);
}

void TestMainWindow::sliderRecostsAndMatchesCore()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    const int i = findPoint(w, "int8", 1.0);
    QVERIFY(i >= 0);
    const double before = w.points()[i].energyPj;
    spy.clear();
    // Drag the DRAM read-energy slider (as a user would) and wait for the re-cost.
    QSlider* slider = w.hardwarePanel()->slider("dram.readPjPerBit");
    QVERIFY(slider);
    slider->setValue(slider->value() - 120);
    QVERIFY(waitForSweep(w, spy));
    const int j = findPoint(w, "int8", 1.0);
    QVERIFY(w.points()[j].energyPj < before);
    // Same settings through core (what `poq energy` runs).
    const Hardware hw = w.hardwarePanel()->hardware();
    const Graph g = Graph::build(findZoo("mobilenetv2")->build(), 1.0);
    const NetworkCost c = costNetwork(g, assignPrecision(g, QuantStrategy::parse("int8")), hw);
    QVERIFY(std::fabs(c.total.energyPj() - w.points()[j].energyPj) <= 1e-9 * c.total.energyPj());
    // The breakdown of a selected point follows the slider too.
    w.selectPoint(j, false);
    const QString title = w.breakdownPanel()->title();
    spy.clear();
    QString error;
    QVERIFY(w.hardwarePanel()->setValue("dram.readPjPerBit", 40, &error));
    QVERIFY(waitForSweep(w, spy));
    QVERIFY(w.breakdownPanel()->title() != title);
    QVERIFY(!w.hardwarePanel()->setValue("dram.readPjPerBit", 1e9, &error));
    QVERIFY(error.startsWith("dram.readPjPerBit: must be in"));
}

// One point, three ways: `poq energy`, `poq sweep` and the window give the same energy, latency and
// per-layer mappings, also without static power, where many mappings tie on energy.
void TestMainWindow::samePointInEnergySweepAndWindow()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    spy.clear();
    QString error;
    QVERIFY2(w.hardwarePanel()->setValue("array.staticMw", 0, &error), qPrintable(error));
    QVERIFY(waitForSweep(w, spy));
    const int i = findPoint(w, "int8", 1.0);
    QVERIFY(i >= 0);
    const DesignPoint point = w.points()[i];
    const std::optional<NetworkCost> window = w.controller()->costPoint(point);
    QVERIFY(window.has_value());

    auto run = [](const QStringList& args) {
        QProcess p;
        p.start(QStringLiteral(POQ_CLI_PATH), args);
        p.waitForFinished(120000);
        return p.exitCode() == 0 ? p.readAllStandardOutput() : QByteArray();
    };
    const QString network = QString::fromStdString(point.network);
    const QJsonObject energy = QJsonDocument::fromJson(run({"energy", network, "--width", "1", "--strategy", "int8", "--set",
                                                            "array.staticMw=0", "--json"}))
                                   .object();
    QVERIFY(!energy.isEmpty());
    const QJsonObject total = energy["total"].toObject();
    QTemporaryDir dir;
    const QString csv = dir.filePath("s.csv");
    QVERIFY(!run({"sweep", network, "--widths", "1", "--strategies", "int8", "--set", "array.staticMw=0", "--out", csv}).isEmpty());
    const std::vector<DesignPoint> swept = readSweepCsv(csv.toStdString());
    QCOMPARE(int(swept.size()), 1);

    auto same = [](double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); };
    QVERIFY2(same(total["energyPj"].toDouble(), point.energyPj), qPrintable(QString::number(total["energyPj"].toDouble())));
    QVERIFY(same(swept[0].energyPj, point.energyPj));
    QVERIFY(same(total["latencyCycles"].toDouble(), point.latencyCycles));
    QVERIFY(same(swept[0].latencyCycles, point.latencyCycles));
    const QJsonArray layers = energy["layers"].toArray();
    QCOMPARE(layers.size(), qsizetype(window->layers.size()));
    for (qsizetype k = 0; k < layers.size(); ++k)
        QCOMPARE(layers[k].toObject()["mapping"].toString(), QString::fromStdString(window->layers[size_t(k)].mapping));
}

void TestMainWindow::togglesChangePointsAndFrontier()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    spy.clear();
    QString error;
    QVERIFY(w.sweepPanel()->setAccuracyFile(POQ_TEST_DATA_DIR "/explore/accuracy.csv", &error));
    QVERIFY(w.sweepPanel()->setWidths({0.35, 0.5, 0.75, 1.0, 1.4}));
    QVERIFY(w.sweepPanel()->setStrategies({"fp16", "int8", "int4", "int4+res8"}));
    QTRY_VERIFY_WITH_TIMEOUT(int(w.points().size()) == 20 && w.points()[0].accuracy.has_value(), 60000);
    const std::vector<int> core = paretoFrontier(w.points());
    QCOMPARE(w.frontierPlot()->frontierIndices(), core);
    QVERIFY(!core.empty());
    QCOMPARE(w.frontierPlot()->frontierSize(), int(core.size()));
    QVERIFY2(w.comparePanel()->resultText().contains(" energy than <b>"), qPrintable(w.comparePanel()->resultText()));
    // The compare pair, picked in the panel or from a point's context menu, says which is which,
    // marks its iso-accuracy line and stays put while other strategies are toggled.
    w.comparePanel()->setBaseline("fp16");
    w.comparePanel()->setCandidate("int8");
    QVERIFY2(w.comparePanel()->resultText().startsWith("<b>int8</b> needs <b>"), qPrintable(w.comparePanel()->resultText()));
    QVERIFY(w.comparePanel()->resultText().contains("energy than <b>fp16</b> at "));
    QVERIFY(w.frontierPlot()->hasIsoAccuracyLine());
    QMenu* menu = w.frontierPlot()->contextMenuFor(findPoint(w, "int4+res8", 1.0));
    QCOMPARE(menu->actions().size(), 2);
    menu->actions()[1]->trigger();
    QCOMPARE(w.comparePanel()->candidate()->currentText(), QString("int4+res8"));
    QCOMPARE(w.comparePanel()->baseline()->currentText(), QString("fp16"));
    // Unchecking a strategy removes its points.
    spy.clear();
    w.sweepPanel()->strategyList()->findItems("int4", Qt::MatchExactly).first()->setCheckState(Qt::Unchecked);
    QTRY_COMPARE_WITH_TIMEOUT(int(w.points().size()), 15, 60000);
    // The imported int4 rows now match no point: the window says so and lists them.
    QTRY_VERIFY_WITH_TIMEOUT(!w.unmatchedAccuracyRows().isEmpty(), 60000);
    QVERIFY2(w.unmatchedAccuracyRows().first().contains("accuracy.csv:"), qPrintable(w.unmatchedAccuracyRows().first()));
    QVERIFY(w.statusBar()->currentMessage().contains("imported accuracy row(s) match no point"));
    QCOMPARE(w.comparePanel()->candidate()->currentText(), QString("int4+res8"));
    QCOMPARE(w.comparePanel()->baseline()->currentText(), QString("fp16"));
}

void TestMainWindow::selectingPointsFillsBreakdown()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    const int a = findPoint(w, "fp16", 0.5), b = findPoint(w, "int8", 0.5);
    w.selectPoint(a, false);
    QVERIFY(w.breakdownPanel()->barLayers() > 50);
    QVERIFY(w.breakdownPanel()->title().startsWith("fp16 @ 0.5"));
    QCOMPARE(w.breakdownPanel()->layerPlot()->plottableCount(), 6); // MAC RF SRAM DRAM element-wise static
    w.breakdownPanel()->setByOperand(true);
    QCOMPARE(w.breakdownPanel()->layerPlot()->plottableCount(), 3); // W I O
    w.selectPoint(b, true);
    QVERIFY(w.breakdownPanel()->title().contains("compared with int8 @ 0.5"));
    // Both points per layer: the second point's bars beside the first's, and both in the tooltip.
    QCOMPARE(w.breakdownPanel()->layerPlot()->plottableCount(), 6); // W I O twice
    QCOMPARE(w.breakdownPanel()->totalPlot()->itemCount(), 2);      // "DRAM 62.3 %" over each total
    QVERIFY(qobject_cast<QCPItemText*>(w.breakdownPanel()->totalPlot()->item(0))->text().startsWith("DRAM "));
    const QString tip = w.breakdownPanel()->barToolTip(5);
    QVERIFY2(tip.contains("int8 @ 0.5 (hatched): ") && tip.contains(" x of fp16 @ 0.5"), qPrintable(tip));
    // Clicking on the plot selects the nearest point.
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCustomPlot* plot = w.frontierPlot()->plot();
    const DesignPoint& p = w.points()[b];
    const QPoint px(int(plot->xAxis->coordToPixel(p.energyPj)), int(plot->yAxis->coordToPixel(p.width)));
    QSignalSpy clicks(w.frontierPlot(), &FrontierPlot::pointClicked);
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, px);
    QCOMPARE(clicks.count(), 1);
    QCOMPARE(clicks.first().at(0).toInt(), b);
}

// Fusion from the hardware panel: the window costs what core costs, the breakdown shades the fused
// chains and its tooltips say where each layer's output lives.
void TestMainWindow::fusionShowsInBreakdown()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    spy.clear();
    QString error;
    QVERIFY2(w.hardwarePanel()->setValue("network.fusion", 2, &error), qPrintable(error));
    QVERIFY(waitForSweep(w, spy));
    const int j = findPoint(w, "int8", 1.0);
    QVERIFY(j >= 0);
    const Hardware hw = w.hardwarePanel()->hardware();
    QCOMPARE(hw.fusion, 2.0);
    const Graph g = Graph::build(findZoo("mobilenetv2")->build(), 1.0);
    const NetworkCost c = costNetwork(g, assignPrecision(g, QuantStrategy::parse("int8")), hw);
    QVERIFY(!c.plan.groups.empty());
    QVERIFY(std::fabs(c.total.energyPj() - w.points()[j].energyPj) <= 1e-9 * c.total.energyPj());
    w.selectPoint(j, false);
    BreakdownPanel* b = w.breakdownPanel();
    QCOMPARE(int(b->fusedBrackets().size()), int(c.plan.groups.size()));
    const auto [first, last] = b->fusedBrackets().front();
    QVERIFY(first < last);
    QVERIFY2(b->barToolTip(first).contains("Fused chain 1: "), qPrintable(b->barToolTip(first)));
    QVERIFY2(b->barToolTip(first).contains("in a line buffer of its fused chain"), qPrintable(b->barToolTip(first)));
    bool dram = false;
    for (int k = 0; k < b->barLayers(); ++k)
        dram = dram || b->barToolTip(k).contains(QRegularExpression("Output .* kbit\\): in DRAM, [0-9.]+ kbit moved"));
    QVERIFY(dram);
    QVERIFY(!w.hardwarePanel()->setValue("network.fusion", 3, &error));
    QVERIFY2(error.startsWith("network.fusion: must be one of none, blocks, auto (0..2)"), qPrintable(error));
}

// The selection follows the point, not its position in the list, and every strategy keeps its
// colour and marker when others are toggled.
void TestMainWindow::selectionAndColoursKeepIdentity()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    QVERIFY(w.sweepPanel()->setWidths({0.25, 0.5, 1.0}));
    QVERIFY(w.sweepPanel()->setStrategies({"fp32", "int8", "int4", "int4+res8"}));
    QTRY_VERIFY_WITH_TIMEOUT(int(w.points().size()) == 12, 60000);
    const QColor int8Colour = w.frontierPlot()->strategyColor("int8");
    const int int8Shape = w.frontierPlot()->strategyShape("int8");
    auto selected = [&](int k) {
        const DesignPoint& p = w.points()[w.selection().at(k)];
        return QStringLiteral("%1 @ %2").arg(QString::fromStdString(p.strategy)).arg(p.width);
    };
    w.selectPoint(findPoint(w, "int4", 0.25), false);
    w.selectPoint(findPoint(w, "int8", 1.0), true);
    QCOMPARE(selected(0), QString("int4 @ 0.25"));
    // Unchecking fp32 moves every other point in the list; the selection stays on the same points.
    spy.clear();
    w.sweepPanel()->strategyList()->findItems("fp32", Qt::MatchExactly).first()->setCheckState(Qt::Unchecked);
    QTRY_VERIFY_WITH_TIMEOUT(int(w.points().size()) == 9, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(int(w.selection().size()), 2, 60000);
    QCOMPARE(selected(0), QString("int4 @ 0.25"));
    QCOMPARE(selected(1), QString("int8 @ 1"));
    QVERIFY(w.breakdownPanel()->title().startsWith("int4 @ 0.25"));
    QCOMPARE(w.frontierPlot()->strategyColor("int8"), int8Colour);
    QCOMPARE(w.frontierPlot()->strategyShape("int8"), int8Shape);
    QVERIFY(w.frontierPlot()->strategyColor("int4") != int8Colour);
    // Unchecking width 0.25 removes the first selected point: it is dropped, visibly.
    spy.clear();
    QVERIFY(w.sweepPanel()->setWidths({0.5, 1.0}));
    QTRY_VERIFY_WITH_TIMEOUT(int(w.points().size()) == 6, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(int(w.selection().size()), 1, 60000);
    QCOMPARE(selected(0), QString("int8 @ 1"));
    QVERIFY2(w.statusBar()->currentMessage().contains("selection dropped: int4 @ 0.25 is no longer in the design space"),
             qPrintable(w.statusBar()->currentMessage()));
    // A custom strategy keeps the style it first got.
    const QColor custom = w.frontierPlot()->strategyColor("int6+res12");
    w.frontierPlot()->strategyColor("int3");
    QCOMPARE(w.frontierPlot()->strategyColor("int6+res12"), custom);
}

// On/off parameters are check boxes, choices name their values, edited rows and the preset say
// they are modified, and the hardware saves to a file `--hw` reads back identically.
void TestMainWindow::hardwarePanelSwitchesAndFiles()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    HardwarePanel* hp = w.hardwarePanel();
    QCOMPARE(hp->presetText(), QString("edge-npu"));
    QVERIFY(hp->checkBox("network.keepOnChip") && !hp->slider("network.keepOnChip"));
    QVERIFY(hp->checkBox("memory.energyFromSize") && hp->checkBox("memory.energyFromSize")->isChecked());
    QComboBox* fusion = hp->choiceBox("network.fusion");
    QVERIFY(fusion);
    QCOMPARE(fusion->count(), 3);
    QCOMPARE(fusion->itemText(2), QString("auto"));
    spy.clear();
    hp->checkBox("network.weightsResident")->setChecked(false);
    QCOMPARE(hp->hardware().weightsResident, 0.0);
    fusion->setCurrentIndex(1);
    QCOMPARE(hp->hardware().fusion, 1.0);
    QVERIFY(waitForSweep(w, spy));
    QCOMPARE(hp->modifiedKeys(), (QStringList{"network.weightsResident", "network.fusion"}));
    QCOMPARE(hp->presetText(), QString("edge-npu (modified: 2 parameters)"));
    // The window fits 1280 x 720: nothing demands more.
    QVERIFY2(w.minimumSizeHint().width() <= 1280 && w.minimumSizeHint().height() <= 720,
             qPrintable(QString("%1 x %2").arg(w.minimumSizeHint().width()).arg(w.minimumSizeHint().height())));
    QTemporaryDir dir;
    const QString path = dir.filePath("mine.json");
    QString error;
    QVERIFY2(hp->saveHardwareFile(path, &error), qPrintable(error));
    const Hardware back = loadHardware(path.toStdString());
    for (const HwParam& p : hardwareParameters(back))
        QVERIFY2(paramValue(back, p) == getParam(hp->hardware(), p.key), p.key.c_str());
    QVERIFY(!hp->saveHardwareFile(dir.filePath("missing/mine.json"), &error));
    QVERIFY2(error.contains("missing"), qPrintable(error));
    // Capacities step through powers of two; a typed value in between is kept as typed.
    QSlider* size = hp->slider("sram.sizeBytes");
    QVERIFY(size);
    size->setValue(size->value() + 1);
    QCOMPARE(hp->hardware().levels[1].sizeBytes, 524288.0);
    hp->spinBox("sram.sizeBytes")->setValue(100000);
    QCOMPARE(hp->hardware().levels[1].sizeBytes, 100000.0);
    QCOMPARE(hp->spinBox("sram.sizeBytes")->value(), 100000.0);
    QCOMPARE(size->value(), 17); // 2^17 = 131,072 is the nearest power of two
    // An energy typed with five significant digits stays exactly as typed, in the model and on
    // screen (a fixed four decimals rounded it); energies step finely on their log slider.
    QDoubleSpinBox* rf = hp->spinBox("rf.readPjPerBit");
    QVERIFY(rf);
    rf->findChild<QLineEdit*>()->selectAll();
    QTest::keyClicks(rf->findChild<QLineEdit*>(), "0.05625");
    QTest::keyClick(rf->findChild<QLineEdit*>(), Qt::Key_Return);
    QCOMPARE(getParam(hp->hardware(), "rf.readPjPerBit"), 0.05625);
    QCOMPARE(rf->text(), QString("0.05625 pJ/bit"));
    QCOMPARE(rf->value(), 0.05625);
    QSlider* dram = hp->slider("dram.readPjPerBit");
    const double d0 = getParam(hp->hardware(), "dram.readPjPerBit");
    dram->setValue(dram->value() + 1);
    const double d1 = getParam(hp->hardware(), "dram.readPjPerBit");
    QVERIFY2(d1 > d0 && d1 < d0 * 1.02, qPrintable(QString("%1 -> %2").arg(d0).arg(d1)));
    hp->resetAll();
    QVERIFY(hp->modifiedKeys().isEmpty());
    QVERIFY(hp->checkBox("network.weightsResident")->isChecked());
    QCOMPARE(hp->choiceBox("network.fusion")->currentIndex(), 0);
}

// The Layers tab shows the selected point's costs per layer, sorts by them, and numbers layers as
// the breakdown does.
void TestMainWindow::layersTabShowsSelectedPoint()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    LayerTableModel* model = w.layerPanel()->model();
    QVERIFY(!model->hasCost());
    QVERIFY(w.layerPanel()->caption().contains("the Width box"));
    const int j = findPoint(w, "int8", 0.5);
    w.selectPoint(j, false);
    QVERIFY(model->hasCost());
    QVERIFY2(w.layerPanel()->caption().startsWith("int8 @ 0.5 on edge-npu"), qPrintable(w.layerPanel()->caption()));
    double sum = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        sum += model->data(model->index(r, LayerTableModel::Energy), Qt::UserRole).toDouble();
    QVERIFY(std::fabs(sum - w.points()[j].energyPj) <= 1e-9 * sum);
    QVERIFY(model->data(model->index(0, LayerTableModel::Mapping), Qt::DisplayRole).toString().contains("spatial"));
    QVERIFY(model->data(model->index(0, LayerTableModel::Energy), Qt::DisplayRole).toString().endsWith("J"));
    // Sorting by energy puts the most expensive layer first.
    QTableView* view = w.layerPanel()->view();
    view->sortByColumn(LayerTableModel::Energy, Qt::DescendingOrder);
    const double top = view->model()->data(view->model()->index(0, LayerTableModel::Energy), Qt::UserRole).toDouble();
    for (int r = 0; r < model->rowCount(); ++r)
        QVERIFY(model->data(model->index(r, LayerTableModel::Energy), Qt::UserRole).toDouble() <= top);
    // Bar k of the breakdown names the layer of the table's row with the same number.
    const QString tip = w.breakdownPanel()->barToolTip(3);
    const QRegularExpressionMatch m = QRegularExpression("^Layer (\\d+): (\\S+) ").match(tip);
    QVERIFY2(m.hasMatch(), qPrintable(tip));
    const int row = m.captured(1).toInt() - 1;
    QCOMPARE(model->data(model->index(row, LayerTableModel::Name), Qt::DisplayRole).toString(), m.captured(2));
    // A new network in the Width box goes back to structure only.
    QVERIFY(w.networkPanel()->selectNetwork("resnet18"));
    QVERIFY(!model->hasCost());
}

// The title names the session and marks unsaved changes; saving clears the mark and records the
// file among the recent ones; unsaved changes are asked about; dialogs add the default extension.
void TestMainWindow::sessionTitleModifiedAndRecent()
{
    QCOMPARE(withDefaultExtension("/d/plot", "SVG (*.svg)"), QString("/d/plot.svg"));
    QCOMPARE(withDefaultExtension("/d/plot.png", "SVG (*.svg)"), QString("/d/plot.png"));
    QCOMPARE(withDefaultExtension("/d/run", "POQ sessions (*.poq.json)"), QString("/d/run.poq.json"));
    QCOMPARE(withDefaultExtension("/d/run.poq.json", "POQ sessions (*.poq.json)"), QString("/d/run.poq.json"));
    QCOMPARE(withDefaultExtension("/d/run.v2", "POQ sessions (*.poq.json)"), QString("/d/run.v2.poq.json"));
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    QCOMPARE(w.windowTitle(), QString("Untitled[*] — POQ Studio"));
    QVERIFY(!w.isWindowModified());
    QVERIFY(w.maybeSave()); // nothing to save: no question
    QString error;
    QVERIFY(w.hardwarePanel()->setValue("dram.readPjPerBit", 30, &error));
    QVERIFY(w.isWindowModified());
    int asked = 0;
    w.setUnsavedChangesQuestion([&] {
        ++asked;
        return int(QMessageBox::Cancel);
    });
    QVERIFY(!w.maybeSave());
    QCOMPARE(asked, 1);
    w.setUnsavedChangesQuestion([&] {
        ++asked;
        return int(QMessageBox::Discard);
    });
    QVERIFY(w.maybeSave());
    QTemporaryDir dir;
    const QString path = dir.filePath("study.poq.json");
    QVERIFY2(w.saveSession(path, &error), qPrintable(error));
    QCOMPARE(w.windowTitle(), QString("study[*] — POQ Studio"));
    QVERIFY(!w.isWindowModified());
    QCOMPARE(w.sessionPath(), path);
    QCOMPARE(w.recentSessions().value(0), QFileInfo(path).absoluteFilePath());
    // Opening a session is not an edit.
    QVERIFY(w.sweepPanel()->setWidths({0.5, 1.0}));
    QVERIFY(w.isWindowModified());
    QVERIFY2(w.openSession(path, &error), qPrintable(error));
    QVERIFY(!w.isWindowModified());
    QCOMPARE(getParam(w.hardwarePanel()->hardware(), "dram.readPjPerBit"), 30.0);
    // `poq sweep --session` writes exactly what the window's Export Data writes, CSV and JSON.
    spy.clear();
    QVERIFY(waitForSweep(w, spy));
    for (const char* name : {"window.csv", "window.json"}) {
        const QString mine = dir.filePath(name), theirs = dir.filePath(QString("cli-") + name);
        QVERIFY2(w.exportData(mine, &error), qPrintable(error));
        QProcess p;
        p.start(QStringLiteral(POQ_CLI_PATH), {"sweep", "--session", path, "--out", theirs});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QFile a(mine), b(theirs);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        const QByteArray bytes = a.readAll();
        QVERIFY(bytes.size() > 100);
        QCOMPARE(b.readAll(), bytes);
    }
}

// Ctrl+Z / Ctrl+Shift+Z step through design-space and hardware edits; a slider drag is one step.
void TestMainWindow::undoRedoEdits()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    QVERIFY(!w.canUndo());
    const std::vector<double> widths = w.sweepPanel()->widths();
    QString error;
    for (double v : {25.0, 28.0, 30.0}) // one drag
        QVERIFY(w.hardwarePanel()->setValue("dram.readPjPerBit", v, &error));
    QTest::qWait(600);
    QVERIFY(w.sweepPanel()->setWidths({0.5, 1.0}));
    QVERIFY(w.canUndo());
    w.undo();
    QCOMPARE(w.sweepPanel()->widths(), widths);
    QCOMPARE(getParam(w.hardwarePanel()->hardware(), "dram.readPjPerBit"), 30.0);
    w.undo();
    QCOMPARE(getParam(w.hardwarePanel()->hardware(), "dram.readPjPerBit"), 20.0);
    QVERIFY(w.hardwarePanel()->modifiedKeys().isEmpty()); // back to the preset, markers too
    QVERIFY(!w.canUndo());
    w.redo();
    QCOMPARE(getParam(w.hardwarePanel()->hardware(), "dram.readPjPerBit"), 30.0);
    QCOMPARE(w.hardwarePanel()->modifiedKeys(), QStringList{"dram.readPjPerBit"});
    w.redo();
    QCOMPARE(w.sweepPanel()->widths(), (std::vector<double>{0.5, 1.0}));
    QVERIFY(!w.canRedo());
    // A new edit after an undo drops the redo steps.
    w.undo();
    QVERIFY(w.canRedo());
    QTest::qWait(600);
    QVERIFY(w.hardwarePanel()->setValue("array.staticMw", 5, &error));
    QVERIFY(!w.canRedo());
    QTRY_VERIFY_WITH_TIMEOUT(!spy.isEmpty(), 60000);
}

void TestMainWindow::exportsAreValidFiles()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    QTemporaryDir dir;
    const QList<QPair<QString, QByteArray>> files = {{"p.png", "\x89PNG"}, {"p.svg", "<?xml"}, {"p.pdf", "%PDF"},
                                                     {"d.csv", "network,width,strategy"}, {"d.json", "["}};
    for (const auto& [name, magic] : files) {
        const QString path = dir.filePath(name);
        QString error;
        const bool ok = name.startsWith('p') ? w.exportPlot(path, &error) : w.exportData(path, &error);
        QVERIFY2(ok, qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(f.read(magic.size()) == magic, qPrintable(name));
    }
    QString error;
    QVERIFY(!w.exportPlot(dir.filePath("p.bmp"), &error));
    QVERIFY(!w.exportData("/nonexistent/d.csv", &error));
    // The breakdown exports too, once a point is selected; the SVG carries the caption.
    QVERIFY(!w.exportBreakdown(dir.filePath("b.svg"), &error));
    QVERIFY(error.startsWith("Select a point first"));
    w.selectPoint(findPoint(w, "int8", 1.0), false);
    QVERIFY2(w.exportBreakdown(dir.filePath("b.svg"), &error), qPrintable(error));
    QFile svg(dir.filePath("b.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("mobilenetv2 on edge-npu, objective energy"));
    QVERIFY2(w.exportBreakdown(dir.filePath("b.png"), &error), qPrintable(error));
    QVERIFY(QFileInfo(dir.filePath("b.png")).size() > 1000);
    QVERIFY(!QFileInfo::exists(dir.filePath("b.png.part")));
    // The plot export leaves out the selection ring and puts it back on screen.
    QVERIFY(w.exportPlot(dir.filePath("q.svg"), &error));
    bool ringVisible = false;
    for (int g = 0; g < w.frontierPlot()->plot()->graphCount(); ++g)
        if (w.frontierPlot()->plot()->graph(g)->name() == "selection")
            ringVisible = w.frontierPlot()->plot()->graph(g)->visible();
    QVERIFY(ringVisible);
}

void TestMainWindow::sessionRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("s.poq.json");
    {
        MainWindow w;
        QSignalSpy spy(&w, &MainWindow::sweepFinished);
        QVERIFY(waitForSweep(w, spy));
        QVERIFY(w.networkPanel()->selectNetwork("resnet20"));
        QVERIFY(w.sweepPanel()->setWidths({0.5, 2.0}));
        QVERIFY(w.sweepPanel()->setStrategies({"bf16", "int4+res16"}));
        QVERIFY(w.hardwarePanel()->setValue("sram.sizeBytes", 65536));
        QTRY_VERIFY_WITH_TIMEOUT(w.points().size() == 4 && w.points()[0].network == "resnet20", 60000);
        // The view goes into the session too: the selection and the compare pair.
        w.selectPoint(findPoint(w, "int4+res16", 2.0), false);
        w.comparePanel()->setBaseline("int4+res16");
        w.comparePanel()->setCandidate("bf16");
        QString error;
        QVERIFY2(w.saveSession(path, &error), qPrintable(error));
    }
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    QString error;
    QVERIFY2(w.openSession(path, &error), qPrintable(error));
    QCOMPARE(w.networkPanel()->currentNetworkName(), QString("resnet20"));
    QCOMPARE(w.sweepPanel()->widths(), (std::vector<double>{0.5, 2.0}));
    QCOMPARE(w.sweepPanel()->strategies(), (std::vector<std::string>{"bf16", "int4+res16"}));
    QCOMPARE(getParam(w.hardwarePanel()->hardware(), "sram.sizeBytes"), 65536.0);
    QTRY_VERIFY_WITH_TIMEOUT(w.points().size() == 4 && w.points()[0].network == "resnet20", 60000);
    QTRY_COMPARE_WITH_TIMEOUT(int(w.selection().size()), 1, 60000);
    QCOMPARE(w.points()[w.selection()[0]].strategy, std::string("int4+res16"));
    QCOMPARE(w.points()[w.selection()[0]].width, 2.0);
    QCOMPARE(w.comparePanel()->baseline()->currentText(), QString("int4+res16"));
    QCOMPARE(w.comparePanel()->candidate()->currentText(), QString("bf16"));
    // A session naming an impossible view is refused whole, naming the field.
    QFile f(dir.filePath("bad.poq.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray text;
    {
        QFile good(path);
        QVERIFY(good.open(QIODevice::ReadOnly));
        text = good.readAll();
    }
    text.replace("\"costAxis\": \"energy\"", "\"costAxis\": \"joy\"");
    f.write(text);
    f.close();
    QVERIFY(!w.openSession(f.fileName(), &error));
    QVERIFY2(error.contains("joy"), qPrintable(error));
}

void TestMainWindow::cancelReturnsToIdle()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    const size_t before = w.points().size();
    spy.clear();
    QVERIFY(w.networkPanel()->selectNetwork("resnet50"));
    QVERIFY(w.sweepPanel()->setWidths({0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0}));
    QTRY_VERIFY_WITH_TIMEOUT(w.controller()->busy(), 5000);
    w.controller()->cancel();
    QVERIFY(!spy.isEmpty() || spy.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->busy(), 10000);
    QCOMPARE(w.points().size(), before); // the last finished result stays on screen
}

void TestMainWindow::badInputChangesNothing()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(w, spy));
    const QString network = w.networkPanel()->currentNetworkName();
    const int networks = w.networkPanel()->networkCombo()->count();
    const auto widths = w.sweepPanel()->widths();
    QString error;
    QVERIFY(!w.openNetworkFile(POQ_TEST_DATA_DIR "/networks/add-shapes.json", &error));
    QVERIFY2(error.contains("layer 'join' (Add)"), qPrintable(error));
    QVERIFY(!w.openNetworkFile("/nonexistent.json", &error));
    QVERIFY(!w.openNetworkFile(POQ_TEST_DATA_DIR "/onnx/bad_unsupported_op.onnx", &error));
    QVERIFY2(error.contains("node 'odd' (Softsign)"), qPrintable(error));
    QVERIFY(!w.openNetworkFile(POQ_TEST_DATA_DIR "/onnx/bad_truncated.onnx", &error));
    QCOMPARE(w.networkPanel()->networkCombo()->count(), networks);
    QCOMPARE(w.networkPanel()->currentNetworkName(), network);
    QVERIFY(!w.sweepPanel()->setAccuracyFile(POQ_TEST_DATA_DIR "/explore/duplicate.csv", &error));
    QVERIFY(error.contains("duplicate of line 2"));
    QVERIFY(!w.sweepPanel()->accuracy().has_value());
    QTemporaryDir dir;
    for (const QByteArray& bad : {QByteArray("{not json"), QByteArray("{\"format\":\"poq-session\",\"network\":\"nope\","
                                                                        "\"widths\":[1],\"strategies\":[\"int8\"],\"hardware\":{}}"),
                                  QByteArray("{\"format\":\"poq-session\",\"network\":\"resnet18\",\"widths\":[9],"
                                             "\"strategies\":[\"int8\"],\"hardware\":{}}")}) {
        const QString path = dir.filePath("bad.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bad);
        f.close();
        QVERIFY(!w.openSession(path, &error));
        QVERIFY(error.startsWith(path) || error.contains("bad.json"));
    }
    // Hostile sessions: nesting that once overflowed the stack, a device, a number beyond double
    // range and an unbounded list are refused by the same readers as the command line's.
    const QString deep = dir.filePath("deep.poq.json");
    {
        QFile f(deep);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"format\":\"poq-session\",\"widths\":" + QByteArray(100000, '[') + QByteArray(100000, ']') + "}");
    }
    QVERIFY(!w.openSession(deep, &error));
    QVERIFY2(error.contains("JSON nested deeper than 64 levels"), qPrintable(error));
    QVERIFY(!w.openSession("/dev/zero", &error));
    QVERIFY2(error.contains("/dev/zero: not a regular file"), qPrintable(error));
    for (const QByteArray& bad : {QByteArray("{\"format\":\"poq-session\",\"network\":\"resnet18\",\"width\":1e309}"),
                                  "{\"format\":\"poq-session\",\"network\":\"resnet18\",\"widths\":["
                                      + QByteArrayList(QList<QByteArray>(1000, "1")).join(',') + "]}"}) {
        const QString path = dir.filePath("hostile.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bad);
        f.close();
        QVERIFY(!w.openSession(path, &error));
        QVERIFY2(error.contains("out of range") || error.contains("more than 100 values"), qPrintable(error));
    }
    QVERIFY(!w.sweepPanel()->addWidth("7", &error));
    QVERIFY(!w.sweepPanel()->addStrategy("int99", &error));
    QCOMPARE(w.networkPanel()->currentNetworkName(), network);
    QCOMPARE(w.networkPanel()->networkCombo()->count(), networks);
    QCOMPARE(w.sweepPanel()->widths(), widths);
}

void TestMainWindow::networkDrivesLayerTable()
{
    MainWindow w;
    QVERIFY(w.networkPanel()->selectNetwork("resnet18"));
    w.networkPanel()->widthSpin()->setValue(0.5);
    const Graph expected = Graph::build(findZoo("resnet18")->build(), 0.5);
    LayerTableModel* model = w.layerPanel()->model();
    QCOMPARE(model->rowCount(), int(expected.layers().size()));
    qlonglong macs = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        macs += model->data(model->index(r, LayerTableModel::Macs), Qt::UserRole).toLongLong();
    QCOMPARE(macs, qlonglong(expected.totalMacs()));
    QString error;
    QVERIFY2(w.openNetworkFile(POQ_RESOURCE_DIR "/networks/tiny-residual.json", &error), qPrintable(error));
    QCOMPARE(w.layerPanel()->model()->rowCount(), 11);
    QTemporaryDir dir;
    QVERIFY(w.saveNetworkFile(dir.filePath("n.json"), &error));
    QVERIFY(loadNetworkFile(dir.filePath("n.json").toStdString()) == loadNetworkFile(POQ_RESOURCE_DIR "/networks/tiny-residual.json"));
    // An ONNX export opens like any network file (torchvision's EfficientNet-B0, structure only).
    const std::string onnx = POQ_TEST_DATA_DIR "/onnx/efficientnet_b0.onnx";
    QVERIFY2(w.openNetworkFile(QString::fromStdString(onnx), &error), qPrintable(error));
    QCOMPARE(w.layerPanel()->model()->rowCount(), int(Graph::build(loadNetworkFile(onnx), 1.0).layers().size()));
    QVERIFY(w.saveNetworkFile(dir.filePath("e.json"), &error)); // and saves as a POQ network
    QVERIFY(loadNetworkFile(dir.filePath("e.json").toStdString()).layers == loadNetworkFile(onnx).layers);
}

// The first start of a fresh clone: the built-in experiment, every point measured (the results ship
// beside the models, so no evaluation runs here), a frontier on screen.
void TestMainWindow::firstRunShowsMeasuredExperiment()
{
    if (qEnvironmentVariableIsEmpty("POQ_TEST_WITH_MODELS"))
        QSKIP("runs as tst_main_window_experiment (POQ_TEST_WITH_MODELS=1)");
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    w.show();
    const Experiment& e = builtinExperiment();
    QCOMPARE(w.networkPanel()->currentNetworkName(), QString::fromStdString(e.network));
    QVERIFY(w.sweepPanel()->measured());
    QCOMPARE(w.sweepPanel()->widths(), e.widths);
    QCOMPARE(w.sweepPanel()->strategies(), e.strategies);
    QTRY_VERIFY_WITH_TIMEOUT(w.points().size() == e.widths.size() * e.strategies.size()
                                 && std::all_of(w.points().begin(), w.points().end(),
                                                [](const DesignPoint& p) { return p.accuracy.has_value(); }),
                             120000);
    for (const DesignPoint& p : w.points()) {
        QVERIFY2(*p.accuracy > 0.5 && *p.accuracy < 1.0, (p.strategy + "@" + std::to_string(p.width)).c_str());
        QVERIFY(p.accuracyLo && p.accuracyHi && *p.accuracyLo <= *p.accuracy && *p.accuracy <= *p.accuracyHi);
    }
    QVERIFY(!paretoFrontier(w.points()).empty());
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
