// The POQ Studio main window: wires the panels, the plot and the sweep controller together, owns
// menus, exports, sessions and settings. Kept short: panels and the controller do the work.
// GUI thread only.
#pragma once

#include "controllers/sweep_controller.h"
#include "explore/session.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QStringList>

#include <functional>
#include <memory>

class QDockWidget;
class QLabel;
class QActionGroup;
class QProgressBar;
class QPushButton;

namespace poq::ui {

// The window's size at first start and after View > Reset Layout (fits a 1366 x 768 screen).
QSize defaultWindowSize();

class BreakdownPanel;
class ComparePanel;
class FrontierPlot;
class HardwarePanel;
class LayerTablePanel;
class NetworkPanel;
class SweepPanel;

// "plot" with the filter "SVG (*.svg)" -> "plot.svg"; names with their own extension are kept.
QString withDefaultExtension(const QString& path, const QString& filter);

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    NetworkPanel* networkPanel() const { return m_networkPanel; }
    SweepPanel* sweepPanel() const { return m_sweepPanel; }
    HardwarePanel* hardwarePanel() const { return m_hardwarePanel; }
    LayerTablePanel* layerPanel() const { return m_layerPanel; }
    BreakdownPanel* breakdownPanel() const { return m_breakdownPanel; }
    ComparePanel* comparePanel() const { return m_comparePanel; }
    FrontierPlot* frontierPlot() const { return m_plot; }
    SweepController* controller() const { return m_controller; }
    const std::vector<DesignPoint>& points() const { return m_points; }
    const std::vector<int>& selection() const { return m_selection; } // indices into points()
    const QStringList& unmatchedAccuracyRows() const { return m_unmatched; } // of the last result

    // Each returns false with a one-line message on bad input or a failed write; nothing else changes.
    bool openNetworkFile(const QString& path, QString* error = nullptr);
    bool saveNetworkFile(const QString& path, QString* error = nullptr);
    bool exportPlot(const QString& path, QString* error = nullptr);
    bool exportBreakdown(const QString& path, QString* error = nullptr);
    QString exportCaption() const; // "mobilenetv2 on edge-npu, objective energy, POQ Studio 1.2"
    bool exportData(const QString& path, QString* error = nullptr); // .csv or .json
    bool saveSession(const QString& path, QString* error = nullptr);
    bool openSession(const QString& path, QString* error = nullptr);
    // The session named on the command line: a failure is shown in the window (a message box that
    // does not block, and the status bar). Returns whether it opened.
    bool openSessionAtStart(const QString& path);
    QString startupError() const { return m_startupError; }
    void selectPoint(int index, bool compare);
    void requestSweep(int delayMs = 40);
    // The session file the window edits ("" before the first save), and recent sessions (newest first).
    QString sessionPath() const { return m_sessionPath; }
    QStringList recentSessions() const;
    // Asked on close and before opening a session when there are unsaved changes: Save, Discard or
    // Cancel. Tests replace the question (the default shows a message box).
    void setUnsavedChangesQuestion(std::function<int()> ask) { m_askUnsaved = std::move(ask); }
    bool maybeSave(); // false: the user cancelled (or saving failed)
    // Undo and redo of design-space and hardware edits (a slider drag is one step).
    void undo();
    void redo();
    bool canUndo() const { return !m_undo.empty(); }
    bool canRedo() const { return !m_redo.empty(); }

signals:
    void sweepFinished(); // after the plot and panels show a new result (or a cancel / failure)

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createDocks();
    void createMenus();
    void createStatusBar();
    void restoreSettings();
    void resetLayout();
    void showCostAxis();        // plot and menu follow m_axis
    void checkCostAxisAction(); // the menu alone
    void onResult(const SweepResult& r);
    void showError(const QString& title, const QString& message);
    void setSessionPath(const QString& path);
    void markModified();
    bool saveSessionInteractive(bool saveAs);
    Session currentSession() const;
    bool applySession(const Session& s, const QString& source, QString* error);
    void restoreEditState(const Session& s);
    void stepHistory(std::vector<Session>& from, std::vector<Session>& to, const QString& message);

    NetworkPanel* m_networkPanel;
    SweepPanel* m_sweepPanel;
    HardwarePanel* m_hardwarePanel;
    LayerTablePanel* m_layerPanel;
    BreakdownPanel* m_breakdownPanel;
    ComparePanel* m_comparePanel;
    FrontierPlot* m_plot;
    SweepController* m_controller;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QMenu* m_viewMenu = nullptr;
    QAction* m_cancelAction = nullptr;     // Esc: enabled only while something runs
    QActionGroup* m_axisActions = nullptr; // View > Cost Axis, the current one checked
    QByteArray m_defaultLayout;            // View > Reset Layout
    std::vector<DesignPoint> m_points;
    std::vector<int> m_selection;
    // The selected points by identity (strategy, width), so a new result re-finds them wherever
    // they now sit, or drops them visibly.
    std::vector<std::pair<std::string, double>> m_selectedKeys;
    std::vector<QDockWidget*> m_docks;
    CostAxis m_axis = CostAxis::Energy;
    QString m_networkFile; // when the network came from a file
    QString m_sessionPath;
    bool m_applyingSession = false; // opening a session: its own changes are not edits
    std::function<int()> m_askUnsaved;
    QMenu* m_recentMenu = nullptr;
    QStringList m_unmatched;
    QString m_startupError;
    std::vector<Session> m_undo, m_redo;
    std::unique_ptr<Session> m_lastState; // the state after the last edit, undo or redo
    QElapsedTimer m_lastEdit;             // edits closer than 500 ms coalesce into one step
};

} // namespace poq::ui
