// supervisors.hpp -- how reconciliation reaches the per-jail supervisors.
//
// The real implementation (supervisor_control.cpp) launches supervisor
// processes and talks to their control sockets; tests use a fake.  Every
// call names the jail, and every failure is an exception whose message
// starts with the jail's name.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "desired.hpp"
#include "observed.hpp"

namespace jailmgr::engine {

class Supervisors {
public:
    virtual ~Supervisors() = default;

    // nullopt when no supervisor runs for this jail.
    virtual std::optional<SupervisorObservation> observe(const std::string& jail) = 0;

    // Launch the jail's supervisor with the jail's services; returns once it
    // answers on its control socket (its services may still be starting).
    virtual void start(const DesiredJail& jail, kernel::JailId id) = 0;

    // Hand a running supervisor the new service set: it starts new services,
    // stops removed ones and restarts those whose spec changed, leaving the
    // rest untouched.
    virtual void reload(const DesiredJail& jail, kernel::JailId id) = 0;

    virtual void restart_service(const std::string& jail, const std::string& service) = 0;

    // Stop every service (reverse dependency order, grace periods honoured)
    // and wait until the supervisor has exited and the jail is empty.
    virtual void stop(const std::string& jail) = 0;

    // Wait until every service with a health check is healthy and every
    // other service runs (or completed, for one-shots).  False on timeout;
    // throws, saying why, when it cannot happen (a service failed).
    virtual bool wait_ready(const std::string& jail, std::chrono::milliseconds timeout) = 0;
};

}  // namespace jailmgr::engine
