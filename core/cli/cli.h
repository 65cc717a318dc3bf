// The `poq` command-line tool: subcommands registered from one table, errors as one line + exit 2.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace poq::cli {

// A subcommand adds itself to the app; its callback runs the command and may throw InputError.
using CommandSetup = void (*)(CLI::App& app);

// Extra commands (e.g. `plot`, which needs Qt) are passed in by the program's main().
int run(int argc, char** argv, const std::vector<CommandSetup>& extraCommands = {});

// Commands in core.
void addNetworksCommand(CLI::App& app);
void addInfoCommand(CLI::App& app);
void addHwCommand(CLI::App& app);
void addEnergyCommand(CLI::App& app);
void addSweepCommand(CLI::App& app);
void addCompareCommand(CLI::App& app);
void addEvalCommand(CLI::App& app);
void addExportCommand(CLI::App& app);
void addTrainCommand(CLI::App& app);

} // namespace poq::cli
