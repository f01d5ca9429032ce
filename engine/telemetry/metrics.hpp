// metrics.hpp -- turn a snapshot of the host into Prometheus metric families.
//
// Pure: build_metrics() reads only its argument, so every series is tested
// from hand-made snapshots.  Naming follows Prometheus conventions: the
// jailmgr_ prefix, base units (seconds, bytes), _total for counters, a HELP
// line on every family, state sets as one 0/1 series per state.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "driver.hpp"
#include "observed.hpp"

namespace jailmgr::engine::telemetry {

struct ReconcilerSnapshot {
    std::optional<double> last_apply_unix;
    std::optional<double> last_apply_seconds;
    std::optional<bool> last_apply_ok;
    std::optional<std::size_t> last_apply_steps;
    std::optional<std::size_t> last_apply_errors;
    std::string applied_hash;                   // desired state of the last apply ("" unknown)
    std::optional<std::size_t> drift_jails;     // jails out of desired state
    std::optional<std::size_t> drift_services;  // services out of desired state
    std::string desired_hash;                   // manifests' content hash ("" unknown)
};

struct Snapshot {
    std::vector<kernel::JailInfo> jails;
    std::map<std::string, SupervisorObservation> supervisors;  // by jail name
    std::map<std::string, std::string> projects;               // jail name -> project
    // Services each jail should run (from the applied records): exported as
    // down when their supervisor is not running, so alerts see a 0 instead
    // of a series that vanished.
    std::map<std::string, std::vector<std::string>> expected_services;
    ReconcilerSnapshot reconciler;
    double now_unix = 0;
};

// The service states and health values exported as state sets.
extern const std::vector<std::string> service_states;
extern const std::vector<std::string> service_health_values;

std::vector<prometheus::MetricFamily> build_metrics(const Snapshot& snapshot);

// Prometheus text exposition format (version 0.0.4).
std::string to_text(const std::vector<prometheus::MetricFamily>& families);

}  // namespace jailmgr::engine::telemetry
