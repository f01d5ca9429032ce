// jailmgr -- the declarative orchestrator's command line.
#include "command.hpp"
#include "commands.hpp"
#include "launch.hpp"

int main(int argc, char** argv) {
    // Launched as a jail's supervisor (launch.hpp)?  Then that is all we do.
    if (auto rc = jailmgr::engine::supervisor::maybe_run_supervisor_from_env()) return *rc;
    using namespace jailmgr::cli;
    CLI::App app{"jailmgr: kernel-enforced jails from YAML manifests", "jailmgr"};
    app.set_version_flag("--version", version_line("jailmgr"));
    app.require_subcommand(0, 1);
    Globals g;
    add_global_options(app, g);
    std::vector<Command> commands;
    add_jailmgr_commands(app, g, commands);
    return run_main(app, commands, argc, argv, g, 2);
}
