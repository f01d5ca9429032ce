#include "commands.hpp"

namespace jailmgr::cli {

Command add_lint_command(CLI::App& app, Globals& g);    // cmd_lint.cpp
Command add_schema_command(CLI::App& app, Globals& g);  // cmd_schema.cpp

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    out.push_back(add_lint_command(app, g));
    out.push_back(add_schema_command(app, g));
    add_ps_command(app, g, out);
    add_logs_command(app, g, out);
}

void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    add_jailctl_supervise_command(app, g, out);
}

}  // namespace jailmgr::cli
