// poq: the POQ Studio command line (see `poq --help`).
#include "cli/cli.h"

int main(int argc, char** argv) { return poq::cli::run(argc, argv); }
