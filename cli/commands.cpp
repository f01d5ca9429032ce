#include "commands.hpp"

namespace jailmgr::cli {

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    add_ps_command(app, g, out);
    add_logs_command(app, g, out);
}

void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    add_jailctl_supervise_command(app, g, out);
}

}  // namespace jailmgr::cli
