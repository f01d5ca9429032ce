// profile_rules.hpp -- what a hardening profile means on Linux.
//
// The portable core decides WHAT a profile denies (jail_profile_denies() for
// every enum jail_action); this file says HOW Linux denies it, in one table
// (profile_rules.cpp) that maps each action to system calls (seccomp, EPERM),
// capabilities (removed from the bounding set) and /proc entries (masked).
// compile_profile() walks the matrix through that table and returns a plain
// value that the spawn code applies; nothing here touches the kernel.
//
// Beyond the matrix, Linux needs a baseline the model takes for granted:
//   every profile  a container-like capability set (no CAP_SYS_ADMIN & co.),
//                  /proc/sys and other host-global /proc files read-only or
//                  masked (Linux guards most of them by uid 0 alone, and
//                  kernel.core_pattern or sysrq-trigger would be host
//                  escapes), no terminal injection (TIOCSTI);
//   medium, high   a much smaller capability set, locked securebits
//                  (NOROOT), no_new_privs, Landlock scoping of signals and
//                  abstract unix sockets, and seccomp applied last.
#pragma once

#include <seccomp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "driver.hpp"
#include "jail_policy.h"

namespace jailmgr::kernel::lnx {

// One seccomp rule: `syscall` fails with `err` when every comparison holds
// (no comparison: always).
struct SyscallDeny {
    std::string syscall;
    std::vector<scmp_arg_cmp> when;
    int err = 1;  // EPERM
};

enum class SysMount { read_only, absent };

struct ProfilePlan {
    Profile profile = Profile::high;
    std::uint32_t deny_extra = 0;
    std::vector<jail_action> denied;  // the matrix' verdicts, for reports

    std::uint64_t bounding = 0;  // capabilities kept in the bounding set (bit = CAP_*)
    bool lock_securebits = false;
    bool no_new_privs = false;
    std::uint64_t landlock_scopes = 0;  // LANDLOCK_SCOPE_* wanted (0: none)
    std::vector<SyscallDeny> seccomp;

    SysMount sys = SysMount::absent;
    std::vector<std::string> proc_masked_files;  // /dev/null bound over them
    std::vector<std::string> proc_masked_dirs;   // an empty read-only tmpfs over them
    std::vector<std::string> proc_read_only;     // bound over themselves read-only
};

ProfilePlan compile_profile(Profile profile, std::uint32_t deny_extra);

// Capability bit helpers (bit n = CAP n).
constexpr std::uint64_t cap_bit(int cap) { return std::uint64_t{1} << cap; }

}  // namespace jailmgr::kernel::lnx
