// proc_table.hpp -- the processes of the host from /proc (jailmgr ps): just
// what ps(1) shows in its default columns, plus the group and session IDs
// that tie a process to the service that started it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace jailmgr::engine::supervisor {

struct ProcInfo {
    pid_t pid = 0, ppid = 0, pgid = 0, sid = 0;
    uid_t uid = 0;
    char state = '?';
    double cpu_seconds = 0;  // user + system
    std::string comm;        // from stat
    std::string cmd;         // the command line, or [comm] for kernel threads and zombies
};

// Every process visible in /proc (processes that vanish while we read are
// skipped).
std::vector<ProcInfo> read_processes();

// The processes of a service whose main process is `leader`: it leads its
// own session (setsid), so its session ID is its pid.  Sorted by pid.
std::vector<ProcInfo> session_members(const std::vector<ProcInfo>& all, pid_t leader);

// "12:34" (minutes:seconds) or "1:02:03" for long-running ones, as ps prints TIME.
std::string format_cpu_time(double seconds);

// The user name for a uid (host database), or the number.
std::string user_name(uid_t uid);

}  // namespace jailmgr::engine::supervisor
