// resolve.hpp -- the desired state: jails and services with every default
// applied.  resolve() is the ONE place where defaults (defaults.hpp) are
// filled in; the engine reads only DesiredState, never the raw Manifest.
//
// Values keep their Location: a value the manifest set points at it; a
// value inherited from `defaults:` points at the defaults entry; a built-in
// default has an unknown location (loc.known() == false).  Each jail and
// service carries a stable hash of its resolved spec (hash.hpp) so the
// engine can tell what changed.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model.hpp"

namespace jailmgr::schema {

enum class Level : uint8_t { low = 0, medium = 1, high = 2 };  // = JAIL_PROFILE_*
std::string_view level_name(Level l);

struct ResolvedProfile {
    Located<std::string> name;       // as written: "high", or a profile under profiles:
    Level level = Level::high;
    std::vector<std::string> deny;   // extra denials along the extends chain, in vocabulary order
};

struct ResolvedLimits {              // present() == the limit applies
    Located<uint64_t> memory;        // bytes
    Located<double> cpus;
    Located<int64_t> pids;
    Located<int64_t> nofile;
    Located<uint64_t> core;          // bytes
    Located<uint64_t> as;            // bytes
};

struct ResolvedMount {
    Located<std::string> source, target;  // target normalized ("/var//www/" -> "/var/www")
    Located<bool> readonly;
};

struct ResolvedDependency {
    Located<std::string> name;
    Located<std::string> condition;  // jails: started|healthy; services: service_started|...
};

struct ResolvedSetupStep {
    enum class Kind : uint8_t { run, file } kind = Kind::run;
    Location loc;
    std::vector<std::string> argv;   // run
    std::string path, content;       // file
    uint32_t mode = 0644;            // file
};

struct ResolvedHealthcheck {
    enum class Kind : uint8_t { exec, tcp } kind = Kind::exec;
    Location loc;
    std::vector<std::string> argv;   // exec: run inside the jail
    uint16_t port = 0;               // tcp: connect to 127.0.0.1:port
    Millis interval{}, timeout{}, start_period{};
    int64_t retries = 0;
};

struct ResolvedSyslog {
    bool enabled = false;
    std::string facility, stdout_level, stderr_level, tag;
};

struct ResolvedService {
    Located<std::string> name;
    Location loc;
    Located<std::vector<std::string>> command;  // argv; a string command is {"/bin/sh", "-c", s}
    Located<std::string> user;                  // service, else jail, else defaults, else "0"
    Located<std::string> working_dir;
    std::vector<EnvVar> environment;            // jail's, overridden/extended by the service's
    Located<std::string> restart;               // always | on-failure | no
    Millis backoff_initial{}, backoff_max{}, backoff_reset_after{};
    int64_t start_limit_burst = 0;              // 0 = unlimited
    Millis start_limit_interval{}, start_limit_retry_after{};
    Located<std::string> stop_signal;           // "TERM", without SIG
    Millis stop_grace_period{};
    std::vector<ResolvedDependency> depends_on;
    std::optional<ResolvedHealthcheck> healthcheck;
    uint64_t log_max_size = 0;
    int64_t log_keep = 0;
    ResolvedSyslog syslog;
    std::string hash;                           // hash_service(*this)
};

struct ResolvedJail {
    Located<std::string> name;
    Location loc;
    std::string project;
    Located<std::string> base;                  // "host" or an absolute rootfs path
    Located<std::string> root;                  // the rootfs path when base is one, else root or <state>/jails/<name>/root
    Located<std::string> hostname;              // default: the name made RFC 1123-safe
    ResolvedProfile profile;
    std::vector<Located<uint16_t>> ports;       // distinct, in written order
    ResolvedLimits limits;                      // jail's, else defaults', key by key
    std::vector<ResolvedMount> mounts;
    std::vector<EnvVar> environment;
    Located<std::string> user;
    std::vector<ResolvedDependency> depends_on;
    Located<bool> autostart;
    std::vector<ResolvedSetupStep> setup;
    std::vector<ResolvedService> services;      // in written order
    std::vector<std::string> placement_hosts;   // empty = every host
    std::string hash;                           // hash_jail(*this): everything but services
};

struct DesiredState {
    std::vector<SourcePtr> sources;             // keeps every Location valid
    std::string project;
    std::vector<ResolvedJail> jails;            // in definition order

    const ResolvedJail* find(std::string_view name) const;
    // Jails ordered so that each comes after the jails it depends on
    // (requires an acyclic graph, i.e. a manifest that linted clean).
    std::vector<const ResolvedJail*> start_order() const;
};

// Applies every default.  Meant for manifests without lint errors; on others
// it still returns a best effort (unknown profiles resolve to high).
DesiredState resolve(const Manifest& m, const std::filesystem::path& state_dir);

// The canonical JSON of a resolved jail (with or without its services) and
// of a service: sorted keys, no locations, no hashes.  Also what the hashes
// are computed over.
nlohmann::json to_json(const ResolvedService& s);
nlohmann::json to_json(const ResolvedJail& j, bool with_services = true);

}  // namespace jailmgr::schema
