// child_common.hpp -- small child-side helpers shared by the jail's init and
// spawned processes.  Raw system calls only (see syscalls.hpp for why).
#pragma once

#include <vector>

namespace jailmgr::kernel::lnx {

// Every signal back to its default action and an empty signal mask: a child
// must not inherit the spawner's handlers (they would run the host's code on
// a jailed process's signal) nor its blocked or ignored signals.
void reset_signals();

// Join v1 cgroups by writing "0" (this thread) to each pre-opened `tasks`
// file (see open_v1_tasks).  Returns 0 or -1 with errno.
int join_cgroups(const std::vector<int>& tasks_fds);

}  // namespace jailmgr::kernel::lnx
