// paths.hpp -- where jailmgr keeps things on the host.
//
// Defaults: state /var/lib/jailmgr, runtime /run/jailmgr, logs /var/log/jailmgr.
// `--root-dir DIR` prefixes all three (DIR/var/lib/jailmgr, ...), so tests and
// several independent instances can share one host.  Each root dir also
// gets an instance name that keeps its kernel objects (cgroups, BPF pins)
// apart from every other instance's.
#pragma once

#include <filesystem>
#include <string>

#include "driver.hpp"

namespace jailmgr::engine {

struct Paths {
    std::filesystem::path root_dir;   // "/" for the system instance
    std::filesystem::path state_dir;  // desired-state record, journal, jail roots
    std::filesystem::path run_dir;    // pidfiles, control sockets, locks
    std::filesystem::path log_dir;    // service logs
    std::string instance;             // "default", or "i<hash of root_dir>"

    static Paths for_root(const std::filesystem::path& root_dir = "/");
    kernel::DriverConfig driver_config() const;
};

}  // namespace jailmgr::engine
