// supervisor_fixture.hpp -- helpers for the supervisor's process-level tests:
// a real supervisor process (the built jailmgr binary) per test, on the
// HostSession test seam, in a private --root-dir; waiting for status changes
// with inotify, never with sleeps.
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "control.hpp"
#include "files.hpp"
#include "launch.hpp"
#include "spec.hpp"
#include "status.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace sv = jailmgr::engine::supervisor;
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

inline fs::path binary(const char* env) {
    const char* p = std::getenv(env);
    INFO("set " << std::string(env) << " (run the test through meson)");
    REQUIRE(p != nullptr);
    return p;
}

inline std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// For conditions that have no event to wait on (a pid leaving /proc): check
// at short intervals until true or the timeout.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Waits for a process (not our child) to end.
inline bool wait_gone(pid_t pid, std::chrono::milliseconds timeout = 10s) {
    jailmgr::sys::unique_fd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!fd) return !process_exists(pid);
    pollfd p{fd.get(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

// Host processes whose command line is exactly `cmd` (args joined by spaces).
inline std::vector<pid_t> pids_with_cmdline(const std::string& cmd) {
    std::vector<pid_t> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
        auto name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        auto text = jailmgr::sys::read_file_if_exists(e.path() / "cmdline");
        if (!text) continue;
        while (!text->empty() && text->back() == '\0') text->pop_back();
        for (char& c : *text)
            if (c == '\0') c = ' ';
        if (*text == cmd) out.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return out;
}

inline std::vector<std::string> read_lines(const fs::path& p) {
    std::vector<std::string> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

// Private memory of a process in bytes (Private_Clean + Private_Dirty).
inline std::uint64_t private_memory(pid_t pid) {
    auto text = jailmgr::sys::read_file("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::istringstream in(text);
    std::string key;
    std::uint64_t kb, total = 0;
    std::string unit;
    while (in >> key) {
        if (key == "Private_Clean:" || key == "Private_Dirty:") {
            in >> kb >> unit;
            total += kb * 1024;
        } else {
            in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
        }
    }
    return total;
}

// A service with small, test-friendly timings.
inline sv::ServiceSpec service(const std::string& name, std::vector<std::string> argv) {
    sv::ServiceSpec s;
    s.name = name;
    s.argv = std::move(argv);
    s.restart.backoff = {50ms, 50ms, 60000ms};
    s.restart.start_limit = {0, 60000ms, 60000ms};
    s.stop_grace_period = 2000ms;
    return s;
}

inline sv::ServiceSpec shell(const std::string& name, const std::string& script) {
    return service(name, {"/bin/sh", "-c", script});
}

class SupervisedJail {
public:
    explicit SupervisedJail(std::vector<sv::ServiceSpec> services, std::string jail = "web") {
        char tmpl[] = "/tmp/jailmgr-svtest-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        root = tmpl;
        spec.jail = std::move(jail);
        spec.jid = 42;
        spec.root_dir = root;
        spec.test_session = "host";
        spec.services = std::move(services);
        paths = jailmgr::engine::Paths::for_root(root);
        files = sv::SupervisorFiles::of(paths, spec.jail);
        work = root / "work";
        fs::create_directories(work);
    }
    SupervisedJail(const SupervisedJail&) = delete;

    ~SupervisedJail() {
        if (pid <= 0) {  // launched by something else (jailctl), or a test failed early
            auto text = jailmgr::sys::read_file_if_exists(files.pidfile);
            if (text && !text->empty()) pid = static_cast<pid_t>(std::stol(*text));
        }
        if (pid > 0 && process_exists(pid)) {
            try {
                sv::control_stop(files.socket, true, 20s);
            } catch (...) {
                ::kill(pid, SIGKILL);
            }
            wait_gone(pid);
        }
        std::error_code ec;
        fs::remove_all(root, ec);
    }

    void start() { pid = sv::launch_supervisor(binary("JAILMGR_BIN"), spec); }

    json request(const json& req) { return sv::control_request(files.socket, req); }

    std::optional<json> status() { return sv::read_status(paths, spec.jail); }

    json svc(const std::string& name) {
        auto s = status();
        REQUIRE(s);
        return (*s)["services"][name];
    }

    // Waits until the status file satisfies `pred`; fails the test with the
    // last status seen otherwise.
    json wait_for(const std::function<bool(const json&)>& pred, const std::string& what,
                  std::chrono::milliseconds timeout = 10s) {
        jailmgr::sys::unique_fd in(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
        REQUIRE(in);
        REQUIRE(::inotify_add_watch(in.get(), files.dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE) >= 0);
        auto deadline = std::chrono::steady_clock::now() + timeout;
        json last;
        for (;;) {
            auto s = status();
            if (s) {
                last = *s;
                if (pred(last)) return last;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{in.get(), POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(left.count()));
            char buf[4096];
            while (::read(in.get(), buf, sizeof buf) > 0) {
            }
        }
        FAIL("timed out waiting for " << what << "; last status: " << last.dump());
        return last;
    }

    json wait_svc(const std::string& name, const std::function<bool(const json&)>& pred, const std::string& what,
                  std::chrono::milliseconds timeout = 10s) {
        return wait_for(
            [&](const json& s) { return s["services"].contains(name) && pred(s["services"][name]); },
            name + ": " + what, timeout)["services"][name];
    }

    std::vector<std::string> log_lines(const std::string& service) {
        return read_lines(files.log_dir / (service + ".log"));
    }

    fs::path root, work;
    sv::SupervisorSpec spec;
    jailmgr::engine::Paths paths;
    sv::SupervisorFiles files;
    pid_t pid = -1;
};

// The text after "<stamp> stdout: " in a log line.
inline std::string payload(const std::string& line) {
    auto p = line.find(": ");
    return p == std::string::npos ? line : line.substr(p + 2);
}
