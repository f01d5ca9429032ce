#include "jail_instance.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "clone_vm.hpp"
#include "jail_init.hpp"
#include "root_plan.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;

namespace {

std::string jail_label(const JailRecord& rec) { return "jail '" + rec.spec.name + "'"; }

// "0::/jailmgr.x/web" line of /proc/PID/cgroup, as seen from the host.
std::optional<std::string> v2_cgroup_of(pid_t pid) {
    auto text = sys::read_file_if_exists("/proc/" + std::to_string(pid) + "/cgroup");
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("0::", 0) == 0) return line.substr(3);
    return std::nullopt;
}

void reap(pid_t pid) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::optional<std::uint64_t> process_start_time(pid_t pid) {
    std::optional<std::string> stat;
    try {
        stat = sys::read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    } catch (const sys::SysError&) {
        return std::nullopt;  // ESRCH while reading: it just exited
    }
    if (!stat) return std::nullopt;
    // The command name (field 2) may contain spaces and parentheses.
    auto close = stat->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream in(stat->substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22; ++i)
        if (!(in >> field)) return std::nullopt;
    return std::stoull(field);
}

bool process_exited(pid_t pid) {
    std::optional<std::string> stat;
    try {
        stat = sys::read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    } catch (const sys::SysError&) {
        return true;
    }
    if (!stat) return true;
    // Fields after the command name: state (3) ... flags (9).  An init can
    // sit in do_exit for a while (it waits for the jail's zombies to be
    // reaped) with state 'S': PF_EXITING tells.
    auto close = stat->rfind(')');
    if (close == std::string::npos) return true;
    std::istringstream in(stat->substr(close + 1));
    std::string state, field;
    in >> state;
    for (int i = 4; i <= 9; ++i) in >> field;
    constexpr unsigned long pf_exiting = 0x4;
    unsigned long flags = 0;
    try {
        flags = std::stoul(field);
    } catch (const std::exception&) {
        return true;
    }
    return state == "Z" || state == "X" || (flags & pf_exiting);
}

std::optional<InitHandle> open_init(const Registry& registry, const JailRecord& rec) {
    auto init = registry.load_init(rec.id);
    if (!init) return std::nullopt;
    InitHandle h;
    h.pid = init->pid;
    h.start_time = init->start_time;
    h.pidfd.reset(sysc::pidfd_open(init->pid));
    if (!h.pidfd) return std::nullopt;
    // From here the pidfd pins the process: the checks below cannot be fooled
    // by pid reuse.
    if (process_start_time(init->pid) != init->start_time) return std::nullopt;
    if (process_exited(init->pid)) return std::nullopt;  // a zombie waiting to be reaped
    std::string expected = "/";
    expected += rec.cgroups.v2.lexically_relative(rec.cgroups.v2_root).string();
    if (v2_cgroup_of(init->pid) != expected) return std::nullopt;
    if (sysc::pidfd_send_signal(h.pidfd.get(), 0) != 0) return std::nullopt;
    return h;
}

std::vector<sys::unique_fd> open_v1_tasks(const JailRecord& rec) {
    std::vector<sys::unique_fd> fds;
    for (const auto& dir : rec.cgroups.directories()) {
        if (dir == rec.cgroups.v2) continue;  // joined at clone time
        fs::path tasks = dir / "tasks";
        sys::unique_fd fd(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd)
            throw DriverError(Errc::system, jail_label(rec) + ": open " + tasks.string() + ": " + std::strerror(errno),
                              errno);
        fds.push_back(std::move(fd));
    }
    return fds;
}

InitHandle start_instance(const Registry& registry, const JailRecord& rec, const ProfilePlan& profile,
                          const std::vector<sock_filter>& seccomp, int init_program) {
    const std::string who = jail_label(rec);
    InitPlan plan;
    sys::unique_fd owner(sysc::pidfd_open(::getpid()));
    if (!owner) sys::throw_errno(who + ": pidfd_open self");
    plan.owner_pidfd = owner.get();
    auto tasks = open_v1_tasks(rec);
    for (const auto& fd : tasks) plan.cgroup_tasks.push_back(fd.get());
    sys::unique_fd v2(::open(rec.cgroups.v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!v2) sys::throw_errno(who + ": open cgroup " + rec.cgroups.v2.string());
    plan.root = rec.spec.root.string();
    plan.steps = root_steps(rec.spec, profile);
    plan.hardening = make_init_hardening(profile, seccomp);
    plan.program_fd = init_program;

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) sys::throw_errno(who + ": pipe");
    sys::unique_fd report_read(pipefd[0]), report_write(pipefd[1]);
    plan.report_fd = report_write.get();

    int pidfd = -1;
    struct clone_args args;
    std::memset(&args, 0, sizeof args);
    args.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_INTO_CGROUP | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<std::uint64_t>(v2.get());
    // We resume once the init has exec'd its program (or failed).
    long pid;
    {
        KeepDumpable dumpable;
        pid = clone3_vfork(args, init_entry, &plan);
    }
    if (pid < 0) sys::throw_errno(who + ": clone3 (new namespaces)");

    InitHandle h;
    h.pid = static_cast<pid_t>(pid);
    h.pidfd.reset(pidfd);
    report_write.reset();
    ChildReport r;
    bool got = false;
    try {
        got = read_report(report_read.get(), r);
    } catch (...) {
        sysc::pidfd_send_signal(h.pidfd.get(), SIGKILL);
        reap(h.pid);
        throw;
    }
    if (!got || r.stage != Stage::ready) {
        sysc::pidfd_send_signal(h.pidfd.get(), SIGKILL);
        reap(h.pid);
        if (!got) throw DriverError(Errc::system, who + ": the jail's init exited during setup");
        std::string what = stage_name(r.stage);
        if (r.stage == Stage::mount_step && r.index >= 0 && static_cast<size_t>(r.index) < plan.steps.size())
            what += ": " + describe(plan.steps[static_cast<size_t>(r.index)]);
        throw DriverError(Errc::system, who + ": start: " + what + ": " + std::strerror(r.err), r.err);
    }
    auto start = process_start_time(h.pid);
    if (!start) {
        reap(h.pid);
        throw DriverError(Errc::system, who + ": the jail's init exited right after setup");
    }
    h.start_time = *start;
    try {
        registry.store_init(rec.id, InitRecord{h.pid, h.start_time});
    } catch (...) {
        sysc::pidfd_send_signal(h.pidfd.get(), SIGKILL);
        reap(h.pid);
        throw;
    }
    return h;
}

}  // namespace jailmgr::kernel::lnx
