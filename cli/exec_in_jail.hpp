// exec_in_jail.hpp -- run a command inside a jail in the foreground, as
// `jailctl exec` and `jailmgr exec` do.
//
// Joins the jail's running instance, or starts one that ends when the
// command does.  The exit status is the command's (128+N if killed by
// signal N); SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded.  With a
// terminal on stdin the command shares our session (an interactive shell
// keeps its terminal; seccomp refuses TIOCSTI in every profile), and the
// terminal's own SIGINT/SIGQUIT reach it directly, so those two are not
// forwarded a second time.
#pragma once

#include <string>
#include <vector>

#include "command.hpp"

namespace jailmgr::cli {

struct ExecOptions {
    std::string jail;                // ID or name
    std::string user;                // name, uid or uid:gid in the jail; empty: the jail's root
    std::vector<std::string> env;    // KEY=VALUE, added to a minimal environment
    std::string workdir = "/";
    std::vector<std::string> command;  // empty: an interactive /bin/sh
};

// Returns the command's exit status.  Throws with the jail's name on errors.
int exec_in_jail(const ExecOptions& o, const Globals& g);

// The flags both tools give their exec subcommand.
void add_exec_options(CLI::App* cmd, ExecOptions& o);

}  // namespace jailmgr::cli
