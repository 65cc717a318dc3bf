// `poq-studio --diagnose`: drives the real window through a scripted session and prints the
// responsiveness figures (start-up to first plot, slider move to finished redraw, longest event-loop
// stall during sweeps, measured with a 2 ms heartbeat timer).
#pragma once

#include <QElapsedTimer>

namespace poq::ui {

class MainWindow;

// Returns the process exit code; `sinceStart` started when main() began.
int runDiagnostics(MainWindow& window, const QElapsedTimer& sinceStart);

} // namespace poq::ui
