#include "jail_init.hpp"

#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "child_common.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

[[noreturn]] void fail(const InitPlan& plan, Stage stage, int index = 0) {
    send_report(plan.report_fd, stage, index, errno);
    ::_exit(1);
}

// Reap orphans until the owner exits; then exit, which ends the namespace.
[[noreturn]] void reap_until_owner_exits(int owner_pidfd, int chld_fd) {
    for (;;) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        struct pollfd fds[2] = {{owner_pidfd, POLLIN, 0}, {chld_fd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[0].revents) ::_exit(0);
        struct signalfd_siginfo si;
        while (::read(chld_fd, &si, sizeof si) > 0) {
        }
    }
}

}  // namespace

void run_init(const InitPlan& plan) noexcept {
    // The owner's pidfd was opened before we existed: if it is readable, the
    // owner is already gone.
    struct pollfd owner = {plan.owner_pidfd, POLLIN, 0};
    if (::poll(&owner, 1, 0) != 0) {
        errno = ESRCH;
        fail(plan, Stage::parent_gone);
    }
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    reset_signals();

    if (join_cgroups(plan.cgroup_tasks) != 0) fail(plan, Stage::cgroup_join);
    // After joining: the namespace is rooted at the jail's own cgroups.
    if (sysc::unshare(CLONE_NEWCGROUP) != 0) fail(plan, Stage::cgroup_namespace);

    int failed = run_steps(plan.steps.data(), static_cast<int>(plan.steps.size()), plan.root.c_str());
    if (failed >= 0) fail(plan, Stage::mount_step, failed);

    Stage stage = Stage::ready;
    if (apply_hardening(plan.hardening, ChildCreds{}, &stage) != 0) fail(plan, stage);

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    int chld_fd = ::signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
    if (chld_fd < 0) fail(plan, Stage::ready);

    send_report(plan.report_fd, Stage::ready, 0, 0);
    // Nothing of the host stays open in here but the owner's pidfd.
    int keep_lo = plan.owner_pidfd < chld_fd ? plan.owner_pidfd : chld_fd;
    int keep_hi = plan.owner_pidfd < chld_fd ? chld_fd : plan.owner_pidfd;
    if (keep_lo > 0) sysc::close_range(0, static_cast<unsigned>(keep_lo - 1), 0);
    if (keep_hi - keep_lo > 1)
        sysc::close_range(static_cast<unsigned>(keep_lo + 1), static_cast<unsigned>(keep_hi - 1), 0);
    sysc::close_range(static_cast<unsigned>(keep_hi + 1), ~0u, 0);
    reap_until_owner_exits(plan.owner_pidfd, chld_fd);
}

}  // namespace jailmgr::kernel::lnx
