// commands.hpp -- the list of subcommands of each tool.  One add_* per file.
#pragma once

#include "command.hpp"

namespace jailmgr::cli {

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out);
void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out);

}  // namespace jailmgr::cli
