// spec.hpp -- what a supervisor runs: one jail, its services and their
// policies, as plain data with a JSON form (the spec file the engine hands
// to a freshly launched supervisor, and the `reload` request).
//
// Independent of schema/: the engine maps a manifest's resolved services onto
// these types.  Every duration is a whole number of milliseconds (`*_ms` keys
// in JSON); every field has the default documented in README.md.
#pragma once

#include <syslog.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "driver.hpp"

namespace jailmgr::engine::supervisor {

using Millis = std::chrono::milliseconds;

enum class RestartMode { always, on_failure, no };

// depends_on conditions, named as in the compose spec.
enum class Condition { service_started, service_healthy, service_completed_successfully };

struct Backoff {
    Millis initial{1000};       // first delay; 0 = restart at once, every time
    Millis max{10000};          // the delay doubles up to this
    Millis reset_after{30000};  // a run at least this long resets the delay to `initial`
    bool operator==(const Backoff&) const = default;
};

struct StartLimit {
    unsigned burst = 5;            // this many failed starts within `interval` ... (0 = no limit)
    Millis interval{60000};
    Millis retry_after{300000};    // ... mark the service failed, and try again after this
    bool operator==(const StartLimit&) const = default;
};

// The crash-loop policy: data the state machine consults, nothing more.
struct RestartPolicy {
    RestartMode mode = RestartMode::always;
    Backoff backoff;
    StartLimit start_limit;
    bool operator==(const RestartPolicy&) const = default;
};

struct HealthCheck {
    std::vector<std::string> exec;     // a command run inside the jail; exit 0 = healthy
    std::optional<std::uint16_t> tcp;  // or: a TCP connect to 127.0.0.1:<tcp>
    Millis interval{30000};            // between probes once the service is healthy or past start_period
    Millis timeout{30000};             // a probe running longer fails (and an exec probe is killed)
    unsigned retries = 3;              // consecutive failures that make the service unhealthy
    Millis start_period{0};            // failures in this window after start do not count
    Millis start_interval{1000};       // probe period while the status is still "starting"
    bool operator==(const HealthCheck&) const = default;
};

struct FileLog {
    std::uint64_t max_size = 10u << 20;  // rotate <svc>.log when it would grow past this
    unsigned keep = 5;                   // rotated files kept: <svc>.log.1 ... <svc>.log.<keep>
    bool operator==(const FileLog&) const = default;
};

struct SyslogLog {
    int facility = LOG_DAEMON;
    int stdout_level = LOG_NOTICE;
    int stderr_level = LOG_ERR;
    std::string tag = "jailmgr";
    std::filesystem::path socket = "/dev/log";  // the local syslog datagram socket
    bool operator==(const SyslogLog&) const = default;
};

struct Logging {
    std::optional<FileLog> file = FileLog{};  // unset = no log file
    std::optional<SyslogLog> syslog;          // unset = no syslog
    bool operator==(const Logging&) const = default;
};

struct ServiceSpec {
    std::string name;                          // [A-Za-z0-9._-]{1,63}, unique in the jail
    std::vector<std::string> argv;             // argv[0] looked up in the jail's PATH
    std::vector<std::string> env;              // complete environment, "K=V"
    std::optional<std::string> user;           // resolved in the jail (Driver::resolve_user)
    std::optional<kernel::Credentials> credentials;  // already resolved; wins over `user`
    std::filesystem::path working_dir = "/";
    kernel::Limits rlimits;                    // nofile, address_space, core
    RestartPolicy restart;
    int stop_signal = SIGTERM;
    Millis stop_grace_period{5000};
    std::map<std::string, Condition> depends_on;
    std::optional<HealthCheck> healthcheck;
    Logging logging;
    bool operator==(const ServiceSpec&) const = default;

    // True when `o` starts the same process (argv, env, user, dir, rlimits):
    // a reload that changes only policies need not restart the service.
    bool same_launch(const ServiceSpec& o) const;
};

struct SupervisorSpec {
    std::string jail;                  // the jail's name
    kernel::JailId jid = 0;
    std::filesystem::path root_dir = "/";  // --root-dir: where run and log dirs live
    std::vector<ServiceSpec> services;
    // TEST SEAM.  "host" runs services as host processes (HostSession) instead
    // of through the kernel driver; honoured only when the supervisor's
    // environment has JAILMGR_ALLOW_TEST_SEAMS=1.  Empty in production.
    std::string test_session;
    bool operator==(const SupervisorSpec&) const = default;

    const ServiceSpec* find(const std::string& name) const;
};

// A spec that cannot be used; the message names the field:
// "services[1] (web): backoff.initial_ms: expected a non-negative integer".
class SpecError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

nlohmann::json to_json(const ServiceSpec& s);
nlohmann::json to_json(const SupervisorSpec& s);
ServiceSpec service_spec_from_json(const nlohmann::json& j);
// Parses and validates: names, unique services, known dependencies, no
// dependency cycle, a health check with exactly one probe.
SupervisorSpec supervisor_spec_from_json(const nlohmann::json& j);

std::string to_string(RestartMode m);
std::string to_string(Condition c);
// "TERM", "SIGTERM" or "15" -> 15; std::nullopt if unknown.
std::optional<int> parse_signal(const std::string& s);
std::string signal_name(int sig);  // 15 -> "TERM"
std::optional<int> parse_syslog_facility(const std::string& s);  // "daemon", "local3", ...
std::optional<int> parse_syslog_level(const std::string& s);     // "notice", "err", "3", ...
bool valid_service_name(const std::string& name);

}  // namespace jailmgr::engine::supervisor
