#include "launch.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend.hpp"
#include "files.hpp"
#include "status.hpp"
#include "supervisor.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"

extern char** environ;

namespace jailmgr::engine::supervisor {

namespace fs = std::filesystem;

std::string supervisor_title(const SupervisorSpec& spec) {
    return "jailmgr: supervise jail=" + spec.jail + " jid=" + std::to_string(spec.jid);
}

namespace {

// The supervisor's ready fd is always 3 in the new process.
constexpr int child_ready_fd = 3;

[[noreturn]] void exec_supervisor(const char* binary, char* const* argv, char* const* envp, int ready_wr) {
    if (::setsid() < 0) ::_exit(1);
    pid_t pid = ::fork();
    if (pid != 0) ::_exit(pid < 0 ? 1 : 0);  // the middle process: gone, so nobody is our parent
    int null = ::open("/dev/null", O_RDWR);
    if (null < 0 || ::dup2(ready_wr, child_ready_fd) < 0) ::_exit(1);
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::close_range(child_ready_fd + 1, ~0u, 0);
    if (::chdir("/") != 0) ::_exit(1);
    ::umask(022);
    ::execve(binary, argv, envp);
    char msg[512];
    int n = std::snprintf(msg, sizeof msg, "error cannot execute %s: %s\n", binary, std::strerror(errno));
    (void)!::write(child_ready_fd, msg, static_cast<size_t>(n));
    ::_exit(127);
}

}  // namespace

pid_t launch_supervisor(const fs::path& binary, const SupervisorSpec& spec, std::chrono::milliseconds timeout) {
    auto paths = Paths::for_root(spec.root_dir);
    auto files = SupervisorFiles::of(paths, spec.jail);
    std::string who = "supervisor for jail " + spec.jail;
    sys::make_dirs(paths.run_dir, 0755);
    sys::make_dirs(files.dir, 0700);
    replace_file(files.spec, to_json(spec).dump(2) + "\n", 0600);

    std::string title = supervisor_title(spec);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
        std::string_view v(*e);
        if (v.rfind(std::string(supervise_env) + "=", 0) == 0 || v.rfind(std::string(ready_fd_env) + "=", 0) == 0)
            continue;
        env_strings.emplace_back(v);
    }
    env_strings.push_back(std::string(supervise_env) + "=" + files.spec.string());
    env_strings.push_back(std::string(ready_fd_env) + "=" + std::to_string(child_ready_fd));
    std::vector<char*> envp, argv = {title.data(), nullptr};
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) sys::throw_errno(who + ": pipe");
    sys::unique_fd rd(pipefd[0]), wr(pipefd[1]);
    pid_t middle = ::fork();
    if (middle < 0) sys::throw_errno(who + ": fork");
    if (middle == 0) exec_supervisor(binary.c_str(), argv.data(), envp.data(), wr.get());
    wr.reset();
    while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
    }

    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string answer;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw std::runtime_error(who + " did not report ready within " + std::to_string(timeout.count()) +
                                     " ms (see " + files.supervisor_log.string() + ")");
        pollfd p{rd.get(), POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno != EINTR) sys::throw_errno(who + ": poll");
        if (r <= 0) continue;
        char buf[1024];
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        answer.append(buf, static_cast<size_t>(n));
        if (answer.find('\n') != std::string::npos) break;
    }
    answer = answer.substr(0, answer.find('\n'));
    if (answer.rfind("ready ", 0) == 0) return static_cast<pid_t>(std::stol(answer.substr(6)));
    if (answer.rfind("error ", 0) == 0) throw std::runtime_error(who + ": " + answer.substr(6));
    throw std::runtime_error(who + " exited during startup (see " + files.supervisor_log.string() + ")");
}

std::optional<int> maybe_run_supervisor_from_env() {
    const char* spec_env = std::getenv(supervise_env);
    if (!spec_env) return std::nullopt;
    fs::path spec_file = spec_env;
    int ready_fd = -1;
    if (const char* r = std::getenv(ready_fd_env)) ready_fd = std::atoi(r);
    ::unsetenv(supervise_env);
    ::unsetenv(ready_fd_env);
    if (ready_fd >= 0) ::fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
    auto fail = [&](const std::string& msg) {
        std::string line = "error " + msg + "\n";
        if (ready_fd >= 0) (void)!::write(ready_fd, line.data(), line.size());
        return 1;
    };
    SupervisorSpec spec;
    std::unique_ptr<JailBackend> backend;
    try {
        spec = supervisor_spec_from_json(nlohmann::json::parse(sys::read_file(spec_file)));
        if (spec.test_session == "host") {
            const char* allow = std::getenv(allow_test_seams_env);
            if (!allow || std::string(allow) != "1")
                return fail("spec " + spec_file.string() + " asks for the host test session, which needs " +
                            allow_test_seams_env + "=1 (tests only)");
            backend = make_host_backend(spec.jid);
        } else {
            backend = make_driver_backend(Paths::for_root(spec.root_dir), spec.jid, spec.jail);
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    Supervisor supervisor(std::move(spec), std::move(backend), spec_file);
    return supervisor.run(ready_fd);  // closes ready_fd once it has reported
}

}  // namespace jailmgr::engine::supervisor
