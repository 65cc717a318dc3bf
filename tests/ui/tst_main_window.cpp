// The main window offscreen: title, empty frontier plot, network panel driving the layer table,
// and bad network files reported without changing anything.
#include "main_window.h"
#include "models/layer_table_model.h"
#include "panels/layer_table_panel.h"
#include "panels/network_panel.h"
#include "plots/frontier_plot.h"
#include "ui_resources.h"

#include "graph/network_io.h"
#include "graph/zoo.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QMenuBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace poq;
using namespace poq::ui;

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void windowAndPlot();
    void menus();
    void zooIsListedAndDefaultSelected();
    void networkDrivesLayerTable_data();
    void networkDrivesLayerTable();
    void badNetworkFileChangesNothing();
    void goodNetworkFileIsSelected();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    setApplicationMetadata();
}

void TestMainWindow::windowAndPlot()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.windowTitle(), QString("POQ Studio"));
    QVERIFY(w.frontierPlot()->isEnergyAxisLog());
    QCOMPARE(w.frontierPlot()->plot()->graphCount(), 0);
    QVERIFY(w.frontierPlot()->plot()->yAxis->label().contains("accuracy"));
}

void TestMainWindow::menus()
{
    MainWindow w;
    QStringList titles;
    for (QAction* a : w.menuBar()->actions())
        titles << a->text().remove('&');
    QCOMPARE(titles, (QStringList{"File", "Edit", "View", "Help"}));
}

void TestMainWindow::zooIsListedAndDefaultSelected()
{
    MainWindow w;
    QComboBox* combo = w.networkPanel()->networkCombo();
    QCOMPARE(combo->count(), int(zoo().size()));
    for (const ZooEntry& e : zoo())
        QVERIFY(combo->findText(e.name) >= 0);
    QCOMPARE(w.networkPanel()->currentNetworkName(), QString(kDefaultNetwork));
}

void TestMainWindow::networkDrivesLayerTable_data()
{
    QTest::addColumn<QString>("network");
    QTest::addColumn<double>("width");
    QTest::newRow("resnet18") << "resnet18" << 1.0;
    QTest::newRow("mobilenetv2 0.5") << "mobilenetv2" << 0.5;
    QTest::newRow("fmnist 2.0") << "mobilenetv2-fmnist" << 2.0;
}

void TestMainWindow::networkDrivesLayerTable()
{
    QFETCH(QString, network);
    QFETCH(double, width);
    MainWindow w;
    QVERIFY(w.networkPanel()->selectNetwork(network));
    w.networkPanel()->widthSpin()->setValue(width);
    const Graph expected = Graph::build(findZoo(network.toStdString())->build(), width);
    LayerTableModel* model = w.layerPanel()->model();
    QCOMPARE(model->rowCount(), int(expected.layers().size()));
    qlonglong macs = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        macs += model->data(model->index(r, LayerTableModel::Macs), Qt::UserRole).toLongLong();
    QCOMPARE(macs, qlonglong(expected.totalMacs()));
    QCOMPARE(w.networkPanel()->currentGraph()->width(), width);
}

void TestMainWindow::badNetworkFileChangesNothing()
{
    MainWindow w;
    const int before = w.networkPanel()->networkCombo()->count();
    const QString current = w.networkPanel()->currentNetworkName();
    QString error;
    QVERIFY(!w.openNetworkFile(POQ_TEST_DATA_DIR "/networks/add-shapes.json", &error));
    QVERIFY2(error.contains("layer 'join' (Add)"), qPrintable(error));
    QVERIFY(!w.openNetworkFile("/nonexistent.json", &error));
    QVERIFY(error.contains("cannot read"));
    QCOMPARE(w.networkPanel()->networkCombo()->count(), before);
    QCOMPARE(w.networkPanel()->currentNetworkName(), current);
}

void TestMainWindow::goodNetworkFileIsSelected()
{
    MainWindow w;
    QString error;
    QVERIFY2(w.openNetworkFile(POQ_RESOURCE_DIR "/networks/tiny-residual.json", &error), qPrintable(error));
    QVERIFY(w.networkPanel()->currentNetworkName().startsWith("tiny-residual"));
    QCOMPARE(w.layerPanel()->model()->rowCount(), 11);
    // Save it back through the window and compare.
    QTemporaryDir dir;
    const QString out = dir.filePath("saved.json");
    QVERIFY(w.saveNetworkFile(out, &error));
    QVERIFY(loadNetworkFile(out.toStdString()) == loadNetworkFile(POQ_RESOURCE_DIR "/networks/tiny-residual.json"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
