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

#include <vector>

#include "profile_rules.hpp"

namespace jailmgr::kernel::lnx {

// Empty when there is nothing to deny.  Throws SysError on libseccomp errors.
std::vector<sock_filter> compile_seccomp(const std::vector<SyscallDeny>& rules);

}  // namespace jailmgr::kernel::lnx
