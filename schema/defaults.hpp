// defaults.hpp -- every default value of the manifest format, in one place.
//
// schema::resolve() is the only code that applies them; the JSON Schema
// generator shows them as "default" annotations.  Change a default here and
// both follow.  Durations and sizes follow the NetBSD prototype's supervisor
// (backoff 1s doubling to 10s, reset after 30s stable; 5s stop grace).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace jailmgr::schema::defaults {

using namespace std::chrono_literals;

inline constexpr int64_t version = 1;
inline constexpr std::string_view profile = "high";
inline constexpr std::string_view base = "host";
inline constexpr bool autostart = true;
inline constexpr std::string_view user = "0";            // the jail's root, by uid (no passwd lookup needed)
inline constexpr std::string_view working_dir = "/";
inline constexpr bool mount_readonly = false;            // like compose: read-write unless readonly: true
inline constexpr uint32_t file_mode = 0644;

inline constexpr std::string_view jail_condition = "started";             // started | healthy
inline constexpr std::string_view service_condition = "service_started";  // | service_healthy | service_completed_successfully

inline constexpr std::string_view restart = "always";    // always | on-failure | no
inline constexpr std::chrono::milliseconds backoff_initial = 1s;
inline constexpr std::chrono::milliseconds backoff_max = 10s;
inline constexpr std::chrono::milliseconds backoff_reset_after = 30s;
inline constexpr int64_t start_limit_burst = 5;          // starts ...
inline constexpr std::chrono::milliseconds start_limit_interval = 60s;  // ... within this window, then failed
inline constexpr std::chrono::milliseconds start_limit_retry_after = 5min;
inline constexpr std::string_view stop_signal = "TERM";
inline constexpr std::chrono::milliseconds stop_grace_period = 5s;

inline constexpr std::chrono::milliseconds health_interval = 10s;
inline constexpr std::chrono::milliseconds health_timeout = 5s;
inline constexpr int64_t health_retries = 3;
inline constexpr std::chrono::milliseconds health_start_period = 0s;

inline constexpr uint64_t log_max_size = 10ull * 1024 * 1024;  // 10MiB
inline constexpr int64_t log_keep = 5;
inline constexpr std::string_view syslog_facility = "daemon";
inline constexpr std::string_view syslog_stdout = "info";
inline constexpr std::string_view syslog_stderr = "err";
// syslog tag default: "jail-<jail name>"

}  // namespace jailmgr::schema::defaults
