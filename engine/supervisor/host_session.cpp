// TEST SEAM -- see host_session.hpp.
#include "host_session.hpp"

#include "sys/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// PID 1 of the namespace: reap whatever is reparented to it, forever.  Runs
// in a forked child: system calls only.
[[noreturn]] void run_init(int parent_pidfd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    pollfd p{parent_pidfd, POLLIN, 0};
    if (::poll(&p, 1, 0) != 0) ::_exit(0);  // the owner died before PDEATHSIG was set
    ::prctl(PR_SET_NAME, "jail-init(test)");
    ::close_range(3, ~0u, 0);
    sigset_t all, chld;
    sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        ::sigwaitinfo(&chld, nullptr);
    }
}

enum class Stage : int { setsid, stdio, rlimit, setgroups, setgid, setuid, chdir, exec };

const char* stage_name(Stage s) {
    switch (s) {
    case Stage::setsid: return "setsid";
    case Stage::stdio: return "redirect stdio";
    case Stage::rlimit: return "setrlimit";
    case Stage::setgroups: return "setgroups";
    case Stage::setgid: return "setgid";
    case Stage::setuid: return "setuid";
    case Stage::chdir: return "chdir";
    case Stage::exec: return "exec";
    }
    return "?";
}

struct Failure {
    Stage stage;
    int err;
};

[[noreturn]] void fail(int report_fd, Stage stage) {
    Failure f{stage, errno};
    (void)!::write(report_fd, &f, sizeof f);
    ::_exit(127);
}

// Everything the child needs, prepared before fork so the child only makes
// system calls.
struct Prepared {
    std::vector<std::string> candidates;  // argv[0] resolved against PATH
    std::vector<char*> argv, envp;
    std::vector<std::pair<int, rlim_t>> limits;
};

std::vector<std::string> exec_candidates(const kernel::SpawnSpec& spec) {
    const std::string& name = spec.argv[0];
    if (name.find('/') != std::string::npos) return {name};
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& e : spec.env)
        if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t colon = path.find(':', start);
        std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        out.push_back((dir.empty() ? std::string(".") : dir) + "/" + name);
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return out;
}

// Moves fds that are in the way of 0..2 out of it, then puts them in place
// without close-on-exec.
bool setup_stdio(int in, int out, int err) {
    int fds[3] = {in, out, err};
    for (int& fd : fds)
        if (fd >= 0 && fd < 3) {
            fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
            if (fd < 0) return false;
        }
    for (int i = 0; i < 3; ++i)
        if (::dup2(fds[i], i) < 0) return false;
    return true;
}

[[noreturn]] void child(const kernel::SpawnSpec& spec, Prepared& p, int report_fd, int devnull) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (spec.new_session && ::setsid() < 0) fail(report_fd, Stage::setsid);
    int in = spec.stdin_fd >= 0 ? spec.stdin_fd : devnull;
    int out = spec.stdout_fd >= 0 ? spec.stdout_fd : devnull;
    int err = spec.stderr_fd >= 0 ? spec.stderr_fd : out;
    if (!setup_stdio(in, out, err)) fail(report_fd, Stage::stdio);
    for (auto [resource, value] : p.limits) {
        rlimit cur;
        if (::getrlimit(resource, &cur) != 0) fail(report_fd, Stage::rlimit);
        rlim_t v = value < cur.rlim_max ? value : cur.rlim_max;  // only ever lower
        rlimit lim{v, v};
        if (::setrlimit(resource, &lim) != 0) fail(report_fd, Stage::rlimit);
    }
    if (spec.user) {
        const auto& c = *spec.user;
        if (::setgroups(c.groups.size(), c.groups.data()) != 0) fail(report_fd, Stage::setgroups);
        if (::setgid(c.gid) != 0) fail(report_fd, Stage::setgid);
        if (::setuid(c.uid) != 0) fail(report_fd, Stage::setuid);
    }
    if (::chdir(spec.working_dir.c_str()) != 0) fail(report_fd, Stage::chdir);
    int exec_err = ENOENT;
    for (const auto& c : p.candidates) {
        ::execve(c.c_str(), p.argv.data(), p.envp.data());
        if (errno == EACCES) exec_err = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) {
            exec_err = errno;
            break;
        }
    }
    errno = exec_err;
    fail(report_fd, Stage::exec);
}

}  // namespace

HostSession::HostSession(kernel::JailId id) : id_(id) {
    sys::unique_fd self(pidfd_open(::getpid()));
    if (!self) sys::throw_errno("pidfd_open of the supervisor");
    if (::unshare(CLONE_NEWPID) != 0) sys::throw_errno("unshare(CLONE_NEWPID) for the host test session");
    pid_t pid = ::fork();
    if (pid < 0) sys::throw_errno("fork the host test session's init");
    if (pid == 0) run_init(self.get());
    init_pid_ = pid;
    struct stat st;
    std::string ns = "/proc/" + std::to_string(pid) + "/ns/pid";
    if (::stat(ns.c_str(), &st) != 0) sys::throw_errno("stat " + ns);
    pidns_inode_ = st.st_ino;
}

HostSession::~HostSession() {
    if (init_pid_ <= 0) return;
    ::kill(init_pid_, SIGKILL);
    // The dying init waits until every member is reaped, including our own
    // children in the namespace: reap them all, until the init itself.
    for (;;) {
        pid_t r = ::waitpid(-1, nullptr, 0);
        if (r == init_pid_ || (r < 0 && errno != EINTR)) break;
    }
}

kernel::Process HostSession::spawn(const kernel::SpawnSpec& spec) {
    if (spec.argv.empty()) throw kernel::DriverError(kernel::Errc::invalid, "spawn: empty command", EINVAL);
    Prepared p;
    p.candidates = exec_candidates(spec);
    for (const auto& a : spec.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
    p.argv.push_back(nullptr);
    for (const auto& e : spec.env) p.envp.push_back(const_cast<char*>(e.c_str()));
    p.envp.push_back(nullptr);
    if (spec.rlimits.nofile) p.limits.emplace_back(RLIMIT_NOFILE, *spec.rlimits.nofile);
    if (spec.rlimits.address_space) p.limits.emplace_back(RLIMIT_AS, *spec.rlimits.address_space);
    if (spec.rlimits.core) p.limits.emplace_back(RLIMIT_CORE, *spec.rlimits.core);

    sys::unique_fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devnull) sys::throw_errno("open /dev/null");
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) sys::throw_errno("pipe");
    sys::unique_fd report_rd(report[0]), report_wr(report[1]);

    pid_t pid = ::fork();
    if (pid < 0)
        throw kernel::DriverError(kernel::Errc::system, "spawn " + spec.argv[0] + ": fork: " + std::strerror(errno),
                                  errno);
    if (pid == 0) child(spec, p, report_wr.get(), devnull.get());
    report_wr.reset();

    Failure f{};
    ssize_t n;
    do {
        n = ::read(report_rd.get(), &f, sizeof f);
    } while (n < 0 && errno == EINTR);
    if (n == static_cast<ssize_t>(sizeof f)) {
        ::waitpid(pid, nullptr, 0);
        throw kernel::DriverError(kernel::Errc::system,
                                  "spawn " + spec.argv[0] + ": " + stage_name(f.stage) + ": " + std::strerror(f.err),
                                  f.err);
    }
    int pidfd = pidfd_open(pid);
    if (pidfd < 0) {
        int err = errno;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        throw kernel::DriverError(kernel::Errc::system, "spawn " + spec.argv[0] + ": pidfd_open: " + std::strerror(err),
                                  err);
    }
    return kernel::Process(pid, pidfd);
}

void HostSession::kill_all(int sig) {
    DIR* d = ::opendir("/proc");
    if (!d) sys::throw_errno("opendir /proc");
    while (dirent* e = ::readdir(d)) {
        char* end;
        long pid = std::strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == init_pid_) continue;
        struct stat st;
        std::string ns = "/proc/" + std::string(e->d_name) + "/ns/pid";
        if (::stat(ns.c_str(), &st) == 0 && st.st_ino == pidns_inode_) ::kill(static_cast<pid_t>(pid), sig);
    }
    ::closedir(d);
}

void HostSession::write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) {
    sys::write_file_atomic(path, content, mode);
}

}  // namespace jailmgr::engine::supervisor
