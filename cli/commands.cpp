#include "commands.hpp"

#include "jailctl_util.hpp"

namespace jailmgr::cli {

void add_jailmgr_commands(CLI::App& app, Globals& g, std::vector<Command>& out) {
    (void)app;
    (void)g;
    (void)out;
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
}

}  // namespace jailmgr::cli
