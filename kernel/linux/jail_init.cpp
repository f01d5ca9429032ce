#include "jail_init.hpp"

#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "child_common.hpp"
#include "sys/error.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

[[noreturn]] void fail(const InitPlan& plan, Stage stage, int index = 0) {
    send_report(plan.report_fd, stage, index, errno);
    ::_exit(1);
}

// Decimal text of a small non-negative number, without the C library.
void decimal(int v, char (&buf)[16]) {
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0 && n < 15);
    int i = 0;
    while (n) buf[i++] = tmp[--n];
    buf[i] = '\0';
}

}  // namespace

void init_entry(void* plan) noexcept { run_init(*static_cast<const InitPlan*>(plan)); }

void run_init(const InitPlan& plan) noexcept {
    // The owner's pidfd was opened before we existed: if it is readable, the
    // owner is already gone.
    struct pollfd owner = {plan.owner_pidfd, POLLIN, 0};
    if (::poll(&owner, 1, 0) != 0) {
        errno = ESRCH;
        fail(plan, Stage::parent_gone);
    }
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // No reset of the caller's signal handlers: nothing in the jail exists
    // yet to signal us, and the exec below resets them.

    if (join_cgroups(plan.cgroup_tasks) != 0) fail(plan, Stage::cgroup_join);
    // After joining: the namespace is rooted at the jail's own cgroups.
    if (sysc::unshare(CLONE_NEWCGROUP) != 0) fail(plan, Stage::cgroup_namespace);

    int failed = run_steps(plan.steps.data(), static_cast<int>(plan.steps.size()), plan.root.c_str());
    if (failed >= 0) fail(plan, Stage::mount_step, failed);

    Stage stage = Stage::ready;
    if (apply_hardening(plan.hardening, ChildCreds{}, &stage) != 0) fail(plan, stage);

    // Only the owner's pidfd and the report pipe cross the exec.
    sysc::close_range(0, ~0u, CLOSE_RANGE_CLOEXEC);
    ::fcntl(plan.owner_pidfd, F_SETFD, 0);
    ::fcntl(plan.report_fd, F_SETFD, 0);
    char owner_arg[16], report_arg[16];
    decimal(plan.owner_pidfd, owner_arg);
    decimal(plan.report_fd, report_arg);
    char name[] = "jailmgr-init";
    char* argv[] = {name, owner_arg, report_arg, nullptr};
    char* envp[] = {nullptr};
    ::syscall(SYS_execveat, plan.program_fd, "", argv, envp, AT_EMPTY_PATH);
    fail(plan, Stage::init_program);
}

}  // namespace jailmgr::kernel::lnx

namespace jailmgr::kernel::lnx {

extern const unsigned char jail_init_program[];
extern const std::size_t jail_init_program_size;

sys::unique_fd init_program_fd() {
    // MFD_EXEC (Linux 6.3) keeps the memfd executable where vm.memfd_noexec
    // makes new memfds non-executable by default; older kernels reject it.
    constexpr unsigned mfd_exec = 0x0010u;
    const unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    sys::unique_fd fd(::memfd_create("jailmgr-init", flags | mfd_exec));
    if (!fd && errno == EINVAL) fd.reset(::memfd_create("jailmgr-init", flags));
    if (!fd) sys::throw_errno("memfd_create for the jail init program");
    size_t done = 0;
    while (done < jail_init_program_size) {
        ssize_t n = ::write(fd.get(), jail_init_program + done, jail_init_program_size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) sys::throw_errno("write the jail init program");
        done += static_cast<size_t>(n);
    }
    if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0)
        sys::throw_errno("seal the jail init program");
    return fd;
}

}  // namespace jailmgr::kernel::lnx
