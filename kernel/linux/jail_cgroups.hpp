// jail_cgroups.hpp -- one jail's cgroups: create, limit, measure, empty, remove.
//
// A jail gets, under each base directory of the layout,
//   <base>/jailmgr.<instance>/<jail name>
// i.e. one directory per v1 hierarchy it uses (memory, pids, cpu, cpuacct)
// and always one cgroup2 directory (membership via CLONE_INTO_CGROUP, the
// BPF bind hook's cgroup id, cgroup.kill, cgroup.freeze, cpu.stat).  The
// absolute paths are recorded in the registry so that teardown never
// depends on re-detecting the layout.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cgroup_fs.hpp"
#include "cgroup_layout.hpp"
#include "driver.hpp"

namespace jailmgr::kernel::lnx {

struct JailCgroups {
    std::filesystem::path v2;       // the jail's cgroup2 directory
    std::filesystem::path v2_root;  // mount point of the cgroup2 hierarchy
    // controller -> directory holding its control files: a v1 directory, or
    // `v2` when cgroup2 serves that controller.  Absent = unavailable.
    std::map<std::string, std::filesystem::path> controllers;

    // Distinct directories, v1 ones first, the cgroup2 one last.
    std::vector<std::filesystem::path> directories() const;
    bool operator==(const JailCgroups&) const = default;
};

struct CgroupUsage {
    std::uint64_t procs_live = 0;    // processes in cgroup.procs
    std::uint64_t procs_zombie = 0;  // tasks the pids controller still counts but that have exited
    std::uint64_t cpu_ns = 0;
    std::uint64_t memory_bytes = 0;
};

// Creates the jail's directories (and the jailmgr.<instance> parents when
// missing; on pure v2 it also enables the controllers down the path).  On
// error everything it created is removed again.
JailCgroups create_jail_cgroups(CgroupFs& fs, const CgroupLayout& layout, const std::string& instance,
                                const std::string& jail_name);

// Writes memory/pids/cpu limits (unset = unlimited).  Throws DriverError
// (unsupported) when a limit is set but its controller is unavailable.
void apply_cgroup_limits(CgroupFs& fs, const JailCgroups& cg, const Limits& limits, const std::string& jail_name);

CgroupUsage read_cgroup_usage(CgroupFs& fs, const JailCgroups& cg);

// Host PIDs listed in the cgroup2 directory's cgroup.procs.
std::vector<pid_t> cgroup_pids(CgroupFs& fs, const JailCgroups& cg);

// cgroup.kill: SIGKILL every process of the jail, atomically against forks.
void kill_cgroup(CgroupFs& fs, const JailCgroups& cg);
// cgroup.freeze: 1 = freeze and wait until frozen (bounded), 0 = thaw.
void freeze_cgroup(CgroupFs& fs, const JailCgroups& cg, bool frozen, std::chrono::milliseconds timeout);

// Waits until cgroup.events says "populated 0" (poll(2) POLLPRI on it), or
// until `also` (if >= 0) is readable: the kernel rate-limits cgroup.events
// notifications to one per 10 ms, so a pidfd whose exit implies an empty
// cgroup (the jail's init) usually answers first.  Returns false on timeout.
bool wait_cgroup_empty(CgroupFs& fs, const JailCgroups& cg, std::chrono::milliseconds timeout, int also = -1);

// rmdir of every directory, then of the jailmgr.<instance> parents when they
// became empty.  Missing directories are fine (idempotent).
void remove_jail_cgroups(CgroupFs& fs, const JailCgroups& cg);

// The cgroup2 id (inode number) the BPF helpers report for members.
std::uint64_t cgroup_id(const JailCgroups& cg);

}  // namespace jailmgr::kernel::lnx
