#include "linux_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "jail_abi.h"
#include "clone_vm.hpp"
#include "spawn_child.hpp"
#include "sys/error.hpp"
#include "write_in_child.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

constexpr const char* default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The calling thread's next child is born in the target's PID namespace
// while this object lives; the destructor puts the thread back.  Failing to
// go back would nest every later jail in this one: that is not survivable.
class ChildPidNamespace {
public:
    explicit ChildPidNamespace(int target_pidfd) {
        saved_.reset(::open("/proc/thread-self/ns/pid_for_children", O_RDONLY | O_CLOEXEC));
        if (!saved_) sys::throw_errno("open /proc/thread-self/ns/pid_for_children");
        if (sysc::setns(target_pidfd, CLONE_NEWPID) != 0) sys::throw_errno("setns into the jail's PID namespace");
    }
    ~ChildPidNamespace() {
        if (sysc::setns(saved_.get(), CLONE_NEWPID) != 0) {
            std::fprintf(stderr, "jailmgr: cannot return to the host PID namespace: %s\n", std::strerror(errno));
            std::abort();
        }
    }
    ChildPidNamespace(const ChildPidNamespace&) = delete;
    ChildPidNamespace& operator=(const ChildPidNamespace&) = delete;

private:
    sys::unique_fd saved_;
};

void reap(pid_t pid) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

// The tighter of the jail's and the spawn's limit; never above the current
// hard limit (root has no CAP_SYS_RESOURCE on our machines: only lowering works).
void add_rlimit(SpawnPlan& plan, int resource, std::optional<std::uint64_t> jail, std::optional<std::uint64_t> spawn) {
    std::optional<std::uint64_t> v = jail;
    if (spawn) v = v ? std::min(*v, *spawn) : *spawn;
    if (!v) return;
    struct rlimit cur;
    if (::getrlimit(resource, &cur) != 0) sys::throw_errno("getrlimit");
    rlim_t value = (*v == JAIL_RLIMIT_INFINITY || *v >= RLIM_INFINITY) ? RLIM_INFINITY : static_cast<rlim_t>(*v);
    if (cur.rlim_max != RLIM_INFINITY && (value == RLIM_INFINITY || value > cur.rlim_max)) value = cur.rlim_max;
    plan.rlimits.push_back({resource, {value, value}});
}

}  // namespace

LinuxSession::LinuxSession(Registry registry, std::shared_ptr<CgroupFs> cgfs, JailRecord rec, InitHandle init,
                           bool owner, ProfilePlan profile, std::vector<sock_filter> seccomp)
    : registry_(std::move(registry)),
      cgfs_(std::move(cgfs)),
      rec_(std::move(rec)),
      init_(std::move(init)),
      owner_(owner),
      profile_(std::move(profile)),
      seccomp_(std::move(seccomp)) {}

LinuxSession::~LinuxSession() {
    if (!owner_) return;
    sysc::pidfd_send_signal(init_.pidfd.get(), SIGKILL);
    try {
        // Everything has left the jail's cgroup once the kill took effect;
        // the init's exit says so first unless the caller holds zombies.
        wait_cgroup_empty(*cgfs_, rec_.cgroups, std::chrono::seconds(5), init_.pidfd.get());
    } catch (const std::exception&) {
        // best effort: the kill itself has been sent
    }
    // The init exits as soon as the jail's last zombie is reaped.  Normally
    // that is within milliseconds; if the caller still holds unreaped
    // processes of the jail, it cannot happen before the caller reaps them,
    // so the wait is bounded and the init is then left to the caller.
    struct pollfd p = {init_.pidfd.get(), POLLIN, 0};
    int ready;
    while ((ready = ::poll(&p, 1, 1000)) < 0 && errno == EINTR) {
    }
    if (ready > 0) {
        siginfo_t info;
        ::waitid(P_PIDFD, static_cast<id_t>(init_.pidfd.get()), &info, WEXITED | WNOHANG);
    }
    try {
        auto lock = registry_.lock();
        if (registry_.load_init(rec_.id) == InitRecord{init_.pid, init_.start_time}) registry_.remove_init(rec_.id);
    } catch (const std::exception&) {
        // a stale init record is harmless: open_init() verifies it
    }
}

Process LinuxSession::spawn(const SpawnSpec& spec) {
    const std::string who = "jail '" + rec_.spec.name + "'";
    if (spec.argv.empty()) throw DriverError(Errc::invalid, who + ": nothing to run (the command is empty)");
    const std::string what = who + ": exec '" + spec.argv[0] + "'";

    SpawnPlan plan;
    plan.ns_pidfd = init_.pidfd.get();
    auto tasks = open_v1_tasks(rec_);
    for (const auto& fd : tasks) plan.cgroup_tasks.push_back(fd.get());
    sys::unique_fd v2(::open(rec_.cgroups.v2.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!v2) sys::throw_errno(who + ": open cgroup " + rec_.cgroups.v2.string());

    sys::unique_fd devnull;
    auto null_fd = [&]() {
        if (!devnull) devnull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
        if (!devnull) sys::throw_errno("open /dev/null");
        return devnull.get();
    };
    plan.stdio[0] = spec.stdin_fd >= 0 ? spec.stdin_fd : null_fd();
    plan.stdio[1] = spec.stdout_fd >= 0 ? spec.stdout_fd : null_fd();
    plan.stdio[2] = spec.stderr_fd >= 0 ? spec.stderr_fd : plan.stdio[1];
    plan.new_session = spec.new_session;

    const Limits& jl = rec_.spec.limits;
    add_rlimit(plan, RLIMIT_NOFILE, jl.nofile, spec.rlimits.nofile);
    add_rlimit(plan, RLIMIT_AS, jl.address_space, spec.rlimits.address_space);
    add_rlimit(plan, RLIMIT_CORE, jl.core, spec.rlimits.core);

    plan.hardening = make_hardening(profile_, seccomp_);
    if (spec.user) {
        plan.creds.set = true;
        plan.creds.uid = spec.user->uid;
        plan.creds.gid = spec.user->gid;
        plan.groups = spec.user->groups;
        plan.creds.groups = plan.groups.data();
        plan.creds.ngroups = plan.groups.size();
    }
    plan.workdir = spec.working_dir.empty() ? "/" : spec.working_dir.string();

    std::string path = default_path;
    for (const auto& kv : spec.env)
        if (kv.rfind("PATH=", 0) == 0) path = kv.substr(5);
    plan.exec_paths = exec_candidates(spec.argv[0], path);
    plan.argv_store = spec.argv;
    plan.env_store = spec.env;
    for (auto& a : plan.argv_store) plan.argv.push_back(a.data());
    plan.argv.push_back(nullptr);
    for (auto& e : plan.env_store) plan.envp.push_back(e.data());
    plan.envp.push_back(nullptr);

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) sys::throw_errno(who + ": pipe");
    sys::unique_fd report_read(pipefd[0]), report_write(pipefd[1]);
    plan.report_fd = report_write.get();

    int pidfd = -1;
    struct clone_args args;
    std::memset(&args, 0, sizeof args);
    args.flags = CLONE_INTO_CGROUP | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<std::uint64_t>(v2.get());
    long pid;
    {
        std::optional<ChildPidNamespace> in_jail;
        try {
            in_jail.emplace(init_.pidfd.get());
        } catch (const sys::SysError& e) {
            // The init is gone: the instance ended under us.
            throw DriverError(Errc::not_running, who + " is not running any more (its init exited)", e.code());
        }
        // We resume once the child has exec'd (or failed).
        KeepDumpable dumpable;
        pid = clone3_vfork(args, spawn_entry, &plan);
    }
    if (pid < 0) sys::throw_errno(who + ": clone3");

    report_write.reset();
    ChildReport r;
    bool failed = false;
    try {
        failed = read_report(report_read.get(), r);
    } catch (...) {
        ::close(pidfd);
        reap(static_cast<pid_t>(pid));
        throw;
    }
    if (!failed) return Process(static_cast<pid_t>(pid), pidfd);
    ::close(pidfd);
    reap(static_cast<pid_t>(pid));
    if (r.stage == Stage::join_namespaces && (r.err == ESRCH || r.err == EINVAL))
        throw DriverError(Errc::not_running, who + " is not running any more (its init exited)", r.err);
    std::string detail = r.stage == Stage::exec ? "" : stage_name(r.stage) + ": ";
    throw DriverError(r.err == EACCES || r.err == EPERM ? Errc::permission : Errc::system,
                      what + ": " + detail + std::strerror(r.err), r.err);
}

void LinuxSession::kill_all(int sig) {
    if (sig == SIGKILL) {
        kill_cgroup(*cgfs_, rec_.cgroups);  // atomic against forks, init included
        return;
    }
    // Frozen, nobody can fork between reading the list and signalling it.
    freeze_cgroup(*cgfs_, rec_.cgroups, true, std::chrono::seconds(2));
    try {
        for (pid_t p : cgroup_pids(*cgfs_, rec_.cgroups)) {
            if (p == init_.pid) continue;  // the instance's anchor: ended by the owner, or SIGKILL
            sys::unique_fd fd(sysc::pidfd_open(p));
            if (fd) sysc::pidfd_send_signal(fd.get(), sig);
        }
    } catch (...) {
        freeze_cgroup(*cgfs_, rec_.cgroups, false, {});
        throw;
    }
    freeze_cgroup(*cgfs_, rec_.cgroups, false, {});
}

void LinuxSession::write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) {
    // The child joins the jail's mount namespace: it sees what the jail sees.
    auto enter = [](const void* arg) -> int {
        int nsfd = *static_cast<const int*>(arg);
        if (sysc::setns(nsfd, CLONE_NEWNS) != 0 || ::chdir("/") != 0) return errno;
        return 0;
    };
    const int nsfd = init_.pidfd.get();
    write_file_in_child("jail " + rec_.spec.name + ": write " + path.string(), path.string(), content, mode, enter,
                        &nsfd);
}

}  // namespace jailmgr::kernel::lnx
