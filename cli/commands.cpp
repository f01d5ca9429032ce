#include "commands.hpp"

namespace jailmgr::cli {

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    (void)app;
    (void)g;
    (void)out;
}

void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    (void)app;
    (void)g;
    (void)out;
}

}  // namespace jailmgr::cli
