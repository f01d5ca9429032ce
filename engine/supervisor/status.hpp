// status.hpp -- a supervisor's status as readers see it (jailmgr status/ps,
// the metrics exporter, tests): the status file, and whether the supervisor
// that wrote it still lives.  The JSON shape is documented in README.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "paths.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

inline constexpr int status_version = 1;

// Held by a running supervisor: an OFD write lock on <jail>.lock.  Readers
// test it without taking it, so they never disturb a supervisor starting up,
// and a supervisor killed by SIGKILL releases it with its last descriptor.
class SupervisorLock {
public:
    // Throws sys::SysError(EWOULDBLOCK) if another supervisor holds it.
    explicit SupervisorLock(const std::filesystem::path& path);
    static bool held(const std::filesystem::path& path);

private:
    sys::unique_fd fd_;
};

bool supervisor_running(const Paths& paths, const std::string& jail);

// The jail's last status with "running" set from the lock: false means the
// supervisor is gone (its services with it) and the rest is history.
// std::nullopt when there is no status file.
std::optional<nlohmann::json> read_status(const Paths& paths, const std::string& jail);

// Jails that have (or had) a supervisor under this root, sorted.
std::vector<std::string> supervised_jails(const Paths& paths);

// Replaces `path` by rename; no fsync: these are runtime files (tmpfs /run),
// rewritten on every state change, and worthless after a crash anyway.
void replace_file(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644);

}  // namespace jailmgr::engine::supervisor
