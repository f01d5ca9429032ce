// jailctl supervise ID|NAME [--restart always|on-failure|no] [--] CMD... --
// supervise one command in an existing jail: the same supervisor as
// `jailmgr apply` starts, with a one-service spec.  Daemonises, prints the
// jail ID, exits 0.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "backend.hpp"
#include "commands.hpp"
#include "launch.hpp"

namespace jailmgr::cli {

namespace sv = engine::supervisor;

namespace {

std::string default_service_name(const std::string& command) {
    std::string base = command.substr(command.rfind('/') + 1);
    std::string out;
    for (char c : base) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
    if (out.empty() || out == "." || out == ".." || out == "supervisor") out = "main";
    return out.substr(0, 63);
}

}  // namespace

void add_jailctl_supervise_command(CLI::App& app, Globals& g, std::vector<Command>& out) {
    struct Opts {
        std::string target, restart = "always", name, user;
        std::vector<std::string> command, env;
        long host_jid = -1;
        long backoff = -1, backoff_max = -1, start_limit = -1;
    };
    auto o = std::make_shared<Opts>();
    auto* sub = app.add_subcommand("supervise", "Run a command in a jail under a supervisor (restarts, logs)");
    sub->add_option("jail", o->target, "Jail ID or name")->required();
    sub->add_option("command", o->command, "The command and its arguments (put -- before it if it has options)")
        ->required();
    sub->add_option("--restart", o->restart, "Restart policy")
        ->check(CLI::IsMember({"always", "on-failure", "no"}))
        ->default_str("always");
    sub->add_option("--name", o->name, "Service name for logs and status (default: the command's base name)");
    sub->add_option("-u,--user", o->user, "Run as this user of the jail (name, uid or uid:gid)");
    sub->add_option("-e,--env", o->env, "Environment variable NAME=value for the command (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("--backoff", o->backoff, "First restart delay in ms, doubling on each crash (default 1000)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--backoff-max", o->backoff_max, "Longest restart delay in ms (default 10000)")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--start-limit", o->start_limit,
                    "Crash-loop limit: this many failed starts in 60 s mark the command failed for 5 min "
                    "(default 5, 0 = no limit)")
        ->check(CLI::NonNegativeNumber);
    // TEST SEAM: supervise host processes as jail NAME with this ID (no
    // driver); refused unless JAILMGR_ALLOW_TEST_SEAMS=1.
    sub->add_option("--test-host-jid", o->host_jid)->group("");
    out.push_back({sub, [o, &g]() {
                       sv::SupervisorSpec spec;
                       spec.root_dir = g.paths().root_dir;
                       if (o->host_jid >= 0) {
                           const char* allow = std::getenv(sv::allow_test_seams_env);
                           if (!allow || std::string(allow) != "1")
                               throw std::runtime_error(std::string("--test-host-jid needs ") +
                                                        sv::allow_test_seams_env + "=1 (tests only)");
                           spec.jail = o->target;
                           spec.jid = static_cast<kernel::JailId>(o->host_jid);
                           spec.test_session = "host";
                       } else {
                           auto driver = kernel::make_driver(g.paths().driver_config());
                           auto info = kernel::find_jail(*driver, o->target);
                           if (!info) throw std::runtime_error("jail '" + o->target + "' not found");
                           spec.jail = info->spec.name;
                           spec.jid = info->id;
                       }
                       sv::ServiceSpec svc;
                       svc.name = o->name.empty() ? default_service_name(o->command[0]) : o->name;
                       if (!sv::valid_service_name(svc.name))
                           throw std::runtime_error("'" + svc.name + "' is not a valid service name");
                       svc.argv = o->command;
                       svc.restart.mode = o->restart == "always"       ? sv::RestartMode::always
                                          : o->restart == "on-failure" ? sv::RestartMode::on_failure
                                                                       : sv::RestartMode::no;
                       if (!o->user.empty()) svc.user = o->user;
                       for (const auto& e : o->env) {
                           if (e.find('=') == std::string::npos || e.front() == '=')
                               throw std::runtime_error("--env '" + e + "' is not of the form NAME=value");
                           svc.env.push_back(e);
                       }
                       auto& bo = svc.restart.backoff;
                       if (o->backoff >= 0) bo.initial = sv::Millis(o->backoff);
                       if (o->backoff_max >= 0) bo.max = sv::Millis(o->backoff_max);
                       if (bo.max < bo.initial) bo.max = bo.initial;
                       if (o->start_limit >= 0) svc.restart.start_limit.burst = static_cast<unsigned>(o->start_limit);
                       spec.services = {svc};
                       char self[4096];
                       ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
                       if (n <= 0) throw std::runtime_error("cannot find my own binary in /proc/self/exe");
                       self[n] = '\0';
                       sv::launch_supervisor(self, spec);
                       std::cout << spec.jid << "\n";
                       return 0;
                   }});
}

}  // namespace jailmgr::cli
