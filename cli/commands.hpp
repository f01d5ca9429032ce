// commands.hpp -- the list of subcommands of each tool.  One add_* per file.
#pragma once

#include "command.hpp"

namespace jailmgr::cli {

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out);
void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out);

// jailmgr
void add_logs_command(CLI::App& app, Globals& g, std::vector<Command>& out);  // cmd_logs.cpp
void add_ps_command(CLI::App& app, Globals& g, std::vector<Command>& out);    // cmd_ps.cpp
// jailctl
void add_jailctl_supervise_command(CLI::App& app, Globals& g, std::vector<Command>& out);  // jailctl_supervise.cpp

}  // namespace jailmgr::cli
