// netbsd_session.cpp -- spawn a process into a jail, and kill_all.
//
// The child side of spawn runs between fork and exec of a possibly
// multi-threaded parent, so it only makes async-signal-safe calls: every
// string, path candidate and array is prepared in the parent, and the
// sysctl write that enters the jail is resolved in advance
// (SysctlTransport::prepare_write).
#include "netbsd_session.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__NetBSD__)
#include <sys/event.h>
#elif defined(__linux__)
#include <sys/syscall.h>
#endif

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "jail_abi.h"
#include "marshal.hpp"
#include "module_client.hpp"
#include "sys/error.hpp"
#include "write_in_child.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::netbsd {

namespace {

// Steps of the child, in order; reported with errno on failure.
enum class Step : int {
    setsid = 1, stdio, rlimit, chdir_root, chroot, enter, setgroups, setgid, setuid,
    workdir, exec
};

const char* step_text(Step s) {
    switch (s) {
    case Step::setsid: return "setsid";
    case Step::stdio: return "setting up stdin/stdout/stderr";
    case Step::rlimit: return "setting rlimits";
    case Step::chdir_root: return "chdir to the jail's root";
    case Step::chroot: return "chroot to the jail's root";
    case Step::enter: return "entering the jail (security.models.jail.id)";
    case Step::setgroups: return "setgroups";
    case Step::setgid: return "setgid";
    case Step::setuid: return "setuid";
    case Step::workdir: return "chdir to the working directory";
    case Step::exec: return "exec";
    }
    return "?";
}

struct Report {
    int step;
    int err;
};

struct Rlimit {
    int resource;
    rlim_t value;
};

// Everything the child needs, prepared by the parent.
struct Plan {
    std::string root;
    std::string workdir;
    std::vector<std::string> candidates;  // exec paths to try, in order
    std::vector<std::string> argv_store, env_store;
    std::vector<char*> argv, envp;
    std::vector<Rlimit> rlimits;
    std::optional<Credentials> user;
    int fds[3] = {-1, -1, -1};
    bool new_session = true;
    jail_id_t id = 0;
    PreparedWrite* enter = nullptr;
};

[[noreturn]] void child_fail(int errfd, Step step, int err) {
    Report r{static_cast<int>(step), err};
    (void)!::write(errfd, &r, sizeof r);
    _exit(127);
}

// Move the three stdio sources and the report pipe into place: 0, 1, 2 and
// 3, then close everything else, so that no descriptor of the parent (a
// directory outside the jail would be a way out) reaches the jail.
int child_fds(const int src[3], int errfd) {
    int tmp[3];
    for (int i = 0; i < 3; i++)
        if ((tmp[i] = ::fcntl(src[i], F_DUPFD_CLOEXEC, 4)) < 0) return -1;
    for (int i = 0; i < 3; i++)
        if (::dup2(tmp[i], i) < 0) return -1;
    if (errfd != 3 && ::dup3(errfd, 3, O_CLOEXEC) < 0) return -1;
    ::closefrom(4);
    return 3;
}

[[noreturn]] void child(const Plan& p, int errfd) {
    if (p.new_session && ::setsid() < 0) child_fail(errfd, Step::setsid, errno);
    int moved = child_fds(p.fds, errfd);
    if (moved < 0) child_fail(errfd, Step::stdio, errno);
    errfd = moved;
    for (const Rlimit& r : p.rlimits) {
        struct rlimit rl {r.value, r.value};
        if (::setrlimit(r.resource, &rl) < 0) child_fail(errfd, Step::rlimit, errno);
    }
    if (::chdir(p.root.c_str()) < 0) child_fail(errfd, Step::chdir_root, errno);
    if (::chroot(".") < 0) child_fail(errfd, Step::chroot, errno);
    if (::chdir("/") < 0) child_fail(errfd, Step::chdir_root, errno);
    if (int err = p.enter->write(&p.id, sizeof p.id)) child_fail(errfd, Step::enter, err);
    if (p.user) {
        const auto& g = p.user->groups;
        if (::setgroups(static_cast<int>(g.size()), g.empty() ? nullptr : g.data()) < 0)
            child_fail(errfd, Step::setgroups, errno);
        if (::setgid(p.user->gid) < 0) child_fail(errfd, Step::setgid, errno);
        if (::setuid(p.user->uid) < 0) child_fail(errfd, Step::setuid, errno);
    }
    if (::chdir(p.workdir.c_str()) < 0) child_fail(errfd, Step::workdir, errno);

    // A PATH search like execvp's: EACCES on any candidate wins over
    // ENOENT; any other error stops the search.
    int err = ENOENT;
    for (const std::string& c : p.candidates) {
        ::execve(c.c_str(), p.argv.data(), p.envp.data());
        if (errno == EACCES)
            err = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR)
            child_fail(errfd, Step::exec, errno);
    }
    child_fail(errfd, Step::exec, err);
}

std::string env_path(const std::vector<std::string>& env) {
    for (const std::string& e : env)
        if (e.rfind("PATH=", 0) == 0) return e.substr(5);
    return "/usr/bin:/bin:/usr/sbin:/sbin";
}

std::vector<std::string> exec_candidates(const std::string& prog, const std::string& path) {
    if (prog.find('/') != std::string::npos) return {prog};
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
        out.push_back((dir.empty() ? "." : dir) + "/" + prog);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

// The tighter of the jail's limit and the spawn's.
void add_rlimit(std::vector<Rlimit>& out, int resource, std::optional<std::uint64_t> jail,
                std::optional<std::uint64_t> spawn) {
    std::optional<std::uint64_t> v = jail;
    if (spawn && (!v || *spawn < *v)) v = spawn;
    if (!v) return;
    rlim_t r = *v == JAIL_RLIMIT_INFINITY || *v >= static_cast<std::uint64_t>(RLIM_INFINITY)
                   ? RLIM_INFINITY
                   : static_cast<rlim_t>(*v);
    out.push_back({resource, r});
}

// A descriptor that becomes readable when the child exits: a pidfd on
// Linux, a kqueue watching NOTE_EXIT on NetBSD; -1 where neither exists.
int exit_fd(pid_t pid) {
#if defined(__NetBSD__)
    int kq = ::kqueue1(O_CLOEXEC);
    if (kq < 0) return -1;
    struct kevent ev;
    EV_SET(&ev, pid, EVFILT_PROC, EV_ADD | EV_ONESHOT, NOTE_EXIT, 0, 0);
    if (::kevent(kq, &ev, 1, nullptr, 0, nullptr) == 0) return kq;
    int err = errno;
    ::close(kq);
    // ESRCH: it has exited already; hand back a descriptor that is
    // readable at once (a pipe at end of file), which is the truth.
    int fds[2];
    if (err != ESRCH || ::pipe2(fds, O_CLOEXEC) < 0) return -1;
    ::close(fds[1]);
    return fds[0];
#elif defined(__linux__) && defined(SYS_pidfd_open)
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    return -1;
#endif
}

sys::unique_fd open_null(int flags) {
    sys::unique_fd fd(::open("/dev/null", flags | O_CLOEXEC));
    if (!fd) sys::throw_errno("open /dev/null");
    return fd;
}

}  // namespace

NetbsdSession::NetbsdSession(std::shared_ptr<SysctlTransport> sysctl, JailInfo info)
    : sysctl_(std::move(sysctl)), info_(std::move(info)) {}

Process NetbsdSession::spawn(const SpawnSpec& spec) {
    const std::string subject = "jail '" + info_.spec.name + "'";
    if (spec.argv.empty() || spec.argv[0].empty())
        throw DriverError(Errc::invalid, subject + ": nothing to run (empty command)");
    const std::string prog = spec.argv[0];

    Plan p;
    p.root = info_.spec.root.string();
    p.workdir = spec.working_dir.empty() ? "/" : spec.working_dir.string();
    const std::string path = env_path(spec.env);
    p.candidates = exec_candidates(prog, path);
    p.argv_store = spec.argv;
    p.env_store = spec.env;
    for (std::string& s : p.argv_store) p.argv.push_back(s.data());
    p.argv.push_back(nullptr);
    for (std::string& s : p.env_store) p.envp.push_back(s.data());
    p.envp.push_back(nullptr);
    add_rlimit(p.rlimits, RLIMIT_NOFILE, info_.spec.limits.nofile, spec.rlimits.nofile);
    add_rlimit(p.rlimits, RLIMIT_AS, info_.spec.limits.address_space, spec.rlimits.address_space);
    add_rlimit(p.rlimits, RLIMIT_CORE, info_.spec.limits.core, spec.rlimits.core);
    p.user = spec.user;
    p.new_session = spec.new_session;
    p.id = info_.id;
    std::unique_ptr<PreparedWrite> enter = sysctl_->prepare_write(JAIL_SYSCTL_ID);
    p.enter = enter.get();

    sys::unique_fd null_in, null_out;
    p.fds[0] = spec.stdin_fd >= 0 ? spec.stdin_fd : (null_in = open_null(O_RDONLY)).get();
    p.fds[1] = spec.stdout_fd >= 0 ? spec.stdout_fd : (null_out = open_null(O_WRONLY)).get();
    p.fds[2] = spec.stderr_fd >= 0 ? spec.stderr_fd : p.fds[1];

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) < 0) sys::throw_errno(subject + ": pipe for spawn");
    sys::unique_fd report_r(pipefd[0]), report_w(pipefd[1]);

    pid_t pid = ::fork();
    if (pid < 0) sys::throw_errno(subject + ": fork");
    if (pid == 0) child(p, report_w.get());
    report_w.reset();

    Report r{};
    ssize_t n;
    do {
        n = ::read(report_r.get(), &r, sizeof r);
    } while (n < 0 && errno == EINTR);
    if (n == 0) return Process(pid, exit_fd(pid));  // exec closed the pipe

    const int read_err = errno;
    if (n < 0) ::kill(pid, SIGKILL);  // cannot tell whether it exec'd: stop it
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n < 0) sys::throw_errno(subject + ": reading the spawn report", read_err);
    if (n != static_cast<ssize_t>(sizeof r))
        throw DriverError(Errc::system, subject + ": cannot run '" + printable(prog) +
                                            "': the child died before reporting");
    const Step step = static_cast<Step>(r.step);
    if (step == Step::exec && r.err == ENOENT && prog.find('/') == std::string::npos)
        throw DriverError(Errc::system,
                          subject + ": cannot run '" + printable(prog) +
                              "': not found in PATH (" + printable(path) + ")",
                          r.err);
    Errc code = (r.err == EPERM && (step == Step::enter || step == Step::chroot ||
                                    step == Step::setuid || step == Step::setgid ||
                                    step == Step::setgroups))
                    ? Errc::permission
                    : Errc::system;
    std::string hint;
    if (step == Step::enter && r.err == EPERM)
        hint = " (entering needs host root, chrooted at the jail's root)";
    throw DriverError(code,
                      subject + ": cannot run '" + printable(prog) + "': " + step_text(step) +
                          ": " + std::strerror(r.err) + hint,
                      r.err);
}

void NetbsdSession::write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) {
    // The child chroots at the jail's root: the same view a jailed process has.
    auto enter = [](const void* arg) -> int {
        const char* root = static_cast<const std::string*>(arg)->c_str();
        if (::chdir(root) < 0 || ::chroot(".") < 0 || ::chdir("/") < 0) return errno;
        return 0;
    };
    const std::string root = info_.spec.root.string();
    write_file_in_child("jail '" + info_.spec.name + "': write " + path.string(), path.string(), content, mode, enter,
                        &root);
}

void NetbsdSession::kill_all(int sig) {
    const std::string subject = "jail '" + info_.spec.name + "'";
    ModuleClient module(*sysctl_);
    jail_kill k{};
    int err = module.kill(info_.id, sig, k);
    if (err == 0) return;
    if (err == ENOENT) throw DriverError(Errc::not_found, "no " + subject, err);
    if (err == EPERM)
        throw DriverError(Errc::permission,
                          subject + ": signalling its processes needs host root (effective "
                                    "uid 0, outside any jail)",
                          err);
    throw DriverError(Errc::system,
                      subject + ": signalling its processes: " + std::strerror(err), err);
}

}  // namespace jailmgr::kernel::netbsd
