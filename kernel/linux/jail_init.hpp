// jail_init.hpp -- PID 1 of a running jail.
//
// A jail's PID namespace lives exactly as long as its PID 1.  The process
// that starts an instance (the owner) clones this init with new PID, mount,
// UTS and IPC namespaces, directly into the jail's cgroup2 directory
// (posix_spawn-style, see clone_vm.hpp).  It is the owner's child and the
// owner reaps it, so no orphan is left to the host's PID 1 (which on our
// machines reaps orphans only lazily).  The init:
//   1. checks that its owner is still there, through a pidfd it keeps: when
//      the owner process exits, the init exits, and the kernel kills every
//      process of the jail (that is how "supervisor killed -> jail emptied"
//      works; unlike PR_SET_PDEATHSIG this follows the owner process, not
//      the thread that happened to start the jail);
//   2. becomes non-dumpable (a jailed root must not ptrace or read it);
//   3. joins the v1 cgroups and unshares a cgroup namespace rooted there;
//   4. builds the jail's filesystem (setup_steps) and pivots into it;
//   5. applies the jail's profile to itself with no capabilities left, and
//      instead of the profile's seccomp deny list an allow-list of the
//      dozen calls it still makes (anything else kills it);
//   6. execs the small embedded init program (jail_init_prog.c) with only
//      the owner's pidfd and the report pipe open; that program reports
//      "ready" and reaps orphans until the owner exits (poll on the pidfd
//      and a signalfd for SIGCHLD: no CPU when idle).  The exec matters: a
//      copy of a big orchestrator as PID 1 would be the OOM killer's first
//      victim, and with it every process of the jail.
// Signals from inside the jail cannot kill it (the kernel protects a
// namespace's init from signals it has no handler for).
#pragma once

#include <string>
#include <vector>

#include "hardening.hpp"
#include "sys/unique_fd.hpp"
#include "setup_steps.hpp"

namespace jailmgr::kernel::lnx {

struct InitPlan {
    int owner_pidfd = -1;         // pidfd of the owning process
    std::vector<int> cgroup_tasks;  // v1 `tasks` files, open for writing
    std::string root;             // the jail root on the host
    std::vector<Step> steps;
    Hardening hardening;
    int report_fd = -1;
    int program_fd = -1;  // sealed memfd holding jail_init_prog (init_program_fd())
};

// A sealed, executable memfd with the init program; one per driver.
sys::unique_fd init_program_fd();

// Runs in the cloned child; never returns.
[[noreturn]] void run_init(const InitPlan& plan) noexcept;
// The same, as a clone3_vfork() entry point (`plan` is an InitPlan).
[[noreturn]] void init_entry(void* plan) noexcept;

}  // namespace jailmgr::kernel::lnx
