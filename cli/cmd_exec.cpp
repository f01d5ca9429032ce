// cmd_exec.cpp -- `jailmgr exec JAIL [--user U] -- CMD...`: run a command
// inside a jail (joining its running services' namespaces), in the
// foreground; the exit status is the command's.
#include "exec_in_jail.hpp"

namespace jailmgr::cli {

Command add_exec_command(CLI::App& app, Globals& g) {
    auto o = std::make_shared<ExecOptions>();
    CLI::App* sub = app.add_subcommand("exec", "Run a command inside a jail (default: an interactive /bin/sh)");
    sub->footer("Exit status: the command's (128+N if killed by signal N); 1 if it could not be started.");
    add_exec_options(sub, *o);
    sub->add_option("jail", o->jail, "Jail name or ID")->required();
    sub->add_option("command", o->command, "The command and its arguments (put -- before it if it has options)");
    sub->fallthrough();
    return {sub, [o, &g] { return exec_in_jail(*o, g); }};
}

}  // namespace jailmgr::cli
