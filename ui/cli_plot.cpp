// The plot command lives in the UI library because it draws with the window's plot class.
#include "cli_plot.h"

#include "cli/options.h"
#include "explore/csv.h"
#include "plots/frontier_plot.h"
#include "util/error.h"

#include <CLI/CLI.hpp>

#include <QApplication>

#include <cstdlib>
#include <iostream>
#include <memory>

namespace poq::ui {

namespace {

struct PlotOptions {
    std::string file;
    std::string out;
    std::string x = "energy";
    int width = 900;
    int height = 600;
};

void runPlot(const PlotOptions& o)
{
    const CostAxis axis = parseCostAxis(o.x);
    const std::vector<DesignPoint> points = readSweepCsv(o.file);
    if (points.empty())
        throw InputError(o.file + ": no design points");
    std::unique_ptr<QApplication> app;
    if (!QCoreApplication::instance()) {
        if (!std::getenv("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen"); // a script needs no display
        static int argc = 1;
        static char name[] = "poq";
        static char* argv[] = {name, nullptr};
        app = std::make_unique<QApplication>(argc, argv);
    }
    FrontierPlot plot;
    plot.resize(o.width, o.height);
    plot.setPoints(points, axis);
    QString error;
    if (!plot.exportTo(QString::fromStdString(o.out), o.width, o.height, &error))
        throw InputError(error.toStdString());
    std::cout << "wrote " << o.out << " (" << points.size() << " points, " << plot.strategyCount() << " strategies, "
              << plot.frontierSize() << " on the frontier)\n";
}

} // namespace

void addPlotCommand(CLI::App& app)
{
    auto o = std::make_shared<PlotOptions>();
    CLI::App* sub = app.add_subcommand("plot", "Render a sweep CSV as the accuracy-vs-cost plot (SVG, PNG or PDF)");
    sub->add_option("FILE", o->file, "Sweep CSV written by poq sweep")->required();
    sub->add_option("--out", o->out, "Output file: .svg, .png or .pdf")->required();
    sub->add_option("--x", o->x, "Cost axis: energy, latency, edp, macs, bops or size")->capture_default_str();
    cli::addRangedOption(sub, "--width", o->width, 100, 8000, "Width in pixels")->capture_default_str();
    cli::addRangedOption(sub, "--height", o->height, 100, 8000, "Height in pixels")->capture_default_str();
    sub->callback([o] { runPlot(*o); });
}

} // namespace poq::ui
