#include "commands.hpp"

#include "jailctl_util.hpp"

namespace jailmgr::cli {

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    (void)app;
    (void)g;
    (void)out;
}

// `jailctl supervise` is registered by the supervisor's own file.
void add_jailctl_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    add_jailctl_create(app, g, out);
    add_jailctl_destroy(app, g, out);
    add_jailctl_list(app, g, out);
    add_jailctl_exec(app, g, out);
    add_jailctl_stats(app, g, out);
}

}  // namespace jailmgr::cli
