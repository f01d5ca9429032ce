// jail_instance.hpp -- find or start the running instance of a jail (its
// namespaces, anchored by the init of jail_init.hpp).
//
// The init's pid and start time are recorded in the registry; a later
// process trusts that record only after opening a pidfd (no pid reuse race
// from then on) and checking that the process has the recorded start time
// and lives in the jail's cgroup2 directory.  Never `ps` and a name.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "cgroup_layout.hpp"
#include <linux/filter.h>

#include "profile_rules.hpp"
#include "registry.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

struct InitHandle {
    pid_t pid = -1;  // in our PID namespace
    std::uint64_t start_time = 0;
    sys::unique_fd pidfd;
};

// /proc/PID/stat field 22 (start time in clock ticks since boot); nullopt if
// the process does not exist.
std::optional<std::uint64_t> process_start_time(pid_t pid);

// True once `pid` has exited (zombie, or gone).
bool process_exited(pid_t pid);

// The running init of `rec`, verified; nullopt if none.
std::optional<InitHandle> open_init(const Registry& registry, const JailRecord& rec);

// Clones and sets up a new init (the caller holds the registry lock and has
// checked that none runs), records it, and returns it.  Throws DriverError
// naming the jail and the failed step.
// `seccomp` is the init's filter (compile_init_seccomp); `init_program` is
// the driver's init_program_fd().
InitHandle start_instance(const Registry& registry, const JailRecord& rec, const ProfilePlan& profile,
                          const std::vector<sock_filter>& seccomp, int init_program);

// The jail's v1 `tasks` files, open for writing, for a child to join by
// writing "0".  Not cgroup.procs: moving a whole thread group takes the
// global cgroup_threadgroup_rwsem for writing, which waits for an RCU grace
// period (8-16 ms measured here); moving only the calling thread skips that
// lock (0.01 ms), and our children are single-threaded at that point.
std::vector<sys::unique_fd> open_v1_tasks(const JailRecord& rec);

}  // namespace jailmgr::kernel::lnx
