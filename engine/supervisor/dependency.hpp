// dependency.hpp -- depends_on between the services of one jail: start
// order, whether a service may start now, whether it may stop now.  Pure.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "health_fsm.hpp"
#include "spec.hpp"

namespace jailmgr::engine::supervisor {

// Dependencies first; ties broken by name so the order is stable.  Throws
// SpecError "dependency cycle: a -> b -> a" (or naming an unknown service).
std::vector<std::string> start_order(const std::vector<ServiceSpec>& services);

// What a dependency condition looks at.
struct ServiceView {
    Phase phase = Phase::stopped;
    Health health = Health::none;
    bool has_healthcheck = false;
    bool ever_started = false;  // a process of this service has run since the supervisor started
};

bool condition_met(Condition condition, const ServiceView& dependency);

// lookup(name) returns nullptr for a service that does not exist (then the
// condition is not met).
using ViewLookup = std::function<const ServiceView*(const std::string&)>;
bool dependencies_met(const ServiceSpec& service, const ViewLookup& lookup);

// A service may stop once everything that depends on it is down (stopped,
// exited, completed): reverse dependency order.
bool dependents_down(const std::string& name, const std::vector<const ServiceSpec*>& services,
                     const ViewLookup& lookup);

}  // namespace jailmgr::engine::supervisor
