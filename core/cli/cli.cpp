// Entry point of `poq`: builds the CLI11 app from the command table and maps errors to exit codes
// (0 success, 1 runtime failure, 2 bad input or usage).
#include "cli/cli.h"

#include "util/display_text.h"
#include "util/error.h"
#include "util/resources.h"
#include "util/version.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace poq::cli {

namespace {

const CommandSetup kCoreCommands[] = {addNetworksCommand, addInfoCommand, addHwCommand, addEnergyCommand,
                                       addSweepCommand, addCompareCommand, addEvalCommand,
                                       addTrainCommand, addExportCommand};

// Every message is one line with control characters escaped and a bounded length.
std::string oneLine(const std::string& s) { return messageLine(s); }

} // namespace

int run(int argc, char** argv, const std::vector<CommandSetup>& extraCommands)
{
    CLI::App app("POQ Studio command line: Pareto-optimal quantization of neural networks\n"
                 "(accuracy vs detailed energy, swept over width multipliers).",
                 "poq");
    app.set_version_flag("--version", std::string("poq ") + kVersion + " (POQ Studio), resources: "
                                          + (resourceDir().empty() ? "not found" : resourceDir()));
    app.require_subcommand(1);
    app.fallthrough(false);
    for (CommandSetup setup : kCoreCommands)
        setup(app);
    for (CommandSetup setup : extraCommands)
        setup(app);

    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        std::string names;
        for (const CLI::App* sub : app.get_subcommands({})) {
            known = known || sub->get_name() == argv[1];
            names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        if (!known) {
            std::cerr << "poq: unknown command '" << echo(argv[1]) << "' (allowed: " << names << ")\n";
            return 2;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "poq: " << oneLine(e.what()) << " (see poq --help)\n";
        return 2;
    } catch (const InputError& e) {
        std::cerr << "poq: " << oneLine(e.what()) << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "poq: failed: " << oneLine(e.what()) << "\n";
        return 1;
    }
    return 0;
}

} // namespace poq::cli
