#include "commands.hpp"

namespace jailmgr::cli {

Command add_lint_command(CLI::App& app, Globals& g);    // cmd_lint.cpp
Command add_schema_command(CLI::App& app, Globals& g);  // cmd_schema.cpp

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    out.push_back(add_lint_command(app, g));
    out.push_back(add_schema_command(app, g));
}

void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    (void)app;
    (void)g;
    (void)out;
}

}  // namespace jailmgr::cli
