// supervisor_service.hpp -- private to the supervisor_*.cpp files: what the
// supervisor keeps per service besides the state machines' plain state.
#pragma once

#include <optional>

#include "supervisor.hpp"

namespace jailmgr::engine::supervisor {

struct Supervisor::Service {
    ServiceSpec spec;
    std::optional<ServiceSpec> next_spec;  // a reload changed the launch: used from the next start
    bool removing = false;                 // a reload dropped it: erased once down
    ServiceState state;
    HealthState health;
    kernel::Process proc;  // the main process of the current run
    Probe probe;           // health probe in flight
    ServiceLog log;
    std::string spawn_detail;  // the driver's message for the last failed spawn

    Service(ServiceSpec s, const std::filesystem::path& log_dir, std::string tag)
        : spec(std::move(s)), log(log_dir, spec.name, spec.logging, std::move(tag)) {}
};

// "0.2 s", "8 s": how long, for messages.
std::string seconds(Millis ms);

}  // namespace jailmgr::engine::supervisor
