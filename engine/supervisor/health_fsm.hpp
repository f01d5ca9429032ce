// health_fsm.hpp -- a service's health as a pure state machine beside the
// service's own (service_fsm.hpp).  It decides when to probe, when a probe
// has timed out and when the service has become healthy or unhealthy; the
// loop runs the probes (health_probe.hpp) and feeds the results back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "service_fsm.hpp"

namespace jailmgr::engine::supervisor {

enum class Health {
    none,       // no health check, or the service is not running
    starting,   // running, no probe has succeeded yet
    healthy,
    unhealthy,  // `retries` consecutive probes failed (after start_period)
};

std::string to_string(Health h);

struct HealthState {
    Health status = Health::none;
    unsigned failures = 0;  // consecutive failures that count
    bool probing = false;   // a probe is in flight; the deadline is its timeout
    std::optional<TimePoint> deadline;
    TimePoint started{};    // when the service started: origin of start_period
    bool operator==(const HealthState&) const = default;
};

enum class HealthEvent { service_started, service_stopped, deadline, probe_ok, probe_failed };

enum class HealthAction {
    run_probe,         // start a probe now
    cancel_probe,      // abandon the probe in flight (kill an exec probe)
    report_unhealthy,  // the service just became unhealthy
};

struct HealthTransition {
    HealthState state;
    std::vector<HealthAction> actions;
};

HealthTransition health_transition(const HealthCheck& check, const HealthState& state, HealthEvent event,
                                   TimePoint now);

}  // namespace jailmgr::engine::supervisor
