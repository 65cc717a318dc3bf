// poq: the POQ Studio command line (see `poq --help`).
#include "cli/cli.h"
#include "cli_plot.h"

int main(int argc, char** argv) { return poq::cli::run(argc, argv, {poq::ui::addPlotCommand}); }
