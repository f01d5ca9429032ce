#include "commands.hpp"

#include "jailctl_util.hpp"

namespace jailmgr::cli {

Command add_lint_command(CLI::App& app, Globals& g);    // cmd_lint.cpp
Command add_schema_command(CLI::App& app, Globals& g);  // cmd_schema.cpp
Command add_plan_command(CLI::App& app, Globals& g);     // cmd_plan.cpp
Command add_apply_command(CLI::App& app, Globals& g);    // cmd_apply.cpp
Command add_down_command(CLI::App& app, Globals& g);     // cmd_down.cpp
Command add_status_command(CLI::App& app, Globals& g);   // cmd_status.cpp
Command add_metrics_command(CLI::App& app, Globals& g);  // cmd_metrics.cpp
Command add_exporter_command(CLI::App& app, Globals& g); // cmd_metrics.cpp
Command add_exec_command(CLI::App& app, Globals& g);     // cmd_exec.cpp

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    out.push_back(add_lint_command(app, g));
    out.push_back(add_schema_command(app, g));
    out.push_back(add_plan_command(app, g));
    out.push_back(add_apply_command(app, g));
    out.push_back(add_down_command(app, g));
    out.push_back(add_status_command(app, g));
    out.push_back(add_metrics_command(app, g));
    out.push_back(add_exporter_command(app, g));
    out.push_back(add_exec_command(app, g));
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
