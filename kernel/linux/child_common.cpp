#include "child_common.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jailmgr::kernel::lnx {

namespace {

// The kernel's struct sigaction for rt_sigaction (not glibc's).
struct KernelSigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    unsigned long mask;
};

}  // namespace

void reset_signals() {
    KernelSigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.handler = SIG_DFL;
    for (int sig = 1; sig <= 64; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        ::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(unsigned long));
    }
    unsigned long empty = 0;
    ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, sizeof empty);
}

int join_cgroups(const std::vector<int>& tasks_fds) {
    for (int fd : tasks_fds) {
        ssize_t n;
        do {
            n = ::write(fd, "0", 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1) return -1;
    }
    return 0;
}

}  // namespace jailmgr::kernel::lnx
