// jail_init.hpp -- PID 1 of a running jail.
//
// A jail's PID namespace lives exactly as long as its PID 1.  The process
// that starts an instance clones this init with new PID, mount, UTS and IPC
// namespaces, directly into the jail's cgroup2 directory.  The init:
//   1. arms PR_SET_PDEATHSIG(SIGKILL) and checks that its owner is still
//      there: when the owner dies, the init dies, and the kernel kills every
//      process of the jail (that is how "supervisor killed -> jail emptied"
//      works);
//   2. becomes non-dumpable (a jailed root must not ptrace or read it);
//   3. joins the v1 cgroups and unshares a cgroup namespace rooted there;
//   4. builds the jail's filesystem (setup_steps) and pivots into it;
//   5. applies the jail's profile to itself with no capabilities left;
//   6. reports "ready" to its owner, closes every descriptor, and reaps
//      orphans forever (sigwaitinfo on SIGCHLD: no CPU when idle).
// Signals from inside the jail cannot kill it (the kernel protects a
// namespace's init from signals it has no handler for).
#pragma once

#include <string>
#include <vector>

#include "hardening.hpp"
#include "setup_steps.hpp"

namespace jailmgr::kernel::lnx {

struct InitPlan {
    int owner_pidfd = -1;         // pidfd of the owning process
    std::vector<int> cgroup_tasks;  // v1 `tasks` files, open for writing
    std::string root;             // the jail root on the host
    std::vector<Step> steps;
    Hardening hardening;
    int report_fd = -1;
};

// Runs in the cloned child; never returns.
[[noreturn]] void run_init(const InitPlan& plan) noexcept;

}  // namespace jailmgr::kernel::lnx
