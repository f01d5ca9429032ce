#include "exec_in_jail.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "jailctl_util.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::cli {

namespace {

std::vector<std::string> environment(const ExecOptions& o, const std::optional<kernel::Credentials>& user) {
    std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    std::string("HOME=") + (!user || user->uid == 0 ? "/root" : "/")};
    if (const char* term = std::getenv("TERM")) env.push_back(std::string("TERM=") + term);
    for (const auto& kv : o.env) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw CLI::ValidationError("--env " + kv, "expected KEY=VALUE");
        std::string key = kv.substr(0, eq + 1);
        std::erase_if(env, [&](const std::string& e) { return e.rfind(key, 0) == 0; });
        env.push_back(kv);
    }
    return env;
}

int exit_code(const siginfo_t& info) {
    if (info.si_code == CLD_EXITED) return info.si_status;
    return 128 + info.si_status;
}

}  // namespace

int exec_in_jail(const ExecOptions& o, const Globals& g) {
    const auto& command = o.command;
    auto driver = open_driver(g);
    auto jail = find_or_throw(*driver, o.jail);

    // Blocked before the child exists, so no signal falls between spawn and wait.
    sigset_t forwarded;
    sigemptyset(&forwarded);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&forwarded, s);
    sigset_t previous;
    sigprocmask(SIG_BLOCK, &forwarded, &previous);
    sys::unique_fd sigfd(::signalfd(-1, &forwarded, SFD_CLOEXEC));
    if (!sigfd) sys::throw_errno("signalfd");

    std::optional<kernel::Credentials> user;
    if (!o.user.empty()) user = driver->resolve_user(jail.id, o.user);
    kernel::SpawnSpec spec;
    spec.argv = command.empty() ? std::vector<std::string>{"/bin/sh"} : command;
    spec.env = environment(o, user);
    spec.user = user;
    spec.working_dir = o.workdir;
    spec.stdin_fd = 0;
    spec.stdout_fd = 1;
    spec.stderr_fd = 2;
    const bool tty = ::isatty(0);
    spec.new_session = !tty;

    auto session = driver->attach(jail.id, kernel::Attach::join_or_start);
    auto child = session->spawn(spec);

    for (;;) {
        struct pollfd fds[2] = {{child.pidfd(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            sys::throw_errno("poll");
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                int sig = static_cast<int>(si.ssi_signo);
                if (!(tty && (sig == SIGINT || sig == SIGQUIT)))
                    ::syscall(SYS_pidfd_send_signal, child.pidfd(), sig, nullptr, 0);
            }
        }
        if (fds[0].revents & POLLIN) {
            siginfo_t info{};
            while (::waitid(P_PIDFD, static_cast<id_t>(child.pidfd()), &info, WEXITED) < 0) {
                if (errno != EINTR) sys::throw_errno("waitid");
            }
            child.release();
            sigprocmask(SIG_SETMASK, &previous, nullptr);
            return exit_code(info);
        }
    }
}

void add_exec_options(CLI::App* cmd, ExecOptions& o) {
    cmd->add_option("--user", o.user, "User in the jail: name, uid or uid:gid (default: the jail's root)");
    cmd->add_option("--env", o.env, "Set KEY=VALUE in the command's environment (repeatable)");
    cmd->add_option("--workdir", o.workdir, "Working directory inside the jail")->default_str("/");
}

}  // namespace jailmgr::cli
