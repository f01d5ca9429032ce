// observed.hpp -- what is actually on the host, per jail name.
//
// Three sources, joined by jail name: the kernel (driver list), the state
// store (what this host last applied, and for which project), and the
// jail's supervisor (running? which services, in which state).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "driver.hpp"
#include "state_store.hpp"

namespace jailmgr::engine {

struct ServiceObservation {
    std::string state;   // running, starting, backoff, failed, stopped, completed, ...
    std::string health;  // "", starting, healthy, unhealthy
    std::uint64_t restarts = 0;
    long pid = 0;                       // main process (host PID), 0 when not running
    double backoff_seconds = 0;         // current restart delay
    std::optional<int> last_exit_code;  // of the last run that exited
    std::optional<int> last_signal;     // of the last run killed by a signal
    double started_unix = 0;            // start of the current run, 0 when not running
    double next_start_unix = 0;         // next start attempt (backoff, failed), 0 when none is due
    std::uint64_t log_lines_dropped = 0;
};

struct SupervisorObservation {
    long pid = 0;
    double started_unix = 0;
    std::map<std::string, ServiceObservation> services;
};

struct ObservedJail {
    std::optional<kernel::JailInfo> kernel;
    std::optional<AppliedJail> applied;
    std::optional<SupervisorObservation> supervisor;  // nullopt: not running
};

struct Observed {
    std::map<std::string, ObservedJail> jails;
};

}  // namespace jailmgr::engine
