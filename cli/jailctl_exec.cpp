// jailctl exec -- run a command inside a jail, in the foreground (see
// exec_in_jail.hpp for what happens).
#include "exec_in_jail.hpp"
#include "jailctl_util.hpp"

namespace jailmgr::cli {

void add_jailctl_exec(CLI::App& app, Globals& g, std::vector<Command>& out) {
    auto o = std::make_shared<ExecOptions>();
    auto* cmd = app.add_subcommand("exec", "Run a command in a jail (default: an interactive /bin/sh)");
    add_exec_options(cmd, *o);
    cmd->add_option("JAIL", o->jail, "Jail ID or name")->required();
    // Everything after the jail (or after --) is the command, options included.
    cmd->prefix_command();
    cmd->allow_extras();
    out.push_back({cmd, [o, cmd, &app, &g] {
                       // "exec JAIL CMD..." stops option parsing at CMD; after "exec JAIL --"
                       // CLI11 hands the words to the parent (see add_jailctl_commands).
                       o->command = cmd->remaining();
                       if (o->command.empty()) o->command = app.remaining();
                       if (!o->command.empty() && o->command.front() == "--") o->command.erase(o->command.begin());
                       return exec_in_jail(*o, g);
                   }});
}

}  // namespace jailmgr::cli
