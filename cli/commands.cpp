#include "commands.hpp"

#include "jailctl_util.hpp"

namespace jailmgr::cli {

Command add_lint_command(CLI::App& app, Globals& g);    // cmd_lint.cpp
Command add_schema_command(CLI::App& app, Globals& g);  // cmd_schema.cpp

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    out.push_back(add_lint_command(app, g));
    out.push_back(add_schema_command(app, g));
    add_ps_command(app, g, out);
    add_logs_command(app, g, out);
}

// `jailctl supervise` is registered by the supervisor's own file.
//
// The root app allows extra words because CLI11 passes everything after
// "exec JAIL --" up to it; commands that take no command line refuse them
// themselves (reject_extras).
void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    app.allow_extras();
    add_jailctl_create(app, g, out);
    add_jailctl_destroy(app, g, out);
    add_jailctl_list(app, g, out);
    add_jailctl_exec(app, g, out);
    add_jailctl_stats(app, g, out);
    add_jailctl_supervise_command(app, g, out);
}

}  // namespace jailmgr::cli
