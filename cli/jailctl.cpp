// jailctl -- the thin, low-level jail control tool.
#include "command.hpp"
#include "commands.hpp"
#include "launch.hpp"

int main(int argc, char** argv) {
    // Launched as a jail's supervisor (launch.hpp)?  Then that is all we do.
    if (auto rc = jailmgr::engine::supervisor::maybe_run_supervisor_from_env()) return *rc;
    using namespace jailmgr::cli;
    CLI::App app{"jailctl: low-level control of kernel jails", "jailctl"};
    app.set_version_flag("--version", version_line("jailctl"));
    app.require_subcommand(0, 1);
    Globals g;
    add_global_options(app, g);
    std::vector<Command> commands;
    add_jailctl_commands(app, g, commands);
    return run_main(app, commands, argc, argv, g, 1);
}
