// The POQ Studio main window: wires the panels and the plot together, owns menus and settings.
// Kept short on purpose: panels and plots do the work. GUI thread only.
#pragma once

#include <QMainWindow>

namespace poq::ui {

class FrontierPlot;
class LayerTablePanel;
class NetworkPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    NetworkPanel* networkPanel() const { return m_networkPanel; }
    LayerTablePanel* layerPanel() const { return m_layerPanel; }
    FrontierPlot* frontierPlot() const { return m_plot; }

    // Loads a network file; false with a one-line message on bad input (nothing else changes).
    bool openNetworkFile(const QString& path, QString* error = nullptr);
    // Saves the current network as a JSON network file (atomic write).
    bool saveNetworkFile(const QString& path, QString* error = nullptr);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createMenus();
    void restoreSettings();
    void onOpenNetwork();
    void onSaveNetwork();
    void showAbout();

    NetworkPanel* m_networkPanel;
    LayerTablePanel* m_layerPanel;
    FrontierPlot* m_plot;
    QMenu* m_viewMenu = nullptr;
};

} // namespace poq::ui
