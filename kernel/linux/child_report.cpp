#include "child_report.hpp"

#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"

namespace jailmgr::kernel::lnx {

std::string stage_name(Stage s) {
    switch (s) {
    case Stage::ready: return "ready";
    case Stage::parent_gone: return "owner exited";
    case Stage::cgroup_join: return "join cgroup";
    case Stage::cgroup_namespace: return "new cgroup namespace";
    case Stage::join_namespaces: return "join namespaces";
    case Stage::mount_step: return "set up root";
    case Stage::stdio: return "set up stdio";
    case Stage::session: return "setsid";
    case Stage::rlimit: return "set rlimit";
    case Stage::bounding_set: return "drop capability bounding set";
    case Stage::securebits: return "lock securebits";
    case Stage::credentials: return "switch user";
    case Stage::capabilities: return "set capabilities";
    case Stage::no_new_privs: return "set no_new_privs";
    case Stage::landlock: return "enter Landlock domain";
    case Stage::seccomp: return "load seccomp filter";
    case Stage::workdir: return "change directory";
    case Stage::exec: return "exec";
    case Stage::init_program: return "start the jail's init program";
    }
    return "unknown stage";
}

void send_report(int fd, Stage stage, int index, int err) {
    ChildReport r;
    r.stage = stage;
    r.index = index;
    r.err = err;
    ssize_t n;
    do {
        n = ::write(fd, &r, sizeof r);
    } while (n < 0 && errno == EINTR);
}

bool read_report(int fd, ChildReport& out) {
    size_t got = 0;
    auto* p = reinterpret_cast<char*>(&out);
    while (got < sizeof out) {
        ssize_t n = ::read(fd, p + got, sizeof out - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            sys::throw_errno("read child report");
        }
        if (n == 0) {
            if (got == 0) return false;
            throw sys::SysError("read child report: truncated", EPROTO);
        }
        got += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace jailmgr::kernel::lnx
