// spawn_child.hpp -- the child side of Session::spawn.
//
// The child is born (clone3) inside the jail's PID namespace and cgroup2
// directory; everything else it does itself, in this order, before execve:
//   reset signals, join the v1 cgroups, setns() into the init's mount, UTS,
//   IPC and cgroup namespaces (which also puts it at the jail's /), stdio,
//   setsid, rlimits, profile + credentials (hardening.hpp), chdir, and an
//   execve per PATH candidate.
// The plan is built entirely by the parent; the child only reads it.
#pragma once

#include <sys/resource.h>

#include <string>
#include <utility>
#include <vector>

#include "hardening.hpp"

namespace jailmgr::kernel::lnx {

struct SpawnPlan {
    int ns_pidfd = -1;              // pidfd of the jail's init
    std::vector<int> cgroup_tasks;  // v1 `tasks` files, open for writing
    int stdio[3] = {-1, -1, -1};    // valid descriptors for 0, 1, 2
    bool new_session = true;
    std::vector<std::pair<int, struct rlimit>> rlimits;
    Hardening hardening;
    ChildCreds creds;
    std::vector<gid_t> groups;      // creds.groups points here
    std::string workdir;
    std::vector<std::string> exec_paths;  // "/usr/bin/httpd", ... tried in order
    std::vector<std::string> argv_store, env_store;
    std::vector<char*> argv, envp;        // NULL-terminated views of the stores
    int report_fd = -1;
};

// Candidates for argv0: itself if it has a '/', else each PATH entry.
std::vector<std::string> exec_candidates(const std::string& argv0, const std::string& path_env);

[[noreturn]] void run_spawn(const SpawnPlan& plan) noexcept;
// The same, as a clone3_vfork() entry point (`plan` is a SpawnPlan).
[[noreturn]] void spawn_entry(void* plan) noexcept;

}  // namespace jailmgr::kernel::lnx
