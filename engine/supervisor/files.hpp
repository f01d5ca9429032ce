// files.hpp -- where one jail's supervisor keeps its files.
//   <run_dir>/supervisors/            mode 0700: only root reaches the socket
//     <jail>.sock                     control socket
//     <jail>.pid                      the supervisor's pid (written atomically)
//     <jail>.lock                     write-locked (OFD lock) while the supervisor lives
//     <jail>.status.json              status, rewritten atomically on every change
//     <jail>.spec.json                the spec it was launched or last reloaded with
//   <log_dir>/<jail>/<service>.log    service output (+ .1 ... rotated)
//   <log_dir>/<jail>/supervisor.log   the supervisor's own messages
#pragma once

#include <filesystem>
#include <string>

#include "paths.hpp"

namespace jailmgr::engine::supervisor {

struct SupervisorFiles {
    std::filesystem::path dir, socket, pidfile, lock, status, spec;
    std::filesystem::path log_dir, supervisor_log;

    static SupervisorFiles of(const Paths& paths, const std::string& jail);
};

inline SupervisorFiles SupervisorFiles::of(const Paths& paths, const std::string& jail) {
    SupervisorFiles f;
    f.dir = paths.run_dir / "supervisors";
    f.socket = f.dir / (jail + ".sock");
    f.pidfile = f.dir / (jail + ".pid");
    f.lock = f.dir / (jail + ".lock");
    f.status = f.dir / (jail + ".status.json");
    f.spec = f.dir / (jail + ".spec.json");
    f.log_dir = paths.log_dir / jail;
    f.supervisor_log = f.log_dir / "supervisor.log";
    return f;
}

}  // namespace jailmgr::engine::supervisor
