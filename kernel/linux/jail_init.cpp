#include "jail_init.hpp"

#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
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

[[noreturn]] void reap_forever() {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, nullptr);
    for (;;) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        siginfo_t info;
        ::sigwaitinfo(&chld, &info);
    }
}

}  // namespace

void run_init(const InitPlan& plan) noexcept {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Our parent is outside our PID namespace (getppid() is 0 here), so the
    // race "owner died before PDEATHSIG was armed" is closed with its pidfd.
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

    send_report(plan.report_fd, Stage::ready, 0, 0);
    sysc::close_range(0, ~0u, 0);  // nothing of the host stays open in here
    reap_forever();
}

}  // namespace jailmgr::kernel::lnx
