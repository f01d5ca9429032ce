#include "health_fsm.hpp"

namespace jailmgr::engine::supervisor {

std::string to_string(Health h) {
    switch (h) {
    case Health::none: return "none";
    case Health::starting: return "starting";
    case Health::healthy: return "healthy";
    case Health::unhealthy: return "unhealthy";
    }
    return "?";
}

namespace {

// While nothing has succeeded yet, probe at the (short) start interval so a
// service that comes up fast is reported healthy fast.
Millis period(const HealthCheck& check, const HealthState& s) {
    return s.status == Health::starting ? check.start_interval : check.interval;
}

HealthTransition probe_failed(const HealthCheck& check, HealthState s, TimePoint now,
                              std::vector<HealthAction> actions) {
    s.probing = false;
    bool grace = s.status == Health::starting && now < s.started + check.start_period;
    if (!grace) ++s.failures;
    if (s.failures >= check.retries && s.status != Health::unhealthy) {
        s.status = Health::unhealthy;
        actions.push_back(HealthAction::report_unhealthy);
    }
    s.deadline = now + period(check, s);
    return {s, std::move(actions)};
}

}  // namespace

HealthTransition health_transition(const HealthCheck& check, const HealthState& state, HealthEvent event,
                                   TimePoint now) {
    HealthState s = state;
    std::vector<HealthAction> actions;
    if (s.probing && (event == HealthEvent::service_started || event == HealthEvent::service_stopped))
        actions.push_back(HealthAction::cancel_probe);
    switch (event) {
    case HealthEvent::service_started:
        s = HealthState{Health::starting, 0, false, now + check.start_interval, now};
        return {s, std::move(actions)};
    case HealthEvent::service_stopped:
        s = HealthState{};
        return {s, std::move(actions)};
    case HealthEvent::deadline:
        if (s.status == Health::none) {
            s.deadline.reset();
            return {s, {}};
        }
        if (!s.deadline || now < *s.deadline) return {s, {}};
        if (s.probing)  // timed out
            return probe_failed(check, s, now, {HealthAction::cancel_probe});
        s.probing = true;
        s.deadline = now + check.timeout;
        return {s, {HealthAction::run_probe}};
    case HealthEvent::probe_ok:
        if (!s.probing) return {s, {}};
        s.probing = false;
        s.failures = 0;
        s.status = Health::healthy;
        s.deadline = now + check.interval;
        return {s, {}};
    case HealthEvent::probe_failed:
        if (!s.probing) return {s, {}};
        return probe_failed(check, s, now, {});
    }
    return {s, {}};
}

}  // namespace jailmgr::engine::supervisor
