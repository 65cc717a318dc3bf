// The scripted diagnostic session.
#include "diagnostics.h"

#include "main_window.h"
#include "panels/hardware_panel.h"
#include "panels/breakdown_panel.h"
#include "panels/network_panel.h"

#include <QDir>
#include <QEventLoop>
#include <QSlider>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace poq::ui {

namespace {

// Records the longest gap between ticks of a fast timer: how long the event loop was blocked.
class Heartbeat : public QObject {
public:
    Heartbeat()
    {
        m_timer.setInterval(2);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 ns = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_maxGapMs = std::max(m_maxGapMs, double(ns - m_last) / 1e6);
            m_last = ns;
        });
        m_clock.start();
        m_timer.start();
    }
    double take()
    {
        const double v = m_maxGapMs;
        m_maxGapMs = 0;
        m_last = 0;
        return v;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    double m_maxGapMs = 0;
};

bool waitFinished(MainWindow& w, int timeoutMs = 120000)
{
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    QObject::connect(&w, &MainWindow::sweepFinished, &loop, &QEventLoop::quit);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    guard.start(timeoutMs);
    loop.exec();
    return guard.isActive();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int runDiagnostics(MainWindow& w, const QElapsedTimer& sinceStart)
{
    Heartbeat beat;
    if (!waitFinished(w))
        return 1;
    const double firstPlotMs = double(sinceStart.nsecsElapsed()) / 1e6;
    const double startStall = beat.take();

    // Slider moves on the default design space: move, wait for the redraw, repeat.
    QSlider* slider = w.hardwarePanel()->slider(QStringLiteral("dram.readPjPerBit"));
    std::vector<double> redrawMs;
    for (int i = 0; i < 20 && slider; ++i) {
        QElapsedTimer t;
        t.start();
        slider->setValue(slider->value() + (i % 2 ? 25 : -25));
        if (!waitFinished(w))
            return 1;
        redrawMs.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    const double sliderStall = beat.take();

    // A cold sweep of a bigger network: the window must stay responsive while it runs.
    QElapsedTimer cold;
    cold.start();
    w.networkPanel()->selectNetwork(QStringLiteral("resnet50"));
    if (!waitFinished(w))
        return 1;
    const double coldMs = double(cold.nsecsElapsed()) / 1e6;
    const double coldStall = beat.take();

    std::printf("start-up to first plot: %.0f ms (longest stall %.1f ms)\n", firstPlotMs, startStall);
    std::printf("slider move to finished redraw, default design space: median %.1f ms, max %.1f ms over %zu moves "
                "(includes the 40 ms coalescing delay; longest stall %.1f ms)\n",
                median(redrawMs), redrawMs.empty() ? 0.0 : *std::max_element(redrawMs.begin(), redrawMs.end()),
                redrawMs.size(), sliderStall);
    std::printf("cold sweep of resnet50: %.0f ms, longest event-loop stall %.1f ms\n", coldMs, coldStall);
    return 0;
}

int takeScreenshots(MainWindow& w, const QString& folder)
{
    if (!waitFinished(w, 600000))
        return 1;
    std::vector<int> picks;
    for (const char* strategy : {"int8", "int4+res8"})
        for (size_t i = 0; i < w.points().size(); ++i)
            if (w.points()[i].strategy == strategy && w.points()[i].width == 1.0)
                picks.push_back(int(i));
    if (picks.size() < 2)
        picks = {0, int(w.points().size()) - 1};
    w.selectPoint(picks[0], false);
    w.selectPoint(picks[1], true);
    QEventLoop settle; // let the breakdown and the plot repaint
    QTimer::singleShot(1500, &settle, &QEventLoop::quit);
    settle.exec();
    QDir().mkpath(folder);
    // The breakdown as File > Export Breakdown writes it (with its caption).
    const bool ok = w.grab().save(QDir(folder).filePath(QStringLiteral("screenshot.png")))
                    && w.exportBreakdown(QDir(folder).filePath(QStringLiteral("breakdown.png")));
    std::printf("%s: %s and breakdown.png (%d x %d)\n", ok ? "wrote" : "could not write",
                qPrintable(QDir(folder).filePath(QStringLiteral("screenshot.png"))), w.width(), w.height());
    return ok ? 0 : 1;
}

} // namespace poq::ui
