// clone_vm.hpp -- start a child the way posix_spawn does: sharing our memory
// (CLONE_VM) on a stack of its own, with us suspended until it execs or
// exits (CLONE_VFORK).  No page tables are copied and none torn down at
// exec, which is most of what a fork costs a large program: measured here,
// it takes about a millisecond off every `jailctl exec` (bench/exec).
//
// The child runs `fn(arg)`, which must never return and must only read what
// it shares with us: it executes on our memory while we wait.  The child
// code (spawn_child, jail_init, setup_steps, ...) is built without
// sanitizers: their runtimes keep per-thread state that a CLONE_VM child
// would share with the thread that cloned it.
#pragma once

#include <linux/sched.h>
#include <sys/types.h>

namespace jailmgr::kernel::lnx {

// `args` carries the caller's flags (CLONE_VM, CLONE_VFORK and the stack
// are added here).  Returns the child's pid in the parent, -1 with errno on
// failure.
pid_t clone3_vfork(struct clone_args& args, void (*fn)(void*), void* arg);

// PR_SET_DUMPABLE acts on the memory map, which a CLONE_VM child shares
// with us: children clear it for their own protection until they exec, and
// the parent puts its own value back afterwards with this guard.
class KeepDumpable {
public:
    KeepDumpable();
    ~KeepDumpable();
    KeepDumpable(const KeepDumpable&) = delete;
    KeepDumpable& operator=(const KeepDumpable&) = delete;

private:
    int saved_;
};

}  // namespace jailmgr::kernel::lnx
