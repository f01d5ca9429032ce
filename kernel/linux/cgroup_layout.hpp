// cgroup_layout.hpp -- where this process may create cgroups, detected at run
// time from /proc/self/mountinfo and /proc/self/cgroup.
//
// Two layouts exist in the wild and both are supported:
//   hybrid (our machines): v1 hierarchies for memory, pids, cpu, cpuacct
//     (each its own mount here, or cpu,cpuacct co-mounted elsewhere) plus a
//     controller-less cgroup2 at /sys/fs/cgroup/unified;
//   pure v2 (current distributions): one cgroup2 at /sys/fs/cgroup whose
//     cgroup.controllers lists memory, pids, cpu.
// Each controller is served by a v1 hierarchy if one is mounted, else by
// cgroup2 if it offers it there, else it is unavailable (and a jail asking
// for that limit is refused).  Our cgroups nest under this process's own
// cgroup of each hierarchy, so an OOM in a jail stays inside the
// orchestrator's share.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup_fs.hpp"

namespace jailmgr::kernel::lnx {

// One line of /proc/self/mountinfo, the fields we need.
struct MountInfo {
    std::string root;         // path of the mount's root inside its filesystem
    std::string mount_point;  // unescaped
    std::string fs_type;
    std::string super_options;
};
std::vector<MountInfo> parse_mountinfo(std::string_view text);

// /proc/self/cgroup: hierarchy key -> path.  The key is the controller list
// of a v1 line ("memory", "cpu,cpuacct", "name=systemd") or "" for cgroup2.
std::map<std::string, std::string> parse_proc_cgroup(std::string_view text);

// The controllers jails use.
inline constexpr std::string_view jail_controllers[] = {"memory", "pids", "cpu", "cpuacct"};

struct CgroupLayout {
    // Mount point of the cgroup2 hierarchy (where the BPF bind hook attaches).
    std::filesystem::path v2_root;
    // cgroup2 directory of this process (mount point + own path); jails'
    // cgroup2 directories go below it.  Required: BPF, cgroup.kill, clone3.
    std::filesystem::path v2_base;
    // Controllers cgroup2 offers at v2_base (its cgroup.controllers).
    std::vector<std::string> v2_controllers;
    // v1 controller -> this process's directory in that hierarchy.
    // Co-mounted controllers share a directory.
    std::map<std::string, std::filesystem::path> v1_base;

    // No v1 hierarchy for any jail controller: limits come from cgroup2.
    bool pure_v2() const;
    // Which backend serves `controller`: "v1", "v2" or "" (unavailable).
    std::string backend(std::string_view controller) const;

    static CgroupLayout detect(CgroupFs& fs);
};

}  // namespace jailmgr::kernel::lnx
