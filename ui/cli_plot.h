// `poq plot FILE.csv --out FILE.svg|png|pdf [--x AXIS]`: renders FrontierPlot offscreen.
#pragma once

namespace CLI {
class App;
}

namespace poq::ui {
void addPlotCommand(CLI::App& app);
}
