// launch.hpp -- starting a jail's supervisor as its own, detached process.
//
// launch_supervisor() writes the spec to <run_dir>/supervisors/<jail>.spec.json,
// forks, setsid()s, forks again (so the supervisor is nobody's child and has
// no terminal), points stdio at /dev/null and re-executes the jailmgr (or
// jailctl) binary with argv[0] = "jailmgr: supervise jail=<name> jid=<id>" --
// that is what ps shows -- and JAILMGR_SUPERVISE=<spec file> in the
// environment.  That binary's main() calls maybe_run_supervisor_from_env()
// first thing, which becomes the supervisor.  The launcher waits until the
// supervisor reports "ready" (its control socket is up) or an error.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "spec.hpp"

namespace jailmgr::engine::supervisor {

inline constexpr const char* supervise_env = "JAILMGR_SUPERVISE";
inline constexpr const char* ready_fd_env = "JAILMGR_SUPERVISE_READY_FD";
// TEST SEAM: must be "1" for a spec's "test_session" to be honoured.
inline constexpr const char* allow_test_seams_env = "JAILMGR_ALLOW_TEST_SEAMS";

// "jailmgr: supervise jail=web jid=3"
std::string supervisor_title(const SupervisorSpec& spec);

// Starts the supervisor of spec.jail and returns its pid once it is ready.
// Throws std::runtime_error with the supervisor's own startup error (e.g.
// "a supervisor for jail web is already running (pid 42)") or on timeout.
pid_t launch_supervisor(const std::filesystem::path& binary, const SupervisorSpec& spec,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// If this process was launched as a supervisor, runs it and returns its exit
// status; otherwise returns std::nullopt at once.  Call first thing in main().
std::optional<int> maybe_run_supervisor_from_env();

}  // namespace jailmgr::engine::supervisor
