// The window's behaviour around long work and its layout: Esc only cancels what runs, a stale plot
// is greyed, the Cost Axis menu shows the current choice, the layout resets and fits 1366 x 768,
// every design-space control explains itself, and poq-studio answers --help and --version on the
// terminal and shows a bad session named on its command line in the window.
#include "main_window.h"
#include "panels/network_panel.h"
#include "panels/sweep_panel.h"
#include "plots/frontier_plot.h"
#include "panels/hardware_panel.h"
#include "ui_resources.h"
#include "controllers/sweep_controller.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QtTest>

using namespace poq;
using namespace poq::ui;

namespace {

bool waitForSweep(QSignalSpy& spy) { return spy.wait(60000) || !spy.isEmpty(); }

QAction* findAction(QWidget* root, const QString& text)
{
    for (QAction* a : root->findChildren<QAction*>())
        if (a->text().remove('&') == text)
            return a;
    return nullptr;
}

} // namespace

class TestWindowBehaviour : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void escapeWhenIdleChangesNothing();
    void plotIsGreyedWhileStale();
    void costAxisMenuShowsCurrentChoice();
    void layoutFitsAndResets();
    void designSpaceControlsHaveTooltips();
    void studioAnswersHelpAndVersion();
    void badSessionOnCommandLineIsShown();

private:
    QTemporaryDir m_noModels;
};

void TestWindowBehaviour::initTestCase()
{
    for (const char* d : {"hardware", "networks", "icons"})
        QVERIFY(QFile::link(QStringLiteral(POQ_RESOURCE_DIR "/") + d, m_noModels.filePath(d)));
    qputenv("POQ_RESOURCES", m_noModels.path().toLocal8Bit()); // the energy-only first run
    QStandardPaths::setTestModeEnabled(true);
    setApplicationMetadata();
}

void TestWindowBehaviour::escapeWhenIdleChangesNothing()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    w.show();
    QVERIFY(waitForSweep(spy));
    QAction* cancel = findAction(&w, "Cancel Sweep");
    QVERIFY(cancel);
    QTRY_VERIFY(!cancel->isEnabled());
    const std::vector<DesignPoint> before = w.points();
    const QString status = w.statusBar()->currentMessage();
    spy.clear();
    QTest::keyClick(&w, Qt::Key_Escape);
    QTest::qWait(100);
    QCOMPARE(spy.count(), 0);
    QCOMPARE(w.points().size(), before.size());
    QCOMPARE(w.statusBar()->currentMessage(), status);
    // While a sweep runs, Esc cancels it.
    w.requestSweep(0);
    QTRY_VERIFY_WITH_TIMEOUT(cancel->isEnabled(), 5000);
    QTest::keyClick(&w, Qt::Key_Escape);
    QVERIFY(waitForSweep(spy));
    QTRY_VERIFY(!cancel->isEnabled());
}

void TestWindowBehaviour::plotIsGreyedWhileStale()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(spy));
    QVERIFY(!w.frontierPlot()->isStale());
    spy.clear();
    QSignalSpy started(w.controller(), &SweepController::started);
    w.requestSweep(0);
    QVERIFY(started.wait(5000));
    QVERIFY(w.frontierPlot()->isStale());
    QVERIFY(waitForSweep(spy));
    QVERIFY(!w.frontierPlot()->isStale());
}

void TestWindowBehaviour::costAxisMenuShowsCurrentChoice()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(spy));
    auto checked = [&] {
        QStringList out;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->isCheckable() && a->isChecked() && a->actionGroup())
                out << a->text();
        return out;
    };
    QCOMPARE(checked(), QStringList{QString::fromUtf8(costAxisInfo(CostAxis::Energy).label)});
    QAction* latency = findAction(&w, QString::fromUtf8(costAxisInfo(CostAxis::Latency).label));
    QVERIFY(latency);
    latency->trigger();
    QCOMPARE(checked(), QStringList{QString::fromUtf8(costAxisInfo(CostAxis::Latency).label)});
    // A session with another axis checks that one.
    QTemporaryDir dir;
    QString error;
    QVERIFY2(w.saveSession(dir.filePath("a.poq.json"), &error), qPrintable(error));
    findAction(&w, QString::fromUtf8(costAxisInfo(CostAxis::Energy).label))->trigger();
    QVERIFY2(w.openSession(dir.filePath("a.poq.json"), &error), qPrintable(error));
    QCOMPARE(checked(), QStringList{QString::fromUtf8(costAxisInfo(CostAxis::Latency).label)});
}

void TestWindowBehaviour::layoutFitsAndResets()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    w.show();
    QVERIFY(waitForSweep(spy));
    QVERIFY2(w.width() <= 1366 && w.height() <= 768, qPrintable(QString("%1 x %2").arg(w.width()).arg(w.height())));
    QDockWidget* details = w.findChild<QDockWidget*>("detailsDock");
    QVERIFY(details);
    QVERIFY(details->widget()->minimumHeight() >= 150); // never a strip
    details->hide();
    w.findChild<QDockWidget*>("compareDock")->hide();
    QAction* reset = findAction(&w, "Reset Layout");
    QVERIFY(reset);
    reset->trigger();
    QVERIFY(details->isVisible());
    QVERIFY(w.findChild<QDockWidget*>("compareDock")->isVisible());
    QCOMPARE(w.size(), defaultWindowSize().expandedTo(w.minimumSizeHint())); // the offscreen screen is small
    // At 1280 x 720 the hardware panel's rows fit its width: nothing to scroll sideways.
    w.resize(1280, 720);
    QTest::qWait(200);
    QScrollArea* rows = w.hardwarePanel()->findChild<QScrollArea*>();
    QVERIFY(rows);
    QVERIFY(rows->viewport()->width() > 100);
    QCOMPARE(rows->horizontalScrollBar()->maximum(), 0);
    QVERIFY2(rows->widget()->minimumSizeHint().width() <= rows->viewport()->width(),
             qPrintable(QString("%1 > %2").arg(rows->widget()->minimumSizeHint().width()).arg(rows->viewport()->width())));
}

void TestWindowBehaviour::designSpaceControlsHaveTooltips()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    QVERIFY(waitForSweep(spy));
    int controls = 0;
    for (QWidget* panel : {static_cast<QWidget*>(w.networkPanel()), static_cast<QWidget*>(w.sweepPanel())})
        for (QWidget* c : panel->findChildren<QWidget*>()) {
            const bool control = qobject_cast<QAbstractButton*>(c) || qobject_cast<QComboBox*>(c)
                                 || qobject_cast<QAbstractSpinBox*>(c) || qobject_cast<QListWidget*>(c)
                                 || (qobject_cast<QLineEdit*>(c) && !qobject_cast<QAbstractSpinBox*>(c->parentWidget())
                                     && !qobject_cast<QComboBox*>(c->parentWidget()));
            if (!control)
                continue;
            ++controls;
            QVERIFY2(!c->toolTip().isEmpty(), qPrintable(QString("%1 '%2' (%3) has no tooltip")
                                                             .arg(c->metaObject()->className(), c->objectName(),
                                                                  qobject_cast<QAbstractButton*>(c)
                                                                      ? qobject_cast<QAbstractButton*>(c)->text()
                                                                      : QString())));
        }
    QVERIFY(controls >= 6);
}

void TestWindowBehaviour::studioAnswersHelpAndVersion()
{
    // No display at all: the answers must not need one.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.remove("QT_QPA_PLATFORM");
    for (const char* arg : {"--help", "--version"}) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(POQ_STUDIO_PATH), {arg});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains(std::strcmp(arg, "--help") == 0 ? "SESSION.poq.json" : "POQ Studio "), qPrintable(out));
    }
    QProcess bad;
    bad.setProcessEnvironment(env);
    bad.start(QStringLiteral(POQ_STUDIO_PATH), {"--help", "--frobnicate"});
    QVERIFY(bad.waitForFinished(30000));
}

void TestWindowBehaviour::badSessionOnCommandLineIsShown()
{
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::sweepFinished);
    w.show();
    QVERIFY(waitForSweep(spy));
    QVERIFY(!w.openSessionAtStart("/nonexistent/study.poq.json"));
    QVERIFY2(w.startupError().contains("/nonexistent/study.poq.json: file not found"), qPrintable(w.startupError()));
    QMessageBox* box = w.findChild<QMessageBox*>();
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY(box->text().contains("file not found"));
    box->accept();
}

QTEST_MAIN(TestWindowBehaviour)
#include "tst_window_behaviour.moc"
