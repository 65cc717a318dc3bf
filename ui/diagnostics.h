// `poq-studio --diagnose`: drives the real window through a scripted session and prints the
// responsiveness figures (start-up to first plot, slider move to finished redraw, longest event-loop
// stall during sweeps, measured with a 2 ms heartbeat timer).
#pragma once

#include <QElapsedTimer>
#include <QString>

namespace poq::ui {

class MainWindow;

// Returns the process exit code; `sinceStart` started when main() began.
int runDiagnostics(MainWindow& window, const QElapsedTimer& sinceStart);

// `poq-studio --screenshots DIR`: waits for the first run, selects two points of the frontier
// (int8 and int4+res8 at width 1, when present), and saves the window (DIR/screenshot.png) and
// the breakdown (DIR/breakdown.png) as the README shows them. Returns the exit code.
int takeScreenshots(MainWindow& window, const QString& folder);

} // namespace poq::ui
