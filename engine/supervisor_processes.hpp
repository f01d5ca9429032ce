// supervisor_processes.hpp -- the real Supervisors: per-jail supervisor
// processes (engine/supervisor), reached through their status files and
// control sockets.
#pragma once

#include <filesystem>
#include <memory>

#include "paths.hpp"
#include "supervisors.hpp"

namespace jailmgr::engine {

// `binary` is re-executed as the supervisor process (jailmgr itself:
// /proc/self/exe); it must call maybe_run_supervisor_from_env() first thing.
std::unique_ptr<Supervisors> make_supervisors(const Paths& paths, std::filesystem::path binary);

}  // namespace jailmgr::engine
