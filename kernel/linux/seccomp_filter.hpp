// seccomp_filter.hpp -- compile a profile's deny list into a classic-BPF
// seccomp program with libseccomp, in the parent.  The child only loads the
// finished program (one seccomp(2) call, no allocation).
//
// Default action: allow.  Listed calls fail with their errno (EPERM; clone3
// ENOSYS).  Other syscall ABIs than the native one (i386 int 0x80, x32) kill
// the process: a deny list checked for one ABI only would be bypassable.
// Denials are not counted (seccomp has no counters; a USER_NOTIF listener
// would cost a context switch per denial), so JailInfo's system/process
// denial counters stay 0 on Linux.
#pragma once

#include <linux/filter.h>

#include <filesystem>
#include <vector>

#include "profile_rules.hpp"

namespace jailmgr::kernel::lnx {

// Empty when there is nothing to deny.  Throws SysError on libseccomp errors.
std::vector<sock_filter> compile_seccomp(const std::vector<SyscallDeny>& rules);

// The same, kept in `cache_dir` (the driver's run dir, root-only) under a
// hash of the rules: libseccomp's compile is the most expensive step left
// in starting a jail, and the rules change only with the profile.
std::vector<sock_filter> compile_seccomp_cached(const std::vector<SyscallDeny>& rules,
                                                const std::filesystem::path& cache_dir);

// The jail's init gets an allow-list instead (kill on anything else): the
// few calls between its hardening and its exec, and those of its program
// (jail_init_prog.c).  Smaller and stricter than any profile's deny list.
std::vector<sock_filter> compile_init_seccomp(const std::filesystem::path& cache_dir);

}  // namespace jailmgr::kernel::lnx
